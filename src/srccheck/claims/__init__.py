"""Claims: what an article says (quotes, numbers, dates, names, key claims) and
whether its retrieved pages say it too.

The pipeline calls :func:`extract_claims` on the article body and
:func:`match_claims` with the article's page texts; both are pure functions.
"""

from srccheck.claims.extract import extract_claims, split_sentences
from srccheck.claims.match import (
    ATTRIBUTION_WINDOW,
    NEAR_THRESHOLD,
    PASSAGE_CHARS,
    match_claims,
    text_was_read,
)
from srccheck.claims.model import (
    Attribution,
    Claim,
    ClaimKind,
    DateParts,
    DifferenceKind,
    EntityType,
    Evidence,
    Origin,
    TextPart,
    Verdict,
    WordDifference,
)

__all__ = [
    "ATTRIBUTION_WINDOW",
    "NEAR_THRESHOLD",
    "PASSAGE_CHARS",
    "Attribution",
    "Claim",
    "ClaimKind",
    "DateParts",
    "DifferenceKind",
    "EntityType",
    "Evidence",
    "Origin",
    "TextPart",
    "Verdict",
    "WordDifference",
    "extract_claims",
    "match_claims",
    "split_sentences",
    "text_was_read",
]
