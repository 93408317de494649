"""The aiohttp exchange (srccheck.fetch.transport): the address policy at resolve and
connect time, bounded decoding, aiohttp's errors as httpx's.

Imported on a run's first request only (srccheck.fetch.transport.DeferredExchange):
a re-run served entirely from the cache never loads aiohttp.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import socket
import ssl
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from http.cookies import Morsel
from typing import TYPE_CHECKING, Any

import aiohttp
import httpcore
import httpx
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from srccheck.fetch.decoding import bounded_decoders, decoded_chunks, undecodable_coding
from srccheck.fetch.policy import (
    AddressPolicy,
    AddressRefused,
    DNSLookupError,
    IPAddress,
    literal_address,
    lookup_errors,
)
from srccheck.fetch.transport import Reply

if TYPE_CHECKING:
    from srccheck.settings import Settings

__all__ = ["AiohttpExchange", "PolicyConnector", "PolicyResolver"]


# --- aiohttp ---------------------------------------------------------------------------


async def _system_resolve(host: str, port: int) -> list[IPAddress]:
    """Every address of ``host`` (resolver order, deduplicated) from ``socket.getaddrinfo``.

    Run in a thread, as asyncio does, on any event loop: uvloop's own resolver
    would bypass the system's (and the tests' stand-in for it).
    """
    loop = asyncio.get_running_loop()
    lookup = functools.partial(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    infos = await loop.run_in_executor(None, lookup)
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        # sockaddr[0] of IPv6 may carry a scope id ("fe80::1%eth0"); drop it.
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if ip not in addresses:
            addresses.append(ip)
    return addresses


Lookup = Callable[[str, int], Any]  # async (host, port) -> list[IPAddress]


class PolicyResolver(AbstractResolver):
    """aiohttp resolver: looks a name up once, refuses it if any address is refused.

    The connector connects to the returned IPs only, so the address checked is
    the address connected to. Failures raise :class:`DNSLookupError` (a
    ``temporary`` one when the resolver itself failed), refusals
    :class:`AddressRefused`; a lookup slower than ``timeout`` raises
    ``httpx.ConnectTimeout``.
    """

    def __init__(
        self, policy: AddressPolicy, *, timeout: float | None, lookup: Lookup = _system_resolve
    ) -> None:
        self._policy = policy
        self._timeout = timeout
        self._lookup = lookup

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        with lookup_errors(host, httpx.ConnectTimeout):
            async with asyncio.timeout(self._timeout):
                addresses = await self._lookup(host, port)
        if not addresses:
            raise DNSLookupError(f"DNS lookup failed for {host}: no addresses")
        for ip in addresses:
            if (reason := self._policy.refusal(host, ip)) is not None:
                raise AddressRefused(reason)
        return [
            ResolveResult(
                hostname=host,
                host=str(ip),
                port=port,
                family=socket.AF_INET6 if ip.version == 6 else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for ip in addresses
        ]

    async def close(self) -> None:
        pass


class PolicyConnector(aiohttp.TCPConnector):
    """A TCP connector that checks the connected peer before a request uses a connection.

    The resolver already refused names with a refused address; this also
    covers an IP literal and any way around the resolver: the address the
    socket is actually connected to must pass the policy for the URL's host.
    """

    def __init__(self, policy: AddressPolicy, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._policy = policy

    async def connect(self, req: Any, traces: Any, timeout: Any) -> Any:  # noqa: ASYNC109
        connection = await super().connect(req, traces, timeout)
        if self._policy.allow_private:
            return connection
        transport = connection.transport
        peer = transport.get_extra_info("peername") if transport is not None else None
        reason = "refused: the connection has no peer address"
        if peer:
            ip = ipaddress.ip_address(str(peer[0]).split("%", 1)[0])
            reason = self._policy.refusal(req.url.raw_host or "", ip)
        if reason is not None:
            connection.close()
            raise AddressRefused(reason)
        return connection


def _ssl_context(settings: Settings) -> ssl.SSLContext:
    """certifi's store unless ``insecure`` (as the httpx transport); ALPN HTTP/1.1 only."""
    context = httpx.create_ssl_context(verify=not settings.insecure, trust_env=False)
    context.set_alpn_protocols(["http/1.1"])
    return context


