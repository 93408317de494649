"""The benchmark's web: which URLs exist, what each page says and how it answers.

Everything is a pure function of ``(seed, page id)``, so the server can render a
page on demand and the article generator knows, without any request, which
quotes each page contains. Page ``i`` lives on host ``i % hosts``; hosts are
distinct loopback addresses ``127.0.0.2``, ``127.0.0.3`` … on one port, so a
checker's per-host limit sees them as different sites.

A small, fixed share of pages answers differently (chosen by a hash of the id):

* ``NOT_FOUND``  – 404 with a short error page,
* ``REDIRECT``   – 301 to ``/neu/<same path>``, which serves the page,
* ``SLOW``       – the page, after ``slow_factor`` × the normal latency.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

__all__ = [
    "LOOPBACK_BASE",
    "PageKind",
    "Web",
    "host_address",
    "page_id_from_path",
]

#: Host ``h`` is served on ``127.0.0.{LOOPBACK_BASE + h}`` (127.0.0.1 stays free).
LOOPBACK_BASE = 2

_SECTIONS = ("politik", "wirtschaft", "ausland", "inland", "kultur", "wissen", "sport")
_PATH_ID = re.compile(r"-(\d+)\.html$")

# fmt: off
_NOUNS = (
    "Regierung", "Bundestag", "Koalition", "Ministerium", "Haushalt", "Opposition", "Kanzler",
    "Ministerin", "Botschafter", "Sicherheitsrat", "Verteidigung", "Wirtschaft", "Inflation",
    "Zentralbank", "Energiepreise", "Gaspreise", "Arbeitsmarkt", "Gewerkschaft",
    "Tarifverhandlungen", "Streik", "Bahn", "Flughafen", "Klimaschutz", "Heizungsgesetz",
    "Bundesrat", "Landtag", "Wahlkampf", "Umfrage", "Mehrheit", "Staatsanwaltschaft", "Gericht",
    "Urteil", "Polizei", "Ermittlungen", "Grenze", "Flüchtlinge", "Asylpolitik", "Kommission",
    "Parlament", "Abkommen", "Sanktionen", "Truppen", "Soldaten", "Waffenlieferungen",
    "Hauptstadt", "Bürgermeister", "Verwaltung", "Schulen", "Krankenhäuser", "Pflegekräfte",
    "Rente", "Steuerreform", "Schuldenbremse", "Investitionen", "Unternehmen", "Exporte",
    "Industrie", "Forscher", "Studie", "Universität", "Impfstoff", "Gesundheit", "Landwirte",
    "Ernte", "Dürre", "Hochwasser", "Stürme"
)
_VERBS = (
    "beschloss", "kritisierte", "forderte", "bestätigte", "kündigte", "warnte", "erklärte",
    "verteidigte", "prüfte", "lehnte", "plante", "meldete", "berichtete", "verschob",
    "unterstützte", "bezeichnete", "zweifelte", "begrüßte"
)
_ADJECTIVES = (
    "neue", "umstrittene", "deutliche", "schwierige", "wichtige", "dramatische", "langfristige",
    "kurzfristige", "finanzielle", "politische", "militärische", "wirtschaftliche", "europäische",
    "gemeinsame", "offene", "erhebliche", "zusätzliche", "mögliche", "frühere", "aktuelle"
)
_FILLERS = (
    "am Montag", "am Dienstag", "am Mittwoch", "nach Angaben des Ministeriums", "in Berlin",
    "in Brüssel", "laut einem Bericht", "in der vergangenen Woche", "trotz heftiger Kritik",
    "nach langen Verhandlungen", "im ersten Halbjahr", "vor dem Ausschuss",
    "bei einer Pressekonferenz", "im Vergleich zum Vorjahr"
)
_FIRST = (
    "Anna", "Thomas", "Julia", "Michael", "Sabine", "Stefan", "Katrin", "Markus", "Petra",
    "Andreas", "Laura", "Jan"
)
_LAST = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
    "Hoffmann", "Koch"
)
# fmt: on


class PageKind(StrEnum):
    """How a page answers (see the module docstring)."""

    OK = "ok"
    NOT_FOUND = "not_found"
    REDIRECT = "redirect"
    SLOW = "slow"


def host_address(host: int) -> str:
    """The loopback address that serves host number ``host``."""
    return f"127.0.0.{LOOPBACK_BASE + host}"


def page_id_from_path(path: str) -> int | None:
    """The page id in a benchmark path (``/politik/…-42.html`` → 42), else ``None``."""
    match = _PATH_ID.search(path)
    return int(match.group(1)) if match else None


def _rng(*parts: object) -> random.Random:
    # random.Random(str) hashes with SHA-512: stable across processes and runs.
    return random.Random(":".join(map(str, parts)))


def _sentence(rng: random.Random) -> str:
    words = [
        "Die",
        rng.choice(_ADJECTIVES),
        rng.choice(_NOUNS),
        rng.choice(_VERBS),
        rng.choice(_FILLERS),
        "die",
        rng.choice(_ADJECTIVES),
        rng.choice(_NOUNS),
        "der",
        rng.choice(_NOUNS),
    ]
    if rng.random() < 0.5:
        words += ["um", f"{rng.randint(2, 98)} Prozent"]
    else:
        words += ["mit", f"{rng.randint(10, 9_999):,}".replace(",", "."), rng.choice(_NOUNS)]
    return " ".join(words) + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(4, 7)))


@dataclass(frozen=True)  # no slots: the page bank is a cached_property
class Web:
    """The benchmark's URL space: ``pages`` pages spread over ``hosts`` hosts on ``port``.

    Rates are shares of all pages (hash-chosen, so the same for every run with
    the same seed); ``target_bytes`` is the approximate size of an OK page.
    """

    pages: int
    hosts: int
    port: int
    seed: int = 1
    not_found_rate: float = 0.02
    redirect_rate: float = 0.02
    slow_rate: float = 0.01
    slow_factor: float = 4.0
    target_bytes: int = 100_000

    # --- URLs -----------------------------------------------------------------

    def host_of(self, page: int) -> int:
        return page % self.hosts

    def path(self, page: int) -> str:
        rng = _rng(self.seed, page, "path")
        slug = "-".join(rng.choice(_NOUNS).lower() for _ in range(3))
        slug = slug.translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}))
        return f"/{_SECTIONS[page % len(_SECTIONS)]}/{slug}-{page}.html"

    def url(self, page: int) -> str:
        return f"http://{host_address(self.host_of(page))}:{self.port}{self.path(page)}"

    def kind(self, page: int) -> PageKind:
        """The page's answer kind: a hash of (seed, page) compared with the rates."""
        digest = hashlib.blake2b(f"{self.seed}:{page}".encode(), digest_size=8).digest()
        x = int.from_bytes(digest, "big") / 2**64
        if x < self.not_found_rate:
            return PageKind.NOT_FOUND
        x -= self.not_found_rate
        if x < self.redirect_rate:
            return PageKind.REDIRECT
        x -= self.redirect_rate
        return PageKind.SLOW if x < self.slow_rate else PageKind.OK

    def mean_service_factor(self, pages: list[int] | range) -> float:
        """Mean latency multiple of checking ``pages`` (redirect = 2 requests, slow = factor).

        Used for the "adjusted ideal" that accounts for the workload's redirects and slow pages.
        """
        if not pages:
            return 1.0
        factors = {PageKind.OK: 1.0, PageKind.NOT_FOUND: 1.0, PageKind.REDIRECT: 2.0}
        factors[PageKind.SLOW] = self.slow_factor
        return sum(factors[self.kind(p)] for p in pages) / len(pages)

    # --- content --------------------------------------------------------------

    def title(self, page: int) -> str:
        rng = _rng(self.seed, page, "title")
        return f"{rng.choice(_NOUNS)} {rng.choice(_VERBS)} {rng.choice(_ADJECTIVES)} " + (
            f"{rng.choice(_NOUNS)}"
        )

    def speaker(self, page: int, k: int) -> str:
        rng = _rng(self.seed, page, "speaker", k)
        return f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"

    def quotes(self, page: int) -> tuple[str, ...]:
        """The page's three quotes (verbatim in its HTML, between „ and “)."""
        return tuple(_sentence(_rng(self.seed, page, "quote", k)).rstrip(".") for k in range(3))

    @cached_property
    def _paragraph_bank(self) -> tuple[str, ...]:
        # Rendering fresh text for every request would make the server the bottleneck;
        # pages are assembled from a fixed bank plus their own title and quotes instead.
        return tuple(_paragraph(_rng(self.seed, "bank", b)) for b in range(512))

    @cached_property
    def _boilerplate(self) -> tuple[str, str]:
        nav = "".join(f'<li><a href="/{s}/">{s.capitalize()}</a></li>' for s in _SECTIONS * 6)
        script = (
            "<script>window.__CONFIG__={"
            + ",".join(f'"k{i}":"{hashlib.md5(str(i).encode()).hexdigest()}"' for i in range(700))
            + "};</script>"
        )
        head = (
            '<!doctype html><html lang="de"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"{script}<style>body{{font-family:serif;max-width:40em}}</style>"
        )
        foot = (
            f"<footer><nav><ul>{nav}</ul></nav><p>© 2024 Benchmark Zeitung. Alle Rechte "
            "vorbehalten.</p></footer></body></html>"
        )
        return head, foot

    def html(self, page: int) -> str:
        """The page's HTML: about ``target_bytes`` bytes, deterministic."""
        head, foot = self._boilerplate
        bank = self._paragraph_bank
        title = self.title(page)
        quotes = self.quotes(page)
        parts = [
            head,
            f"<title>{title} | Benchmark Zeitung</title></head><body>",
            f'<header><nav><a href="/">Startseite</a></nav></header><main><article>'
            f'<h1>{title}</h1><p class="date">22.10.2024</p>',
        ]
        size = sum(map(len, parts)) + len(foot)
        step = 1 + page % 97
        k = placed = 0
        while size < self.target_bytes:
            if k % 6 == 2 and placed < len(quotes):
                parts.append(self._quote_html(page, placed, quotes[placed]))
                placed += 1
            else:
                parts.append(f"<p>{bank[(page * 31 + k * step) % len(bank)]}</p>")
            size += len(parts[-1])
            k += 1
        # Tiny target sizes: every quote is still on the page.
        parts.extend(self._quote_html(page, q, quotes[q]) for q in range(placed, len(quotes)))
        parts.append("</article></main>")
        parts.append(foot)
        return "".join(parts)

    def _quote_html(self, page: int, q: int, quote: str) -> str:
        return f"<blockquote><p>„{quote}“, sagte {self.speaker(page, q)}.</p></blockquote>"

    def not_found_html(self) -> str:
        return (
            '<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Seite nicht '
            "gefunden</title></head><body><h1>404 – Seite nicht gefunden</h1></body></html>"
        )

    def links_html(self, pages: list[int] | range) -> str:
        """One page that links every page in ``pages`` (the peers' start page)."""
        items = "".join(f'<li><a href="{self.url(p)}">{self.title(p)}</a></li>' for p in pages)
        return (
            '<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Alle Quellen'
            f"</title></head><body><ul>{items}</ul></body></html>"
        )
