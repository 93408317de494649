"""Realistic report values for the report-stage tests (imported by conftest and tests)."""

from __future__ import annotations

import datetime as dt

from srccheck.archive.model import (
    ArchiveErrorKind,
    ArchiveKind,
    ArchiveLookup,
    ArchiveReport,
    ArchiveState,
    Drift,
    DriftVerdict,
    LookupMethod,
    Snapshot,
)
from srccheck.claims.model import (
    Attribution,
    Claim,
    ClaimKind,
    Evidence,
    Origin,
    TextPart,
    Verdict,
    WordDifference,
)
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


# -- archives -----------------------------------------------------------------------------

ARTICLE_DATE = dt.date(2024, 10, 22)
ARCHIVE_ERROR_TEXT = "cdx: ConnectError: DNS lookup failed for web.archive.org"


def make_snapshot(days: int, *, replay_url: str | None = None) -> Snapshot:
    """A Wayback capture ``days`` after the article date."""
    when = dt.datetime(2024, 10, 22, 12, 0, tzinfo=dt.UTC) + dt.timedelta(days=days)
    stamp = when.strftime("%Y%m%d%H%M%S")
    return Snapshot(
        archive="internet-archive",
        original_url="https://example.org/artikel/0",
        captured_at=when,
        raw_url=f"https://web.archive.org/web/{stamp}id_/https://example.org/artikel/0",
        replay_url=replay_url
        or f"https://web.archive.org/web/{stamp}/https://example.org/artikel/0",
        http_status=200,
    )


def make_archive(
    state: ArchiveState,
    *,
    days: int = 2,
    window: int = 30,
    drift: DriftVerdict | None = None,
    error_text: str = ARCHIVE_ERROR_TEXT,
    replay_url: str | None = None,
) -> ArchiveReport:
    """An archive report for one source: available (``days`` from the article), none, or error."""
    snapshot = (
        make_snapshot(days, replay_url=replay_url) if state is ArchiveState.AVAILABLE else None
    )
    lookup = ArchiveLookup(
        archive="internet-archive",
        kind=ArchiveKind.INTERNET_ARCHIVE,
        state=state,
        method=LookupMethod.CDX,
        snapshot=snapshot,
        distance_days=days if snapshot else None,
        snapshots_found=7 if snapshot else 0,
        error=ArchiveErrorKind.CONNECTION if state is ArchiveState.ERROR else None,
        error_message=error_text if state is ArchiveState.ERROR else None,
        attempts=2,
    )
    other = ArchiveLookup(
        archive="arquivo.pt",
        kind=ArchiveKind.MEMENTO,
        state=ArchiveState.NOT_ARCHIVED,
        method=LookupMethod.TIMEMAP,
        attempts=1,
    )
    scores = {DriftVerdict.UNCHANGED: 0.98, DriftVerdict.CHANGED: 0.83, DriftVerdict.REPLACED: 0.2}
    return ArchiveReport(
        url="https://example.org/artikel/0",
        article_date=ARTICLE_DATE,
        lookups=[lookup, other],
        chosen=snapshot,
        distance_days=days if snapshot else None,
        window_days=window,
        outside_window=snapshot is not None and abs(days) > window,
        drift=None
        if drift is None
        else Drift(score=scores[drift], verdict=drift, live_chars=1200, archived_chars=1180),
    )


def with_archive(source: SourceReport, archive: ArchiveReport | None) -> SourceReport:
    return source.model_copy(update={"archive": archive})


# -- claims -------------------------------------------------------------------------------

BODY_START = 31  # the date and title lines come first in the article file
BODY = (
    "Die USA sprechen von einer „gefährlichen“ Entwicklung. "
    "„Das ist eine sehr ernste Lage“, sagte Robert Wood am Montag. "
    "Nordkorea soll 1500 Soldaten entsandt haben. "
    "„Wir wissen nichts davon“, sagte Peskow.\n\n"
    "Ein Absatz ohne Behauptung."
)


def _at(text: str, body: str = BODY) -> tuple[int, int]:
    start = body.index(text)
    return BODY_START + start, BODY_START + start + len(text)


