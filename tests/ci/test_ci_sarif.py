"""SARIF output validated against the official SARIF 2.1.0 schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from ci_reports import make_index, make_report, make_source

from srccheck.models import ArticleErrorKind
from srccheck.policy import FailPolicy, findings
from srccheck.report.sarif import render_sarif, sarif_log
from srccheck.status import STATUS_MEANINGS, Status

SCHEMA = json.loads(
    (Path(__file__).parent.parent / "data" / "sarif-schema-2.1.0.json").read_text("utf-8")
)
VALIDATOR = jsonschema.validators.validator_for(SCHEMA)(SCHEMA)


def run_log(policy: FailPolicy | None = None) -> dict:
    policy = policy or FailPolicy()
    reports = [
        make_report(
            "articles/a b.md",
            sources=[
                make_source(0, Status.OK),
                make_source(1, Status.NOT_FOUND, url="https://example.org/x", line=4, column=9),
                make_source(2, Status.TIMEOUT),
            ],
        ),
        make_report("articles/c.md", error=ArticleErrorKind.UNREADABLE),
    ]
    found = [f for report in reports for f in findings(report, policy)]
    return json.loads(render_sarif(reports, make_index(reports), found, policy=policy))


def test_output_is_valid_sarif_2_1_0() -> None:
    log = run_log()
    VALIDATOR.validate(log)
    assert log["version"] == "2.1.0"
    assert "$schema" in log


@pytest.mark.parametrize(
    "path",
    [
        ("version",),
        ("runs",),
        ("runs", 0, "tool"),
        ("runs", 0, "tool", "driver", "name"),
        ("runs", 0, "results", 0, "message"),
    ],
)
def test_the_schema_check_fails_without_a_required_property(path: tuple) -> None:
    log = run_log()
    parent = log
    for key in path[:-1]:
        parent = parent[key]
    del parent[path[-1]]
    assert not VALIDATOR.is_valid(log)


def test_rules_cover_every_status_with_its_meaning() -> None:
    driver = run_log()["runs"][0]["tool"]["driver"]
    assert driver["name"] == "srccheck"
    assert driver["version"] == "0.1.0"
    rules = {rule["id"]: rule for rule in driver["rules"]}
    for status in Status:
        assert rules[status.value]["shortDescription"]["text"] == STATUS_MEANINGS[status]
    assert rules["not_found"]["defaultConfiguration"]["level"] == "error"
    assert rules["timeout"]["defaultConfiguration"]["level"] == "warning"


def test_results_locate_the_cited_url() -> None:
    run = run_log()["runs"][0]
    results = run["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("not_found", "error"),
        ("timeout", "warning"),
        ("article-error", "warning"),
    ]
    first = results[0]
    assert run["tool"]["driver"]["rules"][first["ruleIndex"]]["id"] == "not_found"
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "articles/a%20b.md"
    assert location["region"] == {
        "startLine": 4,
        "startColumn": 9,
        "endColumn": 9 + len("https://example.org/x"),
    }
    assert "https://example.org/x" in first["message"]["text"]
    assert "region" not in results[2]["locations"][0]["physicalLocation"]


def test_absolute_paths_outside_the_base_become_file_uris(tmp_path: Path) -> None:
    report = make_report(str(tmp_path / "a.md"), [Status.GONE])
    found = findings(report, FailPolicy(), base=tmp_path / "elsewhere")
    log = sarif_log([report], make_index([report]), found)
    VALIDATOR.validate(log)
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri["uri"] == (tmp_path / "a.md").as_uri()
