"""The run index of 100,000 articles in a real browser: it opens, pages, sorts and filters
through every article, and article text in it never runs as script."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from tests.browser.large_index import HOSTILE, large_index

from srccheck.report.html import INDEX_PAGE_ROWS, write_index_html

ARTICLES = 100_000


@pytest.fixture(scope="module")
def index_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("large") / "index.html"
    write_index_html(large_index(ARTICLES), path)
    return path


def _status(page: Any) -> str:
    return page.inner_text("#index-status")


def _first_cells(page: Any) -> list[str]:
    script = "rows => rows.map(r => r.cells[0].textContent)"
    return page.eval_on_selector_all("#articles tbody tr", script)


@pytest.mark.timeout(600)
def test_index_of_100000_articles_pages_sorts_and_filters(chromium: Any, index_page: Path) -> None:
    size = index_page.stat().st_size
    assert size < 20 * 1024 * 1024  # about 150 bytes an article (a table would be ~1 KB)
    context = chromium.new_context(java_script_enabled=True)
    page = context.new_page()
    started = time.monotonic()
    page.goto(index_page.as_uri(), wait_until="load", timeout=300_000)
    page.wait_for_selector("#index-controls:not([hidden])", timeout=300_000)
    opened = time.monotonic() - started  # printed for the README, never asserted
    print(f"index of {ARTICLES} articles: {size / 1e6:.1f} MB, open and ready in {opened:.2f} s")

    # Worst first: the unreadable article, then those with a broken source.
    assert _status(page) == f"{ARTICLES} of {ARTICLES} articles · page 1 of {ARTICLES // 100}"
    assert _first_cells(page)[:3] == ["77", "10", "20"]
    assert len(_first_cells(page)) == 100

    page.click("#page-next")
    assert _status(page).endswith(f"page 2 of {ARTICLES // 100}")

    page.select_option("#filter-outcome", "broken")
    assert _status(page).startswith(f"{ARTICLES // 10} of {ARTICLES} articles · page 1 of")
    page.select_option("#filter-outcome", "")
    page.select_option("#filter-verdict", "not_found")
    assert _status(page).startswith(f"{ARTICLES // 50} of {ARTICLES} articles")
    assert _first_cells(page)[:2] == ["25", "75"]
    page.select_option("#filter-verdict", "")

    page.click("th[data-sort='n']")  # by number, ascending
    assert _first_cells(page)[:3] == ["1", "2", "3"]
    page.click("th[data-sort='n']")  # and descending
    assert _first_cells(page)[0] == str(ARTICLES)

    page.fill("#filter-text", "window.__pwned")
    assert _status(page).startswith("1 of")
    assert HOSTILE in page.inner_text("#articles tbody")  # shown as text
    assert page.evaluate("() => window.__pwned ?? null") is None  # never run
    context.close()


def test_without_scripts_the_index_shows_the_worst_articles(
    chromium: Any, index_page: Path
) -> None:
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(index_page.as_uri(), wait_until="load", timeout=300_000)
    rows = page.eval_on_selector_all("#articles tbody tr", "rows => rows.length")
    assert rows == INDEX_PAGE_ROWS
    assert "index.json lists every article" in page.inner_text("#index-static")
    assert not page.is_visible("#index-controls")
    context.close()
