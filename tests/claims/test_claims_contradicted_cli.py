"""End to end through the CLI on a loopback server: a contradicted key claim in the JSON
report, the exit code under ``--fail-on``, and unread sources making misses unverifiable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from srccheck.cli import app

LEAD = (
    "Die Zeitung berichtete am Montag ausführlich über die Lage im Grenzgebiet. Mehrere "
    "Reporter waren vor Ort und sprachen mit Anwohnern, Soldaten und Behörden."
)
TRUE = "Die Regierung habe 1.500 Soldaten an die Grenze geschickt, um die Lage zu beruhigen."
ALTERED = "Er sollte eine Energiedichte von 410 bis 500 Wh/kg und 1.000 Wh/l erreichen."
ON_PAGE = "Er sollte eine Energiedichte von 400 bis 500 Wh/kg und 1.000 Wh/l erreichen."


def _html(*paragraphs: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    head = '<html lang="de"><head><title>Bericht</title></head>'
    return f"{head}<body><article>{body}</article></body></html>"


def _article(tmp_path: Path, body: str, *urls: str) -> Path:
    article = tmp_path / "artikel.txt"
    sources = " - ".join(urls)
    article.write_text(
        f"22.10.2024\nGrenzbericht\n\n{body}\n\nQuellen: - {sources}\n", encoding="utf-8"
    )
    return article


def _verify(article: Path, out: Path, *extra: str) -> tuple[int, dict]:
    result = CliRunner().invoke(
        app,
        ["verify", str(article), "-o", str(out), "-q", "--allow-private", "--no-archive",
         "--no-cache", "--host-interval", "0", *extra],
    )  # fmt: skip
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    report = json.loads((out / f"{article.stem}.json").read_text(encoding="utf-8"))
    return result.exit_code, report


def _key(report: dict, text: str) -> dict:
    return next(c for c in report["claims"] if c["kind"] == "key_claim" and text in c["text"])


@pytest.mark.parametrize(
    ("fail_on", "code"),
    [(None, 0), ("claims-contradicted", 1), ("claims-not-found", 1), ("default", 0)],
)
def test_contradicted_claim_in_json_and_exit_code(
    httpserver: HTTPServer, tmp_path: Path, fail_on: str | None, code: int
) -> None:
    httpserver.expect_request("/bericht").respond_with_data(
        _html(LEAD, TRUE, ON_PAGE), content_type="text/html"
    )
    article = _article(
        tmp_path, f"{TRUE} Laut Bericht hieß es: „{ALTERED}“", httpserver.url_for("/bericht")
    )
    extra = ("--fail-on", fail_on) if fail_on else ()
    exit_code, report = _verify(article, tmp_path / "out", *extra)
    assert exit_code == code
    assert _key(report, "1.500 Soldaten")["verdict"] == "supported"
    altered = _key(report, "410 bis 500")
    assert altered["verdict"] == "contradicted"
    differences = altered["evidence"][0]["differences"]
    assert {"article": "410", "page": "400", "kind": "number"} in differences
    quote = next(c for c in report["claims"] if c["kind"] == "quote")
    assert quote["verdict"] == "near"
    assert report["summary"]["claims_by_verdict"]["contradicted"] == 1
    assert report["sources"][0]["text_unread"] is None
    html = (tmp_path / "out" / "artikel.html").read_text(encoding="utf-8")
    assert "verdict-contradicted" in html


def test_sarif_and_junit_name_the_contradiction(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/bericht").respond_with_data(
        _html(LEAD, ON_PAGE), content_type="text/html"
    )
    article = _article(tmp_path, ALTERED, httpserver.url_for("/bericht"))
    out = tmp_path / "out"
    exit_code, _ = _verify(
        article, out, "--fail-on", "claims-not-found", "--format", "json,sarif,junit"
    )
    assert exit_code == 1
    sarif = json.loads(next(out.glob("*.sarif")).read_text(encoding="utf-8"))
    results = sarif["runs"][0]["results"]
    (result,) = [r for r in results if r["ruleId"] == "claims-contradicted"]
    assert "410 → 400" in result["message"]["text"]
    junit = next(out.glob("*.xml")).read_text(encoding="utf-8")
    assert 'type="claims-contradicted"' in junit


def test_unread_source_makes_a_missing_quote_unverifiable(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    # Source 1 carries other text; source 2 is a bot wall. The quote may be on the wall's
    # page, so it is not "not found".
    httpserver.expect_request("/bericht").respond_with_data(
        _html(LEAD, TRUE), content_type="text/html"
    )
    httpserver.expect_request("/wand").respond_with_data(
        "<html><body>Checking your browser …</body></html>", status=403,
        headers={"cf-mitigated": "challenge", "server": "cloudflare"}, content_type="text/html",
    )  # fmt: skip
    body = f"{TRUE} Laut Bericht hieß es: „Wir werden die Grenze bis zum Frühjahr schließen.“"
    article = _article(
        tmp_path, body, httpserver.url_for("/bericht"), httpserver.url_for("/wand")
    )
    exit_code, report = _verify(article, tmp_path / "out", "--fail-on", "claims-not-found")
    assert exit_code == 0  # unverifiable claims never fail
    assert [s["text_unread"] is None for s in report["sources"]] == [True, False]
    quote = next(c for c in report["claims"] if c["kind"] == "quote")
    assert quote["verdict"] == "unverifiable"
    assert _key(report, "1.500 Soldaten")["verdict"] == "supported"
    assert "not_found" not in report["summary"]["claims_by_verdict"]
    html = (tmp_path / "out" / "artikel.html").read_text(encoding="utf-8")
    assert html.count("(text not read)") == 1


LONG_DE = (
    "Die Zeitung berichtete am Montag ausführlich über die Lage im Grenzgebiet, und die "
    "Reporter sprachen mit den Anwohnern, mit den Soldaten und mit den Behörden. Es ist "
    "nicht das erste Mal, dass sich die Lage an der Grenze zuspitzt, auch wenn die "
    "Regierung das anders sieht. Die Behörden haben sich für eine ruhige Linie entschieden, "
    "die auch von den Nachbarn mitgetragen wird. "
)
ENGLISH_PAGE = (
    "The newspaper reported on Monday on the situation in the border region, and it is "
    "clear that the government is worried. \"We will close the border until the spring,\" "
    "the minister said. It was the first time that the border was closed for so long, "
    "and the neighbours are concerned about the effects on trade with the region. "
)


@pytest.mark.parametrize("second", ["english", "german"])
def test_a_source_in_another_language_makes_a_missing_quote_unverifiable(
    httpserver: HTTPServer, tmp_path: Path, second: str
) -> None:
    # The article quotes, in German, what an English source says in English: the
    # translation is not on any page, and that is no evidence the source does not say it.
    httpserver.expect_request("/bericht").respond_with_data(
        _html(LONG_DE, TRUE), content_type="text/html"
    )
    if second == "english":
        page = f'<html lang="en"><body><article><p>{ENGLISH_PAGE}</p></article></body></html>'
    else:
        page = _html(LONG_DE)
    httpserver.expect_request("/zweite").respond_with_data(page, content_type="text/html")
    quote = "Wir werden die Grenze bis zum Frühjahr schließen."
    body = f"{LONG_DE}{TRUE} Laut Bericht hieß es: „{quote}“"
    article = _article(
        tmp_path, body, httpserver.url_for("/bericht"), httpserver.url_for("/zweite")
    )
    exit_code, report = _verify(article, tmp_path / "out", "--fail-on", "claims-not-found")
    (quote,) = [c for c in report["claims"] if c["kind"] == "quote"]
    html = (tmp_path / "out" / "artikel.html").read_text(encoding="utf-8")
    assert _key(report, "1.500 Soldaten")["verdict"] == "supported"
    if second == "english":
        assert [s["other_language"] for s in report["sources"]] == [None, "en"]
        assert quote["verdict"] == "unverifiable"
        assert exit_code == 0
        assert html.count("(text in en)") == 1
    else:  # both sources read in the article's language: a miss is a miss
        assert [s["other_language"] for s in report["sources"]] == [None, None]
        assert quote["verdict"] == "not_found"
        assert exit_code == 1
        assert "(text in" not in html
