"""Run a command as a child process and measure it: wall time, peak RSS, CPU time, exit code."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ProcessRun",
    "kill_group",
    "measured_command",
    "read_cpu_seconds",
    "read_peak_rss_kib",
    "run_measured",
]

# Linux keeps a process's peak RSS across exec, and a child forked (or vforked) from a
# big parent starts with the parent's resident size as its peak: a direct child of a
# harness that holds 300 MB reports >= 300 MB even for `python -c pass` (checked). So the
# command runs under this small trampoline, which starts it, reaps it with wait4 and
# writes its peak RSS (KiB) to a file; the trampoline's own exit code is the command's.
# The second line is the command's CPU time (user + system seconds, its reaped children
# included), from the same wait4.
_TRAMPOLINE = (
    "import os, subprocess, sys\n"
    "child = subprocess.Popen(sys.argv[2:])\n"
    "_, status, usage = os.wait4(child.pid, 0)\n"
    "open(sys.argv[1], 'w').write(f'{usage.ru_maxrss}\\n{usage.ru_utime + usage.ru_stime}')\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)


def measured_command(command: Sequence[str], rss_file: Path) -> list[str]:
    """``command`` run under the trampoline that writes its own peak RSS to ``rss_file``."""
    return [sys.executable, "-c", _TRAMPOLINE, str(rss_file), *command]


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill a process started with ``start_new_session=True`` and everything it started."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def read_peak_rss_kib(rss_file: Path) -> int:
    """The peak RSS written by :func:`measured_command` (0 when the command never ran)."""
    try:
        return int(rss_file.read_text().split("\n")[0] or 0)
    except (OSError, ValueError):
        return 0


def read_cpu_seconds(rss_file: Path) -> float:
    """The CPU seconds written by :func:`measured_command` (0 when the command never ran)."""
    try:
        lines = rss_file.read_text().split("\n")
        return float(lines[1]) if len(lines) > 1 else 0.0
    except (OSError, ValueError):
        return 0.0


@dataclass(frozen=True, slots=True)
class ProcessRun:
    """One finished child process."""

    command: tuple[str, ...]
    returncode: int
    wall_s: float
    peak_rss_mb: float  # ru_maxrss: the largest of this child and its own reaped children
    log: Path
    cpu_s: float = 0.0  # user + system CPU of this child and its reaped children


def run_measured(
    command: Sequence[str],
    *,
    log: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> ProcessRun:
    """Run ``command`` to completion with stdout and stderr in ``log``.

    Peak RSS comes from ``os.wait4`` on this one child, inside a small
    trampoline (:func:`measured_command`), so neither this harness's own memory
    nor earlier children (the server's workers, other checkers) leak into the
    figure. Linux folds the child's own reaped children into it as a maximum
    (not a sum): a profiler wrapper reports the profiled process's peak, and
    srccheck's fetch workers count as their largest process.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    rss_file = log.with_suffix(".rss")
    rss_file.unlink(missing_ok=True)
    with log.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(
            measured_command(command, rss_file),
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
            start_new_session=True,  # one group: trampoline and command are stopped together
        )
        try:
            proc.wait()
        except BaseException:
            kill_group(proc)
            raise
        wall = time.perf_counter() - start
    return ProcessRun(
        command=tuple(command),
        returncode=proc.returncode,
        wall_s=wall,
        peak_rss_mb=read_peak_rss_kib(rss_file) / 1024,  # Linux reports KiB
        log=log,
        cpu_s=read_cpu_seconds(rss_file),
    )
