"""Politeness against real loopback servers: spacing, Retry-After, de-duplication, robots.txt.

Times are taken on the server side (when each request arrived); the assertions
are about order and minimum gaps, i.e. behaviour, with generous slack.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from srccheck.fetch.client import Fetcher
from srccheck.fetch.robots import ROBOTS_REASON, robots_rules
from srccheck.settings import Settings
from srccheck.status import Status

LOCAL = Settings(
    allow_private=True, retries=0, timeout=60.0, soft404_probe=False, host_interval=0.0
)
PAGE = "<html><head><title>Seite</title></head><body><p>Inhalt</p></body></html>"


class _Arrivals(list[float]):
    """Arrival times, plus an event set at the first arrival (the server runs in a thread)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen = threading.Event()


def _stamping(httpserver: HTTPServer, path: str, responses: list[Response] | None = None):
    """Serve ``path``, record arrival times; answer ``responses`` in order, then 200."""
    arrivals = _Arrivals()
    queue = list(responses or [])

    def handler(request: Request) -> Response:
        arrivals.append(time.monotonic())
        arrivals.seen.set()
        if queue:
            return queue.pop(0)
        return Response(PAGE, content_type="text/html")

    httpserver.expect_request(path).respond_with_handler(handler)
    return arrivals


def test_default_host_interval_is_modest() -> None:
    assert 0 < Settings().host_interval <= 1.0


async def test_requests_to_one_host_are_spaced(httpserver: HTTPServer) -> None:
    arrivals = _stamping(httpserver, "/p")
    # The exact spacing is tested with a fake clock (test_fetch_limits.py); here the point is
    # that real requests arrive spread out, not in a burst. Arrival times carry the
    # machine's scheduling jitter (tens of ms under load), so the slack is half the interval.
    interval = 0.5
    settings = LOCAL.with_changes(host_interval=interval)
    async with Fetcher(settings) as fetcher:
        urls = [httpserver.url_for(f"/p?n={i}") for i in range(4)]
        outcomes = await asyncio.gather(*(fetcher.check(url) for url in urls))
    assert all(o.check.status is Status.OK for o in outcomes)
    assert len(arrivals) == 4
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    assert all(gap >= interval * 0.5 for gap in gaps), gaps  # spread out, not a burst


async def test_retry_after_is_honoured_then_success(httpserver: HTTPServer) -> None:
    busy = Response("slow down", status=429, headers={"Retry-After": "1"})
    arrivals = _stamping(httpserver, "/busy", [busy, Response("again", 429, {"Retry-After": "1"})])
    settings = LOCAL.with_changes(retries=3, backoff_initial=0.01)
    async with Fetcher(settings) as fetcher:
        outcome = await fetcher.check(httpserver.url_for("/busy"))
    assert outcome.check.status is Status.OK
    assert outcome.check.attempts == 3
    assert len(arrivals) == 3
    assert arrivals[1] - arrivals[0] >= 0.5  # Retry-After: 1 s; slack for arrival jitter under load
    assert arrivals[2] - arrivals[1] >= 0.5


async def test_retry_after_holds_back_other_requests_to_the_host(httpserver: HTTPServer) -> None:
    busy = _stamping(httpserver, "/busy", [Response("wait", 503, {"Retry-After": "1"})])
    other = _stamping(httpserver, "/other")
    settings = LOCAL.with_changes(retries=1, backoff_initial=0.01)
    async with Fetcher(settings) as fetcher:
        penalized = asyncio.Event()
        penalize = fetcher._limits.penalize

        def spy(host: str, seconds: float) -> None:
            penalize(host, seconds)
            penalized.set()

        fetcher._limits.penalize = spy  # type: ignore[method-assign]
        first = asyncio.ensure_future(fetcher.check(httpserver.url_for("/busy")))
        # The 503 has been read and the penalty set: an event, not a guess at the timing.
        await asyncio.wait_for(penalized.wait(), 60)
        await fetcher.check(httpserver.url_for("/other"))
        await first
    assert other[0] - busy[0] >= 0.5  # the penalty covered the whole host


async def test_identical_urls_are_fetched_once(httpserver: HTTPServer) -> None:
    arrivals = _stamping(httpserver, "/shared")
    url = httpserver.url_for("/shared")
    async with Fetcher(LOCAL) as fetcher:
        # The same source cited by several articles, checked concurrently and later.
        outcomes = await asyncio.gather(*(fetcher.check(url) for _ in range(6)))
        later = await fetcher.check(url)
    assert len(arrivals) == 1
    assert {o.check.status for o in [*outcomes, later]} == {Status.OK}


# --- robots.txt --------------------------------------------------------------------------------

ROBOTS = """\
User-agent: srccheck
Disallow: /intern/

User-agent: *
Disallow: /
"""


async def test_respect_robots_skips_disallowed_urls(httpserver: HTTPServer) -> None:
    robots = _stamping(httpserver, "/robots.txt", [Response(ROBOTS, content_type="text/plain")])
    _stamping(httpserver, "/oeffentlich/a")
    _stamping(httpserver, "/oeffentlich/b")
    settings = LOCAL.with_changes(respect_robots=True)
    async with Fetcher(settings) as fetcher:
        urls = ["/intern/geheim", "/oeffentlich/a", "/oeffentlich/b"]
        skipped, allowed, other = await asyncio.gather(
            *(fetcher.check(httpserver.url_for(u)) for u in urls)
        )
    assert skipped.check.status is Status.SKIPPED
    assert skipped.check.reason == ROBOTS_REASON
    assert allowed.check.status is Status.OK
    assert other.check.status is Status.OK
    assert len(robots) == 1  # once per host and run
    assert not any(r.path.startswith("/intern") for r, _ in httpserver.log)


async def test_robots_off_by_default(httpserver: HTTPServer) -> None:
    _stamping(httpserver, "/intern/geheim")
    async with Fetcher(LOCAL) as fetcher:
        outcome = await fetcher.check(httpserver.url_for("/intern/geheim"))
    assert outcome.check.status is Status.OK
    assert [r.path for r, _ in httpserver.log] == ["/intern/geheim"]


async def test_robots_server_error_allows(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("kaputt", status=500)
    _stamping(httpserver, "/intern/geheim")
    async with Fetcher(LOCAL.with_changes(respect_robots=True)) as fetcher:
        outcome = await fetcher.check(httpserver.url_for("/intern/geheim"))
    assert outcome.check.status is Status.OK


def test_robots_answer_rules() -> None:
    agent = "srccheck/0.1.0 (source and link checker; python-httpx)"
    url = "https://x.example/intern/a"
    assert not robots_rules(200, ROBOTS).allows(url, agent)
    assert robots_rules(200, ROBOTS).allows("https://x.example/ok", agent)
    assert not robots_rules(200, ROBOTS).allows("https://x.example/ok", "OtherBot/1.0")
    assert robots_rules(404, "Disallow: /").allows(url, agent)  # 4xx: allow all
    assert robots_rules(403, None).allows(url, agent)
    assert robots_rules(503, ROBOTS).allows(url, agent)  # 5xx: allow (documented)
    assert robots_rules(None, None).allows(url, agent)  # unreachable: allow
