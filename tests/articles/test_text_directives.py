"""Text directives of a URL fragment (#:~:text=), parsed as the WICG syntax says."""

from __future__ import annotations

import pytest

from srccheck.articles.urls import InvalidDirective, TextDirective, text_directives


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        (":~:text=die%20Lage%20sei%20ernst", [("die Lage sei ernst", None, None, None)]),
        (":~:text=sagte%2C-,die%20Lage", [("die Lage", None, "sagte,", None)]),
        (":~:text=Die,ruhig,-Ende", [("Die", "ruhig", None, "Ende")]),
        (":~:text=vor-,Anfang,Ende,-nach", [("Anfang", "Ende", "vor", "nach")]),
        (":~:text=a%2Db", [("a-b", None, None, None)]),
        (":~:text=Stra%C3%9Fe", [("Straße", None, None, None)]),
        (
            "section:~:text=eins&other=x&text=zwei",
            [("eins", None, None, None), ("zwei", None, None, None)],
        ),
    ],
)
def test_text_directives_are_split_then_decoded(
    fragment: str, expected: list[tuple[str | None, ...]]
) -> None:
    parsed = text_directives(fragment)
    assert all(isinstance(d, TextDirective) for d in parsed)
    assert [(d.start, d.end, d.prefix, d.suffix) for d in parsed] == expected  # type: ignore[union-attr]


@pytest.mark.parametrize("fragment", [None, "", "section", "text=nicht-ohne-Trenner", ":~:note=x"])
def test_fragments_without_text_directives_give_none(fragment: str | None) -> None:
    assert text_directives(fragment) == ()


@pytest.mark.parametrize(
    "fragment", [":~:text=", ":~:text=a,b,c", ":~:text=-x", ":~:text=x,", ":~:text=%FF%FE"]
)
def test_malformed_text_directives_are_reported_not_dropped(fragment: str) -> None:
    (parsed,) = text_directives(fragment)
    assert isinstance(parsed, InvalidDirective)
    assert parsed.raw == fragment.removeprefix(":~:")
    assert parsed.reason


def test_a_url_cited_with_different_fragments_keeps_them_all() -> None:
    from srccheck.articles.lines import LineTable
    from srccheck.articles.model import SourceSpan
    from srccheck.articles.sources import build_source_entries

    raws = [
        "https://x.de/a#:~:text=eins",
        "https://x.de/a",
        "https://x.de/a#:~:text=zwei",
        "https://x.de/a#:~:text=eins",
    ]
    text = " ".join(raws)
    spans, offset = [], 0
    for raw in raws:
        spans.append(SourceSpan(raw=raw, offset=offset))
        offset += len(raw) + 1
    (entry,) = build_source_entries(spans, LineTable(text))
    assert entry.fragment == ":~:text=eins"
    assert entry.fragments == [":~:text=eins", ":~:text=zwei"]
    assert len(entry.positions) == 4
    (single,) = build_source_entries(spans[:2], LineTable(text))
    assert single.fragments == []  # one fragment: `fragment` says it all
