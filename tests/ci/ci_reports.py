"""Builders of article reports and run indexes for the CI tests (not a test module)."""

from __future__ import annotations

import datetime as dt

from srccheck.models import (
    ArticleError,
    ArticleErrorKind,
    ArticleMeta,
    ArticleReport,
    IndexEntry,
    LinkCheck,
    Position,
    ReportState,
    RunIndex,
    SourceEntry,
    SourceReport,
    Summary,
)
from srccheck.status import Status

__all__ = ["make_index", "make_report", "make_source"]

WHEN = dt.datetime(2024, 10, 22, 12, 0, tzinfo=dt.UTC)
_CODES = {Status.OK: 200, Status.NOT_FOUND: 404, Status.GONE: 410, Status.HTTP_ERROR: 500}


def make_source(
    number: int,
    status: Status,
    *,
    url: str | None = None,
    line: int | None = None,
    column: int = 3,
    lines: tuple[int, ...] = (),
    reason: str | None = None,
    title: str | None = None,
) -> SourceReport:
    url = url or f"https://example.org/page-{number}"
    first = line if line is not None else 10 + number
    positions = [
        Position(index=number, line=ln, column=column, offset=ln * 80) for ln in (first, *lines)
    ]
    return SourceReport(
        id=number,
        source=SourceEntry(raw=url, url=url, positions=positions),
        check=LinkCheck(
            status=status,
            reason=reason or f"checked: {status.value}",
            http_status=_CODES.get(status),
            elapsed_ms=250.0,
            page_title=title,
        ),
    )


def make_report(
    file: str,
    statuses: list[Status] | None = None,
    *,
    sources: list[SourceReport] | None = None,
    error: ArticleErrorKind | None = None,
    title: str | None = "An article",
) -> ArticleReport:
    if sources is None:
        sources = [make_source(n, s) for n, s in enumerate(statuses or [])]
    return ArticleReport(
        srccheck_version="0.1.0",
        generated_at=WHEN,
        state=ReportState.ERROR if error else ReportState.COMPLETE,
        article=ArticleMeta(file=file, format="seed", title=title),
        error=ArticleError(kind=error, message="cannot read it") if error else None,
        sources=sources,
        summary=Summary.of(sources),
    )


def make_index(reports: list[ArticleReport]) -> RunIndex:
    totals = Summary.of([])
    for report in reports:
        totals = totals + report.summary
    return RunIndex(
        srccheck_version="0.1.0",
        started_at=WHEN,
        finished_at=WHEN + dt.timedelta(seconds=3),
        state=ReportState.COMPLETE,
        articles=[
            IndexEntry(file=r.article.file, state=r.state, error=r.error, summary=r.summary)
            for r in reports
        ],
        totals=totals,
    )
