"""A run index of many articles for the large-index tests: a few kinds of entry, repeated."""

from __future__ import annotations

import datetime as dt

from srccheck.claims.model import Verdict
from srccheck.models import (
    ArticleError,
    ArticleErrorKind,
    IndexEntry,
    ReportState,
    RunIndex,
    Summary,
)
from srccheck.status import Status

__all__ = ["HOSTILE", "large_index"]

HOSTILE = '</script><script>window.__pwned = 1</script><img src=x onerror="window.__pwned=2">'
WHEN = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
UNREADABLE = ArticleError(kind=ArticleErrorKind.BINARY, message="not text")


def _summary(statuses: dict[Status, int], verdicts: dict[Verdict, int]) -> Summary:
    base = Summary.of([])
    by_outcome: dict = {}
    for status, n in statuses.items():
        by_outcome[status.outcome] = by_outcome.get(status.outcome, 0) + n
    return base.model_copy(
        update={
            "sources": sum(statuses.values()),
            "by_status": statuses,
            "by_outcome": by_outcome,
            "claims_by_verdict": verdicts,
        }
    )


def large_index(count: int) -> RunIndex:
    """``count`` articles: every 10th has a broken source, every 50th a claim not found,
    article 77 could not be read, article 5 has a hostile title; the rest are all ok."""
    ok = _summary({Status.OK: 8}, {Verdict.FOUND: 2})
    broken = _summary({Status.OK: 6, Status.NOT_FOUND: 2}, {Verdict.FOUND: 2})
    missing = _summary({Status.OK: 8}, {Verdict.FOUND: 1, Verdict.NOT_FOUND: 1})
    entries = []
    for n in range(1, count + 1):
        summary = broken if n % 10 == 0 else missing if n % 50 == 25 else ok
        entries.append(
            IndexEntry(
                file=f"archive/2024/{n:06d}.md",
                report_json=f"{n:06d}.json",
                report_html=f"{n:06d}.html",
                title=HOSTILE if n == 5 else f"Bericht Nummer {n} aus dem Archiv",
                date=dt.date(2024, 1, 1) + dt.timedelta(days=n % 365),
                state=ReportState.COMPLETE,
                error=UNREADABLE if n == 77 else None,
                summary=_summary({}, {}) if n == 77 else summary,
            )
        )
    return RunIndex(
        srccheck_version="0.1.0",
        started_at=WHEN,
        finished_at=WHEN,
        state=ReportState.COMPLETE,
        articles=entries,
        totals=sum((e.summary for e in entries), Summary.of([])),
    )
