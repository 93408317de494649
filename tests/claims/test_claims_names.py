"""Names: multi-word sequences, roles stripped, acronyms; German nouns rejected."""

from __future__ import annotations

import pytest

from srccheck.claims.model import EntityType
from srccheck.claims.names import find_names


def _names(text: str, lang: str = "de") -> list[str]:
    return [n.text for n in find_names(text, lang)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Der Botschafter Robert Wood sprach.", ["Robert Wood"]),
        ("NATO-Generalsekretär Mark Rutte erklärte es.", ["NATO", "Mark Rutte"]),
        ("Er traf Präsident Yoon Suk Yeol in Seoul.", ["Yoon Suk Yeol"]),
        ("Die Rede von Ursula von der Leyen war kurz.", ["Ursula von der Leyen"]),
        ("Das sagte Kanzler Scholz gestern.", ["Scholz"]),
        ("Die EU und die UN beraten mit der F.A.Z. darüber.", ["EU", "UN", "F.A.Z."]),
        ("Die Vereinten Nationen tagen.", ["Vereinten Nationen"]),
        ("Nach Berichten gab es eine Entsendung nach Russland.", []),
        ("Der Angriffskrieg dauert an. Moskaus Angriffskrieg geht weiter.", []),
        ("Sie landeten in der ukrainischen Hauptstadt Kiew am Montag.", []),
        ("Er sprach am Montag Abend mit Journalisten.", []),
        ("Social-Media-Plattform X meldete das.", []),
        (
            "Secretary of State Antony Blinken met President Joe Biden.",
            ["Antony Blinken", "Joe Biden"],
        ),
    ],
)
def test_find_names(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


def test_people_and_organisations() -> None:
    found = {n.text: n.entity for n in find_names("Minister Rustem Umjerow und die NATO.")}
    assert found == {"Rustem Umjerow": EntityType.PERSON, "NATO": EntityType.ORGANISATION}
