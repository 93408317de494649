"""JUnit XML as CI test viewers read it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from ci_reports import make_index, make_report, make_source

from srccheck.claims.model import Claim, ClaimKind, Verdict
from srccheck.models import ArticleErrorKind
from srccheck.policy import FailPolicy, findings
from srccheck.report.junit import render_junit, write_junit
from srccheck.status import Status


def render(reports, policy: FailPolicy | None = None) -> ET.Element:
    policy = policy or FailPolicy()
    found = [f for report in reports for f in findings(report, policy)]
    return ET.fromstring(render_junit(reports, make_index(reports), found).encode())


def counts(element: ET.Element) -> tuple[int, int, int, int]:
    return tuple(int(element.get(k)) for k in ("tests", "failures", "errors", "skipped"))


def test_ok_404_timeout_counts_and_failure_message() -> None:
    report = make_report(
        "articles/a.md",
        sources=[
            make_source(0, Status.OK, url="https://example.org/ok"),
            make_source(1, Status.NOT_FOUND, url="https://example.org/gone", reason="404 page"),
            make_source(2, Status.TIMEOUT, url="https://slow.example.org/"),
        ],
    )
    root = render([report])
    [suite] = root.findall("testsuite")
    assert suite.get("name") == "articles/a.md"
    assert counts(suite) == (3, 1, 0, 1)
    assert counts(root) == (3, 1, 0, 1)
    cases = {case.get("name"): case for case in suite.findall("testcase")}
    assert set(cases) == {
        "https://example.org/ok",
        "https://example.org/gone",
        "https://slow.example.org/",
    }
    assert all(case.get("classname") == "articles/a.md" for case in cases.values())
    failure = cases["https://example.org/gone"].find("failure")
    assert failure is not None
    assert failure.get("type") == "not_found"
    assert failure.get("message") == "not_found (HTTP 404): https://example.org/gone"
    assert "404 page" in failure.text
    assert cases["https://slow.example.org/"].find("skipped") is not None
    assert list(cases["https://example.org/ok"]) == []


def test_the_policy_decides_failures() -> None:
    report = make_report("a.md", [Status.NOT_FOUND, Status.TIMEOUT])
    assert counts(render([report], FailPolicy.parse("transient"))) == (2, 1, 0, 1)
    assert counts(render([report], FailPolicy.parse("none"))) == (2, 0, 0, 2)


def test_one_suite_per_article_and_totals_add_up() -> None:
    reports = [
        make_report("a.md", [Status.OK, Status.GONE, Status.GONE]),
        make_report("b.md", [Status.BLOCKED]),
        make_report("c.md", error=ArticleErrorKind.EMPTY),
    ]
    root = render(reports)
    assert [s.get("name") for s in root.findall("testsuite")] == ["a.md", "b.md", "c.md"]
    assert [counts(s) for s in root.findall("testsuite")] == [
        (3, 2, 0, 0),
        (1, 0, 0, 1),
        (1, 0, 0, 1),
    ]
    assert counts(root) == (5, 2, 0, 2)


def test_control_characters_from_servers_do_not_break_the_xml(tmp_path: Path) -> None:
    report = make_report(
        "a.md", sources=[make_source(0, Status.HTTP_ERROR, reason="bad \x00\x1b answer & <b>")]
    )
    found = findings(report, FailPolicy())
    path = write_junit(
        tmp_path / "out" / "srccheck.junit.xml", [report], make_index([report]), found
    )
    failure = ET.parse(path).getroot().find("testsuite/testcase/failure")
    assert failure is not None
    assert "answer & <b>" in failure.text


def test_claims_become_test_cases_failing_when_not_found_and_asked() -> None:
    claims = [
        Claim(id="q1", kind=ClaimKind.QUOTE, text="„Wir beraten uns“", start=0, end=17,
              verdict=Verdict.FOUND),
        Claim(id="q2", kind=ClaimKind.QUOTE, text="1500 Sondertruppen kamen", start=20, end=44,
              line=3, column=1, verdict=Verdict.NOT_FOUND),
        Claim(id="q3", kind=ClaimKind.QUOTE, text="Ohne Seite", start=50, end=60,
              verdict=Verdict.UNVERIFIABLE),
    ]
    report = make_report("a.md", [Status.OK]).model_copy(update={"claims": claims})
    root = render([report], FailPolicy.parse("default,claims-not-found"))
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert set(cases) == {
        "https://example.org/page-0",
        "claim q1: „Wir beraten uns“",
        "claim q2: 1500 Sondertruppen kamen",
        "claim q3: Ohne Seite",
    }
    failure = cases["claim q2: 1500 Sondertruppen kamen"].find("failure")
    assert failure is not None
    assert failure.get("type") == "claims-not-found"
    assert cases["claim q3: Ohne Seite"].find("skipped") is not None
    assert counts(root) == (4, 1, 0, 1)
    assert counts(render([report])) == (4, 0, 0, 1)  # not asked for: claims pass
