"""The persistent cache: one SQLite file shared by runs (stdlib ``sqlite3``).

This is the embedded default :class:`~srccheck.store.Store`; a cluster uses the
PostgreSQL store (:mod:`srccheck.fetch.postgres`), which keeps the same entries under
the same rules (below). Both are opened with :func:`srccheck.store.open_store`.

Generic API, usable by any stage (the fetch stage stores link checks and
robots.txt files, the archive stage may store its lookups)::

    with Cache(path, max_bytes=...) as cache:
        cache.put("archive", key, value_json, ttl=30 * 86400)
        entry = cache.get("archive", key)          # None when missing or expired
        entry = cache.get("link", url, stale=True)  # expired entries too (revalidation)

``value`` is text (JSON, by convention); ``body`` is optional text stored
zlib-compressed (page text). ``etag``/``last_modified`` keep the validators
for conditional requests; :meth:`Cache.refresh` renews an entry after a
``304 Not Modified`` without rewriting its body.

Rules:

* **Freshness**: an entry is fresh until ``stored_at + ttl``; TTLs are chosen
  per kind by the caller (:func:`link_ttl` for link checks).
* **Never cached** (:func:`link_ttl` returns ``None``): transient failures —
  timeout, connection and DNS errors, ``blocked`` bot walls, ``consent_wall``,
  ``unreadable`` documents, HTTP 408, 429 and 5xx — and results decided by
  this run's settings without a request (``invalid``, ``blocked_by_policy``, ``skipped``).
* **Safe sharing**: WAL journal, ``busy_timeout``, one statement or one short
  ``BEGIN IMMEDIATE`` transaction per call, so two runs can share the file and
  a killed run leaves a consistent database (SQLite's atomic commit).
* **Bounded**: when the stored payload (keys, values, compressed bodies)
  exceeds ``max_bytes``, the least recently used entries are deleted until it
  is below 90 % of the bound. A put adds its size to a running estimate and
  sums the table only when the estimate passes the bound, or every 256 puts
  (so writes by another process sharing the file are noticed too). The file
  itself shrinks only on ``clear`` (``VACUUM``); freed pages are reused meanwhile.
* **Batched writes** (``write_batch`` > 1, as a run opens its cache with
  :func:`open_cache`): puts are queued and written many to one transaction —
  when ``write_batch`` entries (or 4 MB) are queued, half a second after the
  oldest queued one (by a timer thread, so also when no other put follows:
  a run's last results reach the file while it goes on waiting for slow hosts
  or matching claims), before any other write, count or comparison
  (``refresh``, ``delete``, ``clear``, ``stats``, ``unchanged_since``), and on
  close. A timer that fires after close writes nothing. A queued entry is read back by this
  cache's ``get`` at once; another connection sees it once written. A run
  killed without closing loses the queued entries, at most the last batch (they
  are fetched again next time: a cache only saves work); one that fails to
  write a batch (the file locked beyond the busy timeout, disk full) loses that
  batch, as it would have lost each single put. One transaction per put was a
  sixth of a cold links-only run's CPU (README "Benchmarks"). The stages of a
  ``--workers`` run open the store unbatched: their pages must be visible to the
  other processes as soon as a check returns.
* Calls block; async code runs them with ``asyncio.to_thread`` (a lock makes
  one connection safe to use from worker threads) through :func:`cache_call`,
  which runs two calls in the event loop instead when they cannot wait: a
  ``get`` (a WAL read waits for no writer) and a queued ``put`` that writes
  nothing and compresses no page, each only when the lock is free at once. A thread hop costs about
  0.1 ms of CPU, more than either call.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import sqlite3
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Self, TypeVar

import platformdirs

from srccheck.errors import UsageError
from srccheck.fetch.model import FetchOutcome, Page
from srccheck.models import LinkCheck
from srccheck.status import Status
from srccheck.store import STORE_ERRORS, Store, open_store

if TYPE_CHECKING:
    from srccheck.settings import Settings

__all__ = [
    "CACHE_FILE_NAME",
    "RUN_WRITE_BATCH",
    "Cache",
    "CacheEntry",
    "CacheKind",
    "CacheStats",
    "cache_call",
    "cache_path",
    "decode_outcome",
    "default_cache_dir",
    "encode_outcome",
    "lacks_text",
    "link_ttl",
    "open_cache",
    "try_decode_outcome",
]

_T = TypeVar("_T")

CACHE_FILE_NAME = "cache.sqlite3"
# 2: the body is the last column. SQLite stores a row's columns in order, so with a
# 35 KB page body in the middle, reading stored_at or expires_at walked the body's
# overflow pages (a warm run's freshness checks: 0.19 ms per article instead of 0.02).
_SCHEMA_VERSION = 2
_EVICT_TO = 0.9  # evict down to this share of max_bytes, so evictions are rare
# zlib level 1 compresses a 100 KB news page in ~0.9 ms to ~34 % (level 6: ~2.3 ms, ~30 %):
# a page is stored for every check, so the faster level wins (bench/README.md).
_ZLIB_LEVEL = 1
# Payload bytes are summed exactly (one index scan) at most every this many puts; in
# between, a running estimate (which only over-counts) decides whether to look.
_RESUM_EVERY = 256
# Hits' last_used times are written this many at a time (and before any eviction or close),
# and only when the stored time is older than _RECENT seconds: recency is kept to that.
_TOUCH_BATCH = 512
_RECENT = 600.0
# Batched writes (write_batch > 1): a queued put is written this many seconds after the
# oldest queued one at the latest, and as soon as this many bytes are queued.
_WRITE_DELAY = 0.5
_WRITE_BYTES = 4 * 1024 * 1024
_monotonic = time.monotonic  # the batch timer's clock (tests replace it)
#: Entries per write transaction of a run's cache (open_cache).
RUN_WRITE_BATCH = 256
# Keys per query of unchanged_since: under SQLite's historic limit of 999 parameters.
_KEYS_PER_QUERY = 900
_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    stored_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    last_used REAL NOT NULL,
    size INTEGER NOT NULL,
    etag TEXT,
    last_modified TEXT,
    value TEXT NOT NULL,
    body BLOB,
    UNIQUE (kind, key)
);
CREATE INDEX IF NOT EXISTS entries_last_used ON entries (last_used);
CREATE INDEX IF NOT EXISTS entries_size ON entries (size);
"""
_INSERT = (
    "INSERT OR REPLACE INTO entries (kind, key, value, body, etag, last_modified,"
    " stored_at, expires_at, last_used, size) VALUES (?,?,?,?,?,?,?,?,?,?)"
)
_STORED_AT, _SIZE = 6, 9  # positions in a row of _INSERT
# entries_size covers the SUM(size) of the size bound: without it SQLite reads every row
# (bodies are stored inline). Existing files gain the index when next opened.


