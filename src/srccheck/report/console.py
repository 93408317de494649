"""Console output: a progress bar while checking, a summary afterwards (rich).

The pipeline reports progress through the small :class:`ProgressSink`
protocol; :class:`NullProgress` ignores everything (library use) and
:class:`ConsoleReporter` draws on a caller-supplied :class:`rich.console.Console`.
No global console is used and colour is never forced, so ``NO_COLOR``, pipes
and ``TERM=dumb`` behave as rich decides when the console is created.

What is printed per :class:`Verbosity`:

* ``QUIET``   – articles that could not be checked, and one line of totals;
* ``NORMAL``  – a progress bar (terminals only), a table with one row per
                article, the article errors, the totals; a run of more than
                :data:`FULL_TABLE_ARTICLES` articles lists only the articles
                with findings, worst first and at most :data:`FINDINGS_ROWS`
                of them ("… and N more"), and says where the HTML index is;
* ``VERBOSE`` – the table of every article whatever the run's size, plus
                one line per source that is not ok
                (status, URL, reason) and per quote or key claim that was
                not found.

Claims are counted in four :class:`VerdictGroup` s (supported, partial, not
found, unverifiable); archive and claim columns appear only when the run
asked archives or checked claims, and so do their parts of the totals line.

All article text goes into :class:`rich.text.Text` objects, never into markup,
so a title such as ``[red]x[/]`` is printed as written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from enum import IntEnum, StrEnum
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self, runtime_checkable

from rich import box
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from srccheck.claims.model import Claim, Verdict
from srccheck.models import (
    ArticleReport,
    IndexEntry,
    LinkCheck,
    ReportState,
    RunIndex,
    SourceReport,
    Summary,
)
from srccheck.policy import JUDGED_CLAIM_KINDS
from srccheck.status import Outcome, Status

__all__ = [
    "FINDINGS_ROWS",
    "FULL_TABLE_ARTICLES",
    "OUTCOME_STYLES",
    "VERDICT_GROUPS",
    "VERDICT_GROUP_STYLES",
    "ConsoleReporter",
    "NullProgress",
    "ProgressSink",
    "StageProgress",
    "Verbosity",
    "VerdictGroup",
    "archived_text",
    "claim_counts",
    "host_stats_table",
    "missing_claims",
    "print_run_summary",
    "totals_text",
    "with_findings",
    "worst_statuses",
]


class Verbosity(IntEnum):
    """How much the console reporter prints (``-q`` / default / ``-v``)."""

    QUIET = -1
    NORMAL = 0
    VERBOSE = 1


#: Console colour per outcome; the HTML report uses the same scheme.
OUTCOME_STYLES: Mapping[Outcome, str] = {
    Outcome.OK: "green",
    Outcome.BROKEN: "red",
    Outcome.TRANSIENT: "yellow",
    Outcome.UNVERIFIABLE: "bright_black",
}


class VerdictGroup(StrEnum):
    """Claim verdicts as summaries count them (the HTML index uses the same groups)."""

    SUPPORTED = "supported"
    PARTIAL = "partial"
    CONTRADICTED = "contradicted"
    NOT_FOUND = "not found"
    UNVERIFIABLE = "unverifiable"


#: Which verdicts each group counts: exact finds with supported key claims,
#: near quotes with partly supported key claims.
VERDICT_GROUPS: Mapping[VerdictGroup, tuple[Verdict, ...]] = {
    VerdictGroup.SUPPORTED: (Verdict.FOUND, Verdict.SUPPORTED),
    VerdictGroup.PARTIAL: (Verdict.NEAR, Verdict.PARTIAL),
    VerdictGroup.CONTRADICTED: (Verdict.CONTRADICTED,),
    VerdictGroup.NOT_FOUND: (Verdict.NOT_FOUND,),
    VerdictGroup.UNVERIFIABLE: (Verdict.UNVERIFIABLE,),
}

VERDICT_GROUP_STYLES: Mapping[VerdictGroup, str] = {
    VerdictGroup.SUPPORTED: "green",
    VerdictGroup.PARTIAL: "yellow",
    VerdictGroup.CONTRADICTED: "bold red",
    VerdictGroup.NOT_FOUND: "red",
    VerdictGroup.UNVERIFIABLE: "bright_black",
}

_CLAIM_CHARS = 80

#: Above this many articles the default summary lists only those with findings.
FULL_TABLE_ARTICLES = 50
#: At most this many articles with findings (two lines each: a screenful) by default.
FINDINGS_ROWS = 12


def claim_counts(by_verdict: Mapping[Verdict, int]) -> dict[VerdictGroup, int]:
    """Claims per :class:`VerdictGroup` (every group, zeros included)."""
    return {
        group: sum(by_verdict.get(verdict, 0) for verdict in verdicts)
        for group, verdicts in VERDICT_GROUPS.items()
    }


def _archive_asked(summary: Summary) -> int:
    return summary.archived + summary.not_archived + summary.archive_errors


def archived_text(summary: Summary) -> Text:
    """``archived N/M``: sources with a snapshot of those looked up, and archive errors."""
    text = Text(f"archived {summary.archived}/{_archive_asked(summary)}")
    if summary.archive_errors:
        error = "error" if summary.archive_errors == 1 else "errors"
        text.append(f" ({summary.archive_errors} archive {error})", style="yellow")
    return text


def _claim_text(by_verdict: Mapping[Verdict, int]) -> Text:
    text = Text("claims: ")
    for i, (group, n) in enumerate(claim_counts(by_verdict).items()):
        if i:
            text.append(", ")
        text.append(f"{n} {group.value}", style=VERDICT_GROUP_STYLES[group] if n else "")
    return text


# Which problems to name first: what a human must fix, then what may pass on a re-run.
_SEVERITY = (Outcome.BROKEN, Outcome.TRANSIENT, Outcome.UNVERIFIABLE)
_TITLE_CHARS = 60
_COMPACT_WIDTH = 90


@runtime_checkable
class ProgressSink(Protocol):
    """Progress events of a run, in this order: start, advance*/article_done*, finish.

    ``start`` gets a function that counts the run's sources; it reads every
    article once more, so only a sink that shows the total should call it.
    ``advance`` is called once per checked source (``url`` is the checked URL,
    or the raw entry when it is not a URL), ``article_done`` once per article
    when its report is complete (errors included), ``finish`` once with the run
    index. ``finish`` is not called when the run is interrupted.
    """

    def start(self, count_sources: Callable[[], int]) -> None: ...

    def advance(self, url: str, check: LinkCheck) -> None: ...

    def article_done(self, report: ArticleReport) -> None: ...

    def finish(self, index: RunIndex) -> None: ...


@runtime_checkable
class StageProgress(Protocol):
    """Progress of a staged run on a cluster (srccheck.stages), beside :class:`ProgressSink`.

    ``cluster_started`` once with the Dask dashboard's address (None when there
    is none) and the number of workers; ``stage_progress`` whenever a stage's
    count moves: ``collect`` counts articles parsed, ``check`` unique URLs
    checked, ``report`` articles reported; ``stopping`` when an interrupted run
    waits (at most ``seconds``) for ``tasks`` report tasks that were already
    running, to keep their reports.
    """

    def cluster_started(self, dashboard: str | None, workers: int) -> None: ...

    def stage_progress(self, stage: str, done: int, total: int) -> None: ...

    def stopping(self, tasks: int, seconds: float) -> None: ...


#: How the console names each stage's count.
_STAGE_LABELS: Mapping[str, str] = {
    "collect": "Collected articles",
    "check": "Checked URLs",
    "report": "Reported articles",
}


class NullProgress:
    """A :class:`ProgressSink` that ignores every event (for library use and tests)."""

    def start(self, count_sources: Callable[[], int]) -> None:
        return None

    def advance(self, url: str, check: LinkCheck) -> None:
        return None

    def article_done(self, report: ArticleReport) -> None:
        return None

    def finish(self, index: RunIndex) -> None:
        return None


def worst_statuses(by_status: Mapping[Status, int], limit: int = 3) -> list[tuple[Status, int]]:
    """The non-ok statuses of a summary, most severe first, at most ``limit``.

    Order: outcome (broken, transient, unverifiable), then count (descending),
    then the order of :class:`Status`.
    """
    ranked = sorted(
        (
            (_SEVERITY.index(status.outcome), -count, list(Status).index(status), status, count)
            for status, count in by_status.items()
            if count and status.outcome is not Outcome.OK
        ),
    )
    return [(status, count) for *_, status, count in ranked[:limit]]


def _outcome_counts(counts: Mapping[Outcome, int]) -> Text:
    text = Text()
    for outcome in Outcome:
        if text:
            text.append(", ")
        n = counts.get(outcome, 0)
        text.append(f"{n} {outcome.value}", style=OUTCOME_STYLES[outcome] if n else "")
    return text


def totals_text(index: RunIndex) -> Text:
    """One line: articles, sources per outcome, article errors, and whether the run is complete."""
    errors = sum(1 for entry in index.articles if entry.error is not None)
    articles = len(index.articles)
    text = Text(f"{articles} article{'' if articles == 1 else 's'}, ", style="bold")
    text.append(f"{index.totals.sources} source{'' if index.totals.sources == 1 else 's'}: ")
    text.append_text(_outcome_counts(index.totals.by_outcome))
    if _archive_asked(index.totals):
        text.append("; ")
        text.append_text(archived_text(index.totals))
    if index.totals.claims_by_verdict:
        text.append("; ")
        text.append_text(_claim_text(index.totals.claims_by_verdict))
    if errors:
        text.append(f"; {errors} article{'' if errors == 1 else 's'} not checked", style="bold red")
    if index.state is not ReportState.COMPLETE:
        text.append(f" (run {index.state.value})", style="bold yellow")
    return text


def _worst_text(entry: IndexEntry) -> Text:
    if entry.error is not None:
        return Text(entry.error.kind.value, style="bold red")
    text = Text()
    for status, count in worst_statuses(entry.summary.by_status):
        if text:
            text.append(" ")
        text.append(f"{status.value}×{count}", style=OUTCOME_STYLES[status.outcome])
    return text


def _article_cell(entry: IndexEntry) -> Text:
    """The file name, and under it the title (shortened: the HTML report has it in full)."""
    text = Text(entry.file, style="bold")
    if entry.title:
        title = entry.title
        if len(title) > _TITLE_CHARS:
            title = title[: _TITLE_CHARS - 1] + "…"
        text.append("\n" + title, style="dim")
    return text


def _severity(entry: IndexEntry) -> tuple[int, ...]:
    """Sort key, worst first: not checked, then broken, transient, unverifiable sources,
    then quotes and key claims not found (more is worse)."""
    counts = entry.summary.by_outcome
    not_found = entry.summary.claims_by_verdict.get(Verdict.NOT_FOUND, 0)
    return (
        -(entry.error is not None),
        -counts.get(Outcome.BROKEN, 0),
        -counts.get(Outcome.TRANSIENT, 0),
        -counts.get(Outcome.UNVERIFIABLE, 0),
        -not_found,
    )


def with_findings(entries: Sequence[IndexEntry]) -> list[IndexEntry]:
    """The articles not checked, with a source not ok or a claim not found; worst first
    (ties keep the run's order)."""
    found = [e for e in entries if any(_severity(e))]
    return sorted(found, key=_severity)


def _article_table(
    index: RunIndex,
    width: int,
    entries: Sequence[IndexEntry] | None = None,
    title: str = "Articles",
) -> Table:
    """One row per article of ``entries`` (default: all); below :data:`_COMPACT_WIDTH`
    columns only ok / not ok counts."""
    table = Table(
        title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, expand=True
    )
    # Counts keep their natural width; the article and the worst statuses share the rest.
    table.add_column("Article", overflow="fold", min_width=16, ratio=3)
    table.add_column("sources", justify="right")
    compact = width < _COMPACT_WIDTH
    if compact:
        table.add_column("ok", justify="right", style=OUTCOME_STYLES[Outcome.OK])
        table.add_column("not ok", justify="right", style=OUTCOME_STYLES[Outcome.BROKEN])
    else:
        for outcome in Outcome:
            table.add_column(outcome.value, justify="right", style=OUTCOME_STYLES[outcome])
    archives = _archive_asked(index.totals) > 0
    claims = bool(index.totals.claims_by_verdict)
    if archives:
        table.add_column("archived", justify="right")
    if claims:
        # One cell, in the groups' colours: ✓ supported, ~ partial, ≠ contradicted,
        # ✗ not found, ? unverifiable.
        table.add_column("claims ✓ ~ ≠ ✗ ?" if not compact else "claims ✓", justify="right")
    table.add_column("worst", overflow="fold", min_width=12, ratio=2)
    for entry in index.articles if entries is None else entries:
        summary = entry.summary
        counts = summary.by_outcome
        if compact:
            ok = counts.get(Outcome.OK, 0)
            cells = [Text(str(ok)), Text(str(summary.sources - ok))]
        else:
            cells = [Text(str(counts.get(outcome, 0))) for outcome in Outcome]
        if archives:
            asked = _archive_asked(summary)
            cells.append(Text(f"{summary.archived}/{asked}" if asked else "–"))
        if claims:
            cells.append(_claim_cell(summary, compact=compact))
        table.add_row(_article_cell(entry), Text(str(summary.sources)), *cells, _worst_text(entry))
    return table


def _claim_cell(summary: Summary, *, compact: bool) -> Text:
    groups = claim_counts(summary.claims_by_verdict)
    total = sum(groups.values())
    if not total:
        return Text("–")
    if compact:
        return Text(f"{groups[VerdictGroup.SUPPORTED]}/{total}")
    text = Text()
    for group, n in groups.items():
        if text:
            text.append(" ")
        text.append(str(n), style=VERDICT_GROUP_STYLES[group] if n else "dim")
    return text


def _print_errors(console: Console, index: RunIndex) -> None:
    for entry in index.articles:
        if entry.error is None:
            continue
        line = Text("✗ ", style="bold red")
        line.append(entry.file, style="bold")
        line.append(f": {entry.error.kind.value}: ", style="red")
        line.append(entry.error.message)
        console.print(line)


def _print_problems(console: Console, problems: Mapping[str, Sequence[SourceReport]]) -> None:
    for file, sources in problems.items():
        if not sources:
            continue
        console.print(Text(file, style="bold"))
        for item in sources:
            check = item.check
            line = Text("  ")
            line.append(f"{check.status.value:<18}", style=OUTCOME_STYLES[check.outcome])
            line.append(f" {item.source.url or item.source.raw}")
            if check.http_status is not None:
                line.append(f" [{check.http_status}]", style="dim")
            line.append(f" – {check.reason}", style="dim")
            console.print(line)


def _print_missing_claims(console: Console, missing: Mapping[str, Sequence[Claim]]) -> None:
    for file, claims in missing.items():
        if not claims:
            continue
        console.print(Text(file, style="bold"))
        for claim in claims:
            group = (
                VerdictGroup.CONTRADICTED
                if claim.verdict is Verdict.CONTRADICTED
                else VerdictGroup.NOT_FOUND
            )
            line = Text("  ")
            line.append(f"{group.value:<18}", style=VERDICT_GROUP_STYLES[group])
            line.append(f" {claim.id} {claim.kind.value}")
            if claim.line is not None:
                line.append(f" {claim.line}:{claim.column or 1}", style="dim")
            words = " ".join(claim.text.split())
            if len(words) > _CLAIM_CHARS:
                words = words[: _CLAIM_CHARS - 1] + "…"
            line.append(f" {words}")
            differences = [d for e in claim.evidence[:1] for d in e.differences]
            if claim.verdict is Verdict.CONTRADICTED and differences:
                shown = "; ".join(f"{d.article or '—'} → {d.page or '—'}" for d in differences)
                line.append(f" (article → page: {shown})", style="dim")
            console.print(line)


def missing_claims(claims: Sequence[Claim]) -> list[Claim]:
    """The quotes and key claims whose verdict is ``contradicted`` or ``not_found``,
    in article order."""
    listed = (Verdict.CONTRADICTED, Verdict.NOT_FOUND)
    return sorted(
        (c for c in claims if c.verdict in listed and c.kind in JUDGED_CLAIM_KINDS),
        key=lambda c: c.start,
    )


def host_stats_table(index: RunIndex) -> Table:
    """``--host-stats``: one row per host, busiest first."""
    table = Table(title="Hosts", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("host", overflow="fold")
    table.add_column("requests", justify="right")
    table.add_column("statuses", overflow="fold")
    table.add_column("retries", justify="right")
    table.add_column("rate-limit waits", justify="right")
    for stats in index.host_stats or ():
        statuses = ", ".join(f"{code}×{count}" for code, count in stats.statuses.items())
        waits = (
            f"{stats.rate_limited} ({stats.rate_limit_wait_seconds:g} s)"
            if stats.rate_limited
            else "0"
        )
        table.add_row(
            stats.host, str(stats.requests), statuses, str(stats.retries), waits
        )
    return table


def print_run_summary(
    console: Console,
    index: RunIndex,
    *,
    verbosity: Verbosity = Verbosity.NORMAL,
    problems: Mapping[str, Sequence[SourceReport]] | None = None,
    missing: Mapping[str, Sequence[Claim]] | None = None,
    index_html: Path | None = None,
) -> None:
    """Print the end-of-run summary of ``index`` (see the module docstring for what).

    ``problems`` maps an article file to its sources that are not ok,
    ``missing`` to its quotes and key claims that were not found
    (:func:`missing_claims`); both are listed in verbose mode only.
    ``index_html`` is where the run's HTML index was written, if it was.
    """
    large = len(index.articles) > FULL_TABLE_ARTICLES and verbosity < Verbosity.VERBOSE
    if verbosity > Verbosity.QUIET and large:
        _print_findings(console, index)
    elif verbosity > Verbosity.QUIET and index.articles:
        console.print(_article_table(index, console.width))
        if verbosity >= Verbosity.VERBOSE and problems:
            console.print()
            _print_problems(console, problems)
        if verbosity >= Verbosity.VERBOSE and missing and any(missing.values()):
            console.print()
            _print_missing_claims(console, missing)
    if not large:
        _print_errors(console, index)
    if index.host_stats is not None:  # asked for with --host-stats: shown even when quiet
        console.print(host_stats_table(index))
    reused = sum(entry.reused for entry in index.articles)
    if verbosity > Verbosity.QUIET and reused:
        kept = "report" if reused == 1 else "reports"
        console.print(
            f"{reused} unchanged {kept} kept from an earlier run (--no-reuse rewrites them)",
            style="dim",
        )
    if verbosity > Verbosity.QUIET and index_html is not None and index.articles:
        console.print(Text(f"HTML index: {index_html}", style="dim"), soft_wrap=True)
    # One logical line whatever the width: scripts and quiet mode rely on it.
    console.print(totals_text(index), soft_wrap=True)


def _print_findings(console: Console, index: RunIndex) -> None:
    """A large run: the articles with findings, worst first, at most a screenful."""
    found = with_findings(index.articles)
    if not found:
        console.print(Text(f"No findings in {len(index.articles)} articles.", style="green"))
        return
    shown = found[:FINDINGS_ROWS]
    title = f"Articles with findings ({len(found)} of {len(index.articles)}), worst first"
    console.print(_article_table(index, console.width, shown, title))
    if len(found) > len(shown):
        rest = len(found) - len(shown)
        console.print(
            Text(f"… and {rest} more (--verbose lists every article)", style="dim"),
            soft_wrap=True,
        )


class ConsoleReporter:
    """A :class:`ProgressSink` that draws a progress bar and prints the summary.

    The bar appears only on an interactive terminal and not in quiet mode; it
    is removed when the run ends. Use the reporter as a context manager (or
    call :meth:`close`) so the bar is also removed when the run is interrupted.
    """

    def __init__(
        self,
        console: Console,
        verbosity: Verbosity | int = Verbosity.NORMAL,
        *,
        index_html: Path | None = None,
    ) -> None:
        self.console = console
        self.index_html = index_html
        self.verbosity = Verbosity(max(Verbosity.QUIET, min(Verbosity.VERBOSE, verbosity)))
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._stages: dict[str, TaskID] = {}
        self._not_ok = 0
        self._problems: dict[str, list[SourceReport]] = {}
        self._missing: dict[str, list[Claim]] = {}

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def start(self, count_sources: Callable[[], int]) -> None:
        if self.verbosity <= Verbosity.QUIET or not self.console.is_terminal:
            return  # no bar: the sources need not be counted
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[not_ok]} not ok", style="red"),
            TimeElapsedColumn(),
            console=self.console,
            transient=True,
        )
        self._task = self._progress.add_task("Checking sources", total=count_sources(), not_ok=0)
        self._progress.start()

    def cluster_started(self, dashboard: str | None, workers: int) -> None:
        if self.verbosity <= Verbosity.QUIET:
            return
        line = Text(f"Dask cluster: {workers} worker{'' if workers == 1 else 's'}")
        if dashboard:
            line.append(f"; dashboard {dashboard}")
        self.console.print(line, style="dim", soft_wrap=True)

    def stopping(self, tasks: int, seconds: float) -> None:
        if self.verbosity <= Verbosity.QUIET:
            return
        what = f"{tasks} report task{'' if tasks == 1 else 's'}"
        self.console.print(
            f"[yellow]Stopping:[/] waiting up to {seconds:g} s for {what} already running, "
            "to keep their reports (Ctrl-C stops at once)",
            soft_wrap=True,
        )

    def stage_progress(self, stage: str, done: int, total: int) -> None:
        """One bar per stage (terminals only): collected / checked / reported counts."""
        if self.verbosity <= Verbosity.QUIET or not self.console.is_terminal:
            return
        if self._progress is None:
            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
            )
            self._progress.start()
        task = self._stages.get(stage)
        if task is None:
            label = _STAGE_LABELS.get(stage, stage)
            task = self._stages[stage] = self._progress.add_task(label, total=total)
        self._progress.update(task, completed=done, total=total)

    def advance(self, url: str, check: LinkCheck) -> None:
        if not check.status.is_success:
            self._not_ok += 1
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, advance=1, not_ok=self._not_ok)

    def article_done(self, report: ArticleReport) -> None:
        if self.verbosity >= Verbosity.VERBOSE:
            not_ok = [s for s in report.sources if not s.check.status.is_success]
            if not_ok:
                self._problems[report.article.file] = not_ok
            if missing := missing_claims(report.claims):
                self._missing[report.article.file] = missing

    def finish(self, index: RunIndex) -> None:
        self.close()
        print_run_summary(
            self.console,
            index,
            verbosity=self.verbosity,
            problems=self._problems,
            missing=self._missing,
            index_html=self.index_html,
        )

    def close(self) -> None:
        """Stop and remove the progress bar, if one is shown (safe to call twice)."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
