"""Polite HTTP requests to one archive: spacing, retries, Retry-After, errors as values.

Every archive API call goes through :meth:`ArchiveClient.get` (or ``post``):

* it waits for a slot of the archive's own :class:`~srccheck.fetch.limits.HostLimits`
  (at most ``per_host`` requests at once, ``min_interval`` seconds between
  starts — the Internet Archive defaults to one request per second);
* it retries transient failures only — timeouts, connection errors, 5xx and
  429 — up to ``Settings.retries`` times, with exponential backoff
  (``backoff_initial`` doubling up to ``backoff_max``);
* a 429 or 5xx with ``Retry-After`` pauses the whole archive for that long
  (capped at ``Settings.retry_after_cap``) through ``HostLimits.penalize``, so
  concurrent lookups wait too;
* a failure that remains is returned as a :class:`RequestFailure` value;
  only programming errors propagate;
* once the archive could not be reached at all (DNS failure, connection
  refused — after retries), later requests of the run fail at once with the
  same reason instead of waiting their turn: an offline run finishes quickly,
  and an unreachable archive is reported as ``error``, never "not archived".

The slot holds within one client, that is within one process's run. Several
clients that share an archive (the report tasks of a Dask cluster) are given
:class:`ArchiveLeases`: every request, inside the client's own slot, also
holds one of the archive host's leases, shared by all of them
(srccheck.stages.leases).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from srccheck.archive.config import ArchiveConfig
from srccheck.archive.model import ArchiveErrorKind
from srccheck.fetch.classify import classify_exception
from srccheck.fetch.limits import Clock, HostLimits, MonotonicClock
from srccheck.fetch.retry import parse_retry_after, should_retry

if TYPE_CHECKING:
    from srccheck.settings import Settings

__all__ = [
    "ARCHIVE_PER_HOST",
    "ArchiveClient",
    "ArchiveLeases",
    "Reply",
    "RequestFailure",
    "failure_from_exception",
    "failure_from_status",
    "is_transient_status",
]

#: Requests at once to one archive; its min_interval does most of the limiting.
ARCHIVE_PER_HOST = 2


class ArchiveLeases(Protocol):
    """Limits shared by several clients of one archive (the tasks of a cluster).

    ``hold(host, spacing)`` waits for one of the host's ``ARCHIVE_PER_HOST``
    leases and keeps it while the request runs and until ``spacing`` seconds
    after it was granted: across all clients, at most ``ARCHIVE_PER_HOST``
    requests in flight and at most ``ARCHIVE_PER_HOST`` started per ``spacing``.
    """

    def hold(self, host: str, spacing: float) -> AbstractAsyncContextManager[None]: ...


@dataclass(frozen=True, slots=True)
class RequestFailure:
    """An archive request that failed for good (after any retries)."""

    kind: ArchiveErrorKind
    message: str
    attempts: int = 1


@dataclass(frozen=True, slots=True)
class Reply:
    """A final (non-transient) answer and the requests it took."""

    response: httpx.Response
    attempts: int


def is_transient_status(status_code: int) -> bool:
    """429 and every 5xx may pass on their own; every other status is an answer.

    Wider than the fetch stage's rule (which treats a page's 500 as final): a
    5xx from an archive API reports the archive's load, not the cited page.
    """
    return status_code == 429 or status_code >= 500


def failure_from_status(status_code: int, url: str, attempts: int = 1) -> RequestFailure:
    """The failure value of an unexpected HTTP status from an archive API."""
    if status_code == 429:
        kind = ArchiveErrorKind.RATE_LIMITED
    elif status_code >= 500:
        kind = ArchiveErrorKind.SERVER_ERROR
    else:
        kind = ArchiveErrorKind.HTTP_ERROR
    return RequestFailure(kind, f"HTTP {status_code} from {url}", attempts)


def failure_from_exception(exc: httpx.HTTPError, attempts: int = 1) -> RequestFailure:
    """Map an httpx error to a failure kind (most specific class first)."""
    text = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        kind = ArchiveErrorKind.TIMEOUT
    elif isinstance(exc, httpx.DecodingError | httpx.TooManyRedirects):
        kind = ArchiveErrorKind.INVALID_RESPONSE
    elif isinstance(exc, httpx.TransportError):  # connect/read errors, DNS, proxy, protocol
        kind = ArchiveErrorKind.CONNECTION
    else:
        kind = ArchiveErrorKind.INVALID_RESPONSE
    request = getattr(exc, "_request", None)
    where = f" ({request.url})" if request is not None else ""
    return RequestFailure(kind, f"{type(exc).__name__}: {text}{where}", attempts)


class _TransientResponse(Exception):
    """Carries a 429/5xx response through tenacity so it can be retried."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


def _is_retryable(exc: BaseException) -> bool:
    """429/5xx answers, timeouts and connection errors; never DNS, TLS or policy failures
    (the fetch stage's rule decides which transport errors are transient)."""
    if isinstance(exc, _TransientResponse):
        return True
    if isinstance(exc, httpx.TransportError):
        request = getattr(exc, "_request", None)
        host = request.url.host if request is not None else ""
        return should_retry(classify_exception(exc, host=host).status, None)
    return False


