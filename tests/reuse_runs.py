"""CLI runs shared by the report-reuse tests: an article, a verify run with a cache folder,
and what its index and reports say."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import Result
from typer.testing import CliRunner

from srccheck.cli import app

__all__ = ["PAGE", "reused", "statuses", "verify", "write_article"]

PAGE = (
    "<html><head><title>Bericht</title></head><body><article><p>Der Minister sagte: "
    "„Wir beraten uns morgen.“ Es kamen 1500 Gäste.</p></article></body></html>"
)


def write_article(folder: Path, name: str, *urls: str, body: str = "") -> Path:
    """A seed-format article quoting PAGE's minister, citing ``urls``."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = " ".join(f"- {url}" for url in urls)
    article = folder / name
    article.write_text(
        "22.10.2024\nTitel\n\nDer Minister sagte: „Wir beraten uns morgen.“ "
        f"{body}\n\nQuellen: {sources}\n",
        encoding="utf-8",
    )
    return article


def verify(folder: Path, out: Path, cache: Path, *extra: str) -> Result:
    """``srccheck verify`` on loopback, without archives or retries, with a cache folder."""
    return CliRunner().invoke(
        app,
        [
            "verify",
            str(folder),
            "-o",
            str(out),
            "-q",
            "--allow-private",
            "--no-archive",
            "--host-interval",
            "0",
            "--retries",
            "0",
            "--cache-dir",
            str(cache),
            *extra,
        ],
    )


def reused(out: Path) -> dict[str, bool]:
    """Article file name → whether the run kept its report (index.json)."""
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    return {Path(entry["file"]).name: entry["reused"] for entry in index["articles"]}


def statuses(report_json: Path) -> dict[str, str]:
    """Source URL → status, from one article report."""
    report = json.loads(report_json.read_text(encoding="utf-8"))
    return {item["source"]["url"]: item["check"]["status"] for item in report["sources"]}
