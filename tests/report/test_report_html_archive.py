"""Archive badges and details on the article page; archive and claim columns on the index."""

from __future__ import annotations

import pytest
from report_samples import (
    JS_URL,
    make_archive,
    make_article_report,
    make_claims_report,
    make_index,
    make_sources,
    with_archive,
)
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from srccheck.archive.model import ArchiveState, DriftVerdict
from srccheck.models import Summary
from srccheck.report.html import archive_badge, drift_label, render_article_html, render_index_html
from srccheck.status import Outcome


def _page_with(archive) -> HTMLParser:
    source = with_archive(make_sources()[0], archive)
    return HTMLParser(render_article_html(make_article_report([source]), nonce="n"))


@pytest.mark.parametrize(
    ("archive", "label", "tone", "linked"),
    [
        (make_archive(ArchiveState.AVAILABLE, days=2), "archived 2024-10-24 (+2 days)", "ok", True),
        (
            make_archive(ArchiveState.AVAILABLE, days=0),
            "archived 2024-10-22 (same day)",
            "ok",
            True,
        ),
        (
            make_archive(ArchiveState.AVAILABLE, days=-45),
            "archived 2024-09-07 (-45 days)",
            "transient",
            True,
        ),
        (make_archive(ArchiveState.NOT_ARCHIVED), "not archived", "broken", False),
        (make_archive(ArchiveState.ERROR), "archive error", "transient", False),
    ],
)
def test_archive_badge_variants(archive, label: str, tone: str, linked: bool) -> None:
    badge = archive_badge(archive)
    assert badge is not None
    assert (badge.label, badge.tone) == (label, Outcome(tone))
    node = _page_with(archive).css_first("tr#source-0 .archive-badge")
    assert node.text() == label
    assert f"outcome-{tone}" in (node.attributes["class"] or "")
    link = node.css_first("a")
    if linked:
        assert link.attributes["href"] == archive.chosen.replay_url
    else:
        assert link is None


def test_outside_window_says_so_in_the_tooltip() -> None:
    badge = archive_badge(make_archive(ArchiveState.AVAILABLE, days=45, window=30))
    assert badge.tone is Outcome.TRANSIENT
    assert "No capture within ±30 days" in badge.title


def test_archive_error_shows_the_error_text_as_tooltip_and_in_the_details() -> None:
    tree = _page_with(make_archive(ArchiveState.ERROR, error_text="DNS lookup failed <x>"))
    assert "DNS lookup failed <x>" in tree.css_first(".archive-badge").attributes["title"]
    details = tree.css_first("tr#source-0 details.lookups")
    assert "DNS lookup failed <x>" in details.text()
    assert "connection" in details.text()


def test_not_asked_shows_no_badge_and_no_archive_column() -> None:
    assert archive_badge(None) is None
    tree = _page_with(None)
    assert tree.css_first(".archive-badge") is None
    assert "Archive" not in [th.text() for th in tree.css("table#sources th")]


def test_a_javascript_replay_url_is_never_a_link() -> None:
    tree = _page_with(make_archive(ArchiveState.AVAILABLE, replay_url=JS_URL))
    assert tree.css_first(".archive-badge a") is None
    assert not any((a.attributes.get("href") or "").startswith("javascript") for a in tree.css("a"))


@pytest.mark.parametrize(
    ("verdict", "text"),
    [
        (DriftVerdict.UNCHANGED, "unchanged (score 0.98)"),
        (DriftVerdict.CHANGED, "changed (score 0.83)"),
        (DriftVerdict.REPLACED, "replaced (score 0.20)"),
    ],
)
def test_drift_verdict_and_score_are_shown(verdict: DriftVerdict, text: str) -> None:
    archive = make_archive(ArchiveState.AVAILABLE, drift=verdict)
    assert drift_label(archive.drift) == text
    assert _page_with(archive).css_first(f"tr#source-0 .drift-{verdict.value}").text() == text


def test_every_lookup_is_listed() -> None:
    details = _page_with(make_archive(ArchiveState.AVAILABLE)).css_first("details.lookups")
    items = [" ".join(li.text().split()) for li in details.css("li")]
    assert items[0].startswith("internet-archive (internet_archive, cdx): available, 7 snapshots")
    assert "(+2 days)" in items[0]
    assert items[1].startswith("arquivo.pt (memento, timemap): not archived, 0 snapshots")


def test_index_has_archived_and_claim_columns() -> None:
    report = make_claims_report()
    tree = HTMLParser(render_index_html(make_index([(report, "a")]), nonce="n"))
    headers = [th.text().strip() for th in tree.css("table#articles th")]
    assert headers[-6:] == [
        "Archived", "supported", "partial", "contradicted", "not found", "unverifiable"
    ]
    cells = [td.text().strip() for td in tree.css("table#articles tbody td")][-6:]
    # sample: 1 of 2 archived; found×2 + supported×1, near + partial, none contradicted,
    # 3 not found, 1 unverifiable
    assert cells == ["1/2", "3", "2", "0", "3", "1"]
    assert report.summary == Summary.of(report.sources, report.claims)


def test_index_without_archives_or_claims_keeps_its_columns(run_index) -> None:
    headers = [th.text().strip() for th in HTMLParser(render_index_html(run_index)).css("th")]
    assert "Archived" not in headers
    assert "not found" not in headers
