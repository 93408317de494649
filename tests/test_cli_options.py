"""The everyday link-checker options through the CLI: --dump, --files-from, --accept,
--remap, --require-https and --host-stats (loopback servers where a request is made)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer
from pytest_httpx import HTTPXMock
from typer.testing import CliRunner
from werkzeug import Request, Response

from srccheck.cli import app

PAGE = "<html><head><title>Seite</title></head><body><article>Text</article></body></html>"
QUIET = ["--allow-private", "--no-archive", "--no-cache", "--no-claims", "--host-interval", "0"]


def invoke(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def article(folder: Path, *urls: str, name: str = "artikel.txt") -> Path:
    path = folder / name
    path.write_text(
        "01.12.2026\nTitel\n\nText.\n\nQuellen: " + " ".join(f"- {u}" for u in urls) + "\n",
        encoding="utf-8",
    )
    return path


def report(out: Path, name: str = "artikel") -> dict:
    return json.loads((out / f"{name}.json").read_text(encoding="utf-8"))


# --- --dump -----------------------------------------------------------------------------------


def test_dump_lists_sources_with_positions_and_sends_no_request(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    base = httpserver.url_for("").rstrip("/")
    path = article(tmp_path, f"{base}/a#:~:text=x", "keine-url", f"{base}/a")
    code, output = invoke("verify", str(path), "--dump", "-o", str(tmp_path / "out"))
    assert code == 0, output
    second = 12 + len(f"{base}/a#:~:text=x - ")
    third = second + len("keine-url - ")
    assert output.splitlines() == [
        f"{path}:6:12: {base}/a",
        f"{path}:6:{second}: keine-url",
        f"{path}:6:{third}: {base}/a",  # a URL cited twice: both places
    ]
    code, output = invoke("verify", str(path), "--dump", "--dump-format", "json")
    assert code == 0, output
    (dumped,) = json.loads(output)
    assert dumped["file"] == str(path)
    first, invalid = dumped["sources"]
    assert first["fragment"] == ":~:text=x"
    assert [(p["line"], p["column"]) for p in first["positions"]] == [(6, 12), (6, third)]
    assert invalid["invalid_reason"]
    assert httpserver.log == []  # nothing was requested
    assert not (tmp_path / "out").exists()  # and nothing written


def test_dump_format_must_be_text_or_json(tmp_path: Path) -> None:
    code, output = invoke("verify", str(article(tmp_path, "https://x.de/")), "--dump",
                          "--dump-format", "xml")
    assert code == 2
    assert "--dump-format" in output


# --- --files-from -----------------------------------------------------------------------------


def test_files_from_a_file_and_from_standard_input(tmp_path: Path) -> None:
    one = article(tmp_path, "https://eins.example/", name="eins.txt")
    two = article(tmp_path, "https://zwei.example/", name="zwei.txt")
    listing = tmp_path / "liste.txt"
    listing.write_text(f"# Artikel von heute\n{one}\n\n  {two}  \n", encoding="utf-8")
    code, output = invoke("verify", "--files-from", str(listing), "--dump")
    assert code == 0, output
    assert "eins.example" in output
    assert "zwei.example" in output
    code, output = invoke("verify", str(one), "--files-from", "-", "--dump", stdin=f"{two}\n")
    assert code == 0, output
    assert "eins.example" in output  # PATHS and the listed ones
    assert "zwei.example" in output


# --- --accept ---------------------------------------------------------------------------------


def test_accept_counts_listed_status_codes_as_ok(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/verboten").respond_with_data("nein", status=403)
    httpserver.expect_request("/teapot").respond_with_data("nein", status=418)
    base = httpserver.url_for("").rstrip("/")
    path = article(tmp_path, f"{base}/verboten#:~:text=nein", f"{base}/teapot")
    out = tmp_path / "out"
    with_claims = [arg for arg in QUIET if arg != "--no-claims"]  # fragments need page text
    code, output = invoke("verify", str(path), "-o", str(out), *with_claims,
                          "--accept", "200..=299,403", "--fail-on", "http_error")
    assert code == 1, output  # 418 is still an error
    sources = report(out)["sources"]
    checks = {s["source"]["url"]: s["check"] for s in sources}
    # A working link, but its error page is no evidence of the cited passage.
    assert [f["state"] for f in sources[0]["text_fragments"]] == ["unverifiable"]
    assert checks[f"{base}/verboten"]["status"] == "ok"
    assert "accepted by --accept" in checks[f"{base}/verboten"]["reason"]
    assert checks[f"{base}/verboten"]["http_status"] == 403
    assert checks[f"{base}/teapot"]["status"] == "http_error"
    code, output = invoke("verify", str(path), "-o", str(out), *QUIET,
                          "--accept", "200..=299,400..419", "--fail-on", "http_error")
    assert code == 0, output  # 400..419 excludes 419, includes 418


# --- --remap ----------------------------------------------------------------------------------


def test_remap_checks_the_rewritten_url_and_keeps_the_cited_one(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request("/spiegel/artikel-1").respond_with_data(
        PAGE, content_type="text/html"
    )
    base = httpserver.url_for("").rstrip("/")
    cited = "https://www.example.org/artikel-1"
    out = tmp_path / "out"
    code, output = invoke(
        "verify", str(article(tmp_path, cited)), "-o", str(out), *QUIET,
        "--remap", rf"^https://www\.example\.org/(.*) {base}/spiegel/\1",
    )
    assert code == 0, output
    (source,) = report(out)["sources"]
    assert source["source"]["url"] == cited
    assert source["checked_url"] == f"{base}/spiegel/artikel-1"
    assert source["check"]["status"] == "ok"
    assert f"{base}/spiegel/artikel-1" in (out / "artikel.html").read_text(encoding="utf-8")


# --- --require-https --------------------------------------------------------------------------


def test_require_https_reports_http_sources_whose_https_twin_works(
    httpx_mock: HTTPXMock, tmp_path: Path
) -> None:
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        if request.url.path.startswith("/srccheck-missing"):  # the soft-404 probe
            return httpx.Response(404)
        if request.url.host == "nur-http.example" and request.url.scheme == "https":
            return httpx.Response(404)
        return httpx.Response(200, html=PAGE)

    httpx_mock.add_callback(answer, is_reusable=True)
    path = article(
        tmp_path, "http://beides.example/a", "http://nur-http.example/b", "https://sicher.example/"
    )
    out = tmp_path / "out"
    args = ["verify", str(path), "-o", str(out), "--no-archive", "--no-cache", "--no-claims",
            "--host-interval", "0", "--format", "json,sarif"]
    code, output = invoke(*args)
    assert code == 0, output
    assert not any(url.startswith("https://beides") for url in asked)  # not asked unasked
    code, output = invoke(*args, "--require-https")
    assert code == 1, output
    twins = {s["source"]["url"]: s["https_twin"] for s in report(out)["sources"]}
    assert twins == {
        "http://beides.example/a": "https://beides.example/a",
        "http://nur-http.example/b": None,
        "https://sicher.example/": None,
    }
    sarif = json.loads((out / "srccheck.sarif").read_text(encoding="utf-8"))
    results = sarif["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["require-https"]


# --- --host-stats -----------------------------------------------------------------------------


def _host_stats_site(httpserver: HTTPServer) -> str:
    calls = {"flaky": 0, "limited": 0}

    def flaky(request: Request) -> Response:
        calls["flaky"] += 1
        return Response("boom", status=500) if calls["flaky"] == 1 else Response(PAGE)

    def limited(request: Request) -> Response:
        calls["limited"] += 1
        if calls["limited"] == 1:
            return Response("slow down", status=429, headers={"Retry-After": "1"})
        return Response(PAGE)

    httpserver.expect_request("/ok").respond_with_data(PAGE, content_type="text/html")
    httpserver.expect_request("/flaky").respond_with_handler(flaky)
    httpserver.expect_request("/limited").respond_with_handler(limited)
    return httpserver.url_for("").rstrip("/")


@pytest.mark.parametrize("cluster", [[], ["--workers", "2"]], ids=["one-process", "workers-2"])
def test_host_stats_count_requests_statuses_retries_and_waits(
    httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cluster: list[str]
) -> None:
    # On a cluster every task counts its own requests; the table adds them up.
    base = _host_stats_site(httpserver)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "srccheck.toml").write_text("soft404-probe = false\n", encoding="utf-8")
    path = article(tmp_path, f"{base}/ok", f"{base}/flaky", f"{base}/limited")
    out = tmp_path / "out"
    code, output = invoke("verify", str(path), "-o", str(out), *QUIET, "--host-stats", *cluster)
    assert code == 0, output
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    (stats,) = index["host_stats"]
    assert stats == {
        "host": "localhost",
        "requests": 5,
        "statuses": {"200": 3, "429": 1, "500": 1},
        "retries": 2,
        "rate_limited": 1,
        "rate_limit_wait_seconds": 1.0,
    }
    assert "Hosts" in output
    assert "200×3, 429×1, 500×1" in output
    code, output = invoke("verify", str(path), "-o", str(out), *QUIET, "--no-reuse")
    assert json.loads((out / "index.json").read_text(encoding="utf-8"))["host_stats"] is None


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--accept", "2xx"], "not a status code"),
        (["--accept", "300..=200"], "not a range"),
        (["--accept", "99"], "not a status code"),
        (["--remap", "("], "REGEX REPLACEMENT"),
        (["--remap", "( x"], "regular expression"),
        (["--remap", r"^a \2"], "group"),
        (["--files-from", "fehlt.txt"], "cannot read"),
        ([], "no articles given"),
    ],
)
def test_bad_option_values_exit_2_with_a_message(
    args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, output = invoke("verify", *args, "-o", str(tmp_path / "out"))
    assert code == 2, output
    assert message in " ".join(output.split())
    assert "Traceback" not in output
