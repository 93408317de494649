"""Reusing an article's report when nothing it was built from has changed.

A re-run over an archive of articles mostly finds what the last run found:
the same article files, and every source's result still fresh in the cache.
Building, rendering and writing those reports again costs most of such a run
(measured in bench/README.md). So after writing a complete report, the run
remembers in the cache (kind ``report``, keyed by the report's output path):

* the SHA-256 of the article file's bytes that were parsed,
* the srccheck version and a fingerprint of the settings that shape a report,
* every cache entry the report was built from (``dependencies``: link checks
  — page texts included — archive lookups, robots.txt files), each with the
  ``stored_at`` it had when the article used it, and
* the size and modification time of each report file written,

with the report itself. A later run reuses the report — no parsing, no
rendering, no writing — only when every one of these still holds: same bytes,
same version and settings, every dependency still in the cache, fresh, and
stored exactly as when it was used (a run sharing the cache may have stored a
newer answer meanwhile), and the report files untouched. A cache that is busy
or damaged makes a report be built anew; it never fails the run.
Anything else (a changed or new article, an expired or re-fetched source, a
result that is never cached such as a timeout or a DNS failure, an edited or
deleted report file, ``--no-reuse``, ``--no-cache``) builds the report anew; a report
built under ``--no-reuse`` is remembered like any other.

Dependencies are collected per article with a :class:`contextvars.ContextVar`:
the stages call :func:`depends_on` when they hand a result to a caller (the
Fetcher's ``check``, the archive service's ``lookup``, the fetch workers'
answers), which runs in the calling article's context even when the work was
shared with other articles.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import hashlib
import json
import os
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from srccheck import __version__
from srccheck.models import ArticleReport, ReportState
from srccheck.settings import Settings
from srccheck.store import STORE_ERRORS, Store

__all__ = [
    "REPORT_KIND",
    "Dependencies",
    "ReportStore",
    "collecting",
    "depends_on",
    "report_store",
    "settings_fingerprint",
]

REPORT_KIND = "report"

#: Settings that cannot change a report built from the same article and cache entries:
#: where reports go, how fast and how politely fetching runs, how long entries stay fresh
#: (freshness is checked entry by entry), what fails the run, and credentials.
_NOT_SHAPING_REPORTS = frozenset(
    {
        "output",
        "fail_on",
        "concurrency",
        "loop",
        "per_host",
        "host_interval",
        "connect_timeout",
        "read_timeout",
        "timeout",
        "retries",
        "backoff_initial",
        "backoff_max",
        "retry_after_cap",
        "use_cache",
        "cache_dir",
        "store",
        "cache_max_bytes",
        "cache_ttl_live",
        "cache_ttl_failure",
        "cache_ttl_archive",
        "reuse_reports",
        "ia_access_key",
        "ia_secret_key",
    }
)


@dataclass(slots=True)
class Dependencies:
    """The cache entries one article's report was built from: (kind, key) -> the
    entry's ``stored_at`` when it was used (None: not cached, or used in two versions)."""

    entries: dict[tuple[str, str], float | None] = field(default_factory=dict)

    def add(self, kind: str, key: str, stamp: float | None) -> None:
        known = self.entries.get((kind, key), stamp)
        self.entries[kind, key] = stamp if known == stamp else None


_collecting: contextvars.ContextVar[Dependencies | None] = contextvars.ContextVar(
    "srccheck_report_dependencies", default=None
)


def depends_on(kind: str, key: str, stamp: float | None) -> None:
    """Note that the current article's report uses cache entry ``(kind, key)`` as it was
    stored at ``stamp`` (its ``stored_at``; None when the result was not cached)."""
    deps = _collecting.get()
    if deps is not None:
        deps.add(kind, key, stamp)


@contextmanager
def collecting() -> Iterator[Dependencies]:
    """Collect :func:`depends_on` calls made in this context and the tasks it starts."""
    deps = Dependencies()
    token = _collecting.set(deps)
    try:
        yield deps
    finally:
        _collecting.reset(token)


