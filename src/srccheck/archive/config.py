"""Which archives are asked, where their endpoints are, and how politely.

Archives are configured as an ordered tuple of :class:`ArchiveConfig`
(``Settings.archives``; the default is the Internet Archive alone). The
``--archive`` option and the config file use spec strings, parsed by
:func:`parse_archive_spec`::

    ia | internet-archive                 the Internet Archive (default)
    wayback=<base-url>                    a Wayback-compatible server, e.g.
                                          wayback=http://127.0.0.1:8080/my-coll
    memento=<timegate-base>               an RFC 7089 archive; the TimeGate of a URL
                                          is <timegate-base>/<url>
    memento=<timegate-base>,timemap=<timemap-base>

Options follow after commas as ``key=value``:

* ``name=<text>``      the name used in reports (default: the kind or the host);
* ``interval=<secs>``  minimum seconds between requests to the archive
                       (default 1.0 for the Internet Archive, 0.5 otherwise);
* ``limit=<n>``        captures asked for per CDX query (default 25);
* ``cdx=<url>``        (wayback) the CDX endpoint, default ``<base-url>/cdx`` (pywb);
* ``timemap=<base>``   (memento) the TimeMap base; by default derived from the
                       TimeGate base: a last path segment ``timegate`` becomes
                       ``timemap/link`` (Memento aggregators), otherwise
                       ``/timemap/link`` is appended (Internet Archive, pywb).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from srccheck.archive.model import ArchiveKind
from srccheck.errors import UsageError

if TYPE_CHECKING:
    from srccheck.settings import Settings

__all__ = [
    "DEFAULT_ARCHIVES",
    "DEFAULT_CDX_LIMIT",
    "INTERNET_ARCHIVE",
    "ArchiveConfig",
    "archive_hosts",
    "derive_timemap_url",
    "internet_archive",
    "memento_archive",
    "parse_archive_spec",
    "wayback_archive",
]

#: Captures asked for per CDX query: enough to skip a few bad captures, cheap for the archive.
DEFAULT_CDX_LIMIT = 25
#: The Internet Archive asks API clients to stay slow; one request per second is conservative.
IA_MIN_INTERVAL = 1.0
OTHER_MIN_INTERVAL = 0.5


@dataclass(frozen=True, kw_only=True, slots=True)
class ArchiveConfig:
    """One archive: its protocol, endpoints and politeness.

    ``replay_base`` is the Wayback replay prefix (``<replay_base>/<timestamp>id_/<url>``)
    for the Internet Archive and Wayback servers, and the TimeGate base for Memento
    archives. Endpoints that a kind does not use are ``None``.
    """

    name: str
    kind: ArchiveKind
    replay_base: str
    cdx_url: str | None = None
    availability_url: str | None = None
    timemap_base: str | None = None
    save_url: str | None = None
    min_interval: float = OTHER_MIN_INTERVAL
    cdx_limit: int = DEFAULT_CDX_LIMIT

    @property
    def hosts(self) -> frozenset[str]:
        """Host names of every endpoint (lower-cased), for the network safety policy."""
        urls = (
            self.replay_base,
            self.cdx_url,
            self.availability_url,
            self.timemap_base,
            self.save_url,
        )
        return frozenset(
            host for url in urls if url and (host := (urlsplit(url).hostname or "").lower())
        )

    def with_changes(self, **changes: object) -> ArchiveConfig:
        """A copy with some fields replaced (for tests and option overrides)."""
        return replace(self, **changes)


def internet_archive(
    *,
    name: str = "internet-archive",
    replay_base: str = "https://web.archive.org/web",
    cdx_url: str = "https://web.archive.org/cdx/search/cdx",
    availability_url: str = "https://archive.org/wayback/available",
    save_url: str = "https://web.archive.org/save",
    min_interval: float = IA_MIN_INTERVAL,
    cdx_limit: int = DEFAULT_CDX_LIMIT,
) -> ArchiveConfig:
    """The Internet Archive; endpoints overridable (tests point them at a local server)."""
    return ArchiveConfig(
        name=name,
        kind=ArchiveKind.INTERNET_ARCHIVE,
        replay_base=replay_base.rstrip("/"),
        cdx_url=cdx_url,
        availability_url=availability_url,
        save_url=save_url,
        min_interval=min_interval,
        cdx_limit=cdx_limit,
    )


def wayback_archive(
    base_url: str,
    *,
    name: str | None = None,
    cdx_url: str | None = None,
    min_interval: float = OTHER_MIN_INTERVAL,
    cdx_limit: int = DEFAULT_CDX_LIMIT,
) -> ArchiveConfig:
    """A Wayback-compatible server; the CDX endpoint defaults to pywb's ``<base>/cdx``."""
    base = base_url.rstrip("/")
    return ArchiveConfig(
        name=name or _default_name(base, "wayback"),
        kind=ArchiveKind.WAYBACK,
        replay_base=base,
        cdx_url=cdx_url or f"{base}/cdx",
        min_interval=min_interval,
        cdx_limit=cdx_limit,
    )


def memento_archive(
    timegate_base: str,
    *,
    timemap_base: str | None = None,
    name: str | None = None,
    min_interval: float = OTHER_MIN_INTERVAL,
) -> ArchiveConfig:
    """An RFC 7089 archive; the TimeMap base defaults to :func:`derive_timemap_url`."""
    base = timegate_base.rstrip("/")
    return ArchiveConfig(
        name=name or _default_name(base, "memento"),
        kind=ArchiveKind.MEMENTO,
        replay_base=base,
        timemap_base=(timemap_base or derive_timemap_url(base)).rstrip("/"),
        min_interval=min_interval,
    )


