"""HTML articles, parsed with selectolax (lexbor).

Rules:

* title: the ``<h1>`` of the ``<article>``, else ``<title>``, else any ``<h1>``
  (whitespace collapsed, otherwise as given);
* date: ``meta[property=article:published_time]``, ``meta[name=date]``, then
  the first ``<time datetime>`` in the article. The meta tags come first: they
  state the publication date, while a ``<time>`` may date an update or an event;
* sources heading: an ``h2``–``h6``, ``strong``, ``b``, ``p``, ``dt`` or
  ``th`` whose whole text is one of the source headings (a trailing colon
  allowed); the last one followed by links wins;
* sources: every ``<a href>`` after the heading inside the heading's nearest
  container (``article``, ``section``, ``main``, ``aside``, ``footer``,
  ``div``, ``details``, ``body``) up to the next heading of the same or a
  higher level (any ``h1``–``h6`` for a ``strong``/``p`` heading), plus bare
  URLs written as text in that range. Links inside the heading itself
  (anchors) are not sources;
* body: the text of ``<article>`` (else ``<main>``, else ``<body>``) before the
  sources heading, without the title, scripts, styles and navigation; one
  paragraph per block element. It is not a slice of the file
  (``body_start`` is -1);
* positions: selectolax gives none, so each link's ``href`` value is found in
  the raw file by walking the file's ``<a … href=…>`` attributes in document
  order. ``raw`` is the attribute as written (``&amp;`` and all); the URL is
  normalised from the decoded value. A bare text URL whose written form cannot
  be found (e.g. written with character references) keeps the position of the
  link before it.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator

from selectolax.lexbor import LexborHTMLParser, LexborNode

from srccheck.articles.dates import parse_date
from srccheck.articles.model import ParsedArticle, SourceSpan
from srccheck.articles.sections import SOURCE_HEADINGS
from srccheck.articles.urls import find_url_tokens

__all__ = ["parse_html"]

_HEADING_TAGS = "h2, h3, h4, h5, h6, strong, b, p, dt, th"
_HEADING_NAMES = frozenset(name.lower() for name in SOURCE_HEADINGS)
_CONTAINERS = frozenset({"article", "section", "main", "aside", "footer", "div", "details",
                         "body"})
_LEVELS = {f"h{level}": level for level in range(1, 7)}
_SKIPPED = frozenset({"script", "style", "noscript", "template", "nav", "header", "footer",
                      "head", "title", "svg", "button", "form"})
_BLOCKS = frozenset({"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
                     "td", "th", "dd", "dt", "figcaption", "section", "article", "main", "body",
                     "tr", "table", "ul", "ol", "dl", "aside", "br"})
_LOOKAHEAD = 64  # raw href attributes searched per link; keeps odd files linear
_HREF = re.compile(
    r"""<a\b[^>]*?\bhref\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<uq>[^\s"'>]+))""",
    re.IGNORECASE,
)


def parse_html(text: str) -> ParsedArticle:
    """Parse an HTML article; see the module docstring for the rules."""
    tree = LexborHTMLParser(text)
    article = tree.css_first("article")
    container = article or tree.css_first("main") or tree.body or tree.root
    title_node = (article.css_first("h1") if article else None) or tree.css_first("title")
    title_node = title_node or tree.css_first("h1")
    title = _collapse(title_node.text(deep=True)) if title_node else None

    link_positions = _link_positions(text, tree)
    heading, spans = None, []
    candidates = [node for node in tree.css(_HEADING_TAGS) if _is_sources_heading(node)]
    for candidate in reversed(candidates):
        spans = _section_spans(text, candidate, link_positions)
        if spans:
            heading = candidate
            break
    if heading is None and candidates:
        heading = candidates[-1]
    body = _body_text(container, stop=heading, title=title_node)
    return ParsedArticle(
        date=_date(tree, article),
        title=title or None,
        body=body,
        body_start=-1,
        spans=tuple(spans),
        sources_heading=_heading_name(heading) if heading is not None else None,
    )


def _collapse(value: str) -> str:
    return " ".join(value.split())


def _heading_name(node: LexborNode) -> str:
    return _collapse(node.text(deep=True)).rstrip(": ")


def _is_sources_heading(node: LexborNode) -> bool:
    label = _heading_name(node)
    return len(label) <= 20 and label.lower() in _HEADING_NAMES


def _date(tree: LexborHTMLParser, article: LexborNode | None) -> dt.date | None:
    selectors = ('meta[property="article:published_time"]', 'meta[name="date"]')
    for selector in selectors:
        node = tree.css_first(selector)
        if node is not None and (found := parse_date(node.attributes.get("content") or "")):
            return found
    for node in (article or tree.root).css("time[datetime]"):
        if found := parse_date(node.attributes.get("datetime") or ""):
            return found
    return None


