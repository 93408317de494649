"""Fetcher against real servers on 127.0.0.1: safety policy, deadlines, redirects, TLS, bombs."""

from __future__ import annotations

import asyncio
import gzip
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterator

import httpcore
import httpx
import pytest
import trustme
from pytest_httpserver import HTTPServer

from srccheck.fetch.client import Fetcher
from srccheck.fetch.policy import (
    AddressPolicy,
    AddressRefused,
    DNSLookupError,
    PolicyNetworkBackend,
    _install_pool,
    build_transport,
    literal_address,
)
from srccheck.fetch.pools import OriginPools
from srccheck.settings import Settings
from srccheck.status import Status

LOCAL = Settings(allow_private=True, retries=0, timeout=60.0)

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def check(url: str, settings: Settings, clock=None):
    async with Fetcher(settings, clock=clock) as fetcher:
        return await fetcher.check(url)


# --- network safety ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "template",
    [
        "http://127.0.0.1:{port}/",
        "http://2130706433:{port}/",
        "http://0x7f.1:{port}/",
        "http://[::ffff:127.0.0.1]:{port}/",
        "http://localhost:{port}/",
    ],
)
async def test_loopback_is_refused_by_default(httpserver: HTTPServer, template: str) -> None:
    httpserver.expect_request("/").respond_with_data("secret")
    outcome = await check(template.format(port=httpserver.port), Settings())
    assert outcome.check.status is Status.BLOCKED_BY_POLICY
    assert "loopback" in outcome.check.reason
    assert "--allow-private" in outcome.check.reason
    assert outcome.check.attempts == 1  # never retried
    assert outcome.page is None
    assert httpserver.log == []


@pytest.mark.parametrize(
    "template",
    ["http://127.0.0.1:{port}/", "http://2130706433:{port}/", "http://localhost:{port}/"],
)
async def test_allow_private_reaches_the_server(httpserver: HTTPServer, template: str) -> None:
    page = "<title>Intern</title>"
    httpserver.expect_request("/").respond_with_data(page, content_type="text/html")
    outcome = await check(template.format(port=httpserver.port), LOCAL)
    assert outcome.check.status is Status.OK
    assert outcome.check.page_title == "Intern"
    assert len(httpserver.log) == 1


