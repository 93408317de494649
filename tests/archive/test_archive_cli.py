"""Issue acceptance: `srccheck verify --archive wayback=<local pywb>` end to end."""

from __future__ import annotations

import json
from pathlib import Path

from archive_testbed import STORY_URL, UNARCHIVED_URL, LocalArchive
from typer.testing import CliRunner

from srccheck.cli import app


def test_verify_against_a_local_pywb_reports_the_closest_snapshot_and_uses_it(
    pywb_archive: LocalArchive, tmp_path: Path
) -> None:
    article = tmp_path / "library.txt"
    article.write_text(
        "12.01.2020\nLibraryBudget\n\n"
        "„The city council approved a budget of 4.2 million euros for the new library“, "
        "the report said. Mayor Anna Berg said the building would open in spring 2021.\n\n"
        f"Sources: - {STORY_URL} - {UNARCHIVED_URL}\n",
        encoding="utf-8",
    )
    out = tmp_path / "reports"
    result = CliRunner().invoke(
        app,
        [
            "verify", str(article), "-o", str(out), "-q", "--retries", "0",
            "--archive", f"wayback={pywb_archive.base},interval=0",
        ],
    )
    assert result.exit_code in (0, 1), result.output
    report = json.loads((out / "library.json").read_text(encoding="utf-8"))
    story, never = report["sources"]

    # The live host does not exist; the archive still answers.
    assert story["check"]["status"] == "dns_error"
    archive = story["archive"]
    assert archive["chosen"]["captured_at"].startswith("2020-01-10")
    assert archive["distance_days"] == -2
    assert archive["outside_window"] is False
    assert archive["lookups"][0]["state"] == "available"
    assert archive["chosen"]["raw_url"].startswith(pywb_archive.base)

    assert never["archive"]["lookups"][0]["state"] == "not_archived"
    assert never["archive"]["chosen"] is None

    # The claims were checked against the archived copy, not reported unverifiable.
    quote = next(c for c in report["claims"] if c["kind"] == "quote")
    assert quote["verdict"] == "found"
    assert {e["origin"] for e in quote["evidence"]} == {"archived"}
    assert report["summary"]["archived"] == 1
    assert report["summary"]["not_archived"] == 1
