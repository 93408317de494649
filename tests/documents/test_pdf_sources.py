"""PDF sources end to end: the CLI against a loopback server serving PDFs and plain text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from tests.documents.pdfbytes import text_pdf
from typer.testing import CliRunner
from werkzeug import Request, Response

from srccheck.cli import app
from srccheck.fetch.cache import Cache
from srccheck.fetch.client import Fetcher
from srccheck.settings import Settings
from srccheck.status import Status

pytestmark = pytest.mark.timeout(180)

REPORT = text_pdf(
    [
        ["Jahresbericht 2024 des Bundesamts", "Kapitel 1: Überblick über die Förderung."],
        [
            "Kapitel 2: Ergebnisse.",
            "Die Behörde stellte fest, dass die Förderung für Wärmepumpen",
            "um zwölf Prozent gestiegen ist.",
        ],
    ]
)
NOTE = "Pressemitteilung\n\nDie Ministerin sagte, die Übergangsfrist ende im März.\n"


def serve(server: HTTPServer) -> str:
    server.expect_request("/bericht.pdf").respond_with_data(REPORT, content_type="application/pdf")
    server.expect_request("/download").respond_with_data(
        REPORT, content_type="application/octet-stream"
    )
    server.expect_request("/kaputt.pdf").respond_with_data(
        REPORT[: len(REPORT) // 2], content_type="application/pdf"
    )
    server.expect_request("/notiz.txt").respond_with_data(
        NOTE.encode("utf-8"), content_type="text/plain; charset=utf-8"
    )
    return server.url_for("").rstrip("/")


def verify(article: Path, out: Path) -> dict:
    result = CliRunner().invoke(
        app,
        ["verify", str(article), "-o", str(out), "-q", "--allow-private", "--no-archive",
         "--no-cache", "--host-interval", "0"],
    )  # fmt: skip
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return json.loads((out / f"{article.stem}.json").read_text(encoding="utf-8"))


def test_a_quote_from_a_pdf_is_found_with_its_page_and_plain_text_still_works(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    base = serve(httpserver)
    article = tmp_path / "bericht.txt"
    article.write_text(
        "22.10.2024\nFörderung\n\nLaut Bericht hieß es: „Die Behörde stellte fest, dass die "
        "Förderung für Wärmepumpen um zwölf Prozent gestiegen ist.“\n\n"
        "Laut Mitteilung hieß es: „die Übergangsfrist ende im März“.\n\n"
        f"Quellen: - {base}/bericht.pdf - {base}/notiz.txt\n\nWeitere\nArtikel\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    report = verify(article, out)
    pdf, note = report["sources"]
    assert pdf["check"]["status"] == "ok"
    assert pdf["check"]["content_type"] == "application/pdf"
    assert pdf["check"]["body_bytes"] == len(REPORT)
    assert pdf["text_unread"] is None
    assert note["check"]["status"] == "ok"

    quotes = {c["text"]: c for c in report["claims"] if c["kind"] == "quote"}
    from_pdf = next(q for text, q in quotes.items() if text.startswith("Die Behörde"))
    assert from_pdf["verdict"] == "found"
    (evidence,) = from_pdf["evidence"]
    assert evidence["source_id"] == 0
    assert evidence["page_number"] == 2
    assert "Wärmepumpen" in evidence["snippet"]
    assert "\f" not in evidence["snippet"]
    from_note = next(q for text, q in quotes.items() if text.startswith("die Übergangsfrist"))
    assert from_note["verdict"] == "found"
    assert from_note["evidence"][0]["source_id"] == 1
    assert from_note["evidence"][0]["page_number"] is None
    html = (out / "bericht.html").read_text(encoding="utf-8")
    assert "page 2" in html


def test_an_unreadable_pdf_makes_its_quote_unverifiable_never_not_found(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    base = serve(httpserver)
    article = tmp_path / "kaputt.txt"
    article.write_text(
        "22.10.2024\nFörderung\n\nLaut Bericht hieß es: „Die Behörde stellte fest, dass die "
        "Förderung gestiegen ist.“\n\n"
        f"Quellen: - {base}/kaputt.pdf\n\nWeitere\nArtikel\n",
        encoding="utf-8",
    )
    report = verify(article, tmp_path / "out")
    (source,) = report["sources"]
    assert source["check"]["status"] == "unreadable"
    assert source["check"]["signals"] == ["pdf:damaged"]
    assert "the PDF is damaged" in source["check"]["reason"]
    assert source["text_unread"].startswith("unreadable: ")
    quotes = [c for c in report["claims"] if c["kind"] == "quote"]
    assert quotes
    assert all(q["verdict"] == "unverifiable" for q in quotes)


async def test_fetcher_reads_an_undeclared_pdf_and_refuses_one_over_the_cap(
    httpserver: HTTPServer,
) -> None:
    base = serve(httpserver)
    settings = Settings(allow_private=True, retries=0, host_interval=0.0)
    async with Fetcher(settings) as fetcher:
        undeclared = await fetcher.check(f"{base}/download")
    assert undeclared.check.status is Status.OK
    assert undeclared.check.content_type == "application/pdf"
    assert undeclared.page is not None
    assert "Wärmepumpen" in (undeclared.page.text or "")
    assert undeclared.text_unread is None

    small = settings.with_changes(max_body_bytes=200)
    async with Fetcher(small) as fetcher:
        capped = await fetcher.check(f"{base}/bericht.pdf")
    assert capped.check.status is Status.UNREADABLE
    assert capped.check.truncated
    assert capped.check.signals == ["pdf:too-large"]
    assert "larger than the 200 bytes body cap" in capped.check.reason
    assert capped.text_unread is not None
    assert capped.text_unread.startswith("unreadable")


async def test_a_pdf_cached_by_a_links_only_run_is_read_when_claims_want_it(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    def answer(request: Request) -> Response:
        if request.headers.get("If-Modified-Since"):
            return Response(status=304)  # would hand back the cached, text-less result
        return Response(
            REPORT,
            content_type="application/pdf",
            headers={"Last-Modified": "Mon, 07 Dec 2026 10:00:00 GMT"},
        )

    httpserver.expect_request("/cached.pdf").respond_with_handler(answer)
    url = httpserver.url_for("/cached.pdf")
    settings = Settings(allow_private=True, retries=0, host_interval=0.0)
    with Cache(tmp_path / "cache.sqlite3") as cache:
        async with Fetcher(settings, cache=cache, keep_pages=False) as fetcher:
            links_only = await fetcher.check(url)
        assert links_only.check.status is Status.OK
        async with Fetcher(settings, cache=cache) as fetcher:
            wanted = await fetcher.check(url)
        async with Fetcher(settings, cache=cache) as fetcher:
            again = await fetcher.check(url)
    assert wanted.page is not None
    assert "Wärmepumpen" in (wanted.page.text or "")
    assert again.check.from_cache
    assert again.page is not None
    assert "Wärmepumpen" in (again.page.text or "")
