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
import random
import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from srccheck.claims.evaluation import Score
from srccheck.claims.extract import extract_claims
from srccheck.claims.match import match_claims
from srccheck.claims.model import ClaimKind
from srccheck.claims.numbers import guess_locale, word_set
from srccheck.fetch.charset import decode_body
from srccheck.text.extract import extract_page_text
from srccheck.text.normalize import normalize_simple

__all__ = [
    "SEED",
    "Kind",
    "Labelled",
    "LabelledArticle",
    "RealPage",
    "RealPageScores",
    "generate_articles",
    "load_real_pages",
    "score_articles",
    "sentence_present",
    "text_key",
]

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
    verbatim: tuple[bool, ...] = ()  # per sentence: on the page word for word


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
                verbatim=tuple(raw.get("verbatim", [True] * len(raw["sentences"]))),
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


# -- labels ------------------------------------------------------------------------

#: Seed of the label generator: the same corpus always gives the same labels.
SEED = 14

_DOUBLE_QUOTE_MARKS = frozenset('"„“”«»')
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_AUX = {
    "de": word_set(
        """
        ist sind war waren hat haben hatte hatten wird werden wurde wurden kann können
        soll sollen muss müssen will wollen sei seien habe gibt gab darf dürfen
        """
    ),
    "en": word_set("is are was were will would can could should has have had does did must may"),
}
_STOP = word_set(
    """
    about after their there these those which while where would could should other
    being because before between under again against during through without within
    einer einem einen eines diese dieser dieses wurde wurden werden haben hatte
    sollen können müssen sowie nicht keine noch schon auch aber oder weil dass
    """
)


class Kind(StrEnum):
    """What a labelled article sentence is."""

    TRUE_QUOTE = "true_quote"  # a page sentence quoted verbatim or with a typographic variant
    QUOTE_NUMBER = "quote_number"  # quoted, one digit changed
    QUOTE_NEGATION = "quote_negation"  # quoted, a negation added or removed
    QUOTE_SWAP = "quote_swap"  # quoted, one content word swapped
    QUOTE_FOREIGN = "quote_foreign"  # quoted, a sentence of another page
    TRUE_NUMBERS = "true_numbers"  # unquoted, with numbers, as the page states it
    NUMBERS_DIGIT = "numbers_digit"  # unquoted, one digit changed
    NUMBERS_NEGATION = "numbers_negation"  # unquoted, a negation added

    @property
    def true(self) -> bool:
        return self in (Kind.TRUE_QUOTE, Kind.TRUE_NUMBERS)

    @property
    def quoted(self) -> bool:
        return self.value.startswith(("true_quote", "quote_"))


@dataclass(frozen=True, slots=True)
class Labelled:
    """One sentence of a generated article: its span in the body, kind and how it was made."""

    start: int
    end: int
    kind: Kind
    variant: str  # true quotes: verbatim, quote_marks, nbsp, soft_hyphen, line_break
    source_sentence: str


@dataclass(frozen=True, slots=True)
class LabelledArticle:
    """A seed-format article body citing one real page, with every sentence labelled."""

    page: RealPage
    body: str
    sentences: tuple[Labelled, ...]


def _quotable(sentence: str) -> bool:
    """A whole sentence (capital or digit first, . ! ? last) of 5-45 words, no double quotes."""
    words = len(sentence.split())
    whole = (sentence[:1].isupper() or sentence[:1].isdigit()) and sentence[-1:] in ".!?"
    return whole and 5 <= words <= 45 and not (_DOUBLE_QUOTE_MARKS & set(sentence))


def _change_digit(sentence: str, rng: random.Random) -> str | None:
    numbers = list(_NUMBER.finditer(sentence))
    if not numbers:
        return None
    m = rng.choice(numbers)
    digits = [i for i in range(m.start(), m.end()) if sentence[i].isdigit()]
    pos = digits[-1] if len(digits) == 1 or rng.random() < 0.5 else digits[-2]
    new = str((int(sentence[pos]) + rng.randint(1, 8)) % 10)
    if pos == m.start() and new == "0" and len(digits) > 1:
        new = "9"  # no leading zero
    return sentence[:pos] + new + sentence[pos + 1 :]


