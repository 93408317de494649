"""Matching an article's claims against the texts of its retrieved pages (no I/O).

:func:`match_claims` builds one :class:`~srccheck.claims.index.PageIndex` over
all pages of the article and gives every claim a verdict with evidence.
Rules, per kind:

* **quote / term** – ``found`` when the claim's words occur adjacent and in
  order in a page's normalised text (punctuation and spacing ignored).
  Quotes only: otherwise ``near`` when a rapidfuzz alignment
  (``fuzz.partial_ratio_alignment``) of the quote's words against a candidate
  window reaches ``NEAR_THRESHOLD``; the evidence lists each differing word
  (article word vs page word, from a word-level ``Levenshtein.opcodes``).
* **attribution** – ``confirmed`` when the speaker's full name occurs within
  ``ATTRIBUTION_WINDOW`` normalised characters before or after a found/near
  occurrence of the quote on the same page text; ``not_confirmed`` when the
  quote is there but the name is not; ``unverifiable`` when the quote is not.
* **number** – by value, never by string: a page number of equal value
  (parsed with the page's locale) whose unit matches — the same currency or
  ``percent``, or for counts the counted noun (same stem) among the three
  words after the number (``12.000 nordkoreanische Soldaten``). ``1.200``,
  ``120.000`` and the year ``2000`` never match ``12.000 Soldaten``.
* **date** – a page date that has every part the claim has, equal
  (``21. Oktober`` matches ``21.10.2024`` and ``October 21``).
* **name** – all of the name's words, adjacent; the last may carry a genitive
  ``s`` (``Mark Ruttes``); case never matters.
* **key claim** – ``supported`` when every part is found (or near) in one
  text of one source with all of them starting within ``PASSAGE_CHARS``
  normalised characters (a few sentences); ``partial`` when some parts are
  found; ``not_found`` when none is.

Any kind is ``unverifiable`` instead of ``not_found``/``not supported`` when
there is no page text at all or every indexed page is paywalled.

Evidence: the best match per source and origin (found before near, main text
before fallback text, higher score first), with offsets into that page text
(``PageText.main_text`` or ``PageText.full_text``, see ``text_part``) and, for a
paged document (a PDF: each page ends with a form feed), its page number.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from srccheck.claims.index import Document, PageIndex, tokenize
from srccheck.claims.model import (
    Attribution,
    Claim,
    ClaimKind,
    Evidence,
    TextPart,
    Verdict,
    WordDifference,
)
from srccheck.claims.numbers import unit_stem
from srccheck.documents.pdf import page_number
from srccheck.text.extract import PageText
from srccheck.text.normalize import normalize

__all__ = [
    "ATTRIBUTION_WINDOW",
    "NEAR_THRESHOLD",
    "PASSAGE_CHARS",
    "SNIPPET_CHARS",
    "match_claims",
    "snippet_around",
]

#: Minimum rapidfuzz partial-ratio (0-100) for a ``near`` quote.
NEAR_THRESHOLD = 90.0
#: Normalised characters around a quote in which the speaker's name must occur.
ATTRIBUTION_WINDOW = 300
#: Greatest distance, in normalised characters, between the starts of the
#: parts of a supported key claim (about four sentences of news prose).
PASSAGE_CHARS = 800
#: Approximate length of an evidence snippet.
SNIPPET_CHARS = 200
#: Words after a page number searched for the counted noun.
_NOUN_WINDOW = 3


@dataclass(frozen=True, slots=True)
class _Hit:
    doc: int
    start: int  # normalised offsets in the document
    end: int
    score: float
    exact: bool
    differences: tuple[WordDifference, ...] = ()


def match_claims(
    claims: Sequence[Claim], pages: Sequence[tuple[int, str, PageText]]
) -> list[Claim]:
    """The ``claims`` with verdicts and evidence from ``pages``.

    ``pages`` are ``(source id, "live" | "archived", PageText)``; one index is
    built over all of them (see :mod:`srccheck.claims.index` for the cost).
    Rules are in the module docstring. Claims come back in the same order.
    """
    index = PageIndex.build(pages)
    # Paywalled pages may still hold the lead; only absence of open text makes
    # a miss unverifiable.
    checkable = any(not doc.paywalled for doc in index.docs)
    hits: dict[str, list[_Hit]] = {}
    out: dict[str, Claim] = {}
    for claim in claims:
        if claim.kind is ClaimKind.KEY_CLAIM:
            continue
        found = _find(index, claim)
        hits[claim.id] = found
        update: dict[str, object] = {
            "verdict": _verdict(found, checkable),
            "evidence": _evidence(index, found),
        }
        if claim.kind is ClaimKind.QUOTE and claim.speaker:
            update["attribution"] = _attribution(index, claim.speaker, found)
        out[claim.id] = claim.model_copy(update=update)
    for claim in claims:
        if claim.kind is ClaimKind.KEY_CLAIM:
            out[claim.id] = _match_key_claim(index, claim, hits, checkable)
    return [out[claim.id] for claim in claims]


# -- per kind -----------------------------------------------------------------------


def _find(index: PageIndex, claim: Claim) -> list[_Hit]:
    if claim.kind in (ClaimKind.QUOTE, ClaimKind.TERM):
        return _find_quote(index, claim.text, fuzzy=claim.kind is ClaimKind.QUOTE)
    if claim.kind is ClaimKind.NAME:
        return _find_name(index, claim.text)
    if claim.kind is ClaimKind.NUMBER:
        return _find_number(index, claim)
    if claim.kind is ClaimKind.DATE:
        return _find_date(index, claim)
    return []


def _find_quote(index: PageIndex, text: str, *, fuzzy: bool) -> list[_Hit]:
    norm = normalize(text)
    words, starts, ends = tokenize(norm.text)
    exact = [_Hit(h.doc, h.start, h.end, 100.0, True) for h in index.find_phrase(words)]
    if exact or not fuzzy or not words:
        return exact
    article_words = [
        text[slice(*norm.original_span(s, e))] for s, e in zip(starts, ends, strict=True)
    ]
    needle = " ".join(words)
    near: list[_Hit] = []
    for doc_no, first, last in index.candidate_windows(words):
        doc = index.docs[doc_no]
        window = doc.words[first : last + 1]
        haystack = " ".join(window)
        result = fuzz.partial_ratio_alignment(needle, haystack, score_cutoff=NEAR_THRESHOLD)
        if result is None:
            continue
        # Map the aligned character range back to whole page words.
        offsets = []
        pos = 0
        for word in window:
            offsets.append(pos)
            pos += len(word) + 1
        a = max(0, bisect_right(offsets, result.dest_start) - 1)
        b = max(a, bisect_right(offsets, max(result.dest_end - 1, 0)) - 1)
        a, b = _trim_page_only_edges(words, window, a, b)
        diffs = _word_differences(words, article_words, window[a : b + 1], doc, first + a)
        start, end = doc.char_span(first + a, first + b)
        near.append(_Hit(doc_no, start, end, round(result.score, 1), False, diffs))
    return near


def _trim_page_only_edges(words: list[str], window: list[str], a: int, b: int) -> tuple[int, int]:
    """Drop page words at the edges of an alignment that the quote does not cover.

    A character alignment may start in the word before the quote or end in
    the word after it; those words are context, not differences.
    """
    ops = list(Levenshtein.opcodes(words, window[a : b + 1]))
    if ops and ops[0].tag == "insert":
        a += ops[0].dest_end - ops[0].dest_start
    if len(ops) > 1 and ops[-1].tag == "insert":
        b -= ops[-1].dest_end - ops[-1].dest_start
    return a, max(a, b)


def _word_differences(
    words: list[str], article_words: list[str], page_words: list[str], doc: Document, first: int
) -> tuple[WordDifference, ...]:
    def page_word(k: int) -> str:
        a, b = doc.norm.original_span(doc.starts[first + k], doc.ends[first + k])
        return doc.norm.original[a:b]

    diffs: list[WordDifference] = []
    for op in Levenshtein.opcodes(words, page_words):
        if op.tag == "equal":
            continue
        left = list(range(op.src_start, op.src_end))
        right = list(range(op.dest_start, op.dest_end))
        for k in range(max(len(left), len(right))):
            diffs.append(
                WordDifference(
                    article=article_words[left[k]] if k < len(left) else None,
                    page=page_word(right[k]) if k < len(right) else None,
                )
            )
    return tuple(diffs)


def _find_name(index: PageIndex, text: str) -> list[_Hit]:
    words, _, _ = tokenize(normalize(text).text)
    if not words:
        return []
    variants = [words[-1] + "s"] if not words[-1].endswith("s") else []
    return [
        _Hit(h.doc, h.start, h.end, 100.0, True)
        for h in index.find_phrase(words, last_variants=variants)
    ]


_CURRENCY_OR_PERCENT = frozenset(
    {"usd", "eur", "gbp", "rub", "cny", "jpy", "chf", "uah", "percent"}
)


def _find_number(index: PageIndex, claim: Claim) -> list[_Hit]:
    if claim.value is None or claim.unit is None:
        return []
    stem = unit_stem(claim.unit)
    hits: list[_Hit] = []
    for doc_no, quantity in index.quantities(claim.value):
        end = quantity.end
        if claim.unit in _CURRENCY_OR_PERCENT:
            if quantity.unit != claim.unit:
                continue
        else:
            if quantity.unit is not None:
                continue
            noun = next(
                (w for w in quantity.following[:_NOUN_WINDOW] if unit_stem(w[0]).endswith(stem)),
                None,
            )
            if noun is None:
                continue
            end = noun[2]
        hits.append(_Hit(doc_no, quantity.start, end, 100.0, True))
    return hits


def _find_date(index: PageIndex, claim: Claim) -> list[_Hit]:
    parts = claim.date
    if parts is None:
        return []
    hits: list[_Hit] = []
    for doc_no, date in index.dates(parts.month, parts.year):
        if all(
            want is None or want == got
            for want, got in ((parts.year, date.year), (parts.month, date.month),
                              (parts.day, date.day))
        ):  # fmt: skip
            hits.append(_Hit(doc_no, date.start, date.end, 100.0, True))
    return hits


def _attribution(index: PageIndex, speaker: str, quote_hits: list[_Hit]) -> Attribution:
    if not quote_hits:
        return Attribution.UNVERIFIABLE
    name_hits = _find_name(index, speaker)
    for quote in quote_hits:
        for name in name_hits:
            if name.doc == quote.doc and (
                quote.start - ATTRIBUTION_WINDOW <= name.start <= quote.end + ATTRIBUTION_WINDOW
            ):
                return Attribution.CONFIRMED
    return Attribution.NOT_CONFIRMED


def _match_key_claim(
    index: PageIndex, claim: Claim, hits: dict[str, list[_Hit]], checkable: bool
) -> Claim:
    part_hits = [hits.get(part, []) for part in claim.parts]
    present = sum(1 for h in part_hits if h)
    passage = _passage(part_hits) if part_hits and present == len(part_hits) else None
    if passage is not None:
        verdict = Verdict.SUPPORTED
        evidence = _evidence(index, [passage])
    elif present:
        verdict = Verdict.PARTIAL
        evidence = []
    else:
        verdict = Verdict.NOT_FOUND if checkable else Verdict.UNVERIFIABLE
        evidence = []
    return claim.model_copy(update={"verdict": verdict, "evidence": evidence})


def _passage(part_hits: list[list[_Hit]]) -> _Hit | None:
    """The tightest window of one document holding a hit of every part, if any
    fits in ``PASSAGE_CHARS`` (two-pointer sweep over the merged hits)."""
    k = len(part_hits)
    by_doc: dict[int, list[tuple[int, int, int]]] = {}
    for part, part_list in enumerate(part_hits):
        for hit in part_list:
            by_doc.setdefault(hit.doc, []).append((hit.start, hit.end, part))
    best: _Hit | None = None
    for doc_no, events in by_doc.items():
        if len({part for _, _, part in events}) < k:
            continue
        events.sort()
        counts = [0] * k
        covered = 0
        left = 0
        for right, (start, _, part) in enumerate(events):
            if counts[part] == 0:
                covered += 1
            counts[part] += 1
            while covered == k:
                span = start - events[left][0]
                if span <= PASSAGE_CHARS:
                    end = max(e for _, e, _ in events[left : right + 1])
                    candidate = _Hit(doc_no, events[left][0], end, 100.0, True)
                    if best is None or (candidate.end - candidate.start) < (best.end - best.start):
                        best = candidate
                lpart = events[left][2]
                counts[lpart] -= 1
                if counts[lpart] == 0:
                    covered -= 1
                left += 1
    return best


# -- verdicts and evidence --------------------------------------------------------------


def _verdict(found: list[_Hit], checkable: bool) -> Verdict:
    if any(h.exact for h in found):
        return Verdict.FOUND
    if found:
        return Verdict.NEAR
    return Verdict.NOT_FOUND if checkable else Verdict.UNVERIFIABLE


_WHITESPACE = re.compile(r"\s+")


def _evidence(index: PageIndex, found: list[_Hit]) -> list[Evidence]:
    def rank(hit: _Hit) -> tuple[int, int, float]:
        doc = index.docs[hit.doc]
        return (0 if hit.exact else 1, 0 if doc.part is TextPart.MAIN else 1, -hit.score)

    best: dict[tuple[int, str], _Hit] = {}
    for hit in sorted(found, key=rank):
        doc = index.docs[hit.doc]
        best.setdefault((doc.source_id, doc.origin.value), hit)
    out: list[Evidence] = []
    for hit in sorted(best.values(), key=rank):
        doc = index.docs[hit.doc]
        start, end = doc.norm.original_span(hit.start, hit.end)
        snippet, mark_start, mark_end = _snippet(doc.norm.original, start, end)
        out.append(
            Evidence(
                source_id=doc.source_id,
                origin=doc.origin,
                text_part=doc.part,
                start=start,
                end=end,
                snippet=snippet,
                snippet_start=mark_start,
                snippet_end=mark_end,
                score=hit.score,
                differences=list(hit.differences),
                page_number=page_number(doc.norm.original, start),
            )
        )
    return out


def _snippet(text: str, start: int, end: int) -> tuple[str, int, int]:
    """The snippet around ``text[start:end]`` and the match's offsets within it.

    The offsets are counted on the same whitespace-collapsed text as the
    snippet, so the report can mark the match without the page text.
    """
    pad = max(40, (SNIPPET_CHARS - (end - start)) // 2)
    a, b = max(0, start - pad), min(len(text), end + pad)
    collapsed = _WHITESPACE.sub(" ", text[a:b])
    lead = len(collapsed) - len(collapsed.lstrip())
    snippet = collapsed.strip()
    prefix = "…" if a > 0 else ""
    shift = len(prefix) - lead
    mark_start = len(_WHITESPACE.sub(" ", text[a:start])) + shift
    mark_end = len(_WHITESPACE.sub(" ", text[a:end])) + shift
    mark_start = max(len(prefix), min(mark_start, len(prefix) + len(snippet)))
    mark_end = max(mark_start, min(mark_end, len(prefix) + len(snippet)))
    return prefix + snippet + ("…" if b < len(text) else ""), mark_start, mark_end


#: The snippet rule of claim evidence, shared by text-fragment evidence (claims.fragments).
snippet_around = _snippet
