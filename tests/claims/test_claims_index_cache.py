"""Per-text tables shared between articles (srccheck.claims.index.text_tables).

A page cited by many articles is normalised, tokenised and parsed for numbers
and dates once while its tables stay in the cache. Sharing must never change
a verdict: an article matched against cached tables gets exactly the claims
it gets from tables built afresh, and two articles citing the same page never
see each other's index.
"""

from __future__ import annotations

import pytest

from srccheck.claims import extract_claims, match_claims
from srccheck.claims import index as index_module
from srccheck.claims.index import PageIndex, text_tables
from srccheck.text import PageText, TextSource

_FULL = (
    "Menü Startseite Politik. "
    "Der Haushalt sieht 52 Milliarden Euro für Verteidigung vor, sagte die Ministerin am "
    "14. März 2024. \"Wir werden die Lücke nicht schließen können\", sagte sie. Die "
    "Opposition nannte 48 Prozent der Ausgaben unnötig. "
    "Impressum Datenschutz."
)
_MAIN = _FULL[len("Menü Startseite Politik. ") : -len(" Impressum Datenschutz.")]
_PAGE = PageText(main_text=_MAIN, full_text=_FULL, source=TextSource.ARTICLE, lang="de")

_FIRST = (
    "Der Haushalt sieht 52 Milliarden Euro für Verteidigung vor. \"Wir werden die Lücke "
    "nicht schließen können\", sagte die Ministerin. Die Opposition nannte 47 Prozent "
    "der Ausgaben unnötig."
)
_SECOND = (
    "Die Ministerin sagte am 14. März 2024: \"Wir werden die Lücke schließen können\". "
    "Der Haushalt sieht 52 Milliarden Euro vor."
)


def _verdicts(body: str) -> list[tuple[str, str, str]]:
    claims = match_claims(extract_claims(body), [(0, "live", _PAGE)])
    return [(c.kind.value, c.text, c.verdict.value) for c in claims]


def _fresh_verdicts(body: str) -> list[tuple[str, str, str]]:
    index_module._tables.clear()
    return _verdicts(body)


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    index_module._tables.clear()


def test_a_page_cited_again_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = index_module.find_quantities

    def counting(text, locale, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(len(text))
        return real(text, locale, **kwargs)

    monkeypatch.setattr(index_module, "find_quantities", counting)
    _verdicts(_FIRST)
    parsed = len(calls)
    assert parsed, "the number claims made the index parse the page's numbers"
    _verdicts(_SECOND)
    assert len(calls) == parsed, "the second article's index reused the page's tables"


def test_cached_tables_give_the_verdicts_of_fresh_ones() -> None:
    fresh = [_fresh_verdicts(_FIRST), _fresh_verdicts(_SECOND)]
    index_module._tables.clear()
    shared = [_verdicts(_FIRST), _verdicts(_SECOND), _verdicts(_FIRST)]
    assert shared == [*fresh, fresh[0]]
    # The page says 48 Prozent, the first article 47, and the second article drops
    # the negation: neither may read as found because another article came first.
    assert ("number", "47 Prozent", "not_found") in shared[0]
    assert ("quote", "Wir werden die Lücke schließen können", "not_found") in shared[1]


def test_two_indexes_over_one_page_are_independent() -> None:
    other = PageText(main_text="Ganz andere 31 Worte.", full_text="Ganz andere 31 Worte.",
                     source=TextSource.ARTICLE, lang="de")  # fmt: skip
    alone = PageIndex.build([(0, "live", _PAGE)])
    both = PageIndex.build([(0, "live", other), (1, "live", _PAGE)])
    assert alone.quantities(31.0) == []
    assert [doc for doc, _ in both.quantities(31.0)] == [0]
    # The shared page's numbers are found in each index under its own document numbers.
    assert {alone.docs[d].source_id for d, _ in alone.quantities(48.0)} == {0}
    assert {both.docs[d].source_id for d, _ in both.quantities(48.0)} == {1}
    assert alone.docs[0].tables is both.docs[1].tables


def test_the_cache_is_bounded_by_characters() -> None:
    text_tables(_FULL)
    assert index_module._tables.currsize == len(_FULL)
    assert index_module._tables.maxsize == index_module.TABLES_CACHE_CHARS
