"""Benchmark of ``grade batch`` against the floor of just reading the files, timed interleaved.

    python benchmarks/bench_batch.py [--n 10000] [--jobs N] [--rounds 2] [--feedback both|md|html|none]
                                     [--styles template seed] [--profile] [--keep]

Inputs, generated in a temporary folder, N files and N/10 of each style:

* **template**: what a student hands in after filling ``grade template exercise6`` (its comments kept, only the
  values written after the colons: half of them right, the others off by up to 5 % or rounded to 3 digits);
* **seed**: the seed submission's long form (worked ``value:`` / ``using:`` blocks, comments) with varied values
  (some right, some off, some as the seed wrote them: most fields wrong and diagnosed); 1 in 200 with a YAML error.

For each style and size, in fresh subprocesses, ``--rounds`` times in the order A B A B ...:

  A. the floor: ``yaml.load(text, Loader=yaml.CSafeLoader)`` of every file, in one process;
  B. ``grade_batch`` end to end (gradebooks, grades.json, summary, the feedback reports of ``--feedback``) into a
     fresh output folder.

It prints the medians, the ratios batch/floor of wall time and of CPU time (user + system of the process and of its
children: the workers), and memory: the batch parent's resident size after start-up (its imports), its growth over
that baseline during the batch (the high-water mark is reset after start-up, so the start size does not mask the
growth), its peak, and the largest worker's peak; flat memory means the same at N and N/10. Targets (issue 16):
batch <= 3x the floor on template-filled inputs, <= 2.5x on seed-style ones; peaks at N within 1.05x of N/10.
No assertions: it prints. ``--profile`` also runs a one-job batch of N/10 files of each style under cProfile.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "submissions_examples" / "exercise6_seed.yaml"
PROBLEM = "exercise6"

_ANSWER = re.compile(r"^  (?P<q>[A-Za-z_][A-Za-z0-9_]*):\s*(?P<num>-?[0-9][0-9.e+-]*)?\s*(?:#.*)?$")
_VALUE = re.compile(r"^    value:\s*(?P<num>-?[0-9][0-9.e+-]*)\s*(?:#.*)?$")
_BLANK = re.compile(r"^  (?P<q>[A-Za-z_][A-Za-z0-9_]*):(?P<pad>\s*)(?P<comment>#.*)?$")


def _key_values() -> dict[str, float]:
    from grader.grade.pipeline import Grader
    from grader.spec.load import find_problem

    plan = Grader().plan_at(find_problem(PROBLEM))
    return dict(plan.key.floats)


def generate_seed_style(folder: Path, n: int, key: dict[str, float], seed: int = 1) -> None:
    """``n`` varied submissions in the seed's long form."""
    rng = random.Random(seed)
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


