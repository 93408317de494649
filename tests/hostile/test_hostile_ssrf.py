"""SSRF through the real CLI: refused addresses never see a connection, on any hop or path.

The unit rules (which addresses are public, numeric host forms) are tested in
tests/fetch/test_fetch_policy_rules.py; here the whole run is checked: the
loopback server counts *accepted connections*, so "refused" means no packet
reached it, not only that the report says so.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Callable
from pathlib import Path

import httpcore
import pytest
from hostile_server import HTML, HostileServer, cli_args, load_json, redirect, respond, run_cli
from test_hostile_server import sources_by_url, write_article
from typer.testing import CliRunner

from srccheck.cli import app
from srccheck.fetch.policy import AddressPolicy, AddressRefused, PolicyNetworkBackend

PAGE = {"/secret": respond(HTML, Content_Type="text/html")}

# Every way to write an address of this machine or of a network it may reach.
LOOPBACK_FORMS = [
    "127.0.0.1", "2130706433", "0x7f.1", "0x7f000001", "017700000001", "127.1",
    "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "localhost",
]  # fmt: skip
OTHER_REFUSED = [
    "0.0.0.0", "169.254.169.254", "10.0.0.1", "172.16.0.1", "192.168.1.1", "100.64.0.1",
    "224.0.0.1", "240.0.0.1", "255.255.255.255", "[::]", "[::1]", "[fe80::1]", "[fc00::1]",
    "[ff02::1]", "[::ffff:169.254.169.254]", "[64:ff9b::a9fe:a9fe]",
]  # fmt: skip


@pytest.mark.timeout(60)
def test_every_form_of_a_refused_address_is_blocked_without_a_connection(
    make_server: Callable[..., HostileServer], tmp_path: Path
) -> None:
    server = make_server(PAGE)
    urls = [f"http://{host}:{server.port}/secret" for host in LOOPBACK_FORMS]
    urls += [f"http://{host}/secret" for host in OTHER_REFUSED]
    article = write_article(tmp_path, urls)
    # --retries 2: a refusal must not be retried either
    finished = run_cli(cli_args(article, tmp_path / "out", "--retries", "2"), tmp_path)
    assert finished.returncode == 0, finished.stderr  # unverifiable never fails the build
    report = load_json(tmp_path / "out" / "artikel.json")
    checks = [source["check"] for source in report["sources"]]
    assert len(checks) == len(urls)
    assert {c["status"] for c in checks} == {"blocked_by_policy"}, [
        (s["source"]["url"], s["check"]["status"]) for s in report["sources"]
    ]
    assert all(c["attempts"] == 1 and "--allow-private" in c["reason"] for c in checks)
    assert server.connections == 0


@pytest.mark.timeout(60)
def test_allow_private_and_allow_host_lift_the_rule(
    make_server: Callable[..., HostileServer], tmp_path: Path
) -> None:
    server = make_server(PAGE)
    by_ip, by_name = server.url("/secret"), f"http://localhost:{server.port}/secret"
    article = write_article(tmp_path, [by_ip, by_name])

    named = run_cli(cli_args(article, tmp_path / "a", "--allow-host", "localhost"), tmp_path)
    checks = sources_by_url(load_json(tmp_path / "a" / "artikel.json"))
    assert (checks[by_name]["status"], checks[by_ip]["status"]) == ("ok", "blocked_by_policy")
    assert named.returncode == 0

    cidr = run_cli(cli_args(article, tmp_path / "b", "--allow-host", "127.0.0.0/8"), tmp_path)
    checks = sources_by_url(load_json(tmp_path / "b" / "artikel.json"))
    assert {c["status"] for c in checks.values()} == {"ok"}
    assert cidr.returncode == 0

    everything = run_cli(cli_args(article, tmp_path / "c", "--allow-private"), tmp_path)
    checks = sources_by_url(load_json(tmp_path / "c" / "artikel.json"))
    assert {c["status"] for c in checks.values()} == {"ok"}
    assert everything.returncode == 0


def _fake_dns(table: dict[str, str]) -> Callable[..., list]:
    """A ``socket.getaddrinfo`` that answers the names in ``table``, others as before."""
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        name = host.decode() if isinstance(host, bytes) else host
        if name in table:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (table[name], port))]
        return real(host, port, *args, **kwargs)

    return getaddrinfo


@pytest.mark.timeout(60)
@pytest.mark.parametrize("target", ["name", "literal"])
def test_redirect_from_an_allowed_host_to_a_private_one_is_refused_at_the_hop(
    make_server: Callable[..., HostileServer],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    target: str,
) -> None:
    # "public.example" stands for a public site: it is the only allowed host. Both names
    # resolve to the loopback server, so the second hop would reach it if not checked.
    server = make_server()
    private = {"name": "private.example", "literal": "127.0.0.1"}[target]
    server.handlers.update(PAGE)
    server.handlers["/hop"] = redirect(f"http://{private}:{server.port}/secret")
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        _fake_dns({"public.example": "127.0.0.1", "private.example": "127.0.0.1"}),
    )
    start = f"http://public.example:{server.port}/hop"
    article = write_article(tmp_path, [start])
    out = tmp_path / "out"
    result = CliRunner().invoke(app, cli_args(article, out, "--allow-host", "public.example"))
    assert result.exit_code == 0, result.output
    check = sources_by_url(load_json(out / "artikel.json"))[start]
    assert check["status"] == "blocked_by_policy"
    assert [hop["status_code"] for hop in check["redirects"]] == [302]
    assert private in check["reason"]
    assert [path for _, path in server.requests] == ["/hop"]  # the hop itself was never sent
    assert server.connections == 1


class _RecordingBackend(httpcore.AsyncNetworkBackend):
    """Where the policy backend asked to connect (never connects)."""

    def __init__(self) -> None:
        self.hosts: list[str] = []

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):  # type: ignore[no-untyped-def]  # noqa: ASYNC109
        self.hosts.append(host)
        raise httpcore.ConnectError("recorded")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


async def test_dns_rebinding_cannot_swap_the_checked_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The resolver answers a public address first and the loopback address afterwards.
    answers = iter(["93.184.216.34", "127.0.0.1", "127.0.0.1"])
    calls: list[str] = []

    async def getaddrinfo(self, host, port, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(asyncio.BaseEventLoop, "getaddrinfo", getaddrinfo)
    inner = _RecordingBackend()
    backend = PolicyNetworkBackend(AddressPolicy(), inner)

    with pytest.raises(httpcore.ConnectError, match="recorded"):
        await backend.connect_tcp("rebind.example", 80)
    # One lookup, and the connection goes to the address that was checked, by IP.
    assert calls == ["rebind.example"]
    assert inner.hosts == ["93.184.216.34"]

    with pytest.raises(AddressRefused, match=r"rebind\.example resolves to 127\.0\.0\.1"):
        await backend.connect_tcp("rebind.example", 80)  # the next connection looks up again
    assert inner.hosts == ["93.184.216.34"]
    assert ipaddress.ip_address(inner.hosts[0]).is_global


@pytest.mark.timeout(60)
def test_archive_snapshot_on_a_private_address_is_not_fetched(
    make_server: Callable[..., HostileServer], tmp_path: Path
) -> None:
    secret = make_server(PAGE)
    snapshot = secret.url("/secret")
    timemap = (
        f'<{snapshot}>; rel="memento"; datetime="Tue, 22 Oct 2024 10:00:00 GMT"'
    ).encode()
    archive = make_server(
        {
            "/gone": respond(b"gone", "404 Not Found"),
            "/timemap/link/*": respond(timemap, Content_Type="application/link-format"),
        }
    )
    # The archive is configured on localhost, so srccheck trusts that host (and the live
    # page on it) — but not the address the archive points the snapshot at.
    live = f"http://localhost:{archive.port}/gone"
    article = write_article(tmp_path, [live])
    args = cli_args(article, tmp_path / "out", "--archive", f"memento=http://localhost:{archive.port}/timegate")
    args.remove("--no-archive")
    finished = run_cli(args, tmp_path)
    assert finished.returncode == 1, finished.stderr  # the live page is 404
    source = load_json(tmp_path / "out" / "artikel.json")["sources"][0]
    assert source["check"]["status"] == "not_found"
    assert any(path.startswith("/timemap/link/") for _, path in archive.requests)
    assert secret.connections == 0

    allowed = run_cli([*args[:-4], "--allow-private", *args[-4:]], tmp_path)
    assert allowed.returncode == 1, allowed.stderr
    assert ("HTTP/1.1", "/secret") in secret.requests  # the same run, allowed, does reach it
