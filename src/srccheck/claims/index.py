"""One search index over all page texts of an article (no I/O).

:class:`PageIndex` is built once per article from every retrieved page (live
and archived, main and fallback text) and answers every claim's lookup, so
no claim scans a page.

What is indexed, per text (a *document*):

* the normalised text (:func:`srccheck.text.normalize.normalize`) and its
  word tokens (``\\w+`` runs), with an inverted index token → document →
  token positions;
* a page's main text that is one stretch of its full text (the usual
  ``<article>`` inside the visible page) is not indexed again: its document is
  a view on the full text's (``PageIndex.views``), whose phrase hits and
  candidate windows inside the stretch are handed out as the main text's,
  with the offsets and window choices it would have had on its own. A main
  text that is not such a stretch (JSON-LD ``articleBody``, furniture cut out
  of the middle) is indexed on its own;
* the numbers and dates of the text, parsed with the page's locale (the
  ``<html lang>`` hint, else guessed from the words), keyed by value, month
  and year. These tables are built on the first number or date lookup, so
  an article without number and date claims never parses them.

What depends on one text alone — its normalisation, tokens, word positions,
locale and numbers and dates — is kept per text (:func:`text_tables`) in a
cache bounded by the characters of its texts (:data:`TABLES_CACHE_CHARS`), for
the next article that cites the same page: a page cited by many articles is
read once per process while it stays in the cache, not once per article. Each
part of a text's tables is computed once, on first use, and never changed
after, so articles (and threads) share them; an index is the same whether its
tables came from the cache or not.

Complexity, with N the total characters of all page texts, P the postings of
a looked-up token, m the words of a quote and H the hits of a claim:

* build: O(N) — one normalisation pass, one token pass and one number/date
  regex pass per text;
* phrase lookup (quotes, terms, names): O(P_rarest · m), starting from the
  rarest token of the phrase and verifying neighbours;
* candidate windows for fuzzy quotes: O(P_content · log P_content) over all
  documents at once, as numpy array operations (one sort, one search per
  qualified window, ``MAX_WINDOWS`` rounds of choosing), then one rapidfuzz
  alignment of O(m · w) per candidate window (at most ``MAX_WINDOWS`` per
  document);
* number lookup: O(1) by value plus the hits with that value; dates: the
  hits of that month (or year).
"""

from __future__ import annotations

import re
import threading
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import TYPE_CHECKING

import cachetools

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

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "MAX_WINDOWS",
    "TABLES_CACHE_CHARS",
    "Document",
    "PageIndex",
    "PhraseHit",
    "TextTables",
    "text_tables",
    "tokenize",
]

#: Candidate windows per document handed to the fuzzy aligner.
MAX_WINDOWS = 3
#: Documents' token positions lie this far apart in :meth:`PageIndex._window_keys`.
_KEY_STRIDE = 1 << 40
_SEPARATORS = re.compile(r"(\W+)")
_WORD_CHAR = re.compile(r"\w")


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


class TextTables:
    """What the index needs of one text, each part computed on first use and then kept:
    the normalised text, its word tokens with offsets, each word's token positions,
    and the numbers and dates per locale (the locale itself is guessed from the first
    20,000 characters, a count :func:`guess_locale` keeps on its own).

    Shared between articles and threads (:func:`text_tables`): read-only to callers.
    Two threads may both compute a part the first time; they compute the same value.
    """

    __slots__ = ("_numbers", "_positions", "_tokens", "chars", "norm")

    def __init__(self, text: str) -> None:
        self.norm = normalize(text)
        self.chars = len(text)
        self._tokens: tuple[list[str], array, array] | None = None
        self._positions: dict[str, list[int]] | None = None
        self._numbers: dict[Locale, tuple[list[DateMention], list[Quantity]]] = {}

    def prepared(self) -> tuple[NormalizedText, list[str], array, array]:
        """The normalised text and its tokens (:func:`tokenize`)."""
        if self._tokens is None:
            self._tokens = tokenize(self.norm.text)
        return (self.norm, *self._tokens)

    def positions(self) -> dict[str, list[int]]:
        """Each word's token positions, ascending."""
        if self._positions is None:
            positions: defaultdict[str, list[int]] = defaultdict(list)
            for pos, word in enumerate(self.prepared()[1]):
                positions[word].append(pos)
            self._positions = dict(positions)
        return self._positions

    def numbers(self, locale: Locale) -> tuple[list[DateMention], list[Quantity]]:
        """The dates of the normalised text, and its numbers outside those dates."""
        found = self._numbers.get(locale)
        if found is None:
            text = self.norm.text
            dates = find_dates(text, locale)
            quantities = find_quantities(text, locale, exclude=[(d.start, d.end) for d in dates])
            found = self._numbers[locale] = (dates, quantities)
        return found


