"""PageIndex.candidate_windows against its definition, every document on its own.

The index searches all documents at once over arrays, and a main text that is a
stretch of its full text shares the full text's postings (a view). Its answer
must be what the definition gives for each document indexed on its own: the
windows that start at a content word and hold at least half of the phrase's
content words, best first (most words, then the earliest), the best
``MAX_WINDOWS`` that overlap no better one, documents in index order.
"""

from __future__ import annotations

from bisect import bisect_right

from hypothesis import given, settings
from hypothesis import strategies as st

from srccheck.claims.index import MAX_WINDOWS, PageIndex
from srccheck.text import PageText, TextSource

# A small vocabulary, so that words repeat and windows compete; short words are
# not content words (fewer than four characters).
VOCAB = ["haus", "baum", "wald", "feld", "stadt", "land", "fluss", "see", "der", "und"]


def _definition(index: PageIndex, words: list[str]) -> list[tuple[int, int, int]]:
    content = [w for w in words if len(w) >= 4] or list(words)
    wanted = set(content)
    width = len(words) + max(3, len(words) // 5)
    need = max(1, (len(content) + 1) // 2)
    reach = width - 1
    out = []
    for doc in index.docs:
        positions = [k for k, word in enumerate(doc.words) if word in wanted]
        scored = []
        for i, first in enumerate(positions):
            held = bisect_right(positions, first + reach) - i
            if held >= need:
                scored.append((-held, first))
        scored.sort()
        chosen: list[int] = []
        for _, first in scored:
            if all(abs(first - other) >= width for other in chosen):
                chosen.append(first)
            if len(chosen) == MAX_WINDOWS:
                break
        for first in chosen:
            start = max(0, first - len(words) // 4 - 2)
            out.append((doc.doc, start, min(len(doc.words) - 1, start + width + len(words) // 2)))
    return out


_text = st.lists(st.sampled_from(VOCAB), min_size=1, max_size=120).map(" ".join)


@st.composite
def _pages(draw: st.DrawFn) -> list[PageText]:
    pages = []
    for _ in range(draw(st.integers(1, 4))):
        full = draw(_text)
        words = full.split()
        kind = draw(st.sampled_from(["same", "stretch", "other"]))
        if kind == "same":
            main = full
        elif kind == "stretch":  # a view on the full text's postings
            a = draw(st.integers(0, len(words) - 1))
            b = draw(st.integers(a + 1, len(words)))
            main = " ".join(words[a:b])
        else:  # indexed on its own
            main = draw(_text)
        pages.append(PageText(main_text=main, full_text=full, source=TextSource.ARTICLE))
    return pages


@settings(max_examples=300, deadline=None)
@given(pages=_pages(), phrase=st.lists(st.sampled_from(VOCAB), min_size=1, max_size=14))
def test_candidate_windows_follow_the_definition(pages: list[PageText], phrase: list[str]) -> None:
    index = PageIndex.build([(k, "live", page) for k, page in enumerate(pages)])
    assert index.candidate_windows(phrase) == _definition(index, phrase)


def test_a_view_gets_its_own_windows_and_the_full_text_its_own() -> None:
    before = "wald feld wald feld wald feld " * 3
    quote = "haus baum stadt land fluss"
    full = f"{before}{quote} wald feld"
    page = PageText(main_text=f"{quote} wald feld", full_text=full, source=TextSource.ARTICLE)
    index = PageIndex.build([(0, "live", page)])
    assert index.views, "the main text is one stretch of the full text: a view"
    windows = index.candidate_windows(quote.split())
    main_doc, full_doc = 0, 1
    by_doc = {doc: (first, last) for doc, first, last in windows}
    # Each document's window covers the quote in its own token positions.
    assert index.docs[main_doc].words[by_doc[main_doc][0] : by_doc[main_doc][1] + 1][:5] == (
        quote.split()
    )
    assert set(quote.split()) <= set(
        index.docs[full_doc].words[by_doc[full_doc][0] : by_doc[full_doc][1] + 1]
    )
    assert [doc for doc, _, _ in windows] == [main_doc, full_doc]


def test_no_window_when_too_few_content_words_are_near() -> None:
    page = PageText(main_text="haus der und der und der und der und der baum",
                    full_text="haus der und der und der und der und der baum",
                    source=TextSource.ARTICLE)  # fmt: skip
    index = PageIndex.build([(0, "live", page)])
    # Half of four content words is two, and "haus" and "baum" are ten words apart.
    assert index.candidate_windows(["haus", "baum", "wald", "feld"]) == []
    assert index.candidate_windows(["haus", "baum"]) != []  # one of two is enough


def test_nothing_to_search_loads_no_array_library() -> None:
    # A run whose sources could not be read matches its claims against no text:
    # that must not pay numpy's import (a tenth of a second of a one-article run).
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from srccheck.claims.index import PageIndex\n"
        "index = PageIndex.build([])\n"
        "assert index.candidate_windows(['haus', 'baum', 'wald']) == []\n"
        "print('numpy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
