"""Console output: progress events, the end-of-run summary, verbosity, no forced colour."""

from __future__ import annotations

import io
import re

import pytest
from report_samples import make_article_report, make_error_report, make_index, make_sources
from rich.console import Console

from srccheck.models import ArticleReport, ReportState, RunIndex
from srccheck.report.console import (
    ConsoleReporter,
    NullProgress,
    ProgressSink,
    Verbosity,
    print_run_summary,
    worst_statuses,
)
from srccheck.status import Outcome, Status

# The sample article has one source per status (report_samples.make_sources).
N = len(Status)
OK, BROKEN, TRANSIENT, UNVERIFIABLE = (
    sum(s.outcome is o for s in Status)
    for o in (Outcome.OK, Outcome.BROKEN, Outcome.TRANSIENT, Outcome.UNVERIFIABLE)
)

COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-7]|9[0-7]|38;[25];[0-9;]+)m")


def _console(width: int = 100, **options: object) -> Console:
    options.setdefault("force_terminal", False)
    return Console(file=io.StringIO(), width=width, **options)  # type: ignore[arg-type]


def _output(console: Console) -> str:
    return console.file.getvalue()  # type: ignore[attr-defined]


def _run(reporter: ProgressSink, reports: list[ArticleReport], index: RunIndex) -> None:
    """Feed the events in the order the pipeline sends them."""
    reporter.start(lambda: sum(len(r.sources) for r in reports))
    for report in reports:
        for item in report.sources:
            reporter.advance(item.source.url or item.source.raw, item.check)
        reporter.article_done(report)
    reporter.finish(index)


@pytest.fixture
def reports() -> list[ArticleReport]:
    return [make_article_report(title="[red]Kiew[/]"), make_error_report()]


@pytest.fixture
def index(reports: list[ArticleReport]) -> RunIndex:
    return make_index([(reports[0], "a"), (reports[1], "b")])


def test_normal_summary_has_a_row_per_article_counts_errors_and_totals(
    reports: list[ArticleReport], index: RunIndex
) -> None:
    console = _console()
    _run(ConsoleReporter(console), reports, index)
    out = _output(console)
    assert "seeds/000_ü.txt" in out
    assert "[red]Kiew[/]" in out  # markup in a title is printed as written
    row = next(line for line in out.splitlines() if "seeds/000_ü.txt" in line)
    assert re.search(
        rf"{N}\s+{OK}\s+{BROKEN}\s+{TRANSIENT}\s+{UNVERIFIABLE}\s+not_found×1", row
    ), row
    assert "seeds/bild.png: binary: The file is binary (NUL bytes at offset 12)." in out
    assert out.rstrip().splitlines()[-1] == (
        f"2 articles, {N} sources: {OK} ok, {BROKEN} broken, {TRANSIENT} transient, "
        f"{UNVERIFIABLE} unverifiable; 1 article not checked"
    )
    assert "https://example.org/artikel/2" not in out  # single sources only in verbose mode


def test_quiet_prints_only_errors_and_the_totals(
    reports: list[ArticleReport], index: RunIndex
) -> None:
    console = _console()
    _run(ConsoleReporter(console, Verbosity.QUIET), reports, index)
    lines = _output(console).strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("✗ seeds/bild.png: binary:")
    assert lines[1].startswith(f"2 articles, {N} sources:")


def test_verbose_lists_every_source_that_is_not_ok(
    reports: list[ArticleReport], index: RunIndex
) -> None:
    console = _console(width=140)
    _run(ConsoleReporter(console, verbosity=1), reports, index)
    out = _output(console)
    not_ok = [s for s in reports[0].sources if not s.check.status.is_success]
    for item in not_ok:
        line = next(li for li in out.splitlines() if li.strip().startswith(item.check.status.value))
        assert (item.source.url or item.source.raw) in line
        assert item.check.reason in line
    assert "https://example.org/artikel/0 " not in out  # ok sources are not listed


def test_interrupted_run_is_marked_in_the_totals(reports: list[ArticleReport]) -> None:
    index = make_index([(reports[0], "a")]).model_copy(update={"state": ReportState.INCOMPLETE})
    console = _console()
    print_run_summary(console, index, verbosity=Verbosity.QUIET)
    assert _output(console).strip().endswith("(run incomplete)")


def test_empty_run_prints_totals_only() -> None:
    console = _console()
    print_run_summary(console, make_index([]))
    assert (
        _output(console).strip()
        == "0 articles, 0 sources: 0 ok, 0 broken, 0 transient, 0 unverifiable"
    )


def test_narrow_console_keeps_the_numbers_readable(
    reports: list[ArticleReport], index: RunIndex
) -> None:
    console = _console(width=60)
    print_run_summary(console, index)
    row = next(line for line in _output(console).splitlines() if "seeds/000_ü.txt" in line)
    assert re.search(rf"{N}\s+{OK}\s+{N - OK}\s+not_found×1", row), row


def test_no_progress_output_when_not_a_terminal(reports: list[ArticleReport]) -> None:
    console = _console()
    reporter = ConsoleReporter(console)
    counted: list[int] = []
    reporter.start(lambda: counted.append(15) or 15)
    for item in reports[0].sources:
        reporter.advance(item.source.url or "", item.check)
    reporter.close()
    assert _output(console) == ""
    assert counted == []  # without a bar, the articles are not read again to count


