"""Dates as articles write them."""

from __future__ import annotations

import datetime as dt

import pytest

from srccheck.articles.dates import parse_date

D = dt.date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("22.10.2024", D(2024, 10, 22)),
        ("1.2.2024", D(2024, 2, 1)),
        (" 22.10.2024 ", D(2024, 10, 22)),
        ("2024-10-22", D(2024, 10, 22)),
        ("2024-10-22T23:30:00+02:00", D(2024, 10, 22)),
        ("2024-10-22T21:30:00Z", D(2024, 10, 22)),
        ("22. Oktober 2024", D(2024, 10, 22)),
        ("3. März 2024", D(2024, 3, 3)),
        ("3. Maerz 2024", D(2024, 3, 3)),
        ("22 October 2024", D(2024, 10, 22)),
        ("October 22, 2024", D(2024, 10, 22)),
        ("Oct. 22, 2024", D(2024, 10, 22)),
        ("December 1st, 2023", D(2023, 12, 1)),
        ("31.02.2024", None),
        ("22.10.24", None),
        ("22. Foo 2024", None),
        ("Am 22.10.2024 sagte er", None),
        ("", None),
    ],
)
def test_parse_date(text: str, expected: dt.date | None) -> None:
    assert parse_date(text) == expected
