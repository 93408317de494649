"""ArchiveService against the Internet Archive's exact answer shapes (pytest-httpx)."""

from __future__ import annotations

import asyncio
import datetime as dt
import re

import httpx
import pytest
from pytest_httpx import HTTPXMock

from srccheck.archive import (
    ArchiveErrorKind,
    ArchiveReport,
    ArchiveState,
    LookupMethod,
    SaveState,
    internet_archive,
)
from srccheck.archive.service import ArchiveService
from srccheck.fetch.model import FetchOutcome, Page
from srccheck.models import LinkCheck
from srccheck.settings import Settings
from srccheck.status import Status

CDX = re.compile(r"https://web\.archive\.org/cdx/search/cdx\?.*")
AVAILABLE = re.compile(r"https://archive\.org/wayback/available\?.*")
URL = "https://news.example/story"
ARTICLE = dt.date(2020, 3, 10)
HEADER = ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]


def cdx_rows(*timestamps: str) -> list[list[str]]:
    rows = [
        ["example,news)/story", ts, URL, "text/html", "200", "D" + ts, "1400"] for ts in timestamps
    ]
    return [HEADER, *rows] if rows else []


def settings(**changes: object) -> Settings:
    base = Settings(archives=(internet_archive(min_interval=0.0),), retries=2)
    return base.with_changes(**changes) if changes else base


async def no_fetch(url: str) -> FetchOutcome:
    raise AssertionError(f"lookup must not fetch pages ({url})")


async def lookup(clock, url: str = URL, date: dt.date | None = ARTICLE, **changes) -> ArchiveReport:
    async with httpx.AsyncClient() as client:
        service = ArchiveService(settings(**changes), client, no_fetch, clock=clock)
        return await service.lookup(url, date)


async def test_archived_closest_capture_is_chosen(httpx_mock: HTTPXMock, clock) -> None:
    # IA sorts by closeness; our rule decides anyway (tie of 3 days -> the earlier capture).
    httpx_mock.add_response(
        url=CDX, json=cdx_rows("20200313120000", "20200307080000", "20190101000000")
    )
    report = await lookup(clock)
    (ia,) = report.lookups
    assert (ia.state, ia.method, ia.snapshots_found) == (
        ArchiveState.AVAILABLE,
        LookupMethod.CDX,
        3,
    )
    assert report.state is ArchiveState.AVAILABLE
    assert report.chosen is not None
    assert report.chosen.raw_url == f"https://web.archive.org/web/20200307080000id_/{URL}"
    assert report.chosen.replay_url == f"https://web.archive.org/web/20200307080000/{URL}"
    assert report.chosen.http_status == 200
    assert report.distance_days == -3
    assert report.outside_window is False
    params = httpx_mock.get_requests()[0].url.params
    assert (params["url"], params["output"], params["filter"]) == (URL, "json", "statuscode:200")
    assert (params["closest"], params["sort"]) == ("20200310000000", "closest")


async def test_capture_far_from_the_date_is_flagged(httpx_mock: HTTPXMock, clock) -> None:
    httpx_mock.add_response(url=CDX, json=cdx_rows("20210101000000"))
    report = await lookup(clock)
    assert report.chosen is not None
    assert report.outside_window is True
    assert report.distance_days == 297


async def test_empty_cdx_means_not_archived_without_fallback(httpx_mock: HTTPXMock, clock) -> None:
    httpx_mock.add_response(url=CDX, json=[])
    report = await lookup(clock)
    assert report.lookups[0].state is ArchiveState.NOT_ARCHIVED
    assert report.state is ArchiveState.NOT_ARCHIVED
    assert report.chosen is None
    assert len(httpx_mock.get_requests()) == 1  # the availability API was not asked


