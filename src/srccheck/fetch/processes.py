"""Checking URLs in several worker processes, each owning a share of the hosts.

One srccheck process spends most of a links run inside the HTTP client on one
core (bench/README.md). With ``fetch_processes`` N > 1 the run starts N worker
processes, each with its own event loop and :class:`~srccheck.fetch.client.Fetcher`,
and sends every URL to the worker that owns its host (a CRC-32 of the host
name, modulo N). Because a host always goes to the same worker:

* the per-host limit, spacing and ``Retry-After`` pauses hold exactly as in one
  process (the global ``concurrency`` is divided between the workers);
* a URL cited by many articles is still fetched once per run, and its page is
  kept by the one worker that fetched it;
* the soft-404 probe and robots.txt are fetched once per host.

Redirects are followed by the worker of the cited URL's host, so a redirect to
another host is the one request that may run beside that host's own worker.

Everything else stays in the main process: articles, archive lookups (through
the main process's own client), claims and reports. Workers open the run's
store themselves (the SQLite file, or the PostgreSQL database of ``--store``).
They ignore SIGINT and SIGTERM: the main process decides how a run ends, and
tells them to stop. A worker that dies (or a main process that dies) is noticed
through the pipe between them: the main process fails the checks that worker
owed with an error (the run then ends as an internal error, exit code 3), a
worker stops.

This is not a scheduler across machines: for that, see ``--shard`` (README,
Scaling out).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import multiprocessing
import signal
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

from srccheck.fetch.client import Fetcher
from srccheck.fetch.model import FetchOutcome
from srccheck.fetch.stats import merge_host_stats
from srccheck.fetch.transport import loop_factory
from srccheck.models import HostStats
from srccheck.reuse import depends_on
from srccheck.store import StoreURL, open_store

if TYPE_CHECKING:
    import httpx

    from srccheck.settings import Settings
    from srccheck.store import Store

__all__ = ["ProcessFetcher", "host_share", "worker_settings"]

_STOP = None  # the message that ends a worker
_STATS = ""  # asked instead of a URL: the worker answers with its host counts (--host-stats)
# A worker's answer: the outcome and the cache entries behind it (Fetcher.stamps).
_Answer = tuple[FetchOutcome, list[tuple[str, str, float | None]]]
# (request id, answer or None, error text when the worker failed to check)
_Message = tuple[int, _Answer | None, str | None]
_JOIN_SECONDS = 10.0


def host_share(url: str, processes: int) -> int:
    """The worker (0 … processes-1) that owns ``url``'s host; stable across runs."""
    host = urlsplit(url).hostname or ""
    return zlib.crc32(host.encode("utf-8", "surrogatepass")) % processes


