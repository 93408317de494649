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
``after_articles``) that show the archived copies and the claims.

What the page computes from the report, as pure functions tested on their own:

* :func:`archive_badge` – one badge per source: the chosen snapshot (amber
  when outside the ± window), "not archived", "archive error", or nothing
  when archives were not asked;
* :func:`highlight_segments` – the article body cut into non-overlapping
  segments, each knowing every claim that covers it, so nested claims (a
  name inside a quote inside a key claim) render as stacked highlights;
* :func:`snippet_parts` – an evidence snippet split around its match, for
  ``<mark>``.

The claims list works without JavaScript: every highlight is an anchor to
its claim's ``<details>``; the script only opens the target on navigation.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import itertools
import json
import pickle
import secrets
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import jinja2
import jinja2.bccache
from markupsafe import Markup

from srccheck import __version__
from srccheck.archive.model import ArchiveReport, ArchiveState, Drift
from srccheck.claims.model import Claim, ClaimKind, Evidence, Verdict
from srccheck.models import ArticleMeta, ArticleReport, RunIndex
from srccheck.report.atomic import write_text_atomic
from srccheck.report.console import VERDICT_GROUPS, VerdictGroup, claim_counts, with_findings
from srccheck.status import Outcome, Status

__all__ = [
    "CLAIM_KIND_ORDER",
    "INDEX_FIELDS",
    "INDEX_PAGE_ROWS",
    "VERDICT_TONES",
    "ArchiveBadge",
    "Segment",
    "archive_badge",
    "content_security_policy",
    "drift_label",
    "highlight_segments",
    "http_href",
    "index_rows",
    "keep_compiled_templates",
    "relative_href",
    "render_article_html",
    "render_index_html",
    "snippet_parts",
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


#: Colour of a verdict, in the outcome colours: green confirmed, amber in part,
#: red missing or contradicted, grey when there was nothing to check against.
VERDICT_TONES: dict[Verdict, Outcome] = {
    Verdict.FOUND: Outcome.OK,
    Verdict.SUPPORTED: Outcome.OK,
    Verdict.NEAR: Outcome.TRANSIENT,
    Verdict.PARTIAL: Outcome.TRANSIENT,
    Verdict.CONTRADICTED: Outcome.BROKEN,
    Verdict.NOT_FOUND: Outcome.BROKEN,
    Verdict.UNVERIFIABLE: Outcome.UNVERIFIABLE,
}

#: Order of the claim groups on the page: the sentences first, their parts after.
CLAIM_KIND_ORDER: tuple[ClaimKind, ...] = (
    ClaimKind.KEY_CLAIM,
    ClaimKind.QUOTE,
    ClaimKind.TERM,
    ClaimKind.NUMBER,
    ClaimKind.DATE,
    ClaimKind.NAME,
)


@dataclass(frozen=True, slots=True)
class ArchiveBadge:
    """What the archive cell of a source shows; ``href`` is always http(s) or ``None``."""

    label: str
    tone: Outcome
    title: str
    href: str | None = None


def _days(n: int) -> str:
    if n == 0:
        return "same day"
    return f"{n:+d} day{'' if abs(n) == 1 else 's'}"


def archive_badge(archive: ArchiveReport | None) -> ArchiveBadge | None:
    """The archive badge of one source, or ``None`` when no archive was asked.

    * a chosen snapshot: "archived <capture date> (±N days)", green, linked to
      its replay URL (http(s) only); amber when ``outside_window``;
    * every archive answered without a copy: "not archived", red;
    * no copy and at least one archive could not be asked: "archive error",
      amber (it says nothing about the URL), the error texts as tooltip.
    """
    if archive is None or not archive.lookups:
        return None
    state = archive.state
    chosen = archive.chosen
    if state is ArchiveState.AVAILABLE and chosen is not None:
        label = f"archived {chosen.captured_at.date().isoformat()}"
        if archive.distance_days is not None:
            label += f" ({_days(archive.distance_days)})"
        if archive.outside_window:
            title = f"No capture within ±{archive.window_days} days of the article date"
        else:
            title = f"Capture within ±{archive.window_days} days of the article date"
        return ArchiveBadge(
            label=label,
            tone=Outcome.TRANSIENT if archive.outside_window else Outcome.OK,
            title=f"{title} ({chosen.archive}, {chosen.captured_at.isoformat()})",
            href=http_href(chosen.replay_url),
        )
    if state is ArchiveState.ERROR:
        errors = [
            f"{lookup.archive}: {lookup.error_message or lookup.error or 'error'}"
            for lookup in archive.lookups
            if lookup.state is ArchiveState.ERROR
        ]
        return ArchiveBadge(label="archive error", tone=Outcome.TRANSIENT, title="; ".join(errors))
    names = ", ".join(lookup.archive for lookup in archive.lookups)
    return ArchiveBadge(
        label="not archived", tone=Outcome.BROKEN, title=f"No successful capture in {names}"
    )


def drift_label(drift: Drift | None) -> str:
    """``"changed (score 0.83)"``: the drift verdict with its similarity score."""
    if drift is None:
        return ""
    return f"{drift.verdict.value} (score {drift.score:.2f})"


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of the article body and the claims covering all of it.

    ``key`` is the innermost key claim (drawn as a background), ``parts`` the
    other claims from the outermost to the innermost (drawn as stacked
    underlines); the innermost claim of all is :attr:`target`, the one a click
    on the segment opens.
    """

    text: str
    key: Claim | None = None
    parts: tuple[Claim, ...] = ()

    @property
    def target(self) -> Claim | None:
        return self.parts[-1] if self.parts else self.key


def _located(body: str, body_start: int, claim: Claim) -> tuple[int, int] | None:
    start, end = claim.start - body_start, claim.end - body_start
    if not 0 <= start < end <= len(body) or body[start:end] != claim.text:
        return None  # offsets from another text: better no highlight than a wrong one
    return start, end


def highlight_segments(body: str, body_start: int, claims: Sequence[Claim]) -> list[Segment]:
    """``body`` cut at every claim boundary into segments that together are ``body``.

    A claim is highlighted only where ``body[claim.start - body_start :
    claim.end - body_start]`` is exactly its text. Overlapping and nested
    claims are allowed: each segment lists every claim that covers it, longer
    (outer) claims before shorter (inner) ones.
    """
    spans = [(span, claim) for claim in claims if (span := _located(body, body_start, claim))]
    cuts = sorted({0, len(body), *(edge for span, _ in spans for edge in span)})
    segments = []
    for a, b in itertools.pairwise(cuts):
        covering = sorted(
            ((span, claim) for span, claim in spans if span[0] <= a and b <= span[1]),
            key=lambda item: (item[0][0] - item[0][1], item[0][0], item[1].id),
        )
        keys = [claim for _, claim in covering if claim.kind is ClaimKind.KEY_CLAIM]
        parts = tuple(claim for _, claim in covering if claim.kind is not ClaimKind.KEY_CLAIM)
        segments.append(Segment(text=body[a:b], key=keys[-1] if keys else None, parts=parts))
    return segments


def snippet_parts(evidence: Evidence, claim: Claim) -> tuple[str, str, str]:
    """The evidence snippet as ``(before, match, after)`` for a ``<mark>``.

    Uses the match offsets within the snippet when the report has them; else
    the claim's text found in the snippet ignoring case; else no match.
    """
    snippet = evidence.snippet
    start, end = evidence.snippet_start, evidence.snippet_end
    if start is None or end is None or not 0 <= start < end <= len(snippet):
        folded, needle = snippet.casefold(), claim.text.casefold()
        found = folded.find(needle)
        if found < 0 or len(folded) != len(snippet):  # "ß" → "ss" would shift the offsets
            return snippet, "", ""
        start, end = found, found + len(needle)
    return snippet[:start], snippet[start:end], snippet[end:]


def _article_segments(meta: ArticleMeta, claims: Sequence[Claim]) -> list[Segment] | None:
    if meta.body is None or meta.body_start is None or not claims:
        return None
    return highlight_segments(meta.body, meta.body_start, claims)


def _claim_groups(claims: Sequence[Claim]) -> list[tuple[ClaimKind, list[Claim]]]:
    return [
        (kind, group)
        for kind in CLAIM_KIND_ORDER
        if (group := [claim for claim in claims if claim.kind is kind])
    ]


def _verdict_class(verdict: Verdict | None) -> str:
    return f"verdict-{verdict.value}" if verdict is not None else "verdict-none"


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


# Reports are rendered in worker threads, and jinja2 compiles a template on a cache miss
# without a lock: the first articles of a run, finishing together, each compiled every
# template again (six times on the benchmark: a tenth of a links-only run's CPU at 2,000
# URLs). So the first render of each page template runs under this lock, which compiles it
# and what it loads at render time (``extends``, ``import``, ``include``) once; later
# renders find them all in the environment's cache and take no lock. A run whose reports
# are all reused renders only the index, and compiles only what the index needs.
_FIRST_RENDER_LOCK = threading.Lock()
_rendered_once: set[str] = set()


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("srccheck.report", "templates"),
        autoescape=True,  # every template, whatever its file name
        undefined=jinja2.StrictUndefined,  # a typo in a template fails the tests, not silently
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # templates ship with the package: no stat() per render
    )
    env.filters.update(
        http_href=http_href,
        relative_href=relative_href,
        duration=_duration,
        datetime=_datetime,
        archive_badge=archive_badge,
        drift_label=drift_label,
        verdict_class=_verdict_class,
        claim_counts=claim_counts,
    )
    env.globals.update(
        outcomes=list(Outcome),
        statuses=list(Status),
        verdicts=list(Verdict),
        verdict_tones=VERDICT_TONES,
        verdict_groups=list(VerdictGroup),
        verdict_group_members=VERDICT_GROUPS,
        snippet_parts=snippet_parts,
    )
    return env


class _TemplateCode(jinja2.FileSystemBytecodeCache):
    """jinja2's file cache of compiled templates, never able to fail a run: a file that
    cannot be read back (damaged, truncated) is compiled again, one that cannot be
    written (read-only folder, full disk) is left unwritten."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _code_key(env: jinja2.Environment) -> str:
    """What compiled code depends on besides a template's source: the versions and the
    environment's options (jinja2 keys its files by name and source checksum only)."""
    options = (
        __version__,
        jinja2.__version__,
        env.autoescape,
        env.trim_blocks,
        env.lstrip_blocks,
        env.keep_trailing_newline,
        env.newline_sequence,
        env.undefined.__name__,
        sorted(env.extensions),
        env.block_start_string,
        env.variable_start_string,
        env.comment_start_string,
    )
    return hashlib.sha256(repr(options).encode()).hexdigest()[:16]


def keep_compiled_templates(folder: Path) -> None:
    """Keep the templates' compiled code under ``folder`` from one run to the next.

    Compiling the article and index templates costs every run about 0.07 s of CPU
    (loaded from the folder: about 1 ms), which a re-run whose reports are all kept,
    or a CI run of one article, pays in full. jinja2's file cache keys each file by
    template name and source checksum and refuses code of another Python; the
    subfolder is named after srccheck's and jinja2's versions and the environment's
    options, which jinja2 does not check. Writes are atomic (a temporary file
    renamed), so runs sharing the folder never read a half-written file. A folder
    that cannot be created, read or written leaves the templates compiled in each
    run, as without it. Call before the first render.
    """
    env = _environment()
    code = folder / _code_key(env)
    try:
        code.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    env.bytecode_cache = _TemplateCode(str(code))


def _render(template: str, *, nonce: str | None, script: bool, **context: object) -> str:
    if template in _rendered_once:
        return _render_now(template, nonce=nonce, script=script, **context)
    with _FIRST_RENDER_LOCK:
        page = _render_now(template, nonce=nonce, script=script, **context)
        _rendered_once.add(template)
    return page


def _render_now(template: str, *, nonce: str | None, script: bool, **context: object) -> str:
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
        script=bool(report.sources or report.claims),
        report=report,
        article=report.article,
        segments=_article_segments(report.article, report.claims),
        has_archives=any(
            source.archive is not None and source.archive.lookups for source in report.sources
        ),
        claim_groups=_claim_groups(report.claims),
        claims_by_id={claim.id: claim for claim in report.claims},
        srccheck_version=report.srccheck_version,
    )


