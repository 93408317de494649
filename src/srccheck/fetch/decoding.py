"""Content-Encoding decoding with bounded memory (decompression bombs).

httpx decodes ``gzip``/``deflate``/``br`` bodies one network chunk at a time
but without an output limit: a single 64 KiB chunk of a brotli bomb expands to
more than a gigabyte in one call, before any size cap can look at it. The
:class:`BoundedDecodingTransport` therefore decodes these encodings itself and
hands httpx the decoded body in pieces, each of bounded size:

* ``gzip`` and ``deflate`` (zlib-wrapped or raw) are decompressed with zlib's
  ``max_length``, so no piece is larger than :data:`PIECE_BYTES`; concatenated
  gzip members are decoded one after the other, as browsers do;
* ``br`` is decoded only with a binding that bounds each call's *output*
  (Google's ``brotli`` ≥ 1.2: ``process(data, output_buffer_limit=N)`` and
  ``can_accept_more_data()``). Slicing the *input* bounds nothing: 317 bytes of
  brotli input can expand to 200 MB in one call. Whether the importable
  ``brotli`` module bounds its output is tested once, on a small bomb
  (:func:`brotli_is_bounded`); when it does not (brotlipy, brotlicffi without
  the limit, brotli < 1.2, none installed), ``br`` is not advertised in
  ``Accept-Encoding`` (:data:`ACCEPT_ENCODING`) and is not decoded at all.

An answer in a coding this module cannot decode within its bounds (``br``
without a bounded binding, ``zstd``, ``compress`` …) is never handed to
httpx's own decoders: its body is not decoded, and the response carries the
coding in ``extensions[UNDECODED]``, so the fetch stage reports the page as
reached but unread, with the reason.

The decoded stream is pulled, not pushed: when the reader stops (the body cap
of :meth:`srccheck.fetch.client.Fetcher` is reached), nothing more is
decompressed. ``Content-Encoding`` and ``Content-Length`` are removed from the
answer so httpx does not decode a second time. A corrupt body raises
``httpx.DecodingError`` while it is read, like httpx itself.
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import AsyncIterable, AsyncIterator, Iterator
from typing import Any, Protocol

import httpx

try:  # the import name every brotli binding uses (Google's brotli, brotlicffi, brotlipy)
    import brotli
except ImportError:  # pragma: no cover - brotli is a dependency
    brotli = None

__all__ = [
    "PIECE_BYTES",
    "UNDECODED",
    "BoundedDecodingTransport",
    "accept_encoding",
    "bounded_decoders",
    "brotli_is_bounded",
    "decoded_chunks",
    "decoded_response",
    "undecodable_coding",
]

#: Output limit of one decoding step: zlib's ``max_length`` and brotli's
#: ``output_buffer_limit``. brotli stops growing its buffer once it reaches the
#: limit, so one brotli piece can be up to about one more growth step larger.
PIECE_BYTES = 64 * 1024
#: Response extension naming the coding of a body that was left undecoded.
UNDECODED = "srccheck.undecoded_coding"

# 1 MiB of zeros, brotli-compressed (14 bytes): the probe of brotli_is_bounded().
_PROBE_BOMB = bytes.fromhex("5bffff8f7f02201e0b0472ef1f00")
_PROBE_SIZE = 1024 * 1024


class _Decoder(Protocol):
    def decode(self, data: bytes) -> Iterator[bytes]: ...

    def flush(self) -> Iterator[bytes]: ...


class _ZlibDecoder:
    """gzip (``wbits`` 31, several members) or deflate (zlib-wrapped, else raw)."""

    def __init__(self, gzip: bool) -> None:
        self._gzip = gzip
        self._wbits = zlib.MAX_WBITS | 16 if gzip else zlib.MAX_WBITS
        self._inflate = zlib.decompressobj(self._wbits)
        self._first = True

    def decode(self, data: bytes) -> Iterator[bytes]:
        pending = data
        while True:
            try:
                out = self._inflate.decompress(pending, PIECE_BYTES)
            except zlib.error as exc:
                if self._first and not self._gzip:  # servers often send raw deflate
                    self._first = False
                    self._wbits = -zlib.MAX_WBITS
                    self._inflate = zlib.decompressobj(self._wbits)
                    continue
                raise httpx.DecodingError(f"invalid {self._name} body: {exc}") from exc
            self._first = False
            if out:
                yield out
            pending = self._inflate.unconsumed_tail
            if self._inflate.eof:
                rest = self._inflate.unused_data
                if not (self._gzip and rest.strip(b"\x00")):
                    return  # trailing bytes after the stream are ignored, as by httpx
                self._inflate = zlib.decompressobj(self._wbits)  # the next gzip member
                pending = rest
                continue
            # A full piece may leave output inside zlib even when all input was taken.
            if not pending and len(out) < PIECE_BYTES:
                return

    def flush(self) -> Iterator[bytes]:
        if not self._inflate.eof:
            yield from self.decode(b"")

    @property
    def _name(self) -> str:
        return "gzip" if self._gzip else "deflate"


def _drain(decompressor: Any, data: bytes) -> Iterator[bytes]:
    """Feed ``data``, then yield the output it makes, at most about one limit per call.

    The binding holds back what does not fit the limit; empty calls drain it. The
    generator is pulled, so a bomb is expanded only as far as its reader reads.
    """
    step = data
    while True:
        out = decompressor.process(step, output_buffer_limit=PIECE_BYTES)
        if out:
            yield out
        if decompressor.is_finished():
            return
        if not out:
            if decompressor.can_accept_more_data():
                return  # everything given so far is out: wait for more input
            raise httpx.DecodingError("the brotli decoder made no progress")
        step = b""


@functools.cache
def brotli_is_bounded() -> bool:
    """True when the importable ``brotli`` module bounds the output of each call.

    Rule: a 14-byte body that expands to 1 MiB, decompressed with an output
    limit of :data:`PIECE_BYTES`, must come out whole, in pieces of at most two
    limits each. Any error (no ``output_buffer_limit`` argument, no
    ``can_accept_more_data``, a wrong result) means "not bounded".
    """
    if brotli is None or not hasattr(brotli, "Decompressor"):
        return False
    try:
        pieces = [len(piece) for piece in _drain(brotli.Decompressor(), _PROBE_BOMB)]
    except Exception:  # TypeError, AttributeError, brotli.error, DecodingError …
        return False
    return sum(pieces) == _PROBE_SIZE and max(pieces) <= 2 * PIECE_BYTES


def accept_encoding() -> str:
    """The ``Accept-Encoding`` value to send: only codings decoded within bounds."""
    return "gzip, deflate, br" if brotli_is_bounded() else "gzip, deflate"


class _BrotliDecoder:
    """brotli with a bounded binding: each call's output is limited (module docstring)."""

    def __init__(self) -> None:
        assert brotli is not None
        self._decompressor = brotli.Decompressor()

    def decode(self, data: bytes) -> Iterator[bytes]:
        try:
            yield from _drain(self._decompressor, data)
        except brotli.error as exc:
            raise httpx.DecodingError(f"invalid brotli body: {exc}") from exc

    def flush(self) -> Iterator[bytes]:
        return iter(())