async def test_429_with_retry_after_waits_then_succeeds(httpx_mock: HTTPXMock, clock) -> None:
    httpx_mock.add_response(url=CDX, status_code=429, headers={"Retry-After": "7"})
    httpx_mock.add_response(url=CDX, json=cdx_rows("20200309000000"))
    report = await lookup(clock)
    assert report.lookups[0].state is ArchiveState.AVAILABLE
    assert report.lookups[0].attempts == 2
    assert 7.0 in clock.sleeps
    assert sum(clock.sleeps) == pytest.approx(7.0)  # Retry-After replaces backoff, not added to it


async def test_retry_after_is_capped(httpx_mock: HTTPXMock, clock) -> None:
    httpx_mock.add_response(url=CDX, status_code=429, headers={"Retry-After": "3600"})
    httpx_mock.add_response(url=CDX, json=[])
    await lookup(clock, retry_after_cap=30.0)
    assert max(clock.sleeps) == 30.0


async def test_cdx_failing_falls_back_to_availability(httpx_mock: HTTPXMock, clock) -> None:
    httpx_mock.add_response(url=CDX, status_code=503, is_reusable=True)
    httpx_mock.add_response(
        url=AVAILABLE,
        json={
            "archived_snapshots": {
                "closest": {
                    "available": True,
                    "url": f"http://web.archive.org/web/20200311101010/{URL}",
                    "timestamp": "20200311101010",
                    "status": "200",
                }
            }
        },
    )
    report = await lookup(clock)
    (ia,) = report.lookups
    assert (ia.state, ia.method) == (ArchiveState.AVAILABLE, LookupMethod.AVAILABILITY)
    assert ia.attempts == 4  # 3 CDX attempts (retries=2) + 1 availability
    assert "cdx failed" in (ia.error_message or "")
    assert report.chosen is not None
    assert report.chosen.raw_url == f"https://web.archive.org/web/20200311101010id_/{URL}"
    assert clock.sleeps == [0.5, 1.0]  # exponential backoff between the CDX attempts
    availability = httpx_mock.get_requests()[-1].url.params
    assert (availability["url"], availability["timestamp"]) == (URL, "20200310")


async def test_fallback_saying_not_archived_is_not_archived(httpx_mock: HTTPXMock, clock) -> None:
    httpx_mock.add_response(url=CDX, status_code=500, is_reusable=True)
    httpx_mock.add_response(url=AVAILABLE, json={"archived_snapshots": {}})
    report = await lookup(clock)
    assert report.lookups[0].state is ArchiveState.NOT_ARCHIVED
    assert report.lookups[0].method is LookupMethod.AVAILABILITY


async def test_unreachable_archive_is_an_error_not_not_archived(
    httpx_mock: HTTPXMock, clock
) -> None:
    httpx_mock.add_exception(
        httpx.ConnectError("[Errno -3] name resolution failed"), is_reusable=True
    )
    report = await lookup(clock)
    (ia,) = report.lookups
    assert ia.state is ArchiveState.ERROR
    assert ia.error is ArchiveErrorKind.CONNECTION
    assert "name resolution failed" in (ia.error_message or "")
    assert "cdx" in (ia.error_message or "")
    assert "availability" in (ia.error_message or "")
    assert report.state is ArchiveState.ERROR
    assert report.chosen is None
    assert ia.attempts == 6  # both APIs, each with its retries


async def test_timeouts_are_reported_as_timeout(httpx_mock: HTTPXMock, clock) -> None:
    httpx_mock.add_exception(httpx.ReadTimeout("read timed out"), is_reusable=True)
    report = await lookup(clock, retries=0)
    assert report.lookups[0].error is ArchiveErrorKind.TIMEOUT
    assert report.lookups[0].attempts == 2


async def test_rate_limited_after_all_retries(httpx_mock: HTTPXMock, clock) -> None:
    httpx_mock.add_response(status_code=429, is_reusable=True)
    report = await lookup(clock, retries=1)
    assert report.lookups[0].state is ArchiveState.ERROR
    assert report.lookups[0].error is ArchiveErrorKind.RATE_LIMITED


