"""The articles stage: article files in, :class:`Article` values out.

Call :func:`find_articles` with the paths given on the command line, then
:func:`load_article` for each file; it returns an :class:`Article` or an
:class:`ArticleFailure` (never raises for a bad file). Formats: the seed
layout, plain text, Markdown and HTML (:mod:`~srccheck.articles.detect`).
"""

from __future__ import annotations

from srccheck.articles.discover import find_articles
from srccheck.articles.loader import load_article
from srccheck.articles.model import Article, ArticleFailure, ArticleFormat
from srccheck.articles.sections import SOURCE_HEADINGS
from srccheck.articles.urls import InvalidUrl, NormalisedUrl, normalise_url

__all__ = [
    "SOURCE_HEADINGS",
    "Article",
    "ArticleFailure",
    "ArticleFormat",
    "InvalidUrl",
    "NormalisedUrl",
    "find_articles",
    "load_article",
    "normalise_url",
]
