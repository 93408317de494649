"""The stream wrapper of the policy backend: cached socket, readability, delegation."""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import AsyncIterator
from typing import Any

import httpcore
import pytest

from srccheck.fetch.client import Fetcher
from srccheck.fetch.policy import (
    AddressPolicy,
    PolicyNetworkBackend,
    SocketCachingStream,
    socket_readable,
)
from srccheck.settings import Settings
from srccheck.status import Status

RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 26\r\n\r\n"
    b"<title>Antwort</title>ok!\n"
)


@pytest.fixture
async def closing_server() -> AsyncIterator[tuple[int, list[int]]]:
    """Answers one request per connection with keep-alive headers, then hangs up."""
    connections: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        try:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(RESPONSE)
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()  # a server-side close of an idle keep-alive connection

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1], connections
    server.close()
    await server.wait_closed()


async def test_socket_readable_reports_waiting_data_and_close() -> None:
    left, right = socket.socketpair()
    with left, right:
        assert not socket_readable(left)
        right.send(b"x")
        assert socket_readable(left)
        left.recv(1)
        right.close()
        assert socket_readable(left)  # the peer's close is readable (recv returns b"")
    assert socket_readable(None)


async def test_backend_streams_answer_is_readable_from_the_socket(closing_server) -> None:
    port, _ = closing_server
    backend = PolicyNetworkBackend(AddressPolicy(allow_private=True))
    stream = await backend.connect_tcp("127.0.0.1", port)
    try:
        assert isinstance(stream, SocketCachingStream)
        sock = stream.get_extra_info("socket")
        assert sock is not None
        assert sock.fileno() >= 0
        assert stream.get_extra_info("server_addr") == ("127.0.0.1", port)  # delegated
        assert stream.get_extra_info("is_readable") is False
        await stream.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        while len(data) < len(RESPONSE):
            data += await stream.read(65536, timeout=5)
        assert data == RESPONSE
        for _ in range(100):  # the server's close arrives shortly after its answer
            if stream.get_extra_info("is_readable"):
                break
            await asyncio.sleep(0.01)
        assert stream.get_extra_info("is_readable") is True
    finally:
        await stream.aclose()


async def test_idle_connection_closed_by_the_server_is_not_reused(closing_server) -> None:
    # If the pool could not see the close, the second request would be sent on the dead
    # connection and fail (retries are off here).
    port, connections = closing_server
    settings = Settings(allow_private=True, retries=0, timeout=60.0, soft404_probe=False)
    async with Fetcher(settings) as fetcher:
        first = await fetcher.check(f"http://127.0.0.1:{port}/eins")
        await asyncio.sleep(0.1)
        second = await fetcher.check(f"http://127.0.0.1:{port}/zwei")
    assert first.check.status is Status.OK
    assert second.check.status is Status.OK
    assert second.check.page_title == "Antwort"
    assert len(connections) == 2


class FakeStream(httpcore.AsyncNetworkStream):
    """Records calls; ``start_tls`` returns a new fake stream, as real streams do."""

    def __init__(self, sock: socket.socket | None = None) -> None:
        self.sock = sock
        self.calls: list[tuple[str, Any]] = []

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109
        self.calls.append(("read", max_bytes))
        return b"data"

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109
        self.calls.append(("write", buffer))

    async def aclose(self) -> None:
        self.calls.append(("aclose", None))

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout=None,  # noqa: ASYNC109
    ) -> httpcore.AsyncNetworkStream:
        self.calls.append(("start_tls", server_hostname))
        return FakeStream(self.sock)

    def get_extra_info(self, info: str) -> Any:
        self.calls.append(("info", info))
        return {"socket": self.sock, "ssl_object": "tls!", "is_readable": "inner"}.get(info)


async def test_wrapper_delegates_and_wraps_tls_streams() -> None:
    left, right = socket.socketpair()
    with left, right:
        inner = FakeStream(left)
        stream = SocketCachingStream(inner)
        assert await stream.read(10) == b"data"
        await stream.write(b"abc")
        assert stream.get_extra_info("ssl_object") == "tls!"
        tls = await stream.start_tls(ssl.create_default_context(), "example.org")
        assert isinstance(tls, SocketCachingStream)
        assert tls.get_extra_info("socket") is left
        assert tls.get_extra_info("is_readable") is False
        right.send(b"x")
        assert tls.get_extra_info("is_readable") is True
        await stream.aclose()
        assert inner.calls.count(("info", "socket")) == 1  # looked up once, then cached
        assert ("start_tls", "example.org") in inner.calls
        assert inner.calls[-1] == ("aclose", None)


async def test_wrapper_without_a_socket_asks_the_inner_stream() -> None:
    stream = SocketCachingStream(FakeStream(None))
    assert stream.get_extra_info("is_readable") == "inner"
