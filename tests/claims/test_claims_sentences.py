"""split_sentences: where a key claim's sentence ends, and where it must not."""

from __future__ import annotations

import pytest

from srccheck.claims.extract import split_sentences


def _sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A month abbreviation, English or German, does not end the sentence.
        ("The concert is on Oct. 26 in St. Louis. Tickets are sold out.",
         ["The concert is on Oct. 26 in St. Louis.", "Tickets are sold out."]),
        ("Filed on Dec. 14, according to the office. It was approved.",
         ["Filed on Dec. 14, according to the office.", "It was approved."]),
        ("Polls open Mar. 5 in Texas. Results follow.",
         ["Polls open Mar. 5 in Texas.", "Results follow."]),
        ("Er kam am 3. Okt. 2020 an. Dann ging er.",
         ["Er kam am 3. Okt. 2020 an.", "Dann ging er."]),
        # German ordinals before a month, abbreviations before a lower-case word.
        ("Sie kam am 21. Oktober an. Dann ging sie.",
         ["Sie kam am 21. Oktober an.", "Dann ging sie."]),
        ("Er sagte ca. fünf Worte. Dann ging er.", ["Er sagte ca. fünf Worte.", "Dann ging er."]),
        ("Im 2. Weltkrieg fiel er. Die Stadt brannte.",
         ["Im 2. Weltkrieg fiel er.", "Die Stadt brannte."]),
        # A small number ends the sentence when a sentence's first word follows.
        ("The vote was 52 to 48. The opponents left.",
         ["The vote was 52 to 48.", "The opponents left."]),
        ("They met on Dec. 3. It rained.", ["They met on Dec. 3.", "It rained."]),
        ("Es waren 12. Die Polizei kam.", ["Es waren 12.", "Die Polizei kam."]),
    ],
)  # fmt: skip
def test_sentence_ends(text: str, expected: list[str]) -> None:
    assert _sentences(text) == expected
