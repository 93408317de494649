"""Orchestrates the stages; the only module that knows their order.

    article files ─▶ articles ─▶ fetch ┬─▶ text ─▶ claims ─▶ report writers ─▶ RunIndex
                                archive ┘  (live page, or the archived copy)

Each article is read, parsed and checked by one of a bounded number of
article workers (a progress bar counts the sources beforehand, in one more
read of every article; quiet and non-terminal runs skip that). An article
whose report can be reused unchanged (srccheck.reuse) is not parsed at all.
Per source, the live check and the archive lookup run side by side; the
chosen snapshot is retrieved when the live page cannot be used for
claims (broken, blocked, paywalled) or when drift is wanted. The Fetcher
applies the global and per-host limits and fetches a URL cited by many
articles only once. A report is written as soon as its article is complete,
so memory does not grow with the number of articles.

On a Dask cluster (``--workers``, ``--scheduler``) the same per-article work
(:class:`ArticleRun`) runs as the last of three stages (srccheck.stages):
collect, check (each host by one worker), report.

When the run is cancelled (Ctrl-C, SIGTERM), every article not yet written is
written with state ``incomplete``: the sources already checked keep their
results, the others are reported ``skipped`` with the reason — no source is
ever missing from a report.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import signal
import tempfile
import threading
from collections import deque
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager, nullcontext, suppress
from dataclasses import dataclass, replace
from pathlib import Path

import cachetools
import cachetools.keys

from srccheck import __version__
from srccheck.archive.config import archive_hosts
from srccheck.archive.drift import compute_drift
from srccheck.archive.model import ArchiveReport
from srccheck.archive.service import ArchiveService
from srccheck.articles import find_articles, load_article
from srccheck.articles.lines import LineTable
from srccheck.articles.loader import read_capped
from srccheck.articles.model import Article, ArticleFailure
from srccheck.articles.urls import text_directives
from srccheck.claims import Claim, extract_claims, match_claims
from srccheck.claims.fragments import FragmentPage, check_text_fragments
from srccheck.claims.match import MIN_READ_WORDS, text_was_read
from srccheck.claims.numbers import guess_locale, text_language
from srccheck.errors import InputError, SrccheckError
from srccheck.fetch.cache import Cache, open_cache
from srccheck.fetch.client import Fetcher
from srccheck.fetch.model import FetchOutcome, Page, URLChecker
from srccheck.fetch.transport import loop_factory
from srccheck.models import (
    ArticleError,
    ArticleMeta,
    ArticleReport,
    HostStats,
    IndexEntry,
    LinkCheck,
    ReportState,
    RunIndex,
    SourceEntry,
    SourceReport,
    Summary,
    TextFragmentCheck,
)
from srccheck.options import apply_remaps
from srccheck.report.console import NullProgress, ProgressSink
from srccheck.report.html import write_article_html, write_index_html
from srccheck.report.json import write_json
from srccheck.report.paths import report_paths
from srccheck.reuse import ReportStore, collecting, report_store
from srccheck.settings import Settings
from srccheck.status import Status
from srccheck.store import Store
from srccheck.text import PageText, extract_page_text, plain_page_text, visible_page_text

__all__ = [
    "CLAIM_TEXT_CHARS",
    "ArticleRun",
    "Interrupted",
    "SourceResult",
    "accepted",
    "build_report",
    "check_source",
    "checked_url",
    "excluded_by",
    "fetch_settings",
    "index_entry",
    "other_languages",
    "page_text",
    "run",
    "run_sync",
    "settled_check",
    "text_unread",
    "unread_sources",
    "write_index",
]

LIVE, ARCHIVED = "live", "archived"

#: Characters of a page's text that claims are matched against (see page_text).
CLAIM_TEXT_CHARS = 500_000

#: Characters of pages (their HTML and the text read from it) whose text
#: :func:`page_text` keeps for the next article citing the same page: some 8–16 MB
#: (one or two bytes per character), about thirty pages of 100 KB of HTML.
PAGE_TEXT_CACHE_CHARS = 8_000_000


class Interrupted(Exception):
    """The run was stopped by a signal; reports written so far are valid."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@dataclass(frozen=True, slots=True)
