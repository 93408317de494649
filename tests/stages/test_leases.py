"""ClusterLeases against a stand-in for distributed.Semaphore (the cluster test in
test_cluster.py runs the real one): every lease a task is granted goes back."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from srccheck.archive.client import ARCHIVE_PER_HOST
from srccheck.stages import leases as leases_module
from srccheck.stages.leases import ClusterLeases


class CountingSemaphore:
    """``max_leases`` leases; ``acquire`` blocks in its thread like the real one."""

    def __init__(self, max_leases: int) -> None:
        self.max_leases = max_leases
        self.held = 0
        self._changed = threading.Condition()

    def acquire(self, timeout: float) -> bool:
        with self._changed:
            if not self._changed.wait_for(lambda: self.held < self.max_leases, timeout):
                return False
            self.held += 1
            return True

    def release(self) -> None:
        with self._changed:
            assert self.held > 0, "released more often than acquired"
            self.held -= 1
            self._changed.notify_all()

    def waiting_until(self, held: int, seconds: float = 60.0) -> int:
        deadline = time.monotonic() + seconds  # generous: not a timing test
        while self.held != held and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.held


@pytest.fixture
def semaphore(monkeypatch: pytest.MonkeyPatch) -> CountingSemaphore:
    shared = CountingSemaphore(ARCHIVE_PER_HOST)
    monkeypatch.setattr(
        ClusterLeases, "_semaphore", lambda self, host: self._semaphores.setdefault(host, shared)
    )
    return shared


async def test_a_waiter_cancelled_while_its_lease_is_being_granted_gives_it_back(
    semaphore: CountingSemaphore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The waiter's acquire stays in its thread while the test acts (the real wait is 1 s).
    monkeypatch.setattr(leases_module, "_ACQUIRE_WAIT", 60.0)
    leases = ClusterLeases()
    try:
        done = asyncio.Event()
        both_inside = asyncio.Event()
        inside = 0

        async def request() -> None:
            nonlocal inside
            async with leases.hold("web.archive.org", 0.0):
                inside += 1
                if inside == 2:
                    both_inside.set()
                await done.wait()

        holders = [asyncio.ensure_future(request()) for _ in range(2)]
        await both_inside.wait()
        waiter = asyncio.ensure_future(request())
        await asyncio.sleep(0.05)
        waiter.cancel()  # e.g. the task is being torn down; its acquire is in a thread
        with pytest.raises(asyncio.CancelledError):
            await waiter
        done.set()
        await asyncio.gather(*holders)
        await leases.settle()
        # The cancelled waiter's thread got a lease once the holders let go: nobody holds
        # it, so it must go back now, not only when the task ends (close).
        held = await asyncio.to_thread(semaphore.waiting_until, 0)
        assert held == 0
    finally:
        await asyncio.to_thread(leases.close)
    assert semaphore.held == 0


async def test_leases_go_back_after_requests_and_errors(semaphore: CountingSemaphore) -> None:
    leases = ClusterLeases()
    slot = asyncio.Semaphore(ARCHIVE_PER_HOST)  # the archive client's own slot, as there
    try:

        async def request(fail: bool) -> None:
            async with slot, leases.hold("web.archive.org", 0.0):
                assert semaphore.held <= ARCHIVE_PER_HOST
                await asyncio.sleep(0)
                if fail:
                    raise ConnectionError

        results = await asyncio.gather(
            *(request(i % 3 == 0) for i in range(12)), return_exceptions=True
        )
        assert sum(isinstance(r, ConnectionError) for r in results) == 4
        await leases.settle()
        assert semaphore.held == 0
    finally:
        await asyncio.to_thread(leases.close)
