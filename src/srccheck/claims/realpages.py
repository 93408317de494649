"""The real-page evaluation corpus: pages, ground truth, sentence recall (no I/O but reading).

A corpus directory (built by ``bench/realpages_prepare.py``; a 102-page copy
ships in ``tests/claims/realpages/``) holds ``pages.jsonl`` — one page per
line: ``id``, ``lang``, ``url``, ``corpus``, ``truth`` (``article``: every
sentence of a hand-written article body; ``segments``: hand-picked article
segments widened to their sentence) and ``sentences`` — and the page itself
as ``html/<id>.html.gz``, decoded the way the fetch stage decodes a body.

:func:`sentence_present` is the one rule for "this sentence is in that text",
used for the page-text recall of every extractor: both sides are normalised
(:func:`srccheck.text.normalize.normalize_simple`) and reduced to their word
tokens; the sentence's tokens must occur adjacent and in order (its first and
last may be parts of words: hand-picked segments sometimes cut a word).
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from pathlib import Path

from srccheck.fetch.charset import decode_body
from srccheck.text.normalize import normalize_simple

__all__ = ["RealPage", "load_real_pages", "sentence_present", "text_key"]

_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class RealPage:
    """One real news page with the ground truth of its article."""

    id: str
    lang: str
    url: str
    corpus: str
    truth: str  # "article" or "segments"
    sentences: tuple[str, ...]
    html: str


def load_real_pages(directory: Path) -> list[RealPage]:
    """Every page of the corpus in ``directory``, in file order.

    Raises ``FileNotFoundError`` when ``directory`` has no ``pages.jsonl``.
    """
    pages = []
    for line in (directory / "pages.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        raw = json.loads(line)
        body = gzip.decompress((directory / "html" / f"{raw['id']}.html.gz").read_bytes())
        pages.append(
            RealPage(
                id=raw["id"],
                lang=raw["lang"],
                url=raw["url"],
                corpus=raw["corpus"],
                truth=raw["truth"],
                sentences=tuple(raw["sentences"]),
                html=decode_body(body).text,
            )
        )
    return pages


def text_key(text: str) -> str:
    """``text`` normalised and reduced to its word tokens, one space apart, padded."""
    return " " + " ".join(_WORD.findall(normalize_simple(text))) + " "


def sentence_present(sentence: str, key_of_text: str) -> bool:
    """Whether ``sentence``'s words occur adjacent and in order in the text whose
    :func:`text_key` is ``key_of_text``."""
    key = text_key(sentence).strip()
    return key != "" and key in key_of_text
