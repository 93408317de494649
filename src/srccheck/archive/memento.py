"""Memento (RFC 7089): TimeMap listing and TimeGate negotiation.

* **TimeMap** ``GET <timemap-base>/<url>`` answers ``application/link-format``;
  every link whose ``rel`` contains ``memento`` (also ``first memento``,
  ``last memento``) is a capture with a ``datetime`` parameter (RFC 1123).
  404 means the archive has no memento of the URL.
* **TimeGate** ``GET <timegate-base>/<url>`` with ``Accept-Datetime: <RFC 1123>``
  (no header: the most recent memento). The three answer styles of RFC 7089
  §4 are understood:

  - 302 (or another 3xx) to the memento: its URI is ``Location``, its datetime
    the ``rel="memento"`` link with that URI in the ``Link`` header, or — when
    the header does not say — the ``Memento-Datetime`` of the memento itself
    (one more request);
  - 200 with ``Memento-Datetime``: the answer *is* the memento (pywb does
    this); its URI is ``Content-Location``, its status the answer's status;
  - 200 without ``Memento-Datetime`` but with a ``rel="memento"`` link (pywb's
    framed replay page).

  404 means no memento.

Mementos served by Wayback software (``…/<14 digits><mod>/<url>``) are
retrieved in ``id_`` mode, the original bytes without the archive's banner;
other mementos are retrieved as they are.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re

from srccheck.archive.client import ArchiveClient, RequestFailure, failure_from_status
from srccheck.archive.config import ArchiveConfig
from srccheck.archive.linkformat import Link, parse_link_format
from srccheck.archive.model import ArchiveErrorKind, Snapshot
from srccheck.archive.select import ranked_snapshots

__all__ = [
    "MAX_STATUS_CHECKS",
    "accept_datetime",
    "confirm_closest",
    "mementos_from_timemap",
    "parse_http_date",
    "query_timegate",
    "query_timemap",
    "raw_memento_url",
    "timegate_url",
    "timemap_url",
]

#: TimeMap entries carry no HTTP status; at most this many are checked, closest first.
MAX_STATUS_CHECKS = 3

_WAYBACK_MEMENTO = re.compile(r"/(?P<ts>\d{14})(?:[a-z]{2}_)?/(?=[a-zA-Z][a-zA-Z0-9+.-]*:)")


def timegate_url(archive: ArchiveConfig, url: str) -> str:
    """``<timegate-base>/<url>``: the archive's TimeGate for ``url``."""
    return f"{archive.replay_base.rstrip('/')}/{url}"


def timemap_url(archive: ArchiveConfig, url: str) -> str:
    """``<timemap-base>/<url>``: the archive's link-format TimeMap for ``url``."""
    assert archive.timemap_base is not None
    return f"{archive.timemap_base.rstrip('/')}/{url}"


def accept_datetime(article_date: dt.date) -> str:
    """The ``Accept-Datetime`` value for a date: its midnight UTC in RFC 1123 form."""
    midnight = dt.datetime(article_date.year, article_date.month, article_date.day, tzinfo=dt.UTC)
    return email.utils.format_datetime(midnight, usegmt=True)


