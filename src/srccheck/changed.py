"""Changed-only runs: the article files a branch added or edited, asked of git itself.

``srccheck verify --changed-since REF articles/`` checks only the articles that
differ between the merge base of ``REF`` and the working tree: committed,
staged and unstaged changes, plus new untracked files (not ignored ones).
This is what a pull request changed, even when ``REF`` has moved on since the
branch was made. A renamed article counts under its new name; a deleted one
is not verified.

The pre-commit hook needs no mode of its own: pre-commit passes the staged
file names as arguments.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

from srccheck.errors import UsageError

__all__ = ["ARTICLE_SUFFIXES", "changed_articles"]

#: File name endings that are article files (the formats ``srccheck verify`` reads).
ARTICLE_SUFFIXES: frozenset[str] = frozenset({".txt", ".md", ".markdown", ".html", ".htm"})


def changed_articles(
    ref: str,
    paths: Sequence[Path],
    cwd: Path,
    *,
    suffixes: frozenset[str] = ARTICLE_SUFFIXES,
) -> list[Path]:
    """Article files under ``paths`` that were added, copied, modified or renamed since ``ref``.

    Runs ``git diff --name-only --diff-filter=ACMR --merge-base REF`` (merge base
    of ``REF`` and ``HEAD`` against the working tree) and ``git ls-files --others
    --exclude-standard`` (untracked, not ignored) in ``cwd``. Keeps files that
    exist, end in one of ``suffixes`` (case-insensitive) and are one of ``paths``
    or lie below one of them (relative ``paths`` are relative to ``cwd``).

    Returns sorted paths, relative to ``cwd`` when below it, else absolute.

    Raises:
        UsageError: git is not installed, ``cwd`` is not inside a git work tree,
            ``ref`` is not a known commit, or there is no merge base.
    """
    top = Path(_git(["rev-parse", "--show-toplevel"], cwd, what="find the git repository"))
    top = top.resolve()
    _git(
        ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"],
        cwd,
        what=f"resolve {ref!r}",
        hint=f"unknown git ref {ref!r}; in CI fetch the full history "
        "(actions/checkout with fetch-depth: 0) and the branch you compare with",
    )
    # --no-relative: names relative to the top level even if diff.relative is set.
    diffed = _git(
        ["diff", "--name-only", "-z", "--no-relative", "--diff-filter=ACMR", "--merge-base", ref],
        top,
        what=f"compare with {ref!r}",
    )
    untracked = _git(
        ["ls-files", "--others", "--exclude-standard", "-z", "--full-name"],
        top,
        what="list untracked files",
    )
    names = {name for name in (*diffed.split("\0"), *untracked.split("\0")) if name}
    roots = [(cwd / p).resolve() for p in paths] if paths else [cwd.resolve()]
    base = cwd.resolve()
    selected: list[Path] = []
    for name in names:
        path = top / name
        if path.suffix.lower() not in suffixes or not path.is_file():
            continue
        if not any(path == root or path.is_relative_to(root) for root in roots):
            continue
        selected.append(path.relative_to(base) if path.is_relative_to(base) else path)
    return sorted(selected)


def _git(args: list[str], cwd: Path, *, what: str, hint: str | None = None) -> str:
    """Run ``git args`` in ``cwd``; its output, or a ``UsageError`` that says why not."""
    try:
        done = subprocess.run(
            ["git", "-c", "core.quotepath=off", *args],
            cwd=cwd,
            capture_output=True,
            check=False,
        )
    except FileNotFoundError:
        raise UsageError("--changed-since needs git, and git is not installed") from None
    except NotADirectoryError:
        raise UsageError(f"cannot run git in {cwd}: not a directory") from None
    if done.returncode != 0:
        if hint is not None:
            raise UsageError(hint)
        raise UsageError(f"git could not {what} in {cwd}: {_summary(done.stderr)}")
    return os.fsdecode(done.stdout).strip("\n")


def _summary(stderr: bytes) -> str:
    # git's first "fatal:"/"error:" line says what is wrong; the rest is advice.
    lines = [line.strip() for line in os.fsdecode(stderr).splitlines() if line.strip()]
    for line in lines:
        if line.startswith(("fatal:", "error:")):
            return line.split(":", 1)[1].strip()
    return lines[0] if lines else "unknown error"
