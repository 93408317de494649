"""One parse per page: the tree-taking rules give exactly the string-taking rules' results."""

from __future__ import annotations

import random

import pytest
from selectolax.lexbor import LexborHTMLParser

from srccheck.fetch.content import TITLE_SCAN_CHARS, page_title, tree_title
from srccheck.fetch.paywall import paywall_signals, tree_paywall_signals
from srccheck.fetch.soft404 import page_headings, tree_headings
from srccheck.text.jsonld import is_false, jsonld_values

PAD = "<p>" + "Lorem ipsum dolor sit amet. " * 40 + "</p>"  # ~1.1 KB of body text


def padded(head: str, *, before: int = 0, after: int = 80, tail: str = "") -> str:
    """A page with ``before`` KB of padding before ``head`` and ``after`` KB after it."""
    return (
        "<!doctype html><html><head>"
        + PAD * before
        + head
        + "</head><body>"
        + PAD * after
        + tail
        + "</body></html>"
    )


TITLE_CASES = {
    "short page": "<html><head><title>Kurz</title></head><body><h1>x</h1></body></html>",
    "no title": padded(""),
    "early title, long page": padded("<title> Früh \n Titel </title>"),
    "entities": padded("<title>A &amp; B &#8211; C&nbsp;D</title>"),
    "attributes": padded('<title lang="de" data-x="1">Mit Attributen</title>'),
    "empty title": padded("<title>  </title>"),
    "title after 64 KB only": padded("", tail="<title>Spät</title>"),
    "title spans the window's end": padded(
        "<title>" + "x" * (TITLE_SCAN_CHARS + 100) + "</title>", after=1
    ),
    "title behind 64 KB of script": padded(
        "<script>var a='" + "y" * TITLE_SCAN_CHARS + "';</script><title>Hinten</title>"
    ),
    "fake title in a script, real one late": padded(
        "<script>var t='<title>Echt</title>';</script>", tail="<title>Echt</title>"
    ),
    "fake end tag in a comment before the title": padded(
        "<!-- </title> --><title>Nach Kommentar</title>"
    ),
    "fake title in a comment, same text, real one late": padded(
        "<!-- <title>Gleich</title> -->", tail="<title>Gleich</title>"
    ),
    "svg titles in the body": padded("<title>Kopf</title>", tail="<svg><title>Suche</title></svg>"),
    "carriage returns": padded("<title>Zeile\r\nzwei</title>"),
    "title in the body, early": "<html><body><title>Im Body</title>" + PAD * 70 + "</body></html>",
    "unclosed title": "<html><head><title>Offen" + PAD * 70,
    "end tag with attributes": padded('<title>Eins</title x="1"><title>Zwei</title>'),
}


@pytest.mark.parametrize("html", TITLE_CASES.values(), ids=TITLE_CASES.keys())
def test_tree_title_is_page_title(html: str) -> None:
    assert tree_title(LexborHTMLParser(html), html) == page_title(html)


def test_tree_title_finds_the_title_the_window_holds() -> None:
    # Guard against both functions agreeing on nothing: the cases above cover real titles.
    html = TITLE_CASES["early title, long page"]
    assert tree_title(LexborHTMLParser(html), html) == "Früh Titel"
    late = TITLE_CASES["title after 64 KB only"]
    assert tree_title(LexborHTMLParser(late), late) is None


def test_tree_title_matches_page_title_on_random_pages() -> None:
    rng = random.Random(20240601)
    pieces = [
        "<title>Titel</title>",
        "<title>A &amp; B</title>",
        "<TITLE>Groß</TITLE>",
        "<script>x='<title>s</title>'</script>",
        "<!-- <title>k</title> -->",
        "<!-- </title> -->",
        "<textarea><title>t</title></textarea>",
        "<svg><title>Icon</title></svg>",
        '<a title="<title>">a</a>',
        "</title>",
        "<title>",
        PAD * 8,
        PAD * 30,
        "<h1>Seite nicht gefunden</h1>",
    ]
    for _ in range(300):
        html = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        assert tree_title(LexborHTMLParser(html), html) == page_title(html), html[:300]


PAGES = [
    padded("<title>T</title>", tail="<h1> Seite \n nicht gefunden </h1><h1></h1><h1>Zwei</h1>"),
    padded(
        '<script type="application/ld+json">{"@graph": [{"isAccessibleForFree": "False"}]}'
        '</script><meta property="article:content_tier" content="metered">',
        tail='<div class="article paywall-box">zu</div>',
    ),
    "<html><body><div id='tp-container'></div></body></html>",
    "",
]


@pytest.mark.parametrize("html", PAGES)
def test_tree_rules_equal_string_rules(html: str) -> None:
    tree = LexborHTMLParser(html)
    assert tree_headings(tree) == page_headings(html)
    assert tree_paywall_signals(tree) == paywall_signals(html)
    # One tree serves every rule: reading it does not change it.
    assert tree_headings(tree) == page_headings(html)


def test_one_tree_serves_headings_and_paywall() -> None:
    tree = LexborHTMLParser(PAGES[1] + PAGES[0])
    assert tree_paywall_signals(tree) == ("paywall:jsonld", "paywall:meta", "paywall:markup")
    assert tree_headings(tree) == ("Seite nicht gefunden", "Zwei")


def test_jsonld_values_unwraps_and_skips_invalid_blocks() -> None:
    html = (
        '<script type="application/ld+json">  <!-- {"a": 1} -->  </script>'
        '<script type="application/ld+json"><![CDATA[[{"b": 2}]]]></script>'
        '<script type="application/ld+json">{not json</script>'
        '<script type="application/json">{"c": 3}</script>'
        '<script type="application/ld+json">{"d": "zeile\nzwei"}</script>'
    )
    assert list(jsonld_values(LexborHTMLParser(html))) == [
        {"a": 1},
        [{"b": 2}],
        {"d": "zeile\nzwei"},
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [(False, True), ("false", True), (" False ", True), (True, False), ("no", False),
     (0, False), (None, False)],
)  # fmt: skip
def test_is_false(value: object, expected: bool) -> None:
    assert is_false(value) is expected
