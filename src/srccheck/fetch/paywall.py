"""Paywalls: an ``ok`` page whose full text is not freely accessible.

:func:`paywall_signals` is a pure rule over the HTML of a 2xx answer. A
paywalled page is still reachable (its status stays ``ok``); the flag tells
later stages that missing evidence may sit behind the wall. Signals:

* ``paywall:jsonld`` — schema.org JSON-LD ``isAccessibleForFree`` is false
  (the boolean or the strings "false"/"False"), on any object, inside
  ``@graph`` arrays, lists or ``hasPart`` entries;
* ``paywall:meta`` — ``<meta property="article:content_tier">`` is
  ``locked`` or ``metered``;
* ``paywall:markup`` — known paywall markup: a class or id token
  ``paywall`` (also ``paywall-…``/``…-paywall``), or Piano's ``tp-container``
  / ``tp-modal`` / ``piano-paywall``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from srccheck.text.jsonld import is_false, jsonld_values

__all__ = ["paywall_signals", "tree_paywall_signals"]

_LOCKED_TIERS = frozenset({"locked", "metered"})
_PAYWALL_TOKEN = re.compile(
    r"^(?:[\w-]*[-_])?paywall(?:[-_][\w-]*)?$|^tp-(?:container|modal|iframe-wrapper)$|"
    r"^piano-(?:paywall|offer)",
    re.IGNORECASE,
)


def _objects(value: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in ``value``, depth first (``@graph``, ``hasPart``, lists …)."""
    if isinstance(value, list):
        for item in value:
            yield from _objects(item)
    elif isinstance(value, dict):
        yield value
        for child in value.values():
            if isinstance(child, list | dict):
                yield from _objects(child)


def _jsonld_locked(tree: LexborHTMLParser) -> bool:
    return any(
        is_false(obj.get("isAccessibleForFree"))
        for data in jsonld_values(tree)
        for obj in _objects(data)
    )


def _markup_locked(tree: LexborHTMLParser) -> bool:
    for node in tree.css("[class], [id]"):
        tokens = (node.attributes.get("class") or "").split()
        tokens.append(node.attributes.get("id") or "")
        if any(token and _PAYWALL_TOKEN.search(token) for token in tokens):
            return True
    return False


def paywall_signals(html: str) -> tuple[str, ...]:
    """The paywall signals of an HTML page, in a fixed order; empty for a free page."""
    return tree_paywall_signals(LexborHTMLParser(html))


def tree_paywall_signals(tree: LexborHTMLParser) -> tuple[str, ...]:
    """:func:`paywall_signals` of an already parsed page (``tree`` is only read)."""
    signals: list[str] = []
    if _jsonld_locked(tree):
        signals.append("paywall:jsonld")
    tiers = 'meta[property="article:content_tier"], meta[name="article:content_tier"]'
    for node in tree.css(tiers):
        if (node.attributes.get("content") or "").strip().lower() in _LOCKED_TIERS:
            signals.append("paywall:meta")
            break
    if _markup_locked(tree):
        signals.append("paywall:markup")
    return tuple(signals)
