"""Text normalisation for matching, with a map back to the original offsets.

Article and page texts are compared after :func:`normalize`, which applies,
in this order:

1. line-break hyphenation is undone: ``Entsen-\\nndung`` → ``Entsendung``
   (the hyphen is kept when the next line starts with a capital letter, as in
   ``US-\\nBotschafter``, because that hyphen belongs to the compound);
2. soft hyphens and zero-width characters are removed;
3. Unicode NFKC (per base character with its combining marks, so ``a`` +
   U+0308 becomes ``ä``) and ``str.casefold`` (``ß`` → ``ss``);
4. every double-quote variant → ``"``; every single quote and apostrophe
   variant → ``'``; every dash variant (‐ ‑ ‒ – — ― −) → ``-``;
5. runs of whitespace (NBSP, thin and narrow spaces, newlines …) → one space;
   leading and trailing whitespace is dropped.

Every character of the result remembers the index of the original character
it came from, so a match in normalised text maps back to an original span
(:meth:`NormalizedText.original_span`) for snippets and offsets.

Cost: the normalised string is built with C-level string operations (one
``str.lower`` and one replacement per distinct unusual character); the offset
map, which needs a Python step per character, is built lazily and only for the
chunks of about 4,000 characters that a looked-up span falls in. Texts holding
combining marks (or a character whose lower case is longer, such as ``İ``)
take the character-by-character path for the affected chunk.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from bisect import bisect_right
from functools import lru_cache
from itertools import pairwise

__all__ = ["NormalizedText", "normalize", "normalize_simple"]

_DOUBLE_QUOTES = frozenset('"„“”‟«»″‶〝〞〟＂')
_SINGLE_QUOTES = frozenset("'‚‘’‛‹›′‵`´＇")
_DASHES = frozenset("‐‑‒–—―−﹘﹣－")
_REMOVED = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")

# A hyphen at a line end between two word parts. The capital/lower-case test
# is made on the character after the break (see module docstring, rule 1).
# The look-behind comes after the hyphen so the pattern starts with a character
# set, which the regex engine scans for quickly.
_HYPHEN_BREAK = re.compile(
    r"[-\u00ad\u2010\u2011](?<=\w[-\u00ad\u2010\u2011])[ \t]*\r?\n[ \t]*(?=\w)"
)


class NormalizedText:
    """Normalised text and, per character, the index of its original character.

    ``offsets[i]`` is the index in ``original`` of the character that produced
    ``text[i]`` (one original character may produce several, e.g. ``ß``).
    The map is computed on first use, per chunk; treat instances as immutable.
    """

    __slots__ = ("_chunk_norm", "_chunk_offsets", "_chunk_orig", "_offsets", "original", "text")

    def __init__(self, text: str, offsets: array | None = None, original: str = "") -> None:
        self.text = text
        self.original = original
        self._offsets = offsets
        # One chunk covering everything unless _chunked() splits the text.
        self._chunk_orig: list[int] = [0, len(original)]  # original bounds
        self._chunk_norm: list[int] = [0]  # normalised start of each chunk
        self._chunk_offsets: list[array | None] = [offsets]

    @classmethod
    def _chunked(
        cls, text: str, original: str, bounds: list[int], norm_starts: list[int],
        offsets: list[array | None],
    ) -> NormalizedText:  # fmt: skip
        norm = cls(text, None, original)
        norm._chunk_orig, norm._chunk_norm, norm._chunk_offsets = bounds, norm_starts, offsets
        if len(offsets) == 1 and offsets[0] is not None:
            norm._offsets = offsets[0]
        return norm

    @property
    def offsets(self) -> array:
        """The whole map, ``array("l")`` with ``len(offsets) == len(text)``."""
        if self._offsets is None:
            whole = array("l")
            for k in range(len(self._chunk_offsets)):
                whole.extend(self._chunk_map(k))
            self._offsets = whole
        return self._offsets

    def _chunk_map(self, k: int) -> array:
        chunk = self._chunk_offsets[k]
        if chunk is None:
            start, end = self._chunk_orig[k], self._chunk_orig[k + 1]
            _, chunk = _normalize_exact(self.original, start, end)
            self._chunk_offsets[k] = chunk
        return chunk

    def _offset_at(self, i: int) -> int:
        if self._offsets is not None:
            return self._offsets[i]
        k = bisect_right(self._chunk_norm, i) - 1
        return self._chunk_map(k)[i - self._chunk_norm[k]]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original ``[start, end)`` span that produced ``text[start:end]``."""
        if not self.text:
            return (0, 0)
        start = min(max(start, 0), len(self.text) - 1)
        end = min(max(end, start + 1), len(self.text))
        return (self._offset_at(start), self._offset_at(end - 1) + 1)


@lru_cache(maxsize=4096)
def _map_char(cluster: str) -> str:
    folded = unicodedata.normalize("NFKC", cluster).casefold()
    out = []
    for ch in folded:
        if ch in _DOUBLE_QUOTES:
            out.append('"')
        elif ch in _SINGLE_QUOTES:
            out.append("'")
        elif ch in _DASHES:
            out.append("-")
        elif ch in _REMOVED:
            continue
        elif ch.isspace():
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


