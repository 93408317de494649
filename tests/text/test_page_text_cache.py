"""srccheck.pipeline.page_text keeps what it read for the next article citing the same page."""

from __future__ import annotations

import pytest

import srccheck.pipeline as pipeline
from srccheck.fetch.model import Page
from srccheck.text import PageText

_HTML = (
    "<html><body><article><p>Der Rat tagte am Montag in Brüssel.</p></article></body></html>"
)


def _page(url: str, content_type: str = "text/html") -> Page:
    # A new Page and a new string each time, as when a page is read back from the cache.
    return Page(url, content_type, "utf-8", "".join([_HTML]), truncated=False)


def test_a_page_cited_again_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[str] = []
    real = pipeline.extract_page_text

    def counting(html: str, url: str | None = None) -> PageText:
        reads.append(url or "")
        return real(html, url)

    monkeypatch.setattr(pipeline, "extract_page_text", counting)
    first = pipeline.page_text(_page("https://a.example/read-once"))
    again = pipeline.page_text(_page("https://a.example/read-once"))
    other = pipeline.page_text(_page("https://b.example/read-once"))
    assert first is not None
    assert first is again
    assert other is not None
    assert other.main_text == first.main_text
    # The same body from another URL is another page (its URL is in its PageText).
    assert reads == ["https://a.example/read-once", "https://b.example/read-once"]


def test_the_same_body_as_plain_text_is_read_as_plain_text() -> None:
    html = pipeline.page_text(_page("https://c.example/kind"))
    plain = pipeline.page_text(_page("https://c.example/kind", "text/plain"))
    assert html is not None
    assert plain is not None
    assert "<article>" not in html.full_text
    assert "<article>" in plain.full_text
