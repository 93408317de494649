"""The small values that travel between the stages and to and from workers.

Every row value here is a frozen dataclass of strings and numbers, so it
pickles cheaply for a Dask worker on another machine and maps onto one Parquet
row; a task's answer is its rows and the requests it sent per host
(``--host-stats``, merged by the process that started the run).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from srccheck.models import HostStats

__all__ = ["ArticleDone", "CheckedGroup", "CheckedURL", "Citation", "ReportedBatch", "Stage"]


class Stage(StrEnum):
    """The three stages of a run, in order; each writes its outputs as Parquet."""

    COLLECT = "collect"
    CHECK = "check"
    REPORT = "report"


@dataclass(frozen=True, slots=True)
class Citation:
    """One source entry of one article, as collected (before any request).

    ``url`` is the normalised URL the check stage fetches, or None when the
    entry is not a checkable URL or is excluded (then it needs no request);
    ``host`` is the host that owns it.
    """

    article: str
    position: int
    raw: str
    url: str | None
    host: str | None


@dataclass(frozen=True, slots=True)
class CheckedURL:
    """The check stage's answer for one unique URL.

    ``check`` is the :class:`~srccheck.models.LinkCheck` as JSON; ``page``
    whether the check retrieved a page text (then kept in the store under the
    URL); ``stamps`` the store entries behind the result as a JSON list of
    [kind, key, stored_at], for report reuse (:mod:`srccheck.reuse`).
    """

    url: str
    host: str
    check: str
    page: bool
    stamps: str


@dataclass(frozen=True, slots=True)
class ArticleDone:
    """The report stage's answer for one article: its report and index entry, as JSON."""

    article: str
    report: str
    entry: str


@dataclass(frozen=True, slots=True)
class CheckedGroup:
    """A check task's answer: one result per URL of its group, and the requests its
    fetcher sent per host (robots.txt, probes and retries included)."""

    checked: list[CheckedURL]
    host_stats: list[HostStats]


@dataclass(frozen=True, slots=True)
class ReportedBatch:
    """A report task's answer: one per article, and the requests its own fetcher sent
    per host (snapshots, pages no longer in the store)."""

    done: list[ArticleDone]
    host_stats: list[HostStats]
