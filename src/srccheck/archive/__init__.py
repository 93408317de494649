"""The archive stage: web-archive copies of cited URLs, the closest snapshot, drift.

``ArchiveService.lookup`` asks every configured archive (Internet Archive CDX
and availability APIs, Wayback-compatible servers, Memento TimeMaps and
TimeGates), chooses the successful capture closest to the article's date and
reports one :class:`ArchiveLookup` per archive; ``ArchiveService.retrieve``
fetches the chosen capture's original bytes; :func:`compute_drift` compares
the live and archived main texts.

The service is imported from its module, ``from srccheck.archive.service
import ArchiveService``: this package is imported by ``srccheck.settings``
(for :class:`ArchiveConfig`), and the service depends on the fetch stage,
which depends on the settings.
"""

from srccheck.archive.config import (
    DEFAULT_ARCHIVES,
    INTERNET_ARCHIVE,
    ArchiveConfig,
    archive_hosts,
    internet_archive,
    memento_archive,
    parse_archive_spec,
    wayback_archive,
)
from srccheck.archive.drift import compute_drift, drift_verdict
from srccheck.archive.model import (
    ArchiveErrorKind,
    ArchiveKind,
    ArchiveLookup,
    ArchiveReport,
    ArchiveState,
    Drift,
    DriftVerdict,
    LookupMethod,
    SaveResult,
    SaveState,
    Snapshot,
)
from srccheck.archive.select import closest_snapshot, distance_days, outside_window

__all__ = [
    "DEFAULT_ARCHIVES",
    "INTERNET_ARCHIVE",
    "ArchiveConfig",
    "ArchiveErrorKind",
    "ArchiveKind",
    "ArchiveLookup",
    "ArchiveReport",
    "ArchiveState",
    "Drift",
    "DriftVerdict",
    "LookupMethod",
    "SaveResult",
    "SaveState",
    "Snapshot",
    "archive_hosts",
    "closest_snapshot",
    "compute_drift",
    "distance_days",
    "drift_verdict",
    "internet_archive",
    "memento_archive",
    "outside_window",
    "parse_archive_spec",
    "wayback_archive",
]
