"""Generate benchmark articles in the seed format, citing pages of a :class:`~bench.corpus.Web`.

Citations follow news practice: a few pages are cited by very many articles,
most by one or two. Every page of the pool is cited at least once (so the set
of distinct URLs is exactly the pool), the remaining citations are drawn from
a Zipf-like distribution (weight of the k-th page ∝ 1 / k^``zipf_s``). An
article never cites a page twice.

Each article quotes one sentence from every page it cites, verbatim, so claim
matching has something true to find. The file layout copies ``seeds/*.txt``:
date line, title line (words run together, as in the seeds), paragraphs
separated by blank lines, one ``Quellen: - URL - URL …`` line, ``Weitere`` and
``Artikel``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import Web

__all__ = ["Workload", "assign_citations", "write_articles"]


@dataclass(frozen=True, slots=True)
class Workload:
    """What was written: where, how many articles and citations, which pages are cited."""

    directory: Path
    articles: int
    citations: int
    cited_pages: tuple[int, ...]  # sorted distinct page ids

    @property
    def distinct_urls(self) -> int:
        return len(self.cited_pages)


def assign_citations(
    articles: int, per_article: int, pages: int, *, seed: int = 1, zipf_s: float = 1.0
) -> list[list[int]]:
    """Page ids cited by each article: every page at least once, the rest Zipf-like.

    Needs ``articles × per_article ≥ pages`` (else not every page can be cited)
    and ``per_article ≤ pages``. Deterministic for a given seed.
    """
    total = articles * per_article
    if total < pages:
        raise ValueError(f"{articles} × {per_article} citations cannot cite all {pages} pages")
    if per_article > pages:
        raise ValueError("an article cannot cite more distinct pages than exist")
    rng = random.Random(f"citations:{seed}")
    cum_weights = list(itertools.accumulate(1 / (k + 1) ** zipf_s for k in range(pages)))
    # Popular pages are spread over all hosts: the Zipf rank is mapped through a permutation.
    rank_to_page = list(range(pages))
    rng.shuffle(rank_to_page)

    def draw() -> int:
        return rank_to_page[rng.choices(range(pages), cum_weights=cum_weights)[0]]

    flat = list(range(pages)) + [draw() for _ in range(total - pages)]
    rng.shuffle(flat)
    result = []
    for a in range(articles):
        chosen = flat[a * per_article : (a + 1) * per_article]
        unique = list(dict.fromkeys(chosen))
        # Dropping an in-article duplicate keeps coverage: its other copy stays.
        while len(unique) < per_article:
            candidate = draw()
            if candidate not in unique:
                unique.append(candidate)
        result.append(unique)
    return result


def _title_line(web: Web, pages: list[int]) -> str:
    # The seeds run the title's words together ("NordkoreanischeSoldateninUkraine…").
    return web.title(pages[0]).replace(" ", "")


def _article_text(web: Web, number: int, pages: list[int]) -> str:
    rng = random.Random(f"article:{web.seed}:{number}")
    date = dt.date(2024, 1, 1) + dt.timedelta(days=number % 365)
    paragraphs = []
    for i, page in enumerate(pages):
        quote = web.quotes(page)[rng.randrange(3)]
        speaker = web.speaker(page, web.quotes(page).index(quote))
        lead = web.title(page)
        paragraphs.append(
            f"Nach Angaben von {speaker} {lead.split()[1]} die {lead.split()[2]} "
            f"{lead.split()[3]}. „{quote}“, sagte {speaker}. Bis zum Abend gab es "
            f"{rng.randint(2, 40)} Reaktionen, berichtete Quelle {i + 1}."
        )
    sources = " ".join(f"- {web.url(p)}" for p in pages)
    return "\n".join(
        [
            date.strftime("%d.%m.%Y"),
            _title_line(web, pages),
            "",
            "\n\n".join(paragraphs),
            "",
            f"Quellen: {sources}",
            "",
            "Weitere",
            "Artikel",
        ]
    )


def write_articles(
    directory: Path,
    web: Web,
    *,
    articles: int,
    per_article: int,
    seed: int = 1,
) -> Workload:
    """Write ``articles`` seed-format files citing ``per_article`` pages each into ``directory``.

    The citation pool is all of ``web``'s pages (see :func:`assign_citations`).
    """
    directory.mkdir(parents=True, exist_ok=True)
    citations = assign_citations(articles, per_article, web.pages, seed=seed)
    cited: set[int] = set()
    for number, pages in enumerate(citations):
        name = f"{number:06d}_{random.Random(f'name:{seed}:{number}').getrandbits(64):016x}.txt"
        (directory / name).write_text(_article_text(web, number, pages), encoding="utf-8")
        cited.update(pages)
    return Workload(
        directory=directory,
        articles=articles,
        citations=articles * per_article,
        cited_pages=tuple(sorted(cited)),
    )