def claim(
    claim_id: str,
    kind: ClaimKind,
    text: str,
    verdict: Verdict | None,
    *,
    body: str = BODY,
    evidence: list[Evidence] | None = None,
    **extra: object,
) -> Claim:
    """A claim located in ``body`` (so in the article file at ``BODY_START`` + its index)."""
    start, end = _at(text, body)
    return Claim(
        id=claim_id,
        kind=kind,
        text=text,
        start=start,
        end=end,
        line=3,
        column=start - BODY_START + 1,
        verdict=verdict,
        evidence=evidence or [],
        **extra,
    )


def evidence(
    source_id: int, page_text: str, match: str, *, score: float = 100.0, **extra: object
) -> Evidence:
    """Evidence whose snippet is ``page_text``, with the match offsets of ``match`` in it."""
    start = page_text.index(match)
    return Evidence(
        source_id=source_id,
        origin=extra.pop("origin", Origin.LIVE),
        text_part=TextPart.MAIN,
        start=1000 + start,
        end=1000 + start + len(match),
        snippet=page_text,
        snippet_start=start,
        snippet_end=start + len(match),
        score=score,
        **extra,
    )


def make_claims() -> list[Claim]:
    """One claim per verdict and kind, nested the way the claims stage nests them."""
    page = "…Botschafter Robert Wood sagte: „Das ist eine sehr ernste Lage“ vor dem Rat…"
    near_page = "…Wood: „Das ist eine ernste Lage“, so der Diplomat…"
    return [
        claim(
            "k1",
            ClaimKind.KEY_CLAIM,
            "Die USA sprechen von einer „gefährlichen“ Entwicklung.",
            Verdict.PARTIAL,
            parts=["p1", "t1"],
        ),
        claim(
            "k2",
            ClaimKind.KEY_CLAIM,
            "„Das ist eine sehr ernste Lage“, sagte Robert Wood am Montag.",
            Verdict.SUPPORTED,
            parts=["q1", "p2"],
            evidence=[evidence(0, page, "„Das ist eine sehr ernste Lage“")],
        ),
        claim(
            "k3",
            ClaimKind.KEY_CLAIM,
            "Nordkorea soll 1500 Soldaten entsandt haben.",
            Verdict.NOT_FOUND,
            parts=["n1"],
        ),
        claim(
            "p1",
            ClaimKind.NAME,
            "USA",
            Verdict.FOUND,
            evidence=[evidence(1, "…die USA haben…", "USA", origin=Origin.ARCHIVED)],
        ),
        claim("t1", ClaimKind.TERM, "gefährlichen", Verdict.UNVERIFIABLE, weight=0.5),
        claim(
            "q1",
            ClaimKind.QUOTE,
            "Das ist eine sehr ernste Lage",
            Verdict.NEAR,
            speaker="Robert Wood",
            attribution=Attribution.CONFIRMED,
            evidence=[
                evidence(
                    0,
                    near_page,
                    "Das ist eine ernste Lage",
                    score=93.0,
                    differences=[WordDifference(article="sehr", page=None)],
                )
            ],
        ),
        claim(
            "p2",
            ClaimKind.NAME,
            "Robert Wood",
            Verdict.FOUND,
            evidence=[evidence(0, page, "Robert Wood")],
        ),
        claim(
            "n1",
            ClaimKind.NUMBER,
            "1500 Soldaten",
            Verdict.NOT_FOUND,
            value=1500.0,
            unit="soldaten",
        ),
        claim(
            "q2",
            ClaimKind.QUOTE,
            "Wir wissen nichts davon",
            Verdict.NOT_FOUND,
            speaker="Peskow",
            attribution=Attribution.UNVERIFIABLE,
        ),
    ]


def make_claims_report(
    claims: list[Claim] | None = None, *, body: str | None = BODY
) -> ArticleReport:
    """Two sources (one archived) and :func:`make_claims`, with the body for highlighting."""
    sources = make_sources()[:2]
    sources = [
        with_archive(sources[0], make_archive(ArchiveState.AVAILABLE, drift=DriftVerdict.CHANGED)),
        with_archive(sources[1], make_archive(ArchiveState.NOT_ARCHIVED)),
    ]
    claims = make_claims() if claims is None else claims
    report = make_article_report(sources)
    meta = report.article.model_copy(
        update={"body": body, "body_start": BODY_START if body is not None else None}
    )
    return report.model_copy(
        update={"article": meta, "claims": claims, "summary": Summary.of(sources, claims)}
    )
