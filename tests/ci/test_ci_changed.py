"""Changed-only runs against a real temporary git repository."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from srccheck.changed import changed_articles
from srccheck.errors import UsageError

# A fixed identity and no user/system config, so the test does not depend on the machine.
GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.org",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=repo, env=GIT_ENV, capture_output=True, text=True, check=True
    )
    return done.stdout


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """main: five articles and a script; branch 'edit' changes them in every way git can."""
    root = tmp_path / "newsroom"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    for name in ("kept", "edited", "moved", "deleted", "staged-edit"):
        write(root / "articles" / f"{name}.md", f"# {name}\n\nhttps://example.org/{name}\n")
    write(root / "articles" / "old-style.txt", "22.10.2024\nTitle\n\nBody\n")
    write(root / "tools" / "build.py", "print('hi')\n")
    write(root / ".gitignore", "*.draft.md\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "switch", "-q", "-c", "edit")
    # Committed on the branch: modified, renamed (content kept), deleted, added, non-article.
    write(root / "articles" / "edited.md", "# edited\n\nhttps://example.org/new\n")
    (root / "articles" / "2024").mkdir()
    git(root, "mv", "articles/moved.md", "articles/2024/renamed.md")
    git(root, "rm", "-q", "articles/deleted.md")
    write(root / "articles" / "added.html", "<p>https://example.org/added</p>\n")
    write(root / "tools" / "build.py", "print('changed')\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "edits")
    # Not committed: a staged edit, an unstaged edit, an untracked and an ignored article.
    write(root / "articles" / "staged-edit.md", "# staged\n")
    git(root, "add", "articles/staged-edit.md")
    write(root / "articles" / "old-style.txt", "22.10.2024\nTitle\n\nNew body\n")
    write(root / "articles" / "brand-new.markdown", "# new\n")
    write(root / "articles" / "secret.draft.md", "# ignored\n")
    write(root / "notes.md", "# outside the articles folder\n")
    return root


EXPECTED = [
    "articles/2024/renamed.md",
    "articles/added.html",
    "articles/brand-new.markdown",
    "articles/edited.md",
    "articles/old-style.txt",
    "articles/staged-edit.md",
]


def test_changed_since_main_lists_exactly_the_changed_articles(repo: Path) -> None:
    found = changed_articles("main", [Path("articles")], repo)
    assert [p.as_posix() for p in found] == EXPECTED


def test_main_moving_on_does_not_add_its_own_changes(repo: Path) -> None:
    # Changes made on main after the branch point are not the branch's changes (merge base).
    git(repo, "stash", "-q", "--include-untracked")
    git(repo, "switch", "-q", "main")
    write(repo / "articles" / "kept.md", "# kept, edited on main\n")
    git(repo, "commit", "-q", "-am", "main moves on")
    git(repo, "switch", "-q", "edit")
    git(repo, "stash", "pop", "-q")
    found = changed_articles("main", [Path("articles")], repo)
    assert "articles/kept.md" not in [p.as_posix() for p in found]
    assert [p.as_posix() for p in found] == EXPECTED


def test_paths_restrict_and_results_are_relative_to_cwd(repo: Path) -> None:
    cwd = repo / "articles"
    found = changed_articles("main", [Path("2024"), Path("edited.md")], cwd)
    assert [p.as_posix() for p in found] == ["2024/renamed.md", "edited.md"]
    everywhere = changed_articles("main", [repo], cwd)
    assert Path("../notes.md") not in everywhere
    assert repo / "notes.md" in everywhere  # outside cwd: absolute


def test_nothing_changed_gives_an_empty_list(repo: Path) -> None:
    assert changed_articles("HEAD", [Path("tools")], repo) == []


def test_outside_a_git_repository_is_a_usage_error(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(UsageError, match="git repository"):
        changed_articles("main", [Path(".")], plain)


def test_unknown_ref_is_a_usage_error_naming_it(repo: Path) -> None:
    with pytest.raises(UsageError, match=r"unknown git ref 'origin/nope'.*fetch-depth: 0"):
        changed_articles("origin/nope", [Path("articles")], repo)


def test_option_like_ref_is_not_passed_as_an_option(repo: Path) -> None:
    with pytest.raises(UsageError, match="unknown git ref '--output=x'"):
        changed_articles("--output=x", [Path("articles")], repo)
    assert not (repo / "x").exists()
