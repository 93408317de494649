"""Politeness limits: a global cap, a per-host cap and per-host request spacing.

One :class:`HostLimits` is shared by every request of a run (the fetch stage
and the archive stage each hold their own). ``async with limits.slot(host):``
waits until

1. fewer than ``per_host`` requests to ``host`` are running,
2. the host's next allowed start time has come (``min_interval`` after the
   previous start, or later after :meth:`HostLimits.penalize`),
3. fewer than ``concurrency`` requests are running in total,

in that order, so a request that waits for a slow host never holds one of the
global slots (compare scrapy's downloader ``Slot`` and aiohttp's connector,
which keep a global and a per-host limit). Slots are released in ``finally``:
a cancelled task never leaks one.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["Clock", "HostLimits", "MonotonicClock"]


class Clock(Protocol):
    """Time source of the limits and the retry waits (replaced by a fake in tests)."""

    def now(self) -> float:
        """Seconds on a monotonic scale."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds``; ``now`` must have advanced by that much afterwards."""
        ...


class MonotonicClock:
    """The real clock: :func:`time.monotonic` and :func:`asyncio.sleep`."""

    def now(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@dataclass(slots=True)
class _HostSlot:
    """Mutable state of one host; only touched from the event loop thread."""

    running: asyncio.Semaphore
    next_start: float = field(default=float("-inf"))


class HostLimits:
    """Global and per-host concurrency limits with a minimum interval per host.

    ``concurrency`` and ``per_host`` must be at least 1; ``min_interval`` is the
    least time in seconds between two request *starts* to the same host.
    """

    def __init__(
        self,
        *,
        concurrency: int,
        per_host: int,
        min_interval: float = 0.0,
        clock: Clock | None = None,
    ) -> None:
        if concurrency < 1 or per_host < 1:
            raise ValueError("concurrency and per_host must be at least 1")
        if min_interval < 0:
            raise ValueError("min_interval must not be negative")
        self._global = asyncio.Semaphore(concurrency)
        self._per_host = per_host
        self._min_interval = min_interval
        self._clock = clock or MonotonicClock()
        self._hosts: dict[str, _HostSlot] = {}

    def slot(self, host: str) -> AbstractAsyncContextManager[None]:
        """Hold one global and one per-host slot for the duration of the block."""
        return self._slot(host.lower())

    def penalize(self, host: str, seconds: float) -> None:
        """Start no new request to ``host`` before ``seconds`` from now (e.g. Retry-After)."""
        state = self._host(host.lower())
        state.next_start = max(state.next_start, self._clock.now() + max(seconds, 0.0))

    def _host(self, host: str) -> _HostSlot:
        state = self._hosts.get(host)
        if state is None:
            state = self._hosts[host] = _HostSlot(asyncio.Semaphore(self._per_host))
        return state

    @asynccontextmanager
    async def _slot(self, host: str) -> AsyncIterator[None]:
        state = self._host(host)
        await state.running.acquire()
        try:
            await self._wait_for_turn(state)
            async with self._global:
                yield
        finally:
            state.running.release()

    async def _wait_for_turn(self, state: _HostSlot) -> None:
        # Re-check after every sleep: a penalty may have arrived meanwhile, and
        # another waiter may have taken the start time we were waiting for.
        while (delay := state.next_start - self._clock.now()) > 0:
            await self._clock.sleep(delay)
        # No await between the check and the reservation: the loop is single-threaded.
        state.next_start = self._clock.now() + self._min_interval
