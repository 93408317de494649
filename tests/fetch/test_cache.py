"""The persistent cache: rules against a table, the Fetcher against a real server, and
two processes / a killed process on one store.

Tests taking ``store_location`` run against both stores: the SQLite file and a real
PostgreSQL server on loopback (tests/postgres_server.py); the rest are SQLite's own.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from tests.postgres_server import PASSWORD
from typer.testing import CliRunner
from werkzeug import Request, Response

from srccheck.cli import app
from srccheck.fetch.cache import Cache, CacheKind, cache_path, link_ttl, open_cache
from srccheck.fetch.cache import _start_timer as REAL_START_TIMER
from srccheck.fetch.client import Fetcher
from srccheck.models import LinkCheck
from srccheck.settings import Settings
from srccheck.status import Status
from srccheck.store import Store, open_store

LOCAL = Settings(
    allow_private=True, retries=0, timeout=60.0, soft404_probe=False, host_interval=0.0
)
PAGE = "<html><head><title>Bericht</title></head><body><p>Der Bundestag …</p></body></html>"


class FakeTime:
    """Epoch seconds that only move when the test says so."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


def open_at(
    location: Path | str, *, max_bytes: int = 500 * 1024 * 1024, clock=None
) -> Store:
    """The store at ``location`` (a SQLite path or a PostgreSQL URL), as a run opens it."""
    settings = Settings(cache_max_bytes=max_bytes)
    return open_store(location, settings) if clock is None else open_store(
        location, settings, clock=clock
    )


def query(location: Path | str, sql: str, *params: object) -> list[tuple]:
    """Look at the stored rows behind the store's back: ``sql`` with ``entries`` for the
    table and ``?`` placeholders, run by another connection."""
    if isinstance(location, Path):
        with contextlib.closing(sqlite3.connect(location)) as db:
            return db.execute(sql, params).fetchall()
    import psycopg

    with psycopg.connect(location, autocommit=True) as db:
        pg = sql.replace("entries", "srccheck_entries").replace("?", "%s")
        return db.execute(pg.encode(), params).fetchall()


@pytest.fixture
def cache(store_location: Path | str, fake_time: FakeTime):
    with open_at(store_location, clock=fake_time) as opened:
        yield opened


async def check_all(urls: list[str], cache: Store | None, settings: Settings = LOCAL):
    async with Fetcher(settings, cache=cache) as fetcher:
        return [await fetcher.check(url) for url in urls]


# --- rules --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code", "ttl"),
    [
        (Status.OK, 200, "live"),
        (Status.REDIRECTED, 200, "live"),
        (Status.NOT_FOUND, 404, "failure"),
        (Status.GONE, 410, "failure"),
        (Status.SOFT_404, 200, "failure"),
        (Status.HTTP_ERROR, 403, "failure"),
        (Status.HTTP_ERROR, 429, None),
        (Status.HTTP_ERROR, 500, None),
        (Status.HTTP_ERROR, 503, None),
        (Status.BLOCKED, 403, None),
        (Status.TIMEOUT, None, None),
        (Status.CONNECTION_ERROR, None, None),
        (Status.DNS_ERROR, None, None),
        (Status.BLOCKED_BY_POLICY, None, None),
        (Status.SKIPPED, None, None),
        (Status.INVALID, None, None),
    ],
)
def test_link_ttl(status: Status, code: int | None, ttl: str | None) -> None:
    settings = Settings(cache_ttl_live=100.0, cache_ttl_failure=10.0)
    expected = {"live": 100.0, "failure": 10.0, None: None}[ttl]
    assert link_ttl(LinkCheck(status=status, reason="r", http_status=code), settings) == expected


def test_generic_api_with_ttl(cache: Cache, fake_time: FakeTime) -> None:
    cache.put(CacheKind.ARCHIVE, "https://a.example/x", '{"snapshot": null}', ttl=60)
    entry = cache.get(CacheKind.ARCHIVE, "https://a.example/x")
    assert entry is not None
    assert entry.value == '{"snapshot": null}'
    assert entry.fresh
    fake_time.now += 61
    assert cache.get(CacheKind.ARCHIVE, "https://a.example/x") is None
    stale = cache.get(CacheKind.ARCHIVE, "https://a.example/x", stale=True)
    assert stale is not None
    assert not stale.fresh
    assert stale.age == pytest.approx(61)
    assert cache.get("link", "https://a.example/x") is None  # kinds are separate


