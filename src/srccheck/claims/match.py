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
* **key claim** – first the sentence is aligned word by word with the
  passages most like it (:mod:`srccheck.claims.compare`; the candidate
  windows of the fuzzy quotes). ``contradicted`` when the best aligned
  passage differs from the sentence in a number, a negation or a content
  word, or when a quote of the sentence is ``near`` with such a difference;
  the evidence lists those words (article → page, with their kind).
  Otherwise ``supported`` when no part is only ``near`` and either the
  sentence is on a page word for word (framing before a ``:`` aside, and any
  part not found lies inside the verbatim stretch), or every part is found in one
  text of one source with all of them starting within ``PASSAGE_CHARS``
  normalised characters (a few sentences), the page sentences around the
  aligned passage (or, without one in that text, around the parts) hold every
  number of the sentence that no part stands for (``Sportback 90``), and —
  without an aligned passage — agree with the sentence on negation.
  ``partial`` when some parts are found (or near), or all but not together;
  ``not_found`` when none is.

Any kind is ``unverifiable`` instead of ``not_found`` when there is no page
text at all, every indexed page is paywalled, the text of a cited source
could not be read (``unread``; see :func:`text_was_read`), or a cited source
was read only in another language than the article's (``other_language``).

Evidence: the best match per source and origin (found before near, main text
before fallback text, higher score first), with offsets into that page text
(``PageText.main_text`` or ``PageText.full_text``, see ``text_part``) and, for a
paged document (a PDF: each page ends with a form feed), its page number.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein, ScoreAlignment

from srccheck.claims.compare import (
    Comparison,
    PartDifference,
    Token,
    classify_words,
    compare_tokens,
    is_negation,
    sentence_tokens,
)
from srccheck.claims.index import Document, PageIndex, tokenize
from srccheck.claims.model import (
    Attribution,
    Claim,
    ClaimKind,
    DifferenceKind,
    Evidence,
    TextPart,
    Verdict,
    WordDifference,
)
from srccheck.claims.numbers import Locale, guess_locale, unit_stem
from srccheck.documents.pdf import page_number
from srccheck.text.extract import PageText
from srccheck.text.normalize import NormalizedText, normalize

