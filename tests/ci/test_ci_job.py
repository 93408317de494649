"""Issue acceptance: the README's CI job, run in a temporary git repository.

The verify step of ``docs/github-actions.yml`` is run as written (with the test
network's flags added) in a clone whose ``origin/main`` lacks the new article:
only the changed article is verified, a dead source fails the job with an
annotation on its line, and the job passes once the article is fixed.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml
from pytest_httpserver import HTTPServer

ROOT = Path(__file__).resolve().parents[2]
# Offline test network: the pages are on 127.0.0.1, no archive, a private cache.
TEST_FLAGS = ["--allow-private", "--no-archive", "--no-cache", "--host-interval", "0"]


def verify_step() -> list[str]:
    workflow = yaml.safe_load((ROOT / "docs" / "github-actions.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["sources"]["steps"]
    run = next(step["run"] for step in steps if step.get("name") == "Verify changed articles")
    run = run.replace("${{ github.base_ref || 'main' }}", "main")
    argv = shlex.split(run)
    assert argv[:2] == ["srccheck", "verify"], argv
    return [sys.executable, "-m", "srccheck", *argv[1:], *TEST_FLAGS]


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=cwd, check=True, capture_output=True, text=True,
    )
    return done.stdout


def article(title: str, urls: list[str]) -> str:
    body = "Ein Absatz über die Lage, mit Zitat „Wir beraten uns mit Partnern“.\n\n"
    return f"22.10.2024\n{title}\n\n{body}Quellen: - " + " - ".join(urls) + "\n"


def test_the_readme_ci_job_checks_only_changed_articles_and_annotates_the_dead_source(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    page = "<title>ok</title>ok"
    httpserver.expect_request("/alive").respond_with_data(page, content_type="text/html")
    httpserver.expect_request("/moved").respond_with_data("weg", status=404)
    base = httpserver.url_for("").rstrip("/")

    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "--bare", "-b", "main", str(origin))
    seed = tmp_path / "seed"
    git(tmp_path, "clone", str(origin), str(seed))
    (seed / "articles").mkdir()
    # An old article with a dead link: not changed, so the job must not look at it.
    (seed / "articles" / "old.txt").write_text(article("Alt", [f"{base}/moved"]), encoding="utf-8")
    git(seed, "add", ".")
    git(seed, "commit", "-m", "old")
    git(seed, "push", "origin", "main")

    work = tmp_path / "work"
    git(tmp_path, "clone", str(origin), str(work))
    git(work, "checkout", "-b", "new-article")
    new = work / "articles" / "new.txt"
    new.write_text(article("Neu", [f"{base}/alive", f"{base}/moved"]), encoding="utf-8")
    git(work, "add", ".")
    git(work, "commit", "-m", "new article")

    failing = subprocess.run(verify_step(), cwd=work, capture_output=True, text=True, timeout=120)
    assert failing.returncode == 1, failing.stderr
    errors = [line for line in failing.stdout.splitlines() if line.startswith("::error ")]
    [annotation] = errors
    line = new.read_text(encoding="utf-8").splitlines().index(
        next(x for x in new.read_text(encoding="utf-8").splitlines() if x.startswith("Quellen"))
    ) + 1
    column = new.read_text(encoding="utf-8").splitlines()[line - 1].index(f"{base}/moved") + 1
    assert annotation.startswith(f"::error file=articles/new.txt,line={line},col={column},")
    assert "not_found" in annotation
    junit = ET.parse(work / "reports" / "srccheck.junit.xml").getroot()
    suites = [suite.get("name") for suite in junit.iter("testsuite")]
    assert suites == ["articles/new.txt"]  # old.txt did not change: not verified
    assert junit.get("failures") == "1"
    assert "HTTP 404" in (work / "reports" / "srccheck.md").read_text(encoding="utf-8")

    # The editor fixes the article: the same job passes.
    new.write_text(article("Neu", [f"{base}/alive"]), encoding="utf-8")
    git(work, "commit", "-am", "fix source")
    passing = subprocess.run(verify_step(), cwd=work, capture_output=True, text=True, timeout=120)
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "::error" not in passing.stdout