def settings_fingerprint(settings: Settings) -> str:
    """A digest of every setting that can change what a report says."""
    shaping = [
        (f.name, repr(getattr(settings, f.name)))
        for f in dataclasses.fields(settings)
        if f.name not in _NOT_SHAPING_REPORTS
    ]
    return hashlib.sha256(repr(shaping).encode("utf-8")).hexdigest()


def _file_state(path: Path) -> list[int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


def report_store(cache: Store, settings: Settings) -> ReportStore | None:
    """The run's report store: on the persistent cache only (never on ``--no-cache``'s
    temporary one). Under ``--no-reuse`` it hands back nothing but still remembers what
    the run writes, so the run after it can keep those reports."""
    if not settings.use_cache:
        return None
    return ReportStore(cache, settings, reuse=settings.reuse_reports)


class ReportStore:
    """Remembers written reports in ``cache`` and hands them back while still valid.

    Both methods block on file and cache access (short, local reads and one write); a
    broken or busy cache makes them miss and skip, never fail the run: reuse only
    saves work. With ``reuse=False`` (``--no-reuse``) :meth:`reusable` always misses.
    """

    def __init__(self, cache: Store, settings: Settings, *, reuse: bool = True) -> None:
        self._cache = cache
        self._reuse = reuse
        self._fingerprint = settings_fingerprint(settings)
        # Kept long enough to outlive its dependencies, which decide validity.
        self._ttl = max(
            settings.cache_ttl_live, settings.cache_ttl_failure, settings.cache_ttl_archive
        )

    def reusable(
        self, article: Path, stem: Path, outputs: Iterable[Path], digest: str
    ) -> ArticleReport | None:
        """The remembered report of ``article`` (bytes hashing to ``digest``), written
        to ``outputs`` under ``stem``, if nothing it was built from changed; else None."""
        if not self._reuse:
            return None
        outputs = list(outputs)
        try:
            entry = self._cache.get(REPORT_KIND, _key(stem))
            if entry is None or entry.compressed_body is None:
                return None
            record = json.loads(entry.value)
            if (
                record["version"] != __version__
                or record["settings"] != self._fingerprint
                or record["article"] != str(article)
                or record["sha256"] != digest
                or record["outputs"] != {str(p): _file_state(p) for p in outputs}
            ):
                return None
            stamps = {(kind, key): stamp for kind, key, stamp in record["dependencies"]}
            if not self._cache.unchanged_since(stamps):
                return None
            return ArticleReport.model_validate_json(entry.body)  # type: ignore[arg-type]
        except (ValueError, KeyError, TypeError, zlib.error, *STORE_ERRORS):
            # Another srccheck version's record, a damaged entry, a busy or broken cache.
            return None

    def remember(
        self,
        article: Path,
        stem: Path,
        outputs: Iterable[Path],
        digest: str,
        dependencies: Dependencies,
        report: ArticleReport,
    ) -> None:
        """Record ``report`` as written to ``outputs`` (call right after writing them)."""
        if report.state is ReportState.INCOMPLETE:
            return
        if any(stamp is None for stamp in dependencies.entries.values()):
            return  # built from a result that is not cached: never reusable
        outputs = list(outputs)
        states = {str(p): _file_state(p) for p in outputs}
        if any(state is None for state in states.values()):
            return
        record = {
            "version": __version__,
            "settings": self._fingerprint,
            "article": str(article),
            "sha256": digest,
            "outputs": states,
            "dependencies": [[*key, stamp] for key, stamp in sorted(dependencies.entries.items())],
        }
        with contextlib.suppress(*STORE_ERRORS):  # a busy or full store: simply not reused
            self._cache.put(
                REPORT_KIND,
                _key(stem),
                json.dumps(record, ensure_ascii=False),
                self._ttl,
                body=report.model_dump_json(),
            )


def _key(stem: Path) -> str:
    """The report's output path without suffix: one per article and output folder.

    Made absolute without resolving links (no system calls); a folder reached
    through another link is another key, which only costs a rebuild."""
    return os.path.abspath(stem)
