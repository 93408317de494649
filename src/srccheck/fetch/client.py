"""The fetch stage: check one URL politely and safely, as a value.

Usage (one client per run)::

    async with Fetcher(settings) as fetcher:
        outcome = await fetcher.check(url)   # FetchOutcome; never raises for network problems

:meth:`Fetcher.check` may be gathered for thousands of URLs: it applies the
global and per-host limits itself, and fetches identical URLs only once per
run (a second caller awaits the first one's result).

One check is a chain of requests: redirects are followed by hand so that
every hop is recorded, and each request is retried on its own for transient
failures. Each request (headers and body) must finish within
``settings.timeout``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import TYPE_CHECKING, Self

import httpx

from srccheck.fetch.charset import decode_body
from srccheck.fetch.classify import Verdict, classify_exception, classify_response
from srccheck.fetch.content import is_html, is_textual, page_title, parse_content_type
from srccheck.fetch.limits import Clock, HostLimits, MonotonicClock
from srccheck.fetch.model import FetchOutcome, Page
from srccheck.fetch.policy import AddressPolicy, build_transport
from srccheck.fetch.retry import parse_retry_after, retrying
from srccheck.models import LinkCheck, RedirectHop
from srccheck.status import Status

if TYPE_CHECKING:
    from srccheck.settings import Settings

__all__ = ["REDIRECT_CODES", "Fetcher"]

#: Answers whose ``Location`` is followed.
REDIRECT_CODES: frozenset[int] = frozenset({301, 302, 303, 307, 308})
# How often one URL may appear in a chain: twice allows the common
# "set a cookie and come back" redirect, a third time is a loop.
_MAX_VISITS = 2
_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,text/plain;q=0.8,*/*;q=0.5"
_SCHEMES = frozenset({"http", "https"})
_SNIFF_BYTES = 1024


@dataclass(frozen=True, slots=True)
class _Answer:
    """The result of one request: an HTTP answer, or a failure (``http_status`` is None)."""

    verdict: Verdict
    http_status: int | None = None
    phrase: str = ""
    location: str | None = None
    retry_after: float | None = None
    first_byte_ms: float | None = None
    content_type: str | None = None
    charset: str | None = None
    text: str | None = None
    title: str | None = None
    body_bytes: int = 0
    truncated: bool = False

    # The retry rule reads these (srccheck.fetch.retry.Attempt).
    @property
    def status(self) -> Status:
        return self.verdict.status

    @property
    def is_redirect(self) -> bool:
        return self.http_status in REDIRECT_CODES and bool(self.location)


@dataclass(slots=True)
class _Chain:
    """Mutable record of one check while it runs."""

    url: str
    started: float = field(default_factory=time.perf_counter)
    checked_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    hops: list[RedirectHop] = field(default_factory=list)
    retries: int = 0

    def outcome(self, verdict: Verdict, answer: _Answer | None = None) -> FetchOutcome:
        answer = answer or _Answer(verdict)
        check = LinkCheck(
            status=verdict.status,
            reason=verdict.reason,
            http_status=answer.http_status,
            final_url=self.url,
            redirects=list(self.hops),
            attempts=self.retries + 1,
            elapsed_ms=(time.perf_counter() - self.started) * 1000,
            first_byte_ms=answer.first_byte_ms,
            content_type=answer.content_type,
            charset=answer.charset,
            page_title=answer.title,
            body_bytes=answer.body_bytes,
            truncated=answer.truncated,
            error=verdict.error,
            checked_at=self.checked_at,
        )
        page = None
        if answer.http_status is not None and verdict.status is not Status.TOO_MANY_REDIRECTS:
            page = Page(
                url=self.url,
                content_type=answer.content_type,
                charset=answer.charset,
                text=answer.text,
                truncated=answer.truncated,
            )
        return FetchOutcome(check=check, page=page)


def _checkable(url: str) -> httpx.URL | Verdict:
    """The parsed URL, or the reason it cannot be checked (``invalid``)."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        return Verdict(Status.INVALID, f"not a valid URL: {exc}")
    if parsed.scheme not in _SCHEMES:
        return Verdict(Status.INVALID, f"not an http(s) URL: {url}")
    if not parsed.host:
        return Verdict(Status.INVALID, f"URL without a host: {url}")
    return parsed


