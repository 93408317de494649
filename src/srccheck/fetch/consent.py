"""Consent walls: a cookie or consent page answering in place of the cited page.

Many European publishers send a client without a consent cookie to a consent
page (zeit.de: ``/zustimmung?url=…``) or answer with a consent manager's
dialog and no article. Such an answer says nothing about the cited page: the
source is ``consent_wall`` (outcome *unverifiable*), never ``ok`` or
``redirected``, and claims are not checked against its text.

:func:`consent_wall_signals` is a pure rule over what a 2xx HTML answer shows
(:class:`ConsentEvidence`). Precision first: a real article that merely loads
a consent manager's script next to its text is a page, not a wall.

* ``consent:redirect`` — decisive on its own: the chain was redirected from
  another path to a consent path (a path segment ``zustimmung``, ``consent``,
  ``privacy-gate``, ``cookie-consent``, ``cookiewall``, ``collectConsent``,
  ``einwilligung`` …) or to a consent host (``consent.*``, ``guce.*``,
  ``myprivacy.*``, as Google, Yahoo and DPG Media use).
* On the answering page itself, a wall needs *both* of:

  - a consent marker: a consent manager's markup or script (each adds a
    ``consent:<vendor>`` signal — SourcePoint ``sp_message_container_…`` /
    ``privacy-mgmt.com``, OneTrust ``onetrust-consent-sdk`` /
    ``cookielaw.org``, Usercentrics ``usercentrics-root`` /
    ``usercentrics.eu``, Didomi ``didomi-host`` / ``privacy-center.org``,
    Quantcast ``qc-cmp2-…`` / ``quantcast``, consentmanager ``cmpbox`` /
    ``consentmanager.net``, Cookiebot ``CybotCookiebotDialog``, TrustArc
    ``truste-consent-…``), or a title that names consent ("Zustimmung",
    "Cookie-Einstellungen", "Before you continue", "Privacy settings" … →
    ``consent:title``);
  - little text: fewer than :data:`WALL_PROSE_CHARS` characters of prose
    (paragraphs of at least :data:`SENTENCE_CHARS` characters, outside the
    consent manager's own containers) and no JSON-LD ``articleBody`` of that
    length. An article page has thousands.

When the page rule fires, ``consent:little-text`` is added to its markers, so
the report shows why a page with a consent script was taken for a wall.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from srccheck.text.jsonld import jsonld_values

__all__ = [
    "NO_MARKERS",
    "SENTENCE_CHARS",
    "WALL_PROSE_CHARS",
    "ConsentEvidence",
    "ConsentMarkup",
    "consent_wall_signals",
    "describe_consent_wall",
    "is_consent_url",
    "page_consent_markup",
    "tree_consent_markup",
]

#: Prose (characters in paragraphs outside consent containers) below which a page
#: with a consent marker is the consent dialog rather than an article with a banner.
WALL_PROSE_CHARS = 600
#: Shortest paragraph counted as prose (button labels and menu entries are shorter).
SENTENCE_CHARS = 40

_CONSENT_SEGMENT = re.compile(
    r"^(?:zustimmung|einwilligung|consent|cookie-?consent|consent-?wall|cookie-?wall|"
    r"cookiewall|privacy-?gate|privacy-?consent|gdpr-?consent|collectconsent|"
    r"consent-?management|datenschutz-?einwilligung)(?:\.\w+)?$",
    re.IGNORECASE,
)
_CONSENT_HOST = re.compile(r"^(?:consent|guce|myprivacy|cmp)\.", re.IGNORECASE)

# (signal, id/class pattern, script/iframe source pattern)
_VENDORS: tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (signal, re.compile(markup, re.IGNORECASE), re.compile(source, re.IGNORECASE))
    for signal, markup, source in (
        ("consent:sourcepoint", r"^sp_message_(?:container|iframe)_", r"privacy-mgmt\.com|"
         r"sourcepoint|/wrapperMessagingWithoutDetection\.js"),
        ("consent:onetrust", r"^onetrust-(?:consent-sdk|banner-sdk|pc-sdk)$",
         r"cookielaw\.org|onetrust\.com|otSDKStub"),
        ("consent:usercentrics", r"^usercentrics-(?:root|cmp-ui)$", r"usercentrics\.eu"),
        ("consent:didomi", r"^didomi-(?:host|popup|notice)$", r"privacy-center\.org|didomi"),
        ("consent:quantcast", r"^qc-cmp2-(?:container|ui|main)$", r"quantcast\.(?:mgr\.)?"
         r"consensu\.org|cmp\.quantcast\.com|choice\.js"),
        ("consent:consentmanager", r"^cmpbox2?$|^cmpwrapper$", r"consentmanager\.(?:net|de)"),
        ("consent:cookiebot", r"^CybotCookiebotDialog", r"consent\.cookiebot\.com"),
        ("consent:trustarc", r"^truste-consent-(?:track|content|banner)$",
         r"consent\.trustarc\.com|truste\.com"),
    )
)  # fmt: skip
# The whole title (or the part before a " | Site name"): an article *about* consent
# ("Consent decree ends …") is not a consent page.
_CONSENT_TITLE = re.compile(
    r"^\s*(?:zustimmung|einwilligung|cookie-?(?:einstellungen|zustimmung|hinweis|richtlinie)|"
    r"datenschutz-?einstellungen|privatsphäre-?einstellungen|ihre privatsphäre|"
    r"before you continue(?: to [\w .-]+)?|privacy settings|"
    r"cookie (?:settings|consent|preferences)|your privacy choices|we value your privacy|"
    r"consent)\s*(?:[|–—:·-].*)?$",
    re.IGNORECASE,
)
_SPACES = re.compile(r"\s+")
_PROSE = "p, li, blockquote, h1, h2, h3"


@dataclass(frozen=True, slots=True)
class ConsentMarkup:
    """What a page's markup shows: consent-manager markers and how much prose it holds.

    ``markers`` are the ``consent:<vendor>`` signals found; ``prose_chars`` the
    page's prose outside consent containers (the larger of its paragraphs and
    its JSON-LD ``articleBody``); measured only when there is a marker or a
    consent title, else 0.
    """

    markers: tuple[str, ...] = ()
    prose_chars: int = 0


#: The markup of a page without any consent marker.
NO_MARKERS = ConsentMarkup()


@dataclass(frozen=True, slots=True)
class ConsentEvidence:
    """What the rule looks at for one 2xx HTML answer."""

    requested_url: str
    final_url: str
    redirected: bool
    title: str | None = None
    markup: ConsentMarkup = NO_MARKERS


def _path_segments(url: str) -> list[str]:
    return [segment for segment in urlsplit(url).path.split("/") if segment]


def is_consent_url(url: str) -> bool:
    """True when ``url`` is a consent page: a consent path segment or a consent host."""
    parts = urlsplit(url)
    if _CONSENT_HOST.match(parts.hostname or ""):
        return True
    return any(_CONSENT_SEGMENT.match(segment) for segment in _path_segments(url))


def consent_wall_signals(evidence: ConsentEvidence) -> tuple[str, ...]:
    """The consent-wall signals of a 2xx answer, in a fixed order; empty when it is a page.

    Rules as in the module docstring. A cited URL that is itself a consent page
    is a page (the redirect rule needs a redirect *to* one).
    """
    signals: list[str] = []
    if (
        evidence.redirected
        and is_consent_url(evidence.final_url)
        and not is_consent_url(evidence.requested_url)
    ):
        signals.append("consent:redirect")
    markers = list(evidence.markup.markers)
    if _consent_title(evidence.title):
        markers.append("consent:title")
    if markers and evidence.markup.prose_chars < WALL_PROSE_CHARS:
        signals.extend([*markers, "consent:little-text"])
    return tuple(dict.fromkeys(signals))


def describe_consent_wall(signals: tuple[str, ...], http_status: int, final_url: str) -> str:
    """The ``consent_wall`` reason: what answered, and that the page itself was not seen."""
    vendors = [s.split(":", 1)[1] for s in signals if s.startswith("consent:")]
    names = [v for v in vendors if v not in {"redirect", "title", "little-text"}]
    if "redirect" in vendors:
        where = f"redirected to the consent page {final_url}"
    elif names:
        where = f"a consent dialog ({', '.join(names)}) answered with no article text"
    else:
        where = "a consent page answered with no article text"
    return f"HTTP {http_status}, but {where}; the cited page itself was not seen"


def _node_markers(node: LexborNode) -> set[str]:
    tokens = (node.attributes.get("class") or "").split()
    tokens.append(node.attributes.get("id") or "")
    return {
        signal
        for signal, markup, _ in _VENDORS
        if any(token and markup.search(token) for token in tokens)
    }


def _inside_consent(node: LexborNode, containers: set[int]) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.mem_id in containers:
            return True
        parent = parent.parent
    return False


def _consent_title(title: str | None) -> bool:
    return bool(title and _CONSENT_TITLE.search(title))


def page_consent_markup(html: str, title: str | None = None) -> ConsentMarkup:
    """:func:`tree_consent_markup` of an HTML page."""
    return tree_consent_markup(LexborHTMLParser(html), title)


def tree_consent_markup(tree: LexborHTMLParser, title: str | None) -> ConsentMarkup:
    """The :class:`ConsentMarkup` of a parsed page (``tree`` is only read).

    Prose is measured only when a marker or a consent ``title`` makes it matter.
    """
    markers: set[str] = set()
    containers: set[int] = set()
    for node in tree.css("[id], [class]"):
        found = _node_markers(node)
        if found:
            markers |= found
            containers.add(node.mem_id)
    for node in tree.css("script[src], iframe[src]"):
        source = node.attributes.get("src") or ""
        markers |= {signal for signal, _, pattern in _VENDORS if pattern.search(source)}
    ordered = tuple(signal for signal, _, _ in _VENDORS if signal in markers)
    if not ordered and not _consent_title(title):
        return NO_MARKERS
    prose = 0
    for node in tree.css(_PROSE):
        if _inside_consent(node, containers):
            continue
        text = _SPACES.sub(" ", node.text(deep=True)).strip()
        if len(text) >= SENTENCE_CHARS:
            prose += len(text)
    body = max((len(str(obj.get("articleBody") or "")) for obj in _objects(tree)), default=0)
    return ConsentMarkup(ordered, max(prose, body))


def _objects(tree: LexborHTMLParser) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    stack: list[object] = list(jsonld_values(tree))
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, dict):
            found.append(value)
            stack.extend(v for v in value.values() if isinstance(v, list | dict))
    return found
