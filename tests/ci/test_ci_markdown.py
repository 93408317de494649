"""The Markdown summary: content and escaping of untrusted text."""

from __future__ import annotations

import re

from ci_reports import make_index, make_report, make_source

from srccheck.policy import FailPolicy, findings
from srccheck.report.markdown import escape_markdown, render_markdown
from srccheck.status import Status

HOSTILE_URL = "https://example.org/a|b<script>alert(1)</script>`x`_y_*z*(q)"


def render(reports) -> str:
    found = [f for report in reports for f in findings(report, FailPolicy())]
    return render_markdown(reports, make_index(reports), found)


def table_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("| ")]


def cells(row: str) -> list[str]:
    # A GitHub table splits on every unescaped pipe.
    return re.split(r"(?<!\\)\|", row.strip())[1:-1]


def test_escape_markdown_makes_text_inert() -> None:
    escaped = escape_markdown("a|b <b>x</b> `c` *d* _e_ [f](g) \\ &amp;\nnext")
    for char in "|<>`*_[]\\\n":
        assert char not in escaped
    assert "&amp;amp;" in escaped  # an existing entity is shown, not decoded


def test_hostile_url_and_title_cannot_break_the_table_or_inject_html() -> None:
    report = make_report(
        "articles/a|b.md",
        sources=[
            make_source(0, Status.NOT_FOUND, url=HOSTILE_URL, reason="gone | <img src=x>"),
            make_source(1, Status.OK, title="<b>Title</b> | `code`"),
        ],
        title="Weird | `title` <i>",
    )
    text = render([report])
    assert "<script>" not in text
    assert "<img" not in text
    assert "<b>" not in text
    assert "<i>" not in text
    rows = table_rows(text)
    header = next(r for r in rows if r.startswith("| Level"))
    finding_row = next(r for r in rows if "error" in r)
    assert len(cells(finding_row)) == len(cells(header)) == 5
    link = cells(finding_row)[2].strip()
    # The link text shows the URL; the destination has no pipe, space, parenthesis or <.
    destination = link[link.index("](") + 2 : -1]
    assert not set(destination) & set("| ()<>`")
    assert "%7C" in destination
    assert "%3C" in destination


def test_summary_lists_findings_per_article_and_folds_the_rest() -> None:
    reports = [
        make_report("a.md", [Status.OK, Status.GONE, Status.TIMEOUT]),
        make_report("b.md", [Status.OK]),
    ]
    text = render(reports)
    assert text.startswith("## ❌ srccheck found problems")
    assert "**1** failing, **1** warning(s)" in text
    assert "| broken | 1 |" in text
    assert "| ok | 2 |" in text
    assert "<code>a.md</code>" in text
    assert "https://example.org/page-1" in text  # the gone source, in the table
    assert "1 source(s) ok" in text
    assert "1 article(s) without findings" in text
    assert "<code>b.md</code>" in text


def test_clean_run_headline() -> None:
    text = render([make_report("a.md", [Status.OK, Status.BLOCKED_BY_POLICY])])
    assert text.startswith("## ✅ srccheck: no failing sources")


def test_contradicted_claim_is_counted_and_listed_by_default() -> None:
    from srccheck.claims.model import (
        Claim,
        ClaimKind,
        DifferenceKind,
        Evidence,
        Origin,
        TextPart,
        Verdict,
        WordDifference,
    )
    from srccheck.models import Summary

    evidence = Evidence(
        source_id=0, origin=Origin.LIVE, text_part=TextPart.MAIN, start=0, end=10,
        snippet="400 bis 500 Wh/kg", score=90.0,
        differences=[WordDifference(article="410", page="400", kind=DifferenceKind.NUMBER)],
    )  # fmt: skip
    claims = [
        Claim(id="k1", kind=ClaimKind.KEY_CLAIM, text="Er nannte 410 bis 500 Wh/kg.", start=0,
              end=28, line=4, column=1, verdict=Verdict.CONTRADICTED, evidence=[evidence]),
        Claim(id="k2", kind=ClaimKind.KEY_CLAIM, text="Sie kam 2020.", start=30, end=43,
              verdict=Verdict.SUPPORTED),
    ]  # fmt: skip
    base = make_report("a.md", [Status.OK])
    report = base.model_copy(
        update={"claims": claims, "summary": Summary.of(base.sources, claims)}
    )
    text = render([report])
    assert "Claims: 1 supported, 0 partial, 1 contradicted, 0 not found, 0 unverifiable." in text
    (row,) = [r for r in table_rows(text) if "claims&#45;contradicted" in r or
              "claims-contradicted" in r]  # fmt: skip
    assert "warning" in row
    assert "410 → 400" in row