def worker_settings(settings: Settings, processes: int) -> Settings:
    """A worker's settings: its share of the global concurrency; per-host limits stay."""
    return settings.with_changes(concurrency=max(1, settings.concurrency // processes))


class WorkerStopped(RuntimeError):
    """A fetch worker ended before answering (it crashed or was killed)."""


@dataclass(slots=True)
class _Worker:
    """One worker process and its two one-way pipes (requests out, answers in)."""

    process: Any  # multiprocessing.Process (spawn context)
    requests: Connection
    answers: Connection
    pending: dict[int, asyncio.Future[_Answer]] = field(default_factory=dict)
    reader: threading.Thread | None = None


class ProcessFetcher:
    """Checks URLs through ``processes`` worker processes; use as ``async with``.

    ``client_of`` is the main process's :class:`Fetcher`, whose HTTP client the
    archive stage uses for its API calls; it is not used for checks. ``cache``
    is the run's store (opened again by every worker); ``keep_pages`` as
    for :class:`Fetcher` (False: no page texts cross between processes).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        processes: int,
        client_of: Fetcher,
        cache: Store | None,
        keep_pages: bool,
    ) -> None:
        if processes < 2:
            raise ValueError("use a Fetcher for one process")
        self._settings = settings
        self._processes = processes
        self._client_of = client_of
        self._store_address = cache.address if cache is not None else None
        self._keep_pages = keep_pages
        self._workers: list[_Worker] = []
        self._ids = itertools.count()
        self._in_flight: dict[str, asyncio.Future[_Answer]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closing = False

    @property
    def client(self) -> httpx.AsyncClient:
        """The main process's HTTP client (archive API calls)."""
        return self._client_of.client

    async def __aenter__(self) -> Self:
        self._loop = asyncio.get_running_loop()
        return self

    def _start(self) -> None:
        """Start the workers, on the first check: a run whose reports are all reused
        (srccheck.reuse) never pays for starting them."""
        ctx = multiprocessing.get_context("spawn")
        settings = worker_settings(self._settings, self._processes)
        for index in range(self._processes):
            requests_in, requests = ctx.Pipe(duplex=False)
            answers, answers_out = ctx.Pipe(duplex=False)
            process = ctx.Process(
                target=_serve,
                args=(
                    settings,
                    self._store_address,
                    self._keep_pages,
                    requests_in,
                    answers_out,
                ),
                name=f"srccheck-fetch-{index}",
                daemon=True,
            )
            with _signals_ignored():  # inherited: the worker never takes Ctrl-C (see _serve)
                process.start()
            # The child has its own copies: EOF on a pipe then means the other side is gone.
            requests_in.close()
            answers_out.close()
            worker = _Worker(process, requests, answers)
            worker.reader = threading.Thread(
                target=self._read, args=(worker,), name=f"srccheck-fetch-reader-{index}"
            )
            worker.reader.daemon = True
            worker.reader.start()
            self._workers.append(worker)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._stop()

    async def check(self, url: str) -> FetchOutcome:
        """Like :meth:`Fetcher.check`: the worker owning the host checks ``url``."""
        if self._loop is None or self._closing:
            raise RuntimeError("use 'async with ProcessFetcher(...)'")
        if not self._workers:
            self._start()  # a failure to start propagates: the run cannot fetch
        future = self._in_flight.get(url)
        if future is None:
            future = self._in_flight[url] = self._send(url)
            future.add_done_callback(lambda _: self._in_flight.pop(url, None))
        # shield: one caller being cancelled must not cancel the check others await.
        outcome, stamps = await asyncio.shield(future)
        for kind, key, stamp in stamps:  # the caller's report rests on them (srccheck.reuse)
            depends_on(kind, key, stamp)
        return outcome

    async def host_stats(self) -> list[HostStats]:
        """Every worker's requests per host, added up (``--host-stats``)."""
        asked = [self._send(_STATS, worker) for worker in self._workers]
        answers = await asyncio.gather(*asked, return_exceptions=True)
        return merge_host_stats(a for a in answers if isinstance(a, list))  # type: ignore[misc]

    def _send(self, url: str, worker: _Worker | None = None) -> asyncio.Future[_Answer]:
        assert self._loop is not None
        if worker is None:
            worker = self._workers[host_share(url, self._processes)]
        ident = next(self._ids)
        future: asyncio.Future[_Answer] = self._loop.create_future()
        worker.pending[ident] = future
        try:
            worker.requests.send((ident, url))
        except (OSError, ValueError) as exc:  # the worker is gone (broken pipe, closed)
            worker.pending.pop(ident, None)
            gone = WorkerStopped(f"fetch worker {worker.process.name} is gone: {exc}")
            future.set_exception(gone)
        return future

    def _read(self, worker: _Worker) -> None:
        """Reader thread: hand each answer to the loop; EOF means the worker is gone."""
        assert self._loop is not None
        while True:
            try:
                message = worker.answers.recv()
            except (EOFError, OSError):
                self._call(self._gone, worker)
                return
            self._call(self._answer, worker, message)

    def _call(self, callback: Any, *args: Any) -> None:
        assert self._loop is not None
        with contextlib.suppress(RuntimeError):  # the loop is closed: the run is over
            self._loop.call_soon_threadsafe(callback, *args)

    @staticmethod
    def _answer(worker: _Worker, message: _Message) -> None:
        ident, answer, error = message
        future = worker.pending.pop(ident, None)
        if future is None or future.done():
            return
        if answer is None:
            future.set_exception(WorkerStopped(f"fetch worker {worker.process.name}: {error}"))
        else:
            future.set_result(answer)

    def _gone(self, worker: _Worker) -> None:
        pending, worker.pending = worker.pending, {}
        if self._closing:
            for future in pending.values():
                future.cancel()
            return
        for future in pending.values():
            if not future.done():
                future.set_exception(
                    WorkerStopped(f"fetch worker {worker.process.name} stopped unexpectedly")
                )

    async def _stop(self) -> None:
        """Tell every worker to stop, wait for them (then terminate), close the pipes."""
        self._closing = True
        for worker in self._workers:
            with contextlib.suppress(OSError, ValueError):  # already gone
                worker.requests.send(_STOP)
        for worker in self._workers:
            await asyncio.to_thread(worker.process.join, _JOIN_SECONDS)
            if worker.process.is_alive():
                # Stuck (a blocked loop, a resolver that never answers): workers ignore
                # SIGTERM, so SIGKILL; without it the interpreter's exit would wait forever.
                worker.process.kill()
                await asyncio.to_thread(worker.process.join, _JOIN_SECONDS)
            worker.requests.close()
            if worker.reader is not None:
                await asyncio.to_thread(worker.reader.join, _JOIN_SECONDS)
            worker.answers.close()
            for future in worker.pending.values():
                future.cancel()
            worker.pending.clear()
        self._workers.clear()


_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def _signals_ignored() -> Iterator[None]:
    """Ignore SIGINT and SIGTERM while a worker is started: an ignored signal stays ignored
    across exec, and Python then installs no KeyboardInterrupt handler, so a Ctrl-C during
    the worker's start-up (a second of imports) cannot kill it with a traceback. (A blocked
    signal mask is not inherited by spawned workers.) The window in this process is the
    few milliseconds of the fork and exec; a signal sent exactly then is lost."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal dispositions can only be changed from the main thread
        return
    previous = [(signum, signal.signal(signum, signal.SIG_IGN)) for signum in _STOP_SIGNALS]
    try:
        yield
    finally:
        for signum, handler in previous:
            signal.signal(signum, handler)


# --- the worker process ------------------------------------------------------------------


def _serve(
    settings: Settings,
    store_address: Path | StoreURL | None,
    keep_pages: bool,
    requests: Connection,
    answers: Connection,
) -> None:
    """Entry point of a worker process: check the URLs that arrive on ``requests``, answer
    on ``answers``, until told to stop or the main process is gone."""
    # Started with both ignored (see _signals_ignored); kept so, whatever the platform did.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    cache = open_store(store_address, settings) if store_address is not None else None
    try:
        with asyncio.Runner(loop_factory=loop_factory(settings.loop)) as runner:
            runner.run(_serve_async(settings, cache, keep_pages, requests, answers))
    finally:
        if cache is not None:
            cache.close()
        requests.close()
        answers.close()


async def _serve_async(
    settings: Settings,
    cache: Store | None,
    keep_pages: bool,
    requests: Connection,
    answers: Connection,
) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    tasks: set[asyncio.Task[None]] = set()
    async with Fetcher(settings, cache=cache, keep_pages=keep_pages) as fetcher:

        def send(message: _Message) -> None:
            try:
                answers.send(message)
            except (OSError, ValueError):  # the main process is gone
                stop.set()

        async def answer(ident: int, url: str) -> None:
            if url == _STATS:
                send((ident, await fetcher.host_stats(), None))  # type: ignore[arg-type]
                return
            try:
                outcome = await fetcher.check(url)
            except Exception as exc:  # a bug: the main process reports it
                send((ident, None, f"{type(exc).__name__}: {exc}"))
                return
            page = outcome.page if keep_pages else None
            send((ident, (FetchOutcome(check=outcome.check, page=page), fetcher.stamps(url)), None))

        def receive(message: tuple[int, str] | None) -> None:
            if message is _STOP:
                stop.set()
                return
            task = loop.create_task(answer(*message))
            tasks.add(task)
            task.add_done_callback(tasks.discard)

        def read() -> None:
            while True:
                try:
                    message = requests.recv()
                except (EOFError, OSError):  # the main process is gone
                    message = _STOP
                try:
                    loop.call_soon_threadsafe(receive, message)
                except RuntimeError:  # the loop has ended
                    return
                if message is _STOP:
                    return

        threading.Thread(target=read, name="srccheck-fetch-requests", daemon=True).start()
        await stop.wait()
        for task in list(tasks):
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
