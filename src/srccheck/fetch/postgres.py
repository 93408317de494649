"""The PostgreSQL store: the cache every worker of a cluster reaches (psycopg 3).

The same entries as the SQLite :class:`~srccheck.fetch.cache.Cache`, under the
same rules (freshness per entry from ``stored_at + ttl``, stale entries kept for
revalidation, a size bound with least-recently-used eviction, hits marked as
used in batches) — only the database differs. One table, ``srccheck_entries``,
in the database (and schema, e.g. ``?options=-csearch_path%3Dsrccheck``) the URL
names; it is created on first use, and emptied rather than migrated when an
older srccheck layout is found (``srccheck_meta``): it is a cache.

Rules that differ because of the server:

* **Sharing**: any number of processes on any machines open the same database.
  Each write is one statement or one short transaction; the table is set up under
  an advisory lock, so workers starting together do not race.
* **Time**: entries are stamped with the caller's clock, as in SQLite, so the
  machines of a cluster should keep their clocks in sync (NTP).
* **Failures**: connecting raises :class:`~srccheck.errors.UsageError` (exit code 2
  at start: bad URL, unreachable server, refused login). Anything failing later
  raises :class:`~srccheck.store.StoreError`, which callers count as a miss; a
  dropped connection is opened again at the next call.
* **Secrets**: the URL's password appears in no message (:func:`srccheck.store.redact`).

Bodies are zlib-compressed by srccheck (as in SQLite), so the column is stored
without PostgreSQL's own compression (``STORAGE EXTERNAL``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from types import TracebackType
from typing import Any, Self

import psycopg

from srccheck.errors import UsageError
from srccheck.fetch.cache import _RECENT, _TOUCH_BATCH, _ZLIB_LEVEL, CacheEntry, CacheStats
from srccheck.store import StoreError, StoreURL, redact

__all__ = ["PostgresCache"]

_SCHEMA_VERSION = "1"
_EVICT_TO = 0.9  # as in SQLite: evict down to this share of max_bytes
_RESUM_EVERY = 256  # as in SQLite: sum the payload exactly at most every this many puts
_KEYS_PER_QUERY = 10_000  # keys per ``= ANY(%s)`` of unchanged_since
# A call waits at most this long for another worker's locks (SQLite's busy timeout) and runs
# at most _STATEMENT_TIMEOUT; TCP keepalives notice a server that vanished from the network.
_LOCK_TIMEOUT = "10s"
_STATEMENT_TIMEOUT = "60s"
_KEEPALIVES = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10,
               "keepalives_count": 3}  # fmt: skip
# Any constant: serialises set-up of the table by workers that start together.
_SETUP_LOCK = 0x5C5C_0016
_META = "CREATE TABLE IF NOT EXISTS srccheck_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)"
# Run only when the table is missing: ALTER TABLE takes a lock that would wait for every
# worker reading the table.
_SCHEMA = """
CREATE TABLE srccheck_entries (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    stored_at DOUBLE PRECISION NOT NULL,
    expires_at DOUBLE PRECISION NOT NULL,
    last_used DOUBLE PRECISION NOT NULL,
    size BIGINT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    value TEXT NOT NULL,
    body BYTEA,
    PRIMARY KEY (kind, key)
);
ALTER TABLE srccheck_entries ALTER COLUMN body SET STORAGE EXTERNAL;
CREATE INDEX srccheck_entries_last_used ON srccheck_entries (last_used);
"""
_UPSERT = """
INSERT INTO srccheck_entries (kind, key, value, body, etag, last_modified,
                              stored_at, expires_at, last_used, size)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (kind, key) DO UPDATE SET
    value = EXCLUDED.value, body = EXCLUDED.body, etag = EXCLUDED.etag,
    last_modified = EXCLUDED.last_modified, stored_at = EXCLUDED.stored_at,
    expires_at = EXCLUDED.expires_at, last_used = EXCLUDED.last_used, size = EXCLUDED.size