#: Above this many articles the index pages through them (a script) instead of one table.
INDEX_PAGE_ROWS = 200

#: Positions of the fields in a row of the index's data (see :func:`index_rows`).
INDEX_FIELDS: tuple[str, ...] = (
    "n", "title", "file", "date", "state", "error", "sources",
    "ok", "broken", "transient", "unverifiable", "html", "json", "archived", "asked",
    "supported", "partial", "contradicted", "not_found", "unverifiable_claims",
)  # fmt: skip


def index_rows(index: RunIndex) -> list[list[object]]:
    """One compact row per article (fields per :data:`INDEX_FIELDS`) for a large index."""
    rows: list[list[object]] = []
    for n, entry in enumerate(index.articles, start=1):
        s = entry.summary
        counts = s.by_outcome
        groups = claim_counts(s.claims_by_verdict)
        rows.append(
            [
                n,
                entry.title or "",
                entry.file,
                entry.date.isoformat() if entry.date else "",
                entry.state.value,
                entry.error.kind.value if entry.error else "",
                s.sources,
                *(counts.get(outcome, 0) for outcome in Outcome),
                relative_href(entry.report_html) or "",
                relative_href(entry.report_json) or "",
                s.archived,
                s.archived + s.not_archived + s.archive_errors,
                *(groups[group] for group in VerdictGroup),
            ]
        )
    return rows


