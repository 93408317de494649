"""Scaling out: one process, ``--workers 2`` (a local Dask cluster), and two ``--shard`` jobs.

    .venv/bin/python bench/cluster.py            # 10,000 articles / 100,000 citations /
                                                 # 20,000 URLs on 200 loopback hosts
    .venv/bin/python bench/cluster.py --quick    # 1,000 / 10,000 / 2,000 on 40 hosts
    .venv/bin/python bench/cluster.py --articles 300 --pages 600 --hosts 40 --claims \
        --modes one,workers2                     # claims checked: CPU-bound, not I/O-bound

Every run checks links only (``--no-archive --no-claims --host-interval 0
--no-cache``; with ``--claims`` the articles' claims too, srccheck's default)
against the benchmark's loopback web (bench/server.py, 50 ms per answer).
Printed per mode: wall time, requests the server saw (cited pages,
everything), peak RSS of each srccheck process (VmHWM of every process in the
run's process tree, sampled), and for the cluster the scheduling overhead per
task (no-op tasks on a LocalCluster of the same shape). Figures also go to
``bench/results/cluster-<timestamp>.json``.

The two shard jobs run side by side with ``--per-host`` and ``--concurrency``
halved, as the README advises, so all three modes hold the same per-host cap.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.articles import write_articles  # noqa: E402
from bench.corpus import Web  # noqa: E402
from bench.server import Counter, RequestCounters, ServerConfig, bench_server  # noqa: E402

ARGS = ["--allow-private", "--no-archive", "--no-claims", "--host-interval", "0", "--no-cache",
        "--quiet", "--format", "json,html"]  # fmt: skip


@dataclass(frozen=True, slots=True)
class ModeRun:
    mode: str
    wall_s: float
    page_requests: int
    all_requests: int
    peak_rss_mb: dict[str, float]  # process (pid and role) → peak RSS
    exit_codes: tuple[int, ...]


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _peak_kib(pid: int) -> tuple[int, str]:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:200]
    except OSError:
        return 0, ""
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]), cmd
    return 0, cmd


def _role(cmd: str) -> str:
    if "multiprocessing" in cmd or "spawn_main" in cmd:
        return "dask worker or nanny"
    return "srccheck (main)"


def _run(mode: str, commands: list[list[str]], counters: RequestCounters, log: Path) -> ModeRun:
    before = counters.snapshot()
    peaks: dict[int, tuple[int, str]] = {}
    start = time.perf_counter()
    procs = [
        subprocess.Popen(c, stdout=log.open("ab"), stderr=subprocess.STDOUT, cwd=ROOT)
        for c in commands
    ]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            for proc in procs:
                for pid in _descendants(proc.pid):
                    kib, cmd = _peak_kib(pid)
                    if kib and kib >= peaks.get(pid, (0, ""))[0]:
                        peaks[pid] = (kib, cmd)
            done.wait(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    codes = tuple(proc.wait() for proc in procs)
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    requests = counters.snapshot() - before
    rss = {
        f"{pid} {_role(cmd)}": round(kib / 1024, 1)
        for pid, (kib, cmd) in sorted(peaks.items())
        if "srccheck" in cmd or "multiprocessing" in cmd
    }
    return ModeRun(mode, round(wall, 1), requests.count(Counter.PAGES),
                   requests.count(Counter.TOTAL), rss, codes)


def _task_overhead(workers: int, tasks: int) -> float:
    """Seconds per no-op task on a LocalCluster like --workers N's (submit → result)."""
    import dask
    from distributed import Client, LocalCluster

    from srccheck.cluster import DASK_CONFIG

    with (
        dask.config.set(DASK_CONFIG),  # as --workers N's cluster
        LocalCluster(n_workers=workers, threads_per_worker=8, processes=True,
                     dashboard_address=":0") as local,
        Client(local) as client,
    ):
        executor = client.get_executor(pure=False)
        list(executor.map(int, range(50)))  # warm up
        start = time.perf_counter()
        futures = [executor.submit(int, i) for i in range(tasks)]
        for future in futures:
            future.result()
        return (time.perf_counter() - start) / tasks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--work-dir", type=Path)
    parser.add_argument("--modes", default="one,workers2,shards2")
    parser.add_argument("--articles", type=int, help="instead of the workload's 10,000")
    parser.add_argument("--pages", type=int, help="distinct URLs, instead of 20,000")
    parser.add_argument("--hosts", type=int, help="instead of 200")
    parser.add_argument("--claims", action="store_true",
                        help="check the articles' claims too (srccheck's default; off: links only)")
    args = parser.parse_args(argv)
    flags = [arg for arg in ARGS if not (args.claims and arg == "--no-claims")]
    articles, per_article, pages, hosts = (
        (1000, 10, 2000, 40) if args.quick else (10_000, 10, 20_000, 200)
    )
    articles, pages, hosts = args.articles or articles, args.pages or pages, args.hosts or hosts
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="srccheck-cluster-bench-"))
    srccheck = [sys.executable, "-m", "srccheck", "verify"]
    results: dict[str, object] = {
        "workload": {"articles": articles, "citations": articles * per_article,
                     "urls": pages, "hosts": hosts, "latency_s": 0.05, "claims": args.claims},
        "started": dt.datetime.now(dt.UTC).isoformat(),
        "cores": os.cpu_count(),
    }
    config = ServerConfig(web=Web(pages=pages, hosts=hosts, port=0), latency=0.05, workers=2)
    with bench_server(config) as (served, counters):
        workload = write_articles(work / "articles", served.web, articles=articles,
                                  per_article=per_article)
        print(f"{workload.articles} articles, {workload.citations} citations, "
              f"{workload.distinct_urls} distinct URLs on {hosts} hosts")
        folder = str(workload.directory)
        modes = {
            "one": [[*srccheck, folder, "-o", str(work / "one"), *flags]],
            "workers2": [[*srccheck, folder, "-o", str(work / "w2"), *flags, "--workers", "2"]],
            "shards2": [
                [*srccheck, folder, "-o", str(work / f"s{k}"), *flags, "--shard", f"{k}/2",
                 "--per-host", "2", "--concurrency", "16"]
                for k in (1, 2)
            ],
        }
        runs = []
        for name in args.modes.split(","):
            run = _run(name, modes[name], counters, work / f"{name}.log")
            runs.append(run)
            print(f"{name:9} wall {run.wall_s:7.1f} s  cited-page requests {run.page_requests:6d}"
                  f"  all requests {run.all_requests:6d}  exit {run.exit_codes}"
                  f"  peak RSS MB {run.peak_rss_mb}")
        results["runs"] = [dataclasses.asdict(run) for run in runs]
    per_task = _task_overhead(2, 2000)
    print(f"scheduler overhead: {per_task * 1000:.2f} ms per no-op task (2 workers, 2000 tasks)")
    results["task_overhead_ms"] = round(per_task * 1000, 3)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    (out / f"cluster-{stamp}.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(f"results: bench/results/cluster-{stamp}.json; work folder {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