def _flip_negation(sentence: str, lang: str, *, add_only: bool = False) -> str | None:
    if not add_only:
        if lang == "de":
            if re.search(r"\bnicht\b", sentence):
                return re.sub(r"\s*\bnicht\b", "", sentence, count=1)
            if re.search(r"\b[Kk]ein(e[nmrs]?)?\b", sentence):  # "keine" → "eine"
                return re.sub(r"\b([Kk])e(?=in)", lambda m: "E" if m.group(1) == "K" else "e",
                              sentence, count=1)  # fmt: skip
        else:
            if re.search(r"\bnot\b", sentence):
                return re.sub(r"\s*\bnot\b", "", sentence, count=1)
            if "n't" in sentence:
                return (sentence.replace("can't", "can").replace("won't", "will")
                        .replace("n't", "", 1))  # fmt: skip
    for word in re.finditer(r"\w+", sentence):
        if word.group(0) in _AUX[lang] and word.start() > 0:
            insert = " nicht" if lang == "de" else " not"
            return sentence[: word.end()] + insert + sentence[word.end() :]
    return None


def _content_words(sentence: str, lang: str) -> list[re.Match[str]]:
    words = list(re.finditer(r"[^\W\d_]{5,}", sentence))[1:]  # never the first word
    return [
        w for w in words
        if w.group(0).lower() not in _STOP and (lang == "de" or w.group(0).islower())
    ]  # fmt: skip


def _swap_word(sentence: str, lang: str, donors: list[str], rng: random.Random) -> str | None:
    own = _content_words(sentence, lang)
    if not own:
        return None
    target = rng.choice(own)
    upper = target.group(0)[0].isupper()
    pool = sorted({
        w.group(0) for d in donors for w in _content_words(d, lang)
        if w.group(0)[0].isupper() == upper and w.group(0).lower() not in sentence.lower()
    })  # fmt: skip
    if not pool:
        return None
    return sentence[: target.start()] + rng.choice(pool) + sentence[target.end() :]


_TRUE_VARIANTS = ("verbatim", "quote_marks", "nbsp", "soft_hyphen", "line_break")