def _link_positions(text: str, tree: LexborHTMLParser) -> dict[int, SourceSpan]:
    """Each ``<a href>`` node (by ``mem_id``) → its href as written and where.

    Walks the links selectolax found and the ``href`` attributes in the raw
    file side by side, both in document order; a raw attribute whose decoded
    value differs (inside a comment, or a parser-repaired tag) is skipped. A
    link not found within :data:`_LOOKAHEAD` raw attributes keeps its decoded
    value and the position of the link before it, so it is still reported.
    """
    raw_links = list(_HREF.finditer(text))
    positions: dict[int, SourceSpan] = {}
    cursor = 0
    last_offset = 0
    for node in tree.css("a[href]"):
        href = (node.attributes.get("href") or "").strip()
        span = None
        for index in range(cursor, min(cursor + _LOOKAHEAD, len(raw_links))):
            match = raw_links[index]
            group = match.lastgroup or "uq"
            raw = match.group(group)
            if html.unescape(raw).strip() == href:
                # Positions point at the value without the spaces around it.
                lead = len(raw) - len(raw.lstrip())
                value = raw.strip()
                decoded = html.unescape(value)
                offset = match.start(group) + lead
                span = SourceSpan(value, offset, decoded if decoded != value else None)
                cursor, last_offset = index + 1, offset
                break
        positions[node.mem_id] = span or SourceSpan(href, last_offset)
    return positions


def _section_spans(
    text: str, heading: LexborNode, link_positions: dict[int, SourceSpan]
) -> list[SourceSpan]:
    scope = heading.parent
    while scope is not None and scope.tag not in _CONTAINERS:
        scope = scope.parent
    if scope is None:
        return []
    level = _LEVELS.get(heading.tag or "", 6)
    inside_heading = {node.mem_id for node in heading.traverse(include_text=True)}
    spans: list[SourceSpan] = []
    started = False
    cursor = 0  # raw offset of the last link seen, to place bare text URLs
    for node in scope.traverse(include_text=True):
        tag = node.tag
        if tag == "a" and node.mem_id in link_positions:
            span = link_positions[node.mem_id]
            cursor = span.offset
            if started and node.mem_id not in inside_heading:
                spans.append(span)
            continue
        if node.mem_id == heading.mem_id:
            started = True
            continue
        if not started or node.mem_id in inside_heading:
            continue
        if tag in _LEVELS and _LEVELS[tag] <= level:
            break
        if tag == "-text" and not _has_ancestor(node, scope, {"a", *_SKIPPED}):
            for token in _text_tokens(node.text_content or ""):
                span, cursor = _locate_text_token(text, token, cursor)
                spans.append(span)
    return spans


def _text_tokens(value: str) -> Iterator[str]:
    for _, token in find_url_tokens(value):
        yield token


def _locate_text_token(text: str, token: str, cursor: int) -> tuple[SourceSpan, int]:
    escaped = html.escape(token, quote=False)
    for written in (token, escaped):
        found = text.find(written, cursor)
        if found >= 0:
            return SourceSpan(written, found, token if written != token else None), found + 1
    return SourceSpan(token, cursor), cursor


def _has_ancestor(node: LexborNode, stop: LexborNode, tags: set[str]) -> bool:
    parent = node.parent
    while parent is not None and parent.mem_id != stop.mem_id:
        if parent.tag in tags:
            return True
        parent = parent.parent
    return False


def _body_text(container: LexborNode, *, stop: LexborNode | None, title: LexborNode | None) -> str:
    """Text of ``container`` before ``stop``, one paragraph per block element."""
    skipped = set(_SKIPPED)
    title_ids = {node.mem_id for node in title.traverse(include_text=True)} if title else set()
    paragraphs: list[str] = []
    current: list[str] = []
    current_block = None
    for node in container.traverse(include_text=True):
        if stop is not None and node.mem_id == stop.mem_id:
            break
        if node.tag != "-text" or node.mem_id in title_ids:
            continue
        if _has_ancestor(node, container, skipped):
            continue
        block = _block_of(node, container)
        if block != current_block:
            _flush(current, paragraphs)
            current, current_block = [], block
        current.append(node.text_content or "")
    _flush(current, paragraphs)
    return "\n\n".join(paragraphs)


def _block_of(node: LexborNode, container: LexborNode) -> int:
    parent = node.parent
    while parent is not None and parent.mem_id != container.mem_id:
        if parent.tag in _BLOCKS:
            return parent.mem_id
        parent = parent.parent
    return container.mem_id


def _flush(pieces: list[str], paragraphs: list[str]) -> None:
    paragraph = _collapse("".join(pieces))
    if paragraph:
        paragraphs.append(paragraph)
