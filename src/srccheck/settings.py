"""One frozen :class:`Settings` object, built once and passed down.

Precedence: defaults (here) < config file < command line. No other module
reads the environment or globals for configuration.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

from srccheck import __version__
from srccheck.archive.config import DEFAULT_ARCHIVES, ArchiveConfig
from srccheck.credentials import Header, HostCredentials
from srccheck.errors import UsageError
from srccheck.options import NO_ACCEPTED, AcceptedStatuses, Remap
from srccheck.store import StoreURL

__all__ = [
    "DEFAULT_SETTINGS",
    "DEFAULT_USER_AGENT",
    "FORMATS",
    "EventLoop",
    "Settings",
    "Transport",
]

DEFAULT_USER_AGENT = f"srccheck/{__version__} (source and link checker; python-httpx)"


class Transport(StrEnum):
    """The HTTP client under the fetch stage (srccheck.fetch.transport)."""

    AIOHTTP = "aiohttp"  # HTTP/1.1, C parser: the fastest (README, Benchmarks)
    HTTPX = "httpx"  # HTTP/1.1 and HTTP/2


class EventLoop(StrEnum):
    """The asyncio event loop a run uses (``uvloop`` falls back to ``asyncio`` if missing)."""

    ASYNCIO = "asyncio"
    UVLOOP = "uvloop"


#: Report formats ``--format`` accepts.
FORMATS: tuple[str, ...] = ("json", "html", "junit", "sarif", "markdown", "github")


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Every knob of a run. Durations in seconds, sizes in bytes."""

    output: Path = Path("reports")
    formats: tuple[str, ...] = ("json", "html")
    # Names for srccheck.policy.FailPolicy.parse; "default" fails on broken sources only.
    fail_on: tuple[str, ...] = ("default",)
    # Fetching
    concurrency: int = 32
    per_host: int = 4
    host_interval: float = 0.25  # minimum seconds between request starts to one host
    respect_robots: bool = False  # skip URLs the host's robots.txt disallows for us
    soft404_probe: bool = True  # fetch one certainly-missing page per host to spot soft 404s
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    timeout: float = 30.0  # total deadline per request, all retries and redirects excluded
    retries: int = 2  # retries after the first attempt, for transient failures only
    backoff_initial: float = 0.5
    backoff_max: float = 10.0
    retry_after_cap: float = 30.0
    max_redirects: int = 10
    max_body_bytes: int = 5 * 1024 * 1024
    # PDF sources (srccheck.documents.pdf): pages read at most, seconds per document
    pdf_max_pages: int = 300
    pdf_timeout: float = 30.0
    user_agent: str = DEFAULT_USER_AGENT
    http2: bool = True  # with transport "httpx" only; aiohttp speaks HTTP/1.1
    transport: Transport = Transport.AIOHTTP
    loop: EventLoop = EventLoop.UVLOOP
    exclude: tuple[re.Pattern[str], ...] = ()
    accept: AcceptedStatuses = NO_ACCEPTED  # final HTTP codes counted as ok (--accept)
    remap: tuple[Remap, ...] = ()  # rewrite cited URLs before checking (--remap)
    require_https: bool = False  # an http:// source whose https:// twin works is a finding
    host_stats: bool = False  # requests, statuses, retries and pauses per host (--host-stats)
    # Persistent cache (srccheck.fetch.cache); cache_dir None = platformdirs user cache dir
    use_cache: bool = True
    cache_dir: Path | None = None
    # A PostgreSQL store every worker reaches (srccheck.store); None = the SQLite file above
    store: StoreURL | None = None
    cache_max_bytes: int = 500 * 1024 * 1024
    cache_ttl_live: float = 24 * 3600.0  # reachable pages (ok, redirected)
    cache_ttl_failure: float = 3600.0  # definitive failures (404, 410, soft 404, other 4xx)
    cache_ttl_archive: float = 30 * 24 * 3600.0  # archive lookups
    # Keep an unchanged article's report instead of rewriting it (srccheck.reuse)
    reuse_reports: bool = True
    # Credentials (srccheck.fetch.credentials): secrets are Secret values, never shown.
    hosts: tuple[HostCredentials, ...] = ()  # per host, HTTPS only: [hosts."name"] tables
    headers: tuple[Header, ...] = ()  # --header: sent with every request
    cookie_jar: Path | None = None  # Netscape cookie file; cookies go to their own domains
    # Network safety
    allow_private: bool = False
    allow_hosts: tuple[str, ...] = ()
    insecure: bool = False
    # Claims: extract quotes, numbers, names and match them against the retrieved pages
    claims: bool = True
    # Text fragments: look for the passage of every cited #:~:text= on the page (with claims)
    text_fragments: bool = True
    # Articles
    strip_tracking: bool = False
    max_article_bytes: int = 20 * 1024 * 1024
    # Web archives (srccheck.archive): asked in order; see parse_archive_spec for --archive
    archive_enabled: bool = True
    archives: tuple[ArchiveConfig, ...] = DEFAULT_ARCHIVES
    archive_window_days: int = 30
    # a chosen snapshot farther from the article date is flagged
    drift: bool = True  # retrieve the chosen snapshot even when the live page works, to compare
    save_missing: bool = False  # ask Save Page Now for URLs no archive holds (needs IA keys)
    # Filled by the CLI from SRCCHECK_IA_ACCESS_KEY / SRCCHECK_IA_SECRET_KEY; never printed.
    ia_access_key: str | None = field(default=None, repr=False)
    ia_secret_key: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        """Reject values no run can use, wherever they came from (file or command line)."""
        for name, low, inclusive in _RANGES:
            value = getattr(self, name)
            if not math.isfinite(value):
                raise UsageError(f"{name.replace('_', '-')} must be a finite number (got {value})")
            if value < low or (value == low and not inclusive):
                bound = f"at least {low}" if inclusive else f"greater than {low}"
                flag = name.replace("_", "-")
                raise UsageError(f"{flag} must be {bound} (got {value})")

        if not self.user_agent or not all(" " <= c <= "~" for c in self.user_agent):
            raise UsageError(
                "user-agent must be printable ASCII (an HTTP header value), "
                f"got {self.user_agent!r}"
            )

    def with_changes(self, **changes: object) -> Settings:
        """A copy with some fields replaced (frozen objects are never mutated)."""
        return replace(self, **changes)


#: (field, lower bound, bound allowed) for the numeric settings.
_RANGES: tuple[tuple[str, float, bool], ...] = (
    ("concurrency", 1, True),
    ("per_host", 1, True),
    ("host_interval", 0, True),
    ("connect_timeout", 0, False),
    ("read_timeout", 0, False),
    ("timeout", 0, False),
    ("retries", 0, True),
    ("backoff_initial", 0, True),
    ("backoff_max", 0, True),
    ("retry_after_cap", 0, True),
    ("max_redirects", 0, True),
    ("max_body_bytes", 1, True),
    ("pdf_max_pages", 1, True),
    ("pdf_timeout", 0, False),
    ("max_article_bytes", 1, True),
    ("archive_window_days", 0, True),
    ("cache_max_bytes", 1, True),
    ("cache_ttl_live", 0, True),
    ("cache_ttl_failure", 0, True),
    ("cache_ttl_archive", 0, True),
)

DEFAULT_SETTINGS = Settings()
