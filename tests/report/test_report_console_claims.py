"""Console summary with archives and claims: per-article counts, totals, verbose listing."""

from __future__ import annotations

import io
import re

import pytest
from report_samples import make_claims_report, make_error_report, make_index
from rich.console import Console

from srccheck.claims.model import Verdict
from srccheck.models import ArticleReport, RunIndex
from srccheck.report.console import (
    ConsoleReporter,
    Verbosity,
    VerdictGroup,
    claim_counts,
    missing_claims,
)


def _console(width: int = 100) -> Console:
    return Console(file=io.StringIO(), width=width, force_terminal=False)


def _output(console: Console) -> str:
    return console.file.getvalue()  # type: ignore[attr-defined]


def _run(reporter: ConsoleReporter, reports: list[ArticleReport], index: RunIndex) -> None:
    reporter.start(lambda: sum(len(r.sources) for r in reports))
    for report in reports:
        for item in report.sources:
            reporter.advance(item.source.url or "", item.check)
        reporter.article_done(report)
    reporter.finish(index)


@pytest.fixture
def reports() -> list[ArticleReport]:
    return [make_claims_report(), make_error_report()]


@pytest.fixture
def index(reports: list[ArticleReport]) -> RunIndex:
    return make_index([(reports[0], "a"), (reports[1], "b")])


def test_claim_counts_group_the_verdicts() -> None:
    counts = claim_counts({Verdict.FOUND: 2, Verdict.SUPPORTED: 1, Verdict.NEAR: 4})
    assert counts == {
        VerdictGroup.SUPPORTED: 3,
        VerdictGroup.PARTIAL: 4,
        VerdictGroup.CONTRADICTED: 0,
        VerdictGroup.NOT_FOUND: 0,
        VerdictGroup.UNVERIFIABLE: 0,
    }


def test_rows_show_archived_and_claim_counts(reports, index) -> None:
    console = _console(width=140)
    _run(ConsoleReporter(console), reports, index)
    out = _output(console)
    header = next(line for line in out.splitlines() if "sources" in line and "Article" in line)
    assert "archived" in header
    assert "claims ✓ ~ ≠ ✗ ?" in header
    row = next(line for line in out.splitlines() if "seeds/000_ü.txt" in line)
    # sources, ok/broken/transient/unverifiable, archived 1 of 2, claims 3/2/0/3/1
    assert re.search(r"2\s+2\s+0\s+0\s+0\s+1/2\s+3 2 0 3 1", row), row


def test_compact_rows_show_supported_of_all_claims(reports, index) -> None:
    console = _console(width=80)
    _run(ConsoleReporter(console), reports, index)
    row = next(line for line in _output(console).splitlines() if "seeds/000_ü" in line)
    assert re.search(r"1/2\s+3/9", row), row


def test_totals_line_has_archived_and_claims(reports, index) -> None:
    console = _console()
    _run(ConsoleReporter(console), reports, index)
    last = _output(console).rstrip().splitlines()[-1]
    assert "; archived 1/2; " in last
    assert "claims: 3 supported, 2 partial, 0 contradicted, 3 not found, 1 unverifiable" in last
    assert last.endswith("1 article not checked")


def test_quiet_mode_stays_two_lines(reports, index) -> None:
    console = _console(width=100)  # the totals line is longer than that: it must not wrap
    _run(ConsoleReporter(console, Verbosity.QUIET), reports, index)
    lines = _output(console).strip().splitlines()
    assert len(lines) == 2
    assert lines[1].startswith("2 articles, 2 sources:")
    assert "archived 1/2" in lines[1]


def test_verbose_lists_not_found_quotes_and_key_claims_only(reports, index) -> None:
    console = _console(width=160)
    _run(ConsoleReporter(console, Verbosity.VERBOSE), reports, index)
    out = _output(console)
    listed = [line for line in out.splitlines() if line.lstrip().startswith("not found")]
    assert [line.split()[2] for line in listed] == ["k3", "q2"]
    assert "Wir wissen nichts davon" in out
    assert not any(" n1 " in line for line in listed)  # numbers are counted, not listed
    assert [c.id for c in missing_claims(reports[0].claims)] == ["k3", "q2"]


def test_archive_errors_are_counted_in_the_totals() -> None:
    from report_samples import make_archive, with_archive

    from srccheck.archive.model import ArchiveState
    from srccheck.models import Summary

    report = make_claims_report()
    broken = with_archive(report.sources[1], make_archive(ArchiveState.ERROR))
    sources = [report.sources[0], broken]
    report = report.model_copy(
        update={"sources": sources, "summary": Summary.of(sources, report.claims)}
    )
    console = _console()
    _run(ConsoleReporter(console, Verbosity.QUIET), [report], make_index([(report, "a")]))
    assert "archived 1/2 (1 archive error)" in _output(console)


def test_verbose_lists_contradicted_claims_with_the_differing_words() -> None:
    from srccheck.claims.model import (
        Claim,
        ClaimKind,
        DifferenceKind,
        Evidence,
        Origin,
        TextPart,
        WordDifference,
    )

    evidence = Evidence(
        source_id=0, origin=Origin.LIVE, text_part=TextPart.MAIN, start=0, end=10,
        snippet="400 bis 500 Wh/kg", score=90.0,
        differences=[WordDifference(article="410", page="400", kind=DifferenceKind.NUMBER)],
    )  # fmt: skip
    contradicted = Claim(
        id="k9", kind=ClaimKind.KEY_CLAIM, text="Er nannte 410 bis 500 Wh/kg.", start=0, end=28,
        line=3, column=1, verdict=Verdict.CONTRADICTED, evidence=[evidence],
    )  # fmt: skip
    report = make_claims_report([contradicted])
    index = make_index([(report, "a")])
    console = _console(width=160)
    _run(ConsoleReporter(console, Verbosity.VERBOSE), [report], index)
    out = _output(console)
    (line,) = [line for line in out.splitlines() if line.lstrip().startswith("contradicted")]
    assert "k9 key_claim 3:1" in line
    assert "410 → 400" in line
    assert "1 contradicted" in out.rstrip().splitlines()[-1]
