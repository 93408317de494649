"""The retry rule, Retry-After parsing and the wait that prefers it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from tenacity import RetryCallState
from tenacity.wait import wait_fixed

from srccheck.fetch.retry import RetryAfterWait, parse_retry_after, should_retry, with_retries
from srccheck.settings import Settings
from srccheck.status import Status


@pytest.mark.parametrize(
    ("status", "code", "retry"),
    [
        (Status.HTTP_ERROR, 503, True),
        (Status.HTTP_ERROR, 502, True),
        (Status.HTTP_ERROR, 504, True),
        (Status.HTTP_ERROR, 429, True),
        (Status.TIMEOUT, None, True),
        (Status.CONNECTION_ERROR, None, True),
        (Status.OK, 200, False),
        (Status.NOT_FOUND, 404, False),
        (Status.GONE, 410, False),
        (Status.HTTP_ERROR, 403, False),
        (Status.HTTP_ERROR, 500, True),
        (Status.HTTP_ERROR, 408, True),
        (Status.HTTP_ERROR, 501, False),
        (Status.HTTP_ERROR, 505, False),
        (Status.DNS_ERROR, None, False),
        (Status.TLS_ERROR, None, False),
        (Status.BLOCKED_BY_POLICY, None, False),
        (Status.INVALID, None, False),
    ],
)
def test_should_retry(status: Status, code: int | None, retry: bool) -> None:
    assert should_retry(status, code) is retry


NOW = dt.datetime(2024, 5, 1, 12, 0, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        (" 7 ", 7.0),
        ("0", 0.0),
        ("Wed, 01 May 2024 12:00:30 GMT", 30.0),
        ("Wed, 01 May 2024 11:00:00 GMT", 0.0),  # in the past
        ("soon", None),
        ("-5", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header, now=NOW) == seconds


@dataclass(frozen=True)
class FakeAttempt:
    status: Status
    http_status: int | None
    retry_after: float | None


def state_with(result: FakeAttempt) -> RetryCallState:
    state = RetryCallState(retry_object=None, fn=None, args=(), kwargs={})  # type: ignore[arg-type]
    state.set_result(result)
    return state


@pytest.mark.parametrize(
    ("retry_after", "wait"),
    [(7.0, 7.0), (500.0, 30.0), (None, 1.5)],
)
def test_retry_after_wait_prefers_the_server_and_caps_it(
    retry_after: float | None, wait: float
) -> None:
    waiter = RetryAfterWait(wait_fixed(1.5), cap=30.0)
    assert waiter(state_with(FakeAttempt(Status.HTTP_ERROR, 429, retry_after))) == wait


OK = FakeAttempt(Status.OK, 200, None)
BUSY = FakeAttempt(Status.HTTP_ERROR, 503, 4.0)


@pytest.mark.parametrize(
    ("answers", "retries", "calls", "waits", "last"),
    [
        ([OK], 2, 1, [], OK),  # no retry needed: one attempt, no wait
        ([BUSY, OK], 2, 2, [4.0], OK),  # Retry-After honoured before the second attempt
        ([BUSY, BUSY, BUSY, OK], 2, 3, [4.0, 4.0], BUSY),  # 1 + retries attempts at most
        ([BUSY, OK], 0, 1, [], BUSY),  # no retries: the first answer stands
    ],
)
async def test_with_retries_attempts_and_waits_as_the_rule_says(
    answers: list[FakeAttempt], retries: int, calls: int, waits: list[float], last: FakeAttempt
) -> None:
    queue = list(answers)
    made: list[FakeAttempt] = []
    slept: list[float] = []

    async def attempt() -> FakeAttempt:
        made.append(queue.pop(0))
        return made[-1]

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    settings = Settings(retries=retries, retry_after_cap=30.0)
    result = await with_retries(attempt, settings, sleep=sleep)

    assert result is last
    assert len(made) == calls
    assert slept == waits


class Broken(Exception):
    """A bug in an attempt: never retried, never turned into an answer."""


@pytest.mark.parametrize("raised_at", [0, 1])
async def test_with_retries_lets_an_exception_through_at_any_attempt(raised_at: int) -> None:
    made: list[int] = []

    async def attempt() -> FakeAttempt:
        made.append(len(made))
        if len(made) - 1 == raised_at:
            raise Broken
        return BUSY

    async def sleep(seconds: float) -> None:
        pass

    with pytest.raises(Broken):
        await with_retries(attempt, Settings(retries=3), sleep=sleep)
    assert len(made) == raised_at + 1  # an exception is not retried
