"""Key-claim verdicts: ``supported`` only when the page says the same thing.

Articles are written the way the issue's evaluation writes them: a quote in its
own sentence (``Laut Bericht hieß es: „…“``) and plain sentences with numbers,
each checked against a page holding the true sentence, or one with a number,
a negation or a word changed, or a sentence from elsewhere.
"""

from __future__ import annotations

import pytest

from srccheck.claims import (
    Claim,
    ClaimKind,
    DifferenceKind,
    Verdict,
    extract_claims,
    match_claims,
    text_was_read,
)
from srccheck.text import PageText, TextSource

FILLER = (
    "Der Bericht erschien am Morgen. Er wurde von mehreren Redaktionen geprüft und mit "
    "weiteren Quellen abgeglichen, bevor er veröffentlicht wurde. "
)
FILLER_EN = (
    "The report was published in the morning. It was checked by several newsrooms and "
    "compared with further sources before it went out. "
)

DE = "Die Regierung habe 1.500 Soldaten an die Grenze geschickt, um die Lage zu beruhigen."
DE_RANGE = "Er sollte eine Energiedichte von 410 bis 500 Wh/kg und 1.000 Wh/l erreichen."
EN = "The ministry said it had sent 1,500 soldiers to the border to calm the situation."


def _page(text: str) -> PageText:
    return PageText(main_text=text, full_text=text, source=TextSource.ARTICLE)


def _key_claims(article: str, page: str, lang: str) -> list[Claim]:
    filler = FILLER if lang == "de" else FILLER_EN
    claims = extract_claims(article, lang=lang)
    matched = match_claims(claims, [(0, "live", _page(filler + page + " " + filler))])
    return [c for c in matched if c.kind is ClaimKind.KEY_CLAIM]


def _quoted(sentence: str, lang: str) -> str:
    if lang == "de":
        return f"Laut Bericht hieß es: „{sentence}“"
    return f'The report said: "{sentence}"'


# (name, lang, article sentence, page sentence, verdict, differing words article → page)
CASES: list[tuple[str, str, str, str, Verdict, list[tuple[str | None, str | None]]]] = [
    ("de true", "de", DE, DE, Verdict.SUPPORTED, []),
    ("en true", "en", EN, EN, Verdict.SUPPORTED, []),
    ("de true, typographic variants", "de", DE,
     DE.replace("1.500 Soldaten", "1.500\u00a0Soldaten").replace("Regierung", "Regie\u00adrung")
     .replace("Grenze geschickt", "Grenze\ngeschickt"), Verdict.SUPPORTED, []),
    ("en true, typographic variants", "en", EN,
     EN.replace("1,500 soldiers", "1,500\u00a0soldiers").replace("ministry", "minis\u00adtry")
     .replace("the border", "the\nborder"), Verdict.SUPPORTED, []),
    ("de number changed", "de", DE, DE.replace("1.500", "1.600"), Verdict.CONTRADICTED,
     [("1.500", "1.600")]),
    ("en number changed", "en", EN, EN.replace("1,500", "1,600"), Verdict.CONTRADICTED,
     [("1,500", "1,600")]),
    ("de range end changed", "de", DE_RANGE, DE_RANGE.replace("410", "400"),
     Verdict.CONTRADICTED, [("410", "400")]),
    ("de negation added", "de", DE.replace("habe", "habe nicht"), DE, Verdict.CONTRADICTED,
     [("nicht", None)]),
    ("de negation removed", "de", DE, DE.replace("habe", "habe keine").replace(
        "keine 1.500", "keine 1.500"), Verdict.CONTRADICTED, [(None, "keine")]),
    ("en negation added", "en", EN.replace("had sent", "had not sent"), EN,
     Verdict.CONTRADICTED, [("not", None)]),
    ("en negation removed", "en", EN, EN.replace("had sent", "had never sent"),
     Verdict.CONTRADICTED, [(None, "never")]),
    ("de word swapped", "de", DE, DE.replace("Soldaten", "Polizisten"), Verdict.CONTRADICTED,
     [("Soldaten", "Polizisten")]),
    ("en word swapped", "en", EN, EN.replace("soldiers", "policemen"), Verdict.CONTRADICTED,
     [("soldiers", "policemen")]),
]


