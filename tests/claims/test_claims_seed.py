"""extract_claims() on the seed article: the required findings, at file offsets."""

from __future__ import annotations

from pathlib import Path

import pytest

from srccheck.claims import Claim, ClaimKind, EntityType, extract_claims

SEED = Path(__file__).parents[2] / "seeds" / "000_5d9ab7691511e32e.txt"


@pytest.fixture(scope="module")
def seed() -> tuple[str, list[Claim]]:
    text = SEED.read_text(encoding="utf-8")
    lines = text.split("\n")
    start = len("\n".join(lines[:3])) + 1  # the body starts after the third line
    end = text.index("Quellen:")
    return text, extract_claims(text[start:end], body_start=start, lang="de")


def _of(claims: list[Claim], kind: ClaimKind) -> list[Claim]:
    return [c for c in claims if c.kind is kind]


def test_quotes_and_term(seed: tuple[str, list[Claim]]) -> None:
    _, claims = seed
    quotes = _of(claims, ClaimKind.QUOTE)
    assert [q.text[:15] for q in quotes] == ["Wenn es stimmt,", "Wir beraten uns"]
    assert quotes[0].text.endswith("Vertiefung der militärischen Beziehungen")
    assert quotes[1].text.endswith("eines solch dramatischen Schrittes.")
    assert [q.speaker for q in quotes] == ["Robert Wood", "Robert Wood"]
    terms = _of(claims, ClaimKind.TERM)
    assert [t.text for t in terms] == ["gefährlichen"]
    assert terms[0].weight < quotes[0].weight


def test_numbers_and_dates(seed: tuple[str, list[Claim]]) -> None:
    _, claims = seed
    numbers = {(c.value, c.unit) for c in _of(claims, ClaimKind.NUMBER)}
    assert numbers == {(1500.0, "sondertruppen"), (12000.0, "soldaten")}
    dates = {(c.text, c.date.year, c.date.month, c.date.day) for c in _of(claims, ClaimKind.DATE)}
    assert dates == {("21. Oktober", None, 10, 21), ("Februar 2022", 2022, 2, None)}


def test_people(seed: tuple[str, list[Claim]]) -> None:
    _, claims = seed
    people = [c.text for c in _of(claims, ClaimKind.NAME) if c.entity is EntityType.PERSON]
    assert people == [
        "Robert Wood",
        "Mark Rutte",
        "Yoon Suk Yeol",
        "Lloyd Austin",
        "Wolodymyr Selenskyj",
        "Rustem Umjerow",
        "Reinhard Veser",
    ]
    names = {c.text for c in _of(claims, ClaimKind.NAME)}
    assert {"NATO", "F.A.Z.", "USA"} <= names
    # German nouns are not names, neither alone nor in noun phrases.
    assert not names & {"Russland", "Entwicklung", "Hauptstadt Kiew", "Seite Russlands"}


def test_spans_are_file_offsets(seed: tuple[str, list[Claim]]) -> None:
    text, claims = seed
    for claim in claims:
        assert text[claim.start : claim.end] == claim.text, claim.id


def test_key_claims_link_their_parts(seed: tuple[str, list[Claim]]) -> None:
    _, claims = seed
    by_id = {c.id: c for c in claims}
    keys = _of(claims, ClaimKind.KEY_CLAIM)
    austin = next(k for k in keys if k.text.startswith("US-Verteidigungsminister Lloyd Austin"))
    assert austin.text.endswith("in der ukrainischen Hauptstadt Kiew eingetroffen.")
    assert {by_id[p].text for p in austin.parts} >= {"Lloyd Austin", "21. Oktober"}
    wood = next(k for k in keys if any(by_id[p].kind is ClaimKind.QUOTE for p in k.parts))
    assert wood.text.startswith("„Wenn es stimmt")
    assert all(p in by_id for k in keys for p in k.parts)
    assert len({c.id for c in claims}) == len(claims)
