"""Grading work per submission, beyond reading the file.

    python benchmarks/bench_grade.py [--round-seconds 0.1] [--rounds 9] [--profile] [--against REVISION ... [--pairs 5]]

In one process: the Exercise 6 problem is read and solved once and its plan made once
(``make_plan(solve(problem))``); three submissions are read once:

  seed      ``submissions_examples/exercise6_seed.yaml``: most fields wrong, so the flags and diagnoses run;
  template  ``grade template exercise6`` filled in as a student does (values only, comments kept): half the values
            the key's to 10 digits, a third off by up to 5 %, the rest rounded to 3 digits (a fixed random draw);
  correct   every asked quantity at the key's value (17 significant digits), written from the key.

Then it times ``grade(plan, submission)`` against the baseline of the same process, ``yaml.load(text,
Loader=yaml.CSafeLoader)`` of the same file's text, and, for context, our own reader (``load_submission``: safe YAML
with lines, limits, answer parsing), interleaved: each of ``--rounds`` rounds times the three in turn (A B C A B C),
as many calls each as fit in ``--round-seconds``. Reports the medians of the µs per call and of the per-round
ratios. Target: well under a millisecond for the correct submission. When that is missed, or with ``--profile``, it
prints where the time goes (cProfile, by own time).

A second table times rendering the results as the feedback reports (``render_html``, ``render_markdown``, with
the per-problem parts warm, as in a batch after its first student), rounds interleaved with ``yaml.load`` of the
same file (A B C A B C ..., medians), and gives each report's size in bytes.

With ``--against``: this code's ``grade()`` against older code (a folder holding a checkout, or a git revision of
this repository, exported with ``git archive``), one process per code and pair, interleaved A B A B ``--pairs``
times, each timing CPU seconds of ``grade()`` against ``yaml.load`` of the same three files (7 rounds of 20 calls
each, medians), with a digest of every result (``to_dict()`` of each, revealed and exam mode) to show that the codes
grade alike. No assertions: it prints.
"""

from __future__ import annotations

import argparse
import cProfile
import io
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
CODE = Path(sys.argv[sys.argv.index("--child") + 1]) if "--child" in sys.argv else REPO  # whose grader is timed
sys.path.insert(0, str(CODE))

import yaml  # noqa: E402

from grader.grade.engine import grade, make_plan  # noqa: E402
from grader.report.html import render_html  # noqa: E402
from grader.report.markdown import render_markdown  # noqa: E402
from grader.solve.solver import solve  # noqa: E402
from grader.spec.load import find_problem, load_problem  # noqa: E402
from grader.submission.load import load_submission  # noqa: E402

SEED = REPO / "submissions_examples" / "exercise6_seed.yaml"
TARGET_US = 1000.0
_BLANK = re.compile(r"^  (?P<q>[A-Za-z_][A-Za-z0-9_]*):(?P<pad>\s*)(?P<comment>#.*)?$")


def iterations_for(fn, round_seconds: float) -> int:
    t0 = time.perf_counter()
    fn()
    fn()
    once = max((time.perf_counter() - t0) / 2, 1e-7)
    return max(10, int(round_seconds / once))


def seconds_per_call(fn, iterations: int) -> float:
    t0 = time.perf_counter()
    for _ in range(iterations):
        fn()
    return (time.perf_counter() - t0) / iterations


def interleaved(fns: dict, round_seconds: float, rounds: int) -> list[dict]:
    """``rounds`` rounds, each timing every function of ``fns`` in turn: per round, name -> seconds per call."""
    counts = {name: iterations_for(fn, round_seconds) for name, fn in fns.items()}
    return [{name: seconds_per_call(fn, counts[name]) for name, fn in fns.items()} for _ in range(rounds)]


