"""Reusing unchanged reports (srccheck.reuse): when a report is kept, and every reason
it must be built again.

CLI runs against a real server on 127.0.0.1 with a persistent cache folder;
the store's own rules against a cache with a fake clock.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from srccheck.cli import app
from srccheck.fetch.cache import CacheKind
from srccheck.models import ArticleMeta, ArticleReport, ReportState, Summary
from srccheck.reuse import ReportStore, collecting, depends_on, settings_fingerprint
from srccheck.settings import Settings
from srccheck.store import Store, open_store
from tests.reuse_runs import PAGE, reused, verify, write_article


@pytest.fixture
def site(httpserver: HTTPServer) -> HTTPServer:
    httpserver.expect_request("/a").respond_with_data(PAGE, content_type="text/html")
    httpserver.expect_request("/b").respond_with_data(PAGE, content_type="text/html")
    httpserver.expect_request("/down").respond_with_data("busy", status=503)
    return httpserver


def _article(folder: Path, name: str, *paths: str, base: str, body: str = "") -> Path:
    return write_article(folder, name, *(f"{base}{p}" for p in paths), body=body)


def _verify(folder: Path, out: Path, cache: Path, *extra: str) -> int:
    result = verify(folder, out, cache, *extra)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code


def _files(out: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.name: (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(out.iterdir())
        if p.name.startswith(("eins", "zwei"))
    }


def test_an_unchanged_run_keeps_every_report_and_asks_nothing(
    site: HTTPServer, tmp_path: Path
) -> None:
    base = site.url_for("").rstrip("/")
    folder, out, cache = tmp_path / "artikel", tmp_path / "out", tmp_path / "cache"
    _article(folder, "eins.txt", "/a", "/b", base=base)
    _article(folder, "zwei.txt", "/a", base=base)  # /a shared: checked once per run
    assert _verify(folder, out, cache) == 0
    assert reused(out) == {"eins.txt": False, "zwei.txt": False}
    before, requests = _files(out), len(site.log)

    assert _verify(folder, out, cache) == 0
    assert reused(out) == {"eins.txt": True, "zwei.txt": True}
    assert _files(out) == before  # not even rewritten: same bytes, same modification time
    assert len(site.log) == requests


def test_a_changed_article_is_built_again(site: HTTPServer, tmp_path: Path) -> None:
    base = site.url_for("").rstrip("/")
    folder, out, cache = tmp_path / "artikel", tmp_path / "out", tmp_path / "cache"
    _article(folder, "eins.txt", "/a", base=base)
    _article(folder, "zwei.txt", "/b", base=base)
    _verify(folder, out, cache)
    _article(folder, "eins.txt", "/a", base=base, body="Ein neuer Satz.")
    _verify(folder, out, cache)
    assert reused(out) == {"eins.txt": False, "zwei.txt": True}
    report = json.loads((out / "eins.json").read_text(encoding="utf-8"))
    assert "Ein neuer Satz." in report["article"]["body"]


def test_a_result_that_is_never_cached_is_always_checked_again(
    site: HTTPServer, tmp_path: Path
) -> None:
    base = site.url_for("").rstrip("/")
    folder, out, cache = tmp_path / "artikel", tmp_path / "out", tmp_path / "cache"
    _article(folder, "eins.txt", "/a", "/down", base=base)  # 503: transient, not cached
    _verify(folder, out, cache)
    asked = sum(1 for request, _ in site.log if request.path == "/down")
    _verify(folder, out, cache)
    assert reused(out) == {"eins.txt": False}
    assert sum(1 for request, _ in site.log if request.path == "/down") == asked + 1


def test_an_expired_source_is_checked_and_the_report_built_again(
    site: HTTPServer, tmp_path: Path
) -> None:
    base = site.url_for("").rstrip("/")
    folder, out, cache = tmp_path / "artikel", tmp_path / "out", tmp_path / "cache"
    _article(folder, "eins.txt", "/a", base=base)
    config = tmp_path / "srccheck.toml"
    config.write_text("cache-ttl-live = 0\n", encoding="utf-8")  # fresh for no time at all
    _verify(folder, out, cache, "--config", str(config))
    requests = len(site.log)
    _verify(folder, out, cache, "--config", str(config))
    assert reused(out) == {"eins.txt": False}
    assert len(site.log) > requests


def test_an_edited_or_deleted_report_file_is_written_again(
    site: HTTPServer, tmp_path: Path
) -> None:
    base = site.url_for("").rstrip("/")
    folder, out, cache = tmp_path / "artikel", tmp_path / "out", tmp_path / "cache"
    _article(folder, "eins.txt", "/a", base=base)
    _article(folder, "zwei.txt", "/b", base=base)
    _verify(folder, out, cache)
    original = (out / "eins.json").read_text(encoding="utf-8")
    (out / "eins.json").write_text(original.replace("Titel", "Gefälscht"), encoding="utf-8")
    (out / "zwei.html").unlink()
    _verify(folder, out, cache)
    assert reused(out) == {"eins.txt": False, "zwei.txt": False}
    assert "Gefälscht" not in (out / "eins.json").read_text(encoding="utf-8")
    assert (out / "zwei.html").exists()


@pytest.mark.parametrize(
    ("second", "why"),
    [
        (["--no-reuse"], "asked not to reuse"),
        (["--no-claims"], "a setting that changes reports"),
        (["--format", "json"], "other report files"),
        (["--no-cache"], "no persistent cache"),
    ],
)
def test_settings_that_forbid_reuse(
    site: HTTPServer, tmp_path: Path, second: list[str], why: str
) -> None:
    base = site.url_for("").rstrip("/")
    folder, out, cache = tmp_path / "artikel", tmp_path / "out", tmp_path / "cache"
    _article(folder, "eins.txt", "/a", base=base)
    _verify(folder, out, cache)
    _verify(folder, out, cache, *second)
    assert reused(out) == {"eins.txt": False}, why


def test_reports_rebuilt_under_no_reuse_are_kept_by_the_next_run(
    site: HTTPServer, tmp_path: Path
) -> None:
    # --no-reuse rebuilds every report once; the run after it keeps them (it used to
    # rebuild them all again, since --no-reuse wrote new files without remembering them).
    base = site.url_for("").rstrip("/")
    folder, out, cache = tmp_path / "artikel", tmp_path / "out", tmp_path / "cache"
    _article(folder, "eins.txt", "/a", base=base)
    _verify(folder, out, cache)
    _verify(folder, out, cache, "--no-reuse")
    assert reused(out) == {"eins.txt": False}
    rebuilt = _files(out)
    _verify(folder, out, cache)
    assert reused(out) == {"eins.txt": True}
    assert _files(out) == rebuilt


def test_speed_settings_do_not_forbid_reuse(site: HTTPServer, tmp_path: Path) -> None:
    base = site.url_for("").rstrip("/")
    folder, out, cache = tmp_path / "artikel", tmp_path / "out", tmp_path / "cache"
    _article(folder, "eins.txt", "/a", base=base)
    _verify(folder, out, cache)
    _verify(
        folder, out, cache, "--concurrency", "3", "--timeout", "60", "--fail-on", "broken,transient"
    )
    assert reused(out) == {"eins.txt": True}


def test_a_reused_report_still_fails_the_run(site: HTTPServer, tmp_path: Path) -> None:
    # Findings (exit code, annotations) come from the reused report like from a new one.
    site.expect_request("/weg").respond_with_data("nope", status=404)
    base = site.url_for("").rstrip("/")
    folder, out, cache = tmp_path / "artikel", tmp_path / "out", tmp_path / "cache"
    _article(folder, "eins.txt", "/a", "/weg", base=base)
    assert _verify(folder, out, cache) == 1
    assert _verify(folder, out, cache) == 1
    assert reused(out) == {"eins.txt": True}


# --- the store's rules --------------------------------------------------------------------


class FakeTime:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def _report(path: Path) -> ArticleReport:
    return ArticleReport(
        srccheck_version="test",
        generated_at="2024-10-22T10:00:00Z",
        state=ReportState.COMPLETE,
        article=ArticleMeta(file=str(path)),
        summary=Summary.of([]),
    )


def _remembered(
    tmp_path: Path, cache: Store, dependency: tuple[str, str, float | None]
) -> ReportStore:
    store = ReportStore(cache, Settings())
    output = tmp_path / "out" / "a.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("{}", encoding="utf-8")
    with collecting() as deps:
        depends_on(*dependency)
    store.remember(
        tmp_path / "a.txt", output.with_suffix(""), [output], "abc", deps, _report(output)
    )
    return store


def test_a_dependency_stored_again_after_the_report_forbids_reuse(
    tmp_path: Path, store_location
) -> None:
    clock = FakeTime()
    with open_store(store_location, Settings(), clock=clock) as cache:
        stamp = cache.put(CacheKind.LINK, "https://a.example/", "{}", ttl=3600)
        clock.now += 1
        store = _remembered(tmp_path, cache, (CacheKind.LINK, "https://a.example/", stamp))
        output = tmp_path / "out" / "a.json"
        args = (tmp_path / "a.txt", output.with_suffix(""), [output], "abc")
        clock.now += 1
        assert store.reusable(*args) is not None
        assert store.reusable(tmp_path / "a.txt", output.with_suffix(""), [output], "abd") is None
        cache.put(CacheKind.LINK, "https://a.example/", "{}", ttl=3600)  # fetched again
        clock.now += 1
        assert store.reusable(*args) is None


def test_an_entry_stored_again_before_the_report_is_remembered_forbids_reuse(
    tmp_path: Path, store_location
) -> None:
    # Another run sharing the cache stores the URL again after this article used it but
    # before its report is remembered: the stamp taken at use no longer matches.
    clock = FakeTime()
    with open_store(store_location, Settings(), clock=clock) as cache:
        used = cache.put(CacheKind.LINK, "https://a.example/", "{}", ttl=3600)
        clock.now += 1
        cache.put(CacheKind.LINK, "https://a.example/", '{"newer": 1}', ttl=3600)
        clock.now += 1
        store = _remembered(tmp_path, cache, (CacheKind.LINK, "https://a.example/", used))
        output = tmp_path / "out" / "a.json"
        assert store.reusable(tmp_path / "a.txt", output.with_suffix(""), [output], "abc") is None


def test_a_missing_or_expired_dependency_forbids_reuse(
    tmp_path: Path, store_location
) -> None:
    clock = FakeTime()
    with open_store(store_location, Settings(), clock=clock) as cache:
        stamp = cache.put(CacheKind.LINK, "https://a.example/", "{}", ttl=60)
        store = _remembered(tmp_path, cache, (CacheKind.LINK, "https://a.example/", stamp))
        output = tmp_path / "out" / "a.json"
        args = (tmp_path / "a.txt", output.with_suffix(""), [output], "abc")
        assert store.reusable(*args) is not None
        clock.now += 61
        assert store.reusable(*args) is None
        # A dependency that was never stored (a result that is not cached, say):
        store = _remembered(tmp_path, cache, (CacheKind.LINK, "https://never.example/", 5.0))
        assert store.reusable(*args) is None


def test_dependencies_are_collected_from_tasks_the_article_starts() -> None:
    import asyncio

    async def article() -> dict[tuple[str, str], float | None]:
        with collecting() as deps:

            async def source(n: int) -> None:
                await asyncio.sleep(0)
                depends_on("link", f"https://a.example/{n}", float(n))

            await asyncio.gather(*(source(n) for n in range(3)))
            depends_on("link", "https://a.example/0", 0.0)  # again, the same: kept
            depends_on("link", "https://a.example/1", 9.0)  # again, another: unusable
        depends_on("link", "https://after.example/", 1.0)  # outside: not recorded
        return deps.entries

    assert asyncio.run(article()) == {
        ("link", "https://a.example/0"): 0.0,
        ("link", "https://a.example/1"): None,
        ("link", "https://a.example/2"): 2.0,
    }


def test_the_fingerprint_ignores_speed_and_follows_content_settings() -> None:
    base = settings_fingerprint(Settings())
    assert settings_fingerprint(Settings(concurrency=2, timeout=5, output=Path("x"))) == base
    assert settings_fingerprint(Settings(claims=False)) != base
    assert settings_fingerprint(Settings(strip_tracking=True)) != base


def test_the_console_says_how_many_reports_were_kept(site: HTTPServer, tmp_path: Path) -> None:
    base = site.url_for("").rstrip("/")
    folder, out, cache = tmp_path / "artikel", tmp_path / "out", tmp_path / "cache"
    _article(folder, "eins.txt", "/a", base=base)
    _article(folder, "zwei.txt", "/b", base=base)
    args = ["verify", str(folder), "-o", str(out), "--allow-private", "--no-archive"]
    args += ["--host-interval", "0", "--cache-dir", str(cache)]
    first = CliRunner().invoke(app, args)
    assert "kept from an earlier run" not in first.output
    second = CliRunner().invoke(app, args)
    assert "2 unchanged reports kept from an earlier run" in second.output