# Runs of characters that every rule maps to their lower-case self (ASCII and
# Latin-1 letters except ß, digits, plain punctuation, single spaces) take a fast path; a
# character followed by a combining mark stays out so NFKC can compose it.
_COMBINING = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_PLAIN_RUN = re.compile(
    r"(?:[A-Za-z0-9\u00c0-\u00d6\u00d8-\u00de\u00e0-\u00f6\u00f8-\u00ff"
    r"!\"#$%&'()*+,./:;<=>?@\[\]^_{|}~-]"
    rf"(?![{_COMBINING}])| (?!\s))+"
)


# Anything outside the fast path's set: whitespace other than a space, quotes,
# dashes, letters beyond Latin-1, ß, µ, combining marks … (see _fast_text).
_NOT_PLAIN = re.compile(
    r"([^A-Za-z0-9\u00c0-\u00d6\u00d8-\u00de\u00e0-\u00f6\u00f8-\u00ff"
    r"!\"#$%&'()*+,./:;<=>?@\[\]^_{|}~ -])"
)
# Chunks end between two ASCII letters: no rule (hyphen break, cluster, space
# run) can reach across such a cut, so chunks normalise independently.
_CHUNK_CHARS = 4096
_CUT = re.compile(r"(?<=[A-Za-z])[A-Za-z]")


def normalize(text: str) -> NormalizedText:
    """Normalise ``text`` for matching (rules in the module docstring)."""
    bounds = [0]
    while len(text) - bounds[-1] > 2 * _CHUNK_CHARS:
        cut = _CUT.search(text, bounds[-1] + _CHUNK_CHARS)
        if cut is None:
            break
        bounds.append(cut.start())
    bounds.append(len(text))
    pieces: list[str] = []
    norm_starts: list[int] = []
    offsets: list[array | None] = []
    size = 0
    for start, end in pairwise(bounds):
        piece = _fast_text(text, start, end)
        chunk_offsets = None
        if piece is None:
            piece, chunk_offsets = _normalize_exact(text, start, end)
        pieces.append(piece)
        norm_starts.append(size)
        offsets.append(chunk_offsets)
        size += len(piece)
    return NormalizedText._chunked("".join(pieces), text, bounds, norm_starts, offsets)


def _segments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``text[start:end]`` without its line-break hyphenation (rule 1), as spans."""
    segments: list[tuple[int, int]] = []
    pos = start
    for m in _HYPHEN_BREAK.finditer(text, start, end):
        nxt = text[m.end()] if m.end() < end else ""
        # Compound such as "US-\nBotschafter": keep the hyphen, drop the break.
        segments.append((pos, m.start() + 1 if nxt.isupper() else m.start()))
        pos = m.end()
    segments.append((pos, end))
    return segments


def _fast_text(text: str, start: int, end: int) -> str | None:
    """The normalised ``text[start:end]`` by whole-string operations, or ``None``
    when a character needs the per-character path (a combining mark, which
    composes with the character before it, or a lower case of another length).

    Plain characters become their lower case (as in _PLAIN_RUN); every other
    distinct character is mapped once by _map_char; space runs then collapse.
    """
    segments = _segments(text, start, end)
    chunk = text[start:end] if len(segments) == 1 else "".join(text[a:b] for a, b in segments)
    parts = _NOT_PLAIN.split(chunk)
    if len(parts) > 1:
        mapped: dict[str, str] = {}
        for ch in set(parts[1::2]):
            if unicodedata.combining(ch) or len(ch.lower()) != 1:
                return None
            mapped[ch] = _map_char(ch)
        parts[0::2] = [plain.lower() for plain in parts[0::2]]
        parts[1::2] = [mapped[ch] for ch in parts[1::2]]
        out = "".join(parts)
    else:
        out = chunk.lower()
    while "  " in out:
        out = out.replace("  ", " ")
    if out.startswith(" "):
        out = out[1:]
    if out.endswith(" "):
        out = out[:-1]
    return out


def _normalize_exact(text: str, start: int, end: int) -> tuple[str, array]:
    """Normalise ``text[start:end]`` character by character, with the offset map."""
    chars: list[str] = []
    offsets = array("l")
    last_space = True  # drops leading whitespace
    for seg_start, seg_end in _segments(text, start, end):
        i = seg_start
        while i < seg_end:
            run = _PLAIN_RUN.match(text, i, seg_end)
            if run is not None:
                first = i + 1 if last_space and text[i] == " " else i
                chars.append(text[first : run.end()].lower())
                offsets.extend(range(first, run.end()))
                last_space = text[run.end() - 1] == " "
                i = run.end()
                continue
            j = i + 1
            while j < seg_end and unicodedata.combining(text[j]):
                j += 1
            for ch in _map_char(text[i:j]):
                if ch == " ":
                    if last_space:
                        continue
                    last_space = True
                else:
                    last_space = False
                chars.append(ch)
                offsets.append(i)
            i = j
    joined = "".join(chars)
    if joined.endswith(" "):
        joined = joined[:-1]
        offsets.pop()
    return joined, offsets


def normalize_simple(text: str) -> str:
    """Just the normalised string of :func:`normalize` (no offset map)."""
    return normalize(text).text
