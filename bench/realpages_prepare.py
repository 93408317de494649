"""Build the real-page evaluation corpus from two public extraction benchmarks.

Usage::

    python bench/realpages_prepare.py SCRAPINGHUB_DIR TRAFILATURA_DIR OUT_DIR
        [--english N] [--german N] [--budget-mb MB]

* ``SCRAPINGHUB_DIR``: a checkout of github.com/scrapinghub/article-extraction-benchmark
  (MIT licence): ``ground-truth.json`` (the article body of each page, written by
  hand) and ``html/<sha256>.html.gz``. English news and blog articles.
* ``TRAFILATURA_DIR``: a checkout of github.com/adbar/trafilatura (Apache-2.0):
  ``tests/evaldata.json`` (per page, segments that belong to the article, "with",
  and segments that do not, "without", chosen by hand) and ``tests/eval/``,
  ``tests/cache/``. German pages of news publishers are taken.

``OUT_DIR`` receives ``pages.jsonl`` (one page per line: id, lang, url, corpus,
truth kind, the ground-truth sentences and, per sentence, whether it occurs
verbatim in inscriptis' rendering of the page — annotators sometimes mend a
typo or a space, and only verbatim sentences are quoted as true), ``html/<id>.html.gz`` and
``ATTRIBUTION.md``. Ground truth, per corpus:

* scrapinghub: every sentence of the hand-written article body (``truth:
  "article"``); sentences cut short by the annotator (ending in "...") are dropped;
* trafilatura: the hand-picked article segments, each widened to its whole
  sentence where the segment occurs verbatim in inscriptis' rendering of all
  the page's visible text (``truth: "segments"``); inscriptis is only used for
  finding the sentence bounds, never as a judge of what is article.

Pages are chosen deterministically (sorted by id; German by the publisher list
below); ``--budget-mb`` stops adding pages when the gzipped HTML would exceed it.
Needs ``inscriptis`` (``pip install inscriptis``; it renders the page's
layout with line breaks and keeps inline elements together) for the German sentence bounds
and the verbatim flags.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import sys
from pathlib import Path

from srccheck.claims.realpages import sentence_present, text_key
from srccheck.fetch.charset import decode_body

#: Host names of German-language news publishers (and public broadcasters)
#: whose pages are taken from trafilatura's evaluation set.
GERMAN_NEWS = re.compile(
    r"(?:^|\.)(?:sueddeutsche|heise|spiegel|zeit|faz|welt|tagesschau|rnz|correctiv|n-tv|"
    r"focus|stern|taz|handelsblatt|br|ndr|mdr|wdr|swr|tagesspiegel|derstandard|orf|nzz|"
    r"mopo|fr|berliner-zeitung|ln-online|mz-web|deutschlandfunk|zdf|ardmediathek|"
    r"tagblatt|tagesanzeiger|freitag|neues-deutschland|cicero|netzpolitik|badische-zeitung|"
    r"computerbild|macwelt|wochenblatt|domradio|katholisch|kath|watson|infosperber|"
    r"tichyseinblick|oe24|volksstimme|tegernseerstimme|finanzmarktwelt|iwr|dw|"
    r"berliner-feuerwehr|bund-naturschutz|autonews|golem|t-online|rp-online|merkur|"
    r"abendblatt|haz|noz|shz|wiwo|kurier|diepresse|salzburg|srf|blick|luzernerzeitung|"
    r"aargauerzeitung|stuttgarter-zeitung|stuttgarter-nachrichten|augsburger-allgemeine)"
    r"\.(?:de|at|ch|net|org|com|info)$",
    re.IGNORECASE,
)
_DE_WORDS = (
    "der die das und nicht ist mit sich auf für den dem ein eine auch werden wurde "
    "von zu im sind hat nach bei wie über noch"
)
_EN_WORDS = "the and is are was were of to in that with for on not it this by"
_DE = frozenset(_DE_WORDS.split())
_EN = frozenset(_EN_WORDS.split())
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"“”»«’']?\s+(?=[\"„“»«A-ZÄÖÜ0-9])|\n")


def sentences(text: str) -> list[str]:
    """Sentences of ``text``: split after . ! ? … before a capital, and at line breaks."""
    out = []
    for part in _SENTENCE_END.split(text):
        part = " ".join(part.split())
        if part:
            out.append(part)
    return out


def _lang_of(snippets: list[str]) -> str | None:
    words = re.findall(r"\w+", " ".join(snippets).lower())
    de = sum(w in _DE for w in words)
    en = sum(w in _EN for w in words)
    if de >= 2 and de > en:
        return "de"
    if en >= 2 and en > de:
        return "en"
    return None


def _widen(snippet: str, lines: list[str]) -> str:
    """The sentence of the visible ``lines`` that holds ``snippet``, else the snippet."""
    for line in lines:
        if snippet in line:
            return next((s for s in sentences(line) if snippet in s), snippet)
    return snippet


def _verbatim(kept: list[str], raw: bytes) -> list[bool]:
    """Per sentence: do its words occur, in order, in inscriptis' rendering of the page?"""
    from inscriptis import get_text

    key = text_key(get_text(decode_body(raw).text))
    return [sentence_present(s, key) for s in kept]


