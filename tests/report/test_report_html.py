"""HTML reports: escaping, safe links, a CSP that allows nothing remote, readable content."""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from report_samples import JS_URL, XSS, make_article_report, make_error_report, make_index
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

from srccheck.models import (
    ArticleError,
    ArticleErrorKind,
    ArticleReport,
    LinkCheck,
    Position,
    RedirectHop,
    SourceEntry,
    SourceReport,
)
from srccheck.report.html import (
    http_href,
    relative_href,
    render_article_html,
    render_index_html,
    write_article_html,
    write_index_html,
)
from srccheck.status import Outcome, Status

HOSTILE_URLS = [JS_URL, " java\tscript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,<b>x</b>"]


def _hostile_report() -> ArticleReport:
    """Attacker-controlled text in every field a page or an article can fill."""
    sources = []
    for n, url in enumerate(HOSTILE_URLS):
        entry = SourceEntry(
            raw=url + XSS,
            url=url,  # a buggy parser could let this through; the writer must still not link it
            fragment=XSS,
            positions=[Position(index=n, line=3, column=1, offset=10)],
            invalid_reason=XSS,
        )
        check = LinkCheck(
            status=Status.REDIRECTED,
            reason=XSS,
            http_status=200,
            final_url=JS_URL,
            redirects=[RedirectHop(url=JS_URL, status_code=302, location=XSS)],
            content_type=XSS,
            page_title=XSS,
            error=XSS,
        )
        sources.append(SourceReport(id=n, source=entry, check=check))
    safe = SourceReport(
        id=len(sources),
        source=SourceEntry(
            raw="https://example.org/?q=<script>",
            url="https://example.org/?q=<script>",
            positions=[Position(index=len(sources), line=4, column=1, offset=40)],
        ),
        check=LinkCheck(status=Status.NOT_FOUND, reason="404", http_status=404, page_title=XSS),
    )
    report = make_article_report([*sources, safe], title=XSS)
    meta = report.article.model_copy(update={"file": f"seeds/{XSS}.txt"})
    return report.model_copy(update={"article": meta})


def _policy(tree: HTMLParser) -> dict[str, list[str]]:
    meta = tree.css_first('meta[http-equiv="Content-Security-Policy"]')
    assert meta is not None, "the page has no CSP meta element"
    directives = [d.split() for d in (meta.attributes["content"] or "").split(";") if d.strip()]
    return {d[0]: d[1:] for d in directives}


def _assert_no_remote_and_nonced(tree: HTMLParser) -> None:
    policy = _policy(tree)
    assert policy["default-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'none'"]
    assert policy["img-src"] == ["data:"]
    for directive, sources in policy.items():
        for source in sources:
            assert re.fullmatch(r"'none'|'nonce-[A-Za-z0-9_-]{16,}'|data:", source), (
                f"{directive} allows {source}"
            )
    nonce = policy["style-src"][0].removeprefix("'nonce-").removesuffix("'")
    for node in tree.css("style, script"):
        assert node.attributes.get("nonce") == nonce
    assert not tree.css("link, img, iframe, object, embed, [style]")
    assert not tree.css("script[src]")


def _hrefs(tree: HTMLParser) -> list[str]:
    return [a.attributes.get("href") or "" for a in tree.css("a")]


def test_hostile_text_is_escaped_and_never_linked() -> None:
    html = render_article_html(_hostile_report())
    assert "<script>alert" not in html
    assert 'onerror="x' not in html
    assert 'href="javascript' not in html.lower()
    assert 'href=" java' not in html.lower()
    tree = HTMLParser(html)
    assert len(tree.css("script")) == 1  # only the page's own, nonced filter script
    # The payload is shown to the reader as text, exactly as written.
    h1 = tree.css_first("h1")
    assert h1 is not None
    assert h1.text() == XSS
    for href in _hrefs(tree):
        assert href.startswith(("https://", "http://")), href
    rows = tree.css("#sources tbody tr")
    assert XSS in rows[0].text()
    links = tree.css("#sources a")
    assert [a.attributes.get("href") for a in links] == ["https://example.org/?q=<script>"]
    assert links[0].attributes.get("rel") == "noopener noreferrer"
    assert links[0].attributes.get("target") == "_blank"


def test_article_page_csp_allows_nothing_remote(article_report: ArticleReport) -> None:
    _assert_no_remote_and_nonced(HTMLParser(render_article_html(article_report)))