async def test_allow_hosts_lifts_the_rule_for_listed_hosts_only(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/").respond_with_data("hallo")
    settings = Settings(allow_hosts=("localhost",), retries=0)
    allowed = await check(f"http://localhost:{httpserver.port}/", settings)
    refused = await check(f"http://127.0.0.1:{httpserver.port}/", settings)
    assert allowed.check.status is Status.OK
    assert refused.check.status is Status.BLOCKED_BY_POLICY
    assert len(httpserver.log) == 1


async def test_redirect_to_a_private_address_is_refused(httpx_mock) -> None:
    # The first hop is public (mocked); the policy still checks the literal IP of the next hop.
    httpx_mock.add_response(
        url="https://www.faz.net/x", status_code=302,
        headers={"Location": "http://169.254.169.254/latest/meta-data/"},
    )  # fmt: skip
    outcome = await check("https://www.faz.net/x", Settings())
    assert outcome.check.status is Status.BLOCKED_BY_POLICY
    assert "169.254.169.254 is a link-local address" in outcome.check.reason
    assert [hop.status_code for hop in outcome.check.redirects] == [302]
    assert len(httpx_mock.get_requests()) == 1


async def test_dns_failure_is_dns_error() -> None:
    outcome = await check("http://srccheck-test.invalid/", Settings(retries=2))
    assert outcome.check.status is Status.DNS_ERROR
    assert outcome.check.reason.startswith("DNS lookup failed for srccheck-test.invalid")
    assert outcome.check.attempts == 1  # DNS errors are not retried


def test_transport_uses_the_policy_backend() -> None:
    # Fails if httpx stops keeping its pool where _install_pool puts ours.
    transport = build_transport(Settings())
    pools = transport._pool
    assert isinstance(pools, OriginPools)
    pool = pools._new_pool()  # the pool each origin gets
    assert isinstance(pool, httpcore.AsyncConnectionPool)
    assert isinstance(pool._network_backend, PolicyNetworkBackend)


def test_install_pool_refuses_an_unknown_transport_shape() -> None:
    transport = httpx.AsyncHTTPTransport()
    del transport._pool
    with pytest.raises(RuntimeError, match="_pool"):
        _install_pool(transport, OriginPools(httpcore.AsyncConnectionPool, max_idle_pools=1))


# --- redirects, bodies, protocols ---------------------------------------------------------------


async def test_redirect_chain_on_a_real_server(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a").respond_with_data("", status=301, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data(
        "", status=307, headers={"Location": httpserver.url_for("/c")}
    )
    httpserver.expect_request("/c").respond_with_data("ziel", content_type="text/plain")
    outcome = await check(httpserver.url_for("/a"), LOCAL)
    assert outcome.check.status is Status.REDIRECTED
    assert [hop.status_code for hop in outcome.check.redirects] == [301, 307]
    assert outcome.check.final_url == httpserver.url_for("/c")
    assert outcome.page is not None
    assert outcome.page.text == "ziel"


@pytest.mark.parametrize("http2", [True, False])
async def test_http11_server(httpserver: HTTPServer, http2: bool) -> None:
    httpserver.expect_request("/").respond_with_data("ok")
    outcome = await check(httpserver.url_for("/"), LOCAL.with_changes(http2=http2))
    assert outcome.check.status is Status.OK
    assert outcome.check.first_byte_ms is not None
    assert httpserver.log[0][0].environ["SERVER_PROTOCOL"] == "HTTP/1.1"


async def test_gzip_bomb_is_capped(httpserver: HTTPServer) -> None:
    bomb = gzip.compress(b"A" * 20_000_000, compresslevel=9)  # 20 MB in ~20 KB
    httpserver.expect_request("/").respond_with_data(
        bomb, content_type="text/plain", headers={"Content-Encoding": "gzip"}
    )
    cap = 100_000
    outcome = await check(httpserver.url_for("/"), LOCAL.with_changes(max_body_bytes=cap))
    assert outcome.check.status is Status.OK
    assert outcome.check.truncated is True
    assert outcome.check.body_bytes == cap
    assert outcome.page is not None
    assert outcome.page.text == "A" * cap


async def test_connection_refused_is_retried(clock) -> None:
    probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = probe.sockets[0].getsockname()[1]
    probe.close()
    await probe.wait_closed()
    outcome = await check(f"http://127.0.0.1:{port}/", LOCAL.with_changes(retries=2), clock)
    assert outcome.check.status is Status.CONNECTION_ERROR
    assert outcome.check.attempts == 3
    assert len(clock.sleeps) == 2


# --- deadlines ----------------------------------------------------------------------------------


async def test_server_that_never_answers_hits_the_total_deadline(raw_server) -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # until the client gives up
        writer.close()

    port = await raw_server(silent)
    settings = LOCAL.with_changes(read_timeout=30.0, timeout=0.3)
    outcome = await check(f"http://127.0.0.1:{port}/", settings)
    assert outcome.check.status is Status.TIMEOUT
    assert "total deadline" in outcome.check.reason


async def test_read_timeout(raw_server) -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()
        writer.close()

    port = await raw_server(silent)
    settings = LOCAL.with_changes(read_timeout=0.1, timeout=30.0)
    outcome = await check(f"http://127.0.0.1:{port}/", settings)
    assert outcome.check.status is Status.TIMEOUT
    assert "waiting for data" in outcome.check.reason


async def test_trickling_body_hits_the_total_deadline(raw_server) -> None:
    sent: list[int] = []

    async def trickle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n")
        try:
            for _ in range(1000):  # one byte every 50 ms: each read is fast, the whole is not
                writer.write(b"x")
                await writer.drain()
                sent.append(1)
                await asyncio.sleep(0.05)
        except ConnectionError:
            pass
        finally:
            writer.close()

    port = await raw_server(trickle)
    # 50 s of body against a 2 s deadline: the server, not the machine's speed, decides.
    settings = LOCAL.with_changes(read_timeout=60.0, timeout=2.0)
    outcome = await check(f"http://127.0.0.1:{port}/", settings)
    assert outcome.check.status is Status.TIMEOUT
    assert "total deadline" in outcome.check.reason
    assert 0 < len(sent) < 1000  # the body had started, and was not waited for to the end


# --- TLS ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls_server() -> Iterator[HTTPServer]:
    ca = trustme.CA()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("localhost", "127.0.0.1").configure_cert(context)
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    server.expect_request("/").respond_with_data("<title>geheim</title>", content_type="text/html")
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


async def test_untrusted_certificate_is_tls_error(tls_server: HTTPServer) -> None:
    outcome = await check(f"https://127.0.0.1:{tls_server.port}/", LOCAL.with_changes(retries=2))
    assert outcome.check.status is Status.TLS_ERROR
    assert "certificate" in outcome.check.reason
    assert outcome.check.attempts == 1  # TLS errors are not retried


async def test_insecure_skips_certificate_verification(tls_server: HTTPServer) -> None:
    url = f"https://127.0.0.1:{tls_server.port}/"
    outcome = await check(url, LOCAL.with_changes(insecure=True))
    assert outcome.check.status is Status.OK
    assert outcome.check.page_title == "geheim"


# --- the network backend on its own ---------------------------------------------------------------


class RecordingBackend(httpcore.AsyncNetworkBackend):
    """Stands in for the real backend: records where it was asked to connect."""

    def __init__(self) -> None:
        self.hosts: list[str] = []

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):  # noqa: ASYNC109
        self.hosts.append(host)
        raise httpcore.ConnectError("recorded")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "2130706433", "0x7f.1", "::ffff:127.0.0.1", "localhost"]
)
async def test_backend_refuses_before_connecting(host: str) -> None:
    inner = RecordingBackend()
    backend = PolicyNetworkBackend(AddressPolicy(), inner)
    with pytest.raises(AddressRefused, match="loopback"):
        await backend.connect_tcp(host, 80)
    assert inner.hosts == []


