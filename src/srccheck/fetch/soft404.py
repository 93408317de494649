"""Soft 404s: a 2xx answer that is really a "page not found".

:func:`soft404_signals` is the pure decision rule; every signal it returns is
decisive on its own, and all that fired are reported in ``LinkCheck.signals``:

* ``soft404:redirect-to-root`` — a deep path (anything but ``/``) was
  redirected to a site root (``/``, ``/index.html``, ``/de/`` …);
* ``soft404:redirect-to-error`` — … or to a generic error or search page
  (``/404``, ``/error``, ``/fehler``, ``/not-found``, ``/suche?q=…``);
* ``soft404:title`` / ``soft404:heading`` — the ``<title>`` or an ``<h1>``
  says "not found" in English or German ("Seite nicht gefunden",
  "Page not found", "Fehler 404", "Diese Seite existiert nicht" …);
* ``soft404:probe`` — the classic probe: the same host's answer for a random,
  certainly-missing path was also 2xx, and its visible text is at least
  :data:`PROBE_SIMILARITY` (rapidfuzz ``ratio``, 0–100) similar to the
  source's, after each text is cleared of its own URL, path and last path
  segment (templates echo "we found nothing for /…"). A page near-identical
  to the host's missing-page answer is that answer.

The probe costs one request per host and run, so it is made only when it can
change the verdict: the source answered 2xx with HTML, no other signal fired,
and the source path is not the root (a cited home page is, by design,
identical to a "redirect everything home" answer).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from rapidfuzz import fuzz
from selectolax.lexbor import LexborHTMLParser

__all__ = [
    "PROBE_SIMILARITY",
    "PROBE_TEXT_CHARS",
    "Soft404Evidence",
    "describe_soft404",
    "is_deep_path",
    "page_headings",
    "probe_url",
    "soft404_signals",
    "text_similarity",
    "tree_headings",
    "visible_text",
    "without_echo",
]

#: Minimum rapidfuzz ``ratio`` (0–100) between the source's and the probe's
#: visible text for ``soft404:probe``. Two different articles on one site share
#: navigation and footer but rarely more than ~70; the same template with a
#: different echoed path scores well above 95.
PROBE_SIMILARITY = 90.0
#: Visible text compared, from the start; bounds the cost of the comparison.
PROBE_TEXT_CHARS = 20_000

_NOT_FOUND = re.compile(
    r"seite\s+(?:wurde\s+)?nicht\s+gefunden|seite\s+konnte\s+nicht\s+gefunden|"
    r"(?:diese\s+)?seite\s+existiert\s+(?:nicht|leider\s+nicht|nicht\s+mehr)|"
    r"seite\s+ist\s+nicht\s+(?:mehr\s+)?verfügbar|fehler\s*404|fehlerseite|"
    r"page\s+(?:was\s+)?not\s+found|page\s+(?:does\s+not|doesn't|cannot\s+be\s+found)|"
    r"(?:error|err)\s*:?\s*404|\b404\b\s*[-–—:|]?\s*(?:not\s+found|nicht\s+gefunden)|"
    r"^\s*404\b|^\s*not\s+found\s*$|nicht\s+gefunden\s*$|"
    r"the\s+page\s+you\s+(?:requested|are\s+looking\s+for)\s+(?:could\s+not|cannot|does)",
    re.IGNORECASE,
)
_ROOT_PATH = re.compile(
    r"^/?(?:[a-z]{2}(?:[-_][a-z]{2})?/)?(?:index\.(?:html?|php|aspx?)|home/?|start/?)?$",
    re.IGNORECASE,
)
_ERROR_PATH = re.compile(
    r"(?:^|/)(?:404|410|error|errors|fehler|not-?found|notfound|page-?not-?found|"
    r"seite-nicht-gefunden|search|suche)(?:\.\w+)?/?$",
    re.IGNORECASE,
)
_DROP = "script, style, noscript, template, svg"
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Soft404Evidence:
    """What the rule looks at for one 2xx answer.

    ``probe_similarity`` is ``None`` when no probe was made (or the probe was
    not answered with 2xx), else the rapidfuzz ratio 0–100.
    """

    requested_url: str
    final_url: str
    redirected: bool
    title: str | None = None
    headings: tuple[str, ...] = ()
    probe_similarity: float | None = None


def is_deep_path(url: str) -> bool:
    """True when ``url`` names more than a site root (a path other than ``/``, or a query)."""
    parts = urlsplit(url)
    return not _ROOT_PATH.match(parts.path or "/") or bool(parts.query)


def soft404_signals(evidence: Soft404Evidence) -> tuple[str, ...]:
    """The soft-404 signals that fired for a 2xx answer (empty: a real page).

    Rules as in the module docstring; a redirect counts only when it started at
    a deep path.
    """
    signals: list[str] = []
    if evidence.redirected and is_deep_path(evidence.requested_url):
        final = urlsplit(evidence.final_url)
        if not is_deep_path(evidence.final_url):
            signals.append("soft404:redirect-to-root")
        elif _ERROR_PATH.search(final.path):
            signals.append("soft404:redirect-to-error")
    if evidence.title and _NOT_FOUND.search(evidence.title):
        signals.append("soft404:title")
    if any(_NOT_FOUND.search(heading) for heading in evidence.headings):
        signals.append("soft404:heading")
    if evidence.probe_similarity is not None and evidence.probe_similarity >= PROBE_SIMILARITY:
        signals.append("soft404:probe")
    return tuple(signals)


def describe_soft404(signals: tuple[str, ...], http_status: int) -> str:
    """The ``soft_404`` reason, naming the evidence."""
    words = {
        "soft404:redirect-to-root": "redirected from a deep link to the site's home page",
        "soft404:redirect-to-error": "redirected to a generic error or search page",
        "soft404:title": "the title says 'not found'",
        "soft404:heading": "the main heading says 'not found'",
        "soft404:probe": "the page matches this site's answer for a missing page",
    }
    because = "; ".join(words.get(signal, signal) for signal in signals)
    return f"HTTP {http_status}, but a 'not found' page: {because}"


def page_headings(html: str) -> tuple[str, ...]:
    """The texts of the page's ``<h1>`` elements, whitespace collapsed."""
    return tree_headings(LexborHTMLParser(html))


