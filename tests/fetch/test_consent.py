"""Consent walls: the pure rule against a table of real-looking pages, then loopback sites."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner
from werkzeug import Response

from srccheck.cli import app
from srccheck.fetch.client import Fetcher
from srccheck.fetch.consent import (
    ConsentEvidence,
    consent_wall_signals,
    is_consent_url,
    page_consent_markup,
)
from srccheck.fetch.content import page_title
from srccheck.settings import Settings
from srccheck.status import Status

LOCAL = Settings(allow_private=True, retries=0, timeout=5.0, host_interval=0.0)
ARTICLE = "https://www.zeit.de/politik/ausland/2024-10/nordkorea-soldaten-russland"

ARTICLE_PROSE = "".join(
    f"<p>Absatz {i}: Nordkorea hat nach Angaben aus Seoul mehrere Tausend Soldaten nach "
    "Russland geschickt, die dort für den Einsatz in der Ukraine ausgebildet werden.</p>\n"
    for i in range(12)
)

# Pages as the consent managers serve them (markup reduced to what the rule reads).
SOURCEPOINT_WALL = """<html lang="de"><head><title>ZEIT ONLINE</title>
<script src="https://cdn.privacy-mgmt.com/unified/wrapperMessagingWithoutDetection.js"></script>
</head><body><div id="sp_message_container_1052921" class="sp-message-open">
<iframe id="sp_message_iframe_1052921" src="https://cdn.privacy-mgmt.com/index.html?message_id=1"
 title="SP Consent Message"></iframe></div></body></html>"""

ZEIT_ZUSTIMMUNG = """<html lang="de"><head><title>Zustimmung | ZEIT ONLINE</title></head>
<body><main class="paywall-consent"><h1>Lesen Sie ZEIT ONLINE mit Werbung</h1>
<p>Besuchen Sie zeit.de wie gewohnt mit Werbung und Tracking.</p>
<button>Zustimmen und weiter</button><a href="/abo">Jetzt PUR-Abo abschließen</a>
</main></body></html>"""

ONETRUST_WALL = """<html><head><title>Privacy settings</title>
<script src="https://cdn.cookielaw.org/scripttemplates/otSDKStub.js"></script></head>
<body><div id="onetrust-consent-sdk"><div id="onetrust-banner-sdk">
<p id="onetrust-policy-text">We and our partners store and access information on your device,
such as cookies, and process personal data such as unique identifiers and standard information
sent by a device for personalised ads and content, ad and content measurement, and audience
insights, as well as to develop and improve products. With your permission we and our partners
may use precise geolocation data and identification through device scanning.</p>
<button id="onetrust-accept-btn-handler">Accept all</button></div></div></body></html>"""

USERCENTRICS_WALL = """<html><head><title>Cookie-Einstellungen</title>
<script id="usercentrics-cmp" src="https://web.cmp.usercentrics.eu/ui/loader.js"></script>
</head><body><div id="usercentrics-root"></div><noscript>Bitte JavaScript aktivieren.</noscript>
</body></html>"""

DIDOMI_WALL = """<html><head><title>Le Monde</title>
<script src="https://sdk.privacy-center.org/loader.js"></script></head>
<body><div id="didomi-host"><div id="didomi-popup"><p>Vos choix concernant
l'utilisation de cookies</p></div></div></body></html>"""

QUANTCAST_WALL = """<html><head><title>Before you continue</title></head>
<body><div id="qc-cmp2-container"><div id="qc-cmp2-ui">
<p>We value your privacy</p></div></div></body></html>"""

CONSENTMANAGER_WALL = """<html><head><title>heise online</title>
<script src="https://cdn.consentmanager.net/delivery/autoblocking/1234.js"></script></head>
<body><div id="cmpbox"><p>Wir verwenden Cookies.</p></div></body></html>"""

# Real articles that load a consent manager beside their full text: pages, not walls.
ARTICLE_WITH_SOURCEPOINT = f"""<html lang="de"><head><title>Nordkorea schickt Soldaten</title>
<script src="https://cdn.privacy-mgmt.com/unified/wrapperMessagingWithoutDetection.js"></script>
</head><body><div id="sp_message_container_1052921"></div>
<article><h1>Nordkorea schickt Soldaten</h1>{ARTICLE_PROSE}</article></body></html>"""