@pytest.mark.parametrize("quoted", [False, True], ids=["plain", "quoted"])
@pytest.mark.parametrize(
    ("lang", "article", "page", "verdict", "words"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_key_claim_verdict(
    lang: str,
    article: str,
    page: str,
    verdict: Verdict,
    words: list[tuple[str | None, str | None]],
    quoted: bool,
) -> None:
    text = _quoted(article, lang) if quoted else article
    (key,) = _key_claims(text, page, lang)
    assert key.verdict is verdict
    if verdict is Verdict.CONTRADICTED:
        shown = [(d.article, d.page) for d in key.evidence[0].differences]
        assert shown == words
        assert all(d.kind in (DifferenceKind.NUMBER, DifferenceKind.NEGATION, DifferenceKind.WORD)
                   for d in key.evidence[0].differences)  # fmt: skip
    if verdict is Verdict.SUPPORTED:
        assert key.evidence
        assert key.evidence[0].source_id == 0


@pytest.mark.parametrize("quoted", [False, True], ids=["plain", "quoted"])
def test_foreign_sentence_is_never_supported(quoted: bool) -> None:
    article = "Die Firma Bosch AG meldete 2023 einen Umsatz von 91 Milliarden Euro."
    page = "Der Wetterdienst erwartet morgen Regen, am Wochenende wird es sonnig und warm."
    (key,) = _key_claims(_quoted(article, "de") if quoted else article, page, "de")
    assert key.verdict is Verdict.NOT_FOUND


def test_range_gives_both_ends_with_the_unit() -> None:
    claims = extract_claims(DE_RANGE, lang="de")
    numbers = {(c.value, c.unit) for c in claims if c.kind is ClaimKind.NUMBER}
    assert {(410.0, "wh"), (500.0, "wh"), (1000.0, "wh")} <= numbers
    (key,) = [c for c in claims if c.kind is ClaimKind.KEY_CLAIM]
    part_texts = [c.text for c in claims if c.id in key.parts]
    assert any(t.startswith("410") for t in part_texts)


def test_near_quote_makes_the_key_claim_no_better_than_partial() -> None:
    # The page words the quote differently in a function word only: the quote is near,
    # the sentence around it (a long lead-in) does not align as a whole.
    quote = "Wir werden die Entscheidung der Kommission in den nächsten Wochen genau prüfen"
    article = (
        "Nach einer langen und kontroversen Sitzung am späten Abend in Brüssel sagte Ursula "
        f"von der Leyen: „{quote}“"
    )
    page = (
        "Sie sagte: Wir werden die Entscheidung dieser Kommission in den nächsten Wochen "
        "genau prüfen."
    )
    claims = match_claims(extract_claims(article, lang="de"), [(0, "live", _page(FILLER + page))])
    (q,) = [c for c in claims if c.kind is ClaimKind.QUOTE]
    (key,) = [c for c in claims if c.kind is ClaimKind.KEY_CLAIM]
    assert q.verdict is Verdict.NEAR
    assert key.verdict in (Verdict.PARTIAL, Verdict.CONTRADICTED)
    assert key.verdict is not Verdict.SUPPORTED


def test_near_quote_with_a_changed_number_contradicts_its_key_claim() -> None:
    quote = "Wir haben in diesem Jahr 410 neue Wohnungen in der Stadt gebaut"
    article = (
        "Nach einer langen und kontroversen Sitzung am späten Abend im Rathaus sagte die "
        f"Bürgermeisterin Anna Schmidt: „{quote}“"
    )
    page = "Schmidt: Wir haben in diesem Jahr 400 neue Wohnungen in der Stadt gebaut."
    claims = match_claims(extract_claims(article, lang="de"), [(0, "live", _page(FILLER + page))])
    (q,) = [c for c in claims if c.kind is ClaimKind.QUOTE]
    (key,) = [c for c in claims if c.kind is ClaimKind.KEY_CLAIM]
    assert q.verdict is Verdict.NEAR  # a quote with another number is never found
    assert [(d.article, d.page, d.kind) for d in q.evidence[0].differences] == [
        ("410", "400", DifferenceKind.NUMBER)
    ]
    assert key.verdict is Verdict.CONTRADICTED
    assert ("410", "400") in [(d.article, d.page) for d in key.evidence[0].differences]


def test_paraphrase_with_a_negation_on_one_side_is_not_supported() -> None:
    # Every part (the number, the name) is in one passage, but the page sentence is negated.
    article = "Die Bundeswehr schickt 300 Soldaten nach Litauen, teilte Boris Pistorius mit."
    page = (
        "Verteidigungsminister Boris Pistorius erklärte am Montag, man werde vorerst keine "
        "300 Soldaten nach Litauen verlegen."
    )
    (key,) = _key_claims(article, page, "de")
    assert key.verdict is not Verdict.SUPPORTED


def test_paraphrase_with_every_part_in_one_passage_is_supported() -> None:
    article = "Die Bundeswehr schickt 300 Soldaten nach Litauen, teilte Boris Pistorius mit."
    page = (
        "Verteidigungsminister Boris Pistorius erklärte am Montag, man werde in diesem "
        "Sommer rund 300 Soldaten nach Litauen verlegen."
    )
    (key,) = _key_claims(article, page, "de")
    assert key.verdict is Verdict.SUPPORTED


# -- which sources were read --------------------------------------------------------------


def test_a_miss_is_unverifiable_while_a_cited_source_was_not_read() -> None:
    claims = extract_claims(f"Laut Bericht hieß es: „{DE}“", lang="de")
    page = _page(FILLER * 3)
    read_all = match_claims(claims, [(0, "live", page)])
    one_unread = match_claims(claims, [(0, "live", page)], unread=[1])
    for claim in read_all:
        if claim.kind in (ClaimKind.QUOTE, ClaimKind.KEY_CLAIM):
            assert claim.verdict is Verdict.NOT_FOUND
    for claim in one_unread:
        assert claim.verdict is Verdict.UNVERIFIABLE, claim.id


def test_a_contradiction_stays_one_even_with_an_unread_source() -> None:
    claims = extract_claims(DE, lang="de")
    page = _page(FILLER + DE.replace("1.500", "1.600"))
    (key,) = [c for c in match_claims(claims, [(0, "live", page)], unread=[1])
              if c.kind is ClaimKind.KEY_CLAIM]  # fmt: skip
    assert key.verdict is Verdict.CONTRADICTED


@pytest.mark.parametrize(
    ("text", "read"),
    [
        (_page(FILLER * 2), True),
        (_page(""), False),
        (_page("Bitte aktivieren Sie JavaScript, um diese Seite zu sehen."), False),
        (PageText(main_text=FILLER * 3, full_text=FILLER * 3, source=TextSource.ARTICLE,
                  paywalled=True), False),
        (None, False),
    ],
    ids=["article", "empty", "script shell", "paywall teaser", "no text"],
)
def test_text_was_read(text: PageText | None, read: bool) -> None:
    assert text_was_read(text) is read


def test_framing_before_a_colon_is_not_compared() -> None:
    # "According to the report:" / the page's "the president." before the sentence: framing
    # and context, never a swapped word.
    sentence = "A doctor on the scene told reporters that he tried to save one of the wounded"
    page = f"It was a long day for the president. {sentence}, but failed to do so."
    (key,) = _key_claims(f'According to the report: "{sentence}".', page, "en")
    assert key.verdict is Verdict.SUPPORTED


def test_a_name_in_the_framing_must_be_found_itself() -> None:
    sentence = "Wir werden die Grenze bis zum Frühjahr für alle Lastwagen schließen"
    page = f"Der Minister sagte: {sentence}."
    claims = extract_claims(f"Laut Robert Habeck hieß es: „{sentence}.“", lang="de")
    matched = match_claims(claims, [(0, "live", _page(FILLER + page))])
    (key,) = [c for c in matched if c.kind is ClaimKind.KEY_CLAIM]
    (name,) = [c for c in matched if c.kind is ClaimKind.NAME]
    assert name.verdict is Verdict.NOT_FOUND
    assert key.verdict is Verdict.PARTIAL
