"""One small httpcore connection pool per origin, behind one request interface.

Why not httpcore's single pool: each time it assigns a request, its
``AsyncConnectionPool`` walks every connection it holds, asks each idle one
whether its socket is readable (one ``poll`` system call each), and for every
idle connection counts all connections again, so the work per request grows
with the square of the pool size. A run keeps one idle connection per busy
host slot (``concurrency × per_host`` of them, 128 by default), and the
benchmark profile (bench/README.md) showed that bookkeeping as the largest
share of srccheck's CPU. A pool per origin holds at most ``per_host`` live
connections (the host limits never let more requests in flight), so the same
walk touches a handful.

Pools of origins not used for a while are closed, least recently used first,
once more than ``max_idle_pools`` of them have no request in flight: the
number of open keep-alive connections stays bounded however many hosts an
archive of articles cites.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from types import TracebackType
from typing import Self

import httpcore

__all__ = ["OriginPools"]

Origin = tuple[bytes, bytes, int | None]  # scheme, host, port: the unit of a keep-alive connection


class OriginPools:
    """Route each request to its origin's pool, made by ``new_pool`` on first use.

    It stands where httpx's transport keeps its ``httpcore.AsyncConnectionPool`` and
    offers the same methods the transport calls (``handle_async_request``, ``aclose``).
    """

    def __init__(
        self, new_pool: Callable[[], httpcore.AsyncConnectionPool], *, max_idle_pools: int
    ) -> None:
        if max_idle_pools < 1:
            raise ValueError("max_idle_pools must be at least 1")
        self._new_pool = new_pool
        self._max_idle = max_idle_pools
        self._pools: OrderedDict[Origin, httpcore.AsyncConnectionPool] = OrderedDict()
        self._in_flight: dict[Origin, int] = {}
        self._closed = False

    @property
    def origins(self) -> list[Origin]:
        """Origins with an open pool, least recently used first."""
        return list(self._pools)

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        if self._closed:
            raise httpcore.ConnectError("the connection pools are closed")
        url = request.url
        origin: Origin = (url.scheme, url.host, url.port)
        # Counted in flight first: while surplus pools close (an await), another request
        # must not see this origin's new pool as idle and close it.
        self._in_flight[origin] = self._in_flight.get(origin, 0) + 1
        try:
            pool = self._pools.get(origin)
            if pool is None:
                pool = self._pools[origin] = self._new_pool()
                await self._close_surplus()
            else:
                self._pools.move_to_end(origin)
            response = await pool.handle_async_request(request)
        except BaseException:
            self._release(origin)
            raise
        response.stream = _Released(response.stream, lambda: self._release(origin))
        return response

    def _release(self, origin: Origin) -> None:
        left = self._in_flight[origin] - 1
        if left:
            self._in_flight[origin] = left
        else:
            del self._in_flight[origin]

    async def _close_surplus(self) -> None:
        """Close the least recently used idle pools: with the new pool (in use now, idle
        soon), at most ``max_idle_pools`` stay open besides those in use."""
        idle = [origin for origin in self._pools if origin not in self._in_flight]
        surplus = len(idle) + 1 - self._max_idle
        for origin in idle[: max(surplus, 0)]:
            # Each close is an await: meanwhile another request may have closed this pool
            # too, or taken it into use again.
            if origin in self._in_flight or origin not in self._pools:
                continue
            await self._pools.pop(origin).aclose()

    async def aclose(self) -> None:
        self._closed = True
        pools, self._pools = list(self._pools.values()), OrderedDict()
        for pool in pools:
            await pool.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        await self.aclose()


class _Released:
    """A response body stream that tells its pool router when it is closed (once)."""

    def __init__(self, stream: object, release: Callable[[], None]) -> None:
        self._stream = stream
        self._release: Callable[[], None] | None = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:  # type: ignore[attr-defined]
            yield chunk

    async def aclose(self) -> None:
        try:
            if hasattr(self._stream, "aclose"):
                await self._stream.aclose()
        finally:
            release, self._release = self._release, None
            if release is not None:
                release()
