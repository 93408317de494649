"""OriginPools under concurrent new origins: a pool is never closed under a request using it.

(From a fresh-eyes review; the test failed before its fix.)
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpcore
import pytest

from srccheck.fetch.pools import OriginPools


async def _keep_alive(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A minimal HTTP/1.1 server that keeps connections open (as real sites do)."""
    try:
        while await reader.readuntil(b"\r\n\r\n"):
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


@pytest.fixture
async def ports() -> AsyncIterator[list[int]]:
    servers = [await asyncio.start_server(_keep_alive, "127.0.0.1", 0) for _ in range(3)]
    try:
        yield [server.sockets[0].getsockname()[1] for server in servers]
    finally:
        for server in servers:
            server.close()


async def _get(pools: OriginPools, url: str) -> bytes:
    host = url.split("/")[2]
    request = httpcore.Request("GET", url, headers=[(b"Host", host.encode())])
    response = await pools.handle_async_request(request)
    try:
        return b"".join([chunk async for chunk in response.stream])  # type: ignore[union-attr]
    finally:
        await response.aclose()


async def test_a_new_origins_pool_is_not_closed_while_its_first_request_waits(
    ports: list[int],
) -> None:
    """handle_async_request makes the new origin's pool, then awaits _close_surplus *before*
    counting its own request in flight (pools.py:62-68). While it waits (closing an old
    pool's keep-alive connection yields to the loop), a second new origin's request sees
    the first one's pool as idle, closes it and drops it from the router. The first request
    then runs on that orphaned pool: its keep-alive connection outlives OriginPools.aclose
    (a leaked socket until garbage collection)."""
    created: list[httpcore.AsyncConnectionPool] = []

    def new_pool() -> httpcore.AsyncConnectionPool:
        pool = httpcore.AsyncConnectionPool(max_keepalive_connections=4)
        created.append(pool)
        return pool

    first, second, third = ports
    pools = OriginPools(new_pool, max_idle_pools=1)
    try:
        # Origin 1 is now idle, with one keep-alive connection.
        assert await _get(pools, f"http://127.0.0.1:{first}/") == b"hello"
        # Two new origins at once.
        results = await asyncio.gather(
            _get(pools, f"http://127.0.0.1:{second}/"),
            _get(pools, f"http://127.0.0.1:{third}/"),
        )
        assert results == [b"hello", b"hello"]
    finally:
        await pools.aclose()
    still_open = [pool for pool in created if pool.connections]
    assert not still_open, f"{len(still_open)} pool(s) with open connections after aclose"
