"""Shared by the stage tests: settings for loopback runs, articles, and reading reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from srccheck.settings import Settings
from tests.reuse_runs import write_article

__all__ = ["articles", "loopback", "normalised_reports", "reported_citations"]

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
