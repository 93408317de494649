"""srccheck benchmarks: throughput, latency, memory, cache, claim matching, peers.

    python bench/run.py          # full: 10,000 URLs; memory run 10,000 articles, 100,000 citations
    python bench/run.py --quick  # the same figures on a small workload, under a minute
    python bench/run.py --help   # workload and limit options

Every figure is printed on one line next to its target and written with the
run's configuration to ``bench/results/<timestamp>.json``. Figures of features
srccheck does not have yet (``--cache-dir``, a claim matcher) are reported as
"n/a (feature not available)", never estimated. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
from collections import Counter as Tally
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

if __package__ in (None, ""):  # run as a script: make ``bench`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.articles import Workload, write_articles
from bench.corpus import Web, host_address
from bench.figures import (
    FIGURE_KEYS,
    Comparison,
    Figure,
    Target,
    format_figure,
    percentile,
)
from bench.matching import NOT_AVAILABLE, measure_claim_matching
from bench.peers import Peer, run_peer
from bench.process import ProcessRun, run_measured
from bench.pyspy import stage_shares
from bench.server import (
    Counter,
    CounterSnapshot,
    InFlightPeaks,
    RequestCounters,
    ServerConfig,
    bench_server,
    self_test,
)

__all__ = ["BenchConfig", "main", "run_benchmark"]

RESULTS_DIR = Path(__file__).resolve().parent / "results"


#: The srccheck runs measure link checking as the peers do it: no archive lookups (the
#: loopback web has no archive), no claim matching (measured on its own below) and no
#: per-host spacing (the peers have none; the per-host concurrency limit still applies).
LINK_CHECK_ARGS: tuple[str, ...] = ("--no-archive", "--no-claims", "--host-interval", "0")


@dataclass(frozen=True, slots=True)
class BenchConfig:
    """One benchmark run. Defaults are the full workload; :meth:`quick` the small one."""

    mode: str = "full"
    urls: int = 10_000  # distinct cited URLs of the throughput run
    articles: int = 2_500
    sources: int = 8  # citations per article
    hosts: int = 20
    latency: float = 0.05
    concurrency: int = 32
    per_host: int = 4
    server_workers: int = 2
    memory_run: bool = True
    memory_articles: int = 10_000
    memory_sources: int = 10
    memory_urls: int = 20_000
    peers: tuple[Peer, ...] = (Peer.LINKCHECKER, Peer.LINKINATOR)
    claims: bool = True
    selftest_seconds: float = 2.0
    seed: int = 1
    results_dir: Path = RESULTS_DIR
    work_dir: Path | None = None  # where articles and reports go; a temporary folder if None
    srccheck: tuple[str, ...] = (sys.executable, "-m", "srccheck")
    extra_args: tuple[str, ...] = field(default_factory=tuple)  # passed to srccheck verify
    profile: bool = False  # record the cold run with py-spy (collapsed stacks in the logs)

    @classmethod
    def quick(cls, **changes: Any) -> BenchConfig:
        base = cls(
            mode="quick",
            urls=400,
            articles=150,
            sources=6,
            hosts=10,
            memory_articles=1_000,
            memory_sources=10,
            memory_urls=2_000,
            selftest_seconds=1.0,
        )
        return replace(base, **changes)

    @property
    def slots(self) -> int:
        return min(self.concurrency, self.hosts * self.per_host)

    @property
    def ideal_urls_per_second(self) -> float:
        """The brief's ideal: every slot busy, every request one latency long."""
        return self.slots / self.latency


# --- srccheck runs ----------------------------------------------------------------------


class PeerOutcome(NamedTuple):
    """A peer's run with the server's request counts and in-flight peaks during it."""

    run: ProcessRun
    requests: CounterSnapshot
    peaks: InFlightPeaks


@dataclass(frozen=True, slots=True)
class CheckRun:
    """One ``srccheck verify`` run and what the server and the reports say about it."""

    process: ProcessRun
    requests: CounterSnapshot
    peaks: InFlightPeaks  # the server's count of requests in flight at once
    reported_urls: dict[str, float]  # distinct URL → elapsed_ms of its check
    statuses: dict[str, int]
    from_cache: int
    all_cited_requested: bool
    cited: int

    index_written: bool

    @property
    def ok(self) -> bool:
        """Finished, wrote its index and reported every cited URL.

        Exit 1 means findings (the 404s are on purpose) but is also Python's exit
        code for a crash, hence the index and the URL count are checked too.
        """
        return (
            self.process.returncode in (0, 1)
            and self.index_written
            and len(self.reported_urls) == self.cited
        )


