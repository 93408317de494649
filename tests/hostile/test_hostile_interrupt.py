"""SIGTERM and SIGINT in the middle of a run: valid reports, every source, exit 128 + signal."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
from hostile_server import (
    HTML,
    HostileServer,
    cli_args,
    held,
    load_json,
    respond,
    schema,
    start_cli,
)
from test_hostile_server import write_article


def _wait_for(condition: Callable[[], bool], what: str, limit: float = 60.0) -> None:
    """Poll until ``condition()``; a synchronisation aid, not a timing assertion."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


@pytest.mark.timeout(90)
@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_mid_run_writes_valid_and_incomplete_reports(
    make_server: Callable[..., HostileServer], tmp_path: Path, signum: int, code: int
) -> None:
    server = make_server({"/ok": respond(HTML, Content_Type="text/html"), "/held": held})
    articles = tmp_path / "articles"
    articles.mkdir()
    write_article(articles, [server.url("/ok")], name="a_fertig.txt")
    held_urls = [server.url("/ok"), server.url("/held"), "keine-url"]
    write_article(articles, held_urls, name="b_haengt.txt")
    out = tmp_path / "out"
    args = cli_args(articles, out, "--allow-private", "--timeout", "600", "--retries", "0")
    process = start_cli(args, tmp_path)
    try:
        _wait_for(lambda: (out / "a_fertig.json").exists(), "the first report")
        _wait_for(lambda: ("HTTP/1.1", "/held") in server.requests, "the held request")
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == code, stderr.decode()
    assert b"Traceback" not in stderr
    assert b"interrupted" in stderr

    report_schema = jsonschema.Draft202012Validator(schema("report.schema.json"))
    finished = load_json(out / "a_fertig.json")
    report_schema.validate(finished)
    assert finished["state"] == "complete"
    assert finished["sources"][0]["check"]["status"] == "ok"

    unfinished = load_json(out / "b_haengt.json")
    report_schema.validate(unfinished)
    assert unfinished["state"] == "incomplete"
    statuses = {s["source"]["url"] or s["source"]["raw"]: s["check"] for s in unfinished["sources"]}
    assert set(statuses) == set(held_urls)  # every source is present
    assert statuses[server.url("/ok")]["status"] == "ok"  # checked before the signal: kept
    assert statuses[server.url("/held")]["status"] == "skipped"
    assert "interrupted" in statuses[server.url("/held")]["reason"]
    assert statuses["keine-url"]["status"] == "invalid"

    index = load_json(out / "index.json")
    jsonschema.Draft202012Validator(schema("index.schema.json")).validate(index)
    assert index["state"] == "incomplete"
    assert {Path(e["file"]).name: e["state"] for e in index["articles"]} == {
        "a_fertig.txt": "complete",
        "b_haengt.txt": "incomplete",
    }
    assert (out / "b_haengt.html").exists()
