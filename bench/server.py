"""The benchmark's loopback web server: uvicorn in several worker processes.

One listening socket per host address (``127.0.0.2``, ``127.0.0.3`` … on one
port) is opened in the parent and shared by ``workers`` processes, each running
a uvicorn :class:`~uvicorn.Server` over all sockets (the kernel spreads the
connections, as with uvicorn's own ``--workers``). Every answer waits
``latency`` seconds with :func:`asyncio.sleep`, so waiting never blocks a worker.

Requests are counted in shared memory without locks: each worker owns one row
of a :class:`RequestCounters` table and the parent adds the rows up, so "the
warm run sent N requests" is a difference of two snapshots.

Requests *in flight* (from the moment uvicorn hands a counted request to the
app until its last byte is sent) are counted across all workers, overall and
per host, in a second shared table under one lock, with the peak of each since
:meth:`RequestCounters.reset_peaks`: the server's own evidence of a client's
``--concurrency`` and ``--per-host`` caps (:meth:`RequestCounters.peaks`).

Paths served (besides the pages of :class:`bench.corpus.Web`):

* ``/__bench/health`` – 200, for the start-up check (not counted);
* ``/__bench/links.html`` – one page that links ``links`` pages (the peers' start page);
* ``/robots.txt`` – allows everything.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import multiprocessing.sharedctypes
import socket
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from bench.corpus import PageKind, Web, host_address, page_id_from_path

__all__ = [
    "Counter",
    "CounterSnapshot",
    "InFlight",
    "InFlightPeaks",
    "RequestCounters",
    "SelfTestResult",
    "ServerConfig",
    "bench_server",
    "self_test",
]

Scope = dict[str, Any]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class Counter(IntEnum):
    """Columns of a worker's counter row, before the per-page columns."""

    TOTAL = 0  # every counted request
    PAGES = 1  # requests for a page path (cited URL), any method
    REDIRECT_TARGETS = 2  # requests for /neu/… (followed redirects)
    OTHER = 3  # robots.txt, the links page, unknown paths
    HEAD = 4  # HEAD requests among all of the above


_COLUMNS = len(Counter)


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """What to serve and how: the web, the latency, worker processes, the links page."""

    web: Web
    latency: float = 0.05
    workers: int = 2
    links: int = 0  # the links page links pages 0 … links-1


@dataclass(frozen=True, slots=True)
class CounterSnapshot:
    """Counts summed over all workers at one moment."""

    totals: tuple[int, ...]
    pages: tuple[int, ...]  # requests per page id (page paths only, not /neu/)

    def __sub__(self, other: CounterSnapshot) -> CounterSnapshot:
        return CounterSnapshot(
            tuple(a - b for a, b in zip(self.totals, other.totals, strict=True)),
            tuple(a - b for a, b in zip(self.pages, other.pages, strict=True)),
        )

    def count(self, column: Counter) -> int:
        return self.totals[column]


@dataclass(frozen=True, slots=True)
class InFlightPeaks:
    """The most requests in flight at once since the last reset: overall and per host."""

    overall: int
    per_host: tuple[int, ...]  # indexed by host number

    @property
    def busiest_host(self) -> int:
        """The highest per-host peak (0 when no host was asked)."""
        return max(self.per_host, default=0)


@dataclass(slots=True)
class RequestCounters:
    """A workers × (counters + pages) table of 64-bit ints in shared memory.

    Besides, an in-flight table shared by all workers: ``[now, peak]`` overall,
    then ``[now, peak]`` per host, updated under ``lock`` (a request enters and
    leaves it once each; the lock is held for a few additions).
    """

    workers: int
    pages: int
    hosts: int = 1
    table: Any = field(init=False)
    in_flight: Any = field(init=False)
    lock: Any = field(init=False)

    def __post_init__(self) -> None:
        self.table = multiprocessing.sharedctypes.RawArray(
            "q", self.workers * (_COLUMNS + self.pages)
        )
        self.in_flight = multiprocessing.sharedctypes.RawArray("q", 2 * (1 + self.hosts))
        self.lock = multiprocessing.get_context("spawn").Lock()

    @property
    def row_length(self) -> int:
        return _COLUMNS + self.pages

    def snapshot(self) -> CounterSnapshot:
        n = self.row_length
        rows = [self.table[w * n : (w + 1) * n] for w in range(self.workers)]
        summed = [sum(col) for col in zip(*rows, strict=True)]
        return CounterSnapshot(tuple(summed[:_COLUMNS]), tuple(summed[_COLUMNS:]))

    def peaks(self) -> InFlightPeaks:
        """The peaks since the last :meth:`reset_peaks` (or the start)."""
        with self.lock:
            values = self.in_flight[:]
        return InFlightPeaks(values[1], tuple(values[3::2]))

    def reset_peaks(self) -> None:
        """Start a new measuring window: each peak becomes what is in flight now."""
        with self.lock:
            for i in range(0, len(self.in_flight), 2):
                self.in_flight[i + 1] = self.in_flight[i]


