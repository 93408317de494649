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
from dataclasses import dataclass
from pathlib import Path

__all__ = ["FrameShares", "frame_shares", "main"]

_LINE = re.compile(r":\d+\)$")


@dataclass(frozen=True, slots=True)
class FrameShares:
    samples: int
    self_samples: Counter[str]
    inclusive_samples: Counter[str]


def frame_shares(path: Path) -> FrameShares:
    """Count self and inclusive samples per function in a collapsed-stacks file."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [_LINE.sub(")", frame) for frame in stack.split(";")]
        own[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
    return FrameShares(total, own, inclusive)


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
