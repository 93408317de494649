"""The evaluation sets: claims must keep the precision/recall measured on them.

Floors are the figures measured when each set was written (see bench/claims_eval.py),
rounded down, so a regression in any extractor, in page text or in matching fails here:
the hand-labelled paragraphs of tests/claims/eval/ (extraction), and the real news
pages of tests/claims/realpages/ with generated true and altered sentences (checking).
"""

from __future__ import annotations

import re
import statistics
from pathlib import Path

import pytest

from srccheck.claims.evaluation import evaluate, load_eval_set
from srccheck.claims.realpages import (
    Kind,
    RealPage,
    RealPageScores,
    _flip_negation,
    generate_articles,
    load_real_pages,
    score_articles,
    sentence_present,
    text_key,
)

EVAL_DIR = Path(__file__).parent / "eval"

# kind: (precision floor, recall floor)
FLOORS = {
    "quote": (0.95, 0.95),
    "term": (0.95, 0.95),
    "number": (0.90, 0.90),
    "date": (0.95, 0.95),
    "name": (0.90, 0.85),
    "speaker": (0.90, 0.85),
}


@pytest.fixture(scope="module")
def scores() -> dict:
    items = load_eval_set(EVAL_DIR)
    assert 10 <= len(items) <= 20
    return evaluate(items)


@pytest.mark.parametrize("kind", sorted(FLOORS))
def test_precision_and_recall_floor(scores: dict, kind: str) -> None:
    score = scores[kind]
    precision_floor, recall_floor = FLOORS[kind]
    assert score.tp > 0
    assert score.precision >= precision_floor, score.misses
    assert score.recall >= recall_floor, score.misses


# -- real news pages (tests/claims/realpages, see bench/claims_eval.py) ------------------

REAL_DIR = Path(__file__).parent / "realpages"

# Issue 14's target, met since the contradicted verdict: no altered sentence of any kind is
# `supported` on the shipped pages (seed 14). Any regression fails here.
ALTERED_SUPPORTED_CEILING = {
    Kind.QUOTE_NUMBER: 0,
    Kind.QUOTE_NEGATION: 0,
    Kind.QUOTE_SWAP: 0,
    Kind.QUOTE_FOREIGN: 0,
    Kind.NUMBERS_DIGIT: 0,
    Kind.NUMBERS_NEGATION: 0,
}


@pytest.fixture(scope="module")
def real_pages() -> list[RealPage]:
    pages = load_real_pages(REAL_DIR)
    assert len(pages) >= 100
    assert {p.lang for p in pages} == {"de", "en"}
    return pages


@pytest.fixture(scope="module")
def real_scores(real_pages: list[RealPage]) -> RealPageScores:
    return score_articles(generate_articles(real_pages))


def test_real_pages_quotes_keep_precision_and_recall(real_scores: RealPageScores) -> None:
    quote = real_scores.quote
    assert quote.tp >= 95
    assert quote.precision == 1.0, quote.misses  # no altered quote is ever `found`
    assert quote.recall >= 0.98, quote.misses


def test_real_pages_numbers_and_names_floor(real_scores: RealPageScores) -> None:
    assert real_scores.number.precision >= 0.99, real_scores.number.misses
    assert real_scores.number.recall >= 0.93, real_scores.number.misses
    assert real_scores.name.precision >= 0.98, real_scores.name.misses
    assert real_scores.name.recall >= 0.96, real_scores.name.misses


def test_real_pages_true_sentences_supported_floor(real_scores: RealPageScores) -> None:
    true = [real_scores.sentences[k] for k in Kind if k.true]
    supported, total = sum(t[0] for t in true), sum(t[1] for t in true)
    assert total >= 140
    assert supported / total >= 0.95, real_scores.key_claim.misses


@pytest.mark.parametrize("kind", sorted(ALTERED_SUPPORTED_CEILING))
def test_real_pages_altered_sentences_supported_ceiling(
    real_scores: RealPageScores, kind: Kind
) -> None:
    supported, total, _ = real_scores.sentences[kind]
    assert total >= 10
    assert supported <= ALTERED_SUPPORTED_CEILING[kind]


def test_real_pages_searchable_text_holds_the_article(real_scores: RealPageScores) -> None:
    for lang in ("de", "en"):
        full = real_scores.full_recall[lang]
        assert statistics.fmean(full) >= 0.99, lang
        assert statistics.fmean(real_scores.main_recall[lang]) >= 0.93, lang


def test_real_page_labels_are_deterministic_and_really_altered(
    real_pages: list[RealPage],
) -> None:
    articles = generate_articles(real_pages)
    assert [a.body for a in articles] == [a.body for a in generate_articles(real_pages)]
    for article in articles:
        for label in article.sentences:
            text = article.body[label.start : label.end]
            core = re.sub(r"^(Laut Bericht hieß es: |According to the report: )", "", text)
            core = core.strip('„“"”.').replace("\u00ad", "").replace("\u00a0", " ")
            core = core.replace("\n", " ")
            source = label.source_sentence.rstrip(" .!?…:;,")
            if label.kind.true:
                assert core == source, text
            elif label.kind is Kind.QUOTE_FOREIGN:
                key = text_key(" ".join(article.page.sentences))
                assert not sentence_present(source, key)
            elif label.kind in (Kind.QUOTE_NUMBER, Kind.NUMBERS_DIGIT):
                assert len(core) == len(source)
                assert sum(a != b for a, b in zip(core, source, strict=True)) == 1, text
            else:
                assert core != source, text


@pytest.mark.parametrize(
    ("sentence", "lang", "add_only", "altered"),
    [
        ("Es gibt keine Entscheidung.", "de", False, "Es gibt eine Entscheidung."),
        ("Kein Mensch weiß es.", "de", False, "Ein Mensch weiß es."),
        ("Das ist nicht sicher.", "de", False, "Das ist sicher."),
        ("Der Plan ist teuer.", "de", True, "Der Plan ist nicht teuer."),
        ("We do not know.", "en", False, "We do know."),
        ("They didn't vote.", "en", False, "They did vote."),
        ("It was cheap.", "en", True, "It was not cheap."),
    ],
)
def test_negation_labels_flip_the_meaning(
    sentence: str, lang: str, add_only: bool, altered: str
) -> None:
    assert _flip_negation(sentence, lang, add_only=add_only) == altered
