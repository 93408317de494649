"""Numbers and dates in running text, parsed to values with a locale (no I/O).

Shared by claim extraction (article body, original case) and the page index
(normalised, case-folded page text), so both sides parse the same way.

Number rules (:func:`parse_number`):

* German (``de``): ``.`` followed by exactly three digits groups thousands
  (``12.000`` = 12000), ``,`` is the decimal mark (``1,5`` = 1.5).
* English (``en``): ``,`` followed by exactly three digits groups thousands
  (``12,000`` = 12000), ``.`` is the decimal mark.
* Spaces (also NBSP, thin and narrow spaces) between three-digit groups group
  thousands in both (``12 000``).
* Scale words multiply (Millionen/Mio., Milliarden/Mrd., Tausend, million,
  billion, bn …); German ``Billion`` is 10¹², English ``billion`` 10⁹.
* Ranges share the unit, scale and counted noun of their upper end:
  ``410 bis 500 Wh/kg``, ``zwischen 5 und 7 Millionen Euro``, ``from 5 to 10
  percent``, ``5–10 %``, ``2 oder 3 Soldaten`` give both ends, each with the
  unit written after the second (``und``/``and`` only after ``zwischen``/
  ``between``).

Quantity kinds: money (a currency sign or word next to the number; the unit is
an ISO code such as ``usd``), percentages (``%``, Prozent, percent; unit
``percent``) and counts (the unit is the counted noun, chosen by the caller
from :attr:`Quantity.following`).

Dates (:func:`find_dates`): ``22.10.2024``, ISO ``2024-10-22``, US
``10/22/2024`` (English only), ``21. Oktober [2024]``, ``21 October [2024]``,
``October 21[, 2024]``, ``Februar 2022``, and a bare year after a preposition
(``seit 2014``, ``since 2014``). Month names in German and English, so a German
claim matches an English page. Numbers inside a date are never quantities.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "DateMention",
    "Locale",
    "Quantity",
    "find_dates",
    "find_quantities",
    "guess_locale",
    "parse_number",
    "text_language",
    "unit_stem",
    "units_match",
    "word_set",
]


def word_set(text: str) -> frozenset[str]:
    """A word list written as one whitespace-separated string (shared by the claims rules)."""
    return frozenset(text.split())



class Locale(StrEnum):
    """How numbers are written: decimal and thousands marks."""

    DE = "de"
    EN = "en"


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number with its scale, currency or percent sign, as found in a text."""

    value: float
    unit: str | None  # ISO currency code, "percent", or None for a count
    start: int
    end: int
    following: tuple[tuple[str, int, int], ...]  # next words (text, start, end), up to 4
    scale: float = 1.0  # the factor of a scale word written with it (Millionen …)


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date or part of one found in a text."""

    year: int | None
    month: int | None
    day: int | None
    start: int
    end: int


_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "januar jänner jaenner january jan",
        "februar feber february feb",
        "märz maerz march mär mrz mar",
        "april apr",
        "mai may",
        "juni june jun",
        "juli july jul",
        "august aug",
        "september sept sep",
        "oktober october okt oct",
        "november nov",
        "dezember december dez dec",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_YEAR = r"((?:1[89]|20)\d{2})"
_I = re.IGNORECASE

# Each pattern with where its matches can start: ``digit`` patterns at the first
# digit of a digit run, ``word`` patterns at one of the two words before a number
# (see _date_starts). Every pattern holds a number, so only those places are tried.
_DATE_PATTERNS: tuple[tuple[re.Pattern[str], str, frozenset[Locale], str], ...] = (
    (re.compile(rf"\b{_YEAR}-(\d{{2}})-(\d{{2}})\b"), "ymd", frozenset(Locale), "digit"),
    (
        re.compile(rf"(?<![\d.])(\d{{1,2}})\.\s?(\d{{1,2}})\.\s?{_YEAR}\b"),
        "dmy",
        frozenset(Locale),
        "digit",
    ),
    (
        re.compile(rf"(?<![\d/])(\d{{1,2}})/(\d{{1,2}})/{_YEAR}\b"),
        "mdy",
        frozenset({Locale.EN}),
        "digit",
    ),
    (
        re.compile(
            rf"(?<![\d.,])(\d{{1,2}})(?:\.|st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_RE})\b\.?"
            rf"(?:,?\s+{_YEAR}\b)?",
            _I,
        ),
        "d_month_y",
        frozenset(Locale),
        "digit",
    ),
    (
        re.compile(
            rf"\b({_MONTH_RE})\b\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?![.,]\d)"
            rf"(?:,?\s+{_YEAR}\b)?",
            _I,
        ),
        "month_d_y",
        frozenset(Locale),
        "word",
    ),
    (
        re.compile(rf"\b({_MONTH_RE})\b\.?,?\s+{_YEAR}\b", _I),
        "month_y",
        frozenset(Locale),
        "word",
    ),
    (
        re.compile(
            rf"\b(?:im\s+jahre?|seit|bis|ab|since|until|by|in|from)\s+{_YEAR}\b(?![.,]\d)", _I
        ),
        "y",
        frozenset(Locale),
        "word",
    ),
)
# Where a match can start. A digit pattern starts at the first digit of a run
# (a digit or \b before it). A word pattern starts at a whole letters-only word
# (a month name, a preposition) that is followed by ``.``/``,`` and blanks and
# then a number, or at the word before it ("im Jahr 2020").
_DIGIT_RUN = re.compile(r"\d+")
_CURRENCY_SIGN = re.compile(r"[$€£]")
_BLANKS = re.compile(r"[ \u00a0\u202f\u2009]")

_NUMBER = (
    r"(?<![\w.,])"
    r"(\d{1,3}(?:(?:[.,]|[ \u00a0\u202f\u2009])\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)"
    r"(?!\w|[.,]\d)"
)
# Scale words: value per locale (German "Billion" is 10^12, English "billion" 10^9).
_SCALES: dict[str, tuple[float, float]] = {
    "tausend": (1e3, 1e3), "tsd": (1e3, 1e3), "thousand": (1e3, 1e3), "k": (1e3, 1e3),
    "million": (1e6, 1e6), "millionen": (1e6, 1e6), "mio": (1e6, 1e6), "mn": (1e6, 1e6),
    "m": (1e6, 1e6), "millions": (1e6, 1e6),
    "milliarde": (1e9, 1e9), "milliarden": (1e9, 1e9), "mrd": (1e9, 1e9), "bn": (1e9, 1e9),
    "billion": (1e12, 1e9), "billionen": (1e12, 1e12), "billions": (1e12, 1e9),
    "trillion": (1e18, 1e12), "trillions": (1e18, 1e12),
}  # fmt: skip
_SCALE_RE = (
    r"(tausend|tsd\.?|thousand|millionen|millions?|mio\.?|mn|milliarden|milliarde|mrd\.?|"
    r"billionen|billions?|trillions?|bn|m\b|k\b)"
)
_CURRENCIES: dict[str, str] = {
    "$": "usd", "us$": "usd", "usd": "usd", "us-dollar": "usd", "us-dollars": "usd",
    "dollar": "usd", "dollars": "usd", "€": "eur", "eur": "eur", "euro": "eur", "euros": "eur",
    "£": "gbp", "gbp": "gbp", "pfund": "gbp", "pound": "gbp", "pounds": "gbp",
    "rubel": "rub", "rubles": "rub", "roubles": "rub", "rub": "rub", "yuan": "cny",
    "yen": "jpy", "franken": "chf", "chf": "chf", "griwna": "uah", "hrywnja": "uah",
    "hryvnia": "uah", "hryvnias": "uah",
}  # fmt: skip
_CURRENCY_WORD = (
    r"(us-dollars?|dollars?|euros?|eur|usd|gbp|chf|rub|pfund|pounds?|rubel|rubles|roubles|"
    r"yuan|yen|franken|griwna|hrywnja|hryvnias?|€|\$|£)"
)
_PERCENT = r"(%|prozent|percent|per\s+cent|pct\.?)"
_QUANTITY = re.compile(
    rf"(?:(us\$|\$|€|£)\s?)?{_NUMBER}(?:\s?{_SCALE_RE})?(?:\s?(?:{_PERCENT}|{_CURRENCY_WORD}))?"
    r"(?![\w$€£])",
    _I,
)
_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
_STOP_PUNCT = re.compile(r"[.;:!?,()\[\]\"„“”«»]")

_DE_WORDS = word_set(
    "der die das und ist nicht mit von den sich auf für eine ein dem des im zu auch als"
)
_EN_WORDS = word_set("the and of to is in that for with was on are as by it from")
# How clearly the words must say the other language to overrule a page's lang hint.
_OVERRULE_WORDS = 20
_OVERRULE_RATIO = 5


def _function_words(text: str) -> tuple[int, int]:
    """German and English function words among the first 20 000 characters."""
    return _count_function_words(text[:20000])


@functools.lru_cache(maxsize=256)
def _count_function_words(head: str) -> tuple[int, int]:
    # Kept (at most 256 heads of 20,000 characters, 5–10 MB): a page's language is asked
    # again by every article citing it.
    de = en = 0
    for word in re.findall(r"[a-zäöüß]+", head.lower()):
        if word in _DE_WORDS:
            de += 1
        elif word in _EN_WORDS:
            en += 1
    return de, en


def _primary(hint: str | None) -> str | None:
    """The primary language subtag of an ``<html lang>`` value (``de-DE`` → ``de``)."""
    primary = (hint or "").strip().split("-")[0].split("_")[0].lower()
    return primary if primary.isalpha() else None


def _clearly(count: int, against: int) -> bool:
    return count >= _OVERRULE_WORDS and count >= _OVERRULE_RATIO * against


def guess_locale(text: str, hint: str | None = None) -> Locale:
    """German or English number writing for ``text``.

    Frequent function words of the first 20 000 characters are counted.
    ``hint`` (an ``<html lang>`` value such as ``de-DE``) wins when it names
    one of the two, unless the words clearly say the other language (at least
    ``_OVERRULE_WORDS`` of its function words, ``_OVERRULE_RATIO`` times as
    many as of the hinted one's): real pages declare the wrong language (an
    English article on a publisher's German template says ``lang="de"``, and
    ``$19,000`` must not be read as 19). Without a usable hint the counts
    decide, and ties go to German.
    """
    de, en = _function_words(text)
    primary = _primary(hint)
    if primary in ("de", "en"):
        said, other = (de, en) if primary == "de" else (en, de)
        if _clearly(other, said):
            return Locale.EN if primary == "de" else Locale.DE
        return Locale(primary)
    return Locale.EN if en > de else Locale.DE


def text_language(text: str, hint: str | None = None) -> str | None:
    """The language ``text`` is written in, as far as srccheck can tell: ``de`` or
    ``en`` when its function words clearly say so, else the ``hint``'s primary
    subtag (``fr``, ``ko`` …), else ``None``.

    A hint naming German or English stands unless the words clearly say the
    other (as in :func:`guess_locale`); a hint naming any other language stands
    unless the words clearly say German or English.
    """
    de, en = _function_words(text)
    if _clearly(de, en):
        return "de"
    if _clearly(en, de):
        return "en"
    return _primary(hint)


def parse_number(raw: str, locale: Locale) -> float | None:
    """The value of a written number (rules in the module docstring)."""
    if raw.isdecimal():  # the common case: no marks, nothing to decide
        return float(raw)
    text = _BLANKS.sub("", raw)
    group, decimal = (".", ",") if locale is Locale.DE else (",", ".")
    # A mark is a thousands separator only before exactly three digits.
    text = re.sub(rf"\{group}(?=\d{{3}}(?!\d))", "", text)
    text = text.replace(decimal, ".").replace(group, ".")
    if text.count(".") > 1:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def find_dates(text: str, locale: Locale) -> list[DateMention]:
    """All dates in ``text``, earliest first, never overlapping.

    The patterns are tried in order, each like ``finditer`` (leftmost,
    non-overlapping) but only at the places where one of its matches can start
    (``_date_starts``), so a page costs one pass per candidate kind, not one
    full regex scan per pattern.
    """
    found: list[DateMention] = []
    starts: dict[str, list[int]] | None = None
    taken = bytearray(len(text))  # 1 where an earlier pattern already matched
    for pattern, shape, locales, kind in _DATE_PATTERNS:
        if locale not in locales:
            continue
        if starts is None:
            starts = _date_starts(text)
        for m in _matches_at(pattern, text, starts[kind]):
            if any(taken[m.start() : m.end()]):
                continue
            mention = _date_from_match(m, shape)
            if mention is not None:
                found.append(mention)
                taken[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
    return sorted(found, key=lambda d: d.start)


def _date_starts(text: str) -> dict[str, list[int]]:
    """Sorted candidate start offsets for the ``digit`` and ``word`` date patterns.

    Word candidates are found by walking back from each number over blanks, an
    optional ``,`` and ``.`` and the letters of the word before (and for
    "Jahr"/"Jahre" the word before that); the letters are ``[^\\W\\d_]``, as in
    the patterns. A superset is harmless: every candidate is only tried.
    """
    digits = [m.start() for m in _DIGIT_RUN.finditer(text)]
    words: set[int] = set()
    for digit in digits:
        end = _skip_back(text, digit, str.isspace)
        if end == digit:
            continue
        if end > 0 and text[end - 1] == ",":
            end -= 1
        if end > 0 and text[end - 1] == ".":
            end -= 1
        start = _skip_back(text, end, _is_letter)
        if start == end:
            continue
        words.add(start)
        if text[start:end].lower() in ("jahr", "jahre"):  # "im Jahr 2020"
            gap = _skip_back(text, start, str.isspace)
            if gap < start:
                words.add(_skip_back(text, gap, _is_letter))
    return {"digit": digits, "word": sorted(words)}


def _is_letter(ch: str) -> bool:
    return ch.isalnum() and not ch.isdecimal()  # [^\W\d_]: \w is alnum or "_"


def _skip_back(text: str, pos: int, accept: Callable[[str], bool]) -> int:
    while pos > 0 and accept(text[pos - 1]):
        pos -= 1
    return pos


def _matches_at(pattern: re.Pattern[str], text: str, starts: list[int]) -> Iterator[re.Match[str]]:
    """What ``pattern.finditer(text)`` yields, given every offset a match can start at.

    ``match(text, pos)`` sees the text before ``pos`` (look-behinds, ``\\b``), so
    trying the sorted candidates and skipping those inside the previous match is
    the same leftmost, non-overlapping scan.
    """
    end = 0
    for pos in starts:
        if pos < end:
            continue
        m = pattern.match(text, pos)
        if m is not None:
            yield m
            end = m.end()


def _date_from_match(m: re.Match[str], shape: str) -> DateMention | None:
    g = m.groups()
    year = month = day = None
    if shape == "ymd":
        year, month, day = int(g[0]), int(g[1]), int(g[2])
    elif shape == "dmy":
        day, month, year = int(g[0]), int(g[1]), int(g[2])
    elif shape == "mdy":
        month, day, year = int(g[0]), int(g[1]), int(g[2])
    elif shape == "d_month_y":
        day, month = int(g[0]), _MONTHS.get(g[1].lower(), 0)
        year = int(g[2]) if g[2] else None
    elif shape == "month_d_y":
        month, day = _MONTHS.get(g[0].lower(), 0), int(g[1])
        year = int(g[2]) if g[2] else None
    elif shape == "month_y":
        month, year = _MONTHS.get(g[0].lower(), 0), int(g[1])
    else:
        year = int(g[0])
    # A month word the table lacks (case folding of 'ſept' …) is not a date: 0 fails here.
    if month is not None and not 1 <= month <= 12:
        return None
    if day is not None and not 1 <= day <= 31:
        return None
    start = m.start(1) if shape == "y" else m.start()
    return DateMention(year=year, month=month, day=day, start=start, end=m.end())


def find_quantities(
    text: str, locale: Locale, *, exclude: list[tuple[int, int]] | None = None
) -> list[Quantity]:
    """All numbers in ``text`` with scale, currency/percent and the words after them.

    Spans overlapping ``exclude`` (typically the dates of the same text) are
    skipped, so ``21. Oktober`` never yields the count 21.
    """
    excluded = bytearray(len(text))
    for start, end in exclude or ():
        excluded[start:end] = b"\x01" * (end - start)
    out: list[Quantity] = []
    for m in _matches_at(_QUANTITY, text, _quantity_starts(text)):
        if any(excluded[m.start() : m.end()]):
            continue
        prefix, number, scale, percent, currency = m.groups()
        value = parse_number(number, locale)
        if value is None:
            continue
        base = value
        if scale:
            key = scale.lower().rstrip(".")
            if key in ("m", "k", "bn", "mn") and not (prefix or currency):
                scale = None  # "5 m" is five metres, not five million
            else:
                factors = _SCALES.get(key)
                if factors is not None:
                    value *= factors[0] if locale is Locale.DE else factors[1]
        end = m.end() if (scale or percent or currency) else m.end(2)
        factor = value / base if scale and base else 1.0
        unit: str | None = None
        if percent:
            unit = "percent"
        elif prefix or currency:
            unit = _CURRENCIES.get((prefix or currency).lower().replace(" ", ""))
        out.append(
            Quantity(
                value=value,
                unit=unit,
                start=m.start(),
                end=end,
                following=_following_words(text, end),
                scale=factor,
            )
        )
    return _share_range_units(text, out)


# Words between the two ends of a range; "und"/"and" need "zwischen"/"between" before.
_RANGE_LINK = re.compile(r"\s*(?:bis|to|oder|or|-|–|—|und|and)\s*", re.IGNORECASE)
_RANGE_OPEN = re.compile(r"(?:zwischen|between)\s+$", re.IGNORECASE)


def _share_range_units(text: str, found: list[Quantity]) -> list[Quantity]:
    """Give the lower end of a range the unit, scale and noun of its upper end.

    ``410 bis 500 Wh/kg``: 410 has no noun of its own (``bis`` follows it), so
    without this it would be no claim at all. Only a bare lower end (no unit,
    no scale) borrows; its span stays its own.
    """
    out = list(found)
    for k in range(len(out) - 2, -1, -1):  # from the right: "1 bis 2 bis 3" chains
        low, high = out[k], out[k + 1]
        if low.unit is not None or low.scale != 1.0:
            continue
        link = _RANGE_LINK.fullmatch(text, low.end, high.start)
        if link is None:
            continue
        word = link.group(0).strip().lower()
        opened = _RANGE_OPEN.search(text, max(0, low.start - 12), low.start)
        if word in ("und", "and") and opened is None:
            continue
        if high.unit is None and high.scale == 1.0 and not high.following:
            continue
        out[k] = Quantity(
            value=low.value * high.scale,
            unit=high.unit,
            start=low.start,
            end=low.end,
            following=high.following,
            scale=high.scale,
        )
    return out


def _quantity_starts(text: str) -> list[int]:
    """Where a ``_QUANTITY`` match can start: the first digit of a digit run, or a
    currency sign (``$ € £``) or the two characters before it (``US$``)."""
    starts = [m.start() for m in _DIGIT_RUN.finditer(text)]
    for m in _CURRENCY_SIGN.finditer(text):
        starts.append(m.start())
        if m.start() >= 2:
            starts.append(m.start() - 2)
    return sorted(set(starts))


def _following_words(text: str, pos: int, limit: int = 4) -> tuple[tuple[str, int, int], ...]:
    words: list[tuple[str, int, int]] = []
    window = text[pos : pos + 120]
    stop = _STOP_PUNCT.search(window)
    window = window[: stop.start()] if stop else window
    for m in _WORD.finditer(window):
        words.append((m.group(0), pos + m.start(), pos + m.end()))
        if len(words) >= limit:
            break
    return tuple(words)


_ENDINGS = ("innen", "en", "er", "es", "n", "e", "s")


def unit_stem(word: str) -> str:
    """A crude stem of a counted noun: lower-cased, one plural/case ending cut.

    ``Soldaten``/``Soldat`` → ``soldat``, ``troops`` → ``troop``. Enough to let
    a number match its noun in another inflection; not a real lemmatiser.
    """
    word = word.lower().strip("'’-")
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


def units_match(a: str | None, b: str | None) -> bool:
    """Whether two units/nouns name the same thing (same stem, or both absent)."""
    if a is None or b is None:
        return a is b
    return unit_stem(a) == unit_stem(b)
