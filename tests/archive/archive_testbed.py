"""Test data and helpers of the archive tests (imported by conftest.py and the tests).

A uniquely named module rather than ``conftest``: other test folders have
their own conftest.py, and ``from conftest import`` could pick up theirs.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import socket
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from srccheck.fetch.model import FetchOutcome, Page
from srccheck.models import LinkCheck
from srccheck.status import Status

__all__ = [
    "CAPTURES",
    "STORY_URL",
    "UNARCHIVED_URL",
    "LocalArchive",
    "free_port",
    "plain_fetch_page",
    "pywb_tool",
    "write_warc",
]


def plain_fetch_page(client: httpx.AsyncClient):
    """A stand-in for ``Fetcher.check``: GET the URL and wrap the body as a FetchOutcome."""

    async def fetch_page(url: str) -> FetchOutcome:
        response = await client.get(url, follow_redirects=True)
        status = Status.OK if response.is_success else Status.HTTP_ERROR
        check = LinkCheck(status=status, reason="test fetch", http_status=response.status_code)
        page = Page(
            url=str(response.url),
            content_type=response.headers.get("content-type"),
            charset=response.encoding,
            text=response.text,
            truncated=False,
        )
        return FetchOutcome(check=check, page=page)

    return fetch_page


# --- the local pywb archive -------------------------------------------------------------------

STORY_URL = "http://news.example/story"
UNARCHIVED_URL = "http://news.example/never-captured"


def _html(paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"<html><head><title>Story</title></head><body>{body}</body></html>".encode()


#: Captures of STORY_URL: (capture time UTC, HTTP status line, body).
CAPTURES: list[tuple[dt.datetime, str, bytes]] = [
    (
        dt.datetime(2020, 1, 10, 9, 30, tzinfo=dt.UTC),
        "200 OK",
        _html(
            [
                "The city council approved a budget of 4.2 million euros for the new library.",
                "Mayor Anna Berg said the building would open in spring 2021.",
                "Critics argued that the costs had been underestimated by half.",
            ]
        ),
    ),
    (
        dt.datetime(2020, 3, 1, 12, 0, tzinfo=dt.UTC),
        "404 Not Found",
        b"<html><body><h1>Not found</h1></body></html>",
    ),
    (
        dt.datetime(2020, 6, 15, 8, 0, tzinfo=dt.UTC),
        "200 OK",
        _html(
            [
                "The city council approved a budget of 5.1 million euros for the new library.",
                "Mayor Anna Berg said the building would open in autumn 2021.",
                "Critics argued that the costs had been underestimated by half.",
                "Correction: an earlier version of this story gave the wrong figure.",
            ]
        ),
    ),
    (
        dt.datetime(2021, 6, 1, 0, 0, tzinfo=dt.UTC),
        "200 OK",
        _html(["This domain is for sale. Contact our brokers for premium domain names today."]),
    ),
]


@dataclass(frozen=True)
class LocalArchive:
    """A running pywb server with one collection."""

    root: str  # http://127.0.0.1:<port>
    collection: str

    @property
    def base(self) -> str:
        return f"{self.root}/{self.collection}"


def write_warc(path: Path) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for when, status, body in CAPTURES:
            headers = StatusAndHeaders(
                status,
                [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
                protocol="HTTP/1.1",
            )
            record = writer.create_warc_record(
                STORY_URL,
                "response",
                payload=io.BytesIO(body),
                http_headers=headers,
                warc_headers_dict={"WARC-Date": when.strftime("%Y-%m-%dT%H:%M:%SZ")},
            )
            writer.write_record(record)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


#: pywb's own environment (the README's test command makes it): pywb depends on brotlipy,
#: which would shadow srccheck's brotli binding in the test environment.
PYWB_ENV = Path(__file__).resolve().parents[2] / ".venv-pywb"


def pywb_tool(name: str) -> str:
    """A pywb command from ``$SRCCHECK_PYWB_ENV`` or the checkout's ``.venv-pywb``."""
    env = Path(os.environ.get("SRCCHECK_PYWB_ENV") or PYWB_ENV)
    found = env / ("Scripts" if os.name == "nt" else "bin") / name
    if not found.exists():
        # Part of the README's test command: a missing command is a broken set-up, not a skip.
        pytest.fail(
            f"pywb's {name} command is not in {env}; make pywb's environment with "
            f"'python3 -m venv {env} && {env}/bin/pip install -r requirements-pywb.txt'"
        )
    return str(found)
