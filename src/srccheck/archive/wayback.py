"""Wayback CDX server and availability API: queries, answer parsing, snapshot URLs.

CDX query (Internet Archive and pywb alike)::

    <cdx>?url=<url>&output=json&filter=statuscode:200&closest=<ts>&sort=closest&limit=<n>

``closest``/``sort=closest`` orders captures by distance from the article's
date (or from now, without one: the most recent first) and ``limit`` keeps
the answer small. ``filter=statuscode:200`` works on both servers (a
full-match regex on the Internet Archive, a substring match on pywb, which
maps ``statuscode`` to its ``status`` field).

Three answer forms are accepted (:func:`parse_cdx`):

* the Internet Archive's JSON: an array of arrays, the first row the header
  (``urlkey, timestamp, original, mimetype, statuscode, digest, length``),
  ``[]`` when there is no capture;
* pywb's NDJSON: one object per line with ``urlkey, timestamp, url, mime,
  status, digest …``; an empty body when there is no capture;
* plain CDX lines (servers that ignore ``output=json``), space-separated in
  the Internet Archive's default field order.

The availability API (``?url=…&timestamp=YYYYMMDD``) answers
``{"archived_snapshots": {"closest": {"available": true, "url": …,
"timestamp": …, "status": "200"}}}`` or ``{"archived_snapshots": {}}``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

import httpx

from srccheck.archive.client import ArchiveClient, RequestFailure, failure_from_status
from srccheck.archive.config import ArchiveConfig
from srccheck.archive.model import ArchiveErrorKind, Snapshot

__all__ = [
    "CdxRow",
    "availability_params",
    "cdx_params",
    "parse_availability",
    "parse_cdx",
    "parse_timestamp",
    "query_availability",
    "query_cdx",
    "raw_url",
    "replay_url",
    "snapshot_from_row",
    "timestamp_of",
]

_IA_FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")
# pywb's field names → the Internet Archive's.
_ALIASES = {"url": "original", "mime": "mimetype", "status": "statuscode"}
_TIMESTAMP = re.compile(r"^\d{4,14}$")
_REPLAY_PATH = re.compile(r"/(?P<ts>\d{4,14})(?:[a-z]{2}_)?/(?P<url>.+)$")


@dataclass(frozen=True, slots=True)
class CdxRow:
    """One capture as a CDX server lists it."""

    timestamp: str  # YYYYMMDDhhmmss (possibly shorter)
    original: str
    status: int | None
    mime: str | None = None
    digest: str | None = None


def timestamp_of(moment: dt.datetime | dt.date) -> str:
    """A 14-digit Wayback timestamp (UTC); a date means its midnight."""
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime(moment.year, moment.month, moment.day, tzinfo=dt.UTC)
    elif moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.strftime("%Y%m%d%H%M%S")


def parse_timestamp(timestamp: str) -> dt.datetime:
    """A Wayback timestamp (4 to 14 digits; missing parts are the earliest) as UTC datetime.

    Raises :class:`ValueError` for anything else.
    """
    if not _TIMESTAMP.match(timestamp):
        raise ValueError(f"not a Wayback timestamp: {timestamp!r}")
    padded = timestamp + "0101000000"[len(timestamp) - 4 :] if len(timestamp) < 14 else timestamp
    return dt.datetime.strptime(padded, "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)


def raw_url(replay_base: str, timestamp: str, url: str) -> str:
    """The capture's original bytes: ``<base>/<timestamp>id_/<url>`` (no toolbar, no rewriting)."""
    return f"{replay_base.rstrip('/')}/{timestamp}id_/{url}"


def replay_url(replay_base: str, timestamp: str, url: str) -> str:
    """The capture as a person opens it: ``<base>/<timestamp>/<url>``."""
    return f"{replay_base.rstrip('/')}/{timestamp}/{url}"


def cdx_params(
    url: str, article_date: dt.date | None, limit: int, now: dt.datetime
) -> dict[str, str]:
    """Query parameters of a CDX lookup: the ``limit`` 200-captures closest to the date (or now)."""
    return {
        "url": url,
        "output": "json",
        "filter": "statuscode:200",
        "closest": timestamp_of(article_date if article_date is not None else now),
        "sort": "closest",
        "limit": str(limit),
    }


def availability_params(url: str, article_date: dt.date | None) -> dict[str, str]:
    """Query parameters of an availability lookup (no timestamp: the most recent capture)."""
    params = {"url": url}
    if article_date is not None:
        params["timestamp"] = article_date.strftime("%Y%m%d")
    return params


def _status(value: Any) -> int | None:
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isdigit() else None


