"""Fixtures shared by every test folder."""

from __future__ import annotations

import asyncio

import pytest


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
