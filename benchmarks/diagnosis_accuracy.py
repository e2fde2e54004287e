"""Per-mistake accuracy of the diagnoses on the generated corpus (``tests/diagnosis_corpus.py``): for each kind of
mistake, the share of mistaken fields the grader names correctly, and what it named instead.

    python benchmarks/diagnosis_accuracy.py            # the table
    python benchmarks/diagnosis_accuracy.py --misses   # and every miss
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.diagnosis_corpus import project_grader, run  # noqa: E402


def main(argv: list[str]) -> int:
    results = run(project_grader())
    total = right = 0
    print(f"{'mistake':<26} {'named':>7} {'of':>4}  {'accuracy':>8}  instead")
    for kind in sorted(results):
        rows = results[kind]
        ok = sum(1 for r in rows if r[-1] == kind)
        total, right = total + len(rows), right + ok
        instead = Counter(str(r[-1]) for r in rows if r[-1] != kind)
        print(f"{kind:<26} {ok:>7} {len(rows):>4}  {ok / len(rows):>8.1%}  "
              + ", ".join(f"{k} ×{n}" for k, n in instead.most_common()))
    print(f"{'all':<26} {right:>7} {total:>4}  {right / total:>8.1%}")
    if "--misses" in argv:
        for kind in sorted(results):
            for label, net, style, digits, named in results[kind]:
                if named != kind:
                    print(f"  {kind}: {label} [{net}, {style}, {digits} digits] -> {named}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
