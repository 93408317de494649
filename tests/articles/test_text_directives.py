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
