"""HTML articles: title, date, the sources section, href positions in the raw file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from srccheck.articles import Article, ArticleFailure, load_article
from srccheck.models import ArticleErrorKind
from srccheck.settings import DEFAULT_SETTINGS

DATA = Path(__file__).parent / "data"


def load_ok(path: Path) -> Article:
    article = load_article(path, DEFAULT_SETTINGS)
    assert isinstance(article, Article), article
    return article


def test_html_sample_sources() -> None:
    article = load_ok(DATA / "article.html")
    assert article.format == "html"
    assert [(s.raw, s.url, s.invalid_reason is None) for s in article.sources] == [
        ("https://www.tagesschau.de/a?x=1&amp;y=2", "https://www.tagesschau.de/a?x=1&y=2", True),
        ("https://bücher.de/ä", "https://xn--bcher-kva.de/%C3%A4", True),
        ("https://www.zeit.de/thema/militaer", "https://www.zeit.de/thema/militaer", True),
        ("https://zdf.de/unquoted", "https://zdf.de/unquoted", True),
        ("javascript:void(0)", None, False),
        ("/relativ", None, False),
    ]
    # The second Tagesschau link is the same URL: merged, both places kept.
    assert len(article.sources[0].positions) == 2
    assert [p.index for p in article.sources[0].positions] == [0, 6]


def test_html_positions_are_those_of_the_hrefs_in_the_file() -> None:
    article = load_ok(DATA / "article.html")
    raw_lines = (DATA / "article.html").read_text(encoding="utf-8").split("\n")
    expected_lines = {
        "https://www.tagesschau.de/a?x=1&amp;y=2": 18,
        "https://bücher.de/ä": 20,
        "https://www.zeit.de/thema/militaer": 21,
        "https://zdf.de/unquoted": 22,
    }
    for source in article.sources:
        position = source.positions[0]
        assert article.text[position.offset : position.offset + len(source.raw)] == source.raw
        line = raw_lines[position.line - 1]
        assert line[position.column - 1 :].startswith(source.raw)
        if source.raw in expected_lines:
            assert position.line == expected_lines[source.raw]
    assert article.sources[1].positions[0].column == len("        href='") + 1


def test_html_title_date_and_body() -> None:
    article = load_ok(DATA / "article.html")
    assert article.title == "Nordkorea schickt Soldaten"
    assert article.date == dt.date(2024, 10, 22)
    assert article.body == "Erster Absatz mit Link.\n\nZweiter Absatz."
    assert article.body_start == -1


@pytest.mark.parametrize(
    "heading",
    ["<h3>Sources</h3>", "<p><strong>Quellen:</strong></p>", "<h2>Einzelnachweise</h2>",
     "<p>References</p>", "<h4> Belege </h4>"],
)
def test_html_heading_variants_and_fallback_title(tmp_path: Path, heading: str) -> None:
    path = tmp_path / "a.htm"
    path.write_text(
        "<html><head><title>Titel</title><meta name=date content=2024-10-22></head><body>"
        f"<main><p>Text.</p>{heading}<ol><li><a href='https://a.example/'>A</a></ol></main>"
        "<footer><a href='https://footer.example/'>F</a></footer></body></html>",
        encoding="utf-8",
    )
    article = load_ok(path)
    assert article.title == "Titel"
    assert article.date == dt.date(2024, 10, 22)
    assert article.body == "Text."
    assert [s.url for s in article.sources] == ["https://a.example/"]


def test_html_time_element_and_sniffed_format(tmp_path: Path) -> None:
    path = tmp_path / "artikel.page"  # unknown extension: the content decides
    path.write_text(
        "<!doctype html><article><h1>T</h1><time datetime='2023-05-04'>4. Mai</time>"
        "<p>Text</p><h2>Quellen</h2><p>Siehe <a href='https://a.example/'>hier</a>"
        " und <a href='https://b.example/'>da</a>.</p></article>",
        encoding="utf-8",
    )
    article = load_ok(path)
    assert article.format == "html"
    assert article.date == dt.date(2023, 5, 4)
    assert [s.url for s in article.sources] == ["https://a.example/", "https://b.example/"]


def test_html_without_sources_heading_fails(tmp_path: Path) -> None:
    path = tmp_path / "a.html"
    path.write_text("<p>Text mit <a href='https://a.example/'>Link</a></p>", encoding="utf-8")
    failure = load_article(path, DEFAULT_SETTINGS)
    assert isinstance(failure, ArticleFailure)
    assert failure.error.kind is ArticleErrorKind.NO_SOURCES
