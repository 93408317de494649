"""README.md states the default policy and the config keys; keep it true to the code."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from srccheck.config import config_keys
from srccheck.policy import DEFAULT_FAIL_ON
from srccheck.status import Status

ROOT = Path(__file__).parent.parent.parent
DOC = (ROOT / "README.md").read_text(encoding="utf-8")


def test_status_table_matches_the_default_policy() -> None:
    rows = re.findall(r"^\| `(\w+)` \| (\w+) \| (yes|no)", DOC, flags=re.MULTILINE)
    assert rows, "README has no status table with a 'Fails by default' column"
    table = {name: (outcome, fails == "yes") for name, outcome, fails in rows}
    assert table == {s.value: (s.outcome.value, s in DEFAULT_FAIL_ON) for s in Status}


def test_every_configurable_key_is_documented() -> None:
    keys_table = DOC[DOC.index("| Key | Default | Meaning |") :]
    documented = set(re.findall(r"^\| `([a-z0-9-]+)` \| `", keys_table, flags=re.MULTILINE))
    secret = {"ia-access-key", "ia-secret-key"}
    assert documented == set(config_keys()) - secret


def test_pre_commit_hook_runs_verify_on_article_files() -> None:
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "srccheck"
    assert hook["entry"] == "srccheck verify"
    pattern = re.compile(hook["files"])
    assert all(pattern.search(f"a/b.{ext}") for ext in ("md", "markdown", "txt", "html", "htm"))
    assert not pattern.search("a/b.py")


def test_ci_runs_exactly_the_readmes_test_command() -> None:
    quick_start = DOC[DOC.index("## Quick start") : DOC.index("## Usage")]
    commands = re.findall(r"```sh\n(.+?)\n```", quick_start)
    assert len(commands) == 2, "the quick start gives exactly two commands"
    ci_command = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert commands[1] == ci_command
    assert "-c constraints.txt" in ci_command  # the pinned test environment
    assert "-r requirements-pywb.txt" in ci_command  # pywb kept apart from srccheck's brotli


def test_the_pins_cover_what_the_suite_installs() -> None:
    pinned = (ROOT / "constraints.txt").read_text(encoding="utf-8")
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)$", pinned, flags=re.MULTILINE))
    names = {name.lower().replace("_", "-") for name in pins}
    assert {"httpx", "brotli", "pytest", "pytest-httpx", "selectolax", "warcio"} <= names
    assert not {"brotlipy", "pywb"} & names  # those live in pywb's own environment
    pywb = (ROOT / "requirements-pywb.txt").read_text(encoding="utf-8")
    assert re.search(r"^pywb==", pywb, flags=re.MULTILINE)
