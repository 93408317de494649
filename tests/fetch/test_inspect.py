"""Reading a body once (srccheck.fetch.inspect), inline or in a worker thread for a large
page: the same text and marks, and the same verdicts over the network."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from srccheck.fetch import client
from srccheck.fetch.consent import NO_MARKERS
from srccheck.fetch.inspect import inspect_body
from srccheck.settings import Settings
from srccheck.status import Status

LOCAL = Settings(allow_private=True, retries=0, timeout=60.0, host_interval=0.0)
PAYWALLED = (
    '<html><head><meta charset="utf-8"><title>Exklusiv: Gespräche</title>'
    '<script type="application/ld+json">{"@context":"https://schema.org",'
    '"@type":"NewsArticle","isAccessibleForFree":false}</script></head>'
    "<body><h1>Die Gespräche</h1><p>Anreißer …</p>{padding}</body></html>"
)
NOT_FOUND = (
    "<html><head><title>Seite nicht gefunden – Zeitung</title></head>"
    "<body><h1>Hoppla</h1>{padding}</body></html>"
)


def _padded(page: str, size: int) -> bytes:
    padding = "<p>Weitere Meldungen des Tages.</p>" * (size // 36)
    return page.replace("{padding}", padding).encode("utf-8")


def test_a_successful_page_gets_every_mark() -> None:
    marks = inspect_body(
        _padded(PAYWALLED, 0), declared=None, markup=True, xml=False, success=True
    )
    assert marks.decoded.charset == "utf-8"
    assert "Anreißer" in marks.decoded.text
    assert marks.title == "Exklusiv: Gespräche"
    assert marks.headings == ("Die Gespräche",)
    assert marks.paywall == ("paywall:jsonld",)


def test_an_error_page_gets_only_its_title_and_text_gets_none() -> None:
    page = _padded(PAYWALLED, 0)
    error = inspect_body(page, declared=None, markup=True, xml=False, success=False)
    assert (error.title, error.headings, error.paywall) == ("Exklusiv: Gespräche", (), ())
    plain = inspect_body(page, declared="utf-8", markup=False, xml=False, success=True)
    assert (plain.title, plain.headings, plain.paywall, plain.consent) == (None, (), (), NO_MARKERS)
    assert plain.decoded.text == page.decode("utf-8")


@pytest.mark.parametrize("size", [0, 4 * client._INSPECT_IN_THREAD])
async def test_small_and_large_pages_read_alike(
    httpserver: HTTPServer, threaded_page_reads: list[object], size: int
) -> None:
    httpserver.expect_request("/plus/exklusiv").respond_with_data(
        _padded(PAYWALLED, size), content_type="text/html; charset=utf-8"
    )
    httpserver.expect_request("/politik/weg").respond_with_data(
        _padded(NOT_FOUND, size), content_type="text/html"
    )
    async with client.Fetcher(LOCAL.with_changes(soft404_probe=False)) as fetcher:
        paywalled = await fetcher.check(httpserver.url_for("/plus/exklusiv"))
        missing = await fetcher.check(httpserver.url_for("/politik/weg"))
    assert paywalled.check.status is Status.OK
    assert paywalled.check.paywalled is True
    assert paywalled.check.page_title == "Exklusiv: Gespräche"
    assert missing.check.status is Status.SOFT_404
    assert missing.check.signals == ["soft404:title"]
    # Large pages are read off the event loop, small ones inline.
    assert len(threaded_page_reads) == (2 if size else 0)


@pytest.mark.parametrize("size", [0, 4 * client._INSPECT_IN_THREAD])
async def test_the_page_is_read_after_the_request_deadline(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    # The total deadline is the server's time: a page waiting for a worker thread (the
    # default executor is shared with DNS look-ups, cache writes and report writes) must
    # never turn a complete answer into a timeout.
    deadline = 37.0  # recognisable among other timeouts of the event loop
    scopes = 0
    read_inside: list[bool] = []
    real_timeout, real_inspect = asyncio.timeout, client.inspect_body

    @contextlib.asynccontextmanager
    async def watched(delay: float | None) -> AsyncIterator[None]:
        nonlocal scopes
        async with real_timeout(delay):
            scopes += delay == deadline
            try:
                yield
            finally:
                scopes -= delay == deadline

    def recording(*args: Any, **kwargs: Any) -> Any:
        read_inside.append(scopes > 0)
        return real_inspect(*args, **kwargs)

    monkeypatch.setattr(client.asyncio, "timeout", watched)
    monkeypatch.setattr(client, "inspect_body", recording)
    httpserver.expect_request("/plus/exklusiv").respond_with_data(
        _padded(PAYWALLED, size), content_type="text/html; charset=utf-8"
    )
    settings = LOCAL.with_changes(soft404_probe=False, timeout=deadline)
    async with client.Fetcher(settings) as fetcher:
        outcome = await fetcher.check(httpserver.url_for("/plus/exklusiv"))
    assert outcome.check.paywalled is True
    assert read_inside == [False]


async def test_a_fetcher_told_so_reads_large_pages_inline(
    httpserver: HTTPServer, threaded_page_reads: list[object]
) -> None:
    # The cluster's check tasks already run side by side in worker threads.
    httpserver.expect_request("/plus/exklusiv").respond_with_data(
        _padded(PAYWALLED, 4 * client._INSPECT_IN_THREAD), content_type="text/html"
    )
    settings = LOCAL.with_changes(soft404_probe=False)
    async with client.Fetcher(settings, inspect_in_thread=False) as fetcher:
        outcome = await fetcher.check(httpserver.url_for("/plus/exklusiv"))
    assert outcome.check.paywalled is True
    assert threaded_page_reads == []