def srccheck_supports(config: BenchConfig, option: str) -> bool:
    """Whether ``srccheck verify --help`` lists ``option`` (how optional features are found)."""
    help_run = subprocess.run(
        [*config.srccheck, "verify", "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"},
        check=False,
    )
    return option in help_run.stdout


def _read_reports(output: Path) -> tuple[dict[str, float], dict[str, int], int]:
    urls: dict[str, float] = {}
    statuses: Tally[str] = Tally()
    cached = 0
    for path in output.rglob("*.json"):
        if path.name == "index.json":
            continue
        report = json.loads(path.read_text(encoding="utf-8"))
        for source in report.get("sources", []):
            url, check = source["source"].get("url"), source["check"]
            if url is None or url in urls:
                continue
            urls[url] = float(check.get("elapsed_ms", 0.0))
            statuses[check["status"]] += 1
            cached += bool(check.get("from_cache"))
    return urls, dict(statuses), cached


#: The environment of every srccheck run: bytecode caching on, as an installed package has it
#: (a shell with PYTHONDONTWRITEBYTECODE set made every run compile srccheck's modules again).
_CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
_COMPILE = (
    "import compileall, os, srccheck; "
    "compileall.compile_dir(os.path.dirname(srccheck.__file__), quiet=2)"
)


def precompile_srccheck(config: BenchConfig) -> None:
    """Write srccheck's bytecode before the timed runs, as ``pip install`` does: start-up
    would otherwise include compiling every module (about 0.5 s of CPU) in a source
    checkout whose ``__pycache__`` is missing or stale. Only for ``… -m srccheck``."""
    if tuple(config.srccheck[-2:]) != ("-m", "srccheck"):
        return
    subprocess.run(
        [*config.srccheck[:-2], "-c", _COMPILE], env=_CHILD_ENV, check=False, capture_output=True
    )


def run_srccheck(
    config: BenchConfig,
    workload: Workload,
    counters: RequestCounters,
    *,
    output: Path,
    log: Path,
    cache_dir: Path | None,
    profile: bool = False,
    extra: tuple[str, ...] = (),
) -> CheckRun:
    """Run ``srccheck verify`` on ``workload`` and collect its figures."""
    command = [
        *config.srccheck,
        "verify",
        str(workload.directory),
        "--output",
        str(output),
        "--allow-private",
        "--concurrency",
        str(config.concurrency),
        "--per-host",
        str(config.per_host),
        "--quiet",
        *LINK_CHECK_ARGS,
        *config.extra_args,
        *extra,
    ]
    if cache_dir is not None:
        command += ["--cache-dir", str(cache_dir)]
    if profile:
        command = [*_py_spy(log.with_suffix(".pyspy.txt")), *command]
    before = counters.snapshot()
    counters.reset_peaks()
    process = run_measured(command, log=log, env=_CHILD_ENV)
    requests = counters.snapshot() - before
    peaks = counters.peaks()
    urls, statuses, cached = _read_reports(output) if output.exists() else ({}, {}, 0)
    return CheckRun(
        process=process,
        requests=requests,
        peaks=peaks,
        reported_urls=urls,
        statuses=statuses,
        from_cache=cached,
        all_cited_requested=all(requests.pages[p] > 0 for p in workload.cited_pages),
        cited=workload.distinct_urls,
        index_written=(output / "index.json").exists(),
    )


PY_SPY = Path(__file__).resolve().parent / ".venv-tools" / "bin" / "py-spy"


def _py_spy(output: Path) -> list[str]:
    if not PY_SPY.exists():
        raise SystemExit(
            "--profile needs py-spy: python3 -m venv bench/.venv-tools && "
            "bench/.venv-tools/bin/pip install py-spy"
        )
    # Collapsed stacks (one line per stack with its sample count): grep- and flamegraph-ready.
    # --gil: only the thread holding the GIL is sampled, so shares are of CPU spent in
    # Python (idle worker threads and native code that releases the GIL are left out).
    return [
        str(PY_SPY), "record", "--gil", "--format", "raw", "--rate", "200", "-o", str(output), "--"
    ]


