"""Run a command as a child process and measure it: wall time, peak RSS, exit code."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ProcessRun", "run_measured"]


@dataclass(frozen=True, slots=True)
class ProcessRun:
    """One finished child process."""

    command: tuple[str, ...]
    returncode: int
    wall_s: float
    peak_rss_mb: float  # ru_maxrss: the largest of this child and its own reaped children
    log: Path


def run_measured(
    command: Sequence[str],
    *,
    log: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> ProcessRun:
    """Run ``command`` to completion with stdout and stderr in ``log``.

    Peak RSS comes from ``os.wait4`` on this one child, so earlier children
    (the server's workers, other checkers) never leak into the figure, as
    they would with ``getrusage(RUSAGE_CHILDREN)``. Linux folds the child's own
    reaped children into it as a maximum (not a sum): a profiler wrapper
    reports the profiled process's peak.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(command), stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd
        )
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # wait4 reaped it; tell Popen
    return ProcessRun(
        command=tuple(command),
        returncode=proc.returncode,
        wall_s=wall,
        peak_rss_mb=usage.ru_maxrss / 1024,  # Linux reports KiB
        log=log,
    )