class Fetcher:
    """Checks URLs with one shared ``httpx.AsyncClient``; use as ``async with``.

    ``transport`` replaces the safe default transport (tests; pytest-httpx
    patches the default one anyway). ``clock`` replaces real time for the
    retry waits and the host limits, so tests never sleep.

    ``LinkCheck.attempts`` counts the requests sent minus the redirect hops,
    i.e. 1 + every retry made along the chain.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._settings = settings
        self._clock = clock or MonotonicClock()
        self._policy = AddressPolicy.from_settings(settings)
        self._limits = HostLimits(
            concurrency=settings.concurrency,
            per_host=settings.per_host,
            min_interval=settings.host_interval,
            clock=self._clock,
        )
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._checks: dict[str, asyncio.Task[FetchOutcome]] = {}

    async def __aenter__(self) -> Self:
        settings = self._settings
        self._client = httpx.AsyncClient(
            transport=self._transport or build_transport(settings),
            follow_redirects=False,
            timeout=httpx.Timeout(
                connect=settings.connect_timeout,
                read=settings.read_timeout,
                write=settings.read_timeout,
                pool=None,  # waiting for a connection counts against the total deadline
            ),
            headers={"User-Agent": settings.user_agent, "Accept": _ACCEPT},
            trust_env=False,
        )
        await self._client.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        pending = [task for task in self._checks.values() if not task.done()]
        for task in pending:
            task.cancel()
        try:
            await asyncio.gather(*pending, return_exceptions=True)
        finally:
            client, self._client = self._client, None
            if client is not None:
                await client.__aexit__(exc_type, exc, tb)

    async def check(self, url: str) -> FetchOutcome:
        """Check ``url``; the result is always a :class:`FetchOutcome`, never an exception.

        The same URL is fetched once per run: concurrent and later callers get
        the first check's result. Cancelling one caller does not cancel the
        check the others wait for.
        """
        if self._client is None:
            raise RuntimeError("use 'async with Fetcher(settings) as fetcher'")
        task = self._checks.get(url)
        if task is None:
            task = self._checks[url] = asyncio.ensure_future(self._check(url))
        return await asyncio.shield(task)

    async def _check(self, url: str) -> FetchOutcome:
        chain = _Chain(url)
        visits: Counter[str] = Counter()
        target = _checkable(url)
        while True:
            if isinstance(target, Verdict):
                return chain.outcome(target)
            chain.url = str(target)
            visits[chain.url] += 1
            if refusal := self._policy.literal_refusal(target.host):
                return chain.outcome(Verdict(Status.BLOCKED_BY_POLICY, refusal))
            answer = await self._request(target, chain)
            if not answer.is_redirect:
                verdict = answer.verdict
                if answer.http_status is not None and chain.hops:
                    verdict = classify_response(
                        answer.http_status, redirects=len(chain.hops), phrase=answer.phrase
                    )
                return chain.outcome(verdict, answer)
            assert answer.http_status is not None
            assert answer.location is not None
            hop = RedirectHop(
                url=chain.url, status_code=answer.http_status, location=answer.location
            )
            chain.hops.append(hop)
            try:
                following = target.join(answer.location)
            except httpx.InvalidURL as exc:
                return chain.outcome(Verdict(Status.INVALID, f"redirect to an invalid URL: {exc}"))
            if visits[str(following)] >= _MAX_VISITS:
                loop = " → ".join([*(hop.url for hop in chain.hops), str(following)])
                chain.url = str(following)
                return chain.outcome(Verdict(Status.TOO_MANY_REDIRECTS, f"redirect loop: {loop}"))
            if len(chain.hops) > self._settings.max_redirects:
                chain.url = str(following)
                reason = f"more than {self._settings.max_redirects} redirects"
                return chain.outcome(Verdict(Status.TOO_MANY_REDIRECTS, reason))
            target = _checkable(str(following))

    async def _request(self, url: httpx.URL, chain: _Chain) -> _Answer:
        """One request, retried for transient failures; counts retries into ``chain``."""
        sent = 0

        async def attempt() -> _Answer:
            nonlocal sent
            sent += 1
            async with self._limits.slot(url.host):
                answer = await self._exchange(url)
            if answer.retry_after is not None:
                # Everyone waits, not just this request: the server asked for a pause.
                self._limits.penalize(
                    url.host, min(answer.retry_after, self._settings.retry_after_cap)
                )
            return answer

        try:
            return await retrying(self._settings, sleep=self._clock.sleep)(attempt)
        finally:
            chain.retries += max(sent - 1, 0)

    async def _exchange(self, url: httpx.URL) -> _Answer:
        """Send one GET and read the answer within the total deadline; failures as values."""
        assert self._client is not None
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self._settings.timeout):
                async with self._client.stream("GET", url) as response:
                    first_byte_ms = (time.perf_counter() - started) * 1000
                    return await self._read(response, first_byte_ms)
        except httpx.InvalidURL as exc:  # not an HTTPError in httpx
            return _Answer(Verdict(Status.INVALID, f"not a checkable URL: {exc}"))
        except (httpx.HTTPError, OSError) as exc:  # TimeoutError of the deadline is an OSError
            return _Answer(classify_exception(exc, host=url.host))

    async def _read(self, response: httpx.Response, first_byte_ms: float) -> _Answer:
        code = response.status_code
        media_type, declared = parse_content_type(response.headers.get("content-type"))
        retry_after = None
        if code in (429, 503):
            retry_after = parse_retry_after(
                response.headers.get("retry-after"), now=dt.datetime.now(dt.UTC)
            )
        location = response.headers.get("location") if code in REDIRECT_CODES else None
        head = _Answer(
            classify_response(code, phrase=response.reason_phrase),
            http_status=code,
            phrase=response.reason_phrase,
            location=location,
            retry_after=retry_after,
            first_byte_ms=first_byte_ms,
            content_type=media_type,
        )
        # Redirect bodies are never needed; binary bodies (PDF, images) are not kept.
        if head.is_redirect or not (media_type is None or is_textual(media_type)):
            return head
        body, truncated = await self._read_capped(response)
        if media_type is None and b"\x00" in body[:_SNIFF_BYTES]:
            return replace(head, body_bytes=len(body), truncated=truncated)
        markup = is_html(media_type) or (media_type is None and body.lstrip().startswith(b"<"))
        decoded = decode_body(body, declared=declared, markup=markup or "xml" in (media_type or ""))
        return replace(
            head,
            charset=decoded.charset,
            text=decoded.text,
            title=page_title(decoded.text) if markup else None,
            body_bytes=len(body),
            truncated=truncated,
        )

    async def _read_capped(self, response: httpx.Response) -> tuple[bytes, bool]:
        """The decompressed body up to ``max_body_bytes``; True when more was left unread."""
        cap = self._settings.max_body_bytes
        body = bytearray()
        async for chunk in response.aiter_bytes():
            room = cap - len(body)
            if len(chunk) > room:
                body += chunk[:room]
                return bytes(body), True
            body += chunk
        return bytes(body), False
