"""Plain-text articles: source lists one entry per line, headings, invalid and duplicate entries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from srccheck.articles import Article, ArticleFailure, load_article
from srccheck.models import ArticleErrorKind
from srccheck.settings import DEFAULT_SETTINGS


def load(tmp_path: Path, content: str, name: str = "artikel.txt") -> Article | ArticleFailure:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return load_article(path, DEFAULT_SETTINGS)


def load_ok(tmp_path: Path, content: str, name: str = "artikel.txt") -> Article:
    article = load(tmp_path, content, name)
    assert isinstance(article, Article), article
    return article


def assert_positions_match(article: Article) -> None:
    lines = article.text.split("\n")
    for source in article.sources:
        for position in source.positions:
            assert article.text[position.offset : position.offset + len(source.raw)] == source.raw
            assert lines[position.line - 1][position.column - 1 :].startswith(source.raw)


@pytest.mark.parametrize(
    "marker", ["* ", "- ", "+ ", "1. ", "1) ", "[1] ", "", "  - "], ids=repr
)
@pytest.mark.parametrize("heading", ["Quellen:", "Quellen", "Sources:", "References", "Belege:"])
def test_one_url_per_line_lists(tmp_path: Path, marker: str, heading: str) -> None:
    urls = ["https://a.example/eins", "https://b.example/zwei?x=1", "http://c.example/drei"]
    items = "\n".join(f"{marker}{url}" for url in urls)
    article = load_ok(
        tmp_path, f"2024-10-22\nEin Titel\n\nErster Absatz.\n\n{heading}\n{items}\n\nImpressum\n"
    )
    assert article.format == "text"
    assert [s.url for s in article.sources] == urls
    assert article.date == dt.date(2024, 10, 22)
    assert article.title == "Ein Titel"
    assert article.body == "Erster Absatz."
    first_list_line = article.text.split("\n").index(f"{marker}{urls[0]}") + 1
    assert [s.positions[0].line for s in article.sources] == [
        first_list_line, first_list_line + 1, first_list_line + 2,
    ]
    assert_positions_match(article)


def test_list_with_blank_lines_labels_and_trailer(tmp_path: Path) -> None:
    article = load_ok(
        tmp_path,
        "22. Oktober 2024\n\nText des Artikels.\n\nQuellen:\n\n"
        "1. Tagesschau: https://a.example/x (abgerufen am 22.10.2024)\n\n"
        "2. „https://b.example/y“.\n"
        "3. Interview mit der Redaktion\n\n"
        "Weitere Artikel\nhttps://not-a-source.example/\n",
    )
    assert article.date == dt.date(2024, 10, 22)
    assert [s.raw for s in article.sources] == [
        "https://a.example/x", "https://b.example/y", "Interview mit der Redaktion",
    ]
    assert article.sources[2].url is None
    assert article.sources[2].invalid_reason == "not a URL (contains spaces)"
    assert_positions_match(article)


def test_invalid_entries_are_kept_with_reasons(tmp_path: Path) -> None:
    article = load_ok(
        tmp_path,
        "Titel\n\nText.\n\nSources:\n- mailto:desk@example.com\n- javascript:void(0)\n"
        "- ftp://files.example.com/a.pdf\n- http://\n- www.example.com/ohne-schema\n",
    )
    reasons = {s.raw: s.invalid_reason for s in article.sources}
    assert reasons == {
        "mailto:desk@example.com": "scheme 'mailto' is not checkable",
        "javascript:void(0)": "scheme 'javascript' is not checkable",
        "ftp://files.example.com/a.pdf": "scheme 'ftp' is not checkable",
        "http://": "missing host",
        "www.example.com/ohne-schema": None,
    }
    assert article.sources[-1].url == "https://www.example.com/ohne-schema"


def test_duplicates_are_merged_with_every_position(tmp_path: Path) -> None:
    article = load_ok(
        tmp_path,
        "Titel\n\nText.\n\nQuellen:\n"
        "- https://Example.com/a#teil-1\n"
        "- https://b.example/\n"
        "- HTTPS://example.com:443/a#teil-2\n"
        "- keine URL\n"
        "- keine URL\n"
        "- https://example.com/a\n",
    )
    assert [s.raw for s in article.sources] == [
        "https://Example.com/a#teil-1", "https://b.example/", "keine URL",
    ]
    merged = article.sources[0]
    assert merged.url == "https://example.com/a"
    assert merged.fragment == "teil-1"  # the first citation's fragment is kept
    assert [p.index for p in merged.positions] == [0, 2, 5]
    assert [p.line for p in merged.positions] == [6, 8, 11]
    assert [p.index for p in article.sources[2].positions] == [3, 4]


def test_single_line_article(tmp_path: Path) -> None:
    article = load_ok(
        tmp_path, "Ein Satz über etwas. Quellen: https://a.example/1 - https://b.example/2"
    )
    assert article.body == "Ein Satz über etwas."
    assert [s.url for s in article.sources] == ["https://a.example/1", "https://b.example/2"]
    assert all(p.line == 1 for s in article.sources for p in s.positions)
    assert_positions_match(article)


def test_ten_thousand_sources_in_one_line_and_one_per_line(tmp_path: Path) -> None:
    urls = [f"https://host{i % 97}.example/pfad-{i}--x" for i in range(10_000)]
    inline = load_ok(tmp_path, "01.01.2024\nT\n\nText.\n\nQuellen: - " + " - ".join(urls) + "\n")
    assert [s.url for s in inline.sources] == urls
    listed = load_ok(tmp_path, "T\n\nText.\n\nSources:\n" + "\n".join(f"* {u}" for u in urls))
    assert len(listed.sources) == 10_000
    assert listed.sources[-1].positions[0].line == 5 + 10_000


def test_no_source_section_is_a_failure_naming_the_headings(tmp_path: Path) -> None:
    failure = load(tmp_path, "Titel\n\nNur Text, keine Liste.\n")
    assert isinstance(failure, ArticleFailure)
    assert failure.error.kind is ArticleErrorKind.NO_SOURCES
    assert "'Quellen'" in failure.error.message
    assert "'Sources'" in failure.error.message


def test_empty_source_section_is_a_failure(tmp_path: Path) -> None:
    failure = load(tmp_path, "Titel\n\nText.\n\nQuellen:\n")
    assert isinstance(failure, ArticleFailure)
    assert failure.error.kind is ArticleErrorKind.NO_SOURCES
    assert "Quellen" in failure.error.message


def test_last_sources_heading_wins_over_a_body_line(tmp_path: Path) -> None:
    article = load_ok(
        tmp_path,
        "Titel\n\nQuellen: Regierungskreise, wie berichtet wird.\n\nMehr Text.\n\n"
        "Quellen:\n- https://a.example/\n",
    )
    assert [s.url for s in article.sources] == ["https://a.example/"]
    assert "Regierungskreise" in article.body


def test_strip_tracking_setting_is_applied(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("T\n\nX.\n\nQuellen:\n- https://a.example/?utm_source=x&id=1\n", "utf-8")
    plain = load_article(path, DEFAULT_SETTINGS)
    stripped = load_article(path, DEFAULT_SETTINGS.with_changes(strip_tracking=True))
    assert isinstance(plain, Article)
    assert isinstance(stripped, Article)
    assert plain.sources[0].url == "https://a.example/?utm_source=x&id=1"
    assert stripped.sources[0].url == "https://a.example/?id=1"
    assert stripped.sources[0].raw == "https://a.example/?utm_source=x&id=1"