#: Characters of the texts whose tables :func:`text_tables` keeps (the least recently
#: used go first). An index's tables cost about 12 bytes per character of its texts
#: (main and full text of the benchmark's pages, numbers and dates parsed), so this
#: keeps some 35 MB: about twenty 70,000-character pages, or a hundred short ones.
TABLES_CACHE_CHARS = 3_000_000

_tables: cachetools.LRUCache[str, TextTables] = cachetools.LRUCache(
    TABLES_CACHE_CHARS, getsizeof=lambda tables: max(1, tables.chars)
)


@cachetools.cached(_tables, lock=threading.Lock())
def text_tables(text: str) -> TextTables:
    """The :class:`TextTables` of ``text``, from the process's cache when another
    article's index built them already (a text longer than the cache is not kept)."""
    return TextTables(text)


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
    tables: TextTables  # of this document's text: its numbers and dates

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
    #: full-text document → (its main document, first token, first character of
    #: the main text in it): main documents that are a stretch of the full text
    #: and have no postings of their own.
    views: dict[int, tuple[int, int, int]] = field(default_factory=dict)
    window_keys: dict[str, np.ndarray] = field(default_factory=dict)  # filled on use

    @classmethod
    def build(cls, pages: Sequence[tuple[int, str, PageText]]) -> PageIndex:
        """Index the main text of every page, and its full text when that differs.

        When the main text is one stretch of the full text (the usual case: the
        ``<article>`` of the visible page), its words are not indexed again: the
        main document is a view on the full one (:attr:`views`), and lookups
        derive its hits from the full text's, with the same token and character
        offsets as if it had been indexed on its own.
        """
        index = cls()
        for source_id, origin, page in pages:
            main = full = view = None
            full_tables = main_tables = None
            if page.full_text and page.full_text != page.main_text:
                full_tables = text_tables(page.full_text)
                full = full_tables.prepared()
            if page.main_text:
                main_tables = text_tables(page.main_text)
                m_norm = main_tables.norm
                view = _region(m_norm, full) if full is not None else None
                if view is None:
                    main = main_tables.prepared()
                else:  # its words are the full text's, from the view's first token on
                    first, at, k = view
                    _, f_words, f_starts, f_ends = full
                    main = (m_norm, f_words[first : first + k],
                            array("l", [s - at for s in f_starts[first : first + k]]),
                            array("l", [e - at for e in f_ends[first : first + k]]))  # fmt: skip
            if main is not None and main_tables is not None:
                index._add(source_id, Origin(origin), TextPart.MAIN, page, main, main_tables,
                           postings=view is None)  # fmt: skip
            if full is not None and full_tables is not None:
                index._add(source_id, Origin(origin), TextPart.FALLBACK, page, full, full_tables)
            if view is not None:
                main_no, full_no = len(index.docs) - 2, len(index.docs) - 1
                index.views[full_no] = (main_no, view[0], view[1])
        return index

    def _add(
        self,
        source_id: int,
        origin: Origin,
        part: TextPart,
        page: PageText,
        prepared: tuple[NormalizedText, list[str], array, array],
        tables: TextTables,
        *,
        postings: bool = True,
    ) -> None:
        """Add a document; ``prepared`` is ``tables.prepared()``, or a view's stretch of
        its full text's (then without postings of its own)."""
        norm, words, starts, ends = prepared
        locale = guess_locale(norm.text, page.lang)
        doc_no = len(self.docs)
        self.docs.append(
            Document(doc_no, source_id, origin, part, page.paywalled, norm, words, starts, ends,
                     locale, tables)
        )  # fmt: skip
        if not postings:
            return
        # This document's positions are grouped per word once per text (one dict lookup
        # per token); one entry per distinct word goes to the index's postings.
        all_postings = self.postings
        for word, found in tables.positions().items():
            entry = all_postings.get(word)
            if entry is None:
                all_postings[word] = {doc_no: found}
            else:
                entry[doc_no] = found

    def _index_numbers(self) -> None:
        """Parse the numbers and dates of every document (once, on first lookup)."""
        if self.numbers_indexed:
            return
        self.numbers_indexed = True
        for doc in self.docs:
            dates, quantities = doc.tables.numbers(doc.locale)
            for date in dates:
                if date.month is not None:
                    self.dates_by_month.setdefault(date.month, []).append((doc.doc, date))
                if date.year is not None:
                    self.dates_by_year.setdefault(date.year, []).append((doc.doc, date))
            for quantity in quantities:
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
                view = self.views.get(doc_no)
                if view is not None:
                    main_no, offset, _ = view
                    main = self.docs[main_no]
                    if offset <= first and last < offset + len(main.words):
                        a, b = first - offset, last - offset
                        hits.append(PhraseHit(main_no, a, b, *main.char_span(a, b)))
        return sorted(hits, key=lambda h: (h.doc, h.first))

    def candidate_windows(self, words: Sequence[str]) -> list[tuple[int, int, int]]:
        """``(doc, first, last)`` token windows that hold many of ``words``.

        Only content words (four or more characters) are counted, so common
        function words do not make every passage a candidate. A window is as
        long as the phrase plus a fifth; it qualifies when it holds at least
        half of the phrase's content words; the best ``MAX_WINDOWS`` per
        document are returned (most words first, then the earliest), documents
        in index order (a main text before its full text).

        Every document is searched as if indexed on its own (a main text that is
        a view counts only its own words). The work is array work over the
        positions of the phrase's content words in all documents at once
        (:meth:`_window_keys`), not a Python step per position.
        """
        content = [w for w in words if len(w) >= 4] or list(words)
        if not any(word in self.postings for word in content):
            return []  # no page holds any of them (or no page was read)
        import numpy as np  # on the first fuzzy lookup: a links-only run never loads it

        width = len(words) + max(3, len(words) // 5)
        need = max(1, (len(content) + 1) // 2)
        reach = width - 1
        keys = np.sort(np.concatenate([self._window_keys(w) for w in set(content)]))
        if len(keys) < need:
            return []
        # Keys are distinct and sorted, and documents lie _KEY_STRIDE apart, so the
        # window starting at keys[i] holds ``need`` words exactly when
        # keys[i + need - 1] is within its reach; it holds as many as there are
        # keys up to keys[i] + reach.
        starts = np.flatnonzero(keys[need - 1 :] - keys[: len(keys) - need + 1] <= reach)
        if not len(starts):
            return []
        first_keys = keys[starts]
        held = np.searchsorted(keys, first_keys + reach, side="right") - starts
        doc_of = first_keys // _KEY_STRIDE
        order = np.lexsort((first_keys, -held, doc_of))  # by document, most words, position
        doc_of = doc_of[order]
        firsts = first_keys[order] - doc_of * _KEY_STRIDE
        # The best MAX_WINDOWS windows of each document that overlap no better
        # one, chosen greedily: each round takes every document's best window
        # left and drops the windows of that document it overlaps.
        docs, seg = np.unique(doc_of, return_inverse=True)
        alive = np.ones(len(firsts), dtype=bool)
        picks = []
        for _ in range(MAX_WINDOWS):
            left = np.flatnonzero(alive)
            if not len(left):
                break
            segs, at = np.unique(seg[left], return_index=True)  # best first in each
            pick = left[at]
            picks.append(pick)
            chosen = np.full(len(docs), -_KEY_STRIDE, dtype=np.int64)
            chosen[segs] = firsts[pick]
            alive &= np.abs(firsts - chosen[seg]) >= width
        picked = np.concatenate(picks)
        picked.sort()  # by document, then best first (the order above)
        out: list[tuple[int, int, int]] = []
        for doc_no, first in zip(doc_of[picked].tolist(), firsts[picked].tolist(), strict=True):
            start = max(0, first - len(words) // 4 - 2)
            last = min(len(self.docs[doc_no].words) - 1, start + width + len(words) // 2)
            out.append((doc_no, start, last))
        return out

    def _window_keys(self, word: str) -> np.ndarray:
        """``document × _KEY_STRIDE + position`` of every occurrence of ``word``,
        ascending, a main text that is a view included as if indexed on its own
        (cached per word: a page's quotes share their words)."""
        keys = self.window_keys.get(word)
        if keys is not None:
            return keys
        import numpy as np

        parts = []
        for doc_no, positions in self.postings.get(word, {}).items():
            found = np.asarray(positions, dtype=np.int64)
            parts.append(found + doc_no * _KEY_STRIDE)
            view = self.views.get(doc_no)
            if view is not None:  # the main text's words are the full text's there
                main_no, offset, _ = view
                lo, hi = np.searchsorted(found, [offset, offset + len(self.docs[main_no].words)])
                parts.append(found[lo:hi] + (main_no * _KEY_STRIDE - offset))
        keys = np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
        self.window_keys[word] = keys
        return keys

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


def _region(
    main: NormalizedText, full: tuple[NormalizedText, list[str], array, array]
) -> tuple[int, int, int] | None:
    """``(first token, first character, tokens)`` of the normalised main text
    inside the full text's, when it is one stretch of it that cuts no word (then
    its tokens are exactly the full text's tokens there); else ``None``."""
    f_norm, _, f_starts, _ = full
    at = f_norm.text.find(main.text) if main.text else -1
    if at < 0:
        return None
    # The same characters give the same word runs, unless a word of the full
    # text runs on across either end of the stretch.
    end = at + len(main.text)
    if at > 0 and _WORD_CHAR.match(f_norm.text, at - 1) and _WORD_CHAR.match(main.text):
        return None
    if end < len(f_norm.text) and _WORD_CHAR.match(f_norm.text, end) and (
        _WORD_CHAR.match(main.text, len(main.text) - 1)
    ):
        return None
    first = bisect_left(f_starts, at)
    k = bisect_left(f_starts, end) - first
    return (first, at, k) if k else None