def _true_variant(quote: str, variant: str) -> str:
    if variant == "nbsp":
        return quote.replace(" ", "\u00a0", 1)
    if variant == "line_break":
        spaces = [i for i, c in enumerate(quote) if c == " "]
        return quote[: spaces[len(spaces) // 2]] + "\n" + quote[spaces[len(spaces) // 2] + 1 :]
    if variant == "soft_hyphen":
        word = max(re.finditer(r"[^\W\d_]+", quote), key=lambda m: len(m.group(0)))
        cut = word.start() + len(word.group(0)) // 2
        return quote[:cut] + "\u00ad" + quote[cut:]
    return quote


def _quote_sentence(quote: str, lang: str, *, other_marks: bool = False) -> str:
    if lang == "de":
        return f"Laut Bericht hieß es: \"{quote}\"." if other_marks else \
            f"Laut Bericht hieß es: „{quote}“."  # fmt: skip
    return f"According to the report: “{quote}”." if other_marks else \
        f'According to the report: "{quote}".'  # fmt: skip


def _strip_end(sentence: str) -> str:
    return sentence.rstrip(" .!?…:;,")


def generate_articles(pages: list[RealPage], seed: int = SEED) -> list[LabelledArticle]:
    """One labelled seed-format article body per page (deterministic for a seed).

    Per page, each from a different ground-truth sentence where the page has
    enough: one true quote (the variant rotates over verbatim, the other
    quote marks, a no-break space, a soft hyphen, a line break), one altered
    quote (the kind rotates over a changed digit, a negation added or removed,
    a swapped content word, a sentence of another page of the same language;
    a kind the page's sentences do not allow falls through to the next), and
    up to three unquoted sentences holding digits: verbatim, one digit
    changed, a negation added. Each sentence is its own paragraph.
    """
    rng = random.Random(seed)
    by_lang: dict[str, list[RealPage]] = {}
    for page in pages:
        by_lang.setdefault(page.lang, []).append(page)
    altered_kinds = (Kind.QUOTE_NUMBER, Kind.QUOTE_NEGATION, Kind.QUOTE_SWAP, Kind.QUOTE_FOREIGN)
    articles = []
    for n, page in enumerate(pages):
        others = [p for p in by_lang[page.lang] if p.id != page.id]
        donors = [
            s for p in others for s, ok in zip(p.sentences, p.verbatim, strict=True)
            if ok and _quotable(s)
        ]  # fmt: skip
        unused = [
            s for s, ok in zip(page.sentences, page.verbatim, strict=True) if ok and _quotable(s)
        ]
        rng.shuffle(unused)
        made: list[tuple[str, Kind, str, str]] = []  # (article sentence, kind, variant, source)

        def take(want_digit: bool = False, unused: list[str] = unused) -> str | None:
            for k, s in enumerate(unused):
                if not want_digit or _NUMBER.search(s):
                    return unused.pop(k)
            return None

        sentence = take()
        if sentence is not None:
            variant = _TRUE_VARIANTS[n % len(_TRUE_VARIANTS)]
            quote = _true_variant(_strip_end(sentence), variant)
            made.append((_quote_sentence(quote, page.lang, other_marks=variant == "quote_marks"),
                         Kind.TRUE_QUOTE, variant, sentence))  # fmt: skip
        first = n % len(altered_kinds)
        for kind in altered_kinds[first:] + altered_kinds[:first]:
            altered: str | None = None
            source = ""
            if kind is Kind.QUOTE_FOREIGN:
                key = text_key(" ".join(page.sentences))
                pool = [d for d in donors if not sentence_present(d, key)]
                source = rng.choice(pool) if pool else ""
                altered = source or None
            else:
                for candidate in list(unused):
                    if kind is Kind.QUOTE_NUMBER:
                        altered = _change_digit(candidate, rng)
                    elif kind is Kind.QUOTE_NEGATION:
                        altered = _flip_negation(candidate, page.lang)
                    else:
                        altered = _swap_word(candidate, page.lang, donors, rng)
                    if altered is not None:
                        source = candidate
                        unused.remove(candidate)
                        break
            if altered is not None:
                made.append((_quote_sentence(_strip_end(altered), page.lang), kind, "", source))
                break
        for kind in (Kind.TRUE_NUMBERS, Kind.NUMBERS_DIGIT, Kind.NUMBERS_NEGATION):
            source = take(want_digit=True) or ""
            if not source:
                break
            if kind is Kind.TRUE_NUMBERS:
                text: str | None = source
            elif kind is Kind.NUMBERS_DIGIT:
                text = _change_digit(source, rng)
            else:
                text = _flip_negation(source, page.lang, add_only=True)
            if text is not None:
                made.append((_strip_end(text) + ".", kind, "", source))
        body = ""
        labelled = []
        for text, kind, variant, source in made:
            if body:
                body += "\n\n"
            labelled.append(Labelled(len(body), len(body) + len(text), kind, variant, source))
            body += text
        if labelled:
            articles.append(LabelledArticle(page, body, tuple(labelled)))
    return articles


# -- scoring -----------------------------------------------------------------------


@dataclass(slots=True)
class RealPageScores:
    """What srccheck's claim extraction and matching make of the labelled articles.

    Per kind, a positive is a claim the page supports; the predicted positive
    is the verdict ``found`` (quotes, numbers, names) or ``supported`` (key
    claims). Any other verdict — including ones added later — counts as not
    supported.
    """

    pages: int = 0
    quote: Score = field(default_factory=Score)
    quote_by_lang: dict[str, Score] = field(default_factory=dict)
    number: Score = field(default_factory=Score)
    name: Score = field(default_factory=Score)
    key_claim: Score = field(default_factory=Score)
    #: kind → [sentences whose key claims are all supported, sentences, sentences without one]
    sentences: dict[Kind, list[int]] = field(default_factory=dict)
    #: lang → share of a page's ground-truth sentences in the text, per page
    full_recall: dict[str, list[float]] = field(default_factory=dict)
    main_recall: dict[str, list[float]] = field(default_factory=dict)


def _tally(score: Score, truth: bool, predicted: bool, note: str) -> None:
    if truth and predicted:
        score.tp += 1
    elif truth:
        score.fn += 1
        score.misses.append(f"missed {note}")
    elif predicted:
        score.fp += 1
        score.misses.append(f"wrongly {note}")


def score_articles(articles: list[LabelledArticle]) -> RealPageScores:
    """Run each article through the pipeline's claim functions against its page (no I/O).

    The page text is :func:`srccheck.text.extract_page_text` of the page; the
    claims are :func:`~srccheck.claims.extract_claims` of the body with the
    language the pipeline would guess, matched by
    :func:`~srccheck.claims.match_claims` as the live copy of source 0.
    Claims belong to the labelled sentence their span starts in. A sentence
    is ``supported`` when it has key claims and all of them are supported.
    Numbers are true when their digits occur in the page's ground truth; names
    when the name does (case-insensitively).
    """
    scores = RealPageScores()
    for article in articles:
        page = article.page
        scores.pages += 1
        text = extract_page_text(page.html, page.url)
        truth_text = " ".join(page.sentences)
        truth_lower = truth_text.casefold()
        for part, target in ((text.full_text, scores.full_recall),
                             (text.main_text, scores.main_recall)):  # fmt: skip
            key = text_key(part)
            share = sum(sentence_present(s, key) for s in page.sentences) / len(page.sentences)
            target.setdefault(page.lang, []).append(share)
        lang = guess_locale(article.body).value
        claims = match_claims(extract_claims(article.body, lang=lang), [(0, "live", text)])
        by_lang = scores.quote_by_lang.setdefault(page.lang, Score())
        for label in article.sentences:
            inside = [c for c in claims if label.start <= c.start < label.end]
            where = f"{page.id} {label.kind}: {article.body[label.start : label.end][:120]!r}"
            if label.kind.quoted:
                found = any(c.verdict == "found" for c in inside if c.kind is ClaimKind.QUOTE)
                for score in (scores.quote, by_lang):
                    _tally(score, label.kind.true, found, f"quote {where}")
            keys = [c for c in inside if c.kind is ClaimKind.KEY_CLAIM]
            supported = bool(keys) and all(c.verdict == "supported" for c in keys)
            _tally(scores.key_claim, label.kind.true, supported, f"key claim {where}")
            tally = scores.sentences.setdefault(label.kind, [0, 0, 0])
            tally[0] += supported
            tally[1] += 1
            tally[2] += not keys
            for claim in inside:
                if claim.kind is ClaimKind.NUMBER:
                    digits = _NUMBER.search(claim.text)
                    truth = (
                        digits is not None
                        and re.search(
                            rf"(?<![\d.,]){re.escape(digits.group(0))}(?![\d]|[.,]\d)", truth_text
                        )
                        is not None
                    )
                    _tally(scores.number, truth, claim.verdict == "found",
                           f"number {claim.text!r} in {where}")  # fmt: skip
                elif claim.kind is ClaimKind.NAME:
                    truth = claim.text.casefold() in truth_lower
                    _tally(scores.name, truth, claim.verdict == "found",
                           f"name {claim.text!r} in {where}")  # fmt: skip
    return scores
