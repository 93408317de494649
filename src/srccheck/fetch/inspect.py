"""A page's body read once: its text, and the marks the status rules look for.

The Fetcher decodes a textual body (:func:`srccheck.fetch.charset.decode_body`)
and, for a successful HTML answer, parses it once (lexbor) to read the title,
the ``<h1>`` headings, paywall markers and consent-wall markup — what the
soft-404, paywall and consent-wall rules need. Other HTML answers get only
their title (error pages name themselves there).

A pure function over bytes, so the Fetcher can run it off the event loop: the
parse of a ~100 KB page takes about 0.3 ms and releases the GIL, so while one
thread parses, the event loop goes on with other requests on another core.
"""

from __future__ import annotations

from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

from srccheck.fetch.charset import DecodedText, decode_body
from srccheck.fetch.consent import NO_MARKERS, ConsentMarkup, tree_consent_markup
from srccheck.fetch.content import page_title, tree_title
from srccheck.fetch.paywall import tree_paywall_signals
from srccheck.fetch.soft404 import tree_headings

__all__ = ["PageMarks", "inspect_body"]


@dataclass(frozen=True, slots=True)
class PageMarks:
    """What :func:`inspect_body` read from a body."""

    decoded: DecodedText
    title: str | None = None
    headings: tuple[str, ...] = ()
    paywall: tuple[str, ...] = ()
    consent: ConsentMarkup = NO_MARKERS


def inspect_body(
    body: bytes, *, declared: str | None, markup: bool, xml: bool, success: bool
) -> PageMarks:
    """Decode ``body`` (``declared``: the Content-Type charset) and, when it is
    ``markup`` (HTML), read its marks: all of them for a ``success`` (2xx) answer,
    else only the title. ``xml``: an XML type, whose declaration names its charset."""
    decoded = decode_body(body, declared=declared, markup=markup or xml)
    if not markup:
        return PageMarks(decoded)
    if not success:
        return PageMarks(decoded, title=page_title(decoded.text))
    tree = LexborHTMLParser(decoded.text)  # parsed once for every rule
    title = tree_title(tree, decoded.text)
    return PageMarks(
        decoded,
        title=title,
        headings=tree_headings(tree),
        paywall=tree_paywall_signals(tree),
        consent=tree_consent_markup(tree, title),
    )