__all__ = [
    "ATTRIBUTION_WINDOW",
    "NEAR_THRESHOLD",
    "PASSAGE_CHARS",
    "SNIPPET_CHARS",
    "match_claims",
    "snippet_around",
    "text_was_read",
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
#: Exact occurrences of a key claim's sentence (or quotes) compared, at most.
_EXACT_WINDOWS = 3
#: Fewest words of a page text that count as having read the page (see text_was_read).
MIN_READ_WORDS = 20


@dataclass(frozen=True, slots=True)
class _Hit:
    doc: int
    start: int  # normalised offsets in the document
    end: int
    score: float
    exact: bool
    differences: tuple[WordDifference, ...] = ()


def match_claims(
    claims: Sequence[Claim],
    pages: Sequence[tuple[int, str, PageText]],
    *,
    unread: Iterable[int] = (),
    other_language: Iterable[int] = (),
) -> list[Claim]:
    """The ``claims`` with verdicts and evidence from ``pages``.

    ``pages`` are ``(source id, "live" | "archived", PageText)``; one index is
    built over all of them (see :mod:`srccheck.claims.index` for the cost).
    ``unread`` are the ids of cited sources whose text could not be read
    (:func:`text_was_read` is false for all their pages): while there is one,
    a claim found nowhere is ``unverifiable``, never ``not_found``. The same
    holds while a source was read only in ``other_language`` than the article's
    (ids): a translated quote or sentence cannot be compared word for word.
    Rules are in the module docstring. Claims come back in the same order.
    """
    index = PageIndex.build(pages)
    # Paywalled pages may still hold the lead; only absence of open text makes
    # a miss unverifiable, and so does any source whose text was not read.
    checkable = (
        any(not doc.paywalled for doc in index.docs)
        and not frozenset(unread)
        and not frozenset(other_language)
    )
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
    sentences = [c.text for c in claims if c.kind is ClaimKind.KEY_CLAIM]
    locale = guess_locale(normalize(" ".join(sentences)).text) if sentences else Locale.DE
    for claim in claims:
        if claim.kind is ClaimKind.KEY_CLAIM:
            out[claim.id] = _match_key_claim(index, claim, hits, out, checkable, locale)
    return [out[claim.id] for claim in claims]


def text_was_read(text: PageText | None) -> bool:
    """Whether ``text`` counts as having read the page: not paywalled and at
    least ``MIN_READ_WORDS`` words of visible text.

    A page that is missing, a paywall teaser, an empty or nearly empty body (a
    script shell, a wall's few lines) was not read: a claim missing from it is
    no evidence that the source does not say it. The caller decides which
    pages exist at all (only successful, non-walled fetches and archived
    copies have a text).
    """
    if text is None or text.paywalled:
        return False
    body = text.full_text or text.main_text
    # The first MIN_READ_WORDS words decide: the rest of the page need not be counted.
    words = islice(_WORD.finditer(body, 0, 20_000), MIN_READ_WORDS)
    return sum(1 for _ in words) >= MIN_READ_WORDS


_WORD = re.compile(r"\w+")


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
    # A page's main text is mostly a stretch of its full text: the same window
    # is aligned once (the result depends only on the two strings).
    aligned: dict[str, ScoreAlignment | None] = {}
    for doc_no, first, last in index.candidate_windows(words):
        doc = index.docs[doc_no]
        window = doc.words[first : last + 1]
        haystack = " ".join(window)
        if haystack in aligned:
            result = aligned[haystack]
        else:
            result = fuzz.partial_ratio_alignment(needle, haystack, score_cutoff=NEAR_THRESHOLD)
            aligned[haystack] = result
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
            article = article_words[left[k]] if k < len(left) else None
            page = page_word(right[k]) if k < len(right) else None
            diffs.append(
                WordDifference(article=article, page=page, kind=classify_words(article, page))
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
    index: PageIndex,
    claim: Claim,
    hits: dict[str, list[_Hit]],
    matched: dict[str, Claim],
    checkable: bool,
    locale: Locale,
) -> Claim:
    """The verdict of one key claim (rules in the module docstring)."""
    part_hits = [hits.get(part, []) for part in claim.parts]
    present = sum(1 for h in part_hits if h)
    quote_hits = [
        h for part, found in zip(claim.parts, part_hits, strict=True)
        if part in matched and matched[part].kind is ClaimKind.QUOTE
        for h in found if h.exact
    ]  # fmt: skip
    best = _best_alignment(index, claim.text, locale, quote_hits)
    if best is not None and best.comparison.contradictions:
        return _with(claim, Verdict.CONTRADICTED, _evidence(index, [best.hit(checkable_only=True)]))
    # A key claim is never more favourable than its weakest part: a near quote.
    near_parts = [
        matched[part] for part in claim.parts
        if part in matched and matched[part].verdict is Verdict.NEAR
    ]  # fmt: skip
    for part in near_parts:
        for evidence in part.evidence:
            wrong = [d for d in evidence.differences if d.kind in _CONTRADICTING]
            if wrong:
                shown = evidence.model_copy(update={"differences": wrong})
                return _with(claim, Verdict.CONTRADICTED, [shown])
    passage = _passage(part_hits) if part_hits and present == len(part_hits) else None
    # A verbatim sentence vouches for the parts it holds (a name the index splits
    # differently); parts in its framing (``Laut Robert Habeck: „…“``) must be found.
    missing = [matched[p].text for p, h in zip(claim.parts, part_hits, strict=True)
               if not h and p in matched]  # fmt: skip
    verbatim = best is not None and best.verbatim and all(best.holds(t) for t in missing)
    loose = _loose_numbers(claim, matched, locale)
    if not near_parts and best is not None and (
        verbatim or (passage is not None and best.doc.doc == passage.doc)
    ):
        hit = best.hit()
        if verbatim or loose <= _region_numbers(index, hit)[1]:
            return _with(claim, Verdict.SUPPORTED, _evidence(index, [hit]))
    if not near_parts and passage is not None:
        negated, numbers = _region_numbers(index, passage)
        if negated == _negated(claim.text, locale) and loose <= numbers:
            return _with(claim, Verdict.SUPPORTED, _evidence(index, [passage]))
    if present or near_parts or passage is not None:
        return _with(claim, Verdict.PARTIAL, [])
    return _with(claim, Verdict.NOT_FOUND if checkable else Verdict.UNVERIFIABLE, [])


_CONTRADICTING = frozenset({DifferenceKind.NEGATION, DifferenceKind.NUMBER, DifferenceKind.WORD})


def _with(claim: Claim, verdict: Verdict, evidence: list[Evidence]) -> Claim:
    return claim.model_copy(update={"verdict": verdict, "evidence": evidence})


@dataclass(frozen=True, slots=True)
class _Alignment:
    """The best passage for a key claim's sentence and how it compares."""

    doc: Document
    article: str  # the sentence as written
    article_norm: NormalizedText
    article_tokens: list[Token]
    page_tokens: list[Token]
    comparison: Comparison

    @property
    def verbatim(self) -> bool:
        """The sentence is on the page word for word: no difference, and its only
        words outside the compared stretch are framing before a sentence mark
        (``Laut Bericht hieß es: „…“``)."""
        c = self.comparison
        a0, a1 = c.article_span
        return (
            c.aligned
            and not c.differences
            and a1 == len(self.article_tokens)
            and (a0 == 0 or self.article_tokens[a0].boundary_before)
        )

    def holds(self, text: str) -> bool:
        """Whether ``text`` (a part of the sentence) lies in the compared stretch."""
        a0, a1 = self.comparison.article_span
        stretch = self.article_norm.text[
            self.article_tokens[a0].start : self.article_tokens[a1 - 1].end
        ]
        return normalize(text).text in stretch

    def hit(self, *, checkable_only: bool = False) -> _Hit:
        c = self.comparison
        p0, p1 = c.page_span
        start, end = self.page_tokens[p0].start, self.page_tokens[p1 - 1].end
        shown = c.contradictions if checkable_only else c.differences
        diffs = tuple(self._difference(d) for d in shown)
        score = round(100.0 * c.share, 1)
        return _Hit(self.doc.doc, start, end, score, not c.differences, diffs)

    def _difference(self, d: PartDifference) -> WordDifference:
        a0, a1, p0, p1 = d.a0, d.a1, d.p0, d.p1
        article = page = None
        if a1 > a0:
            s, e = self.article_tokens[a0].start, self.article_tokens[a1 - 1].end
            a, b = self.article_norm.original_span(s, e)
            article = self.article[a:b]
        if p1 > p0:
            s, e = self.page_tokens[p0].start, self.page_tokens[p1 - 1].end
            a, b = self.doc.norm.original_span(s, e)
            page = self.doc.norm.original[a:b]
        return WordDifference(article=article, page=page, kind=d.kind)


def _best_alignment(
    index: PageIndex, sentence: str, locale: Locale, anchors: Sequence[_Hit] = ()
) -> _Alignment | None:
    """The aligned passage (:mod:`.compare`) that matches ``sentence`` best, if any.

    Candidates are the fuzzy-quote windows (:meth:`PageIndex.candidate_windows`),
    the exact occurrences of the sentence's words and the ``anchors`` (exact hits
    of its quotes), each widened by half the sentence on both sides; the best has
    the most equal tokens, then the fewest contradictions.
    """
    norm = normalize(sentence)
    words, _, _ = tokenize(norm.text)
    if len(words) < 3:
        return None
    article_tokens = sentence_tokens(norm.text, locale)
    best: _Alignment | None = None
    best_key: tuple[int, int, int] | None = None
    margin = len(words) // 2 + 2
    # Exact places of the sentence, which the fuzzy candidates may miss on a page
    # of near-repeats (lists, tables): one verbatim occurrence per text is enough,
    # and no fuzzy candidate can match better.
    windows: set[tuple[int, int, int]] = set()
    for hit in index.find_phrase(words):
        if len(windows) < _EXACT_WINDOWS and all(hit.doc != w[0] for w in windows):
            windows.add((hit.doc, hit.first, hit.last))
    if not windows:
        windows.update(index.candidate_windows(words))
        # The exact places of its found quotes (a few per quote).
        for hit in anchors[:_EXACT_WINDOWS]:
            doc = index.docs[hit.doc]
            first = max(0, bisect_right(doc.starts, hit.start) - 1)
            last = max(first, bisect_right(doc.starts, hit.end - 1) - 1)
            windows.add((hit.doc, first, last))
    for doc_no, first, last in sorted(windows):
        doc = index.docs[doc_no]
        first, last = max(0, first - margin), min(len(doc.words) - 1, last + margin)
        start, end = doc.char_span(first, last)
        page_tokens = sentence_tokens(doc.norm.text[start:end], doc.locale, base=start)
        if not page_tokens:
            continue
        comparison = compare_tokens(article_tokens, page_tokens)
        if not comparison.aligned:
            continue
        key = (comparison.equal, -len(comparison.contradictions), -len(comparison.differences))
        if best_key is None or key > best_key:
            best_key = key
            best = _Alignment(doc, sentence, norm, article_tokens, page_tokens, comparison)
    return best


def _negated(sentence: str, locale: Locale) -> bool:
    return any(is_negation(t.key) for t in sentence_tokens(normalize(sentence).text, locale))


def _loose_numbers(claim: Claim, matched: dict[str, Claim], locale: Locale) -> set[str]:
    """Number keys of the sentence that no number or date part stands for
    (``Sportback 90``, ``2 tsp``): a supporting passage must hold them too."""
    covered: set[float] = set()
    for part_id in claim.parts:
        part = matched.get(part_id)
        if part is None:
            continue
        if part.value is not None:
            covered.add(part.value)
        if part.date is not None:
            covered.update(v for v in (part.date.year, part.date.month, part.date.day) if v)
    loose: set[str] = set()
    for token in sentence_tokens(normalize(claim.text).text, locale):
        if token.number and not (token.key.startswith("#") and float(token.key[1:]) in covered):
            loose.add(token.key)
    return loose


_SENTENCE_END = re.compile(r"[.!?]\s")


def _region_numbers(index: PageIndex, hit: _Hit) -> tuple[bool, set[str]]:
    """Whether the page sentences around ``hit`` hold a negation, and their number keys."""
    doc = index.docs[hit.doc]
    text = doc.norm.text
    lead = text[max(0, hit.start - 600) : hit.start]
    ends = [m.end() for m in _SENTENCE_END.finditer(lead)]
    start = hit.start - len(lead) + (ends[-1] if ends else 0)
    after = _SENTENCE_END.search(text, hit.end, hit.end + 600)
    end = after.start() + 1 if after else min(len(text), hit.end + 600)
    tokens = sentence_tokens(text[start:end], doc.locale)
    return any(is_negation(t.key) for t in tokens), {t.key for t in tokens if t.number}


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
