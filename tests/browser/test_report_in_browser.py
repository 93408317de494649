"""Report safety in a real browser: hostile text everywhere, no payload runs, the page renders.

The HTML writer's escaping and CSP are checked as markup in
tests/report/test_report_html.py; this test opens reports built by the real
pipeline from hostile pages in headless chromium and watches for any sign of
script execution (a global set, the title changed, a dialog opened).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

MARK = "PWNED"
PAYLOADS = [
    f"<script>window.__pwned='script';document.title='{MARK}';alert(1)</script>",
    "<img src=x onerror=\"window.__pwned='img';alert(2)\">",
    "<svg onload=\"window.__pwned='svg';alert(3)\"></svg>",
    "\"><script>window.__pwned='attr';alert(4)</script>",
    "</title></textarea><script>window.__pwned='close';alert(5)</script>",
]
PAYLOAD = " ".join(PAYLOADS)
QUOTE = f"„Wir haben {PAYLOADS[1]} gesagt“"


def _hostile_site(server: HTTPServer) -> None:
    page = (
        f"<html><head><title>{PAYLOAD}</title></head>"
        f"<body><p>Der Minister sagte: {QUOTE} und mehr.</p></body></html>"
    )
    server.expect_request("/page").respond_with_data(page, content_type="text/html")
    server.expect_request("/phrase").respond_with_response(
        Response("x", status=f"599 {PAYLOADS[0]}")  # the reason phrase reaches the report
    )
    server.expect_request("/redirect").respond_with_response(
        Response("", status=302, headers={"Location": f"/missing?{PAYLOADS[2]}"})
    )
    # The archive answers with payloads in its TimeMap and errors.
    server.expect_request("/timemap/link/", method="GET").respond_with_response(
        Response(PAYLOAD, status=f"500 {PAYLOADS[3]}")
    )


def _build_reports(server: HTTPServer, folder: Path) -> Path:
    base = server.url_for("").rstrip("/")
    article = folder / "artikel \"><img src=x onerror=alert(7)>.md"  # no "/" in a name
    article.write_text(
        f"# Titel {PAYLOAD}\n\n22.10.2024\n\nDer Minister sagte: {QUOTE}.\n\n## Quellen\n\n"
        f"- [{PAYLOAD}]({base}/page)\n- {base}/phrase\n- {base}/redirect\n"
        f"- javascript:alert(document.cookie)\n- <{base}/page?{PAYLOADS[1]}>\n",
        encoding="utf-8",
    )
    out = folder / "out"
    args = [
        "verify", str(article), "--output", str(out), "--allow-private", "--no-cache",
        "--retries", "0", "--timeout", "60", "--quiet",
        "--archive", f"memento={base}/timegate",
    ]  # fmt: skip
    # A subprocess: Playwright's sync API keeps an event loop running in this thread.
    result = subprocess.run(
        [sys.executable, "-m", "srccheck", *args],
        cwd=folder, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    return out


def _open(browser: Any, path: Path, screenshot: Path) -> dict[str, Any]:
    """Open ``path``; return what ran: dialogs, the title, ``window.__pwned``, errors."""
    context = browser.new_context(java_script_enabled=True)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_timeout(300)  # let any onerror/onload handler fire (not an assertion)
    seen = {
        "dialogs": dialogs,
        "title": page.title(),
        "pwned": page.evaluate("() => window.__pwned ?? null"),
        "table_visible": page.locator("table").first.is_visible(),
        "text": page.inner_text("body"),
    }
    page.screenshot(path=str(screenshot), full_page=True)
    context.close()
    return seen


@pytest.mark.timeout(180)
def test_hostile_report_renders_and_runs_no_payload(
    chromium: Any, httpserver: HTTPServer, tmp_path: Path
) -> None:
    _hostile_site(httpserver)
    out = _build_reports(httpserver, tmp_path)
    pages = sorted(out.glob("*.html"))
    assert len(pages) == 2  # the article and the index
    json_text = "".join(p.read_text(encoding="utf-8") for p in out.glob("*.json"))
    assert "window.__pwned" in json_text  # the payloads really reached the reports

    for page in pages:
        shot = tmp_path / f"{page.stem}.png"
        seen = _open(chromium, page, shot)
        assert seen["dialogs"] == [], page.name
        assert seen["pwned"] is None, page.name
        assert MARK not in seen["title"] or "<script>" in seen["title"], page.name
        assert seen["table_visible"], page.name
        assert shot.stat().st_size > 1000, page.name
        assert "window.__pwned" in seen["text"], page.name  # shown as text, not run

    article_page = next(p for p in pages if p.name != "index.html")
    seen = _open(chromium, article_page, tmp_path / "again.png")
    assert "599" in seen["text"]
    assert "javascript:alert(document.cookie)" in seen["text"]