def parse_http_date(value: str) -> dt.datetime:
    """An RFC 1123 date as UTC datetime; :class:`ValueError` when unparseable."""
    try:
        moment = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError) as exc:
        raise ValueError(f"not an HTTP date: {value!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def raw_memento_url(memento_url: str) -> str:
    """The ``id_`` form of a Wayback-style memento URL; other URLs unchanged."""
    return _WAYBACK_MEMENTO.sub(lambda m: f"/{m.group('ts')}id_/", memento_url, count=1)


def _snapshot(
    archive: ArchiveConfig, original: str, uri: str, when: dt.datetime, status: int | None
) -> Snapshot:
    return Snapshot(
        archive=archive.name,
        original_url=original,
        captured_at=when,
        raw_url=raw_memento_url(uri),
        replay_url=uri,
        http_status=status,
    )


def _original(links: list[Link], default: str) -> str:
    return next((link.uri for link in links if "original" in link.rels), default)


def _memento_links(links: list[Link]) -> list[tuple[str, dt.datetime]]:
    found: list[tuple[str, dt.datetime]] = []
    for link in links:
        if "memento" not in link.rels or "datetime" not in link.params:
            continue
        try:
            found.append((link.uri, parse_http_date(link.params["datetime"])))
        except ValueError:
            continue  # one bad entry should not hide the others
    return found


def mementos_from_timemap(text: str, archive: ArchiveConfig, url: str) -> list[Snapshot]:
    """Every memento listed in a link-format TimeMap (duplicates by URI dropped).

    Raises :class:`ValueError` when the document is not link-format at all.
    """
    links = parse_link_format(text)
    if text.strip() and not links:
        raise ValueError("TimeMap contains no links")
    original = _original(links, url)
    seen: set[str] = set()
    snapshots: list[Snapshot] = []
    for uri, when in _memento_links(links):
        if uri not in seen:
            seen.add(uri)
            snapshots.append(_snapshot(archive, original, uri, when, None))
    return snapshots


async def query_timemap(
    http: ArchiveClient, url: str
) -> tuple[list[Snapshot], int] | RequestFailure:
    """All mementos of ``url`` from the TimeMap (404: none), and the attempts; or the failure."""
    answer = await http.get(timemap_url(http.archive, url))
    if isinstance(answer, RequestFailure):
        return answer
    response, attempts = answer.response, answer.attempts
    if response.status_code == 404:
        return [], attempts
    if response.status_code != 200:
        return failure_from_status(response.status_code, str(response.request.url), attempts)
    try:
        return mementos_from_timemap(response.text, http.archive, url), attempts
    except ValueError as exc:
        return RequestFailure(ArchiveErrorKind.INVALID_RESPONSE, f"TimeMap: {exc}", attempts)


async def query_timegate(
    http: ArchiveClient, url: str, article_date: dt.date | None
) -> tuple[list[Snapshot], int] | RequestFailure:
    """The TimeGate's memento for the date (zero or one snapshot), or the failure."""
    archive = http.archive
    headers = {"Accept-Datetime": accept_datetime(article_date)} if article_date else {}
    answer = await http.get(timegate_url(archive, url), headers=headers, follow_redirects=False)
    if isinstance(answer, RequestFailure):
        return answer
    response, attempts = answer.response, answer.attempts
    if response.status_code == 404:
        return [], attempts
    links = parse_link_format(", ".join(response.headers.get_list("link")))
    original = _original(links, url)
    try:
        if response.is_redirect:
            location = str(response.request.url.join(response.headers["location"]))
            when = dict(_memento_links(links)).get(location)
            status = None
            if when is None:  # the Link header does not date it: ask the memento itself
                follow = await http.get(location)
                if isinstance(follow, RequestFailure):
                    return follow
                attempts += follow.attempts
                memento_dt = follow.response.headers.get("memento-datetime")
                if memento_dt is None:
                    raise ValueError(f"{location} answered without Memento-Datetime")
                when, status = parse_http_date(memento_dt), follow.response.status_code
            return [_snapshot(archive, original, location, when, status)], attempts
        memento_dt = response.headers.get("memento-datetime")
        if memento_dt is not None:
            location = response.headers.get("content-location")
            uri = str(response.request.url.join(location)) if location else str(response.url)
            when = parse_http_date(memento_dt)
            return [_snapshot(archive, original, uri, when, response.status_code)], attempts
        if response.is_success and (mementos := _memento_links(links)):
            uri, when = mementos[0]
            return [_snapshot(archive, original, uri, when, None)], attempts
    except ValueError as exc:
        return RequestFailure(ArchiveErrorKind.INVALID_RESPONSE, f"TimeGate: {exc}", attempts)
    if not response.is_success:
        return failure_from_status(response.status_code, str(response.request.url), attempts)
    return RequestFailure(
        ArchiveErrorKind.INVALID_RESPONSE,
        f"TimeGate {response.request.url} answered {response.status_code} without a memento",
        attempts,
    )


async def confirm_closest(
    http: ArchiveClient, snapshots: list[Snapshot], article_date: dt.date | None
) -> tuple[list[Snapshot], int]:
    """TimeMap snapshots with the HTTP status of the best candidates filled in.

    A TimeMap lists captures of 404 pages too. The candidates are asked in
    order of closeness (``HEAD`` on the raw memento URL, which answers with the
    captured status) until one is 2xx, at most :data:`MAX_STATUS_CHECKS` times;
    a non-2xx capture is marked with its status, so selection skips it. When a
    check fails (network, 405 to HEAD …) the remaining statuses stay unknown.
    Returns the snapshots (same order) and the requests spent.
    """
    statuses: dict[str, int] = {}
    spent = 0
    for candidate in ranked_snapshots(snapshots, article_date)[:MAX_STATUS_CHECKS]:
        answer = await http.head(candidate.raw_url)
        if isinstance(answer, RequestFailure):
            spent += answer.attempts
            break
        spent += answer.attempts
        status = answer.response.status_code
        if status == 405:
            break
        statuses[candidate.replay_url] = status
        if 200 <= status < 300:
            break
    updated = [
        snapshot.model_copy(update={"http_status": statuses[snapshot.replay_url]})
        if snapshot.replay_url in statuses
        else snapshot
        for snapshot in snapshots
    ]
    return updated, spent
