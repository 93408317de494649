"""GitHub workflow-command annotations: locations, levels and escaping."""

from __future__ import annotations

from ci_reports import make_report, make_source

from srccheck.policy import FailPolicy, Finding, Level, findings
from srccheck.report.github import escape_data, escape_property, render_github
from srccheck.status import Status


def test_error_and_warning_lines_carry_file_line_and_column() -> None:
    report = make_report(
        "articles/a.md",
        sources=[
            make_source(0, Status.NOT_FOUND, url="https://example.org/x", line=12, column=5),
            make_source(1, Status.TIMEOUT, url="https://example.org/y", line=13, column=1),
            make_source(2, Status.OK),
        ],
    )
    lines = render_github(findings(report, FailPolicy()))
    assert len(lines) == 2
    assert lines[0].startswith(
        "::error file=articles/a.md,line=12,col=5,endColumn=26,title=srccheck%3A not_found::"
    )
    assert lines[1].startswith("::warning file=articles/a.md,line=13,col=1,")
    assert all("\n" not in line and "\r" not in line for line in lines)
    assert "https://example.org/x%0A" in lines[0]  # the message keeps its colons


def test_properties_and_message_are_escaped() -> None:
    finding = Finding(
        article="x",
        file="news/a,b:c%.md",
        line=3,
        column=None,
        end_column=None,
        rule="gone",
        level=Level.ERROR,
        title="t: 100%, done",
        message="50% off\r\nsecond line: x,y",
    )
    [line] = render_github([finding])
    assert line == (
        "::error file=news/a%2Cb%3Ac%25.md,line=3,title=t%3A 100%25%2C done"
        "::50%25 off%0D%0Asecond line: x,y"
    )


def test_escape_functions_do_not_double_escape() -> None:
    assert escape_data("%0A\n") == "%250A%0A"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_notes_use_notice() -> None:
    finding = Finding("a", "a.md", None, None, None, "ok", Level.NOTE, "t", "m")
    assert render_github([finding]) == ["::notice file=a.md,title=t::m"]
