"""Decompression bombs against an installed srccheck: status, bytes kept, peak memory.

Usage: python bench/bombs.py [--srccheck PATH] [--work-dir DIR]

Serves 10 GiB bombs (gzip, deflate, br and ``gzip, br`` stacked) from the hostile
test server on 127.0.0.1, runs ``srccheck verify`` (by default this interpreter's
``python -m srccheck``; ``--srccheck PATH`` runs another installation, e.g. a
production install made with the README's first command) on one article citing
them, and prints per bomb the status, whether it was truncated at the cap, the
decompressed bytes kept, and the run's peak resident memory. Run it with the test
environment's Python (the server needs the test extra); the srccheck under test
needs nothing but its own install.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "hostile")]

from bench.process import run_measured  # noqa: E402
from hostile_server import HostileServer, behaviour_handlers  # noqa: E402

BOMBS = ("/gzip-bomb", "/deflate-bomb", "/br-bomb", "/gzip-br-bomb")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--srccheck", help="srccheck executable (default: python -m srccheck)")
    parser.add_argument("--work-dir", type=Path, help="keep the article, reports and log here")
    args = parser.parse_args(argv)
    command = [args.srccheck] if args.srccheck else [sys.executable, "-m", "srccheck"]
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="srccheck-bombs-"))
    work.mkdir(parents=True, exist_ok=True)

    server = HostileServer(behaviour_handlers()).start()
    try:
        urls = [server.url(path) for path in BOMBS]
        article = work / "bomben.txt"
        sources = "\n".join(f"- {url}" for url in urls)
        article.write_text(f"07.12.2026\nBomben\n\nText.\n\nQuellen:\n{sources}\n", "utf-8")
        run = run_measured(
            [
                *command, "verify", str(article), "--output", str(work / "out"),
                "--allow-private", "--no-cache", "--no-archive", "--no-claims", "--quiet",
                "--format", "json", "--retries", "0", "--timeout", "300",
            ],
            log=work / "verify.log",
        )  # fmt: skip
    finally:
        server.stop()

    print(f"srccheck: {' '.join(command)}  (exit {run.returncode}, {run.wall_s:.1f} s)")
    report = json.loads((work / "out" / "bomben.json").read_text(encoding="utf-8"))
    checks = {source["source"]["url"]: source["check"] for source in report["sources"]}
    print(f"{'bomb (10 GiB)':<16} {'status':<10} {'truncated':<9} {'body_bytes':>10}  reason")
    for path, url in zip(BOMBS, urls, strict=True):
        check = checks[url]
        print(
            f"{path:<16} {check['status']:<10} {check['truncated']!s:<9} "
            f"{check['body_bytes']:>10}  {check['reason']}"
        )
    print(f"peak RSS of the run: {run.peak_rss_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
