"""Issue acceptance: the seed article's claims checked against pages on a loopback server."""

from __future__ import annotations

import json
from pathlib import Path

from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from srccheck.cli import app

SEED = next((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))

# A news page that carries the article's quotes (typographic variants and an NBSP on purpose).
WOOD_PAGE = """<html lang="de"><head><title>Liveblog</title></head><body>
<nav>Startseite Politik „Wir beraten uns“ Teaser</nav>
<article><h1>Nordkoreanische Soldaten</h1>
<p>„Wenn es stimmt, ist dies eine gefährliche und höchst besorgniserregende Entwicklung
und eine offensichtliche Vertiefung der militärischen Beziehungen“ zwischen Nordkorea und
Russland, sagte der US-Botschafter Robert\u00a0Wood im UN-Sicherheitsrat.</p>
<p>"Wir beraten uns mit unseren Verbündeten und Partnern über die Auswirkungen eines solch
dramatischen Schrittes", so Wood.</p>
<p>Nordkorea soll etwa 1500 Sondertruppen nach Russland entsandt haben.</p>
</article></body></html>"""

RUTTE_PAGE = """<html lang="de"><head><title>Rutte</title></head><body><main>
<p>NATO-Generalsekretär Mark Rutte sprach mit dem Präsidenten Yoon Suk Yeol.</p>
<p>Berichten zufolge sind bis zu 12 000 Soldaten aus Nordkorea in Russland.</p>
</main></body></html>"""

OTHER_PAGE = """<html><head><title>Wetter</title></head><body><article>
<p>Morgen wird es regnerisch, am Wochenende sonnig. Die Temperaturen steigen im Süden auf
bis zu zwanzig Grad, im Norden bleibt es kühl und windig.</p></article></body></html>"""


def test_seed_claims_get_evidence_from_the_pages_that_carry_them(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    for path, page in (("/wood", WOOD_PAGE), ("/rutte", RUTTE_PAGE), ("/wetter", OTHER_PAGE)):
        httpserver.expect_request(path).respond_with_data(page, content_type="text/html")
    base = httpserver.url_for("").rstrip("/")
    text = SEED.read_text(encoding="utf-8")
    head, _, _ = text.partition("Quellen:")
    article = tmp_path / "seed.txt"
    article.write_text(
        f"{head}Quellen: - {base}/wood - {base}/rutte - {base}/wetter\n\nWeitere\nArtikel\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        ["verify", str(article), "-o", str(out), "-q", "--allow-private", "--no-archive",
         "--no-cache", "--host-interval", "0"],
    )
    assert result.exit_code == 0, result.output
    report = json.loads((out / "seed.json").read_text(encoding="utf-8"))
    claims = report["claims"]

    quotes = [c for c in claims if c["kind"] == "quote"]
    assert len(quotes) == 2
    for quote in quotes:
        assert quote["verdict"] == "found", quote["text"]
        assert {e["source_id"] for e in quote["evidence"]} == {0}
        assert quote["speaker"] == "Robert Wood"
    assert quotes[0]["attribution"] == "confirmed"

    def claim(kind: str, text: str) -> dict:
        return next(c for c in claims if c["kind"] == kind and c["text"].startswith(text))

    assert claim("number", "1500")["verdict"] == "found"
    twelve = claim("number", "12.000")
    assert twelve["verdict"] == "found"
    assert twelve["evidence"][0]["source_id"] == 1  # "12 000 Soldaten" on the Rutte page
    assert claim("name", "Mark Rutte")["verdict"] == "found"
    assert claim("name", "Reinhard Veser")["verdict"] == "not_found"  # no page names him
    assert claim("date", "Februar 2022")["verdict"] == "not_found"
    # The weather page is evidence for nothing.
    assert all(e["source_id"] != 2 for c in claims for e in c["evidence"])
    verdicts = {c["verdict"] for c in claims if c["kind"] == "key_claim"}
    assert {"supported", "not_found"} <= verdicts
    html = (out / "seed.html").read_text(encoding="utf-8")
    assert "<mark" in html


def test_page_text_for_claims_is_bounded() -> None:
    from srccheck.fetch.model import Page
    from srccheck.pipeline import CLAIM_TEXT_CHARS, page_text

    words = "Wort " * (CLAIM_TEXT_CHARS // 2)
    text = page_text(Page("https://x.example/", "text/plain", "utf-8", words, False))
    assert text is not None
    assert len(text.main_text) == CLAIM_TEXT_CHARS
    assert len(text.full_text) <= CLAIM_TEXT_CHARS
    assert text.main_text.startswith("Wort Wort")
