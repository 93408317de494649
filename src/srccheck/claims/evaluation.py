"""Precision and recall of claim extraction against a hand-labelled set (no I/O but reading it).

An evaluation item is a JSON file::

    {"lang": "de", "text": "…",
     "quotes": ["…"], "terms": ["…"], "speakers": {"quote prefix": "Speaker"},
     "numbers": [[12000, "soldaten"]], "dates": [[2024, 10, null]], "names": ["…"]}

Comparison rules, per kind:

* quotes and terms: normalised text (``srccheck.text.normalize``) with
  leading/trailing punctuation stripped;
* numbers: equal value (relative tolerance 1e-9) and the same unit stem;
* dates: equal (year, month, day), ``null`` for a part that is not written;
* names: case-insensitive full text;
* speakers: for each gold quote prefix, the speaker of the extracted quote
  starting with it (a missing or different speaker is a false negative; a
  different one also a false positive).

Used by ``tests/claims/test_claims_eval.py`` (a floor) and
``bench/claims_eval.py`` (the figures).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from srccheck.claims.extract import extract_claims
from srccheck.claims.model import Claim, ClaimKind
from srccheck.claims.numbers import units_match
from srccheck.text.normalize import normalize_simple

__all__ = ["EvalItem", "Score", "evaluate", "load_eval_set"]

_STRIP = " \t\n.,;:!?\"'-"


@dataclass(frozen=True, slots=True)
class EvalItem:
    """One labelled paragraph."""

    name: str
    lang: str
    text: str
    quotes: tuple[str, ...]
    terms: tuple[str, ...]
    speakers: dict[str, str]
    numbers: tuple[tuple[float, str], ...]
    dates: tuple[tuple[int | None, int | None, int | None], ...]
    names: tuple[str, ...]


@dataclass(slots=True)
class Score:
    """True positives, false positives and false negatives of one kind."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)  # "item: value" for fp/fn, for reading

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def load_eval_set(directory: Path) -> list[EvalItem]:
    """Every ``*.json`` item of ``directory``, by file name."""
    items = []
    for path in sorted(directory.glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        items.append(
            EvalItem(
                name=path.stem,
                lang=raw["lang"],
                text=raw["text"],
                quotes=tuple(raw.get("quotes", [])),
                terms=tuple(raw.get("terms", [])),
                speakers=dict(raw.get("speakers", {})),
                numbers=tuple((float(v), str(u)) for v, u in raw.get("numbers", [])),
                dates=tuple(tuple(d) for d in raw.get("dates", [])),  # type: ignore[misc]
                names=tuple(raw.get("names", [])),
            )
        )
    return items


def _text_key(text: str) -> str:
    return normalize_simple(text).strip(_STRIP)


def _count(
    score: Score,
    item: str,
    gold: list[object],
    found: list[object],
    same: Callable[[object, object], bool],
) -> None:
    unmatched = list(found)
    for want in gold:
        hit = next((got for got in unmatched if same(want, got)), None)
        if hit is None:
            score.fn += 1
            score.misses.append(f"{item}: missed {want!r}")
        else:
            score.tp += 1
            unmatched.remove(hit)
    score.fp += len(unmatched)
    score.misses.extend(f"{item}: spurious {got!r}" for got in unmatched)


def _same_number(a: object, b: object) -> bool:
    (va, ua), (vb, ub) = a, b  # type: ignore[misc]
    return math.isclose(va, vb, rel_tol=1e-9) and units_match(ua, ub)


def evaluate(items: Iterable[EvalItem]) -> dict[str, Score]:
    """Scores per kind (quote, term, number, date, name, speaker) over ``items``."""
    scores = {k: Score() for k in ("quote", "term", "number", "date", "name", "speaker")}
    for item in items:
        claims = extract_claims(item.text, lang=item.lang)

        def of(kind: ClaimKind, claims: list[Claim] = claims) -> list[Claim]:
            return [c for c in claims if c.kind is kind]

        def equal(a: object, b: object) -> bool:
            return a == b

        _count(scores["quote"], item.name, [_text_key(q) for q in item.quotes],
               [_text_key(c.text) for c in of(ClaimKind.QUOTE)], equal)  # fmt: skip
        _count(scores["term"], item.name, [_text_key(t) for t in item.terms],
               [_text_key(c.text) for c in of(ClaimKind.TERM)], equal)  # fmt: skip
        _count(scores["number"], item.name, list(item.numbers),
               [(c.value, c.unit) for c in of(ClaimKind.NUMBER)], _same_number)  # fmt: skip
        _count(scores["date"], item.name, list(item.dates),
               [(c.date.year, c.date.month, c.date.day) for c in of(ClaimKind.DATE) if c.date],
               equal)  # fmt: skip
        _count(scores["name"], item.name, [n.casefold() for n in item.names],
               [c.text.casefold() for c in of(ClaimKind.NAME)], equal)  # fmt: skip
        speaker = scores["speaker"]
        for prefix, who in item.speakers.items():
            quote = next((c for c in of(ClaimKind.QUOTE) if c.text.startswith(prefix)), None)
            got = quote.speaker if quote else None
            if got == who:
                speaker.tp += 1
            else:
                speaker.fn += 1
                speaker.fp += got is not None
                speaker.misses.append(f"{item.name}: speaker {got!r} instead of {who!r}")
    return scores