class ArchiveClient:
    """Requests to one archive through the run's shared ``httpx.AsyncClient``."""

    def __init__(
        self,
        archive: ArchiveConfig,
        client: httpx.AsyncClient,
        settings: Settings,
        *,
        clock: Clock | None = None,
        leases: ArchiveLeases | None = None,
    ) -> None:
        self.archive = archive
        self._leases = leases
        self._client = client
        self._settings = settings
        self._clock = clock or MonotonicClock()
        self._limits = HostLimits(
            concurrency=ARCHIVE_PER_HOST,
            per_host=ARCHIVE_PER_HOST,
            min_interval=archive.min_interval,
            clock=self._clock,
        )
        self._unreachable: dict[str, RequestFailure] = {}  # host → why it could not be reached
        self._probed: dict[str, asyncio.Event] = {}  # host → set once its first request ended
        self._answered: set[str] = set()  # hosts that answered at least once this run

    async def get(
        self,
        url: str,
        *,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        follow_redirects: bool = True,
    ) -> Reply | RequestFailure:
        """GET with politeness and retries; non-transient statuses are returned as responses."""
        return await self._send(
            "GET", url, params=params, headers=headers, follow_redirects=follow_redirects
        )

    async def head(self, url: str) -> Reply | RequestFailure:
        """HEAD without following redirects (a memento's captured status)."""
        return await self._send("HEAD", url, follow_redirects=False)

    async def post(
        self, url: str, *, data: dict[str, str], headers: dict[str, str] | None = None
    ) -> Reply | RequestFailure:
        """POST a form (Save Page Now) with the same politeness and retry rules."""
        return await self._send("POST", url, data=data, headers=headers, follow_redirects=False)

    async def _send(self, method: str, url: str, **kwargs: object) -> Reply | RequestFailure:
        # The first request to a host goes alone: if the host cannot be reached at all,
        # the requests queued behind it fail at once instead of waiting their turn.
        host = urlsplit(url).netloc.lower()  # host and port: one server
        probed = self._probed.get(host)
        first = probed is None
        if probed is None:
            probed = self._probed[host] = asyncio.Event()
        else:
            await probed.wait()
        if host in self._unreachable:
            return self._not_asked(host)
        try:
            result = await self._send_politely(method, url, **kwargs)
        finally:
            if first:
                probed.set()
        if isinstance(result, Reply):
            self._answered.add(host)
        elif result.kind is ArchiveErrorKind.CONNECTION and host not in self._answered:
            # Only a server that never answered this run is written off: a reset after
            # hours of good answers is one failed lookup, not an outage.
            self._unreachable[host] = result
        return result

    async def _request(self, method: str, url: str, **kwargs: object) -> httpx.Response:
        """One request under the run's total deadline (``Settings.timeout``)."""
        seconds = self._settings.timeout
        try:
            async with asyncio.timeout(seconds):
                return await self._client.request(method, url, **kwargs)  # type: ignore[arg-type]
        except TimeoutError as exc:
            raise httpx.ReadTimeout(f"no complete answer within {seconds:g} s") from exc

    def slot(self, url: str) -> AbstractAsyncContextManager[None]:
        """The archive's politeness slot for a request to ``url`` made elsewhere."""
        return self._slot((urlsplit(url).hostname or "").lower())

    @asynccontextmanager
    async def _slot(self, host: str) -> AsyncIterator[None]:
        """This client's slot for ``host`` and, when shared, one of the host's leases.

        A lease is held ``ARCHIVE_PER_HOST`` × ``min_interval`` at least: the
        shared rate is then that of one client (one start per ``min_interval``).
        """
        async with self._limits.slot(host):
            if self._leases is None:
                yield
                return
            async with self._leases.hold(host, ARCHIVE_PER_HOST * self.archive.min_interval):
                yield

    async def _send_politely(
        self, method: str, url: str, **kwargs: object
    ) -> Reply | RequestFailure:
        host = (urlsplit(url).hostname or "").lower()
        server = urlsplit(url).netloc.lower()
        attempts = 0
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._settings.retries + 1),
            wait=self._backoff,
            retry=retry_if_exception(_is_retryable),
            sleep=self._clock.sleep,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    attempts += 1
                    async with self._slot(host):
                        if server in self._unreachable:  # failed while this one waited
                            return self._not_asked(server)
                        response = await self._request(method, url, **kwargs)
                    if is_transient_status(response.status_code):
                        await response.aclose()
                        self._penalize(host, response)
                        raise _TransientResponse(response)
                    return Reply(response, attempts)
        except _TransientResponse as exc:
            return failure_from_status(exc.response.status_code, str(exc.response.url), attempts)
        except httpx.HTTPError as exc:
            return failure_from_exception(exc, attempts)
        raise AssertionError("unreachable: tenacity either returns or reraises")  # pragma: no cover

    def _not_asked(self, host: str) -> RequestFailure:
        down = self._unreachable[host]
        return RequestFailure(
            down.kind, f"{down.message} (unreachable earlier in this run; not asked again)", 0
        )

    def _penalize(self, host: str, response: httpx.Response) -> None:
        seconds = parse_retry_after(
            response.headers.get("retry-after"), now=dt.datetime.now(dt.UTC)
        )
        if seconds is not None:
            self._limits.penalize(host, min(seconds, self._settings.retry_after_cap))

    def _backoff(self, state: RetryCallState) -> float:
        # A Retry-After pause is already enforced by the host slot; do not add backoff on top.
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _TransientResponse) and exc.response.headers.get("retry-after"):
            return 0.0
        settings = self._settings
        return min(settings.backoff_initial * 2 ** (state.attempt_number - 1), settings.backoff_max)
