"""match_claims() against synthetic pages: verdicts, evidence and the rules they follow."""

from __future__ import annotations

from srccheck.claims import (
    NEAR_THRESHOLD,
    Attribution,
    Claim,
    ClaimKind,
    Origin,
    TextPart,
    Verdict,
    extract_claims,
    match_claims,
)
from srccheck.text import PageText, TextSource, extract_page_text

ARTICLE = (
    "„Wir beraten uns mit unseren Verbündeten und Partnern über die Auswirkungen eines solch "
    "dramatischen Schrittes“, sagte der US-Botschafter Robert Wood am Montag. Russland weist "
    "Berichte über die Entsendung von bis zu 12.000 Soldaten zurück, erklärte Mark Rutte am "
    "21. Oktober."
)
QUOTE = (
    "Wir beraten uns mit unseren Verbündeten und Partnern über die Auswirkungen eines solch "
    "dramatischen Schrittes"
)


def _page(text: str, *, paywalled: bool = False, full: str | None = None) -> PageText:
    return PageText(main_text=text, full_text=full if full is not None else text,
                    source=TextSource.ARTICLE, paywalled=paywalled)  # fmt: skip


def _claims() -> list[Claim]:
    return extract_claims(ARTICLE, lang="de")


def _one(claims: list[Claim], kind: ClaimKind, text: str | None = None) -> Claim:
    return next(c for c in claims if c.kind is kind and (text is None or c.text == text))


def _match(*pages: PageText, origin: str = "live") -> list[Claim]:
    return match_claims(_claims(), [(i, origin, page) for i, page in enumerate(pages)])


def test_exact_quote_found_with_evidence_and_attribution() -> None:
    page_text = f"Vorspann. Der Diplomat Robert Wood sagte: „{QUOTE}.“ Danach ging es weiter."
    result = _match(_page(page_text), origin="archived")
    quote = _one(result, ClaimKind.QUOTE)
    assert quote.verdict is Verdict.FOUND
    assert quote.attribution is Attribution.CONFIRMED
    evidence = quote.evidence[0]
    assert (evidence.source_id, evidence.origin, evidence.text_part) == (
        0,
        Origin.ARCHIVED,
        TextPart.MAIN,
    )
    assert page_text[evidence.start : evidence.end] == QUOTE
    assert QUOTE in evidence.snippet
    assert evidence.score == 100


def test_typographic_variants_still_match() -> None:
    variant = QUOTE.replace(" ", "\u00a0", 3).replace("Schrittes", "Schrittes")
    result = _match(_page(f'Er sagte: "{variant}". Robert Wood'))
    assert _one(result, ClaimKind.QUOTE).verdict is Verdict.FOUND


def test_hyphenated_line_break_on_the_page() -> None:
    broken = QUOTE.replace("Auswirkungen", "Auswir-\nkungen")
    broken = broken.replace("Verbündeten", "Verbün-\ndeten")
    assert _one(_match(_page(broken)), ClaimKind.QUOTE).verdict is Verdict.FOUND


def test_changed_word_is_near_and_named() -> None:
    changed = QUOTE.replace("dramatischen", "drastischen")
    quote = _one(_match(_page(f"Robert Wood sagte: „{changed}.“")), ClaimKind.QUOTE)
    assert quote.verdict is Verdict.NEAR
    evidence = quote.evidence[0]
    assert evidence.score >= NEAR_THRESHOLD
    assert [(d.article, d.page) for d in evidence.differences] == [("dramatischen", "drastischen")]
    assert quote.attribution is Attribution.CONFIRMED


def test_paraphrase_is_not_found() -> None:
    paraphrase = "Die USA sprechen mit ihren Partnern darüber, was dieser Schritt bedeutet."
    quote = _one(_match(_page(paraphrase)), ClaimKind.QUOTE)
    assert quote.verdict is Verdict.NOT_FOUND
    assert quote.evidence == []
    assert quote.attribution is Attribution.UNVERIFIABLE


def test_speaker_far_away_is_not_confirmed() -> None:
    page = f"„{QUOTE}“, hieß es. " + "Fülltext ohne Namen. " * 30 + "Robert Wood war auch da."
    assert _one(_match(_page(page)), ClaimKind.QUOTE).attribution is Attribution.NOT_CONFIRMED