ARTICLE_WITH_ONETRUST = f"""<html><head><title>North Korea sends troops</title>
<script src="https://cdn.cookielaw.org/scripttemplates/otSDKStub.js"></script></head>
<body><div id="onetrust-consent-sdk"><div id="onetrust-banner-sdk"><p>We and our partners
store and access information on your device, such as cookies.</p></div></div>
<main>{ARTICLE_PROSE}</main></body></html>"""

JSONLD_ARTICLE_WITH_USERCENTRICS = """<html><head><title>Nordkorea</title>
<script src="https://web.cmp.usercentrics.eu/ui/loader.js"></script>
<script type="application/ld+json">{"@type": "NewsArticle", "articleBody": "%s"}</script>
</head><body><div id="usercentrics-root"></div><div id="app"></div></body></html>""" % (
    "Nordkorea hat Soldaten nach Russland geschickt. " * 30
)

ARTICLE_ABOUT_CONSENT = f"""<html><head><title>Consent decree ends a long case</title></head>
<body><article>{ARTICLE_PROSE}</article></body></html>"""

SHORT_ARTICLE_ABOUT_CONSENT = """<html><head><title>Consent decree ends a long case</title></head>
<body><p>The court approved the consent decree on Monday.</p></body></html>"""

SHORT_PAGE_NO_MARKER = """<html><head><title>Kurzmeldung</title></head>
<body><p>Nordkorea schickt Soldaten.</p></body></html>"""


def _evidence(html: str, final: str = ARTICLE, *, redirected: bool = False) -> ConsentEvidence:
    title = page_title(html)
    return ConsentEvidence(ARTICLE, final, redirected, title, page_consent_markup(html, title))


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (
            SOURCEPOINT_WALL,
            ("consent:sourcepoint", "consent:little-text"),
        ),
        (ZEIT_ZUSTIMMUNG, ("consent:title", "consent:little-text")),
        (ONETRUST_WALL, ("consent:onetrust", "consent:title", "consent:little-text")),
        (
            USERCENTRICS_WALL,
            ("consent:usercentrics", "consent:title", "consent:little-text"),
        ),
        (DIDOMI_WALL, ("consent:didomi", "consent:little-text")),
        (QUANTCAST_WALL, ("consent:quantcast", "consent:title", "consent:little-text")),
        (CONSENTMANAGER_WALL, ("consent:consentmanager", "consent:little-text")),
        # Precision: a cookie banner beside the article's text is a page.
        (ARTICLE_WITH_SOURCEPOINT, ()),
        (ARTICLE_WITH_ONETRUST, ()),
        (JSONLD_ARTICLE_WITH_USERCENTRICS, ()),
        (ARTICLE_ABOUT_CONSENT, ()),
        (SHORT_ARTICLE_ABOUT_CONSENT, ()),
        (SHORT_PAGE_NO_MARKER, ()),
    ],
    ids=[
        "sourcepoint", "zeit-title", "onetrust", "usercentrics", "didomi", "quantcast",
        "consentmanager", "article+sourcepoint", "article+onetrust", "jsonld+usercentrics",
        "article-about-consent", "short-article-about-consent", "short-page",
    ],
)  # fmt: skip
def test_pages_answering_in_place(html: str, expected: tuple[str, ...]) -> None:
    assert consent_wall_signals(_evidence(html)) == expected


@pytest.mark.parametrize(
    ("final", "redirected", "expected"),
    [
        (
            "https://www.zeit.de/zustimmung?url=https%3A%2F%2Fwww.zeit.de%2Fpolitik%2Fausland",
            True,
            ("consent:redirect",),
        ),
        ("https://news.example/consent?return=/artikel", True, ("consent:redirect",)),
        ("https://news.example/privacy-gate?target=/a", True, ("consent:redirect",)),
        ("https://news.example/cookie-consent/", True, ("consent:redirect",)),
        (
            "https://consent.yahoo.com/v2/collectConsent?sessionId=3_cc-session",
            True,
            ("consent:redirect",),
        ),
        ("https://consent.google.com/ml?continue=https://news.google.com/", True,
         ("consent:redirect",)),
        ("https://myprivacy.dpgmedia.nl/consent?siteKey=abc", True, ("consent:redirect",)),
        # A moved article and an article whose slug merely mentions consent are pages.
        ("https://www.zeit.de/politik/ausland/2024-10/nordkorea-neu", True, ()),
        ("https://news.example/politik/consent-decree-ends", True, ()),
        # No redirect: the cited URL is where the consent page is (rule needs a redirect).
        ("https://www.zeit.de/zustimmung?url=x", False, ()),
    ],
)  # fmt: skip
def test_redirect_to_a_consent_page(
    final: str, redirected: bool, expected: tuple[str, ...]
) -> None:
    page = ARTICLE_ABOUT_CONSENT  # the target's body does not matter for this rule
    assert consent_wall_signals(_evidence(page, final, redirected=redirected)) == expected