def _decoder(name: str) -> _Decoder | None:
    if name in ("gzip", "x-gzip"):
        return _ZlibDecoder(gzip=True)
    if name == "deflate":
        return _ZlibDecoder(gzip=False)
    if name == "br" and brotli_is_bounded():
        return _BrotliDecoder()
    return None


def _codings(content_encoding: str | None) -> list[str]:
    names = [part.strip().lower() for part in (content_encoding or "").split(",")]
    return [name for name in names if name and name != "identity"]


def undecodable_coding(content_encoding: str | None) -> str | None:
    """The first coding of ``content_encoding`` that cannot be decoded within bounds."""
    return next((name for name in _codings(content_encoding) if _decoder(name) is None), None)


def bounded_decoders(content_encoding: str | None) -> list[_Decoder] | None:
    """Decoders for a ``Content-Encoding`` value, innermost last; ``None`` when there is
    nothing to decode or a coding cannot be decoded within bounds (:func:`undecodable_coding`).
    """
    decoders = [_decoder(name) for name in reversed(_codings(content_encoding))]
    if not decoders or any(decoder is None for decoder in decoders):
        return None
    return [decoder for decoder in decoders if decoder is not None]


def _through(decoders: list[_Decoder], data: bytes, level: int = 0) -> Iterator[bytes]:
    if level == len(decoders):
        if data:
            yield data
        return
    for piece in decoders[level].decode(data):
        yield from _through(decoders, piece, level + 1)


def _flushed(decoders: list[_Decoder], level: int = 0) -> Iterator[bytes]:
    if level == len(decoders):
        return
    for piece in decoders[level].flush():
        yield from _through(decoders, piece, level + 1)
    yield from _flushed(decoders, level + 1)


async def decoded_chunks(
    raw: AsyncIterable[bytes], decoders: list[_Decoder]
) -> AsyncIterator[bytes]:
    """The raw body ``raw`` decoded by ``decoders`` (from :func:`bounded_decoders`), pulled
    piece by piece: nothing is decompressed beyond what the reader takes."""
    async for chunk in raw:
        for piece in _through(decoders, chunk):
            yield piece
    for piece in _flushed(decoders):
        yield piece


class _DecodedStream(httpx.AsyncByteStream):
    def __init__(self, raw: httpx.AsyncByteStream, decoders: list[_Decoder]) -> None:
        self._raw = raw
        self._decoders = decoders

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for piece in decoded_chunks(self._raw, self._decoders):
            yield piece

    async def aclose(self) -> None:
        await self._raw.aclose()


def decoded_response(response: httpx.Response) -> httpx.Response:
    """``response`` with a bounded, decoded body stream (see the module docstring).

    Unchanged when it has no coding to decode; with its body left undecoded and
    :data:`UNDECODED` set when a coding cannot be decoded within bounds.
    """
    encoding = response.headers.get("content-encoding")
    if not _codings(encoding) or not isinstance(response.stream, httpx.AsyncByteStream):
        return response
    headers = response.headers.copy()
    del headers["content-encoding"]
    headers.pop("content-length", None)
    extensions = dict(response.extensions)
    decoders = bounded_decoders(encoding)
    if decoders is None:  # never to httpx's own, unbounded decoders
        extensions[UNDECODED] = undecodable_coding(encoding)
        stream: httpx.AsyncByteStream = response.stream
    else:
        stream = _DecodedStream(response.stream, decoders)
    return httpx.Response(
        status_code=response.status_code, headers=headers, stream=stream, extensions=extensions
    )


class BoundedDecodingTransport(httpx.AsyncHTTPTransport):
    """httpx's transport whose answers are decoded with bounded memory."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return decoded_response(await super().handle_async_request(request))
