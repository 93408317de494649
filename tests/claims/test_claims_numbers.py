"""Numbers and dates: parsing with a locale, units and nouns."""

from __future__ import annotations

import pytest

from srccheck.claims import ClaimKind, extract_claims
from srccheck.claims.numbers import Locale, guess_locale, parse_number, text_language


@pytest.mark.parametrize(
    ("raw", "locale", "value"),
    [
        ("12.000", Locale.DE, 12000.0),
        ("1,5", Locale.DE, 1.5),
        ("1.234,5", Locale.DE, 1234.5),
        ("12 000", Locale.DE, 12000.0),
        ("12\u202f000", Locale.DE, 12000.0),
        ("12,000", Locale.EN, 12000.0),
        ("2.5", Locale.EN, 2.5),
        ("1,234.5", Locale.EN, 1234.5),
        ("12.000", Locale.EN, 12.0),
    ],
)
def test_parse_number(raw: str, locale: Locale, value: float) -> None:
    assert parse_number(raw, locale) == value


def _numbers(text: str, lang: str = "de") -> set[tuple[float | None, str | None]]:
    claims = extract_claims(text, lang=lang)
    return {(c.value, c.unit) for c in claims if c.kind is ClaimKind.NUMBER}


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Nordkorea schickte etwa 1500 Sondertruppen.", "de", (1500.0, "sondertruppen")),
        ("Bis zu 12.000 nordkoreanische Soldaten.", "de", (12000.0, "soldaten")),
        ("Ein Paket für 400 Millionen US-Dollar.", "de", (4e8, "usd")),
        ("Die Hilfe von 3,5 Mrd. Euro kommt.", "de", (3.5e9, "eur")),
        ("Die Inflation lag bei 12 Prozent.", "de", (12.0, "percent")),
        ("Die Inflation lag bei 12 %.", "de", (12.0, "percent")),
        ("Die Inflation lag bei 12%.", "de", (12.0, "percent")),
        ("The US pledged $2.5 billion in aid.", "en", (2.5e9, "usd")),
        ("About 12,000 North Korean troops were sent.", "en", (12000.0, "troops")),
        ("Inflation rose 3.5 percent in May.", "en", (3.5, "percent")),
        ("Die Ukraine erhielt 1,5 Billionen Euro.", "de", (1.5e12, "eur")),
    ],
)
def test_number_claims(text: str, lang: str, expected: tuple[float, str]) -> None:
    assert _numbers(text, lang) == {expected}


def test_number_without_noun_is_not_a_claim() -> None:
    assert _numbers("Es waren 1500, sagte er.") == set()


def _dates(text: str, lang: str = "de") -> set[tuple[int | None, int | None, int | None]]:
    return {
        (c.date.year, c.date.month, c.date.day)
        for c in extract_claims(text, lang=lang)
        if c.kind is ClaimKind.DATE and c.date is not None
    }


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Er kam am 21. Oktober nach Kiew.", "de", (None, 10, 21)),
        ("Der Krieg begann im Februar 2022.", "de", (2022, 2, None)),
        ("Stand: 22.10.2024, Berlin.", "de", (2024, 10, 22)),
        ("Published 2024-10-22 in Berlin.", "en", (2024, 10, 22)),
        ("He arrived on October 21 in Kyiv.", "en", (None, 10, 21)),
        ("He arrived on October 21, 2024 in Kyiv.", "en", (2024, 10, 21)),
        ("He arrived on 21 October 2024 in Kyiv.", "en", (2024, 10, 21)),
        ("Seit 2014 herrscht Krieg.", "de", (2014, None, None)),
    ],
)
def test_date_claims(text: str, lang: str, expected: tuple[int | None, ...]) -> None:
    assert _dates(text, lang) == {expected}


def test_day_of_a_date_is_not_a_count() -> None:
    claims = extract_claims("Am 21. Oktober kamen Soldaten an.")
    assert not [c for c in claims if c.kind is ClaimKind.NUMBER]