class SourceResult:
    """Everything the stages found for one source, before it becomes a report."""

    check: LinkCheck
    archive: ArchiveReport | None = None
    texts: tuple[tuple[str, PageText], ...] = ()  # (live|archived, text) for claims
    fragments: tuple[TextFragmentCheck, ...] = ()  # its text directives, looked for
    checked_url: str | None = None  # the URL checked instead of the cited one (--remap)
    https_twin: str | None = None  # the working https:// URL of an http:// source
    # Why no text of this source (live or archived) could be read for claims; None when
    # some was, or claims were not checked. Claims are then unverifiable for this source.
    text_unread: str | None = None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def excluded_by(url: str, settings: Settings) -> str | None:
    """The first ``--exclude`` pattern that matches ``url`` (``re.search``), if any."""
    for pattern in settings.exclude:
        if pattern.search(url):
            return pattern.pattern
    return None


def settled_check(entry: SourceEntry, settings: Settings) -> LinkCheck | None:
    """The check of an entry that needs no request (invalid, or excluded), else None."""
    if entry.url is None:
        return LinkCheck(
            status=Status.INVALID,
            reason=entry.invalid_reason or "not a checkable http(s) URL",
            checked_at=_now(),
        )
    pattern = excluded_by(entry.url, settings)
    if pattern is not None:
        return LinkCheck(
            status=Status.SKIPPED,
            reason=f"excluded by --exclude {pattern!r}",
            checked_at=_now(),
        )
    return None


async def check_source(
    entry: SourceEntry, fetcher: URLChecker, settings: Settings
) -> FetchOutcome:
    """Check one source entry: invalid and excluded entries are results, not requests."""
    settled = settled_check(entry, settings)
    if settled is not None:
        return FetchOutcome(settled)
    assert entry.url is not None  # settled_check answers every entry without one
    outcome = await fetcher.check(checked_url(entry.url, settings))
    return FetchOutcome(accepted(outcome.check, settings), outcome.page)


def checked_url(url: str, settings: Settings) -> str:
    """The URL to check for a cited ``url``: rewritten by the first matching ``--remap``."""
    return apply_remaps(url, settings.remap)


def accepted(check: LinkCheck, settings: Settings) -> LinkCheck:
    """``check`` as ``ok`` when its final HTTP status is one ``--accept`` names.

    Applied after the fetch (and its cache), so a run without ``--accept`` never
    sees another run's choice.
    """
    code = check.http_status
    if code is None or check.status.is_success or code not in settings.accept:
        return check
    reason = f"HTTP {code} accepted by --accept {settings.accept.spec} ({check.reason})"
    return check.model_copy(update={"status": Status.OK, "reason": reason})


async def https_twin(entry: SourceEntry, fetcher: URLChecker, check: LinkCheck) -> str | None:
    """For ``--require-https``: the ``https://`` URL of an ``http://`` source, when it works."""
    if entry.url is None or not entry.url.startswith("http://") or check.status in _NOT_FETCHED:
        return None
    twin = "https://" + entry.url.removeprefix("http://")
    outcome = await fetcher.check(twin)
    return twin if outcome.check.status.is_success else None


def page_text(page: Page | None) -> PageText | None:
    """The text of a retrieved page for claim matching, or None (binary, empty).

    Texts are cut at :data:`CLAIM_TEXT_CHARS`: the claim index costs memory in
    proportion to the text (a 5 MB page of text peaked near 700 MB), and a
    news article's text is far shorter; offsets into the kept prefix stay valid.
    A page cited by several articles is read once while its text stays among
    the last :data:`PAGE_TEXT_CACHE_CHARS` characters read (the same page: the
    same body, URL and content type). The text is read-only to callers.
    """
    if page is None or not page.text:
        return None
    return _read_page_text(page)[0]


