"""Atomic file writes for report files.

A report is written to a temporary file in the destination folder and moved
over the destination with :func:`os.replace`, which is atomic on POSIX and
Windows when both paths are on the same file system. A run that is killed
half-way therefore leaves either the old file or the new one, never half a
file (at worst a stray ``.<name>.<random>.tmp`` file).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

__all__ = ["write_text_atomic"]


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` as UTF-8 to ``path`` atomically, creating missing parent folders.

    Newlines are written as ``\\n`` on every platform so reports are byte-identical
    across systems. The file gets the usual permissions (``0o666`` minus the umask),
    unlike :mod:`tempfile` files, which are private to the user.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    data = text.encode("utf-8")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            # No fsync: it cost a tenth of a large run's time, and reports can be
            # regenerated; the rename still guarantees old-or-new, never half a file.
            handle.write(data)
        os.replace(tmp, path)
    finally:
        # After a successful replace there is nothing left to remove; after a failure
        # (Ctrl-C included) the partial temporary file goes.
        with contextlib.suppress(OSError):
            tmp.unlink()
