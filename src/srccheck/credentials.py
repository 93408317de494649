"""Credentials for subscribed sources: per-host headers, basic auth and cookies.

Newsrooms hold subscriptions to the paywalled sites they cite. The
configuration names, per host, what to send (README: Subscriptions and
credentials)::

    [hosts."www.faz.net"]
    headers = { Authorization = "env:FAZ_TOKEN" }
    basic-auth = { user = "redaktion", password = "env:FAZ_PASSWORD" }
    cookie-jar = "faz-cookies.txt"     # Netscape cookie file

Rules, all applied by :meth:`Credentials.headers_for`, once per request (so
once per hop of a redirect chain):

* a host's headers, basic auth and cookie jar are sent only to that exact host
  name and only over HTTPS: never to another host a redirect leads to (not even
  a subdomain), never to the same host over plain http;
* cookies of the run-wide cookie jar (``--cookie-jar``) go only to the hosts
  their domain attribute names, also only over HTTPS;
* ``--header`` values go with every request (like lychee's ``--header``);
* secret values are :class:`Secret`: their ``repr``/``str`` name where the
  value came from (``env:FAZ_TOKEN``), never the value, so settings, reports,
  logs, ``srccheck config`` and error messages cannot show it.

Secret values are written ``env:NAME`` and read from the environment variable
``NAME`` when the settings are built (:func:`resolve_secret`); a configuration
file accepts nothing else for header values and passwords, so no secret is
ever written in a file.
"""

from __future__ import annotations

import base64
import http.cookiejar
import re
import time
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from srccheck.errors import InputError, UsageError

__all__ = [
    "ENV_PREFIX",
    "Credentials",
    "Header",
    "HostCredentials",
    "Secret",
    "load_cookie_jar",
    "parse_basic_auth",
    "parse_header",
    "resolve_secret",
]

#: Marks a value read from the environment: ``env:NAME``.
ENV_PREFIX = "env:"

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# RFC 9110 token characters of a field name.
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


@dataclass(frozen=True, slots=True)
class Secret:
    """A value that is never shown: ``repr``/``str`` give only where it came from."""

    value: str = field(repr=False)
    origin: str  # "env:NAME" or "command line"

    def __repr__(self) -> str:
        return f"<secret from {self.origin}>"

    __str__ = __repr__


@dataclass(frozen=True, slots=True)
class Header:
    """One extra request header; its value is a :class:`Secret`."""

    name: str
    value: Secret


@dataclass(frozen=True, slots=True)
class HostCredentials:
    """What one host gets over HTTPS: headers, basic auth, cookies from a Netscape file."""

    host: str
    headers: tuple[Header, ...] = ()
    basic_auth: tuple[str, Secret] | None = None  # user, password
    cookie_jar: Path | None = None

    @property
    def name(self) -> str:
        """A description without any secret (for ``srccheck config``)."""
        parts = [header.name for header in self.headers]
        if self.basic_auth is not None:
            parts.append(f"basic auth for {self.basic_auth[0]}")
        if self.cookie_jar is not None:
            parts.append(f"cookies from {self.cookie_jar}")
        return f"{self.host} ({', '.join(parts) or 'nothing'})"


def resolve_secret(
    text: str, environ: Mapping[str, str], *, what: str, literal: bool
) -> Secret:
    """``env:NAME`` → the value of the environment variable ``NAME``.

    ``literal`` allows a plain value (typed on the command line); a
    configuration file passes False, so only ``env:`` references pass.

    Raises:
        UsageError: the variable is not set or empty, the name is malformed, or a
            literal value where none is allowed. Messages name the variable and
            ``what``, never a value.
    """
    if not text.startswith(ENV_PREFIX):
        if literal:
            return Secret(text, "command line")
        raise UsageError(
            f"{what} must be written as {ENV_PREFIX}NAME (read from the environment "
            "variable NAME): secrets are never written in a configuration file"
        )
    name = text.removeprefix(ENV_PREFIX)
    if not _ENV_NAME.fullmatch(name):
        raise UsageError(f"{what}: {name!r} is not an environment variable name")
    value = environ.get(name)
    if not value:
        raise UsageError(f"{what}: the environment variable {name} is not set")
    return Secret(value, f"{ENV_PREFIX}{name}")


