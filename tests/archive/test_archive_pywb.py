"""Integration against a real local pywb archive (captures in archive_testbed.py).

Captures of STORY_URL: 2020-01-10 (200, text A), 2020-03-01 (404),
2020-06-15 (200, text B: figures edited), 2021-06-01 (200, a parked domain).
"""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from archive_testbed import (
    CAPTURES,
    STORY_URL,
    UNARCHIVED_URL,
    LocalArchive,
    free_port,
    plain_fetch_page,
)

from srccheck.archive import (
    ArchiveState,
    DriftVerdict,
    LookupMethod,
    compute_drift,
    memento_archive,
    wayback_archive,
)
from srccheck.archive.service import ArchiveService
from srccheck.settings import Settings
from srccheck.text.extract import extract_page_text

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def wayback_settings(archive: LocalArchive, **changes: object) -> Settings:
    return Settings(
        archives=(wayback_archive(archive.base, name="local", min_interval=0.0),), **changes
    )


def memento_settings(archive: LocalArchive) -> Settings:
    return Settings(
        archives=(memento_archive(archive.base, name="local-memento", min_interval=0.0),)
    )


async def lookup(settings: Settings, url: str, date: dt.date | None):
    async with httpx.AsyncClient(timeout=10) as client:
        service = ArchiveService(settings, client, plain_fetch_page(client))
        report = await service.lookup(url, date)
        outcome = await service.retrieve(report.chosen) if report.chosen else None
    return report, outcome


@pytest.mark.parametrize(
    ("article_date", "captured", "distance", "outside"),
    [
        # the 404 of 2020-03-01 is closest but never chosen; Jan 10 (52 days) beats Jun 15
        (dt.date(2020, 3, 2), dt.date(2020, 1, 10), -52, True),
        (dt.date(2020, 6, 20), dt.date(2020, 6, 15), -5, False),
        (dt.date(2021, 5, 20), dt.date(2021, 6, 1), 12, False),
        (None, dt.date(2021, 6, 1), None, False),
    ],
)
async def test_wayback_cdx_closest_choice_and_window(
    pywb_archive: LocalArchive, article_date, captured, distance, outside
) -> None:
    report, _ = await lookup(wayback_settings(pywb_archive), STORY_URL, article_date)
    (local,) = report.lookups
    assert local.state is ArchiveState.AVAILABLE
    assert local.method is LookupMethod.CDX
    assert local.snapshots_found == 3  # the three 200 captures (filter=statuscode:200)
    assert report.chosen is not None
    assert report.chosen.captured_at.date() == captured
    assert report.chosen.http_status == 200
    assert report.distance_days == distance
    assert report.outside_window is outside


async def test_unarchived_url_is_not_archived(pywb_archive: LocalArchive) -> None:
    report, outcome = await lookup(
        wayback_settings(pywb_archive), UNARCHIVED_URL, dt.date(2020, 1, 1)
    )
    assert report.lookups[0].state is ArchiveState.NOT_ARCHIVED
    assert report.chosen is None
    assert outcome is None


async def test_raw_content_is_the_captured_body_without_banner(pywb_archive: LocalArchive) -> None:
    report, outcome = await lookup(wayback_settings(pywb_archive), STORY_URL, dt.date(2020, 6, 20))
    assert report.chosen is not None
    assert "id_/" in report.chosen.raw_url
    assert outcome is not None
    assert outcome.page is not None
    expected = CAPTURES[2][2].decode()
    assert outcome.page.text == expected
    for marker in ("wombat", "pywb", "_wb_", "banner"):
        assert marker not in outcome.page.text


async def test_drift_between_captures_with_different_text(pywb_archive: LocalArchive) -> None:
    settings = wayback_settings(pywb_archive)
    _, january = await lookup(settings, STORY_URL, dt.date(2020, 1, 10))
    _, june = await lookup(settings, STORY_URL, dt.date(2020, 6, 15))
    _, parked = await lookup(settings, STORY_URL, dt.date(2021, 6, 1))
    # Drift is measured on main text, as the pipeline does (text stage's extractor).
    texts = [
        extract_page_text(o.page.text, o.page.url).main_text
        for o in (january, june, parked)
        if o is not None and o.page is not None and o.page.text is not None
    ]
    assert len(texts) == 3
    assert len(set(texts)) == 3
    edited = compute_drift(texts[1], texts[0])
    replaced = compute_drift(texts[2], texts[0])
    same = compute_drift(texts[0], texts[0])
    assert edited is not None
    assert edited.verdict is DriftVerdict.CHANGED
    assert replaced is not None
    assert replaced.verdict is DriftVerdict.REPLACED
    assert same is not None
    assert same.verdict is DriftVerdict.UNCHANGED
    assert replaced.score < edited.score < same.score


async def test_memento_timemap_path(pywb_archive: LocalArchive) -> None:
    report, outcome = await lookup(memento_settings(pywb_archive), STORY_URL, dt.date(2020, 6, 20))
    (local,) = report.lookups
    assert local.method is LookupMethod.TIMEMAP
    assert local.snapshots_found == 4  # TimeMaps list every capture, the 404 too
    assert report.chosen is not None
    assert report.chosen.captured_at == dt.datetime(2020, 6, 15, 8, 0, tzinfo=dt.UTC)
    assert report.chosen.http_status == 200  # confirmed by HEAD on the raw memento
    assert report.chosen.replay_url.startswith(pywb_archive.base)
    assert outcome is not None
    assert outcome.page is not None
    assert outcome.page.text == CAPTURES[2][2].decode()


async def test_memento_skips_a_404_memento_closest_to_the_date(pywb_archive: LocalArchive) -> None:
    report, _ = await lookup(memento_settings(pywb_archive), STORY_URL, dt.date(2020, 3, 2))
    assert report.chosen is not None
    assert report.chosen.captured_at.date() == dt.date(2020, 1, 10)
    assert report.chosen.http_status == 200


async def test_memento_timegate_fallback(pywb_archive: LocalArchive) -> None:
    # A TimeMap endpoint that cannot be reached: the TimeGate answers instead.
    archive = memento_archive(
        pywb_archive.base, timemap_base=f"http://127.0.0.1:{free_port()}/tm", min_interval=0.0
    )
    report, outcome = await lookup(Settings(archives=(archive,)), STORY_URL, dt.date(2020, 1, 12))
    (local,) = report.lookups
    assert local.method is LookupMethod.TIMEGATE
    assert "timemap failed" in (local.error_message or "")
    assert local.state is ArchiveState.AVAILABLE
    assert report.chosen is not None
    assert report.chosen.captured_at == dt.datetime(2020, 1, 10, 9, 30, tzinfo=dt.UTC)
    assert outcome is not None
    assert outcome.page is not None
    assert outcome.page.text == CAPTURES[0][2].decode()


async def test_wayback_and_memento_together_choose_across_archives(
    pywb_archive: LocalArchive,
) -> None:
    settings = Settings(
        archives=(
            wayback_archive(pywb_archive.base, name="a", min_interval=0.0),
            memento_archive(pywb_archive.base, name="b", min_interval=0.0),
        )
    )
    report, _ = await lookup(settings, STORY_URL, dt.date(2020, 6, 16))
    assert [lookup.state for lookup in report.lookups] == [ArchiveState.AVAILABLE] * 2
    assert report.chosen is not None
    assert report.chosen.archive == "a"  # same capture time in both: config order wins
