"""One search index over all page texts of an article (no I/O).

:class:`PageIndex` is built once per article from every retrieved page (live
and archived, main and fallback text) and answers every claim's lookup, so
no claim scans a page.

What is indexed, per text (a *document*):

* the normalised text (:func:`srccheck.text.normalize.normalize`) and its
  word tokens (``\\w+`` runs), with an inverted index token → document →
  token positions;
* the numbers and dates of the text, parsed with the page's locale (the
  ``<html lang>`` hint, else guessed from the words), keyed by value, month
  and year. These tables are built on the first number or date lookup, so
  an article without number and date claims never parses them.

Complexity, with N the total characters of all page texts, P the postings of
a looked-up token, m the words of a quote and H the hits of a claim:

* build: O(N) — one normalisation pass, one token pass and one number/date
  regex pass per text;
* phrase lookup (quotes, terms, names): O(P_rarest · m), starting from the
  rarest token of the phrase and verifying neighbours;
* candidate windows for fuzzy quotes: O(P_content · log P_content) per
  document holding the quote's content words, then one rapidfuzz alignment
  of O(m · w) per candidate window (at most ``MAX_WINDOWS`` per document);
* number lookup: O(1) by value plus the hits with that value; dates: the
  hits of that month (or year).
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate, compress
from operator import sub

from srccheck.claims.model import Origin, TextPart
from srccheck.claims.numbers import (
    DateMention,
    Locale,
    Quantity,
    find_dates,
    find_quantities,
    guess_locale,
)
from srccheck.text.extract import PageText
from srccheck.text.normalize import NormalizedText, normalize

__all__ = ["MAX_WINDOWS", "Document", "PageIndex", "PhraseHit", "tokenize"]

#: Candidate windows per document handed to the fuzzy aligner.
MAX_WINDOWS = 3
_SEPARATORS = re.compile(r"(\W+)")


def tokenize(text: str) -> tuple[list[str], array, array]:
    """Word tokens (``\\w+`` runs) of normalised ``text`` with their start and end offsets."""
    # One split into alternating word and separator runs ("" at either end when
    # the text starts or ends with a separator); the offsets are running sums of
    # their lengths. No Python step per token.
    parts = _SEPARATORS.split(text)
    bounds = list(accumulate(map(len, parts)))
    words = parts[0::2]
    ends = bounds[0::2]
    starts = [0, *bounds[1::2]]
    first = 1 if words[0] == "" else 0
    last = len(words) - 1 if len(words) > first and words[-1] == "" else len(words)
    return words[first:last], array("l", starts[first:last]), array("l", ends[first:last])


@dataclass(frozen=True, slots=True)
class Document:
    """One indexed text: the main or the fallback text of one page."""

    doc: int
    source_id: int
    origin: Origin
    part: TextPart
    paywalled: bool
    norm: NormalizedText
    words: list[str]
    starts: array
    ends: array
    locale: Locale

    def char_span(self, first: int, last: int) -> tuple[int, int]:
        """Normalised character span of tokens ``first..last`` (inclusive)."""
        return self.starts[first], self.ends[last]


@dataclass(frozen=True, slots=True)
class PhraseHit:
    """A phrase found in a document, as token and normalised character spans."""

    doc: int
    first: int
    last: int  # inclusive token index
    start: int
    end: int


@dataclass(slots=True)
class PageIndex:
    """Inverted word index plus number and date tables over all page texts."""

    docs: list[Document] = field(default_factory=list)
    postings: dict[str, dict[int, list[int]]] = field(default_factory=dict)
    numbers: dict[float, list[tuple[int, Quantity]]] = field(default_factory=dict)
    dates_by_month: dict[int, list[tuple[int, DateMention]]] = field(default_factory=dict)
    dates_by_year: dict[int, list[tuple[int, DateMention]]] = field(default_factory=dict)
    numbers_indexed: bool = False  # numbers and dates are parsed on first lookup
    frequencies: dict[str, int] = field(default_factory=dict)  # token counts, filled on use

    @classmethod
    def build(cls, pages: Sequence[tuple[int, str, PageText]]) -> PageIndex:
        """Index the main text of every page, and its full text when that differs."""
        index = cls()
        for source_id, origin, page in pages:
            texts = [(TextPart.MAIN, page.main_text)]
            if page.full_text and page.full_text != page.main_text:
                texts.append((TextPart.FALLBACK, page.full_text))
            for part, text in texts:
                if text:
                    index._add(source_id, Origin(origin), part, page, text)
        return index

    def _add(
        self, source_id: int, origin: Origin, part: TextPart, page: PageText, text: str
    ) -> None:
        norm = normalize(text)
        words, starts, ends = tokenize(norm.text)
        locale = guess_locale(norm.text, page.lang)
        doc_no = len(self.docs)
        self.docs.append(
            Document(doc_no, source_id, origin, part, page.paywalled, norm, words, starts, ends,
                     locale)
        )  # fmt: skip
        # Group this document's positions first (one dict lookup per token), then
        # add one entry per distinct word to the shared postings.
        positions: defaultdict[str, list[int]] = defaultdict(list)
        for pos, word in enumerate(words):
            positions[word].append(pos)
        postings = self.postings
        for word, found in positions.items():
            entry = postings.get(word)
            if entry is None:
                postings[word] = {doc_no: found}
            else:
                entry[doc_no] = found

    def _index_numbers(self) -> None:
        """Parse the numbers and dates of every document (once, on first lookup)."""
        if self.numbers_indexed:
            return
        self.numbers_indexed = True
        for doc in self.docs:
            text = doc.norm.text
            dates = find_dates(text, doc.locale)
            for date in dates:
                if date.month is not None:
                    self.dates_by_month.setdefault(date.month, []).append((doc.doc, date))
                if date.year is not None:
                    self.dates_by_year.setdefault(date.year, []).append((doc.doc, date))
            for quantity in find_quantities(
                text, doc.locale, exclude=[(d.start, d.end) for d in dates]
            ):
                self.numbers.setdefault(quantity.value, []).append((doc.doc, quantity))

    # -- lookups ---------------------------------------------------------------------

    def _frequency(self, word: str) -> int:
        """How often ``word`` occurs in all documents (cached per word)."""
        count = self.frequencies.get(word)
        if count is None:
            count = sum(len(p) for p in self.postings.get(word, {}).values())
            self.frequencies[word] = count
        return count

    def find_phrase(
        self, words: Sequence[str], *, last_variants: Sequence[str] = ()
    ) -> list[PhraseHit]:
        """Every place where ``words`` occur as adjacent tokens.

        ``last_variants`` are accepted in place of the last word (a genitive
        ``ruttes`` for ``rutte``).
        """
        if not words:
            return []
        last_options = {words[-1], *last_variants}
        anchor_k = min(
            range(len(words) - 1) if len(words) > 1 else range(1),
            key=lambda k: self._frequency(words[k]),
        )
        if len(words) == 1:
            candidates = [
                (doc, pos)
                for option in last_options
                for doc, positions in self.postings.get(option, {}).items()
                for pos in positions
            ]
            anchor_k = 0
        else:
            candidates = [
                (doc, pos)
                for doc, positions in self.postings.get(words[anchor_k], {}).items()
                for pos in positions
            ]
        hits: list[PhraseHit] = []
        for doc_no, pos in candidates:
            first = pos - anchor_k
            last = first + len(words) - 1
            tokens = self.docs[doc_no].words
            if first < 0 or last >= len(tokens):
                continue
            if all(tokens[first + k] == words[k] for k in range(len(words) - 1)) and (
                tokens[last] in last_options
            ):
                doc = self.docs[doc_no]
                start, end = doc.char_span(first, last)
                hits.append(PhraseHit(doc_no, first, last, start, end))
        return sorted(hits, key=lambda h: (h.doc, h.first))

    def candidate_windows(self, words: Sequence[str]) -> list[tuple[int, int, int]]:
        """``(doc, first, last)`` token windows that hold many of ``words``.

        Only content words (four or more characters) are counted, so common
        function words do not make every passage a candidate. A window is as
        long as the phrase plus a fifth; it qualifies when it holds at least
        half of the phrase's content words; the best ``MAX_WINDOWS`` per
        document are returned.
        """
        content = [w for w in words if len(w) >= 4] or list(words)
        wanted = set(content)
        width = len(words) + max(3, len(words) // 5)
        need = max(1, (len(content) + 1) // 2)
        docs: dict[int, list[int]] = {}
        for word in wanted:
            for doc_no, positions in self.postings.get(word, {}).items():
                docs.setdefault(doc_no, []).extend(positions)
        out: list[tuple[int, int, int]] = []
        for doc_no, positions in docs.items():
            positions.sort()
            # Positions are distinct and sorted, so the window at ``positions[i]``
            # holds ``need`` words exactly when ``positions[i + need - 1]`` is
            # inside it. That test runs in C (map/compress); only the windows
            # that pass are counted with a bisect.
            reach = width - 1
            gaps = map(sub, positions[need - 1 :], positions)
            qualified = compress(range(len(positions)), map(reach.__ge__, gaps))
            scored = [
                (bisect_right(positions, positions[i] + reach, lo=i) - i, positions[i])
                for i in qualified
            ]
            scored.sort(key=lambda s: (-s[0], s[1]))
            chosen: list[int] = []
            for _, first in scored:
                if all(abs(first - other) >= width for other in chosen):
                    chosen.append(first)
                if len(chosen) >= MAX_WINDOWS:
                    break
            n_tokens = len(self.docs[doc_no].words)
            for first in chosen:
                start = max(0, first - len(words) // 4 - 2)
                out.append((doc_no, start, min(n_tokens - 1, start + width + len(words) // 2)))
        return out

    def quantities(self, value: float) -> list[tuple[int, Quantity]]:
        """Numbers with exactly this value, in any document."""
        self._index_numbers()
        return self.numbers.get(value, [])

    def dates(self, month: int | None, year: int | None) -> list[tuple[int, DateMention]]:
        """Dates in that month (any year) or, without a month, in that year."""
        self._index_numbers()
        if month is not None:
            return self.dates_by_month.get(month, [])
        if year is not None:
            return self.dates_by_year.get(year, [])
        return []