def template_submission(key_floats: dict[str, float], seed: int = 16) -> str:
    """``grade template exercise6`` filled in as a student does: the id, the name and a value per answer."""
    template = subprocess.run([sys.executable, "-m", "grader", "template", "exercise6"], cwd=REPO, check=True,
                              capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)}).stdout
    rng = random.Random(seed)
    out, in_student = [], False
    for line in template.splitlines():
        m = _BLANK.match(line)
        if line.startswith("student:"):
            in_student = True
        elif line.startswith("answers:"):
            in_student = False
        elif m and in_student and m["q"] in ("id", "name"):
            line = '  id: "400000016"' if m["q"] == "id" else "  name: Student 16"
        elif m and m["q"] in key_floats:
            true, r = key_floats[m["q"]], rng.random()
            value = f"{true:.10g}" if r < 0.5 else f"{true * (1 + rng.uniform(-0.05, 0.05)):.6g}" if r < 0.8 else f"{true:.3g}"
            line = f"  {m['q']}: {value}{m['pad'] or ' '}{m['comment'] or ''}".rstrip()
        out.append(line)
    return "\n".join(out) + "\n"


def child(files: list[str]) -> None:
    """One code's figures (``--against``): CPU-time ratios grade() / yaml.load per file and a digest of the results."""
    import hashlib
    import json

    plan = make_plan(solve(load_problem(find_problem("exercise6"))))
    out: dict = {}
    digest = hashlib.sha256()
    for f in files:
        text = Path(f).read_text(encoding="utf-8")
        sub = load_submission(Path(f))
        for reveal in (True, False):
            digest.update(json.dumps(grade(plan, sub, reveal=reveal).to_dict(), sort_keys=True).encode())
        grade(plan, sub)
        ratios, us = [], []
        for _ in range(7):
            t0 = time.process_time()
            for _ in range(20):
                yaml.load(text, Loader=yaml.CSafeLoader)
            t1 = time.process_time()
            for _ in range(20):
                grade(plan, sub)
            t2 = time.process_time()
            ratios.append((t2 - t1) / max(t1 - t0, 1e-9))
            us.append((t2 - t1) / 20 * 1e6)
        out[Path(f).stem] = (statistics.median(ratios), statistics.median(us))
    print(json.dumps({"ratios": out, "digest": digest.hexdigest()[:16]}))


