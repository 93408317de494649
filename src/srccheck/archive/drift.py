"""How much a live page's text has drifted from its archived snapshot.

Both texts are normalised (Unicode NFKC, case-folded, every run of
non-alphanumeric characters collapsed to one space), split into words, and
compared with rapidfuzz's normalised Indel similarity *on the word
sequences*: 1 − (words inserted + words deleted) / (words in both texts).

Why words and not characters (``fuzz.ratio``): two unrelated English texts
share so many letters in order that a character-level ratio scores them
0.3–0.5, so a page replaced by a "domain for sale" notice would look merely
"changed". Word-level Indel scores unrelated prose near 0 and an edited
figure or an added sentence only by the words involved. Why not a
token-set scorer: ``token_set_ratio`` scores a page that gained or lost
whole paragraphs as identical (one word set contains the other), and
``token_sort_ratio`` ignores reordering; Indel counts both. Markup,
punctuation and case changes (a redesign) do not count, thanks to the
normalisation.

Verdict thresholds (score in 0..1):

* ``unchanged`` — score ≥ 0.95 (typo fixes, a changed date line, a cookie note);
* ``changed``   — 0.5 ≤ score < 0.95 (edited, corrected or extended);
* ``replaced``  — score < 0.5 (a different page at the same URL).
"""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz.distance import Indel

from srccheck.archive.model import Drift, DriftVerdict

__all__ = [
    "CHANGED_THRESHOLD",
    "MAX_COMPARED_CHARS",
    "UNCHANGED_THRESHOLD",
    "compute_drift",
    "drift_verdict",
    "normalise_text",
]

UNCHANGED_THRESHOLD = 0.95
CHANGED_THRESHOLD = 0.5
#: Main texts beyond this length are compared on their first part only, so a runaway
#: page cannot make the comparison slow.
MAX_COMPARED_CHARS = 200_000

_NON_WORD = re.compile(r"[\W_]+")


def normalise_text(text: str) -> str:
    """NFKC, case-folded, non-alphanumeric runs collapsed to single spaces, trimmed."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _NON_WORD.sub(" ", folded).strip()


def drift_verdict(score: float) -> DriftVerdict:
    """unchanged (≥ 0.95), changed (≥ 0.5) or replaced (below 0.5)."""
    if score >= UNCHANGED_THRESHOLD:
        return DriftVerdict.UNCHANGED
    if score >= CHANGED_THRESHOLD:
        return DriftVerdict.CHANGED
    return DriftVerdict.REPLACED


def compute_drift(live_text: str, archived_text: str) -> Drift | None:
    """Similarity and verdict of two main texts (plain strings; the caller extracts them).

    ``None`` when both texts are empty after normalisation: there is nothing to
    compare, which is not the same as "unchanged". One empty text against a
    non-empty one scores 0 (replaced).
    """
    live = normalise_text(live_text)[:MAX_COMPARED_CHARS]
    archived = normalise_text(archived_text)[:MAX_COMPARED_CHARS]
    if not live and not archived:
        return None
    score = round(Indel.normalized_similarity(live.split(), archived.split()), 4)
    return Drift(
        score=score,
        verdict=drift_verdict(score),
        live_chars=len(live),
        archived_chars=len(archived),
    )