def _cpu_by_stage(profile: Path, figures: dict[str, Figure]) -> dict[str, Any] | None:
    """Where the cold run's CPU went, by stage (bench/pyspy.py's STAGES), from its
    py-spy profile: each stage's share of the samples and, with the CPU per URL
    measured, its milliseconds per URL. ``None`` without a profile."""
    if not profile.exists():
        return None
    samples, shares = stage_shares(profile)
    per_url = figures["cpu_ms_per_url"].value
    return {
        "samples": samples,
        "profile": str(profile),
        "stages": {
            name: {
                "share": round(share, 4),
                "ms_per_url": round(share * per_url, 3) if per_url is not None else None,
            }
            for name, share in shares.items()
        },
    }


def _format_stages(by_stage: dict[str, Any] | None) -> list[str]:
    if by_stage is None:
        return []
    lines = [
        f"CPU of the cold run by stage (py-spy --gil, {by_stage['samples']:,} samples; "
        "shares of sampled time, approximate: native code that releases the GIL, e.g. "
        "SQLite, zlib and the HTML parse, is sampled unevenly; the profiler's own overhead "
        "is in the CPU figure above):"
    ]
    for name, stage in by_stage["stages"].items():
        ms = stage["ms_per_url"]
        per_url = f"  ≈ {ms:.2f} ms per URL" if ms is not None else ""
        lines.append(f"  {name:.<66} {100 * stage['share']:5.1f} %{per_url}")
    return lines


def _run_json(
    run: CheckRun | ProcessRun | None,
    requests: CounterSnapshot | None = None,
    peaks: InFlightPeaks | None = None,
) -> Any:
    if run is None:
        return None
    if isinstance(run, CheckRun):
        data = _run_json(run.process, run.requests, run.peaks)
        data |= {
            "reported_urls": len(run.reported_urls),
            "cited_urls": run.cited,
            "all_cited_requested": run.all_cited_requested,
            "statuses": run.statuses,
            "from_cache": run.from_cache,
        }
        return data
    data = {
        "command": " ".join(run.command),
        "returncode": run.returncode,
        "wall_s": round(run.wall_s, 3),
        "peak_rss_mb": round(run.peak_rss_mb, 1),
        "cpu_s": round(run.cpu_s, 3),
        "log": str(run.log),
    }
    if requests is not None:
        data["requests"] = {c.name.lower(): requests.count(c) for c in Counter}
        data["distinct_pages_requested"] = sum(1 for n in requests.pages if n)
    if peaks is not None:
        data["peak_in_flight"] = {"overall": peaks.overall, "per_host": list(peaks.per_host)}
    return data


# --- the benchmark ----------------------------------------------------------------------


def _failed(run: CheckRun) -> str:
    return (
        f"n/a (srccheck exited {run.process.returncode}, reported {len(run.reported_urls)} of "
        f"{run.cited} URLs; see {run.process.log})"
    )


def run_benchmark(config: BenchConfig, *, echo: Any = print) -> dict[str, Any]:
    """Run every measurement of ``config``; return (and write) the JSON result.

    Prints one line per figure through ``echo``. The result is also written to
    ``config.results_dir/<timestamp>.json``; its path is under ``"result_file"``.
    """
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    logs = config.results_dir / stamp
    with tempfile.TemporaryDirectory(prefix="srccheck-bench-") as tmp:
        work = config.work_dir or Path(tmp)
        return _run_in(config, work, logs, stamp, echo)


