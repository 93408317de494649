"""normalize(): the rules of srccheck.text.normalize, and the offset map back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from srccheck.text.normalize import normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("„Wenn es stimmt“", '"wenn es stimmt"'),
        ('“curly” and "straight"', '"curly" and "straight"'),
        ("»Zitat« «citation»", '"zitat" "citation"'),
        ("don’t ‚nein‘", "don't 'nein'"),
        ("US‐Botschafter – Wood — 5−3", "us-botschafter - wood - 5-3"),
        ("12\u00a0000\u202fSoldaten\u2009hier", "12 000 soldaten hier"),
        ("Ent\u00adsendung", "entsendung"),
        ("Entsen-\ndung", "entsendung"),
        ("US-\nBotschafter", "us-botschafter"),
        ("mutmaßliche", "mutmassliche"),
        ("  viel   \n\n Leerraum \t ", "viel leerraum"),
        ("ﬁnanziell", "finanziell"),  # NFKC ligature
        ("a\u0308rger", "ärger"),  # combining diaeresis composes
    ],
)
def test_normalize_rules(raw: str, expected: str) -> None:
    assert normalize(raw).text == expected


def test_offsets_map_back_to_the_original_span() -> None:
    raw = "Die  „mutmaßliche\u00a0Entsen-\ndung“ von Soldaten"
    norm = normalize(raw)
    needle = "mutmassliche entsendung"
    start = norm.text.index(needle)
    a, b = norm.original_span(start, start + len(needle))
    assert raw[a:b] == "mutmaßliche\u00a0Entsen-\ndung"
    assert len(norm.offsets) == len(norm.text)


def test_latin1_umlauts_normalise_like_utf8() -> None:
    # A page decoded from ISO-8859-1 gives the same characters as a UTF-8 one.
    decoded = "Verbündeten über höchst".encode("iso-8859-1").decode("iso-8859-1")
    assert normalize(decoded).text == normalize("Verbündeten über höchst").text
    assert normalize("VERBÜNDETEN").text == "verbündeten"


def _reference(text: str) -> str:
    """The rules applied naively to the whole string (no hyphenation breaks involved)."""
    import re
    import unicodedata

    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = re.sub("[„“”«»]", '"', folded)
    folded = re.sub("[‚‘’`´]", "'", folded)
    folded = re.sub("[‐‑‒–—―−]", "-", folded)
    folded = folded.replace("\u00ad", "")
    return re.sub(r"\s+", " ", folded).strip()


@given(st.text(alphabet="aZ09 äÖßé.,-\"'„“”«»‚‘’–—\u00a0\u2009\u00ad\tﬁ", max_size=60))
def test_fast_path_agrees_with_the_rules(text: str) -> None:
    norm = normalize(text)
    assert norm.text == _reference(text)
    assert len(norm.offsets) == len(norm.text)
    assert list(norm.offsets) == sorted(norm.offsets)
