"""Choosing the parser for an article file: by extension, else by content."""

from __future__ import annotations

import re
from pathlib import Path

from srccheck.articles.model import ArticleFormat
from srccheck.articles.sections import match_sources_heading
from srccheck.articles.urls import has_url_token

__all__ = ["ARTICLE_EXTENSIONS", "detect_format", "is_seed_layout"]

#: File extensions read when a directory is searched, and the format each implies
#: (``None``: decided by content, seed or plain text).
ARTICLE_EXTENSIONS: dict[str, ArticleFormat | None] = {
    ".txt": None,
    ".md": ArticleFormat.MARKDOWN,
    ".markdown": ArticleFormat.MARKDOWN,
    ".html": ArticleFormat.HTML,
    ".htm": ArticleFormat.HTML,
}

_SNIFF_CHARS = 4096
_SEED_DATE = re.compile(r"\d{2}\.\d{2}\.\d{4}")
_HTML_START = re.compile(r"\s*(?:<!doctype\s+html|<html\b|<\?xml\b)", re.IGNORECASE)
_HTML_TAG = re.compile(r"<(?:head|body|article|main|p|div|h[1-6]|ul|a\s)[\s>]", re.IGNORECASE)
_MARKDOWN_HINT = re.compile(r"^(?:---\s*$|#{1,6}\s+\S|\s*[*+-]\s+\[[^\]]*\]\()|\]\(https?://",
                            re.MULTILINE)


def detect_format(path: Path, text: str) -> ArticleFormat:
    """The article's format.

    ``.md``/``.markdown`` are Markdown and ``.html``/``.htm`` HTML whatever they
    hold. ``.txt`` is the seed layout when :func:`is_seed_layout` says so, else
    plain text. Other extensions are sniffed from the first characters: an HTML
    doctype or block tags mean HTML, front matter, ``#`` headings or
    ``[text](http…)`` links mean Markdown, anything else is seed or plain text.
    """
    known = ARTICLE_EXTENSIONS.get(path.suffix.lower())
    if known is not None:
        return known
    if path.suffix.lower() != ".txt":
        head = text[:_SNIFF_CHARS]
        if _HTML_START.match(head) or _HTML_TAG.search(head):
            return ArticleFormat.HTML
        if _MARKDOWN_HINT.search(head):
            return ArticleFormat.MARKDOWN
    return ArticleFormat.SEED if is_seed_layout(text) else ArticleFormat.TEXT


def is_seed_layout(text: str) -> bool:
    """True for the seed layout: line 1 a ``DD.MM.YYYY`` date, line 2 a title,
    and a sources line with the URLs on that same line (``Quellen: - url - …``).
    """
    first, _, rest = text.partition("\n")
    second, _, rest = rest.partition("\n")
    if not _SEED_DATE.fullmatch(first.strip()) or not second.strip():
        return False
    for line in rest.split("\n"):
        found = match_sources_heading(line) if len(line) >= 6 else None
        if found is not None and has_url_token(line[found[1]:]):
            return True
    return False
