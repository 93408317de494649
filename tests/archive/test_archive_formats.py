"""CDX answer forms (IA JSON, pywb NDJSON, plain), availability answers, URL shapes."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from srccheck.archive.config import internet_archive, memento_archive
from srccheck.archive.memento import accept_datetime, mementos_from_timemap, raw_memento_url
from srccheck.archive.wayback import (
    CdxRow,
    cdx_params,
    parse_availability,
    parse_cdx,
    parse_timestamp,
    snapshot_from_row,
)

IA_JSON = json.dumps(
    [
        ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"],
        [
            "com,example)/",
            "20200110093000",
            "http://example.com/",
            "text/html",
            "200",
            "AAA",
            "1415",
        ],
        [
            "com,example)/",
            "20200615080000",
            "https://example.com/",
            "text/html",
            "200",
            "BBB",
            "1402",
        ],
    ]
)
PYWB_NDJSON = (
    "\n".join(
        json.dumps(row)
        for row in [
            {
                "urlkey": "com,example)/",
                "timestamp": "20200110093000",
                "url": "http://example.com/",
                "mime": "text/html",
                "status": "200",
                "digest": "AAA",
                "length": "360",
            },
            {
                "urlkey": "com,example)/",
                "timestamp": "20200301120000",
                "url": "http://example.com/",
                "mime": "text/html",
                "status": "404",
                "digest": "CCC",
                "length": "336",
            },
        ]
    )
    + "\n"
)
PLAIN = "com,example)/ 20200110093000 http://example.com/ text/html 200 AAA 1415\n"


def test_ia_array_form() -> None:
    rows = parse_cdx(IA_JSON)
    assert rows == [
        CdxRow("20200110093000", "http://example.com/", 200, "text/html", "AAA"),
        CdxRow("20200615080000", "https://example.com/", 200, "text/html", "BBB"),
    ]


def test_pywb_line_form() -> None:
    rows = parse_cdx(PYWB_NDJSON)
    assert [(r.timestamp, r.status) for r in rows] == [
        ("20200110093000", 200),
        ("20200301120000", 404),
    ]


def test_plain_form() -> None:
    assert parse_cdx(PLAIN) == [
        CdxRow("20200110093000", "http://example.com/", 200, "text/html", "AAA")
    ]


@pytest.mark.parametrize("empty", ["[]", "", "\n", "[[]]"])
def test_empty_answers_mean_no_capture(empty: str) -> None:
    assert parse_cdx(empty) == []


@pytest.mark.parametrize("bad", ["<html>Error</html>", '{"a": 1}', "[1, 2]", "[{}]"])
def test_malformed_answers_raise(bad: str) -> None:
    with pytest.raises(ValueError, match=r"CDX|Expecting|JSON|array"):
        parse_cdx(bad)


def test_header_only_rows_are_skipped_not_misread() -> None:
    assert parse_cdx('[["urlkey", "timestamp"], ["x"]]') == []


def test_revisit_status_dash_is_unknown() -> None:
    rows = parse_cdx("com,example)/ 20200110093000 http://example.com/ warc/revisit - AAA 10")
    assert rows[0].status is None


def test_snapshot_urls_use_id_mode_for_raw_content() -> None:
    snapshot = snapshot_from_row(internet_archive(), parse_cdx(IA_JSON)[0])
    assert snapshot.raw_url == "https://web.archive.org/web/20200110093000id_/http://example.com/"
    assert snapshot.replay_url == "https://web.archive.org/web/20200110093000/http://example.com/"
    assert snapshot.captured_at == dt.datetime(2020, 1, 10, 9, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("timestamp", "expected"),
    [
        ("20200110093001", dt.datetime(2020, 1, 10, 9, 30, 1, tzinfo=dt.UTC)),
        ("2020", dt.datetime(2020, 1, 1, tzinfo=dt.UTC)),
        ("202006", dt.datetime(2020, 6, 1, tzinfo=dt.UTC)),
    ],
)
def test_parse_timestamp(timestamp: str, expected: dt.datetime) -> None:
    assert parse_timestamp(timestamp) == expected


def test_cdx_params_ask_for_closest_to_date_or_now() -> None:
    now = dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC)
    params = cdx_params("http://x.example/", dt.date(2020, 3, 10), 25, now)
    assert params["closest"] == "20200310000000"
    assert params["sort"] == "closest"
    assert params["filter"] == "statuscode:200"
    assert params["limit"] == "25"
    assert cdx_params("http://x.example/", None, 5, now)["closest"] == "20240506070809"


def test_availability_answers() -> None:
    archived = {
        "archived_snapshots": {
            "closest": {
                "available": True,
                "url": "http://web.archive.org/web/20130919044612/http://example.com/",
                "timestamp": "20130919044612",
                "status": "200",
            }
        }
    }
    assert parse_availability(archived) == (
        "20130919044612",
        "http://web.archive.org/web/20130919044612/http://example.com/",
        200,
    )
    assert parse_availability({"archived_snapshots": {}}) is None
    with pytest.raises(ValueError, match="archived_snapshots"):
        parse_availability({"error": "x"})


def test_memento_helpers() -> None:
    assert accept_datetime(dt.date(2020, 3, 10)) == "Tue, 10 Mar 2020 00:00:00 GMT"
    assert (
        raw_memento_url("http://a.example/coll/20200101100000mp_/http://x.example/a?b=1")
        == "http://a.example/coll/20200101100000id_/http://x.example/a?b=1"
    )
    assert (
        raw_memento_url("https://web.archive.org/web/20200101100000/https://x.example/")
        == "https://web.archive.org/web/20200101100000id_/https://x.example/"
    )
    assert raw_memento_url("https://arch.example/m/123") == "https://arch.example/m/123"


def test_mementos_from_timemap() -> None:
    text = (
        '<http://x.example/>; rel="original",\n'
        '<http://a.example/20200101100000mp_/http://x.example/>; rel="first memento"; '
        'datetime="Wed, 01 Jan 2020 10:00:00 GMT",\n'
        '<http://a.example/20200601100000mp_/http://x.example/>; rel="memento"; '
        'datetime="not a date",\n'
        '<http://a.example/20200701100000mp_/http://x.example/>; rel="last memento"; '
        'datetime="Wed, 01 Jul 2020 10:00:00 GMT"\n'
    )
    snapshots = mementos_from_timemap(
        text, memento_archive("http://a.example"), "http://x.example/"
    )
    assert [s.captured_at.month for s in snapshots] == [1, 7]
    assert snapshots[0].raw_url == "http://a.example/20200101100000id_/http://x.example/"
    assert snapshots[0].http_status is None
