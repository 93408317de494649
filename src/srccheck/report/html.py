"""Self-contained HTML reports, rendered with jinja2 (autoescape on).

Every page carries its CSS (and, on article pages, a small filter script)
inline, and a Content-Security-Policy that forbids loading anything: styles
and the script run only with the page's random nonce, images only from
``data:`` URLs, no base URL, no forms. All article and page text is escaped by
jinja2, and a URL becomes an ``href`` only when it is http(s) (see
:func:`http_href`), so a cited ``javascript:`` URL is shown, never linked.

Templates live in ``report/templates``: ``base.html.j2`` (head, CSP, footer),
``macros.html.j2`` (badges, links, summary, redirect chain), ``article.html.j2``
and ``index.html.j2``, which leave empty blocks (``source_columns`` /
``source_cells``, ``after_sources``, ``article_columns`` / ``article_cells``,
``after_articles``) for archive and claims sections.
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
import unicodedata
from pathlib import Path
from urllib.parse import quote, urlsplit

import jinja2

from srccheck.models import ArticleReport, RunIndex
from srccheck.report.atomic import write_text_atomic
from srccheck.status import Outcome, Status

__all__ = [
    "content_security_policy",
    "http_href",
    "relative_href",
    "render_article_html",
    "render_index_html",
    "write_article_html",
    "write_index_html",
]

_LINK_SCHEMES = frozenset({"http", "https"})


def http_href(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) URL with a host, else ``None``.

    A whitelist, not a blacklist: ``javascript:``, ``data:``, ``vbscript:``,
    ``file:``, scheme-relative ``//host`` and anything unparsable are refused.
    :func:`urllib.parse.urlsplit` strips leading blanks and removes tabs and
    newlines as browsers do, so ``" java\\tscript:"`` is recognised as well.
    """
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in _LINK_SCHEMES or not parts.netloc:
        return None
    return url


def relative_href(name: str | None) -> str | None:
    """A percent-encoded relative link to a report file next to the page, else ``None``.

    Only plain relative paths without ``..``, control characters, a scheme or
    a leading slash are linked; the index only ever links to its own folder.
    """
    if not name or name.startswith(("/", "\\")) or ":" in name or "\\" in name:
        return None
    if any(unicodedata.category(c)[0] == "C" for c in name):
        return None
    if any(part in ("", ".", "..") for part in name.split("/")):
        return None
    return quote(name)


def content_security_policy(nonce: str, *, script: bool) -> str:
    """The page's CSP: nothing remote; inline style (and script, if any) only with ``nonce``."""
    script_src = f"'nonce-{nonce}'" if script else "'none'"
    return (
        f"default-src 'none'; style-src 'nonce-{nonce}'; script-src {script_src}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


def _duration(ms: float | None) -> str:
    if ms is None:
        return ""
    return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.1f} s"


def _datetime(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return value.isoformat(sep=" ", timespec="seconds")


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("srccheck.report", "templates"),
        autoescape=True,  # every template, whatever its file name
        undefined=jinja2.StrictUndefined,  # a typo in a template fails the tests, not silently
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        http_href=http_href, relative_href=relative_href, duration=_duration, datetime=_datetime
    )
    env.globals.update(outcomes=list(Outcome), statuses=list(Status))
    return env


def _render(template: str, *, nonce: str | None, script: bool, **context: object) -> str:
    nonce = nonce or secrets.token_urlsafe(18)
    return (
        _environment()
        .get_template(template)
        .render(
            nonce=nonce,
            csp=content_security_policy(nonce, script=script),
            has_script=script,
            **context,
        )
    )


def render_article_html(report: ArticleReport, *, nonce: str | None = None) -> str:
    """The HTML page of one article report.

    ``nonce`` defaults to a fresh random value per page; pass one only in tests.
    """
    return _render(
        "article.html.j2",
        nonce=nonce,
        script=bool(report.sources),
        report=report,
        article=report.article,
        srccheck_version=report.srccheck_version,
    )


def render_index_html(index: RunIndex, *, nonce: str | None = None) -> str:
    """The HTML page of a run: totals and one row per article with links to its reports."""
    return _render(
        "index.html.j2",
        nonce=nonce,
        script=False,
        index=index,
        errors=sum(1 for entry in index.articles if entry.error is not None),
        srccheck_version=index.srccheck_version,
    )


def write_article_html(report: ArticleReport, path: Path) -> None:
    """Render :func:`render_article_html` and write it to ``path`` atomically."""
    write_text_atomic(path, render_article_html(report))


def write_index_html(index: RunIndex, path: Path) -> None:
    """Render :func:`render_index_html` and write it to ``path`` atomically."""
    write_text_atomic(path, render_index_html(index))
