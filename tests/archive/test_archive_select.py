"""Closest-snapshot rule and the ±window flag, against tables."""

from __future__ import annotations

import datetime as dt

import pytest

from srccheck.archive import Snapshot, closest_snapshot, distance_days, outside_window


def snap(day: str, status: int | None = 200, archive: str = "a", hour: int = 12) -> Snapshot:
    when = dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=dt.UTC)
    return Snapshot(
        archive=archive,
        original_url="http://x.example/",
        captured_at=when,
        raw_url=f"http://arch.example/{day}{hour}id_/http://x.example/",
        replay_url=f"http://arch.example/{day}{hour}/http://x.example/",
        http_status=status,
    )


ARTICLE = dt.date(2020, 3, 10)


@pytest.mark.parametrize(
    ("snapshots", "article_date", "expected"),
    [
        # nearest wins, before or after
        ([snap("2020-03-01"), snap("2020-03-12")], ARTICLE, "2020-03-12"),
        ([snap("2020-03-08"), snap("2020-03-20")], ARTICLE, "2020-03-08"),
        # tie in days: the earlier capture (what the author could see)
        ([snap("2020-03-13"), snap("2020-03-07")], ARTICLE, "2020-03-07"),
        # a 404 capture is never chosen, even on the article's day
        ([snap("2020-03-10", status=404), snap("2020-05-01")], ARTICLE, "2020-05-01"),
        # unknown status (Memento) counts as a candidate
        ([snap("2020-03-11", status=None), snap("2020-03-30")], ARTICLE, "2020-03-11"),
        # no article date: the most recent
        ([snap("2019-01-01"), snap("2021-01-01"), snap("2020-01-01")], None, "2021-01-01"),
        # only failures: nothing
        ([snap("2020-03-10", status=500)], ARTICLE, None),
        ([], ARTICLE, None),
    ],
)
def test_closest_snapshot(snapshots: list[Snapshot], article_date, expected: str | None) -> None:
    chosen = closest_snapshot(snapshots, article_date)
    if expected is None:
        assert chosen is None
    else:
        assert chosen is not None
        assert chosen.captured_at.date().isoformat() == expected


def test_same_day_captures_tie_to_the_earlier_one() -> None:
    late, early = snap("2020-03-10", hour=20), snap("2020-03-10", hour=1)
    assert closest_snapshot([late, early], ARTICLE) == early


@pytest.mark.parametrize(
    ("day", "window", "distance", "outside"),
    [
        ("2020-03-10", 30, 0, False),
        ("2020-02-09", 30, -30, False),
        ("2020-02-08", 30, -31, True),
        ("2020-04-09", 30, 30, False),
        ("2020-04-10", 30, 31, True),
        ("2020-03-11", 0, 1, True),
    ],
)
def test_distance_and_window(day: str, window: int, distance: int, outside: bool) -> None:
    snapshot = snap(day)
    assert distance_days(snapshot.captured_at, ARTICLE) == distance
    assert outside_window(snapshot, ARTICLE, window) is outside


def test_no_window_flag_without_date_or_snapshot() -> None:
    assert outside_window(snap("2000-01-01"), None, 30) is False
    assert outside_window(None, ARTICLE, 30) is False
