"""The link-format parser used for TimeMaps and Link headers."""

from __future__ import annotations

import pytest

from srccheck.archive.linkformat import parse_link_format

TIMEMAP = (
    '<http://a.example/timemap/link/http://x.example/>; rel="self"; '
    'type="application/link-format"; from="Wed, 01 Jan 2020 10:00:00 GMT",\n'
    '<http://a.example/http://x.example/>; rel="timegate",\n'
    '<http://x.example/>; rel="original",\n'
    '<http://a.example/20200101100000mp_/http://x.example/>; rel="first memento"; '
    'datetime="Wed, 01 Jan 2020 10:00:00 GMT",\n'
    "<http://a.example/20200601100000mp_/http://x.example/>;rel=memento;"
    'datetime="Mon, 01 Jun 2020 10:00:00 GMT"\n'
)


def test_parses_timemap_links_with_quoted_commas() -> None:
    links = parse_link_format(TIMEMAP)
    assert [link.uri for link in links][2] == "http://x.example/"
    assert len(links) == 5
    assert links[0].params["from"] == "Wed, 01 Jan 2020 10:00:00 GMT"
    assert links[3].rels == {"first", "memento"}
    assert links[4].rels == {"memento"}
    assert links[4].params["datetime"] == "Mon, 01 Jun 2020 10:00:00 GMT"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ('<u>; title="a \\"quoted\\" ; value"', [("u", {"title": 'a "quoted" ; value'})]),
        ("<u>; REL=Memento; rel=other", [("u", {"rel": "Memento"})]),  # first occurrence wins
        ("<a>;rel=x <b>;rel=y", [("a", {"rel": "x"}), ("b", {"rel": "y"})]),
        ("<u>; flag; x=1", [("u", {"flag": "", "x": "1"})]),
    ],
)
def test_edge_cases(text: str, expected: list[tuple[str, dict[str, str]]]) -> None:
    assert [(link.uri, link.params) for link in parse_link_format(text)] == expected


def test_unterminated_uri_is_an_error() -> None:
    with pytest.raises(ValueError, match="unterminated"):
        parse_link_format('<http://x.example/; rel="memento"')
