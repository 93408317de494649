"""Bounded Content-Encoding decoding (srccheck.fetch.decoding) against a table of bodies."""

from __future__ import annotations

import gzip
import zlib

import brotli
import httpx
import pytest
from hostile_server import BOMB_BYTES, brotli_bomb, stacked_bomb
from pytest_httpserver import HTTPServer

from srccheck.fetch import decoding
from srccheck.fetch.client import Fetcher
from srccheck.fetch.decoding import PIECE_BYTES, UNDECODED, decoded_response
from srccheck.settings import DEFAULT_SETTINGS
from srccheck.status import Status

CAP = DEFAULT_SETTINGS.max_body_bytes
#: One decoding step's output: zlib stops at PIECE_BYTES; brotli stops growing its
#: buffer once it reaches PIECE_BYTES, so a piece can be up to one growth step more.
STEP = 2 * PIECE_BYTES

TEXT = "Grüße aus Köln. ".encode() * 5000


def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


async def _read(encoding: str, body: bytes, limit: int | None = None) -> tuple[bytes, int]:
    """Decoded body (up to ``limit`` bytes) and the largest piece the stream produced."""
    response = decoded_response(
        httpx.Response(200, headers={"Content-Encoding": encoding}, stream=httpx.ByteStream(body))
    )
    assert "content-encoding" not in response.headers
    out, largest = bytearray(), 0
    async for piece in response.aiter_bytes():
        out += piece
        largest = max(largest, len(piece))
        if limit is not None and len(out) >= limit:
            break
    await response.aclose()
    return bytes(out), largest


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("gzip", gzip.compress(TEXT)),
        ("x-gzip", gzip.compress(TEXT)),
        ("gzip", gzip.compress(TEXT[:1000]) + gzip.compress(TEXT[1000:])),  # two members
        ("deflate", zlib.compress(TEXT)),
        ("deflate", _raw_deflate(TEXT)),
        ("br", brotli.compress(TEXT)),
        ("gzip, br", brotli.compress(gzip.compress(TEXT))),
        ("identity, gzip", gzip.compress(TEXT)),
    ],
)
async def test_bodies_decode_exactly(encoding: str, body: bytes) -> None:
    decoded, largest = await _read(encoding, body)
    assert decoded == TEXT
    assert largest <= STEP


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "gzip, br", "br, gzip"])
async def test_bombs_hold_no_more_than_the_cap_and_one_step(encoding: str) -> None:
    """A 10 GiB bomb read up to the body cap: no piece larger than one decoding step, and
    decoding stops when the reader does (the Fetcher keeps at most the cap)."""
    assert BOMB_BYTES == 10 * 1024**3
    decoded, largest = await _read(encoding, stacked_bomb(encoding), limit=CAP)
    assert largest <= STEP, largest
    assert CAP <= len(decoded) < CAP + STEP  # nothing decoded past the reader's stop
    assert decoded.strip(b"\x00") == b""


async def test_corrupt_body_is_a_decoding_error() -> None:
    with pytest.raises(httpx.DecodingError, match="gzip"):
        await _read("gzip", b"\x1f\x8b\x08\x00garbage-garbage-garbage")


async def test_codings_without_a_bounded_decoder_are_never_decoded() -> None:
    body = gzip.compress(b"zstd would go here")
    response = decoded_response(
        httpx.Response(
            200, headers={"Content-Encoding": "zstd, gzip"}, stream=httpx.ByteStream(body)
        )
    )
    assert response.extensions[UNDECODED] == "zstd"
    assert "content-encoding" not in response.headers  # so httpx does not decode either
    assert await response.aread() == body


async def test_plain_answers_are_left_alone() -> None:
    response = httpx.Response(200, headers={"Content-Encoding": "identity"}, content=b"x")
    assert decoded_response(response) is response


