"""Network safety: which addresses srccheck may connect to (SSRF protection).

Articles are untrusted input, so by default no request may reach a loopback,
private, link-local, multicast, reserved or unspecified address, in IPv4 or
IPv6 (IPv4 addresses embedded in IPv6 — ``::ffff:127.0.0.1``, 6to4, NAT64 —
are judged by the embedded address).

The rule is applied to the address that is actually connected to: the
:class:`PolicyNetworkBackend` below sits under httpcore (httpx's engine),
resolves each host name once, checks *every* resolved address and then
connects to the checked IP itself, so there is no window in which a second
DNS answer could point elsewhere (DNS rebinding). Because httpcore opens a
connection for every origin, each redirect hop is checked as well. TLS still
verifies the URL's host name: httpcore passes it to ``start_tls`` separately.

``allow_private`` lifts the rule; ``allow_hosts`` lifts it for the listed
host names and IP networks only.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import re
import select
import socket
import ssl
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import httpcore
import httpx

from srccheck.fetch.decoding import BoundedDecodingTransport
from srccheck.fetch.pools import OriginPools

if TYPE_CHECKING:
    from srccheck.settings import Settings

__all__ = [
    "AddressPolicy",
    "AddressRefused",
    "DNSLookupError",
    "IPAddress",
    "PolicyNetworkBackend",
    "SocketCachingStream",
    "build_transport",
    "is_public_address",
    "literal_address",
    "lookup_errors",
    "non_public_kind",
    "socket_readable",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_SHARED = ipaddress.IPv4Network("100.64.0.0/10")  # carrier-grade NAT, RFC 6598
_PRIVATE = (
    ipaddress.IPv4Network("10.0.0.0/8"),
    ipaddress.IPv4Network("172.16.0.0/12"),
    ipaddress.IPv4Network("192.168.0.0/16"),
    ipaddress.IPv6Network("fc00::/7"),
)
# The legacy numeric forms inet_aton (and so getaddrinfo) accepts: 2130706433, 0x7f.1, 017.1 …
_NUMERIC_HOST = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}$", re.I)


class AddressRefused(httpcore.ConnectError):
    """The policy refused the address; ``str()`` is the human-readable reason.

    A subclass of ``httpcore.ConnectError`` so that httpx maps it to
    ``httpx.ConnectError`` (keeping this exception as ``__cause__``).
    """


class DNSLookupError(httpcore.ConnectError):
    """The host name could not be resolved; ``str()`` is the human-readable reason.

    ``temporary`` is true when the resolver itself failed (EAI_AGAIN, EAI_FAIL):
    that says nothing about the name, so it is a transient connection problem,
    not a ``dns_error`` verdict on the cited site.
    """

    def __init__(self, message: str, *, temporary: bool = False) -> None:
        super().__init__(message)
        self.temporary = temporary


#: Resolver failures that say nothing about the name itself.
_TEMPORARY_GAI_ERRORS = frozenset(
    code for code in (getattr(socket, "EAI_AGAIN", None), getattr(socket, "EAI_FAIL", None)) if code
)


@contextlib.contextmanager
def lookup_errors(host: str, timeout_error: type[Exception]) -> Iterator[None]:
    """Resolver failures as srccheck's errors, the one translation both transports use.

    A timeout → ``timeout_error`` (the transport's connect timeout); a resolver
    error → :class:`DNSLookupError`, ``temporary`` for failures that say nothing
    about the name (EAI_AGAIN, EAI_FAIL); a name that cannot be encoded → a
    :class:`DNSLookupError` saying so.
    """
    try:
        yield
    except TimeoutError as exc:
        raise timeout_error(f"DNS lookup for {host} timed out") from exc
    except socket.gaierror as exc:
        temporary = exc.errno in _TEMPORARY_GAI_ERRORS
        raise DNSLookupError(
            f"DNS lookup failed for {host}: {exc.strerror}", temporary=temporary
        ) from exc
    except UnicodeError as exc:
        raise DNSLookupError(f"DNS lookup failed for {host}: invalid host name") from exc


def _embedded_ipv4(ip: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 address stands for (mapped, 6to4, NAT64), else ``ip``."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip in _NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def non_public_kind(ip: IPAddress) -> str | None:
    """Why ``ip`` is not a public internet address ("a loopback address" …), or ``None``.

    Rule: the address (or the IPv4 address embedded in it) must be globally
    routable (``ipaddress``'s ``is_global``) and not multicast — multicast has
    to be checked apart because ``ff0e::/16`` counts as global.
    """
    ip = _embedded_ipv4(ip)
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if any(ip in net for net in _PRIVATE if net.version == ip.version):
        return "a private address"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED:
        return "a carrier-grade NAT address"
    if ip.is_reserved:
        return "a reserved address"
    if not ip.is_global:
        return "a special-purpose (non-public) address"
    return None


def is_public_address(ip: IPAddress) -> bool:
    """True when ``ip`` is a public internet address that may be fetched by default."""
    return non_public_kind(ip) is None


def literal_address(host: str) -> IPAddress | None:
    """The IP address ``host`` denotes literally, or ``None`` for a host name.

    Accepts what the resolver would accept as a number, so ``2130706433``,
    ``0x7f.1`` and ``127.1`` are all recognised as 127.0.0.1 before any
    connection is made. IPv6 may be given with or without brackets.
    """
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _NUMERIC_HOST.match(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _host_key(host: str) -> str:
    return host.strip("[]").rstrip(".").lower()


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Which (host, address) pairs may be connected to; no I/O, tested against tables."""

    allow_private: bool = False
    allowed_hosts: frozenset[str] = frozenset()
    allowed_networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings) -> AddressPolicy:
        """Split ``settings.allow_hosts`` into host names and IP networks (CIDR or single IP)."""
        return cls.of(settings.allow_hosts, allow_private=settings.allow_private)

    @classmethod
    def of(cls, allow_hosts: Iterable[str] = (), *, allow_private: bool = False) -> AddressPolicy:
        names: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in allow_hosts:
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                names.add(_host_key(entry))
        return cls(allow_private, frozenset(names), tuple(networks))

    @property
    def scope(self) -> str:
        """What this policy allows beyond public addresses, as a stable string ("" for none).

        Results checked under one policy are not served from the cache under another: a
        page fetched with ``--allow-private`` must not come back as ``ok`` in a run that
        would refuse its address.
        """
        if self.allow_private:
            return "allow-private"
        allowed = sorted(self.allowed_hosts) + sorted(str(net) for net in self.allowed_networks)
        return f"allow={','.join(allowed)}" if allowed else ""

    def refusal(self, host: str, ip: IPAddress) -> str | None:
        """The reason to refuse connecting to ``ip`` for ``host``, or ``None`` to allow it."""
        if self.allow_private or _host_key(host) in self.allowed_hosts:
            return None
        if any(ip in net for net in self.allowed_networks if net.version == ip.version):
            return None
        kind = non_public_kind(ip)
        if kind is None:
            return None
        if literal_address(host) is not None:
            written = _host_key(host)
            shown = written if written == str(ip) else f"{written} ({_embedded_ipv4(ip)})"
            return f"refused: {shown} is {kind}; use --allow-private to allow"
        return (
            f"refused: {_host_key(host)} resolves to {ip}, {kind}; "
            f"use --allow-private or --allow-host {_host_key(host)} to allow"
        )

    def literal_refusal(self, host: str) -> str | None:
        """Refusal for a URL whose host is an IP literal, checked before any connection."""
        ip = literal_address(host)
        return None if ip is None else self.refusal(host, ip)


class _Socket(Protocol):
    """What the readability check needs of a socket (asyncio hands out ``TransportSocket``)."""

    def fileno(self) -> int: ...


def socket_readable(sock: _Socket | None) -> bool:
    """True when a read on ``sock`` would not block: data, or the peer's close, is waiting.

    An idle keep-alive connection that is readable was closed (or spoken to
    out of turn) by the server, so httpcore discards it. A missing or closed
    socket counts as readable, like httpcore's own check. ``poll`` with a zero
    timeout never waits; ``select`` is the fallback where ``poll`` is missing.
    """
    fd = -1 if sock is None else sock.fileno()
    if fd < 0:
        return True
    if not hasattr(select, "poll"):  # pragma: no cover - Windows
        return bool(select.select([fd], [], [], 0)[0])
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


class SocketCachingStream(httpcore.AsyncNetworkStream):
    """A network stream that answers httpcore's ``is_readable`` question cheaply.

    httpcore's pool asks every idle connection ``get_extra_info("is_readable")``
    each time it assigns a request. Its anyio stream answers through anyio's
    ``extra()``, whose ``extra_attributes`` calls ``getpeername()`` and builds a
    dict of attributes on every call, which showed as a large share of a run's
    CPU. The raw socket never changes for the life of a stream, so it is looked
    up once here; everything else is delegated unchanged. ``start_tls`` returns
    a new stream (over the same socket), wrapped the same way.
    """

    def __init__(self, stream: httpcore.AsyncNetworkStream) -> None:
        self._stream = stream
        self._socket: _Socket | None = stream.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109
        return await self._stream.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109
        await self._stream.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._stream.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
    ) -> httpcore.AsyncNetworkStream:
        return SocketCachingStream(
            await self._stream.start_tls(ssl_context, server_hostname, timeout)
        )

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable" and self._socket is not None:
            return socket_readable(self._socket)
        if info == "socket" and self._socket is not None:
            return self._socket
        return self._stream.get_extra_info(info)


class PolicyNetworkBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that resolves, checks and connects to the checked IP.

    Refusals raise :class:`AddressRefused`, resolver failures
    :class:`DNSLookupError`; both are ``httpcore.ConnectError`` subclasses and
    are never retried by httpcore (its connection retries are 0).
    """

    def __init__(
        self, policy: AddressPolicy, backend: httpcore.AsyncNetworkBackend | None = None
    ) -> None:
        self._policy = policy
        self._backend = backend or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._resolve(host, port, timeout)
        for ip in addresses:
            if (reason := self._policy.refusal(host, ip)) is not None:
                raise AddressRefused(reason)
        last_error: httpcore.ConnectError | None = None
        for ip in addresses:  # in resolver order, like the default backend
            try:
                stream = await self._backend.connect_tcp(
                    str(ip), port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:
                last_error = exc
            else:
                return SocketCachingStream(stream)
        assert last_error is not None  # _resolve never returns an empty list
        raise last_error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise AddressRefused(f"refused: unix socket {path}")

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)

    async def _resolve(self, host: str, port: int, seconds: float | None) -> list[IPAddress]:
        """Resolve once; every address is returned (deduplicated, resolver order)."""
        literal = literal_address(host)
        if literal is not None:
            return [literal]
        loop = asyncio.get_running_loop()
        with lookup_errors(host, httpcore.ConnectTimeout):
            async with asyncio.timeout(seconds):
                infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        addresses: list[IPAddress] = []
        for _family, _type, _proto, _name, sockaddr in infos:
            # sockaddr[0] of IPv6 may carry a scope id ("fe80::1%eth0"); drop it.
            ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
            if ip not in addresses:
                addresses.append(ip)
        if not addresses:
            raise DNSLookupError(f"DNS lookup failed for {host}: no addresses")
        return addresses


#: Origins whose idle keep-alive connections are kept (at least ``concurrency`` of them);
#: the least recently used origin's pool is closed beyond that (srccheck.fetch.pools).
IDLE_ORIGIN_POOLS = 64


def _install_pool(transport: httpx.AsyncHTTPTransport, pool: OriginPools) -> None:
    """Give ``transport`` our connection pool.

    httpx 0.28 offers no public way to pass a network backend, so this is the
    one place that touches a private attribute (``_pool``); the guard makes a
    changed httpx fail loudly here instead of silently skipping the policy.
    """
    if not isinstance(getattr(transport, "_pool", None), httpcore.AsyncConnectionPool):
        raise RuntimeError("httpx.AsyncHTTPTransport no longer keeps its pool in '_pool'")
    transport._pool = pool


def build_transport(settings: Settings) -> httpx.AsyncHTTPTransport:
    """The transport of a run: HTTP/1.1 (+ HTTP/2), TLS verification, the address policy.

    Certificates are verified against certifi's store unless ``settings.insecure``.
    Environment proxies are not used: a proxy would resolve names itself and
    bypass the address policy.
    """
    ssl_context = httpx.create_ssl_context(verify=not settings.insecure, trust_env=False)
    # HostLimits already caps requests in flight (globally and per host), so each origin's
    # pool never needs more than ``per_host`` connections; keeping them alive avoids
    # reconnecting for the next URL of the same site (see srccheck.fetch.pools).
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=settings.per_host)
    # Bodies are decoded with bounded memory (decompression bombs): srccheck.fetch.decoding.
    transport = BoundedDecodingTransport(
        verify=ssl_context, http1=True, http2=settings.http2, limits=limits, trust_env=False
    )
    backend = PolicyNetworkBackend(AddressPolicy.from_settings(settings))

    def new_pool() -> httpcore.AsyncConnectionPool:
        return httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=settings.http2,
            network_backend=backend,
        )

    pool = OriginPools(new_pool, max_idle_pools=max(settings.concurrency, IDLE_ORIGIN_POOLS))
    _install_pool(transport, pool)
    return transport
