"""What kind of body an answer carries: media type, whether it is text, its title."""

from __future__ import annotations

import re
from email.message import Message

from selectolax.lexbor import LexborHTMLParser

__all__ = ["HTML_TYPES", "TEXT_TYPES", "is_html", "is_textual", "page_title", "parse_content_type"]

#: Media types parsed as HTML.
HTML_TYPES: frozenset[str] = frozenset({"text/html", "application/xhtml+xml"})
#: Media types whose body is kept as text (besides any ``…+xml`` type).
TEXT_TYPES: frozenset[str] = HTML_TYPES | {"text/plain", "text/xml", "application/xml"}

_WHITESPACE = re.compile(r"\s+")


def parse_content_type(value: str | None) -> tuple[str | None, str | None]:
    """``(media type, charset)`` of a ``Content-Type`` header, lower-cased; ``None`` when absent.

    ``"text/html; charset=ISO-8859-1"`` → ``("text/html", "iso-8859-1")``.
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
    """The text of the first ``<title>``, whitespace collapsed; ``None`` if missing or empty."""
    node = LexborHTMLParser(html).css_first("title")
    if node is None:
        return None
    title = _WHITESPACE.sub(" ", node.text(deep=True)).strip()
    return title or None
