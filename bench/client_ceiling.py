"""How fast can the HTTP client alone go here? The ceiling under srccheck's throughput figure.

    python bench/client_ceiling.py [--urls 3000] [--repeat 3] [--only NAME …] …

Serves the benchmark's pages (``bench.server``, OK pages only, so every answer
is one request of ~100 KB) and fetches each once, with the same global and
per-host limits srccheck uses, several ways, each in a fresh event loop:

* ``httpx bare`` / ``aiohttp bare`` / ``httpx+aiohttp bare``: one client
  (default pool; ``httpx+aiohttp`` is httpx over the ``httpx-aiohttp``
  transport), streaming and discarding each body — no parsing, no cache, no
  retries;
* ``Fetcher``: :class:`srccheck.fetch.client.Fetcher` without a cache (safety
  policy, bounded decoding, retries, one HTML parse per page for soft 404s,
  paywalls and titles), on each transport srccheck offers (``--transport``);
* ``Fetcher + cache``: the same with a fresh SQLite cache (pages compressed
  and stored, as in a real run).

Each runs on the ``asyncio`` and/or ``uvloop`` event loop (``/asyncio``,
``/uvloop`` in the name). Printed per client: URLs/s, the ratio to the ideal
``min(concurrency, hosts × per host) / latency``, and the CPU time this process
spent per URL (``getrusage``: user + system; the server runs in other
processes). The machine is shared (2 cores, the server on them too), so wall
rates are noisy: ``--repeat N`` runs every client N times, interleaved (A B C,
A B C …), and prints the minimum and median CPU per URL and the best and median
rate. CPU per URL is the steadier figure.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

if __package__ in (None, ""):  # run as a script: make ``bench`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import PageKind, Web
from bench.server import ServerConfig, bench_server

__all__ = ["CLIENTS", "Sample", "main", "measure"]

Client = Callable[[list[str], int, int], Awaitable[None]]


async def _drain_with_httpx(
    client: httpx.AsyncClient, urls: list[str], concurrency: int, per_host: int
) -> None:
    """GET every URL with ``client`` and read its raw body, at most ``concurrency``
    at a time and ``per_host`` per host."""
    slots = asyncio.Semaphore(concurrency)
    hosts: dict[str, asyncio.Semaphore] = {}

    async def one(url: str) -> None:
        host = httpx.URL(url).host
        async with (
            slots,
            hosts.setdefault(host, asyncio.Semaphore(per_host)),
            client.stream("GET", url) as response,
        ):
            async for _ in response.aiter_raw():
                pass

    await asyncio.gather(*(one(url) for url in urls))


async def _bare_httpx(urls: list[str], concurrency: int, per_host: int) -> None:
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=concurrency * per_host)
    async with httpx.AsyncClient(limits=limits, timeout=30, trust_env=False) as client:
        await _drain_with_httpx(client, urls, concurrency, per_host)


async def _bare_httpx_aiohttp(urls: list[str], concurrency: int, per_host: int) -> None:
    import aiohttp
    from httpx_aiohttp import AiohttpTransport

    connector = aiohttp.TCPConnector(limit=0, limit_per_host=per_host)
    session = aiohttp.ClientSession(connector=connector, auto_decompress=False)
    transport = AiohttpTransport(client=session)
    async with httpx.AsyncClient(transport=transport, timeout=30, trust_env=False) as client:
        await _drain_with_httpx(client, urls, concurrency, per_host)


async def _bare_aiohttp(urls: list[str], concurrency: int, per_host: int) -> None:
    import aiohttp
    from yarl import URL

    slots = asyncio.Semaphore(concurrency)
    hosts: dict[str, asyncio.Semaphore] = {}
    connector = aiohttp.TCPConnector(limit=0, limit_per_host=per_host)
    async with aiohttp.ClientSession(connector=connector, auto_decompress=False) as session:

        async def one(url: str) -> None:
            host = URL(url).host or ""
            async with (
                slots,
                hosts.setdefault(host, asyncio.Semaphore(per_host)),
                session.get(url) as response,
            ):
                async for _ in response.content.iter_any():
                    pass

        await asyncio.gather(*(one(url) for url in urls))


def _fetcher(*, cache: bool, httpx_aiohttp: bool = False, **changes: Any) -> Client:
    """The Fetcher; ``httpx_aiohttp``: on httpx over the ``httpx-aiohttp`` transport (for
    comparison only: that transport has none of srccheck's address policy)."""

    async def run(urls: list[str], concurrency: int, per_host: int) -> None:
        from srccheck.fetch.cache import Cache
        from srccheck.fetch.client import Fetcher
        from srccheck.settings import Settings

        settings = Settings(
            concurrency=concurrency,
            per_host=per_host,
            host_interval=0,
            allow_private=True,
            **changes,
        )
        with tempfile.TemporaryDirectory() as folder:
            store = Cache(Path(folder) / "cache.sqlite3") if cache else None
            try:
                transport = None
                if httpx_aiohttp:
                    import aiohttp
                    from httpx_aiohttp import AiohttpTransport

                    session = aiohttp.ClientSession(auto_decompress=False)
                    transport = AiohttpTransport(client=session)
                async with Fetcher(
                    settings, cache=store, keep_pages=False, transport=transport
                ) as fetcher:
                    await asyncio.gather(*(fetcher.check(url) for url in urls))
            finally:
                if store is not None:
                    store.close()

    return run


def _transports() -> tuple[str, ...]:
    try:
        from srccheck.fetch.transport import TRANSPORTS
    except ImportError:  # a srccheck without a choice of transport
        return ("",)
    return tuple(TRANSPORTS)


def _clients() -> dict[str, Client]:
    clients: dict[str, Client] = {
        "httpx bare": _bare_httpx,
        "httpx+aiohttp bare": _bare_httpx_aiohttp,
        "aiohttp bare": _bare_aiohttp,
    }
    for name in _transports():
        changes: dict[str, Any] = {}
        if name:
            from srccheck.settings import Transport

            changes["transport"] = Transport(name)
        label = f"Fetcher {name}".rstrip()
        clients[label] = _fetcher(cache=False, **changes)
        clients[f"{label} + cache"] = _fetcher(cache=True, **changes)
    clients["Fetcher httpx+aiohttp"] = _fetcher(cache=False, httpx_aiohttp=True)
    return clients


CLIENTS: dict[str, Client] = _clients()
LOOPS = ("asyncio", "uvloop")


@dataclass(frozen=True, slots=True)
class Sample:
    """One run of one client: wall seconds and CPU seconds of this process."""

    urls: int
    wall_s: float
    cpu_s: float

    @property
    def rate(self) -> float:
        return self.urls / self.wall_s

    @property
    def cpu_ms_per_url(self) -> float:
        return self.cpu_s * 1000 / self.urls


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _run(client: Client, targets: list[str], concurrency: int, per_host: int, loop: str) -> Sample:
    factory: Callable[[], asyncio.AbstractEventLoop] | None = None
    if loop == "uvloop":
        import uvloop

        factory = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=factory) as runner:
        cpu, start = _cpu_seconds(), time.perf_counter()
        runner.run(client(targets, concurrency, per_host))
        wall, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
    return Sample(len(targets), wall, cpu)


