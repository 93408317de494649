"""compare_sentence(): the part matcher, table-driven, German and English.

Each row is an article sentence against a page passage, with what a fact-checker
expects: the same statement (no checkable difference), or a contradiction of one
kind whose differing words (article → page) are named.
"""

from __future__ import annotations

import pytest

from srccheck.claims.compare import (
    CHECKABLE,
    DifferenceKind,
    classify_words,
    compare_sentence,
    is_negation,
)

NUMBER, NEGATION, WORD = DifferenceKind.NUMBER, DifferenceKind.NEGATION, DifferenceKind.WORD

DE = "Die Regierung habe 1.500 Soldaten an die Grenze geschickt, um die Lage zu beruhigen."
EN = "The ministry said it had sent 1,500 soldiers to the border to calm the situation."

# (name, lang, article sentence, page passage, expected contradiction kinds)
CASES: list[tuple[str, str, str, str, list[DifferenceKind]]] = [
    # True sentences and typographic variants: nothing to report.
    ("de verbatim", "de", DE, f"Vorher. {DE} Nachher.", []),
    ("en verbatim", "en", EN, f"Before. {EN} After.", []),
    ("de typographic quotes", "de", 'Er nannte es "einen großen Schritt für das Land".',
     "Er nannte es „einen großen Schritt für das Land“.", []),
    ("en typographic quotes", "en", 'He called it "a big step for the country".',
     "He called it \u201ca big step for the country\u201d.", []),
    ("de no-break space", "de", DE, DE.replace("1.500 Soldaten", "1.500\u00a0Soldaten"), []),
    ("en no-break space", "en", EN, EN.replace("1,500 soldiers", "1,500\u00a0soldiers"), []),
    ("de soft hyphen", "de", DE, DE.replace("Regierung", "Regie\u00adrung"), []),
    ("en soft hyphen", "en", EN, EN.replace("ministry", "minis\u00adtry"), []),
    ("de line break", "de", DE, DE.replace("Grenze geschickt", "Grenze\ngeschickt"), []),
    ("en line break", "en", EN, EN.replace("the border", "the\nborder"), []),
    ("de hyphenated line break", "de", DE, DE.replace("Regierung", "Regie-\nrung"), []),
    ("de thousands written without mark", "de", DE, DE.replace("1.500", "1500"), []),
    ("en thousands written with a space", "en", EN, EN.replace("1,500", "1 500"), []),
    ("de inflected word is the same word", "de",
     "Die Armee schickte 300 Soldaten in die Region Kursk.",
     "Die Armee schickte 300 Soldat in die Region Kursk.", []),
    ("de negation in the sentence before", "de", DE, f"Das war nicht alles. {DE}", []),
    ("en negation in the sentence after", "en", EN, f"{EN} Not everyone agreed.", []),
    ("de framing before a colon", "de", f"Laut Bericht hieß es: {DE}",
     f"Kein Wort dazu. {DE}", []),
    ("en number on the page only", "en", "The ministry said it had sent soldiers to the border.",
     "The ministry said it had sent 1,500 soldiers to the border.", []),
    ("de scale and currency abbreviated", "de",
     "Die Firma zahlte 7 Millionen Euro an die Stadt Köln.",
     "Die Firma zahlte 7 Mio. EUR an die Stadt Köln.", []),
    ("en per cent", "en", "Unemployment rose by 5 percent last year in the region.",
     "Unemployment rose by 5 per cent last year in the region.", []),
    ("en billion is bn", "en", "The firm paid 2 billion dollars to the city of Boston.",
     "The firm paid 2 bn USD to the city of Boston.", []),
    # Numbers.
    ("de scale changed", "de", "Die Firma zahlte 7 Millionen Euro an die Stadt Köln.",
     "Die Firma zahlte 7 Milliarden Euro an die Stadt Köln.", [NUMBER]),
    ("de number changed", "de", DE, DE.replace("1.500", "1.600"), [NUMBER]),
    ("en number changed", "en", EN, EN.replace("1,500", "1,600"), [NUMBER]),
    ("de range end changed", "de",
     "Er sollte eine Energiedichte von 410 bis 500 Wh/kg und 1.000 Wh/l erreichen.",
     "Er sollte eine Energiedichte von 400 bis 500 Wh/kg und 1.000 Wh/l erreichen.", [NUMBER]),
    ("en range end changed", "en",
     "Prices rose from 5 to 10 percent in the first quarter of the year.",
     "Prices rose from 5 to 12 percent in the first quarter of the year.", [NUMBER]),
    ("de decimal changed", "de",
     "Die Firma meldete einen Gewinn von 2,5 Millionen Euro im letzten Jahr.",
     "Die Firma meldete einen Gewinn von 2,6 Millionen Euro im letzten Jahr.", [NUMBER]),
    ("de number first in the sentence", "de",
     "500 Soldaten wurden in die umkämpfte Region geschickt.",
     "Insgesamt 400 Soldaten wurden in die umkämpfte Region geschickt.", [NUMBER]),
    ("de zwischen und changed", "de",
     "Die Kosten lagen zwischen 5 und 7 Millionen Euro pro Jahr.",
     "Die Kosten lagen zwischen 5 und 9 Millionen Euro pro Jahr.", [NUMBER]),
    # Negations, added or removed, in both languages.
    ("de nicht added", "de", DE.replace("habe", "habe nicht"), DE, [NEGATION]),
    ("de nicht removed", "de", DE, DE.replace("habe", "habe nicht"), [NEGATION]),
    ("de keine added", "de", "Das ist keine dunkle Verschwörung gegen die Regierung.",
     "Das ist eine dunkle Verschwörung gegen die Regierung.", [NEGATION]),
    ("de keinen removed", "de", "Er sah einen Grund für die Entscheidung der Regierung.",
     "Er sah keinen Grund für die Entscheidung der Regierung.", [NEGATION]),
    ("de nicht at the end", "de", "Die Regierung schickte ihre 500 Soldaten.",
     "Die Regierung schickte ihre 500 Soldaten nicht. Danach wurde es still.", [NEGATION]),
    ("de niemals added", "de", "Die Regierung habe niemals 1.500 Soldaten geschickt.",
     "Die Regierung habe 1.500 Soldaten geschickt.", [NEGATION]),
    ("en not added", "en", EN.replace("had sent", "had not sent"), EN, [NEGATION]),
    ("en n't added", "en", EN.replace("had sent", "hadn't sent"), EN, [NEGATION]),
    ("en never removed", "en", EN, EN.replace("had sent", "had never sent"), [NEGATION]),
    ("en no added", "en", "There is no evidence that the vaccine caused the illness.",
     "There is evidence that the vaccine caused the illness.", [NEGATION]),
    # Swapped content words.
    ("de word swapped", "de", DE, DE.replace("Soldaten", "Polizisten"), [WORD]),
    ("en word swapped", "en", EN, EN.replace("border", "capital"), [WORD]),
]


