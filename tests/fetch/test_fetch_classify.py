"""Classification rules: HTTP status codes and exceptions to statuses and reasons."""

from __future__ import annotations

import itertools
import socket
import ssl

import httpcore
import httpx
import pytest

from srccheck.fetch.classify import classify_exception, classify_response
from srccheck.fetch.policy import AddressRefused, DNSLookupError
from srccheck.status import Status


@pytest.mark.parametrize(
    ("code", "redirects", "status", "reason"),
    [
        (200, 0, Status.OK, "HTTP 200 OK"),
        (204, 0, Status.OK, "HTTP 204 No Content"),
        (200, 1, Status.REDIRECTED, "HTTP 200 OK after 1 redirect"),
        (200, 3, Status.REDIRECTED, "HTTP 200 OK after 3 redirects"),
        (404, 0, Status.NOT_FOUND, "HTTP 404 Not Found"),
        (404, 2, Status.NOT_FOUND, "HTTP 404 Not Found"),
        (410, 0, Status.GONE, "HTTP 410 Gone"),
        (403, 0, Status.HTTP_ERROR, "HTTP 403 Forbidden"),
        (500, 0, Status.HTTP_ERROR, "HTTP 500 Internal Server Error"),
        (503, 0, Status.HTTP_ERROR, "HTTP 503 Service Unavailable"),
        (302, 0, Status.HTTP_ERROR, "HTTP 302 Found without a usable Location header"),
        (999, 0, Status.HTTP_ERROR, "HTTP 999 Request denied"),
    ],
)
def test_classify_response(code: int, redirects: int, status: Status, reason: str) -> None:
    verdict = classify_response(code, redirects=redirects, phrase="Request denied")
    assert (verdict.status, verdict.reason) == (status, reason)


def wrapped(outer: Exception, *causes: BaseException) -> Exception:
    """``outer`` raised from causes[0], raised from causes[1] … like httpx/httpcore do."""
    chain = [outer, *causes]
    for exc, cause in itertools.pairwise(chain):
        exc.__cause__ = cause
    return outer


def gaierror() -> socket.gaierror:
    return socket.gaierror(socket.EAI_NONAME, "Name or service not known")


def cert_error() -> ssl.SSLCertVerificationError:
    err = ssl.SSLCertVerificationError(1, "certificate verify failed")
    err.verify_message = "certificate has expired"
    return err


@pytest.mark.parametrize(
    ("exc", "status", "reason"),
    [
        (
            wrapped(httpx.ConnectError("x"), DNSLookupError("DNS lookup failed for www.faz.net: "
                                                             "Name or service not known")),
            Status.DNS_ERROR,
            "DNS lookup failed for www.faz.net: Name or service not known",
        ),
        (  # the resolver itself failed (EAI_AGAIN): transient, not a verdict on the name
            wrapped(
                httpx.ConnectError("x"),
                DNSLookupError(
                    "DNS lookup failed for www.faz.net: Temporary failure in name resolution",
                    temporary=True,
                ),
            ),
            Status.CONNECTION_ERROR,
            "DNS lookup failed for www.faz.net: Temporary failure in name resolution "
            "(temporary resolver failure)",
        ),
        (
            wrapped(httpx.ConnectError("x"), httpcore.ConnectError("x"), gaierror()),
            Status.DNS_ERROR,
            "DNS lookup failed for www.faz.net: Name or service not known",
        ),
        (
            wrapped(httpx.ConnectError("x"), AddressRefused("refused: 127.0.0.1 is a loopback")),
            Status.BLOCKED_BY_POLICY,
            "refused: 127.0.0.1 is a loopback",
        ),
        (
            wrapped(httpx.ConnectError("x"), httpcore.ConnectError("x"), cert_error()),
            Status.TLS_ERROR,
            "TLS handshake with www.faz.net failed: certificate has expired",
        ),
        (
            wrapped(httpx.ConnectError("x"), ConnectionRefusedError(111, "refused")),
            Status.CONNECTION_ERROR,
            "connection to www.faz.net refused",
        ),
        (
            wrapped(httpx.ReadError("x"), ConnectionResetError(104, "reset")),
            Status.CONNECTION_ERROR,
            "connection to www.faz.net reset",
        ),
        (
            httpx.RemoteProtocolError("Server disconnected without sending a response."),
            Status.CONNECTION_ERROR,
            "www.faz.net broke off or violated the HTTP protocol",
        ),
        (
            httpx.ConnectError("All connection attempts failed"),
            Status.CONNECTION_ERROR,
            "could not connect to www.faz.net: All connection attempts failed",
        ),
        (httpx.ConnectTimeout(""), Status.TIMEOUT, "timed out connecting to www.faz.net"),
        (httpx.ReadTimeout(""), Status.TIMEOUT, "timed out waiting for data from www.faz.net"),
        (httpx.PoolTimeout(""), Status.TIMEOUT,
         "timed out waiting for a free connection to www.faz.net"),
        (TimeoutError(), Status.TIMEOUT,
         "no complete answer from www.faz.net within the total deadline"),
        (
            # a TLS handshake that times out is a timeout, not a TLS error
            wrapped(httpx.ConnectTimeout("x"), httpcore.ConnectTimeout("x"), TimeoutError()),
            Status.TIMEOUT,
            "timed out connecting to www.faz.net",
        ),
        (httpx.TooManyRedirects("x"), Status.TOO_MANY_REDIRECTS, "too many redirects"),
        (httpx.UnsupportedProtocol("Request URL has an unsupported protocol 'ftp://'."),
         Status.INVALID,
         "not a checkable URL: Request URL has an unsupported protocol 'ftp://'."),
        (httpx.DecodingError("bad gzip"), Status.CONNECTION_ERROR,
         "the answer from www.faz.net could not be decoded"),
        (OSError("Network is unreachable"), Status.CONNECTION_ERROR,
         "connection to www.faz.net failed: Network is unreachable"),
    ],
)  # fmt: skip
def test_classify_exception(exc: Exception, status: Status, reason: str) -> None:
    verdict = classify_exception(exc, host="www.faz.net")
    assert (verdict.status, verdict.reason) == (status, reason)
    assert verdict.error  # the low-level text is kept for the report


def test_classify_exception_survives_cause_cycles() -> None:
    a, b = httpx.ReadError("a"), OSError("b")
    a.__cause__, b.__context__ = b, a
    assert classify_exception(a, host="h").status is Status.CONNECTION_ERROR
