"""Throughput of claim matching: claims × MB of page text per second (printed, not asserted).

Builds synthetic German pages around the seed article's body (the article's
own sentences shuffled into filler text), extracts the seed's claims once and
times ``extract_page_text`` and ``match_claims`` over growing page volumes.

Usage: python bench/claims_throughput.py [MB ...]
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

from srccheck.claims import extract_claims, match_claims
from srccheck.text import extract_page_text

SEED = Path(__file__).resolve().parents[1] / "seeds" / "000_5d9ab7691511e32e.txt"


def _pages(body: str, megabytes: float, per_page: int = 200_000) -> list[str]:
    rng = random.Random(42)
    words = body.split()
    pages = []
    total = int(megabytes * 1_000_000)
    while total > 0:
        size = min(per_page, total)
        paragraphs = []
        length = 0
        while length < size:
            start = rng.randrange(len(words))
            paragraph = " ".join(words[start : start + rng.randrange(30, 120)])
            paragraphs.append(f"<p>{paragraph}</p>")
            length += len(paragraph) + 7
        paragraphs.insert(rng.randrange(len(paragraphs)), f"<p>{body}</p>")
        pages.append("<html><body><article>" + "".join(paragraphs) + "</article></body></html>")
        total -= size
    return pages


def main(argv: list[str]) -> int:
    text = SEED.read_text(encoding="utf-8")
    start = text.index("Nach Berichten")
    body = text[start : text.index("Quellen:")]
    claims = extract_claims(body, body_start=start)
    print(f"{len(claims)} claims from the seed article")
    for megabytes in [float(a) for a in argv] or [0.5, 2.0, 8.0]:
        html_pages = _pages(body, megabytes)
        t0 = time.perf_counter()
        texts = [extract_page_text(html) for html in html_pages]
        t1 = time.perf_counter()
        matched = match_claims(claims, [(i, "live", page) for i, page in enumerate(texts)])
        t2 = time.perf_counter()
        chars = sum(len(p.main_text) for p in texts) / 1e6
        found = sum(1 for c in matched if c.verdict and c.verdict.value in ("found", "supported"))
        print(
            f"{megabytes:5.1f} MB HTML, {len(texts):3d} pages: extract {t1 - t0:6.2f} s, "
            f"match {t2 - t1:6.2f} s -> {len(claims) * chars / (t2 - t1):8.1f} claims×MB/s "
            f"({chars:.1f} M chars text, {found}/{len(claims)} found/supported)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