def parse_header(text: str, environ: Mapping[str, str]) -> Header:
    """``'NAME: VALUE'`` (``--header``) → :class:`Header`; VALUE may be ``env:NAME``.

    Raises:
        UsageError: no colon, an invalid field name, an empty value. The message
            shows the header name only.
    """
    name, colon, value = text.partition(":")
    name, value = name.strip(), value.strip()
    if not colon or not _HEADER_NAME.fullmatch(name):
        raise UsageError("--header must be 'NAME: VALUE' with a valid header name")
    if not value or "\n" in value or "\r" in value:
        raise UsageError(f"--header {name}: the value is empty or spans lines")
    return Header(name, resolve_secret(value, environ, what=f"--header {name}", literal=True))


def parse_basic_auth(text: str, environ: Mapping[str, str]) -> HostCredentials:
    """``'HOST USER:PASSWORD'`` (``--basic-auth``) → :class:`HostCredentials` for HOST;
    PASSWORD may be ``env:NAME``.

    Raises:
        UsageError: not of that shape (the message never repeats the password).
    """
    host, _, pair = text.strip().partition(" ")
    user, colon, password = pair.strip().partition(":")
    if not host or not colon or not user or not password or "/" in host:
        raise UsageError("--basic-auth must be 'HOST USER:PASSWORD' (PASSWORD may be env:NAME)")
    what = f"--basic-auth password for {host}"
    secret = resolve_secret(password, environ, what=what, literal=True)
    return HostCredentials(host=host.lower(), basic_auth=(user, secret))


def load_cookie_jar(path: Path) -> http.cookiejar.MozillaCookieJar:
    """Read a Netscape/Mozilla ``cookies.txt`` (as curl and browser add-ons write it).

    An expiry of 0 marks a session cookie (curl's convention), kept for the run;
    cookies whose expiry has passed are dropped.

    Raises:
        InputError: the file cannot be read or is not a cookie file (the message
            names the file, never a cookie).
    """
    jar = http.cookiejar.MozillaCookieJar()
    try:
        jar.load(str(path), ignore_discard=True, ignore_expires=True)
    except http.cookiejar.LoadError:
        raise InputError(f"{path} is not a Netscape cookie file") from None
    except OSError as exc:
        raise InputError(f"cannot read cookie file {path}: {exc.strerror}") from None
    now = time.time()
    for cookie in list(jar):
        if cookie.expires == 0:
            cookie.expires, cookie.discard = None, True
        elif cookie.is_expired(now):
            jar.clear(cookie.domain, cookie.path, cookie.name)
    return jar


class Credentials:
    """The extra headers each request gets; built once per run from the settings."""

    def __init__(
        self,
        hosts: Iterable[HostCredentials] = (),
        headers: Iterable[Header] = (),
        cookie_jar: Path | None = None,
    ) -> None:
        self._headers = tuple(headers)
        self._jar = load_cookie_jar(cookie_jar) if cookie_jar is not None else None
        self._hosts: dict[str, tuple[HostCredentials, http.cookiejar.CookieJar | None]] = {}
        for entry in hosts:
            jar = load_cookie_jar(entry.cookie_jar) if entry.cookie_jar is not None else None
            self._hosts[entry.host.lower()] = (entry, jar)

    def headers_for(self, url: httpx.URL) -> dict[str, str]:
        """The headers to add to one request for ``url`` (see the module's rules)."""
        extra = {header.name: header.value.value for header in self._headers}
        if url.scheme != "https":
            return extra
        cookies = [_cookie_header(self._jar, url)] if self._jar is not None else []
        found = self._hosts.get(url.host.lower())
        if found is not None:
            entry, jar = found
            extra.update((header.name, header.value.value) for header in entry.headers)
            if entry.basic_auth is not None:
                user, password = entry.basic_auth
                token = base64.b64encode(f"{user}:{password.value}".encode()).decode("ascii")
                extra["Authorization"] = f"Basic {token}"
            if jar is not None:
                cookies.append(_cookie_header(jar, url))
        cookie = "; ".join(part for part in cookies if part)
        if cookie:
            extra["Cookie"] = cookie
        return extra


def _cookie_header(jar: http.cookiejar.CookieJar, url: httpx.URL) -> str:
    """The ``Cookie`` value the jar's own rules (domain, path, secure, expiry) give ``url``."""
    request = urllib.request.Request(str(url))
    jar.add_cookie_header(request)
    return request.unredirected_hdrs.get("Cookie", "")