async def test_garbage_answer_is_invalid_response(httpx_mock: HTTPXMock, clock) -> None:
    httpx_mock.add_response(url=CDX, text="<html>Service Unavailable</html>")
    httpx_mock.add_response(url=AVAILABLE, text="<html>oops</html>")
    report = await lookup(clock)
    assert report.lookups[0].error is ArchiveErrorKind.INVALID_RESPONSE


async def test_same_url_is_looked_up_once_even_concurrently(httpx_mock: HTTPXMock, clock) -> None:
    httpx_mock.add_response(url=CDX, json=cdx_rows("20200309000000"))
    async with httpx.AsyncClient() as client:
        service = ArchiveService(settings(), client, no_fetch, clock=clock)
        first, second = await asyncio.gather(
            service.lookup(URL, ARTICLE), service.lookup(URL, ARTICLE)
        )
        third = await service.lookup(URL, ARTICLE)
    assert first == second == third
    assert len(httpx_mock.get_requests()) == 1


async def test_requests_to_one_archive_are_spaced(httpx_mock: HTTPXMock, clock) -> None:
    httpx_mock.add_response(url=CDX, json=[], is_reusable=True)
    slow = (internet_archive(min_interval=1.0),)
    async with httpx.AsyncClient() as client:
        service = ArchiveService(settings(archives=slow), client, no_fetch, clock=clock)
        await asyncio.gather(*(service.lookup(f"{URL}/{i}", ARTICLE) for i in range(3)))
    assert len(httpx_mock.get_requests()) == 3
    assert clock.sleeps == [pytest.approx(1.0), pytest.approx(1.0)]


async def test_no_article_date_asks_for_most_recent(httpx_mock: HTTPXMock, clock) -> None:
    httpx_mock.add_response(url=CDX, json=cdx_rows("20190101000000", "20230101000000"))
    now = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    async with httpx.AsyncClient() as client:
        service = ArchiveService(settings(), client, no_fetch, clock=clock, now=lambda: now)
        report = await service.lookup(URL, None)
    assert httpx_mock.get_requests()[0].url.params["closest"] == "20240102030405"
    assert report.chosen is not None
    assert report.chosen.captured_at.year == 2023
    assert (report.distance_days, report.outside_window) == (None, False)


async def test_retrieve_fetches_the_raw_capture_through_fetch_page(
    httpx_mock: HTTPXMock, clock
) -> None:
    httpx_mock.add_response(url=CDX, json=cdx_rows("20200309000000"))
    fetched: list[str] = []

    async def fetch_page(url: str) -> FetchOutcome:
        fetched.append(url)
        check = LinkCheck(status=Status.OK, reason="ok", http_status=200)
        return FetchOutcome(check, Page(url, "text/html", "utf-8", "<p>hi</p>", False))

    async with httpx.AsyncClient() as client:
        service = ArchiveService(settings(), client, fetch_page, clock=clock)
        report = await service.lookup(URL, ARTICLE)
        assert report.chosen is not None
        outcome = await service.retrieve(report.chosen)
    assert fetched == [f"https://web.archive.org/web/20200309000000id_/{URL}"]
    assert outcome.page is not None
    assert outcome.page.text == "<p>hi</p>"


async def test_save_page_now_for_missing_url(httpx_mock: HTTPXMock, clock) -> None:
    httpx_mock.add_response(url=CDX, json=[])
    httpx_mock.add_response(
        url="https://web.archive.org/save",
        method="POST",
        json={"url": URL, "job_id": "spn2-abc123"},
    )
    report = await lookup(clock, save_missing=True, ia_access_key="AK", ia_secret_key="SK")
    assert report.save is not None
    assert (report.save.state, report.save.job_id) == (SaveState.REQUESTED, "spn2-abc123")
    post = httpx_mock.get_requests()[-1]
    assert post.headers["authorization"] == "LOW AK:SK"
    assert post.content == b"url=https%3A%2F%2Fnews.example%2Fstory"