def checkout(ref: str, tmp: Path) -> tuple[str, Path]:
    if Path(ref).is_dir():
        return ref, Path(ref).resolve()
    dest = tmp / ref.replace("/", "_")
    dest.mkdir()
    archive = subprocess.run(["git", "-C", str(REPO), "archive", ref], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return ref, dest


def compare(against: list[str], pairs: int, files: list[Path], tmp: Path) -> None:
    import json

    codes = [("this code", REPO)] + [checkout(a, tmp) for a in against]
    got: dict[str, list[dict]] = {label: [] for label, _ in codes}
    digests: dict[str, set[str]] = {label: set() for label, _ in codes}
    for _ in range(pairs):
        for label, folder in codes:  # A B A B ...: every code sees the same load on average
            res = subprocess.run([sys.executable, __file__, "--child", str(folder), *map(str, files)],
                                 capture_output=True, text=True, check=True, cwd=tmp).stdout
            row = json.loads(res.strip().splitlines()[-1])
            got[label].append(row["ratios"])
            digests[label].add(row["digest"])
    names = [f.stem for f in files]
    print()
    print(f"## grade() / yaml.load in CPU time: this code against older code ({pairs} interleaved pairs of processes, "
          "medians)")
    print()
    print("| code | " + " | ".join(f"{n} ratio | {n} µs" for n in names) + " | results digest |")
    print("|------|" + "|".join("------:|------:" for _ in names) + "|----------------|")
    for label, _ in codes:
        cells = []
        for n in names:
            cells.append(f"{statistics.median(r[n][0] for r in got[label]):.2f}")
            cells.append(f"{statistics.median(r[n][1] for r in got[label]):.0f}")
        print(f"| {label} | " + " | ".join(cells) + f" | {', '.join(sorted(digests[label]))} |")
    same = len({d for ds in digests.values() for d in ds}) == 1
    print()
    print("every code graded the three files alike (same digest)" if same else "the codes' results DIFFER")


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
    ap.add_argument("--rounds", type=int, default=9, help="interleaved rounds (default 9)")
    ap.add_argument("--profile", action="store_true", help="always print the cProfile hot spots")
    ap.add_argument("--against", nargs="*", default=[], metavar="DIR_OR_REVISION",
                    help="older code to time grade() against, one process each, interleaved")
    ap.add_argument("--pairs", type=int, default=5, help="interleaved pairs of processes of --against (default 5)")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[1:])
        return

    problem_path = find_problem("exercise6")
    t0 = time.perf_counter()
    plan = make_plan(solve(load_problem(problem_path)))
    plan_ms = (time.perf_counter() - t0) * 1e3

    with tempfile.TemporaryDirectory() as tmp:
        template_path = Path(tmp) / "template.yaml"
        template_path.write_text(template_submission(plan.floats), encoding="utf-8")
        correct_path = Path(tmp) / "correct.yaml"
        answers = {a.quantity: plan.key.decimal(a.quantity, 17) for a in plan.problem.ask}
        correct_path.write_text(
            yaml.safe_dump({"problem": "exercise6", "student": {"id": "1", "name": "Key"}, "answers": answers},
                           sort_keys=False),
            encoding="utf-8",
        )
        subs = {"seed": SEED, "template": template_path, "correct": correct_path}
        if args.against:
            compare(args.against, args.pairs, list(subs.values()), Path(tmp))
            return
        texts = {name: p.read_text(encoding="utf-8") for name, p in subs.items()}
        loaded = {name: load_submission(p) for name, p in subs.items()}
        results = {name: grade(plan, s) for name, s in loaded.items()}

        rows = []
        for name in subs:
            sub, text, path = loaded[name], texts[name], subs[name]
            samples = interleaved({
                "yaml": lambda: yaml.load(text, Loader=yaml.CSafeLoader),
                "load": lambda: load_submission(path),
                "grade": lambda: grade(plan, sub),
            }, args.round_seconds, args.rounds)
            med = {k: statistics.median(r[k] for r in samples) for k in ("yaml", "load", "grade")}
            rows.append((name, med["yaml"], med["load"], med["grade"],
                         statistics.median(r["grade"] / r["yaml"] for r in samples),
                         statistics.median(r["load"] / r["yaml"] for r in samples)))
        renders = []
        for name in subs:
            res, text = results[name], texts[name]
            samples = interleaved({"yaml": lambda: yaml.load(text, Loader=yaml.CSafeLoader),
                                   "html": lambda: render_html(res), "md": lambda: render_markdown(res)},
                                  args.round_seconds, args.rounds)
            base, h, m = (statistics.median(r[k] for r in samples) for k in ("yaml", "html", "md"))
            renders.append((name, base, h, m, len(render_html(res).encode()), len(render_markdown(res).encode())))

    print(f"## grading work per submission (exercise6, {len(plan.problem.ask)} asked quantities; "
          f"Python {sys.version.split()[0]})")
    print()
    print(f"plan made once in {plan_ms:.1f} ms (read + solve + make_plan); scores: "
          + ", ".join(f"{n} {results[n].score:g}/{results[n].max_score:g}" for n in subs)
          + f"; {args.rounds} interleaved rounds, medians")
    print()
    print("| submission | yaml.load CSafeLoader µs | load_submission µs | grade() µs | grade / yaml.load "
          "| load_submission / yaml.load |")
    print("|------------|-------------------------:|-------------------:|-----------:|------------------:"
          "|----------------------------:|")
    for name, base, ours, g, g_ratio, load_ratio in rows:
        print(f"| {name:<10} | {base * 1e6:>24.1f} | {ours * 1e6:>18.1f} | {g * 1e6:>10.1f} | {g_ratio:>17.2f} | "
              f"{load_ratio:>27.2f} |")
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
    if args.profile:
        profile("template", lambda: grade(plan, loaded["template"]), 300)


if __name__ == "__main__":
    main()
