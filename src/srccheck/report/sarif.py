"""SARIF 2.1.0 for code-scanning views (GitHub code scanning, GitLab, VS Code SARIF viewer).

One run; ``tool.driver`` is srccheck with one rule per status (its meaning from
:data:`srccheck.status.STATUS_MEANINGS`, its advice from ``STATUS_ACTIONS``) and
the extra rules of :mod:`srccheck.policy`. Every finding is one result with
``ruleId``/``ruleIndex``, ``level`` (``error`` fails the build, ``warning`` does
not), ``message.text`` and the article location: ``artifactLocation.uri`` is the
finding's file (relative, forward slashes, as :func:`srccheck.policy.findings`
made it), ``region`` the line and columns of the cited entry when known.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from srccheck.claims.model import Verdict
from srccheck.models import ArticleReport, RunIndex
from srccheck.policy import RULE_MEANINGS, FailPolicy, Finding, Level, Rule
from srccheck.report.atomic import write_text_atomic
from srccheck.status import STATUS_ACTIONS, Status

__all__ = ["SARIF_SCHEMA", "SARIF_VERSION", "render_sarif", "sarif_log", "write_sarif"]

_STATUS_IDS = frozenset(status.value for status in Status)

SARIF_VERSION = "2.1.0"
#: The OASIS standard's own location of the schema (errata 01, the current text).
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)


def sarif_log(
    reports: Sequence[ArticleReport],
    index: RunIndex,
    found: Sequence[Finding],
    *,
    policy: FailPolicy | None = None,
) -> dict[str, Any]:
    """The SARIF log of a run as a JSON-ready dict.

    ``policy`` only sets each rule's default level (``error`` for what it fails on);
    the level of every result comes from its finding. ``reports`` is accepted for
    symmetry with the other formatters; everything a result needs is in ``found``.
    """
    del reports  # the findings already carry everything a result shows
    rule_ids = list(RULE_MEANINGS)
    rule_index = {rule_id: number for number, rule_id in enumerate(rule_ids)}
    rules = [_rule(rule_id, policy) for rule_id in rule_ids]
    results = [_result(finding, rule_index) for finding in found]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "srccheck",
                "version": index.srccheck_version,
                "semanticVersion": index.srccheck_version,
                "rules": rules,
            }
        },
        "invocations": [
            {
                "executionSuccessful": True,
                "startTimeUtc": _utc(index.started_at),
                "endTimeUtc": _utc(index.finished_at),
            }
        ],
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def render_sarif(
    reports: Sequence[ArticleReport],
    index: RunIndex,
    found: Sequence[Finding],
    *,
    policy: FailPolicy | None = None,
) -> str:
    """:func:`sarif_log` as indented JSON text."""
    log = sarif_log(reports, index, found, policy=policy)
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def write_sarif(
    path: Path,
    reports: Sequence[ArticleReport],
    index: RunIndex,
    found: Sequence[Finding],
    *,
    policy: FailPolicy | None = None,
) -> Path:
    """Write :func:`render_sarif` to ``path`` atomically and return the path."""
    write_text_atomic(path, render_sarif(reports, index, found, policy=policy))
    return path


def _rule(rule_id: str, policy: FailPolicy | None) -> dict[str, Any]:
    meaning = RULE_MEANINGS[rule_id]
    rule: dict[str, Any] = {
        "id": rule_id,
        "name": _pascal(rule_id),
        "shortDescription": {"text": meaning},
        "fullDescription": {"text": meaning},
    }
    status = Status(rule_id) if rule_id in _STATUS_IDS else None
    if status is not None:
        rule["help"] = {"text": STATUS_ACTIONS[status]}
    if policy is not None:
        level = policy.level_of(status) if status is not None else None
        if status is None and policy.fails_on(Rule(rule_id)):
            level = Level.ERROR
        if rule_id == Rule.CLAIMS_CONTRADICTED.value:
            level = policy.claim_level(Verdict.CONTRADICTED)
        rule["defaultConfiguration"] = {"level": (level or Level.NOTE).value}
    return rule


def _result(finding: Finding, rule_index: dict[str, int]) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(finding.file)}}
    if finding.line is not None:
        region: dict[str, int] = {"startLine": finding.line}
        if finding.column is not None:
            region["startColumn"] = finding.column
        if finding.end_column is not None:
            region["endColumn"] = finding.end_column
        physical["region"] = region
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index[finding.rule],
        "level": finding.level.value,
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": physical}],
    }
    if finding.url is not None:
        result["properties"] = {"url": finding.url}
    return result


def _uri(file: str) -> str:
    """A URI reference for an article path: relative stays relative, absolute is ``file:``."""
    path = Path(file)
    if path.is_absolute():
        return path.as_uri()
    # Percent-encode what a URI reference cannot hold (spaces, %, #, ?), keep the slashes.
    return quote(file.replace("\\", "/"), safe="/-._~!$&'()*+,;=:@")


def _pascal(rule_id: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[-_]", rule_id))


def _utc(moment: dt.datetime) -> str:
    # Report times are UTC; a naive time is taken as UTC rather than local time.
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"