def _page_key(page: Page) -> tuple[object, ...]:
    return cachetools.keys.hashkey(page.text, page.url, page.content_type)


def _chars(entry: tuple[PageText, int]) -> int:
    return entry[1]


@cachetools.cached(
    cachetools.LRUCache(PAGE_TEXT_CACHE_CHARS, getsizeof=_chars),
    key=_page_key,
    lock=threading.Lock(),
)
def _read_page_text(page: Page) -> tuple[PageText, int]:
    """:func:`page_text`'s work, and the characters it keeps in the cache."""
    assert page.text
    if page.content_type in (None, "text/html", "application/xhtml+xml"):
        text = extract_page_text(page.text, page.url)
    else:
        text = plain_page_text(page.text, page.url)
    if len(text.main_text) > CLAIM_TEXT_CHARS or len(text.full_text) > CLAIM_TEXT_CHARS:
        text = replace(
            text,
            main_text=text.main_text[:CLAIM_TEXT_CHARS],
            full_text=text.full_text[:CLAIM_TEXT_CHARS],
        )
    return text, len(page.text) + len(text.main_text) + len(text.full_text)


def cited_fragments(entry: SourceEntry) -> list[str]:
    """Every fragment ``entry`` is cited with (usually one, or none)."""
    return list(entry.fragments) or ([entry.fragment] if entry.fragment else [])


def fragment_page(origin: str, page: Page | None) -> FragmentPage | None:
    """What a reader sees of ``page``, for text fragments; None without page text.

    Cut at :data:`CLAIM_TEXT_CHARS`, like claim texts (then marked incomplete).
    """
    if page is None or not page.text:
        return None
    html = page.content_type in (None, "text/html", "application/xhtml+xml")
    text = visible_page_text(page.text) if html else page.text
    cut = len(text) > CLAIM_TEXT_CHARS
    return FragmentPage(
        origin, text[:CLAIM_TEXT_CHARS] if cut else text, complete=not (cut or page.truncated)
    )


def _unreadable_reason(check: LinkCheck, text: PageText | None) -> str:
    if check.paywalled or (text is not None and text.paywalled):
        return "the page is paywalled: its text could not be read"
    if check.status.is_success and not _answered_2xx(check):
        code = check.http_status
        return f"the page answered HTTP {code} (accepted by --accept): its text is not evidence"
    if check.status.is_success:
        return "the page has no readable text (binary or empty)"
    return f"the page could not be retrieved ({check.status.value})"


def _answered_2xx(check: LinkCheck) -> bool:
    return check.http_status is None or 200 <= check.http_status < 300


def text_unread(
    live: FetchOutcome, live_text: PageText | None, texts: Sequence[tuple[str, PageText]]
) -> str | None:
    """Why none of a source's texts can be checked against, or ``None`` when one can.

    A text counts when it was really read (:func:`srccheck.claims.match.text_was_read`:
    not a paywall teaser, at least ``MIN_READ_WORDS`` words); otherwise the reason is
    the live answer's (:attr:`FetchOutcome.text_unread`: its status, a wall, an
    unreadable document), a paywall, or too little text.
    """
    if any(text_was_read(text) for _, text in texts):
        return None
    if live_text is not None and live_text.paywalled:
        return "paywalled: only the free part of the page could be read"
    return live.text_unread or (
        f"no text: fewer than {MIN_READ_WORDS} words could be read from the page"
    )


def _usable(check: LinkCheck) -> bool:
    # A code --accept counts as ok (a 403, say) is a working link, not the cited text.
    return check.status.is_success and not check.paywalled and _answered_2xx(check)


#: Statuses reached without a request: such URLs are not looked up in archives either.
_NOT_FETCHED = frozenset({Status.INVALID, Status.SKIPPED, Status.BLOCKED_BY_POLICY})

_NOT_CHECKED = LinkCheck(
    status=Status.SKIPPED, reason="not checked: the run was interrupted before this source"
)


