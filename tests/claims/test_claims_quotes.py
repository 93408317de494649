"""Quote extraction and attribution on hand-written snippets."""

from __future__ import annotations

import pytest

from srccheck.claims import ClaimKind, extract_claims
from srccheck.claims.quotes import find_quotes


def _quotes(text: str) -> list[str]:
    return [q.text for q in find_quotes(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Er sagte: „Das ist gut.“ Dann ging er.", ["Das ist gut."]),
        ("She said “this is fine” today.", ["this is fine"]),
        ('He said "this is fine" today.', ["this is fine"]),
        ("Sie sagte: »Das stimmt nicht.« Und ging.", ["Das stimmt nicht."]),
        ("Il a dit « nous sommes prêts » hier.", ["nous sommes prêts"]),
        ("Er sagte ‚nein danke‘ und ging.", ["nein danke"]),
        ("He said ‘not now’ and left.", ["not now"]),
        ("He said 'not now' and left.", ["not now"]),
        ("„Wir beraten uns. Es ist ernst. “ so Wood.", ["Wir beraten uns. Es ist ernst."]),
        ("„Er sagte ‚nie wieder‘ und ging“, so der Sprecher.", ["Er sagte ‚nie wieder‘ und ging"]),
        ("„Das geht über\nzwei Zeilen“, sagte sie.", ["Das geht über\nzwei Zeilen"]),
        ("It's Peter's car and we don't care.", []),
        ("It’s Peter’s car and we don’t care.", []),
        ("„Offen\n\nohne Ende", []),  # never across a paragraph break
    ],
)
def test_find_quotes(text: str, expected: list[str]) -> None:
    assert _quotes(text) == expected


@pytest.mark.parametrize(
    ("text", "lang", "speaker"),
    [
        ("„Wir sind bereit zu handeln“, sagte Kanzler Olaf Scholz am Montag.", "de", "Olaf Scholz"),
        ("„Wir sind bereit zu handeln“, so Annalena Baerbock.", "de", "Annalena Baerbock"),
        ("„Das ist eine Warnung“, betonte die Ministerin Nancy Faeser.", "de", "Nancy Faeser"),
        (
            "„Die Lage ist ernst und bleibt ernst“, erklärte der Sprecher des Kremls, "
            "Dmitri Peskow, in Moskau.",
            "de",
            "Dmitri Peskow",
        ),
        ("Friedrich Merz sagte: „Wir werden das ändern.“", "de", "Friedrich Merz"),
        ("Laut Boris Pistorius: „Wir müssen kriegstüchtig werden.“", "de", "Boris Pistorius"),
        ("“We will not back down,” said President Joe Biden.", "en", "Joe Biden"),
        ("“We will not back down,” Biden said.", "en", "Biden"),
        ("“We will not back down,” according to Secretary Antony Blinken.", "en", "Antony Blinken"),
        ("„Wir werden das prüfen“, sagte er.", "de", None),
    ],
)
def test_speaker(text: str, lang: str, speaker: str | None) -> None:
    claims = extract_claims(text, lang=lang)
    quote = next(c for c in claims if c.kind is ClaimKind.QUOTE)
    assert quote.speaker == speaker


def test_short_quotes_are_terms() -> None:
    claims = extract_claims("Die USA sprachen von einer „gefährlichen“ und „sehr ernsten“ Lage.")
    assert [(c.kind, c.text) for c in claims if c.kind in (ClaimKind.TERM, ClaimKind.QUOTE)] == [
        (ClaimKind.TERM, "gefährlichen"),
        (ClaimKind.TERM, "sehr ernsten"),
    ]