class InFlight:
    """One worker's handle on the shared in-flight table (see :class:`RequestCounters`)."""

    def __init__(self, table: Any, lock: Any) -> None:
        self.table = table
        self.lock = lock

    def enter(self, host: int | None) -> None:
        """A request arrived; ``host`` is its host number (``None``: not one of ours)."""
        with self.lock:
            self._add(0, 1)
            if host is not None:
                self._add(2 + 2 * host, 1)

    def leave(self, host: int | None) -> None:
        with self.lock:
            self._add(0, -1)
            if host is not None:
                self._add(2 + 2 * host, -1)

    def _add(self, at: int, step: int) -> None:
        now = self.table[at] + step
        self.table[at] = now
        if now > self.table[at + 1]:
            self.table[at + 1] = now


class BenchApp:
    """The ASGI application of one worker (raw ASGI: no framework between us and uvicorn)."""

    def __init__(
        self, config: ServerConfig, table: Any, row: int, in_flight: InFlight | None = None
    ) -> None:
        self.config = config
        self.web = config.web
        self.table = table
        self.base = row * (_COLUMNS + config.web.pages)
        self.in_flight = in_flight
        self.host_numbers = {host_address(h): h for h in range(config.web.hosts)}

    def _count(self, column: int, method: str) -> None:
        # Only this worker writes its row, and the loop is single-threaded: no lock.
        self.table[self.base + Counter.TOTAL] += 1
        self.table[self.base + column] += 1
        if method == "HEAD":
            self.table[self.base + Counter.HEAD] += 1

    async def __call__(self, scope: Scope, receive: Any, send: Send) -> None:
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        method: str = scope["method"]
        if path == "/__bench/health":
            await _respond(send, method, 200, b"ok", "text/plain")
            return
        if self.in_flight is None:
            await self._answer(path, method, send)
            return
        server = scope.get("server")
        host = self.host_numbers.get(server[0]) if server else None
        self.in_flight.enter(host)
        try:
            await self._answer(path, method, send)
        finally:
            self.in_flight.leave(host)

    async def _answer(self, path: str, method: str, send: Send) -> None:
        page = page_id_from_path(path)
        if page is None or page >= self.web.pages:
            self._count(Counter.OTHER, method)
            await self._other(path, method, send)
            return
        redirected = path.startswith("/neu/")
        if redirected:
            self._count(Counter.REDIRECT_TARGETS, method)
        else:
            self._count(Counter.PAGES, method)
            self.table[self.base + _COLUMNS + page] += 1
        kind = self.web.kind(page)
        delay = self.config.latency * (self.web.slow_factor if kind is PageKind.SLOW else 1)
        await asyncio.sleep(delay)
        if kind is PageKind.NOT_FOUND:
            await _respond(send, method, 404, self.web.not_found_html().encode(), "text/html")
        elif kind is PageKind.REDIRECT and not redirected:
            await _respond(send, method, 301, b"", "text/html", location=f"/neu{path}")
        else:
            await _respond(send, method, 200, self.web.html(page).encode(), "text/html")

    async def _other(self, path: str, method: str, send: Send) -> None:
        if path == "/robots.txt":
            await _respond(send, method, 200, b"User-agent: *\nAllow: /\n", "text/plain")
        elif path == "/__bench/links.html":
            body = self.web.links_html(range(self.config.links)).encode()
            await _respond(send, method, 200, body, "text/html")
        else:
            await asyncio.sleep(self.config.latency)
            await _respond(send, method, 404, self.web.not_found_html().encode(), "text/html")