def _meta(path: Path, article: Article | ArticleFailure, *, body: bool = False) -> ArticleMeta:
    """The report's article header; the body text only when claims point into it."""
    if isinstance(article, ArticleFailure):
        return ArticleMeta(file=str(path), encoding=article.encoding)
    return ArticleMeta(
        file=str(path),
        format=article.format,
        encoding=article.encoding,
        date=article.date,
        title=article.title,
        body_chars=len(article.body),
        body=article.body if body else None,
        body_start=max(article.body_start, 0) if body else None,
    )


def article_claims(
    article: Article,
    results: Sequence[SourceResult | None],
    other_language: Collection[int] = (),
) -> list[Claim]:
    """Extract the article's claims and match them against every retrieved page text.

    ``other_language``: the sources read only in another language than the
    article's (:func:`other_languages`).

    Claims are located by line and column in the article file when the body is
    a slice of it (seed, Markdown, text); HTML bodies are extracted text, so
    their claims carry offsets into the body only.
    """
    lang = guess_locale(article.body).value
    start = max(article.body_start, 0)
    claims = extract_claims(article.body, body_start=start, lang=lang)
    pages = [
        (source_id, origin, text)
        for source_id, result in enumerate(results)
        if result is not None
        for origin, text in result.texts
    ]
    claims = match_claims(
        claims,
        pages,
        unread=unread_sources(results),
        other_language=other_language,
    )
    if article.body_start < 0:
        return claims
    lines = LineTable(article.text)
    located = []
    for claim in claims:
        line, column = lines.locate(claim.start)
        located.append(claim.model_copy(update={"line": line, "column": column}))
    return located


def unread_sources(results: Sequence[SourceResult | None]) -> list[int]:
    """Ids of the sources whose text was not read (:func:`text_unread`; claims missing
    elsewhere stay unverifiable while there is one)."""
    return [i for i, result in enumerate(results) if result is None or result.text_unread]


def other_languages(article: Article, results: Sequence[SourceResult | None]) -> dict[int, str]:
    """Sources whose text was read only in another language than the article's:
    id → that language (:func:`srccheck.claims.numbers.text_language`).

    A claim missing from such a source is no evidence the source does not say
    it — the article may quote it in translation — so claims found nowhere stay
    unverifiable while there is one. Empty when the article's language cannot be
    told, and a source whose language cannot be told is not counted.
    """
    mine = text_language(article.body)
    if mine is None:
        return {}
    out: dict[int, str] = {}
    for i, result in enumerate(results):
        if result is None or result.text_unread:
            continue
        languages = {
            text_language(text.full_text or text.main_text, text.lang)
            for _, text in result.texts
            if text_was_read(text)
        }
        if languages and mine not in languages and None not in languages:
            out[i] = min(lang for lang in languages if lang is not None)
    return out


def build_report(
    path: Path,
    article: Article | ArticleFailure,
    results: Sequence[SourceResult | None] = (),
    claims: Sequence[Claim] = (),
    *,
    state: ReportState = ReportState.COMPLETE,
    other_language: Mapping[int, str] | None = None,
) -> ArticleReport:
    """Assemble the article report from the stages' results (pure).

    A ``None`` result (the run was interrupted first) becomes a ``skipped``
    source, so every source of the article appears in the report.
    ``other_language``: source id → the other language it was read in
    (:func:`other_languages`, as the claims were matched with).
    """
    if isinstance(article, ArticleFailure):
        return ArticleReport(
            srccheck_version=__version__,
            generated_at=_now(),
            state=ReportState.ERROR,
            article=_meta(path, article),
            error=article.error,
            summary=Summary.of([]),
        )
    if not results:
        results = [None] * len(article.sources)
    languages = other_language or {}
    sources = [
        SourceReport(
            id=i,
            source=entry,
            check=result.check if result else _NOT_CHECKED,
            archive=result.archive if result else None,
            text_fragments=list(result.fragments) if result else [],
            checked_url=result.checked_url if result else None,
            https_twin=result.https_twin if result else None,
            text_unread=result.text_unread if result else None,
            other_language=languages.get(i),
        )
        for i, (entry, result) in enumerate(zip(article.sources, results, strict=True))
    ]
    return ArticleReport(
        srccheck_version=__version__,
        generated_at=_now(),
        state=state,
        article=_meta(path, article, body=bool(claims)),
        sources=sources,
        claims=list(claims),
        summary=Summary.of(sources, list(claims)),
    )


