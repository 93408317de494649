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
