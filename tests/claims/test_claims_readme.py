"""The README's verdict table and --fail-on table agree with the code."""

from __future__ import annotations

import re
from pathlib import Path

from srccheck.claims.model import DifferenceKind, Verdict
from srccheck.policy import FAIL_ON_NAMES, Rule

README = Path(__file__).resolve().parents[2] / "README.md"


def _table_after(heading: str) -> list[str]:
    """The first column's `names` of the Markdown table that follows ``heading``."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(line.split("|")[1].strip())
    return rows


def test_verdict_table_lists_every_verdict_once() -> None:
    rows = _table_after("| Verdict | Meaning |")
    names = [re.fullmatch(r"`([a-z_]+)`", row)[1] for row in rows]  # type: ignore[index]
    assert sorted(names) == sorted(v.value for v in Verdict)


def test_fail_on_table_names_every_rule() -> None:
    first_column = " ".join(_table_after("| Name | Fails on |"))
    for rule in Rule:
        assert f"`{rule.value}`" in first_column, rule
        assert rule.value in FAIL_ON_NAMES


def test_difference_kinds_are_documented() -> None:
    text = README.read_text(encoding="utf-8")
    for kind in DifferenceKind:
        assert f"`{kind.value}`" in text, kind
