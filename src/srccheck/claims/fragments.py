"""Text fragments: is the passage a cited URL points to (``#:~:text=``) on the page?

A text fragment is a citation to a passage, so it is checked like a quote,
with the same normalisation (:func:`srccheck.text.normalize`: case, quote and
dash variants, whitespace, hyphenation) and without any fuzziness: the
passage is found or it is not.

Matching rules, after the WICG "URL Fragment Text Directives" algorithm, on
normalised text:

* ``start`` must occur on word boundaries (``Lage`` does not match inside
  ``Gesamtlage``); with ``end``, the passage runs from ``start`` to the first
  word-bounded ``end`` that begins after ``start`` ends;
* ``prefix`` must end right before ``start`` and ``suffix`` begin right after
  the passage (end, or start), with at most whitespace in between;
* several directives are judged one by one.

The verdicts keep srccheck's promise: ``not_found`` only when a complete page
text was searched; with no readable text (a broken, paywalled or binary page)
or only a text cut at the size cap, the passage is ``unverifiable``.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from srccheck.articles.urls import InvalidDirective, TextDirective, text_directives
from srccheck.claims.match import snippet_around
from srccheck.models import TextFragmentCheck, TextFragmentState
from srccheck.text.normalize import NormalizedText, normalize

__all__ = ["FragmentPage", "check_text_fragments", "find_passage"]


@dataclass(frozen=True, slots=True)
class FragmentPage:
    """A page text to look for passages in.

    ``origin`` is ``live`` or ``archived``; ``text`` is everything a reader sees
    on the page; ``complete`` is False when the text was cut (size cap), so an
    absent passage proves nothing.
    """

    origin: str
    text: str
    complete: bool = True


def check_text_fragments(
    fragments: Sequence[str], pages: Sequence[FragmentPage], *, no_text_reason: str
) -> list[TextFragmentCheck]:
    """Look for every text directive of ``fragments`` in ``pages`` (tried in order).

    ``no_text_reason`` explains an ``unverifiable`` verdict when ``pages`` is
    empty (e.g. "the page is paywalled"). Fragments without directives give
    nothing, so a plain ``#section`` anchor is not judged.
    """
    checks: list[TextFragmentCheck] = []
    normalised: list[tuple[FragmentPage, NormalizedText]] | None = None
    for fragment in fragments:
        for directive in text_directives(fragment):
            if isinstance(directive, InvalidDirective):
                checks.append(
                    TextFragmentCheck(
                        directive=directive.raw,
                        fragment=fragment,
                        state=TextFragmentState.INVALID,
                        reason=f"not a valid text directive: {directive.reason}",
                    )
                )
                continue
            if normalised is None:  # normalised once, and only when there is a directive
                normalised = [(page, normalize(page.text)) for page in pages]
            checks.append(_judge(directive, fragment, normalised, no_text_reason))
    return checks


def _judge(
    directive: TextDirective,
    fragment: str,
    pages: Sequence[tuple[FragmentPage, NormalizedText]],
    no_text_reason: str,
) -> TextFragmentCheck:
    terms = {
        "directive": directive.raw,
        "fragment": fragment,
        "prefix": directive.prefix,
        "start": directive.start,
        "end": directive.end,
        "suffix": directive.suffix,
    }
    for page, norm in pages:
        span = find_passage(directive, norm.text)
        if span is None:
            continue
        start, end = norm.original_span(*span)
        snippet, mark_start, mark_end = snippet_around(norm.original, start, end)
        return TextFragmentCheck(
            **terms,
            state=TextFragmentState.FOUND,
            reason=f"the passage is on the {page.origin} page",
            origin=page.origin,
            snippet=snippet,
            snippet_start=mark_start,
            snippet_end=mark_end,
        )
    complete = [page.origin for page, _ in pages if page.complete]
    if complete:
        return TextFragmentCheck(
            **terms,
            state=TextFragmentState.NOT_FOUND,
            reason=f"the passage is not on the {' or the '.join(complete)} page",
            origin=complete[0],
        )
    reason = (
        "the passage is not in the part of the page that was read (the page was cut at the "
        "size cap)"
        if pages
        else no_text_reason
    )
    return TextFragmentCheck(**terms, state=TextFragmentState.UNVERIFIABLE, reason=reason)


def find_passage(directive: TextDirective, text: str) -> tuple[int, int] | None:
    """The ``[start, end)`` span of the directive's passage in normalised ``text``, if any.

    ``text`` must be the ``.text`` of :func:`~srccheck.text.normalize`; the terms
    are normalised here. Linear in the length of ``text``.
    """
    start = normalize(directive.start).text
    if not start:
        return None
    end = normalize(directive.end).text if directive.end else None
    prefix = normalize(directive.prefix).text if directive.prefix else None
    suffix = normalize(directive.suffix).text if directive.suffix else None
    ends: list[int] | None = None
    if end:
        ends = [
            pos
            for pos in _occurrences(text, end)
            if suffix is None or _followed_by(text, pos + len(end), suffix)
        ]
    for pos in _occurrences(text, start):
        if prefix and not _preceded_by(text, pos, prefix):
            continue
        stop = pos + len(start)
        if ends is None:
            if suffix and not _followed_by(text, stop, suffix):
                continue
            return pos, stop
        k = bisect_left(ends, stop)
        if k < len(ends):
            assert end is not None
            return pos, ends[k] + len(end)
        return None  # no end after this start, so none after any later start either
    return None


def _occurrences(text: str, term: str) -> Iterator[int]:
    """Start offsets of ``term`` in ``text`` on word boundaries."""
    pos = text.find(term)
    while pos >= 0:
        if _bounded(text, pos, pos + len(term)):
            yield pos
        pos = text.find(term, pos + 1)


def _bounded(text: str, start: int, end: int) -> bool:
    """No word character runs across either edge of ``text[start:end]``."""
    left = start == 0 or not (text[start - 1].isalnum() and text[start].isalnum())
    right = end == len(text) or not (text[end - 1].isalnum() and text[end].isalnum())
    return left and right


def _preceded_by(text: str, pos: int, prefix: str) -> bool:
    cut = pos - 1 if pos > 0 and text[pos - 1] == " " else pos
    return text.endswith(prefix, 0, cut) and _bounded(text, cut - len(prefix), cut)


def _followed_by(text: str, stop: int, suffix: str) -> bool:
    at = stop + 1 if text[stop : stop + 1] == " " else stop
    return text.startswith(suffix, at) and _bounded(text, at, at + len(suffix))
