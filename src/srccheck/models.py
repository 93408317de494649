"""The report's data model: the single source of the JSON report format.

These pydantic models are both the values the pipeline stages hand each other
where those values end up in a report, and the JSON Schema of the report
(``schema/report.schema.json`` and ``schema/index.schema.json`` are generated
from them by ``python -m srccheck schema``; a test keeps the files in sync).

Rules that keep the format stable:

* every field has a type and a description; optional fields default to
  ``None`` or an empty list;
* ``SCHEMA_VERSION`` changes its major number only when a field is removed or
  changes meaning, its minor number when fields are added. The schema is
  strict (no unknown fields), so validate a report against the schema of its
  own ``schema_version``; readers that do not validate can ignore new fields.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field

from srccheck.archive.model import ArchiveReport
from srccheck.claims.model import Claim, Verdict
from srccheck.modelbase import ReportModel
from srccheck.status import Outcome, Status

__all__ = [
    "SCHEMA_VERSION",
    "ArticleError",
    "ArticleErrorKind",
    "ArticleMeta",
    "ArticleReport",
    "HostStats",
    "IndexEntry",
    "LinkCheck",
    "Position",
    "RedirectHop",
    "ReportState",
    "RunIndex",
    "SourceEntry",
    "SourceReport",
    "Summary",
    "TextFragmentCheck",
    "TextFragmentState",
]

SCHEMA_VERSION = "1.4"


class Position(ReportModel):
    """Where a source (or claim) stands in the article file."""

    index: int = Field(description="0-based order of the entry in the article's source list.")
    line: int = Field(description="1-based line of the entry in the article file.")
    column: int = Field(description="1-based column (in characters) of the entry on that line.")
    offset: int = Field(description="0-based character offset of the entry in the decoded file.")


class SourceEntry(ReportModel):
    """One cited source as written in the article (before any fetching)."""

    raw: str = Field(description="The entry exactly as written in the article.")
    url: str | None = Field(
        description="The normalised URL that is checked (scheme and host lower-cased, default "
        "port dropped, fragment removed); null when the entry is not a valid http(s) URL."
    )
    fragment: str | None = Field(
        default=None, description="The URL's #fragment, kept apart from the checked URL."
    )
    fragments: list[str] = Field(
        default_factory=list,
        description="Every distinct fragment the URL is cited with, in citation order, when "
        "its citations differ in their fragments (empty otherwise: see fragment).",
    )
    positions: list[Position] = Field(
        description="Every place the URL is cited in the article (duplicates are reported once)."
    )
    invalid_reason: str | None = Field(
        default=None, description="Why the entry is not a checkable URL, when it is not."
    )


class TextFragmentState(StrEnum):
    """Whether the passage a text fragment (``#:~:text=``) points to is on the page."""

    FOUND = "found"
    NOT_FOUND = "not_found"
    UNVERIFIABLE = "unverifiable"  # no page text to look in (broken, paywalled, binary, cut)
    INVALID = "invalid"  # the directive does not follow the syntax


class TextFragmentCheck(ReportModel):
    """One ``text=`` directive of a cited URL, looked for on the retrieved page."""

    directive: str = Field(description="The directive as written, e.g. 'text=die%20Lage'.")
    fragment: str = Field(description="The URL fragment the directive belongs to.")
    prefix: str | None = Field(default=None, description="Decoded prefix term (context before).")
    start: str | None = Field(default=None, description="Decoded start term (the passage, or "
                              "its beginning when end is given).")
    end: str | None = Field(default=None, description="Decoded end term of a range.")
    suffix: str | None = Field(default=None, description="Decoded suffix term (context after).")
    state: TextFragmentState = Field(description="found, not_found, unverifiable or invalid.")
    reason: str = Field(description="A human-readable explanation of the state.")
    origin: str | None = Field(
        default=None, description="Where the passage was looked for: live or archived."
    )
    snippet: str | None = Field(
        default=None, description="About 200 characters of page text around a found passage."
    )
    snippet_start: int | None = Field(
        default=None, description="Start offset of the passage within snippet."
    )
    snippet_end: int | None = Field(
        default=None, description="End offset (exclusive) of the passage within snippet."
    )


class RedirectHop(ReportModel):
    """One answer in a redirect chain."""

    url: str = Field(description="The URL that was requested.")
    status_code: int = Field(description="The HTTP status it answered with.")
    location: str | None = Field(default=None, description="The Location header, if any.")


class LinkCheck(ReportModel):
    """The outcome of checking one URL: always a value, never an exception."""

    status: Status = Field(description="The closed status; see the README's status table.")
    reason: str = Field(description="A human-readable explanation of the status.")
    http_status: int | None = Field(
        default=None, description="HTTP status of the last answer, when one was received."
    )
    final_url: str | None = Field(default=None, description="The URL after all redirects.")
    redirects: list[RedirectHop] = Field(
        default_factory=list,
        description="Every redirecting answer in order; the final answer is not included.",
    )
    attempts: int = Field(default=0, description="Requests sent for the final result (retries).")
    elapsed_ms: float = Field(default=0.0, description="Wall time of the whole check, ms.")
    first_byte_ms: float | None = Field(
        default=None, description="Time to the headers of the final answer, ms."
    )
    content_type: str | None = Field(default=None, description="Media type of the final answer.")
    charset: str | None = Field(default=None, description="Character set used to decode the body.")
    page_title: str | None = Field(default=None, description="The page's <title>, if HTML.")
    body_bytes: int = Field(default=0, description="Body bytes read (decompressed).")
    truncated: bool = Field(
        default=False, description="True when the body exceeded the size cap and was cut."
    )
    error: str | None = Field(default=None, description="Low-level error text, if any.")
    signals: list[str] = Field(
        default_factory=list,
        description="Which detection rules fired (soft-404 signals, bot-wall markers …).",
    )
    paywalled: bool = Field(
        default=False, description="The page is marked as not freely accessible."
    )
    checked_at: dt.datetime | None = Field(
        default=None, description="When the check was made (UTC)."
    )
    from_cache: bool = Field(default=False, description="The result came from the cache.")
    cached_at: dt.datetime | None = Field(
        default=None, description="When a cached result was stored or last revalidated (UTC)."
    )
    age_seconds: float | None = Field(
        default=None, description="Age of a cached result when it was used, in seconds."
    )
    revalidated: bool = Field(
        default=False,
        description="A stale cached result was confirmed by the server (304 Not Modified).",
    )

    @property
    def outcome(self) -> Outcome:
        return self.status.outcome


class SourceReport(ReportModel):
    """A cited source with everything srccheck found out about it."""

    id: int = Field(description="0-based id of the source within its article report.")
    source: SourceEntry
    check: LinkCheck
    archive: ArchiveReport | None = Field(
        default=None,
        description="Web-archive copies of the URL; null when archives were not asked "
        "(--no-archive, or the entry is not a fetchable URL).",
    )
    checked_url: str | None = Field(
        default=None,
        description="The URL that was checked instead of the cited one, when a --remap rule "
        "rewrote it (source.url stays the cited URL).",
    )
    https_twin: str | None = Field(
        default=None,
        description="With --require-https: the https:// URL that works for this http:// "
        "source (a require-https finding); null otherwise.",
    )
    text_fragments: list[TextFragmentCheck] = Field(
        default_factory=list,
        description="The text directives (#:~:text=) of the cited URL's fragments, each "
        "looked for on the retrieved page (README: Text fragments).",
    )
    text_unread: str | None = Field(
        default=None,
        description="Why no text of this source (live or archived) could be checked against "
        "for claims (a consent or bot wall, an unreadable document, a paywall, no text …); "
        "its claims are unverifiable for it, never not_found. Null when a text was read or "
        "claims were not checked.",
    )
    other_language: str | None = Field(
        default=None,
        description="The language this source's text was read in (de or en from its words, "
        "else its declared <html lang>), when that is not the article's: the article may "
        "quote it in translation, which cannot be compared word for word, so claims found "
        "in no source are unverifiable, never not_found. Null when the languages agree, "
        "either cannot be told, or claims were not checked.",
    )


class ReportState(StrEnum):
    COMPLETE = "complete"
    INCOMPLETE = "incomplete"
    ERROR = "error"


class ArticleErrorKind(StrEnum):
    UNREADABLE = "unreadable"
    EMPTY = "empty"
    BINARY = "binary"
    UNDECODABLE = "undecodable"
    TOO_LARGE = "too_large"
    NO_SOURCES = "no_sources"
    PARSE_ERROR = "parse_error"


class ArticleError(ReportModel):
    """Why an article could not be (fully) read."""

    kind: ArticleErrorKind
    message: str


class ArticleMeta(ReportModel):
    file: str = Field(description="Path of the article file as given on the command line.")
    format: str | None = Field(default=None, description="seed, markdown, html or text.")
    encoding: str | None = Field(default=None, description="Encoding the file was decoded with.")
    date: dt.date | None = Field(default=None, description="Publication date of the article.")
    title: str | None = Field(default=None, description="Title, exactly as given.")
    body_chars: int = Field(default=0, description="Length of the body text in characters.")
    body: str | None = Field(
        default=None,
        description="The body text the claims were extracted from (for highlighting them); "
        "null when claims were not checked.",
    )
    body_start: int | None = Field(
        default=None,
        description="Offset that claim offsets are relative to: claim.start - body_start "
        "indexes into body (0 when the body is extracted text, as for HTML articles).",
    )


class Summary(ReportModel):
    sources: int = Field(description="Number of distinct sources.")
    by_status: dict[Status, int] = Field(description="Count of sources per status.")
    by_outcome: dict[Outcome, int] = Field(description="Count of sources per outcome.")
    archived: int = Field(default=0, description="Sources with a chosen archived snapshot.")
    not_archived: int = Field(
        default=0, description="Sources every asked archive answered 'not archived' for."
    )
    archive_errors: int = Field(
        default=0, description="Sources whose archives could not be asked (no verdict)."
    )
    claims_by_verdict: dict[Verdict, int] = Field(
        default_factory=dict, description="Count of claims per verdict (all kinds)."
    )

    @classmethod
    def of(cls, sources: list[SourceReport], claims: list[Claim] | None = None) -> Summary:
        by_status: dict[Status, int] = {}
        by_outcome: dict[Outcome, int] = {}
        archive = {"available": 0, "not_archived": 0, "error": 0}
        for source in sources:
            check = source.check
            by_status[check.status] = by_status.get(check.status, 0) + 1
            by_outcome[check.outcome] = by_outcome.get(check.outcome, 0) + 1
            if source.archive is not None and source.archive.lookups:
                archive[source.archive.state.value] += 1
        verdicts: dict[Verdict, int] = {}
        for claim in claims or ():
            if claim.verdict is not None:
                verdicts[claim.verdict] = verdicts.get(claim.verdict, 0) + 1
        return cls(
            sources=len(sources),
            by_status=by_status,
            by_outcome=by_outcome,
            archived=archive["available"],
            not_archived=archive["not_archived"],
            archive_errors=archive["error"],
            claims_by_verdict=verdicts,
        )

    def __add__(self, other: Summary) -> Summary:
        def merge(a: dict, b: dict) -> dict:
            return {k: a.get(k, 0) + b.get(k, 0) for k in {*a, *b}}

        return Summary(
            sources=self.sources + other.sources,
            by_status=merge(self.by_status, other.by_status),
            by_outcome=merge(self.by_outcome, other.by_outcome),
            archived=self.archived + other.archived,
            not_archived=self.not_archived + other.not_archived,
            archive_errors=self.archive_errors + other.archive_errors,
            claims_by_verdict=merge(self.claims_by_verdict, other.claims_by_verdict),
        )


class ArticleReport(ReportModel):
    """``reports/<article>.json``: the report of one article."""

    schema_version: str = Field(default=SCHEMA_VERSION)
    srccheck_version: str
    generated_at: dt.datetime
    state: ReportState = Field(
        description="complete; incomplete (the run was interrupted); error (see error)."
    )
    article: ArticleMeta
    error: ArticleError | None = None
    sources: list[SourceReport] = Field(default_factory=list)
    claims: list[Claim] = Field(
        default_factory=list,
        description="Quotes, numbers, dates, names and key claims of the article body, each "
        "with its verdict and evidence from the sources' pages.",
    )
    summary: Summary


class IndexEntry(ReportModel):
    file: str = Field(description="The article file.")
    report_json: str | None = Field(default=None, description="JSON report, relative to index.")
    report_html: str | None = Field(default=None, description="HTML report, relative to index.")
    title: str | None = None
    date: dt.date | None = None
    state: ReportState
    error: ArticleError | None = None
    summary: Summary
    reused: bool = Field(
        default=False,
        description="True when this run kept the report files of an earlier run: the "
        "article bytes, the settings and every cached result the report was built from "
        "were unchanged (README: Reusing unchanged reports).",
    )


class HostStats(ReportModel):
    """What checking the sources cost one host (``--host-stats``)."""

    host: str = Field(description="The host name (lower-case).")
    requests: int = Field(description="Requests sent to the host: retries, redirect hops, "
                          "soft-404 probes and robots.txt included; answers from the cache "
                          "are not requests.")
    statuses: dict[str, int] = Field(
        description="Answers per HTTP status code ('200', '404' …), and failures without an "
        "answer per status name ('timeout', 'connection_error' …)."
    )
    retries: int = Field(description="Requests that were retries of a failed one.")
    rate_limited: int = Field(
        description="Answers that asked for a pause (429 or 503 with Retry-After)."
    )
    rate_limit_wait_seconds: float = Field(
        description="Pause asked for by those answers, as honoured (capped by "
        "retry-after-cap), summed; the host got no new request meanwhile."
    )


class RunIndex(ReportModel):
    """``reports/index.json``: one run over many articles."""

    schema_version: str = Field(default=SCHEMA_VERSION)
    srccheck_version: str
    started_at: dt.datetime
    finished_at: dt.datetime
    state: ReportState
    articles: list[IndexEntry]
    totals: Summary
    host_stats: list[HostStats] | None = Field(
        default=None,
        description="Per host, the requests sent, their statuses, retries and rate-limit "
        "pauses, busiest host first; null unless --host-stats was given.",
    )
