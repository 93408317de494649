"""The HTTP exchange under the fetch stage: one GET, its answer as a :class:`Reply`.

:class:`~srccheck.fetch.client.Fetcher` sends every request through an
:class:`Exchange` and reads the answer only through :class:`Reply` (status,
headers, a bounded decoded body). Two exchanges exist (``Settings.transport``):

* ``aiohttp`` (the default): :class:`srccheck.fetch.aio.AiohttpExchange`, one
  ``aiohttp`` session, opened (and aiohttp imported) on the first request. Its
  C-accelerated HTTP/1.1 parser costs about a third of httpx's CPU per request
  (README, Benchmarks), which is what a links run spends most of its time on.
  HTTP/1.1 only.
* ``httpx``: :class:`HttpxExchange` over the run's ``httpx.AsyncClient``
  (srccheck.fetch.policy.build_transport: HTTP/1.1 and HTTP/2). Unit tests that
  mock httpx (pytest-httpx patches httpx's own ``AsyncHTTPTransport``) run on
  this one: see :data:`TEST_SEAM`.

Both keep the fetch stage's promises, each in its own way:

* **Address policy** (srccheck.fetch.policy): the aiohttp session resolves
  names with :class:`~srccheck.fetch.aio.PolicyResolver`, which checks every address before any
  connection and hands the connector only checked IPs (so a second DNS answer
  cannot swap the address), and :class:`~srccheck.fetch.aio.PolicyConnector` checks the address of
  the connected peer before a request is sent on a connection. IP literals
  are refused by the Fetcher before it asks either exchange.
* **Bounded decoding**: aiohttp's own decompression is off
  (``auto_decompress=False``); the raw body goes through srccheck's bounded
  decoders (srccheck.fetch.decoding), and a coding they cannot bound is left
  undecoded and named in :attr:`Reply.undecoded`.
* **Timeouts**: connect (DNS included) and read timeouts per request; the
  total deadline is the Fetcher's.
* **TLS**: certificates verified against certifi's store unless ``insecure``;
  failures keep the ``ssl`` error as the cause, for a clear reason.
* **Errors**: aiohttp's exceptions are translated here, in one place, into
  httpx's (the original kept as ``__cause__``), so
  :func:`srccheck.fetch.classify.classify_exception` sees one error tree.
* **Cookies** are kept per domain by the session's jar (never sent to another
  host); environment proxies are never used (they would resolve names
  themselves and bypass the policy).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import httpx

from srccheck.fetch.decoding import UNDECODED
from srccheck.settings import EventLoop, Transport

if TYPE_CHECKING:
    from srccheck.settings import Settings

__all__ = [
    "TEST_SEAM",
    "TRANSPORTS",
    "DeferredExchange",
    "Exchange",
    "HttpxExchange",
    "Reply",
    "loop_factory",
    "open_exchange",
]

#: The transports ``--transport`` accepts.
TRANSPORTS: tuple[str, ...] = tuple(t.value for t in Transport)


@dataclass(slots=True)
class _TestSeam:
    """``force_httpx``: every Fetcher uses the httpx exchange whatever its settings say.

    Set only by the test suite's fixture for tests that mock httpx with
    pytest-httpx, which intercepts httpx's own transport and nothing else.
    """

    force_httpx: bool = False


TEST_SEAM = _TestSeam()


@dataclass(frozen=True, slots=True)
class Reply:
    """One HTTP answer as the fetch stage reads it.

    ``headers`` looks names up case-insensitively; ``body`` yields the decoded
    body in bounded pieces (nothing when :attr:`undecoded` names a coding that
    could not be decoded within bounds) and is read at most once.
    """

    status_code: int
    reason_phrase: str
    headers: Mapping[str, str]
    set_cookies: tuple[str, ...]
    undecoded: str | None
    body: AsyncIterator[bytes]


class Exchange(Protocol):
    """Sends one GET; the answer is valid inside the ``async with`` block only.

    ``open`` readies the exchange for requests (it may take a while the first
    time); called before a request waits for its host slot, so that the time
    between requests to a host is the time between sends.
    """

    def open(self) -> None: ...

    def get(
        self, url: httpx.URL, headers: Mapping[str, str] | None
    ) -> AbstractAsyncContextManager[Reply]: ...

    async def aclose(self) -> None: ...


# --- httpx -----------------------------------------------------------------------------


class HttpxExchange:
    """Requests through an ``httpx.AsyncClient`` (whose transport decodes with bounds)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    def open(self) -> None:
        """The client is open already."""

    @asynccontextmanager
    async def get(self, url: httpx.URL, headers: Mapping[str, str] | None) -> AsyncIterator[Reply]:
        async with self._client.stream("GET", url, headers=headers) as response:
            yield Reply(
                status_code=response.status_code,
                reason_phrase=response.reason_phrase,
                headers=response.headers,
                set_cookies=tuple(response.headers.get_list("set-cookie")),
                undecoded=response.extensions.get(UNDECODED),
                body=response.aiter_bytes(),
            )

    async def aclose(self) -> None:
        """The client belongs to the Fetcher, which closes it."""


class DeferredExchange:
    """The aiohttp exchange, opened on the first request: a re-run whose results all
    come from the cache neither imports aiohttp nor loads a certificate store for it."""

    def __init__(self, settings: Settings, headers: Mapping[str, str]) -> None:
        self._settings = settings
        self._headers = dict(headers)
        self._exchange: Exchange | None = None

    def open(self) -> None:
        if self._exchange is None:
            from srccheck.fetch.aio import AiohttpExchange

            self._exchange = AiohttpExchange(self._settings, self._headers)

    def get(
        self, url: httpx.URL, headers: Mapping[str, str] | None
    ) -> AbstractAsyncContextManager[Reply]:
        self.open()
        assert self._exchange is not None
        return self._exchange.get(url, headers)

    async def aclose(self) -> None:
        if self._exchange is not None:
            await self._exchange.aclose()


def open_exchange(
    settings: Settings, client: httpx.AsyncClient, *, httpx_transport_given: bool
) -> Exchange:
    """The exchange of a run: ``settings.transport``, or httpx when the caller gave an
    httpx transport (tests) or the test seam asks for it."""
    if httpx_transport_given or TEST_SEAM.force_httpx or settings.transport == Transport.HTTPX:
        return HttpxExchange(client)
    return DeferredExchange(settings, client.headers)


def loop_factory(choice: EventLoop) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """What ``asyncio.Runner(loop_factory=…)`` should use for ``choice``: uvloop's loop
    when asked for and installed (it halves the loop's own CPU per request), else
    ``None``, asyncio's default loop."""
    if choice is EventLoop.UVLOOP:
        try:
            import uvloop
        except ImportError:  # an optional speed-up: without it, asyncio's loop
            return None
        return uvloop.new_event_loop
    return None