def _run_in(config: BenchConfig, work: Path, logs: Path, stamp: str, echo: Any) -> dict[str, Any]:
    pages = max(config.urls, config.memory_urls if config.memory_run else 0)
    web = Web(pages=pages, hosts=config.hosts, port=0, seed=config.seed)
    has_cache = srccheck_supports(config, "--cache-dir")
    server = ServerConfig(
        web=web, latency=config.latency, workers=config.server_workers, links=config.urls
    )
    runs: dict[str, Any] = {}
    peer_info: dict[str, Any] = {}
    with bench_server(server) as (server, counters):
        web = server.web
        echo(
            f"server: {config.hosts} hosts on port {web.port}, {config.server_workers} workers, "
            f"latency {config.latency * 1000:.0f} ms; writing articles to {work}"
        )
        workload, memory_workload = _write_workloads(config, web, work)
        precompile_srccheck(config)
        selftest = self_test(web, connections=4 * config.slots, seconds=config.selftest_seconds)
        echo(
            f"srccheck: {workload.articles} articles, {workload.citations} citations, "
            f"{workload.distinct_urls} distinct URLs"
        )
        cold = run_srccheck(
            config,
            workload,
            counters,
            output=work / "reports-cold",
            log=logs / "cold.log",
            cache_dir=work / "cache" if has_cache else None,
            profile=config.profile,
        )
        runs["cold"] = cold
        warm = rebuilt = None
        if has_cache and cold.ok:
            # A re-run as users make it: same articles, same cache, same reports folder.
            warm = run_srccheck(
                config,
                workload,
                counters,
                output=work / "reports-cold",
                log=logs / "warm.log",
                cache_dir=work / "cache",
            )
            runs["warm"] = warm
            if srccheck_supports(config, "--no-reuse"):
                # The same, but every report built and written again from the cache.
                rebuilt = run_srccheck(
                    config,
                    workload,
                    counters,
                    output=work / "reports-cold",
                    log=logs / "warm-rebuilt.log",
                    cache_dir=work / "cache",
                    extra=("--no-reuse",),
                )
                runs["warm_rebuilt"] = rebuilt
        start_url = f"http://{host_address(0)}:{web.port}/__bench/links.html"
        peer_runs: dict[Peer, PeerOutcome | None] = {}
        for peer in config.peers:
            echo(
                f"peer: {peer.value} …"
                if peer.installed
                else f"peer: {peer.value} not installed, skipped; install: {peer.install_hint}"
            )
            before = counters.snapshot()
            counters.reset_peaks()
            result = run_peer(
                peer, start_url, concurrency=config.concurrency, work_dir=logs / peer.value
            )
            peer_runs[peer] = (
                None
                if result is None
                else PeerOutcome(result, counters.snapshot() - before, counters.peaks())
            )
        memory = None
        if memory_workload is not None:
            echo(
                f"memory run: {memory_workload.articles} articles, "
                f"{memory_workload.citations} citations, {memory_workload.distinct_urls} URLs"
            )
            memory = run_srccheck(
                config,
                memory_workload,
                counters,
                output=work / "reports-memory",
                log=logs / "memory.log",
                cache_dir=work / "cache-memory" if has_cache else None,
            )
            runs["memory"] = memory
    for peer, outcome in peer_runs.items():
        peer_info[peer.value] = _peer_json(peer, outcome, workload)
    matching = measure_claim_matching(web) if config.claims else None

    figures = _figures(
        config,
        web,
        workload,
        selftest.per_second,
        cold,
        warm,
        memory,
        peer_runs,
        matching,
        has_cache,
        rebuilt,
    )
    for figure in figures.values():
        echo(format_figure(figure))
    by_stage = _cpu_by_stage(logs / "cold.pyspy.txt", figures) if config.profile else None
    for line in _format_stages(by_stage):
        echo(line)
    result = {
        "timestamp": stamp,
        "mode": config.mode,
        "config": _config_json(config),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "figures": {key: figure.to_json() for key, figure in figures.items()},
        "checks": {
            "cited_urls": cold.cited,
            "reported_urls": len(cold.reported_urls),
            "all_cited_requested": cold.all_cited_requested,
            "srccheck_ok": cold.ok,
            "srccheck_exit": cold.process.returncode,
        },
        "runs": {name: _run_json(run) for name, run in runs.items()},
        "cpu_by_stage": by_stage,
        "peers": peer_info,
        "server_selftest": {
            "requests": selftest.requests,
            "seconds": round(selftest.seconds, 3),
            "connections": selftest.connections,
        },
    }
    config.results_dir.mkdir(parents=True, exist_ok=True)
    path = config.results_dir / f"{stamp}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    result["result_file"] = str(path)
    echo(f"results: {path}")
    return result


def _write_workloads(config: BenchConfig, web: Web, work: Path) -> tuple[Workload, Workload | None]:
    """The throughput articles (pages 0…urls-1) and the memory-run articles, if any."""
    workload = write_articles(
        work / "articles",
        Web(**{**_fields(web), "pages": config.urls}),
        articles=config.articles,
        per_article=config.sources,
        seed=config.seed,
    )
    if not config.memory_run:
        return workload, None
    memory_workload = write_articles(
        work / "memory-articles",
        Web(**{**_fields(web), "pages": config.memory_urls}),
        articles=config.memory_articles,
        per_article=config.memory_sources,
        seed=config.seed + 1,
    )
    return workload, memory_workload


