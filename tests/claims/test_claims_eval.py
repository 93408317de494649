"""The labelled evaluation set: extraction must keep the precision/recall measured on it.

Floors are the figures measured when the set was written (see bench/claims_eval.py),
rounded down, so a regression in any extractor fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from srccheck.claims.evaluation import evaluate, load_eval_set

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
