"""URL normalisation and token trimming, against tables of cases."""

from __future__ import annotations

import pytest

from srccheck.articles.urls import (
    InvalidUrl,
    NormalisedUrl,
    find_url_tokens,
    normalise_url,
    trim_glued_punctuation,
)

VALID = [
    # raw, normalised URL, fragment
    ("HTTPS://WWW.Example.COM/Path/To", "https://www.example.com/Path/To", None),
    ("http://example.com:80/a", "http://example.com/a", None),
    ("https://example.com:443/a", "https://example.com/a", None),
    ("http://example.com:443/a", "http://example.com:443/a", None),
    ("https://example.com:8443", "https://example.com:8443/", None),
    ("https://example.com", "https://example.com/", None),
    ("https://example.com/a#Abschnitt-2", "https://example.com/a", "Abschnitt-2"),
    ("https://example.com/a#", "https://example.com/a", None),
    ("https://bücher.de/ä ö", "https://xn--bcher-kva.de/%C3%A4%20%C3%B6", None),
    ("https://BÜCHER.de/", "https://xn--bcher-kva.de/", None),
    ("https://straße.de/", "https://xn--strae-oqa.de/", None),
    ("https://example.com/a%20b/%C3%A4", "https://example.com/a%20b/%C3%A4", None),
    ("https://example.com/s?q=grüne tomaten&x=1", "https://example.com/s?q=gr%C3%BCne%20tomaten&x=1",
     None),
    ("https://example.com/a?utm_source=x&id=5", "https://example.com/a?utm_source=x&id=5", None),
    ("www.example.com/x", "https://www.example.com/x", None),
    ("//cdn.example.com/x", "https://cdn.example.com/x", None),
    ("https://de.wikipedia.org/wiki/Foo_(Bar)", "https://de.wikipedia.org/wiki/Foo_(Bar)", None),
    ("https://[2001:DB8::1]:443/x", "https://[2001:db8::1]/x", None),
    ("https://192.0.2.7/x", "https://192.0.2.7/x", None),
    ("  https://example.com/x  ", "https://example.com/x", None),
]


@pytest.mark.parametrize(("raw", "url", "fragment"), VALID)
def test_valid_urls_are_normalised(raw: str, url: str, fragment: str | None) -> None:
    assert normalise_url(raw) == NormalisedUrl(url=url, fragment=fragment)


INVALID = [
    # raw, a word the reason must contain
    ("mailto:redaktion@example.com", "'mailto'"),
    ("ftp://files.example.com/a.pdf", "'ftp'"),
    ("file:///etc/passwd", "'file'"),
    ("data:text/plain,hallo", "'data'"),
    ("javascript:alert(1)", "'javascript'"),
    ("http://", "missing host"),
    ("https:///pfad", "missing host"),
    ("https://exa mple.com/", "spaces"),
    ("Tagesschau vom 3. Mai", "not a URL"),
    ("example.com/artikel", "missing scheme"),
    ("/relativ/pfad", "relative"),
    ("https://example.com:99999/", "port"),
    ("https://example.com:abc/", "port"),
    ("https://exa!mple.com/", "invalid host"),
    ("https://a..b.de/", "invalid host"),
    ("https://[::1/", "malformed"),
    ("", "empty"),
]


@pytest.mark.parametrize(("raw", "reason_part"), INVALID)
def test_invalid_entries_say_why(raw: str, reason_part: str) -> None:
    result = normalise_url(raw)
    assert isinstance(result, InvalidUrl)
    assert reason_part in result.reason


def test_tracking_parameters_are_stripped_only_when_asked() -> None:
    raw = "https://example.com/a?utm_source=nl&id=5&fbclid=abc&UTM_Medium=x&gclid=1&mc_cid=2&b=%C3%A4"
    assert normalise_url(raw).url == raw  # type: ignore[union-attr]
    stripped = normalise_url(raw, strip_tracking=True)
    assert stripped == NormalisedUrl(url="https://example.com/a?id=5&b=%C3%A4")
    only_tracking = normalise_url("https://example.com/a?utm_campaign=x#top", strip_tracking=True)
    assert only_tracking == NormalisedUrl(url="https://example.com/a", fragment="top")


GLUED = [
    ("https://x.de/a.", "https://x.de/a"),
    ("https://x.de/a,", "https://x.de/a"),
    ("https://x.de/a).", "https://x.de/a"),
    ("https://x.de/a“", "https://x.de/a"),
    ("https://x.de/a”.", "https://x.de/a"),
    ("https://x.de/a»;", "https://x.de/a"),
    ("https://x.de/a]", "https://x.de/a"),
    ("https://x.de/a>", "https://x.de/a"),
    ("https://x.de/wiki/Foo_(Bar)", "https://x.de/wiki/Foo_(Bar)"),
    ("https://x.de/wiki/Foo_(Bar))", "https://x.de/wiki/Foo_(Bar)"),
    ("https://x.de/wiki/Foo_(Bar)).", "https://x.de/wiki/Foo_(Bar)"),
    ("https://x.de/a?b=1&c=2", "https://x.de/a?b=1&c=2"),
    ("https://x.de/", "https://x.de/"),
]


@pytest.mark.parametrize(("token", "trimmed"), GLUED)
def test_glued_punctuation_is_trimmed(token: str, trimmed: str) -> None:
    assert trim_glued_punctuation(token) == trimmed


def test_url_tokens_are_found_inside_prose() -> None:
    text = "Siehe (https://x.de/a). Auch „https://x.de/b“ und www.y.de, nicht xhttps://z.de."
    assert [token for _, token in find_url_tokens(text)] == [
        "https://x.de/a", "https://x.de/b", "www.y.de",
    ]
    for offset, token in find_url_tokens(text):
        assert text[offset : offset + len(token)] == token


def test_user_info_is_percent_encoded() -> None:
    # Found by the hypothesis property test: non-ASCII user info stayed raw.
    assert normalise_url("https://jürgen:geh%20eim@example.com/x").url == (  # type: ignore[union-attr]
        "https://j%C3%BCrgen:geh%20eim@example.com/x"
    )
