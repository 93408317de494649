"""Helper for tests/fetch/test_processes.py: a ProcessFetcher whose workers do not end when told to.

SIGSTOP stands in for a worker whose event loop is blocked in synchronous code (or whose
asyncio.run() waits on executor threads, e.g. getaddrinfo on a dead resolver: Python 3.11's
shutdown_default_executor has no timeout) for longer than _stop's 2 x _JOIN_SECONDS.
"""

import asyncio
import os
import signal
import sys

from srccheck.fetch import processes
from srccheck.fetch.client import Fetcher
from srccheck.fetch.processes import ProcessFetcher
from srccheck.settings import Settings


async def main(url: str) -> None:
    processes._JOIN_SECONDS = 0.5  # keep the test short; the default is 10 s
    settings = Settings(allow_private=True, host_interval=0, use_cache=False)
    async with (
        Fetcher(settings) as own,
        ProcessFetcher(settings, processes=2, client_of=own, cache=None, keep_pages=False) as pf,
    ):
        await pf.check(url)
        pids = [worker.process.pid for worker in pf._workers]
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        print(" ".join(map(str, pids)), flush=True)
    print("stopped", flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
