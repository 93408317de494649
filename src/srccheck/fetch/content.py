"""What kind of body an answer carries: media type, whether it is text, its title."""

from __future__ import annotations

import functools
import re
from email.message import Message
from html import unescape

from selectolax.lexbor import LexborHTMLParser, LexborNode

__all__ = [
    "HTML_TYPES",
    "TEXT_TYPES",
    "TITLE_SCAN_CHARS",
    "is_html",
    "is_textual",
    "page_title",
    "parse_content_type",
    "tree_title",
]

#: Media types parsed as HTML.
HTML_TYPES: frozenset[str] = frozenset({"text/html", "application/xhtml+xml"})
#: Media types whose body is kept as text (besides any ``…+xml`` type).
TEXT_TYPES: frozenset[str] = HTML_TYPES | {"text/plain", "text/xml", "application/xml"}

#: How much of a page :func:`page_title` reads (the head of any sane page).
TITLE_SCAN_CHARS = 64 * 1024
_WHITESPACE = re.compile(r"\s+")
_TITLE_END = re.compile(r"</title\s*>", re.IGNORECASE)
# What the HTML tokenizer reads as a title start tag, and that tag up to its ">".
_TITLE_TAG = re.compile(r"<title[\s/>]", re.IGNORECASE)
_TITLE_START = re.compile(r"<title(?:[\s/][^>]*)?>", re.IGNORECASE)


@functools.lru_cache(maxsize=512)
def parse_content_type(value: str | None) -> tuple[str | None, str | None]:
    """``(media type, charset)`` of a ``Content-Type`` header, lower-cased; ``None`` when absent.

    ``"text/html; charset=ISO-8859-1"`` → ``("text/html", "iso-8859-1")``.
    Cached: a run sees a few distinct values, and the email parser behind this
    took 2 % of a links-only run's CPU.
    """
    if not value or not value.strip():
        return None, None
    message = Message()
    message["content-type"] = value
    media_type = message.get_content_type()  # falls back to text/plain when malformed
    charset = message.get_content_charset()
    return media_type, charset


def is_textual(media_type: str | None) -> bool:
    """True for HTML, XHTML, plain text and XML (``text/xml``, ``application/xml``, ``…+xml``)."""
    if media_type is None:
        return False
    return media_type in TEXT_TYPES or media_type.endswith("+xml")


def is_html(media_type: str | None) -> bool:
    """True for ``text/html`` and ``application/xhtml+xml``."""
    return media_type in HTML_TYPES


def page_title(html: str) -> str | None:
    """The text of the first ``<title>``, whitespace collapsed; ``None`` if missing or empty.

    Only the first ``TITLE_SCAN_CHARS`` characters are read (a title further down
    a page is not found), and first only up to the first ``</title>``, which is
    usually a few hundred bytes into the head. If that short prefix holds no
    title (the first ``</title>`` sat in a script or comment), the whole window
    is parsed.
    """
    end = _TITLE_END.search(html, 0, TITLE_SCAN_CHARS)
    if end is not None:
        title = _first_title(html[: end.end()])
        if title is not None:
            return title
    return _first_title(html[:TITLE_SCAN_CHARS])


def _first_title(html: str) -> str | None:
    return _title_text(LexborHTMLParser(html).css_first("title"))


def _title_text(node: LexborNode | None) -> str | None:
    if node is None:
        return None
    title = _WHITESPACE.sub(" ", node.text(deep=True)).strip()
    return title or None


def tree_title(tree: LexborHTMLParser, html: str) -> str | None:
    """:func:`page_title` of ``html``, read from ``tree``, its full parse, when that is exact.

    :func:`page_title` finds the first ``<title>`` element if it closes inside
    the scanned window, which is then also the tree's first one. That is
    proved on the source, without parsing again: a page no longer than the
    window needs no proof; otherwise every ``<title`` written in the page must
    be a real element (as many as the tree has, so none sits in a script or a
    comment), the first of them must start before the window's first
    ``</title>``, and the source between the two must read as the tree's
    title text. In any other case :func:`page_title` itself runs.
    """
    nodes = tree.css("title")
    if not nodes:  # no title anywhere, so none in the window either
        return None
    if len(html) <= TITLE_SCAN_CHARS:
        return _title_text(nodes[0])
    end = _TITLE_END.search(html, 0, TITLE_SCAN_CHARS)
    start = _TITLE_START.search(html, 0, end.start()) if end is not None else None
    if (
        end is not None
        and start is not None
        and len(_TITLE_TAG.findall(html)) == len(nodes)
        and unescape(html[start.end() : end.start()]) == nodes[0].text(deep=True)
    ):
        return _title_text(nodes[0])
    return page_title(html)
