"""Report reuse under a shared, busy or damaged cache: a kept report never says other than
a rebuilt one would, and a failing cache only costs work, never the run.

(From a fresh-eyes review; each test failed before its fix.)
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from srccheck import pipeline
from srccheck.fetch.cache import CACHE_FILE_NAME, Cache, cache_path
from srccheck.fetch.client import link_cache_key
from srccheck.fetch.policy import AddressPolicy
from tests.reuse_runs import PAGE, reused, statuses, verify, write_article


@pytest.fixture
def threaded_server() -> Iterator[HTTPServer]:
    """A pytest-httpserver that answers requests concurrently (one handler may wait)."""
    server = HTTPServer(threaded=True)
    server.start()
    try:
        yield server
    finally:
        server.clear()
        if server.is_running():
            server.stop()


def _stored_at(cache_file: Path, url: str) -> float | None:
    db = sqlite3.connect(cache_file, timeout=5)
    try:
        row = db.execute(
            "SELECT stored_at FROM entries WHERE kind = 'link' AND key = ?", (url,)
        ).fetchone()
    finally:
        db.close()
    return None if row is None else row[0]


def _wait_for_entry(cache_file: Path, url: str, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if _stored_at(cache_file, url) is not None:
                return
        except sqlite3.Error:
            pass
        time.sleep(0.02)
    raise AssertionError(f"{url} was never stored in {cache_file}")


# --- 1. a dependency re-stored while the article was still being checked ---------------------


def test_an_entry_restored_by_another_run_before_the_report_is_remembered_forbids_reuse(
    threaded_server: HTTPServer, tmp_path: Path
) -> None:
    """Two runs share the default cache (or two --shard processes share one --cache-dir, as
    the README allows). Run X reads /a (200) and stores it; while X still waits for /slow,
    run Y fetches /a again and stores its newer answer (404: the page was just removed).
    X then writes its report and remembers it with made_at = *now*, later than Y's
    stored_at, so the next run of X keeps the report saying /a is ok, although the cache
    (and every rebuild, e.g. --no-reuse) says 404 for the rest of that entry's life."""
    folder, out, cache = tmp_path / "artikel", tmp_path / "out", tmp_path / "cache"
    cache_file = cache / CACHE_FILE_NAME
    a_url = threaded_server.url_for("/a")
    a_key = link_cache_key(a_url, AddressPolicy(allow_private=True))  # the runs' policy
    threaded_server.expect_request("/a").respond_with_data(PAGE, content_type="text/html")

    def slow(request: Request) -> Response:
        # Another srccheck process (a second run or shard on the same cache) checks /a now
        # and stores its newer answer, after our run stored its own, before our report ends.
        _wait_for_entry(cache_file, a_key)
        with Cache(cache_file) as other:
            entry = other.get("link", a_key)
            assert entry is not None
            value = json.loads(entry.value)
            value["check"].update(status="not_found", http_status=404, reason="HTTP 404")
            value["page"] = None
            time.sleep(0.01)  # a strictly later stored_at
            other.put("link", a_key, json.dumps(value), ttl=3600)
        return Response(PAGE, content_type="text/html")

    threaded_server.expect_request("/slow").respond_with_handler(slow)
    write_article(folder, "eins.txt", a_url, threaded_server.url_for("/slow"))

    first = verify(folder, out, cache)
    assert first.exception is None or isinstance(first.exception, SystemExit), first.output
    assert statuses(out / "eins.json")[a_url] == "ok"  # what run X saw

    # What the cache now says about /a, as any rebuild shows it:
    rebuilt = verify(folder, tmp_path / "rebuilt", cache, "--no-reuse")
    assert rebuilt.exception is None or isinstance(rebuilt.exception, SystemExit)
    assert statuses(tmp_path / "rebuilt" / "eins.json")[a_url] == "not_found"

    second = verify(folder, out, cache)
    assert second.exception is None or isinstance(second.exception, SystemExit)
    # A kept report must say what a rebuilt one says.
    assert statuses(out / "eins.json") == statuses(tmp_path / "rebuilt" / "eins.json"), (
        f"report kept (reused={reused(out)}) with /a ok while the cache says 404"
    )


# --- 2. a cache that fails only costs work, never the run ------------------------------------


@pytest.fixture
def short_busy_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """The run's cache gives up waiting for a lock after 0.2 s instead of 10 s (test speed)."""

    def open_cache(settings, *, clock=time.time):  # type: ignore[no-untyped-def]
        return Cache(
            cache_path(settings.cache_dir),
            max_bytes=settings.cache_max_bytes,
            clock=clock,
            busy_timeout=0.2,
        )

    monkeypatch.setattr(pipeline, "open_cache", open_cache)


def test_a_cache_locked_by_another_process_does_not_abort_the_run(
    threaded_server: HTTPServer, tmp_path: Path, short_busy_cache: None
) -> None:
    """Another process holds the cache's write lock beyond the busy timeout (a `srccheck
    cache clear` VACUUM, another shard's eviction). The fetcher treats that as a miss
    (cache_call), but ReportStore.remember's put runs unguarded in the report-writing
    thread: sqlite3.OperationalError escapes check_article, the run is aborted, and
    finish_writes (which only catches OSError/SrccheckError) re-raises it, so not even the
    incomplete reports and index.json are written."""
    folder, out, cache = tmp_path / "artikel", tmp_path / "out", tmp_path / "cache"
    cache_file = cache / CACHE_FILE_NAME
    holders: list[sqlite3.Connection] = []
    lock = threading.Lock()

    def locking(request: Request) -> Response:
        with lock:
            if not holders:
                db = sqlite3.connect(cache_file, timeout=5, check_same_thread=False)
                db.isolation_level = None
                db.execute("BEGIN IMMEDIATE")  # held until the test ends
                holders.append(db)
        return Response(PAGE, content_type="text/html")

    threaded_server.expect_request("/a").respond_with_handler(locking)
    write_article(folder, "eins.txt", threaded_server.url_for("/a"))
    try:
        result = verify(folder, out, cache)
    finally:
        for db in holders:
            db.rollback()
            db.close()
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code == 0, result.output
    assert reused(out) == {"eins.txt": False}
    assert statuses(out / "eins.json") == {threaded_server.url_for("/a"): "ok"}