async def test_save_page_now_refusal_and_missing_keys(httpx_mock: HTTPXMock, clock) -> None:
    httpx_mock.add_response(url=CDX, json=[], is_reusable=True)
    httpx_mock.add_response(
        url="https://web.archive.org/save",
        method="POST",
        status_code=401,
        json={"status": "error", "message": "You need to be logged in to use Save Page Now."},
    )
    refused = await lookup(clock, save_missing=True, ia_access_key="AK", ia_secret_key="bad")
    assert refused.save is not None
    assert refused.save.state is SaveState.FAILED
    assert refused.save.message == "You need to be logged in to use Save Page Now."
    skipped = await lookup(clock, save_missing=True)
    assert skipped.save is not None
    assert skipped.save.state is SaveState.SKIPPED
    assert "SRCCHECK_IA_ACCESS_KEY" in (skipped.save.message or "")


async def test_save_is_off_by_default_and_never_on_error(httpx_mock: HTTPXMock, clock) -> None:
    httpx_mock.add_response(url=CDX, json=[])
    assert (await lookup(clock)).save is None
    httpx_mock.add_exception(httpx.ConnectError("down"), is_reusable=True)
    report = await lookup(clock, save_missing=True, ia_access_key="AK", ia_secret_key="SK")
    assert report.state is ArchiveState.ERROR
    assert report.save is None


async def test_disabled_archive_stage_asks_nobody(clock) -> None:
    report = await lookup(clock, archive_enabled=False)
    assert report.lookups == []
    assert report.chosen is None


async def test_offline_default_config_ends_in_error_not_exception(clock) -> None:
    offline = internet_archive(
        replay_base="http://web.archive.invalid/web",
        cdx_url="http://web.archive.invalid/cdx/search/cdx",
        availability_url="http://archive.invalid/wayback/available",
        min_interval=0.0,
    )
    timeout = httpx.Timeout(5.0)
    async with httpx.AsyncClient(timeout=timeout) as client:
        service = ArchiveService(
            settings(archives=(offline,), retries=0), client, no_fetch, clock=clock
        )
        report = await service.lookup(URL, ARTICLE)
    (ia,) = report.lookups
    assert ia.state is ArchiveState.ERROR
    assert ia.error in (ArchiveErrorKind.CONNECTION, ArchiveErrorKind.TIMEOUT)
    assert "archive.invalid" in (ia.error_message or "")


async def test_an_unreachable_archive_is_asked_once_per_server_not_once_per_source(
    httpx_mock: HTTPXMock, clock
) -> None:
    # Offline runs must finish quickly: after the first request to a server fails to
    # connect (with its retries), the lookups queued behind it fail at once.
    httpx_mock.add_exception(httpx.ConnectError("connection refused"), is_reusable=True)
    spaced = (internet_archive(min_interval=1.0),)
    async with httpx.AsyncClient() as client:
        config = settings(archives=spaced, retries=0)
        service = ArchiveService(config, client, no_fetch, clock=clock)
        reports = await asyncio.gather(*(service.lookup(f"{URL}/{i}", ARTICLE) for i in range(6)))
    hosts = [request.url.host for request in httpx_mock.get_requests()]
    assert sorted(hosts) == ["archive.org", "web.archive.org"]  # CDX once, availability once
    for report in reports:
        assert report.state is ArchiveState.ERROR  # never "not archived"
    later = [r.lookups[0] for r in reports if r.lookups[0].attempts == 0]
    assert len(later) == 5
    assert all("not asked again" in (lookup.error_message or "") for lookup in later)


