"""The exit policy: which statuses fail a build under which --fail-on, and the findings."""

from __future__ import annotations

from pathlib import Path

import pytest
from ci_reports import make_report, make_source

from srccheck.archive.model import ArchiveKind, ArchiveLookup, ArchiveReport, ArchiveState
from srccheck.claims.model import Claim, ClaimKind, Verdict
from srccheck.errors import UsageError
from srccheck.models import ArticleErrorKind, TextFragmentCheck, TextFragmentState
from srccheck.policy import (
    DEFAULT_FAIL_ON,
    FAIL_ON_NAMES,
    FailPolicy,
    Level,
    exit_code,
    findings,
)
from srccheck.status import Outcome, Status

S = Status

# (statuses in the article, --fail-on, expected exit code)
MATRIX = [
    ([S.OK, S.REDIRECTED], "default", 0),
    ([S.OK, S.NOT_FOUND], "default", 1),
    ([S.GONE], "default", 1),
    ([S.SOFT_404], "default", 1),
    ([S.HTTP_ERROR], "default", 1),
    ([S.DNS_ERROR], "default", 1),
    ([S.TLS_ERROR], "default", 1),
    ([S.TOO_MANY_REDIRECTS], "default", 1),
    ([S.INVALID], "default", 1),
    ([S.TIMEOUT, S.CONNECTION_ERROR], "default", 0),
    ([S.BLOCKED, S.BLOCKED_BY_POLICY, S.SKIPPED], "default", 0),
    ([S.TIMEOUT], "transient", 1),
    ([S.NOT_FOUND], "transient", 0),
    ([S.BLOCKED], "unverifiable", 1),
    ([S.SKIPPED], "unverifiable", 1),
    ([S.TIMEOUT], "broken", 0),
    ([S.GONE], "broken", 1),
    ([S.NOT_FOUND], "gone", 0),
    ([S.GONE], "gone", 1),
    ([S.TIMEOUT], "not_found,timeout", 1),
    ([S.TIMEOUT], "NOT-FOUND, Timeout", 1),
    ([S.REDIRECTED], "all", 0),
    ([S.REDIRECTED], "redirected", 1),
    ([S.SKIPPED], "all", 1),
    ([S.BLOCKED], "default,blocked", 1),
    ([S.NOT_FOUND, S.TIMEOUT, S.BLOCKED, S.INVALID], "none", 0),
    ([], "default", 0),
]


@pytest.mark.parametrize(("statuses", "fail_on", "expected"), MATRIX)
def test_exit_code_matrix(statuses: list[Status], fail_on: str, expected: int) -> None:
    report = make_report("articles/a.md", statuses)
    assert exit_code([report], FailPolicy.parse(fail_on)) == expected


def test_default_policy_is_the_broken_outcome() -> None:
    # The documented default: every broken status and nothing else.
    assert set(DEFAULT_FAIL_ON) == {s for s in Status if s.outcome is Outcome.BROKEN}
    assert FailPolicy.parse("") == FailPolicy.parse("default") == FailPolicy()


def test_none_never_fails_whatever_the_results() -> None:
    reports = [make_report(f"a{n}.md", [status]) for n, status in enumerate(Status)]
    policy = FailPolicy.parse("none")
    assert policy.is_report_only
    assert exit_code(reports, policy) == 0
    assert exit_code(reports, FailPolicy.parse("all")) == 1


def test_one_failing_article_among_many_fails_the_run() -> None:
    reports = [make_report("a.md", [S.OK]), make_report("b.md", [S.TIMEOUT, S.GONE])]
    assert exit_code(reports, FailPolicy()) == 1


@pytest.mark.parametrize("spec", ["not_fund", "default,brokn", "archive"])
def test_unknown_names_are_usage_errors_listing_the_valid_ones(spec: str) -> None:
    with pytest.raises(UsageError) as caught:
        FailPolicy.parse(spec)
    message = str(caught.value)
    assert repr(spec.split(",")[-1]) in message
    assert "not_found" in message
    assert "archive-missing" in message
    assert "none" in message


