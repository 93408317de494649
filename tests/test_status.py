"""The status set is closed, documented once, and the README agrees with it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from srccheck.status import STATUS_ACTIONS, STATUS_MEANINGS, Outcome, Status

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_status_rows() -> dict[str, tuple[str, str, str]]:
    rows = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\| `([a-z0-9_]+)` \| (\w+) \| [^|]+ \| (.+?) \| (.+?) \|$", line)
        if match:
            rows[match[1]] = (match[2], match[3], match[4])
    return rows


def test_every_status_has_a_meaning_an_action_and_an_outcome() -> None:
    for status in Status:
        assert STATUS_MEANINGS[status]
        assert STATUS_ACTIONS[status]
        assert isinstance(status.outcome, Outcome)


def test_readme_table_matches_status_module() -> None:
    rows = readme_status_rows()
    assert set(rows) == {s.value for s in Status}, "README status table is out of date"
    for status in Status:
        outcome, meaning, action = rows[status.value]
        assert outcome == status.outcome.value, status
        assert meaning == STATUS_MEANINGS[status], status
        assert action == STATUS_ACTIONS[status], status


@pytest.mark.parametrize(
    ("status", "success", "transient"),
    [
        (Status.OK, True, False),
        (Status.REDIRECTED, True, False),
        (Status.NOT_FOUND, False, False),
        (Status.TIMEOUT, False, True),
        (Status.CONNECTION_ERROR, False, True),
        (Status.BLOCKED, False, False),
    ],
)
def test_predicates(status: Status, success: bool, transient: bool) -> None:
    assert status.is_success is success
    assert status.is_transient is transient
