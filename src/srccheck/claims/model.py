"""Report models of the claims stage: what the article says and what the pages show.

Claim kinds (:class:`ClaimKind`):

* ``quote``     – a direct quotation of three or more words;
* ``term``      – a quoted expression of fewer than three words (lower weight);
* ``number``    – a count, amount of money or percentage with its unit/noun;
* ``date``      – a calendar date or part of one (day/month/year);
* ``name``      – a person or organisation;
* ``key_claim`` – a body sentence that carries quotes, numbers, dates or names,
                  linked to those parts by id.

Verdicts (:class:`Verdict`), a closed set:

* ``found``        – the quote/term/number/date/name occurs in a page's text
                     (after normalisation; numbers by value and unit).
* ``near``         – a quote occurs with small differences (fuzzy score at or
                     above the threshold); the evidence names the differing words.
* ``not_found``    – no retrieved page contains it (or, for a key claim, none of
                     its parts).
* ``supported``    – key claim: every part occurs within one passage (a window
                     of a few sentences) of one source, no part only ``near``,
                     and the passage that best matches the sentence does not
                     differ from it in a number, a negation or a content word.
* ``contradicted`` – key claim: the passage that best matches the sentence
                     differs from it in a number, a negation or a content
                     word (or a quote of it is ``near`` with such a
                     difference); the evidence names the differing words.
* ``partial``      – key claim: some parts occur, or all occur but not within one
                     passage of one source, or a part is only ``near``.
* ``unverifiable`` – nothing to check against: no page text, or the text of at
                     least one cited source could not be read (dead, blocked,
                     a wall, a paywall teaser, empty or unreadable), so a miss
                     is no evidence.

Attribution of a quote (:class:`Attribution`): ``confirmed`` when the speaker's
name occurs near the quote on the same page, ``not_confirmed`` when the quote
is there but the speaker is not, ``unverifiable`` when the quote was not found.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from srccheck.modelbase import ReportModel

__all__ = [
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
]


class ClaimKind(StrEnum):
    QUOTE = "quote"
    TERM = "term"
    NUMBER = "number"
    DATE = "date"
    NAME = "name"
    KEY_CLAIM = "key_claim"


class Verdict(StrEnum):
    FOUND = "found"
    NEAR = "near"
    NOT_FOUND = "not_found"
    SUPPORTED = "supported"
    CONTRADICTED = "contradicted"
    PARTIAL = "partial"
    UNVERIFIABLE = "unverifiable"


class Attribution(StrEnum):
    CONFIRMED = "confirmed"
    NOT_CONFIRMED = "not_confirmed"
    UNVERIFIABLE = "unverifiable"


class EntityType(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"  # organisations, states and other multi-word proper names


class Origin(StrEnum):
    """Whether a page is the live page or an archived copy."""

    LIVE = "live"
    ARCHIVED = "archived"


class TextPart(StrEnum):
    """Which text of a page a match came from (see ``srccheck.text.PageText``)."""

    MAIN = "main"
    FALLBACK = "fallback"


class DateParts(ReportModel):
    """A date as written: any of its parts may be missing (``21. Oktober``)."""

    year: int | None = Field(default=None, description="Year, when written.")
    month: int | None = Field(default=None, description="Month 1-12, when written.")
    day: int | None = Field(default=None, description="Day of the month, when written.")


class DifferenceKind(StrEnum):
    """What a differing word is (``srccheck.claims.compare``)."""

    NEGATION = "negation"
    NUMBER = "number"
    WORD = "word"
    OTHER = "other"


class WordDifference(ReportModel):
    """Words that differ between the article (a quote or key claim) and the page."""

    article: str | None = Field(description="The word in the article; null when the page adds one.")
    page: str | None = Field(description="The word on the page; null when the page omits one.")
    kind: DifferenceKind | None = Field(
        default=None,
        description="negation (on one side only), number (another value), word (another "
        "content word), other (a word added, left out or a function word).",
    )


class Evidence(ReportModel):
    """Where (and how well) a claim was found on a page."""

    source_id: int = Field(description="Id of the source (SourceReport.id) the page belongs to.")
    origin: Origin = Field(description="live page or archived copy.")
    text_part: TextPart = Field(
        description="main: the page's main text; fallback: the rest of its visible text."
    )
    start: int = Field(description="Start offset of the match in that text of the page.")
    end: int = Field(description="End offset (exclusive) of the match in that text.")
    snippet: str = Field(description="About 200 characters of the original page text around it.")
    snippet_start: int | None = Field(
        default=None, description="Start offset of the match within snippet."
    )
    snippet_end: int | None = Field(
        default=None, description="End offset (exclusive) of the match within snippet."
    )
    score: float = Field(description="Match score 0-100 (100: exact after normalisation).")
    differences: list[WordDifference] = Field(
        default_factory=list,
        description="For near quotes and contradicted or supported key claims: the words "
        "that differ (article → page).",
    )
    page_number: int | None = Field(
        default=None,
        description="For documents with pages (PDF): the 1-based page the match starts on; "
        "null for web pages.",
    )


class Claim(ReportModel):
    """One checkable statement of the article, with its verdict and evidence."""

    id: str = Field(description="Id unique within the article (q1, t1, n1, d1, p1, k1 …).")
    kind: ClaimKind = Field(description="What is claimed; see the module docstring.")
    text: str = Field(description="The claim as written in the article.")
    start: int = Field(description="Start offset of the claim in the article file.")
    end: int = Field(description="End offset (exclusive) of the claim in the article file.")
    line: int | None = Field(
        default=None, description="1-based line of the claim's start in the article file."
    )
    column: int | None = Field(
        default=None, description="1-based column of the claim's start on that line."
    )
    weight: float = Field(
        default=1.0, description="Importance for summaries: 1 for most claims, lower for terms."
    )
    value: float | None = Field(default=None, description="Numbers: the parsed value.")
    unit: str | None = Field(
        default=None,
        description="Numbers: the unit (ISO currency code, 'percent') or the counted noun, "
        "lower-cased.",
    )
    date: DateParts | None = Field(default=None, description="Dates: the parts as written.")
    entity: EntityType | None = Field(default=None, description="Names: person or organisation.")
    speaker: str | None = Field(default=None, description="Quotes: who the article says spoke.")
    attribution: Attribution | None = Field(
        default=None, description="Quotes with a speaker: whether a page confirms who said it."
    )
    parts: list[str] = Field(
        default_factory=list, description="Key claims: ids of the claims the sentence carries."
    )
    verdict: Verdict | None = Field(
        default=None, description="The verdict; null before the claim was matched."
    )
    evidence: list[Evidence] = Field(
        default_factory=list, description="Best match per source and origin, best first."
    )