def _fields(web: Web) -> dict[str, Any]:
    return {name: getattr(web, name) for name in web.__dataclass_fields__}


def _peer_json(peer: Peer, outcome: PeerOutcome | None, workload: Workload) -> dict[str, Any]:
    if outcome is None:
        return {"installed": False, "install": peer.install_hint}
    run, requests, peaks = outcome
    data = _run_json(run, requests, peaks)
    data["installed"] = True
    data["all_cited_requested"] = all(requests.pages[p] > 0 for p in workload.cited_pages)
    return data


def _config_json(config: BenchConfig) -> dict[str, Any]:
    data = asdict(config)
    data["peers"] = [p.value for p in config.peers]
    data["results_dir"] = str(config.results_dir)
    data["work_dir"] = str(config.work_dir) if config.work_dir else None
    data["ideal_urls_per_second"] = config.ideal_urls_per_second
    return data


def _figures(
    config: BenchConfig,
    web: Web,
    workload: Workload,
    selftest_rps: float,
    cold: CheckRun,
    warm: CheckRun | None,
    memory: CheckRun | None,
    peer_runs: dict[Peer, PeerOutcome | None],
    matching: Any,
    has_cache: bool,
    rebuilt: CheckRun | None = None,
) -> dict[str, Figure]:
    ideal = config.ideal_urls_per_second
    factor = web.mean_service_factor(list(workload.cited_pages))
    rate = workload.distinct_urls / cold.process.wall_s if cold.ok else None
    elapsed = list(cold.reported_urls.values())
    no_data = "" if elapsed else _failed(cold)
    ms = "ms (from the reports' elapsed_ms)"
    no_cache = NOT_AVAILABLE + " — srccheck verify has no --cache-dir"
    f: list[Figure] = [
        Figure(
            "server_selftest_rps",
            "server self-test",
            selftest_rps,
            "requests/s",
            Target(Comparison.AT_LEAST, 2 * ideal, "2 × ideal"),
        ),
        Figure(
            "urls_per_second",
            "srccheck URLs checked per second",
            rate,
            "URLs/s",
            Target(Comparison.AT_LEAST, 0.9 * ideal, "90% of ideal"),
            "" if cold.ok else _failed(cold),
        ),
        Figure("ideal_urls_per_second", "ideal min(conc, hosts×per_host)/latency", ideal, "URLs/s"),
        Figure(
            "ratio_to_ideal",
            "ratio to ideal",
            rate / ideal if rate else None,
            "",
            Target(Comparison.AT_LEAST, 0.9),
            "" if cold.ok else _failed(cold),
        ),
        Figure(
            "ratio_to_adjusted_ideal",
            "ratio to ideal incl. redirects/slow pages",
            rate * factor / ideal if rate else None,
            "",
            note=f"mean service time {factor:.3f} × latency" if rate else _failed(cold),
        ),
        Figure(
            "peak_in_flight",
            "peak requests in flight (server count)",
            cold.peaks.overall,
            "",
            Target(Comparison.AT_MOST, config.concurrency, "--concurrency"),
        ),
        Figure(
            "peak_in_flight_per_host",
            "peak requests in flight, busiest host",
            cold.peaks.busiest_host,
            "",
            Target(Comparison.AT_MOST, config.per_host, "--per-host"),
        ),
        Figure("request_ms_p50", "request time p50", percentile(elapsed, 50), ms, note=no_data),
        Figure("request_ms_p95", "request time p95", percentile(elapsed, 95), ms, note=no_data),
        Figure(
            "peak_rss_mb",
            "peak RSS (throughput run)",
            cold.process.peak_rss_mb if cold.ok else None,
            "MB",
            note="" if cold.ok else _failed(cold),
        ),
        _memory_figure(config, memory),
        Figure(
            "cold_wall_s",
            "cold run wall time",
            cold.process.wall_s if cold.ok else None,
            "s",
            note="" if cold.ok else _failed(cold),
        ),
        Figure(
            "cpu_ms_per_url",
            "CPU per checked URL (cold run, whole process)",
            cold.process.cpu_s * 1000 / workload.distinct_urls if cold.ok else None,
            "ms",
            Target(Comparison.AT_MOST, 1.5),
            f"{cold.process.cpu_s:.1f} s user+system, start-up and reports included"
            if cold.ok
            else _failed(cold),
        ),
    ]
    missing = no_cache if not has_cache else (_failed(warm) if warm else _failed(cold))
    f += _warm_figures(cold, warm, rebuilt, missing)
    if matching is None:
        f.append(
            Figure("claims_mb_per_second", "claim matching", None, note="skipped (--no-claims)")
        )
    else:
        f.append(
            Figure(
                "claims_mb_per_second",
                "claim matching (1 core)",
                matching.value,
                "claims × MB/s",
                Target(Comparison.AT_LEAST, 1_000),
                matching.note,
            )
        )
    for peer in (Peer.LINKCHECKER, Peer.LINKINATOR):
        skipped = peer not in config.peers
        f += _peer_figures(peer, peer_runs.get(peer), cold, workload, skipped, config)
    by_key = {figure.key: figure for figure in f}
    if set(by_key) != set(FIGURE_KEYS):
        raise RuntimeError(f"FIGURE_KEYS and _figures disagree: {set(by_key) ^ set(FIGURE_KEYS)}")
    return {key: by_key[key] for key in FIGURE_KEYS}


