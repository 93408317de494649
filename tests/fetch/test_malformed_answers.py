"""Answers a server may send that must end as a value (a status), never as a crash,
on both transports; and the cookie rule of the aiohttp jar. Found by a review of the
aiohttp transport (each test failed before its fix)."""

from __future__ import annotations

import asyncio
import math
from http.cookies import SimpleCookie

import pytest
from yarl import URL

from srccheck.credentials import Header, Secret
from srccheck.errors import UsageError
from srccheck.fetch.aio import HostOnlyCookieJar
from srccheck.fetch.client import Fetcher
from srccheck.settings import Settings, Transport
from srccheck.status import Status

LOCAL = Settings(allow_private=True, retries=0, timeout=60.0, soft404_probe=False, host_interval=0)
TRANSPORTS = [Transport.AIOHTTP, Transport.HTTPX]
PAGE = b"<title>Da</title><p>ok</p>"
OK = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s" % (
    len(PAGE),
    PAGE,
)
BAD_LOCATION = b"HTTP/1.1 302 Found\r\nLocation: /caf\xe9\r\nContent-Length: 0\r\n\r\n"


def _serving(answers: dict[str, bytes]):
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1].decode("latin-1").split("?")[0]
                writer.write(answers.get(path, OK))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    return handle


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_location_that_is_not_utf8_is_an_invalid_redirect(raw_server, transport) -> None:
    port = await raw_server(_serving({"/badloc": BAD_LOCATION}))
    async with Fetcher(LOCAL.with_changes(transport=transport)) as fetcher:
        outcome = await fetcher.check(f"http://127.0.0.1:{port}/badloc")
    # httpx reads the header as latin-1 and follows /caf%C3%A9; aiohttp cannot form the URL.
    assert outcome.check.status in (Status.REDIRECTED, Status.INVALID), outcome.check.reason


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_url_credentials_beside_an_authorization_header(raw_server, transport) -> None:
    port = await raw_server(_serving({}))
    settings = LOCAL.with_changes(
        transport=transport, headers=(Header("Authorization", Secret("Bearer x", "test")),)
    )
    async with Fetcher(settings) as fetcher:
        outcome = await fetcher.check(f"http://u:p@127.0.0.1:{port}/ok")
    assert outcome.check.status is Status.OK, outcome.check.reason


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_cookie_that_is_not_ascii_does_not_break_the_next_request(
    raw_server, transport
) -> None:
    bad = b"HTTP/1.1 200 OK\r\nSet-Cookie: a=\xff\xfe; Path=/\r\nContent-Length: 2\r\n\r\nok"
    port = await raw_server(_serving({"/setbad": bad}))
    async with Fetcher(LOCAL.with_changes(transport=transport, per_host=1)) as fetcher:
        first = await fetcher.check(f"http://127.0.0.1:{port}/setbad")
        second = await fetcher.check(f"http://127.0.0.1:{port}/ok")
    assert first.check.status is Status.OK
    assert second.check.status in (Status.OK, Status.CONNECTION_ERROR)  # a value, not a crash


async def test_a_cookie_for_a_public_suffix_goes_back_to_its_own_host_only() -> None:
    jar = HostOnlyCookieJar()
    cookies = SimpleCookie()
    cookies.load("super=1; Domain=com; Path=/")
    jar.update_cookies(cookies, URL("http://evil.com/set"))
    assert "super" not in jar.filter_cookies(URL("http://victim.com/"))
    assert "super" not in jar.filter_cookies(URL("http://b.evil.com/"))
    assert jar.filter_cookies(URL("http://evil.com/"))["super"].value == "1"


@pytest.mark.parametrize("field", ["timeout", "connect_timeout", "host_interval"])
def test_settings_refuse_numbers_that_are_not_finite(field: str) -> None:
    for value in (math.nan, math.inf):
        with pytest.raises(UsageError, match="finite"):
            Settings(**{field: value})


@pytest.mark.parametrize("agent", ["é", "a\nb", ""])
def test_settings_refuse_a_user_agent_that_is_no_header_value(agent: str) -> None:
    with pytest.raises(UsageError, match="user-agent"):
        Settings(user_agent=agent)