def test_a_damaged_cache_file_does_not_abort_a_reusing_run(
    threaded_server: HTTPServer, tmp_path: Path
) -> None:
    """The cache file is damaged after a run (disk error, a copy cut short). The fetcher
    reads it through cache_call, so every failing read is a miss; the reuse check calls
    Cache.get / unchanged_since directly on the event loop (read_or_reuse), and the
    sqlite3.DatabaseError ends the run instead of rebuilding the report."""
    folder, out, cache = tmp_path / "artikel", tmp_path / "out", tmp_path / "cache"
    threaded_server.expect_request("/a").respond_with_data(PAGE, content_type="text/html")
    write_article(folder, "eins.txt", threaded_server.url_for("/a"))
    first = verify(folder, out, cache)
    assert first.exit_code == 0, first.output

    cache_file = cache / CACHE_FILE_NAME
    data = bytearray(cache_file.read_bytes())
    page = 4096
    assert len(data) > 2 * page
    data[page:] = b"\xa5" * (len(data) - page)  # every page but the header and schema
    cache_file.write_bytes(bytes(data))

    second = verify(folder, out, cache)
    assert second.exception is None or isinstance(second.exception, SystemExit), repr(
        second.exception
    )
    assert second.exit_code == 0, second.output
    assert statuses(out / "eins.json") == {threaded_server.url_for("/a"): "ok"}


def test_a_record_with_a_damaged_body_is_a_miss_not_a_crash(tmp_path: Path) -> None:
    """reusable() turns an unreadable record into None for ValueError/KeyError/TypeError
    only; a damaged compressed body raises zlib.error (not a ValueError) from entry.body,
    which escapes read_or_reuse and ends the run. (try_decode_outcome in the fetcher has
    the same gap.)"""
    from srccheck.models import ArticleMeta, ArticleReport, ReportState, Summary
    from srccheck.reuse import REPORT_KIND, ReportStore, collecting
    from srccheck.settings import Settings

    output = tmp_path / "out" / "a.json"
    output.parent.mkdir(parents=True)
    output.write_text("{}", encoding="utf-8")
    report = ArticleReport(
        srccheck_version="test",
        generated_at="2024-10-22T10:00:00Z",
        state=ReportState.COMPLETE,
        article=ArticleMeta(file=str(tmp_path / "a.txt")),
        summary=Summary.of([]),
    )
    with Cache(tmp_path / "c.sqlite3") as cache:
        store = ReportStore(cache, Settings())
        with collecting() as deps:
            pass
        stem = output.with_suffix("")
        store.remember(tmp_path / "a.txt", stem, [output], "abc", deps, report)
        cache._db.execute(  # a damaged page body, as bit rot or a torn copy leaves it
            "UPDATE entries SET body = ? WHERE kind = ?", (b"\x78\x01garbage", REPORT_KIND)
        )
        assert store.reusable(tmp_path / "a.txt", stem, [output], "abc") is None


# --- a page fetched again brings its own check and stamp ---------------------------------


async def test_a_page_fetched_again_comes_with_its_own_check_and_stamp(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    # /a answers 200, and 410 once removed. Its page leaves memory and the cache before a
    # second article cites it: the page is fetched again, and that article's report must
    # pair the new answer's status, page and cache entry — never the first status with
    # the second page, nor a stamp of an entry that says something else than the report.
    from srccheck.fetch.cache import CacheKind
    from srccheck.fetch.client import Fetcher
    from srccheck.reuse import collecting
    from srccheck.settings import Settings
    from srccheck.status import Status

    answers = iter([(PAGE, 200), ("<title>Weg</title><p>Entfernt.</p>", 410)])

    def a(request: Request) -> Response:
        body, status = next(answers)
        return Response(body, status=status, content_type="text/html")

    httpserver.expect_request("/a").respond_with_handler(a)
    httpserver.expect_request("/b").respond_with_data(PAGE, content_type="text/html")
    settings = Settings(allow_private=True, host_interval=0, retries=0, soft404_probe=False)
    url = httpserver.url_for("/a")
    key = link_cache_key(url, AddressPolicy.from_settings(settings))
    with Cache(tmp_path / "c.sqlite3") as cache:
        async with Fetcher(settings, cache=cache, page_memory_chars=1) as fetcher:
            first = await fetcher.check(url)
            await fetcher.check(httpserver.url_for("/b"))  # /a's page leaves memory
            cache.delete(CacheKind.LINK, key)  # … and the cache
            with collecting() as deps:
                second = await fetcher.check(url)
        entry = cache.get(CacheKind.LINK, key, stale=True)
    assert first.check.status is Status.OK
    assert second.check.status is Status.GONE
    assert second.page is not None
    assert "Entfernt" in (second.page.text or "")
    assert entry is not None
    assert deps.entries[CacheKind.LINK, key] == entry.stored_at
    assert json.loads(entry.value)["check"]["status"] == second.check.status.value
