"""Claim-matching throughput: claims × MB of page text per second, on one core.

Measured only when srccheck offers a matcher; until then the figure is
"n/a (feature not available)" and nothing is estimated. The matcher is looked
up as ``srccheck.claims.match.match_claims`` and called as
``match_claims(claims, pages)`` with :class:`srccheck.claims.model.Claim`
quotes (with speakers) and ``(source id, "live", PageText)`` pages. This adapter is the
one place to change when the matcher's API settles (:func:`_call_matcher`).

Workload: the pages' main text (extracted by srccheck's own extractor) is
taken until it reaches ``text_mb``; half the claims are quotes that occur on
those pages, half are the same quotes with two words swapped out.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.corpus import PageKind, Web

__all__ = ["NOT_AVAILABLE", "MatchingResult", "measure_claim_matching"]

NOT_AVAILABLE = "n/a (feature not available)"


@dataclass(frozen=True, slots=True)
class MatchingResult:
    """``value`` in claims × MB / s, or ``None`` with a ``note`` saying why not."""

    value: float | None
    note: str = ""
    claims: int = 0
    text_mb: float = 0.0
    seconds: float = 0.0


def _find_matcher() -> Callable[..., Any] | None:
    try:
        module = importlib.import_module("srccheck.claims.match")
    except ImportError:
        return None
    matcher = getattr(module, "match_claims", None)
    return matcher if callable(matcher) else None


def _call_matcher(
    matcher: Callable[..., Any], quotes: list[tuple[str, str]], pages: list[Any]
) -> None:
    from srccheck.claims.model import Claim, ClaimKind

    claims = [
        Claim(id=f"q{i + 1}", kind=ClaimKind.QUOTE, text=q, start=0, end=len(q), speaker=who)
        for i, (q, who) in enumerate(quotes)
    ]
    matcher(claims, [(i, "live", page) for i, page in enumerate(pages)])


def measure_claim_matching(
    web: Web, *, claims: int = 1_000, text_mb: float = 1.0
) -> MatchingResult:
    """Time one matcher call of ``claims`` quotes against ``text_mb`` MB of page text."""
    matcher = _find_matcher()
    if matcher is None:
        return MatchingResult(None, NOT_AVAILABLE)
    from srccheck.text.extract import extract_page_text

    pages, size, page = [], 0, 0
    target = int(text_mb * 1_000_000)
    while size < target and page < web.pages:
        if web.kind(page) is not PageKind.NOT_FOUND:
            text = extract_page_text(web.html(page), url=web.url(page))
            pages.append(text)
            size += len(text.main_text.encode())
        page += 1
    true_quotes = [(q, web.speaker(p, k)) for p in range(page) for k, q in enumerate(web.quotes(p))]
    quotes = []
    for i in range(claims):
        quote, speaker = true_quotes[i % len(true_quotes)]
        if i % 2:  # a false claim: same shape, two words replaced
            words = quote.split()
            words[1], words[-1] = "unbekannte", "Behauptung"
            quote = " ".join(words)
        quotes.append((quote, speaker))
    start = time.perf_counter()
    try:
        _call_matcher(matcher, quotes, pages)
    except TypeError as exc:
        return MatchingResult(
            None,
            f"n/a (srccheck.claims.match.match_claims has another API: {exc}; "
            "update bench/matching.py::_call_matcher)",
        )
    seconds = time.perf_counter() - start
    mb = size / 1_000_000
    return MatchingResult(claims * mb / seconds, "", claims, mb, seconds)
