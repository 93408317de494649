"""The value the articles stage hands to the rest of the pipeline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from srccheck.models import ArticleError, SourceEntry

__all__ = ["Article", "ArticleFailure"]


@dataclass(frozen=True, slots=True)
class Article:
    """A parsed article.

    ``text`` is the whole decoded file (newlines normalised to ``\\n``); every
    position in ``sources`` and ``body_start`` refer to it, so a finding can be
    reported at the line and column of the article file.
    """

    path: Path
    format: str  # "seed", "markdown", "html" or "text"
    encoding: str
    text: str
    date: dt.date | None
    title: str | None
    body: str
    body_start: int  # offset of the body in ``text`` (-1 when the body is not a slice of it)
    sources: tuple[SourceEntry, ...]


@dataclass(frozen=True, slots=True)
class ArticleFailure:
    """An article that could not be parsed: reported, never raised."""

    path: Path
    error: ArticleError
    encoding: str | None = None
