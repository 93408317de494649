"""The PostgreSQL store's own behaviour on a real server (tests/postgres_server.py): what
the shared cache tests (test_cache.py) cannot ask of SQLite — a lost connection, a
vanished database, another layout, another worker's row locks."""

from __future__ import annotations

import psycopg
import pytest
from tests.postgres_server import PASSWORD, PostgresServer

from srccheck.fetch.cache import cache_call
from srccheck.fetch.postgres import PostgresCache
from srccheck.settings import Settings
from srccheck.store import StoreError, StoreURL, open_store


@pytest.fixture
def url(postgres: PostgresServer) -> str:
    return postgres.new_database()


def _open(url: str) -> PostgresCache:
    store = open_store(url, Settings())
    assert isinstance(store, PostgresCache)
    return store


def _terminate_others(postgres: PostgresServer, url: str) -> int:
    """End every srccheck connection to ``url``'s database, as a server restart would."""
    database = url.rsplit("/", 1)[1]
    rows = postgres.sql(
        postgres.url(),
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = %s AND application_name = 'srccheck'",
        (database,),
    )
    return len(rows)


def test_a_lost_connection_is_opened_again(postgres: PostgresServer, url: str) -> None:
    with _open(url) as store:
        store.put("link", "https://a.example/", "{}", ttl=3600, body="Seite")
        assert _terminate_others(postgres, url) == 1
        # The first call after the loss may fail (a miss for its caller) ...
        try:
            entry = store.get("link", "https://a.example/")
        except StoreError as exc:
            failure = str(exc)
            entry = store.get("link", "https://a.example/")
        else:
            failure = ""
        assert PASSWORD not in failure
        # ... and the store works again without a new run.
        assert entry is not None
        assert entry.body == "Seite"


async def test_a_vanished_database_is_a_miss_not_a_failure(
    postgres: PostgresServer, url: str
) -> None:
    store = _open(url)
    try:
        store.put("link", "https://a.example/", "{}", ttl=3600)
        database = url.rsplit("/", 1)[1]
        postgres.sql(postgres.url(), f'DROP DATABASE "{database}" WITH (FORCE)')
        assert await cache_call(store.get, "link", "https://a.example/") is None
        assert await cache_call(store.put, "link", "https://b.example/", "{}", 60) is None
        with pytest.raises(StoreError) as raised:
            store.get("link", "https://a.example/")
        assert PASSWORD not in str(raised.value)
        assert "***" in str(raised.value)  # which store: named without its password
    finally:
        store.close()


def test_a_table_of_another_layout_starts_over(postgres: PostgresServer, url: str) -> None:
    postgres.sql(url, "CREATE TABLE srccheck_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
    postgres.sql(url, "INSERT INTO srccheck_meta VALUES ('schema', '0')")
    postgres.sql(url, "CREATE TABLE srccheck_entries (kind TEXT, key TEXT, blob BYTEA)")
    postgres.sql(url, "INSERT INTO srccheck_entries VALUES ('link', 'k', NULL)")
    with _open(url) as store:
        assert store.get("link", "k") is None
        store.put("link", "k", "{}", ttl=60, body="Seite")
        entry = store.get("link", "k")
        assert entry is not None
        assert entry.body == "Seite"
    with _open(url) as store:  # the current layout is kept as it is
        entry = store.get("link", "k")
        assert entry is not None


def test_workers_opening_together_share_one_table(url: str) -> None:
    stores = [_open(url) for _ in range(4)]
    try:
        for number, store in enumerate(stores):
            store.put("archive", f"k{number}", "{}", ttl=60)
        assert stores[0].stats().entries == {"archive": 4}
    finally:
        for store in stores:
            store.close()


@pytest.mark.timeout(120)  # without the store's lock timeout the read waits forever
def test_a_read_does_not_wait_for_another_workers_row_locks(
    postgres: PostgresServer, url: str
) -> None:
    """Hits are marked as used in batches from a read; another worker holding the rows
    (a long transaction) must not make the read wait for it, or fail."""
    now = [1_700_000_000.0]
    with open_store(url, Settings(), clock=lambda: now[0]) as store:
        for i in range(600):
            store.put("link", f"https://a.example/{i}", "{}", ttl=86_400)
        now[0] += 3600  # every stored mark is older than the ten-minute window
        with psycopg.connect(url) as other:  # a transaction, held open
            other.execute("SELECT * FROM srccheck_entries FOR UPDATE").fetchall()
            found = sum(
                store.get("link", f"https://a.example/{i}") is not None for i in range(600)
            )
            other.rollback()
        assert found == 600


def test_the_address_opens_the_same_store_again(url: str) -> None:
    with _open(url) as store:
        store.put("link", "k", "{}", ttl=60)
        address = store.address
        assert isinstance(address, StoreURL)
        assert PASSWORD not in repr(address) + str(address) + store.location
        with open_store(address, Settings()) as again:
            assert again.get("link", "k") is not None
