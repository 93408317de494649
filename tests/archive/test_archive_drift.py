"""Drift score and verdict between live and archived text."""

from __future__ import annotations

import pytest

from srccheck.archive import DriftVerdict, compute_drift, drift_verdict
from srccheck.archive.drift import normalise_text

STORY = (
    "The city council approved a budget of 4.2 million euros for the new library. "
    "Mayor Anna Berg said the building would open in spring 2021. "
    "Critics argued that the costs had been underestimated by half."
)


@pytest.mark.parametrize(
    ("score", "verdict"),
    [
        (1.0, DriftVerdict.UNCHANGED),
        (0.95, DriftVerdict.UNCHANGED),
        (0.9499, DriftVerdict.CHANGED),
        (0.5, DriftVerdict.CHANGED),
        (0.4999, DriftVerdict.REPLACED),
        (0.0, DriftVerdict.REPLACED),
    ],
)
def test_verdict_thresholds(score: float, verdict: DriftVerdict) -> None:
    assert drift_verdict(score) is verdict


def test_markup_case_and_punctuation_changes_are_not_drift() -> None:
    restyled = STORY.upper().replace(". ", " — ").replace(",", "")
    drift = compute_drift(restyled, f"  {STORY}\n\n")
    assert drift is not None
    assert drift.score == 1.0
    assert drift.verdict is DriftVerdict.UNCHANGED


def test_edited_figures_are_changed() -> None:
    edited = STORY.replace("4.2 million", "5.1 million").replace("spring", "autumn")
    edited += " Correction: an earlier version of this story gave the wrong figure."
    drift = compute_drift(edited, STORY)
    assert drift is not None
    assert drift.verdict is DriftVerdict.CHANGED
    assert 0.5 <= drift.score < 0.95


def test_a_different_page_is_replaced() -> None:
    drift = compute_drift("This domain is for sale. Contact our brokers today.", STORY)
    assert drift is not None
    assert drift.verdict is DriftVerdict.REPLACED


def test_empty_texts() -> None:
    assert compute_drift("", "  ... ") is None
    drift = compute_drift("", STORY)
    assert drift is not None
    assert (drift.score, drift.verdict) == (0.0, DriftVerdict.REPLACED)


def test_normalise_text() -> None:
    assert normalise_text("Ｆｕｌｌ-width,  ÉTÉ!\n\tx_y") == "full width été x y"
