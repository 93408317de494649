"""An archive's limits across a cluster: one ``distributed.Semaphore`` per archive host.

Archive lookups run in the report stage, in many tasks at once on many
workers, and an archive is one host for all of them. Each report task's
:class:`~srccheck.archive.client.ArchiveClient` keeps its own slot per host
and, through :class:`ClusterLeases`, also holds one lease of the host's
semaphore on the Dask scheduler per request: ``ARCHIVE_PER_HOST`` leases per
archive host for the whole cluster (every run on it), each held while its
request runs and for the archive's spacing after it was granted (see
:class:`~srccheck.archive.client.ArchiveLeases`).

The semaphore's calls block, so they run on a few threads of the task's own
(the task's event loop goes on meanwhile). A lease is released by the task
that took it — also when the task is interrupted (:meth:`ClusterLeases.close`),
and at once when it is granted to a waiter that was cancelled meanwhile — and
the scheduler takes back those of a worker that died after
``distributed.scheduler.locks.lease-timeout`` (30 s by default).
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections import Counter
from collections.abc import AsyncIterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import asynccontextmanager, suppress
from typing import TYPE_CHECKING

from srccheck.archive.client import ARCHIVE_PER_HOST

if TYPE_CHECKING:
    from distributed import Semaphore

__all__ = ["ClusterLeases", "cluster_leases", "semaphore_name"]

#: Seconds one blocking acquire waits before the task's loop looks again (so an
#: interrupted task leaves no thread waiting for long).
_ACQUIRE_WAIT = 1.0

# One Semaphore object per worker and host, shared by the worker's tasks: each object
# keeps a callback on the worker's event loop that refreshes its leases, for as long
# as the worker lives (one per task would pile up).
_semaphores: dict[tuple[str, str], Semaphore] = {}
_semaphores_lock = threading.Lock()


def semaphore_name(host: str) -> str:
    """The scheduler's name of the semaphore of archive ``host`` (the same for every run)."""
    return f"srccheck-archive-{host}"


def cluster_leases() -> ClusterLeases | None:
    """Leases for a task running on a Dask worker; None anywhere else (one process)."""
    try:
        from distributed import get_worker

        get_worker()
    except (ImportError, ValueError):
        return None
    return ClusterLeases()


class ClusterLeases:
    """:class:`~srccheck.archive.client.ArchiveLeases` held on the Dask scheduler.

    One per report task, closed by it (:meth:`close`, outside its event loop).
    """

    def __init__(self) -> None:
        self._semaphores: dict[str, Semaphore] = {}  # the hosts this task asked
        self._held: Counter[str] = Counter()  # leases granted and not yet released, per host
        self._lock = threading.Lock()
        # Acquires wait at most _ACQUIRE_WAIT; each client waits for at most
        # ARCHIVE_PER_HOST of them at a time (inside its own slot).
        self._threads = ThreadPoolExecutor(4 * ARCHIVE_PER_HOST, "srccheck-lease")
        self._releases: set[asyncio.Task[None]] = set()

    @asynccontextmanager
    async def hold(self, host: str, spacing: float) -> AsyncIterator[None]:
        """One of ``host``'s leases while inside, kept until ``spacing`` s after it was granted."""
        semaphore = self._semaphore(host)
        loop = asyncio.get_running_loop()
        while True:
            acquiring = self._acquire(host, semaphore)
            try:
                if await asyncio.wrap_future(acquiring):
                    break
            except asyncio.CancelledError:
                # The acquire goes on in its thread: a lease it gets is nobody's.
                acquiring.add_done_callback(
                    functools.partial(self._give_back, host, semaphore)
                )
                raise
        granted = loop.time()
        try:
            yield
        finally:
            # Released later, off the request's path: the client's own slot is free meanwhile.
            wait = spacing - (loop.time() - granted)
            release = asyncio.ensure_future(self._release_after(host, semaphore, wait))
            self._releases.add(release)
            release.add_done_callback(self._releases.discard)

    def _semaphore(self, host: str) -> Semaphore:
        from distributed import Semaphore, get_worker

        key = (get_worker().id, host)
        with _semaphores_lock:
            semaphore = _semaphores.get(key)
            if semaphore is None:
                semaphore = Semaphore(max_leases=ARCHIVE_PER_HOST, name=semaphore_name(host))
                _semaphores[key] = semaphore
        with self._lock:
            self._semaphores[host] = semaphore
        return semaphore

    def _acquire(self, host: str, semaphore: Semaphore) -> Future[bool]:
        def acquire() -> bool:
            granted = bool(semaphore.acquire(timeout=_ACQUIRE_WAIT))
            if granted:  # counted here, so a lease whose waiter was cancelled is released too
                with self._lock:
                    self._held[host] += 1
            return granted

        return self._threads.submit(acquire)

    def _give_back(self, host: str, semaphore: Semaphore, acquiring: Future[bool]) -> None:
        """Release the lease granted to a waiter that was cancelled meanwhile (at once,
        not when the task ends: until then it would keep another task's request waiting)."""
        if acquiring.cancelled() or acquiring.exception() is not None or not acquiring.result():
            return
        with suppress(RuntimeError):  # shut down: close() releases every lease still counted
            self._threads.submit(self._release, host, semaphore)

    async def _release_after(self, host: str, semaphore: Semaphore, wait: float) -> None:
        if wait > 0:
            await asyncio.sleep(wait)
        await asyncio.get_running_loop().run_in_executor(
            self._threads, self._release, host, semaphore
        )

    def _release(self, host: str, semaphore: Semaphore) -> None:
        with self._lock:
            if self._held[host] <= 0:
                return
            self._held[host] -= 1
        semaphore.release()

    async def settle(self) -> None:
        """Wait for the releases still pending (the spacing after the last requests)."""
        while self._releases:
            await asyncio.gather(*self._releases, return_exceptions=True)

    def close(self) -> None:
        """Release every lease still held (the task was interrupted) and stop the threads.

        Called from the task's thread once its event loop has ended.
        """
        self._threads.shutdown(wait=True, cancel_futures=True)
        for host, semaphore in self._semaphores.items():
            while True:
                with self._lock:
                    if self._held[host] <= 0:
                        break
                    self._held[host] -= 1
                # The cluster is gone or going: its scheduler takes the leases back anyway.
                with suppress(RuntimeError, OSError, TimeoutError):
                    semaphore.release()