"""
# Deletes the least recently used entries until at least %s bytes are freed: an entry goes
# when the entries used before it have not freed enough yet.
_EVICT = """
DELETE FROM srccheck_entries AS e USING (
    SELECT kind, key FROM (
        SELECT kind, key, size, SUM(size) OVER (ORDER BY last_used, kind, key) AS running
        FROM srccheck_entries
    ) AS r WHERE r.running - r.size < %s
) AS doomed
WHERE e.kind = doomed.kind AND e.key = doomed.key
"""


class PostgresCache:
    """A PostgreSQL-backed :class:`~srccheck.store.Store`; a context manager, or ``close()``.

    One connection, used under a lock (calls come from worker threads, see
    :func:`~srccheck.fetch.cache.cache_call`). ``clock`` gives epoch seconds.

    Raises:
        UsageError: the server cannot be reached, refuses the login, or the table
            cannot be created (the message names the URL without its password).
    """

    def __init__(
        self,
        url: StoreURL,
        *,
        max_bytes: int = 500 * 1024 * 1024,
        clock: Callable[[], float] = time.time,
        connect_timeout: float = 10.0,
    ) -> None:
        self._url = url
        self._max_bytes = max_bytes
        self._clock = clock
        self._connect_timeout = connect_timeout
        self._lock = threading.Lock()
        self._payload_estimate: int | None = None
        self._puts_since_sum = 0
        self._touched: dict[tuple[str, str], float] = {}
        try:
            self._db = self._connect()
            self._setup()
        except psycopg.Error as exc:
            with contextlib.suppress(AttributeError, psycopg.Error):
                self._db.close()
            raise UsageError(
                f"cannot open the store {url.redacted}: {self._message(exc)} "
                "(check --store / the 'store' setting and that the server is running)"
            ) from None

    # -- connection ------------------------------------------------------------------------

    def _connect(self) -> psycopg.Connection[Any]:
        # autocommit: one statement is one transaction; longer ones use transaction().
        db = psycopg.connect(
            self._url.url,
            autocommit=True,
            connect_timeout=max(1, round(self._connect_timeout)),
            application_name="srccheck",
            **_KEEPALIVES,
        )
        db.execute(f"SET lock_timeout = '{_LOCK_TIMEOUT}'")
        db.execute(f"SET statement_timeout = '{_STATEMENT_TIMEOUT}'")
        return db

    def _setup(self) -> None:
        db = self._db
        with db.transaction():
            db.execute("SELECT pg_advisory_xact_lock(%s)", (_SETUP_LOCK,))
            db.execute(_META)
            row = db.execute("SELECT value FROM srccheck_meta WHERE name = 'schema'").fetchone()
            version = row[0] if row is not None else None
            (exists,) = db.execute(
                "SELECT to_regclass('srccheck_entries') IS NOT NULL"
            ).fetchone() or (False,)
            if exists and version == _SCHEMA_VERSION:
                return
            if exists:  # another srccheck layout: a cache starts over, never migrates
                db.execute("DROP TABLE srccheck_entries")
            db.execute(_SCHEMA)
            db.execute(
                "INSERT INTO srccheck_meta (name, value) VALUES ('schema', %s)"
                " ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
                (_SCHEMA_VERSION,),
            )

    def _message(self, exc: BaseException) -> str:
        text = str(exc).strip().splitlines()
        joined = " ".join(line.strip() for line in text) or type(exc).__name__
        return redact(joined, self._url.password)

    @contextlib.contextmanager
    def _using(self) -> Iterator[psycopg.Connection[Any]]:
        """The connection, under the lock, opened again when it was lost (a server
        restart, a dropped network); driver errors become :class:`StoreError`."""
        with self._lock:
            try:
                if self._db.closed:
                    self._db = self._connect()
                yield self._db
            except psycopg.Error as exc:
                raise StoreError(f"store {self._url.redacted}: {self._message(exc)}") from None

    # -- the Store protocol ----------------------------------------------------------------

    @property
    def address(self) -> StoreURL:
        return self._url

    @property
    def location(self) -> str:
        return self._url.redacted

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
            if not self._db.closed:
                # Recency is a hint: never fail a close for it.
                with contextlib.suppress(psycopg.Error), self._db.transaction():
                    self._flush_touched_locked(self._db)
            self._db.close()

    def now(self) -> float:
        """The cache clock's time (epoch seconds), as stored in ``stored_at``."""
        return self._clock()

    def get(self, kind: str, key: str, *, stale: bool = False) -> CacheEntry | None:
        """As :meth:`srccheck.fetch.cache.Cache.get`."""
        now = self._clock()
        with self._using() as db:
            row = db.execute(
                "SELECT value, body, etag, last_modified, stored_at, expires_at, last_used"
                " FROM srccheck_entries WHERE kind = %s AND key = %s",
                (kind, key),
            ).fetchone()
            if row is None or (not stale and row[5] <= now):
                return None
            self._touch_locked(db, kind, key, row[6], now)
        value, body, etag, last_modified, stored_at, expires_at, _ = row
        return CacheEntry(
            kind, key, value, body, etag, last_modified, stored_at, expires_at, read_at=now
        )

    def unchanged_since(self, stamps: Mapping[tuple[str, str], float | None]) -> bool:
        """As :meth:`srccheck.fetch.cache.Cache.unchanged_since`."""
        if any(stamp is None for stamp in stamps.values()):
            return False
        now = self._clock()
        by_kind: dict[str, list[str]] = {}
        for kind, key in sorted(stamps):
            by_kind.setdefault(kind, []).append(key)
        with self._using() as db:
            for kind, names in by_kind.items():
                for start in range(0, len(names), _KEYS_PER_QUERY):
                    chunk = names[start : start + _KEYS_PER_QUERY]
                    rows = db.execute(
                        "SELECT key, stored_at, last_used FROM srccheck_entries"
                        " WHERE kind = %s AND key = ANY(%s) AND expires_at > %s",
                        (kind, chunk, now),
                    ).fetchall()
                    if len(rows) != len(chunk):
                        return False
                    if any(stored != stamps[kind, key] for key, stored, _ in rows):
                        return False
                    for key, _, last_used in rows:
                        self._touch_locked(db, kind, key, last_used, now)
        return True

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
        """As :meth:`srccheck.fetch.cache.Cache.put`."""
        now = self._clock()
        packed = zlib.compress(body.encode("utf-8"), _ZLIB_LEVEL) if body is not None else None
        size = len(kind) + len(key) + len(value) + (len(packed) if packed is not None else 0)
        with self._using() as db:
            with db.transaction():
                db.execute(
                    _UPSERT,
                    (kind, key, value, packed, etag, last_modified, now, now + ttl, now, size),
                )
                self._flush_touched_locked(db)
            self._evict_locked(db, size)
        return now

    def refresh(
        self, kind: str, key: str, ttl: float, *, value: str | None = None
    ) -> float | None:
        """As :meth:`srccheck.fetch.cache.Cache.refresh`."""
        now = self._clock()
        with self._using() as db:
            cursor = db.execute(
                "UPDATE srccheck_entries SET stored_at = %s, expires_at = %s, last_used = %s,"
                " value = COALESCE(%s::text, value) WHERE kind = %s AND key = %s",
                (now, now + ttl, now, value, kind, key),
            )
        return now if cursor.rowcount > 0 else None

    def delete(self, kind: str, key: str) -> None:
        with self._using() as db:
            db.execute("DELETE FROM srccheck_entries WHERE kind = %s AND key = %s", (kind, key))

    def clear(self, kind: str | None = None) -> int:
        """Delete every entry (of ``kind``) and give the space back; returns the count."""
        with self._using() as db:
            if kind is None:
                cursor = db.execute("DELETE FROM srccheck_entries")
            else:
                cursor = db.execute("DELETE FROM srccheck_entries WHERE kind = %s", (kind,))
            removed = cursor.rowcount
            db.execute("VACUUM srccheck_entries")  # autocommit: VACUUM runs outside transactions
            self._payload_estimate = None
        return removed

    def stats(self) -> CacheStats:
        with self._using() as db:
            per_kind = {
                kind: count
                for kind, count in db.execute(
                    "SELECT kind, COUNT(*) FROM srccheck_entries GROUP BY kind ORDER BY kind"
                )
            }
            payload, oldest, newest, table_bytes = db.execute(
                "SELECT COALESCE(SUM(size), 0), MIN(stored_at), MAX(stored_at),"
                " pg_total_relation_size('srccheck_entries') FROM srccheck_entries"
            ).fetchone() or (0, None, None, 0)
        return CacheStats(
            location=self.location,
            entries=per_kind,
            payload_bytes=int(payload),
            file_bytes=int(table_bytes),
            oldest=dt.datetime.fromtimestamp(oldest, dt.UTC) if oldest is not None else None,
            newest=dt.datetime.fromtimestamp(newest, dt.UTC) if newest is not None else None,
        )

    # -- recency and the size bound (the rules of srccheck.fetch.cache) ---------------------

    def _touch_locked(
        self, db: psycopg.Connection[Any], kind: str, key: str, last_used: float, now: float
    ) -> None:
        if now - last_used < _RECENT:
            return
        self._touched[kind, key] = now
        if len(self._touched) >= _TOUCH_BATCH:
            # From a read: never wait long for, or fail on, another worker's row locks.
            try:
                with db.transaction():
                    db.execute("SET LOCAL lock_timeout = '200ms'")
                    self._flush_touched_locked(db)
            except psycopg.Error:
                self._touched.clear()

    def _flush_touched_locked(self, db: psycopg.Connection[Any]) -> None:
        touched, self._touched = self._touched, {}
        if touched:
            # In key order: two workers flushing overlapping batches never deadlock.
            with db.cursor() as cursor:
                cursor.executemany(
                    "UPDATE srccheck_entries SET last_used = %s WHERE kind = %s AND key = %s",
                    [(when, kind, key) for (kind, key), when in sorted(touched.items())],
                )

    def _evict_locked(self, db: psycopg.Connection[Any], added: int) -> None:
        """Keep the payload under ``max_bytes`` after a put of ``added`` bytes."""
        self._puts_since_sum += 1
        if self._payload_estimate is not None:
            self._payload_estimate += added
            if self._payload_estimate <= self._max_bytes and self._puts_since_sum < _RESUM_EVERY:
                return
        row = db.execute("SELECT COALESCE(SUM(size), 0) FROM srccheck_entries").fetchone()
        total = int(row[0]) if row is not None else 0
        self._payload_estimate, self._puts_since_sum = total, 0
        if total <= self._max_bytes:
            return
        self._payload_estimate = None  # summed again at the next put
        # The entry is stored; a failed eviction (another worker evicting the same rows)
        # is tried again at the next put.
        with contextlib.suppress(psycopg.Error):
            db.execute(_EVICT, (total - int(self._max_bytes * _EVICT_TO),))