class CacheKind(StrEnum):
    """Kinds used by srccheck itself; any other string is a valid kind too."""

    LINK = "link"
    ROBOTS = "robots"
    ARCHIVE = "archive"


@dataclass(frozen=True, slots=True)
class CacheEntry:
    """One stored value as read at ``read_at`` (epoch seconds of the cache's clock)."""

    kind: str
    key: str
    value: str
    compressed_body: bytes | None  # zlib; decompressed only when ``body`` is read
    etag: str | None
    last_modified: str | None
    stored_at: float
    expires_at: float
    read_at: float

    @property
    def body(self) -> str | None:
        """The stored text (a page), decompressed on each access: most hits never need it."""
        if self.compressed_body is None:
            return None
        return zlib.decompress(self.compressed_body).decode("utf-8")

    @property
    def fresh(self) -> bool:
        return self.read_at < self.expires_at

    @property
    def age(self) -> float:
        """Seconds since the entry was stored or last revalidated."""
        return max(self.read_at - self.stored_at, 0.0)

    @property
    def stored_datetime(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.stored_at, dt.UTC)


@dataclass(frozen=True, slots=True)
class CacheStats:
    """What ``srccheck cache stats`` prints.

    ``location``: the file's path, or the PostgreSQL URL without its password;
    ``file_bytes``: the database file (and its WAL), or the table with its indexes.
    """

    location: str
    entries: dict[str, int]
    payload_bytes: int
    file_bytes: int
    oldest: dt.datetime | None
    newest: dt.datetime | None


def default_cache_dir() -> Path:
    """The per-user cache folder (``~/.cache/srccheck`` on Linux)."""
    return Path(platformdirs.user_cache_dir("srccheck"))


