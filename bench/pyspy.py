"""Read py-spy's collapsed stacks (``--format raw``) and rank frames by share of samples.

    python bench/pyspy.py bench/results/<timestamp>/cold.pyspy.txt [N]

Self share: samples whose innermost frame is the function; inclusive share:
samples with the function anywhere on the stack (counted once per sample).
Line numbers are dropped, so a function's lines add up.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["STAGES", "FrameShares", "frame_shares", "main", "stage_shares"]

_LINE = re.compile(r":\d+\)$")


@dataclass(frozen=True, slots=True)
class FrameShares:
    samples: int
    self_samples: Counter[str]
    inclusive_samples: Counter[str]


def _stacks(path: Path) -> Iterator[tuple[list[str], int]]:
    """Each stack of a collapsed-stacks file (outermost frame first) and its samples."""
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            yield stack.split(";"), int(count)


def frame_shares(path: Path) -> FrameShares:
    """Count self and inclusive samples per function in a collapsed-stacks file."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for stack, n in _stacks(path):
        total += n
        frames = [_LINE.sub(")", frame) for frame in stack]
        own[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
    return FrameShares(total, own, inclusive)


#: Where a sample's time goes: the first stage with a marker in any frame of the sample's
#: stack (a frame is "function (file:line)", the file relative to its site-packages or
#: source folder, e.g. "(aiohttp/client.py:1)"; a marker is a substring of it). Order
#: matters: a page parsed inside the Fetcher is page inspection, not the Fetcher, and a
#: module imported late is start-up wherever it was imported from.
STAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "start-up (imports, template compiling)",
        ("_find_and_load", "Environment.compile ", "Environment._load_template "),
    ),
    (
        "HTTP client libraries (aiohttp; httpx URLs)",
        ("(aiohttp/", "(httpx/", "(httpcore/", "(h11/", "(yarl/", "(multidict/",
         "Fetcher._read_capped "),
    ),
    (
        "page inspection (charset, HTML parse, title, headings, markers)",
        ("inspect_body ", "decode_body ", "tree_title ", "tree_headings ",
         "tree_paywall_signals ", "tree_consent_markup ", "page_title ", "visible_text ",
         "Fetcher._read_body "),
    ),
    ("cache and report reuse", ("(srccheck/fetch/cache.py", "(srccheck/reuse.py", "(sqlite3/")),
    (
        "reports (JSON, HTML, index)",
        ("ArticleRun.write ", "write_index", "write_json ", "write_article_html ", "(jinja2/"),
    ),
    ("articles (read, parse, URLs)", ("load_article ", "read_or_reuse ", "find_articles ",
                                      "report_paths ", "(srccheck/articles/")),
    ("the rest of the Fetcher (limits, rules, records)", ("(srccheck/fetch/",)),
    ("pipeline, event loop and the rest", ("",)),
)  # fmt: skip


def stage_shares(path: Path) -> tuple[int, dict[str, float]]:
    """The number of samples in a collapsed-stacks file and each stage's share of them
    (:data:`STAGES`, in its order; shares add up to 1)."""
    counts = dict.fromkeys((name for name, _ in STAGES), 0)
    total = 0
    for frames, n in _stacks(path):
        total += n
        for name, markers in STAGES:
            if any(marker in frame for frame in frames for marker in markers):
                counts[name] += n
                break
    return total, {name: (n / total if total else 0.0) for name, n in counts.items()}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    shares = frame_shares(Path(args[0]))
    top = int(args[1]) if len(args) > 1 else 25
    total = max(shares.samples, 1)
    print(f"{shares.samples} samples")
    for title, counter in (("self", shares.self_samples), ("inclusive", shares.inclusive_samples)):
        print(f"--- {title}")
        for frame, n in counter.most_common(top):
            print(f"{100 * n / total:5.1f}%  {frame}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
