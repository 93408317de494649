"""A real headless browser for the report-safety test: Debian's chromium via Playwright.

Playwright never downloads a browser here: the session fixture uses
``/usr/bin/chromium`` and installs the Debian package when it is missing
(we run as root in CI). When it cannot be had, the test fails in CI (``CI`` is
set) and is skipped elsewhere, with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"the browser test needs chromium and Playwright in CI: {reason}")
    pytest.skip(reason)


def _apt(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    return subprocess.run(
        ["apt-get", *args], capture_output=True, text=True, env=env, timeout=900, check=False
    )


def _install_chromium() -> str | None:
    """Install Debian's chromium; ``None`` on success, else what went wrong."""
    if shutil.which("apt-get") is None:
        return "chromium is missing and apt-get is not available"
    if os.geteuid() != 0:
        return "chromium is missing and installing it needs root"
    result = _apt("install", "-y", "--no-install-recommends", "chromium")
    if result.returncode != 0:  # the package lists may be missing or stale
        _apt("update")
        result = _apt("install", "-y", "--no-install-recommends", "chromium")
    if result.returncode != 0 or not CHROMIUM.exists():
        return f"apt-get install chromium failed: {result.stderr.strip()[-500:]}"
    return None


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    """Debian's chromium, installed once per session when missing."""
    if not CHROMIUM.exists() and (problem := _install_chromium()) is not None:
        _unavailable(problem)
    return CHROMIUM


@pytest.fixture(scope="module")
def chromium(chromium_path: Path) -> Iterator[object]:
    """A launched Playwright chromium browser, per module.

    Not per session: Playwright's sync API keeps an event loop running in the
    main thread while it is open, and later tests call ``asyncio.run``.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium_path), args=CHROMIUM_FLAGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()
