"""JSON report files: layout, round trip and atomic replacement."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from srccheck.models import ArticleReport, RunIndex
from srccheck.report.json import dumps_report, write_json


def test_article_report_round_trips_through_the_file(
    tmp_path: Path, article_report: ArticleReport
) -> None:
    path = tmp_path / "a.json"
    write_json(article_report, path)
    assert ArticleReport.model_validate_json(path.read_bytes()) == article_report


def test_run_index_round_trips_through_the_file(tmp_path: Path, run_index: RunIndex) -> None:
    path = tmp_path / "index.json"
    write_json(run_index, path)
    assert RunIndex.model_validate_json(path.read_text(encoding="utf-8")) == run_index


def test_layout_is_utf8_indented_and_keeps_enum_values(
    tmp_path: Path, article_report: ArticleReport
) -> None:
    path = tmp_path / "a.json"
    write_json(article_report, path)
    text = path.read_bytes().decode("utf-8")
    assert "Übersicht" in text
    assert "\\u" not in text
    assert text.startswith('{\n  "schema_version": ')
    assert text.endswith("}\n")
    data = json.loads(text)
    assert data["sources"][0]["check"]["status"] == "ok"
    assert data["article"]["date"] == "2024-10-22"
    assert data["error"] is None  # null fields are kept, not dropped


def test_missing_output_folder_is_created(tmp_path: Path, error_report: ArticleReport) -> None:
    path = tmp_path / "new" / "deeper" / "e.json"
    write_json(error_report, path)
    assert json.loads(path.read_text(encoding="utf-8"))["error"]["kind"] == "binary"


def test_interrupted_write_keeps_the_old_file_and_leaves_no_temporary_file(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    article_report: ArticleReport,
    error_report: ArticleReport,
) -> None:
    path = tmp_path / "a.json"
    write_json(article_report, path)
    before = path.read_bytes()

    def interrupted(src: object, dst: object) -> None:  # Ctrl-C just before the rename
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_json(error_report, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_replacing_an_existing_report(
    tmp_path: Path, article_report: ArticleReport, error_report: ArticleReport
) -> None:
    path = tmp_path / "a.json"
    write_json(article_report, path)
    write_json(error_report, path)
    assert path.read_text(encoding="utf-8") == dumps_report(error_report)
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_a_leftover_temporary_name_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, article_report: ArticleReport
) -> None:
    # A killed run may leave ".a.json.<pid>-<n>.tmp"; the next write must not fail on it
    # nor touch it.
    import itertools

    from srccheck.report import atomic

    monkeypatch.setattr(atomic, "_serial", itertools.count(7))
    leftover = tmp_path / f".a.json.{os.getpid()}-7.tmp"
    leftover.write_text("left by a killed run", encoding="utf-8")
    path = tmp_path / "a.json"
    write_json(article_report, path)
    assert path.read_text(encoding="utf-8") == dumps_report(article_report)
    assert leftover.read_text(encoding="utf-8") == "left by a killed run"
    assert sorted(p.name for p in tmp_path.iterdir()) == [leftover.name, "a.json"]
