"""Splitting a run into independent shards, for a CI matrix or batch array without a cluster.

On a cluster, ``--workers``/``--scheduler`` (srccheck.stages) fetch every URL
once and hold per-host limits across workers. ``--shard K/N`` is for job
systems without one: it picks the articles whose path hashes to shard K, so N
jobs of any batch system (a CI matrix, a Kubernetes indexed Job, a Slurm array)
cover every article exactly once, with no coordination between them — and no
sharing: a URL cited in two shards is fetched by both, and per-host limits
hold per job. The hash is of the article's path relative to the
current folder (``articles/a.md`` and ``/abs/articles/a.md`` named from the
same folder land in the same shard) with SHA-1, not ``hash()``, so it is
stable across machines and Python runs: a re-run of shard K checks the same
articles.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

from srccheck.errors import UsageError

__all__ = ["parse_shard", "select_shard", "shard_of"]


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/8"`` → ``(2, 8)``; K is 1-based and 1 ≤ K ≤ N."""
    try:
        k_text, n_text = text.split("/")
        k, n = int(k_text), int(n_text)
    except ValueError:
        raise UsageError(f"--shard {text!r}: expected K/N, e.g. 1/4") from None
    if n < 1 or not 1 <= k <= n:
        raise UsageError(f"--shard {text!r}: K must be between 1 and N, and N at least 1")
    return k, n


def shard_of(path: Path, count: int) -> int:
    """The 1-based shard of ``path`` among ``count`` shards."""
    relative = Path(os.path.relpath(path.absolute(), Path.cwd())).as_posix()
    digest = hashlib.sha1(relative.encode("utf-8"), usedforsecurity=False).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def select_shard(paths: Sequence[Path], k: int, n: int) -> list[Path]:
    """The article files of shard ``k`` of ``n`` (folders are expanded first)."""
    from srccheck.articles import find_articles

    return [path for path in find_articles(paths) if shard_of(path, n) == k]
