"""Bounded Content-Encoding decoding (srccheck.fetch.decoding) against a table of bodies."""

from __future__ import annotations

import gzip
import zlib

import brotli
import httpx
import pytest
from hostile_server import brotli_bomb, gzip_bomb

from srccheck.fetch.decoding import PIECE_BYTES, decoded_response

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
    assert largest <= PIECE_BYTES or encoding.endswith("br")


@pytest.mark.parametrize(("encoding", "build"), [("gzip", gzip_bomb), ("br", brotli_bomb)])
async def test_bombs_are_decoded_in_bounded_pieces_only_as_far_as_read(encoding, build) -> None:
    body = build(1024**3)  # 1 GiB of zeros
    decoded, largest = await _read(encoding, body, limit=1_000_000)
    assert 1_000_000 <= len(decoded) < 40 * 1024 * 1024  # stopped soon after the reader did
    assert largest <= 16 * 1024 * 1024
    assert decoded.strip(b"\x00") == b""


async def test_corrupt_body_is_a_decoding_error() -> None:
    with pytest.raises(httpx.DecodingError, match="gzip"):
        await _read("gzip", b"\x1f\x8b\x08\x00garbage-garbage-garbage")


async def test_unknown_encodings_are_left_to_httpx() -> None:
    response = httpx.Response(200, headers={"Content-Encoding": "zstd, gzip"}, content=b"x")
    assert decoded_response(response) is response
