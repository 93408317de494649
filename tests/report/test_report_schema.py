"""JSON Schema files: in sync with the models, and they validate what srccheck writes."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from srccheck.models import SCHEMA_VERSION, ArticleReport, RunIndex
from srccheck.report.json import dumps_report
from srccheck.report.schema import (
    INDEX_SCHEMA_FILE,
    REPORT_SCHEMA_FILE,
    dumps_schema,
    index_schema,
    report_schema,
    write_schemas,
)

SHIPPED = Path(__file__).resolve().parents[2] / "schema"
REGENERATE = (
    "the models changed without regenerating the schema files; run "
    "`srccheck schema --output schema` (or `python -m srccheck.report.schema schema`) "
    "and commit the result"
)


@pytest.mark.parametrize(
    ("name", "generate"), [(REPORT_SCHEMA_FILE, report_schema), (INDEX_SCHEMA_FILE, index_schema)]
)
def test_shipped_schema_file_matches_the_models(name: str, generate: Any) -> None:
    path = SHIPPED / name
    assert path.is_file(), f"{path} is missing: {REGENERATE}"
    assert path.read_text(encoding="utf-8") == dumps_schema(generate()), REGENERATE


@pytest.mark.parametrize("schema", [report_schema(), index_schema()])
def test_schema_is_a_valid_identified_draft_2020_12_schema(schema: dict[str, Any]) -> None:
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA_VERSION in schema["$id"]
    assert SCHEMA_VERSION in schema["title"]


def _document(report: ArticleReport | RunIndex) -> dict[str, Any]:
    return json.loads(dumps_report(report))


def test_realistic_report_validates(article_report: ArticleReport) -> None:
    document = _document(article_report)
    # The sample covers what the schema must allow: every status, redirects, unicode.
    assert {s["check"]["status"] for s in document["sources"]} == {
        s.check.status.value for s in article_report.sources
    }
    assert any(s["check"]["redirects"] for s in document["sources"])
    Draft202012Validator(report_schema()).validate(document)


def test_article_error_report_validates(error_report: ArticleReport) -> None:
    Draft202012Validator(report_schema()).validate(_document(error_report))


def test_run_index_validates(run_index: RunIndex) -> None:
    Draft202012Validator(index_schema()).validate(_document(run_index))


def _errors(schema: dict[str, Any], document: dict[str, Any]) -> list[str]:
    return [e.message for e in Draft202012Validator(schema).iter_errors(document)]


def test_unknown_status_fails_validation(article_report: ArticleReport) -> None:
    document = _document(article_report)
    document["sources"][0]["check"]["status"] = "fine"
    assert any("'fine' is not one of" in m for m in _errors(report_schema(), document))


def test_unknown_status_in_summary_counts_fails_validation(run_index: RunIndex) -> None:
    document = _document(run_index)
    document["totals"]["by_status"]["fine"] = 1
    assert _errors(index_schema(), document)


def test_missing_required_field_and_unknown_field_fail_validation(
    article_report: ArticleReport,
) -> None:
    document = _document(article_report)
    missing = copy.deepcopy(document)
    del missing["sources"][1]["check"]["reason"]
    assert any("'reason' is a required property" in m for m in _errors(report_schema(), missing))
    extra = copy.deepcopy(document)
    extra["article"]["author"] = "x"
    assert _errors(report_schema(), extra)


def test_write_schemas_writes_both_files(tmp_path: Path) -> None:
    written = write_schemas(tmp_path / "out")
    assert [p.name for p in written] == [REPORT_SCHEMA_FILE, INDEX_SCHEMA_FILE]
    assert json.loads(written[0].read_text(encoding="utf-8")) == report_schema()
    assert json.loads(written[1].read_text(encoding="utf-8")) == index_schema()
