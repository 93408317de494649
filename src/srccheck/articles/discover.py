"""Finding the article files named on the command line."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from srccheck.articles.detect import ARTICLE_EXTENSIONS
from srccheck.errors import InputError

__all__ = ["find_articles"]


def find_articles(paths: Sequence[Path]) -> list[Path]:
    """The article files named by ``paths``, in a stable order.

    A file is taken as given, whatever its extension (its format is then
    sniffed). A directory is searched recursively for files ending in
    ``.txt``, ``.md``, ``.markdown``, ``.html`` or ``.htm``; hidden files and
    directories (names starting with ``.``) are skipped, symlinked directories
    are not followed, and the files are sorted by path. Each file is listed
    once, at its first mention.

    Raises :class:`~srccheck.errors.InputError` when a path does not exist or is
    neither a file nor a directory.
    """
    found: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file or directory")
        if path.is_dir():
            candidates = _search(path)
        elif path.is_file():
            candidates = [path]
        else:
            raise InputError(f"{path}: not a regular file or directory")
        for candidate in candidates:
            key = candidate.resolve()
            if key not in seen:
                seen.add(key)
                found.append(candidate)
    return found


def _search(directory: Path) -> list[Path]:
    files: list[Path] = []
    for root, dirs, names in os.walk(directory):
        dirs[:] = [name for name in dirs if not name.startswith(".")]  # prune hidden trees
        files.extend(
            Path(root, name)
            for name in names
            if not name.startswith(".") and Path(name).suffix.lower() in ARTICLE_EXTENSIONS
        )
    return sorted(files, key=lambda path: path.relative_to(directory).parts)
