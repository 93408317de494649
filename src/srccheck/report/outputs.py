"""Run-level outputs: findings under the fail-on policy, and the CI formats.

:class:`RunOutputs` sits between the pipeline and the console reporter. It
computes each article's findings as the article completes (so the exit code
never needs the reports again), keeps the reports only when a run-level
format needs them (JUnit, SARIF, Markdown), and writes those formats when the
run finishes. GitHub annotations go to the given stream (stdout in the CLI).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from srccheck.models import ArticleReport, LinkCheck, RunIndex
from srccheck.policy import FailPolicy, Finding, has_failures
from srccheck.policy import findings as findings_of
from srccheck.report.console import NullProgress, ProgressSink, StageProgress
from srccheck.report.github import render_github
from srccheck.report.junit import write_junit
from srccheck.report.markdown import write_markdown
from srccheck.report.sarif import write_sarif
from srccheck.settings import Settings

__all__ = ["RUN_FILES", "RunOutputs"]

#: File names of the run-level formats inside ``--output``.
RUN_FILES: dict[str, str] = {
    "junit": "srccheck.junit.xml",
    "sarif": "srccheck.sarif",
    "markdown": "srccheck.md",
}


class RunOutputs:
    """A :class:`ProgressSink` that collects findings and writes the CI formats."""

    def __init__(
        self,
        settings: Settings,
        policy: FailPolicy,
        inner: ProgressSink | None = None,
        *,
        base: Path | None = None,
        annotations: TextIO | None = None,
    ) -> None:
        self.settings = settings
        self.policy = policy
        self.inner = inner or NullProgress()
        self.base = base
        self.annotations = annotations
        self.found: list[Finding] = []
        self.written: list[Path] = []
        self._keep = any(name in settings.formats for name in RUN_FILES)
        self._reports: list[ArticleReport] = []

    @property
    def failed(self) -> bool:
        """True when a finding is an error under the policy (exit code 1)."""
        return has_failures(self.found)

    def start(self, count_sources: Callable[[], int]) -> None:
        self.inner.start(count_sources)

    def advance(self, url: str, check: LinkCheck) -> None:
        self.inner.advance(url, check)

    def cluster_started(self, dashboard: str | None, workers: int) -> None:
        if isinstance(self.inner, StageProgress):
            self.inner.cluster_started(dashboard, workers)

    def stage_progress(self, stage: str, done: int, total: int) -> None:
        if isinstance(self.inner, StageProgress):
            self.inner.stage_progress(stage, done, total)

    def stopping(self, tasks: int, seconds: float) -> None:
        if isinstance(self.inner, StageProgress):
            self.inner.stopping(tasks, seconds)

    def article_done(self, report: ArticleReport) -> None:
        self.found.extend(findings_of(report, self.policy, base=self.base))
        if self._keep:
            self._reports.append(report)
        self.inner.article_done(report)

    def finish(self, index: RunIndex) -> None:
        out = self.settings.output
        formats = self.settings.formats
        # Reports arrive in completion order; the run files list articles in index order.
        order = {entry.file: i for i, entry in enumerate(index.articles)}
        reports = sorted(self._reports, key=lambda r: order.get(r.article.file, len(order)))
        if "junit" in formats:
            self.written.append(write_junit(out / RUN_FILES["junit"], reports, index, self.found))
        if "sarif" in formats:
            sarif = out / RUN_FILES["sarif"]
            self.written.append(write_sarif(sarif, reports, index, self.found, policy=self.policy))
        if "markdown" in formats:
            self.written.append(
                write_markdown(out / RUN_FILES["markdown"], reports, index, self.found)
            )
        if "github" in formats and self.annotations is not None:
            for line in render_github(self.found):
                print(line, file=self.annotations)
        self.inner.finish(index)