def tree_headings(tree: LexborHTMLParser) -> tuple[str, ...]:
    """:func:`page_headings` of an already parsed page (``tree`` is only read)."""
    texts = (_SPACES.sub(" ", node.text(deep=True)).strip() for node in tree.css("h1"))
    return tuple(text for text in texts if text)


def visible_text(html: str) -> str:
    """The page's visible body text (scripts and styles dropped), whitespace collapsed, capped."""
    tree = LexborHTMLParser(html)
    for node in tree.css(_DROP):
        node.decompose()
    root = tree.body or tree.root
    text = root.text(deep=True, separator=" ") if root is not None else ""
    return _SPACES.sub(" ", text).strip()[:PROBE_TEXT_CHARS]


def without_echo(text: str, url: str) -> str:
    """``text`` without the URL, its path and its last path segment (as echoed by templates)."""
    parts = urlsplit(url)
    segment = parts.path.rstrip("/").rsplit("/", 1)[-1]
    for echo in sorted(
        {url, parts.path, unquote(parts.path), segment, unquote(segment)}, key=len, reverse=True
    ):
        if len(echo) > 1:
            text = text.replace(echo, "")
    return _SPACES.sub(" ", text).strip()


def text_similarity(a: str, b: str) -> float:
    """rapidfuzz ``ratio`` of two visible texts (0–100); two empty texts are identical."""
    if not a and not b:
        return 100.0
    return float(fuzz.ratio(a, b))


def probe_url(origin: str) -> str:
    """A random path on ``origin`` (``scheme://host[:port]``) that no real site serves."""
    return f"{origin}/srccheck-missing-{secrets.token_hex(12)}"
