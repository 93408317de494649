"""Atomic file writes for report files.

A report is written to a temporary file in the destination folder and moved
over the destination with :func:`os.replace`, which is atomic on POSIX and
Windows when both paths are on the same file system. A run that is killed
half-way therefore leaves either the old file or the new one, never half a
file (at worst a stray ``.<name>.<random>.tmp`` file).
"""

from __future__ import annotations

import contextlib
import itertools
import os
from pathlib import Path

__all__ = ["write_text_atomic"]

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
_serial = itertools.count()  # temporary names: process id + serial, created exclusively


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` as UTF-8 to ``path`` atomically, creating missing parent folders.

    Newlines are written as ``\\n`` on every platform so reports are byte-identical
    across systems. The file gets the usual permissions (``0o666`` minus the umask),
    unlike :mod:`tempfile` files, which are private to the user.

    A run writes thousands of reports, so this makes few system calls: the folder is
    created only when opening the temporary file finds it missing, and a temporary
    name that exists already (left by a killed run with the same process id) is
    skipped.
    """
    data = text.encode("utf-8")
    tmp, fd = _create_temporary(path)
    try:
        with contextlib.closing(_Descriptor(fd)) as handle:
            # No fsync: it cost a tenth of a large run's time, and reports can be
            # regenerated; the rename still guarantees old-or-new, never half a file.
            handle.write_all(data)
        os.replace(tmp, path)
    except BaseException:
        # After a failure (Ctrl-C included) the partial temporary file goes.
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _create_temporary(path: Path) -> tuple[Path, int]:
    made_folder = False
    for _ in range(100):
        tmp = path.with_name(f".{path.name}.{os.getpid()}-{next(_serial)}.tmp")
        try:
            return tmp, os.open(tmp, _FLAGS, 0o666)
        except FileNotFoundError:
            if made_folder:
                raise
            path.parent.mkdir(parents=True, exist_ok=True)
            made_folder = True
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary file name next to {path}")


class _Descriptor:
    """An open file descriptor written without a buffered file object around it."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def write_all(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view) :]

    def close(self) -> None:
        os.close(self.fd)
