"""The real CLI against a hostile server: every source ends with a clear status, nothing hangs.

Each test is one ``srccheck verify`` subprocess over many hostile URLs. The
pytest timeout is the proof that nothing hangs (a hang fails the test, the
run is not timed); the child's peak memory proves the bombs were not inflated.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
from hostile_server import (
    BEHAVIOURS,
    HostileServer,
    cli_args,
    load_json,
    respond,
    run_cli,
    schema,
    tls_context,
)

from srccheck.settings import DEFAULT_SETTINGS

CAP = DEFAULT_SETTINGS.max_body_bytes
# The bombs decompress to 10 GiB; a few hundred MB is the interpreter, the
# libraries and bounded buffers. Without bounded decoding a brotli bomb
# allocates gigabytes in one call.
MEMORY_BOUND = 400 * 1024 * 1024


def write_article(folder: Path, urls: list[str], name: str = "artikel.txt") -> Path:
    article = folder / name
    lines = "\n".join(f"- {url}" for url in urls)
    article.write_text(
        f"22.10.2024\nFeindselige Server\n\nEin Absatz.\n\nQuellen:\n{lines}\n", encoding="utf-8"
    )
    return article


def sources_by_url(report: dict) -> dict[str, dict]:
    return {source["source"]["url"]: source["check"] for source in report["sources"]}


#: Behaviours whose outcome is the total deadline: the server never finishes its answer,
#: so a short deadline decides them whatever the machine's speed.
DEADLINE_BEHAVIOURS = ("/trickle", "/silent")


@pytest.mark.timeout(600)
def test_every_hostile_behaviour_in_one_run(hostile: HostileServer, tmp_path: Path) -> None:
    skipped = ("/loop-b", *DEADLINE_BEHAVIOURS)
    paths = [path.replace("*", "0") for path in BEHAVIOURS if path not in skipped]
    urls = [hostile.url(path) for path in paths]
    article = write_article(tmp_path, urls)
    out = tmp_path / "out"
    # --no-claims: the peak memory measured is the fetch stage's (bodies and decoding).
    # A generous deadline: reading a bomb up to the cap is CPU work, and a loaded machine
    # must not turn "truncated at the cap" into "timeout".
    args = cli_args(article, out, "--allow-private", "--timeout", "300", "--retries", "0")
    finished = run_cli([*args, "--max-redirects", "5", "--no-claims"], tmp_path, timeout=540)

    assert finished.returncode == 1, finished.stderr  # broken sources are findings
    assert "Traceback" not in finished.stderr
    report = load_json(out / "artikel.json")
    jsonschema.Draft202012Validator(schema("report.schema.json")).validate(report)
    checks = sources_by_url(report)
    assert len(report["sources"]) == len(urls)
    assert {path: checks[hostile.url(path)]["status"] for path in paths} == {
        path: BEHAVIOURS[path.replace("/0", "/*")][1] for path in paths
    }
    for path in ("/gzip-bomb", "/br-bomb", "/deflate-bomb", "/gzip-br-bomb", "/endless", "/large"):
        check = checks[hostile.url(path)]
        assert check["truncated"] is True, path
        assert check["body_bytes"] == CAP, path  # the cap counts decompressed bytes
    assert finished.max_rss_bytes < MEMORY_BOUND, finished.max_rss_bytes

    assert "loop" in checks[hostile.url("/loop-a")]["reason"]
    assert "more than 5 redirects" in checks[hostile.url("/chain/0")]["reason"]
    assert "reset" in checks[hostile.url("/reset")]["reason"]
    for path, media_type in (("/pdf", "application/pdf"), ("/png", "image/png")):
        check = checks[hostile.url(path)]
        assert check["content_type"] == media_type
        assert check["page_title"] is None
        assert check["body_bytes"] == 0  # binary bodies are not kept
    assert checks[hostile.url("/no-type")]["page_title"] == "Hostile"  # sniffed as HTML
    assert checks[hostile.url("/ok")]["page_title"] == "Hostile"
    html = (out / "artikel.html").read_text(encoding="utf-8")
    assert html.count("<tr") >= len(urls)


@pytest.mark.timeout(120)
def test_answers_that_never_finish_end_at_the_total_deadline(
    hostile: HostileServer, tmp_path: Path
) -> None:
    urls = [hostile.url(path) for path in DEADLINE_BEHAVIOURS]
    out = tmp_path / "out"
    args = cli_args(write_article(tmp_path, urls), out, "--allow-private", "--retries", "0")
    finished = run_cli([*args, "--timeout", "2", "--no-claims"], tmp_path)

    assert finished.returncode == 0, finished.stderr  # timeouts warn, they are no findings
    assert "Traceback" not in finished.stderr
    checks = sources_by_url(load_json(out / "artikel.json"))
    for path in DEADLINE_BEHAVIOURS:
        assert checks[hostile.url(path)]["status"] == BEHAVIOURS[path][1] == "timeout", path
    assert "total deadline" in checks[hostile.url("/trickle")]["reason"]


@pytest.mark.timeout(60)
def test_invalid_certificates_are_tls_errors_unless_insecure(
    make_server: Callable[..., HostileServer], tmp_path: Path
) -> None:
    handlers = {"/ok": respond(b"<title>TLS</title>", Content_Type="text/html")}
    servers = {
        "self-signed": make_server(handlers, tls_context("127.0.0.1")),
        "expired": make_server(handlers, tls_context("127.0.0.1", expired=True)),
        "wrong-host": make_server(handlers, tls_context("other.example")),
    }
    urls = {name: server.url("/ok") for name, server in servers.items()}
    article = write_article(tmp_path, list(urls.values()))

    strict = run_cli(cli_args(article, tmp_path / "strict", "--allow-private"), tmp_path)
    assert strict.returncode == 1, strict.stderr
    checks = sources_by_url(load_json(tmp_path / "strict" / "artikel.json"))
    assert {name: checks[url]["status"] for name, url in urls.items()} == dict.fromkeys(
        urls, "tls_error"
    )
    assert all("TLS handshake" in checks[url]["reason"] for url in urls.values())
    assert all(server.requests == [] for server in servers.values())  # no request was sent

    insecure = run_cli(
        cli_args(article, tmp_path / "insecure", "--allow-private", "--insecure"), tmp_path
    )
    assert insecure.returncode == 0, insecure.stderr
    checks = sources_by_url(load_json(tmp_path / "insecure" / "artikel.json"))
    assert {checks[url]["status"] for url in urls.values()} == {"ok"}


@pytest.mark.timeout(60)
def test_http2_and_http11_over_tls(
    make_server: Callable[..., HostileServer], tmp_path: Path
) -> None:
    # HTTP/2 is the httpx transport's (--transport httpx); aiohttp speaks HTTP/1.1 (below).
    h2 = make_server(ssl_context=tls_context("127.0.0.1", alpn=("h2", "http/1.1")))
    h11 = make_server(
        {"/ok": respond(b"<title>Hostile</title>", Content_Type="text/html")},
        tls_context("127.0.0.1", alpn=("http/1.1",)),
    )
    article = write_article(tmp_path, [h2.url("/ok"), h11.url("/ok")])
    out = tmp_path / "out"
    args = cli_args(article, out, "--allow-private", "--insecure", "--transport", "httpx")
    finished = run_cli(args, tmp_path)
    assert finished.returncode == 0, finished.stderr
    checks = sources_by_url(load_json(out / "artikel.json"))
    assert checks[h2.url("/ok")]["status"] == "ok"
    assert checks[h2.url("/ok")]["page_title"] == "Hostile"
    assert checks[h11.url("/ok")]["status"] == "ok"
    assert ("HTTP/2", "/ok") in h2.requests
    assert ("HTTP/1.1", "/ok") in h11.requests


@pytest.mark.timeout(60)
def test_the_default_transport_offers_only_http11_over_tls(
    make_server: Callable[..., HostileServer], tmp_path: Path
) -> None:
    page = {"/ok": respond(b"<title>Hostile</title>", Content_Type="text/html")}
    both = make_server(page, tls_context("127.0.0.1", alpn=("h2", "http/1.1")))
    h11 = make_server(page, tls_context("127.0.0.1", alpn=("http/1.1",)))
    article = write_article(tmp_path, [both.url("/ok"), h11.url("/ok")])
    out = tmp_path / "out"
    finished = run_cli(cli_args(article, out, "--allow-private", "--insecure"), tmp_path)
    assert finished.returncode == 0, finished.stderr
    checks = sources_by_url(load_json(out / "artikel.json"))
    assert {checks[url]["status"] for url in (both.url("/ok"), h11.url("/ok"))} == {"ok"}
    assert checks[both.url("/ok")]["page_title"] == "Hostile"
    assert ("HTTP/1.1", "/ok") in both.requests
    assert {protocol for protocol, _ in both.requests} == {"HTTP/1.1"}  # never HTTP/2
    assert ("HTTP/1.1", "/ok") in h11.requests