def test_index_page_csp_allows_nothing_remote_and_has_no_script(run_index) -> None:
    tree = HTMLParser(render_index_html(run_index))
    _assert_no_remote_and_nonced(tree)
    assert _policy(tree)["script-src"] == ["'none'"]
    assert not tree.css("script")


def test_nonce_is_fresh_per_page(article_report: ArticleReport) -> None:
    first = _policy(HTMLParser(render_article_html(article_report)))["style-src"]
    second = _policy(HTMLParser(render_article_html(article_report)))["style-src"]
    assert first != second


def _cell_texts(row: Node) -> list[str]:
    return [td.text(strip=True) for td in row.css("td")]


def test_one_row_per_source_with_status_meaning_and_details(article_report: ArticleReport) -> None:
    tree = HTMLParser(render_article_html(article_report))
    rows = tree.css("#sources tbody tr")
    assert len(rows) == len(article_report.sources)
    for row, item in zip(rows, article_report.sources, strict=True):
        badge = row.css_first(".badge")
        assert badge is not None
        assert badge.text() == item.check.status.value
        assert badge.attributes.get("title") == item.check.status.meaning
        assert f"outcome-{item.check.outcome.value}" in (badge.attributes.get("class") or "")
        assert row.attributes.get("data-outcome") == item.check.outcome.value
        cells = _cell_texts(row)
        assert item.check.reason in cells
        position = item.source.positions[0]
        assert f"{position.line}:{position.column}" in cells
    redirected = rows[1]
    chain = redirected.css("details li")
    assert len(chain) == 2
    assert "301" in chain[0].text()
    invalid = rows[[s.check.status for s in article_report.sources].index(Status.INVALID)]
    assert invalid.css("a") == []
    assert "htps//kaputt" in invalid.text()


def test_summary_counts_every_outcome(article_report: ArticleReport) -> None:
    tree = HTMLParser(render_article_html(article_report))
    badges = [b.text() for b in tree.css('[aria-label="Sources per outcome"] .badge')]
    counts = article_report.summary.by_outcome
    assert badges == [
        f"{article_report.summary.sources} sources",
        *(f"{outcome.value}: {counts.get(outcome, 0)}" for outcome in Outcome),
    ]
    by_status = [b.text() for b in tree.css('[aria-label="Sources per status"] .badge')]
    assert len(by_status) == len(Status)


def test_article_error_is_shown_in_a_clear_box() -> None:
    report = make_error_report(ArticleErrorKind.EMPTY)
    tree = HTMLParser(render_article_html(report))
    box = tree.css_first(".error-box[role=alert]")
    assert box is not None
    assert "empty" in box.text()
    assert report.error is not None
    assert report.error.message in box.text()
    assert not tree.css("#sources")
    assert not tree.css("script")


def test_index_lists_articles_with_links_to_their_reports(run_index) -> None:
    tree = HTMLParser(render_index_html(run_index))
    rows = tree.css("#articles tbody tr")
    assert len(rows) == len(run_index.articles)
    assert _hrefs(tree) == ["000_%C3%BC.html", "000_%C3%BC.json", "bild.html", "bild.json"]
    assert "binary" in rows[1].text()
    assert "could not be checked" in tree.text()


def test_index_never_links_outside_its_folder() -> None:
    report = make_article_report(title=XSS)
    index = make_index([(report, "../../etc/passwd"), (report, JS_URL), (report, "/abs")])
    html = render_index_html(index)
    assert _hrefs(HTMLParser(html)) == []
    assert "<script>alert" not in html


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/a?b=1#c", "https://example.org/a?b=1#c"),
        ("HTTP://EXAMPLE.org", "HTTP://EXAMPLE.org"),
        (JS_URL, None),
        (" java\tscript:alert(1)", None),
        ("\x01javascript:alert(1)", None),
        ("data:text/html,x", None),
        ("vbscript:x", None),
        ("file:///etc/passwd", None),
        ("//evil.example/x", None),
        ("https:///nohost", None),
        ("http://[::1", None),  # unparsable
        ("", None),
        (None, None),
    ],
)
def test_http_href(url: str | None, expected: str | None) -> None:
    assert http_href(url) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.html", "a.html"),
        ("Bericht über.json", "Bericht%20%C3%BCber.json"),
        ("../a.html", None),
        ("/a.html", None),
        ("\\\\server\\a.html", None),
        ("C:a.html", None),
        ("javascript:alert(1)", None),
        ("a\n.html", None),
        (None, None),
    ],
)
def test_relative_href(name: str | None, expected: str | None) -> None:
    assert relative_href(name) == expected


