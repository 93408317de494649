"""End to end: the CLI against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner
from werkzeug import Request, Response

from srccheck.cli import app

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def site() -> Iterator[HTTPServer]:
    # Threaded: the slow page must not hold up the other requests.
    server = HTTPServer(threaded=True)
    server.start()
    released = threading.Event()
    try:
        yield _serve(server, released)
    finally:
        released.set()
        server.clear()
        server.stop()


def _serve(httpserver: HTTPServer, released: threading.Event) -> HTTPServer:
    page = "<html><head><title>Nordkorea – Liveblog</title></head><body><p>Text</p></body></html>"
    httpserver.expect_request("/ok").respond_with_data(page, content_type="text/html")
    httpserver.expect_request("/r1").respond_with_response(
        Response(status=301, headers={"Location": "/r2"})
    )
    httpserver.expect_request("/r2").respond_with_response(
        Response(status=302, headers={"Location": "/ok"})
    )
    httpserver.expect_request("/missing").respond_with_data("nope", status=404)

    calls = {"flaky": 0}

    def flaky(request: Request) -> Response:
        calls["flaky"] += 1
        if calls["flaky"] == 1:
            return Response("boom", status=500)
        return Response(page, status=200, content_type="text/html")

    httpserver.expect_request("/flaky").respond_with_handler(flaky)

    def slow(request: Request) -> Response:
        # Answers only when the test is over: the deadline, not the machine's speed, decides.
        released.wait(120)
        return Response(page, content_type="text/html")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    return httpserver


def write_article(folder: Path, base: str) -> Path:
    article = folder / "artikel.txt"
    article.write_text(
        "22.10.2024\nTestartikel\n\nEin Absatz mit Text.\n\n"
        f"Quellen: - {base}/ok - {base}/r1 - {base}/missing - {base}/flaky - {base}/slow"
        " - keine-url-hier\n\nWeitere\nArtikel\n",
        encoding="utf-8",
    )
    return article


def test_verify_writes_reports_with_every_status(site: HTTPServer, tmp_path: Path) -> None:
    base = site.url_for("").rstrip("/")
    article = write_article(tmp_path, base)
    out = tmp_path / "reports"
    result = CliRunner().invoke(
        app,
        [
            "verify", str(article), "--output", str(out), "--allow-private",
            "--timeout", "5", "--retries", "1", "--quiet", "--no-archive",
        ],
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 1, result.output  # 404, timeout and the non-URL are findings

    report = json.loads((out / "artikel.json").read_text(encoding="utf-8"))
    by_url = {s["source"]["url"] or s["source"]["raw"]: s for s in report["sources"]}
    assert len(report["sources"]) == 6

    ok = by_url[f"{base}/ok"]["check"]
    assert ok["status"] == "ok"
    assert ok["http_status"] == 200
    assert ok["page_title"] == "Nordkorea – Liveblog"

    redirected = by_url[f"{base}/r1"]["check"]
    assert redirected["status"] == "redirected"
    assert [h["status_code"] for h in redirected["redirects"]] == [301, 302]
    assert redirected["final_url"] == f"{base}/ok"

    assert by_url[f"{base}/missing"]["check"]["status"] == "not_found"

    flaky = by_url[f"{base}/flaky"]["check"]
    assert flaky["status"] == "ok"
    assert flaky["attempts"] == 2

    assert by_url[f"{base}/slow"]["check"]["status"] == "timeout"

    invalid = by_url["keine-url-hier"]
    assert invalid["check"]["status"] == "invalid"
    assert invalid["check"]["reason"]

    schema = json.loads((ROOT / "schema" / "report.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(report)
    index_schema = json.loads((ROOT / "schema" / "index.schema.json").read_text(encoding="utf-8"))
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(index_schema).validate(index)
    assert index["articles"][0]["report_json"] == "artikel.json"

    html = (out / "artikel.html").read_text(encoding="utf-8")
    assert "not_found" in html
    assert f'href="{base}/ok"' in html
    assert (out / "index.html").exists()


def test_loopback_is_refused_without_allow_private(site: HTTPServer, tmp_path: Path) -> None:
    base = site.url_for("").rstrip("/")
    article = write_article(tmp_path, base)
    result = CliRunner().invoke(
        app, ["verify", str(article), "--output", str(tmp_path / "r"), "--quiet", "--no-archive"]
    )
    assert result.exit_code == 1, result.output
    report = json.loads((tmp_path / "r" / "artikel.json").read_text(encoding="utf-8"))
    statuses = {s["check"]["status"] for s in report["sources"] if s["source"]["url"]}
    assert statuses == {"blocked_by_policy"}
    assert site.log == []  # not one request reached the server


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["verify", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "nope" in result.output
    assert "Traceback" not in result.output


def test_a_result_cached_under_allow_private_is_not_served_to_a_run_without_it(
    site: HTTPServer, tmp_path: Path
) -> None:
    base = site.url_for("").rstrip("/")
    article = tmp_path / "artikel.txt"
    article.write_text(f"22.10.2024\nTest\n\nText.\n\nQuellen: - {base}/ok\n", encoding="utf-8")
    common = ["verify", str(article), "--quiet", "--no-archive", "--cache-dir", str(tmp_path / "c")]
    allowed = CliRunner().invoke(app, [*common, "--output", str(tmp_path / "a"), "--allow-private"])
    assert allowed.exit_code == 0, allowed.output
    requests = len(site.log)
    assert requests >= 1

    strict = CliRunner().invoke(app, [*common, "--output", str(tmp_path / "s")])
    assert strict.exit_code == 0, strict.output  # refusals are unverifiable, no finding
    report = json.loads((tmp_path / "s" / "artikel.json").read_text(encoding="utf-8"))
    assert report["sources"][0]["check"]["status"] == "blocked_by_policy"
    assert len(site.log) == requests  # refused before any request, not served from the cache