def derive_timemap_url(timegate_base: str) -> str:
    """The TimeMap base for a TimeGate base.

    Rule: a last path segment ``timegate`` is replaced by ``timemap/link``
    (``…/timegate`` → ``…/timemap/link``, as Memento aggregators lay it out);
    otherwise ``/timemap/link`` is appended (``…/web`` → ``…/web/timemap/link``,
    as the Internet Archive and pywb collections do).
    """
    base = timegate_base.rstrip("/")
    path = urlsplit(base).path
    if path.rpartition("/")[2].lower() == "timegate":
        return f"{base.rpartition('/')[0]}/timemap/link"
    return f"{base}/timemap/link"


INTERNET_ARCHIVE = internet_archive()
DEFAULT_ARCHIVES: tuple[ArchiveConfig, ...] = (INTERNET_ARCHIVE,)

_IA_NAMES = frozenset({"ia", "internet-archive", "internetarchive"})
_OPTIONS: dict[ArchiveKind, frozenset[str]] = {
    ArchiveKind.INTERNET_ARCHIVE: frozenset({"name", "interval", "limit"}),
    ArchiveKind.WAYBACK: frozenset({"name", "interval", "limit", "cdx"}),
    ArchiveKind.MEMENTO: frozenset({"name", "interval", "timemap"}),
}


def parse_archive_spec(text: str) -> ArchiveConfig:
    """Parse one ``--archive`` spec (grammar in the module docstring).

    Raises :class:`srccheck.errors.UsageError` naming the problem: unknown kind,
    missing or non-http(s) URL, unknown or repeated option, bad number.
    """
    spec = text.strip()
    if not spec:
        raise UsageError("empty --archive spec; use ia, wayback=<base-url> or memento=<timegate>")
    head, *rest = (part.strip() for part in spec.split(","))
    kind_word, has_value, value = (part.strip() for part in head.partition("="))
    kind_word = kind_word.lower()
    options = _parse_options(rest, spec)

    if kind_word in _IA_NAMES:
        if has_value:
            raise UsageError(f"--archive {spec!r}: 'ia' takes no URL (use wayback=<base-url>)")
        kind = ArchiveKind.INTERNET_ARCHIVE
    elif kind_word == "wayback":
        kind = ArchiveKind.WAYBACK
    elif kind_word == "memento":
        kind = ArchiveKind.MEMENTO
    else:
        raise UsageError(
            f"--archive {spec!r}: unknown archive kind {kind_word!r}; "
            "use ia, wayback=<base-url> or memento=<timegate-base>"
        )
    unknown = set(options) - _OPTIONS[kind]
    if unknown:
        raise UsageError(
            f"--archive {spec!r}: unknown option(s) {', '.join(sorted(unknown))} for {kind_word}; "
            f"allowed: {', '.join(sorted(_OPTIONS[kind]))}"
        )
    if kind is not ArchiveKind.INTERNET_ARCHIVE:
        value = _check_url(value, spec, f"{kind_word}=<url>")

    name = options.get("name") or None
    common: dict[str, object] = {}
    if "interval" in options:
        common["min_interval"] = _parse_number(options["interval"], spec, "interval")
    if "limit" in options:
        common["cdx_limit"] = int(_parse_number(options["limit"], spec, "limit", integer=True))

    if kind is ArchiveKind.INTERNET_ARCHIVE:
        config = internet_archive(**({"name": name} if name else {}))
    elif kind is ArchiveKind.WAYBACK:
        cdx = _check_url(options["cdx"], spec, "cdx=<url>") if "cdx" in options else None
        config = wayback_archive(value, name=name, cdx_url=cdx)
    else:
        timemap = (
            _check_url(options["timemap"], spec, "timemap=<url>") if "timemap" in options else None
        )
        config = memento_archive(value, timemap_base=timemap, name=name)
    return config.with_changes(**common) if common else config


def archive_hosts(settings: Settings) -> set[str]:
    """Host names of every configured archive endpoint.

    The network safety policy trusts these hosts (an archive configured on
    127.0.0.1 is intended); empty when archive lookups are disabled.
    """
    if not settings.archive_enabled:
        return set()
    return {host for archive in settings.archives for host in archive.hosts}


def _parse_options(parts: list[str], spec: str) -> dict[str, str]:
    options: dict[str, str] = {}
    for part in parts:
        key, eq, value = (p.strip() for p in part.partition("="))
        if not eq or not key or not value:
            raise UsageError(f"--archive {spec!r}: option {part!r} is not key=value")
        key = key.lower()
        if key in options:
            raise UsageError(f"--archive {spec!r}: option {key!r} given twice")
        options[key] = value
    return options


def _check_url(value: str, spec: str, what: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--archive {spec!r}: expected {what} with an http(s) URL, got {value!r}")
    return value


def _parse_number(value: str, spec: str, key: str, *, integer: bool = False) -> float:
    try:
        number = int(value) if integer else float(value)
    except ValueError:
        kind = "a whole number" if integer else "a number of seconds"
        raise UsageError(f"--archive {spec!r}: {key} must be {kind}, got {value!r}") from None
    if not math.isfinite(number) or number < 0 or (integer and number < 1):
        raise UsageError(f"--archive {spec!r}: {key} out of range: {value!r}")
    return number


def _default_name(base: str, fallback: str) -> str:
    parts = urlsplit(base)
    host = parts.hostname or fallback
    port = f":{parts.port}" if parts.port else ""
    path = parts.path.rstrip("/")
    return f"{host}{port}{path}" if path else f"{host}{port}"