def test_body_round_trip_is_compressed(cache: Cache) -> None:
    body = "Seite über Maß und Öl " * 2000
    cache.put("link", "k", "{}", ttl=60, body=body)
    entry = cache.get("link", "k")
    assert entry is not None
    assert entry.body == body
    assert cache.stats().payload_bytes < len(body.encode()) / 10


def test_size_bound_evicts_least_recently_used(store_location, fake_time: FakeTime) -> None:
    with open_at(store_location, max_bytes=10_000, clock=fake_time) as cache:
        for i in range(5):
            fake_time.now += 1000  # beyond the ten minutes within which recency is kept
            cache.put("archive", f"k{i}", "x" * 3000, ttl=86_400)
            if i == 2:
                fake_time.now += 1000
                assert cache.get("archive", "k0") is not None  # k0 is used again
        stats = cache.stats()
        assert stats.payload_bytes <= 10_000
        assert cache.get("archive", "k0") is not None
        assert cache.get("archive", "k4") is not None
        assert cache.get("archive", "k1") is None  # the least recently used went first


def test_open_cache_follows_settings(tmp_path: Path) -> None:
    assert open_cache(Settings(use_cache=False)) is None
    opened = open_cache(Settings(cache_dir=tmp_path / "c"))
    assert opened is not None
    with opened:
        assert opened.path == tmp_path / "c" / "cache.sqlite3"
    assert cache_path(None).name == "cache.sqlite3"


# --- the Fetcher with a cache -------------------------------------------------------------------


async def test_warm_run_sends_no_request(httpserver: HTTPServer, cache: Cache, fake_time) -> None:
    httpserver.expect_request("/a").respond_with_data(PAGE, content_type="text/html")
    httpserver.expect_request("/weg").respond_with_data("nope", status=404)
    httpserver.expect_request("/alt").respond_with_response(
        Response(status=301, headers={"Location": "/a"})
    )
    urls = [httpserver.url_for(p) for p in ("/a", "/weg", "/alt")]
    cold = await check_all(urls, cache)
    sent = len(httpserver.log)
    assert sent == 4  # /a, /weg, /alt → /a
    fake_time.now += 600
    warm = await check_all(urls, cache)
    assert len(httpserver.log) == sent  # ZERO requests
    for before, after in zip(cold, warm, strict=True):
        assert after.check.status is before.check.status
        assert after.check.from_cache is True
        assert after.check.age_seconds == pytest.approx(600)
        assert after.check.cached_at is not None
        assert before.check.from_cache is False
    assert warm[0].page is not None
    assert warm[0].page.text == PAGE  # later stages still get the page
    assert [hop.url for hop in warm[2].check.redirects] == [urls[2]]


async def test_stale_entry_is_revalidated_with_304(
    httpserver: HTTPServer, cache: Cache, fake_time: FakeTime
) -> None:
    seen: list[dict[str, str]] = []

    def handler(request: Request) -> Response:
        seen.append(dict(request.headers))
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(PAGE, content_type="text/html", headers={"ETag": '"v1"'})

    httpserver.expect_request("/a").respond_with_handler(handler)
    url = httpserver.url_for("/a")
    await check_all([url], cache)
    fake_time.now += LOCAL.cache_ttl_live + 1  # stale
    [second] = await check_all([url], cache)
    assert len(seen) == 2
    assert seen[1]["If-None-Match"] == '"v1"'
    assert second.check.status is Status.OK
    assert second.check.http_status == 200  # the page's status, not the 304
    assert second.check.from_cache is True
    assert second.check.revalidated is True
    assert second.page is not None
    assert second.page.text == PAGE  # the body was not sent again, yet is there
    fake_time.now += 60  # the entry was refreshed: fresh again, no request
    [third] = await check_all([url], cache)
    assert len(seen) == 2
    assert third.check.from_cache is True
    assert third.check.age_seconds == pytest.approx(60)


