"""The staged run (collect → check → report) on a thread pool: the driver is the same
for any executor, so these tests run it without starting a cluster (tests/stages/
test_cluster.py runs it on Dask)."""

from __future__ import annotations

import asyncio
import functools
import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srccheck.articles import load_article
from srccheck.models import ArticleReport, ReportState
from srccheck.pipeline import run_sync
from srccheck.settings import EventLoop
from srccheck.stages import RUN_FOLDER, Stage, run_stages
from srccheck.stages.collect import host_groups
from srccheck.stages.model import Citation
from tests.stages.runs import (
    HeldWrite,
    articles,
    hold_report_write,
    loopback,
    normalised_reports,
    release_when_the_run_waits,
    report_states,
    reported_citations,
)
from tests.stages.web import Web, serve_web


@pytest.fixture(scope="module")
def web() -> Iterator[Web]:
    with serve_web(3, hold=0.0) as served:
        yield served


@pytest.fixture(scope="module")
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(4) as executor:
        yield executor


def _cited(web: Web, count: int) -> list[list[str]]:
    a, b, c = web.bases
    return [
        [f"{a}/p/{i % 4}", f"{a}/p/shared", f"{b}/gone/{i % 2}", f"{c}/busy/1", "keine-url"]
        for i in range(count)
    ]


def test_reports_are_those_of_the_single_process_run(
    web: Web, pool: ThreadPoolExecutor, tmp_path: Path
) -> None:
    folder = tmp_path / "articles"
    articles(folder, _cited(web, 20))
    run_sync([folder], loopback(tmp_path / "one"))
    # Two tasks in flight at a time: later tasks are submitted as earlier ones finish.
    index = run_stages([folder], loopback(tmp_path / "staged"), executor=pool, window=2)
    assert index is not None
    assert index.state is ReportState.COMPLETE
    one, staged = normalised_reports(tmp_path / "one"), normalised_reports(tmp_path / "staged")
    assert len(one) == 21  # 20 reports and the index
    assert staged == one
    assert not (tmp_path / "staged" / RUN_FOLDER).exists()  # stage outputs go when done


def test_host_groups_own_each_host_once() -> None:
    rows = [
        Citation("a", i, f"http://h{i % 5}/{i % 7}", f"http://h{i % 5}/{i % 7}", f"h{i % 5}")
        for i in range(200)
    ] + [Citation("b", 0, "x", None, None)]
    groups = host_groups((row.url for row in rows if row.url is not None), min_urls=3)
    hosts = [{url.split("/")[2] for url in group} for group in groups]
    flat = [url for group in groups for url in group]
    assert len(flat) == len(set(flat)) == len({r.url for r in rows if r.url})
    assert sum(len(h) for h in hosts) == 5  # no host in two groups


