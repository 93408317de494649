"""Soft 404s and paywalls: the pure rules against tables, then real loopback sites."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from srccheck.fetch.classify import classify_response
from srccheck.fetch.client import Fetcher
from srccheck.fetch.paywall import paywall_signals
from srccheck.fetch.soft404 import (
    PROBE_SIMILARITY,
    Soft404Evidence,
    soft404_signals,
    text_similarity,
    visible_text,
    without_echo,
)
from srccheck.settings import Settings
from srccheck.status import Status

LOCAL = Settings(allow_private=True, retries=0, timeout=60.0, host_interval=0.0)
ARTICLE = "https://news.example/politik/2024/10/artikel-123.html"


@pytest.mark.parametrize(
    ("evidence", "expected"),
    [
        (Soft404Evidence(ARTICLE, ARTICLE, False, "Nordkorea schickt Soldaten"), ()),
        (Soft404Evidence(ARTICLE, "https://news.example/", True), ("soft404:redirect-to-root",)),
        (Soft404Evidence(ARTICLE, "https://news.example/de/", True), ("soft404:redirect-to-root",)),
        (
            Soft404Evidence(ARTICLE, "https://news.example/index.html", True),
            ("soft404:redirect-to-root",),
        ),
        (
            Soft404Evidence(ARTICLE, "https://news.example/404", True),
            ("soft404:redirect-to-error",),
        ),
        (
            Soft404Evidence(ARTICLE, "https://news.example/suche?q=artikel", True),
            ("soft404:redirect-to-error",),
        ),
        # A home page that redirects to itself (http → https) is not a soft 404.
        (Soft404Evidence("http://news.example/", "https://news.example/", True), ()),
        # A moved article (deep to deep) is a redirect, not a soft 404.
        (Soft404Evidence(ARTICLE, "https://news.example/neu/artikel-123", True), ()),
        (Soft404Evidence("https://news.example/ok", "https://news.example/ok", False), ()),
        (
            Soft404Evidence(ARTICLE, ARTICLE, False, "Seite nicht gefunden | News"),
            ("soft404:title",),
        ),
        (Soft404Evidence(ARTICLE, ARTICLE, False, "404 – Page not found"), ("soft404:title",)),
        (Soft404Evidence(ARTICLE, ARTICLE, False, "Fehler 404"), ("soft404:title",)),
        (Soft404Evidence(ARTICLE, ARTICLE, False, "Not Found"), ("soft404:title",)),
        (
            Soft404Evidence(ARTICLE, ARTICLE, False, "Diese Seite existiert nicht"),
            ("soft404:title",),
        ),
        (
            Soft404Evidence(ARTICLE, ARTICLE, False, "News", ("Seite existiert nicht mehr",)),
            ("soft404:heading",),
        ),
        # An article *about* missing things is not a "not found" page.
        (Soft404Evidence(ARTICLE, ARTICLE, False, "Warum 404 Menschen vermisst werden"), ()),
        (
            Soft404Evidence(ARTICLE, ARTICLE, False, "News", probe_similarity=PROBE_SIMILARITY),
            ("soft404:probe",),
        ),
        (
            Soft404Evidence(ARTICLE, ARTICLE, False, "News", probe_similarity=PROBE_SIMILARITY - 1),
            (),
        ),
        (
            Soft404Evidence(ARTICLE, "https://news.example/", True, "Page not found"),
            ("soft404:redirect-to-root", "soft404:title"),
        ),
    ],
)
def test_soft404_rule(evidence: Soft404Evidence, expected: tuple[str, ...]) -> None:
    assert soft404_signals(evidence) == expected


def test_similarity_separates_templates_from_articles() -> None:
    nav = "<nav>Start Politik Wirtschaft Sport</nav>"
    template = f"<body>{nav}<p>Leider haben wir nichts gefunden für /%s.</p></body>"
    a = without_echo(
        visible_text(template % "a-very-old-article"), "https://x.example/a-very-old-article"
    )
    missing = "srccheck-missing-0123456789abcdef"
    b = without_echo(visible_text(template % missing), f"https://x.example/{missing}")
    article = visible_text(
        f"<body>{nav}<p>Nordkorea hat nach Angaben Südkoreas Tausende Soldaten nach Russland "
        "geschickt; die NATO zeigt sich besorgt über die Eskalation.</p></body>"
    )
    assert text_similarity(a, b) >= PROBE_SIMILARITY
    assert text_similarity(article, b) < PROBE_SIMILARITY


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (
            '<script type="application/ld+json">{"@type":"NewsArticle",'
            '"isAccessibleForFree":false}</script>',
            ("paywall:jsonld",),
        ),
        (
            '<script type="application/ld+json">{"isAccessibleForFree":"False"}</script>',
            ("paywall:jsonld",),
        ),
        (
            '<script type="application/ld+json">{"@graph":[{"@type":"WebPage"},{"@type":"Article",'
            '"hasPart":{"@type":"WebPageElement","isAccessibleForFree":"false"}}]}</script>',
            ("paywall:jsonld",),
        ),
        ('<script type="application/ld+json">{"isAccessibleForFree":true}</script>', ()),
        ('<meta property="article:content_tier" content="locked">', ("paywall:meta",)),
        ('<meta property="article:content_tier" content="metered">', ("paywall:meta",)),
        ('<meta property="article:content_tier" content="free">', ()),
        ('<div class="article paywall">Abo</div>', ("paywall:markup",)),
        (
            '<div class="tp-container-inner"></div><div class="tp-container"></div>',
            ("paywall:markup",),
        ),
        ('<div id="paywall-overlay"></div>', ("paywall:markup",)),
        (
            '<p class="paywall-prompt-free-text">Ein Artikel über Paywalls</p><p>Paywall</p>',
            ("paywall:markup",),
        ),
        ("<p>Dieser Artikel erklärt, wie eine Paywall funktioniert.</p>", ()),
        ('<script type="application/ld+json">{broken json</script>', ()),
    ],
)
def test_paywall_rule(html: str, expected: tuple[str, ...]) -> None:
    assert paywall_signals(f"<html><head></head><body>{html}</body></html>") == expected


@pytest.mark.parametrize(
    ("code", "status"), [(404, Status.NOT_FOUND), (410, Status.GONE), (200, Status.OK)]
)
def test_definitive_codes(code: int, status: Status) -> None:
    assert classify_response(code).status is status


# --- real sites on 127.0.0.1 -------------------------------------------------------------------

NAV = "<nav>Start · Politik · Wirtschaft · Kultur · Sport · Impressum · Datenschutz</nav>"


def _template_site(httpserver: HTTPServer) -> list[str]:
    """A site that answers every unknown path with the same 200 template; returns the log."""
    seen: list[str] = []

    def handler(request: Request) -> Response:
        seen.append(request.path)
        if request.path == "/politik/echter-artikel":
            body = (
                f"<html><head><title>Echter Artikel</title></head><body>{NAV}<article><h1>Echter"
                " Artikel</h1><p>Die Regierung hat am Dienstag ein neues Gesetz beschlossen, das "
                "die Mietpreise in Großstädten begrenzen soll. Kritiker sprechen von einem "
                "Eingriff in den Markt.</p></article></body></html>"
            )
        else:
            body = (
                f"<html><head><title>Aktuelle Nachrichten</title></head><body>{NAV}<p>Das haben "
                f"wir leider nicht: {request.path}</p></body></html>"
            )
        return Response(body, content_type="text/html; charset=utf-8")

    httpserver.expect_request("").respond_with_handler(handler)
    return seen


async def test_template_site_is_soft_404_by_probe(httpserver: HTTPServer) -> None:
    seen = _template_site(httpserver)
    async with Fetcher(LOCAL) as fetcher:
        gone = await fetcher.check(httpserver.url_for("/politik/alter-artikel-2019"))
        also_gone = await fetcher.check(httpserver.url_for("/wirtschaft/geloescht"))
        real = await fetcher.check(httpserver.url_for("/politik/echter-artikel"))
    assert gone.check.status is Status.SOFT_404
    assert gone.check.signals == ["soft404:probe"]
    assert gone.check.http_status == 200
    assert "missing page" in gone.check.reason
    assert also_gone.check.status is Status.SOFT_404
    assert real.check.status is Status.OK
    assert real.check.signals == []
    probes = [path for path in seen if path.startswith("/srccheck-missing-")]
    assert len(probes) == 1  # once per host and run
    assert len(seen) == 4


async def test_honest_site_is_probed_once_and_stays_ok(httpserver: HTTPServer) -> None:
    page = f"<html><head><title>Bericht</title></head><body>{NAV}<p>Inhalt</p></body></html>"
    httpserver.expect_request("/a/1").respond_with_data(page, content_type="text/html")
    httpserver.expect_request("/a/2").respond_with_data(page, content_type="text/html")
    httpserver.no_handler_status_code = 404
    async with Fetcher(LOCAL) as fetcher:
        import asyncio

        outcomes = await asyncio.gather(
            fetcher.check(httpserver.url_for("/a/1")), fetcher.check(httpserver.url_for("/a/2"))
        )
    assert [o.check.status for o in outcomes] == [Status.OK, Status.OK]
    probes = [r for r, _ in httpserver.log if r.path.startswith("/srccheck-missing-")]
    assert len(probes) == 1  # in-flight de-duplicated


async def test_redirect_to_home_is_soft_404(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/2019/artikel").respond_with_response(
        Response(status=301, headers={"Location": "/"})
    )
    httpserver.expect_request("/").respond_with_data(
        "<title>Startseite</title><h1>Willkommen</h1>", content_type="text/html"
    )
    async with Fetcher(LOCAL) as fetcher:
        outcome = await fetcher.check(httpserver.url_for("/2019/artikel"))
    assert outcome.check.status is Status.SOFT_404
    assert outcome.check.signals == ["soft404:redirect-to-root"]
    assert outcome.check.final_url == httpserver.url_for("/")
    assert len(outcome.check.redirects) == 1
    assert not any(r.path.startswith("/srccheck-missing-") for r, _ in httpserver.log)


async def test_not_found_title_is_soft_404(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/weg").respond_with_data(
        "<html><head><title>Seite nicht gefunden – Zeitung</title></head><body>…</body></html>",
        content_type="text/html",
    )
    async with Fetcher(LOCAL) as fetcher:
        outcome = await fetcher.check(httpserver.url_for("/weg"))
    assert outcome.check.status is Status.SOFT_404
    assert outcome.check.signals == ["soft404:title"]


async def test_paywalled_page_is_ok_and_flagged(httpserver: HTTPServer) -> None:
    page = (
        '<html><head><title>Exklusiv</title><script type="application/ld+json">'
        '{"@context":"https://schema.org","@type":"NewsArticle","headline":"Exklusiv",'
        '"isAccessibleForFree":false}</script></head><body><p>Anreißer …</p></body></html>'
    )
    httpserver.expect_request("/plus/exklusiv").respond_with_data(page, content_type="text/html")
    async with Fetcher(LOCAL.with_changes(soft404_probe=False)) as fetcher:
        outcome = await fetcher.check(httpserver.url_for("/plus/exklusiv"))
    assert outcome.check.status is Status.OK
    assert outcome.check.paywalled is True
    assert outcome.check.signals == ["paywall:jsonld"]


@pytest.mark.parametrize(("code", "status"), [(404, Status.NOT_FOUND), (410, Status.GONE)])
async def test_missing_and_gone_over_the_network(
    httpserver: HTTPServer, code: int, status: Status
) -> None:
    httpserver.expect_request("/x").respond_with_data("weg", status=code)
    async with Fetcher(LOCAL) as fetcher:
        outcome = await fetcher.check(httpserver.url_for("/x"))
    assert outcome.check.status is status
    assert len(httpserver.log) == 1  # no probe for an honest answer