def _row(fields: dict[str, Any]) -> CdxRow:
    named = {_ALIASES.get(key, key): value for key, value in fields.items()}
    timestamp = str(named.get("timestamp") or "")
    original = str(named.get("original") or "")
    if not _TIMESTAMP.match(timestamp) or not original:
        raise ValueError(f"CDX row without timestamp or URL: {fields!r}")
    return CdxRow(
        timestamp=timestamp,
        original=original,
        status=_status(named.get("statuscode")),
        mime=named.get("mimetype") or None,
        digest=named.get("digest") or None,
    )


def parse_cdx(text: str) -> list[CdxRow]:
    """Every capture in a CDX answer (IA JSON, pywb NDJSON or plain lines; see module doc).

    Raises :class:`ValueError` for an answer in none of these forms.
    """
    body = text.strip()
    if not body:
        return []
    if body.startswith("["):
        table = json.loads(body)
        if not isinstance(table, list) or not all(isinstance(row, list) for row in table):
            raise ValueError("CDX JSON is not an array of arrays")
        rows = [row for row in table if row]  # showResumeKey adds an empty separator row
        if not rows:
            return []
        header = [str(name) for name in rows[0]]
        return [_row(dict(zip(header, row, strict=False))) for row in rows[1:] if len(row) > 1]
    captures: list[CdxRow] = []
    for line in body.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("{"):
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("CDX NDJSON line is not an object")
            captures.append(_row(record))
        else:
            captures.append(_row(dict(zip(_IA_FIELDS, line.split(), strict=False))))
    return captures


def parse_availability(data: Any) -> tuple[str, str, int | None] | None:
    """``(timestamp, replay url, status)`` of the closest capture, or ``None`` when not archived.

    Raises :class:`ValueError` when the answer is not the documented shape.
    """
    if not isinstance(data, dict) or not isinstance(data.get("archived_snapshots"), dict):
        raise ValueError("availability answer without 'archived_snapshots'")
    closest = data["archived_snapshots"].get("closest")
    if not closest:
        return None
    if not isinstance(closest, dict):
        raise ValueError("availability 'closest' is not an object")
    if closest.get("available") is False:
        return None
    timestamp = str(closest.get("timestamp") or "")
    url = str(closest.get("url") or "")
    if not _TIMESTAMP.match(timestamp) or not url:
        raise ValueError("availability 'closest' without timestamp or url")
    return timestamp, url, _status(closest.get("status"))


def snapshot_from_row(archive: ArchiveConfig, row: CdxRow) -> Snapshot:
    """The reported snapshot of a CDX row, with its raw (``id_``) and replay URLs."""
    return Snapshot(
        archive=archive.name,
        original_url=row.original,
        captured_at=parse_timestamp(row.timestamp),
        raw_url=raw_url(archive.replay_base, row.timestamp, row.original),
        replay_url=replay_url(archive.replay_base, row.timestamp, row.original),
        http_status=row.status,
        mime_type=row.mime,
        digest=row.digest,
    )


async def query_cdx(
    http: ArchiveClient, url: str, article_date: dt.date | None, now: dt.datetime
) -> tuple[list[Snapshot], int] | RequestFailure:
    """Captures of ``url`` nearest the date, and the attempts it took; or the failure."""
    archive = http.archive
    assert archive.cdx_url is not None
    answer = await http.get(
        archive.cdx_url, params=cdx_params(url, article_date, archive.cdx_limit, now)
    )
    if isinstance(answer, RequestFailure):
        return answer
    response, attempts = answer.response, answer.attempts
    if response.status_code != 200:
        return failure_from_status(response.status_code, str(response.request.url), attempts)
    try:
        rows = parse_cdx(response.text)
    except ValueError as exc:
        return RequestFailure(ArchiveErrorKind.INVALID_RESPONSE, f"CDX answer: {exc}", attempts)
    return [snapshot_from_row(archive, row) for row in rows], attempts


async def query_availability(
    http: ArchiveClient, url: str, article_date: dt.date | None
) -> tuple[list[Snapshot], int] | RequestFailure:
    """The availability API's closest capture (zero or one snapshot), or the failure."""
    archive = http.archive
    assert archive.availability_url is not None
    answer = await http.get(archive.availability_url, params=availability_params(url, article_date))
    if isinstance(answer, RequestFailure):
        return answer
    response, attempts = answer.response, answer.attempts
    if response.status_code != 200:
        return failure_from_status(response.status_code, str(response.request.url), attempts)
    try:
        found = parse_availability(response.json())
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        return RequestFailure(
            ArchiveErrorKind.INVALID_RESPONSE, f"availability answer: {exc}", attempts
        )
    if found is None:
        return [], attempts
    timestamp, replay, status = found
    match = _REPLAY_PATH.search(httpx.URL(replay).raw_path.decode("ascii", "replace"))
    original = match.group("url") if match else url
    row = CdxRow(timestamp=timestamp, original=original, status=status)
    snapshot = snapshot_from_row(archive, row).model_copy(update={"replay_url": replay})
    return [snapshot], attempts