async def _respond(
    send: Send, method: str, status: int, body: bytes, media: str, location: str | None = None
) -> None:
    headers = [
        (b"content-type", f"{media}; charset=utf-8".encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    if location is not None:
        headers.append((b"location", location.encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})


def _serve_worker(
    config: ServerConfig,
    table: Any,
    in_flight: Any,
    lock: Any,
    row: int,
    sockets: list[socket.socket],
) -> None:
    """Entry point of one worker process: serve ``sockets`` until SIGTERM."""
    import uvicorn

    app = BenchApp(config, table, row, InFlight(in_flight, lock))
    uv_config = uvicorn.Config(
        app,
        loop="uvloop",
        http="httptools",
        lifespan="off",
        access_log=False,
        log_level="warning",
        timeout_keep_alive=30,
    )
    uvicorn.Server(uv_config).run(sockets=sockets)


def _bind(hosts: int, port: int) -> list[socket.socket]:
    sockets = []
    try:
        for h in range(hosts):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host_address(h), port))
            if port == 0:
                port = sock.getsockname()[1]  # the first host picks; the others follow
            sock.listen(4096)
            sock.set_inheritable(True)
            sockets.append(sock)
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def _wait_until_ready(web: Web, deadline: float) -> None:
    for h in range(web.hosts):
        address = (host_address(h), web.port)
        while True:
            try:
                with socket.create_connection(address, timeout=1) as conn:
                    conn.sendall(b"GET /__bench/health HTTP/1.1\r\nHost: x\r\n\r\n")
                    if conn.recv(64).startswith(b"HTTP/1.1 200"):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"benchmark server did not start on {address}")
            time.sleep(0.05)


@contextlib.contextmanager
def bench_server(config: ServerConfig) -> Iterator[tuple[ServerConfig, RequestCounters]]:
    """Start the server; yield the config with its real port, and the counters.

    ``config.web.port`` 0 picks a free port. The workers are stopped (SIGTERM,
    then SIGKILL after 5 s) when the block ends.
    """
    sockets: list[socket.socket] = []
    for _attempt in range(20):
        try:
            sockets = _bind(config.web.hosts, config.web.port)
            break
        except OSError:
            if config.web.port:
                raise
    if not sockets:
        raise RuntimeError("no free port for the benchmark server")
    port = sockets[0].getsockname()[1]
    web = Web(**{**_web_fields(config.web), "port": port})
    config = ServerConfig(
        web=web, latency=config.latency, workers=config.workers, links=config.links
    )
    counters = RequestCounters(config.workers, web.pages, web.hosts)
    ctx = multiprocessing.get_context("spawn")
    processes = [
        ctx.Process(
            target=_serve_worker,
            args=(config, counters.table, counters.in_flight, counters.lock, row, sockets),
            name=f"bench-server-{row}",
            daemon=True,
        )
        for row in range(config.workers)
    ]
    try:
        for process in processes:
            process.start()
        _wait_until_ready(web, time.monotonic() + 30)
        yield config, counters
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(5)
            if process.is_alive():
                process.kill()
                process.join()
        for sock in sockets:
            sock.close()


def _web_fields(web: Web) -> dict[str, Any]:
    return {name: getattr(web, name) for name in web.__dataclass_fields__}


# --- self-test ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SelfTestResult:
    requests: int
    seconds: float
    connections: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


async def _client_connection(web: Web, pages: list[int], stop_at: float, done: list[int]) -> None:
    # A minimal keep-alive HTTP/1.1 client: the point is to load the server, so the
    # client must cost less than any real checker (no parsing beyond Content-Length).
    host = host_address(web.host_of(pages[0]))
    reader, writer = await asyncio.open_connection(host, web.port)
    try:
        i = 0
        while time.monotonic() < stop_at:
            path = web.path(pages[i % len(pages)])
            i += 1
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            done[0] += 1
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def _self_test(web: Web, connections: int, seconds: float) -> SelfTestResult:
    ok_pages = [p for p in range(min(web.pages, 5_000)) if web.kind(p) is PageKind.OK]
    by_host: dict[int, list[int]] = {}
    for p in ok_pages:
        by_host.setdefault(web.host_of(p), []).append(p)
    host_pages = list(by_host.values())
    done = [0]
    start = time.monotonic()
    await asyncio.gather(
        *(
            _client_connection(web, host_pages[c % len(host_pages)], start + seconds, done)
            for c in range(connections)
        )
    )
    return SelfTestResult(done[0], time.monotonic() - start, connections)


def self_test(web: Web, *, connections: int, seconds: float = 2.0) -> SelfTestResult:
    """Load the running server alone with ``connections`` keep-alive clients for ``seconds``.

    Only OK pages are requested (no slow pages), so the rate is bounded by
    ``connections / latency`` and by the server's CPU, which is what we want to see.
    """
    return asyncio.run(_self_test(web, connections, seconds))
