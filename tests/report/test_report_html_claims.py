"""HTML claims section: highlighted article text, evidence with marks, escaping, no-JS use."""

from __future__ import annotations

import pytest
from report_samples import BODY, BODY_START, XSS, claim, evidence, make_claims, make_claims_report
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from srccheck.claims import extract_claims, match_claims
from srccheck.claims.model import ClaimKind, Verdict
from srccheck.report.html import (
    VERDICT_TONES,
    highlight_segments,
    render_article_html,
    snippet_parts,
)
from srccheck.text import PageText, TextSource

TONE_OF_CLASS = {"ok", "transient", "broken", "unverifiable"}


def _tree(report=None) -> HTMLParser:
    return HTMLParser(render_article_html(report or make_claims_report(), nonce="n0nce"))


def test_every_claim_is_listed_with_its_verdict() -> None:
    tree = _tree()
    for c in make_claims():
        item = tree.css_first(f"li#claim-{c.id}")
        assert item is not None, c.id
        assert f"verdict-{c.verdict.value}" in (item.attributes["class"] or "")
        assert c.text in item.css_first(".claim-text").text()
        badge = item.css_first("summary .badge")
        assert f"outcome-{VERDICT_TONES[c.verdict].value}" in (badge.attributes["class"] or "")


def test_the_article_text_is_shown_whole_with_each_claim_highlighted_by_verdict() -> None:
    tree = _tree()
    body = tree.css_first("#article-body")
    assert body.text() == BODY
    for c in make_claims():
        links = tree.css(f'#article-body a.hl[href="#claim-{c.id}"]')
        if c.kind is ClaimKind.KEY_CLAIM:
            # the sentence's own segments (outside its parts) link to it, drawn as background
            assert links, c.id
            assert all(a.css_first(f".hl-key.verdict-{c.verdict.value}") for a in links)
        else:
            assert len(links) == 1, c.id
            part = links[0].css(".hl-part")[-1]
            assert f"verdict-{c.verdict.value}" in (part.attributes["class"] or "")
            assert part.text() == c.text


def test_a_name_inside_a_quote_inside_a_key_claim_stacks_three_highlights() -> None:
    body = "„Robert Wood hat recht“, sagte sie."
    key = claim("k1", ClaimKind.KEY_CLAIM, body, Verdict.PARTIAL, body=body)
    quote = claim("q1", ClaimKind.QUOTE, "Robert Wood hat recht", Verdict.FOUND, body=body)
    name = claim("p1", ClaimKind.NAME, "Robert Wood", Verdict.NOT_FOUND, body=body)
    segments = highlight_segments(body, BODY_START, [name, key, quote])
    assert "".join(s.text for s in segments) == body
    inner = next(s for s in segments if s.text == "Robert Wood")
    assert inner.key == key
    assert inner.parts == (quote, name)
    assert inner.target == name
    rest = next(s for s in segments if s.text == " hat recht")
    assert rest.parts == (quote,)
    assert rest.target == quote
    assert next(s for s in segments if s.text == "„").target == key


def test_overlapping_claims_and_wrong_offsets_render_sanely() -> None:
    body = "Eins zwei drei vier."
    a = claim("q1", ClaimKind.QUOTE, "Eins zwei drei", Verdict.FOUND, body=body)
    b = claim("q2", ClaimKind.QUOTE, "zwei drei vier", Verdict.NEAR, body=body)
    stale = a.model_copy(update={"id": "q3", "text": "anderer Text"})  # offsets do not match
    outside = a.model_copy(update={"id": "q4", "start": 9_000, "end": 9_010})
    segments = highlight_segments(body, BODY_START, [a, b, stale, outside])
    assert [s.text for s in segments] == ["Eins ", "zwei drei", " vier", "."]
    assert [[c.id for c in s.parts] for s in segments] == [["q1"], ["q1", "q2"], ["q2"], []]


def test_evidence_is_in_the_dom_with_the_match_marked_and_the_source_linked() -> None:
    tree = _tree()  # no script runs here: what the parser sees is what a no-JS reader sees
    item = tree.css_first("li#claim-q1 li.evidence-item")
    assert item.css_first("mark").text() == "Das ist eine ernste Lage"
    assert item.css_first('a[href="#source-0"]') is not None
    assert tree.css_first("tr#source-0") is not None
    assert "article: sehr → page: —" in " ".join(item.css_first(".differences").text().split())
    assert "score 93" in item.text()
    assert "confirmed" in tree.css_first("li#claim-q1 .attribution-confirmed").text()
    archived = tree.css_first("li#claim-p1 li.evidence-item")
    assert "archived" in archived.text()
    assert archived.css_first("mark").text() == "USA"
    # a key claim links to its parts
    assert tree.css_first('li#claim-k3 a.part-link[href="#claim-n1"]') is not None


