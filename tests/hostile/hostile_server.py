"""A hostile web server on 127.0.0.1 and helpers to run the real CLI against it.

The fixtures that start it are in ``conftest.py``.

:class:`HostileServer` runs raw asyncio socket handlers in a thread of its own,
so that the CLI (which starts its own event loop) can be run in the test's
thread or as a subprocess. Every behaviour is a path: ``/gzip-bomb``,
``/trickle`` … (see :data:`BEHAVIOURS`); unknown paths answer 404. The server
counts accepted connections, so a test can prove that *no* connection was made.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import socket
import ssl
import struct
import subprocess
import sys
import threading
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import brotli
import h2.config
import h2.connection
import h2.events
import trustme

# The benchmark's process helpers (a folder of the repository, not an installed package).
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from bench.process import kill_group, measured_command, read_peak_rss_kib

ROOT = Path(__file__).resolve().parents[2]

Reader, Writer = asyncio.StreamReader, asyncio.StreamWriter
Handler = Callable[[Reader, Writer, str], Awaitable[None]]

HTML = b"<html><head><title>Hostile</title></head><body><p>Text</p></body></html>"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
BOMB_BYTES = 10 * 1024**3  # what the bombs below decompress to: 10 GiB
_BLOCK = 16 * 1024 * 1024


def _zlib_bomb(wbits: int, total: int) -> bytes:
    """Zeros that decompress to ``total`` bytes (about 1/1000 of it) under zlib ``wbits``.

    After a full flush, each further 16 MiB of zeros compresses to identical
    bytes, so the body is one compressed block repeated (no trailer: no client
    should read that far).
    """
    deflate = zlib.compressobj(9, zlib.DEFLATED, wbits)
    zeros = bytes(_BLOCK)
    head = deflate.compress(zeros) + deflate.flush(zlib.Z_FULL_FLUSH)
    block = deflate.compress(zeros) + deflate.flush(zlib.Z_FULL_FLUSH)
    return head + block * (total // _BLOCK - 1)


def gzip_bomb(total: int = BOMB_BYTES) -> bytes:
    """A gzip body of zeros that decompresses to ``total`` bytes."""
    return _zlib_bomb(31, total)


def deflate_bomb(total: int = BOMB_BYTES) -> bytes:
    """A zlib-wrapped deflate body of zeros that decompresses to ``total`` bytes."""
    return _zlib_bomb(zlib.MAX_WBITS, total)


def brotli_bomb(total: int = BOMB_BYTES) -> bytes:
    """A brotli body of zeros that decompresses to ``total`` bytes (~500 KB for 10 GiB)."""
    compressor = brotli.Compressor(quality=5)
    zeros = bytes(_BLOCK)
    parts = [compressor.process(zeros) + compressor.flush() for _ in range(4)]
    assert parts[2] == parts[3], "brotli no longer repeats itself; build the bomb another way"
    return b"".join(parts[:2]) + parts[2] * (total // _BLOCK - 2) + compressor.finish()


def stacked_bomb(encoding: str, total: int = BOMB_BYTES) -> bytes:
    """A bomb under every coding of ``encoding`` (a ``Content-Encoding`` value, in order)."""
    builders = {"gzip": gzip_bomb, "deflate": deflate_bomb, "br": brotli_bomb}
    first, *rest = (part.strip() for part in encoding.split(","))
    body = builders[first](total)
    for coding in rest:
        if coding == "br":
            compressor = brotli.Compressor(quality=5)
            body = compressor.process(body) + compressor.finish()
        else:
            body = zlib.compress(
                body, 6, zlib.MAX_WBITS | 16 if coding == "gzip" else zlib.MAX_WBITS
            )
    return body


async def _send(writer: asyncio.StreamWriter, data: bytes) -> None:
    writer.write(data)
    await writer.drain()


def _head(status: str = "200 OK", **headers: str | int) -> bytes:
    lines = [f"HTTP/1.1 {status}"] + [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _respond(body: bytes, status: str = "200 OK", **headers: str | int) -> Handler:
    async def handler(reader: Reader, writer: Writer, path: str) -> None:
        await _send(writer, _head(status, Content_Length=len(body), **headers) + body)

    return handler


def _redirect(location: str, status: str = "302 Found") -> Handler:
    return _respond(b"", status, Location=location)


async def _chain(reader: Reader, writer: Writer, path: str) -> None:
    step = int(path.rsplit("/", 1)[1])
    await _send(writer, _head("302 Found", Location=f"/chain/{step + 1}", Content_Length=0))


def _bomb(encoding: str, build: Callable[[], bytes]) -> Handler:
    cached: list[bytes] = []

    async def handler(reader: Reader, writer: Writer, path: str) -> None:
        if not cached:
            cached.append(build())
        body = cached[0]
        head = _head(Content_Type="text/plain", Content_Encoding=encoding, Content_Length=len(body))
        await _send(writer, head)
        for start in range(0, len(body), 65536):  # until the client hangs up
            await _send(writer, body[start : start + 65536])

    return handler


async def _endless(reader: Reader, writer: Writer, path: str) -> None:
    await _send(writer, _head(Content_Type="text/plain", Transfer_Encoding="chunked"))
    chunk = b"x" * 65536
    while True:
        await _send(writer, b"%x\r\n%s\r\n" % (len(chunk), chunk))


async def _large(reader: Reader, writer: Writer, path: str) -> None:
    size = 2 * 1024**3
    await _send(writer, _head(Content_Type="text/html", Content_Length=size))
    chunk = b"<p>" + b"y" * 65533
    for _ in range(size // len(chunk)):
        await _send(writer, chunk)


async def _trickle(reader: Reader, writer: Writer, path: str) -> None:
    await _send(writer, _head(Content_Type="text/plain", Content_Length=3600))
    for _ in range(3600):  # one byte per second: no read ever times out
        await _send(writer, b"x")
        await asyncio.sleep(1.0)


async def _silent(reader: Reader, writer: Writer, path: str) -> None:
    await asyncio.sleep(3600)


async def _huge_header(reader: Reader, writer: Writer, path: str) -> None:
    await _send(writer, b"HTTP/1.1 200 OK\r\nX-Huge: " + b"a" * (1024 * 1024) + b"\r\n")
    await _send(writer, b"Content-Length: 2\r\n\r\nok")


async def _reset(reader: Reader, writer: Writer, path: str) -> None:
    await _send(writer, _head(Content_Type="text/html", Content_Length=100_000) + HTML)
    sock = writer.get_extra_info("socket")
    # SO_LINGER 0: close() sends a TCP RST instead of an orderly FIN.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def _held(reader: Reader, writer: Writer, path: str) -> None:
    await asyncio.sleep(3600)  # an answer that never comes (interruption tests)


#: Path → (handler, the status srccheck must report) for the one-run test.
BEHAVIOURS: dict[str, tuple[Handler, str]] = {
    "/ok": (_respond(HTML, Content_Type="text/html; charset=utf-8"), "ok"),
    "/loop-a": (_redirect("/loop-b"), "too_many_redirects"),
    "/loop-b": (_redirect("/loop-a"), "too_many_redirects"),
    "/chain/*": (_chain, "too_many_redirects"),
    "/gzip-bomb": (_bomb("gzip", gzip_bomb), "ok"),
    "/br-bomb": (_bomb("br", brotli_bomb), "ok"),
    "/deflate-bomb": (_bomb("deflate", deflate_bomb), "ok"),
    "/gzip-br-bomb": (_bomb("gzip, br", lambda: stacked_bomb("gzip, br")), "ok"),
    "/endless": (_endless, "ok"),
    "/large": (_large, "ok"),
    "/trickle": (_trickle, "timeout"),
    "/silent": (_silent, "timeout"),
    "/huge-header": (_huge_header, "connection_error"),
    "/bad-status": (_respond(b"", "2OO OK"), "connection_error"),
    "/garbage": (lambda r, w, p: _send(w, b"\x00\xffNOT HTTP AT ALL\r\n\r\n"), "connection_error"),
    "/no-type": (_respond(HTML), "ok"),
    "/wrong-type": (_respond(PNG, Content_Type="text/html"), "ok"),
    "/pdf": (_respond(PDF, Content_Type="application/pdf"), "ok"),
    "/png": (_respond(PNG, Content_Type="image/png"), "ok"),
    "/reset": (_reset, "connection_error"),
}


@dataclass
class HostileServer:
    """Raw HTTP/1.1 (and, with ``h2``, HTTP/2 over TLS) handlers on 127.0.0.1."""

    handlers: dict[str, Handler] = field(default_factory=dict)
    ssl_context: ssl.SSLContext | None = None
    port: int = 0
    connections: int = 0
    requests: list[tuple[str, str]] = field(default_factory=list)  # (protocol, path)

    def __post_init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._tasks: set[asyncio.Task[None]] = set()
        self._server: asyncio.Server | None = None

    @property
    def base(self) -> str:
        scheme = "https" if self.ssl_context else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def start(self) -> HostileServer:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._accept, "127.0.0.1", 0, ssl=self.ssl_context),
            self._loop,
        )
        self._server = future.result(10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        async def close() -> None:
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            if self._server is not None:
                self._server.close()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _accept(self, reader: Reader, writer: Writer) -> None:
        self.connections += 1
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            ssl_object = writer.get_extra_info("ssl_object")
            if ssl_object is not None and ssl_object.selected_alpn_protocol() == "h2":
                await self._serve_h2(reader, writer)
            else:
                await self._serve_http11(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError, OSError):
            pass
        finally:
            self._tasks.discard(task)
            writer.close()

    async def _serve_http11(self, reader: Reader, writer: Writer) -> None:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            path = head.split(b" ", 2)[1].decode("latin-1")
            self.requests.append(("HTTP/1.1", path))
            handler = self.handlers.get(path.split("?")[0]) or next(
                (h for key, h in self.handlers.items() if key.endswith("*")
                 and path.startswith(key[:-1])),
                None,
            )  # fmt: skip
            await (handler or _respond(b"not here", "404 Not Found"))(reader, writer, path)

    async def _serve_h2(self, reader: Reader, writer: Writer) -> None:
        conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False))
        conn.initiate_connection()
        await _send(writer, conn.data_to_send())
        while data := await reader.read(65536):
            for event in conn.receive_data(data):
                if isinstance(event, h2.events.RequestReceived):
                    headers = dict(event.headers)
                    path = headers[b":path"].decode()
                    self.requests.append(("HTTP/2", path))
                    found = path == "/ok"
                    conn.send_headers(
                        event.stream_id,
                        [(":status", "200" if found else "404"), ("content-type", "text/html")],
                    )
                    conn.send_data(event.stream_id, HTML if found else b"", end_stream=True)
            await _send(writer, conn.data_to_send())


def behaviour_handlers() -> dict[str, Handler]:
    return {path: handler for path, (handler, _) in BEHAVIOURS.items()}


def tls_context(*names: str, expired: bool = False, alpn: tuple[str, ...] = ()) -> ssl.SSLContext:
    """A server TLS context with a certificate from a fresh (untrusted) trustme CA."""
    ca = trustme.CA()
    now = dt.datetime.now(dt.UTC)
    when = {"not_before": now - dt.timedelta(days=30), "not_after": now - dt.timedelta(days=1)}
    cert = ca.issue_cert(*names, **(when if expired else {}))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    if alpn:
        context.set_alpn_protocols(list(alpn))
    return context


respond = _respond
redirect = _redirect
held = _held


# --- running the CLI --------------------------------------------------------------------------


def cli_args(article: Path | list[Path], out: Path, *extra: str) -> list[str]:
    """``srccheck verify`` with what every hostile run needs: no cache, no archive, quiet."""
    articles = article if isinstance(article, list) else [article]
    return [
        "verify", *map(str, articles), "--output", str(out), "--no-cache", "--no-archive",
        "--quiet", "--format", "json,html", *extra,
    ]  # fmt: skip


@dataclass(frozen=True)
class Finished:
    returncode: int
    stdout: str
    stderr: str
    max_rss_bytes: int


def run_cli(args: list[str], cwd: Path, timeout: float = 120) -> Finished:
    """Run ``python -m srccheck ARGS`` in a subprocess; exit code, output and peak memory.

    The CLI runs under the benchmark's small trampoline (bench/process.py), which reaps
    it with ``os.wait4`` and writes its peak resident size: a direct child of pytest
    would report pytest's own size as its peak (Linux keeps the parent's resident size
    as a forked child's peak across exec; the full suite made it 450 MB).
    """
    out, err, rss = cwd / "cli.stdout", cwd / "cli.stderr", cwd / "cli.rss"
    command = measured_command([sys.executable, "-m", "srccheck", *args], rss)
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env={**os.environ, "NO_COLOR": "1", "COLUMNS": "120"},
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
    killer = threading.Timer(timeout, kill_group, (process,))
    killer.start()
    try:
        process.wait()
    finally:
        killer.cancel()
    return Finished(
        process.returncode,
        out.read_text(errors="replace"),
        err.read_text(errors="replace"),
        read_peak_rss_kib(rss) * 1024,  # kilobytes on Linux
    )


def start_cli(args: list[str], cwd: Path, **streams: object) -> subprocess.Popen[bytes]:
    """Start ``python -m srccheck ARGS`` (stdout and stderr piped unless given)."""
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **streams}
    return subprocess.Popen(
        [sys.executable, "-m", "srccheck", *args],
        cwd=cwd,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "120"},
        **streams,  # type: ignore[arg-type]
    )


def load_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def schema(name: str) -> dict:
    return load_json(ROOT / "schema" / name)
