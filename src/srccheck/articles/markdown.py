"""Markdown articles.

Read from the file, in order:

* optional front matter between ``---`` lines; only ``title:`` and ``date:``
  (simple ``key: value`` lines, quotes removed) are used, so no YAML library
  is needed;
* the title: front matter ``title`` or else the first level-1 heading
  (``# Title`` or a line underlined with ``===``);
* the date: front matter ``date``, or else a line that is only a date directly
  before or after the title (``*22.10.2024*`` too);
* the sources section by the rules of :mod:`srccheck.articles.sections`; it also
  ends at the next heading, a thematic break (``---``) or a code fence;
* entries on a list line: the targets of ``[text](url)`` links and
  ``<url>`` autolinks, then bare URLs; a line with none of them is one
  (invalid) entry. Link text that is itself a URL is not counted twice;
* the body: the text after the title (or front matter) up to the sources
  heading. Headings inside fenced code blocks are ignored.

Not supported: reference-style links (``[text][1]``) whose definitions lie
outside the sources section; definitions inside it are read as bare URLs.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from sys import maxsize

from srccheck.articles.dates import parse_date
from srccheck.articles.lines import LineTable
from srccheck.articles.model import ParsedArticle, SourceSpan
from srccheck.articles.sections import find_sources_section, list_content_start, strip_span
from srccheck.articles.urls import find_url_tokens

__all__ = ["markdown_line_entries", "parse_markdown"]

_FENCE = re.compile(r" {0,3}(?:```|~~~)")
_ATX_HEADING = re.compile(r" {0,3}#{1,6}(?:[ \t]|$)")
_ATX_H1 = re.compile(r" {0,3}#[ \t]+(?P<title>.*?)(?:[ \t]+#+)?[ \t]*")
_SETEXT_H1 = re.compile(r" {0,3}=+[ \t]*")
_THEMATIC_BREAK = re.compile(r" {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})")
_FRONT_MATTER_FIELD = re.compile(r"(?P<key>[A-Za-z_][\w-]*)[ \t]*:[ \t]*(?P<value>.*)")
_AUTOLINK = re.compile(r"<(?P<url>(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:|www\.)[^<>\s]*)>")
_EMPHASIS = "*_ \t"
_AFTER_ANY_END = maxsize


def parse_markdown(text: str) -> ParsedArticle:
    """Parse a Markdown article; see the module docstring for the rules."""
    lines = LineTable(text)
    front, content_line = _front_matter(text, lines)
    in_code = _code_lines(text, lines, content_line)
    section = find_sources_section(
        text, lines, markdown_line_entries, stop_line=_ends_section, ignored_lines=in_code
    )
    head_end = section.start if section else len(text)

    title = front.get("title") or None
    date = parse_date(front["date"]) if front.get("date") else None
    body_from = lines.bounds(content_line)[0] if content_line < len(lines) else len(text)
    # Leading lines: an optional date line and an optional level-1 heading, in either order.
    index = content_line
    for _ in range(2):
        index = _skip_blank(text, lines, index)
        if index >= len(lines) or lines.bounds(index)[0] >= head_end:
            break
        start, end = lines.bounds(index)
        line = text[start:end]
        line_date = parse_date(line.strip(_EMPHASIS))
        if line_date is not None:
            date = date or line_date
            index += 1
            body_from = end + 1
            continue
        heading = _h1_at(text, lines, index)
        if heading is None:
            break
        heading_title, last_line = heading
        title = title or heading_title
        index = last_line + 1
        body_from = lines.bounds(last_line)[1] + 1
    if title is None:
        title = _first_h1(text, lines, content_line, head_end, in_code)
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


def markdown_line_entries(text: str, start: int, end: int) -> list[SourceSpan]:
    """Entries of one Markdown list line (see the module docstring)."""
    content = list_content_start(text, start, end)
    spans: list[SourceSpan] = []
    covered: list[tuple[int, int]] = []  # link constructs, kept sorted and disjoint
    for link_start, target_start, target_end, link_end in _inline_links(text, content, end):
        covered.append((link_start, link_end))
        if target_end > target_start:
            spans.append(SourceSpan(text[target_start:target_end], target_start))
    autolinks = []
    for match in _AUTOLINK.finditer(text, content, end):
        if not _inside(match.start(), covered):
            autolinks.append((match.start(), match.end()))
            spans.append(SourceSpan(match.group("url"), match.start("url")))
    covered = sorted(covered + autolinks)
    for offset, token in find_url_tokens(text, content, end):
        if not _inside(offset, covered):
            spans.append(SourceSpan(token, offset))
    if spans:
        spans.sort(key=lambda span: span.offset)
        return spans
    while end > content and text[end - 1].isspace():
        end -= 1
    return [SourceSpan(text[content:end], content)] if end > content else []


def _inline_links(text: str, start: int, end: int) -> list[tuple[int, int, int, int]]:
    """``(link_start, target_start, target_end, link_end)`` of each ``[text](target)``.

    The target runs to whitespace or to an unbalanced ``)``, as CommonMark
    reads link destinations, or is enclosed in ``<…>``. Linear: every scan
    moves forward.
    """
    links = []
    position = start
    while True:
        close = text.find("](", position, end)
        if close < 0:
            return links
        opening = text.rfind("[", position, close)
        cursor = close + 2
        while cursor < end and text[cursor] in " \t":
            cursor += 1
        if cursor < end and text[cursor] == "<":
            target_start = cursor + 1
            target_end = text.find(">", target_start, end)
            if target_end < 0:
                position = cursor
                continue
            cursor = target_end + 1
        else:
            target_start = cursor
            depth = 0
            while cursor < end:
                char = text[cursor]
                if char.isspace():
                    break
                if char == "\\":
                    cursor += 2
                    continue
                if char == "(":
                    depth += 1
                elif char == ")":
                    if depth == 0:
                        break
                    depth -= 1
                cursor += 1
            cursor = min(cursor, end)
            target_end = cursor
        closing = text.find(")", cursor, end)
        link_end = closing + 1 if closing >= 0 else cursor
        links.append((opening if opening >= 0 else close, target_start, target_end, link_end))
        position = link_end


def _inside(offset: int, spans: list[tuple[int, int]]) -> bool:
    """Whether ``offset`` lies in one of the sorted, disjoint ``spans`` (binary search)."""
    index = bisect_right(spans, (offset, _AFTER_ANY_END)) - 1
    return index >= 0 and spans[index][0] <= offset < spans[index][1]


def _front_matter(text: str, lines: LineTable) -> tuple[dict[str, str], int]:
    """Fields of a leading ``---`` block and the first line after it."""
    if not text.startswith("---") or text[: lines.bounds(0)[1]].strip() != "---":
        return {}, 0
    fields: dict[str, str] = {}
    for index in range(1, len(lines)):
        start, end = lines.bounds(index)
        line = text[start:end]
        if line.strip() in ("---", "..."):
            return fields, index + 1
        match = _FRONT_MATTER_FIELD.fullmatch(line)
        if match:
            value = match.group("value").strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            fields[match.group("key").lower()] = value
    return {}, 0  # no closing line: not front matter


def _code_lines(text: str, lines: LineTable, first: int) -> frozenset[int]:
    inside = False
    code: set[int] = set()
    for index in range(first, len(lines)):
        start, end = lines.bounds(index)
        fence = _FENCE.match(text, start, end) is not None
        if inside or fence:
            code.add(index)
        if fence:
            inside = not inside
    return frozenset(code)


def _ends_section(text: str, start: int, end: int) -> bool:
    return (
        _ATX_HEADING.match(text, start, end) is not None
        or _THEMATIC_BREAK.fullmatch(text, start, end) is not None
        or _FENCE.match(text, start, end) is not None
    )


def _skip_blank(text: str, lines: LineTable, index: int) -> int:
    while index < len(lines):
        start, end = lines.bounds(index)
        if text[start:end].strip():
            break
        index += 1
    return index


def _h1_at(text: str, lines: LineTable, index: int) -> tuple[str, int] | None:
    """``(title, last_line)`` when a level-1 heading starts at line ``index``."""
    start, end = lines.bounds(index)
    match = _ATX_H1.fullmatch(text, start, end)
    if match:
        return match.group("title"), index
    if index + 1 < len(lines) and text[start:end].strip():
        next_start, next_end = lines.bounds(index + 1)
        if _SETEXT_H1.fullmatch(text, next_start, next_end):
            return text[start:end].strip(), index + 1
    return None


def _first_h1(
    text: str, lines: LineTable, first: int, stop: int, in_code: frozenset[int]
) -> str | None:
    for index in range(first, len(lines)):
        if lines.bounds(index)[0] >= stop:
            break
        if index not in in_code and (heading := _h1_at(text, lines, index)):
            return heading[0]
    return None