def test_quote_only_in_teaser_or_nav_is_found_outside_the_main_region() -> None:
    # All visible text is searched (issue 14); the evidence says it is not the article's.
    html = (
        "<html><body><nav><a>„" + QUOTE + "“</a></nav><article><p>Ein anderer Text über "
        "Diplomatie.</p><div class='teaser related'><p>„" + QUOTE + "“</p></div></article>"
        "<aside class='recommendations'>„" + QUOTE + "“</aside></body></html>"
    )
    page = extract_page_text(html)
    assert QUOTE[:20] not in page.main_text
    quote = _one(_match(page), ClaimKind.QUOTE)
    assert quote.evidence
    assert {e.text_part for e in quote.evidence} == {TextPart.FALLBACK}


def test_fallback_text_is_used_and_recorded() -> None:
    page = _page("Nur der Vorspann.", full=f"Nur der Vorspann. Weiter unten: „{QUOTE}“")
    evidence = _one(_match(page), ClaimKind.QUOTE).evidence[0]
    assert evidence.text_part is TextPart.FALLBACK


MAIN_TEXT = f"Robert Wood sagte am Montag: „{QUOTE}.“ Danach ging es um 12.000 Soldaten."
FRAMED = f"Startseite\n\nPolitik\n\n{MAIN_TEXT}\n\nMehr zum Thema: „{QUOTE}“\n\nImpressum"


def test_quote_in_the_main_region_of_the_visible_text_cites_the_main_text() -> None:
    # The main text is one stretch of the visible text (the usual <article>):
    # it is indexed once, and the evidence still counts in the main text.
    result = _match(_page(MAIN_TEXT, full=FRAMED))
    quote = _one(result, ClaimKind.QUOTE)
    assert quote.verdict is Verdict.FOUND
    assert quote.attribution is Attribution.CONFIRMED
    [evidence] = quote.evidence
    assert evidence.text_part is TextPart.MAIN
    assert MAIN_TEXT[evidence.start : evidence.end] == QUOTE
    assert evidence.snippet.startswith("Robert Wood")  # the main text's, not the menu's
    assert "Startseite" not in evidence.snippet
    number = _one(result, ClaimKind.NUMBER)
    assert number.verdict is Verdict.FOUND
    assert number.evidence[0].text_part is TextPart.MAIN
    assert MAIN_TEXT[number.evidence[0].start : number.evidence[0].end] == "12.000 Soldaten"


def test_near_quote_in_the_main_region_cites_the_main_text() -> None:
    changed = MAIN_TEXT.replace("dramatischen", "drastischen")
    page = _page(changed, full=f"Startseite\n\n{changed}\n\nImpressum")
    quote = _one(_match(page), ClaimKind.QUOTE)
    assert quote.verdict is Verdict.NEAR
    [evidence] = quote.evidence
    assert evidence.text_part is TextPart.MAIN
    assert changed[evidence.start : evidence.end].startswith("Wir beraten")
    assert [(d.article, d.page) for d in evidence.differences] == [("dramatischen", "drastischen")]


def test_quote_only_around_the_main_region_cites_the_visible_text() -> None:
    main = "Robert Wood sagte am Montag etwas anderes."
    full = f"Startseite\n\n{main}\n\nMehr zum Thema: „{QUOTE}“"
    [evidence] = _one(_match(_page(main, full=full)), ClaimKind.QUOTE).evidence
    assert evidence.text_part is TextPart.FALLBACK
    assert full[evidence.start : evidence.end] == QUOTE