def _warm_figures(
    cold: CheckRun, warm: CheckRun | None, rebuilt: CheckRun | None, missing: str
) -> list[Figure]:
    """The warm re-run's figures, each ``None`` with the note ``missing`` without one."""
    ok = warm is not None and warm.ok
    note = "" if ok else missing
    wall = warm.process.wall_s if ok and warm is not None else None
    requests = warm.requests.count(Counter.TOTAL) if ok and warm is not None else None
    rebuilt_ratio = None
    rebuilt_note = note
    if ok and rebuilt is not None and rebuilt.ok:
        rebuilt_ratio = rebuilt.process.wall_s / cold.process.wall_s
        rebuilt_note = (
            f"--no-reuse: {rebuilt.process.wall_s:.2f} s, "
            f"{rebuilt.requests.count(Counter.TOTAL)} requests"
        )
    elif ok:
        rebuilt_note = _failed(rebuilt) if rebuilt else "n/a (srccheck has no --no-reuse)"
    return [
        Figure("warm_wall_s", "warm-cache run wall time", wall, "s" if ok else "", note=note),
        Figure(
            "warm_to_cold_ratio",
            "warm / cold wall time",
            wall / cold.process.wall_s if wall is not None else None,
            "",
            Target(Comparison.BELOW, 0.05, "5% of cold"),
            note=note,
        ),
        Figure(
            "warm_requests",
            "requests sent by the warm run",
            requests,
            "",
            Target(Comparison.AT_MOST, 0, "fresh entries"),
            note=note,
        ),
        Figure(
            "warm_rebuilt_to_cold_ratio",
            "warm / cold, every report rebuilt",
            rebuilt_ratio,
            note=rebuilt_note,
        ),
    ]


def _memory_figure(config: BenchConfig, memory: CheckRun | None) -> Figure:
    target = Target(Comparison.BELOW, 300, "10,000 articles / 100,000 citations")
    if memory is None:
        return Figure(
            "memory_run_peak_rss_mb",
            "peak RSS (memory run)",
            None,
            target=target,
            note="skipped (--no-memory)",
        )
    if not memory.ok:
        return Figure(
            "memory_run_peak_rss_mb",
            "peak RSS (memory run)",
            None,
            target=target,
            note=_failed(memory),
        )
    label = (
        f"peak RSS ({config.memory_articles:,} articles / "
        f"{config.memory_articles * config.memory_sources:,} citations)"
    )
    return Figure("memory_run_peak_rss_mb", label, memory.process.peak_rss_mb, "MB", target)