@pytest.mark.parametrize(
    ("lang", "article", "page", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_part_matcher(lang: str, article: str, page: str, expected: list[DifferenceKind]) -> None:
    comparison = compare_sentence(article, page, lang)
    assert comparison.aligned, "the page passage is the same sentence"
    assert [d.kind for d in comparison.contradictions] == expected


@pytest.mark.parametrize(
    ("lang", "article", "page"),
    [
        ("de", DE, "Der Wetterdienst erwartet morgen Regen und am Wochenende wieder Sonne."),
        ("en", EN, "The weather service expects rain tomorrow and sunshine at the weekend."),
        ("de", DE, "Die Grenze bleibt offen, sagte ein Sprecher am Montag in Berlin."),
    ],
    ids=["de foreign", "en foreign", "de few shared words"],
)
def test_foreign_sentence_is_not_aligned(lang: str, article: str, page: str) -> None:
    comparison = compare_sentence(article, page, lang)
    assert not comparison.aligned
    assert comparison.contradictions == ()


def test_a_loose_paraphrase_is_no_contradiction_for_a_synonym() -> None:
    # Enough shared words to align, too few to call a replaced word a contradiction.
    comparison = compare_sentence(
        "Laut Ministerium schickte die Armee 300 Soldaten eilig an die Front im Osten.",
        "Die Armee verlegte 300 Soldaten an die Front im Osten.",
        "de",
    )
    assert all(d.kind is not WORD for d in comparison.contradictions)


@pytest.mark.parametrize(
    ("article", "page", "kind"),
    [
        ("410", "400", NUMBER),
        ("keine", "eine", NEGATION),
        (None, "nicht", NEGATION),
        ("not", None, NEGATION),
        ("Soldaten", "Polizisten", WORD),
        ("Soldaten", "Soldat", DifferenceKind.OTHER),
        ("der", "die", DifferenceKind.OTHER),
    ],
)
def test_quote_word_differences_are_classified(
    article: str | None, page: str | None, kind: DifferenceKind
) -> None:
    assert classify_words(article, page) is kind


def test_negation_words() -> None:
    for word in ("nicht", "kein", "keinem", "niemals", "weder", "ohne", "not", "never", "nor",
                 "none", "don't", "cannot"):  # fmt: skip
        assert is_negation(word), word
    for word in ("noch", "nichtig", "know", "eine", "note"):
        assert not is_negation(word), word
    assert {NUMBER, NEGATION, WORD} == CHECKABLE
