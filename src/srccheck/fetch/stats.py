"""Per-host request counts for ``--host-stats``: what checking the sources cost each host.

The Fetcher records every request it sends (:meth:`HostCounters.request`,
retries and side requests included) and every pause a host asked for
(:meth:`HostCounters.pause`); :meth:`HostCounters.report` turns the counts into
:class:`~srccheck.models.HostStats`, busiest host first. Worker processes
count on their own; :func:`merge_host_stats` adds their reports up.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from srccheck.models import HostStats

__all__ = ["HostCounters", "merge_host_stats"]


@dataclass(slots=True)
class _Counts:
    requests: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    retries: int = 0
    rate_limited: int = 0
    waited: float = 0.0


class HostCounters:
    """Mutable counts per host, owned by one Fetcher (one event loop: no locking)."""

    def __init__(self) -> None:
        self._hosts: dict[str, _Counts] = {}

    def _of(self, host: str) -> _Counts:
        key = host.lower()
        counts = self._hosts.get(key)
        if counts is None:
            counts = self._hosts[key] = _Counts()
        return counts

    def request(self, host: str, status: str, *, retry: bool) -> None:
        """One request sent to ``host``; ``status`` is the HTTP code or a status name."""
        counts = self._of(host)
        counts.requests += 1
        counts.statuses[status] += 1
        counts.retries += retry

    def pause(self, host: str, seconds: float) -> None:
        """``host`` asked for a pause (Retry-After) of ``seconds``, as honoured."""
        counts = self._of(host)
        counts.rate_limited += 1
        counts.waited += seconds

    def report(self) -> list[HostStats]:
        """The counts as report values, busiest host first (then by name)."""
        return sorted(
            (
                HostStats(
                    host=host,
                    requests=c.requests,
                    statuses=dict(sorted(c.statuses.items())),
                    retries=c.retries,
                    rate_limited=c.rate_limited,
                    rate_limit_wait_seconds=round(c.waited, 3),
                )
                for host, c in self._hosts.items()
            ),
            key=lambda s: (-s.requests, s.host),
        )


def merge_host_stats(reports: Iterable[Iterable[HostStats]]) -> list[HostStats]:
    """Several counters' reports (worker processes) as one, busiest host first."""
    merged = HostCounters()
    for report in reports:
        for stats in report:
            counts = merged._of(stats.host)
            counts.requests += stats.requests
            counts.statuses.update(stats.statuses)
            counts.retries += stats.retries
            counts.rate_limited += stats.rate_limited
            counts.waited += stats.rate_limit_wait_seconds
    return merged.report()
