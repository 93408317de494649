"""The seed layout: date, title, body, one ``Quellen: - url - url`` line, trailer."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from srccheck.articles import Article, load_article
from srccheck.settings import DEFAULT_SETTINGS

SEED = Path(__file__).parent / "data" / "seed_5d9ab7691511e32e.txt"

EXPECTED_URLS = [
    "https://www.faz.net/aktuell/politik/ukraine/ukraine-liveticker-usa-besorgt-ueber-moegliche-"
    "entsendung-nordkoreanischer-soldaten-faz-19030454.html",
    "https://www.faz.net/aktuell/politik/rutte-entsendung-nordkoreanischer-truppen-waere-"
    "erhebliche-eskalation-110060907.html",
    "https://www.zeit.de/politik/ausland/ukraine-krieg-news-liveblog",
    "https://www.zdf.de/nachrichten/politik/ausland/ukraine-russland-konflikt-blog-100.html",
    "https://www.tagesschau.de/newsticker/liveblog-ukraine-samstag-438.html",
    "https://www.zeit.de/thema/militaer",
    "https://de.marketscreener.com/kurs/wahrung/US-DOLLAR-RUSSIAN-ROUBLE--2370597/news/"
    "Nato-und-EU-besorgt-wegen-nordkoreanischer-Soldaten-fur-Ukraine-Krieg-48120282/",
    "https://rp-online.de/politik/ausland/krieg_ukraine/ukrainekrieg-live-blog-neues-"
    "militaerpaket-fuer-400-millionesn-us-dollar_aid-66273523",
]


def load_seed() -> Article:
    article = load_article(SEED, DEFAULT_SETTINGS)
    assert isinstance(article, Article), article
    return article


def test_seed_has_the_eight_sources_with_exact_urls() -> None:
    article = load_seed()
    assert article.format == "seed"
    assert [source.raw for source in article.sources] == EXPECTED_URLS
    # These URLs are already canonical: normalisation must not change them.
    assert [source.url for source in article.sources] == EXPECTED_URLS
    assert all(source.invalid_reason is None for source in article.sources)
    assert all(source.fragment is None for source in article.sources)


def test_seed_date_title_and_body() -> None:
    article = load_seed()
    assert article.date == dt.date(2024, 10, 22)
    assert article.title == "NordkoreanischeSoldateninUkraineUSAundNATObesorgt"
    assert article.encoding == "utf-8"
    assert article.body.startswith("Nach Berichten über eine mutmaßliche Entsendung")
    assert article.body.endswith("Moskaus Angriffskrieg gegen sein Land.")
    assert "Quellen" not in article.body
    assert "Weitere" not in article.body
    assert "Artikel" not in article.body.split("\n")[-1]
    assert article.body.count("\n\n") == 4  # five paragraphs, separated as in the file
    assert article.text[article.body_start : article.body_start + len(article.body)] == article.body


def test_seed_positions_point_at_each_url_on_the_quellen_line() -> None:
    article = load_seed()
    file_lines = SEED.read_text(encoding="utf-8").split("\n")
    quellen_line = next(i for i, line in enumerate(file_lines, 1) if line.startswith("Quellen:"))
    assert quellen_line == 14  # the file's 14th line (`grep -n Quellen:` agrees)
    for index, source in enumerate(article.sources):
        (position,) = source.positions
        assert position.index == index
        assert position.line == quellen_line
        line_text = file_lines[position.line - 1]
        assert line_text[position.column - 1 :].startswith(source.raw)
        assert article.text[position.offset : position.offset + len(source.raw)] == source.raw
    first = article.sources[0].positions[0]
    assert first.column == len("Quellen: - ") + 1


def test_seed_with_a_non_url_entry_keeps_it_as_invalid(tmp_path: Path) -> None:
    path = tmp_path / "artikel.txt"
    path.write_text(
        "22.10.2024\nTitel\n\nText.\n\nQuellen: - https://a.example/x - keine-url-hier"
        " - https://b.example/y--z\n\nWeitere\nArtikel\n",
        encoding="utf-8",
    )
    article = load_article(path, DEFAULT_SETTINGS)
    assert isinstance(article, Article)
    assert [s.raw for s in article.sources] == [
        "https://a.example/x", "keine-url-hier", "https://b.example/y--z",
    ]
    invalid = article.sources[1]
    assert invalid.url is None
    assert invalid.invalid_reason is not None
    assert "scheme" in invalid.invalid_reason
