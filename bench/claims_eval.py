"""Print precision and recall of claim extraction per kind on tests/claims/eval/.

Usage: python bench/claims_eval.py [--misses] [DIRECTORY]
"""

from __future__ import annotations

import sys
from pathlib import Path

from srccheck.claims.evaluation import evaluate, load_eval_set

DEFAULT_DIR = Path(__file__).resolve().parents[1] / "tests" / "claims" / "eval"


def main(argv: list[str]) -> int:
    show_misses = "--misses" in argv
    args = [a for a in argv if a != "--misses"]
    directory = Path(args[0]) if args else DEFAULT_DIR
    items = load_eval_set(directory)
    scores = evaluate(items)
    print(f"{len(items)} items from {directory}")
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
