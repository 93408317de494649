"""Claims of an article body: quotes, terms, numbers, dates, names and key claims.

:func:`extract_claims` is a pure function of the body text. It combines the
extractors of :mod:`.quotes`, :mod:`.numbers` and :mod:`.names`:

* quotes of three or more words are ``quote`` claims with their speaker;
  shorter ones are ``term`` claims (weight 0.5);
* counts need a counted noun: in German the first capitalised word within
  three words after the number (``12.000 nordkoreanische Soldaten`` →
  ``soldaten``), in English the last word of the noun phrase after it
  (``12,000 North Korean troops`` → ``troops``); money and percentages carry
  their currency or ``percent`` instead; a number without either is skipped;
* dates are their own kind; numbers inside a date are not counts;
* names, numbers, dates and terms are reported once per distinct value (the
  first mention gives the span); quotes once per occurrence;
* every sentence (:func:`split_sentences`) that carries any of these is a
  ``key_claim`` whose ``parts`` are the ids of those claims.

Claim spans are offsets in the article file: ``body_start`` + offset in the
body (pass the ``Article.body_start``; with the default 0 they are body
offsets).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from srccheck.claims.model import Claim, ClaimKind, DateParts
from srccheck.claims.names import find_names
from srccheck.claims.numbers import Locale, find_dates, find_quantities, guess_locale, unit_stem
from srccheck.claims.numbers import word_set as _words
from srccheck.claims.quotes import find_quotes, find_speaker, word_count
from srccheck.text.normalize import normalize_simple

__all__ = ["TERM_WEIGHT", "extract_claims", "split_sentences"]


#: Weight of a quoted expression of fewer than three words.
TERM_WEIGHT = 0.5
_MIN_QUOTE_WORDS = 3

_ABBREVIATIONS = _words(
    """
    dr prof nr ca bzw usw vgl z b u a etc vs mio mrd st jh jan feb mär apr jun jul aug sep
    sept okt nov dez mar oct dec mr mrs ms no inc ltd co corp gen lt col sen rep gov
    """
)
_MONTH_WORDS = _words(
    """
    januar februar märz april mai juni juli august september oktober november dezember
    january february march june july october december
    """
)
# Words that start a sentence and never follow an ordinal ("3. Oktober", "2. Weltkrieg"):
# after a number of one or two digits they mean the number ended the sentence.
_SENTENCE_STARTERS = _words(
    """
    the a an it he she they we i this that these those there but and his her their our its
    der die das er sie es wir ich ein eine dies diese doch aber dann
    """
)
_BOUNDARY = re.compile(r"[.!?…]+[\"“”»«’']?(?=\s)|\n[ \t]*\n")
_NOUN_STOP = _words(
    """
    und oder in im zu bis von vom aus nach für mit bei auf an am um als wie pro je seit
    the and or in of to from at on for with by that which who than as be been is are was
    were have has had will would could said per each
    """
)


@dataclass(frozen=True, slots=True)
class _Mention:
    claim_id: str
    start: int
    end: int


def split_sentences(text: str, protected: Iterable[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """``(start, end)`` spans of the sentences of ``text``, blanks stripped.

    A sentence ends at ``.``, ``!``, ``?`` or ``…`` (with a closing quote mark)
    before a space, or at an empty line; not inside a ``protected`` span
    (quotes) unless the span's closing mark ends it (``… erreichen.“ Die``);
    not after an abbreviation, an initial (``W.``, ``F.A.Z.``) or an ordinal
    before a month (``21. Oktober``).
    """
    spans = sorted(protected)
    cuts: list[int] = []
    for m in _BOUNDARY.finditer(text):
        pos = m.start()
        inside = [end for start, end in spans if start <= pos < end]
        if inside:
            # Inside a quote only where the quote itself ends the sentence and the next
            # one starts with a capital (``… erreichen.“ Die``, not ``?“ sagte er``).
            after = text[m.end() : m.end() + 3].lstrip()
            if m.end() != inside[0] or not after[:1].isupper():
                continue
        if m.group(0)[0] == ".":
            word_m = re.search(r"(\w+)$", text[max(0, pos - 30) : pos])
            word = word_m.group(1) if word_m else ""
            next_word = re.match(r"\s*(\w+)", text[m.end() : m.end() + 30])
            following = next_word.group(1) if next_word else ""
            if word.lower() in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                continue
            if word.isdigit() and (
                following.lower() in _MONTH_WORDS
                or (len(word) <= 2 and following.lower() not in _SENTENCE_STARTERS)
            ):
                continue  # "21. Oktober", "der 2. Weltkrieg"; but "52 to 48. The"
            if following[:1].islower() and following not in ("so",):
                continue  # "ca. fünf", "u. a. die": a lower-case word does not start a sentence
        cuts.append(m.end())
    out: list[tuple[int, int]] = []
    prev = 0
    for cut in [*cuts, len(text)]:
        chunk = text[prev:cut]
        lead = len(chunk) - len(chunk.lstrip())
        start, end = prev + lead, prev + len(chunk.rstrip())
        if end > start:
            out.append((start, end))
        prev = cut
    return out


def _count_noun(words: tuple[tuple[str, int, int], ...], locale: Locale) -> tuple[str, int] | None:
    if locale is Locale.DE:
        for k, (word, _, end) in enumerate(words[:3]):
            if word.endswith("-") and k + 2 < len(words) and words[k + 1][0] in ("und", "oder"):
                # "27 Staats- und Regierungschefs": the count is of the last noun.
                return words[k + 2][0], words[k + 2][2]
            if word.lower() in _NOUN_STOP:
                return None
            if word[0].isupper():
                return word, end
            if k == 2:
                return None
        return None
    phrase: list[tuple[str, int, int]] = []
    for word, start, end in words[:3]:
        if word.lower() in _NOUN_STOP:
            break
        phrase.append((word, start, end))
    if not phrase:
        return None
    return phrase[-1][0], phrase[-1][2]


def extract_claims(body: str, *, body_start: int = 0, lang: str = "de") -> list[Claim]:
    """All claims of ``body`` (rules in the module docstring).

    Returns quotes, terms, numbers, dates, names and key claims, in that
    order, each group in body order; verdicts are unset until matching.
    """
    locale = guess_locale(body, lang)
    base = max(body_start, 0)
    claims: list[Claim] = []
    mentions: list[_Mention] = []
    counters: dict[str, int] = {}

    def new_id(prefix: str) -> str:
        counters[prefix] = counters.get(prefix, 0) + 1
        return f"{prefix}{counters[prefix]}"

    # Quotes and terms.
    quotes = find_quotes(body)
    seen_terms: dict[str, str] = {}
    for quote in quotes:
        words = word_count(quote.text)
        if words == 0:
            continue
        if words < _MIN_QUOTE_WORDS:
            key = normalize_simple(quote.text)
            if key in seen_terms:
                mentions.append(_Mention(seen_terms[key], quote.start, quote.end))
                continue
            claim_id = seen_terms[key] = new_id("t")
            claims.append(
                Claim(
                    id=claim_id,
                    kind=ClaimKind.TERM,
                    text=quote.text,
                    start=base + quote.start,
                    end=base + quote.end,
                    weight=TERM_WEIGHT,
                )
            )
        else:
            claim_id = new_id("q")
            claims.append(
                Claim(
                    id=claim_id,
                    kind=ClaimKind.QUOTE,
                    text=quote.text,
                    start=base + quote.start,
                    end=base + quote.end,
                    speaker=find_speaker(body, quote, lang),
                )
            )
        mentions.append(_Mention(claim_id, quote.start, quote.end))

    # Numbers and dates.
    dates = find_dates(body, locale)
    seen_dates: dict[tuple[int | None, int | None, int | None], str] = {}
    for date in dates:
        key = (date.year, date.month, date.day)
        if key not in seen_dates:
            seen_dates[key] = new_id("d")
            claims.append(
                Claim(
                    id=seen_dates[key],
                    kind=ClaimKind.DATE,
                    text=body[date.start : date.end],
                    start=base + date.start,
                    end=base + date.end,
                    date=DateParts(year=date.year, month=date.month, day=date.day),
                )
            )
        mentions.append(_Mention(seen_dates[key], date.start, date.end))

    seen_numbers: dict[tuple[float, str], str] = {}
    for quantity in find_quantities(body, locale, exclude=[(d.start, d.end) for d in dates]):
        unit, end = quantity.unit, quantity.end
        if unit is None:
            noun = _count_noun(quantity.following, locale)
            if noun is None:
                continue
            unit, end = noun[0].lower(), noun[1]
        key = (quantity.value, unit_stem(unit))
        if key not in seen_numbers:
            seen_numbers[key] = new_id("n")
            claims.append(
                Claim(
                    id=seen_numbers[key],
                    kind=ClaimKind.NUMBER,
                    text=body[quantity.start : end],
                    start=base + quantity.start,
                    end=base + end,
                    value=quantity.value,
                    unit=unit,
                )
            )
        mentions.append(_Mention(seen_numbers[key], quantity.start, end))

    # Names.
    seen_names: dict[str, str] = {}
    for name in find_names(body, lang):
        key = name.text.casefold()
        if key not in seen_names:
            seen_names[key] = new_id("e")
            claims.append(
                Claim(
                    id=seen_names[key],
                    kind=ClaimKind.NAME,
                    text=name.text,
                    start=base + name.start,
                    end=base + name.end,
                    entity=name.entity,
                )
            )
        mentions.append(_Mention(seen_names[key], name.start, name.end))

    # Key claims: sentences carrying any of the above.
    ordered = sorted(mentions, key=lambda m: m.start)
    for start, end in split_sentences(body, [(q.open_at, q.close_at + 1) for q in quotes]):
        parts: list[str] = []
        for mention in ordered:
            if start <= mention.start < end and mention.claim_id not in parts:
                parts.append(mention.claim_id)
        if parts:
            claims.append(
                Claim(
                    id=new_id("k"),
                    kind=ClaimKind.KEY_CLAIM,
                    text=body[start:end],
                    start=base + start,
                    end=base + end,
                    parts=parts,
                )
            )
    return claims
