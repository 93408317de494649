"""A parser for RFC 6690 link-format and RFC 8288 ``Link`` headers.

Memento TimeMaps (RFC 7089 §5) are ``application/link-format`` documents and
TimeGates describe mementos in ``Link`` headers; both use the same syntax::

    <uri>; rel="memento"; datetime="Wed, 01 Jan 2020 10:00:00 GMT", <uri2>; rel=original

Quoted values may contain commas, semicolons and backslash escapes, so the
text is scanned character by character rather than split on commas. The
parser is lenient about whitespace and newlines between links and skips
malformed parameters instead of failing the whole document.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Link", "parse_link_format"]


@dataclass(frozen=True, slots=True)
class Link:
    """One link: its target URI and parameters (names lower-cased)."""

    uri: str
    params: dict[str, str] = field(default_factory=dict)

    @property
    def rels(self) -> frozenset[str]:
        """The relation types (``rel`` holds a space-separated list)."""
        return frozenset(self.params.get("rel", "").lower().split())


def parse_link_format(text: str) -> list[Link]:
    """Every link in ``text``, in document order.

    Raises :class:`ValueError` when a ``<`` is never closed (a truncated
    document); other irregularities are skipped.
    """
    links: list[Link] = []
    pos, end = 0, len(text)
    while pos < end:
        start = text.find("<", pos)
        if start < 0:
            break
        close = text.find(">", start + 1)
        if close < 0:
            raise ValueError(f"unterminated '<' at offset {start}")
        uri = text[start + 1 : close].strip()
        params, pos = _parse_params(text, close + 1)
        links.append(Link(uri=uri, params=params))
    return links


def _parse_params(text: str, pos: int) -> tuple[dict[str, str], int]:
    """Parameters after a ``<uri>``, up to the ``,`` ending the link (or the end)."""
    params: dict[str, str] = {}
    end = len(text)
    while pos < end:
        char = text[pos]
        if char == ",":
            return params, pos + 1
        if char != ";":
            if char == "<":  # a link without the separating comma
                return params, pos
            pos += 1
            continue
        pos += 1
        name_start = pos
        while pos < end and text[pos] not in "=;,":
            pos += 1
        name = text[name_start:pos].strip().lower()
        value = ""
        if pos < end and text[pos] == "=":
            pos += 1
            while pos < end and text[pos] in " \t\r\n":
                pos += 1
            if pos < end and text[pos] == '"':
                value, pos = _read_quoted(text, pos + 1)
            else:
                value_start = pos
                while pos < end and text[pos] not in ";,<" and not text[pos].isspace():
                    pos += 1
                value = text[value_start:pos].strip()
        # RFC 8288 §3.3: a repeated parameter's first occurrence wins.
        if name and name not in params:
            params[name] = value
    return params, pos


def _read_quoted(text: str, pos: int) -> tuple[str, int]:
    chars: list[str] = []
    end = len(text)
    while pos < end:
        char = text[pos]
        if char == "\\" and pos + 1 < end:
            chars.append(text[pos + 1])
            pos += 2
            continue
        if char == '"':
            return "".join(chars), pos + 1
        chars.append(char)
        pos += 1
    return "".join(chars), pos  # unterminated quote: keep what there is