def measure(
    *,
    urls: int,
    hosts: int,
    latency: float,
    concurrency: int,
    per_host: int,
    workers: int,
    names: list[str],
    repeat: int = 1,
    echo: Callable[[str], None] = lambda _: None,
) -> dict[str, list[Sample]]:
    """Samples of each client ``names`` (``"<client>/<loop>"``) on the same OK pages."""
    web = Web(pages=urls * 2, hosts=hosts, port=0)
    samples: dict[str, list[Sample]] = {name: [] for name in names}
    with bench_server(ServerConfig(web=web, latency=latency, workers=workers)) as (server, _):
        pages = [p for p in range(server.web.pages) if server.web.kind(p) is PageKind.OK]
        targets = [server.web.url(p) for p in pages[:urls]]
        for round_ in range(repeat):
            for name in names:
                client, _, loop = name.rpartition("/")
                sample = _run(CLIENTS[client], targets, concurrency, per_host, loop)
                samples[name].append(sample)
                echo(
                    f"  round {round_ + 1} {name}: {sample.rate:,.0f} URLs/s, "
                    f"{sample.cpu_ms_per_url:.2f} ms CPU/URL"
                )
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/client_ceiling.py", description=__doc__)
    parser.add_argument("--urls", type=int, default=3000, help="OK pages fetched per client")
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per answer")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--per-host", type=int, default=4)
    parser.add_argument("--server-workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1, help="interleaved rounds")
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="NAME",
        help=f"clients as NAME/LOOP (loops: {', '.join(LOOPS)}); clients: {', '.join(CLIENTS)}",
    )
    parser.add_argument("--verbose", action="store_true", help="print every round")
    args = parser.parse_args(argv)
    names = args.only or [f"{client}/{loop}" for client in CLIENTS for loop in LOOPS]
    for name in names:
        client, _, loop = name.rpartition("/")
        if client not in CLIENTS or loop not in LOOPS:
            parser.error(f"unknown client {name!r}")
    ideal = min(args.concurrency, args.hosts * args.per_host) / args.latency
    samples = measure(
        urls=args.urls,
        hosts=args.hosts,
        latency=args.latency,
        concurrency=args.concurrency,
        per_host=args.per_host,
        workers=args.server_workers,
        names=names,
        repeat=args.repeat,
        echo=print if args.verbose else lambda _: None,
    )
    print(f"ideal min(conc, hosts×per_host)/latency: {ideal:,.0f} URLs/s; {args.repeat} round(s)")
    header = ("client/loop", "URLs/s best/median", "of ideal", "CPU ms/URL min/median")
    print(f"{header[0]:<34} {header[1]:>20} {header[2]:>9} {header[3]:>22}")
    for name, runs in samples.items():
        rates = [s.rate for s in runs]
        cpu = [s.cpu_ms_per_url for s in runs]
        print(
            f"{name:<34} {max(rates):>9,.0f} / {statistics.median(rates):<8,.0f} "
            f"{max(rates) / ideal:>8.2f} {min(cpu):>10.2f} / {statistics.median(cpu):<9.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