def test_snippet_parts_uses_offsets_then_falls_back_to_finding_the_text() -> None:
    c = claim("p1", ClaimKind.NAME, "USA", Verdict.FOUND)
    ev = evidence(0, "…die USA haben…", "USA")
    assert snippet_parts(ev, c) == ("…die ", "USA", " haben…")
    no_offsets = ev.model_copy(update={"snippet_start": None, "snippet_end": None})
    assert snippet_parts(no_offsets.model_copy(update={"snippet": "die usa"}), c) == (
        "die ",
        "usa",
        "",
    )
    assert snippet_parts(no_offsets.model_copy(update={"snippet": "nichts"}), c) == (
        "nichts",
        "",
        "",
    )


def test_matching_stores_snippet_offsets_that_mark_the_match() -> None:
    article = "Er sagte: „Das ist eine gefährliche und besorgniserregende Entwicklung“."
    page = (
        "Lange Einleitung. " * 10
        + "Wood sagte: „Das ist eine gefährliche\n  und besorgniserregende Entwicklung“ am Montag."
        + " Mehr Text." * 10
    )
    claims = match_claims(
        extract_claims(article, lang="de"),
        [(0, "live", PageText(main_text=page, full_text=page, source=TextSource.ARTICLE))],
    )
    quote = next(c for c in claims if c.kind is ClaimKind.QUOTE)
    assert quote.verdict is Verdict.FOUND
    _, marked, _ = snippet_parts(quote.evidence[0], quote)
    assert marked == "Das ist eine gefährliche und besorgniserregende Entwicklung"


@pytest.mark.parametrize("where", ["claim", "snippet", "speaker", "difference", "archive"])
def test_hostile_text_is_escaped(where: str) -> None:
    body = f"Er sagte „{XSS}“ laut."
    c = claim("q1", ClaimKind.QUOTE, XSS, Verdict.NEAR, body=body)
    if where == "snippet":
        c = c.model_copy(update={"evidence": [evidence(0, f"a {XSS} b", XSS)]})
    elif where == "speaker":
        c = c.model_copy(update={"speaker": XSS})
    elif where == "difference":
        from srccheck.claims.model import WordDifference

        ev = evidence(0, "a x b", "x", differences=[WordDifference(article=XSS, page=XSS)])
        c = c.model_copy(update={"evidence": [ev]})
    report = make_claims_report([c], body=body)
    if where == "archive":
        from report_samples import make_archive, with_archive

        from srccheck.archive.model import ArchiveState

        bad = make_archive(ArchiveState.ERROR, error_text=XSS)
        report = report.model_copy(
            update={"sources": [with_archive(report.sources[0], bad), report.sources[1]]}
        )
    html = render_article_html(report, nonce="n0nce")
    tree = HTMLParser(html)
    scripts = tree.css("script")
    assert len(scripts) == 1
    assert scripts[0].attributes.get("nonce") == "n0nce"
    assert "<script>alert(1)" not in html
    assert not any("onerror" in (node.attributes or {}) for node in tree.css("*"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_csp_allows_nothing_remote_and_the_script_only_with_its_nonce() -> None:
    tree = _tree()
    csp = tree.css_first('meta[http-equiv="Content-Security-Policy"]').attributes["content"]
    assert "default-src 'none'" in csp
    assert "script-src 'nonce-n0nce'" in csp
    assert "http" not in csp
    assert "*" not in csp
    for node in tree.css("[src], link[href]"):
        pytest.fail(f"remote load: {node.html}")
    for node in tree.css("*"):
        assert not any(name.startswith("on") for name in node.attributes), node.html


def test_without_body_the_claims_are_still_listed() -> None:
    tree = _tree(make_claims_report(body=None))
    assert tree.css_first("#article-body") is None
    assert len(tree.css("li.claim")) == len(make_claims())


def test_summary_counts_claims_by_verdict_and_archives() -> None:
    text = " ".join(_tree().css_first("section[aria-labelledby=summary-heading]").text().split())
    assert "9 claims" in text
    assert "not found: 3" in text
    assert "found: 2" in text
    assert "near: 1" in text
    assert "archived: 1" in text
    assert "not archived: 1" in text
    assert "archive errors: 0" in text


def test_no_claims_no_claims_section(article_report) -> None:
    assert HTMLParser(render_article_html(article_report)).css_first("#claims") is None
