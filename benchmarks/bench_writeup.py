"""Reading a 1 MB written solution into a Submission (issue 13: "a 1 MB write-up is read in well under a second").

    python benchmarks/bench_writeup.py            # add --profile for cProfile's hot spots of the dense text

1. Reading. In one process, with the Exercise 6 key solved once, ``writeup_submission`` (extraction, chains, the
   LaTeX reader, attribution, matching, slips, formula checks) on four texts of about 1 MB:

     prose    sentences with an inline equation in one line of twenty (a long report with some math);
     seed     the seed homework repeated (every Exercise 6 equation about 60 times: dense math);
     varied   the seed repeated with every decimal number of each copy changed (``0.8`` -> ``0.81``, ``0.82``, ...):
              as dense, but no numeric row is written twice, so nothing read once serves again (the worst case);
     formulas 15,000-odd distinct formula rows, ``$$z_3 = 512 \\cdot (w_1 i_1 + w_3 i_1 + b_1 + ...)$$`` (3 to 8
              random terms, a random coefficient): every row new, so the LaTeX tokenizer and parser read them all;
     junk     unclosed ``\\[`` and lone ``$`` signs (hostile: no math to read, every delimiter unmatched).

   Baseline, same process and text: one regular-expression pass that finds every ``$…$`` span
   (``re.findall(r"\\$[^$]*\\$", text)``), the floor of any reader that looks at all the text once. The two are
   timed alternately (A B A B), 5 rounds; medians in seconds and their ratio.

2. End to end. ``python -m grader FILE --problem exercise6 --format json`` as a fresh process (the problem solved
   and cached once before) on the dense 1 MB seed text, against the same command on the seed write-up itself (16 KB:
   the cold start, one problem, one write-up) as the baseline; alternately, 7 rounds, medians and their ratio.

No assertions: it prints.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import random
import re
import statistics
import subprocess
import sys
import tempfile
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
CLI_RUNS = 7


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
    copies = SIZE // len(seed)
    formula_rng = random.Random(1)
    terms = ["w_1 i_1", "w_2 i_2", "w_3 i_1", "w_4 i_2", "b_1", "w_5 h_1", "w_6 h_2", "b_2"]
    formulas: list[str] = []
    size = 0
    while size < SIZE:
        k = formula_rng.randint(3, 8)
        sum_of = " + ".join(formula_rng.choice(terms) for _ in range(k))
        coefficient = formula_rng.randint(2, 999)
        formulas.append(f"$$z_{formula_rng.randint(1, 4)} = {coefficient} \\cdot ({sum_of})$$\n")
        size += len(formulas[-1])
    return {
        "prose": "\n".join(prose),
        "seed": seed * copies,
        "varied": "".join(re.sub(r"(\d+\.\d+)", lambda m: m.group(1) + str(k + 1), seed) for k in range(copies)),
        "formulas": "".join(formulas),
        "junk": ("\\[ $ " * (SIZE // 5)),
    }


def alternate(a, b, rounds: int) -> tuple[float, float]:
    """Medians of ``a()`` and ``b()`` (seconds), timed alternately so that load on the machine hits both."""
    ta, tb = [], []
    for _ in range(rounds):
        for fn, out in ((a, ta), (b, tb)):
            t0 = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t0)
    return statistics.median(ta), statistics.median(tb)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["NO_COLOR"] = "1"
    return env


def _grade(path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "grader", str(path), "--problem", "exercise6", "--format", "json"],
                          cwd=REPO, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        raise SystemExit(f"grade failed ({proc.returncode}): {proc.stderr.decode()[-500:]}")


def main() -> int:
    key = solve(load_problem(REPO / "problems" / "exercise6.yaml"))
    all_texts = texts()
    print("Reading (in process):\n")
    print("| text | bytes | values and equations kept | median s | baseline s | x baseline |")
    print("|------|------:|--------------------------:|---------:|-----------:|-----------:|")
    for name, text in all_texts.items():
        sub = writeup_submission(text, "md", name, key, "exercise6")
        read = len(sub.answers) + len(sub.stated) + len(sub.writeup.unattributed)
        ours, floor = alternate(lambda: writeup_submission(text, "md", name, key, "exercise6"),
                                lambda: re.findall(r"\$[^$]*\$", text), RUNS)
        print(f"| {name} | {len(text.encode()):,} | {read:,} | {ours:.3f} | {floor:.4f} | {ours / floor:.0f} |")
    print("\nEnd to end (`python -m grader FILE --problem exercise6 --format json`, a fresh process each):\n")
    print("| file | bytes | median s | baseline s | x baseline |")
    print("|------|------:|---------:|-----------:|-----------:|")
    with tempfile.TemporaryDirectory() as tmp:
        dense = Path(tmp) / "dense.md"
        dense.write_text(all_texts["seed"], encoding="utf-8")
        one = Path(tmp) / "seed.md"
        one.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
        _grade(one)  # the problem solved and cached, the modules compiled
        ours, floor = alternate(lambda: _grade(dense), lambda: _grade(one), CLI_RUNS)
        print(f"| the seed repeated (dense) | {dense.stat().st_size:,} | {ours:.3f} | {floor:.3f} | "
              f"{ours / floor:.2f} |")
        print(f"\nbaseline: the same command on the seed write-up itself ({one.stat().st_size:,} bytes); the "
              f"difference, {ours - floor:.3f} s, is what reading and grading the other megabyte costs")
    if "--profile" in sys.argv:
        text = all_texts["seed"]
        profile = cProfile.Profile()
        profile.runcall(writeup_submission, text, "md", "seed", key, "exercise6")
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
