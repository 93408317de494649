"""Stage 3, report: each article joined with the checks of its URLs, then reported.

The unit of work is a batch of articles with the check results of the URLs
they cite in, one :class:`ArticleDone` per article out
(:func:`report_articles`). Per article it is the same work as in the
single-process pipeline (:class:`srccheck.pipeline.ArticleRun`): archive
lookups, page texts, claims matched against the pages the article cites, the
JSON and HTML reports written to the output folder (shared storage when the
workers run on several machines) — only the fetcher differs: it answers from
the check stage's results and reads page texts back from the store.

On a Dask worker the archive requests of all report tasks share each archive
host's leases on the scheduler (:mod:`srccheck.stages.leases`), so an archive's
per-host limit holds across the cluster, not per task.

A report task first marks its *ticket*, a file of the run's stage outputs,
``started`` (:func:`start_ticket`); after an interruption the run marks the
tickets of the report tasks in flight ``given up`` (:func:`give_up_ticket`).
The first mark stays, so a task either started — the run waits for it and
keeps its reports — or never writes a report: its articles' ``incomplete``
reports are not overwritten later. A task Dask runs again (its worker died)
finds its own mark and reports. (A Dask future cannot tell which tasks
started: it is not marked running, and cancelling it does not stop a task
that already runs on a worker.)
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pyarrow as pa

from srccheck.archive.service import ArchiveService
from srccheck.fetch.client import Fetcher
from srccheck.models import ArticleReport, LinkCheck, RunIndex
from srccheck.pipeline import ArticleRun, fetch_settings
from srccheck.reuse import report_store
from srccheck.settings import Settings
from srccheck.stages.check import StagedChecker, open_store, run_on_loop
from srccheck.stages.leases import ClusterLeases, cluster_leases
from srccheck.stages.model import ArticleDone, CheckedURL, ReportedBatch

__all__ = ["DONE_SCHEMA", "give_up_ticket", "report_articles", "start_ticket"]

DONE_SCHEMA = pa.schema([("article", pa.string()), ("entry", pa.string())])


class _Collect:
    """The ProgressSink of a report task: keeps each finished article's report."""

    def __init__(self) -> None:
        self.reports: dict[str, ArticleReport] = {}

    def start(self, count_sources: Callable[[], int]) -> None:
        return None

    def advance(self, url: str, check: LinkCheck) -> None:
        return None

    def article_done(self, report: ArticleReport) -> None:
        self.reports[report.article.file] = report

    def finish(self, index: RunIndex) -> None:
        return None


_STARTED, _GIVEN_UP = "started", "given up"


def _mark(ticket: str, mark: str) -> str:
    """Write ``mark`` to the file ``ticket`` unless it holds one already; the mark it holds.

    The mark is written to a file of its own and linked as ``ticket``: the link
    fails when ``ticket`` exists, and a reader never finds it half written.
    """
    path = Path(ticket)
    draft = path.with_name(f"{path.name}.{uuid.uuid4().hex}")
    draft.write_text(mark, encoding="utf-8")
    try:
        os.link(draft, path)
    except FileExistsError:
        return path.read_text(encoding="utf-8")
    finally:
        draft.unlink(missing_ok=True)
    return mark


def start_ticket(ticket: str) -> bool:
    """A report task starts: False when the run gave it up before, else True (also when
    the ticket cannot be written: reporting matters more than the race it prevents)."""
    try:
        return _mark(ticket, _STARTED) == _STARTED
    except OSError:
        return True


def give_up_ticket(ticket: str) -> bool:
    """An interrupted run gives a report task up: True when the task has not started (it
    never will report), False when it has or cannot be told (then it may be running).
    """
    try:
        return _mark(ticket, _GIVEN_UP) == _GIVEN_UP
    except OSError:
        return False


def report_articles(
    articles: Sequence[tuple[str, str]],
    checks: Mapping[str, CheckedURL],
    settings: Settings,
    store: str,
    ticket: str | None = None,
) -> ReportedBatch:
    """Report each (article path, report stem) of ``articles``; write its report files.

    ``checks`` holds the check stage's result of every URL these articles
    cite; ``store`` is the run's store (page texts, archive lookups, report
    reuse when the run uses the persistent cache). When the run has taken
    ``ticket`` already (it was interrupted before this task started), nothing
    is reported: the answer is empty.
    """
    if ticket is not None and not start_ticket(ticket):
        return ReportedBatch([], [])
    leases = cluster_leases() if settings.archive_enabled and settings.archives else None
    try:
        return run_on_loop(_report_articles(articles, checks, settings, store, leases), settings)
    finally:
        if leases is not None:
            leases.close()


async def _report_articles(
    articles: Sequence[tuple[str, str]],
    checks: Mapping[str, CheckedURL],
    settings: Settings,
    store: str,
    leases: ClusterLeases | None,
) -> ReportedBatch:
    keep_pages = settings.claims or (settings.archive_enabled and settings.drift)
    out = {Path(path): Path(stem) for path, stem in articles}
    sink = _Collect()
    cache = open_store(store, settings)  # the process's shared connection: not closed here
    # Report tasks run side by side in the worker's threads: pages are read inline.
    own = Fetcher(
        fetch_settings(settings), cache=cache, keep_pages=keep_pages, inspect_in_thread=False
    )
    async with own:
        checker = StagedChecker(checks, own, cache)
        archives = (
            ArchiveService(settings, own.client, checker.check, cache=cache, leases=leases)
            if settings.archive_enabled and settings.archives
            else None
        )
        reports = report_store(cache, settings)
        state = ArticleRun(settings, checker, archives, sink, out, reports)
        await asyncio.gather(*(state.check_article(path) for path in out))
        if leases is not None:
            await leases.settle()
        host_stats = await own.host_stats()
    done = [
        ArticleDone(
            article=str(path),
            report=sink.reports[str(path)].model_dump_json(),
            entry=state.entries[path].model_dump_json(),
        )
        for path in out
    ]
    return ReportedBatch(done, host_stats)
