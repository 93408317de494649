"""The command line: usage errors are messages with exit code 2, never tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from srccheck import __version__
from srccheck.cli import app
from srccheck.shard import parse_shard, select_shard, shard_of

SEED_DIR = Path(__file__).resolve().parents[1] / "seeds"


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "json,pdf"], "unknown format"),
        (["--fail-on", "not_fund"], "not_fund"),
        (["--exclude", "("], "regular expression"),
        (["--timeout", "0"], "timeout must be greater than 0"),
        (["--concurrency", "-1"], "concurrency must be at least 1"),
        (["--retries", "-1"], "retries must be at least 0"),
        (["--shard", "3/2"], "--shard"),
        (["--shard", "x"], "--shard"),
        (["--archive", "gopher=x"], "gopher"),
    ],
)
def test_bad_options_are_usage_errors(
    args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, output = invoke("verify", str(SEED_DIR), "-o", str(tmp_path / "r"), *args)
    assert code == 2, output
    assert message in output
    assert "Traceback" not in output
    assert not (tmp_path / "r").exists()  # nothing was run


def test_changed_since_outside_a_git_repository_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    code, output = invoke("verify", "a.txt", "--changed-since", "origin/main")
    assert code == 2
    assert "git" in output.lower()


def test_unknown_key_in_the_config_file_names_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "srccheck.toml").write_text("per_hots = 2\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, output = invoke("verify", str(SEED_DIR))
    assert code == 2
    assert "per_hots" in output
    assert "per-host" in output  # the suggestion


def test_config_command_shows_values_and_where_they_came_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nested = tmp_path / "articles" / "2024"
    nested.mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text(
        "[tool.srccheck]\nper-host = 2\nfail-on = ['default', 'timeout']\n", encoding="utf-8"
    )
    monkeypatch.chdir(nested)  # found by walking up
    code, output = invoke("config")
    assert code == 0, output
    rows = {line.split()[0]: line.split() for line in output.splitlines() if line.strip()}
    assert rows["per-host"][1] == "2"
    assert str(tmp_path / "pyproject.toml") in rows["per-host"][-1]
    assert rows["concurrency"][1:] == ["32", "default"]
    assert "timeout" in " ".join(rows["fail-on"])


def test_version_and_schema_commands(tmp_path: Path) -> None:
    code, output = invoke("--version")
    assert code == 0
    assert __version__ in output
    code, output = invoke("schema", "--output", str(tmp_path))
    assert code == 0
    schema = json.loads((tmp_path / "report.schema.json").read_text(encoding="utf-8"))
    assert schema["$schema"].endswith("2020-12/schema")


def test_shards_cover_every_article_exactly_once(tmp_path: Path) -> None:
    for i in range(40):
        (tmp_path / f"a{i}.txt").write_text("x", encoding="utf-8")
    shards = [select_shard([tmp_path], k, 4) for k in range(1, 5)]
    everything = sorted(p.name for shard in shards for p in shard)
    assert everything == sorted(f"a{i}.txt" for i in range(40))
    assert all(shards), "40 articles over 4 shards: none should be empty"
    assert parse_shard("2/4") == (2, 4)
    assert shard_of(Path("x/y.txt"), 4) == 4  # a fixed value: SHA-1, not hash()
    # The same article named relatively or absolutely falls in the same shard.
    for i in range(20):
        assert shard_of(Path(f"a{i}"), 7) == shard_of(Path(f"a{i}").absolute(), 7)


def test_strip_tracking_removes_tracking_parameters_only_when_asked(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(
        "22.10.2024\nT\n\nText.\n\nQuellen: - https://example.org/a?id=7&utm_source=x&fbclid=y\n",
        encoding="utf-8",
    )
    urls = []
    for flags in ([], ["--strip-tracking"]):
        out = tmp_path / f"out{len(flags)}"
        code, output = invoke(
            "verify", str(article), "-o", str(out), "-q", "--no-archive", "--no-cache",
            "--no-claims", "--exclude", ".", *flags,
        )
        assert code == 0, output
        report = json.loads((out / "a.json").read_text(encoding="utf-8"))
        urls.append(report["sources"][0]["source"]["url"])
    assert urls == [
        "https://example.org/a?id=7&utm_source=x&fbclid=y",
        "https://example.org/a?id=7",
    ]


def test_out_of_range_values_in_the_config_file_are_usage_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for line, message in (
        ("concurrency = 0", "concurrency must be at least 1"),
        ("timeout = 0", "timeout must be greater than 0"),  # would silently time out all
    ):
        (tmp_path / "srccheck.toml").write_text(line + "\n", encoding="utf-8")
        monkeypatch.chdir(tmp_path)
        code, output = invoke("verify", str(SEED_DIR), "-o", str(tmp_path / "r"))
        assert code == 2, output
        assert message in output


def _two_articles(folder: Path) -> list[Path]:
    paths = []
    for name in ("a", "b"):
        path = folder / f"{name}.txt"
        path.write_text(
            f"22.10.2024\n{name}\n\nText.\n\nQuellen: - https://example.org/{name}\n",
            encoding="utf-8",
        )
        paths.append(path)
    return paths


def test_an_output_folder_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    _two_articles(tmp_path)
    (tmp_path / "out").write_text("not a folder", encoding="utf-8")
    code, output = invoke("verify", str(tmp_path / "a.txt"), "-o", str(tmp_path / "out"))
    assert code == 2, output
    assert "cannot create the output folder" in output


def test_a_report_that_cannot_be_written_stops_the_run_cleanly(tmp_path: Path) -> None:
    articles = _two_articles(tmp_path)
    out = tmp_path / "out"
    (out / "a.json").mkdir(parents=True)  # the report's place is taken by a folder
    code, output = invoke(
        "verify", *map(str, articles), "-o", str(out), "--no-archive", "--no-cache",
        "--exclude", ".",
    )
    assert code == 2, output
    assert "cannot write the report" in output
    assert "Traceback" not in output
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    assert index["state"] == "incomplete"
    assert [entry["file"] for entry in index["articles"]] == [str(articles[1])]
    assert json.loads((out / "b.json").read_text(encoding="utf-8"))["sources"]


@pytest.mark.parametrize("verbose", [False, True], ids=["normal", "verbose"])
def test_a_large_run_prints_a_screenful_and_verbose_prints_every_article(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, verbose: bool
) -> None:
    # 60 articles, each with a finding (an entry that is no URL: no request is sent).
    monkeypatch.chdir(tmp_path)
    for i in range(60):
        (tmp_path / "a").mkdir(exist_ok=True)
        (tmp_path / "a" / f"n{i:02d}.txt").write_text(
            f"22.10.2024\nTitel {i}\n\nText.\n\nQuellen: - keine-url-{i}\n", encoding="utf-8"
        )
    code, output = invoke("verify", "a", "-o", "out", *(["--verbose"] if verbose else []))
    assert code == 1, output
    listed = {f"n{i:02d}.txt" for i in range(60) if f"n{i:02d}.txt" in output}
    assert output.splitlines()[-1].startswith("60 articles, 60 sources: 0 ok")  # the totals
    if verbose:
        assert len(listed) == 60
        assert "… and" not in output
    else:
        assert "Articles with findings (60 of 60), worst first" in output
        assert len(listed) == 12
        assert "… and 48 more (--verbose lists every article)" in output
        assert f"HTML index: {Path('out') / 'index.html'}" in output
        assert len(output.splitlines()) < 80  # a screenful, not two lines per article
