"""Peer link checkers run on the same URLs: LinkChecker (Python) and linkinator (Node).

Each peer gets one start page served by the harness (``/__bench/links.html``)
that links every cited URL, and checks its links one level deep. Both are
installed under ``bench/.peers`` so that neither touches the project venv:

* LinkChecker: ``python -m venv bench/.peers/linkchecker-venv &&
  bench/.peers/linkchecker-venv/bin/pip install LinkChecker``
* linkinator:  ``npm install --prefix bench/.peers linkinator``

How each is configured for a like-for-like run (documented in bench/README.md):

* LinkChecker: ``-t <concurrency>`` threads, ``--check-extern`` (the other
  loopback hosts are "external" to the start page), ``-r 1``, ``--no-robots``
  (srccheck does not read robots.txt either) and ``maxrequestspersecond`` raised
  from its default of 10 per host, which would otherwise be the whole result,
  and ``maxfilesizeparse`` raised above the start page's size (default 1 MB);
  LinkChecker has no per-host concurrency cap.
* linkinator: ``--concurrency <concurrency>``; it has no per-host cap, and it
  sends HEAD (no body) where srccheck sends GET, which the run reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from bench.process import ProcessRun, run_measured

__all__ = ["PEERS_DIR", "Peer", "PeerCommand", "peer_command", "run_peer"]

PEERS_DIR = Path(__file__).resolve().parent / ".peers"


class Peer(StrEnum):
    LINKCHECKER = "linkchecker"
    LINKINATOR = "linkinator"

    @property
    def install_hint(self) -> str:
        if self is Peer.LINKCHECKER:
            return (
                "python3 -m venv bench/.peers/linkchecker-venv && "
                "bench/.peers/linkchecker-venv/bin/pip install LinkChecker"
            )
        return "npm install --prefix bench/.peers linkinator"

    @property
    def executable(self) -> Path:
        if self is Peer.LINKCHECKER:
            return PEERS_DIR / "linkchecker-venv" / "bin" / "linkchecker"
        return PEERS_DIR / "node_modules" / ".bin" / "linkinator"

    @property
    def installed(self) -> bool:
        return self.executable.exists()


@dataclass(frozen=True, slots=True)
class PeerCommand:
    peer: Peer
    argv: tuple[str, ...]


def peer_command(peer: Peer, start_url: str, *, concurrency: int, work_dir: Path) -> PeerCommand:
    """The command line that makes ``peer`` check every link of ``start_url``."""
    if peer is Peer.LINKCHECKER:
        config = work_dir / "linkcheckerrc"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(
            # maxfilesizeparse: the start page links every URL and is larger than the
            # default 1 MB parse limit, above which LinkChecker silently checks nothing.
            f"[checking]\nthreads={concurrency}\nmaxrequestspersecond=100000\n"
            "recursionlevel=1\nmaxfilesizeparse=1073741824\n",
            encoding="utf-8",
        )
        return PeerCommand(
            peer,
            (
                str(peer.executable),
                "-f",
                str(config),
                "-t",
                str(concurrency),
                "-r",
                "1",
                "--check-extern",
                "--no-robots",
                "--no-status",
                "--no-warnings",
                "-o",
                "csv",
                start_url,
            ),
        )
    return PeerCommand(
        peer,
        (
            str(peer.executable),
            start_url,
            "--concurrency",
            str(concurrency),
            "--format",
            "json",
            "--timeout",
            "30000",
            "--verbosity",
            "error",
        ),
    )


def run_peer(peer: Peer, start_url: str, *, concurrency: int, work_dir: Path) -> ProcessRun | None:
    """Run ``peer`` once; ``None`` when it is not installed (see :attr:`Peer.install_hint`)."""
    if not peer.installed:
        return None
    command = peer_command(peer, start_url, concurrency=concurrency, work_dir=work_dir)
    return run_measured(command.argv, log=work_dir / f"{peer.value}.log", cwd=work_dir)
