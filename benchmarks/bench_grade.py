"""Grading work per submission, beyond reading the file.

    python benchmarks/bench_grade.py [--round-seconds 0.1] [--profile]

In one process: the Exercise 6 problem is read and solved once and its plan made once
(``make_plan(solve(problem))``); two submissions are read once:

  seed     ``submissions_examples/exercise6_seed.yaml``: most fields wrong, so the diagnoses run;
  correct  every asked quantity at the key's value (17 significant digits), written from the key.

Then it times ``grade(plan, submission)`` over many iterations for each, against the baseline of the same process:
``yaml.load(text, Loader=yaml.CSafeLoader)`` of the same file's text. Also, for context, our own reader
(``load_submission``: safe YAML with lines, limits, answer parsing). Reports µs per submission (median of 7 rounds)
and the ratios (each round runs as many calls as fit in ``--round-seconds``). Target: well under a millisecond for
the correct submission. When that is missed, or with ``--profile``, it prints where the time goes (cProfile, by own
time).

A second table times rendering the two results as the feedback reports (``render_html``, ``render_markdown``, with
the per-problem parts warm, as in a batch after its first student), rounds interleaved with ``yaml.load`` of the
same file (A B C A B C ..., medians), and gives each report's size in bytes. No assertions: it prints.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import yaml  # noqa: E402

from grader.grade.engine import grade, make_plan  # noqa: E402
from grader.report.html import render_html  # noqa: E402
from grader.report.markdown import render_markdown  # noqa: E402
from grader.solve.solver import solve  # noqa: E402
from grader.spec.load import find_problem, load_problem  # noqa: E402
from grader.submission.load import load_submission  # noqa: E402

SEED = REPO / "submissions_examples" / "exercise6_seed.yaml"
ROUNDS = 7
TARGET_US = 1000.0


def per_call(fn, round_seconds: float) -> float:
    """Median over ROUNDS rounds of the seconds per call of ``fn``; a round is about ``round_seconds`` long."""
    t0 = time.perf_counter()
    fn()
    fn()
    once = max((time.perf_counter() - t0) / 2, 1e-7)
    iterations = max(10, int(round_seconds / once))
    samples = []
    for _ in range(ROUNDS):
        t0 = time.perf_counter()
        for _ in range(iterations):
            fn()
        samples.append((time.perf_counter() - t0) / iterations)
    return statistics.median(samples)


def interleaved(fns: list, round_seconds: float) -> list[float]:
    """Median seconds per call of each of ``fns``, their rounds interleaved (A B C A B C ...) so that a change in the
    machine's load affects them alike; each round of each is about ``round_seconds`` long."""
    counts = []
    for fn in fns:
        t0 = time.perf_counter()
        fn()
        fn()
        counts.append(max(10, int(round_seconds / max((time.perf_counter() - t0) / 2, 1e-7))))
    samples: list[list[float]] = [[] for _ in fns]
    for _ in range(ROUNDS):
        for k, fn in enumerate(fns):
            t0 = time.perf_counter()
            for _ in range(counts[k]):
                fn()
            samples[k].append((time.perf_counter() - t0) / counts[k])
    return [statistics.median(x) for x in samples]


