"""How fast can the HTTP client alone go here? The ceiling under srccheck's throughput figure.

    python bench/client_ceiling.py [--urls 3000] [--hosts 20] [--latency 0.05] …

Serves the benchmark's pages (``bench.server``, OK pages only, so every answer
is one request of ~100 KB) and fetches each once, with the same global and
per-host limits srccheck uses, three ways, each in a fresh event loop:

* ``httpx bare``: one ``httpx.AsyncClient`` (default transport and pool),
  streaming and discarding each body — no parsing, no cache, no retries;
* ``srccheck Fetcher``: :class:`srccheck.fetch.client.Fetcher` without a cache
  (safety policy, per-origin pools, bounded decoding, retries, one HTML parse
  per page for soft 404s, paywalls and titles);
* ``srccheck Fetcher + cache``: the same with a fresh SQLite cache (pages are
  compressed and stored, as in a real run).

Each prints URLs/s and the ratio to the ideal ``min(concurrency, hosts × per
host) / latency``. If bare httpx cannot reach a target ratio on a machine,
srccheck in one process cannot either: that part is the client's (and the
machine's) cost, not srccheck's. The server runs on the same machine.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

if __package__ in (None, ""):  # run as a script: make ``bench`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import PageKind, Web
from bench.server import ServerConfig, bench_server

__all__ = ["main", "measure"]


async def _bare_httpx(urls: list[str], concurrency: int, per_host: int) -> None:
    slots = asyncio.Semaphore(concurrency)
    hosts: dict[str, asyncio.Semaphore] = {}
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=concurrency * per_host)
    async with httpx.AsyncClient(limits=limits, timeout=30, trust_env=False) as client:

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


def _fetcher(*, cache: bool) -> Callable[[list[str], int, int], Awaitable[None]]:
    async def run(urls: list[str], concurrency: int, per_host: int) -> None:
        from srccheck.fetch.cache import Cache
        from srccheck.fetch.client import Fetcher
        from srccheck.settings import Settings

        settings = Settings(
            concurrency=concurrency, per_host=per_host, host_interval=0, allow_private=True
        )
        with tempfile.TemporaryDirectory() as folder:
            store = Cache(Path(folder) / "cache.sqlite3") if cache else None
            try:
                async with Fetcher(settings, cache=store, keep_pages=False) as fetcher:
                    await asyncio.gather(*(fetcher.check(url) for url in urls))
            finally:
                if store is not None:
                    store.close()

    return run


CLIENTS: dict[str, Callable[[list[str], int, int], Awaitable[None]]] = {
    "httpx bare": _bare_httpx,
    "srccheck Fetcher": _fetcher(cache=False),
    "srccheck Fetcher + cache": _fetcher(cache=True),
}


def measure(
    *, urls: int, hosts: int, latency: float, concurrency: int, per_host: int, workers: int
) -> dict[str, float]:
    """URLs per second of each client in :data:`CLIENTS` on the same OK pages."""
    web = Web(pages=urls * 2, hosts=hosts, port=0)
    with bench_server(ServerConfig(web=web, latency=latency, workers=workers)) as (server, _):
        pages = [p for p in range(server.web.pages) if server.web.kind(p) is PageKind.OK]
        targets = [server.web.url(p) for p in pages[:urls]]
        rates = {}
        for name, client in CLIENTS.items():
            start = time.perf_counter()
            asyncio.run(client(targets, concurrency, per_host))
            rates[name] = len(targets) / (time.perf_counter() - start)
        return rates


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/client_ceiling.py", description=__doc__)
    parser.add_argument("--urls", type=int, default=3000, help="OK pages fetched per client")
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per answer")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--per-host", type=int, default=4)
    parser.add_argument("--server-workers", type=int, default=2)
    args = parser.parse_args(argv)
    ideal = min(args.concurrency, args.hosts * args.per_host) / args.latency
    rates = measure(
        urls=args.urls,
        hosts=args.hosts,
        latency=args.latency,
        concurrency=args.concurrency,
        per_host=args.per_host,
        workers=args.server_workers,
    )
    print(f"ideal min(conc, hosts×per_host)/latency: {ideal:,.0f} URLs/s")
    for name, rate in rates.items():
        print(f"{name + ' ':.<28} {rate:,.0f} URLs/s   {rate / ideal:.2f} of ideal")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
