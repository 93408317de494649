"""Values the fetch stage hands to later stages."""

from __future__ import annotations

from dataclasses import dataclass

from srccheck.models import LinkCheck

__all__ = ["FetchOutcome", "Page"]


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