def _scrapinghub(root: Path, limit: int) -> list[tuple[dict, bytes]]:
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    out = []
    for key in sorted(truth):
        body = truth[key].get("articleBody") or ""
        kept = [s for s in sentences(body) if not s.endswith("...") and len(s.split()) >= 3]
        if len(kept) < 5:
            continue
        raw = gzip.decompress((root / "html" / f"{key}.html.gz").read_bytes())
        page = {
            "verbatim": _verbatim(kept, raw),
            "id": f"en-{key[:12]}",
            "lang": "en",
            "url": truth[key]["url"],
            "corpus": "scrapinghub/article-extraction-benchmark",
            "truth": "article",
            "sentences": kept,
        }
        out.append((page, raw))
        if len(out) >= limit:
            break
    return out


def _trafilatura(root: Path, limit: int) -> list[tuple[dict, bytes]]:
    from inscriptis import get_text  # only needed here, for sentence bounds

    data = json.loads((root / "tests" / "evaldata.json").read_text(encoding="utf-8"))
    out = []
    for url in sorted(data):
        entry = data[url]
        host = re.sub(r"^https?://", "", url).split("/")[0].split(":")[0]
        if not GERMAN_NEWS.search(host) or _lang_of(entry["with"]) != "de":
            continue
        path = next(
            (p for d in ("eval", "cache") if (p := root / "tests" / d / entry["file"]).exists()),
            None,
        )
        if path is None:
            continue
        raw = path.read_bytes()
        visible = get_text(decode_body(raw).text)
        lines = [" ".join(line.split()) for line in visible.splitlines()]
        kept = []
        for snippet in entry["with"]:
            sentence = _widen(" ".join(snippet.split()), lines)
            if len(sentence.split()) >= 3 and sentence not in kept:
                kept.append(sentence)
        if len(kept) < 2:
            continue
        page = {
            "verbatim": _verbatim(kept, raw),
            "id": "de-" + hashlib.sha256(url.encode()).hexdigest()[:12],
            "lang": "de",
            "url": url,
            "corpus": "adbar/trafilatura tests/evaldata.json",
            "truth": "segments",
            "sentences": kept,
        }
        out.append((page, raw))
        if len(out) >= limit:
            break
    return out


ATTRIBUTION = """\
# Real news pages for srccheck's evaluation

The HTML files are copies of public web pages; their text belongs to the
publishers named by each page's URL (`pages.jsonl`). They are redistributed
here, unchanged, from two public benchmarks of article extraction, for
evaluation only:

* `corpus: scrapinghub/article-extraction-benchmark` —
  github.com/scrapinghub/article-extraction-benchmark, MIT licence, Copyright
  (c) 2020 Scrapinghub. Ground truth: the article body written by hand
  (`ground-truth.json`), split into sentences here.
* `corpus: adbar/trafilatura tests/evaldata.json` — github.com/adbar/trafilatura,
  Apache License 2.0, evaluation data by Adrien Barbaresi, Lukas Kozmus, Lena
  Klink (BBAW collection). Ground truth: hand-picked segments of the article
  ("with"), each widened to its sentence.

Built by `bench/realpages_prepare.py`; see the README's evaluation section.
"""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scrapinghub", type=Path)
    parser.add_argument("trafilatura", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--english", type=int, default=1000)
    parser.add_argument("--german", type=int, default=1000)
    parser.add_argument("--budget-mb", type=float, default=0.0, help="0: no limit")
    args = parser.parse_args(argv)
    for folder, marker in ((args.scrapinghub, "ground-truth.json"),
                           (args.trafilatura, "tests/evaldata.json")):  # fmt: skip
        if not (folder / marker).exists():
            print(f"error: {folder} has no {marker}", file=sys.stderr)
            return 2
    english = _scrapinghub(args.scrapinghub, args.english)
    german = _trafilatura(args.trafilatura, args.german)
    (args.out / "html").mkdir(parents=True, exist_ok=True)
    budget = args.budget_mb * 1_000_000
    used = 0
    lines = []
    # Alternate languages so a budget cut keeps both.
    for k in range(max(len(english), len(german))):
        for chosen in (english[k : k + 1], german[k : k + 1]):
            for page, raw in chosen:
                packed = gzip.compress(raw, compresslevel=9, mtime=0)
                if budget and used + len(packed) > budget:
                    continue
                used += len(packed)
                (args.out / "html" / f"{page['id']}.html.gz").write_bytes(packed)
                lines.append(json.dumps(page, ensure_ascii=False))
    (args.out / "pages.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (args.out / "ATTRIBUTION.md").write_text(ATTRIBUTION, encoding="utf-8")
    n_de = sum('"lang": "de"' in line for line in lines)
    print(f"{len(lines)} pages ({len(lines) - n_de} en, {n_de} de), {used / 1e6:.1f} MB gzipped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
