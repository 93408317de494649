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
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from dataclasses import dataclass

__all__ = ["NormalizedText", "normalize", "normalize_simple"]

_DOUBLE_QUOTES = frozenset('"„“”‟«»″‶〝〞〟＂')
_SINGLE_QUOTES = frozenset("'‚‘’‛‹›′‵`´＇")
_DASHES = frozenset("‐‑‒–—―−﹘﹣－")
_REMOVED = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")

# A hyphen at a line end between two word parts. The capital/lower-case test
# is made on the character after the break (see module docstring, rule 1).
_HYPHEN_BREAK = re.compile(r"(?<=\w)[-\u00ad\u2010\u2011][ \t]*\r?\n[ \t]*(?=\w)")


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """Normalised text and, per character, the index of its original character.

    ``offsets[i]`` is the index in ``original`` of the character that produced
    ``text[i]`` (one original character may produce several, e.g. ``ß``).
    """

    text: str
    offsets: array  # array("l"), len(offsets) == len(text)
    original: str

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original ``[start, end)`` span that produced ``text[start:end]``."""
        if not self.text:
            return (0, 0)
        start = min(max(start, 0), len(self.text) - 1)
        end = min(max(end, start + 1), len(self.text))
        return (self.offsets[start], self.offsets[end - 1] + 1)


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


def normalize(text: str) -> NormalizedText:
    """Normalise ``text`` for matching (rules in the module docstring)."""
    dropped: list[tuple[int, int]] = []
    for m in _HYPHEN_BREAK.finditer(text):
        nxt = text[m.end()] if m.end() < len(text) else ""
        # Compound such as "US-\nBotschafter": keep the hyphen, drop the break.
        dropped.append((m.start() + 1 if nxt.isupper() else m.start(), m.end()))
    segments: list[tuple[int, int]] = []
    pos = 0
    for start, end in dropped:
        segments.append((pos, start))
        pos = end
    segments.append((pos, len(text)))

    chars: list[str] = []
    offsets = array("l")
    last_space = True  # drops leading whitespace
    for seg_start, seg_end in segments:
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
    return NormalizedText(text=joined, offsets=offsets, original=text)


def normalize_simple(text: str) -> str:
    """Just the normalised string of :func:`normalize` (no offset map)."""
    return normalize(text).text