def test_none_cannot_be_combined() -> None:
    with pytest.raises(UsageError, match="none"):
        FailPolicy.parse("none,not_found")


def test_every_status_and_outcome_is_a_valid_name() -> None:
    for name in [*(s.value for s in Status), "broken", "transient", "unverifiable"]:
        assert name in FAIL_ON_NAMES
        FailPolicy.parse(name)


def test_findings_are_located_at_the_first_citation() -> None:
    source = make_source(0, S.NOT_FOUND, url="https://example.org/x", line=7, lines=(19, 30))
    report = make_report("articles/a.md", sources=[source, make_source(1, S.OK)])
    [finding] = findings(report, FailPolicy())
    assert (finding.file, finding.line, finding.column) == ("articles/a.md", 7, 3)
    assert finding.end_column == 3 + len("https://example.org/x")
    assert finding.rule == "not_found"
    assert finding.level is Level.ERROR
    assert finding.url == "https://example.org/x"
    assert finding.source_id == 0
    assert "19, 30" in finding.message
    assert "HTTP 404" in finding.message


def test_non_failing_notable_results_are_warnings_and_skipped_is_silent() -> None:
    report = make_report("a.md", [S.TIMEOUT, S.BLOCKED, S.SKIPPED, S.OK, S.REDIRECTED])
    found = findings(report, FailPolicy())
    assert [(f.rule, f.level) for f in found] == [
        ("timeout", Level.WARNING),
        ("blocked", Level.WARNING),
    ]


def test_absolute_article_paths_become_relative_to_the_base(tmp_path: Path) -> None:
    article = tmp_path / "news" / "a.md"
    report = make_report(str(article), [S.GONE])
    [finding] = findings(report, FailPolicy(), base=tmp_path)
    assert finding.file == "news/a.md"
    assert finding.article == str(article)


def test_article_errors_warn_unless_the_policy_names_them() -> None:
    report = make_report("a.md", error=ArticleErrorKind.UNREADABLE)
    [finding] = findings(report, FailPolicy())
    assert finding.level is Level.WARNING
    assert finding.rule == "article-error"
    assert exit_code([report], FailPolicy()) == 0
    assert exit_code([report], FailPolicy.parse("default,article-error")) == 1


def _claim(kind: ClaimKind, verdict: Verdict, text: str, line: int = 7) -> Claim:
    return Claim(
        id=f"{kind.value[0]}1", kind=kind, text=text, start=0, end=len(text),
        line=line, column=5, verdict=verdict,
    )


def _archive(state: ArchiveState | None) -> ArchiveReport:
    lookups = []
    if state is not None:
        lookups = [ArchiveLookup(archive="ia", kind=ArchiveKind.INTERNET_ARCHIVE, state=state)]
    return ArchiveReport(url="https://example.org/x", lookups=lookups, window_days=30)


def test_claims_not_found_fails_only_when_asked() -> None:
    base = make_report("a.md", [S.OK])
    report = base.model_copy(
        update={
            "claims": [
                _claim(ClaimKind.KEY_CLAIM, Verdict.SUPPORTED, "x"),
                _claim(ClaimKind.QUOTE, Verdict.NOT_FOUND, "Wir beraten uns mit Partnern"),
                _claim(ClaimKind.NUMBER, Verdict.NOT_FOUND, "1500 Soldaten"),  # part, not judged
                _claim(ClaimKind.QUOTE, Verdict.UNVERIFIABLE, "Ohne Quelle geprüft"),
            ]
        }
    )
    assert exit_code([report], FailPolicy()) == 0
    policy = FailPolicy.parse("default,claims-not-found")
    [finding] = findings(report, policy)
    assert finding.rule == "claims-not-found"
    assert finding.claim_index == 1
    assert (finding.line, finding.column) == (7, 5)
    assert "Wir beraten uns" in finding.message
    assert exit_code([report], policy) == 1


