"""Property: every written source entry is parsed exactly once and none is dropped."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from srccheck.articles import SOURCE_HEADINGS, Article, load_article
from srccheck.articles.urls import InvalidUrl, normalise_url
from srccheck.settings import DEFAULT_SETTINGS

_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
label = st.text(_ALNUM, min_size=1, max_size=8)
host = st.builds(lambda parts, tld: ".".join([*parts, tld]), st.lists(label, min_size=1,
                 max_size=3), st.sampled_from(["de", "com", "example", "org"]))
# Path segments contain "-" and "--" (as in US-DOLLAR-RUSSIAN-ROUBLE--2370597) but end in a
# letter or digit, so no trailing punctuation is trimmed.
segment = st.builds(
    lambda a, sep, b: f"{a}{sep}{b}",
    st.text(_ALNUM + "ABCXYZ_", min_size=1, max_size=10),
    st.sampled_from(["", "-", "--", "_", "."]),
    st.text(_ALNUM + "ABCXYZ", min_size=1, max_size=10),
)
valid_url = st.builds(
    lambda scheme, h, segs, query, fragment: f"{scheme}{h}/{'/'.join(segs)}{query}{fragment}",
    st.sampled_from(["https://", "http://", "HTTPS://", "www."]),
    host,
    st.lists(segment, max_size=4),
    st.sampled_from(["", "?id=1", "?a=b&c=d", "?q=x-y"]),
    st.sampled_from(["", "#teil", "#abschnitt-2"]),
)
invalid_url = st.one_of(
    st.builds("mailto:{}@{}".format, label, host),
    st.builds("javascript:void({})".format, st.integers(0, 9)),
    st.builds("ftp://{}/{}".format, host, label),
    st.builds("file:///{}".format, label),
    st.builds("data:text/plain,{}".format, label),
    st.builds("https://{}:99999/{}".format, host, label),
    st.builds("tel:+49{}".format, st.integers(100, 99999)),
    st.just("http://"),
)
# Words without URLs; a word that is itself a heading name ("Quellen") would start a new list.
plain_text = (
    st.text("abcdefghijklmnopqrstuvwxyzäöüß", min_size=1, max_size=12)
    .map(str.title)
    .filter(lambda word: word.lower() not in {name.lower() for name in SOURCE_HEADINGS})
)


def expected_sources(entries: list[str]) -> list[tuple[str, list[int]]]:
    """(raw of first citation, indices of every citation) by the dedup rules."""
    order: dict[tuple[bool, str], tuple[str, list[int]]] = {}
    for index, entry in enumerate(entries):
        result = normalise_url(entry)
        key = (False, entry) if isinstance(result, InvalidUrl) else (True, result.url)
        order.setdefault(key, (entry, []))[1].append(index)
    return list(order.values())


def check(content: str, entries: list[str], fmt: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "artikel.txt"
        path.write_text(content, encoding="utf-8")
        article = load_article(path, DEFAULT_SETTINGS)
    assert isinstance(article, Article), article
    assert article.format == fmt
    parsed = [(s.raw, [p.index for p in s.positions]) for s in article.sources]
    assert parsed == expected_sources(entries)
    for source in article.sources:
        for position in source.positions:
            written = entries[position.index]
            assert article.text[position.offset : position.offset + len(written)] == written


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(valid_url, invalid_url), min_size=1, max_size=25))
def test_seed_format_keeps_every_entry(entries: list[str]) -> None:
    content = (
        "22.10.2024\nTitel\n\nText.\n\nQuellen: - " + " - ".join(entries) + "\n\nWeitere\nArtikel"
    )
    check(content, entries, "seed")


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["* ", "- ", "+ ", "1. ", "", "  * "]),
                  st.one_of(valid_url, invalid_url, plain_text)),
        min_size=1,
        max_size=25,
    )
)
def test_one_per_line_format_keeps_every_entry(items: list[tuple[str, str]]) -> None:
    lines = "\n".join(marker + entry for marker, entry in items)
    content = f"Titel\n\nText.\n\nQuellen:\n{lines}\n"
    check(content, [entry for _, entry in items], "text")
