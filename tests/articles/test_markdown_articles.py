"""Markdown articles: front matter, headings, link syntaxes, code blocks."""

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


def test_markdown_sample() -> None:
    article = load_ok(DATA / "article.md")
    assert article.format == "markdown"
    assert article.title == "Nordkorea schickt Soldaten"  # front matter wins over the heading
    assert article.date == dt.date(2024, 10, 22)
    assert [(s.raw, s.url) for s in article.sources] == [
        ("https://www.tagesschau.de/liveblog-(ukraine)", "https://www.tagesschau.de/liveblog-(ukraine)"),
        ("https://bücher.de/ä ö", "https://xn--bcher-kva.de/%C3%A4%20%C3%B6"),
        ("https://Autolink.example/x", "https://autolink.example/x"),
        ("https://www.zeit.de/thema/militaer", "https://www.zeit.de/thema/militaer"),
        ("https://zdf.de/a", "https://zdf.de/a"),
        ("Gespräch mit der Redaktion", None),
        ("mailto:desk@example.com", None),
        ("https://ref.example/artikel#absatz", "https://ref.example/artikel"),
    ]
    assert article.sources[-1].fragment == "absatz"
    assert article.sources[6].invalid_reason == "scheme 'mailto' is not checkable"
    lines = article.text.split("\n")
    for source in article.sources:
        (position,) = source.positions
        assert article.text[position.offset : position.offset + len(source.raw)] == source.raw
        assert lines[position.line - 1][position.column - 1 :].startswith(source.raw)
    heading_line = max(n for n, line in enumerate(lines, 1) if line == "## Quellen")
    assert article.sources[0].positions[0].line == heading_line + 2


def test_markdown_body_stops_before_the_sources_and_skips_the_heading() -> None:
    article = load_ok(DATA / "article.md")
    assert article.body.startswith("Erster Absatz mit [einem Link]")
    assert article.body.endswith("Zweiter Absatz.")
    assert "code.example" in article.body  # the fenced "## Quellen" is body, not a heading
    assert article.text[article.body_start :].startswith(article.body)


@pytest.mark.parametrize(
    "heading",
    ["## Quellen", "Quellen", "Quellen:", "**Quellen**", "**Quellen:**", "### Sources",
     "## Einzelnachweise", "References:", "#### Belege ####"],
)
def test_markdown_heading_variants(tmp_path: Path, heading: str) -> None:
    path = tmp_path / "a.md"
    path.write_text(
        f"# Titel\n\n22.10.2024\n\nText.\n\n{heading}\n\n- https://a.example/\n"
        "- [B](https://b.example/)\n\n## Nächstes\n\n- https://c.example/\n",
        encoding="utf-8",
    )
    article = load_ok(path)
    assert article.title == "Titel"
    assert article.date == dt.date(2024, 10, 22)
    assert article.body == "Text."
    assert [s.url for s in article.sources] == ["https://a.example/", "https://b.example/"]


def test_setext_title_and_autolink_only(tmp_path: Path) -> None:
    path = tmp_path / "a.markdown"
    path.write_text("Titel\n=====\n\nText.\n\nSources\n-------\n\n<https://a.example/x>\n", "utf-8")
    # "Sources" underlined is a setext h2: the line itself is the heading.
    article = load_ok(path)
    assert article.title == "Titel"
    assert [s.raw for s in article.sources] == ["https://a.example/x"]


def test_markdown_without_sources_fails(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("# Titel\n\nText mit [Link](https://a.example/).\n", encoding="utf-8")
    failure = load_article(path, DEFAULT_SETTINGS)
    assert isinstance(failure, ArticleFailure)
    assert failure.error.kind is ArticleErrorKind.NO_SOURCES
