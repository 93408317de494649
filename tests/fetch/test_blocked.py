"""Bot walls: the signature rule against a table, then challenge answers from a real server."""

from __future__ import annotations

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from srccheck.fetch.bots import bot_wall_signals
from srccheck.fetch.client import Fetcher
from srccheck.fetch.retry import should_retry
from srccheck.settings import Settings
from srccheck.status import Outcome, Status

# Retries on: a bot wall must still be asked only once.
LOCAL = Settings(
    allow_private=True, retries=2, timeout=60.0, host_interval=0.0, backoff_initial=0.01,
    soft404_probe=False,
)  # fmt: skip
CF_PAGE = "<html><head><title>Just a moment...</title></head><body>cf-chl-widget</body></html>"


@pytest.mark.parametrize(
    ("code", "headers", "body", "cookies", "expected"),
    [
        (403, {"cf-mitigated": "challenge"}, "", [], ("bot:cloudflare",)),
        (403, {"server": "cloudflare"}, CF_PAGE, [], ("bot:cloudflare",)),
        (503, {"server": "cloudflare"}, "<title>Attention Required! | Cloudflare</title>", [],
         ("bot:cloudflare",)),
        (403, {"x-datadome": "protected"}, "", [], ("bot:datadome",)),
        (403, {}, "", ["datadome=abc; Path=/"], ("bot:datadome",)),
        (429, {}, '<script src="https://geo.captcha-delivery.com/c.js"></script>', [],
         ("bot:datadome",)),
        (403, {"server": "AkamaiGHost"}, "", [], ("bot:akamai",)),
        (403, {}, "<h1>Access Denied</h1>You don't have permission … Reference #18.2d", [],
         ("bot:akamai",)),
        (403, {}, '<div id="px-captcha"></div>Press &amp; Hold', [], ("bot:perimeterx",)),
        (403, {}, "", ["_pxhd=1; Path=/"], ("bot:perimeterx",)),
        (999, {}, "", [], ("bot:linkedin-999",)),
        (405, {"x-amzn-waf-action": "captcha"}, "", [], ("bot:aws-waf",)),
        # Not bot walls: a plain refusal, a real error page, a page that mentions Cloudflare.
        (403, {}, "<h1>Forbidden</h1>", [], ()),
        (429, {"retry-after": "5"}, "Too many requests", [], ()),
        (503, {"server": "nginx"}, "Wartungsarbeiten", [], ()),
        (200, {"server": "cloudflare"}, "Just a moment... please read on", [], ()),
        (404, {"server": "cloudflare"}, CF_PAGE, [], ()),
    ],
)
def test_bot_wall_rule(
    code: int, headers: dict[str, str], body: str, cookies: list[str], expected: tuple[str, ...]
) -> None:
    assert bot_wall_signals(code, httpx.Headers(headers), body, set_cookies=cookies) == expected


def test_blocked_is_never_retried_and_unverifiable() -> None:
    assert should_retry(Status.BLOCKED, 429) is False
    assert should_retry(Status.BLOCKED, 503) is False
    assert should_retry(Status.HTTP_ERROR, 429) is True
    assert Status.BLOCKED.outcome is Outcome.UNVERIFIABLE


async def test_cloudflare_challenge_is_blocked_not_retried(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/artikel").respond_with_response(
        Response(CF_PAGE, status=403, headers={"cf-mitigated": "challenge", "Server": "cloudflare"},
                 content_type="text/html")
    )  # fmt: skip
    async with Fetcher(LOCAL) as fetcher:
        outcome = await fetcher.check(httpserver.url_for("/artikel"))
    check = outcome.check
    assert check.status is Status.BLOCKED
    assert check.outcome is Outcome.UNVERIFIABLE
    assert check.http_status == 403
    assert check.signals == ["bot:cloudflare"]
    assert "Cloudflare" in check.reason
    assert "could not be verified" in check.reason
    assert check.attempts == 1
    assert len(httpserver.log) == 1


async def test_datadome_429_is_not_retried(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a").respond_with_response(
        Response("blocked", status=429, headers={"x-datadome": "protected", "Retry-After": "0"})
    )
    async with Fetcher(LOCAL) as fetcher:
        outcome = await fetcher.check(httpserver.url_for("/a"))
    assert outcome.check.status is Status.BLOCKED
    assert outcome.check.signals == ["bot:datadome"]
    assert len(httpserver.log) == 1


async def test_linkedin_999_is_blocked(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/in/someone").respond_with_response(
        Response("", status=999, content_type="text/html")
    )
    async with Fetcher(LOCAL) as fetcher:
        outcome = await fetcher.check(httpserver.url_for("/in/someone"))
    assert outcome.check.status is Status.BLOCKED
    assert outcome.check.http_status == 999
    assert outcome.check.signals == ["bot:linkedin-999"]


async def test_challenge_after_a_redirect_stays_blocked(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/alt").respond_with_response(
        Response(status=301, headers={"Location": "/neu"})
    )
    httpserver.expect_request("/neu").respond_with_response(
        Response("", status=403, headers={"cf-mitigated": "challenge"})
    )
    async with Fetcher(LOCAL) as fetcher:
        outcome = await fetcher.check(httpserver.url_for("/alt"))
    assert outcome.check.status is Status.BLOCKED
    assert len(outcome.check.redirects) == 1


async def test_plain_403_stays_an_http_error(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/intern").respond_with_data("<h1>Forbidden</h1>", status=403)
    async with Fetcher(LOCAL) as fetcher:
        outcome = await fetcher.check(httpserver.url_for("/intern"))
    assert outcome.check.status is Status.HTTP_ERROR
    assert outcome.check.signals == []
