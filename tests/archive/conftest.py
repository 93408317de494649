"""Fixtures of the archive tests: a real local pywb archive (the fake clock is shared).

The pywb fixture writes WARC records with warcio (several captures of one URL
at different dates with different text, and one 404 capture), builds a
collection with ``wb-manager init`` / ``wb-manager add`` and runs pywb's
``wayback`` server on a free 127.0.0.1 port for the whole session.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator

import httpx
import pytest
from archive_testbed import LocalArchive, free_port, pywb_tool, write_warc


@pytest.fixture(scope="session")
def pywb_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalArchive]:
    workdir = tmp_path_factory.mktemp("pywb")
    warc = workdir / "captures.warc.gz"
    write_warc(warc)
    manager = pywb_tool("wb-manager")
    for args in (["init", "news"], ["add", "news", str(warc)]):
        subprocess.run([manager, *args], cwd=workdir, check=True, capture_output=True, timeout=60)

    port = free_port()
    log = (workdir / "wayback.log").open("wb")
    process = subprocess.Popen(
        [pywb_tool("wayback"), "--port", str(port), "--bind", "127.0.0.1"],
        cwd=workdir,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so stopping it cannot hit pytest
    )
    root = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # a loaded machine starts it slowly
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"pywb exited: {(workdir / 'wayback.log').read_text()}")
            try:
                if httpx.get(f"{root}/news/cdx?url=x", timeout=1).status_code < 500:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("pywb did not start within 120 s")
            time.sleep(0.1)
        yield LocalArchive(root=root, collection="news")
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        log.close()
