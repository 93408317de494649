"""The staged run on Dask distributed: local clusters of worker processes, loopback hosts
that count requests. Nothing here depends on speed: the servers count, and every wait
is for an event with a generous limit."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import threading
from collections.abc import Iterator
from concurrent.futures import Executor
from pathlib import Path

import pytest
from typer.testing import CliRunner

from srccheck.cli import app
from srccheck.cluster import DASK_CONFIG, open_cluster
from srccheck.models import ReportState
from srccheck.stages import run_stages
from tests.stages.runs import (
    articles,
    hold_report_write,
    loopback,
    normalised_reports,
    release_when_the_run_waits,
    report_states,
    reported_citations,
)
from tests.stages.web import serve_web

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def cluster() -> Iterator[distributed.Client]:
    with (
        dask.config.set(DASK_CONFIG),  # as srccheck's own clusters
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=4, processes=True, dashboard_address=":0"
        ) as local,
        distributed.Client(local) as client,
    ):
        yield client


def _executor(client: distributed.Client) -> Executor:
    return client.get_executor(pure=False)


def test_same_reports_in_one_process_one_worker_and_two_workers(tmp_path: Path) -> None:
    with serve_web(3, hold=0.0) as web:
        a, b, c = web.bases
        folder = tmp_path / "articles"
        articles(
            folder,
            [
                [f"{a}/p/{i % 3}", f"{b}/p/shared", f"{c}/gone/{i % 2}", f"{c}/busy/1", "x-y"]
                for i in range(12)
            ],
        )
        common = ["--no-archive", "--no-cache", "--allow-private", "--host-interval", "0",
                  "--retries", "0", "-q"]
        runs = {}
        for name, extra in {"one": [], "w1": ["--workers", "1"], "w2": ["--workers", "2"]}.items():
            out = tmp_path / name
            result = CliRunner().invoke(app, ["verify", str(folder), "-o", str(out), *common,
                                              *extra])
            assert result.exception is None or isinstance(result.exception, SystemExit)
            assert result.exit_code == 1, result.output  # the 404s are findings
            runs[name] = normalised_reports(out)
    assert len(runs["one"]) == 13
    assert runs["w1"] == runs["one"]
    assert runs["w2"] == runs["one"]


def test_a_cluster_run_prints_the_dashboard_address(tmp_path: Path) -> None:
    articles(tmp_path / "articles", [["keine-url"]])
    result = CliRunner().invoke(
        app, ["verify", str(tmp_path / "articles"), "-o", str(tmp_path / "out"), "--workers", "1"]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 1, result.output  # an invalid entry is a finding
    assert re.search(r"Dask cluster: 1 worker; dashboard http://[\w.\[\]:-]+/status", result.output)


@pytest.mark.parametrize("workers", [1, 2])
def test_url_cited_by_500_articles_is_fetched_once(
    request: pytest.FixtureRequest, tmp_path: Path, workers: int
) -> None:
    with serve_web(4, hold=0.0) as web, contextlib.ExitStack() as stack:
        if workers == 1:  # --workers 1: one worker inside this process, its threads
            executor = stack.enter_context(
                open_cluster(workers=1, scheduler=None, threads=4)
            ).executor
        else:
            executor = _executor(request.getfixturevalue("cluster"))
        shared = f"{web.bases[0]}/p/live-blog"
        busy = f"{web.bases[1]}/busy/live"  # a 503: no cache spares a second request
        own = [f"{web.bases[i % 4]}/p/{i}" for i in range(500)]
        articles(tmp_path / "articles", [[shared, busy, own[i]] for i in range(500)])
        index = run_stages([tmp_path / "articles"], loopback(tmp_path / "out"), executor=executor)
        assert web.paths_requested("/p/live-blog") == 1
        assert web.paths_requested("/busy/live") == 1
        assert all(web.requests[url] == 1 for url in own)
    assert index is not None
    assert len(index.articles) == 500
    assert sum(1 for _, raw, _ in reported_citations(tmp_path / "out") if raw == shared) == 500


def test_requests_in_flight_per_host_never_above_the_cap(
    cluster: distributed.Client, tmp_path: Path
) -> None:
    with serve_web(4, hold=0.05) as web:
        cited = [
            [f"{web.bases[i % 4]}/p/{i}", f"{web.bases[(i + 1) % 4]}/p/{i}"] for i in range(80)
        ]
        articles(tmp_path / "articles", cited)
        settings = loopback(tmp_path / "out", per_host=2, concurrency=8)
        run_stages([tmp_path / "articles"], settings, executor=_executor(cluster))
        assert web.total() >= 160
        assert set(web.peak) == {base.removeprefix("http://") for base in web.bases}
        assert max(web.peak.values()) <= 2


def test_archive_requests_in_flight_never_above_its_per_host_limit(
    cluster: distributed.Client, tmp_path: Path
) -> None:
    from srccheck.archive.client import ARCHIVE_PER_HOST
    from srccheck.archive.config import wayback_archive
    from srccheck.stages.leases import semaphore_name

    with serve_web(3, hold=0.05) as web:
        # The third host is the archive: every lookup is one CDX request (answered 404).
        archive = web.bases[2]
        cited = [[f"{web.bases[i % 2]}/p/{i}", f"{web.bases[(i + 1) % 2]}/p/x{i}"]
                 for i in range(96)]
        articles(tmp_path / "articles", cited)
        settings = loopback(
            tmp_path / "out",
            archive_enabled=True,
            archives=(wayback_archive(f"{archive}/coll", min_interval=0.0),),
            claims=False,
        )
        # Six report tasks at once on two workers: each task alone may send two at a time.
        index = run_stages([tmp_path / "articles"], settings, executor=_executor(cluster))
        asked = sum(n for url, n in web.requests.items() if url.startswith(f"{archive}/coll/"))
        peak = web.peak[archive.removeprefix("http://")]
    assert index is not None
    assert len(index.articles) == 96
    assert asked >= 192
    assert 1 <= peak <= ARCHIVE_PER_HOST
    # Every lease was given back: the next run on this cluster is not kept waiting.
    name = semaphore_name(archive.removeprefix("http://").split(":")[0])
    known = cluster.run_on_scheduler(
        lambda dask_scheduler: list(dask_scheduler.extensions["semaphores"].max_leases)
    )
    assert name in known
    assert distributed.Semaphore(max_leases=ARCHIVE_PER_HOST, name=name).get_value() == 0


def test_killed_worker_its_hosts_are_redone_and_no_citation_is_lost(tmp_path: Path) -> None:
    with (
        serve_web(6, hold=0.2) as web,
        dask.config.set(DASK_CONFIG),
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=2, processes=True, dashboard_address=":0"
        ) as local,
        distributed.Client(local) as client,
    ):
        cited = [[f"{web.bases[i % 6]}/p/{i}", f"{web.bases[(i + 3) % 6]}/p/x{i}"]
                 for i in range(120)]
        articles(tmp_path / "articles", cited)
        web.arrive_after = 12
        killed: list[int] = []

        def kill_a_busy_worker() -> None:
            if not web.arrived.wait(300):
                return
            pids = client.run(os.getpid)
            busy = [addr for addr, keys in client.processing().items() if keys]
            if busy:
                killed.append(pids[busy[0]])
                os.kill(pids[busy[0]], signal.SIGKILL)

        killer = threading.Thread(target=kill_a_busy_worker)
        killer.start()
        settings = loopback(tmp_path / "out", per_host=2)
        index = run_stages([tmp_path / "articles"], settings, executor=_executor(client))
        killer.join(60)
    assert killed, "no worker was busy when the server had answered 12 requests"
    assert index is not None
    assert index.state is ReportState.COMPLETE
    assert len(index.articles) == 120
    statuses = [status for _, _, status in reported_citations(tmp_path / "out")]
    assert len(statuses) == 240
    assert set(statuses) == {"ok"}


def test_a_run_on_an_existing_cluster_takes_relative_paths_where_srccheck_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The workers of a cluster started elsewhere ('dask worker' in a folder of its own)
    # resolve a relative path in their own folder: srccheck's relative arguments must
    # mean what they mean where srccheck runs.
    workers, here = tmp_path / "workers", tmp_path / "here"
    workers.mkdir()
    with serve_web(1, hold=0.0) as web:
        articles(here / "articles", [[f"{web.bases[0]}/p/{i}"] for i in range(3)])
        monkeypatch.chdir(workers)  # where the worker processes start
        with (
            dask.config.set(DASK_CONFIG),
            distributed.LocalCluster(
                n_workers=1, threads_per_worker=2, processes=True, dashboard_address=":0"
            ) as local,
        ):
            monkeypatch.chdir(here)
            result = CliRunner().invoke(
                app,
                ["verify", "articles", "-o", "out", "--cache-dir", "cache", "-q",
                 "--scheduler", local.scheduler_address, "--allow-private", "--no-archive",
                 "--host-interval", "0", "--retries", "0"],
            )  # fmt: skip
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in (here / "out").glob("*.json")) == [
        "a0000.json", "a0001.json", "a0002.json", "index.json"
    ]  # fmt: skip
    assert [status for *_, status in reported_citations(here / "out")] == ["ok"] * 3
    assert (here / "cache").is_dir()
    assert not {"articles", "out", "cache"} & {path.name for path in workers.iterdir()}


def _profiling() -> bool:
    return "profile" in distributed.get_worker().periodic_callbacks


@pytest.mark.parametrize("workers", [1, 2])
def test_clusters_srccheck_starts_run_without_the_worker_profiler(workers: int) -> None:
    # The profiler's sys._current_frames() deadlocks a CPython 3.11 worker whose threads
    # start threads during a garbage collection (CPython gh-106883): it froze both workers
    # of the 10,000-article benchmark for good. The freeze is a race, too rare to provoke in
    # a test; what prevents it is that no worker of srccheck's clusters samples stacks.
    with open_cluster(workers=workers, scheduler=None, threads=2) as cluster:
        answers = [cluster.executor.submit(_profiling) for _ in range(8)]
        assert [answer.result(timeout=120) for answer in answers] == [False] * 8


def _worker_log_lengths() -> tuple[int | None, int | None]:
    worker = distributed.get_worker()
    return worker.batched_stream.recent_message_log.maxlen, worker.state.stimulus_log.maxlen


@pytest.mark.parametrize("workers", [1, 2])
def test_clusters_srccheck_starts_keep_short_message_logs(workers: int) -> None:
    # Dask keeps the last messages of every stream for its developers, tasks with their
    # arguments included: 1,000 of them held over 100 MB in the main process of the
    # 10,000-article benchmark. The client, the scheduler and every worker keep 50.
    with open_cluster(workers=workers, scheduler=None, threads=2) as cluster:
        client = distributed.get_client()
        assert client.scheduler_comm.recent_message_log.maxlen == 50
        on_scheduler = client.run_on_scheduler(
            lambda dask_scheduler: {
                comm.recent_message_log.maxlen for comm in dask_scheduler.stream_comms.values()
            } | {dask_scheduler.transition_log.maxlen}
        )
        assert on_scheduler == {50}
        answers = [cluster.executor.submit(_worker_log_lengths) for _ in range(8)]
        assert {answer.result(timeout=120) for answer in answers} == {(50, 50)}


def test_a_cluster_srccheck_starts_leaves_the_users_dask_config_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # srccheck used as a library: switching the profiler off for its own workers must not
    # switch it off (or set an environment variable) for the caller's later clusters.
    monkeypatch.delenv("DASK_CONFIG", raising=False)
    environ = dict(os.environ)
    key = "distributed.worker.profile.enabled"
    with dask.config.set({key: True, "distributed.worker.profile.interval": "20ms"}):
        with open_cluster(workers=1, scheduler=None, threads=1) as cluster:
            assert cluster.executor.submit(_profiling).result(timeout=120) is False
        assert dask.config.get(key) is True
        assert dask.config.get("distributed.worker.profile.interval") == "20ms"
    assert dict(os.environ) == environ


def test_a_task_outside_a_cluster_takes_no_archive_lease() -> None:
    from srccheck.stages.leases import cluster_leases

    assert cluster_leases() is None  # one process: the client's own slot is the limit


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--workers", "0"], "--workers must be at least 1"),
        (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "either --workers"),
    ],
)
def test_bad_cluster_options_are_usage_errors(
    tmp_path: Path, options: list[str], message: str
) -> None:
    articles(tmp_path / "articles", [["keine-url"]])
    result = CliRunner().invoke(
        app, ["verify", str(tmp_path / "articles"), "-o", str(tmp_path / "out"), *options]
    )
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_scheduler_without_workers_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import srccheck.cluster

    monkeypatch.setattr(srccheck.cluster, "WORKER_WAIT", 0.5, raising=False)  # not 30 s
    articles(tmp_path / "articles", [["keine-url"]])
    with distributed.LocalCluster(
        n_workers=0, host="127.0.0.1", dashboard_address=":0"
    ) as scheduler:  # a scheduler on loopback, no worker
        address = scheduler.scheduler_address
        result = CliRunner().invoke(
            app,
            ["verify", str(tmp_path / "articles"), "-o", str(tmp_path / "out"),
             "--scheduler", address],
        )  # fmt: skip
    output = " ".join(result.output.split())  # as wrapped to the terminal's width
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "the scheduler has no workers" in output
    assert f"dask worker {address}" in output
    assert "Traceback" not in output
    assert not (tmp_path / "out" / "index.json").exists()


def test_run_on_the_cluster_resumes_from_the_stage_outputs(
    cluster: distributed.Client, tmp_path: Path
) -> None:
    from srccheck.stages import Stage

    with serve_web(3, hold=0.0) as web:
        # 503s are never cached: only the check stage's outputs spare their requests.
        cited = [[f"{web.bases[i % 3]}/busy/{i % 7}", f"{web.bases[0]}/p/{i}"] for i in range(30)]
        articles(tmp_path / "articles", cited)
        settings = loopback(tmp_path / "out")
        executor = _executor(cluster)
        assert run_stages([tmp_path / "articles"], settings, executor=executor,
                          stop_after=Stage.CHECK) is None
        sent = web.total()
        index = run_stages([tmp_path / "articles"], settings, executor=executor)
        assert web.total() == sent
    assert index is not None
    assert index.state is ReportState.COMPLETE
    assert len(reported_citations(tmp_path / "out")) == 60


@pytest.mark.parametrize("workers", ["1", "2"])
def test_the_cache_file_is_merged_when_a_cluster_run_ends(tmp_path: Path, workers: str) -> None:
    # As after a single-process run (tests/test_reuse_robustness.py, the damaged cache):
    # every connection to the SQLite cache is closed, so its write-ahead log is merged
    # into the file, and the file alone holds what the run stored.
    from srccheck.fetch.cache import CACHE_FILE_NAME
    from tests.reuse_runs import verify

    with serve_web(2, hold=0.0) as web:
        a, b = web.bases
        folder = tmp_path / "articles"
        articles(folder, [[f"{a}/p/{i}", f"{b}/p/{i}"] for i in range(12)])
        first = verify(folder, tmp_path / "out", tmp_path / "cache", "--workers", workers)
        assert first.exception is None or isinstance(first.exception, SystemExit)
        assert first.exit_code == 0, first.output
        cache_file = tmp_path / "cache" / CACHE_FILE_NAME
        wal = cache_file.with_name(cache_file.name + "-wal")
        assert not wal.exists() or wal.stat().st_size == 0
        data = bytearray(cache_file.read_bytes())
        assert len(data) > 2 * 4096
        data[4096:] = b"\xa5" * (len(data) - 4096)  # damaged: every page but the first
        cache_file.write_bytes(bytes(data))
        second = verify(folder, tmp_path / "out2", tmp_path / "cache", "--workers", workers)
    assert second.exception is None or isinstance(second.exception, SystemExit)
    assert second.exit_code == 0, second.output
    assert {status for *_, status in reported_citations(tmp_path / "out2")} == {"ok"}


def test_a_report_task_running_on_a_worker_at_ctrl_c_is_finished_and_its_reports_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A Dask future of a task that runs is not marked running, and cancelling it does not
    # stop the task: without its ticket the run would write the incomplete reports and
    # the task its complete ones over them.
    from tests.stages.test_stages import _InterruptWhileHeld

    with serve_web(1, hold=0.0) as web:
        (base,) = web.bases
        articles(tmp_path / "articles", [[f"{base}/p/{i}"] for i in range(48)])
        settings = loopback(tmp_path / "out")
        held = hold_report_write(monkeypatch, "a0020.json")  # one worker: in this process
        release_when_the_run_waits(monkeypatch, held)
        with open_cluster(workers=1, scheduler=None, threads=1) as cluster:
            try:
                with pytest.raises(KeyboardInterrupt):
                    run_stages([tmp_path / "articles"], settings, _InterruptWhileHeld(16, held),
                               executor=cluster.executor)  # fmt: skip
            finally:
                held.release.set()
    listed, files = report_states(settings.output)
    assert listed == files  # the report files say what the index says
    assert listed["a0020.txt"] == "complete"
    assert [listed[f"a{i:04d}.txt"] for i in range(16)] == ["complete"] * 16
    assert "incomplete" in listed.values()
