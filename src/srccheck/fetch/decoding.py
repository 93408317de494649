"""Content-Encoding decoding with bounded memory (decompression bombs).

httpx decodes ``gzip``/``deflate``/``br`` bodies one network chunk at a time
but without an output limit: a single 64 KiB chunk of a brotli bomb expands to
more than a gigabyte in one call, before any size cap can look at it. The
:class:`BoundedDecodingTransport` therefore decodes these encodings itself and
hands httpx the decoded body in pieces:

* ``gzip`` and ``deflate`` (zlib-wrapped or raw) are decompressed with zlib's
  ``max_length``, so no piece is larger than :data:`PIECE_BYTES`; concatenated
  gzip members are decoded one after the other, as browsers do;
* ``br`` has no output limit in every binding, so the compressed input is fed
  :data:`BROTLI_INPUT_BYTES` at a time; brotli can expand one such slice to at
  most a few MiB (one window), which bounds the memory of a piece.

The decoded stream is pulled, not pushed: when the reader stops (the body cap
of :meth:`srccheck.fetch.client.Fetcher` is reached), nothing more is
decompressed. ``Content-Encoding`` and ``Content-Length`` are removed from the
answer so httpx does not decode a second time. Encodings this module does not
know (``zstd`` …) are left to httpx unchanged. A corrupt body raises
``httpx.DecodingError`` while it is read, like httpx itself.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Protocol

import httpx

try:  # the import name both brotli bindings share, as in httpx._decoders
    import brotli
except ImportError:  # pragma: no cover - httpx[brotli] is a dependency
    brotli = None

__all__ = [
    "BROTLI_INPUT_BYTES",
    "PIECE_BYTES",
    "BoundedDecodingTransport",
    "bounded_decoders",
    "decoded_response",
]

#: Largest piece of decoded gzip/deflate output produced at a time.
PIECE_BYTES = 64 * 1024
#: Compressed brotli input fed to the decoder at a time.
BROTLI_INPUT_BYTES = 64


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


class _BrotliDecoder:
    """brotli, fed in small slices of compressed input (see the module docstring)."""

    def __init__(self) -> None:
        assert brotli is not None
        decompressor = brotli.Decompressor()
        self._decompress: Callable[[bytes], bytes] = getattr(
            decompressor, "decompress", None
        ) or decompressor.process

    def decode(self, data: bytes) -> Iterator[bytes]:
        for start in range(0, len(data), BROTLI_INPUT_BYTES):
            try:
                out = self._decompress(data[start : start + BROTLI_INPUT_BYTES])
            except brotli.error as exc:
                raise httpx.DecodingError(f"invalid brotli body: {exc}") from exc
            if out:
                yield out

    def flush(self) -> Iterator[bytes]:
        return iter(())


def _decoder(name: str) -> _Decoder | None:
    if name in ("gzip", "x-gzip"):
        return _ZlibDecoder(gzip=True)
    if name == "deflate":
        return _ZlibDecoder(gzip=False)
    if name == "br" and brotli is not None:
        return _BrotliDecoder()
    return None


def bounded_decoders(content_encoding: str | None) -> list[_Decoder] | None:
    """Decoders for a ``Content-Encoding`` value, innermost last; ``None`` to leave it to httpx.

    Rule: every listed coding (``identity`` aside) must be one this module
    bounds; otherwise the whole answer is left as it is.
    """
    if not content_encoding:
        return None
    names = [part.strip().lower() for part in content_encoding.split(",")]
    names = [name for name in names if name and name != "identity"]
    decoders = [_decoder(name) for name in reversed(names)]  # the last coding applied first
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


class _DecodedStream(httpx.AsyncByteStream):
    def __init__(self, raw: httpx.AsyncByteStream, decoders: list[_Decoder]) -> None:
        self._raw = raw
        self._decoders = decoders

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._raw:
            for piece in _through(self._decoders, chunk):
                yield piece
        for piece in _flushed(self._decoders):
            yield piece

    async def aclose(self) -> None:
        await self._raw.aclose()


def decoded_response(response: httpx.Response) -> httpx.Response:
    """``response`` with a bounded, decoded body stream, or unchanged (see module docstring)."""
    decoders = bounded_decoders(response.headers.get("content-encoding"))
    if decoders is None or not isinstance(response.stream, httpx.AsyncByteStream):
        return response
    headers = response.headers.copy()
    del headers["content-encoding"]
    headers.pop("content-length", None)
    return httpx.Response(
        status_code=response.status_code,
        headers=headers,
        stream=_DecodedStream(response.stream, decoders),
        extensions=response.extensions,
    )


class BoundedDecodingTransport(httpx.AsyncHTTPTransport):
    """httpx's transport whose answers are decoded with bounded memory."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return decoded_response(await super().handle_async_request(request))
