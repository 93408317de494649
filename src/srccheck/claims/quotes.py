"""Direct quotes and their speakers in German, English and French text (no I/O).

Quote marks (:func:`find_quotes`), opener → closers:
``„`` → ``“ ”``, ``“`` → ``”``, ``»`` → ``«``, ``«`` → ``»``, ``‚`` → ``‘ ’``,
``‘`` → ``’``, ``‹``/``›`` → each other, ``"`` → ``"``, ``'`` → ``'``.

* An opener stands at the start of the text or after a space, bracket, dash or
  another quote mark; the low marks ``„`` and ``‚`` may stand anywhere. Its
  next character is not a space (French ``«`` and ``»`` may be followed by one).
* A closer is not followed by a letter or digit, so apostrophes in words
  (``don't``, ``Peter's``, ``don’t``) are never quote marks. A space before
  the closer is allowed (``Schrittes. “``), except for ``'`` and ``’``.
* Quotes of another kind inside a quote (``‚…‘`` in ``„…“``) are skipped
  while looking for the closer, so the outer quote is not cut short; only
  outermost quotes are reported.
* A quote may span sentences and single line breaks, never a paragraph
  break (an empty line) and never more than 2000 characters.

Speakers (:func:`find_speaker`): a speech verb right after the quote
(``sagte X``, ``so X``, ``erklärte X``, ``betonte X``, ``kommentierte X``,
``said X``, ``according to X``, also after more words of the same sentence)
or before it (``X sagte:``, ``laut X``, ``X said``). The speaker is the first
person name in that stretch with roles and titles stripped (``der
US-Botschafter bei den Vereinten Nationen, Robert Wood`` → ``Robert Wood``);
failing that, a capitalised word next to the verb (``Biden said``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from srccheck.claims.model import EntityType
from srccheck.claims.names import find_names, is_role_word
from srccheck.claims.numbers import word_set as _words

__all__ = ["QuoteMention", "find_quotes", "find_speaker", "word_count"]


_PAIRS: dict[str, str] = {
    "„": "“”",
    "“": "”",
    "»": "«",
    "«": "»",
    "‚": "‘’",
    "‘": "’",
    "‹": "›",
    "›": "‹",
    '"': '"',
    "'": "'",
}
_LOW_OPENERS = frozenset("„‚")
_SPACED_OPENERS = frozenset("«»")
_BEFORE_OPENER = frozenset(" \t\n([{/—–-\u00a0\u202f" + "".join(_PAIRS))
_TIGHT_CLOSERS = frozenset("'’")
_MAX_QUOTE = 2000
_WORDS = re.compile(r"\w+(?:[-'’]\w+)*")


@dataclass(frozen=True, slots=True)
class QuoteMention:
    """A quotation: ``text`` is ``source[start:end]`` (inside the marks, stripped)."""

    text: str
    start: int
    end: int
    open_at: int  # index of the opening mark
    close_at: int  # index of the closing mark


def word_count(text: str) -> int:
    """Number of words (``don't`` and ``US-Botschafter`` count as one)."""
    return len(_WORDS.findall(text))


def _is_opener(text: str, i: int) -> bool:
    ch = text[i]
    if ch not in _PAIRS:
        return False
    nxt = text[i + 1] if i + 1 < len(text) else ""
    if not nxt or (nxt.isspace() and ch not in _SPACED_OPENERS):
        return False
    if ch in _LOW_OPENERS:
        return True
    prev = text[i - 1] if i > 0 else " "
    if prev not in _BEFORE_OPENER:
        return False
    if ch in "'‘":
        return nxt.isalpha() or nxt in _PAIRS
    return True


def _is_closer(text: str, k: int, opener: str) -> bool:
    if text[k] not in _PAIRS[opener]:
        return False
    nxt = text[k + 1] if k + 1 < len(text) else ""
    if nxt and nxt.isalnum():
        return False
    prev = text[k - 1]
    return not (text[k] in _TIGHT_CLOSERS and prev.isspace())


def _find_close(text: str, i: int, depth: int = 0) -> int | None:
    opener = text[i]
    limit = min(len(text), i + _MAX_QUOTE)
    k = i + 1
    while k < limit:
        ch = text[k]
        if ch == "\n" and text.startswith("\n", k + 1):
            return None
        if k > i + 1 and _is_closer(text, k, opener) and text[i + 1 : k].strip():
            return k
        if depth < 3 and ch != opener and ch in _PAIRS and _is_opener(text, k):
            inner = _find_close(text, k, depth + 1)
            if inner is not None:
                k = inner + 1
                continue
        k += 1
    return None


def find_quotes(text: str) -> list[QuoteMention]:
    """All outermost direct quotes in ``text`` (rules in the module docstring)."""
    out: list[QuoteMention] = []
    i = 0
    n = len(text)
    while i < n:
        if text[i] in _PAIRS and _is_opener(text, i):
            close = _find_close(text, i)
            if close is not None:
                inner = text[i + 1 : close]
                lead = len(inner) - len(inner.lstrip())
                start = i + 1 + lead
                end = i + 1 + len(inner.rstrip())
                out.append(QuoteMention(text[start:end], start, end, i, close))
                i = close + 1
                continue
        i += 1
    return out


_VERBS_AFTER = (
    r"sagte|sagt|sagten|so|erklärte|erklärt|betonte|betont|kommentierte|kommentiert|"
    r"schrieb|schreibt|meinte|meint|ergänzte|warnte|warnt|fügte|kritisierte|"
    r"said|says|added|told|wrote|warned|explained|according\s+to"
)
_VERBS_BEFORE = (
    r"sagte|sagt|erklärte|erklärt|betonte|betont|schrieb|schreibt|meinte|warnte|nannte|"
    r"bezeichnete|said|says|told|wrote|added|warned|called"
)
_AFTER = re.compile(rf"(?:^|[\s,;:–—-])(?:{_VERBS_AFTER})\s+")
# A clause ends at . ! ? ; before a space, but not after an initial ("F.", "W.").
_CLAUSE_END = re.compile(r"(?<![\s.][A-ZÄÖÜ])[.!?;](?=\s|$)")
_AFTER_WHO_VERB = re.compile(
    r"^[\s,]*(?P<who>(?:[A-ZÄÖÜ][\w'’.-]*\s+){0,3}[A-ZÄÖÜ][\w'’-]*)\s+"
    r"(?:said|says|added|told|sagte|sagt)\b"
)
_BEFORE = re.compile(
    rf"(?P<who>[^.!?„“”\"»«]*?)\s+(?:{_VERBS_BEFORE})\b[^.!?„“”\"»«]{{0,60}}[:,]?\s*$"
)
_LAUT = re.compile(r"(?:\b[Ll]aut|\b[Aa]ccording to)\s+(?P<who>[^.!?„“”\"»«,]{2,80}?)\s*[,:]?\s*$")
_CAPITALISED = re.compile(r"[A-ZÄÖÜ][\w'’-]+")
_NOT_SPEAKERS = _words("der die das the he she they we it er sie es wir ich man")


def find_speaker(text: str, quote: QuoteMention, lang: str = "de") -> str | None:
    """The person the text says spoke ``quote``, or ``None`` (rules in the module docstring)."""
    after = text[quote.close_at + 1 : quote.close_at + 1 + 250]
    after = re.split(r"\n\s*\n|[„“\"»«]", after, maxsplit=1)[0]
    sentence_end = _CLAUSE_END.search(after)
    if sentence_end is not None:
        after = after[: sentence_end.end()]
    m = _AFTER_WHO_VERB.match(after)
    if m:
        speaker = _speaker_in(m.group("who"), lang, prefer_last=True)
        if speaker:
            return speaker
    m = _AFTER.search(after)
    if m and m.start() < 160:
        stretch = after[m.end() :]
        end = _CLAUSE_END.search(stretch)
        speaker = _speaker_in(stretch[: end.start()] if end else stretch, lang)
        if speaker:
            return speaker
    before = text[max(0, quote.open_at - 200) : quote.open_at]
    before = re.split(r"\n\s*\n|[.!?]\s", before)[-1]
    for pattern in (_LAUT, _BEFORE):
        m = pattern.search(before)
        if m:
            speaker = _speaker_in(m.group("who"), lang, prefer_last=True)
            if speaker:
                return speaker
    return None


def _speaker_in(stretch: str, lang: str, *, prefer_last: bool = False) -> str | None:
    names = find_names(stretch, lang)
    people = [n for n in names if n.entity is EntityType.PERSON]
    if people:
        return (people[-1] if prefer_last else people[0]).text
    multi = [n for n in names if " " in n.text]
    if multi:
        return (multi[-1] if prefer_last else multi[0]).text
    words = _CAPITALISED.findall(stretch)
    words = [w for w in words if not is_role_word(w) and w.lower() not in _NOT_SPEAKERS]
    if not words:
        return None
    # "sagte Wood" / "Biden said": one capitalised word right next to the verb.
    word = words[-1] if prefer_last else words[0]
    position = stretch.find(word)
    if prefer_last and stretch[position + len(word) :].strip():
        return None
    if not prefer_last and stretch[:position].strip():
        return None
    return word
