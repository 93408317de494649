"""Where the stages run: a Dask cluster, local or existing (dask.distributed).

``--workers N`` starts a :class:`distributed.LocalCluster` on this machine
(N worker processes; with N = 1 one worker inside this process), and
``--scheduler tcp://HOST:8786`` connects to a cluster that is already running.
Either way the run sees a standard :class:`concurrent.futures.Executor`
(:meth:`distributed.Client.get_executor`); Dask schedules the tasks, moves
the small values, and reruns elsewhere the tasks of a worker that died.

Every cluster this module starts runs with :data:`DASK_CONFIG`: the workers'
statistical profiler is off. It samples every thread's stack
(``sys._current_frames()``) every 10 ms, and on CPython 3.11 that call can
deadlock the whole worker process when a garbage collection runs inside it
while another thread starts a thread (CPython gh-106883, dask/distributed#8616):
the report stage starts threads all the time (``asyncio.to_thread``), and the
full cluster benchmark froze both workers, every thread waiting for the GIL.
And Dask's logs for its developers keep the last 50 messages of each stream,
not 1,000: every client, scheduler and worker stream keeps the messages it
sent, tasks with their arguments included (a report task's are its articles'
check results), which held over 100 MB in the process that ran the
benchmark's 10,000 articles. The client is created under the same settings.
Workers of an existing cluster (``--scheduler``) are configured by whoever
started them (README, "Scaling out").
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from srccheck.errors import UsageError
from srccheck.models import RunIndex
from srccheck.pipeline import Interrupted
from srccheck.report.console import ProgressSink
from srccheck.settings import Settings

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["DASK_CONFIG", "WORKER_WAIT", "Cluster", "open_cluster", "verify_on_cluster"]

#: Dask settings of the clusters srccheck starts (see the module docstring).
_LOG_LENGTH = {"distributed.admin.low-level-log-length": 50}
DASK_CONFIG: dict[str, object] = {"distributed.worker.profile.enabled": False, **_LOG_LENGTH}


# What the client of any cluster runs with (it keeps its own log of sent messages).
_CLIENT_CONFIG: dict[str, object] = dict(_LOG_LENGTH)

#: Seconds ``--scheduler`` waits for a worker on a scheduler that has none yet (its
#: workers may be starting beside it) before it gives up: a run without workers would
#: wait forever.
WORKER_WAIT = 30.0


@dataclass(frozen=True, slots=True)
class Cluster:
    """An open cluster: the executor the stages submit to, and where to watch it."""

    executor: Executor
    dashboard: str | None
    workers: int
    threads: int  # task slots over all workers


@contextlib.contextmanager
def open_cluster(
    *,
    workers: int | None,
    scheduler: str | None,
    threads: int,
    worker_wait: float | None = None,
) -> Iterator[Cluster]:
    """A cluster for one run, closed afterwards (a local one is shut down).

    ``threads`` is each local worker's number of task threads (tasks it runs
    at once). Raises :class:`~srccheck.errors.UsageError` when the scheduler
    cannot be reached, or has no worker within ``worker_wait`` seconds
    (default :data:`WORKER_WAIT`).
    """
    import dask
    from distributed import Client, LocalCluster

    # Dask logs worker starts and stops (and slow shutdowns on a busy machine); a run
    # prints its own progress and errors.
    logging.getLogger("distributed").setLevel(logging.ERROR)
    if scheduler is not None:
        try:
            with dask.config.set(_CLIENT_CONFIG):
                client = Client(scheduler, timeout="30s")
        except (OSError, TimeoutError) as exc:
            raise UsageError(f"--scheduler {scheduler}: cannot connect: {exc}") from exc
        with client:
            _wait_for_a_worker(client, scheduler, worker_wait)
            info = client.scheduler_info().get("workers", {})
            slots = sum(int(w.get("nthreads", 1)) for w in info.values())
            yield Cluster(client.get_executor(pure=False), client.dashboard_link, len(info), slots)
        return
    count = max(1, workers or 1)
    # Set while the workers start: a Nanny hands its config to the worker process it spawns.
    with dask.config.set(DASK_CONFIG):
        local = LocalCluster(
            n_workers=count,
            threads_per_worker=threads,
            processes=count > 1,
            dashboard_address=":0",  # any free port: several runs may share a machine
            silence_logs=logging.ERROR,
        )
    with local:
        with dask.config.set(_CLIENT_CONFIG):
            client = Client(local)
        with client:
            yield Cluster(
                client.get_executor(pure=False), client.dashboard_link, count, count * threads
            )


def _wait_for_a_worker(client: Client, scheduler: str, seconds: float | None) -> None:
    """Return once the scheduler has a running worker; a UsageError after ``seconds``
    (None: :data:`WORKER_WAIT`)."""
    from distributed.exceptions import WorkerStartTimeoutError

    seconds = WORKER_WAIT if seconds is None else seconds
    try:
        client.wait_for_workers(n_workers=1, timeout=seconds)
    except WorkerStartTimeoutError:
        raise UsageError(
            f"--scheduler {scheduler}: the scheduler has no workers (waited {seconds:g} s); "
            f"start one with 'dask worker {scheduler}' on a machine with srccheck "
            "installed (see README, Scaling out)"
        ) from None


def verify_on_cluster(
    paths: Sequence[Path],
    settings: Settings,
    sink: ProgressSink,
    *,
    workers: int | None,
    scheduler: str | None,
) -> RunIndex | None:
    """:func:`srccheck.stages.run_stages` on a cluster opened for the run (see
    :func:`open_cluster`); the blocking entry point of ``--workers`` and ``--scheduler``.

    SIGINT and SIGTERM stop the run as in :func:`srccheck.pipeline.run_sync`:
    unfinished articles are written ``incomplete`` and :class:`Interrupted`
    carries the signal (the stage outputs stay for the next run to resume from).
    """
    from srccheck.stages import StageProgress, run_stages
    from srccheck.stages.check import threads_per_worker

    if workers is not None and scheduler is not None:
        raise UsageError("use either --workers (a cluster on this machine) or --scheduler")
    if workers is not None and workers < 1:
        raise UsageError(f"--workers must be at least 1 (got {workers})")
    if scheduler is not None:
        paths, settings = _absolute_paths(paths, settings)
    with _signals_interrupt(), open_cluster(
        workers=workers, scheduler=scheduler, threads=threads_per_worker(settings)
    ) as cluster:
        if isinstance(sink, StageProgress):
            sink.cluster_started(cluster.dashboard, cluster.workers)
        # A few tasks per slot keep every worker busy without sending all at once.
        window = max(64, 4 * cluster.threads)
        return run_stages(paths, settings, sink, executor=cluster.executor, window=window)


def _absolute_paths(
    paths: Sequence[Path], settings: Settings
) -> tuple[list[Path], Settings]:
    """The articles, the output folder, the cache folder and the cookie jar as absolute
    paths: the workers of an existing cluster were started in folders of their own and
    would resolve a relative path there (``--workers`` starts its workers here)."""
    changes: dict[str, object] = {"output": settings.output.absolute()}
    if settings.cache_dir is not None:
        changes["cache_dir"] = settings.cache_dir.absolute()
    if settings.cookie_jar is not None:
        changes["cookie_jar"] = settings.cookie_jar.absolute()
    return [path.absolute() for path in paths], settings.with_changes(**changes)


@contextlib.contextmanager
def _signals_interrupt() -> Iterator[None]:
    """SIGINT and SIGTERM raise :class:`Interrupted` in the main thread while inside."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        # Once: a second signal while the incomplete reports are written ends srccheck.
        for other in (signal.SIGINT, signal.SIGTERM):
            signal.signal(other, signal.SIG_DFL)
        raise Interrupted(signum)

    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
