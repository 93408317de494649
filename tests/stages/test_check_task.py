"""A check task of the staged run reads its pages inline: it already runs side by side with
other tasks in the worker's threads, so a hop to yet another thread would only cost."""

from __future__ import annotations

from pathlib import Path

from pytest_httpserver import HTTPServer

from srccheck.fetch import client
from srccheck.models import LinkCheck
from srccheck.settings import Settings
from srccheck.stages.check import check_urls
from srccheck.status import Status


def test_a_check_task_reads_large_pages_inline(
    httpserver: HTTPServer, tmp_path: Path, threaded_page_reads: list[object]
) -> None:
    page = "<html><head><title>Groß</title></head><body>" + "<p>Text.</p>" * 10_000
    httpserver.expect_request("/gross").respond_with_data(page, content_type="text/html")
    settings = Settings(allow_private=True, retries=0, soft404_probe=False, host_interval=0.0)
    assert len(page) > 4 * client._INSPECT_IN_THREAD
    group = check_urls(
        [httpserver.url_for("/gross")], settings, str(tmp_path / "store.sqlite3"), keep_pages=False
    )
    (checked,) = group.checked
    check = LinkCheck.model_validate_json(checked.check)
    assert (check.status, check.page_title) == (Status.OK, "Groß")
    assert threaded_page_reads == []
