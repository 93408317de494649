"""The archive stage's entry point: look a URL up in every archive, pick a snapshot.

Usage (the pipeline)::

    service = ArchiveService(settings, client, fetch_page=fetcher.check)
    report = await service.lookup(url, article.date)      # never raises for network problems
    if report.chosen is not None:
        outcome = await service.retrieve(report.chosen)   # fetch_page: size cap, policy
        report = report.with_drift(compute_drift(live_main_text, archived_main_text))

Per archive the lookup is (errors are values, see :mod:`srccheck.archive.client`):

* Internet Archive and Wayback servers: the CDX API; when it fails, the
  availability API (Internet Archive only). An archive that failed both ways
  is reported as ``error``, never as ``not_archived``.
* Memento archives: the TimeMap; when it fails (or none is configured), the
  TimeGate.

All archives are asked concurrently; the snapshot is chosen across them by
:func:`srccheck.archive.select.closest_snapshot`. Reports are cached for the
run per (URL, article date), and concurrent callers share one in-flight lookup.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import TYPE_CHECKING

import httpx

from srccheck.archive.client import ArchiveClient, ArchiveLeases, RequestFailure
from srccheck.archive.config import ArchiveConfig
from srccheck.archive.memento import confirm_closest, query_timegate, query_timemap
from srccheck.archive.model import (
    ArchiveKind,
    ArchiveLookup,
    ArchiveReport,
    ArchiveState,
    LookupMethod,
    SaveResult,
    SaveState,
    Snapshot,
)
from srccheck.archive.select import closest_snapshot, distance_days, outside_window
from srccheck.archive.wayback import query_availability, query_cdx
from srccheck.fetch.cache import CacheKind, cache_call
from srccheck.fetch.limits import Clock
from srccheck.fetch.model import FetchOutcome
from srccheck.reuse import depends_on

if TYPE_CHECKING:
    from srccheck.settings import Settings
    from srccheck.store import Store

__all__ = ["ArchiveService", "FetchPage"]


FetchPage = Callable[[str], Awaitable[FetchOutcome]]
_Found = tuple[list[Snapshot], int]


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ArchiveService:
    """Looks URLs up in the configured archives and retrieves chosen snapshots.

    ``client`` is the run's ``httpx.AsyncClient`` (API calls); ``fetch_page`` is
    the fetch stage's checker, used for snapshot content so that the size cap,
    charset detection and network safety policy apply to it as to any page.
    ``clock`` and ``now`` are for tests (request spacing, waits, "most recent").
    ``leases`` are shared with the other services that ask the same archives at
    the same time (the report tasks of a cluster); see :class:`ArchiveLeases`.
    """

    def __init__(
        self,
        settings: Settings,
        client: httpx.AsyncClient,
        fetch_page: FetchPage,
        *,
        clock: Clock | None = None,
        now: Callable[[], dt.datetime] = _utcnow,
        cache: Store | None = None,
        leases: ArchiveLeases | None = None,
    ) -> None:
        self._settings = settings
        self._cache = cache
        self._fetch_page = fetch_page
        self._now = now
        self._clients = [
            ArchiveClient(archive, client, settings, clock=clock, leases=leases)
            for archive in settings.archives
        ]
        self._lookups: dict[tuple[str, dt.date | None], asyncio.Task[ArchiveReport]] = {}
        # stored_at of the cache entry behind each lookup (None: not cached).
        self._stamps: dict[str, float | None] = {}

    async def lookup(self, url: str, article_date: dt.date | None) -> ArchiveReport:
        """The archive report of ``url`` for an article of ``article_date``.

        Never raises for network problems: an archive that cannot be asked is
        an ``error`` lookup. The same (URL, date) is looked up once per run.
        """
        key = (url, article_date)
        task = self._lookups.get(key)
        if task is None:
            task = self._lookups[key] = asyncio.ensure_future(self._lookup(url, article_date))
        # shield: one caller being cancelled must not cancel the lookup the others await.
        report = await asyncio.shield(task)
        if self._cache is not None:  # the caller's report rests on it (srccheck.reuse)
            cache_key = self._cache_key(url, article_date)
            depends_on(CacheKind.ARCHIVE, cache_key, self._stamps.get(cache_key))
        return report

    async def retrieve(self, snapshot: Snapshot) -> FetchOutcome:
        """The snapshot's original bytes (``raw_url``, no archive banner) via ``fetch_page``.

        The request waits for the archive's own politeness slot, like its API
        calls, so snapshot downloads add to the archive's request rate limit
        instead of bypassing it.
        """
        http = next((c for c in self._clients if c.archive.name == snapshot.archive), None)
        if http is None:
            return await self._fetch_page(snapshot.raw_url)
        async with http.slot(snapshot.raw_url):
            return await self._fetch_page(snapshot.raw_url)

    async def _lookup(self, url: str, article_date: dt.date | None) -> ArchiveReport:
        """From the cache when a complete answer is stored; else ask the archives.

        Only reports in which every archive answered are cached (an ``error``
        lookup is transient): a found snapshot for ``cache_ttl_archive`` seconds,
        "not archived" only for ``cache_ttl_failure`` (a capture may appear any
        day, and ``--save-missing`` must get its chance). The key names the
        archives asked and the window, so a changed configuration asks again.
        An entry that no longer parses (another srccheck version) is a miss.
        """
        cache = self._cache
        key = self._cache_key(url, article_date)
        if cache is not None:
            entry = await cache_call(cache.get, CacheKind.ARCHIVE, key)
            if entry is not None:
                with suppress(ValueError):  # pydantic's ValidationError is a ValueError
                    cached = ArchiveReport.model_validate_json(entry.value)
                    self._stamps[key] = entry.stored_at
                    return cached
        report = await self._ask_archives(url, article_date)
        answered = all(lookup.state is not ArchiveState.ERROR for lookup in report.lookups)
        if cache is not None and report.lookups and answered:
            found = report.state is ArchiveState.AVAILABLE
            ttl = self._settings.cache_ttl_archive if found else self._settings.cache_ttl_failure
            value = report.model_dump_json()
            self._stamps[key] = await cache_call(cache.put, CacheKind.ARCHIVE, key, value, ttl)
        return report

    def _cache_key(self, url: str, article_date: dt.date | None) -> str:
        archives = ",".join(
            f"{a.name}={a.cdx_url or a.timemap_base or a.replay_base}"
            for a in self._settings.archives
        )
        return f"{url} {article_date} {self._settings.archive_window_days} {archives}"

    async def _ask_archives(self, url: str, article_date: dt.date | None) -> ArchiveReport:
        window = self._settings.archive_window_days
        if not self._settings.archive_enabled or not self._clients:
            return ArchiveReport(url=url, article_date=article_date, window_days=window)
        lookups = list(
            await asyncio.gather(*(self._ask(http, url, article_date) for http in self._clients))
        )
        chosen = closest_snapshot(
            (lookup.snapshot for lookup in lookups if lookup.snapshot is not None), article_date
        )
        report = ArchiveReport(
            url=url,
            article_date=article_date,
            lookups=lookups,
            chosen=chosen,
            distance_days=_distance(chosen, article_date),
            window_days=window,
            outside_window=outside_window(chosen, article_date, window),
        )
        if self._settings.save_missing and report.state is ArchiveState.NOT_ARCHIVED:
            save = await self._save(url)
            if save is not None:
                report = report.model_copy(update={"save": save})
        return report

    async def _ask(
        self, http: ArchiveClient, url: str, article_date: dt.date | None
    ) -> ArchiveLookup:
        archive = http.archive
        if archive.kind is ArchiveKind.MEMENTO:
            first, first_method = (
                (await query_timemap(http, url), LookupMethod.TIMEMAP)
                if archive.timemap_base
                else (None, None)
            )
            if first is None or isinstance(first, RequestFailure):
                fallback = await query_timegate(http, url, article_date)
                return _combine(
                    archive, article_date, first, first_method, fallback, LookupMethod.TIMEGATE
                )
            snapshots, attempts = first
            snapshots, spent = await confirm_closest(http, snapshots, article_date)
            return _lookup_of(
                archive, article_date, (snapshots, attempts + spent), LookupMethod.TIMEMAP
            )
        result = await query_cdx(http, url, article_date, self._now())
        if isinstance(result, RequestFailure) and archive.availability_url:
            fallback = await query_availability(http, url, article_date)
            return _combine(
                archive, article_date, result, LookupMethod.CDX, fallback, LookupMethod.AVAILABILITY
            )
        return _lookup_of(archive, article_date, result, LookupMethod.CDX)

    async def _save(self, url: str) -> SaveResult | None:
        http = next(
            (c for c in self._clients if c.archive.kind is ArchiveKind.INTERNET_ARCHIVE), None
        )
        if http is None or not http.archive.save_url:
            return None
        access, secret = self._settings.ia_access_key, self._settings.ia_secret_key
        if not access or not secret:
            return SaveResult(
                state=SaveState.SKIPPED,
                message="no Internet Archive keys (SRCCHECK_IA_ACCESS_KEY, SRCCHECK_IA_SECRET_KEY)",
            )
        answer = await http.post(
            http.archive.save_url,
            data={"url": url},
            headers={"Authorization": f"LOW {access}:{secret}", "Accept": "application/json"},
        )
        if isinstance(answer, RequestFailure):
            return SaveResult(state=SaveState.FAILED, message=answer.message)
        return _save_result(answer.response)


def _distance(snapshot: Snapshot | None, article_date: dt.date | None) -> int | None:
    if snapshot is None or article_date is None:
        return None
    return distance_days(snapshot.captured_at, article_date)


def _lookup_of(
    archive: ArchiveConfig,
    article_date: dt.date | None,
    result: _Found | RequestFailure,
    method: LookupMethod,
) -> ArchiveLookup:
    if isinstance(result, RequestFailure):
        return ArchiveLookup(
            archive=archive.name,
            kind=archive.kind,
            state=ArchiveState.ERROR,
            method=method,
            error=result.kind,
            error_message=result.message,
            attempts=result.attempts,
        )
    snapshots, attempts = result
    snapshot = closest_snapshot(snapshots, article_date)
    return ArchiveLookup(
        archive=archive.name,
        kind=archive.kind,
        state=ArchiveState.AVAILABLE if snapshot is not None else ArchiveState.NOT_ARCHIVED,
        method=method,
        snapshot=snapshot,
        distance_days=_distance(snapshot, article_date),
        snapshots_found=len(snapshots),
        attempts=attempts,
    )


def _combine(
    archive: ArchiveConfig,
    article_date: dt.date | None,
    first: _Found | RequestFailure | None,
    first_method: LookupMethod | None,
    fallback: _Found | RequestFailure,
    fallback_method: LookupMethod,
) -> ArchiveLookup:
    """The fallback's answer, with the first API's failure kept in the report."""
    spent = first.attempts if isinstance(first, RequestFailure) else 0
    lookup = _lookup_of(archive, article_date, fallback, fallback_method)
    updates: dict[str, object] = {"attempts": lookup.attempts + spent}
    if isinstance(first, RequestFailure):
        if isinstance(fallback, RequestFailure):
            # Report the first API's failure kind: it is the archive's primary interface.
            updates["error"] = first.kind
            updates["method"] = first_method
            updates["error_message"] = (
                f"{first_method}: {first.message}; {fallback_method}: {fallback.message}"
            )
        else:
            updates["error_message"] = f"{first_method} failed, used {fallback_method}: " + (
                first.message
            )
    return lookup.model_copy(update=updates)


def _save_result(response: httpx.Response) -> SaveResult:
    try:
        data = response.json()
    except ValueError:
        data = None
    body = data if isinstance(data, dict) else {}
    job_id = body.get("job_id")
    message = body.get("message") or body.get("status_ext")
    if response.is_success and job_id:
        return SaveResult(
            state=SaveState.REQUESTED,
            http_status=response.status_code,
            job_id=str(job_id),
            message=str(message) if message else None,
        )
    return SaveResult(
        state=SaveState.FAILED,
        http_status=response.status_code,
        message=str(message) if message else f"HTTP {response.status_code} without a job id",
    )