def test_write_helpers_write_the_rendered_pages(tmp_path: Path, run_index) -> None:
    report = make_article_report()
    write_article_html(report, tmp_path / "a.html")
    write_index_html(run_index, tmp_path / "index.html")
    article = HTMLParser((tmp_path / "a.html").read_text(encoding="utf-8"))
    assert article.css_first("h1").text() == report.article.title  # type: ignore[union-attr]
    assert len(HTMLParser((tmp_path / "index.html").read_text("utf-8")).css("#articles tr")) == 3


def test_templates_ship_inside_the_package() -> None:
    templates = files("srccheck.report") / "templates"
    for name in ("base.html.j2", "macros.html.j2", "article.html.j2", "index.html.j2"):
        assert (templates / name).is_file()


def test_article_error_with_sources_still_lists_them() -> None:
    report = make_article_report().model_copy(
        update={"error": ArticleError(kind=ArticleErrorKind.PARSE_ERROR, message="line 3")}
    )
    tree = HTMLParser(render_article_html(report))
    assert tree.css_first(".error-box") is not None
    assert len(tree.css("#sources tbody tr")) == len(report.sources)


@pytest.fixture
def fresh_environment() -> Iterator[Any]:
    """A template environment of its own for the test (the module keeps one per process)."""
    from srccheck.report import html

    html._environment.cache_clear()
    yield html._environment
    html._environment.cache_clear()


def _kept(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def test_compiled_templates_are_kept_and_loaded_by_the_next_run(
    tmp_path: Path, fresh_environment: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import jinja2

    from srccheck.report.html import keep_compiled_templates

    folder = tmp_path / "templates"
    report = make_article_report()
    keep_compiled_templates(folder)
    page = render_article_html(report, nonce="n")
    kept = _kept(folder)
    assert len(kept) >= 2  # the article page and what it extends/imports
    fresh_environment.cache_clear()  # a new run: nothing compiled in memory

    def no_compiling(*args: object, **kwargs: object) -> None:
        raise AssertionError("compiled again instead of loading the kept code")

    keep_compiled_templates(folder)
    monkeypatch.setattr(jinja2.Environment, "compile", no_compiling)
    assert render_article_html(report, nonce="n") == page
    assert _kept(folder) == kept


def test_damaged_or_unwritable_template_caches_only_cost_a_compile(
    tmp_path: Path, fresh_environment: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import jinja2.bccache

    from srccheck.report.html import keep_compiled_templates

    report = make_article_report()
    expected = render_article_html(report, nonce="n")  # compiled, not kept
    fresh_environment.cache_clear()
    folder = tmp_path / "templates"
    keep_compiled_templates(folder)
    render_article_html(report, nonce="n")
    kept = _kept(folder)
    assert len(kept) >= 2
    kept[0].write_bytes(b"not compiled code")  # fails jinja2's own header check
    for other in kept[1:]:  # a valid header, the code cut short
        data = other.read_bytes()
        other.write_bytes(data[: len(data) // 2])
    fresh_environment.cache_clear()
    keep_compiled_templates(folder)
    assert render_article_html(report, nonce="n") == expected

    blocked = tmp_path / "file"
    blocked.write_text("in the way", encoding="utf-8")
    fresh_environment.cache_clear()
    keep_compiled_templates(blocked / "templates")  # cannot be created: compiled per run
    assert render_article_html(report, nonce="n") == expected

    def disk_full(self: object, stream: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(jinja2.bccache.Bucket, "write_bytecode", disk_full)
    fresh_environment.cache_clear()
    keep_compiled_templates(tmp_path / "full")
    assert render_article_html(report, nonce="n") == expected
    assert _kept(tmp_path / "full") == []


def test_code_compiled_under_other_options_is_not_loaded() -> None:
    # jinja2 keys its files by template name and source only: code compiled without
    # autoescaping must never be loaded by srccheck's environment, which escapes.
    import jinja2

    from srccheck.report.html import _code_key, _environment

    ours = _environment()
    other = ours.overlay(autoescape=False)
    assert _code_key(other) != _code_key(ours)
    assert _code_key(ours.overlay(trim_blocks=False)) != _code_key(ours)
    assert _code_key(jinja2.Environment()) != _code_key(ours)
