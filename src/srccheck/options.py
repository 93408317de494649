"""Values of the everyday link-checker options, parsed once (pure, no I/O but files-from).

* :class:`AcceptedStatuses` — ``--accept 200..=299,403``: HTTP status codes
  counted as ``ok`` (``A..=B`` inclusive, ``A..B`` end excluded, ``A`` alone);
* :class:`Remap` — ``--remap 'REGEX REPLACEMENT'``: a cited URL is rewritten
  with :func:`re.sub` (Python replacement syntax: ``\\1``, ``\\g<name>``)
  before it is checked; the first rule whose pattern matches applies;
* :func:`read_files_from` — ``--files-from FILE`` (``-`` for standard input):
  one article path per line, blank lines and ``#`` comments skipped.

Every parser raises :class:`~srccheck.errors.UsageError` (or ``InputError``)
with a message naming the bad value; the CLI turns it into exit code 2.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from srccheck.errors import InputError, UsageError

__all__ = ["NO_ACCEPTED", "AcceptedStatuses", "Remap", "apply_remaps", "read_files_from"]

_RANGE = re.compile(r"(\d{3})(?:\.\.(=?)(\d{3}))?")
_GROUP_REFERENCE = re.compile(r"\\(\d+)|\\g<([^>]*)>")


@dataclass(frozen=True, slots=True)
class AcceptedStatuses:
    """HTTP status codes that count as ``ok`` (``--accept``), as inclusive ranges."""

    ranges: tuple[tuple[int, int], ...] = ()
    spec: str = ""

    @classmethod
    def parse(cls, spec: str) -> AcceptedStatuses:
        """``'200..=299,403'`` → the ranges; codes must lie in 100–599.

        Raises:
            UsageError: a part that is not ``A``, ``A..B`` or ``A..=B``, a code out
                of range, or an empty range.
        """
        ranges = []
        for part in (p.strip() for p in spec.split(",")):
            match = _RANGE.fullmatch(part)
            if match is None:
                raise UsageError(
                    f"{part!r} is not a status code or range (e.g. 200..=299,403)"
                )
            low = int(match[1])
            high = low if match[3] is None else int(match[3]) - (0 if match[2] else 1)
            if not (100 <= low <= 599 and 100 <= high <= 599) or high < low:
                raise UsageError(f"{part!r} is not a range of HTTP status codes")
            ranges.append((low, high))
        return cls(tuple(ranges), spec.strip())

    def __contains__(self, code: object) -> bool:
        return isinstance(code, int) and any(low <= code <= high for low, high in self.ranges)

    @property
    def name(self) -> str:
        """As written (for ``srccheck config``)."""
        return self.spec


#: No extra status code counts as ok (the default).
NO_ACCEPTED = AcceptedStatuses()


@dataclass(frozen=True, slots=True)
class Remap:
    """One ``--remap`` rule: URLs matching ``pattern`` are rewritten to ``replacement``."""

    pattern: re.Pattern[str]
    replacement: str

    @classmethod
    def parse(cls, spec: str) -> Remap:
        """``'REGEX REPLACEMENT'`` (separated by whitespace) → a rule.

        Raises:
            UsageError: not two parts, an invalid regular expression, or a
                replacement that refers to a group the pattern does not have.
        """
        parts = spec.split()
        if len(parts) != 2:
            raise UsageError(f"expected 'REGEX REPLACEMENT', got {spec!r}")
        regex, replacement = parts
        try:
            pattern = re.compile(regex)
        except re.error as exc:
            raise UsageError(
                f"{regex!r} is not a valid regular expression: {exc}"
            ) from None
        for number, name in _GROUP_REFERENCE.findall(replacement):
            known = int(number) <= pattern.groups if number else (
                name in pattern.groupindex or (name.isdigit() and int(name) <= pattern.groups)
            )
            if not known:
                raise UsageError(
                    f"the replacement {replacement!r} refers to a group that "
                    f"{regex!r} does not have"
                )
        return cls(pattern, replacement)

    @property
    def name(self) -> str:
        return f"{self.pattern.pattern} {self.replacement}"


def apply_remaps(url: str, remaps: tuple[Remap, ...]) -> str:
    """``url`` rewritten by the first rule whose pattern matches (``re.search``), else as is."""
    for remap in remaps:
        if remap.pattern.search(url):
            return remap.pattern.sub(remap.replacement, url)
    return url


def read_files_from(source: str, stdin: TextIO | None = None) -> list[Path]:
    """Article paths listed in ``source`` (a file, or ``-`` for standard input).

    One path per line; surrounding whitespace, blank lines and lines starting
    with ``#`` are skipped.

    Raises:
        InputError: the file cannot be read or is not UTF-8 text.
    """
    try:
        if source == "-":
            text = (stdin or sys.stdin).read()
        else:
            text = Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"--files-from: cannot read {source}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(f"--files-from: {source} is not UTF-8 text") from None
    lines = (line.strip() for line in text.splitlines())
    return [Path(line) for line in lines if line and not line.startswith("#")]
