"""The benchmark server's count of requests in flight (overall and per host).

The app is driven directly (no sockets, no timing): each request's ``send``
blocks until the test releases it, so exactly the requests started are in
flight when the peaks are read.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # ``bench`` is a folder of the repository, not an installed package

from bench.corpus import PageKind, Web, host_address  # noqa: E402
from bench.server import BenchApp, InFlight, RequestCounters, ServerConfig  # noqa: E402

WEB = Web(pages=40, hosts=3, port=8080)


def _ok_page_on(host: int) -> int:
    pages = range(WEB.pages)
    return next(p for p in pages if WEB.host_of(p) == host and WEB.kind(p) is PageKind.OK)


def _scope(path: str, host: int) -> dict[str, Any]:
    return {
        "type": "http",
        "method": "GET",
        "path": path,
        "server": (host_address(host), WEB.port),
    }


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _held_requests(
    app: BenchApp, counters: RequestCounters, per_host: dict[int, int]
) -> tuple[Any, Any]:
    """Start ``per_host[h]`` requests to each host h, hold them all, return peaks then and after."""
    release = asyncio.Event()
    started = 0
    all_started = asyncio.Event()
    total = sum(per_host.values())

    async def send(message: dict[str, Any]) -> None:
        nonlocal started
        if message["type"] == "http.response.start":
            started += 1
            if started == total:
                all_started.set()
            await release.wait()

    tasks = [
        asyncio.create_task(app(_scope(WEB.path(_ok_page_on(host)), host), _receive, send))
        for host, n in per_host.items()
        for _ in range(n)
    ]
    await all_started.wait()
    while_held = counters.peaks()
    release.set()
    await asyncio.gather(*tasks)
    return while_held, counters.peaks()


def _app(counters: RequestCounters) -> BenchApp:
    config = ServerConfig(web=WEB, latency=0.0, workers=1)
    return BenchApp(config, counters.table, 0, InFlight(counters.in_flight, counters.lock))


def test_peaks_count_requests_held_at_once_overall_and_per_host() -> None:
    counters = RequestCounters(1, WEB.pages, WEB.hosts)
    app = _app(counters)

    held, after = asyncio.run(_held_requests(app, counters, {0: 5, 2: 2}))

    assert held.overall == 7
    assert held.per_host == (5, 0, 2)
    assert held.busiest_host == 5
    assert after == held  # a peak stays after the requests finished
    assert counters.in_flight[0] == 0  # nothing left in flight


def test_reset_starts_a_new_window_and_sequential_requests_peak_at_one() -> None:
    counters = RequestCounters(1, WEB.pages, WEB.hosts)
    app = _app(counters)
    asyncio.run(_held_requests(app, counters, {1: 4}))

    counters.reset_peaks()
    for _ in range(3):  # one after the other: never two at once
        asyncio.run(_held_requests(app, counters, {1: 1}))

    peaks = counters.peaks()
    assert peaks.overall == 1
    assert peaks.per_host == (0, 1, 0)


def test_every_counted_path_is_in_flight_and_the_health_check_is_not() -> None:
    counters = RequestCounters(1, WEB.pages, WEB.hosts)
    app = _app(counters)

    async def send(message: dict[str, Any]) -> None:
        return None

    async def requests() -> None:
        await app(_scope("/__bench/health", 0), _receive, send)
        assert counters.peaks().overall == 0
        await app(_scope("/robots.txt", 0), _receive, send)

    asyncio.run(requests())

    assert counters.peaks().overall == 1
    assert counters.peaks().per_host == (1, 0, 0)
