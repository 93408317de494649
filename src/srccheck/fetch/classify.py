"""Turning answers and failures into a :class:`~srccheck.status.Status` and a reason.

Two pure rules, each tested against a table:

* :func:`classify_response` — the rule for an HTTP status code (the final
  answer after redirects);
* :func:`classify_exception` — the rule for a failed request. Like httpx's
  ``map_httpcore_exceptions`` the most specific cause wins; the whole
  ``__cause__``/``__context__`` chain is searched because httpx wraps the
  httpcore error, which wraps the ``OSError`` or ``ssl.SSLError``.

Rules that look at the page itself (a bot wall → ``blocked``, a "not found"
page answered with 200 → ``soft_404``) refine the verdict of
:func:`classify_response` later; they need the body and belong in their own
function next to it, not in the status-code table.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from http import HTTPStatus
from typing import TypeVar

import httpcore
import httpx

from srccheck.fetch.policy import AddressRefused, DNSLookupError
from srccheck.status import Status

__all__ = ["Verdict", "classify_exception", "classify_response", "describe_code"]


_PHRASES = {status.value: status.phrase for status in HTTPStatus}


@dataclass(frozen=True, slots=True)
class Verdict:
    """A status with its human-readable reason and, for failures, the low-level error."""

    status: Status
    reason: str
    error: str | None = None


def describe_code(code: int, phrase: str = "") -> str:
    """``"HTTP 404 Not Found"``; the server's reason phrase is used when the code is unknown."""
    return f"HTTP {code} {_PHRASES.get(code, phrase)}".rstrip()


def classify_response(code: int, *, redirects: int = 0, phrase: str = "") -> Verdict:
    """The status of a final HTTP answer.

    2xx → ``ok`` (``redirected`` after at least one redirect); 404 →
    ``not_found``; 410 → ``gone``; every other code → ``http_error`` with the
    code in the reason. A 3xx reaches this rule only when it cannot be
    followed (no ``Location``), so it is an error as well.
    """
    described = describe_code(code, phrase)
    if 200 <= code < 300:
        if redirects:
            plural = "s" if redirects > 1 else ""
            return Verdict(Status.REDIRECTED, f"{described} after {redirects} redirect{plural}")
        return Verdict(Status.OK, described)
    if code == 404:
        return Verdict(Status.NOT_FOUND, described)
    if code == 410:
        return Verdict(Status.GONE, described)
    if 300 <= code < 400:
        return Verdict(Status.HTTP_ERROR, f"{described} without a usable Location header")
    return Verdict(Status.HTTP_ERROR, described)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and its causes, outermost first (cycles are cut)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


_E = TypeVar("_E", bound=BaseException)


def _find(exc: BaseException, kind: type[_E] | tuple[type[_E], ...]) -> _E | None:
    return next((e for e in _chain(exc) if isinstance(e, kind)), None)


def _tls_reason(host: str, err: ssl.SSLError) -> str:
    detail = getattr(err, "verify_message", None) or err.reason or str(err)
    return f"TLS handshake with {host} failed: {detail}"


def _timeout_reason(host: str, exc: BaseException) -> str:
    if _find(exc, (httpx.ConnectTimeout, httpcore.ConnectTimeout)):
        return f"timed out connecting to {host}"
    if _find(exc, (httpx.ReadTimeout, httpcore.ReadTimeout)):
        return f"timed out waiting for data from {host}"
    if _find(exc, (httpx.WriteTimeout, httpcore.WriteTimeout)):
        return f"timed out sending the request to {host}"
    if _find(exc, (httpx.PoolTimeout, httpcore.PoolTimeout)):
        return f"timed out waiting for a free connection to {host}"
    return f"no complete answer from {host} within the total deadline"


def classify_exception(exc: Exception, *, host: str) -> Verdict:
    """The status of a request that failed with ``exc`` (an httpx error or ``OSError``).

    Most specific first: policy refusal → ``blocked_by_policy``; resolver
    failure → ``dns_error``; any timeout (connect, read, write, pool or the
    total deadline) → ``timeout``; TLS/certificate failure → ``tls_error``;
    too many redirects; an unusable URL → ``invalid``; everything else that
    broke the connection (refused, reset, protocol violation, undecodable
    body) → ``connection_error``.
    """
    error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if refused := _find(exc, AddressRefused):
        return Verdict(Status.BLOCKED_BY_POLICY, str(refused), error)
    if dns := _find(exc, DNSLookupError):
        if dns.temporary:  # the resolver failed, not the name: may pass on a re-run
            return Verdict(Status.CONNECTION_ERROR, f"{dns} (temporary resolver failure)", error)
        return Verdict(Status.DNS_ERROR, str(dns), error)
    if gai := _find(exc, socket.gaierror):
        return Verdict(Status.DNS_ERROR, f"DNS lookup failed for {host}: {gai.strerror}", error)
    if _find(exc, (TimeoutError, httpx.TimeoutException, httpcore.TimeoutException)):
        return Verdict(Status.TIMEOUT, _timeout_reason(host, exc), error)
    if tls := _find(exc, ssl.SSLError):
        return Verdict(Status.TLS_ERROR, _tls_reason(host, tls), error)
    if _find(exc, httpx.TooManyRedirects):
        return Verdict(Status.TOO_MANY_REDIRECTS, "too many redirects", error)
    if _find(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return Verdict(Status.INVALID, f"not a checkable URL: {exc}", error)
    if _find(exc, httpx.DecodingError):
        return Verdict(
            Status.CONNECTION_ERROR, f"the answer from {host} could not be decoded", error
        )
    if _find(exc, ConnectionRefusedError):
        return Verdict(Status.CONNECTION_ERROR, f"connection to {host} refused", error)
    if _find(exc, ConnectionResetError):
        return Verdict(Status.CONNECTION_ERROR, f"connection to {host} reset", error)
    if _find(exc, (httpx.RemoteProtocolError, httpcore.RemoteProtocolError)):
        return Verdict(
            Status.CONNECTION_ERROR, f"{host} broke off or violated the HTTP protocol", error
        )
    detail = f": {exc}" if str(exc) else ""
    if _find(exc, (httpx.ConnectError, httpcore.ConnectError)):
        return Verdict(Status.CONNECTION_ERROR, f"could not connect to {host}{detail}", error)
    return Verdict(Status.CONNECTION_ERROR, f"connection to {host} failed{detail}", error)
