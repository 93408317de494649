"""Orchestrates the stages; the only module that knows their order.

    article files ─▶ articles ─▶ fetch ─▶ report writers ─▶ RunIndex

Articles are parsed first (plain functions), so the progress bar knows the
number of sources. Each article is then checked by one of a bounded number of
article workers: the Fetcher applies the global and per-host limits and
fetches a URL cited by many articles only once. A report is written as soon as
its article is complete, so memory does not grow with the number of articles.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path

from srccheck import __version__
from srccheck.articles import find_articles, load_article
from srccheck.articles.model import Article, ArticleFailure
from srccheck.fetch.client import Fetcher
from srccheck.fetch.model import FetchOutcome
from srccheck.models import (
    ArticleMeta,
    ArticleReport,
    IndexEntry,
    LinkCheck,
    ReportState,
    RunIndex,
    SourceEntry,
    SourceReport,
    Summary,
)
from srccheck.report.console import NullProgress, ProgressSink
from srccheck.report.html import write_article_html, write_index_html
from srccheck.report.json import write_json
from srccheck.report.paths import report_paths
from srccheck.settings import Settings
from srccheck.status import Status

__all__ = ["build_report", "check_source", "excluded_by", "run", "run_sync"]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def excluded_by(url: str, settings: Settings) -> str | None:
    """The first ``--exclude`` pattern that matches ``url`` (``re.search``), if any."""
    for pattern in settings.exclude:
        if pattern.search(url):
            return pattern.pattern
    return None


async def check_source(entry: SourceEntry, fetcher: Fetcher, settings: Settings) -> FetchOutcome:
    """Check one source entry: invalid and excluded entries are results, not requests."""
    if entry.url is None:
        return FetchOutcome(
            LinkCheck(
                status=Status.INVALID,
                reason=entry.invalid_reason or "not a checkable http(s) URL",
                checked_at=_now(),
            )
        )
    pattern = excluded_by(entry.url, settings)
    if pattern is not None:
        return FetchOutcome(
            LinkCheck(
                status=Status.SKIPPED,
                reason=f"excluded by --exclude {pattern!r}",
                checked_at=_now(),
            )
        )
    return await fetcher.check(entry.url)


def _meta(path: Path, article: Article | ArticleFailure) -> ArticleMeta:
    if isinstance(article, ArticleFailure):
        return ArticleMeta(file=str(path), encoding=article.encoding)
    return ArticleMeta(
        file=str(path),
        format=article.format,
        encoding=article.encoding,
        date=article.date,
        title=article.title,
        body_chars=len(article.body),
    )


def build_report(
    path: Path,
    article: Article | ArticleFailure,
    outcomes: Sequence[FetchOutcome],
    *,
    state: ReportState = ReportState.COMPLETE,
) -> ArticleReport:
    """Assemble the article report from the stages' results (pure)."""
    if isinstance(article, ArticleFailure):
        return ArticleReport(
            srccheck_version=__version__,
            generated_at=_now(),
            state=ReportState.ERROR,
            article=_meta(path, article),
            error=article.error,
            summary=Summary.of([]),
        )
    sources = [
        SourceReport(id=i, source=entry, check=outcome.check)
        for i, (entry, outcome) in enumerate(zip(article.sources, outcomes, strict=True))
    ]
    return ArticleReport(
        srccheck_version=__version__,
        generated_at=_now(),
        state=state,
        article=_meta(path, article),
        sources=sources,
        summary=Summary.of([s.check for s in sources]),
    )


class _Run:
    """State of one run: settings, the shared fetcher, the sink, the output paths."""

    def __init__(
        self, settings: Settings, fetcher: Fetcher, sink: ProgressSink, out: dict[Path, Path]
    ) -> None:
        self.settings = settings
        self.fetcher = fetcher
        self.sink = sink
        self.out = out

    async def check_article(self, path: Path, article: Article | ArticleFailure) -> ArticleReport:
        outcomes: list[FetchOutcome] = []
        if isinstance(article, Article):

            async def one(entry: SourceEntry) -> FetchOutcome:
                outcome = await check_source(entry, self.fetcher, self.settings)
                self.sink.advance(entry.url or entry.raw, outcome.check)
                return outcome

            outcomes = list(await asyncio.gather(*(one(e) for e in article.sources)))
        report = build_report(path, article, outcomes)
        self.write(path, report)
        self.sink.article_done(report)
        return report

    def write(self, path: Path, report: ArticleReport) -> None:
        stem = self.out[path]
        if "json" in self.settings.formats:
            write_json(report, stem.with_suffix(".json"))
        if "html" in self.settings.formats:
            write_article_html(report, stem.with_suffix(".html"))

    def entry(self, path: Path, report: ArticleReport) -> IndexEntry:
        stem = self.out[path]
        return IndexEntry(
            file=str(path),
            report_json=stem.with_suffix(".json").name if "json" in self.settings.formats else None,
            report_html=stem.with_suffix(".html").name if "html" in self.settings.formats else None,
            title=report.article.title,
            date=report.article.date,
            state=report.state,
            error=report.error,
            summary=report.summary,
        )


async def run(
    paths: Sequence[Path],
    settings: Settings,
    sink: ProgressSink | None = None,
    *,
    fetcher: Fetcher | None = None,
) -> RunIndex:
    """Verify every article under ``paths`` and write its reports.

    Reports are written and handed to ``sink.article_done`` as each article
    completes; only the small index entries are kept for the run index.

    Raises :class:`srccheck.errors.InputError` when a path does not exist;
    everything that goes wrong with one article or one source is a value in
    its report.
    """
    sink = sink or NullProgress()
    started = _now()
    files = find_articles(paths)
    articles = [(path, load_article(path, settings)) for path in files]
    total = sum(len(a.sources) for _, a in articles if isinstance(a, Article))
    settings.output.mkdir(parents=True, exist_ok=True)
    out = report_paths(files, settings.output)
    sink.start(total)

    async with Fetcher(settings) if fetcher is None else nullcontext(fetcher) as active:
        state = _Run(settings, active, sink, out)
        entries: dict[Path, IndexEntry] = {}
        queue: asyncio.Queue[tuple[Path, Article | ArticleFailure]] = asyncio.Queue()
        for item in articles:
            queue.put_nowait(item)

        async def worker() -> None:
            while not queue.empty():
                path, article = queue.get_nowait()
                report = await state.check_article(path, article)
                entries[path] = state.entry(path, report)

        # Enough article workers to keep the fetcher's global limit busy.
        workers = max(1, min(len(articles), settings.concurrency))
        await asyncio.gather(*(worker() for _ in range(workers)))

    ordered = [entries[path] for path in files]
    index = RunIndex(
        srccheck_version=__version__,
        started_at=started,
        finished_at=_now(),
        state=ReportState.COMPLETE,
        articles=ordered,
        totals=sum((e.summary for e in ordered), Summary.of([])),
    )
    if "json" in settings.formats:
        write_json(index, settings.output / "index.json")
    if "html" in settings.formats:
        write_index_html(index, settings.output / "index.html")
    sink.finish(index)
    return index


def run_sync(
    paths: Sequence[Path], settings: Settings, sink: ProgressSink | None = None
) -> RunIndex:
    """Blocking wrapper around :func:`run` for the CLI and scripts."""
    return asyncio.run(run(paths, settings, sink))