def _peer_figures(
    peer: Peer,
    outcome: PeerOutcome | None,
    cold: CheckRun,
    workload: Workload,
    skipped: bool,
    config: BenchConfig,
) -> list[Figure]:
    name = peer.value
    if outcome is None:
        note = (
            "skipped (--no-peers)"
            if skipped
            else f"n/a (not installed; install: {peer.install_hint})"
        )
        return [
            Figure(f"{name}_wall_s", f"{name} wall time", None, note=note),
            Figure(f"{name}_peak_in_flight", f"{name} peak requests in flight", None, note=note),
            Figure(
                f"srccheck_to_{name}_time",
                f"srccheck time / {name} time",
                None,
                target=Target(Comparison.BELOW, 1.0, "faster"),
                note=note,
            ),
        ]
    run, requests, peaks = outcome
    checked = sum(1 for p in workload.cited_pages if requests.pages[p])
    heads = requests.count(Counter.HEAD)
    note = f"{checked}/{workload.distinct_urls} URLs requested, exit {run.returncode}"
    if heads:
        note += f", {heads} HEAD requests (no body)"
    # Little's law: every answer waits at least the latency, so the mean number of
    # requests in flight is at least (requests / wall time) × latency.
    in_flight = requests.count(Counter.TOTAL) / run.wall_s * config.latency if run.wall_s else 0
    if in_flight > config.concurrency:
        note += (
            f", ≥ {in_flight:.0f} requests in flight on average (Little's law), more than"
            f" its --concurrency {config.concurrency}"
        )
    ratio = cold.process.wall_s / run.wall_s if cold.ok and run.wall_s else None
    return [
        Figure(f"{name}_wall_s", f"{name} wall time", run.wall_s, "s", note=note),
        Figure(
            f"{name}_peak_in_flight",
            f"{name} peak requests in flight",
            peaks.overall,
            note=f"server count; busiest host {peaks.busiest_host}; given --concurrency "
            f"{config.concurrency}",
        ),
        Figure(
            f"srccheck_to_{name}_time",
            f"srccheck time / {name} time",
            ratio,
            "",
            Target(Comparison.BELOW, 1.0, "faster"),
        ),
    ]


# --- command line -----------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python bench/run.py",
        description="srccheck benchmarks (see bench/README.md). Options left out keep the "
        "full (or --quick) workload's value.",
    )
    p.add_argument("--quick", action="store_true", help="small workload, under a minute")
    p.add_argument("--urls", type=int, help="distinct URLs of the throughput run")
    p.add_argument("--articles", type=int, help="articles of the throughput run (N)")
    p.add_argument("--sources", type=int, help="citations per article (M)")
    p.add_argument("--hosts", type=int, help="distinct hosts (loopback addresses)")
    p.add_argument("--latency", type=float, help="server latency per answer, seconds")
    p.add_argument("--concurrency", type=int, help="srccheck --concurrency and peers' threads")
    p.add_argument("--per-host", type=int, dest="per_host", help="srccheck --per-host")
    p.add_argument("--server-workers", type=int, dest="server_workers")
    p.add_argument("--memory-articles", type=int, dest="memory_articles")
    p.add_argument("--memory-sources", type=int, dest="memory_sources")
    p.add_argument("--memory-urls", type=int, dest="memory_urls")
    p.add_argument("--no-memory", action="store_true", help="skip the memory run")
    p.add_argument("--no-peers", action="store_true", help="skip LinkChecker and linkinator")
    p.add_argument("--no-claims", action="store_true", help="skip claim matching")
    p.add_argument(
        "--profile",
        action="store_true",
        help="record the cold srccheck run with py-spy into the results folder "
        "(bench/.venv-tools); wall time then includes the sampling overhead",
    )
    p.add_argument("--results-dir", type=Path, dest="results_dir")
    p.add_argument(
        "--work-dir",
        type=Path,
        dest="work_dir",
        help="keep articles and reports here (default: a temporary folder)",
    )
    p.add_argument(
        "--srccheck-cmd",
        dest="srccheck",
        type=lambda text: tuple(shlex.split(text)),
        help="how to start srccheck (default: this Python with -m srccheck), e.g. to compare "
        "another checkout",
    )
    p.add_argument(
        "--srccheck-arg",
        action="append",
        default=[],
        dest="extra_args",
        help="extra argument for srccheck verify (repeatable)",
    )
    return p


def config_from_args(argv: list[str] | None = None) -> BenchConfig:
    """Build a :class:`BenchConfig` from command-line arguments."""
    args = _parser().parse_args(argv)
    changes: dict[str, Any] = {
        key: value
        for key, value in vars(args).items()
        if value is not None
        and key not in {"quick", "no_memory", "no_peers", "no_claims", "extra_args", "profile"}
    }
    changes["extra_args"] = tuple(args.extra_args)
    changes["profile"] = args.profile
    if args.no_memory:
        changes["memory_run"] = False
    if args.no_peers:
        changes["peers"] = ()
    if args.no_claims:
        changes["claims"] = False
    return BenchConfig.quick(**changes) if args.quick else replace(BenchConfig(), **changes)


def main(argv: list[str] | None = None) -> int:
    run_benchmark(config_from_args(argv))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
