"""Benchmark of ``grade batch`` against the floor of just reading the files.

    python benchmarks/bench_batch.py [--n 10000] [--jobs N] [--profile]

Generates N Exercise 6 submissions (the seed's answers with varied values: some right, some perturbed, some left as
the seed wrote them; 1 in 200 with a YAML error) in a temporary folder, and the same for N/10. For each size, in a
fresh subprocess (so that the memory peaks are separate), it times

  (a) the reading floor: ``yaml.load(text, Loader=yaml.CSafeLoader)`` of every file, in one process;
  (b) ``grade_batch`` end to end (every output, feedback reports included), through the core function;

and reports the ratio (b)/(a) (target: at most 3) and the peak resident memory of the batch's parent process and of
its largest worker. Flat memory means the peaks for N and N/10 are about the same. No assertions: it prints.
``--profile`` also runs the batch with one job under cProfile and prints where the time goes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "submissions_examples" / "exercise6_seed.yaml"

_ANSWER = re.compile(r"^  (?P<q>[A-Za-z_][A-Za-z0-9_]*):\s*(?P<num>-?[0-9][0-9.e+-]*)?\s*(?:#.*)?$")
_VALUE = re.compile(r"^    value:\s*(?P<num>-?[0-9][0-9.e+-]*)\s*(?:#.*)?$")


def _key_values() -> dict[str, float]:
    from grader.grade.pipeline import Grader
    from grader.spec.load import find_problem

    plan = Grader().plan_at(find_problem("exercise6"))
    return dict(plan.key.floats)


def generate(folder: Path, n: int, seed: int = 1) -> None:
    """``n`` varied Exercise 6 submissions in ``folder``."""
    rng = random.Random(seed)
    key = _key_values()
    lines = SEED.read_text(encoding="utf-8").splitlines()
    folder.mkdir(parents=True, exist_ok=True)
    def vary(q: str, num: str) -> str:
        r = rng.random()
        if r < 0.4 and q in key:
            return f"{key[q]:.8g}"  # right
        if r < 0.7:
            return f"{float(num) * (1 + rng.uniform(-0.05, 0.05)):.8g}"  # somewhat off
        return num  # as the seed wrote it

    for i in range(n):
        out = []
        current = ""
        for line in lines:
            if line.startswith("student:"):
                line = f'student: {{id: "{400000000 + i}", name: Student {i:05d}}}'
            elif m := _ANSWER.match(line):
                current = m["q"]
                if m["num"]:
                    line = f"  {current}: {vary(current, m['num'])}"
            elif m := _VALUE.match(line):
                line = f"    value: {vary(current, m['num'])}"
            out.append(line)
        text = "\n".join(out) + "\n"
        if i % 200 == 199:
            text = text.replace("answers:", "answers: [", 1)  # a YAML error
        (folder / f"sub_{i:06d}.yaml").write_text(text, encoding="utf-8")


def _peak_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: KiB


def _cpu() -> float:
    """CPU seconds (user + system) of this process and its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def child(folder: str, out: str, jobs: int | None) -> None:
    """One size: the batch, then the floor; prints one JSON line."""
    import yaml

    from grader.batch.run import grade_batch

    base_rss = _peak_mib(resource.RUSAGE_SELF)
    # the batch first, so that its memory peaks are not those of the floor's file list
    c0 = _cpu()
    t0 = time.perf_counter()
    result = grade_batch(folder, out, problem="exercise6", jobs=jobs, progress=False)
    batch = time.perf_counter() - t0
    c1 = _cpu()
    parent_rss, worker_rss = _peak_mib(resource.RUSAGE_SELF), _peak_mib(resource.RUSAGE_CHILDREN)
    n = 0
    t0 = time.perf_counter()
    for p in sorted(Path(folder).iterdir()):
        n += 1
        text = p.read_text(encoding="utf-8")
        try:
            yaml.load(text, Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            pass
    floor = time.perf_counter() - t0
    c2 = _cpu()
    print(json.dumps({
        "n": n,
        "floor": floor,
        "batch": batch,
        "floor_cpu": c2 - c1,
        "batch_cpu": c1 - c0,
        "jobs": jobs or os.cpu_count(),
        "base_rss": base_rss,
        "parent_rss": parent_rss,
        "worker_rss": worker_rss,
        "line": result.line(),
    }))


def profile(folder: Path, out: Path) -> None:
    import cProfile
    import pstats

    from grader.batch.run import grade_batch

    prof = cProfile.Profile()
    prof.enable()
    grade_batch(folder, out, problem="exercise6", jobs=1, progress=False)
    prof.disable()
    stats = pstats.Stats(prof)
    stats.sort_stats("cumulative").print_stats(35)
    stats.sort_stats("tottime").print_stats(25)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--profile", action="store_true", help="also profile a one-job batch of N/10 files")
    ap.add_argument("--keep", action="store_true", help="keep the generated files and outputs")
    ap.add_argument("--child", nargs=2, metavar=("FOLDER", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.jobs)
        return
    work = Path(tempfile.mkdtemp(prefix="bench_batch_"))
    try:
        sizes = [args.n, max(1, args.n // 10)]
        rows = []
        for n in sizes:
            folder = work / f"in_{n}"
            t0 = time.perf_counter()
            generate(folder, n)
            print(f"generated {n} submissions in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
            cmd = [sys.executable, __file__, "--child", str(folder), str(work / f"out_{n}")]
            if args.jobs:
                cmd += ["--jobs", str(args.jobs)]
            res = subprocess.run(cmd, capture_output=True, text=True, check=True)
            rows.append(json.loads(res.stdout.strip().splitlines()[-1]))
            print(rows[-1]["line"], file=sys.stderr)
        print()
        print("wall = elapsed seconds; cpu = CPU seconds of all processes (batch: parent + workers)")
        print(f"{'files':>7} {'jobs':>4} {'floor s':>8} {'batch s':>8} {'ratio':>6} {'ms/file':>8} "
              f"{'floor cpu':>9} {'batch cpu':>9} {'cpu ratio':>9} "
              f"{'base MiB':>9} {'parent MiB':>11} {'worker MiB':>11}")
        for r in rows:
            print(f"{r['n']:>7} {r['jobs']:>4} {r['floor']:>8.2f} {r['batch']:>8.2f} {r['batch'] / r['floor']:>6.2f} "
                  f"{1000 * r['batch'] / r['n']:>8.2f} {r['floor_cpu']:>9.2f} {r['batch_cpu']:>9.2f} "
                  f"{r['batch_cpu'] / max(r['floor_cpu'], 1e-9):>9.2f} {r['base_rss']:>9.1f} {r['parent_rss']:>11.1f} "
                  f"{r['worker_rss']:>11.1f}")
        if len(rows) == 2:
            a, b = rows
            print(f"\npeak memory ratio N/(N/10): parent {a['parent_rss'] / b['parent_rss']:.2f}, "
                  f"worker {a['worker_rss'] / b['worker_rss']:.2f} (flat = about 1)")
            print("target: batch/floor <= 3x; "
                  + ("met" if a["batch"] / a["floor"] <= 3 else "missed") + f" at N={a['n']}")
        if args.profile:
            profile(work / f"in_{sizes[-1]}", work / "out_profile")
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
