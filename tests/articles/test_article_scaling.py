"""Large and hostile inputs parse completely (and, by construction, in linear time).

No timings are asserted; a quadratic parser would make these tests take minutes.
"""

from __future__ import annotations

from srccheck.articles.html import parse_html
from srccheck.articles.markdown import parse_markdown
from srccheck.articles.plaintext import parse_plain_text

N = 10_000


def test_markdown_single_line_with_many_links() -> None:
    items = " ".join(f"[x{i}](https://h{i}.example/a) https://b{i}.example/" for i in range(N))
    parsed = parse_markdown(f"# T\n\nText\n\n## Quellen\n{items}")
    assert len(parsed.spans) == 2 * N
    assert parsed.spans[-1].raw == f"https://b{N - 1}.example/"


def test_html_single_line_with_many_links() -> None:
    items = "".join(
        f"<li><a href='https://h{i}.example/a?x=1&amp;y=2'>x</a> https://t{i}.example/"
        for i in range(N)
    )
    text = f"<article><h1>T</h1><p>x</p><h2>Quellen</h2><ul>{items}</ul></article>"
    parsed = parse_html(text)
    assert len(parsed.spans) == 2 * N
    for span in parsed.spans[-4:]:
        assert text[span.offset : span.offset + len(span.raw)] == span.raw


def test_hostile_plain_text_lines() -> None:
    long_gap = parse_plain_text("Quellen: " + " " * 1_000_000 + "https://a.example/")
    assert [s.raw for s in long_gap.spans] == ["https://a.example/"]
    dashes = parse_plain_text("Quellen: " + " - " * 200_000 + "https://a.example/")
    assert [s.raw for s in dashes.spans] == ["https://a.example/"]
    closing = parse_plain_text("Quellen: https://a.example/" + ")" * 300_000)
    assert [s.raw for s in closing.spans] == ["https://a.example/"]


def test_hostile_markdown_brackets() -> None:
    parsed = parse_markdown("## Quellen\n- " + "[](" * 100_000)
    assert len(parsed.spans) == 1  # the line is kept as one (invalid) entry
