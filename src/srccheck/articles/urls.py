"""Finding URL-like tokens in text and normalising cited URLs.

Everything here is pure: strings in, values out. Parsing is delegated to
:func:`urllib.parse.urlsplit` and host names to the ``idna`` package (UTS #46
mapping, IDNA 2008, as browsers do); this module only decides what counts as a
checkable URL and how it is written canonically.

Normalisation of an http(s) URL (RFC 3986 §6.2.2–6.2.3, WHATWG-style escaping):

* scheme and host lower-cased, international host names encoded to punycode;
* the default port (80 for http, 443 for https) dropped, an empty path is ``/``;
* the ``#fragment`` removed from the checked URL and kept apart (its text
  directives, ``#:~:text=…``, are read by :func:`text_directives`);
* spaces, non-ASCII and unsafe characters in path and query percent-encoded
  (as UTF-8); existing ``%XX`` escapes are kept as they are;
* tracking parameters are only removed when asked to (``strip_tracking``).

Anything else becomes an :class:`InvalidUrl` with a reason a human can act on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import idna

__all__ = [
    "NON_HTTP_SCHEMES",
    "TRACKING_PARAMETERS",
    "TRACKING_PREFIXES",
    "InvalidDirective",
    "InvalidUrl",
    "NormalisedUrl",
    "TextDirective",
    "find_url_tokens",
    "has_url_token",
    "normalise_url",
    "text_directives",
    "trim_glued_punctuation",
]

#: Schemes that are recognised as URLs in text but cannot be checked over HTTP.
NON_HTTP_SCHEMES: frozenset[str] = frozenset(
    {"ftp", "ftps", "sftp", "file", "mailto", "data", "javascript", "tel", "ws", "wss", "news",
     "irc"}
)

#: Query parameters dropped when ``strip_tracking`` is on (exact names) …
TRACKING_PARAMETERS: frozenset[str] = frozenset(
    {"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "mc_cid", "mc_eid",
     "igshid", "_hsenc", "_hsmi", "mkt_tok", "wt_mc", "wt_zmc", "ocid"}
)
#: … and every parameter whose name starts with one of these prefixes.
TRACKING_PREFIXES: tuple[str, ...] = ("utm_",)

# A URL starts with a known scheme followed by a non-space, or with "www.". The
# look-behind keeps "xhttp:" and "user@www." from counting; every alternative is
# a fixed string, so scanning is linear in the length of the text.
_SCHEMES = "|".join(sorted({"https", "http", *NON_HTTP_SCHEMES}, key=len, reverse=True))
_URL_TOKEN = re.compile(rf"(?<![\w@.])(?:(?:{_SCHEMES}):(?=\S)|www\.)\S*", re.IGNORECASE)

# Characters that end a token but are punctuation of the surrounding sentence.
_TRAILING_PUNCTUATION = frozenset(".,;:!?'\"“”‘’„‚»«›‹*…")
_CLOSING_BRACKETS = {")": "(", "]": "[", "}": "{", ">": "<"}

# Percent-encoding: everything outside these sets (and outside ASCII letters,
# digits and "_.-~", which quote() never escapes) is encoded. "%" is safe so
# that existing escapes survive.
_PATH_SAFE = "/%:@!$&'()*+,;=|[]^"
_QUERY_SAFE = "/%:@!$&'()*+,;=?|[]^{}`\\"
_USERINFO_SAFE = "%:!$&'()*+,;="  # RFC 3986 userinfo: unreserved, sub-delims, ":", escapes

_ASCII_HOST = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?")
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class NormalisedUrl:
    """A checkable http(s) URL in canonical form, with its fragment kept apart."""

    url: str
    fragment: str | None = None


@dataclass(frozen=True, slots=True)
class InvalidUrl:
    """An entry that is not a checkable http(s) URL, and why."""

    reason: str


@dataclass(frozen=True, slots=True)
class TextDirective:
    """One ``text=`` directive of a URL fragment, its terms percent-decoded.

    ``raw`` is the directive as written (``text=`` included, still encoded).
    """

    raw: str
    start: str
    end: str | None = None
    prefix: str | None = None
    suffix: str | None = None


@dataclass(frozen=True, slots=True)
class InvalidDirective:
    """A ``text=`` directive that does not follow the syntax, and why."""

    raw: str
    reason: str


# Separates a fragment from its directives (WICG URL Fragment Text Directives).
_DIRECTIVE_DELIMITER = ":~:"


def text_directives(fragment: str | None) -> tuple[TextDirective | InvalidDirective, ...]:
    """The text directives of a URL fragment, in order (none when it has no ``:~:``).

    Syntax (WICG "URL Fragment Text Directives"): after the first ``:~:``,
    directives are separated by ``&``; a text directive is
    ``text=[prefix-,]start[,end][,-suffix]``. Terms are split at ``,`` before
    percent-decoding (a literal ``,``, ``-`` or ``&`` in a term is written
    ``%2C``, ``%2D``, ``%26``), and no term may be empty. Other directives are
    ignored, as browsers do; a malformed text directive becomes an
    :class:`InvalidDirective` (a browser ignores it, a reader should know).
    """
    if not fragment or _DIRECTIVE_DELIMITER not in fragment:
        return ()
    directives = fragment.split(_DIRECTIVE_DELIMITER, 1)[1]
    parsed: list[TextDirective | InvalidDirective] = []
    for part in directives.split("&"):
        if part.startswith("text="):
            parsed.append(_text_directive(part))
    return tuple(parsed)


def _text_directive(raw: str) -> TextDirective | InvalidDirective:
    terms = raw.removeprefix("text=").split(",")
    prefix = suffix = None
    if len(terms) > 1 and terms[0].endswith("-"):
        prefix = terms.pop(0)[:-1]
    if len(terms) > 1 and terms[-1].startswith("-"):
        suffix = terms.pop()[1:]
    if not terms or len(terms) > 2:
        return InvalidDirective(raw, "expected text=[prefix-,]start[,end][,-suffix]")
    if any(not term for term in (*terms, prefix, suffix) if term is not None):
        return InvalidDirective(raw, "empty term")
    if any(term.startswith("-") or term.endswith("-") for term in terms):
        return InvalidDirective(raw, "a start or end term cannot begin or end with '-'")
    try:
        decoded = [unquote(term, errors="strict") for term in terms]
        prefix, suffix = (
            None if term is None else unquote(term, errors="strict") for term in (prefix, suffix)
        )
    except UnicodeDecodeError:
        return InvalidDirective(raw, "a term is not percent-encoded UTF-8")
    return TextDirective(
        raw=raw,
        start=decoded[0],
        end=decoded[1] if len(decoded) > 1 else None,
        prefix=prefix,
        suffix=suffix,
    )


def find_url_tokens(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, str]]:
    """Yield ``(offset, token)`` for every URL-like token in ``text[start:end]``.

    A token begins at a known scheme (``https:``, ``mailto:`` …) or at ``www.``
    and runs to the next whitespace; glued sentence punctuation and unbalanced
    closing brackets or quotes are trimmed (see :func:`trim_glued_punctuation`).
    Offsets are positions in ``text``.
    """
    stop = len(text) if end is None else end
    for match in _URL_TOKEN.finditer(text, start, stop):
        token = trim_glued_punctuation(match.group())
        if token:
            yield match.start(), token


def has_url_token(text: str) -> bool:
    """True when ``text`` contains at least one URL-like token."""
    return _URL_TOKEN.search(text) is not None


def trim_glued_punctuation(token: str) -> str:
    """Strip sentence punctuation glued to the end of a URL token.

    Trailing ``.,;:!?``, quotes (``"“”„'``) and closing brackets that have no
    opening partner inside the token are removed, repeatedly:
    ``(https://x.de/a).`` → ``https://x.de/a``. Balanced brackets stay, as in
    ``https://de.wikipedia.org/wiki/Foo_(Bar)``.
    """
    counts = {ch: token.count(ch) for ch in "()[]{}<>"}
    end = len(token)
    while end:
        ch = token[end - 1]
        if ch in _TRAILING_PUNCTUATION:
            end -= 1
        elif ch in _CLOSING_BRACKETS and counts[ch] > counts[_CLOSING_BRACKETS[ch]]:
            counts[ch] -= 1
            end -= 1
        else:
            break
    return token[:end]


def normalise_url(raw: str, *, strip_tracking: bool = False) -> NormalisedUrl | InvalidUrl:
    """Normalise one cited entry, or say why it cannot be checked.

    Schemeless ``www.example.com/x`` and protocol-relative ``//example.com/x``
    are read as ``https://…``: that is what a reader's browser would open.
    Other schemes (``mailto:``, ``ftp:``, ``javascript:`` …), text that is not a
    URL, relative links, missing or malformed hosts and bad ports are invalid.
    See the module docstring for the normalisation rules.
    """
    candidate = raw.strip()
    if not candidate:
        return InvalidUrl("empty entry")
    if candidate[:4].lower() == "www.":
        candidate = "https://" + candidate
    elif candidate.startswith("//"):
        candidate = "https:" + candidate
    try:
        parts = urlsplit(candidate)
    except ValueError as exc:  # e.g. an unbalanced "[" in the host
        return InvalidUrl(f"malformed URL ({exc})")
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        return InvalidUrl(_reason_for_non_http(candidate, scheme))
    if any(ch.isspace() for ch in parts.netloc):
        return InvalidUrl("host contains spaces")
    host = parts.hostname  # lower-cased, IPv6 brackets removed
    if not host:
        return InvalidUrl("missing host")
    try:
        port = parts.port
    except ValueError:
        return InvalidUrl("invalid port")
    encoded_host = _encode_host(host)
    if isinstance(encoded_host, InvalidUrl):
        return encoded_host
    netloc = _build_netloc(parts.netloc, encoded_host, port, scheme)
    path = quote(parts.path, safe=_PATH_SAFE) or "/"
    query = quote(parts.query, safe=_QUERY_SAFE)
    if strip_tracking and query:
        query = _strip_tracking(query)
    url = urlunsplit((scheme, netloc, path, query, ""))
    return NormalisedUrl(url=url, fragment=parts.fragment or None)


def _reason_for_non_http(candidate: str, scheme: str) -> str:
    """Why an entry without an http(s) scheme is not checkable."""
    if scheme in NON_HTTP_SCHEMES:
        return f"scheme '{scheme}' is not checkable"
    if any(ch.isspace() for ch in candidate):
        # Prose such as "Interview: Der Spiegel" parses with a 'scheme' too.
        return "not a URL (contains spaces)"
    if not scheme:
        if candidate[0] in "/.#?":
            return "relative link without a base URL"
        return "missing scheme (expected http:// or https://)"
    if "://" not in candidate and "." in scheme:  # "example.com:8080/x"
        return "missing scheme (expected http:// or https://)"
    return f"scheme '{scheme}' is not checkable"


def _encode_host(host: str) -> str | InvalidUrl:
    """The host in ASCII: punycode for international names, checked for syntax."""
    if ":" in host:  # IPv6 literal; urlsplit has already validated the brackets
        return f"[{host}]"
    if not host.isascii():
        try:
            return idna.encode(host, uts46=True).decode("ascii")
        except idna.IDNAError:
            return InvalidUrl(f"invalid international host name '{host}'")
    if _IPV4.fullmatch(host) or _ASCII_HOST.fullmatch(host):
        return host
    return InvalidUrl(f"invalid host name '{host}'")


def _build_netloc(original: str, host: str, port: int | None, scheme: str) -> str:
    userinfo, at, _ = original.rpartition("@")
    # Percent-encoded like the path (existing escapes and the ":" between user and
    # password kept), so the whole URL is ASCII as the module promises.
    netloc = f"{quote(userinfo, safe=_USERINFO_SAFE)}@{host}" if at else host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    return netloc


def _strip_tracking(query: str) -> str:
    """Drop tracking parameters; the remaining ones keep their order and spelling."""
    kept = []
    for pair in query.split("&"):
        name = pair.partition("=")[0].lower()
        if name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIXES):
            continue
        kept.append(pair)
    return "&".join(kept)