async def test_changed_page_replaces_the_entry(
    httpserver: HTTPServer, cache: Cache, fake_time: FakeTime
) -> None:
    versions = iter(["<title>Alt</title>", "<title>Neu</title>"])

    def handler(request: Request) -> Response:
        # Ignores the validator, as a changed page would.
        return Response(next(versions), content_type="text/html", headers={"ETag": '"x"'})

    httpserver.expect_request("/a").respond_with_handler(handler)
    url = httpserver.url_for("/a")
    await check_all([url], cache)
    fake_time.now += LOCAL.cache_ttl_live + 1
    [second] = await check_all([url], cache)
    assert second.check.page_title == "Neu"
    assert second.check.from_cache is False
    fake_time.now += 1
    [third] = await check_all([url], cache)
    assert third.check.page_title == "Neu"
    assert third.check.from_cache is True


async def test_failure_ttl_expires(httpserver: HTTPServer, cache: Cache, fake_time) -> None:
    httpserver.expect_request("/weg").respond_with_data("nope", status=404)
    url = httpserver.url_for("/weg")
    await check_all([url], cache)
    fake_time.now += LOCAL.cache_ttl_failure - 1
    await check_all([url], cache)
    assert len(httpserver.log) == 1
    fake_time.now += 2  # now past the 1-hour failure TTL
    [again] = await check_all([url], cache)
    assert len(httpserver.log) == 2
    assert again.check.from_cache is False


async def test_transient_failures_are_never_cached(httpserver: HTTPServer, cache: Cache) -> None:
    httpserver.expect_request("/busy").respond_with_data("later", status=503)
    httpserver.expect_request("/limit").respond_with_data("later", status=429)
    httpserver.expect_request("/wall").respond_with_response(
        Response("", status=403, headers={"cf-mitigated": "challenge"})
    )
    urls = [httpserver.url_for(p) for p in ("/busy", "/limit", "/wall")]
    urls.append("http://127.0.0.1:9/closed")  # connection refused
    await check_all(urls, cache)
    sent = len(httpserver.log)
    second = await check_all(urls, cache)
    assert len(httpserver.log) == 2 * sent
    assert not any(o.check.from_cache for o in second)
    assert cache.stats().entries == {}


async def test_no_cache_means_no_file(httpserver: HTTPServer, tmp_path: Path) -> None:
    settings = LOCAL.with_changes(use_cache=False, cache_dir=tmp_path / "c")
    assert open_cache(settings) is None
    httpserver.expect_request("/a").respond_with_data(PAGE, content_type="text/html")
    await check_all([httpserver.url_for("/a")], None, settings)
    await check_all([httpserver.url_for("/a")], None, settings)
    assert len(httpserver.log) == 2
    assert not (tmp_path / "c").exists()


async def test_two_fetchers_share_one_store(httpserver: HTTPServer, store_location) -> None:
    httpserver.expect_request("/a").respond_with_data(PAGE, content_type="text/html")
    httpserver.expect_request("/b").respond_with_data(PAGE, content_type="text/html")
    with open_at(store_location) as one, open_at(store_location) as two:
        await check_all([httpserver.url_for("/a")], one)
        await check_all([httpserver.url_for("/b")], two)
        warm = await check_all([httpserver.url_for("/a"), httpserver.url_for("/b")], two)
    assert len(httpserver.log) == 2
    assert all(o.check.from_cache for o in warm)