@contextmanager
def _translated() -> Iterator[None]:
    """aiohttp's exceptions as httpx's (most specific first), the original as the cause."""
    try:
        yield
    except aiohttp.ClientConnectorCertificateError as exc:
        raise httpx.ConnectError(str(exc.certificate_error)) from exc.certificate_error
    except aiohttp.ClientSSLError as exc:
        cause = exc.__cause__ or exc
        raise httpx.ConnectError(str(cause)) from cause
    except aiohttp.ConnectionTimeoutError as exc:
        raise httpx.ConnectTimeout(str(exc)) from exc
    except aiohttp.ServerTimeoutError as exc:  # SocketTimeoutError: no data within read_timeout
        raise httpx.ReadTimeout(str(exc)) from exc
    except aiohttp.ClientConnectorError as exc:  # refused, unreachable, DNS (OSError inside)
        raise httpx.ConnectError(str(exc)) from exc
    except aiohttp.InvalidURL as exc:
        raise httpx.UnsupportedProtocol(str(exc)) from exc
    except aiohttp.ClientPayloadError as exc:
        cause: BaseException = exc
        if "ConnectionResetError" in str(exc):  # aiohttp names the reset in its message only
            cause = ConnectionResetError(str(exc))
            cause.__cause__ = exc
        raise httpx.RemoteProtocolError(str(exc)) from cause
    except aiohttp.ServerDisconnectedError as exc:
        raise httpx.RemoteProtocolError(str(exc) or type(exc).__name__) from exc
    except aiohttp.ClientResponseError as exc:  # malformed status line or headers
        raise httpx.RemoteProtocolError(exc.message or type(exc).__name__) from exc
    except aiohttp.ClientError as exc:
        raise httpx.TransportError(str(exc) or type(exc).__name__) from exc
    except httpcore.ConnectError as exc:  # the resolver's and connector's refusals
        raise httpx.ConnectError(str(exc)) from exc


async def _body(response: aiohttp.ClientResponse) -> AsyncIterator[bytes]:
    with _translated():
        async for chunk in response.content.iter_any():
            yield chunk


#: Longest status line or header field accepted (h11's limit for a whole head is 16 KiB).
_MAX_HEADER_LINE = 16 * 1024


class HostOnlyCookieJar(aiohttp.CookieJar):
    """A cookie jar that sends a cookie back only to the host that set it.

    aiohttp's jar honours a ``Domain`` attribute without a public-suffix check, so a
    cited ``evil.com`` page could set ``Domain=com`` and have the cookie sent to every
    other ``.com`` source of the run. srccheck needs cookies only to get through a
    site's own redirects (consent and bot checks), so the attribute is dropped: every
    cookie is host-only.
    """

    def update_cookies(self, cookies: Any, response_url: URL = URL()) -> None:  # noqa: B008
        items = cookies.items() if hasattr(cookies, "items") else cookies
        host_only: list[tuple[str, Any]] = []
        for name, value in items:
            if isinstance(value, Morsel) and value.get("domain"):
                value = value.copy()
                value["domain"] = ""
            host_only.append((name, value))
        super().update_cookies(host_only, response_url)


class AiohttpExchange:
    """Requests through one aiohttp session under the address policy (module docstring).

    The Fetcher's host limits cap the requests in flight, so the connector sets
    no limit of its own; idle keep-alive connections close after aiohttp's
    ``keepalive_timeout``.
    """

    def __init__(self, settings: Settings, headers: Mapping[str, str]) -> None:
        policy = AddressPolicy.from_settings(settings)
        connector = PolicyConnector(
            policy,
            resolver=PolicyResolver(policy, timeout=settings.connect_timeout),
            ssl=_ssl_context(settings),
            limit=0,
            limit_per_host=0,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            headers=dict(headers),
            auto_decompress=False,  # srccheck.fetch.decoding decodes, with bounds
            timeout=aiohttp.ClientTimeout(
                total=None,  # the Fetcher's total deadline
                sock_connect=settings.connect_timeout,
                sock_read=settings.read_timeout,
            ),
            trust_env=False,
            cookie_jar=HostOnlyCookieJar(),
            # As long as httpx (h11) accepts: large Set-Cookie or CSP headers are common.
            max_line_size=_MAX_HEADER_LINE,
            max_field_size=_MAX_HEADER_LINE,
        )

    def open(self) -> None:
        """The session is open from the start."""

    @asynccontextmanager
    async def get(self, url: httpx.URL, headers: Mapping[str, str] | None) -> AsyncIterator[Reply]:
        target = URL(str(url), encoded=True)  # httpx has normalised and quoted it
        ip = literal_address(url.host)
        if ip is not None and str(ip) != url.host:
            # A legacy numeric form (2130706433, 0x7f.1) that aiohttp refuses to parse: the
            # same address, written canonically; the Host header keeps the URL's form.
            headers = {**(headers or {}), "Host": url.netloc.decode("ascii")}
            target = target.with_host(str(ip))
        if url.userinfo and headers and any(k.lower() == "authorization" for k in headers):
            # The URL's own credentials win, as with httpx (aiohttp refuses both at once).
            headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
        with _translated():
            get = self._session.get(target, headers=headers, allow_redirects=False)
            async with get as response:
                coding = response.headers.get("Content-Encoding")
                decoders = bounded_decoders(coding)
                raw = _body(response)
                yield Reply(
                    status_code=response.status,
                    reason_phrase=response.reason or "",
                    headers=response.headers,
                    set_cookies=tuple(response.headers.getall("Set-Cookie", ())),
                    undecoded=undecodable_coding(coding),
                    body=decoded_chunks(raw, decoders) if decoders else raw,
                )

    async def aclose(self) -> None:
        await self._session.close()
