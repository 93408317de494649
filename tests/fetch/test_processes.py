"""Fetching in worker processes (srccheck.fetch.processes): hosts are shared out, results and
pages come back, a URL is fetched once, a dead worker fails its checks instead of hanging,
and a signal leaves no worker behind."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from tests.reuse_runs import verify
from werkzeug import Request, Response

from srccheck.fetch import processes
from srccheck.fetch.client import Fetcher
from srccheck.fetch.processes import ProcessFetcher, WorkerStopped, host_share, worker_settings
from srccheck.settings import Settings
from srccheck.status import Status

PAGE = (
    "<html><head><title>Bericht</title></head><body><article><p>Der Minister sagte: "
    "„Wir beraten uns morgen über die Lage.“</p></article></body></html>"
)


def test_a_host_always_goes_to_the_same_worker() -> None:
    urls = [f"https://{host}/{path}" for host in ("a.example", "b.example") for path in "xyz"]
    shares = {url: host_share(url, 4) for url in urls}
    assert len({shares[u] for u in urls if "a.example" in u}) == 1
    assert len({shares[u] for u in urls if "b.example" in u}) == 1
    assert all(0 <= share < 4 for share in shares.values())
    # Stable across runs and processes (a CRC, not Python's salted str hash): pinned values.
    hosts = ["www.tagesschau.de", "www.faz.net", "www.spiegel.de", "www.zeit.de"]
    assert [host_share(f"https://{host}/x", 4) for host in hosts] == [0, 3, 2, 0]
    spread = {host_share(f"https://host{i}.example/", 4) for i in range(64)}
    assert spread == {0, 1, 2, 3}


def test_workers_share_the_global_limit_and_keep_the_per_host_one() -> None:
    settings = worker_settings(Settings(concurrency=32, per_host=4), 3)
    assert (settings.concurrency, settings.per_host) == (10, 4)
    assert worker_settings(Settings(concurrency=1), 4).concurrency == 1


def _two_host_names(processes: int) -> tuple[str, str]:
    """Two names of the loopback server that belong to different workers."""
    names = ["127.0.0.1", "localhost", "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"]
    first = names[0]
    for other in names[1:]:
        if host_share(f"http://{other}/", processes) != host_share(f"http://{first}/", processes):
            return first, other
    raise AssertionError("no two loopback names on different workers")


def _serve_pages(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a").respond_with_data(PAGE, content_type="text/html")
    httpserver.expect_request("/b").respond_with_data(PAGE, content_type="text/html")
    httpserver.expect_request("/weg").respond_with_data("nope", status=404)


def _article(folder: Path, name: str, urls: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(
        "22.10.2024\nTitel\n\nDer Minister sagte: „Wir beraten uns morgen über die Lage.“\n\n"
        f"Quellen: {' '.join(f'- {u}' for u in urls)}\n",
        encoding="utf-8",
    )


def _statuses(out: Path, name: str) -> dict[str, str]:
    report = json.loads((out / name).read_text(encoding="utf-8"))
    return {s["source"]["url"]: s["check"]["status"] for s in report["sources"]}


def _claims(out: Path, name: str) -> list[str]:
    report = json.loads((out / name).read_text(encoding="utf-8"))
    return [claim["verdict"] for claim in report["claims"] if claim["kind"] == "quote"]


def test_a_run_with_worker_processes_reports_like_one_process(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    _serve_pages(httpserver)
    port = httpserver.port
    first, second = _two_host_names(2)
    urls = [f"http://{first}:{port}/a", f"http://{second}:{port}/b", f"http://{first}:{port}/weg"]
    folder = tmp_path / "artikel"
    _article(folder, "eins.txt", urls)
    _article(folder, "zwei.txt", urls[:2])  # the same URLs again: fetched once per run
    runs = {}
    for count in ("1", "2"):
        out = tmp_path / f"out{count}"
        httpserver.clear_log()
        cache = tmp_path / "cache"  # not used: --no-cache
        result = verify(folder, out, cache, "--no-cache", "--fetch-processes", count)
        assert result.exit_code == 1, result.output  # the 404 fails the run in both
        # The soft-404 probe path is random: compared by count (one per host).
        paths = sorted(
            "probe" if request.path.startswith("/srccheck-missing-") else request.path
            for request, _ in httpserver.log
        )
        runs[count] = (_statuses(out, "eins.json"), _statuses(out, "zwei.json"), paths)
        # Page texts come back from the workers: the quote is found in the pages.
        assert _claims(out, "eins.json") == ["found"]
    assert runs["2"] == runs["1"]
    statuses, _, paths = runs["2"]
    assert list(statuses.values()) == ["ok", "ok", "not_found"]
    assert paths.count("/a") == 1  # cited twice, fetched once
    assert paths.count("/b") == 1
    assert paths.count("probe") == 2  # one per host name, each by its own worker


async def test_a_dead_worker_fails_its_checks_instead_of_hanging(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    _serve_pages(httpserver)
    settings = Settings(allow_private=True, host_interval=0, use_cache=False)
    first, second = _two_host_names(2)
    port = httpserver.port
    async with (
        Fetcher(settings) as own,
        ProcessFetcher(settings, processes=2, client_of=own, cache=None, keep_pages=False) as pf,
    ):
        alive = await pf.check(f"http://{second}:{port}/a")
        assert alive.check.status is Status.OK
        doomed = pf._workers[host_share(f"http://{first}:{port}/a", 2)].process
        doomed.kill()
        doomed.join(10)
        with pytest.raises(WorkerStopped):
            await pf.check(f"http://{first}:{port}/b")
        again = await pf.check(f"http://{second}:{port}/b")  # the other worker goes on
        assert again.check.status is Status.OK


def _session_processes(session: int) -> list[int]:
    """Process ids still alive in a session (Linux /proc)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[3]) == session:  # state, ppid, pgrp, session
            alive.append(int(entry.name))
    return alive


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
@pytest.mark.timeout(90)
def test_ctrl_c_stops_the_workers_too(httpserver: HTTPServer, tmp_path: Path) -> None:
    arrived, release = threading.Event(), threading.Event()

    def held(request: Request) -> Response:
        arrived.set()
        release.wait(30)
        return Response(PAGE, content_type="text/html")

    httpserver.expect_request("/held").respond_with_handler(held)
    _serve_pages(httpserver)
    folder = tmp_path / "artikel"
    _article(folder, "eins.txt", [httpserver.url_for("/a"), httpserver.url_for("/held")])
    out = tmp_path / "out"
    args = ["verify", str(folder), "-o", str(out), "-q", "--allow-private", "--no-archive"]
    args += ["--no-cache", "--retries", "0", "--fetch-processes", "2"]
    process = subprocess.Popen(
        [sys.executable, "-m", "srccheck", *args],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own session: Ctrl-C reaches the whole group, as in a shell
    )
    try:
        assert arrived.wait(60), "the held request never came"
        os.killpg(process.pid, signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        release.set()
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, stderr.decode()
    assert b"Traceback" not in stderr
    report = json.loads((out / "eins.json").read_text(encoding="utf-8"))
    assert report["state"] == "incomplete"
    deadline = time.monotonic() + 15
    while _session_processes(process.pid):  # the workers end with the run
        assert time.monotonic() < deadline, _session_processes(process.pid)
        time.sleep(0.1)


async def test_workers_start_only_when_a_url_is_checked(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    # A re-run whose reports are all reused checks nothing: no worker is started for it.
    _serve_pages(httpserver)
    settings = Settings(allow_private=True, host_interval=0, use_cache=False)
    async with (
        Fetcher(settings) as own,
        ProcessFetcher(settings, processes=2, client_of=own, cache=None, keep_pages=False) as pf,
    ):
        assert pf._workers == []
        outcome = await pf.check(httpserver.url_for("/a"))
        assert outcome.check.status is Status.OK
        assert len(pf._workers) == 2


# --- from a fresh-eyes review: stuck workers, and Ctrl-C while workers start -------------

HERE = Path(__file__).parent
DELAY = 0.15  # seconds after both workers exist: inside their start-up imports


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


async def test_stop_ends_a_worker_that_does_not_end_when_told(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Workers ignore SIGTERM, so a worker that does not end when told (frozen here with
    # SIGSTOP) must be killed, or it outlives the run.
    httpserver.expect_request("/a").respond_with_data(PAGE, content_type="text/html")
    monkeypatch.setattr(processes, "_JOIN_SECONDS", 0.5)
    settings = Settings(allow_private=True, host_interval=0, use_cache=False)
    workers = []
    try:
        async with (
            Fetcher(settings) as own,
            ProcessFetcher(
                settings, processes=2, client_of=own, cache=None, keep_pages=False
            ) as pf,
        ):
            await pf.check(httpserver.url_for("/a"))
            workers = [worker.process for worker in pf._workers]
            os.kill(workers[0].pid, signal.SIGSTOP)  # a worker stuck in synchronous code
        await asyncio.sleep(0.5)
        assert not workers[0].is_alive(), "a stuck worker outlives the run (terminate is ignored)"
    finally:
        for process in workers:
            _kill(process.pid)


@pytest.mark.timeout(60)
def test_a_run_with_a_stuck_worker_still_ends(httpserver: HTTPServer, tmp_path: Path) -> None:
    # Were a stuck worker left alive, multiprocessing's exit hook would join it without a
    # time limit (after a terminate() it ignores): srccheck would never exit.
    httpserver.expect_request("/a").respond_with_data(PAGE, content_type="text/html")
    script = HERE / "stuck_worker_script.py"
    process = subprocess.Popen(
        [sys.executable, str(script), httpserver.url_for("/a")],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    pids = [int(pid) for pid in process.stdout.readline().split()]
    try:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pytest.fail("the main process never exits: it joins a worker that ignores SIGTERM")
    finally:
        process.kill()
        for pid in pids:
            _kill(pid)
        process.communicate()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
@pytest.mark.timeout(90)
def test_ctrl_c_while_the_workers_start_prints_no_traceback(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    # Spawn's start-up (a fresh interpreter importing srccheck, pydantic, httpx …) takes a
    # good part of a second; a terminal Ctrl-C (sent to the whole process group) then must
    # not kill the workers with a traceback: they start with the signals ignored.
    httpserver.expect_request("/a").respond_with_data(PAGE, content_type="text/html")
    folder = tmp_path / "artikel"
    folder.mkdir()
    (folder / "eins.txt").write_text(
        "22.10.2024\nTitel\n\nText.\n\nQuellen: - " + httpserver.url_for("/a") + "\n",
        encoding="utf-8",
    )
    args = ["verify", str(folder), "-o", str(tmp_path / "out"), "-q", "--allow-private"]
    args += ["--no-archive", "--no-cache", "--retries", "0", "--fetch-processes", "2"]
    process = subprocess.Popen(
        [sys.executable, "-m", "srccheck", *args],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # as in a shell: Ctrl-C reaches the whole group
    )
    try:
        deadline = time.monotonic() + 60
        while len(_children(process.pid)) < 2:  # both workers spawned
            assert process.poll() is None
            assert time.monotonic() < deadline
            time.sleep(0.002)
        time.sleep(DELAY)  # past exec, inside the workers' imports
        os.killpg(process.pid, signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    text = stderr.decode()
    assert process.returncode == 130, text
    assert "Traceback" not in text, text
    assert "KeyboardInterrupt" not in text, text
