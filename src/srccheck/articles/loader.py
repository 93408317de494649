"""Reading one article file into an :class:`Article` or an :class:`ArticleFailure`."""

from __future__ import annotations

from pathlib import Path

from srccheck.articles.decode import DecodedText, decode_article
from srccheck.articles.detect import detect_format
from srccheck.articles.html import parse_html
from srccheck.articles.lines import LineTable
from srccheck.articles.markdown import parse_markdown
from srccheck.articles.model import Article, ArticleFailure, ArticleFormat, ParsedArticle
from srccheck.articles.plaintext import parse_plain_text
from srccheck.articles.sections import SOURCE_HEADINGS
from srccheck.articles.sources import build_source_entries
from srccheck.models import ArticleError, ArticleErrorKind
from srccheck.settings import Settings

__all__ = ["load_article", "read_capped"]


def load_article(
    path: Path, settings: Settings, *, data: bytes | ArticleError | None = None
) -> Article | ArticleFailure:
    """Read, decode and parse one article file; never raises for a bad file.

    ``data`` is the file's content when the caller has read it already (with
    :func:`read_capped`), so that what is parsed is exactly what it hashed.

    Failures, by kind: ``unreadable`` (missing, a directory, no permission,
    I/O error), ``too_large`` (over ``settings.max_article_bytes``; no more than
    that plus one byte is read), ``binary``, ``undecodable`` (see
    :mod:`srccheck.articles.decode`), ``empty`` (nothing but whitespace) and
    ``no_sources`` (no source list, or one without entries). Sources are
    normalised with ``settings.strip_tracking``.
    """
    if data is None:
        data = read_capped(path, settings.max_article_bytes)
    if isinstance(data, ArticleError):
        return ArticleFailure(path=path, error=data)
    if not data:
        return _failure(path, ArticleErrorKind.EMPTY, "file is empty")
    decoded = decode_article(data)
    if isinstance(decoded, ArticleError):
        return ArticleFailure(path=path, error=decoded)
    if not decoded.text.strip():
        return _failure(path, ArticleErrorKind.EMPTY, "file contains only whitespace", decoded)
    fmt = detect_format(path, decoded.text)
    parsed = _parse(decoded.text, fmt)
    if not parsed.spans:
        return _failure(path, ArticleErrorKind.NO_SOURCES, _no_sources_message(parsed), decoded)
    lines = LineTable(decoded.text)
    return Article(
        path=path,
        format=fmt.value,
        encoding=decoded.encoding,
        text=decoded.text,
        date=parsed.date,
        title=parsed.title,
        body=parsed.body,
        body_start=parsed.body_start,
        sources=build_source_entries(parsed.spans, lines, strip_tracking=settings.strip_tracking),
    )


def read_capped(path: Path, cap: int) -> bytes | ArticleError:
    """The file's bytes, or why they cannot be had: unreadable, or larger than ``cap``."""
    try:
        with path.open("rb") as handle:
            data = handle.read(cap + 1)
    except IsADirectoryError:
        return ArticleError(kind=ArticleErrorKind.UNREADABLE, message="is a directory, not a file")
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return ArticleError(kind=ArticleErrorKind.UNREADABLE, message=f"cannot read file: {reason}")
    if len(data) > cap:
        return ArticleError(
            kind=ArticleErrorKind.TOO_LARGE,
            message=f"file is larger than the limit of {cap:,} bytes (max_article_bytes)",
        )
    return data


def _parse(text: str, fmt: ArticleFormat) -> ParsedArticle:
    if fmt is ArticleFormat.HTML:
        return parse_html(text)
    if fmt is ArticleFormat.MARKDOWN:
        return parse_markdown(text)
    return parse_plain_text(text, fmt)


def _no_sources_message(parsed: ParsedArticle) -> str:
    names = ", ".join(f"'{name}'" for name in SOURCE_HEADINGS)
    if parsed.sources_heading is not None:
        return f"the '{parsed.sources_heading}' section lists no sources"
    return f"no source list found (looked for a heading or line {names})"


def _failure(
    path: Path, kind: ArticleErrorKind, message: str, decoded: DecodedText | None = None
) -> ArticleFailure:
    return ArticleFailure(
        path=path,
        error=ArticleError(kind=kind, message=message),
        encoding=decoded.encoding if decoded else None,
    )
