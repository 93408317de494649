"""When to retry a request and how long to wait; tenacity only executes these rules.

Retried (transient): timeouts, connection errors, and the answers 408, 429,
500, 502, 503 and 504 (like lychee, a 500 is often a passing hiccup). Never
retried: other HTTP answers (404, 410, other 4xx, 501 …), DNS and TLS
failures and policy refusals — another try would answer the same.

Waits: a server's ``Retry-After`` (seconds or HTTP-date) is honoured, capped
at ``retry_after_cap``; otherwise exponential backoff with jitter between
``backoff_initial`` and ``backoff_max``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Protocol, TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_result, stop_after_attempt
from tenacity.wait import wait_base, wait_exponential_jitter

from srccheck.status import Status

if TYPE_CHECKING:
    from srccheck.settings import Settings

__all__ = [
    "RETRYABLE_CODES",
    "TRANSIENT_FAILURES",
    "Attempt",
    "RetryAfterWait",
    "parse_retry_after",
    "retrying",
    "should_retry",
    "with_retries",
]

_A = TypeVar("_A", bound="Attempt")

#: HTTP answers that say "try again later".
RETRYABLE_CODES: frozenset[int] = frozenset({408, 429, 500, 502, 503, 504})
#: Failures without an HTTP answer that may pass on their own.
TRANSIENT_FAILURES: frozenset[Status] = frozenset({Status.TIMEOUT, Status.CONNECTION_ERROR})


class Attempt(Protocol):
    """What the retry rule needs to know about one request."""

    @property
    def status(self) -> Status: ...

    @property
    def http_status(self) -> int | None: ...

    @property
    def retry_after(self) -> float | None: ...


def should_retry(status: Status, http_status: int | None) -> bool:
    """True when a request that ended with ``status`` / ``http_status`` is worth another try.

    An HTTP answer is retried only for the codes in :data:`RETRYABLE_CODES`;
    a failure without an answer only when its status is in
    :data:`TRANSIENT_FAILURES` (so DNS, TLS and policy failures are final).
    A bot wall (``blocked``) is never retried, whatever its code: asking a
    challenge page again only hammers it.
    """
    if status is Status.BLOCKED:
        return False
    if http_status is not None:
        return http_status in RETRYABLE_CODES
    return status in TRANSIENT_FAILURES


def parse_retry_after(value: str | None, *, now: dt.datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header, or ``None`` when absent or unreadable.

    Accepts delta-seconds (``"120"``) and an HTTP-date; a date in the past
    means 0. ``now`` must be timezone-aware.
    """
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT
        when = when.replace(tzinfo=dt.UTC)
    return max((when - now).total_seconds(), 0.0)


class RetryAfterWait(wait_base):
    """Wait the server's ``Retry-After`` (capped) when it gave one, else ``fallback``."""

    def __init__(self, fallback: wait_base, *, cap: float) -> None:
        self._fallback = fallback
        self._cap = cap

    def __call__(self, retry_state: RetryCallState) -> float:
        outcome = retry_state.outcome
        if outcome is not None and not outcome.failed:
            retry_after = getattr(outcome.result(), "retry_after", None)
            if retry_after is not None:
                return min(retry_after, self._cap)
        return self._fallback(retry_state)


def _retry_attempt(attempt: Attempt) -> bool:
    return should_retry(attempt.status, attempt.http_status)


def _last_result(retry_state: RetryCallState) -> object:
    # Retries used up: the last answer is the result (an error status, not an exception).
    assert retry_state.outcome is not None
    return retry_state.outcome.result()


def retrying(settings: Settings, *, sleep: Callable[[float], Awaitable[None]]) -> AsyncRetrying:
    """A fresh tenacity controller for one request (controllers keep per-call statistics).

    The wrapped function returns an :class:`Attempt`; it is called at most
    ``settings.retries + 1`` times and the last attempt is returned when all
    are used up. Exceptions (bugs, cancellation) are never retried.
    """
    backoff = wait_exponential_jitter(
        multiplier=settings.backoff_initial,
        max=settings.backoff_max,
        jitter=settings.backoff_initial,
    )
    return AsyncRetrying(
        stop=stop_after_attempt(settings.retries + 1),
        wait=RetryAfterWait(backoff, cap=settings.retry_after_cap),
        retry=retry_if_result(_retry_attempt),
        retry_error_callback=_last_result,
        sleep=sleep,
        reraise=True,
    )


async def with_retries(
    attempt: Callable[[], Awaitable[_A]],
    settings: Settings,
    *,
    sleep: Callable[[float], Awaitable[None]],
) -> _A:
    """``attempt()``, retried under :func:`retrying`'s rules; returns the last attempt.

    Most requests need no retry, and a tenacity controller per request cost about
    50 µs of CPU: so the first attempt runs on its own, and a controller is built
    only when the rule asks for another try. It is handed the first attempt's
    answer as its own first attempt, so the waits (``Retry-After``, backoff) and the
    number of attempts are exactly those of a controller that ran from the start.
    """
    first = await attempt()
    if settings.retries <= 0 or not _retry_attempt(first):
        return first
    replay = [first]

    async def again() -> _A:
        return replay.pop() if replay else await attempt()

    result: _A = await retrying(settings, sleep=sleep)(again)
    return result
