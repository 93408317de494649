"""Finding article files from command-line paths; format detection."""

from __future__ import annotations

from pathlib import Path

import pytest

from srccheck.articles import ArticleFormat, find_articles
from srccheck.articles.detect import detect_format
from srccheck.errors import InputError


def touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x", encoding="utf-8")
    return path


def test_directories_are_searched_recursively_sorted_and_filtered(tmp_path: Path) -> None:
    for name in ["b.md", "a.txt", "sub/c.html", "sub/d.HTM", "sub/deeper/e.markdown",
                 "notes.pdf", "image.png", ".hidden.md", ".git/config.txt", "sub/.cache/x.md"]:
        touch(tmp_path / name)
    found = find_articles([tmp_path])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a.txt", "b.md", "sub/c.html", "sub/d.HTM", "sub/deeper/e.markdown",
    ]


def test_files_are_taken_as_given_and_listed_once(tmp_path: Path) -> None:
    odd = touch(tmp_path / "artikel.page")
    md = touch(tmp_path / "dir" / "a.md")
    assert find_articles([odd, tmp_path / "dir", md]) == [odd, md]


def test_missing_path_raises_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"fehlt\.txt: no such file or directory"):
        find_articles([tmp_path / "fehlt.txt"])


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("a.md", "plain", ArticleFormat.MARKDOWN),
        ("a.markdown", "plain", ArticleFormat.MARKDOWN),
        ("a.HTML", "plain", ArticleFormat.HTML),
        ("a.htm", "plain", ArticleFormat.HTML),
        ("a.txt", "22.10.2024\nTitel\n\nText\n\nQuellen: - https://a.example/\n",
         ArticleFormat.SEED),
        ("a.txt", "22.10.2024\nTitel\n\nText\n\nQuellen:\n- https://a.example/\n",
         ArticleFormat.TEXT),
        ("a.txt", "<html><body><p>x</p></body></html>", ArticleFormat.TEXT),
        ("a", "<!DOCTYPE html><html><p>x</p></html>", ArticleFormat.HTML),
        ("a.page", "<article><h1>T</h1></article>", ArticleFormat.HTML),
        ("a", "---\ntitle: x\n---\n# T\n", ArticleFormat.MARKDOWN),
        ("a", "# Titel\n\nText\n", ArticleFormat.MARKDOWN),
        ("a", "Text mit [Link](https://a.example/)\n", ArticleFormat.MARKDOWN),
        ("a", "22.10.2024\nTitel\n\nQuellen: - https://a.example/\n", ArticleFormat.SEED),
        ("a", "Titel\n\nQuellen:\nhttps://a.example/\n", ArticleFormat.TEXT),
    ],
)
def test_detect_format(name: str, text: str, expected: ArticleFormat) -> None:
    assert detect_format(Path(name), text) is expected
