"""Fetcher against exact response shapes (pytest-httpx): statuses, redirects, retries, bodies."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from pytest_httpx import HTTPXMock

from srccheck.fetch.client import Fetcher
from srccheck.settings import Settings
from srccheck.status import Status

URL = "https://www.faz.net/aktuell/artikel.html"
# These tests pin exact request sequences and waits: no host spacing, no soft-404 probe.
SETTINGS = Settings(
    retries=2, backoff_initial=0.5, backoff_max=4.0, retry_after_cap=30.0,
    host_interval=0.0, soft404_probe=False,
)
GERMAN = "Größe über Maß: „Wir schaffen das“, sagte Müller – für 1.000 € Öl."


async def check(url: str, clock, settings: Settings = SETTINGS):
    async with Fetcher(settings, clock=clock) as fetcher:
        return await fetcher.check(url)


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (200, Status.OK),
        (404, Status.NOT_FOUND),
        (410, Status.GONE),
        (403, Status.HTTP_ERROR),
        (501, Status.HTTP_ERROR),
    ],
)
async def test_status_codes(httpx_mock: HTTPXMock, clock, code: int, status: Status) -> None:
    httpx_mock.add_response(url=URL, status_code=code, html="<title>Seite</title>")
    outcome = await check(URL, clock)
    assert outcome.check.status is status
    assert outcome.check.http_status == code
    assert str(code) in outcome.check.reason
    assert outcome.check.attempts == 1  # none of these is retried
    assert outcome.check.final_url == URL
    assert outcome.check.checked_at is not None
    assert outcome.check.checked_at.tzinfo is not None
    assert outcome.page is not None
    assert outcome.page.text == "<title>Seite</title>"
    assert outcome.check.page_title == "Seite"
    assert clock.sleeps == []


async def test_request_headers(httpx_mock: HTTPXMock, clock) -> None:
    httpx_mock.add_response(url=URL)
    await check(URL, clock, SETTINGS.with_changes(user_agent="srccheck-test/1.0"))
    request = httpx_mock.get_request()
    assert request is not None
    assert request.method == "GET"
    assert request.headers["User-Agent"] == "srccheck-test/1.0"


async def test_redirect_chain_is_recorded(httpx_mock: HTTPXMock, clock) -> None:
    final = "https://www.faz.net/b?x=1"
    httpx_mock.add_response(
        url="http://faz.net/a", status_code=301, headers={"Location": "https://www.faz.net/a"}
    )
    httpx_mock.add_response(
        url="https://www.faz.net/a", status_code=302, headers={"Location": "/b?x=1"}
    )
    httpx_mock.add_response(url=final, status_code=200, html="ok")  # fmt: skip
    outcome = await check("http://faz.net/a", clock)
    result = outcome.check
    assert result.status is Status.REDIRECTED
    assert result.final_url == "https://www.faz.net/b?x=1"
    assert [(h.url, h.status_code, h.location) for h in result.redirects] == [
        ("http://faz.net/a", 301, "https://www.faz.net/a"),
        ("https://www.faz.net/a", 302, "/b?x=1"),
    ]
    assert result.http_status == 200
    assert result.attempts == 1
    assert outcome.page is not None
    assert outcome.page.url == "https://www.faz.net/b?x=1"


async def test_redirect_to_404_is_not_found_with_hops(httpx_mock: HTTPXMock, clock) -> None:
    httpx_mock.add_response(url=URL, status_code=301, headers={"Location": "/neu"})
    httpx_mock.add_response(url="https://www.faz.net/neu", status_code=404)
    result = (await check(URL, clock)).check
    assert result.status is Status.NOT_FOUND
    assert len(result.redirects) == 1


async def test_redirect_loop(httpx_mock: HTTPXMock, clock) -> None:
    for here, there in [("a", "b"), ("b", "a")]:
        httpx_mock.add_response(
            url=f"https://{here}.example/",
            status_code=302,
            headers={"Location": f"https://{there}.example/"},
            is_reusable=True,
        )
    result = (await check("https://a.example/", clock)).check
    assert result.status is Status.TOO_MANY_REDIRECTS
    assert "loop" in result.reason
    assert len(httpx_mock.get_requests()) <= 4  # stopped early, not at max_redirects


async def test_too_many_redirects(httpx_mock: HTTPXMock, clock) -> None:
    for i in range(4):
        httpx_mock.add_response(url=f"https://x.example/{i}", status_code=302,
                                headers={"Location": f"/{i + 1}"})  # fmt: skip
    result = await check("https://x.example/0", clock, SETTINGS.with_changes(max_redirects=3))
    assert result.check.status is Status.TOO_MANY_REDIRECTS
    assert "more than 3 redirects" in result.check.reason
    assert len(result.check.redirects) == 4
    assert len(httpx_mock.get_requests()) == 4


async def test_redirect_to_non_http_scheme_is_invalid(httpx_mock: HTTPXMock, clock) -> None:
    httpx_mock.add_response(url=URL, status_code=302, headers={"Location": "ftp://faz.net/x"})
    result = (await check(URL, clock)).check
    assert result.status is Status.INVALID
    assert len(result.redirects) == 1


async def test_redirect_without_location_is_an_error(httpx_mock: HTTPXMock, clock) -> None:
    httpx_mock.add_response(url=URL, status_code=302)
    result = (await check(URL, clock)).check
    assert result.status is Status.HTTP_ERROR
    assert result.redirects == []


async def test_503_then_200_is_retried(httpx_mock: HTTPXMock, clock) -> None:
    httpx_mock.add_response(url=URL, status_code=503)
    httpx_mock.add_response(url=URL, status_code=200, html="da")
    result = (await check(URL, clock)).check
    assert result.status is Status.OK
    assert result.attempts == 2
    assert len(clock.sleeps) == 1
    assert 0.5 <= clock.sleeps[0] <= 4.0  # backoff between backoff_initial and backoff_max


async def test_retries_are_bounded(httpx_mock: HTTPXMock, clock) -> None:
    httpx_mock.add_response(url=URL, status_code=502, is_reusable=True)
    result = (await check(URL, clock)).check
    assert result.status is Status.HTTP_ERROR
    assert result.http_status == 502
    assert result.attempts == 3  # 1 + settings.retries
    assert len(httpx_mock.get_requests()) == 3


@pytest.mark.parametrize(("header", "wait"), [("7", 7.0), ("3600", 30.0)])
async def test_429_honours_retry_after(
    httpx_mock: HTTPXMock, clock, header: str, wait: float
) -> None:
    httpx_mock.add_response(url=URL, status_code=429, headers={"Retry-After": header})
    httpx_mock.add_response(url=URL, status_code=200)
    result = (await check(URL, clock)).check
    assert result.status is Status.OK
    assert result.attempts == 2
    assert clock.sleeps[0] == wait  # capped at retry_after_cap


async def test_retry_after_penalizes_the_host_for_other_requests(
    httpx_mock: HTTPXMock, clock
) -> None:
    other = "https://www.faz.net/anderer"
    httpx_mock.add_response(url=URL, status_code=503, headers={"Retry-After": "20"})
    httpx_mock.add_response(url=URL, status_code=200)
    httpx_mock.add_response(url=other, status_code=200)
    async with Fetcher(SETTINGS, clock=clock) as fetcher:
        await fetcher.check(URL)
        clock.sleeps.clear()
        clock.time -= 15  # as if only 5 of the 20 seconds had passed since the 503
        await fetcher.check(other)
    assert sum(clock.sleeps) >= 15


@pytest.mark.parametrize(
    ("exc", "status", "attempts"),
    [
        (httpx.ConnectTimeout("timed out"), Status.TIMEOUT, 3),
        (httpx.ReadTimeout("timed out"), Status.TIMEOUT, 3),
        (httpx.ConnectError("All connection attempts failed"), Status.CONNECTION_ERROR, 3),
        (httpx.RemoteProtocolError("Server disconnected"), Status.CONNECTION_ERROR, 3),
    ],
)
async def test_transient_failures_are_retried(
    httpx_mock: HTTPXMock, clock, exc: Exception, status: Status, attempts: int
) -> None:
    httpx_mock.add_exception(exc, url=URL, is_reusable=True)
    outcome = await check(URL, clock)
    assert outcome.check.status is status
    assert outcome.check.attempts == attempts
    assert outcome.check.http_status is None
    assert outcome.page is None
    assert outcome.check.error


async def test_total_deadline_ends_a_slow_answer(httpx_mock: HTTPXMock, clock) -> None:
    async def never_answers(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        return httpx.Response(200)

    httpx_mock.add_callback(never_answers, url=URL, is_reusable=True)
    settings = SETTINGS.with_changes(timeout=0.05, retries=0)
    result = (await check(URL, clock, settings)).check
    assert result.status is Status.TIMEOUT
    assert "total deadline" in result.reason


async def test_same_url_is_fetched_once(httpx_mock: HTTPXMock, clock) -> None:
    async def slow_ok(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.01)
        return httpx.Response(200, html="<title>Einmal</title>")

    httpx_mock.add_callback(slow_ok, url=URL)
    async with Fetcher(SETTINGS, clock=clock) as fetcher:
        outcomes = await asyncio.gather(*(fetcher.check(URL) for _ in range(5)))
        later = await fetcher.check(URL)
    assert len(httpx_mock.get_requests()) == 1
    assert {o.check.page_title for o in [*outcomes, later]} == {"Einmal"}


async def test_cancelling_one_caller_keeps_the_shared_check(httpx_mock: HTTPXMock, clock) -> None:
    async def slow_ok(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.02)
        return httpx.Response(200)

    httpx_mock.add_callback(slow_ok, url=URL)
    async with Fetcher(SETTINGS, clock=clock) as fetcher:
        first = asyncio.create_task(fetcher.check(URL))
        second = asyncio.create_task(fetcher.check(URL))
        await asyncio.sleep(0)
        first.cancel()
        outcome = await second
    assert first.cancelled()
    assert outcome.check.status is Status.OK


@pytest.mark.parametrize(
    ("content_type", "body", "charset"),
    [
        ("text/html; charset=ISO-8859-1", f"<title>{GERMAN}</title>".encode("cp1252"),
         "windows-1252"),
        ("text/html", f'<meta charset="windows-1252"><title>{GERMAN}</title>'.encode("cp1252"),
         "windows-1252"),
        ("text/html; charset=utf-8", f"<title>{GERMAN}</title>".encode(), "utf-8"),
        ("text/html", f"<title>{GERMAN}</title>".encode("cp1252"), "windows-1252"),
    ],
)  # fmt: skip
async def test_german_pages_decode(
    httpx_mock: HTTPXMock, clock, content_type: str, body: bytes, charset: str
) -> None:
    httpx_mock.add_response(url=URL, headers={"Content-Type": content_type}, content=body)
    outcome = await check(URL, clock)
    assert outcome.check.page_title == GERMAN
    assert outcome.check.charset == charset
    assert outcome.check.content_type == "text/html"
    assert outcome.check.body_bytes == len(body)
    assert outcome.page is not None
    assert outcome.page.charset == charset
    assert GERMAN in (outcome.page.text or "")


async def test_body_is_capped(httpx_mock: HTTPXMock, clock) -> None:
    body = b"<p>" + b"x" * 10_000
    httpx_mock.add_response(url=URL, headers={"Content-Type": "text/html"}, content=body)
    outcome = await check(URL, clock, SETTINGS.with_changes(max_body_bytes=1000))
    assert outcome.check.truncated is True
    assert outcome.check.body_bytes == 1000
    assert outcome.page is not None
    assert outcome.page.truncated is True
    assert len(outcome.page.text or "") == 1000


async def test_body_at_exactly_the_cap_is_not_truncated(httpx_mock: HTTPXMock, clock) -> None:
    httpx_mock.add_response(url=URL, headers={"Content-Type": "text/plain"}, content=b"a" * 1000)
    outcome = await check(URL, clock, SETTINGS.with_changes(max_body_bytes=1000))
    assert outcome.check.truncated is False
    assert outcome.check.body_bytes == 1000


@pytest.mark.parametrize("content_type", ["image/png; q=1", "application/octet-stream"])
async def test_binary_bodies_are_not_kept(httpx_mock: HTTPXMock, clock, content_type: str) -> None:
    httpx_mock.add_response(url=URL, headers={"Content-Type": content_type}, content=b"\x89PNG")
    outcome = await check(URL, clock)
    assert outcome.check.status is Status.OK
    assert outcome.check.content_type == content_type.split(";")[0]
    assert outcome.check.charset is None
    assert outcome.check.page_title is None
    assert outcome.page is not None
    assert outcome.page.text is None


async def test_a_pdf_is_read_and_a_broken_one_is_unreadable(
    httpx_mock: HTTPXMock, clock
) -> None:
    # (Real PDFs are read in tests/documents/test_pdf.py; this checks the fetch hook.)
    httpx_mock.add_response(
        url=URL, headers={"Content-Type": "application/pdf"}, content=b"%PDF-1.7 cut off"
    )
    outcome = await check(URL, clock)
    assert outcome.check.status is Status.UNREADABLE
    assert outcome.check.content_type == "application/pdf"
    assert outcome.check.signals == ["pdf:damaged"]
    assert "HTTP 200 OK, but the PDF is damaged" in outcome.check.reason
    assert outcome.page is not None
    assert outcome.page.text is None


async def test_missing_content_type_with_binary_body(httpx_mock: HTTPXMock, clock) -> None:
    httpx_mock.add_response(url=URL, content=b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    outcome = await check(URL, clock)
    assert outcome.check.content_type is None
    assert outcome.page is not None
    assert outcome.page.text is None


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://faz.net/x", "not an http(s) URL"),
        ("http://[::1/", "not a valid URL"),
        ("https:///nohost", "URL without a host"),
    ],
)
async def test_uncheckable_urls_are_invalid(url: str, reason: str, clock) -> None:
    result = (await check(url, clock)).check
    assert result.status is Status.INVALID
    assert reason in result.reason
    assert result.attempts == 1


async def test_check_outside_the_context_raises(clock) -> None:
    fetcher = Fetcher(SETTINGS, clock=clock)
    with pytest.raises(RuntimeError, match="async with"):
        await fetcher.check(URL)


async def test_a_page_evicted_from_memory_is_fetched_again_for_a_later_citation(
    httpx_mock: HTTPXMock, clock
) -> None:
    # No cache and a tiny page budget: the second article citing URL must still get
    # the page text its claims are checked against, not None.
    other = "https://www.zeit.de/anderer-artikel"
    httpx_mock.add_response(url=URL, html="<p>Erster Artikel</p>", is_reusable=True)
    httpx_mock.add_response(url=other, html="<p>Zweiter Artikel</p>")
    async with Fetcher(SETTINGS, clock=clock, page_memory_chars=1) as fetcher:
        first = await fetcher.check(URL)
        await fetcher.check(other)  # pushes URL's page out of memory
        again = await fetcher.check(URL)
    assert first.page is not None
    assert again.page is not None
    assert again.page.text == "<p>Erster Artikel</p>"
    # Fetched again: the page comes with the check of the same answer.
    assert again.check.status == first.check.status
    assert again.check.checked_at >= first.check.checked_at


async def test_an_unreadable_cache_entry_is_a_miss(httpx_mock: HTTPXMock, clock, tmp_path) -> None:
    from srccheck.fetch.cache import Cache, CacheKind

    httpx_mock.add_response(url=URL, html="<title>Frisch</title>")
    with Cache(tmp_path / "c.sqlite3") as cache:
        cache.put(CacheKind.LINK, URL, '{"check": {"status": "from-the-future"}}', 3600.0)
        async with Fetcher(SETTINGS, clock=clock, cache=cache) as fetcher:
            outcome = await fetcher.check(URL)
    assert outcome.check.status is Status.OK
    assert outcome.check.page_title == "Frisch"
    assert not outcome.check.from_cache


async def test_a_links_only_run_keeps_no_page_texts(httpx_mock: HTTPXMock, clock, tmp_path) -> None:
    from srccheck.fetch.cache import Cache

    httpx_mock.add_response(url=URL, html="<title>Seite</title><p>Text</p>")
    with Cache(tmp_path / "c.sqlite3") as cache:
        async with Fetcher(SETTINGS, clock=clock, cache=cache, keep_pages=False) as fetcher:
            first = await fetcher.check(URL)
            again = await fetcher.check(URL)  # a second citation: no page, no request
        async with Fetcher(SETTINGS, clock=clock, cache=cache, keep_pages=False) as fetcher:
            warm = await fetcher.check(URL)  # a fresh cache hit: the page stays compressed
    assert first.check.page_title == "Seite"
    assert again.page is None
    assert warm.check.from_cache
    assert warm.page is None
    assert len(httpx_mock.get_requests()) == 1
