"""Stage 2, check: every unique URL fetched once, each host by one worker at a time.

The unit of work is a group of URLs whose hosts appear in no other group
(:func:`srccheck.stages.collect.host_groups`) in, one :class:`CheckedURL` per
URL out (:func:`check_urls`). The function runs the fetch stage's own
:class:`~srccheck.fetch.client.Fetcher` over the group in an event loop of its
own (the one ``--loop`` chooses, as in one process); because no other task
holds the group's hosts, the per-host limit, spacing and ``Retry-After``
pauses hold across the whole cluster without any coordination, and robots.txt
and the soft-404 probe are fetched once per host.
Results that may be cached go to the store (with their page texts, which the
report stage reads back); every result, transient failures included, comes
back to the caller, which keeps it in the stage's Parquet output.

A task also answers the requests its Fetcher sent per host (for ``--host-stats``).

A task's Fetcher may hold ``per_host`` requests in flight: a worker running T
tasks at once (threads) holds at most T × ``per_host``; the run sizes T so that
this stays within ``concurrency`` (:func:`threads_per_worker`).

:class:`StagedChecker` is the report stage's side: a
:class:`~srccheck.fetch.model.URLChecker` answering from these results.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Coroutine, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa

from srccheck.fetch.cache import Cache, CacheKind, cache_call, try_decode_outcome
from srccheck.fetch.client import Fetcher
from srccheck.fetch.model import FetchOutcome
from srccheck.fetch.transport import loop_factory
from srccheck.models import LinkCheck
from srccheck.reuse import depends_on
from srccheck.settings import Settings
from srccheck.stages.collect import host_of
from srccheck.stages.model import CheckedGroup, CheckedURL
from srccheck.store import Store
from srccheck.store import open_store as open_any_store

__all__ = [
    "CHECKED_SCHEMA",
    "StagedChecker",
    "check_urls",
    "close_store",
    "open_store",
    "run_on_loop",
    "task_settings",
    "threads_per_worker",
]

CHECKED_SCHEMA = pa.schema(
    [
        ("url", pa.string()),
        ("host", pa.string()),
        ("check", pa.string()),
        ("page", pa.bool_()),
        ("stamps", pa.string()),
    ]
)


_T = TypeVar("_T")

_stores: dict[str, tuple[tuple[int, int] | None, Store]] = {}
_stores_lock = threading.Lock()


def open_store(store: str, settings: Settings) -> Store:
    """The store every worker reaches, given as a string so it travels to any worker.

    A path to the SQLite cache file (WAL: the worker processes of one machine
    share it), or a PostgreSQL URL (``srccheck.store.open_store``). One connection
    per process and store, shared by the process's tasks (a :class:`Cache` is
    safe across threads) and never closed by them: opening sets the file up
    under its write lock, and with a connection per task that wait outlasted
    the busy timeout while other tasks stored pages (10,000 articles on 200
    hosts). A file replaced since (a new run's store at the same path) is
    opened anew. The run closes the connection of the process that started it
    when it ends (:func:`close_store`).
    """
    if "://" in store:  # a PostgreSQL URL: one connection per process, opened once
        with _stores_lock:
            known = _stores.get(store)
            if known is None:
                known = _stores[store] = (None, open_any_store(store, settings))
        return known[1]
    path = Path(store)
    with _stores_lock:
        identity = _identity(path)
        known = _stores.get(store)
        if known is not None and identity is not None and known[0] == identity:
            return known[1]
        cache = Cache(path, max_bytes=settings.cache_max_bytes)
        _stores[store] = (_identity(path), cache)
    if known is not None:
        known[1].close()  # its file was removed or replaced: no task can still want it
    return cache


def close_store(store: str) -> None:
    """Close this process's connection to ``store``, when it has one.

    Called by the process that started a run when the run ends, so a SQLite
    cache is written through — its write-ahead log merged into the file — as
    after a single-process run (the tasks of an in-process worker share that
    connection). A later task opens the store anew.
    """
    with _stores_lock:
        known = _stores.pop(store, None)
    if known is not None:
        known[1].close()


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def run_on_loop(main: Coroutine[Any, Any, _T], settings: Settings) -> _T:
    """Run a task's ``main`` on the event loop ``--loop`` chooses (uvloop when asked
    for and installed), as :func:`srccheck.pipeline.run_sync` does."""
    with asyncio.Runner(loop_factory=loop_factory(settings.loop)) as runner:
        return runner.run(main)


def threads_per_worker(settings: Settings) -> int:
    """Tasks a worker runs at once so that their requests stay within ``concurrency``."""
    return max(1, settings.concurrency // max(1, settings.per_host))


def task_settings(settings: Settings) -> Settings:
    """A check task's settings: ``per_host`` requests in flight (see the module docstring)."""
    return settings.with_changes(concurrency=max(1, min(settings.concurrency, settings.per_host)))


