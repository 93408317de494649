"""Fixtures shared by every test folder."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator

import pytest

from tests.postgres_server import (
    PostgresServer,
    install_postgres,
    postgres_bindir,
    running_postgres,
)


class FakeClock:
    """A clock whose ``sleep`` returns at once and moves time forward.

    Records every requested wait, so tests can assert what srccheck *asked*
    to wait (Retry-After, backoff, host spacing) without real sleeping.
    """

    def __init__(self) -> None:
        self.time = 1000.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.time

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.time += seconds
        await asyncio.sleep(0)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(autouse=True, scope="session")
def _session_user_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Runs that use the default cache folder write into the session's own folder, never
    into the user's (platformdirs reads XDG_CACHE_HOME): results of one test session, or of
    another checkout, can never answer for another's loopback servers."""
    patch = pytest.MonkeyPatch()
    patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("user-cache")))
    yield
    patch.undo()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A real PostgreSQL server on loopback for the whole session (tests/postgres_server.py):
    Debian's package, installed when missing; fails in CI, skips elsewhere when it cannot
    be had."""
    bindir = postgres_bindir()
    if bindir is None:
        problem = install_postgres()
        bindir = postgres_bindir()
        if bindir is None:
            if os.environ.get("CI"):
                pytest.fail(f"the store tests need PostgreSQL in CI: {problem}")
            pytest.skip(problem or "PostgreSQL is not installed")
    with running_postgres(bindir) as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def store_location(request: pytest.FixtureRequest, tmp_path) -> object:
    """Where a test's store lives, once per backend: a SQLite file in ``tmp_path``, or a
    new database on the session's PostgreSQL server (its URL, password included).
    Open it with ``srccheck.store.open_store``; the same location opens the same store."""
    if request.param == "sqlite":
        return tmp_path / "cache.sqlite3"
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.new_database()


@pytest.fixture(autouse=True)
def _httpx_mock_needs_the_httpx_transport(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pytest-httpx intercepts httpx's own transport only: a test that mocks httpx runs
    its Fetchers on the httpx exchange (srccheck.fetch.transport.TEST_SEAM); every
    other test runs on the run's real transport (aiohttp by default)."""
    if "httpx_mock" in request.fixturenames:
        from srccheck.fetch.transport import TEST_SEAM

        monkeypatch.setattr(TEST_SEAM, "force_httpx", True)


@pytest.fixture
def threaded_page_reads(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Filled with every page read (srccheck.fetch.inspect.inspect_body) the Fetcher hands
    to a worker thread during the test."""
    import functools

    from srccheck.fetch import client
    from srccheck.fetch.inspect import inspect_body

    reads: list[object] = []
    to_thread = asyncio.to_thread

    async def recording(func: object, /, *args: object, **kwargs: object) -> object:
        if isinstance(func, functools.partial) and func.func is inspect_body:
            reads.append(func)
        return await to_thread(func, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(client.asyncio, "to_thread", recording)
    return reads