def test_quote_across_the_edge_of_the_main_region_is_not_in_the_main_text() -> None:
    # The main text ends inside the quote: only the visible text holds it whole.
    cut = QUOTE.index(" ", len(QUOTE) // 2)
    main = f"Robert Wood sagte: „{QUOTE[:cut]}"
    full = f"{main} {QUOTE[cut + 1 :]}“ Ende."
    [evidence] = _one(_match(_page(main, full=full)), ClaimKind.QUOTE).evidence
    assert (evidence.text_part, evidence.score) == (TextPart.FALLBACK, 100)
    assert full[evidence.start : evidence.end] == QUOTE


def test_number_matches_by_value_and_noun() -> None:
    for page_text in (
        "Es sollen 12 000 Soldaten sein.",
        "Es sollen 12000 Soldaten sein.",
        "Es sollen 12.000 nordkoreanische Soldaten sein.",
        "Es sollen 12\u202f000 Soldaten sein.",
    ):
        number = _one(_match(_page(page_text)), ClaimKind.NUMBER)
        assert number.verdict is Verdict.FOUND, page_text
    english = PageText(main_text="Up to 12,000 soldiers and 12,000 Soldaten.", full_text="",
                       source=TextSource.ARTICLE, lang="en")  # fmt: skip
    assert _one(_match(english), ClaimKind.NUMBER).verdict is Verdict.FOUND


def test_changed_number_never_matches() -> None:
    for page_text in (
        "Es sollen 1.200 Soldaten sein.",
        "Es sollen 120.000 Soldaten sein.",
        "Im Jahr 2000 Soldaten zu schicken, war neu.",
        "Es sollen 12.000 Panzer sein, Soldaten kamen keine.",
        "Es sollen 12.001 Soldaten sein.",
    ):
        number = _one(_match(_page(page_text)), ClaimKind.NUMBER)
        assert number.verdict is Verdict.NOT_FOUND, page_text


def test_dates_match_by_parts() -> None:
    for page_text in ("Am 21.10.2024 in Kiew.", "On October 21 he arrived.", "Am 21. Oktober."):
        assert _one(_match(_page(page_text)), ClaimKind.DATE).verdict is Verdict.FOUND
    assert _one(_match(_page("Am 22. Oktober.")), ClaimKind.DATE).verdict is Verdict.NOT_FOUND


def test_names_match_case_insensitively_and_in_the_genitive() -> None:
    result = _match(_page("MARK RUTTE sprach. Später: Mark Ruttes Telefonat."))
    name = _one(result, ClaimKind.NAME, "Mark Rutte")
    assert name.verdict is Verdict.FOUND
    only_surname = _match(_page("Rutte sprach."))
    assert _one(only_surname, ClaimKind.NAME, "Mark Rutte").verdict is Verdict.NOT_FOUND


def test_key_claim_supported_partial_and_not_found() -> None:
    claims = extract_claims("Mark Rutte sprach am 21. Oktober mit 1500 Soldaten.", lang="de")
    key = _one(claims, ClaimKind.KEY_CLAIM)

    def verdict(*texts: str) -> Verdict:
        pages = [(i, "live", _page(t)) for i, t in enumerate(texts)]
        return _one(match_claims(claims, pages), ClaimKind.KEY_CLAIM).verdict

    together = "Am 21. Oktober traf Mark Rutte 1500 Soldaten."
    assert key.parts
    assert verdict(together) is Verdict.SUPPORTED
    apart = "Am 21. Oktober. " + "Langer Text. " * 100 + "Mark Rutte und 1500 Soldaten."
    assert verdict(apart) is Verdict.PARTIAL
    assert verdict("Am 21. Oktober.", "Mark Rutte und 1500 Soldaten.") is Verdict.PARTIAL
    assert verdict("Nichts davon.") is Verdict.NOT_FOUND


def test_no_pages_or_only_paywalled_pages_are_unverifiable() -> None:
    assert {c.verdict for c in _match()} == {Verdict.UNVERIFIABLE}
    paywalled = _match(_page("Nur ein Vorspann mit Mark Rutte.", paywalled=True))
    assert _one(paywalled, ClaimKind.QUOTE).verdict is Verdict.UNVERIFIABLE
    assert _one(paywalled, ClaimKind.NAME, "Mark Rutte").verdict is Verdict.FOUND


def test_claims_come_back_in_order_and_unchanged_otherwise() -> None:
    claims = _claims()
    result = match_claims(claims, [])
    assert [c.id for c in result] == [c.id for c in claims]
    assert [c.text for c in result] == [c.text for c in claims]


def test_a_page_counts_as_read_from_min_read_words_words_on() -> None:
    from srccheck.claims.match import MIN_READ_WORDS, text_was_read

    page = _page
    words = " ".join(f"wort{i}" for i in range(MIN_READ_WORDS))
    assert text_was_read(page(words))
    assert not text_was_read(page(words.rsplit(" ", 1)[0]))  # one word short
    assert not text_was_read(page(words, paywalled=True))
    # Only the first 20,000 characters are looked at: a page of blanks is not read.
    assert not text_was_read(page(" " * 20_000 + words))
    assert text_was_read(page(" " * (20_000 - len(words) - 1) + " " + words))