def cache_path(cache_dir: Path | None) -> Path:
    """The database file inside ``cache_dir`` (the default folder when ``None``)."""
    return (cache_dir or default_cache_dir()) / CACHE_FILE_NAME


class Cache:
    """A SQLite-backed key/value cache with TTLs; use as a context manager or ``close()``.

    ``clock`` gives epoch seconds (``time.time``); tests pass a fake one.
    ``write_batch``: entries written per transaction (1: each put at once; see
    "Batched writes" in the module docstring).

    Raises:
        UsageError: the file cannot be created or is not a SQLite database.
    """

    def __init__(
        self,
        path: Path,
        *,
        max_bytes: int = 500 * 1024 * 1024,
        clock: Callable[[], float] = time.time,
        busy_timeout: float = 10.0,
        write_batch: int = 1,
    ) -> None:
        self.path = path
        self._write_batch = max(1, write_batch)
        # Queued puts (write_batch > 1): (kind, key) -> the row to insert, in column order
        # of _INSERT; the monotonic time of the oldest, and the queued bytes.
        self._queued: dict[tuple[str, str], tuple[Any, ...]] = {}
        self._queued_since = 0.0
        self._queued_bytes = 0
        # The batch timer (at most one, so at most two threads started a second): when it
        # fires, it writes the queued batch if that is half a second old, else waits again.
        self._timer: _Timer | None = None
        self._closed = False
        self._max_bytes = max_bytes
        self._clock = clock
        self._busy_ms = int(busy_timeout * 1000)
        self._lock = threading.Lock()
        # Upper estimate of the stored payload: exact after each SUM, then grown by every
        # put (a replaced row is not subtracted, and other processes' writes are not seen
        # until the next SUM, at most _RESUM_EVERY puts later).
        self._payload_estimate: int | None = None
        self._puts_since_sum = 0
        # Hits whose last_used is not written yet: (kind, key) -> time of the latest hit.
        # A key read by many articles of a run is written once per batch.
        self._touched: dict[tuple[str, str], float] = {}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
            self._setup(busy_timeout)
        except (OSError, sqlite3.Error) as exc:
            raise UsageError(
                f"cannot open the cache {path}: {exc} (use --cache-dir or --no-cache)"
            ) from exc

    @property
    def address(self) -> Path:
        """What :func:`srccheck.store.open_store` takes to open this cache again."""
        return self.path

    @property
    def location(self) -> str:
        return str(self.path)

    def _setup(self, busy_timeout: float) -> None:
        db = self._db
        db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        db.execute("PRAGMA journal_mode = WAL")  # readers never block the writer
        db.execute("PRAGMA synchronous = NORMAL")  # WAL stays consistent after a crash
        (version,) = db.execute("PRAGMA user_version").fetchone()
        if version not in (0, _SCHEMA_VERSION):
            db.execute("DROP TABLE IF EXISTS entries")  # a cache: start over, never migrate
        db.executescript(_SCHEMA)
        db.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
            # A batch that cannot be written is lost, as a failed put is: a cache only
            # saves work, and recency is a hint. Neither fails a close.
            with contextlib.suppress(sqlite3.Error):
                self._write_queued_locked()
            with contextlib.suppress(sqlite3.Error), self._transaction_locked():
                self._flush_touched_locked()
            self._db.close()

    @contextlib.contextmanager
    def _transaction_locked(self) -> Iterator[None]:
        """One short write transaction (the caller holds the lock): all or nothing."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _flush_touched_locked(self) -> None:
        touched, self._touched = self._touched, {}
        if touched:
            self._db.executemany(
                "UPDATE entries SET last_used = ? WHERE kind = ? AND key = ?",
                [(when, kind, key) for (kind, key), when in touched.items()],
            )

    def get(self, kind: str, key: str, *, stale: bool = False) -> CacheEntry | None:
        """The entry for ``(kind, key)``; ``None`` when missing, or expired unless ``stale``.

        A hit marks the entry as recently used (for the size bound), to within ten
        minutes; the mark is written with the next put, every 512 hits, or on close.
        """
        with self._lock:
            return self._get_locked(kind, key, stale)

    def _get_locked(self, kind: str, key: str, stale: bool) -> CacheEntry | None:
        now = self._clock()
        queued = self._queued.get((kind, key))
        if queued is not None:
            _, _, value, body, etag, last_modified, stored_at, expires_at, _, _ = queued
            if not stale and expires_at <= now:
                return None
            return CacheEntry(
                kind, key, value, body, etag, last_modified, stored_at, expires_at, read_at=now
            )
        row = self._db.execute(
            "SELECT value, body, etag, last_modified, stored_at, expires_at, last_used "
            "FROM entries WHERE kind = ? AND key = ?",
            (kind, key),
        ).fetchone()
        if row is None or (not stale and row[5] <= now):
            return None
        self._touch_locked(kind, key, row[6], now)
        value, body, etag, last_modified, stored_at, expires_at, _ = row
        return CacheEntry(
            kind, key, value, body, etag, last_modified, stored_at, expires_at, read_at=now
        )

    def get_at_once(
        self, kind: str, key: str, *, stale: bool = False
    ) -> tuple[bool, CacheEntry | None]:
        """:meth:`get` if that needs no wait for the lock: ``(True, entry)``, else
        ``(False, None)`` (another thread holds the lock: call :meth:`get` in a thread).
        For the event loop (:func:`cache_call`): a WAL read never waits for a writer."""
        if not self._lock.acquire(blocking=False):
            return False, None
        try:
            return True, self._get_locked(kind, key, stale)
        finally:
            self._lock.release()

    def now(self) -> float:
        """The cache clock's time (epoch seconds), as stored in ``stored_at``."""
        return self._clock()

    def unchanged_since(self, stamps: Mapping[tuple[str, str], float | None]) -> bool:
        """True when every ``(kind, key)`` is still stored with the ``stored_at`` it had when
        it was used (``stamps``) and is still fresh: whatever was built from these entries
        is still current. A stamp of None (the result was not cached) is never unchanged.

        The entries count as used (for the size bound), like hits of :meth:`get`.
        """
        if any(stamp is None for stamp in stamps.values()):
            return False
        now = self._clock()
        by_kind: dict[str, list[str]] = {}
        for kind, key in sorted(stamps):
            by_kind.setdefault(kind, []).append(key)
        with self._lock:
            self._write_queued_locked()
            for kind, names in by_kind.items():
                for start in range(0, len(names), _KEYS_PER_QUERY):
                    chunk = names[start : start + _KEYS_PER_QUERY]
                    marks = ", ".join("?" * len(chunk))  # placeholders only, values bound
                    # kind = ? AND key IN (…) is answered from the (kind, key) index.
                    rows = self._db.execute(
                        "SELECT key, stored_at, last_used FROM entries"
                        f" WHERE kind = ? AND key IN ({marks}) AND expires_at > ?",
                        [kind, *chunk, now],
                    ).fetchall()
                    if len(rows) != len(chunk):
                        return False
                    if any(stored != stamps[kind, key] for key, stored, _ in rows):
                        return False
                    for key, _, last_used in rows:
                        self._touch_locked(kind, key, last_used, now)
        return True

    def _touch_locked(self, kind: str, key: str, last_used: float, now: float) -> None:
        """Mark a hit as recent use, unless the stored mark is recent enough already.

        Marks are written in batches (one write transaction per hit made warm runs,
        all hits, spend most of their time committing), and only when the stored one
        is older than _RECENT: SQLite rewrites a whole row, page body included, to
        change one column, so re-marking a 35 KB page read a minute ago is not worth it.
        """
        if now - last_used < _RECENT:
            return
        self._touched[kind, key] = now
        if len(self._touched) >= _TOUCH_BATCH:
            self._flush_touched_quietly_locked()

    def _flush_touched_quietly_locked(self) -> None:
        """Write the pending marks from a read without ever waiting for, or failing on,
        another process's write lock: marks are a hint, and are dropped when busy."""
        try:
            self._db.execute("PRAGMA busy_timeout = 0")
            with self._transaction_locked():
                self._flush_touched_locked()
        except sqlite3.Error:
            self._touched.clear()
        finally:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute(f"PRAGMA busy_timeout = {self._busy_ms}")

    def put(
        self,
        kind: str,
        key: str,
        value: str,
        ttl: float,
        *,
        body: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> float:
        """Store (or replace) ``value`` for ``ttl`` seconds; evicts when over the size bound.

        Returns the entry's ``stored_at`` (what :meth:`unchanged_since` compares).
        With ``write_batch`` > 1 the entry is queued and written with its batch."""
        row = self._row(kind, key, value, ttl, body, etag, last_modified)
        with self._lock:
            self._queue_locked(row)
            if self._write_due_locked():
                self._write_queued_locked()
        return row[_STORED_AT]

    def put_at_once(
        self,
        kind: str,
        key: str,
        value: str,
        ttl: float,
        *,
        body: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> tuple[bool, float | None]:
        """Queue a put when that writes nothing and needs no wait for the lock:
        ``(True, stored_at)``; else ``(False, None)`` (unbatched, the lock busy, or a
        batch due: call :meth:`put` in a thread). For the event loop (:func:`cache_call`).
        A put with a ``body`` goes to the thread too: compressing a page takes about a
        millisecond, which zlib spends without the GIL, beside the loop."""
        if body is not None or self._write_batch == 1:
            return False, None
        if not self._lock.acquire(blocking=False):
            return False, None
        try:
            if len(self._queued) + 1 >= self._write_batch or self._write_due_locked():
                return False, None
            row = self._row(kind, key, value, ttl, body, etag, last_modified)
            self._queue_locked(row)
            return True, row[_STORED_AT]
        finally:
            self._lock.release()

    def _row(
        self,
        kind: str,
        key: str,
        value: str,
        ttl: float,
        body: str | None,
        etag: str | None,
        last_modified: str | None,
    ) -> tuple[Any, ...]:
        """The row of a put, in the column order of _INSERT."""
        now = self._clock()
        packed = zlib.compress(body.encode("utf-8"), _ZLIB_LEVEL) if body is not None else None
        size = len(kind) + len(key) + len(value) + (len(packed) if packed is not None else 0)
        return (kind, key, value, packed, etag, last_modified, now, now + ttl, now, size)

    def _queue_locked(self, row: tuple[Any, ...]) -> None:
        if not self._queued:
            self._queued_since = _monotonic()
            if self._write_batch > 1 and self._timer is None:
                self._start_timer_locked(_WRITE_DELAY)
        replaced = self._queued.get((row[0], row[1]))
        if replaced is not None:  # the same key again: only the last row is written
            self._queued_bytes -= replaced[_SIZE]
        self._queued[row[0], row[1]] = row
        self._queued_bytes += row[_SIZE]

    def _write_due_locked(self) -> bool:
        return bool(self._queued) and (
            len(self._queued) >= self._write_batch
            or self._queued_bytes >= _WRITE_BYTES
            or _monotonic() - self._queued_since >= _WRITE_DELAY
        )

    def _start_timer_locked(self, delay: float) -> None:
        if self._closed:
            return
        try:
            self._timer = _start_timer(delay, self._write_on_time)
        except RuntimeError:  # no thread to be had (the interpreter is exiting):
            self._timer = None  # the next put or close writes the batch

    def _write_on_time(self) -> None:
        """The timer: write the queued batch once it is half a second old."""
        with self._lock:
            self._timer = None
            if self._closed or not self._queued:
                return
            left = _WRITE_DELAY - (_monotonic() - self._queued_since)
            if left > 0:  # an earlier batch was written when full: this one is younger
                self._start_timer_locked(left)
                return
            # A batch that cannot be written is lost, as in close (see the module).
            with contextlib.suppress(sqlite3.Error):
                self._write_queued_locked()

    def _write_queued_locked(self) -> None:
        """Write the queued puts in one transaction (dropped if it fails: see the module)."""
        queued = self._queued
        if not queued:
            return
        self._queued, self._queued_bytes = {}, 0
        rows = list(queued.values())
        with self._transaction_locked():
            self._db.executemany(_INSERT, rows)
            self._evict_locked(sum(row[_SIZE] for row in rows), puts=len(rows))

    def refresh(
        self, kind: str, key: str, ttl: float, *, value: str | None = None
    ) -> float | None:
        """Mark an entry as just validated (fresh for ``ttl``), optionally with a new value.

        The body is kept as it is. Returns the new ``stored_at``, or None when the entry
        no longer exists.
        """
        now = self._clock()
        with self._lock:
            self._write_queued_locked()
            cursor = self._db.execute(
                "UPDATE entries SET stored_at = ?, expires_at = ?, last_used = ?,"
                " value = COALESCE(?, value) WHERE kind = ? AND key = ?",
                (now, now + ttl, now, value, kind, key),
            )
        return now if cursor.rowcount > 0 else None

    def delete(self, kind: str, key: str) -> None:
        with self._lock:
            self._write_queued_locked()
            self._db.execute("DELETE FROM entries WHERE kind = ? AND key = ?", (kind, key))

    def clear(self, kind: str | None = None) -> int:
        """Delete every entry (of ``kind``) and give the space back; returns the count."""
        with self._lock:
            self._write_queued_locked()
            if kind is None:
                cursor = self._db.execute("DELETE FROM entries")
            else:
                cursor = self._db.execute("DELETE FROM entries WHERE kind = ?", (kind,))
            self._db.execute("VACUUM")
            self._payload_estimate = None
        return cursor.rowcount

    def stats(self) -> CacheStats:
        with self._lock:
            self._write_queued_locked()
            per_kind = dict(
                self._db.execute("SELECT kind, COUNT(*) FROM entries GROUP BY kind ORDER BY kind")
            )
            payload, oldest, newest = self._db.execute(
                "SELECT COALESCE(SUM(size), 0), MIN(stored_at), MAX(stored_at) FROM entries"
            ).fetchone()
        files = [self.path, self.path.with_name(self.path.name + "-wal")]
        return CacheStats(
            location=str(self.path),
            entries=per_kind,
            payload_bytes=payload,
            file_bytes=sum(p.stat().st_size for p in files if p.exists()),
            oldest=dt.datetime.fromtimestamp(oldest, dt.UTC) if oldest is not None else None,
            newest=dt.datetime.fromtimestamp(newest, dt.UTC) if newest is not None else None,
        )

    def _evict_locked(self, added: int, *, puts: int = 1) -> None:
        """Keep the payload under ``max_bytes`` after ``puts`` puts of ``added`` bytes."""
        self._flush_touched_locked()  # in the put's transaction: recency decides evictions
        self._puts_since_sum += puts
        if self._payload_estimate is not None:
            self._payload_estimate += added
            if self._payload_estimate <= self._max_bytes and self._puts_since_sum < _RESUM_EVERY:
                return
        (total,) = self._db.execute("SELECT COALESCE(SUM(size), 0) FROM entries").fetchone()
        self._payload_estimate, self._puts_since_sum = total, 0
        if total <= self._max_bytes:
            return
        excess = total - int(self._max_bytes * _EVICT_TO)
        doomed: list[int] = []
        for rowid, size in self._db.execute("SELECT rowid, size FROM entries ORDER BY last_used"):
            if excess <= 0:
                break
            doomed.append(rowid)
            excess -= size
        self._db.executemany("DELETE FROM entries WHERE rowid = ?", [(r,) for r in doomed])
        self._payload_estimate = None  # summed again at the next put


class _Timer(Protocol):
    def cancel(self) -> None: ...


def _start_timer(delay: float, callback: Callable[[], None]) -> _Timer:
    """Call ``callback`` in a daemon thread in ``delay`` seconds (tests replace this)."""
    timer = threading.Timer(delay, callback)
    timer.daemon = True  # never keeps the interpreter alive: close writes the batch anyway
    timer.start()
    return timer


async def cache_call(call: Callable[..., _T], *args: Any, **kwargs: Any) -> _T | None:
    """Run a blocking cache method in a thread, from async code.

    A failing store (locked beyond the busy timeout, disk full, server gone …) is a
    miss, never a failed check or lookup: the cache only ever saves work.

    A SQLite :class:`Cache`'s ``get`` and batched ``put`` run in the loop when they
    need no wait (``get_at_once``, ``put_at_once``); the rest go to a thread.
    """
    try:
        owner = getattr(call, "__self__", None)
        if isinstance(owner, Cache):
            at_once = _AT_ONCE.get(getattr(call, "__func__", None))
            if at_once is not None:
                done, result = at_once(owner, *args, **kwargs)
                if done:
                    return result
        return await asyncio.to_thread(call, *args, **kwargs)
    except STORE_ERRORS:
        return None


_AT_ONCE: dict[Any, Callable[..., tuple[bool, Any]]] = {
    Cache.get: Cache.get_at_once,
    Cache.put: Cache.put_at_once,
}


def open_cache(settings: Settings, *, clock: Callable[[], float] = time.time) -> Store | None:
    """The run's store per ``settings``: ``settings.store`` (a PostgreSQL URL) or the
    SQLite file in ``cache_dir``; ``None`` with ``use_cache=False`` (``--no-cache``).
    A SQLite cache writes in batches of :data:`RUN_WRITE_BATCH` (the PostgreSQL store
    writes each entry at once).

    Raises:
        UsageError: the store cannot be opened (see :func:`srccheck.store.open_store`).
    """
    if not settings.use_cache:
        return None
    return open_store(settings.store, settings, clock=clock, write_batch=RUN_WRITE_BATCH)


# -- link checks -----------------------------------------------------------------------------

_NO_REQUEST = frozenset({Status.INVALID, Status.BLOCKED_BY_POLICY, Status.SKIPPED})
_TRANSIENT_CODES = frozenset({408, 429})
# Answers about the client rather than the page (a bot or consent wall), and documents
# whose reading failed (a time limit may pass on a less busy run): asked again each run.
_NOT_KEPT = frozenset({Status.BLOCKED, Status.CONSENT_WALL, Status.UNREADABLE})


def link_ttl(check: LinkCheck, settings: Settings) -> float | None:
    """How long a link check stays fresh, or ``None`` when it must not be cached.

    ``ok``/``redirected`` → ``cache_ttl_live``; transient failures, bot and
    consent walls, unreadable documents, HTTP 408/429/5xx and results made
    without a request → never; every other (definitive) failure — 404, 410,
    soft 404, other 4xx, TLS, redirect loops — → ``cache_ttl_failure``.
    """
    code = check.http_status
    if check.status.is_transient or check.status in _NO_REQUEST or check.status in _NOT_KEPT:
        return None
    if check.status is Status.DNS_ERROR:
        return None
    if code is not None and (code in _TRANSIENT_CODES or code >= 500):
        return None
    if check.status.is_success:
        return settings.cache_ttl_live
    return settings.cache_ttl_failure


def encode_outcome(outcome: FetchOutcome, *, text: bool = True) -> tuple[str, str | None]:
    """``(value, body)`` to store for a fetch outcome: the check and page metadata as JSON.

    ``text=False`` leaves the page text out (a links-only run: compressing and
    storing it was a third of such a run's CPU, README "Benchmarks"); the entry
    then says so, and a run that reads page texts treats it as a miss
    (:func:`lacks_text`).
    """
    page = outcome.page
    data: dict[str, Any] = {
        "check": outcome.check.model_dump(mode="json"),
        "page": None
        if page is None
        else {
            "url": page.url,
            "content_type": page.content_type,
            "charset": page.charset,
            "truncated": page.truncated,
        },
    }
    body = page.text if page is not None else None
    if page is not None and not text:
        data["text_left_out"] = True
        body = None
    return json.dumps(data, ensure_ascii=False), body


def lacks_text(entry: CacheEntry) -> bool:
    """True when ``entry`` was stored without its page text (``encode_outcome(text=False)``)."""
    return '"text_left_out": true' in entry.value


def try_decode_outcome(
    entry: CacheEntry | None, *, page: bool = True, **changes: Any
) -> FetchOutcome | None:
    """:func:`decode_outcome`, or ``None`` for a missing entry or one that no longer
    parses (written by another srccheck version): such an entry is a cache miss."""
    if entry is None:
        return None
    try:
        return decode_outcome(entry, page=page, **changes)
    except (ValueError, KeyError, TypeError, zlib.error):  # pydantic's errors are ValueErrors
        return None


def decode_outcome(entry: CacheEntry, *, page: bool = True, **changes: Any) -> FetchOutcome:
    """The stored outcome, marked ``from_cache`` with its age; ``changes`` update the check.

    ``page=False`` leaves the page out (and its text compressed): for runs that
    only check links.
    """
    data = json.loads(entry.value)
    check = LinkCheck.model_validate(data["check"]).model_copy(
        update={
            "from_cache": True,
            "cached_at": entry.stored_datetime,
            "age_seconds": round(entry.age, 3),
            **changes,
        }
    )
    stored = None
    if page and data["page"] is not None:
        stored = Page(text=entry.body, **data["page"])
    return FetchOutcome(check=check, page=stored)
