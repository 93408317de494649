"""The staged run: collect → check → report, each stage restartable, on any executor.

::

    article files ─▶ collect ─▶ citations (Parquet) ─▶ unique URLs grouped by host
                       (batches of articles)              │
                                                          ▼
                     check: one task per host group ─▶ results (Parquet; pages in the store)
                                                          │
    reports + index ◀─ report: batches of articles with the results of their URLs,
                       each article as soon as every URL it cites is checked

Every task is a plain function over small values (:mod:`.collect`,
:mod:`.check`, :mod:`.report`) submitted to a :class:`concurrent.futures.Executor`
— a Dask cluster's (:mod:`srccheck.cluster`). This module only orders the stages,
joins their outputs and reports progress.

Each stage writes its outputs under ``<output>/.srccheck-run/`` as Parquet
parts as its tasks finish. A run started again over the same articles with
the same settings (the folder's ``manifest.json`` says which) reads the parts
that exist and submits only the work they do not cover; any change to an
article file or a report-shaping setting starts the stages over. The folder
is removed when a run completes.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import shutil
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa

from srccheck import __version__
from srccheck.articles import find_articles, load_article
from srccheck.articles.model import Article
from srccheck.errors import InputError
from srccheck.fetch.cache import cache_path
from srccheck.fetch.stats import merge_host_stats
from srccheck.models import (
    ArticleReport,
    HostStats,
    IndexEntry,
    LinkCheck,
    ReportState,
    RunIndex,
    Summary,
)
from srccheck.pipeline import (
    SourceResult,
    accepted,
    build_report,
    checked_url,
    fetch_settings,
    index_entry,
    settled_check,
    write_index,
)
from srccheck.report.console import NullProgress, ProgressSink, StageProgress
from srccheck.report.html import write_article_html
from srccheck.report.json import write_json
from srccheck.report.paths import report_paths
from srccheck.reuse import settings_fingerprint
from srccheck.settings import Settings
from srccheck.stages.check import CHECKED_SCHEMA, check_urls, close_store, open_store
from srccheck.stages.collect import CITATION_SCHEMA, collect_articles, host_groups
from srccheck.stages.model import CheckedGroup, CheckedURL, Citation, ReportedBatch, Stage
from srccheck.stages.report import DONE_SCHEMA, give_up_ticket, report_articles
from srccheck.stages.tables import PartWriter, part_path, read_parts, write_part

__all__ = ["RUN_FOLDER", "run_stages"]

#: The stage outputs' folder inside ``--output`` (hidden: never taken for articles).
RUN_FOLDER = ".srccheck-run"

_COLLECT_BATCH = 200  # articles per collect task
_REPORT_BATCH = 16  # articles per report task
_FLUSH_ROWS = 2000  # results kept in memory before a Parquet part is written
_WINDOW = 256  # tasks submitted and not yet finished, at most
# After an interruption: seconds to wait for the report tasks already running. Long enough
# for a batch's archive lookups on a slow archive, short enough for a user who pressed
# Ctrl-C (a second Ctrl-C or SIGTERM ends srccheck at once: cluster._signals_interrupt).
_FINISH_WAIT = 30.0

_T = TypeVar("_T")


def run_stages(
    paths: Sequence[Path],
    settings: Settings,
    sink: ProgressSink | None = None,
    *,
    executor: Executor,
    stop_after: Stage | None = None,
    window: int = _WINDOW,
) -> RunIndex | None:
    """Verify every article under ``paths`` in three stages on ``executor``.

    Reports, the run index and the sink's events are those of
    :func:`srccheck.pipeline.run` (reports arrive in completion order). With
    ``stop_after`` the run ends after that stage and returns None: its outputs
    stay for the next run to start from. At most ``window`` tasks are submitted
    and unfinished at a time (a few per task slot of the cluster keeps it busy).
    With ``settings.host_stats`` the index holds the requests every task sent
    per host, added up (a resumed run counts only its own requests, like a
    single-process run).

    When interrupted (Ctrl-C, or an error), the tasks not started are
    cancelled, the check tasks running are given up, the report tasks running
    are waited for (up to ``_FINISH_WAIT`` seconds) and their reports kept,
    every other article without a report gets an ``incomplete`` one, the index
    says so, and the exception propagates; the stage outputs stay, so the next
    run resumes.
    """
    sink = sink or NullProgress()
    started = dt.datetime.now(dt.UTC)
    files = find_articles(paths)
    try:
        settings.output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output folder {settings.output}: {exc}") from exc
    out = report_paths(files, settings.output)
    work = _work_folder(settings, files)
    if settings.use_cache and settings.store is not None:
        store = settings.store.url  # the PostgreSQL store every worker reaches (not str())
    elif settings.use_cache:
        store = str(cache_path(settings.cache_dir))
    else:
        store = str(work / "store.sqlite3")
    open_store(store, settings)  # created once here, not raced by the first tasks
    try:
        return _run(files, out, work, store, settings, sink, started, executor, stop_after, window)
    finally:
        # Closed when the run ends (this process's tasks share the connection when they
        # run here): a SQLite cache's write-ahead log is merged, as after one process.
        close_store(store)


def _run(
    files: Sequence[Path],
    out: dict[Path, Path],
    work: Path,
    store: str,
    settings: Settings,
    sink: ProgressSink,
    started: dt.datetime,
    executor: Executor,
    stop_after: Stage | None,
    window: int,
) -> RunIndex | None:
    """:func:`run_stages` once its files, folders and store are known."""
    progress = sink if isinstance(sink, StageProgress) else None

    def report(stage: Stage, done: int, total: int) -> None:
        if progress is not None:
            progress.stage_progress(stage, done, total)

    entries: dict[Path, IndexEntry] = {}
    requests: list[list[HostStats]] = []  # per task: requests sent per host (--host-stats)
    joins: _Joins | None = None
    try:
        submit = _Window(executor, window, progress.stopping if progress else _quietly)
        cited = _collect(submit, files, settings, work / Stage.COLLECT, report)
        if stop_after is Stage.COLLECT:
            return None
        reporting = stop_after is not Stage.CHECK
        last_done = _resume_reports(files, out, work, sink, entries) if reporting else -1
        joins = _joins(files, cited, entries)
        _check_and_report(
            submit, files, out, cited, joins, settings, store, work, sink, entries,
            report, requests, last_done=last_done, reporting=reporting,
        )  # fmt: skip
        if not reporting:
            return None
    except BaseException:
        known = joins.results if joins is not None else _checks_on_disk(work)
        _write_incomplete(files, out, settings, entries, sink, known)
        with suppress(InputError):
            write_index(_index(files, entries, started, ReportState.INCOMPLETE), settings)
        raise
    host_stats = merge_host_stats(requests) if settings.host_stats else None
    index = _index(files, entries, started, ReportState.COMPLETE, host_stats)
    write_index(index, settings)
    sink.finish(index)
    shutil.rmtree(work, ignore_errors=True)
    return index


def _work_folder(settings: Settings, files: Sequence[Path]) -> Path:
    """The stage outputs' folder; emptied when the articles or settings are not those
    of the outputs already there."""
    work = settings.output / RUN_FOLDER
    digest = hashlib.sha256()
    digest.update(f"{__version__}\n{settings_fingerprint(settings)}\n".encode())
    for path in files:
        try:
            stat = path.stat()
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
        except OSError:
            digest.update(f"{path}\0-\n".encode())
    key = digest.hexdigest()
    manifest = work / "manifest.json"
    try:
        known = json.loads(manifest.read_text(encoding="utf-8")).get("key")
    except (OSError, ValueError, AttributeError):
        known = None
    if known != key:
        shutil.rmtree(work, ignore_errors=True)
        try:
            work.mkdir(parents=True, exist_ok=True)
            manifest.write_text(json.dumps({"key": key}), encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write the run's stage outputs to {work}: {exc}") from exc
    return work


def _batches(items: Sequence[_T], size: int) -> list[Sequence[_T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


@dataclass(frozen=True, slots=True)
class _Call:
    """A task to submit, and what becomes of it."""

    handler: Callable[[Any], None]  # takes the task's result
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)
    # When the run is interrupted: gives the task up, True when it never will run, False
    # when it has started: then it is waited for and its result handled (the report
    # tasks' tickets, srccheck.stages.report). None: cancelled and its result dropped.
    give_up: Callable[[], bool] | None = None


@dataclass(frozen=True, slots=True)
class _Window:
    """Where the stages submit: the executor, how many tasks may be unfinished, and
    whom to tell when an interrupted run waits for tasks (their number, the longest
    wait in seconds)."""

    executor: Executor
    size: int
    stopping: Callable[[int, float], None]


def _quietly(tasks: int, seconds: float) -> None:
    """A run without stage progress waits for its tasks without saying so."""

def _drain(
    submit: _Window,
    calls: Iterable[_Call],
    ready: Callable[[bool], _Call | None] = lambda more: None,
) -> None:
    """Submit the calls, at most ``submit.size`` unfinished at a time (their arguments
    are not all held by the scheduler at once), and hand each result to its call's
    handler as it arrives; on any error or interruption cancel what has not started,
    let the calls that say so finish (:func:`_finish`), and re-raise.

    ``ready`` offers a call that goes before the next of ``calls`` (the report stage's,
    beside the check stage's); it is told whether ``calls`` has more, and gives None
    when it has nothing to submit yet.
    """
    todo = iter(calls)
    more = True
    pending: dict[Future[Any], _Call] = {}

    def top_up() -> None:
        nonlocal more
        while len(pending) < submit.size:
            call = ready(more)
            if call is None and more:
                call = next(todo, None)
                if call is None:
                    more = False
                    continue  # ``ready`` may now give a call it held back
            if call is None:
                return
            pending[submit.executor.submit(call.fn, *call.args, **call.kwargs)] = call

    try:
        top_up()
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                pending.pop(future).handler(future.result())
            top_up()
    finally:
        if pending:
            _finish(pending, submit.stopping)


def _finish(pending: Mapping[Future[Any], _Call], stopping: Callable[[int, float], None]) -> None:
    """After an interruption: cancel every task but those that started and whose call
    cannot give them up; wait for these (up to ``_FINISH_WAIT`` seconds) and hand their
    results to their handlers. A task that failed, or is still running then, is left
    alone (its error is not the interruption's)."""
    started = []
    for future, call in pending.items():
        if call.give_up is not None and not call.give_up():
            started.append(future)
        else:
            future.cancel()  # may still run (a Dask task or a thread that started): dropped
    if started:
        stopping(len(started), _FINISH_WAIT)
    finished, _ = wait(started, timeout=_FINISH_WAIT)
    for future in started:  # in submission order
        if future in finished and not future.cancelled() and future.exception() is None:
            pending[future].handler(future.result())


def _collect(
    submit: _Window,
    files: Sequence[Path],
    settings: Settings,
    folder: Path,
    report: Callable[[Stage, int, int], None],
) -> dict[str, tuple[str, ...]]:
    """Article → the unique URLs it cites (in citation order; articles citing none,
    or that cannot be parsed, are left out), from the collect stage's outputs.

    The citation rows go to Parquet; this process keeps only the URLs, each
    string once however many articles cite it (10^5 rows as objects cost ~40 MB).
    """
    batches = _batches([str(path) for path in files], _COLLECT_BATCH)
    known: dict[str, str] = {}  # one string per unique URL
    parts: dict[int, list[tuple[str, tuple[str, ...]]]] = {}

    def keep(number: int, rows: list[Citation]) -> None:
        cited: dict[str, dict[str, None]] = {}
        for row in rows:
            if row.url is not None:
                cited.setdefault(row.article, {}).setdefault(known.setdefault(row.url, row.url))
        parts[number] = [(article, tuple(urls)) for article, urls in cited.items()]

    for number, rows in read_parts(folder, Citation):
        keep(number, rows)
    collected = sum(len(batches[i]) for i in parts if i < len(batches))
    report(Stage.COLLECT, collected, len(files))

    def done(number: int, rows: list[Citation]) -> None:
        nonlocal collected
        write_part(part_path(folder, number), rows, CITATION_SCHEMA)
        keep(number, rows)
        collected += len(batches[number])
        report(Stage.COLLECT, collected, len(files))

    calls = (
        _Call(functools.partial(done, i), collect_articles, (list(batch), settings))
        for i, batch in enumerate(batches)
        if i not in parts
    )
    _drain(submit, calls)
    return {article: urls for i in sorted(parts) for article, urls in parts[i]}


class _Joins:
    """Which articles wait for which URLs, and the check results they still need.

    An article is ready for its report once every URL it cites is checked; a
    result is kept while an article without a report cites it (for its report
    task, or its incomplete report after an interruption), then dropped.
    """

    def __init__(self, urls: dict[str, tuple[str, ...]]) -> None:
        self.urls = urls  # article → the unique URLs it cites (articles without a report)
        self.results: dict[str, CheckedURL] = {}
        self.waiting = {article: len(cited) for article, cited in urls.items()}
        self.citing: dict[str, list[str]] = {}  # URL not yet checked → articles citing it
        self.refs: Counter[str] = Counter()  # URL → articles without a report citing it
        for article, cited in urls.items():
            for url in cited:
                self.citing.setdefault(url, []).append(article)
            self.refs.update(cited)
        self.ready: deque[str] = deque(a for a, n in self.waiting.items() if n == 0)

    def checked(self, row: CheckedURL) -> None:
        """A URL's result arrived: articles whose last URL it was become ready."""
        citing = self.citing.pop(row.url, None)
        if citing is None:  # known already, or no article without a report cites it
            return
        self.results[row.url] = row
        for article in citing:
            self.waiting[article] -= 1
            if self.waiting[article] == 0:
                self.ready.append(article)

    def wanted(self, articles: Iterable[str]) -> dict[str, CheckedURL]:
        """The results of every URL ``articles`` cite."""
        return {url: self.results[url] for a in articles for url in self.urls[a]}

    def reported(self, article: str) -> None:
        """The article has its report: drop the results no other article waits for."""
        for url in self.urls.pop(article, ()):
            self.refs[url] -= 1
            if self.refs[url] <= 0:
                del self.refs[url]
                self.results.pop(url, None)


def _resume_reports(
    files: Sequence[Path],
    out: dict[Path, Path],
    work: Path,
    sink: ProgressSink,
    entries: dict[Path, IndexEntry],
) -> int:
    """Take the reports an earlier run of the same stages wrote (their files still
    there); the number of the report stage's last Parquet part."""
    by_name = {str(path): path for path in files}
    last = -1
    for number, rows in read_parts(work / Stage.REPORT, _DoneEntry):
        last = max(last, number)
        for row in rows:
            path = by_name.get(row.article)
            kept = _read_report(out[path]) if path is not None else None
            if path is not None and kept is not None:
                entries[path] = IndexEntry.model_validate_json(row.entry)
                sink.article_done(kept)
    return last


def _read_checked(folder: Path) -> tuple[int, dict[str, CheckedURL]]:
    """The check stage's results in the stage outputs, and the number of its last part."""
    last, checked = -1, {}
    for number, rows in read_parts(folder, CheckedURL):
        last = max(last, number)
        checked.update((row.url, row) for row in rows)
    return last, checked


def _checks_on_disk(work: Path) -> dict[str, CheckedURL]:
    """After an interruption before the check stage: the results in its outputs (none
    when they cannot be read: the incomplete reports must not hide the first error)."""
    try:
        return _read_checked(work / Stage.CHECK)[1]
    except (OSError, ValueError, pa.ArrowException):
        return {}


def _joins(
    files: Sequence[Path], cited: Mapping[str, tuple[str, ...]], entries: dict[Path, IndexEntry]
) -> _Joins:
    """The joins of every article without a report."""
    return _Joins({str(p): cited.get(str(p), ()) for p in files if p not in entries})


def _check_and_report(
    submit: _Window,
    files: Sequence[Path],
    out: dict[Path, Path],
    cited: Mapping[str, tuple[str, ...]],
    joins: _Joins,
    settings: Settings,
    store: str,
    work: Path,
    sink: ProgressSink,
    entries: dict[Path, IndexEntry],
    report: Callable[[Stage, int, int], None],
    requests: list[list[HostStats]],
    *,
    last_done: int,
    reporting: bool,
) -> None:
    """The check and report stages, side by side: an article's report task is submitted
    as soon as every URL it cites is checked (in batches of ``_REPORT_BATCH``, or
    fewer when no check task is left to submit), not after the whole check stage.

    ``joins`` holds the articles without a report (``entries`` those with one,
    their report stage's parts numbered up to ``last_done``); without
    ``reporting`` only the check stage runs.
    """
    by_name = {str(path): path for path in files}
    check_folder, report_folder = work / Stage.CHECK, work / Stage.REPORT
    last_checked, checked = _read_checked(check_folder)
    groups = host_groups(url for urls in cited.values() for url in urls)
    unchecked = {url for group in groups for url in group if url not in checked}
    for row in checked.values():
        joins.checked(row)
    del checked
    total = sum(len(group) for group in groups)
    report(Stage.CHECK, total - len(unchecked), total)
    if reporting:
        report(Stage.REPORT, len(entries), len(files))
    keep_pages = settings.claims or (settings.archive_enabled and settings.drift)
    tickets = work / "tickets"  # of the report tasks (see srccheck.stages.report)
    tickets.mkdir(exist_ok=True)
    check_parts = PartWriter(check_folder, CHECKED_SCHEMA, last_checked, _FLUSH_ROWS)
    done_parts = PartWriter(report_folder, DONE_SCHEMA, last_done, _FLUSH_ROWS // 4)

    def group_done(group: CheckedGroup) -> None:
        requests.append(group.host_stats)
        for row in group.checked:
            unchecked.discard(row.url)
            joins.checked(row)
        check_parts.add(group.checked)
        report(Stage.CHECK, total - len(unchecked), total)

    def batch_done(batch: ReportedBatch) -> None:
        requests.append(batch.host_stats)
        for answer in batch.done:
            path = by_name[answer.article]
            entries[path] = IndexEntry.model_validate_json(answer.entry)
            sink.article_done(ArticleReport.model_validate_json(answer.report))
            done_parts.add([_DoneEntry(answer.article, answer.entry)])
            joins.reported(answer.article)
        report(Stage.REPORT, len(entries), len(files))

    check_calls = (
        _Call(
            group_done,
            check_urls,
            (group, fetch_settings(settings), store),
            {"keep_pages": keep_pages},
        )
        for group in groups
        if any(url in unchecked for url in group)
    )

    def report_call(checks_left: bool) -> _Call | None:
        # A full batch as soon as there is one; a smaller one when no check task is
        # left to submit (those in flight may take long: a slow host holds its group).
        if not reporting or not joins.ready:
            return None
        if checks_left and len(joins.ready) < _REPORT_BATCH:
            return None
        batch = [joins.ready.popleft() for _ in range(min(_REPORT_BATCH, len(joins.ready)))]
        articles = [(article, str(out[by_name[article]])) for article in batch]
        ticket = str(tickets / uuid.uuid4().hex)
        args = (articles, joins.wanted(batch), settings, store, ticket)
        give_up = functools.partial(give_up_ticket, ticket)
        return _Call(batch_done, report_articles, args, give_up=give_up)

    try:
        _drain(submit, check_calls, report_call)
    finally:
        check_parts.flush()
        done_parts.flush()


@dataclass(frozen=True, slots=True)
class _DoneEntry:
    """The report stage's Parquet row: an article and its index entry (JSON)."""

    article: str
    entry: str


def _read_report(stem: Path) -> ArticleReport | None:
    """A report written by an earlier, interrupted run (JSON only: else it is redone)."""
    try:
        return ArticleReport.model_validate_json(stem.with_suffix(".json").read_bytes())
    except (OSError, ValueError):
        return None


def _index(
    files: Sequence[Path],
    entries: dict[Path, IndexEntry],
    started: dt.datetime,
    state: ReportState,
    host_stats: list[HostStats] | None = None,
) -> RunIndex:
    ordered = [entries[path] for path in files if path in entries]
    return RunIndex(
        srccheck_version=__version__,
        started_at=started,
        finished_at=dt.datetime.now(dt.UTC),
        state=state,
        articles=ordered,
        totals=sum((e.summary for e in ordered), Summary.of([])),
        host_stats=host_stats,
    )


def _write_incomplete(
    files: Sequence[Path],
    out: dict[Path, Path],
    settings: Settings,
    entries: dict[Path, IndexEntry],
    sink: ProgressSink,
    known: Mapping[str, CheckedURL],
) -> None:
    """Every article without a report gets an ``incomplete`` one: the sources whose
    URL the check stage answered (``known``) keep that result, as in one process;
    the others are ``skipped``."""
    for path in files:
        if path in entries:
            continue
        article = load_article(path, settings)
        results = _known_results(article, settings, known) if isinstance(article, Article) else []
        report = build_report(path, article, results, state=ReportState.INCOMPLETE)
        stem = out[path]
        try:
            if "json" in settings.formats:
                write_json(report, stem.with_suffix(".json"))
            if "html" in settings.formats:
                write_article_html(report, stem.with_suffix(".html"))
        except OSError:
            continue
        entries[path] = index_entry(path, stem, report, settings)
        sink.article_done(report)


def _known_results(
    article: Article, settings: Settings, known: Mapping[str, CheckedURL]
) -> list[SourceResult | None]:
    """Per source of ``article``: its check when it needs no request or the check stage
    answered its URL (``--accept`` applied, as in the report stage), else None."""
    results: list[SourceResult | None] = []
    for entry in article.sources:
        check = settled_check(entry, settings)
        remapped = checked_url(entry.url, settings) if entry.url is not None else None
        if check is None and remapped is not None and remapped in known:
            check = accepted(LinkCheck.model_validate_json(known[remapped].check), settings)
        if check is None:
            results.append(None)
            continue
        changed = remapped if remapped != entry.url else None
        results.append(SourceResult(check=check, checked_url=changed))
    return results
