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
``settings.timeout``. Credentials (:mod:`srccheck.credentials`) are added per
request in ``_exchange``: only to their host, only over HTTPS.

A 2xx HTML answer is then inspected (``consent``, ``soft404``, ``paywall``), a refusal
for bot walls (``bots``). A 2xx PDF is read by :mod:`srccheck.documents.pdf` (in a
bounded worker process, after the request's deadline and host slot are released):
its text becomes the page text, or the source is ``unreadable`` with the reason.
With ``respect_robots`` each host's robots.txt is read once per run (``robots``).
With a :class:`~srccheck.store.Store`, fresh results are served without a request,
stale ones are revalidated with ``If-None-Match``/``If-Modified-Since``, and
definitive results are stored.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import json
import time
from collections import Counter, OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import TYPE_CHECKING, Self, TypeVar

import httpx

from srccheck.credentials import Credentials
from srccheck.documents.pdf import PdfLimits, PdfReader, is_pdf, looks_like_pdf
from srccheck.fetch.bots import bot_wall_signals, describe_bot_wall
from srccheck.fetch.cache import (
    CacheEntry,
    CacheKind,
    cache_call,
    decode_outcome,
    encode_outcome,
    lacks_text,
    link_ttl,
    try_decode_outcome,
)
from srccheck.fetch.classify import Verdict, classify_exception, classify_response, describe_code
from srccheck.fetch.consent import (
    NO_MARKERS,
    ConsentEvidence,
    ConsentMarkup,
    consent_wall_signals,
    describe_consent_wall,
)
from srccheck.fetch.content import (
    is_html,
    is_textual,
    parse_content_type,
)
from srccheck.fetch.decoding import accept_encoding
from srccheck.fetch.inspect import inspect_body
from srccheck.fetch.limits import Clock, HostLimits, MonotonicClock
from srccheck.fetch.model import FetchOutcome, Page
from srccheck.fetch.policy import AddressPolicy, build_transport
from srccheck.fetch.retry import parse_retry_after, with_retries
from srccheck.fetch.robots import ROBOTS_REASON, RobotsRules, robots_rules
from srccheck.fetch.soft404 import (
    Soft404Evidence,
    describe_soft404,
    is_deep_path,
    probe_url,
    soft404_signals,
    text_similarity,
    visible_text,
    without_echo,
)
from srccheck.fetch.stats import HostCounters
from srccheck.fetch.transport import Exchange, Reply, open_exchange
from srccheck.models import HostStats, LinkCheck, RedirectHop
from srccheck.reuse import depends_on
from srccheck.status import Status

if TYPE_CHECKING:
    from srccheck.settings import Settings
    from srccheck.store import Store

__all__ = ["REDIRECT_CODES", "Fetcher", "link_cache_key"]

#: Page text kept in memory across articles (characters); older pages are read back
#: from the cache when another article cites the same URL. Bounds the run's memory.
PAGE_MEMORY_CHARS = 32 * 1024 * 1024

#: Answers whose ``Location`` is followed.
REDIRECT_CODES: frozenset[int] = frozenset({301, 302, 303, 307, 308})
# How often one URL may appear in a chain: twice allows the common
# "set a cookie and come back" redirect, a third time is a loop.
_MAX_VISITS = 2
_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,text/plain;q=0.8,*/*;q=0.5"
_SCHEMES = frozenset({"http", "https"})
_SNIFF_BYTES = 1024
_OCTET_STREAM = "application/octet-stream"
# Bodies from this size on are read (decoded, parsed) in a worker thread; see _read_body.
_INSPECT_IN_THREAD = 16 * 1024
# Verdicts about the body itself, which a redirect chain must not turn back into
# "redirected": a bot wall, a document whose text could not be read.
_OF_THE_BODY = frozenset({Status.BLOCKED, Status.UNREADABLE})
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class _Conditional:
    """Validators of a stale cached answer, sent when ``url`` is requested again."""

    url: str
    etag: str | None
    last_modified: str | None

    def headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


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
    signals: tuple[str, ...] = ()
    etag: str | None = None
    last_modified: str | None = None
    # Read from the one parse of a 2xx HTML answer (parsing is the costliest step of a
    # check); the parse itself is dropped at once: it is several times the page's size,
    # and a check can wait a while for its host's soft-404 probe.
    headings: tuple[str, ...] = ()
    paywall: tuple[str, ...] = ()
    # A Content-Encoding srccheck cannot decode within its memory bounds: body not read.
    undecoded: str | None = None
    consent: ConsentMarkup = NO_MARKERS
    document: bytes | None = None  # a 2xx PDF body, read in _conclude

    @property
    def markup(self) -> bool:
        """The body was decoded as HTML (declared, or sniffed when undeclared)."""
        return self.text is not None and (
            is_html(self.content_type)
            or (self.content_type is None and self.text.lstrip().startswith("<"))
        )

    # The retry rule reads these (srccheck.fetch.retry.Attempt).
    @property
    def status(self) -> Status:
        return self.verdict.status

    @property
    def is_redirect(self) -> bool:
        return self.http_status in REDIRECT_CODES and bool(self.location)


@dataclass(frozen=True, slots=True)
class _Outcome(FetchOutcome):
    """A :class:`FetchOutcome` with the final answer's validators, for the cache."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(slots=True)
class _Chain:
    """Mutable record of one check while it runs."""

    url: str
    started: float = field(default_factory=time.perf_counter)
    checked_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    hops: list[RedirectHop] = field(default_factory=list)
    retries: int = 0
    requested: str = ""

    def __post_init__(self) -> None:
        self.requested = self.url

    def outcome(
        self,
        verdict: Verdict,
        answer: _Answer | None = None,
        *,
        signals: tuple[str, ...] = (),
        paywalled: bool = False,
    ) -> _Outcome:
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
            signals=list(dict.fromkeys([*answer.signals, *signals])),
            paywalled=paywalled,
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
        return _Outcome(check, page, answer.etag, answer.last_modified)


@dataclass(frozen=True, slots=True)
class _Unread:
    """A textual body received whole, not yet decoded and inspected (Fetcher._inspect)."""

    body: bytes
    declared: str | None  # the Content-Type's charset
    markup: bool  # HTML, declared or sniffed
    xml: bool


def _checkable(url: str | httpx.URL) -> httpx.URL | Verdict:
    """The parsed URL, or the reason it cannot be checked (``invalid``)."""
    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
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

    ``cache`` (see :func:`srccheck.fetch.cache.open_cache`) is used, not owned:
    the caller opens it before and closes it after the ``async with`` block.
    Side requests (the soft-404 probe, robots.txt) are made once per host and
    run, without retries, under the same limits and safety policy.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        cache: Store | None = None,
        page_memory_chars: int = PAGE_MEMORY_CHARS,
        keep_pages: bool = True,
        inspect_in_thread: bool = True,
    ) -> None:
        self._settings = settings
        self._inspect_in_thread = inspect_in_thread
        self._side_settings = settings.with_changes(retries=0)
        self._cache = cache
        self._clock = clock or MonotonicClock()
        self._policy = AddressPolicy.from_settings(settings)
        self._credentials = Credentials(settings.hosts, settings.headers, settings.cookie_jar)
        self._counters = HostCounters()  # requests per host (--host-stats)
        self._limits = HostLimits(
            concurrency=settings.concurrency,
            per_host=settings.per_host,
            min_interval=settings.host_interval,
            clock=self._clock,
        )
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._http: Exchange | None = None  # the checks' requests (srccheck.fetch.transport)
        self._checks: dict[str, asyncio.Task[FetchOutcome]] = {}  # in flight
        # Finished checks: the small LinkCheck of every URL, and the page texts of the
        # most recent ones only (bounded); older pages are read back from the cache.
        self._done: dict[str, LinkCheck] = {}
        self._pages: OrderedDict[str, Page] = OrderedDict()
        self._had_page: set[str] = set()  # URLs whose check returned page text
        self._page_chars = 0
        self._page_budget = page_memory_chars
        # False when no later stage reads page texts (links only): then pages are
        # neither kept for other citations nor read back from the cache.
        self._keep_pages = keep_pages
        # stored_at of the cache entry behind each URL's (and origin's robots.txt) result.
        self._stamps: dict[str, float | None] = {}
        self._robot_stamps: dict[str, float | None] = {}
        self._probes: dict[str, asyncio.Task[str | None]] = {}
        self._robots: dict[str, asyncio.Task[RobotsRules]] = {}
        self._documents = PdfReader(
            PdfLimits(max_pages=settings.pdf_max_pages, timeout=settings.pdf_timeout)
        )

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
            headers={
                "User-Agent": settings.user_agent,
                "Accept": _ACCEPT,
                # Only the codings srccheck decodes with bounded memory.
                "Accept-Encoding": accept_encoding(),
            },
            trust_env=False,
        )
        await self._client.__aenter__()
        self._http = open_exchange(
            settings, self._client, httpx_transport_given=self._transport is not None
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        tasks = [*self._checks.values(), *self._probes.values(), *self._robots.values()]
        self._pages.clear()
        pending = [task for task in tasks if not task.done()]
        for task in pending:
            task.cancel()
        try:
            await asyncio.gather(*pending, return_exceptions=True)
        finally:
            http, self._http = self._http, None
            client, self._client = self._client, None
            try:
                if http is not None:
                    await http.aclose()
            finally:
                if client is not None:
                    await client.__aexit__(exc_type, exc, tb)

    @property
    def client(self) -> httpx.AsyncClient:
        """The run's HTTP client (for other stages' API calls, e.g. archive lookups)."""
        if self._client is None:
            raise RuntimeError("Fetcher is not open: use 'async with Fetcher(settings)'")
        return self._client

    async def check(self, url: str) -> FetchOutcome:
        """Check ``url``; the result is always a :class:`FetchOutcome`, never an exception.

        The same URL is fetched once per run: concurrent and later callers get
        the first check's result. Cancelling one caller does not cancel the
        check the others wait for.
        """
        if self._client is None:
            raise RuntimeError("use 'async with Fetcher(settings) as fetcher'")
        check = self._done.get(url)
        if check is not None:
            outcome = await self._again(url, check)
        else:
            outcome = await self._once(self._checks, url, lambda: self._check_and_keep(url))
        # The caller's report rests on the cache entries behind this result (srccheck.reuse).
        for kind, key, stamp in self.stamps(url):
            depends_on(kind, key, stamp)
        return outcome

    async def host_stats(self) -> list[HostStats]:
        """Requests sent per host so far, with statuses, retries and pauses (--host-stats)."""
        return self._counters.report()

    def stamps(self, url: str) -> list[tuple[str, str, float | None]]:
        """The cache entries behind ``url``'s current result, as (kind, key, stored_at):
        its link check, and with ``respect_robots`` its host's robots.txt. ``stored_at``
        is None when the result was not cached (transient failures, no cache)."""
        stamps: list[tuple[str, str, float | None]] = [
            (CacheKind.LINK, self._link_key(url), self._stamps.get(url))
        ]
        if self._settings.respect_robots:
            parsed = _checkable(url)
            if not isinstance(parsed, Verdict):
                origin = _origin(parsed)
                stamps.append((CacheKind.ROBOTS, origin, self._robot_stamps.get(origin)))
        return stamps

    async def _check_and_keep(self, url: str) -> FetchOutcome:
        outcome = await self._check_politely(url)
        # Keep the small result for the run and the page only while the budget allows;
        # the task itself is dropped so its page text can be freed.
        self._done[url] = outcome.check
        self._keep_page(url, outcome.page)
        self._checks.pop(url, None)
        return outcome

    def _keep_page(self, url: str, page: Page | None) -> None:
        if page is None or not page.text or not self._keep_pages:
            return
        self._had_page.add(url)
        self._pages[url] = page
        self._page_chars += len(page.text)
        while self._page_chars > self._page_budget and len(self._pages) > 1:
            _, old = self._pages.popitem(last=False)
            self._page_chars -= len(old.text or "")

    async def _again(self, url: str, check: LinkCheck) -> FetchOutcome:
        """The result of an already checked URL, with its page: from memory, else from
        the cache entry the check came from, else fetched again (evicted from a full or
        shared cache) — a later article citing the URL must not lose the page its claims
        are checked against. A page fetched again comes with its own check (and cache
        entry), so a report never pairs one answer's status with another's page."""
        if url not in self._had_page:
            return FetchOutcome(check=check)
        page = self._pages.get(url)
        if page is not None:
            self._pages.move_to_end(url)
            return FetchOutcome(check=check, page=page)
        if self._cache is not None:
            key = self._link_key(url)
            entry = await cache_call(self._cache.get, CacheKind.LINK, key, stale=True)
            same = entry is not None and entry.stored_at == self._stamps.get(url)
            outcome = try_decode_outcome(entry) if same else None
            if outcome is not None and outcome.page is not None:
                return FetchOutcome(check=check, page=outcome.page)
        again = await self._check_politely(url)
        self._done[url] = again.check
        self._keep_page(url, again.page)
        return again

    @staticmethod
    def _once(
        tasks: dict[str, asyncio.Task[_T]], key: str, start: Callable[[], Awaitable[_T]]
    ) -> Awaitable[_T]:
        """Run ``start()`` once per ``key`` and run; every caller shares the one task."""
        task = tasks.get(key)
        if task is None:
            task = tasks[key] = asyncio.ensure_future(start())
        return asyncio.shield(task)

    async def _check_politely(self, url: str) -> FetchOutcome:
        """robots.txt first (when asked to respect it), then the cache, then the network."""
        if self._settings.respect_robots:
            parsed = _checkable(url)
            if not isinstance(parsed, Verdict):
                origin = _origin(parsed)
                rules = await self._once(self._robots, origin, lambda: self._load_robots(origin))
                if not rules.allows(url, self._settings.user_agent):
                    check = LinkCheck(
                        status=Status.SKIPPED,
                        reason=ROBOTS_REASON,
                        signals=["robots:disallowed"],
                        checked_at=dt.datetime.now(dt.UTC),
                    )
                    return FetchOutcome(check=check)
        if self._cache is None:
            return await self._check(url)
        return await self._check_cached(url, self._cache)

    async def _check_cached(self, url: str, cache: Store) -> FetchOutcome:
        """Fresh entry → no request; stale entry with validators → conditional request."""
        key = self._link_key(url)
        entry = await cache_call(cache.get, CacheKind.LINK, key, stale=True)
        if entry is not None and self._keep_pages and lacks_text(entry):
            entry = None  # stored by a links-only run without the page text: a miss here
        if entry is not None:
            # Decoded once; the page body only when it will be used (a fresh hit).
            cached = try_decode_outcome(entry, page=self._keep_pages and entry.fresh)
            if cached is None or self._document_unread(entry, cached):
                # unreadable (another srccheck version), or a PDF a links-only run did not
                # read while this run wants its text: a miss, fetched whole (no 304)
                entry = None
            elif entry.fresh:
                self._stamps[url] = entry.stored_at
                return cached
        conditional = _conditional(entry)
        outcome = await self._check(url, conditional=conditional)
        if entry is not None and conditional is not None and outcome.check.http_status == 304:
            now = dt.datetime.now(dt.UTC)
            refreshed = decode_outcome(
                entry,
                revalidated=True,
                cached_at=now,
                checked_at=now,
                age_seconds=0.0,
                attempts=outcome.check.attempts,
                elapsed_ms=outcome.check.elapsed_ms,
            )
            value, _ = encode_outcome(_uncached(refreshed), text=not lacks_text(entry))
            ttl = self._settings.cache_ttl_live
            stamp = await cache_call(cache.refresh, CacheKind.LINK, key, ttl, value=value)
            self._stamps[url] = stamp
            return refreshed
        ttl = link_ttl(outcome.check, self._settings)
        self._stamps[url] = None
        if ttl is not None:
            # A links-only run stores no page text: no later stage of it reads one.
            value, body = encode_outcome(outcome, text=self._keep_pages)
            self._stamps[url] = await cache_call(
                cache.put,
                CacheKind.LINK,
                key,
                value,
                ttl,
                body=body,
                etag=outcome.etag,
                last_modified=outcome.last_modified,
            )
        return outcome

    def _link_key(self, url: str) -> str:
        return link_cache_key(url, self._policy)

    def _document_unread(self, entry: CacheEntry, outcome: FetchOutcome) -> bool:
        """A PDF checked by a links-only run (its text never read) when this run wants it."""
        check = outcome.check
        return (
            self._keep_pages
            and check.status.is_success
            and is_pdf(check.content_type)
            and not entry.body
        )

    async def _load_robots(self, origin: str) -> RobotsRules:
        """The rules of ``origin``'s robots.txt: from the cache, or fetched once (no retries)."""
        cache = self._cache
        if cache is not None:
            entry = await cache_call(cache.get, CacheKind.ROBOTS, origin)
            if entry is not None:
                self._robot_stamps[origin] = entry.stored_at
                return robots_rules(json.loads(entry.value)["http_status"], entry.body)
        outcome = await self._check(f"{origin}/robots.txt", side=True)
        code = outcome.check.http_status
        text = outcome.page.text if outcome.page is not None else None
        if cache is not None and code is not None and code < 500 and code != 429:
            value = json.dumps({"http_status": code})
            ttl = self._settings.cache_ttl_live
            stamp = await cache_call(cache.put, CacheKind.ROBOTS, origin, value, ttl, body=text)
            self._robot_stamps[origin] = stamp
        return robots_rules(code, text)

    async def _probe(self, origin: str) -> str | None:
        """Visible text of ``origin``'s answer for a certainly-missing page, if it was 2xx HTML."""
        url = probe_url(origin)
        outcome = await self._check(url, side=True)
        page = outcome.page
        if not outcome.check.status.is_success or page is None or page.text is None:
            return None
        return without_echo(visible_text(page.text), url)

    async def _check(
        self, url: str, *, conditional: _Conditional | None = None, side: bool = False
    ) -> _Outcome:
        """Follow the chain from ``url``; ``side`` requests are not retried nor inspected."""
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
            headers = conditional.headers() if conditional and conditional.url == chain.url else {}
            answer = await self._request(target, chain, headers=headers, side=side)
            if not answer.is_redirect:
                return await self._conclude(chain, answer, target, inspect=not side)
            assert answer.http_status is not None
            assert answer.location is not None
            hop = RedirectHop(
                url=chain.url, status_code=answer.http_status, location=answer.location
            )
            chain.hops.append(hop)
            try:
                following = target.join(answer.location)
            except (httpx.InvalidURL, ValueError) as exc:  # ValueError: a non-UTF-8 Location
                return chain.outcome(Verdict(Status.INVALID, f"redirect to an invalid URL: {exc}"))
            if visits[str(following)] >= _MAX_VISITS:
                loop = " → ".join([*(hop.url for hop in chain.hops), str(following)])
                chain.url = str(following)
                return chain.outcome(Verdict(Status.TOO_MANY_REDIRECTS, f"redirect loop: {loop}"))
            if len(chain.hops) > self._settings.max_redirects:
                chain.url = str(following)
                reason = f"more than {self._settings.max_redirects} redirects"
                return chain.outcome(Verdict(Status.TOO_MANY_REDIRECTS, reason))
            target = _checkable(following)

    async def _conclude(
        self, chain: _Chain, answer: _Answer, url: httpx.URL, *, inspect: bool
    ) -> _Outcome:
        """The final verdict: the status code's, refined by the page (consent wall, soft 404,
        paywall)."""
        if answer.document is not None and inspect:
            answer = await self._read_document(answer)
        verdict = answer.verdict
        if answer.http_status is not None and chain.hops and verdict.status not in _OF_THE_BODY:
            verdict = classify_response(
                answer.http_status, redirects=len(chain.hops), phrase=answer.phrase
            )
        if answer.undecoded and verdict.status.is_success:
            verdict = Verdict(
                verdict.status,
                f"{verdict.reason}; the body was not read: it is encoded with "
                f"'{answer.undecoded}', which srccheck cannot decode within its memory bounds",
            )
        signals: tuple[str, ...] = ()
        paywalled = False
        if inspect and verdict.status.is_success and answer.markup:
            assert answer.http_status is not None
            assert answer.text is not None
            evidence = ConsentEvidence(
                chain.requested, chain.url, bool(chain.hops), answer.title, answer.consent
            )
            signals = consent_wall_signals(evidence)
            if signals:
                reason = describe_consent_wall(signals, answer.http_status, chain.url)
                return chain.outcome(Verdict(Status.CONSENT_WALL, reason), answer, signals=signals)
            signals = await self._soft404_signals(chain, answer, url)
            if signals:
                verdict = Verdict(Status.SOFT_404, describe_soft404(signals, answer.http_status))
            else:
                signals = answer.paywall
                paywalled = bool(signals)
        return chain.outcome(verdict, answer, signals=signals, paywalled=paywalled)

    async def _read_document(self, answer: _Answer) -> _Answer:
        """A PDF answer with its text, or ``unreadable`` with the reason."""
        assert answer.document is not None
        reading = await self._documents.read(
            answer.document, truncated=answer.truncated, cap=self._settings.max_body_bytes
        )
        answer = replace(answer, document=None, signals=(*answer.signals, *reading.signals))
        if not reading.readable:
            code = describe_code(answer.http_status or 0, answer.phrase)
            reason = f"{code}, but {reading.failure}"
            return replace(answer, verdict=Verdict(Status.UNREADABLE, reason), title=reading.title)
        return replace(answer, text=reading.text, title=reading.title)

    async def _soft404_signals(
        self, chain: _Chain, answer: _Answer, url: httpx.URL
    ) -> tuple[str, ...]:
        """Cheap signals first; the per-host probe only when they found nothing."""
        assert answer.text is not None
        evidence = Soft404Evidence(
            requested_url=chain.requested,
            final_url=chain.url,
            redirected=bool(chain.hops),
            title=answer.title,
            headings=answer.headings,
        )
        signals = soft404_signals(evidence)
        if signals or not self._settings.soft404_probe or not is_deep_path(chain.url):
            return signals
        origin = _origin(url)  # ``url`` is chain.url parsed (parsing is not cheap)
        probe_text = await self._once(self._probes, origin, lambda: self._probe(origin))
        if probe_text is None:
            return signals
        text = without_echo(visible_text(answer.text), chain.requested)
        similarity = text_similarity(text, probe_text)
        return soft404_signals(replace(evidence, probe_similarity=similarity))

    async def _request(
        self,
        url: httpx.URL,
        chain: _Chain,
        *,
        headers: dict[str, str] | None = None,
        side: bool = False,
    ) -> _Answer:
        """One request, retried for transient failures; counts retries into ``chain``."""
        sent = 0

        async def attempt() -> _Answer:
            nonlocal sent
            sent += 1
            assert self._http is not None
            self._http.open()  # before the slot: spacing is measured between sends
            async with self._limits.slot(url.host):
                answer = await self._exchange(url, headers)
            code = answer.http_status
            self._counters.request(url.host, str(code or answer.status.value), retry=sent > 1)
            if answer.retry_after is not None:
                # Everyone waits, not just this request: the server asked for a pause.
                pause = min(answer.retry_after, self._settings.retry_after_cap)
                self._limits.penalize(url.host, pause)
                self._counters.pause(url.host, pause)
            return answer

        try:
            settings = self._side_settings if side else self._settings
            return await with_retries(attempt, settings, sleep=self._clock.sleep)
        finally:
            chain.retries += max(sent - 1, 0)

    async def _exchange(self, url: httpx.URL, headers: dict[str, str] | None = None) -> _Answer:
        """Send one GET and read the answer within the total deadline; failures as values.

        The one place where credentials join a request: decided for this URL alone, so
        each hop of a redirect chain gets only what its own host and scheme allow.
        """
        assert self._http is not None
        headers = {**self._credentials.headers_for(url), **(headers or {})}
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self._settings.timeout):
                async with self._http.get(url, headers) as response:
                    first_byte_ms = (time.perf_counter() - started) * 1000
                    answer, unread = await self._read_body(response, first_byte_ms)
        except httpx.InvalidURL as exc:  # not an HTTPError in httpx
            return _Answer(Verdict(Status.INVALID, f"not a checkable URL: {exc}"))
        except (httpx.HTTPError, OSError) as exc:  # TimeoutError of the deadline is an OSError
            return _Answer(classify_exception(exc, host=url.host))
        except ValueError as exc:  # a request the client refuses to form (header values …)
            return _Answer(
                Verdict(
                    Status.CONNECTION_ERROR,
                    f"the request to {url.host} could not be sent: {exc}",
                    f"{type(exc).__name__}: {exc}",
                )
            )
        # The whole answer is in: reading the page (decoding, parsing) is srccheck's work,
        # not the server's, so it runs after the deadline: a page waiting for a worker
        # thread never turns into a timeout.
        answer = await self._inspect(answer, unread)
        # A bot wall is recognised per answer, so the retry rule can refuse to retry it.
        signals = bot_wall_signals(
            answer.http_status or 0,
            response.headers,
            answer.text,
            set_cookies=list(response.set_cookies),
        )
        if signals and not answer.is_redirect:
            verdict = Verdict(Status.BLOCKED, describe_bot_wall(response.status_code, signals))
            answer = replace(answer, verdict=verdict, signals=signals)
        return answer

    async def _inspect(self, answer: _Answer, unread: _Unread | None) -> _Answer:
        """``answer`` with its page's text and marks (srccheck.fetch.inspect)."""
        if unread is None:
            return answer
        inspect = functools.partial(
            inspect_body,
            unread.body,
            declared=unread.declared,
            markup=unread.markup,
            xml=unread.xml,
            success=answer.status.is_success,
        )
        # A large page is read in a worker thread: its parse releases the GIL, so the
        # event loop serves other requests meanwhile (measured in the README's benchmark
        # section); for a small page the hop would cost more than it frees.
        in_thread = self._inspect_in_thread and len(unread.body) >= _INSPECT_IN_THREAD
        marks = await asyncio.to_thread(inspect) if in_thread else inspect()
        return replace(
            answer,
            headings=marks.headings,
            paywall=marks.paywall,
            consent=marks.consent,
            charset=marks.decoded.charset,
            text=marks.decoded.text,
            title=marks.title,
        )

    async def _read_body(
        self, response: Reply, first_byte_ms: float
    ) -> tuple[_Answer, _Unread | None]:
        """The answer's head and, for a textual body, the body still to be read
        (:meth:`_inspect`); every other kind of answer is complete here."""
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
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
        )
        # Redirect bodies are never needed; binary bodies (images …) are not kept, but
        # a 2xx PDF (declared, or an undeclared/octet-stream body that starts like one) is
        # read when a later stage wants page texts (not in a links-only run).
        document = (
            self._keep_pages
            and head.status.is_success
            and (is_pdf(media_type) or media_type in (None, _OCTET_STREAM))
        )
        if head.is_redirect or not (media_type is None or is_textual(media_type) or document):
            return head, None
        if coding := response.undecoded:  # see srccheck.fetch.decoding
            return replace(head, undecoded=coding, signals=(f"encoding:{coding}",)), None
        body, truncated = await self._read_capped(response)
        if document and (is_pdf(media_type) or looks_like_pdf(body)):
            media_type = media_type if is_pdf(media_type) else "application/pdf"
            return replace(
                head, content_type=media_type, document=body, body_bytes=len(body),
                truncated=truncated,
            ), None  # fmt: skip
        if media_type == _OCTET_STREAM or (media_type is None and b"\x00" in body[:_SNIFF_BYTES]):
            return replace(head, body_bytes=len(body), truncated=truncated), None
        markup = is_html(media_type) or (media_type is None and body.lstrip().startswith(b"<"))
        unread = _Unread(body, declared, markup, xml="xml" in (media_type or ""))
        return replace(head, body_bytes=len(body), truncated=truncated), unread

    async def _read_capped(self, response: Reply) -> tuple[bytes, bool]:
        """The decompressed body up to ``max_body_bytes``; True when more was left unread."""
        cap = self._settings.max_body_bytes
        body = bytearray()
        async for chunk in response.body:
            room = cap - len(body)
            if len(chunk) > room:
                body += chunk[:room]
                return bytes(body), True
            body += chunk
        return bytes(body), False


def link_cache_key(url: str, policy: AddressPolicy) -> str:
    """The cache key of ``url``'s link check: the URL, scoped by a non-default address
    policy (:attr:`AddressPolicy.scope`), so a result is served only under the policy
    it was checked under."""
    return f"{url} [{policy.scope}]" if policy.scope else url


def _uncached(outcome: FetchOutcome) -> FetchOutcome:
    """``outcome`` as it is stored: the per-use cache fields are set when it is read."""
    check = outcome.check.model_copy(
        update={"from_cache": False, "age_seconds": None, "cached_at": None, "revalidated": False}
    )
    return FetchOutcome(check=check, page=outcome.page)


def _origin(url: httpx.URL) -> str:
    """``scheme://host[:port]`` of ``url`` (the unit of robots.txt and of the probe)."""
    port = f":{url.port}" if url.port is not None else ""
    return f"{url.scheme}://{url.raw_host.decode('ascii')}{port}"


def _conditional(entry: CacheEntry | None) -> _Conditional | None:
    """Validators of a stale, successful cached check; ``None`` when there are none."""
    if entry is None or not (entry.etag or entry.last_modified):
        return None
    check = json.loads(entry.value)["check"]
    if not Status(check["status"]).is_success or not check.get("final_url"):
        return None
    return _Conditional(check["final_url"], entry.etag, entry.last_modified)