def test_interrupted_run_resumes_from_the_stage_outputs(
    pool: ThreadPoolExecutor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import srccheck.stages.run as staged

    collected: list[int] = []
    collect = staged.collect_articles

    def counted(paths: list[str], *args: object) -> object:
        collected.append(len(paths))
        return collect(paths, *args)

    monkeypatch.setattr(staged, "collect_articles", counted)
    with serve_web(2, hold=0.0) as web:
        folder = tmp_path / "articles"
        a, b = web.bases
        # 503s are never cached: only the check stage's output can spare their requests.
        articles(folder, [[f"{a}/busy/{i % 3}", f"{b}/p/{i % 4}"] for i in range(12)])
        settings = loopback(tmp_path / "out")
        assert run_stages([folder], settings, executor=pool, stop_after=Stage.CHECK) is None
        assert collected == [12]
        assert list((settings.output / RUN_FOLDER / "collect").glob("*.parquet"))
        sent = web.total()
        assert sent >= 7  # 3 busy + 4 pages (+ soft-404 probes)
        index = run_stages([folder], settings, executor=pool)
        assert web.total() == sent  # nothing checked again
        assert collected == [12]  # nor collected
    assert index is not None
    assert index.state is ReportState.COMPLETE
    assert len(reported_citations(settings.output)) == 24


def test_changed_article_starts_the_stages_over(
    pool: ThreadPoolExecutor, tmp_path: Path
) -> None:
    with serve_web(1, hold=0.0) as web:
        folder = tmp_path / "articles"
        (base,) = web.bases
        articles(folder, [[f"{base}/busy/1"], [f"{base}/busy/2"]])
        settings = loopback(tmp_path / "out")
        run_stages([folder], settings, executor=pool, stop_after=Stage.CHECK)
        sent = web.total()
        articles(folder, [[f"{base}/busy/1"], [f"{base}/busy/3"]])  # a00 same, a01 edited
        run_stages([folder], settings, executor=pool)
        assert web.paths_requested("/busy/3") == 1
        assert web.total() > sent


def test_an_error_in_a_stage_writes_incomplete_reports(
    pool: ThreadPoolExecutor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import srccheck.stages.run as staged

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("worker bug")

    monkeypatch.setattr(staged, "report_articles", broken)
    with serve_web(1, hold=0.0) as web:
        folder = tmp_path / "articles"
        articles(folder, [[f"{web.bases[0]}/p/1", "keine-url"]] * 3)
        settings = loopback(tmp_path / "out")
        with pytest.raises(RuntimeError, match="worker bug"):
            run_stages([folder], settings, executor=pool)
    index = json.loads((settings.output / "index.json").read_text(encoding="utf-8"))
    assert index["state"] == "incomplete"
    assert [entry["state"] for entry in index["articles"]] == ["incomplete"] * 3
    assert len(reported_citations(settings.output)) == 6  # every source still reported


_POOL = [f"/p/{i}" for i in range(4)] + ["/gone/1", "/busy/1"]


@pytest.mark.parametrize("tiny", [False, True], ids=["default-batches", "tiny-batches"])
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    cited=st.lists(
        st.lists(
            st.tuples(st.integers(0, 2), st.sampled_from([*_POOL, "keine-url", "mailto:x@y"])),
            min_size=1,
            max_size=6,
        ),
        min_size=1,
        max_size=20,
    )
)
def test_every_citation_is_in_exactly_one_report(
    web: Web,
    pool: ThreadPoolExecutor,
    tmp_path_factory: pytest.TempPathFactory,
    tiny: bool,
    cited: list,
) -> None:
    import srccheck.stages.run as staged

    tmp = tmp_path_factory.mktemp("prop")
    entries = [
        [f"{web.bases[host]}{path}" if path.startswith("/") else path for host, path in article]
        for article in cited
    ]
    written = articles(tmp / "articles", entries)
    with pytest.MonkeyPatch.context() as patch:
        if tiny:
            # Archive-sized runs have many tasks per stage: a host per check task, three
            # articles per report task (a shared URL's result serves several), four per
            # collect task, two tasks in flight.
            patch.setattr(staged, "host_groups", functools.partial(host_groups, min_urls=1))
            patch.setattr(staged, "_REPORT_BATCH", 3)
            patch.setattr(staged, "_COLLECT_BATCH", 4)
        window = 2 if tiny else 256
        index = run_stages(
            [tmp / "articles"], loopback(tmp / "out"), executor=pool, window=window
        )
    assert index is not None
    assert len(index.articles) == len(written)
    reported = Counter((article, raw) for article, raw, _ in reported_citations(tmp / "out"))
    # What the article parser finds is what must be reported: each entry once per article
    # (repeats are positions of one entry), in no report twice, none missing.
    parsed = [load_article(path, loopback(tmp)) for path in written]
    expected = Counter(
        (str(article.path), entry.raw) for article in parsed for entry in article.sources
    )
    assert reported == expected
    for article, cites in zip(parsed, entries, strict=True):
        urls = {entry.url for entry in article.sources}
        assert {c for c in cites if c.startswith("http")} <= urls


class _Recorder:
    """A sink that says when an article's report arrived, and which stage counts moved."""

    def __init__(self, interrupt: tuple[str, int] | None = None) -> None:
        self.done: dict[str, threading.Event] = {}
        self.reports: dict[str, ArticleReport] = {}
        self.interrupt = interrupt  # (stage, count): Ctrl-C when that count is reached
        self.stops: list[tuple[int, float]] = []  # (tasks waited for, at most seconds)

    def awaited(self, path: Path) -> threading.Event:
        return self.done.setdefault(str(path), threading.Event())

    def start(self, count_sources: object) -> None:
        return None

    def advance(self, url: str, check: object) -> None:
        return None

    def article_done(self, report: ArticleReport) -> None:
        self.reports[report.article.file] = report
        self.awaited(Path(report.article.file)).set()

    def finish(self, index: object) -> None:
        return None

    def cluster_started(self, dashboard: str | None, workers: int) -> None:
        return None

    def stage_progress(self, stage: str, done: int, total: int) -> None:
        if self.interrupt == (stage, done):
            raise KeyboardInterrupt

    def stopping(self, tasks: int, seconds: float) -> None:
        self.stops.append((tasks, seconds))


class _Counts(_Recorder):
    """A sink that keeps every stage count it is given, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: dict[str, list[tuple[int, int]]] = {}

    def stage_progress(self, stage: str, done: int, total: int) -> None:
        self.counts.setdefault(stage, []).append((done, total))


def test_progress_counts_every_stage_up_to_its_total(
    web: Web, pool: ThreadPoolExecutor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import srccheck.stages.run as staged

    # Several tasks per stage, so the counts move more than once.
    monkeypatch.setattr(staged, "host_groups", functools.partial(host_groups, min_urls=1))
    monkeypatch.setattr(staged, "_REPORT_BATCH", 4)
    monkeypatch.setattr(staged, "_COLLECT_BATCH", 5)
    articles(tmp_path / "articles", _cited(web, 20))  # 8 unique URLs on 3 hosts
    sink = _Counts()
    index = run_stages([tmp_path / "articles"], loopback(tmp_path / "out"), sink,
                       executor=pool)  # fmt: skip
    assert index is not None
    assert list(sink.counts) == [Stage.COLLECT, Stage.CHECK, Stage.REPORT]
    expected = {Stage.COLLECT: 20, Stage.CHECK: 8, Stage.REPORT: 20}
    for stage, counts in sink.counts.items():
        assert counts[-1] == (expected[stage], expected[stage]), stage
        done = [d for d, _ in counts]
        assert done == sorted(done), stage  # counts only go up
        assert len(set(done)) > 2, stage  # and moved while the stage ran


def test_an_article_is_reported_while_a_host_it_does_not_cite_is_still_checked(
    pool: ThreadPoolExecutor, tmp_path: Path
) -> None:
    with serve_web(2, hold=0.0) as web:
        fast, slow = web.bases
        held = web.gate(slow)
        # 64 URLs fill a check task of their own (host_groups packs smaller hosts).
        cited = [[f"{fast}/p/{i * 8 + j}" for j in range(8)] for i in range(8)]
        written = articles(tmp_path / "articles", [*cited, [f"{slow}/p/1", f"{fast}/p/0"]])
        sink = _Recorder()
        settings = loopback(tmp_path / "out")
        with ThreadPoolExecutor(1) as driver:
            running = driver.submit(
                run_stages, [tmp_path / "articles"], settings, sink, executor=pool
            )
            try:
                assert sink.awaited(written[0]).wait(120), "no report before the slow host answered"
                assert not held.is_set()
                assert (settings.output / "a0000.json").is_file()
                assert str(written[-1]) not in sink.reports  # still waiting for the slow host
                assert json.loads((settings.output / "a0000.json").read_text())["state"] == (
                    "complete"
                )
            finally:
                held.set()
            index = running.result(timeout=300)
    assert index is not None
    assert index.state is ReportState.COMPLETE
    assert sorted(sink.reports) == sorted(str(path) for path in written)
    assert set(status for *_, status in reported_citations(settings.output)) == {"ok"}


@pytest.mark.parametrize("resumed", [False, True])
def test_an_interrupted_run_keeps_the_results_of_the_sources_it_checked(
    pool: ThreadPoolExecutor, tmp_path: Path, resumed: bool
) -> None:
    with serve_web(2, hold=0.0) as web:
        fast, slow = web.bases
        held = web.gate(slow)
        # a0000 … a0007: only URLs of the fast host, checked; a0008 waits for the slow host.
        cited = [[f"{fast}/p/{i * 8 + j}" for j in range(7)] + [f"{fast}/gone/{i}"]
                 for i in range(8)]
        cited.append([f"{fast}/p/0", f"{slow}/p/1", "keine-url"])
        articles(tmp_path / "articles", cited)
        settings = loopback(tmp_path / "out")
        if resumed:  # the checks come from the stage outputs of an earlier run
            held.set()
            run_stages([tmp_path / "articles"], settings, executor=pool, stop_after=Stage.CHECK)
            # Ctrl-C as the report stage's count first moves
            sink = _Recorder(interrupt=(Stage.REPORT, 0))
        else:
            sink = _Recorder(interrupt=(Stage.CHECK, 64))  # Ctrl-C once the fast host is done
        try:
            with pytest.raises(KeyboardInterrupt):
                run_stages([tmp_path / "articles"], settings, sink, executor=pool)
        finally:
            held.set()
    index = json.loads((settings.output / "index.json").read_text(encoding="utf-8"))
    assert index["state"] == "incomplete"
    assert [entry["state"] for entry in index["articles"]] == ["incomplete"] * 9
    found = {(Path(article).name, raw): status
             for article, raw, status in reported_citations(settings.output)}
    assert len(found) == 8 * 8 + 3  # every source of every article
    for i in range(8):
        assert found[(f"a{i:04d}.txt", f"{fast}/p/{i * 8}")] == "ok"
        assert found[(f"a{i:04d}.txt", f"{fast}/gone/{i}")] == "not_found"
    assert found[("a0008.txt", f"{fast}/p/0")] == "ok"
    assert found[("a0008.txt", "keine-url")] == "invalid"  # needs no request
    # Never answered before the interruption (or, resumed, answered: then kept too).
    assert found[("a0008.txt", f"{slow}/p/1")] == ("ok" if resumed else "skipped")


def test_a_run_interrupted_in_the_check_stage_resumes_without_asking_again(
    pool: ThreadPoolExecutor, tmp_path: Path
) -> None:
    # Ctrl-C, not a planned stop: what the check stage answered before it must be in the
    # stage outputs, so the next run asks none of it again (503s: never in any cache).
    with serve_web(2, hold=0.0) as web:
        fast, slow = web.bases
        held = web.gate(slow)
        cited = [[f"{fast}/busy/{i * 8 + j}" for j in range(8)] for i in range(8)]
        cited.append([f"{slow}/p/1", f"{fast}/busy/0", "keine-url"])
        articles(tmp_path / "articles", cited)
        settings = loopback(tmp_path / "out")
        sink = _Recorder(interrupt=(Stage.CHECK, 64))  # Ctrl-C once the fast host is done
        try:
            with pytest.raises(KeyboardInterrupt):
                run_stages([tmp_path / "articles"], settings, sink, executor=pool)
        finally:
            held.set()
        asked = [url for url in web.requests if "/busy/" in url]
        assert len(asked) == 64
        assert (settings.output / RUN_FOLDER).is_dir()  # kept for the next run
        index = run_stages([tmp_path / "articles"], settings, executor=pool)
        assert [url for url, n in web.requests.items() if "/busy/" in url and n != 1] == []
        assert web.paths_requested("/p/1") >= 1  # the slow host's URL was checked
    assert index is not None
    assert index.state is ReportState.COMPLETE
    assert [entry.state for entry in index.articles] == [ReportState.COMPLETE] * 9
    found = reported_citations(settings.output)
    assert len(found) == 8 * 8 + 3
    assert {status for _, raw, status in found if "/busy/" in raw} == {"http_error"}
    assert {status for _, raw, status in found if raw.endswith("/p/1")} == {"ok"}
    assert not (settings.output / RUN_FOLDER).exists()


def test_a_run_interrupted_in_the_report_stage_keeps_the_reports_it_wrote(
    pool: ThreadPoolExecutor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import srccheck.stages.run as staged

    with serve_web(1, hold=0.0) as web:
        (base,) = web.bases
        written = articles(
            tmp_path / "articles", [[f"{base}/p/{i}", f"{base}/busy/{i % 3}"] for i in range(40)]
        )
        settings = loopback(tmp_path / "out")
        # One task at a time: the check task, then report tasks of 16 articles in article
        # order; Ctrl-C as the first report task's answer arrives (a0000 … a0015).
        sink = _Recorder(interrupt=(Stage.REPORT, 16))
        with pytest.raises(KeyboardInterrupt):
            run_stages([tmp_path / "articles"], settings, sink, executor=pool, window=1)
        kept = {
            path.name: path.read_bytes()
            for path in sorted(settings.output.glob("a*.json"))
            if json.loads(path.read_bytes())["state"] == "complete"
        }
        assert sorted(kept) == [f"a{i:04d}.json" for i in range(16)]
        sent = web.total()

        reported_again: list[str] = []
        report = staged.report_articles

        def recorded(batch: list[tuple[str, str]], *args: object) -> object:
            reported_again.extend(Path(article).name for article, _ in batch)
            return report(batch, *args)

        monkeypatch.setattr(staged, "report_articles", recorded)
        resumed = _Recorder()
        index = run_stages([tmp_path / "articles"], settings, resumed, executor=pool)
        assert web.total() == sent  # nothing checked again
    assert sorted(reported_again) == [f"a{i:04d}.txt" for i in range(16, 40)]
    assert {name: (settings.output / name).read_bytes() for name in kept} == kept
    assert index is not None
    assert index.state is ReportState.COMPLETE
    assert [entry.state for entry in index.articles] == [ReportState.COMPLETE] * 40
    assert sorted(resumed.reports) == sorted(str(path) for path in written)  # kept ones too
    assert len(reported_citations(settings.output)) == 80


def test_remapped_urls_are_checked_by_the_check_stage_and_the_cited_ones_never(
    pool: ThreadPoolExecutor, tmp_path: Path
) -> None:
    from srccheck.options import Remap

    with serve_web(2, hold=0.0) as web:
        cited, mirror = web.bases
        articles(tmp_path / "articles", [[f"{cited}/p/{i}", f"{cited}/gone/1"] for i in range(6)])
        rule = (Remap.parse(rf"^{cited}/(.*) {mirror}/\1"),)
        run_sync([tmp_path / "articles"], loopback(tmp_path / "one", remap=rule))
        one = web.total()
        run_stages([tmp_path / "articles"], loopback(tmp_path / "staged", remap=rule),
                   executor=pool)
        # The host of the rewritten URLs owns them: each fetched once more, none cited one.
        assert not any(url.startswith(cited) for url in web.requests)
        assert web.total() == 2 * one
    assert normalised_reports(tmp_path / "staged") == normalised_reports(tmp_path / "one")


@pytest.mark.parametrize("loop", [EventLoop.UVLOOP, EventLoop.ASYNCIO])
def test_stage_tasks_run_on_the_event_loop_loop_chooses(
    web: Web, pool: ThreadPoolExecutor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    loop: EventLoop,
) -> None:
    import srccheck.stages.check as check_stage
    import srccheck.stages.report as report_stage

    uvloop = pytest.importorskip("uvloop")
    seen: list[tuple[str, bool]] = []

    def recorded(name: str, task: Callable[..., Any]) -> Callable[..., Any]:
        async def run(*args: Any) -> Any:
            seen.append((name, isinstance(asyncio.get_running_loop(), uvloop.Loop)))
            return await task(*args)

        return run

    monkeypatch.setattr(check_stage, "_check_urls", recorded("check", check_stage._check_urls))
    monkeypatch.setattr(
        report_stage, "_report_articles", recorded("report", report_stage._report_articles)
    )
    articles(tmp_path / "articles", _cited(web, 3))
    index = run_stages([tmp_path / "articles"], loopback(tmp_path / "out", loop=loop),
                       executor=pool)
    assert index is not None
    assert len(index.articles) == 3
    assert {name for name, _ in seen} == {"check", "report"}
    assert {on_uvloop for _, on_uvloop in seen} == {loop is EventLoop.UVLOOP}


class _InterruptWhileHeld(_Recorder):
    """Ctrl-C as the report stage's count reaches ``count``, once ``held`` is writing."""

    def __init__(self, count: int, held: HeldWrite) -> None:
        super().__init__(interrupt=(Stage.REPORT, count))
        self.held = held

    def stage_progress(self, stage: str, done: int, total: int) -> None:
        if self.interrupt == (stage, done):
            assert self.held.started.wait(120), "the report task never started writing"
        super().stage_progress(stage, done, total)


def test_a_report_task_running_at_ctrl_c_is_finished_and_its_reports_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve_web(1, hold=0.0) as web:
        (base,) = web.bases
        articles(tmp_path / "articles", [[f"{base}/p/{i}", "keine-url"] for i in range(48)])
        settings = loopback(tmp_path / "out")
        held = hold_report_write(monkeypatch, "a0020.json")
        release_when_the_run_waits(monkeypatch, held)
        # One task at a time: the check task, then report tasks of 16 articles in article
        # order. Ctrl-C as the first one's answer arrives: the second one is writing
        # a0020's report, the third has not started.
        sink = _InterruptWhileHeld(16, held)
        with ThreadPoolExecutor(1) as one:  # shut down: every task has ended
            try:
                with pytest.raises(KeyboardInterrupt):
                    run_stages([tmp_path / "articles"], settings, sink, executor=one)
            finally:
                held.release.set()
    assert [tasks for tasks, _ in sink.stops] == [1]  # the console says what it waits for
    listed, files = report_states(settings.output)
    assert listed == files  # the report files say what the index says
    assert listed == {f"a{i:04d}.txt": "complete" if i < 32 else "incomplete" for i in range(48)}
    assert len(reported_citations(settings.output)) == 96


def test_a_report_task_running_when_a_check_task_fails_is_finished_and_its_reports_kept(
    pool: ThreadPoolExecutor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import srccheck.stages.run as staged

    monkeypatch.setattr(staged, "host_groups", functools.partial(host_groups, min_urls=1))
    held = hold_report_write(monkeypatch, "a0001.json")
    release_when_the_run_waits(monkeypatch, held)
    check = staged.check_urls

    def failing(urls: list[str], *args: object, **kwargs: object) -> object:
        if any("/busy/" in url for url in urls):  # the slow host's task fails, mid-report
            assert held.started.wait(120), "the report task never started writing"
            raise RuntimeError("worker bug")
        return check(urls, *args, **kwargs)

    monkeypatch.setattr(staged, "check_urls", failing)
    with serve_web(2, hold=0.0) as web:
        fast, slow = web.bases
        cited = [[f"{fast}/p/{i}"] for i in range(4)] + [[f"{fast}/p/0", f"{slow}/busy/1"]]
        articles(tmp_path / "articles", cited)
        settings = loopback(tmp_path / "out")
        try:
            with pytest.raises(RuntimeError, match="worker bug"):
                run_stages([tmp_path / "articles"], settings, executor=pool)
        finally:
            held.release.set()
    listed, files = report_states(settings.output)
    assert listed == files
    assert listed == {
        "a0000.txt": "complete",
        "a0001.txt": "complete",
        "a0002.txt": "complete",
        "a0003.txt": "complete",
        "a0004.txt": "incomplete",
    }


class _RunsTwice(ThreadPoolExecutor):
    """Runs every task twice and answers with the second run's result, as Dask does for a
    task whose worker died after it started (its report task's ticket marked already)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        def twice() -> Any:
            fn(*args, **kwargs)
            return fn(*args, **kwargs)

        return super().submit(twice)


def test_a_report_task_run_again_after_its_worker_died_still_reports(tmp_path: Path) -> None:
    with serve_web(1, hold=0.0) as web, _RunsTwice(2) as pool:
        articles(tmp_path / "articles", [[f"{web.bases[0]}/p/{i}"] for i in range(20)])
        settings = loopback(tmp_path / "out")
        index = run_stages([tmp_path / "articles"], settings, executor=pool)
    assert index is not None
    assert [entry.state for entry in index.articles] == [ReportState.COMPLETE] * 20
    assert [status for *_, status in reported_citations(settings.output)] == ["ok"] * 20
