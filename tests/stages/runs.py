"""Shared by the stage tests: settings for loopback runs, articles, and reading reports."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ALL_COMPLETED
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import srccheck.pipeline
import srccheck.stages.run
from srccheck.settings import Settings
from tests.reuse_runs import write_article

__all__ = [
    "HeldWrite",
    "articles",
    "hold_report_write",
    "loopback",
    "normalised_reports",
    "release_when_the_run_waits",
    "report_states",
    "reported_citations",
]

#: Fields that differ between two runs of the same input: times and durations.
_VOLATILE = frozenset(
    {
        "checked_at",
        "elapsed_ms",
        "first_byte_ms",
        "started_at",
        "finished_at",
        "generated_at",
        "cached_at",
        "age_seconds",
        "timings",
    }
)


def loopback(output: Path, **changes: Any) -> Settings:
    """Settings of a loopback run: no archives, no retries, no spacing, no persistent cache."""
    base = Settings(
        output=output,
        allow_private=True,
        host_interval=0.0,
        retries=0,
        archive_enabled=False,
        use_cache=False,
    )
    return base.with_changes(**changes)


def articles(folder: Path, cited: list[list[str]]) -> list[Path]:
    """One seed article per list of cited entries (URLs or any text)."""
    return [write_article(folder, f"a{i:04d}.txt", *urls) for i, urls in enumerate(cited)]


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in _VOLATILE}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def normalised_reports(out: Path) -> dict[str, Any]:
    """Every JSON file of a run (reports and index) without its times, by file name."""
    return {
        path.name: _strip(json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(out.glob("*.json"))
    }


def reported_citations(out: Path) -> list[tuple[str, str, str]]:
    """(article file, raw entry, status) of every source of every article report."""
    found = []
    for path in sorted(out.glob("*.json")):
        if path.name == "index.json":
            continue
        report = json.loads(path.read_text(encoding="utf-8"))
        for item in report["sources"]:
            article = report["article"]["file"]
            found.append((article, item["source"]["raw"], item["check"]["status"]))
    return found


def report_states(out: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(article file name → state) as the index says, and as the report files say."""
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    listed = {Path(entry["file"]).name: entry["state"] for entry in index["articles"]}
    files = {
        Path(report["article"]["file"]).name: report["state"]
        for path in out.glob("*.json")
        if path.name != "index.json"
        for report in [json.loads(path.read_text(encoding="utf-8"))]
    }
    return listed, files


@dataclass
class HeldWrite:
    """A report task held as it starts writing one report, until ``release`` is set."""

    started: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


def hold_report_write(monkeypatch: pytest.MonkeyPatch, name: str) -> HeldWrite:
    """Hold the report task that writes the report file ``name`` (in this process: the
    tasks of a thread pool or of a one-worker cluster) as it starts writing it.

    Set ``release`` in a ``finally``: a task still held would keep its executor open."""
    held = HeldWrite()
    write = srccheck.pipeline.write_json

    def holding(model: Any, path: Path) -> None:
        if path.name == name:
            held.started.set()
            assert held.release.wait(120), "never released"
        write(model, path)

    monkeypatch.setattr(srccheck.pipeline, "write_json", holding)
    return held


def release_when_the_run_waits(monkeypatch: pytest.MonkeyPatch, held: HeldWrite) -> None:
    """Release ``held`` when the staged run, interrupted, starts waiting for the tasks it
    lets finish (its only wait for every future of a set): the run decided by then which
    tasks it gives up, so the test does not race it."""
    wait = srccheck.stages.run.wait

    def waiting(fs: Any, timeout: float | None = None, return_when: str = ALL_COMPLETED) -> Any:
        if return_when == ALL_COMPLETED:
            held.release.set()
        return wait(fs, timeout=timeout, return_when=return_when)

    monkeypatch.setattr(srccheck.stages.run, "wait", waiting)