def test_progress_bar_on_a_terminal_counts_sources_and_stops_on_exit(
    reports: list[ArticleReport],
) -> None:
    console = _console(force_terminal=True)
    with ConsoleReporter(console) as reporter:
        reporter.start(lambda: len(reports[0].sources))
        for item in reports[0].sources:
            reporter.advance(item.source.url or "", item.check)
    out = _output(console)
    assert "Checking sources" in out
    assert f"{N}/{N}" in out
    assert f"{N - OK} not ok" in out
    assert out.rfind("\x1b[?25h") > out.rfind("\x1b[?25l")  # the cursor is shown again


def test_no_colour_when_no_color_is_set(
    monkeypatch: pytest.MonkeyPatch, reports: list[ArticleReport], index: RunIndex
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    console = _console(force_terminal=True)
    _run(ConsoleReporter(console, Verbosity.VERBOSE), reports, index)
    out = _output(console)
    assert "not_found" in out
    assert not COLOUR.search(out)


def test_colour_on_a_terminal_without_no_color(
    monkeypatch: pytest.MonkeyPatch, index: RunIndex
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    console = _console(force_terminal=True, color_system="standard")
    print_run_summary(console, index)
    assert COLOUR.search(_output(console))


def test_null_progress_accepts_every_event(reports: list[ArticleReport], index: RunIndex) -> None:
    sink = NullProgress()
    assert isinstance(sink, ProgressSink)
    _run(sink, reports, index)


def test_worst_statuses_orders_broken_before_transient_before_unverifiable() -> None:
    counts = {
        Status.OK: 9,
        Status.SKIPPED: 5,
        Status.TIMEOUT: 4,
        Status.GONE: 1,
        Status.NOT_FOUND: 2,
        Status.BLOCKED: 0,
    }
    assert worst_statuses(counts) == [(Status.NOT_FOUND, 2), (Status.GONE, 1), (Status.TIMEOUT, 4)]
    assert worst_statuses(counts, limit=10)[-1] == (Status.SKIPPED, 5)
    assert worst_statuses({Status.OK: 3, Status.REDIRECTED: 1}) == []


def test_sources_helper_covers_every_status() -> None:
    assert {s.check.status for s in make_sources()} == set(Status)


def test_cluster_progress_names_the_dashboard_and_counts_each_stage() -> None:
    import io

    from rich.console import Console

    from srccheck.report.console import ConsoleReporter, StageProgress

    buffer = io.StringIO()
    with ConsoleReporter(Console(file=buffer, width=100, force_terminal=True)) as reporter:
        assert isinstance(reporter, StageProgress)
        reporter.cluster_started("http://127.0.0.1:8787/status", 3)
        reporter.stage_progress("collect", 10, 10)
        reporter.stage_progress("check", 4, 7)
        assert reporter._progress is not None
        labels = [task.description for task in reporter._progress.tasks]
        counts = [(task.completed, task.total) for task in reporter._progress.tasks]
    assert "3 workers; dashboard http://127.0.0.1:8787/status" in buffer.getvalue()
    assert labels == ["Collected articles", "Checked URLs"]
    assert counts == [(10, 10), (4, 7)]


def test_an_interrupted_cluster_run_says_what_it_waits_for() -> None:
    import io

    from rich.console import Console

    from srccheck.report.console import ConsoleReporter, Verbosity

    buffer = io.StringIO()
    with ConsoleReporter(Console(file=buffer, width=200)) as reporter:
        reporter.stopping(2, 30.0)
    assert "waiting up to 30 s for 2 report tasks already running" in buffer.getvalue()
    assert "Ctrl-C stops at once" in buffer.getvalue()
    quiet = io.StringIO()
    with ConsoleReporter(Console(file=quiet, width=200), verbosity=Verbosity.QUIET) as reporter:
        reporter.stopping(1, 30.0)
    assert "waiting" not in quiet.getvalue()


def _large_index() -> RunIndex:
    """200 articles: 1 not checked, 30 with every status, 169 all ok (files a000 …)."""
    from report_samples import index_entry

    ok = make_article_report([s for s in make_sources() if s.check.status is Status.OK])
    kinds = [make_error_report()] + [make_article_report()] * 30 + [ok] * 169
    entries = [
        index_entry(report, f"a{i:03d}").model_copy(update={"file": f"a{i:03d}.txt"})
        for i, report in enumerate(reversed(kinds))  # the worst come last in run order
    ]
    index = make_index([])
    return index.model_copy(
        update={"articles": entries, "totals": sum((e.summary for e in entries), index.totals)}
    )


def test_large_run_prints_the_worst_articles_a_screenful_and_where_the_index_is() -> None:
    from pathlib import Path

    index = _large_index()
    console = _console(width=120)
    print_run_summary(console, index, index_html=Path("out/index.html"))
    out = _output(console)
    assert "Articles with findings (31 of 200), worst first" in out
    rows = [line for line in out.splitlines() if re.match(r"\s*a\d{3}\.txt", line)]
    assert len(rows) == 12
    assert rows[0].strip().startswith("a199.txt")  # the article that was not checked
    assert "… and 19 more (--verbose lists every article)" in out
    assert "HTML index: out/index.html" in out
    assert "a000.txt" not in out  # an article without findings
    assert len(out.splitlines()) < 60


def test_large_run_with_verbose_prints_every_article() -> None:
    index = _large_index()
    console = _console(width=120)
    print_run_summary(console, index, verbosity=Verbosity.VERBOSE)
    out = _output(console)
    assert all(f"a{i:03d}.txt" in out for i in range(200))
