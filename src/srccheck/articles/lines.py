"""Line boundaries of a decoded article, for scanning and for positions."""

from __future__ import annotations

import re
from bisect import bisect_right

__all__ = ["LineTable"]

_NEWLINE = re.compile("\n")


class LineTable:
    """The start offset of every line of ``text`` (newlines already normalised).

    Lines are numbered from 0 here; :meth:`locate` reports the 1-based line and
    column a reader sees in an editor. Building the table is linear, a lookup
    is a binary search, so positions of thousands of sources stay cheap.
    """

    __slots__ = ("_length", "starts")

    def __init__(self, text: str) -> None:
        self.starts: list[int] = [0, *(m.end() for m in _NEWLINE.finditer(text))]
        self._length = len(text)

    def __len__(self) -> int:
        return len(self.starts)

    def bounds(self, index: int) -> tuple[int, int]:
        """``(start, end)`` of line ``index``; ``end`` excludes the newline."""
        start = self.starts[index]
        end = self.starts[index + 1] - 1 if index + 1 < len(self.starts) else self._length
        return start, end

    def line_of(self, offset: int) -> int:
        """The 0-based line that contains ``offset``."""
        return bisect_right(self.starts, offset) - 1

    def locate(self, offset: int) -> tuple[int, int]:
        """The 1-based ``(line, column)`` of ``offset``; columns count characters."""
        index = self.line_of(offset)
        return index + 1, offset - self.starts[index] + 1
