"""Print how well srccheck extracts and checks claims.

Usage: python bench/claims_eval.py [--misses] [DIRECTORY] [--pages CORPUS_DIR]

1. Claim extraction on the hand-labelled paragraphs of DIRECTORY (default
   tests/claims/eval/): precision and recall per kind.
2. Claim checking on real news pages (CORPUS_DIR, default the 102 pages of
   tests/claims/realpages/; bench/realpages_prepare.py builds the full corpus):
   one generated seed-format article per page with true and altered quotes and
   unquoted number sentences (srccheck.claims.realpages), run through the
   pipeline's page-text extraction, claim extraction and matching. Printed:
   precision and recall per kind, the altered sentences marked `supported`
   per alteration, the true sentences `supported`, and the share of the
   pages' article sentences in the searchable and the main text.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

from srccheck.claims.evaluation import evaluate, load_eval_set
from srccheck.claims.realpages import (
    Kind,
    generate_articles,
    load_real_pages,
    score_articles,
)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DIR = ROOT / "tests" / "claims" / "eval"
DEFAULT_PAGES = ROOT / "tests" / "claims" / "realpages"

_KIND_NAMES = {
    Kind.TRUE_QUOTE: "true quote (verbatim or typographic variant)",
    Kind.QUOTE_NUMBER: "quote, one digit changed",
    Kind.QUOTE_NEGATION: "quote, negation added or removed",
    Kind.QUOTE_SWAP: "quote, one content word swapped",
    Kind.QUOTE_FOREIGN: "quote, sentence of another page",
    Kind.TRUE_NUMBERS: "unquoted number sentence as on the page",
    Kind.NUMBERS_DIGIT: "unquoted, one digit changed",
    Kind.NUMBERS_NEGATION: "unquoted, negation added",
}


def _labelled_set(directory: Path, show_misses: bool) -> None:
    items = load_eval_set(directory)
    scores = evaluate(items)
    print(f"Claim extraction: {len(items)} labelled paragraphs from {directory}")
    print(f"{'kind':<9} {'precision':>9} {'recall':>7} {'tp':>4} {'fp':>4} {'fn':>4}")
    for kind, score in scores.items():
        print(
            f"{kind:<9} {score.precision:>9.2f} {score.recall:>7.2f} "
            f"{score.tp:>4} {score.fp:>4} {score.fn:>4}"
        )
    if show_misses:
        for kind, score in scores.items():
            for miss in score.misses:
                print(f"  {kind}: {miss}")


def _real_pages(directory: Path, show_misses: bool) -> None:
    pages = load_real_pages(directory)
    articles = generate_articles(pages)
    scores = score_articles(articles)
    langs = sorted({p.lang for p in pages})
    counts = ", ".join(f"{sum(p.lang == lang for p in pages)} {lang}" for lang in langs)
    print()
    print(f"Claim checking on real pages: {len(pages)} pages ({counts}) from {directory}")
    print(f"{'kind':<10} {'precision':>9} {'recall':>7} {'tp':>4} {'fp':>4} {'fn':>4}")
    rows = [("quote", scores.quote)]
    rows += [(f"quote {lang}", scores.quote_by_lang[lang]) for lang in langs]
    rows += [("number", scores.number), ("name", scores.name), ("key claim", scores.key_claim)]
    for name, score in rows:
        print(
            f"{name:<10} {score.precision:>9.2f} {score.recall:>7.2f} "
            f"{score.tp:>4} {score.fp:>4} {score.fn:>4}"
        )
    print("(quote/number/name: predicted true = `found`; key claim: every key claim of the")
    print(" sentence `supported`; any other verdict counts as not supported)")
    print()
    print(f"{'article sentence':<46} {'supported':>9} {'of':>4} {'share':>6} {'no claim':>9}")
    for kind in Kind:
        supported, total, no_claim = scores.sentences.get(kind, [0, 0, 0])
        share = supported / total if total else 0.0
        print(f"{_KIND_NAMES[kind]:<46} {supported:>9} {total:>4} {share:>6.2f} {no_claim:>9}")
    true = [scores.sentences.get(k, [0, 0, 0]) for k in Kind if k.true]
    altered = [scores.sentences.get(k, [0, 0, 0]) for k in Kind if not k.true]
    t_sup, t_all = sum(t[0] for t in true), sum(t[1] for t in true)
    a_sup, a_all = sum(a[0] for a in altered), sum(a[1] for a in altered)
    print(f"{'true sentences supported':<46} {t_sup:>9} {t_all:>4} {t_sup / t_all:>6.2f}")
    print(f"{'altered sentences supported':<46} {a_sup:>9} {a_all:>4} {a_sup / a_all:>6.2f}")
    print()
    print("Page text: mean share of a page's article sentences present (pages with ≥ 0.99)")
    for name, recall in (("searchable (full_text)", scores.full_recall),
                         ("main region (main_text)", scores.main_recall)):  # fmt: skip
        every = [r for lang in langs for r in recall[lang]]
        cells = "  ".join(f"{lang} {statistics.fmean(recall[lang]):.3f}" for lang in langs)
        full = sum(r >= 0.99 for r in every)
        print(f"  {name:<24} all {statistics.fmean(every):.3f}  {cells}  ({full}/{len(every)})")
    if show_misses:
        for name, score in rows[:1] + rows[-3:]:
            for miss in score.misses:
                print(f"  {name}: {miss}")


def main(argv: list[str]) -> int:
    show_misses = "--misses" in argv
    args: list[str] = []
    pages_dir = DEFAULT_PAGES
    it = iter(a for a in argv if a != "--misses")
    for arg in it:
        if arg == "--pages":
            pages_dir = Path(next(it, ""))
        else:
            args.append(arg)
    directory = Path(args[0]) if args else DEFAULT_DIR
    if not (pages_dir / "pages.jsonl").is_file():
        print(f"error: {pages_dir} holds no pages.jsonl (see bench/realpages_prepare.py)",
              file=sys.stderr)  # fmt: skip
        return 2
    _labelled_set(directory, show_misses)
    _real_pages(pages_dir, show_misses)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
