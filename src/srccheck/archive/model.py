"""What the archive stage reports for one source URL.

Per archive asked there is one :class:`ArchiveLookup` whose ``state`` is
``available``, ``not_archived`` or ``error``. An archive that could not be
asked (timeout, 429, connection refused …) is ``error`` and never
``not_archived``: "we could not tell" is not evidence that no copy exists.
:class:`ArchiveReport` gathers the lookups of all configured archives, the
snapshot chosen across them and, when the caller adds it, the drift between
the live page and that snapshot.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field

from srccheck.modelbase import ReportModel

__all__ = [
    "ArchiveErrorKind",
    "ArchiveKind",
    "ArchiveLookup",
    "ArchiveReport",
    "ArchiveState",
    "Drift",
    "DriftVerdict",
    "LookupMethod",
    "SaveResult",
    "SaveState",
    "Snapshot",
]


class ArchiveKind(StrEnum):
    """The protocol an archive is asked with."""

    INTERNET_ARCHIVE = "internet_archive"  # CDX server, availability API fallback, Save Page Now
    WAYBACK = "wayback"  # any Wayback-compatible server (pywb, OpenWayback): CDX + id_ replay
    MEMENTO = "memento"  # any RFC 7089 archive: TimeMap, TimeGate fallback


class ArchiveState(StrEnum):
    """What one archive said about one URL."""

    AVAILABLE = "available"  # at least one successful (2xx) capture
    NOT_ARCHIVED = "not_archived"  # the archive answered, and it has no successful capture
    ERROR = "error"  # the archive could not be asked; says nothing about the URL


class ArchiveErrorKind(StrEnum):
    """Why an archive could not be asked."""

    TIMEOUT = "timeout"
    CONNECTION = "connection"  # refused, reset, DNS failure, no network
    RATE_LIMITED = "rate_limited"  # 429 after all retries
    SERVER_ERROR = "server_error"  # 5xx after all retries
    HTTP_ERROR = "http_error"  # another unexpected status (400, 403 …)
    INVALID_RESPONSE = "invalid_response"  # an answer that is not the documented format


class LookupMethod(StrEnum):
    """Which API produced an archive's answer."""

    CDX = "cdx"
    AVAILABILITY = "availability"
    TIMEMAP = "timemap"
    TIMEGATE = "timegate"


class Snapshot(ReportModel):
    """One capture (memento) of a URL in one archive."""

    archive: str = Field(description="Name of the archive holding the capture.")
    original_url: str = Field(description="The URL that was captured, as the archive records it.")
    captured_at: dt.datetime = Field(description="When the capture was made (UTC).")
    raw_url: str = Field(
        description="Where the capture's original bytes are served (Wayback 'id_' mode, without "
        "the archive's toolbar or link rewriting); the memento URL itself for other archives."
    )
    replay_url: str = Field(description="The capture as a person would open it in the archive.")
    http_status: int | None = Field(
        default=None,
        description="HTTP status the page answered with when captured; null when the archive "
        "does not say (Memento TimeMaps carry no status).",
    )
    mime_type: str | None = Field(default=None, description="Media type recorded for the capture.")
    digest: str | None = Field(default=None, description="Content digest recorded by the archive.")

    @property
    def is_success(self) -> bool:
        """True for 2xx captures and for captures whose status the archive does not record."""
        return self.http_status is None or 200 <= self.http_status < 300


class ArchiveLookup(ReportModel):
    """The answer of one archive for one URL."""

    archive: str = Field(description="Name of the archive (from the configuration).")
    kind: ArchiveKind = Field(description="Protocol used to ask the archive.")
    state: ArchiveState = Field(
        description="available, not_archived, or error when the archive could not be asked "
        "(an error never means 'not archived')."
    )
    method: LookupMethod | None = Field(
        default=None, description="The API that gave the answer (after any fallback)."
    )
    snapshot: Snapshot | None = Field(
        default=None,
        description="This archive's successful capture closest to the article's date.",
    )
    distance_days: int | None = Field(
        default=None,
        description="Capture date minus article date in days (negative: captured before "
        "publication); null without an article date or snapshot.",
    )
    snapshots_found: int = Field(
        default=0,
        description="Captures the archive listed for the query (the CDX query asks for at "
        "most the configured limit, nearest to the article's date first).",
    )
    error: ArchiveErrorKind | None = Field(default=None, description="Why the archive failed.")
    error_message: str | None = Field(default=None, description="Low-level error text.")
    attempts: int = Field(default=0, description="Requests sent to this archive, retries included.")


class DriftVerdict(StrEnum):
    """How far the live page has moved from the archived snapshot."""

    UNCHANGED = "unchanged"
    CHANGED = "changed"
    REPLACED = "replaced"


class Drift(ReportModel):
    """Similarity of the live page's main text and the chosen snapshot's."""

    score: float = Field(
        description="Word-level Indel similarity of the normalised texts in 0..1 (1 = identical).",
        ge=0.0,
        le=1.0,
    )
    verdict: DriftVerdict = Field(
        description="unchanged (score ≥ 0.95), changed (≥ 0.5) or replaced (below)."
    )
    live_chars: int = Field(description="Characters of normalised live text compared.")
    archived_chars: int = Field(description="Characters of normalised archived text compared.")


class SaveState(StrEnum):
    """Outcome of a Save Page Now request."""

    REQUESTED = "requested"  # the archive accepted the capture job
    FAILED = "failed"  # the archive refused or could not be reached
    SKIPPED = "skipped"  # not attempted (no credentials)


class SaveResult(ReportModel):
    """The Internet Archive's answer to a Save Page Now request."""

    state: SaveState = Field(description="requested, failed or skipped.")
    http_status: int | None = Field(default=None, description="HTTP status of the answer.")
    job_id: str | None = Field(default=None, description="Capture job id, when one was given.")
    message: str | None = Field(default=None, description="The archive's message or the error.")


class ArchiveReport(ReportModel):
    """Everything the archive stage found out about one source URL."""

    url: str = Field(description="The source URL that was looked up.")
    article_date: dt.date | None = Field(
        default=None, description="The date the snapshots were compared with."
    )
    lookups: list[ArchiveLookup] = Field(
        default_factory=list, description="One answer per configured archive, in config order."
    )
    chosen: Snapshot | None = Field(
        default=None,
        description="The successful capture closest to the article's date across all archives "
        "(ties: the earlier capture; no article date: the most recent capture).",
    )
    distance_days: int | None = Field(
        default=None,
        description="Capture date of the chosen snapshot minus the article date, in days.",
    )
    window_days: int = Field(description="The ± window (days) the chosen snapshot is held to.")
    outside_window: bool = Field(
        default=False,
        description="True when a snapshot was chosen but none lies within ±window_days of the "
        "article's date.",
    )
    drift: Drift | None = Field(
        default=None, description="Live page versus chosen snapshot, when both texts exist."
    )
    save: SaveResult | None = Field(
        default=None, description="Save Page Now request made because no copy existed."
    )

    @property
    def state(self) -> ArchiveState:
        """available if any archive has a copy; error if none has and any failed."""
        states = {lookup.state for lookup in self.lookups}
        if ArchiveState.AVAILABLE in states:
            return ArchiveState.AVAILABLE
        if ArchiveState.ERROR in states:
            return ArchiveState.ERROR
        return ArchiveState.NOT_ARCHIVED

    def with_drift(self, drift: Drift | None) -> ArchiveReport:
        """A copy with the drift filled in (reports are frozen)."""
        return self.model_copy(update={"drift": drift})
