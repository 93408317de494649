"""Text fragments from the CLI: cited passages looked for on pages of a loopback server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from srccheck.cli import app

PAGE = """<html lang="de"><head><title>Bericht</title></head><body>
<nav>Startseite</nav>
<article><p>Der Minister sagte: „Die Lage <b>sei</b> ernst.“</p>
<aside>Zitat: Wir beraten uns.</aside></article></body></html>"""


def run(httpserver: HTTPServer, tmp_path: Path, *extra: str) -> tuple[int, str, Path]:
    httpserver.expect_request("/bericht").respond_with_data(PAGE, content_type="text/html")
    httpserver.expect_request("/weg").respond_with_data("nope", status=404)
    base = httpserver.url_for("").rstrip("/")
    tmp_path.mkdir(parents=True, exist_ok=True)
    article = tmp_path / "artikel.md"
    article.write_text(
        "# Lage\n\nDer Minister sprach.\n\n## Quellen\n\n"
        f"- <{base}/bericht#:~:text=die%20Lage%20sei%20ernst&text=beraten>\n"
        f"- <{base}/bericht#:~:text=die%20Lage%20ist%20ruhig>\n"
        f"- <{base}/weg#:~:text=ernst>\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        ["verify", str(article), "-o", str(out), "-q", "--allow-private", "--no-archive",
         "--no-cache", "--host-interval", "0", *extra],
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output, out


def test_each_cited_passage_gets_a_state_in_json_and_html(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    code, output, out = run(httpserver, tmp_path, "--fail-on", "none")
    assert code == 0, output
    report = json.loads((out / "artikel.json").read_text(encoding="utf-8"))
    (page,) = [s for s in report["sources"] if s["source"]["url"].endswith("/bericht")]
    # One source, cited with two fragments: both are kept and judged.
    assert len(page["source"]["fragments"]) == 2
    states = {f["start"]: (f["state"], f["origin"]) for f in page["text_fragments"]}
    assert states == {
        "die Lage sei ernst": ("found", "live"),
        "beraten": ("found", "live"),  # asides count: a reader sees them
        "die Lage ist ruhig": ("not_found", "live"),
    }
    found = page["text_fragments"][0]
    assert found["snippet"][found["snippet_start"] : found["snippet_end"]] == "Die Lage sei ernst"
    (gone,) = [s for s in report["sources"] if s["source"]["url"].endswith("/weg")]
    assert [f["state"] for f in gone["text_fragments"]] == ["unverifiable"]  # never not_found

    html = (out / "artikel.html").read_text(encoding="utf-8")
    assert "passage not found" in html
    assert "<mark>Die Lage sei ernst</mark>" in html


def test_a_missing_passage_fails_the_build_only_when_named(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    code, output, _ = run(httpserver, tmp_path, "--fail-on", "text-fragment-not-found")
    assert code == 1, output
    code, output, _ = run(httpserver, tmp_path / "again", "--fail-on", "none")
    assert code == 0, output


@pytest.mark.parametrize("option", ["--no-text-fragments", "--no-claims"])
def test_no_text_fragments_leaves_them_unjudged(
    httpserver: HTTPServer, tmp_path: Path, option: str
) -> None:
    code, output, out = run(httpserver, tmp_path, option, "--fail-on", "none")
    assert code == 0, output
    report = json.loads((out / "artikel.json").read_text(encoding="utf-8"))
    assert all(s["text_fragments"] == [] for s in report["sources"])
