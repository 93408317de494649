"""Comparing an article sentence with a page passage part by part (no I/O).

A key claim may only be ``supported`` when the page says the same thing, not
merely the same words around another number or with a ``nicht`` added. This
module aligns the sentence's words with a passage's words and classifies
every place where they differ.

Tokens (:func:`sentence_tokens`, on normalised text, see
:func:`srccheck.text.normalize.normalize`): a number is one token keyed by
its value (``1.000``, ``1,000``, ``1000`` and ``1 000`` are one key, parsed
with the text's locale; ``1,5`` and ``1.5`` too); a word is one token, with
an apostrophe inside it (``don't``; a possessive ``'s`` is dropped). Words
for the same scale, percent or currency share a key (``Millionen``/``Mio.``/
``million``, ``Mrd.``/``bn``/English ``billion``, ``Prozent``/``percent``/
``per cent``, ``Euro``/``EUR``, ``Dollar``/``USD``).

Alignment (:func:`compare_tokens`): a word-level alignment by longest
common runs (``difflib.SequenceMatcher``, no junk heuristic; unlike an edit
distance it does not scatter a sentence's first words over earlier mentions
of them, such as a photo caption). Only what lies between the
first and the last run of equal tokens is compared; words outside it are
framing (``Laut Bericht hieß es:``) or page context. Single equal tokens cut
off from the rest by a gap are not anchors. The passage is *the same
sentence* (``aligned``) when at least ``MIN_EQUAL`` tokens are equal, they
are at least ``MIN_SHARE`` of the compared stretch on both sides, and that
stretch covers at least half of the sentence.

Differences (:class:`DifferenceKind`), per differing stretch:

* ``negation`` – a negation on one side only: ``nicht``, ``kein`` (any
  ending), ``nie``, ``niemals``, ``weder``, ``ohne``, ``nichts``,
  ``niemand``; ``not``, ``no``, ``never``, ``neither``, ``nor``, ``none``,
  ``nothing``, ``nobody``, ``without``, ``cannot`` and any ``…n't``;
* ``number``   – a number or scale word replaced by another value inside the
  compared stretch (``Millionen`` → ``Milliarden`` too; a number on one side
  only is a part missing, ``other``);
* ``word``     – a content word replaced by another word that does not share
  its stem (``Soldaten`` → ``Polizisten``; ``Soldat`` → ``Soldaten`` is the
  same word);
* ``other``    – anything else (a word added or left out, function words):
  shown, never a contradiction.

The words right before and after the compared stretch are compared too when
both sides have one in the same sentence (no sentence mark between), so a
changed first or last word (``410 Soldaten`` against ``400 Soldaten``) is a
difference in the same slot, and a negation just outside it on one side
(``… geschickt nicht.``) counts.

``negation``, ``number`` and ``word`` are *checkable*: an aligned passage
with one of them contradicts the sentence (a ``word`` only when at least
``WORD_SHARE`` of the stretch is equal, so a looser paraphrase is not
called a contradiction for a synonym).

:func:`classify_words` gives the same kinds for the word differences of a
``near`` quote.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import NamedTuple

from srccheck.claims.model import DifferenceKind
from srccheck.claims.numbers import Locale, guess_locale, parse_number, unit_stem
from srccheck.claims.numbers import word_set as _words
from srccheck.text.normalize import normalize

__all__ = [
    "CHECKABLE",
    "MIN_EQUAL",
    "MIN_SHARE",
    "NEGATIONS",
    "WORD_SHARE",
    "Comparison",
    "DifferenceKind",
    "Opcode",
    "PartDifference",
    "Token",
    "classify_words",
    "compare_sentence",
    "compare_tokens",
    "is_negation",
    "sentence_tokens",
]

#: Equal tokens needed before a passage counts as the same sentence.
MIN_EQUAL = 4
#: Share of equal tokens in the compared stretch, on both sides, for the same sentence.
MIN_SHARE = 0.6
#: Share needed before a swapped word (not a number or negation) is a contradiction.
WORD_SHARE = 0.75

#: Negation words (normalised, case-folded); ``…n't`` is recognised by its ending.
NEGATIONS = _words(
    """
    nicht nichts kein keine keinen keinem keiner keines nie niemals niemand nirgends
    nirgendwo weder ohne not no never neither nor none nothing nobody nowhere without
    cannot
    """
)
_STOP = _words(
    """
    der die das den dem des ein eine einen einem einer eines und oder aber in im zu zum zur
    von vom aus nach für mit bei auf an am um als wie pro je seit ist sind war waren wird
    werden wurde wurden hat haben hatte hatten sei es er sie wir ich man sich auch noch nur
    schon so dass daß the a an and or but of to from at on for with by that which who than
    as be been is are was were have has had will would could should it he she they we this
    these those there their its his her our said says
    """
)

# Words that name the same scale, unit or currency compare equal ("Mio."/"Millionen").
_ALIASES: dict[str, str] = {
    **dict.fromkeys(("tausend", "tsd", "thousand", "thousands"), "<1e3>"),
    **dict.fromkeys(("million", "millionen", "millions", "mio", "mn"), "<1e6>"),
    **dict.fromkeys(("milliarde", "milliarden", "mrd", "bn", "billions"), "<1e9>"),
    **dict.fromkeys(("prozent", "percent", "pct"), "<%>"),
    **dict.fromkeys(("euro", "euros", "eur"), "<eur>"),
    **dict.fromkeys(("dollar", "dollars", "usd"), "<usd>"),
}
_BILLION = {Locale.DE: "<1e12>", Locale.EN: "<1e9>"}  # German "Billion" is 10^12

_TOKEN = re.compile(
    r"(?P<num>\d{1,3}(?:[.,' ]\d{3})+(?:[.,]\d+)?(?![\d])|\d+(?:[.,]\d+)?(?![\d]))"
    r"|(?P<word>\w+(?:'\w+)*)"
)


# A sentence mark ends a clause only before a blank or the end (not in 3:14, U.S).
_SENTENCE_MARK = re.compile(r"[.!?;:]['\"]?(?:\s|$)")
_POSSESSIVE = re.compile(r"'s?$")
#: Longest equal run at an edge that may be framing rather than the sentence.
_EDGE_RUN = 2


#: Kinds that make an aligned passage contradict the sentence.
CHECKABLE = frozenset({DifferenceKind.NEGATION, DifferenceKind.NUMBER, DifferenceKind.WORD})


class Opcode(NamedTuple):
    """One step of an alignment (``difflib`` opcodes with names)."""

    tag: str  # equal, replace, delete, insert
    src_start: int
    src_end: int
    dest_start: int
    dest_end: int


@dataclass(frozen=True, slots=True)
class Token:
    """A word or number of normalised text: ``key`` compares, offsets locate."""

    key: str
    start: int
    end: int
    number: bool
    boundary_before: bool = False  # a sentence mark (. ! ? ; : before a blank) since the last


@dataclass(frozen=True, slots=True)
class PartDifference:
    """One differing stretch: token indices ``article[a0:a1]`` against ``page[p0:p1]``."""

    kind: DifferenceKind
    a0: int
    a1: int
    p0: int
    p1: int


@dataclass(frozen=True, slots=True)
class Comparison:
    """The alignment of a sentence with a passage (token indices, end exclusive)."""

    aligned: bool
    equal: int
    share: float  # equal tokens / the longer side of the compared stretch
    article_span: tuple[int, int]
    page_span: tuple[int, int]
    differences: tuple[PartDifference, ...]

    @property
    def contradictions(self) -> tuple[PartDifference, ...]:
        """The checkable differences of an aligned passage (none when not aligned).

        A swapped word counts only at ``WORD_SHARE``: in a looser match it may be
        a paraphrase; a number or a negation on one side always counts.
        """
        if not self.aligned:
            return ()
        return tuple(
            d
            for d in self.differences
            if d.kind in CHECKABLE
            and (d.kind is not DifferenceKind.WORD or self.share >= WORD_SHARE)
        )


def is_negation(key: str) -> bool:
    """Whether a normalised word negates (``nicht``, ``keinen``, ``don't`` …)."""
    return key in NEGATIONS or key.endswith("n't")


def sentence_tokens(text: str, locale: Locale, base: int = 0) -> list[Token]:
    """The tokens of normalised ``text`` (offsets + ``base``); numbers keyed by value."""
    out: list[Token] = []
    prev = 0
    for m in _TOKEN.finditer(text):
        # One character past the gap, so a mark right before the token is not taken for
        # one at the end of the text ("3:14").
        boundary = _SENTENCE_MARK.search(text, prev, m.start() + 1) is not None
        prev = m.end()
        raw = m.group("num")
        if raw is not None:
            value = parse_number(raw.replace("'", "").replace(" ", ""), locale)
            key = f"#{value:g}" if value is not None else raw
            out.append(Token(key, base + m.start(), base + m.end(), True, boundary))
        else:
            word = m.group(0)
            if "'" in word and not word.endswith("n't"):
                word = _POSSESSIVE.sub("", word)  # "boeing's" is "boeing" ("'s" may stand apart)
            if word in ("billion", "billionen"):
                word = _BILLION[locale] if word == "billion" else "<1e12>"
            word = _ALIASES.get(word, word)
            if word == "cent" and out and out[-1].key == "per" and not boundary:
                per = out[-1]
                out[-1] = Token("<%>", per.start, base + m.end(), False, per.boundary_before)
                continue  # "per cent" is "percent"
            out.append(Token(word, base + m.start(), base + m.end(), False, boundary))
    return out


def _anchors(
    ops: Sequence[Opcode], article: Sequence[Token], page: Sequence[Token]
) -> list[Opcode]:
    """Equal runs that anchor the alignment.

    Runs separated by a gap that holds a sentence mark (``. ! ? ; :``) on either side
    are different sentences: only the group with the most equal tokens is kept
    (``according to the`` of ``According to the report: "…`` against a page's
    ``according to the news agency. The …`` is framing). Then a short run
    (``_EDGE_RUN`` tokens or fewer) at either edge is dropped while it is cut off
    from the next run by more than one token on either side.
    """
    equal = [op for op in ops if op.tag == "equal"]

    def cut_off(first: Opcode, second: Opcode) -> bool:
        """Whether the gap between two runs (in order) is wide or crosses a sentence mark."""
        lo_a, hi_a = first.src_end, second.src_start
        lo_p, hi_p = first.dest_end, second.dest_start
        if hi_a - lo_a > 1 or hi_p - lo_p > 1:
            return True
        # boundary_before of the gap's tokens and of the second run's first token.
        return any(t.boundary_before for t in article[lo_a : hi_a + 1]) or any(
            t.boundary_before for t in page[lo_p : hi_p + 1]
        )

    def short(op: Opcode) -> bool:
        return op.src_end - op.src_start <= _EDGE_RUN

    def crosses_mark(first: Opcode, second: Opcode) -> bool:
        return any(t.boundary_before for t in article[first.src_end : second.src_start + 1]) or any(
            t.boundary_before for t in page[first.dest_end : second.dest_start + 1]
        )

    # Runs on both sides of a sentence mark in a gap belong to different sentences
    # (framing, or the page's neighbour): keep the group with the most equal tokens.
    groups: list[list[Opcode]] = []
    for op in equal:
        if groups and not crosses_mark(groups[-1][-1], op):
            groups[-1].append(op)
        else:
            groups.append([op])
    if groups:
        equal = max(groups, key=lambda g: sum(op.src_end - op.src_start for op in g))
    while len(equal) > 1 and short(equal[0]) and cut_off(equal[0], equal[1]):
        equal.pop(0)
    while len(equal) > 1 and short(equal[-1]) and cut_off(equal[-2], equal[-1]):
        equal.pop()
    return equal


def _stem(key: str) -> str:
    return unit_stem(key)


def _is_content(token: Token) -> bool:
    return not token.number and len(token.key) > 1 and token.key not in _STOP


def _classify(article: Sequence[Token], page: Sequence[Token]) -> DifferenceKind:
    """The kind of one differing stretch (article tokens against page tokens)."""
    a_neg = sum(1 for t in article if is_negation(t.key))
    p_neg = sum(1 for t in page if is_negation(t.key))
    if a_neg != p_neg:
        return DifferenceKind.NEGATION
    a_num = sorted(t.key for t in article if t.number or t.key.startswith("<1e"))
    p_num = sorted(t.key for t in page if t.number or t.key.startswith("<1e"))
    if a_num and p_num and a_num != p_num:
        return DifferenceKind.NUMBER  # a number on one side only is a missing part, not another
    if article and page:
        a_content = {_stem(t.key) for t in article if _is_content(t)}
        p_content = {_stem(t.key) for t in page if _is_content(t)}
        if a_content and p_content and a_content != p_content:
            return DifferenceKind.WORD
    return DifferenceKind.OTHER


def compare_tokens(article: Sequence[Token], page: Sequence[Token]) -> Comparison:
    """Align ``article`` tokens with ``page`` tokens and classify the differences.

    Rules in the module docstring. ``page`` may be longer than the sentence
    (a window of page text); its words outside the compared stretch are context.
    """
    a_keys = [t.key for t in article]
    p_keys = [t.key for t in page]
    matcher = SequenceMatcher(None, a_keys, p_keys, autojunk=False)
    ops = [Opcode(*op) for op in matcher.get_opcodes()]
    anchors = _anchors(ops, article, page)
    if not anchors:
        return Comparison(False, 0, 0.0, (0, 0), (0, 0), ())
    a0, p0 = anchors[0].src_start, anchors[0].dest_start
    a1, p1 = anchors[-1].src_end, anchors[-1].dest_end
    diffs: list[PartDifference] = []
    equal = 0
    for op in ops:
        if (op.src_end <= a0 and op.dest_end <= p0) or (op.src_start >= a1 and op.dest_start >= p1):
            continue
        s0, s1 = max(op.src_start, a0), min(op.src_end, a1)
        d0, d1 = max(op.dest_start, p0), min(op.dest_end, p1)
        if op.tag == "equal":
            equal += s1 - s0
            continue
        if s1 <= s0 and d1 <= d0:
            continue
        kind = _classify(article[s0:s1], page[d0:d1])
        diffs.append(PartDifference(kind, s0, max(s0, s1), d0, max(d0, d1)))
    # A different number or negation right next to an edge of the stretch, within the
    # same sentence: "410 Soldaten" / "400 Soldaten", "… geschickt." / "… geschickt nicht."
    for at_start in (True, False):
        ak, pk = (a0 - 1, p0 - 1) if at_start else (a1, p1)
        a_tok = article[ak] if 0 <= ak < len(article) else None
        p_tok = page[pk] if 0 <= pk < len(page) else None
        # A neighbour across a sentence mark is framing or another sentence.
        if a_tok is not None and (article[a0] if at_start else a_tok).boundary_before:
            a_tok = None
        if p_tok is not None and (page[p0] if at_start else p_tok).boundary_before:
            p_tok = None
        if a_tok is None and p_tok is None:
            continue
        a_neg = a_tok is not None and is_negation(a_tok.key)
        p_neg = p_tok is not None and is_negation(p_tok.key)
        if a_tok is not None and p_tok is not None:
            kind = _classify([a_tok], [p_tok])  # the same slot: "my3sense" / "my6sense"
            if kind is DifferenceKind.OTHER:
                continue
            a_span, p_span = (ak, ak + 1), (pk, pk + 1)
        elif a_neg or p_neg:
            kind = DifferenceKind.NEGATION
            edge = (a0, a0) if at_start else (a1, a1)
            a_span = (ak, ak + 1) if a_neg else edge
            p_span = (pk, pk + 1) if p_neg else ((p0, p0) if at_start else (p1, p1))
        else:
            continue
        diffs.insert(0 if at_start else len(diffs), PartDifference(kind, *a_span, *p_span))
    share = equal / max(a1 - a0, p1 - p0, 1)
    aligned = equal >= MIN_EQUAL and share >= MIN_SHARE and (a1 - a0) * 2 >= len(article)
    return Comparison(aligned, equal, share, (a0, a1), (p0, p1), tuple(diffs))


def classify_words(article: str | None, page: str | None) -> DifferenceKind:
    """The kind of one differing word pair of a quote (either side may be missing)."""

    def tokens(text: str | None) -> list[Token]:
        return sentence_tokens(normalize(text).text, Locale.DE) if text else []

    return _classify(tokens(article), tokens(page))


def compare_sentence(article: str, page: str, lang: str | None = None) -> Comparison:
    """:func:`compare_tokens` for two plain strings, each normalised first.

    ``lang`` (``de``/``en``) sets how both sides' numbers are read; without it
    each side's locale is guessed from its words.
    """
    a_norm, p_norm = normalize(article).text, normalize(page).text
    a_locale = guess_locale(a_norm, lang)
    p_locale = guess_locale(p_norm, lang)
    return compare_tokens(sentence_tokens(a_norm, a_locale), sentence_tokens(p_norm, p_locale))