def test_a_cited_consent_page_is_a_page() -> None:
    cited = "https://news.example/consent"
    evidence = ConsentEvidence(cited, "https://news.example/consent/", True)
    assert consent_wall_signals(evidence) == ()
    assert is_consent_url(cited)


def zeit_like_site(server: HTTPServer) -> str:
    """A site that sends clients without consent to /zustimmung?url=… (as zeit.de does)."""
    base = server.url_for("").rstrip("/")
    server.expect_request("/politik/nordkorea").respond_with_response(
        Response(status=302, headers={"Location": f"/zustimmung?url={base}/politik/nordkorea"})
    )
    server.expect_request("/zustimmung").respond_with_data(
        ZEIT_ZUSTIMMUNG, content_type="text/html; charset=utf-8"
    )
    server.expect_request("/sp").respond_with_data(SOURCEPOINT_WALL, content_type="text/html")
    server.expect_request("/banner").respond_with_data(
        ARTICLE_WITH_SOURCEPOINT, content_type="text/html"
    )
    return base


async def test_fetcher_reports_a_consent_wall(httpserver: HTTPServer) -> None:
    base = zeit_like_site(httpserver)
    async with Fetcher(LOCAL) as fetcher:
        redirected = await fetcher.check(f"{base}/politik/nordkorea")
        in_place = await fetcher.check(f"{base}/sp")
        banner = await fetcher.check(f"{base}/banner")
    check = redirected.check
    assert check.status is Status.CONSENT_WALL
    assert check.outcome.value == "unverifiable"
    assert "consent:redirect" in check.signals
    assert "/zustimmung" in check.reason
    assert "not seen" in check.reason
    assert [hop.status_code for hop in check.redirects] == [302]
    assert in_place.check.status is Status.CONSENT_WALL
    assert "consent:sourcepoint" in in_place.check.signals
    assert banner.check.status is Status.OK
    assert not any(s.startswith("consent:") for s in banner.check.signals)


def test_cli_reports_the_wall_and_never_not_found_for_its_quote(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    base = zeit_like_site(httpserver)
    article = tmp_path / "artikel.txt"
    article.write_text(
        "22.10.2024\nNordkorea\n\nLaut Bericht hieß es: „Nordkorea hat mehrere Tausend Soldaten "
        "nach Russland geschickt.“\n\n"
        f"Quellen: - {base}/politik/nordkorea\n\nWeitere\nArtikel\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        ["verify", str(article), "-o", str(out), "-q", "--allow-private", "--no-archive",
         "--no-cache", "--host-interval", "0"],
    )  # fmt: skip
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 0, result.output  # unverifiable is a warning by default
    report = json.loads((out / "artikel.json").read_text(encoding="utf-8"))
    (source,) = report["sources"]
    assert source["check"]["status"] == "consent_wall"
    assert "consent:redirect" in source["check"]["signals"]
    assert source["text_unread"].startswith("consent_wall: ")
    quotes = [c for c in report["claims"] if c["kind"] == "quote"]
    assert quotes
    for quote in quotes:
        assert quote["verdict"] == "unverifiable", quote
        assert quote["evidence"] == []
    assert report["summary"]["by_status"] == {"consent_wall": 1}
    html = (out / "artikel.html").read_text(encoding="utf-8")
    assert "consent_wall" in html


@pytest.mark.parametrize(
    ("title", "wall"),
    [
        ("Zustimmung | ZEIT ONLINE", True),
        ("Before you continue to Google", True),
        ("Before you continue to YouTube", True),
        ("Cookie-Einstellungen", True),
        ("Datenschutzeinstellungen – SPIEGEL", True),
        ("We value your privacy", True),
        ("Consent decree ends a long case", False),
        ("Zustimmung zur Reform wächst", False),
        ("Before you continue reading: five facts", False),
    ],
)
def test_a_consent_title_names_the_whole_page(title: str, wall: bool) -> None:
    page = f"<html><head><title>{title}</title></head><body><p>Kurz.</p></body></html>"
    assert ("consent:title" in consent_wall_signals(_evidence(page))) is wall