def test_guess_locale() -> None:
    assert guess_locale("Die Soldaten sind in der Ukraine und nicht zu Hause.") is Locale.DE
    assert guess_locale("The troops are in the region and it is cold.") is Locale.EN
    assert guess_locale("The troops are here.", "de-DE") is Locale.DE


ENGLISH_ARTICLE = (
    "In 2019, you can contribute up to $19,000 pretax to a 401(k) and $6,000 to a "
    "traditional IRA for which you can get a tax deduction on your current year's tax "
    "return. The only caveat is that the money is locked in the account until you are "
    "59 and a half, and that is a long time for most of the people who read this. "
) * 3
GERMAN_ARTICLE = (
    "Am 12. bis 13. September startet wieder die DMEXCO in Köln, und die Firma ist mit "
    "dabei. Auf der Messe werden dieses Jahr mehr als 40.000 Besucher erwartet, die sich "
    "für die Digitalbranche und ihre Zukunft interessieren, auch wenn es nicht einfach ist. "
) * 3


@pytest.mark.parametrize(
    ("text", "hint", "locale"),
    [
        # Real pages that declare the wrong language: the words overrule the hint.
        (ENGLISH_ARTICLE, "de", Locale.EN),
        (GERMAN_ARTICLE, "en", Locale.DE),
        # The hint stands when the words agree, or are too few to say otherwise.
        (ENGLISH_ARTICLE, "en-US", Locale.EN),
        (GERMAN_ARTICLE, "de-DE", Locale.DE),
        ("The troops are in the region and it is cold, the minister said.", "de", Locale.DE),
        ("Die Soldaten sind in der Ukraine und nicht zu Hause.", "en", Locale.EN),
    ],
)
def test_a_page_lang_hint_gives_way_only_to_clear_words(
    text: str, hint: str, locale: Locale
) -> None:
    assert guess_locale(text, hint) is locale


def test_an_english_page_declared_german_keeps_its_thousands() -> None:
    from srccheck.claims import ClaimKind, Verdict, extract_claims, match_claims
    from srccheck.text import PageText, TextSource

    page = PageText(main_text=ENGLISH_ARTICLE, full_text=ENGLISH_ARTICLE,
                    source=TextSource.ARTICLE, lang="de")  # fmt: skip
    sentence = ENGLISH_ARTICLE.split(". ")[0] + "."
    claims = match_claims(extract_claims(sentence, lang="en"), [(0, "live", page)])
    numbers = {c.text: c.verdict for c in claims if c.kind is ClaimKind.NUMBER}
    assert numbers == {"$19,000": Verdict.FOUND, "$6,000": Verdict.FOUND}
    key = next(c for c in claims if c.kind is ClaimKind.KEY_CLAIM)
    assert key.verdict is Verdict.SUPPORTED


def test_month_words_outside_the_table_are_not_dates_and_never_crash() -> None:
    # The long s folds differently from what the month table holds: such text comes
    # from arbitrary pages and must be skipped, not raise.
    from srccheck.claims.numbers import Locale, find_dates

    for text in ("am 17. ſept 2020 geschah", "ſeptember 2020", "17. ſeptember"):
        assert all(d.month is None or 1 <= d.month <= 12 for d in find_dates(text, Locale.DE))


@pytest.mark.parametrize(
    ("text", "hint", "language"),
    [
        (ENGLISH_ARTICLE, None, "en"),
        (GERMAN_ARTICLE, None, "de"),
        (ENGLISH_ARTICLE, "de", "en"),  # the words overrule a wrong declaration
        (GERMAN_ARTICLE, "fr", "de"),
        ("Le gouvernement a fermé la frontière jusqu'au printemps.", "fr-FR", "fr"),
        ("Le gouvernement a fermé la frontière jusqu'au printemps.", None, None),
        ("The troops are here.", None, None),  # too few words to tell
        ("The troops are here.", "en", "en"),
    ],
)
def test_text_language(text: str, hint: str | None, language: str | None) -> None:
    assert text_language(text, hint) == language