def _contradicted_report():
    from srccheck.claims.model import DifferenceKind, Evidence, Origin, TextPart, WordDifference

    key = _claim(ClaimKind.KEY_CLAIM, Verdict.CONTRADICTED, "Er nannte 410 bis 500 Wh/kg.")
    key = key.model_copy(
        update={
            "evidence": [
                Evidence(
                    source_id=0, origin=Origin.LIVE, text_part=TextPart.MAIN, start=0, end=20,
                    snippet="Er nannte 400 bis 500 Wh/kg.", score=90.0,
                    differences=[WordDifference(article="410", page="400",
                                                kind=DifferenceKind.NUMBER)],
                )
            ]
        }
    )  # fmt: skip
    not_found = _claim(ClaimKind.QUOTE, Verdict.NOT_FOUND, "Wir beraten uns mit Partnern")
    return make_report("a.md", [S.OK]).model_copy(update={"claims": [key, not_found]})


@pytest.mark.parametrize(
    ("spec", "expected", "code"),
    [
        ("default", [("claims-contradicted", Level.WARNING)], 0),
        ("none", [("claims-contradicted", Level.WARNING)], 0),
        ("claims-contradicted", [("claims-contradicted", Level.ERROR)], 1),
        (
            "default,claims-not-found",
            [("claims-contradicted", Level.ERROR), ("claims-not-found", Level.ERROR)],
            1,
        ),
    ],
)
def test_contradicted_claims_are_findings(
    spec: str, expected: list[tuple[str, Level]], code: int
) -> None:
    report = _contradicted_report()
    policy = FailPolicy.parse(spec)
    found = findings(report, policy)
    assert [(f.rule, f.level) for f in found] == expected
    assert "410 → 400" in found[0].message
    assert found[0].claim_index == 0
    assert exit_code([report], policy) == code


def test_claims_contradicted_is_a_fail_on_name() -> None:
    assert "claims-contradicted" in FAIL_ON_NAMES
    assert FailPolicy.parse("Claims_Contradicted") == FailPolicy.parse("claims-contradicted")


def test_archive_missing_judges_only_sources_whose_archives_answered() -> None:
    sources = [
        make_source(0, S.OK),  # archives not asked
        make_source(1, S.OK).model_copy(update={"archive": _archive(ArchiveState.AVAILABLE)}),
        make_source(2, S.OK).model_copy(update={"archive": _archive(ArchiveState.NOT_ARCHIVED)}),
        make_source(3, S.OK).model_copy(update={"archive": _archive(ArchiveState.ERROR)}),
        make_source(4, S.OK).model_copy(update={"archive": _archive(None)}),
    ]
    report = make_report("a.md", sources=sources)
    policy = FailPolicy.parse("archive-missing")
    found = findings(report, policy)
    assert [(f.rule, f.source_id) for f in found] == [("archive-missing", 2)]
    assert exit_code([report], FailPolicy()) == 0
    assert exit_code([report], policy) == 1


def test_text_fragments_not_found_warn_by_default_and_fail_when_named() -> None:
    def fragment(state: TextFragmentState, start: str | None) -> TextFragmentCheck:
        return TextFragmentCheck(
            directive=f"text={start}", fragment=f":~:text={start}", start=start, state=state,
            reason="r",
        )

    source = make_source(0, S.OK, line=4).model_copy(
        update={
            "text_fragments": [
                fragment(TextFragmentState.FOUND, "da"),
                fragment(TextFragmentState.NOT_FOUND, "fehlt"),
                fragment(TextFragmentState.UNVERIFIABLE, "offen"),  # never a finding
                fragment(TextFragmentState.INVALID, None),
            ]
        }
    )
    report = make_report("a.md", [S.OK]).model_copy(update={"sources": [source]})
    warned = findings(report, FailPolicy())
    assert [(f.rule, f.level) for f in warned] == [("text-fragment-not-found", Level.WARNING)] * 2
    assert "'fehlt'" in warned[0].message
    assert warned[0].line == 4
    assert exit_code([report], FailPolicy()) == 0
    assert exit_code([report], FailPolicy.parse("default,text-fragment-not-found")) == 1