async def test_backend_connects_to_the_checked_ip_not_the_name() -> None:
    # Connecting by IP leaves no second DNS lookup that could answer differently (rebinding).
    inner = RecordingBackend()
    backend = PolicyNetworkBackend(AddressPolicy(allow_private=True), inner)
    with pytest.raises(httpcore.ConnectError, match="recorded"):
        await backend.connect_tcp("localhost", 80)
    assert inner.hosts
    assert all(literal_address(host) is not None for host in inner.hosts)
    assert all(literal_address(host).is_loopback for host in inner.hosts)


async def test_backend_reports_dns_failure() -> None:
    backend = PolicyNetworkBackend(AddressPolicy(), RecordingBackend())
    with pytest.raises(DNSLookupError, match=r"DNS lookup failed for nothing\.invalid"):
        await backend.connect_tcp("nothing.invalid", 80)


@pytest.mark.parametrize(
    ("code", "temporary"),
    [(socket.EAI_AGAIN, True), (socket.EAI_FAIL, True), (socket.EAI_NONAME, False)],
)
async def test_resolver_failures_are_told_apart_from_unknown_names(
    code: int, temporary: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from srccheck.fetch.policy import AddressPolicy, PolicyNetworkBackend

    async def failing(*args: object, **kwargs: object) -> list[object]:
        raise socket.gaierror(code, "resolver says no")

    backend = PolicyNetworkBackend(AddressPolicy.from_settings(Settings()))
    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", failing)
    with pytest.raises(DNSLookupError) as raised:
        await backend.connect_tcp("www.faz.net", 443)
    assert raised.value.temporary is temporary
