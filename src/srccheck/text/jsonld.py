"""Reading schema.org JSON-LD blocks out of a parsed HTML page (no I/O).

Shared by the paywall rule (:mod:`srccheck.fetch.paywall`) and the text
extraction (:mod:`srccheck.text.extract`), which walk the values differently.

Rules applied by :func:`jsonld_values`: every ``<script
type="application/ld+json">`` is read in document order; its text is stripped
and a wrapping HTML comment or CDATA section (``<!-- … -->``,
``<![CDATA[ … ]]>``, as some sites write it) is removed; JSON is parsed
leniently (control characters allowed inside strings, ``strict=False``);
a block that still is not JSON is skipped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from selectolax.lexbor import LexborHTMLParser

__all__ = ["is_false", "jsonld_values"]

_WRAPPER = re.compile(r"^\s*(?:<!--|<!\[CDATA\[)|(?:-->|\]\]>)\s*$")


def jsonld_values(tree: LexborHTMLParser) -> Iterator[Any]:
    """The parsed JSON value of each JSON-LD block of ``tree``, in document order."""
    for script in tree.css('script[type="application/ld+json"]'):
        raw = _WRAPPER.sub("", (script.text(deep=True) or "").strip())
        try:
            yield json.loads(raw, strict=False)
        except ValueError:
            continue


def is_false(value: Any) -> bool:
    """True for a JSON-LD "false": the boolean, or the string "false" in any case."""
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")
