"""Reading a 1 MB written solution into a Submission (issue 13: "a 1 MB write-up is read in well under a second").

    python benchmarks/bench_writeup.py

In one process, with the Exercise 6 key solved once, ``writeup_submission`` (extraction, chains, the LaTeX reader,
attribution, matching, slips, formula checks) on three texts of about 1 MB:

  prose    sentences with an inline equation in one line of twenty (a long report with some math);
  seed     the seed homework repeated (every Exercise 6 equation about 60 times: dense math, the worst case);
  junk     unclosed ``\\[`` and lone ``$`` signs (hostile: no math to read, every delimiter unmatched).

Baseline, same process and text: one regular-expression pass that finds every ``$…$`` span
(``re.findall(r"\\$[^$]*\\$", text)``), the floor of any reader that looks at all the text once. Median of 5 runs;
seconds and the ratio to the baseline. No assertions: it prints.
"""

from __future__ import annotations

import random
import re
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from grader.solve.solver import solve  # noqa: E402
from grader.spec.load import load_problem  # noqa: E402
from grader.submission.writeup import writeup_submission  # noqa: E402

SEED = REPO / "submissions_examples" / "exercise6_seed.md"
SIZE = 1_048_576
RUNS = 5


def texts() -> dict[str, str]:
    rng = random.Random(13)
    words = "the network weight gradient learning rate update neuron hidden output layer error".split()
    prose: list[str] = []
    size = 0
    while size < SIZE:
        line = " ".join(rng.choice(words) for _ in range(14))
        if rng.random() < 0.05:
            line += " so $z_1 = (-15) \\cdot 0.8 + 20 \\cdot 0.2 + 0.35 = -7.65$ here"
        prose.append(line)
        size += len(line) + 1
    seed = SEED.read_text(encoding="utf-8") + "\n"
    return {
        "prose": "\n".join(prose),
        "seed": seed * (SIZE // len(seed)),
        "junk": ("\\[ $ " * (SIZE // 5)),
    }


def median_seconds(fn) -> float:
    samples = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def main() -> int:
    key = solve(load_problem(REPO / "problems" / "exercise6.yaml"))
    print("| text | bytes | values and equations kept | median s | baseline s | x baseline |")
    print("|------|------:|---------------:|---------:|-----------:|-----------:|")
    for name, text in texts().items():
        sub = writeup_submission(text, "md", name, key, "exercise6")
        read = len(sub.answers) + len(sub.stated) + len(sub.writeup.unattributed)
        ours = median_seconds(lambda: writeup_submission(text, "md", name, key, "exercise6"))
        floor = median_seconds(lambda: re.findall(r"\$[^$]*\$", text))
        print(f"| {name} | {len(text.encode()):,} | {read:,} | {ours:.3f} | {floor:.4f} | {ours / floor:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