def profile(label: str, fn, iterations: int, top: int = 15) -> None:
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(iterations):
        fn()
    prof.disable()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.sort_stats("tottime").print_stats(top)
    print(f"\n### cProfile of grade() on the {label} submission ({iterations} calls), by own time\n")
    keep = False
    for line in buf.getvalue().splitlines():
        if line.lstrip().startswith("ncalls"):
            keep = True
        if keep and line.strip():
            print("    " + line.replace(str(REPO) + "/", "").replace(str(Path(os.__file__).parent) + "/", ""))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--round-seconds", type=float, default=0.1, help="length of one timing round (default 0.1)")
    ap.add_argument("--profile", action="store_true", help="always print the cProfile hot spots")
    args = ap.parse_args()

    problem_path = find_problem("exercise6")
    t0 = time.perf_counter()
    plan = make_plan(solve(load_problem(problem_path)))
    plan_ms = (time.perf_counter() - t0) * 1e3

    with tempfile.TemporaryDirectory() as tmp:
        correct_path = Path(tmp) / "correct.yaml"
        answers = {a.quantity: plan.key.decimal(a.quantity, 17) for a in plan.problem.ask}
        correct_path.write_text(
            yaml.safe_dump({"problem": "exercise6", "student": {"id": "1", "name": "Key"}, "answers": answers},
                           sort_keys=False),
            encoding="utf-8",
        )
        subs = {"seed": SEED, "correct": correct_path}
        texts = {name: p.read_text(encoding="utf-8") for name, p in subs.items()}
        loaded = {name: load_submission(p) for name, p in subs.items()}
        results = {name: grade(plan, s) for name, s in loaded.items()}

        r = args.round_seconds
        rows = []
        for name in subs:
            sub, text, path = loaded[name], texts[name], subs[name]
            base = per_call(lambda: yaml.load(text, Loader=yaml.CSafeLoader), r)
            ours = per_call(lambda: load_submission(path), r)
            g = per_call(lambda: grade(plan, sub), r)
            rows.append((name, base, ours, g))
        renders = []
        for name in subs:
            res, text = results[name], texts[name]
            base, h, m = interleaved([lambda: yaml.load(text, Loader=yaml.CSafeLoader), lambda: render_html(res),
                                      lambda: render_markdown(res)], r)
            renders.append((name, base, h, m, len(render_html(res).encode()), len(render_markdown(res).encode())))

    print(f"## grading work per submission (exercise6, {len(plan.problem.ask)} asked quantities; "
          f"Python {sys.version.split()[0]})")
    print()
    print(f"plan made once in {plan_ms:.1f} ms (read + solve + make_plan); "
          f"scores: seed {results['seed'].score:g}/{results['seed'].max_score:g}, "
          f"correct {results['correct'].score:g}/{results['correct'].max_score:g}")
    print()
    print("| submission | yaml.load CSafeLoader µs | load_submission µs | grade() µs | grade / yaml.load "
          "| load_submission / yaml.load |")
    print("|------------|-------------------------:|-------------------:|-----------:|------------------:"
          "|----------------------------:|")
    for name, base, ours, g in rows:
        print(f"| {name:<10} | {base * 1e6:>24.1f} | {ours * 1e6:>18.1f} | {g * 1e6:>10.1f} | {g / base:>17.2f} | "
              f"{ours / base:>27.2f} |")
    print()
    print("| submission | yaml.load µs | render_html µs | render_markdown µs | html / yaml.load | markdown / yaml.load "
          "| HTML bytes | Markdown bytes |")
    print("|------------|-------------:|---------------:|-------------------:|-----------------:|---------------------:"
          "|-----------:|---------------:|")
    for name, base, h, m, hb, mb in renders:
        print(f"| {name:<10} | {base * 1e6:>12.1f} | {h * 1e6:>14.1f} | {m * 1e6:>18.1f} | {h / base:>16.2f} | "
              f"{m / base:>20.2f} | {hb:>10,} | {mb:>14,} |")
    correct_us = rows[[r[0] for r in rows].index("correct")][3] * 1e6
    seed_us = rows[[r[0] for r in rows].index("seed")][3] * 1e6
    print()
    print(f"grade() on the correct submission: {correct_us:.0f} µs (target well under {TARGET_US:.0f} µs: "
          f"{'met' if correct_us < TARGET_US / 2 else 'met, narrowly' if correct_us < TARGET_US else 'NOT met'}); "
          f"on the seed (diagnoses): {seed_us:.0f} µs, {seed_us / correct_us:.1f}x the correct one")
    if args.profile or correct_us >= TARGET_US:
        profile("correct", lambda: grade(plan, loaded["correct"]), 500)
    if args.profile or seed_us >= TARGET_US:
        profile("seed", lambda: grade(plan, loaded["seed"]), 100)


if __name__ == "__main__":
    main()
