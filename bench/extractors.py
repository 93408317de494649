"""Page-text extractors compared on real news pages: article-sentence recall and time per page.

Usage: python bench/extractors.py [CORPUS_DIR] [--repeat N] [--misses]

CORPUS_DIR defaults to the 102 pages shipped in tests/claims/realpages/; the
full 219-page corpus is built by bench/realpages_prepare.py. For each page and
extractor: the share of the page's ground-truth article sentences present in
the extracted text (rule: srccheck.claims.realpages.sentence_present), and the
time to extract it from the decoded HTML (median over pages of the best of
--repeat runs, one core). Extractors that are not installed are listed and
skipped: pip install trafilatura justext inscriptis html-text resiliparse.

Rows: srccheck's searchable text (PageText.full_text, every visible text the
claims are matched against) and its main region (PageText.main_text), then
the other extractors with the settings that favour recall.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from srccheck.claims.realpages import RealPage, load_real_pages, sentence_present, text_key
from srccheck.text import extract_page_text

DEFAULT_DIR = Path(__file__).resolve().parents[1] / "tests" / "claims" / "realpages"

Extractor = Callable[[RealPage], str]


def _srccheck_full(page: RealPage) -> str:
    return extract_page_text(page.html, page.url).full_text


def _srccheck_main(page: RealPage) -> str:
    return extract_page_text(page.html, page.url).main_text


def _available() -> tuple[dict[str, Extractor], list[str]]:
    found: dict[str, Extractor] = {
        "srccheck full_text (searchable)": _srccheck_full,
        "srccheck main_text": _srccheck_main,
    }
    missing: list[str] = []
    try:
        import trafilatura

        def traf_recall(page: RealPage) -> str:
            return trafilatura.extract(page.html, favor_recall=True, include_tables=True) or ""

        def traf_default(page: RealPage) -> str:
            return trafilatura.extract(page.html) or ""

        found[f"trafilatura {version('trafilatura')} favor_recall"] = traf_recall
        found[f"trafilatura {version('trafilatura')} default"] = traf_default
    except ImportError:
        missing.append("trafilatura")
    try:
        import justext

        def jt(page: RealPage) -> str:
            stop = justext.get_stoplist("German" if page.lang == "de" else "English")
            paragraphs = justext.justext(page.html, stop)
            return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)

        found[f"jusText {version('jusText')}"] = jt
    except (ImportError, PackageNotFoundError):
        missing.append("justext")
    try:
        from inscriptis import get_text

        found[f"inscriptis {version('inscriptis')} (all text)"] = lambda p: get_text(p.html)
    except ImportError:
        missing.append("inscriptis")
    try:
        import html_text

        found[f"html-text {version('html-text')} (all text)"] = lambda p: html_text.extract_text(
            p.html
        )
    except ImportError:
        missing.append("html-text")
    try:
        from resiliparse.extract.html2text import extract_plain_text

        rv = version("resiliparse")
        found[f"resiliparse {rv} main_content"] = lambda p: extract_plain_text(
            p.html, main_content=True
        )
        found[f"resiliparse {rv} (all text)"] = lambda p: extract_plain_text(
            p.html, main_content=False
        )
    except ImportError:
        missing.append("resiliparse")
    return found, missing


def measure(
    pages: list[RealPage], extractor: Extractor, repeat: int
) -> tuple[dict[str, list[float]], float, list[str]]:
    """Per-language recall lists, the median ms per page, and the missed sentences."""
    recall: dict[str, list[float]] = {"all": []}
    times: list[float] = []
    misses: list[str] = []
    for page in pages:
        best = float("inf")
        text = ""
        for _ in range(repeat):
            t0 = time.thread_time()
            text = extractor(page)
            best = min(best, time.thread_time() - t0)
        times.append(best * 1000)
        key = text_key(text)
        hits = [sentence_present(s, key) for s in page.sentences]
        share = sum(hits) / len(hits)
        recall["all"].append(share)
        recall.setdefault(page.lang, []).append(share)
        misses.extend(
            f"{page.id} {page.url}: {s[:90]}"
            for s, h in zip(page.sentences, hits, strict=True)
            if not h
        )
    return recall, statistics.median(times), misses


def main(argv: list[str]) -> int:
    show_misses = "--misses" in argv
    repeat = 1
    args: list[str] = []
    it = iter(argv)
    for arg in it:
        if arg == "--repeat":
            repeat = int(next(it, "1"))
        elif arg != "--misses":
            args.append(arg)
    directory = Path(args[0]) if args else DEFAULT_DIR
    if not (directory / "pages.jsonl").exists():
        print(f"error: {directory} holds no pages.jsonl (see bench/realpages_prepare.py)",
              file=sys.stderr)  # fmt: skip
        return 2
    pages = load_real_pages(directory)
    langs = sorted({p.lang for p in pages})
    counts = ", ".join(f"{sum(p.lang == lang for p in pages)} {lang}" for lang in langs)
    print(f"{len(pages)} pages ({counts}) from {directory}")
    extractors, missing = _available()
    if missing:
        print(f"not installed, skipped: {', '.join(missing)}")
    print("recall: mean share of a page's article sentences present in the text;")
    print("pages ≥0.99: pages with at least 99 % of their sentences present")
    head = f"{'extractor':<40} " + " ".join(f"{'recall ' + lang:>10}" for lang in ["all", *langs])
    print(head + f" {'pages ≥0.99':>12} {'ms/page':>8}")
    for name, extractor in extractors.items():
        recall, ms, misses = measure(pages, extractor, repeat)
        cells = " ".join(f"{statistics.fmean(recall[k]):>10.3f}" for k in ["all", *langs])
        full = sum(r >= 0.99 for r in recall["all"])
        print(f"{name:<40} {cells} {full:>7}/{len(pages):<4} {ms:>8.1f}")
        if show_misses and name.startswith("srccheck"):
            for miss in misses:
                print(f"    missed: {miss}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