def test_the_installed_brotli_binding_is_bounded_and_advertised() -> None:
    # srccheck depends on brotli >= 1.2; the test environment must give the tests that one.
    assert decoding.brotli_is_bounded()
    assert decoding.accept_encoding() == "gzip, deflate, br"


class _UnboundedDecompressor:
    """brotlipy's and old brotli's shape: no output limit."""

    def __init__(self) -> None:
        self._inner = brotli.Decompressor()

    def process(self, data: bytes) -> bytes:
        return self._inner.process(data)

    def is_finished(self) -> bool:
        return self._inner.is_finished()

    def can_accept_more_data(self) -> bool:
        return True


class _LimitIgnoringDecompressor(_UnboundedDecompressor):
    """Takes the argument, but returns everything at once."""

    def process(self, data: bytes, output_buffer_limit: int | None = None) -> bytes:
        return self._inner.process(data)


class _FakeBinding:
    error = brotli.error

    def __init__(self, decompressor: type) -> None:
        self.Decompressor = decompressor


@pytest.fixture
def unbounded_brotli(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest):
    monkeypatch.setattr(decoding, "brotli", _FakeBinding(request.param))
    decoding.brotli_is_bounded.cache_clear()
    yield
    decoding.brotli_is_bounded.cache_clear()


@pytest.mark.parametrize(
    "unbounded_brotli", [_UnboundedDecompressor, _LimitIgnoringDecompressor], indirect=True
)
@pytest.mark.usefixtures("unbounded_brotli")
async def test_a_binding_that_cannot_bound_its_output_is_not_used() -> None:
    assert not decoding.brotli_is_bounded()
    assert decoding.accept_encoding() == "gzip, deflate"
    body = brotli_bomb()
    response = decoded_response(
        httpx.Response(200, headers={"Content-Encoding": "br"}, stream=httpx.ByteStream(body))
    )
    assert response.extensions[UNDECODED] == "br"
    assert "content-encoding" not in response.headers
    assert len(await response.aread()) == len(body)  # the compressed bytes, never inflated


# --- through the Fetcher, against a real server -------------------------------------------------

LOCAL = DEFAULT_SETTINGS.with_changes(
    allow_private=True, retries=0, soft404_probe=False, host_interval=0.0
)
PAGE = "<html><head><title>Grüße</title></head><body><p>Grüße aus Köln.</p></body></html>"


def _serve_brotli(httpserver: HTTPServer) -> str:
    httpserver.expect_request("/br").respond_with_data(
        brotli.compress(PAGE.encode()),
        headers={"Content-Encoding": "br"},
        content_type="text/html; charset=utf-8",
    )
    return httpserver.url_for("/br")


async def _check(url: str):
    async with Fetcher(LOCAL) as fetcher:
        return await fetcher.check(url)


async def test_the_fetcher_asks_for_brotli_and_decodes_it(httpserver: HTTPServer) -> None:
    outcome = await _check(_serve_brotli(httpserver))
    (request, _), *_ = httpserver.log
    assert request.headers["Accept-Encoding"] == "gzip, deflate, br"
    assert outcome.check.status is Status.OK
    assert outcome.check.page_title == "Grüße"
    assert outcome.check.body_bytes == len(PAGE.encode())


@pytest.mark.parametrize("unbounded_brotli", [_UnboundedDecompressor], indirect=True)
@pytest.mark.usefixtures("unbounded_brotli")
async def test_without_a_bounded_binding_brotli_is_not_asked_for_nor_read(
    httpserver: HTTPServer,
) -> None:
    outcome = await _check(_serve_brotli(httpserver))  # the server sends br all the same
    (request, _), *_ = httpserver.log
    assert request.headers["Accept-Encoding"] == "gzip, deflate"
    check = outcome.check
    assert check.status is Status.OK  # the page answered: the link works
    assert "body was not read" in check.reason
    assert "'br'" in check.reason
    assert "encoding:br" in check.signals
    assert check.body_bytes == 0
    assert outcome.page is None or outcome.page.text is None
