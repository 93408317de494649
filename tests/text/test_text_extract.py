"""extract_page_text(): main text, boilerplate removal, JSON-LD metadata and paywall."""

from __future__ import annotations

import datetime as dt
import json

from srccheck.text.extract import TextSource, extract_page_text


def _page(body: str, head: str = "") -> str:
    return f"<html lang='de'><head>{head}</head><body>{body}</body></html>"


def _jsonld(obj: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


def test_article_is_main_text_and_boilerplate_is_gone() -> None:
    html = _page(
        "<header>Startseite Politik</header><nav>Menü Wirtschaft</nav>"
        "<div id='cookie-consent'>Wir verwenden Cookies</div>"
        "<article><h1>Titel</h1><p>Erster Absatz.</p><p>Zweiter Absatz.</p>"
        "<aside>Anzeige</aside><script>var x = 'Skript';</script>"
        "<div class='related-articles'><p>„Ein Zitat nur im Teaser“</p></div></article>"
        "<section class='teaser-list'><p>Mehr zum Thema</p></section>"
        "<footer>Impressum</footer>"
    )
    page = extract_page_text(html, "https://example.org/a")
    assert page.source is TextSource.ARTICLE
    assert page.main_text == "Titel\n\nErster Absatz.\n\nZweiter Absatz."
    # The searchable full text keeps every visible block (matches there are
    # marked as outside the main region); scripts never count as text.
    for kept in ("Startseite Politik", "Menü", "Cookies", "Anzeige", "Teaser", "Mehr zum",
                 "Impressum", "Zweiter Absatz."):  # fmt: skip
        assert kept in page.full_text
    assert "Skript" not in page.full_text
    assert "PolitikMenü" not in page.full_text  # header and nav are blocks
    assert page.url == "https://example.org/a"
    assert page.lang == "de"


def test_blocks_become_line_breaks_so_sentences_do_not_run_together() -> None:
    page = extract_page_text(_page("<main><div>Ende</div><div>Anfang</div><p>A<br>B</p></main>"))
    assert page.source is TextSource.MAIN
    assert "EndeAnfang" not in page.main_text
    assert [line for line in page.main_text.split("\n") if line] == ["Ende", "Anfang", "A", "B"]


def test_body_is_used_when_there_is_no_article_or_main() -> None:
    page = extract_page_text(_page("<div><p>Nur Text im Body.</p></div>"))
    assert page.source is TextSource.BODY
    assert page.main_text == "Nur Text im Body."


def test_protected_body_class_does_not_drop_the_page() -> None:
    html = "<html><body class='cookie-consent-open'><p>Inhalt bleibt.</p></body></html>"
    assert extract_page_text(html).main_text == "Inhalt bleibt."


def test_jsonld_article_body_in_graph_is_preferred_with_metadata() -> None:
    head = _jsonld(
        {
            "@context": "https://schema.org",
            "@graph": [
                {"@type": "WebSite", "name": "Zeitung"},
                {
                    "@type": "NewsArticle",
                    "headline": "Schlagzeile",
                    "articleBody": "Der ganze Text &amp; mehr.",
                    "datePublished": "2024-10-22T08:15:00+02:00",
                    "dateModified": "2024-10-23",
                },
            ],
        }
    )
    page = extract_page_text(_page("<article><p>Nur der Vorspann.</p></article>", head))
    assert page.source is TextSource.JSONLD
    assert page.main_text == "Der ganze Text & mehr."
    assert "Nur der Vorspann." in page.full_text
    assert page.title == "Schlagzeile"
    assert page.published is not None
    assert page.published.date() == dt.date(2024, 10, 22)
    assert page.modified == dt.datetime(2024, 10, 23)
    assert page.paywalled is False


def test_paywall_flags() -> None:
    as_string = _jsonld({"@type": "NewsArticle", "isAccessibleForFree": "False"})
    as_bool = _jsonld([{"@type": "NewsArticle", "isAccessibleForFree": False}])
    in_part = _jsonld(
        {"@type": "NewsArticle", "hasPart": [{"@type": "WebPageElement",
                                               "isAccessibleForFree": "false"}]}
    )  # fmt: skip
    free = _jsonld({"@type": "NewsArticle", "isAccessibleForFree": True})
    for head in (as_string, as_bool, in_part):
        assert extract_page_text(_page("<p>x</p>", head)).paywalled is True
    assert extract_page_text(_page("<p>x</p>", free)).paywalled is False


def test_meta_tags_fill_title_and_dates_and_bad_jsonld_is_ignored() -> None:
    head = (
        '<script type="application/ld+json">{not json</script>'
        '<meta property="og:title" content="OG Titel">'
        '<meta property="article:published_time" content="2024-10-21T10:00:00Z">'
        "<title>HTML Titel</title>"
    )
    page = extract_page_text(_page("<p>Text</p>", head))
    assert page.title == "OG Titel"
    assert page.published == dt.datetime(2024, 10, 21, 10, tzinfo=dt.UTC)


def test_longest_article_wins_over_teaser_articles() -> None:
    html = _page(
        "<article><p>Kurz.</p></article>"
        "<article><p>Der eigentliche, deutlich längere Artikeltext steht hier.</p></article>"
    )
    assert extract_page_text(html).main_text.startswith("Der eigentliche")


ARTICLE_PROSE = "".join(
    f"<p>Absatz {k}: Der eigentliche Artikeltext mit vielen Sätzen steht hier.</p>"
    for k in range(12)
)


def test_a_boilerplate_class_token_never_removes_the_article() -> None:
    # Seen on a real page: the tag list in the class made the whole article "social".
    html = _page(
        "<nav>Menü</nav><div class='share-bar'>Teilen</div>"
        "<article class='post tag-social-media tag-tradwives'>"
        f"<h1>Titel</h1>{ARTICLE_PROSE}<div class='social-share'>Teilen auf X</div></article>"
        "<aside class='related'><p>Ein anderer Artikel.</p></aside>"
    )
    page = extract_page_text(html)
    assert page.source is TextSource.ARTICLE
    assert "Absatz 0" in page.main_text
    assert "Absatz 7" in page.main_text
    # Boilerplate inside the kept article is still judged on its own.
    assert "Teilen auf X" not in page.main_text
    assert "Ein anderer Artikel." not in page.main_text
    assert "Teilen auf X" in page.full_text


def test_furniture_tag_wrapping_the_whole_page_keeps_its_prose() -> None:
    # ASP.NET pages wrap everything in one <form>; some themes put the post in an <aside>.
    for wrapper in ("form", "aside"):
        html = _page(
            f"<{wrapper} id='aspnetForm'><div class='menu'>Menü</div>{ARTICLE_PROSE}"
            f"<div class='newsletter'>Jetzt abonnieren</div></{wrapper}>"
        )
        page = extract_page_text(html)
        assert "Absatz 3" in page.main_text, wrapper
        assert "Jetzt abonnieren" not in page.main_text, wrapper


def test_hidden_text_is_not_page_text() -> None:
    html = _page(
        "<article><p>Sichtbar.</p><p hidden>Unsichtbar.</p></article>"
        "<div aria-hidden='true'>Deko</div><template><p>Vorlage</p></template>"
    )
    page = extract_page_text(html)
    assert "Unsichtbar" not in page.full_text
    assert "Vorlage" not in page.full_text
    assert page.main_text == "Sichtbar."


def test_a_teaser_sized_region_is_not_the_main_text() -> None:
    # A JSON-LD articleBody holding only the lead, or an <article> that is one
    # teaser card, is not the article: the page's real text region is used.
    head = _jsonld({"@type": "NewsArticle", "articleBody": "Nur der Vorspann."})
    html = _page(
        f"<article class='card'><p>Lesen Sie auch.</p></article><main>{ARTICLE_PROSE}</main>",
        head,
    )
    page = extract_page_text(html)
    assert page.source is TextSource.MAIN
    assert "Absatz 11" in page.main_text
    assert "Lesen Sie auch" not in page.main_text
