"""The value the articles stage hands to the rest of the pipeline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from srccheck.models import ArticleError, SourceEntry

__all__ = ["Article", "ArticleFailure", "ArticleFormat", "ParsedArticle", "SourceSpan"]


class ArticleFormat(StrEnum):
    """The input formats the articles stage reads (``Article.format``)."""

    SEED = "seed"  # date line, title line, body, one "Quellen: - url - url" line
    MARKDOWN = "markdown"
    HTML = "html"
    TEXT = "text"  # plain text with a source list, one entry per line


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


@dataclass(frozen=True, slots=True)
class SourceSpan:
    """One source entry as found by a format parser, before normalisation.

    ``raw`` is exactly ``text[offset:offset + len(raw)]`` of the decoded file.
    ``value`` is what to normalise when it differs from ``raw`` (an HTML
    attribute with its character references decoded); ``None`` means ``raw``.
    """

    raw: str
    offset: int
    value: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedArticle:
    """What a format parser found; the loader turns it into an :class:`Article`.

    ``sources_heading`` is the heading the source list was found under (``None``
    when no sources heading was found at all), so a failure can say which.
    """

    date: dt.date | None
    title: str | None
    body: str
    body_start: int
    spans: tuple[SourceSpan, ...]
    sources_heading: str | None