class ArticleRun:
    """State of one run: settings, the shared fetcher and archive service, the sink.

    Also the report stage's per-article work on a cluster (srccheck.stages.report),
    with a fetcher that answers from the check stage's results."""

    def __init__(
        self,
        settings: Settings,
        fetcher: URLChecker,
        archives: ArchiveService | None,
        sink: ProgressSink,
        out: dict[Path, Path],
        store: ReportStore | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.fetcher = fetcher
        self.archives = archives
        self.sink = sink
        self.out = out
        self.entries: dict[Path, IndexEntry] = {}
        # Results of articles in progress, so an interruption can write what is known.
        self.partial: dict[Path, tuple[Article, list[SourceResult | None]]] = {}
        self.writing: dict[Path, tuple[asyncio.Future[None], ArticleReport]] = {}

    async def check_one(self, article: Article, entry: SourceEntry) -> SourceResult:
        live = await check_source(entry, self.fetcher, self.settings)
        # Archives are asked only about URLs that were really fetched: never tell a third
        # party about an invalid, excluded or policy-refused (internal) address.
        archive = None
        fetched = entry.url is not None and live.check.status not in _NOT_FETCHED
        if self.archives is not None and fetched and entry.url is not None:
            archive = await self.archives.lookup(entry.url, article.date)
        # Page text is only extracted for a consumer: claims, or drift against a snapshot.
        chosen = archive.chosen if archive is not None else None
        # A text fragment cites a passage, like a quote: checked with the claims.
        checking = self.settings.claims and self.settings.text_fragments
        fragments = cited_fragments(entry) if checking else []
        directives = any(text_directives(fragment) for fragment in fragments)
        wants_text = (
            self.settings.claims or directives or (chosen is not None and self.settings.drift)
        )
        texts: list[tuple[str, PageText]] = []
        live_text = page_text(live.page) if wants_text and _usable(live.check) else None
        if live_text is not None and not live_text.paywalled:
            texts.append((LIVE, live_text))
        live_unusable = live_text is None or live_text.paywalled
        # The snapshot is fetched for drift (needs the live text too) or to stand in
        # for an unusable live page when claims are checked.
        retrieve = (self.settings.drift and live_text is not None) or (
            live_unusable and (self.settings.claims or directives)
        )
        readable: list[FragmentPage | None] = []
        if directives and not live_unusable:
            readable.append(fragment_page(LIVE, live.page))
        if self.archives is not None and archive is not None and chosen is not None and retrieve:
            snapshot = await self.archives.retrieve(chosen)
            if directives and snapshot.check.status.is_success:
                readable.append(fragment_page(ARCHIVED, snapshot.page))
            archived_text = page_text(snapshot.page) if snapshot.check.status.is_success else None
            if archived_text is not None:
                texts.append((ARCHIVED, archived_text))
                if live_text is not None:
                    archive = archive.with_drift(
                        compute_drift(live_text.main_text, archived_text.main_text)
                    )
        checks = check_text_fragments(
            fragments,
            [page for page in readable if page is not None],
            no_text_reason=_unreadable_reason(live.check, live_text),
        )
        unread = text_unread(live, live_text, texts) if self.settings.claims else None
        remapped = checked_url(entry.url, self.settings) if entry.url is not None else None
        twin = None
        if self.settings.require_https:
            twin = await https_twin(entry, self.fetcher, live.check)
        return SourceResult(
            check=live.check,
            archive=archive,
            texts=tuple(texts),
            fragments=tuple(checks),
            checked_url=remapped if remapped != entry.url else None,
            https_twin=twin,
            text_unread=unread,
        )

    async def check_article(self, path: Path) -> None:
        # Read here, not kept from a counting pass: memory stays flat in the number
        # of articles. With a report store, an unchanged article's report is reused.
        # On the loop, like the parse below: a file read and a few indexed SQLite reads
        # (WAL: never blocked by writers). Through a thread, the hop and the threads'
        # contention cost a warm run of 1,000 articles 1.72 s instead of 1.37 s.
        data, digest, reused = self.read_or_reuse(path)
        if reused is not None:
            for item in reused.sources:
                self.sink.advance(item.source.url or item.source.raw, item.check)
            self.finish_article(path, reused, written=True, reused=True)
            return
        article = load_article(path, self.settings, data=data)
        claims: list[Claim] = []
        results: list[SourceResult | None] = []
        languages: dict[int, str] = {}
        with collecting() as dependencies:
            if isinstance(article, Article):
                results = [None] * len(article.sources)
                self.partial[path] = (article, results)

                async def one(i: int, entry: SourceEntry) -> None:
                    result = await self.check_one(article, entry)
                    results[i] = result
                    self.sink.advance(entry.url or entry.raw, result.check)

                await asyncio.gather(*(one(i, e) for i, e in enumerate(article.sources)))
                if self.settings.claims:
                    languages = other_languages(article, results)
                    claims = article_claims(article, results, languages)
        report = build_report(path, article, results, claims, other_language=languages)

        def write() -> None:
            self.write(path, report)
            if self.store is not None and digest is not None:
                stem = self.out[path]
                self.store.remember(path, stem, self.files(stem), digest, dependencies, report)

        # Rendering and writing are CPU and disk work: off the event loop, so the
        # fetches of other articles keep going meanwhile. Shielded: an interruption
        # lets a started write finish (see finish_writes) instead of racing it.
        writing = asyncio.ensure_future(asyncio.to_thread(write))
        self.writing[path] = (writing, report)
        await asyncio.shield(writing)
        del self.writing[path]
        self.finish_article(path, report, written=True)

    def read_or_reuse(
        self, path: Path
    ) -> tuple[bytes | ArticleError | None, str | None, ArticleReport | None]:
        """The article's bytes and their SHA-256, and its reusable report if there is one.

        Without a report store the file is left to :func:`load_article` to read.
        """
        if self.store is None:
            return None, None, None
        data = read_capped(path, self.settings.max_article_bytes)
        if isinstance(data, ArticleError):
            return data, None, None
        digest = hashlib.sha256(data).hexdigest()
        stem = self.out[path]
        return data, digest, self.store.reusable(path, stem, self.files(stem), digest)

    def files(self, stem: Path) -> list[Path]:
        """The per-article report files the settings ask for."""
        return [
            stem.with_suffix(f".{kind}")
            for kind in ("json", "html")
            if kind in self.settings.formats
        ]

    async def finish_writes(self) -> None:
        """After an interruption: let started report writes end; count those that succeeded."""
        for path, (writing, report) in list(self.writing.items()):
            try:
                await writing
            except (OSError, SrccheckError):
                continue  # not written: write_incomplete tries again
            self.finish_article(path, report, written=True)
        self.writing.clear()

    def finish_article(
        self, path: Path, report: ArticleReport, *, written: bool = False, reused: bool = False
    ) -> None:
        if not written:
            self.write(path, report)
        self.partial.pop(path, None)
        self.entries[path] = self.entry(path, report, reused=reused)
        self.sink.article_done(report)

    def write(self, path: Path, report: ArticleReport) -> None:
        stem = self.out[path]
        try:
            if "json" in self.settings.formats:
                write_json(report, stem.with_suffix(".json"))
            if "html" in self.settings.formats:
                write_article_html(report, stem.with_suffix(".html"))
        except OSError as exc:
            raise InputError(f"cannot write the report of {path} to {stem}.*: {exc}") from exc

    def entry(self, path: Path, report: ArticleReport, *, reused: bool = False) -> IndexEntry:
        return index_entry(path, self.out[path], report, self.settings, reused=reused)

    def write_incomplete(self, files: Sequence[Path]) -> None:
        """After an interruption: every article without a report gets an incomplete one.

        Sources already checked keep their results; the others are ``skipped``.
        A report that cannot be written (the failure that stopped the run, say)
        is left out rather than hiding the original error.
        """
        for path in files:
            if path in self.entries:
                continue
            article, results = self.partial.get(path) or (load_article(path, self.settings), [])
            report = build_report(path, article, results, state=ReportState.INCOMPLETE)
            with suppress(InputError):
                self.finish_article(path, report)

    def index(
        self,
        files: Sequence[Path],
        started: dt.datetime,
        state: ReportState,
        host_stats: list[HostStats] | None = None,
    ) -> RunIndex:
        ordered = [self.entries[path] for path in files if path in self.entries]
        index = RunIndex(
            srccheck_version=__version__,
            started_at=started,
            finished_at=_now(),
            state=state,
            articles=ordered,
            totals=sum((e.summary for e in ordered), Summary.of([])),
            host_stats=host_stats,
        )
        write_index(index, self.settings)
        return index


def index_entry(
    path: Path, stem: Path, report: ArticleReport, settings: Settings, *, reused: bool = False
) -> IndexEntry:
    """The run index's entry for ``report`` of ``path``, written under ``stem``."""
    return IndexEntry(
        file=str(path),
        report_json=stem.with_suffix(".json").name if "json" in settings.formats else None,
        report_html=stem.with_suffix(".html").name if "html" in settings.formats else None,
        title=report.article.title,
        date=report.article.date,
        state=report.state,
        error=report.error,
        summary=report.summary,
        reused=reused,
    )


def write_index(index: RunIndex, settings: Settings) -> None:
    """Write the run index in the formats the settings ask for (json, html)."""
    try:
        if "json" in settings.formats:
            write_json(index, settings.output / "index.json")
        if "html" in settings.formats:
            write_index_html(index, settings.output / "index.html")
    except OSError as exc:
        where = settings.output
        raise InputError(f"cannot write the run index to {where}: {exc}") from exc


def fetch_settings(settings: Settings) -> Settings:
    """The fetcher trusts the hosts of configured archives (a local pywb on 127.0.0.1)."""
    if not settings.archive_enabled:
        return settings
    trusted = archive_hosts(settings) - set(settings.allow_hosts)
    return settings.with_changes(allow_hosts=(*settings.allow_hosts, *sorted(trusted)))


async def run(
    paths: Sequence[Path],
    settings: Settings,
    sink: ProgressSink | None = None,
    *,
    fetcher: Fetcher | None = None,
) -> RunIndex:
    """Verify every article under ``paths`` and write its reports.

    Reports are written and handed to ``sink.article_done`` as each article
    completes; only the small index entries are kept for the run index.

    Raises :class:`srccheck.errors.InputError` when a path does not exist;
    everything that goes wrong with one article or one source is a value in
    its report. When cancelled, unfinished articles are written as
    ``incomplete`` and the index says so before the cancellation propagates.
    """
    sink = sink or NullProgress()
    started = _now()
    files = find_articles(paths)
    try:
        settings.output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output folder {settings.output}: {exc}") from exc
    out = report_paths(files, settings.output)
    sink.start(lambda: sum(_source_count(load_article(path, settings)) for path in files))

    with _run_cache(settings) as cache:
        # Page texts are read by claims (text fragments too), and by drift when archives
        # are asked.
        keep_pages = settings.claims or (settings.archive_enabled and settings.drift)
        own = (
            Fetcher(fetch_settings(settings), cache=cache, keep_pages=keep_pages)
            if fetcher is None
            else None
        )
        async with own if own is not None else nullcontext(fetcher) as active:
            assert active is not None
            archives = (
                ArchiveService(settings, active.client, active.check, cache=cache)
                if settings.archive_enabled and settings.archives
                else None
            )
            # Reports are reused only from the persistent cache (not --no-cache's temporary one).
            store = report_store(cache, settings)
            return await _check_all(settings, sink, files, started, active, archives, out, store)


async def _check_all(
    settings: Settings,
    sink: ProgressSink,
    files: Sequence[Path],
    started: dt.datetime,
    active: URLChecker,
    archives: ArchiveService | None,
    out: dict[Path, Path],
    store: ReportStore | None = None,
) -> RunIndex:
    """Check every article with a bounded pool of article workers; write as they finish.

    When the run stops early — cancelled by a signal, or an article's report
    cannot be written — the other workers are stopped, every article without
    a report is written as ``incomplete``, the index says so, and the original
    exception propagates.
    """
    state = ArticleRun(settings, active, archives, sink, out, store)
    queue = deque(files)

    async def worker() -> None:
        while queue:
            await state.check_article(queue.popleft())

    # Enough article workers to keep the fetcher's global limit busy.
    count = max(1, min(len(files), settings.concurrency))
    workers = [asyncio.ensure_future(worker()) for _ in range(count)]
    try:
        await asyncio.gather(*workers)
    except (asyncio.CancelledError, Exception):
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        await state.finish_writes()
        state.write_incomplete(files)
        with suppress(InputError):
            sink.finish(state.index(files, started, ReportState.INCOMPLETE))
        raise

    stats = await active.host_stats() if settings.host_stats else None
    index = state.index(files, started, ReportState.COMPLETE, stats)
    sink.finish(index)
    return index


def _source_count(article: Article | ArticleFailure) -> int:
    return len(article.sources) if isinstance(article, Article) else 0


@contextmanager
def _run_cache(settings: Settings) -> Iterator[Store]:
    """The persistent store (``--store`` or the SQLite cache); with ``--no-cache`` a
    temporary SQLite file for this run only.

    Even without persistence the run needs somewhere to keep page texts: the
    Fetcher keeps a bounded number in memory and reads older ones back from the
    cache when another article cites the same URL.
    """
    if settings.use_cache:
        store = open_cache(settings)
        assert store is not None
        with closing(store):
            yield store
        return
    with tempfile.TemporaryDirectory(prefix="srccheck-run-") as folder:
        run_cache = Cache(Path(folder) / "run.sqlite3", max_bytes=settings.cache_max_bytes)
        with closing(run_cache) as cache:
            yield cache


def run_sync(
    paths: Sequence[Path], settings: Settings, sink: ProgressSink | None = None
) -> RunIndex:
    """Blocking wrapper around :func:`run` for the CLI and scripts.

    SIGINT and SIGTERM cancel the run; the reports finished so far stay valid,
    unfinished ones are written as ``incomplete``, and :class:`Interrupted`
    carries the signal number (the CLI exits 128 + signal).
    """
    received: list[int] = []

    async def main() -> RunIndex:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None
        for signum in (signal.SIGINT, signal.SIGTERM):
            with suppress(NotImplementedError, RuntimeError, ValueError):  # not the main thread
                loop.add_signal_handler(signum, _cancel, task, signum, received)
        try:
            return await run(paths, settings, sink)
        finally:
            for signum in (signal.SIGINT, signal.SIGTERM):
                with suppress(NotImplementedError, RuntimeError, ValueError):
                    loop.remove_signal_handler(signum)

    try:
        with asyncio.Runner(loop_factory=loop_factory(settings.loop)) as runner:
            return runner.run(main())
    except asyncio.CancelledError:
        if not received:
            raise
        raise Interrupted(received[0]) from None


def _cancel(task: asyncio.Task[RunIndex], signum: int, received: list[int]) -> None:
    """First signal: cancel the run so it writes incomplete reports. The handlers are
    then removed, so a second Ctrl-C or SIGTERM stops srccheck at once."""
    received.append(signum)
    task.cancel()
    loop = asyncio.get_running_loop()
    for other in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError, RuntimeError, ValueError):
            loop.remove_signal_handler(other)
