"""Finding the source list of a line-based article (seed, plain text, Markdown).

The rules, shared by every line-based format:

* A **sources heading** is a line that holds one of :data:`SOURCE_HEADINGS`
  (case-insensitive), optionally as a Markdown heading (``## Quellen``) or in
  bold (``**Quellen:**``). Text may follow on the same line only after a colon:
  ``Quellen: - https://a - https://b`` is an *inline list*.
* An inline list is split at dashes standing alone between spaces (`` - ``,
  `` – ``); URLs contain dashes but never spaces, so ``US-DOLLAR--2370597``
  stays whole. A piece with URLs gives one entry per URL; a piece without any
  is one (invalid) entry, and consecutive such pieces are one entry, since
  prose like ``Interview - Der Spiegel`` is one citation.
* Below a heading, the first block of lines (up to a blank line) is the list,
  every line of it an entry line. Later blocks continue the list while their
  lines look like list items (a ``*``/``-``/``+``/``1.``/``1)``/``[1]`` marker
  or a URL); the first other line ends it, so page trailers such as
  ``Weitere Artikel`` are not sources. After an inline list only such
  list-like lines continue it.
* An entry line with URLs gives one entry per URL (surrounding words are a
  label); a line without is one invalid entry: nothing written in the list is
  dropped.
* When several headings qualify, the **last** one with entries wins: a body
  sentence that happens to start with ``Quellen:`` comes before the real list.
* A single-line article has no heading line; then the last ``Quellen:``
  (etc.) anywhere in a line starts an inline list.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from srccheck.articles.lines import LineTable
from srccheck.articles.model import SourceSpan
from srccheck.articles.urls import find_url_tokens, has_url_token

__all__ = [
    "SOURCE_HEADINGS",
    "LineExtractor",
    "LineStop",
    "SourcesSection",
    "find_sources_section",
    "inline_entries",
    "list_content_start",
    "match_sources_heading",
    "plain_line_entries",
    "strip_span",
]

#: Headings (or line labels) that introduce an article's source list.
SOURCE_HEADINGS: tuple[str, ...] = ("Quellen", "Sources", "Einzelnachweise", "References", "Belege")

_NAMES = "|".join(SOURCE_HEADINGS)
_HEADING_LINE = re.compile(
    rf"[ \t]*(?:#{{1,6}}[ \t]*)?(?:\*\*|__)?[ \t]*(?P<name>{_NAMES})[ \t]*(?:\*\*|__)?[ \t]*"
    rf"(?P<colon>:)?[ \t]*(?:\*\*|__)?[ \t]*(?P<rest>.*)",
    re.IGNORECASE,
)
_LABEL_ANYWHERE = re.compile(rf"(?<!\w)(?P<name>{_NAMES})[ \t]*:", re.IGNORECASE)
_INLINE_SEPARATOR = re.compile(r"(?<!\S)[-–—•|](?!\S)")
_UNDERLINE = re.compile(r" {0,3}(?:=+|-+)[ \t]*")
_LIST_MARKER = re.compile(r"[ \t]*(?:[*+•–-]|\d{1,4}[.)]|\[\d{1,4}\])(?:[ \t]+|$)")

#: Extracts the entries of one list line: ``(text, line_start, line_end)``.
LineExtractor = Callable[[str, int, int], list[SourceSpan]]
#: Says whether a line ends the section: ``(text, line_start, line_end)``.
LineStop = Callable[[str, int, int], bool]


@dataclass(frozen=True, slots=True)
class SourcesSection:
    """The source list that was found, and where its heading starts."""

    name: str  # the heading as written, e.g. "Quellen"
    start: int  # offset of the heading; the body ends here
    spans: tuple[SourceSpan, ...]


def match_sources_heading(line: str) -> tuple[str, int] | None:
    """``(name, rest_offset)`` when ``line`` is a sources heading, else ``None``.

    ``rest_offset`` is where an inline list starts within ``line`` (equal to
    ``len(line)`` when nothing follows the heading).
    """
    match = _HEADING_LINE.fullmatch(line)
    if match is None:
        return None
    rest = match.group("rest")
    if rest.strip("# \t") == "":  # "## Quellen ##" closes like an ATX heading
        return match.group("name"), len(line)
    if match.group("colon") is None:
        return None
    return match.group("name"), match.start("rest")


def find_sources_section(
    text: str,
    lines: LineTable,
    extract_line: LineExtractor,
    *,
    stop_line: LineStop | None = None,
    ignored_lines: frozenset[int] = frozenset(),
) -> SourcesSection | None:
    """The article's source list by the rules in the module docstring.

    ``ignored_lines`` are never headings (Markdown code blocks). Returns a
    section without spans when a heading exists but nothing follows it, and
    ``None`` when there is no heading at all.
    """
    candidates: list[tuple[int, str, int]] = []
    for index in range(len(lines)):
        if index in ignored_lines:
            continue
        start, end = lines.bounds(index)
        # Cheap pre-check: every heading name is at least 6 characters long.
        if end - start < 6:
            continue
        found = match_sources_heading(text[start:end])
        if found is not None:
            candidates.append((index, found[0], start + found[1]))
    for index, name, rest_start in reversed(candidates):
        spans = _collect(text, lines, index, rest_start, extract_line, stop_line)
        if spans:
            return SourcesSection(name=name, start=lines.bounds(index)[0], spans=tuple(spans))
    if candidates:
        index, name, _ = candidates[-1]
        return SourcesSection(name=name, start=lines.bounds(index)[0], spans=())
    return _find_label_anywhere(text, lines)


def _collect(
    text: str,
    lines: LineTable,
    heading: int,
    rest_start: int,
    extract_line: LineExtractor,
    stop_line: LineStop | None,
) -> list[SourceSpan]:
    _, heading_end = lines.bounds(heading)
    spans = inline_entries(text, rest_start, heading_end)
    accept_any = not spans  # the first block under a bare heading is the list, whatever it holds
    seen_entry_line = False
    first = heading + 1
    if accept_any and first < len(lines) and _UNDERLINE.fullmatch(text, *lines.bounds(first)):
        first += 1  # "Quellen" underlined with "---" or "===" (a Setext heading)
    for index in range(first, len(lines)):
        start, end = lines.bounds(index)
        if stop_line is not None and stop_line(text, start, end):
            break
        line = text[start:end]
        if not line.strip():
            if seen_entry_line:
                accept_any = False
            continue
        if not accept_any and not _is_list_like(line):
            break
        seen_entry_line = True
        spans.extend(extract_line(text, start, end))
    return spans


def _is_list_like(line: str) -> bool:
    return _LIST_MARKER.match(line) is not None or has_url_token(line)


def _find_label_anywhere(text: str, lines: LineTable) -> SourcesSection | None:
    found = deque(_LABEL_ANYWHERE.finditer(text), maxlen=1)  # only the last label counts
    if not found:
        return None
    last = found[0]
    _, line_end = lines.bounds(lines.line_of(last.start()))
    spans = inline_entries(text, last.end(), line_end)
    return SourcesSection(name=last.group("name"), start=last.start(), spans=tuple(spans))


def list_content_start(text: str, start: int, end: int) -> int:
    """Offset after a list marker (``*``, ``-``, ``+``, ``1.``, ``1)``, ``[1]``) and spaces."""
    match = _LIST_MARKER.match(text, start, end)
    position = match.end() if match else start
    while position < end and text[position] in " \t":
        position += 1
    return position


def plain_line_entries(text: str, start: int, end: int) -> list[SourceSpan]:
    """Entries of one plain-text list line: its URLs, or the whole line as one entry."""
    content = list_content_start(text, start, end)
    spans = [SourceSpan(token, offset) for offset, token in find_url_tokens(text, content, end)]
    if spans:
        return spans
    return _text_span(text, content, end)


def inline_entries(text: str, start: int, end: int) -> list[SourceSpan]:
    """Entries of an inline list ``text[start:end]`` split at free-standing dashes."""
    spans: list[SourceSpan] = []
    pending: tuple[int, int] | None = None  # consecutive pieces without URLs, merged
    piece_start = start
    boundaries = [(m.start(), m.end()) for m in _INLINE_SEPARATOR.finditer(text, start, end)]
    boundaries.append((end, end))
    for separator_start, separator_end in boundaries:
        piece_end = separator_start
        tokens = list(find_url_tokens(text, piece_start, piece_end))
        if tokens:
            if pending is not None:
                spans.extend(_text_span(text, *pending))
                pending = None
            spans.extend(SourceSpan(token, offset) for offset, token in tokens)
        elif text[piece_start:piece_end].strip():
            pending = (pending[0] if pending else piece_start, piece_end)
        piece_start = separator_end
    if pending is not None:
        spans.extend(_text_span(text, *pending))
    return spans


def strip_span(text: str, start: int, end: int) -> tuple[str, int]:
    """``text[start:end]`` without surrounding whitespace, and where it begins."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return text[start:end], start


def _text_span(text: str, start: int, end: int) -> list[SourceSpan]:
    """The stripped ``text[start:end]`` as one entry (none when it is blank)."""
    stripped, at = strip_span(text, start, end)
    return [SourceSpan(stripped, at)] if stripped else []