def _json_island(value: object) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``<``, ``>`` or ``&``."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def render_index_html(index: RunIndex, *, nonce: str | None = None) -> str:
    """The HTML page of a run: totals and one row per article with links to its reports.

    A run of more than :data:`INDEX_PAGE_ROWS` articles gets the first page of
    them (worst first) as a table and every article as compact JSON data that
    a script sorts, filters (by outcome and claim verdict, title or file) and
    pages through, so the page stays small and quick to open at 10^5 articles.
    """
    articles = index.articles
    paged = len(articles) > INDEX_PAGE_ROWS
    numbered = list(enumerate(articles, start=1))
    if paged:
        worst = {id(entry): i for i, entry in enumerate(with_findings(articles))}
        numbered.sort(key=lambda item: worst.get(id(item[1]), len(worst) + item[0]))
        numbered = numbered[:INDEX_PAGE_ROWS]
    t = index.totals
    data = (
        {
            "fields": {name: i for i, name in enumerate(INDEX_FIELDS)},
            "page_rows": 100,
            "archives": (t.archived + t.not_archived + t.archive_errors) > 0,
            "claims": bool(t.claims_by_verdict),
            "rows": index_rows(index),
        }
        if paged
        else None
    )
    return _render(
        "index.html.j2",
        nonce=nonce,
        script=paged,
        index=index,
        errors=sum(1 for entry in articles if entry.error is not None),
        srccheck_version=index.srccheck_version,
        paged=paged,
        table_rows=numbered,
        index_data=_json_island(data) if data is not None else "",
    )


def write_article_html(report: ArticleReport, path: Path) -> None:
    """Render :func:`render_article_html` and write it to ``path`` atomically."""
    write_text_atomic(path, render_article_html(report))


def write_index_html(index: RunIndex, path: Path) -> None:
    """Render :func:`render_index_html` and write it to ``path`` atomically."""
    write_text_atomic(path, render_index_html(index))
