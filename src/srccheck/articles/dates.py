"""Reading an article's publication date from the few ways articles write it."""

from __future__ import annotations

import datetime as dt
import re

__all__ = ["MONTHS", "parse_date"]

_GERMAN = "januar februar märz april mai juni juli august september oktober november dezember"
_ENGLISH = "january february march april may june july august september october november december"
_SHORT = "jan feb mar apr may jun jul aug sep oct nov dec"

#: Month names (German and English, full and common abbreviations) → month number.
MONTHS: dict[str, int] = {
    **{name: number for names in (_GERMAN, _ENGLISH, _SHORT)
       for number, name in enumerate(names.split(), start=1)},
    **{"jänner": 1, "maerz": 3, "mär": 3, "mrz": 3, "okt": 10, "dez": 12, "sept": 9},
}

_NUMERIC_DMY = re.compile(r"(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})\.?\s+([^\W\d_]+)\.?\s+(\d{4})")
_MONTH_DAY_YEAR = re.compile(r"([^\W\d_]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")


def parse_date(value: str) -> dt.date | None:
    """The date written in ``value``, or ``None`` when it is not (only) a date.

    Accepted, the whole (stripped) string being the date: ``22.10.2024``,
    ``2024-10-22`` (also an ISO timestamp such as ``2024-10-22T08:00:00+02:00``,
    whose calendar date is taken as written), ``22. Oktober 2024``,
    ``22 October 2024`` and ``October 22, 2024``, with German or English month
    names or their usual abbreviations. Impossible dates (31.02.) give ``None``.
    """
    text = value.strip()
    if len(text) > 40:  # a date line is short; avoid work on body paragraphs
        return None
    if match := _NUMERIC_DMY.fullmatch(text):
        day, month, year = match.groups()
        return _date(year, month, day)
    if match := _ISO.fullmatch(text):
        year, month, day = match.groups()
        return _date(year, month, day)
    if match := _DAY_MONTH_YEAR.fullmatch(text):
        day, name, year = match.groups()
        month_number = MONTHS.get(name.lower())
        return _date(year, month_number, day) if month_number else None
    if match := _MONTH_DAY_YEAR.fullmatch(text):
        name, day, year = match.groups()
        month_number = MONTHS.get(name.lower())
        return _date(year, month_number, day) if month_number else None
    return None


def _date(year: str, month: str | int, day: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None
