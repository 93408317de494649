"""The store: where results are kept between runs, and what every stage may ask of it.

Two implementations hold the same entries under the same rules (TTL per kind,
revalidation after ``304``, transient failures never stored, a size bound with
least-recently-used eviction; see :mod:`srccheck.fetch.cache`)::

    Store (Protocol)
     ├── Cache          one SQLite file on this machine: the default
     │                  (srccheck.fetch.cache)
     └── PostgresCache  a PostgreSQL database every worker of a cluster reaches
                        (srccheck.fetch.postgres), chosen by ``--store postgresql://…``

:func:`open_store` is the one constructor: it takes the ``store`` setting (or a
path) and the run's settings and returns an open store, or raises
:class:`~srccheck.errors.UsageError` (exit code 2) when it cannot be opened: a bad
URL, an unreachable server, a refused login. A store that fails *during* a run
raises :class:`StoreError` (or ``sqlite3.Error``), which callers treat as a miss
(:data:`STORE_ERRORS`): a store only ever saves work.

A store URL may carry a password. It never leaves :class:`StoreURL` in clear:
``str()`` and ``repr()`` show it as ``***``, and every error message is redacted
(:func:`redact`).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, Self
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from srccheck.errors import UsageError

if TYPE_CHECKING:
    from types import TracebackType

    from srccheck.fetch.cache import CacheEntry, CacheStats
    from srccheck.settings import Settings

__all__ = [
    "POSTGRES_SCHEMES",
    "STORE_ERRORS",
    "Store",
    "StoreError",
    "StoreURL",
    "open_store",
    "redact",
]

#: URL schemes of a PostgreSQL store (libpq accepts both).
POSTGRES_SCHEMES: tuple[str, ...] = ("postgresql", "postgres")
_HIDDEN = "***"


class StoreError(Exception):
    """A store operation failed during a run (server gone, lock timeout, disk full …).

    Callers treat it as a miss, never as a failed check: see :data:`STORE_ERRORS`.
    """


#: What a failing store raises mid-run: SQLite's own errors, or :class:`StoreError`
#: (the PostgreSQL store translates the driver's errors, which are imported only when
#: that store is used).
STORE_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, StoreError)


@dataclass(frozen=True, slots=True)
class StoreURL:
    """A ``postgresql://user[:password]@host[:port]/database[?options]`` URL.

    ``url`` is the URL as given, for the driver only; ``str()`` and ``repr()``
    show it with the password replaced by ``***``.
    """

    url: str = field(repr=False)

    @classmethod
    def parse(cls, text: str) -> StoreURL:
        """Check that ``text`` is a PostgreSQL URL with a host or socket and a database.

        Raises:
            UsageError: another scheme, or a malformed URL (the message is redacted).
        """
        text = text.strip()
        try:
            parts = urlsplit(text)
            parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        except ValueError as exc:
            raise UsageError(f"store {redact(text)!r} is not a valid URL: {exc}") from None
        if parts.scheme.lower() not in POSTGRES_SCHEMES:
            raise UsageError(
                f"store {redact(text)!r}: expected a postgresql://user@host:port/database URL "
                "(the SQLite cache on this machine is the default; --cache-dir moves it)"
            )
        if not parts.path.strip("/"):
            raise UsageError(
                f"store {redact(text)!r} names no database: postgresql://user@host:port/DATABASE"
            )
        return cls(text)

    @property
    def password(self) -> str | None:
        """The password in the URL (user-info or ``?password=``), if any."""
        parts = urlsplit(self.url)
        query = dict(parse_qsl(parts.query))
        return parts.password or query.get("password") or None

    @property
    def redacted(self) -> str:
        return redact(self.url)

    def __str__(self) -> str:
        return self.redacted

    def __repr__(self) -> str:
        return f"StoreURL({self.redacted!r})"


def redact(text: str, secret: str | None = None) -> str:
    """``text`` with the password of any URL in it, and ``secret``, replaced by ``***``.

    A URL's user-info password and a ``password=`` query parameter are hidden; the
    user name, host, port and database stay visible (they say which store is meant).
    """
    if secret:
        text = text.replace(secret, _HIDDEN)
    try:
        parts = urlsplit(text)
    except ValueError:
        return text
    if not parts.scheme or ("@" not in parts.netloc and "password" not in parts.query):
        return text
    netloc = parts.netloc
    userinfo, at, hostport = netloc.rpartition("@")
    if at and ":" in userinfo:
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:{_HIDDEN}@{hostport}"
    query = parts.query
    if "password" in query:
        pairs = [
            (k, _HIDDEN if k == "password" else v)
            for k, v in parse_qsl(query, keep_blank_values=True)
        ]
        query = urlencode(pairs, safe="*")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


class Store(Protocol):
    """What the pipeline, the fetch and archive stages and report reuse ask of a store.

    Entries are ``(kind, key) → value`` with a TTL, optional page text (``body``,
    compressed) and HTTP validators. Every method blocks; async code calls them
    through :func:`srccheck.fetch.cache.cache_call`, which turns
    :data:`STORE_ERRORS` into a miss. One object may be used from several threads.
    """

    @property
    def address(self) -> Path | StoreURL:
        """What :func:`open_store` takes to open this store again, e.g. in another
        process (a :class:`StoreURL` keeps its password out of output)."""
        ...

    @property
    def location(self) -> str:
        """Where the store is, for people: a path, or the URL without its password."""
        ...

    def get(self, kind: str, key: str, *, stale: bool = False) -> CacheEntry | None: ...

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
    ) -> float: ...

    def refresh(
        self, kind: str, key: str, ttl: float, *, value: str | None = None
    ) -> float | None: ...

    def delete(self, kind: str, key: str) -> None: ...

    def clear(self, kind: str | None = None) -> int: ...

    def stats(self) -> CacheStats: ...

    def now(self) -> float: ...

    def unchanged_since(self, stamps: Mapping[tuple[str, str], float | None]) -> bool: ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


def open_store(
    location: str | Path | StoreURL | None,
    settings: Settings,
    *,
    clock: Callable[[], float] = time.time,
    write_batch: int = 1,
) -> Store:
    """Open the store at ``location`` with the size bound of ``settings``.

    ``location``: ``None`` → the SQLite file in ``settings.cache_dir`` (the user
    cache folder by default); a :class:`StoreURL` or a ``postgresql://`` /
    ``postgres://`` string → that PostgreSQL database (its table is created when
    missing); any other string or a path → that SQLite file. ``clock`` gives the
    epoch seconds entries are stamped with (tests pass a fake one). ``write_batch``:
    entries a SQLite cache writes per transaction (see :class:`~srccheck.fetch.cache.Cache`);
    the PostgreSQL store writes each entry at once.

    Raises:
        UsageError: the store cannot be opened (bad URL, unreachable server, refused
            login, not a SQLite file …); the message never contains a password.
    """
    from srccheck.fetch.cache import Cache, cache_path

    if isinstance(location, str):
        scheme = location.partition("://")[0].lower() if "://" in location else ""
        location = StoreURL.parse(location) if scheme else Path(location)
    if isinstance(location, StoreURL):
        from srccheck.fetch.postgres import PostgresCache

        return PostgresCache(location, max_bytes=settings.cache_max_bytes, clock=clock)
    path = location if location is not None else cache_path(settings.cache_dir)
    return Cache(path, max_bytes=settings.cache_max_bytes, clock=clock, write_batch=write_batch)
