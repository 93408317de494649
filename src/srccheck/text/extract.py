"""Main-text extraction from a retrieved HTML page (no I/O).

Rules applied by :func:`extract_page_text`:

* **Metadata first.** JSON-LD (``<script type="application/ld+json">``,
  including objects inside ``@graph`` arrays and lists) gives ``articleBody``,
  ``headline``, ``datePublished``, ``dateModified`` and the paywall flag
  (``isAccessibleForFree`` false as a bool or the strings "False"/"false",
  on the object itself or on a ``hasPart`` entry). Meta tags
  (``og:title``, ``article:published_time`` …) and ``<title>`` fill the gaps.
* **Searchable text** (``full_text``): every visible text of the body. Only
  what a reader never sees is dropped: script, style, noscript, template,
  iframe, svg, object, embed and elements with the ``hidden`` attribute.
  Claims are matched against it, so an article is never lost to a rule;
  a match found only here is reported as outside the main region
  (``text_part: fallback``).
* **Boilerplate only demotes.** For the main text, page furniture is
  removed: nav, header, footer, aside, form, button, dialog, select,
  ``aria-hidden="true"`` and navigation roles, and elements whose class or
  id names a cookie/consent banner, a "related articles"/teaser/
  recommendation block, a share bar or an advert. No such rule removes a
  block that holds more than half of the page's paragraph text (and at
  least ``MIN_PROTECTED_PROSE`` characters of it): ``<article class="post
  tag-social-media">`` and a ``<form>`` wrapping a whole ASP.NET page keep
  their text; their own boilerplate children are judged one by one.
  ``<html>``, ``<body>`` and ``<main>`` are never removed for their class.
* **Main text** (``main_text``), in order of preference: JSON-LD
  ``articleBody`` (the longest one), the longest ``<article>``, ``<main>``
  (or ``[role=main]``), the whole ``<body>``, each without the furniture;
  :attr:`PageText.source` says which.
* Block elements (p, div, li, h1–h6, br, tr, header, nav …) become line breaks, so
  sentences from different blocks never run together.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from srccheck.text.jsonld import is_false, jsonld_values

__all__ = [
    "MAX_BOILERPLATE_SHARE",
    "MIN_PROTECTED_PROSE",
    "MIN_REGION_SHARE",
    "PageText",
    "TextSource",
    "extract_page_text",
    "plain_page_text",
    "visible_page_text",
]


class TextSource(StrEnum):
    """Where :attr:`PageText.main_text` was taken from."""

    JSONLD = "jsonld"
    ARTICLE = "article"
    MAIN = "main"
    BODY = "body"
    PLAIN = "plain"  # the page was not HTML (text/plain)


@dataclass(frozen=True, slots=True)
class PageText:
    """The text of one retrieved page, ready for claim matching."""

    main_text: str  # the main region without page furniture (see ``source``)
    full_text: str  # every visible text of the page: what claims are searched in
    source: TextSource
    title: str | None = None
    published: dt.datetime | None = None
    modified: dt.datetime | None = None
    paywalled: bool = False
    lang: str | None = None  # the <html lang> value, lower-cased
    url: str | None = None


# Never visible: dropped before any text is taken.
_INVISIBLE_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "svg",
    "object",
    "embed",
)
# Page furniture: dropped from the main text only (see _remove_boilerplate).
_FURNITURE_TAGS = frozenset(
    {"nav", "header", "footer", "aside", "form", "button", "dialog", "select"}
)
#: A block holding more than this share of the page's prose is never removed as
#: boilerplate, whatever its tag, class or id say (``<article class="tag-social">``).
MAX_BOILERPLATE_SHARE = 0.5
#: ... provided it holds at least this many characters of paragraph text (a
#: teaser block on a near-empty page is still a teaser).
MIN_PROTECTED_PROSE = 400
#: A main-region candidate (JSON-LD articleBody, ``<article>``, ``<main>``)
#: holding less than this share of the page's text (furniture removed) is a
#: teaser or a summary, and the next candidate is tried.
MIN_REGION_SHARE = 0.2
_PROTECTED_TAGS = frozenset({"html", "body", "main"})
# Matched against the class tokens and the id (joined by spaces), at token,
# - and _ boundaries.
_BOILERPLATE = re.compile(
    r"(?:^|[-_\s])(?:cookies?|consent|gdpr|cmp|banner|related|teasers?|recommend\w*|"
    r"more-articles|moreArticles|read-?more|newsletter|share|sharing|social|promo|"
    r"ad|ads|advert\w*|outbrain|taboola|sidebar|breadcrumbs?|comments?|popup|modal|"
    r"subscribe|paywall-?prompt)(?:[-_\s]|$)",
    re.IGNORECASE,
)
# A CSS pre-filter for _is_boilerplate, run by lexbor in C: every element the
# rules could remove matches it (a substring of each word above), most others don't.
_BOILERPLATE_WORDS = (
    "cookie", "consent", "gdpr", "cmp", "banner", "related", "teaser", "recommend",
    "morearticles", "more-articles", "read", "newsletter", "shar", "social", "promo", "ad",
    "outbrain", "taboola", "sidebar", "breadcrumb", "comment", "popup", "modal", "subscribe",
    "paywall",
)  # fmt: skip
_CANDIDATES = ",".join(
    [
        *sorted(_FURNITURE_TAGS),
        "[aria-hidden]",
        "[role]",
        *(f'[{attr}*="{word}" i]' for word in _BOILERPLATE_WORDS for attr in ("class", "id")),
    ]
)
_NAV_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "dialog", "alert"})
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "blockquote", "br", "caption", "dd", "details", "div", "dl",
        "dt", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "main",
        "ol", "p", "pre", "section", "summary", "table", "td", "th", "tr", "ul", "body",
        "header", "footer", "nav", "aside", "form", "dialog", "fieldset", "legend", "menu",
        "hgroup", "option", "search", "center", "noframes",
    }
)  # fmt: skip
_PARAGRAPH_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "li"})
# Every character ``str.isspace`` accepts except space and newline (all below
# U+3001); ``\r`` is listed apart because it is dropped, not turned into a space.
_ODD_SPACES = "".join(c for c in map(chr, range(0x3001)) if c.isspace() and c not in " \n\r")
_MANY_BREAKS = re.compile(r"\n\n\n+")


def extract_page_text(html_text: str, url: str | None = None) -> PageText:
    """Extract the main text, title, dates and paywall flag of an HTML page.

    ``html_text`` is the decoded page (``Page.text``); ``url`` is only
    recorded. The rules are listed in the module docstring.
    """
    tree = LexborHTMLParser(html_text)
    meta = _jsonld_meta(tree)
    title = meta.title or _meta_content(tree, "og:title", "twitter:title") or _title(tree)
    published = meta.published or _parse_date(
        _meta_content(tree, "article:published_time", "date", "dc.date", "pubdate")
        or _itemprop_date(tree, "datePublished")
    )
    modified = meta.modified or _parse_date(
        _meta_content(tree, "article:modified_time", "last-modified")
        or _itemprop_date(tree, "dateModified")
    )
    html_node = tree.css_first("html")
    lang = (html_node.attributes.get("lang") or "").strip().lower() if html_node else ""

    _remove_invisible(tree)
    body = tree.body or tree.root
    full_text = _block_text(body) if body is not None else ""
    _remove_boilerplate(tree)

    main_text, source = _main_region_text(tree, meta.article_body)

    return PageText(
        main_text=main_text,
        full_text=full_text,
        source=source,
        title=title.strip() if title else None,
        published=published,
        modified=modified,
        paywalled=meta.paywalled,
        lang=lang or None,
        url=url,
    )


def plain_page_text(text: str, url: str | None = None) -> PageText:
    """A :class:`PageText` for a non-HTML textual page (``text/plain``)."""
    return PageText(main_text=text, full_text=text, source=TextSource.PLAIN, url=url)


def visible_page_text(html_text: str) -> str:
    """All the text a reader can see on an HTML page, boilerplate included: the
    :attr:`PageText.full_text` of :func:`extract_page_text`, without the rest.

    Only what is never rendered is dropped; navigation, asides and teasers stay,
    since a text fragment (``#:~:text=``) may point anywhere on the page.
    """
    tree = LexborHTMLParser(html_text)
    _remove_invisible(tree)
    body = tree.body or tree.root
    return _block_text(body) if body is not None else ""


# -- JSON-LD -----------------------------------------------------------------


@dataclass(slots=True)
class _JsonLdMeta:
    article_body: str | None = None
    title: str | None = None
    published: dt.datetime | None = None
    modified: dt.datetime | None = None
    paywalled: bool = False


def _jsonld_objects(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, list):
        for item in value:
            yield from _jsonld_objects(item)
    elif isinstance(value, dict):
        yield value
        graph = value.get("@graph")
        if graph is not None:
            yield from _jsonld_objects(graph)


def _jsonld_meta(tree: LexborHTMLParser) -> _JsonLdMeta:
    meta = _JsonLdMeta()
    for data in jsonld_values(tree):
        for obj in _jsonld_objects(data):
            body = obj.get("articleBody")
            if isinstance(body, str) and len(body.strip()) > len(meta.article_body or ""):
                meta.article_body = _clean_jsonld_text(body)
                meta.title = meta.title or _str_or_none(obj.get("headline"))
                meta.published = meta.published or _parse_date(obj.get("datePublished"))
                meta.modified = meta.modified or _parse_date(obj.get("dateModified"))
            elif _str_or_none(obj.get("headline")) and "datePublished" in obj:
                meta.title = meta.title or _str_or_none(obj.get("headline"))
                meta.published = meta.published or _parse_date(obj.get("datePublished"))
                meta.modified = meta.modified or _parse_date(obj.get("dateModified"))
            if is_false(obj.get("isAccessibleForFree")):
                meta.paywalled = True
            parts = obj.get("hasPart")
            for part in _jsonld_objects(parts) if parts is not None else ():
                if is_false(part.get("isAccessibleForFree")):
                    meta.paywalled = True
    return meta


def _clean_jsonld_text(body: str) -> str:
    body = html.unescape(body)
    if "<" in body and ">" in body:  # some publishers put markup in articleBody
        node = LexborHTMLParser(body).body
        body = _block_text(node) if node is not None else body
    return _tidy(body)


def _str_or_none(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _parse_date(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        pass
    m = re.match(r"\d{4}-\d{2}-\d{2}", text)
    if m:
        try:
            return dt.datetime.fromisoformat(m.group(0))
        except ValueError:
            return None
    return None


# -- meta tags -------------------------------------------------------------------


def _meta_content(tree: LexborHTMLParser, *keys: str) -> str | None:
    for key in keys:
        for attr in ("property", "name", "itemprop"):
            node = tree.css_first(f'meta[{attr}="{key}"]')
            if node is not None:
                content = _str_or_none(node.attributes.get("content"))
                if content:
                    return content
    return None


def _itemprop_date(tree: LexborHTMLParser, prop: str) -> str | None:
    node = tree.css_first(f'[itemprop="{prop}"]')
    if node is None:
        return None
    return _str_or_none(node.attributes.get("datetime") or node.attributes.get("content"))


def _title(tree: LexborHTMLParser) -> str | None:
    node = tree.css_first("title")
    return _str_or_none(node.text()) if node is not None else None


# -- boilerplate and block text ------------------------------------------------------


def _is_boilerplate(node: LexborNode) -> bool:
    attrs = node.attributes
    if (attrs.get("aria-hidden") or "").lower() == "true":
        return True
    if (attrs.get("role") or "").lower() in _NAV_ROLES:
        return True
    if node.tag in _PROTECTED_TAGS:
        return False
    if node.tag in _FURNITURE_TAGS:
        return True
    names = f"{attrs.get('class') or ''} {attrs.get('id') or ''}".strip()
    return bool(names) and _BOILERPLATE.search(names) is not None


def _remove_invisible(tree: LexborHTMLParser) -> None:
    """Drop what a reader never sees: scripts, styles, templates … and ``hidden`` elements."""
    for node in tree.css(",".join(_INVISIBLE_TAGS)):
        node.decompose()
    if tree.body is not None:
        for node in tree.body.css("[hidden]"):
            node.decompose()


def _prose(node: LexborNode) -> int:
    """Characters of paragraph text under ``node`` (its own text when it has no paragraphs)."""
    paragraphs = node.css("p") if node.tag != "p" else [node]
    total = sum(len(p.text(deep=True, separator=" ").strip()) for p in paragraphs)
    return total or len(node.text(deep=True, separator=" ").strip()) // 4


def _remove_boilerplate(tree: LexborHTMLParser) -> None:
    """Remove page furniture, except a block that holds most of the page's prose.

    A block goes when its tag is furniture (nav, header, footer, aside, form
    …), its role is navigation-like, it is ``aria-hidden``, or a class token
    or its id names a boilerplate block. It stays when it holds more than
    ``MAX_BOILERPLATE_SHARE`` of the body's paragraph text, and at least
    ``MIN_PROTECTED_PROSE`` characters of it: a rule may demote text, never
    delete the article (``<article class="tag-social-media">``, a ``<form>``
    wrapping a whole ASP.NET page).
    """
    body = tree.body
    if body is None:
        return
    doomed = [n for n in body.css(_CANDIDATES) if _is_boilerplate(n)]
    if not doomed:
        return
    page_prose = _prose(body)
    floor = max(MAX_BOILERPLATE_SHARE * page_prose, MIN_PROTECTED_PROSE)
    # Judged on the page as it is, before anything is removed ...
    kept = {
        n.mem_id
        for n in doomed
        if page_prose > MIN_PROTECTED_PROSE
        and len(n.text(deep=True)) > floor  # bounds the prose from above, in C
        and _prose(n) > floor
    }
    # ... then removed innermost first (reverse document order): a node goes
    # before its ancestors, so none is touched after its memory was freed.
    for node in reversed(doomed):
        if node.mem_id not in kept:
            node.decompose()


def _block_text(root: LexborNode) -> str:
    """The visible text under ``root``, block elements separated by line breaks."""
    out: list[str] = []
    # Iterative walk: deeply nested pages must not hit the recursion limit.
    stack: list[tuple[LexborNode, bool]] = [(root, False)]
    while stack:
        node, closing = stack.pop()
        tag = node.tag
        if closing:
            out.append("\n\n" if tag in _PARAGRAPH_TAGS else "\n")
            continue
        if node.is_text_node:
            out.append(node.text_content or "")
            continue
        if not node.is_element_node and not node.is_document_node:
            continue  # comments
        if tag == "br":
            out.append("\n")
            continue
        if tag in ("td", "th"):
            out.append(" ")
        if tag in _BLOCK_TAGS:
            out.append("\n")
            stack.append((node, True))
        children = list(node.iter(include_text=True))
        stack.extend((child, False) for child in reversed(children))
    return _tidy("".join(out))


def _tidy(text: str) -> str:
    """Runs of spaces and tabs become one space, lines are stripped, more than two
    line breaks in a row become two, ``\r`` is dropped.

    Written with ``str.replace`` rather than one regex over ``[^\\S\\n]``: the
    regex engine tests that class at every position (about 30 ns a character),
    while each replace is a C scan and most pages hold few odd spaces.
    """
    text = text.replace("\r", "")
    for space in _ODD_SPACES:
        if space in text:
            text = text.replace(space, " ")
    while "  " in text:
        text = text.replace("  ", " ")
    if " \n" in text:
        text = text.replace(" \n", "\n")
    if "\n " in text:
        text = text.replace("\n ", "\n")
    return _MANY_BREAKS.sub("\n\n", text).strip()


def _main_region_text(tree: LexborHTMLParser, jsonld_body: str | None) -> tuple[str, TextSource]:
    """The first region that is not a mere teaser of the page: JSON-LD articleBody,
    the longest ``<article>``, ``<main>``/``[role=main]``, else the body."""
    body = tree.body or tree.root
    # Stripped text-node lengths: a C-level measure, the same for every candidate.
    floor = MIN_REGION_SHARE * len(body.text(deep=True, strip=True)) if body is not None else 0
    if jsonld_body and len(jsonld_body) >= floor:
        return jsonld_body, TextSource.JSONLD
    articles = tree.css("article")
    if articles:
        longest = max(articles, key=lambda node: len(node.text(deep=True, strip=True)))
        if len(longest.text(deep=True, strip=True)) >= floor:
            text = _block_text(longest)
            if text:
                return text, TextSource.ARTICLE
    for selector in ("main", '[role="main"]'):
        node = tree.css_first(selector)
        if node is not None and len(node.text(deep=True, strip=True)) >= floor:
            text = _block_text(node)
            if text:
                return text, TextSource.MAIN
    return (_block_text(body) if body is not None else ""), TextSource.BODY
