"""Fixtures of the hostile tests: servers are started per test and always stopped."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator

import pytest
from hostile_server import Handler, HostileServer, behaviour_handlers


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    """A plain-HTTP hostile server with every behaviour of :data:`BEHAVIOURS`."""
    server = HostileServer(behaviour_handlers()).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def make_server() -> Iterator[Callable[..., HostileServer]]:
    """Start extra servers (own handlers, TLS); all are stopped after the test."""
    servers: list[HostileServer] = []

    def make(
        handlers: dict[str, Handler] | None = None, ssl_context: ssl.SSLContext | None = None
    ) -> HostileServer:
        server = HostileServer(handlers or {}, ssl_context).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()
