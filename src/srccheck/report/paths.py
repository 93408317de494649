"""Report file names: one safe, unique, readable stem per article.

Rules (applied by :func:`report_stem`, made unique by :func:`report_paths`):

* the stem is built from the article's path *relative to the run's root*
  (by default the common folder of all articles); folders are joined with
  ``__``: ``seeds/de/a.txt`` → ``de__a``. Absolute paths and ``..`` never
  reach the result; a path outside the root keeps only its file name;
* the file extension is dropped; every character that is not a Unicode
  letter, digit or combining mark, ``-`` or ``_`` becomes ``_`` (so spaces,
  dots, slashes, control and format characters, ``%#?`` … are replaced; runs
  of ``_`` collapse to one, so ``__`` only ever separates folders). Stems
  therefore contain no dot and ``stem_path.with_suffix(".json")`` is safe;
* Windows device names (``con``, ``nul``, ``com1`` …) and ``index`` (the run
  index) get a trailing ``_``; an empty result becomes ``article``;
* stems longer than :data:`MAX_STEM_BYTES` UTF-8 bytes are cut and get a
  short hash of the path, so names stay below every file system's limit;
* stems that coincide, compared case-insensitively (macOS and Windows file
  systems ignore case), all get ``-`` and 8 hex digits of a hash of their
  relative path; the result does not depend on the order of the articles.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path, PurePath

__all__ = [
    "DEFAULT_STEM",
    "INDEX_STEM",
    "MAX_STEM_BYTES",
    "PART_SEPARATOR",
    "report_paths",
    "report_stem",
]

INDEX_STEM = "index"
DEFAULT_STEM = "article"
PART_SEPARATOR = "__"
#: Leaves room for a suffix such as ``.html`` well within the usual 255-byte limit.
MAX_STEM_BYTES = 120

_WINDOWS_DEVICES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)
_RESERVED = _WINDOWS_DEVICES | {INDEX_STEM}
_UNDERSCORES = re.compile(r"_{2,}")
_HASH_HEX = 8


def _is_kept(char: str) -> bool:
    return char in "-_" or unicodedata.category(char)[0] in "LNM"


def _clean_part(part: str) -> str:
    """One path component with every character outside the kept set replaced by ``_``."""
    text = "".join(c if _is_kept(c) else "_" for c in unicodedata.normalize("NFC", part))
    return _UNDERSCORES.sub("_", text).strip("_-")


def _relative_parts(article_path: PurePath, root: PurePath | None) -> tuple[str, ...]:
    """The path components below ``root`` (lexically normalised), or just the file name."""
    if root is not None:
        try:
            relative = PurePath(os.path.abspath(article_path)).relative_to(os.path.abspath(root))
        except ValueError:
            pass
        else:
            return relative.parts
    return (article_path.name,)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:_HASH_HEX]


def _fit(stem: str, key: str) -> str:
    """Cut ``stem`` to :data:`MAX_STEM_BYTES` bytes, keeping it distinct with a hash of ``key``."""
    if len(stem.encode("utf-8")) <= MAX_STEM_BYTES:
        return stem
    budget = MAX_STEM_BYTES - _HASH_HEX - 1
    cut = stem.encode("utf-8")[:budget].decode("utf-8", "ignore").rstrip("_-")
    return f"{cut}-{_digest(key)}"


def report_stem(article_path: Path, root: Path | None = None) -> str:
    """A safe, readable file stem for the reports of ``article_path``.

    ``root`` is the folder the stem is relative to (folders below it become
    part of the stem); ``None`` uses the file name alone. The result is never
    empty, never contains ``.``, ``/`` or ``\\`` and is never a reserved name;
    it is *not* unique across articles: :func:`report_paths` makes it so.
    """
    parts = list(_relative_parts(article_path, root))
    if parts:
        parts[-1] = PurePath(parts[-1]).stem if parts[-1] not in (".", "..") else ""
    cleaned = [c for c in (_clean_part(p) for p in parts) if c]
    stem = PART_SEPARATOR.join(cleaned) or DEFAULT_STEM
    stem = _fit(stem, "/".join(parts))
    if stem.casefold() in _RESERVED:
        stem += "_"
    return stem


def _common_root(articles: Sequence[Path]) -> Path | None:
    if not articles:
        return None
    try:
        return Path(os.path.commonpath([os.path.dirname(os.path.abspath(p)) for p in articles]))
    except ValueError:  # paths on different Windows drives share no root
        return None


def report_paths(
    articles: Sequence[Path], output: Path, root: Path | None = None
) -> dict[Path, Path]:
    """Map each article to ``output / <stem>``, a path without suffix, unique in the run.

    Add the format's suffix with ``path.with_suffix(".json")`` (stems contain no
    dot). ``root`` defaults to the common folder of all articles, so a single
    article ``seeds/a.txt`` gets ``a`` and ``x/a.txt`` next to ``y/a.txt`` get
    ``x__a`` and ``y__a``. No stem equals ``index`` (case-insensitively), the
    name of the run index. Every result is a direct child of ``output``.
    """
    unique = list(dict.fromkeys(articles))
    base = root if root is not None else _common_root(unique)
    stems = {path: report_stem(path, base) for path in unique}

    def key(path: Path) -> str:
        return "/".join(_relative_parts(path, base) if base is not None else (str(path),))

    groups: dict[str, list[Path]] = defaultdict(list)
    for path, stem in stems.items():
        groups[stem.casefold()].append(path)
    for members in groups.values():
        if len(members) > 1:
            for path in members:
                stems[path] = f"{_fit(stems[path], key(path))}-{_digest(key(path))}"

    # Hash suffixes can still meet (the same file given twice in different spellings,
    # or a name that already ends in what looks like a hash): number the rest, in a
    # fixed order so the result does not depend on the input order.
    taken = {INDEX_STEM}
    result: dict[Path, Path] = {}
    for path in sorted(unique, key=lambda p: (key(p), str(p))):
        stem, n = stems[path], 2
        while stem.casefold() in taken:
            stem, n = f"{stems[path]}-{n}", n + 1
        taken.add(stem.casefold())
        result[path] = output / stem
    return {path: result[path] for path in unique}
