"""Values the fetch stage hands to later stages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from srccheck.models import LinkCheck

__all__ = ["FetchOutcome", "Page", "URLChecker"]


@dataclass(frozen=True, slots=True)
class Page:
    """A retrieved body, kept only as far as later stages need it.

    ``text`` is the decoded body of a textual answer (HTML, plain text, XML),
    cut at the size cap; ``None`` for binary content (PDF, images …).
    """

    url: str  # the final URL the body came from
    content_type: str | None
    charset: str | None
    text: str | None
    truncated: bool


@dataclass(frozen=True, slots=True)
class FetchOutcome:
    check: LinkCheck
    page: Page | None = None


class URLChecker(Protocol):
    """What later stages need of the fetch stage: check one URL, never raising for
    network problems (the Fetcher, or the staged run's ``stages.check.StagedChecker``)."""

    async def check(self, url: str) -> FetchOutcome: ...
