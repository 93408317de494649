"""Credentials for subscribed sources: sent only to their host over HTTPS, never shown.

The loopback servers record every request they receive; the secrets are then
looked for in everything srccheck wrote or printed.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import trustme
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner
from werkzeug import Request, Response

from srccheck.cli import app
from srccheck.credentials import (
    Credentials,
    Header,
    HostCredentials,
    Secret,
    parse_basic_auth,
    parse_header,
    resolve_secret,
)
from srccheck.errors import UsageError

TOKEN = "tok-3f9a1c-geheim"
PASSWORD = "pw-77b2e0-geheim"
COOKIE = "sess-5d41c2-geheim"
SECRETS = (TOKEN, PASSWORD, COOKIE)


def cookie_file(path: Path, domain: str = "127.0.0.1") -> Path:
    path.write_text(
        "# Netscape HTTP Cookie File\n"
        f"{domain}\tFALSE\t/\tFALSE\t0\tsession\t{COOKIE}\n",
        encoding="utf-8",
    )
    return path


# --- the rule, as a table ----------------------------------------------------------------------


@pytest.fixture
def credentials(tmp_path: Path) -> Credentials:
    host = HostCredentials(
        host="www.faz.net",
        headers=(Header("X-Abo", Secret(TOKEN, "env:T")),),
        basic_auth=("redaktion", Secret(PASSWORD, "env:P")),
        cookie_jar=cookie_file(tmp_path / "faz.txt", "www.faz.net"),
    )
    return Credentials([host], [Header("Accept-Language", Secret("de", "command line"))])


@pytest.mark.parametrize(
    ("url", "gets_secrets"),
    [
        ("https://www.faz.net/aktuell/", True),
        ("https://WWW.FAZ.NET:443/x", True),
        ("http://www.faz.net/aktuell/", False),  # same host, plain http
        ("https://faz.net/aktuell/", False),  # another host name
        ("https://abo.www.faz.net/", False),  # a subdomain is another host
        ("https://www.faz.net.evil.example/", False),
        ("https://example.org/", False),
    ],
)
def test_credentials_go_only_to_their_host_over_https(
    credentials: Credentials, url: str, gets_secrets: bool
) -> None:
    headers = credentials.headers_for(httpx.URL(url))
    assert headers["Accept-Language"] == "de"  # --header goes everywhere
    sent = " ".join(headers.values())
    assert (TOKEN in sent) is gets_secrets
    assert ("Authorization" in headers) is gets_secrets
    assert (COOKIE in sent) is gets_secrets


def test_secrets_never_show_in_repr_or_str() -> None:
    secret = resolve_secret("env:FAZ_TOKEN", {"FAZ_TOKEN": TOKEN}, what="x", literal=False)
    host = HostCredentials("h", headers=(Header("Authorization", secret),))
    for text in (repr(secret), str(secret), repr(host), host.name):
        assert TOKEN not in text
    assert "env:FAZ_TOKEN" in repr(secret)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: resolve_secret("env:NOPE", {}, what="w", literal=False), "NOPE is not set"),
        (lambda: resolve_secret(TOKEN, {}, what="w", literal=False), "env:NAME"),
        (lambda: parse_header("Kein Header", {}), "NAME: VALUE"),
        (lambda: parse_header(f"Authorization:{TOKEN}\nX: y", {}), "Authorization"),
        (lambda: parse_basic_auth(f"redaktion:{PASSWORD}", {}), "HOST USER:PASSWORD"),
    ],
)
def test_bad_credentials_are_usage_errors_without_the_secret(call, message: str) -> None:
    with pytest.raises(UsageError) as info:
        call()
    assert message in str(info.value)
    assert not any(secret in str(info.value) for secret in SECRETS)


# --- through the CLI, against recording loopback servers ---------------------------------------


@pytest.fixture(scope="module")
def tls_server() -> Iterator[HTTPServer]:
    ca = trustme.CA()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("localhost", "127.0.0.1").configure_cert(context)
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


def record(log: list[tuple[str, dict[str, str]]], response: Response):
    def handler(request: Request) -> Response:
        log.append((request.url, dict(request.headers)))
        return response

    return handler


def test_a_redirect_chain_carries_credentials_only_on_the_https_hop_to_their_host(
    tls_server: HTTPServer,
    httpserver: HTTPServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    tls, plain = tls_server.port, httpserver.port
    log: list[tuple[str, dict[str, str]]] = []
    page = "<html><head><title>Abo</title></head><body><article>Text</article></body></html>"
    tls_server.clear()
    # 127.0.0.1 over HTTPS (credentials) → localhost, another host name on the same server
    # → 127.0.0.1 over plain http: only the first hop may carry anything.
    tls_server.expect_request("/start").respond_with_handler(
        record(log, Response(status=302, headers={"Location": f"https://localhost:{tls}/other"}))
    )
    tls_server.expect_request("/other").respond_with_handler(
        record(log, Response(status=302, headers={"Location": f"http://127.0.0.1:{plain}/plain"}))
    )
    httpserver.expect_request("/plain").respond_with_handler(
        record(log, Response(page, content_type="text/html"))
    )
    (tmp_path / "srccheck.toml").write_text(
        '[hosts."127.0.0.1"]\n'
        'headers = { "X-Abo" = "env:ABO_TOKEN" }\n'
        'basic-auth = { user = "redaktion", password = "env:ABO_PASSWORD" }\n'
        f'cookie-jar = "{cookie_file(tmp_path / "cookies.txt").name}"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("ABO_TOKEN", TOKEN)
    monkeypatch.setenv("ABO_PASSWORD", PASSWORD)
    monkeypatch.chdir(tmp_path)
    article = tmp_path / "artikel.txt"
    article.write_text(
        f"01.12.2026\nAbo\n\nText.\n\nQuellen: - https://127.0.0.1:{tls}/start\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    caplog.set_level(logging.DEBUG)
    result = CliRunner().invoke(
        app,
        ["verify", str(article), "-o", str(out), "--format", "json,html,sarif,junit,markdown",
         "--allow-private", "--insecure", "--no-archive", "--no-cache", "--host-interval", "0",
         "-v"],
    )
    assert result.exit_code == 0, result.output
    by_path = {httpx.URL(url).path: headers for url, headers in log}
    assert set(by_path) == {"/start", "/other", "/plain"}
    first = by_path["/start"]
    assert first["X-Abo"] == TOKEN
    assert first["Authorization"].startswith("Basic ")
    assert f"session={COOKIE}" in first["Cookie"]
    for hop in ("/other", "/plain"):
        sent = " ".join(f"{k}: {v}" for k, v in by_path[hop].items())
        assert "X-Abo" not in sent, hop
        assert "Authorization" not in sent, hop
        assert COOKIE not in sent, hop

    shown = result.output + caplog.text
    shown += "".join(p.read_text(encoding="utf-8") for p in out.iterdir() if p.is_file())
    config = CliRunner().invoke(app, ["config"])
    assert config.exit_code == 0, config.output
    assert "127.0.0.1 (X-Abo, basic auth for redaktion, cookies from" in config.output
    shown += config.output
    assert not any(secret in shown for secret in SECRETS)


def test_cli_basic_auth_and_header(
    tls_server: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log: list[tuple[str, dict[str, str]]] = []
    tls_server.clear()
    tls_server.expect_request("/abo").respond_with_handler(
        record(log, Response("<title>ok</title>", content_type="text/html"))
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ABO_PASSWORD", PASSWORD)
    article = tmp_path / "a.txt"
    article.write_text(
        f"01.12.2026\nA\n\nText.\n\nQuellen: - https://127.0.0.1:{tls_server.port}/abo\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        app,
        ["verify", str(article), "-o", str(tmp_path / "out"), "--allow-private", "--insecure",
         "--no-archive", "--no-cache", "--no-claims", "--host-interval", "0",
         "--basic-auth", "127.0.0.1 redaktion:env:ABO_PASSWORD",
         "--header", f"X-Abo: {TOKEN}"],
    )
    assert result.exit_code == 0, result.output
    headers = next(h for url, h in log if url.endswith("/abo"))
    assert headers["X-Abo"] == TOKEN
    assert headers["Authorization"].startswith("Basic ")
    assert TOKEN not in result.output
    assert PASSWORD not in result.output


@pytest.mark.parametrize(
    ("config", "args", "message"),
    [
        ('[hosts."x.de"]\nheaders = { A = "env:SRCCHECK_TEST_UNSET" }\n', [],
         "SRCCHECK_TEST_UNSET is not set"),
        (f'[hosts."x.de"]\nheaders = {{ A = "{TOKEN}" }}\n', [], "env:NAME"),
        ('[hosts."x.de"]\nheader = {}\n', [], "did you mean 'headers'"),
        ("", ["--header", "nope"], "NAME: VALUE"),
        ("", ["--basic-auth", "x.de user:env:SRCCHECK_TEST_UNSET"], "SRCCHECK_TEST_UNSET"),
        ("", ["--cookie-jar", "missing.txt"], "cookie file"),
    ],
)
def test_bad_credential_settings_exit_2_without_a_traceback(
    config: str, args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SRCCHECK_TEST_UNSET", raising=False)
    (tmp_path / "srccheck.toml").write_text(config, encoding="utf-8")
    article = tmp_path / "a.txt"
    article.write_text("01.12.2026\nA\n\nText.\n\nQuellen: - https://x.de/\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["verify", str(article), "-o", str(tmp_path / "out"), "--no-archive", *args]
    )
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())  # rich wraps long lines
    assert "Traceback" not in result.output
    assert TOKEN not in result.output
