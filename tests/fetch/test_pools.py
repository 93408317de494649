"""One connection pool per origin: routing, keep-alive reuse, bounded idle pools.

Real keep-alive servers on 127.0.0.1 (one port = one origin) count the
connections they accept and notice when one is closed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpcore
import httpx
import pytest

from srccheck.fetch.policy import build_transport
from srccheck.fetch.pools import OriginPools
from srccheck.settings import Settings

BODY = b"<title>Seite</title>" + b"x" * 2000


@dataclass
class Origin:
    """A keep-alive HTTP/1.1 server: connections accepted and closed by the client."""

    port: int = 0
    accepted: int = 0
    closed_by_client: int = 0
    server: asyncio.Server | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/seite"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        try:
            while True:
                await reader.readuntil(b"\r\n\r\n")
                head = f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(BODY)}"
                writer.write(head.encode() + b"\r\n\r\n" + BODY)
                await writer.drain()
        except asyncio.IncompleteReadError:
            self.closed_by_client += 1
        except ConnectionError:
            self.closed_by_client += 1
        finally:
            writer.close()


@pytest.fixture
async def origins() -> AsyncIterator[list[Origin]]:
    started = []
    for _ in range(3):
        origin = Origin()
        origin.server = await asyncio.start_server(origin.handle, "127.0.0.1", 0)
        origin.port = origin.server.sockets[0].getsockname()[1]
        started.append(origin)
    yield started
    for origin in started:
        assert origin.server is not None
        origin.server.close()


def _pools(max_idle_pools: int) -> OriginPools:
    return OriginPools(lambda: httpcore.AsyncConnectionPool(), max_idle_pools=max_idle_pools)


def _request(url: str) -> httpcore.Request:
    return httpcore.Request("GET", url, headers={"Host": "127.0.0.1"})


async def _get(pools: OriginPools, url: str) -> bytes:
    response = await pools.handle_async_request(_request(url))
    try:
        return await response.aread()
    finally:
        await response.aclose()


async def _settle() -> None:
    for _ in range(5):  # let the servers see a close
        await asyncio.sleep(0.01)


async def test_one_origin_reuses_its_connection(origins: list[Origin]) -> None:
    a = origins[0]
    pools = _pools(4)
    async with pools:
        for _ in range(3):
            assert await _get(pools, a.url) == BODY
        assert a.accepted == 1
        assert pools.origins == [(b"http", b"127.0.0.1", a.port)]


async def test_each_origin_has_its_own_pool(origins: list[Origin]) -> None:
    a, b, _ = origins
    async with _pools(4) as pools:
        await _get(pools, a.url)
        await _get(pools, b.url)
        await _get(pools, a.url)
        # Least recently used first: a was used last.
        assert pools.origins == [(b"http", b"127.0.0.1", b.port), (b"http", b"127.0.0.1", a.port)]
        assert (a.accepted, b.accepted) == (1, 1)


async def test_idle_pools_beyond_the_bound_are_closed_least_recent_first(
    origins: list[Origin],
) -> None:
    a, b, c = origins
    async with _pools(1) as pools:
        for origin in (a, b, c):
            await _get(pools, origin.url)
        await _settle()
        assert pools.origins == [(b"http", b"127.0.0.1", c.port)]
        assert (a.closed_by_client, b.closed_by_client, c.closed_by_client) == (1, 1, 0)
        await _get(pools, a.url)  # a again: a new pool, a new connection
        assert a.accepted == 2


async def test_a_pool_with_a_response_open_is_never_closed(origins: list[Origin]) -> None:
    a, b, c = origins
    async with _pools(1) as pools:
        open_response = await pools.handle_async_request(_request(a.url))
        await _get(pools, b.url)
        await _get(pools, c.url)
        await _settle()
        assert a.closed_by_client == 0
        assert (b"http", b"127.0.0.1", a.port) in pools.origins
        assert await open_response.aread() == BODY  # still readable
        await open_response.aclose()
        await _get(pools, b.url)  # now a is idle and the least recently used: closed
        await _settle()
        assert a.closed_by_client == 1


async def test_a_failed_request_does_not_pin_its_pool(origins: list[Origin]) -> None:
    a, b, _ = origins
    assert a.server is not None
    a.server.close()
    await a.server.wait_closed()
    async with _pools(1) as pools:
        with pytest.raises(httpcore.ConnectError):
            await _get(pools, a.url)
        await _get(pools, b.url)
        assert pools.origins == [(b"http", b"127.0.0.1", b.port)]


async def test_closed_pools_refuse_requests(origins: list[Origin]) -> None:
    pools = _pools(2)
    await _get(pools, origins[0].url)
    await pools.aclose()
    await _settle()
    assert origins[0].closed_by_client == 1
    with pytest.raises(httpcore.ConnectError):
        await _get(pools, origins[0].url)


async def test_the_run_transport_keeps_one_connection_per_origin(origins: list[Origin]) -> None:
    # Keep-alive per origin through a run's transport and httpx's client (that the transport
    # is made of OriginPools is test_transport_uses_the_policy_backend's to check).
    settings = Settings(allow_private=True)
    async with httpx.AsyncClient(transport=build_transport(settings)) as client:
        for _ in range(3):
            for origin in origins:
                response = await client.get(origin.url)
                assert response.content == BODY
    assert [origin.accepted for origin in origins] == [1, 1, 1]


def test_the_idle_bound_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        _pools(0)


async def test_new_origins_at_once_close_each_surplus_pool_once(origins: list[Origin]) -> None:
    """Two new origins while two idle pools are surplus: both close pools concurrently,
    and neither may close one the other already closed (a KeyError ended a run of 200
    hosts) or one in use."""
    a, b, c = origins
    extra = Origin()
    extra.server = await asyncio.start_server(extra.handle, "127.0.0.1", 0)
    extra.port = extra.server.sockets[0].getsockname()[1]
    try:
        async with _pools(1) as pools:
            # a and b in flight together: neither is idle, so neither is closed yet.
            first = await pools.handle_async_request(_request(a.url))
            second = await pools.handle_async_request(_request(b.url))
            for response in (first, second):
                await response.aread()
                await response.aclose()
            # Now a and b are idle: two new origins at once find two surplus pools.
            bodies = await asyncio.gather(_get(pools, c.url), _get(pools, extra.url))
            assert bodies == [BODY, BODY]
            assert (b"http", b"127.0.0.1", a.port) not in pools.origins
            assert (b"http", b"127.0.0.1", b.port) not in pools.origins
    finally:
        extra.server.close()
