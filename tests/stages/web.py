"""A loopback web of several hosts (127.0.0.2, 127.0.0.3 …) that counts what it is asked.

Every host serves ``/p/<n>`` (a page quoting the minister of
tests/reuse_runs.PAGE), ``/gone/<n>`` (404) and ``/busy/<n>`` (503, never
cached). The server counts requests per URL and the peak of requests in
flight per host; it holds each answer ``hold`` seconds so that requests
overlap (counts decide the tests, never how long anything took). A host
with a gate (:meth:`Web.gate`) holds every answer until the test opens it.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.reuse_runs import PAGE

__all__ = ["Web", "serve_web"]


@dataclass
class Web:
    """The servers' shared counters; ``bases`` are the hosts' ``http://IP:PORT``."""

    bases: list[str] = field(default_factory=list)
    requests: Counter[str] = field(default_factory=Counter)  # URL → requests
    in_flight: Counter[str] = field(default_factory=Counter)  # host → now
    peak: Counter[str] = field(default_factory=Counter)  # host → most at once
    lock: threading.Lock = field(default_factory=threading.Lock)
    hold: float = 0.02
    # Set by a test to learn when the n-th request arrived (see first_requests).
    arrived: threading.Event = field(default_factory=threading.Event)
    arrive_after: int = 0
    gates: dict[str, threading.Event] = field(default_factory=dict)  # host → open when set

    def gate(self, base: str) -> threading.Event:
        """Hold the answers of the host at ``base`` until the returned event is set."""
        gate = self.gates[base.removeprefix("http://")] = threading.Event()
        return gate

    def total(self) -> int:
        with self.lock:
            return sum(self.requests.values())

    def paths_requested(self, path: str) -> int:
        """Requests for ``path`` on any host (``/p/1`` on two hosts counts twice)."""
        with self.lock:
            return sum(n for url, n in self.requests.items() if url.endswith(path))


def _handler(web: Web) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            host = f"{self.server.server_address[0]}:{self.server.server_address[1]}"
            with web.lock:
                web.requests[f"http://{host}{self.path}"] += 1
                web.in_flight[host] += 1
                web.peak[host] = max(web.peak[host], web.in_flight[host])
                if web.arrive_after and sum(web.requests.values()) >= web.arrive_after:
                    web.arrived.set()
            try:
                threading.Event().wait(web.hold)
                gate = web.gates.get(host)
                if gate is not None:
                    gate.wait(300)  # opened by the test (the limit only ends a broken test)
                if self.path.startswith("/p/"):
                    self._answer(200, PAGE.replace("Bericht", f"Bericht {self.path}"))
                elif self.path.startswith("/busy/"):
                    self._answer(503, "busy")
                else:
                    self._answer(404, "not here")
            finally:
                with web.lock:
                    web.in_flight[host] -= 1

        def _answer(self, code: int, text: str) -> None:
            body = text.encode("utf-8")
            self.send_response(code)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return None

    return Handler


@contextmanager
def serve_web(hosts: int, *, hold: float = 0.02) -> Iterator[Web]:
    """``hosts`` threaded servers on 127.0.0.2 … (one port each), stopped afterwards."""
    web = Web(hold=hold)
    servers = []
    try:
        for i in range(hosts):
            server = ThreadingHTTPServer((f"127.0.0.{i + 2}", 0), _handler(web))
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, daemon=True).start()
            servers.append(server)
            web.bases.append(f"http://127.0.0.{i + 2}:{server.server_address[1]}")
        yield web
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
