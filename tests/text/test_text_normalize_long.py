"""normalize() on page-length texts: the chunked fast path keeps the rules and the map."""

from __future__ import annotations

import re

from srccheck.text.normalize import normalize

_PARAGRAPH = (
    "Der US-Botschafter sagte: „Wenn es stimmt, ist dies eine gefährliche Entwicklung.“ "
    "Die Straße war voll\u00a0–\u2009mutmaßlich 12\u202f000 Menschen. Entsen-\ndung, "
    "US-\nBotschafter und Ärger.\n\n"
)
# A combining mark (a + U+0308) sends its chunk down the per-character path.
_COMBINING = _PARAGRAPH.replace("Ärger", "A\u0308rger")


def test_long_text_normalises_like_its_paragraphs() -> None:
    # Far longer than one chunk, so the text is cut and normalised piecewise.
    text = _PARAGRAPH * 200 + _COMBINING + _PARAGRAPH * 200
    norm = normalize(text)
    one = normalize(_PARAGRAPH).text
    assert normalize(_COMBINING).text == one
    assert norm.text == " ".join([one] * 401)
    assert "entsendung, us-botschafter und ärger" in norm.text
    assert len(norm.offsets) == len(norm.text)
    assert list(norm.offsets) == sorted(norm.offsets)


def test_spans_map_back_to_the_original_words_anywhere_in_a_long_text() -> None:
    text = _PARAGRAPH * 200 + _COMBINING + _PARAGRAPH * 200
    norm = normalize(text)  # the map is built lazily: no .offsets before the spans
    for m in list(re.finditer("mutmasslich", norm.text))[::37]:
        a, b = norm.original_span(m.start(), m.end())
        assert text[a:b] == "mutmaßlich"
    last = norm.text.rindex("entsendung")
    a, b = norm.original_span(last, last + len("entsendung"))
    assert text[a:b] == "Entsen-\ndung"
    middle = norm.text.index("ärger", len(norm.text) // 2 - 300)
    a, b = norm.original_span(middle, middle + len("ärger"))
    assert text[a:b] in ("Ärger", "A\u0308rger")
