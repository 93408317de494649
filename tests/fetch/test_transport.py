"""The aiohttp exchange under the Fetcher: the address policy at resolve and connect time,
cookies per host, links-only cache entries without page text; real servers on 127.0.0.1."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

import aiohttp
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from srccheck.fetch.aio import AiohttpExchange, PolicyConnector, PolicyResolver
from srccheck.fetch.cache import Cache, CacheKind
from srccheck.fetch.client import Fetcher, link_cache_key
from srccheck.fetch.policy import AddressPolicy, AddressRefused, DNSLookupError
from srccheck.fetch.transport import DeferredExchange, HttpxExchange
from srccheck.settings import Settings, Transport
from srccheck.status import Status

LOCAL = Settings(allow_private=True, retries=0, timeout=60.0, soft404_probe=False)


def answering(*answers: list[str]):
    """A lookup that gives the next list of addresses on each call, recording the names."""
    calls: list[str] = []
    pending = iter(answers)

    async def lookup(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
        calls.append(host)
        return [ipaddress.ip_address(ip) for ip in next(pending)]

    return lookup, calls


# --- the resolver ---------------------------------------------------------------------------------


async def test_resolver_refuses_a_name_with_any_private_address() -> None:
    lookup, _ = answering(["93.184.216.34", "10.0.0.7"])
    resolver = PolicyResolver(AddressPolicy(), timeout=5, lookup=lookup)
    with pytest.raises(AddressRefused, match=r"intern\.example resolves to 10\.0\.0\.7"):
        await resolver.resolve("intern.example", 80)


async def test_resolver_hands_the_connector_the_checked_addresses_only() -> None:
    # DNS rebinding: the second answer points elsewhere, and is checked again.
    lookup, calls = answering(["93.184.216.34"], ["127.0.0.1"])
    resolver = PolicyResolver(AddressPolicy(), timeout=5, lookup=lookup)
    first = await resolver.resolve("rebind.example", 80)
    assert [(r["host"], r["flags"]) for r in first] == [("93.184.216.34", socket.AI_NUMERICHOST)]
    with pytest.raises(AddressRefused, match="loopback"):
        await resolver.resolve("rebind.example", 80)
    assert calls == ["rebind.example", "rebind.example"]


async def test_resolver_lifts_the_rule_for_allowed_hosts() -> None:
    lookup, _ = answering(["127.0.0.1"])
    resolver = PolicyResolver(AddressPolicy.of(["localhost"]), timeout=5, lookup=lookup)
    assert [r["host"] for r in await resolver.resolve("localhost", 80)] == ["127.0.0.1"]


@pytest.mark.parametrize(
    ("code", "temporary"), [(socket.EAI_AGAIN, True), (socket.EAI_NONAME, False)]
)
async def test_resolver_failures_are_dns_errors(code: int, temporary: bool) -> None:
    async def failing(host: str, port: int) -> list[object]:
        raise socket.gaierror(code, "resolver says no")

    resolver = PolicyResolver(AddressPolicy(), timeout=5, lookup=failing)
    with pytest.raises(DNSLookupError) as raised:
        await resolver.resolve("www.faz.net", 443)
    assert raised.value.temporary is temporary


# --- the connector ----------------------------------------------------------------------------


class _LyingResolver(aiohttp.abc.AbstractResolver):
    """Answers 127.0.0.1 for every name without asking the policy (a resolver gone wrong)."""

    async def resolve(self, host, port=0, family=socket.AF_INET):  # type: ignore[no-untyped-def]
        return [
            {"hostname": host, "host": "127.0.0.1", "port": port, "family": socket.AF_INET,
             "proto": 0, "flags": socket.AI_NUMERICHOST}
        ]  # fmt: skip

    async def close(self) -> None:
        pass


async def test_connector_checks_the_connected_peer_before_sending(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/secret").respond_with_data("secret")
    connector = PolicyConnector(AddressPolicy(), resolver=_LyingResolver())
    async with aiohttp.ClientSession(connector=connector) as session:
        with pytest.raises(AddressRefused, match=r"public\.example resolves to 127\.0\.0\.1"):
            await session.get(f"http://public.example:{httpserver.port}/secret")
    assert httpserver.log == []  # connected, refused, and no request was sent


# --- the Fetcher on aiohttp ------------------------------------------------------------------


async def test_the_default_transport_is_aiohttp_and_httpx_is_an_option(
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request("/").respond_with_data("ok")
    async with Fetcher(LOCAL) as fetcher:
        assert isinstance(fetcher._http, DeferredExchange)
        assert fetcher._http._exchange is None  # nothing opened before the first request
        assert (await fetcher.check(httpserver.url_for("/"))).check.status is Status.OK
        assert isinstance(fetcher._http._exchange, AiohttpExchange)
    async with Fetcher(Settings(transport=Transport.HTTPX)) as fetcher:
        assert isinstance(fetcher._http, HttpxExchange)


async def test_cookies_are_sent_back_to_their_host_only(httpserver: HTTPServer) -> None:
    seen: list[tuple[str, str | None]] = []

    def handler(request: Request) -> Response:
        seen.append((request.host.split(":")[0], request.headers.get("Cookie")))
        if request.path == "/set":
            return Response("", status=302, headers={"Set-Cookie": "sid=42; Path=/",
                                                     "Location": "/back"})  # fmt: skip
        return Response("<title>ok</title>", content_type="text/html")

    httpserver.expect_request("/set").respond_with_handler(handler)
    httpserver.expect_request("/back").respond_with_handler(handler)
    httpserver.expect_request("/other").respond_with_handler(handler)
    async with Fetcher(LOCAL) as fetcher:
        first = await fetcher.check(f"http://localhost:{httpserver.port}/set")
        other = await fetcher.check(f"http://127.0.0.1:{httpserver.port}/other")
    assert first.check.status is Status.REDIRECTED
    assert other.check.status is Status.OK
    assert seen == [("localhost", None), ("localhost", "sid=42"), ("127.0.0.1", None)]


async def test_links_only_runs_store_no_page_text_and_a_reading_run_fetches_it(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    page = "<html><title>Bericht</title><p>Der Bundestag hat beschlossen.</p></html>"
    httpserver.expect_request("/a").respond_with_data(page, content_type="text/html")
    url = httpserver.url_for("/a")
    with Cache(tmp_path / "cache.sqlite3") as cache:
        async with Fetcher(LOCAL, cache=cache, keep_pages=False) as links_only:
            assert (await links_only.check(url)).check.status is Status.OK
        entry = cache.get(CacheKind.LINK, link_cache_key(url, AddressPolicy.from_settings(LOCAL)))
        assert entry is not None
        assert entry.body is None
        async with Fetcher(LOCAL, cache=cache, keep_pages=False) as again:
            assert (await again.check(url)).check.from_cache is True
        assert len(httpserver.log) == 1  # fresh: no request
        async with Fetcher(LOCAL, cache=cache) as reading:
            outcome = await reading.check(url)
        assert len(httpserver.log) == 2  # the text was not stored: fetched again
        assert outcome.page is not None
        assert outcome.page.text == page
        async with Fetcher(LOCAL, cache=cache) as warm:
            reused = await warm.check(url)
        assert len(httpserver.log) == 2
        assert reused.check.from_cache is True
        assert reused.page is not None
        assert reused.page.text == page


async def test_long_header_fields_are_read_as_httpx_reads_them(httpserver: HTTPServer) -> None:
    policy = "default-src 'self'; " + "; ".join(f"img-src s{i}.example" for i in range(600))
    assert 8 * 1024 < len(policy) < 15 * 1024  # longer than aiohttp's default field limit
    httpserver.expect_request("/").respond_with_data(
        "<title>ok</title>", content_type="text/html", headers={"Content-Security-Policy": policy}
    )
    async with Fetcher(LOCAL) as fetcher:
        outcome = await fetcher.check(httpserver.url_for("/"))
    assert outcome.check.status is Status.OK
    assert outcome.check.page_title == "ok"
