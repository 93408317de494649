"""bench/pyspy.py: a profile's samples counted by stage."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.pyspy import STAGES, stage_shares

RUN = "main (srccheck/cli.py:1);run_sync (srccheck/pipeline.py:2);Runner.run (asyncio/runners.py:3)"
FETCH = (
    f"{RUN};Fetcher._check (srccheck/fetch/client.py:4);"
    "Fetcher._read_body (srccheck/fetch/client.py:5)"
)


def _shares(tmp_path: Path, lines: list[str]) -> tuple[int, dict[str, float]]:
    profile = tmp_path / "cold.pyspy.txt"
    profile.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return stage_shares(profile)


def _stage(prefix: str) -> str:
    (name,) = [name for name, _ in STAGES if name.startswith(prefix)]
    return name


@pytest.mark.parametrize(
    ("stack", "stage"),
    [
        # The page's parse runs inside the Fetcher: page inspection, not the Fetcher.
        (f"{FETCH};tree_title (srccheck/fetch/content.py:6)", "page inspection"),
        (FETCH, "page inspection"),
        # … also when a worker thread reads the page.
        (
            "Thread._bootstrap (threading.py:1);_WorkItem.run (concurrent/futures/thread.py:2);"
            "inspect_body (srccheck/fetch/inspect.py:51)",
            "page inspection",
        ),
        # Reading the body is the HTTP client's work, though inside _read_body.
        (f"{FETCH};Fetcher._read_capped (srccheck/fetch/client.py:7)", "HTTP client"),
        (f"{RUN};ClientSession._request (aiohttp/client.py:8)", "HTTP client"),
        # A module imported late is start-up, wherever it was imported from.
        (f"{FETCH};_find_and_load (<frozen importlib._bootstrap>:9)", "start-up"),
        (f"{RUN};Cache.put (srccheck/fetch/cache.py:10)", "cache"),
        (f"{RUN};ArticleRun.write (srccheck/pipeline.py:11);root (jinja2/x.py:1)", "reports"),
        (f"{RUN};load_article (srccheck/articles/loader.py:12)", "articles"),
        (f"{RUN};Fetcher._conclude (srccheck/fetch/client.py:13)", "the rest of the Fetcher"),
        (f"{RUN};_run_once (asyncio/base_events.py:14)", "pipeline"),
    ],
)
def test_each_sample_counts_for_the_first_stage_on_its_stack(
    tmp_path: Path, stack: str, stage: str
) -> None:
    samples, shares = _shares(tmp_path, [f"{stack} 3"])
    assert samples == 3
    assert shares[_stage(stage)] == 1.0
    assert sum(shares.values()) == pytest.approx(1.0)


def test_shares_are_weighted_by_sample_counts(tmp_path: Path) -> None:
    samples, shares = _shares(
        tmp_path,
        [f"{FETCH} 3", f"{RUN};Cache.get (srccheck/fetch/cache.py:1) 1", "not a stack line"],
    )
    assert samples == 4
    assert shares[_stage("page inspection")] == 0.75
    assert shares[_stage("cache")] == 0.25
    assert list(shares) == [name for name, _ in STAGES]
