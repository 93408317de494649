"""Which snapshot is "closest" to an article's date, and whether it is near enough.

Rules (pure functions, tested against tables):

* Only successful captures are candidates: 2xx, or no recorded status
  (Memento TimeMaps do not carry one). A 404 captured the day before
  publication shows nothing the author could have cited.
* The distance of a capture is counted in whole days between its UTC
  capture date and the article's date (the article gives a day, not a time,
  so every capture on that day is at distance 0).
* The closest capture has the minimal absolute distance; ties go to the
  earlier capture, because a capture made before publication shows what the
  author saw.
* Without an article date the most recent capture is chosen.
* A chosen capture is outside the window when its absolute distance exceeds
  ``window_days``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from srccheck.archive.model import Snapshot

__all__ = ["closest_snapshot", "distance_days", "outside_window", "ranked_snapshots"]


def distance_days(captured_at: dt.datetime, article_date: dt.date) -> int:
    """Capture date minus article date in whole days (negative: before publication)."""
    captured_day = (
        captured_at.astimezone(dt.UTC).date() if captured_at.tzinfo else captured_at.date()
    )
    return (captured_day - article_date).days


def ranked_snapshots(snapshots: Iterable[Snapshot], article_date: dt.date | None) -> list[Snapshot]:
    """The successful snapshots, best first (rules in the module docstring).

    The sort is stable: among captures with the same time, the first listed
    (archives in configuration order) comes first.
    """
    candidates = [snapshot for snapshot in snapshots if snapshot.is_success]
    if article_date is None:
        return sorted(candidates, key=lambda snapshot: -_utc(snapshot.captured_at).timestamp())
    return sorted(
        candidates,
        key=lambda snapshot: (
            abs(distance_days(snapshot.captured_at, article_date)),
            _utc(snapshot.captured_at),
        ),
    )


def closest_snapshot(
    snapshots: Iterable[Snapshot], article_date: dt.date | None
) -> Snapshot | None:
    """The successful snapshot closest to ``article_date``; ``None`` when there is none."""
    ranked = ranked_snapshots(snapshots, article_date)
    return ranked[0] if ranked else None


def outside_window(
    snapshot: Snapshot | None, article_date: dt.date | None, window_days: int
) -> bool:
    """True when a snapshot exists, the article has a date, and |distance| > ``window_days``."""
    if snapshot is None or article_date is None:
        return False
    return abs(distance_days(snapshot.captured_at, article_date)) > window_days


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
