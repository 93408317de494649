"""Values the fetch stage hands to later stages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from srccheck.models import HostStats, LinkCheck

__all__ = ["FetchOutcome", "Page", "URLChecker", "text_unread_reason"]


@dataclass(frozen=True, slots=True)
class Page:
    """A retrieved body, kept only as far as later stages need it.

    ``text`` is the decoded body of a textual answer (HTML, plain text, XML),
    cut at the size cap, or the text read from a PDF (each page ending with a
    form feed, see :mod:`srccheck.documents.pdf`); ``None`` for other binary
    content (images …) and for a document whose text could not be read.
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

    @property
    def text_unread(self) -> str | None:
        """Why this answer gives claims no text to check against; ``None`` when it has text.

        A source whose text was not read can neither support nor refute a claim:
        its claims are *unverifiable* for it, never *not found*. Reasons, in order:
        the status is not a success (consent or bot wall, unreadable document,
        404 …: the status and its reason), the page is paywalled, or the answer
        carried no text (an image, an empty body).
        """
        return text_unread_reason(self.check, self.page)


def text_unread_reason(check: LinkCheck, page: Page | None) -> str | None:
    """:attr:`FetchOutcome.text_unread` of a check and its page (pure)."""
    if not check.status.is_success:
        return f"{check.status.value}: {check.reason}"
    if check.paywalled:
        return "paywalled: only the free part of the page could be read"
    if page is None or not page.text or not page.text.strip():
        kind = check.content_type or "no content type"
        return f"no text: the answer carried no readable text ({kind})"
    return None


class URLChecker(Protocol):
    """What later stages need of the fetch stage: check one URL, never raising for
    network problems (the Fetcher, or the staged run's ``stages.check.StagedChecker``)."""

    async def check(self, url: str) -> FetchOutcome: ...

    async def host_stats(self) -> list[HostStats]:
        """Requests sent per host so far (``--host-stats``)."""
        ...
