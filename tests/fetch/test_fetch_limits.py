"""HostLimits: global and per-host caps, spacing, penalties, cancellation."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from srccheck.fetch.limits import HostLimits


class Gauge:
    """Counts how many blocks run at once, per key and in total."""

    def __init__(self) -> None:
        self.running: dict[str, int] = {}
        self.peak: dict[str, int] = {}
        self.total = 0
        self.peak_total = 0

    async def hold(self, limits: HostLimits, host: str, release: asyncio.Event) -> None:
        async with limits.slot(host):
            self.running[host] = self.running.get(host, 0) + 1
            self.total += 1
            self.peak[host] = max(self.peak.get(host, 0), self.running[host])
            self.peak_total = max(self.peak_total, self.total)
            try:
                await release.wait()
            finally:
                self.running[host] -= 1
                self.total -= 1


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def test_per_host_limit_caps_requests_to_one_host() -> None:
    limits = HostLimits(concurrency=10, per_host=2)
    gauge, release = Gauge(), asyncio.Event()
    tasks = [asyncio.create_task(gauge.hold(limits, "a.example", release)) for _ in range(6)]
    await settle()
    assert gauge.running["a.example"] == 2
    release.set()
    await asyncio.gather(*tasks)
    assert gauge.peak["a.example"] == 2


async def test_global_limit_caps_all_hosts() -> None:
    limits = HostLimits(concurrency=3, per_host=2)
    gauge, release = Gauge(), asyncio.Event()
    hosts = [f"h{i}.example" for i in range(6)]
    tasks = [asyncio.create_task(gauge.hold(limits, h, release)) for h in hosts]
    await settle()
    assert gauge.total == 3
    release.set()
    await asyncio.gather(*tasks)
    assert gauge.peak_total == 3
    assert all(peak == 1 for peak in gauge.peak.values())


async def test_host_names_are_case_insensitive() -> None:
    limits = HostLimits(concurrency=10, per_host=1)
    gauge, release = Gauge(), asyncio.Event()
    tasks = [
        asyncio.create_task(gauge.hold(limits, host, release))
        for host in ("WWW.FAZ.NET", "www.faz.net")
    ]
    await settle()
    assert gauge.total == 1
    release.set()
    await asyncio.gather(*tasks)


async def test_min_interval_spaces_request_starts_per_host(clock) -> None:
    limits = HostLimits(concurrency=10, per_host=4, min_interval=2.0, clock=clock)
    starts: list[float] = []

    async def request() -> None:
        async with limits.slot("a"):
            starts.append(clock.now())

    await asyncio.gather(*(request() for _ in range(3)))
    starts.sort()
    assert len(starts) == 3
    assert all(later - earlier >= 2.0 for earlier, later in itertools.pairwise(starts))
    # Another host is not spaced behind "a".
    before = clock.now()
    async with limits.slot("b"):
        assert clock.now() == before


async def test_penalize_delays_new_requests_to_that_host_only(clock) -> None:
    limits = HostLimits(concurrency=10, per_host=4, clock=clock)
    limits.penalize("slow.example", 30.0)
    started_at = clock.now()
    async with limits.slot("other.example"):
        assert clock.now() == started_at
    async with limits.slot("slow.example"):
        assert clock.now() >= started_at + 30.0


async def test_penalize_never_shortens_an_existing_penalty(clock) -> None:
    limits = HostLimits(concurrency=1, per_host=1, clock=clock)
    limits.penalize("x", 10.0)
    limits.penalize("x", 1.0)
    start = clock.now()
    async with limits.slot("x"):
        assert clock.now() >= start + 10.0


async def test_cancelled_waiter_does_not_leak_a_slot() -> None:
    limits = HostLimits(concurrency=1, per_host=1)
    gauge, release = Gauge(), asyncio.Event()
    holder = asyncio.create_task(gauge.hold(limits, "a", release))
    await settle()
    waiter = asyncio.create_task(gauge.hold(limits, "a", asyncio.Event()))
    await settle()
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    release.set()
    await holder
    # Both the per-host and the global slot are free again.
    async with asyncio.timeout(1):
        async with limits.slot("a"):
            pass


async def test_cancelled_holder_releases_its_slot() -> None:
    limits = HostLimits(concurrency=1, per_host=1)
    gauge = Gauge()
    holder = asyncio.create_task(gauge.hold(limits, "a", asyncio.Event()))
    await settle()
    assert gauge.total == 1
    holder.cancel()
    with pytest.raises(asyncio.CancelledError):
        await holder
    async with asyncio.timeout(1):
        async with limits.slot("a"):
            pass


@pytest.mark.parametrize(
    ("concurrency", "per_host", "interval"), [(0, 1, 0.0), (1, 0, 0.0), (1, 1, -1.0)]
)
def test_invalid_limits_are_rejected(concurrency: int, per_host: int, interval: float) -> None:
    with pytest.raises(ValueError, match="must"):
        HostLimits(concurrency=concurrency, per_host=per_host, min_interval=interval)