async def test_answered_lookups_are_cached_and_errors_are_not(
    httpx_mock: HTTPXMock, clock, tmp_path
) -> None:
    from srccheck.fetch.cache import Cache

    httpx_mock.add_response(url=CDX, json=cdx_rows("20200309000000"))
    with Cache(tmp_path / "c.sqlite3") as cache:
        async with httpx.AsyncClient() as client:
            first = await ArchiveService(settings(), client, no_fetch, clock=clock, cache=cache)\
                .lookup(URL, ARTICLE)
            # A new run on the same cache: no request, the same answer.
            second = await ArchiveService(settings(), client, no_fetch, clock=clock, cache=cache)\
                .lookup(URL, ARTICLE)
        assert second == first
        assert len(httpx_mock.get_requests()) == 1

        httpx_mock.add_exception(httpx.ConnectError("refused"), is_reusable=True)
        async with httpx.AsyncClient() as client:
            for _ in range(2):
                service = ArchiveService(settings(retries=0), client, no_fetch, clock=clock,
                                         cache=cache)
                failed = await service.lookup(f"{URL}/other", ARTICLE)
                assert failed.state is ArchiveState.ERROR
        # Both runs asked again (CDX + availability each): an error is never cached.
        assert len(httpx_mock.get_requests()) == 1 + 4


async def test_a_server_that_answered_before_is_not_written_off_by_one_failure(
    httpx_mock: HTTPXMock, clock
) -> None:
    httpx_mock.add_response(url=CDX, json=cdx_rows("20200309000000"))
    httpx_mock.add_exception(httpx.ConnectError("connection reset"), is_reusable=True)
    async with httpx.AsyncClient() as client:
        service = ArchiveService(settings(retries=0), client, no_fetch, clock=clock)
        first = await service.lookup(f"{URL}/1", ARTICLE)
        later = [await service.lookup(f"{URL}/{i}", ARTICLE) for i in (2, 3)]
    assert first.state is ArchiveState.AVAILABLE
    for report in later:
        assert report.state is ArchiveState.ERROR
        cdx_part = (report.lookups[0].error_message or "").split("; availability")[0]
        assert "not asked again" not in cdx_part
    cdx_calls = [r for r in httpx_mock.get_requests() if r.url.host == "web.archive.org"]
    assert len(cdx_calls) == 3  # every lookup was really asked


async def test_not_archived_is_cached_only_for_the_failure_ttl(
    httpx_mock: HTTPXMock, clock, tmp_path
) -> None:
    from srccheck.fetch.cache import Cache

    now = [1_000_000.0]
    httpx_mock.add_response(url=CDX, json=[], is_reusable=True)  # an answer: no capture
    with Cache(tmp_path / "c.sqlite3", clock=lambda: now[0]) as cache:
        async with httpx.AsyncClient() as client:
            config = settings(cache_ttl_failure=3600.0)
            for _ in range(2):  # the second is answered from the cache
                service = ArchiveService(config, client, no_fetch, clock=clock, cache=cache)
                assert (await service.lookup(URL, ARTICLE)).state is ArchiveState.NOT_ARCHIVED
            asked = len(httpx_mock.get_requests())
            now[0] += 3601  # an hour later the archive is asked again
            service = ArchiveService(config, client, no_fetch, clock=clock, cache=cache)
            await service.lookup(URL, ARTICLE)
    assert asked == 1
    assert len(httpx_mock.get_requests()) == 2


async def test_a_lookup_is_a_dependency_of_the_asking_article(
    httpx_mock: HTTPXMock, clock, tmp_path
) -> None:
    # The cached lookup an article's report rests on is recorded for that article,
    # also when another article's lookup of the same URL did the work (srccheck.reuse).
    from srccheck.fetch.cache import Cache, CacheKind
    from srccheck.reuse import collecting

    httpx_mock.add_response(url=CDX, json=cdx_rows("20200309000000"))
    with Cache(tmp_path / "c.sqlite3") as cache:
        async with httpx.AsyncClient() as client:
            service = ArchiveService(settings(), client, no_fetch, clock=clock, cache=cache)
            with collecting() as first:
                await service.lookup(URL, ARTICLE)
            with collecting() as second:
                await service.lookup(URL, ARTICLE)
            [((kind, key), stamp)] = first.entries.items()
            assert kind == CacheKind.ARCHIVE
            entry = cache.get(kind, key)
            assert entry is not None  # the recorded key is the stored entry …
            assert stamp == entry.stored_at  # … as it was stored when used
            assert second.entries == first.entries