def template_text() -> str:
    res = subprocess.run([sys.executable, "-m", "grader", "template", PROBLEM], cwd=REPO, capture_output=True,
                         text=True, check=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    return res.stdout


def generate_template_style(folder: Path, n: int, key: dict[str, float], template: str, seed: int = 2) -> None:
    """``n`` copies of ``grade template`` filled in as a student does: the id, the name and a value per answer."""
    rng = random.Random(seed)
    lines = template.splitlines()
    folder.mkdir(parents=True, exist_ok=True)

    def value(q: str) -> str:
        true = key[q]
        r = rng.random()
        if r < 0.5:
            return f"{true:.10g}"  # right
        if r < 0.8:
            return f"{true * (1 + rng.uniform(-0.05, 0.05)):.6g}"  # off
        return f"{true:.3g}"  # rounded early

    in_student = False
    for i in range(n):
        out = []
        for line in lines:
            m = _BLANK.match(line)
            if line.startswith("student:"):
                in_student = True
            elif line.startswith("answers:"):
                in_student = False
            elif m and in_student and m["q"] == "id":
                line = f'  id: "{400000000 + i}"'
            elif m and in_student and m["q"] == "name":
                line = f"  name: Student {i:05d}"
            elif m and m["q"] in key:
                line = f"  {m['q']}: {value(m['q'])}{m['pad'] or ' '}{m['comment'] or ''}".rstrip()
            out.append(line)
        (folder / f"sub_{i:06d}.yaml").write_text("\n".join(out) + "\n", encoding="utf-8")


# ------------------------------------------------------------------------------------------------------------------
# the children (one measurement each, in a fresh process)


def _cpu() -> float:
    """CPU seconds (user + system) of this process and its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _status_kib(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def child_floor(folder: str) -> None:
    import yaml

    c0, t0 = _cpu(), time.perf_counter()
    n = 0
    for p in sorted(Path(folder).iterdir()):
        n += 1
        text = p.read_text(encoding="utf-8")
        try:
            yaml.load(text, Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            pass
    print(json.dumps({"n": n, "wall": time.perf_counter() - t0, "cpu": _cpu() - c0}))


def child_batch(folder: str, out: str, jobs: int | None, feedback: str) -> None:
    from grader.batch.run import grade_batch

    base = _status_kib("VmRSS")
    try:  # reset the high-water mark: the peak read at the end is this run's, not the start-up's
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        reset = True
    except OSError:
        reset = False
    c0, t0 = _cpu(), time.perf_counter()
    result = grade_batch(folder, out, problem=PROBLEM, jobs=jobs, progress=False, feedback=feedback,
                         timestamp="2026-01-01T00:00:00Z")
    wall, cpu = time.perf_counter() - t0, _cpu() - c0
    peak = _status_kib("VmHWM")
    print(json.dumps({
        "wall": wall, "cpu": cpu, "base_kib": base, "peak_kib": peak, "growth_kib": peak - base if reset else None,
        "worker_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "line": result.line(),
    }))


def _run_child(args: list[str]) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    res = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, env=env)
    if res.returncode != 0:
        raise SystemExit(f"child {args} failed:\n{res.stderr}")
    return json.loads(res.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------------------------------------------------------
# the parent


def measure(folder: Path, work: Path, rounds: int, jobs: int | None, feedback: str) -> dict:
    floors, batches = [], []
    for r in range(rounds):  # A B A B ...
        floors.append(_run_child(["--child-floor", str(folder)]))
        out = work / f"out_{folder.name}_{r}"
        cmd = ["--child-batch", str(folder), str(out), "--feedback", feedback]
        batches.append(_run_child(cmd + (["--jobs", str(jobs)] if jobs else [])))
        # The output is kept until the whole run ends (``main`` removes the work folder): deleting a batch's 20,000
        # reports just before the next batch made that batch pay for it. On ext4 without a journal (this project's
        # test machine) every new file's inode search skips, one by one, the inodes freed in the last 30 seconds
        # (``recently_deleted`` in ``find_inode_bit``, seen with ``perf``): up to about 0.6 ms of system CPU per file
        # created, in a run that follows such a deletion; the floor creates no file.
    med = statistics.median
    return {
        "n": floors[0]["n"],
        "floor": med(f["wall"] for f in floors),
        "batch": med(b["wall"] for b in batches),
        "floor_cpu": med(f["cpu"] for f in floors),
        "batch_cpu": med(b["cpu"] for b in batches),
        "ratios": [b["wall"] / f["wall"] for f, b in zip(floors, batches)],
        "cpu_ratios": [b["cpu"] / f["cpu"] for f, b in zip(floors, batches)],
        "base": med(b["base_kib"] for b in batches) / 1024,
        "growth": (med(b["growth_kib"] for b in batches) / 1024) if batches[0]["growth_kib"] is not None else None,
        "peak": max(b["peak_kib"] for b in batches) / 1024,
        "worker": max(b["worker_kib"] for b in batches) / 1024,
        "line": batches[-1]["line"],
    }


def profile(folder: Path, out: Path, feedback: str) -> None:
    import cProfile
    import pstats

    from grader.batch.run import grade_batch

    prof = cProfile.Profile()
    prof.enable()
    grade_batch(folder, out, problem=PROBLEM, jobs=1, progress=False, feedback=feedback)
    prof.disable()
    stats = pstats.Stats(prof)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)


def _machine() -> str:
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    except OSError:
        pass
    import yaml

    return (f"{os.cpu_count()} CPUs ({model or platform.processor()}), {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, PyYAML {yaml.__version__} (libyaml: {yaml.__with_libyaml__})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10000, help="files of each style (and N/10)")
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--rounds", type=int, default=2, help="A B pairs per style and size (medians)")
    ap.add_argument("--feedback", default="both", choices=["both", "md", "html", "none"])
    ap.add_argument("--styles", nargs="+", default=["template", "seed"], choices=["template", "seed"])
    ap.add_argument("--profile", action="store_true", help="also profile a one-job batch of N/10 files per style")
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    ap.add_argument("--child-floor", metavar="FOLDER", help=argparse.SUPPRESS)
    ap.add_argument("--child-batch", nargs=2, metavar=("FOLDER", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child_floor:
        child_floor(args.child_floor)
        return
    if args.child_batch:
        child_batch(args.child_batch[0], args.child_batch[1], args.jobs, args.feedback)
        return
    sys.path.insert(0, str(REPO))
    work = Path(tempfile.mkdtemp(prefix="bench_batch_"))
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load_before = os.getloadavg()
    try:
        key = _key_values()
        template = template_text()
        sizes = [args.n, max(1, args.n // 10)]
        results: dict[tuple[str, int], dict] = {}
        for style in args.styles:
            for n in sizes:
                folder = work / f"{style}_{n}"
                t0 = time.perf_counter()
                if style == "seed":
                    generate_seed_style(folder, n, key)
                else:
                    generate_template_style(folder, n, key, template)
                print(f"generated {n} {style}-style submissions in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
                results[(style, n)] = r = measure(folder, work, args.rounds, args.jobs, args.feedback)
                print(f"  {r['line']}", file=sys.stderr)
        load_after = os.getloadavg()
        jobs = args.jobs or len(os.sched_getaffinity(0))
        print()
        print(f"{started}; {_machine()}; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after")
        print(f"jobs {jobs}, --feedback {args.feedback}, {args.rounds} rounds A B (medians); wall and CPU seconds "
              "(CPU: user + system, workers included)")
        print(f"{'style':<9} {'files':>6} {'floor s':>8} {'batch s':>8} {'x floor':>8} {'(rounds)':>14} "
              f"{'floor cpu':>9} {'batch cpu':>9} {'cpu x':>6} {'base MiB':>8} {'growth MiB':>10} "
              f"{'peak MiB':>8} {'worker MiB':>10}")
        for (style, n), r in results.items():
            rounds = "/".join(f"{x:.2f}" for x in r["ratios"])
            growth = f"{r['growth']:.1f}" if r["growth"] is not None else "n/a"
            print(f"{style:<9} {n:>6} {r['floor']:>8.2f} {r['batch']:>8.2f} {r['batch'] / r['floor']:>8.2f} "
                  f"{rounds:>14} {r['floor_cpu']:>9.2f} {r['batch_cpu']:>9.2f} "
                  f"{r['batch_cpu'] / r['floor_cpu']:>6.2f} {r['base']:>8.1f} {growth:>10} {r['peak']:>8.1f} "
                  f"{r['worker']:>10.1f}")
        print()
        targets = {"template": 3.0, "seed": 2.5}
        for style in args.styles:
            big, small = results[(style, sizes[0])], results[(style, sizes[1])]
            ratio = big["batch"] / big["floor"]
            print(f"{style}: batch/floor {ratio:.2f} at N={sizes[0]} (target <= {targets[style]}: "
                  f"{'met' if ratio <= targets[style] else 'missed'}); peak memory N/(N/10): parent "
                  f"{big['peak'] / small['peak']:.3f}, workers {big['worker'] / small['worker']:.3f} (target <= 1.05)"
                  + (f"; parent growth {small['growth']:.1f} -> {big['growth']:.1f} MiB"
                     if big["growth"] is not None else ""))
        if args.profile:
            for style in args.styles:
                print(f"\n===== profile: one job, {sizes[1]} {style}-style files =====")
                profile(work / f"{style}_{sizes[1]}", work / f"out_profile_{style}", args.feedback)
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