def check_urls(
    urls: Sequence[str], settings: Settings, store: str, *, keep_pages: bool
) -> CheckedGroup:
    """Check ``urls`` (no host of which is checked by another task at the same time).

    ``settings`` are the fetch settings of the run (archive hosts trusted);
    ``store`` is given to :func:`open_store`; ``keep_pages`` as for the Fetcher.
    """
    return run_on_loop(_check_urls(urls, settings, store, keep_pages), settings)


async def _check_urls(
    urls: Sequence[str], settings: Settings, store: str, keep_pages: bool
) -> CheckedGroup:
    cache = open_store(store, settings)  # the process's shared connection: not closed here
    # Check tasks already run side by side in the worker's threads: pages are read inline.
    fetcher = Fetcher(
        task_settings(settings), cache=cache, keep_pages=keep_pages, inspect_in_thread=False
    )

    async def one(url: str) -> CheckedURL:
        # The row, not the outcome, is kept until the group ends: a page's text (in the
        # store already) is freed as soon as its URL is answered.
        outcome = await fetcher.check(url)
        return CheckedURL(
            url=url,
            host=host_of(url),
            check=outcome.check.model_dump_json(),
            page=_page_for_claims(outcome),
            stamps=json.dumps(fetcher.stamps(url)),
        )

    async with fetcher:
        checked = await asyncio.gather(*map(one, urls))
        return CheckedGroup(list(checked), await fetcher.host_stats())


def _page_for_claims(outcome: FetchOutcome) -> bool:
    """Whether a later stage reads this outcome's page: only a successful check's page
    is used (for claims and drift); an error page's text never is."""
    page = outcome.page
    return page is not None and bool(page.text) and outcome.check.status.is_success


class StagedChecker:
    """Answers ``check(url)`` from the check stage's results; pages from the store.

    A URL the check stage did not see (an archived snapshot, say) goes to
    ``fallback``. A page no longer in the store as it was stored by the check
    (evicted from a full store, replaced by another run) is fetched again
    through ``fallback``, with its own check: a report never pairs one
    answer's status with another's page.
    """

    def __init__(
        self, results: Mapping[str, CheckedURL], fallback: Fetcher, cache: Cache | None
    ) -> None:
        self._results = results
        self._fallback = fallback
        self._cache = cache

    async def check(self, url: str) -> FetchOutcome:
        result = self._results.get(url)
        if result is None:
            return await self._fallback.check(url)
        stamps = json.loads(result.stamps)
        for kind, key, stamp in stamps:
            depends_on(kind, key, stamp)
        check = LinkCheck.model_validate_json(result.check)
        if not result.page:
            return FetchOutcome(check=check)
        # The check's own cache entry: its key is the URL, scoped by the address policy
        # (srccheck.fetch.client.link_cache_key), as the check stage stored it.
        key, stamp = next(((k2, s) for k, k2, s in stamps if k == CacheKind.LINK), (url, None))
        if self._cache is not None and stamp is not None:
            entry = await cache_call(self._cache.get, CacheKind.LINK, key, stale=True)
            same = entry is not None and entry.stored_at == stamp
            outcome = try_decode_outcome(entry) if same else None
            if outcome is not None and outcome.page is not None:
                return FetchOutcome(check=check, page=outcome.page)
        return await self._fallback.check(url)

