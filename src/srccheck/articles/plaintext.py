"""The seed format and plain-text articles.

Layout read (every part but the source list is optional for plain text)::

    22.10.2024                 ← date line (seed: always line 1, DD.MM.YYYY)
    TitleAsGiven               ← title line (seed: always line 2, kept exactly)
                               ← blank line
    Body paragraphs …          ← body: everything up to the sources heading
    Quellen: - url - url       ← source list (see :mod:`srccheck.articles.sections`)
    Weitere / Artikel          ← page trailer: neither body nor sources

For plain text, the first non-blank line is a date line when it is only a
date (``22.10.2024``, ``2024-10-22``, ``22. Oktober 2024``, ``October 22,
2024``); the next non-blank line is the title when a blank line follows it, it
is at most :data:`MAX_TITLE_CHARS` long and does not end with a full stop
(a first paragraph is not a title).
"""

from __future__ import annotations

from srccheck.articles.dates import parse_date
from srccheck.articles.lines import LineTable
from srccheck.articles.model import ArticleFormat, ParsedArticle
from srccheck.articles.sections import find_sources_section, plain_line_entries, strip_span

__all__ = ["MAX_TITLE_CHARS", "parse_plain_text"]

MAX_TITLE_CHARS = 200


def parse_plain_text(text: str, fmt: ArticleFormat = ArticleFormat.TEXT) -> ParsedArticle:
    """Parse a seed (``fmt=SEED``) or plain-text article; see the module docstring.

    In seed mode line 2 is the title whatever it looks like.
    """
    lines = LineTable(text)
    section = find_sources_section(text, lines, plain_line_entries)
    head_end = section.start if section else len(text)
    last_head_line = lines.line_of(head_end) if head_end < len(text) else len(lines)

    body_from = 0
    index = _next_content_line(text, lines, 0, last_head_line)
    date = None
    if index is not None:
        date = parse_date(text[slice(*lines.bounds(index))])
        if date is not None:
            body_from = lines.bounds(index)[1] + 1
            index = _next_content_line(text, lines, index + 1, last_head_line)
    title = None
    if index is not None:
        start, end = lines.bounds(index)
        candidate = text[start:end].strip()
        if fmt is ArticleFormat.SEED or _looks_like_title(text, lines, index, candidate):
            title = candidate
            body_from = end + 1
    body_from = min(body_from, head_end)
    body, body_start = strip_span(text, body_from, head_end)
    return ParsedArticle(
        date=date,
        title=title,
        body=body,
        body_start=body_start,
        spans=section.spans if section else (),
        sources_heading=section.name if section else None,
    )


def _next_content_line(text: str, lines: LineTable, first: int, stop: int) -> int | None:
    for index in range(first, stop):
        start, end = lines.bounds(index)
        if text[start:end].strip():
            return index
    return None


def _looks_like_title(text: str, lines: LineTable, index: int, candidate: str) -> bool:
    if len(candidate) > MAX_TITLE_CHARS or candidate.endswith("."):
        return False
    if index + 1 >= len(lines):
        return False
    start, end = lines.bounds(index + 1)
    return not text[start:end].strip()
