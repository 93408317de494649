"""The store a run uses (srccheck.store): chosen by ``--store`` / ``store``, opened or
refused at start with a clear error, its password never shown; and whole runs against
a real PostgreSQL server on loopback (tests/postgres_server.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from srccheck.cli import app
from srccheck.errors import UsageError
from srccheck.fetch.cache import Cache
from srccheck.settings import Settings
from srccheck.store import StoreURL, open_store, redact
from tests.postgres_server import PASSWORD, PostgresServer
from tests.reuse_runs import PAGE, reused, verify, write_article


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("postgresql://ann:geheim@db.example:5432/news", "postgresql://ann:***@db.example:5432/news"),
        ("postgresql://ann@db.example/news", "postgresql://ann@db.example/news"),
        ("postgresql://db.example/news?password=geheim&sslmode=require",
         "postgresql://db.example/news?password=***&sslmode=require"),
        ("postgres://ann:p%40ss@[::1]:5433/news", "postgres://ann:***@[::1]:5433/news"),
        ("/var/cache/srccheck/cache.sqlite3", "/var/cache/srccheck/cache.sqlite3"),
    ],
)  # fmt: skip
def test_redact_hides_only_the_password(text: str, shown: str) -> None:
    assert redact(text) == shown
    url = StoreURL(text)
    assert str(url) == shown
    assert "geheim" not in repr(url)


def test_redact_hides_a_known_secret_anywhere_in_a_message() -> None:
    assert redact('FATAL: password "geheim" rejected', "geheim") == 'FATAL: password "***" rejected'


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("mysql://ann:geheim@db.example/news", "expected a postgresql://"),
        ("postgresql://ann:geheim@db.example:5432", "names no database"),
        ("postgresql://ann:geheim@db.example:port/news", "not a valid URL"),
    ],
)
def test_a_url_that_is_not_a_postgresql_store_is_refused(text: str, says: str) -> None:
    with pytest.raises(UsageError, match=says) as raised:
        StoreURL.parse(text)
    assert "geheim" not in str(raised.value)


def test_settings_never_show_the_password() -> None:
    settings = Settings(store=StoreURL.parse(f"postgresql://ann:{PASSWORD}@db.example/news"))
    assert PASSWORD not in repr(settings)
    assert "postgresql://ann:***@db.example/news" in repr(settings)
    assert settings.store is not None
    assert settings.store.url.endswith(f":{PASSWORD}@db.example/news")  # for the driver only


def test_open_store_chooses_by_location(tmp_path: Path) -> None:
    settings = Settings(cache_dir=tmp_path / "c", cache_max_bytes=1000)
    with open_store(None, settings) as default:
        assert isinstance(default, Cache)
        assert default.path == tmp_path / "c" / "cache.sqlite3"
    with open_store(str(tmp_path / "other.sqlite3"), settings) as by_path:
        assert isinstance(by_path, Cache)
        assert by_path.location == str(tmp_path / "other.sqlite3")


# --- the command line ----------------------------------------------------------------------


def _run(*args: str):
    result = CliRunner().invoke(app, list(args))
    # A clear error is an exit, never an exception escaping the command.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


@pytest.mark.parametrize(
    "store",
    [
        "mysql://ann:s3cret-Pa55word@127.0.0.1/news",
        "postgresql://ann:s3cret-Pa55word@127.0.0.1:1/news",  # nothing listens on port 1
    ],
)
def test_verify_with_a_bad_or_unreachable_store_stops_at_start(
    tmp_path: Path, store: str
) -> None:
    article = write_article(tmp_path / "artikel", "eins.txt", "http://127.0.0.1:9/a")
    result = _run("verify", str(article), "-o", str(tmp_path / "out"), "--store", store)
    assert result.exit_code == 2
    assert "error:" in result.output
    assert "postgresql://" in result.output
    assert PASSWORD not in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out" / "index.json").exists()  # nothing was checked


@pytest.mark.parametrize("command", ["stats", "clear"])
def test_the_cache_commands_take_only_a_postgresql_store(tmp_path: Path, command: str) -> None:
    result = _run("cache", command, "--store", str(tmp_path / "cache.sqlite3"))
    assert result.exit_code == 2
    assert "expected a postgresql://" in result.output
    assert not (tmp_path / "cache.sqlite3").exists()


def test_a_refused_login_is_a_clear_error_without_the_password(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    wrong = postgres.url("postgres", password=PASSWORD + "-wrong")
    result = _run("cache", "stats", "--store", wrong)
    assert result.exit_code == 2
    assert "cannot open the store" in result.output
    assert "password authentication failed" in result.output
    assert PASSWORD not in result.output
    article = write_article(tmp_path / "artikel", "eins.txt", "http://127.0.0.1:9/a")
    result = _run("verify", str(article), "-o", str(tmp_path / "out"), "--store", wrong)
    assert result.exit_code == 2
    assert PASSWORD not in result.output


def test_the_store_setting_is_shown_without_its_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"postgresql://ann:{PASSWORD}@db.example:5432/news"
    (tmp_path / "srccheck.toml").write_text(f'store = "{url}"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = _run("config")
    assert result.exit_code == 0, result.output
    shown = r"^store +postgresql://ann:\*\*\*@db\.example:5432/news +"
    assert re.search(shown, result.output, re.MULTILINE)
    assert PASSWORD not in result.output


def test_a_bad_store_setting_in_the_configuration_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "srccheck.toml").write_text(
        f'store = "redis://ann:{PASSWORD}@db.example/0"\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    result = _run("config")
    assert result.exit_code == 2
    assert "'store' in" in result.output
    assert PASSWORD not in result.output


# --- whole runs on a PostgreSQL store ------------------------------------------------------


@pytest.fixture
def site(httpserver: HTTPServer) -> HTTPServer:
    httpserver.expect_request("/a").respond_with_data(PAGE, content_type="text/html")
    httpserver.expect_request("/b").respond_with_data(PAGE, content_type="text/html")
    httpserver.expect_request("/weg").respond_with_data("nope", status=404)
    httpserver.expect_request("/down").respond_with_data("busy", status=503)
    return httpserver


def _articles(folder: Path, base: str) -> None:
    write_article(folder, "eins.txt", f"{base}/a", f"{base}/weg", f"{base}/down")
    write_article(folder, "zwei.txt", f"{base}/a", f"{base}/b")


def _cited(site: HTTPServer) -> list[str]:
    """The paths of cited pages requested so far (not the soft-404 probe)."""
    return [request.path for request, _ in site.log if "srccheck-missing" not in request.path]


def _all_text(folder: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*")) if p.is_file())


# Fields that differ between any two runs (when, how long, and whether from the store).
_PER_RUN = {"checked_at", "elapsed_ms", "first_byte_ms", "timings", "from_cache", "cached_at",
            "age_seconds", "generated_at", "started_at", "finished_at", "duration_seconds",
            "reused"}  # fmt: skip


def _stable(value: object) -> object:
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in _PER_RUN}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def _reports(out: Path) -> dict[str, object]:
    return {
        p.name: _stable(json.loads(p.read_text(encoding="utf-8")))
        for p in sorted(out.glob("*.json"))
        if p.name != "index.json"
    }


@pytest.mark.parametrize("workers", [[], ["--workers", "2"]], ids=["one-process", "cluster"])
def test_runs_share_a_postgresql_store(
    site: HTTPServer, postgres: PostgresServer, tmp_path: Path, workers: list[str]
) -> None:
    """Two runs (think: two machines) on one PostgreSQL store: the second asks nothing,
    keeps every report, and no report, index or console line shows the password. With
    Dask workers (--workers 2), every worker opens the store itself."""
    url = postgres.new_database()
    base = site.url_for("").rstrip("/")
    folder = tmp_path / "artikel"
    _articles(folder, base)
    first = verify(folder, tmp_path / "out", tmp_path / "unused", "--store", url,
                   *workers, "-f", "json,html,sarif,markdown")  # fmt: skip
    assert first.exit_code == 1, first.output  # the 404 fails the run
    assert reused(tmp_path / "out") == {"eins.txt": False, "zwei.txt": False}
    assert not (tmp_path / "unused").exists()  # the SQLite cache was not used
    assert sorted(_cited(site)) == ["/a", "/b", "/down", "/weg"]  # /a once for both

    second = verify(folder, tmp_path / "out", tmp_path / "unused", "--store", url,
                    *workers, "-f", "json,html,sarif,markdown")  # fmt: skip
    assert second.exit_code == 1, second.output
    # eins cites /down (a 503 is never stored): checked and built again; zwei is kept.
    assert reused(tmp_path / "out") == {"eins.txt": False, "zwei.txt": True}
    assert sorted(_cited(site)) == ["/a", "/b", "/down", "/down", "/weg"]  # only /down again
    for output in (first.output, second.output, _all_text(tmp_path / "out")):
        assert PASSWORD not in output
    with open_store(url, Settings()) as store:
        assert set(store.stats().entries) == {"link", "report"}


@pytest.mark.parametrize("workers", [[], ["--workers", "2"]], ids=["one-process", "cluster"])
def test_a_postgresql_store_gives_the_reports_sqlite_gives(
    site: HTTPServer, postgres: PostgresServer, tmp_path: Path, workers: list[str]
) -> None:
    """The same reports (up to timestamps) from one process on the SQLite cache as from a
    PostgreSQL store, in one process or on two Dask workers (issue #16)."""
    base = site.url_for("").rstrip("/")
    folder = tmp_path / "artikel"
    _articles(folder, base)
    lite = verify(folder, tmp_path / "lite", tmp_path / "cache")
    pg = verify(folder, tmp_path / "pg", tmp_path / "unused", "--store", postgres.new_database(),
                *workers)  # fmt: skip
    assert lite.exit_code == pg.exit_code == 1
    assert _reports(tmp_path / "pg") == _reports(tmp_path / "lite")
    assert len(_reports(tmp_path / "pg")) == 2
