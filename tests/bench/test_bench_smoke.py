"""Smoke test of the benchmark harness: a tiny workload end to end, no timing assertions.

Runs the real server (one worker), the real ``srccheck verify`` subprocess and
the memory run on 5 articles × 3 sources over 2 hosts, then checks that the
JSON result has every figure and that the server saw every cited URL.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # ``bench`` is a folder of the repository, not an installed package

from bench.articles import assign_citations  # noqa: E402
from bench.corpus import PageKind, Web  # noqa: E402
from bench.figures import FIGURE_KEYS, Comparison, Figure, Target, format_figure  # noqa: E402
from bench.run import BenchConfig, run_benchmark  # noqa: E402


def test_citations_cover_every_page_without_duplicates_in_an_article() -> None:
    citations = assign_citations(articles=40, per_article=5, pages=60, seed=3)

    assert len(citations) == 40
    assert all(len(set(pages)) == len(pages) == 5 for pages in citations)
    assert {p for pages in citations for p in pages} == set(range(60))


def test_page_contains_its_quotes_and_is_about_the_target_size() -> None:
    web = Web(pages=50, hosts=3, port=8080, target_bytes=100_000)
    page = next(p for p in range(50) if web.kind(p) is PageKind.OK)

    html = web.html(page)

    assert all(f"„{quote}“" in html for quote in web.quotes(page))
    assert 95_000 <= len(html.encode()) <= 110_000
    assert web.html(page) == html  # deterministic


@pytest.mark.parametrize(
    ("target", "value", "met"),
    [
        (Target(Comparison.AT_LEAST, 10), 10, True),
        (Target(Comparison.AT_LEAST, 10), 9.9, False),
        (Target(Comparison.BELOW, 300), 300, False),
        (Target(Comparison.AT_MOST, 0), 0, True),
    ],
)
def test_target_rules(target: Target, value: float, met: bool) -> None:
    assert Figure("k", "label", value, target=target).met is met


def test_unmeasured_figure_prints_its_reason_not_a_number() -> None:
    line = format_figure(Figure("k", "warm run", None, note="n/a (feature not available)"))

    assert "n/a (feature not available)" in line
    assert Figure("k", "warm run", None, target=Target(Comparison.BELOW, 1)).met is None


def test_quick_path_on_a_tiny_workload(tmp_path: Path) -> None:
    config = BenchConfig.quick(
        urls=12,
        articles=5,
        sources=3,
        hosts=2,
        latency=0.005,
        concurrency=4,
        per_host=2,
        server_workers=1,
        memory_articles=6,
        memory_sources=3,
        memory_urls=15,
        peers=(),
        claims=False,
        selftest_seconds=0.2,
        results_dir=tmp_path / "results",
        work_dir=tmp_path / "work",
    )
    lines: list[str] = []

    result = run_benchmark(config, echo=lines.append)

    written = json.loads(Path(result["result_file"]).read_text(encoding="utf-8"))
    cold = written["runs"]["cold"]
    log_tail = Path(cold["log"]).read_text(encoding="utf-8")[-2000:]
    assert written["checks"]["srccheck_ok"] is True, log_tail
    assert set(written["figures"]) == set(FIGURE_KEYS)
    assert written["checks"]["cited_urls"] == 12
    assert written["checks"]["reported_urls"] == 12
    assert written["checks"]["all_cited_requested"] is True
    assert cold["distinct_pages_requested"] == 12
    assert written["runs"]["memory"]["all_cited_requested"] is True
    assert written["figures"]["urls_per_second"]["value"] > 0
    assert written["figures"]["peak_rss_mb"]["value"] > 0
    # The server's own count: srccheck held its --concurrency 4 and --per-host 2.
    assert 1 <= written["figures"]["peak_in_flight"]["value"] <= 4
    assert 1 <= written["figures"]["peak_in_flight_per_host"]["value"] <= 2
    assert written["figures"]["peak_in_flight_per_host"]["met"] is True
    assert "skipped (--no-peers)" in written["figures"]["linkinator_wall_s"]["note"]
    for figure in written["figures"].values():  # every figure was printed on its own line
        assert any(line.startswith(figure["label"]) for line in lines), figure["label"]


def test_client_ceiling_measures_every_client_on_a_tiny_workload() -> None:
    from bench.client_ceiling import CLIENTS, LOOPS, measure

    names = [f"{client}/{loop}" for client in CLIENTS for loop in LOOPS]
    samples = measure(
        urls=12, hosts=2, latency=0.001, concurrency=4, per_host=2, workers=1, names=names
    )
    assert set(samples) == set(names)
    assert {"Fetcher aiohttp/uvloop", "aiohttp bare/asyncio", "httpx bare/asyncio"} <= set(names)
    assert all(len(runs) == 1 for runs in samples.values())
    assert all(run.rate > 0 and run.cpu_s > 0 for runs in samples.values() for run in runs)
