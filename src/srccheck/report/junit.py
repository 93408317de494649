"""JUnit XML for CI test viewers (GitLab ``artifacts:reports:junit``, Jenkins, GitHub actions).

One ``<testsuite>`` per article (name and classname = the article file), one
``<testcase>`` per source (name = the URL) and per claim when the report has
claims. A test case

* fails (``<failure type=STATUS>``) when the policy made an ``error`` finding of it;
* is skipped (``<skipped>``) when it is not ``ok`` but the policy lets it pass
  (a timeout or a bot wall: not verified, not a failure);
* passes otherwise.

An article that could not be read gets one test case named ``(article)``.
Counts (``tests``, ``failures``, ``errors``, ``skipped``) are computed from the
elements written, so they always agree.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from srccheck.claims.model import Verdict
from srccheck.models import ArticleReport, RunIndex
from srccheck.policy import Finding, Level
from srccheck.report.atomic import write_text_atomic
from srccheck.status import Outcome

__all__ = ["render_junit", "write_junit"]

# Characters XML 1.0 cannot carry at all; server texts (reasons, titles) may contain them.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render_junit(
    reports: Sequence[ArticleReport], index: RunIndex, found: Sequence[Finding]
) -> str:
    """The JUnit XML document of a run, as text (UTF-8, with XML declaration)."""
    failing: dict[tuple[str, str, int | None], Finding] = {}
    for finding in found:
        # One <failure> per test case: the status finding wins over archive-missing.
        if finding.level is Level.ERROR:
            failing.setdefault(_key(finding), finding)
    root = ET.Element("testsuites", name="srccheck")
    duration = (index.finished_at - index.started_at).total_seconds()
    root.set("time", _seconds(duration))
    for report in reports:
        file = report.article.file
        suite = ET.SubElement(root, "testsuite", name=_xml(file))
        suite.set("timestamp", report.generated_at.isoformat(timespec="seconds"))
        if report.error is not None:
            case = _case(suite, "(article)", file, 0.0)
            finding = failing.get((file, "article", None))
            if finding is not None:
                _fail(case, finding)
            else:
                _skip(case, f"{report.error.kind.value}: {report.error.message}")
        for source in report.sources:
            entry = source.source
            name = entry.url or entry.raw
            case = _case(suite, name, file, source.check.elapsed_ms / 1000)
            if entry.positions:
                case.set("line", str(entry.positions[0].line))
            finding = failing.get((file, "source", source.id))
            if finding is not None:
                _fail(case, finding)
            elif source.check.outcome is not Outcome.OK:
                _skip(case, f"{source.check.status.value}: {source.check.reason}")
        for number, claim in enumerate(report.claims):
            case = _case(suite, f"claim {claim.id}: {claim.text}", file, 0.0)
            if claim.line is not None:
                case.set("line", str(claim.line))
            finding = failing.get((file, "claim", number))
            if finding is not None:
                _fail(case, finding)
            elif claim.verdict is Verdict.UNVERIFIABLE:
                _skip(case, "unverifiable: the text of a cited source could not be read")
        _count(suite)
    _count(root, children="testsuite")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def write_junit(
    path: Path, reports: Sequence[ArticleReport], index: RunIndex, found: Sequence[Finding]
) -> Path:
    """Write :func:`render_junit` to ``path`` atomically and return the path."""
    write_text_atomic(path, render_junit(reports, index, found))
    return path


def _key(finding: Finding) -> tuple[str, str, int | None]:
    if finding.claim_index is not None:
        return finding.article, "claim", finding.claim_index
    if finding.source_id is not None:
        return finding.article, "source", finding.source_id
    return finding.article, "article", None


def _xml(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _case(suite: ET.Element, name: str, classname: str, seconds: float) -> ET.Element:
    return ET.SubElement(
        suite,
        "testcase",
        name=_xml(name),
        classname=_xml(classname),
        file=_xml(classname),
        time=_seconds(seconds),
    )


def _fail(case: ET.Element, finding: Finding) -> None:
    first_line = finding.message.split("\n", 1)[0]
    failure = ET.SubElement(case, "failure", message=_xml(first_line), type=finding.rule)
    failure.text = _xml(finding.message)


def _skip(case: ET.Element, message: str) -> None:
    ET.SubElement(case, "skipped", message=_xml(message))


def _count(element: ET.Element, *, children: str | None = None) -> None:
    if children is None:
        cases = element.findall("testcase")
        tests = len(cases)
        failures = sum(1 for c in cases if c.find("failure") is not None)
        skipped = sum(1 for c in cases if c.find("skipped") is not None)
        seconds = sum(float(c.get("time", "0")) for c in cases)
        element.set("time", _seconds(seconds))
    else:
        suites = element.findall(children)
        tests = sum(int(s.get("tests", "0")) for s in suites)
        failures = sum(int(s.get("failures", "0")) for s in suites)
        skipped = sum(int(s.get("skipped", "0")) for s in suites)
    element.set("tests", str(tests))
    element.set("failures", str(failures))
    element.set("errors", "0")
    element.set("skipped", str(skipped))


def _seconds(value: float) -> str:
    return f"{max(value, 0.0):.3f}"
