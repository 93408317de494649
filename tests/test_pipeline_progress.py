"""The pipeline's progress events: the source count handed to a sink is the real one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pytest_httpserver import HTTPServer

from srccheck.models import ArticleReport, LinkCheck, RunIndex
from srccheck.pipeline import run_sync
from srccheck.settings import Settings


class Recorder:
    """A progress sink that counts the sources the way a progress bar would."""

    def __init__(self) -> None:
        self.counted: list[int] = []
        self.advanced: list[str] = []
        self.articles = 0

    def start(self, count_sources: Callable[[], int]) -> None:
        self.counted.append(count_sources())

    def advance(self, url: str, check: LinkCheck) -> None:
        self.advanced.append(url)

    def article_done(self, report: ArticleReport) -> None:
        self.articles += 1

    def finish(self, index: RunIndex) -> None:
        return None


def test_the_counted_total_matches_the_sources_checked(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request("/a").respond_with_data("<title>A</title>", content_type="text/html")
    base = httpserver.url_for("").rstrip("/")
    folder = tmp_path / "artikel"
    folder.mkdir()
    (folder / "eins.txt").write_text(
        f"22.10.2024\nEins\n\nText.\n\nQuellen: - {base}/a - {base}/a?b=1 - keine-url\n",
        encoding="utf-8",
    )
    (folder / "zwei.md").write_text(f"# Zwei\n\nText.\n\n## Quellen\n\n- {base}/a\n", "utf-8")
    (folder / "leer.txt").write_text("22.10.2024\nOhne Quellen\n\nText.\n", encoding="utf-8")
    settings = Settings(
        output=tmp_path / "out",
        allow_private=True,
        archive_enabled=False,
        claims=False,
        use_cache=False,
        host_interval=0,
    )
    recorder = Recorder()
    run_sync([folder], settings, recorder)
    assert recorder.counted == [4]
    assert len(recorder.advanced) == 4
    assert recorder.articles == 3
