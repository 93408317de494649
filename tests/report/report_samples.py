"""Realistic report values for the report-stage tests (imported by conftest and tests)."""

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
    RedirectHop,
    ReportState,
    RunIndex,
    SourceEntry,
    SourceReport,
    Summary,
)
from srccheck.status import Status

XSS = '<script>alert(1)</script>" onerror="x'
JS_URL = "javascript:alert(1)"
WHEN = dt.datetime(2024, 10, 22, 9, 30, tzinfo=dt.UTC)


def _check(status: Status, n: int) -> LinkCheck:
    """A plausible check for ``status``; redirects for the redirecting statuses."""
    url = f"https://example.org/artikel/{n}"
    redirects = []
    if status in (Status.REDIRECTED, Status.TOO_MANY_REDIRECTS):
        redirects = [
            RedirectHop(url=url, status_code=301, location=f"https://www.example.org/a/{n}"),
            RedirectHop(url=f"https://www.example.org/a/{n}", status_code=302, location="/b"),
        ]
    code = {
        Status.OK: 200,
        Status.REDIRECTED: 200,
        Status.NOT_FOUND: 404,
        Status.GONE: 410,
        Status.HTTP_ERROR: 500,
        Status.SOFT_404: 200,
        Status.BLOCKED: 403,
        Status.TOO_MANY_REDIRECTS: 302,
    }.get(status)
    return LinkCheck(
        status=status,
        reason=f"{status.value} – Grund für Quelle {n}",
        http_status=code,
        final_url=("https://www.example.org/b" if redirects else url) if code else None,
        redirects=redirects,
        attempts=3 if status.is_transient else 1,
        elapsed_ms=123.4 * (n + 1),
        first_byte_ms=50.0 if code else None,
        content_type="text/html" if code else None,
        charset="utf-8" if code else None,
        page_title=f"Seite „{n}“ – Übersicht" if code else None,
        body_bytes=2048 if code else 0,
        checked_at=WHEN,
    )


def make_sources() -> list[SourceReport]:
    sources = []
    for n, status in enumerate(Status):
        url = None if status is Status.INVALID else f"https://example.org/artikel/{n}"
        entry = SourceEntry(
            raw=url or "htps//kaputt",
            url=url,
            positions=[Position(index=n, line=10 + n, column=1, offset=500 + 40 * n)],
            invalid_reason="missing scheme" if url is None else None,
        )
        sources.append(SourceReport(id=n, source=entry, check=_check(status, n)))
    return sources


TITLE = "Nordkoreanische Soldaten in der Ukraine"


def make_article_report(
    sources: list[SourceReport] | None = None, *, title: str = TITLE
) -> ArticleReport:
    sources = make_sources() if sources is None else sources
    return ArticleReport(
        srccheck_version="0.1.0",
        generated_at=WHEN,
        state=ReportState.COMPLETE,
        article=ArticleMeta(
            file="seeds/000_ü.txt",
            format="seed",
            encoding="utf-8",
            date=dt.date(2024, 10, 22),
            title=title,
            body_chars=2345,
        ),
        sources=sources,
        summary=Summary.of(sources),
    )


def make_error_report(kind: ArticleErrorKind = ArticleErrorKind.BINARY) -> ArticleReport:
    return ArticleReport(
        srccheck_version="0.1.0",
        generated_at=WHEN,
        state=ReportState.ERROR,
        article=ArticleMeta(file="seeds/bild.png"),
        error=ArticleError(kind=kind, message="The file is binary (NUL bytes at offset 12)."),
        summary=Summary.of([]),
    )


def index_entry(report: ArticleReport, stem: str) -> IndexEntry:
    return IndexEntry(
        file=report.article.file,
        report_json=f"{stem}.json",
        report_html=f"{stem}.html",
        title=report.article.title,
        date=report.article.date,
        state=report.state,
        error=report.error,
        summary=report.summary,
    )


def make_index(reports: list[tuple[ArticleReport, str]]) -> RunIndex:
    entries = [index_entry(report, stem) for report, stem in reports]
    return RunIndex(
        srccheck_version="0.1.0",
        started_at=WHEN,
        finished_at=WHEN + dt.timedelta(seconds=42),
        state=ReportState.COMPLETE,
        articles=entries,
        totals=sum((e.summary for e in entries), Summary.of([])),
    )
