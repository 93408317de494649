"""Text fragments looked for on page text: exact after normalisation, never fuzzy."""

from __future__ import annotations

import pytest

from srccheck.claims.fragments import FragmentPage, check_text_fragments
from srccheck.models import TextFragmentState

PAGE = (
    "Der Minister sagte am Montag: „Die Lage sei ernst.“ Die Gesamtlage bleibt\n"
    "aber ruhig, so das Amt. Man rechne mit 12.000 Soldaten – mehr als je zuvor.\n"
    "Die Lage im Norden sei dagegen entspannt."
)


def judge(fragment: str, *pages: FragmentPage) -> tuple[TextFragmentState, str | None]:
    (check,) = check_text_fragments(
        [fragment], pages or (FragmentPage("live", PAGE),), no_text_reason="no page text"
    )
    marked = None
    if check.snippet is not None:
        marked = check.snippet[check.snippet_start : check.snippet_end]
    return check.state, marked


@pytest.mark.parametrize(
    ("fragment", "marked"),
    [
        (":~:text=die%20Lage%20sei%20ernst", "Die Lage sei ernst"),  # case folded
        (":~:text=%E2%80%9EDie%20Lage%20sei%20ernst.%E2%80%9C", "„Die Lage sei ernst.“"),
        (":~:text=%22Die%20Lage%20sei%20ernst", "„Die Lage sei ernst"),  # quote variants
        (":~:text=bleibt%20aber%20ruhig", "bleibt aber ruhig"),  # line break = space
        (":~:text=12.000%20Soldaten%20-%20mehr", "12.000 Soldaten – mehr"),  # dash variants
        (":~:text=Gesamtlage,ruhig", "Gesamtlage bleibt aber ruhig"),  # start,end
        (":~:text=Montag%3A%20%22-,Die%20Lage", "Die Lage"),  # the prefix picks the first
        (":~:text=Die%20Lage,-im%20Norden", "Die Lage"),  # the suffix picks the last
        (":~:text=Amt.-,Man,Soldaten,-%E2%80%93%20mehr", "Man rechne mit 12.000 Soldaten"),
    ],
)
def test_passages_on_the_page_are_found_and_marked(fragment: str, marked: str) -> None:
    assert judge(fragment) == (TextFragmentState.FOUND, marked)


@pytest.mark.parametrize(
    "fragment",
    [
        ":~:text=Die%20Lage%20sei%20kritisch",  # a different word: never fuzzy
        ":~:text=Lage%20bleibt",  # "Gesamtlage bleibt": whole words only
        ":~:text=samtlage",
        ":~:text=Norden-,Die%20Lage",  # the prefix is not right before any "Die Lage"
        ":~:text=Die%20Lage,-im%20S%C3%BCden",  # nor is this suffix after one
        ":~:text=Soldaten,Minister",  # the end term only occurs before the start
        ":~:text=sagte-,Die%20Lage",  # "sagte am Montag: „Die": more than whitespace between
    ],
)
def test_passages_not_on_the_page_are_not_found(fragment: str) -> None:
    assert judge(fragment) == (TextFragmentState.NOT_FOUND, None)


def test_several_directives_and_fragments_are_judged_one_by_one() -> None:
    checks = check_text_fragments(
        [":~:text=Die%20Lage&text=fehlt", ":~:text=ruhig&text=,"],
        [FragmentPage("live", PAGE)],
        no_text_reason="-",
    )
    assert [(c.start, c.state) for c in checks] == [
        ("Die Lage", TextFragmentState.FOUND),
        ("fehlt", TextFragmentState.NOT_FOUND),
        ("ruhig", TextFragmentState.FOUND),
        (None, TextFragmentState.INVALID),
    ]
    assert checks[1].fragment == ":~:text=Die%20Lage&text=fehlt"


def test_without_a_complete_page_text_a_missing_passage_is_unverifiable() -> None:
    (check,) = check_text_fragments([":~:text=ernst"], [], no_text_reason="the page is paywalled")
    assert (check.state, check.reason) == (TextFragmentState.UNVERIFIABLE, "the page is paywalled")
    cut = FragmentPage("live", PAGE[:40], complete=False)
    assert judge(":~:text=Norden", cut)[0] is TextFragmentState.UNVERIFIABLE
    assert judge(":~:text=Minister", cut)[0] is TextFragmentState.FOUND


def test_the_archived_copy_is_searched_when_the_live_page_lacks_the_passage() -> None:
    live = FragmentPage("live", "Die Seite wurde geändert.")
    archived = FragmentPage("archived", PAGE)
    (check,) = check_text_fragments([":~:text=ernst"], [live, archived], no_text_reason="-")
    assert (check.state, check.origin) == (TextFragmentState.FOUND, "archived")
    (check,) = check_text_fragments([":~:text=fehlt"], [live, archived], no_text_reason="-")
    assert check.state is TextFragmentState.NOT_FOUND
    assert "live or the archived" in check.reason


def test_a_plain_anchor_is_not_judged() -> None:
    page = FragmentPage("live", PAGE)
    assert check_text_fragments(["kapitel-2"], [page], no_text_reason="-") == []