# --- processes ---------------------------------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import sys
    from srccheck.settings import Settings
    from srccheck.store import open_store

    location, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open_store(location, Settings()) as cache:
        for i in range(count):
            cache.put("archive", f"{name}-{i}", '{"n": %d}' % i, ttl=3600, body="text " * 500)
            if i == 50:
                print("started", flush=True)
        print("done", flush=True)
    """
)


def _writer(location: Path | str, name: str, count: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(location), name, str(count)],
        stdout=subprocess.PIPE,
        text=True,
    )


def test_two_processes_write_concurrently(store_location) -> None:
    open_at(store_location).close()  # create the store first, as the first run would
    writers = [_writer(store_location, name, 300) for name in ("run1", "run2")]
    for writer in writers:
        out, _ = writer.communicate(timeout=120)
        assert writer.returncode == 0
        assert "done" in out
    with open_at(store_location) as cache:
        assert cache.stats().entries == {"archive": 600}
        assert cache.get("archive", "run1-299") is not None
        assert cache.get("archive", "run2-0") is not None


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs kill -9")
def test_killed_run_leaves_a_usable_cache(store_location) -> None:
    writer = _writer(store_location, "killed", 1_000_000)
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == "started"
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(timeout=10)
    if isinstance(store_location, Path):
        with sqlite3.connect(store_location) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with open_at(store_location) as cache:
        count = cache.stats().entries["archive"]
        assert count >= 51
        entry = cache.get("archive", "killed-0")
        assert entry is not None
        assert entry.body == "text " * 500
        cache.put("archive", "after", "{}", ttl=60)  # still writable
        assert cache.get("archive", "after") is not None


# --- CLI ---------------------------------------------------------------------------------------


def test_cache_stats_and_clear_commands(store_location) -> None:
    with open_at(store_location) as cache:
        cache.put("link", "https://a.example/", "{}", ttl=60)
        cache.put("archive", "https://a.example/", "{}", ttl=60)
        where = cache.location
    if isinstance(store_location, Path):
        option = ["--cache-dir", str(store_location.parent)]
        assert where == str(store_location)
    else:
        option = ["--store", store_location]
        assert where == store_location.replace(PASSWORD, "***")
    runner = CliRunner()
    result = runner.invoke(app, ["cache", "stats", *option])
    assert result.exit_code == 0, result.output
    assert result.exception is None
    assert "entries: 2" in result.output
    assert "link: 1" in result.output
    assert where in result.output
    result = runner.invoke(app, ["cache", "clear", *option])
    assert result.exit_code == 0, result.output
    assert "removed 2 entries" in result.output
    result = runner.invoke(app, ["cache", "stats", *option])
    assert "entries: 0" in result.output
    assert PASSWORD not in result.output


def test_cache_command_on_a_broken_file(tmp_path: Path) -> None:
    (tmp_path / "cache.sqlite3").write_bytes(b"not a database" * 100)
    result = CliRunner().invoke(app, ["cache", "stats", "--cache-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "cannot open the cache" in result.output


def test_size_bound_holds_over_many_puts_and_replacements(
    store_location, fake_time: FakeTime
) -> None:
    # The bound is kept with a running estimate between exact sums: replacing entries
    # (which the estimate over-counts) and plain puts must both stay under it.
    with open_at(store_location, max_bytes=50_000, clock=fake_time) as cache:
        for i in range(600):
            fake_time.now += 1
            key = f"k{i % 40 if i % 3 else i}"  # every third a new key, else a replacement
            cache.put("archive", key, "x" * 900, ttl=3600)
            assert cache.stats().payload_bytes <= 50_000
        assert cache.get("archive", key) is not None  # the newest entry survives


def test_size_bound_sees_another_process_writes(store_location, fake_time: FakeTime) -> None:
    # Two connections to one file (two runs sharing the cache). ``first`` summed the table
    # while it was nearly empty; ``second`` then fills it close to the bound. first's own
    # running estimate stays low, so only the periodic exact sum (every 256 puts) makes it
    # notice and evict.
    bound = 400_000
    with (
        open_at(store_location, max_bytes=bound, clock=fake_time) as first,
        open_at(store_location, max_bytes=bound, clock=fake_time) as second,
    ):
        first.put("archive", "first-0", "x" * 1000, ttl=3600)
        for i in range(380):
            fake_time.now += 1
            second.put("archive", f"second-{i}", "x" * 1000, ttl=3600)
        for i in range(1, 300):
            fake_time.now += 1
            first.put("archive", f"first-{i}", "x" * 1000, ttl=3600)
        # Without the periodic sum: ~680,000 bytes. With it: the bound plus at most the
        # puts made after first's sum at its 256th put.
        assert first.stats().payload_bytes <= bound + 50 * 1_020


def test_recency_of_hits_outlives_the_connection(store_location, fake_time: FakeTime) -> None:
    # Hits are marked recently used in batches; the marks still decide evictions after
    # the cache is closed and opened again (by the next run).
    with open_at(store_location, max_bytes=10_000, clock=fake_time) as cache:
        for i in range(3):
            fake_time.now += 1000  # beyond the ten minutes within which recency is kept
            cache.put("archive", f"k{i}", "x" * 3000, ttl=86_400)
        fake_time.now += 1000
        assert cache.get("archive", "k0") is not None  # k0 is now the most recently used
    with open_at(store_location, max_bytes=10_000, clock=fake_time) as cache:
        fake_time.now += 1000
        cache.put("archive", "k3", "x" * 3000, ttl=86_400)  # over the bound: one must go
        assert cache.get("archive", "k1") is None
        assert cache.get("archive", "k0") is not None


def test_many_hits_are_marked_without_a_put(store_location, fake_time: FakeTime) -> None:
    # Hits of more keys than one batch: the marks reach the store while the run goes on.
    # Repeated hits of one key are one mark (the latest time).
    with open_at(store_location, clock=fake_time) as cache:
        for i in range(600):
            cache.put("archive", f"k{i}", "v", ttl=3600)
        fake_time.now += 1000
        for _ in range(3):
            assert cache.get("archive", "k0") is not None
        marked_since = "SELECT COUNT(*) FROM entries WHERE last_used > ?"
        [(marked,)] = query(store_location, marked_since, fake_time.now - 1)
        assert marked == 0  # one key's repeated hits: not yet a batch
        for i in range(600):
            assert cache.get("archive", f"k{i}") is not None
        # another reader sees the new recency
        [(marked,)] = query(store_location, marked_since, fake_time.now - 1)
        assert marked >= 512


def test_a_recent_mark_is_not_written_again(store_location, fake_time: FakeTime) -> None:
    # Re-marking rewrites the whole row (page body included): within ten minutes of the
    # stored mark, a hit leaves it alone.
    with open_at(store_location, clock=fake_time) as cache:
        cache.put("link", "k", "v", ttl=3600, body="Seite " * 1000)
        stored = fake_time.now
        fake_time.now += 599
        assert cache.get("link", "k") is not None
    assert query(store_location, "SELECT last_used FROM entries") == [(stored,)]


def test_unchanged_since_compares_every_entry_with_its_stamp(
    store_location, fake_time: FakeTime
) -> None:
    # More entries than one query takes: every one still counts.
    with open_at(store_location, clock=fake_time) as cache:
        stamps = {}
        for i in range(900):
            key = ("link", f"https://a.example/{i}")
            stamps[key] = cache.put(*key, "{}", ttl=60)
        fake_time.now += 1
        assert cache.unchanged_since(stamps)
        first_800 = dict(list(stamps.items())[:800])
        cache.put("link", "https://a.example/850", "{}", ttl=60)  # stored again since used
        assert not cache.unchanged_since(stamps)
        assert cache.unchanged_since(first_800)
        assert not cache.unchanged_since({**first_800, ("link", "https://missing.example/"): 1.0})
        assert not cache.unchanged_since({**first_800, ("link", "https://a.example/1"): None})
        fake_time.now += 60
        assert not cache.unchanged_since(first_800)  # expired


def test_a_cache_of_an_older_layout_starts_over(tmp_path: Path, fake_time: FakeTime) -> None:
    # Version 1 kept the body in the middle of the row; such a file is emptied, not
    # migrated (it is a cache), and then works.
    path = tmp_path / "c.sqlite3"
    with sqlite3.connect(path) as old:
        old.execute(
            "CREATE TABLE entries (kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
            " body BLOB, etag TEXT, last_modified TEXT, stored_at REAL NOT NULL,"
            " expires_at REAL NOT NULL, last_used REAL NOT NULL, size INTEGER NOT NULL,"
            " UNIQUE (kind, key))"
        )
        old.execute(
            "INSERT INTO entries VALUES ('link', 'k', '{}', NULL, NULL, NULL, 1, 9e12, 1, 10)"
        )
        old.execute("PRAGMA user_version = 1")
    with Cache(path, clock=fake_time) as cache:
        assert cache.get("link", "k") is None
        cache.put("link", "k", "{}", ttl=60, body="Seite")
        entry = cache.get("link", "k")
        assert entry is not None
        assert entry.body == "Seite"


def test_a_read_does_not_fail_because_a_recency_mark_cannot_be_written(tmp_path: Path) -> None:
    """Cache.get queues a last_used mark and, at the 512th, writes the batch in a
    BEGIN IMMEDIATE transaction inside the *read* (_touch_locked). When another process
    holds the write lock beyond busy_timeout (a second run or shard sharing the cache),
    the read raises "database is locked" after waiting the whole busy timeout (10 s by
    default), and every later read does the same while the batch stays full. The fetcher
    turns that into a miss (a needless request); the reuse check (ReportStore.reusable,
    called on the event loop) blocks the loop and then ends the run. Marks are a hint: a
    read should return the entry and leave the marks for later."""
    clock = FakeTime()  # (the class above)
    path = tmp_path / "cache.sqlite3"
    with Cache(path, clock=clock, busy_timeout=0.2) as cache:
        for i in range(600):
            cache.put("link", f"https://a.example/{i}", "{}", ttl=86_400)
        clock.now += 3600  # every stored mark is older than the ten-minute window
        other = sqlite3.connect(path, timeout=0.2, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another process is writing
        try:
            found = 0
            for i in range(600):
                try:
                    entry = cache.get("link", f"https://a.example/{i}")
                except sqlite3.OperationalError as exc:
                    raise AssertionError(f"read {i + 1} of a stored entry failed: {exc}") from exc
                found += entry is not None
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert found == 600


# --- batched writes (a run's SQLite cache) ------------------------------------------------------


class HeldTimer:
    """A batch timer that fires only when the test says so."""

    def __init__(self, delay: float, callback: Callable[[], None]) -> None:
        self.delay = delay
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class HeldTimers:
    """The batch timers the caches of a test start (see ``Cache._write_on_time``)."""

    def __init__(self) -> None:
        self.started: list[HeldTimer] = []

    def start(self, delay: float, callback: Callable[[], None]) -> HeldTimer:
        self.started.append(HeldTimer(delay, callback))
        return self.started[-1]


@pytest.fixture(autouse=True)
def timers(monkeypatch: pytest.MonkeyPatch) -> HeldTimers:
    """Batch timers are fired by the tests, not by the wall clock: a test that asserts a
    batch not yet written must not depend on how fast a loaded CI machine gets there."""
    import srccheck.fetch.cache as cache_module

    held = HeldTimers()
    monkeypatch.setattr(cache_module, "_start_timer", held.start)
    return held


def _rows(path: Path) -> int:
    return query(path, "SELECT COUNT(*) FROM entries")[0][0]


def test_batched_puts_are_read_back_at_once_and_written_per_batch(
    tmp_path: Path, fake_time: FakeTime
) -> None:
    path = tmp_path / "cache.sqlite3"
    with Cache(path, clock=fake_time, write_batch=4) as cache:
        stamps = [
            cache.put("link", f"k{i}", f'{{"n": {i}}}', ttl=60, body="Text") for i in range(3)
        ]
        assert _rows(path) == 0  # queued, not written yet: another connection sees nothing
        entry = cache.get("link", "k1")  # … but this cache reads its own queued entry
        assert entry is not None
        assert (entry.value, entry.body, entry.stored_at) == ('{"n": 1}', "Text", stamps[1])
        fake_time.now += 61
        assert cache.get("link", "k1") is None  # a queued entry expires like a stored one
        assert cache.get("link", "k1", stale=True) is not None
        cache.put("link", "k3", "{}", ttl=60)  # the fourth: the batch is written
        assert _rows(path) == 4
        cache.put("link", "k4", "{}", ttl=60)
        assert _rows(path) == 4
    assert _rows(path) == 5  # closing writes the rest


def test_batched_cache_writes_a_queued_entry_before_comparing_or_counting(
    tmp_path: Path, fake_time: FakeTime
) -> None:
    with Cache(tmp_path / "cache.sqlite3", clock=fake_time, write_batch=100) as cache:
        stamp = cache.put("link", "a", "{}", ttl=60)
        assert cache.unchanged_since({("link", "a"): stamp})
        cache.put("link", "b", "{}", ttl=60)
        assert cache.stats().entries == {"link": 2}
        cache.put("link", "c", "{}", ttl=60)
        fake_time.now += 30
        assert cache.refresh("link", "c", ttl=60, value='{"new": 1}') == fake_time.now
        refreshed = cache.get("link", "c")
        assert refreshed is not None
        assert refreshed.value == '{"new": 1}'
        cache.put("link", "d", "{}", ttl=60)
        cache.delete("link", "d")
        assert cache.get("link", "d") is None


def test_batched_puts_are_written_half_a_second_after_the_oldest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import srccheck.fetch.cache as cache_module

    timer = FakeTime()
    monkeypatch.setattr(cache_module, "_monotonic", timer)
    path = tmp_path / "cache.sqlite3"
    with Cache(path, write_batch=100) as cache:
        cache.put("link", "a", "{}", ttl=60)
        timer.now += 0.4
        cache.put("link", "b", "{}", ttl=60)
        assert _rows(path) == 0
        timer.now += 0.2  # half a second after the first put
        cache.put("link", "c", "{}", ttl=60)
        assert _rows(path) == 3


KILLED_BATCHED = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    import srccheck.fetch.cache as cache_module
    from srccheck.fetch.cache import Cache

    # Full batches only (the subject here): no time-based write, however loaded the machine.
    cache_module._WRITE_DELAY = 3600.0
    cache = Cache(Path(sys.argv[1]), write_batch=10)
    for i in range(1_000_000):
        cache.put("archive", f"killed-{i}", "{}", ttl=3600)
        if i == 25:
            print("started", flush=True)
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs kill -9")
def test_a_killed_run_loses_at_most_its_queued_batch(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    writer = subprocess.Popen(
        [sys.executable, "-c", KILLED_BATCHED, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == "started"
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(timeout=10)
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        (count,) = db.execute("SELECT COUNT(*) FROM entries").fetchone()
    assert count >= 20  # every complete batch before "started" was written
    assert count % 10 == 0  # whole batches only: a transaction is all or nothing
    with Cache(path) as cache:
        assert cache.get("archive", "killed-0") is not None


async def test_cache_call_reads_and_queues_in_the_loop_and_waits_in_a_thread(
    tmp_path: Path,
) -> None:
    import asyncio

    from srccheck.fetch.cache import cache_call

    with Cache(tmp_path / "cache.sqlite3", write_batch=3) as cache:
        for i in range(5):
            assert await cache_call(cache.put, "link", f"k{i}", "{}", 60) is not None
        entries = [await cache_call(cache.get, "link", f"k{i}") for i in range(5)]
        assert all(entry is not None for entry in entries)
        assert _rows(tmp_path / "cache.sqlite3") == 3  # the third put wrote a batch
        # The lock held by another thread: the call goes to a thread and waits for it.
        cache._lock.acquire()
        pending = asyncio.ensure_future(cache_call(cache.get, "link", "k4"))
        await asyncio.sleep(0.05)
        assert not pending.done()
        cache._lock.release()
        assert await pending is not None
        # The put that fills the batch writes it: in a thread.
        assert cache.put_at_once("link", "k5", "{}", 60) == (False, None)
    with Cache(tmp_path / "other.sqlite3", write_batch=100) as cache:
        # A page to compress goes to a thread as well (zlib works there without the GIL).
        assert cache.put_at_once("link", "page", "{}", 60, body="Text") == (False, None)
        assert cache.put_at_once("link", "nopage", "{}", 60)[0] is True


def test_a_run_opens_its_sqlite_cache_batched(tmp_path: Path) -> None:
    opened = open_cache(Settings(cache_dir=tmp_path / "c"))
    assert isinstance(opened, Cache)
    with opened:
        opened.put("link", "a", "{}", ttl=60)
        assert _rows(opened.path) == 0
        assert opened.get("link", "a") is not None
    assert _rows(tmp_path / "c" / "cache.sqlite3") == 1


def test_a_queued_batch_is_written_on_time_without_another_put(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The README promises a run's results "at most half a second after the oldest one":
    # the last results of a run that then only waits (slow hosts, claim matching) must
    # reach the file (another shard sharing it, a kill -9) without a further put.
    import time

    import srccheck.fetch.cache as cache_module

    monkeypatch.setattr(cache_module, "_start_timer", REAL_START_TIMER)  # the real timer
    path = tmp_path / "cache.sqlite3"
    with Cache(path, write_batch=100) as cache:
        cache.put("link", "a", "{}", ttl=60)
        deadline = time.monotonic() + 60  # generous: the CI box is loaded; not a timing test
        while _rows(path) == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _rows(path) == 1
        assert cache.get("link", "a") is not None


def test_the_batch_timer_writes_a_batch_half_a_second_old_and_nothing_after_close(
    tmp_path: Path, timers: HeldTimers, monkeypatch: pytest.MonkeyPatch
) -> None:
    import srccheck.fetch.cache as cache_module

    clock = FakeTime()
    clock.now = 0.0
    monkeypatch.setattr(cache_module, "_monotonic", clock)
    path = tmp_path / "cache.sqlite3"
    with Cache(path, write_batch=2) as cache:
        cache.put("link", "a", "{}", ttl=60)
        cache.put("link", "b", "{}", ttl=60)  # the batch is full: written at once
        assert _rows(path) == 2
        [first] = timers.started
        assert first.delay == 0.5
        clock.now = 0.3
        cache.put("link", "c", "{}", ttl=60)  # a new batch; the one timer serves it too
        assert len(timers.started) == 1
        clock.now = 0.5
        first.callback()  # c is 0.2 s old: not yet; the timer waits the 0.3 s left
        assert _rows(path) == 2
        [_, second] = timers.started
        assert second.delay == pytest.approx(0.3)
        clock.now = 0.8
        second.callback()
        assert _rows(path) == 3
        cache.put("link", "d", "{}", ttl=60)
        third = timers.started[2]
    assert third.cancelled
    assert _rows(path) == 4  # close wrote the last batch
    third.callback()  # fires after close all the same: no error, nothing written or started
    assert _rows(path) == 4
    assert len(timers.started) == 3


def test_a_warm_rerun_through_the_cli_sends_no_request(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    # The run's cache is batched: what the first run checked must be in the file when it
    # ends, so the second run (its reports rebuilt: --no-reuse) asks the network nothing.
    from tests.reuse_runs import PAGE as ARTICLE_PAGE
    from tests.reuse_runs import statuses, verify, write_article

    httpserver.expect_request("/a").respond_with_data(ARTICLE_PAGE, content_type="text/html")
    httpserver.expect_request("/weg").respond_with_data("nope", status=404)
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    urls = [httpserver.url_for(f"/{name}") for name in ("a", "weg")]
    folder, cache = tmp_path / "artikel", tmp_path / "cache"
    for i in range(3):
        write_article(folder, f"a{i}.txt", *urls)
    first = verify(folder, tmp_path / "one", cache, "--no-reuse")
    assert first.exception is None or isinstance(first.exception, SystemExit), first.output
    sent = len(httpserver.log)
    assert sent >= 2
    second = verify(folder, tmp_path / "two", cache, "--no-reuse")
    assert second.exception is None or isinstance(second.exception, SystemExit), second.output
    assert len(httpserver.log) == sent  # ZERO requests
    for i in range(3):
        found = statuses(tmp_path / "two" / f"a{i}.json")
        assert found == {urls[0]: "ok", urls[1]: "not_found"}
