"""Cold start of ``grade`` on the seed submission, against importing the two libraries it cannot do without.

    python benchmarks/bench_cold_start.py [--n 15] [--top 10]

Times, as fresh subprocesses of this interpreter, interleaved round by round so that load on the machine hits every
command alike:

  grade     ``python -m grader submissions_examples/exercise6_seed.yaml`` (and the ``grade`` console script when
            one sits next to this interpreter, e.g. in a virtualenv's bin/)
  baseline  ``python -c "import yaml, pydantic"``
  floor     ``python -c pass`` (the interpreter alone, for scale)

and prints the medians and the ratio grade/baseline (target: within 2x). It splits one cold ``grade`` into its phases
(imports, reading and solving the problem, reading and grading the submission, rendering), timed inside fresh
processes (median of 5). The grader's modules are byte-compiled first, as a normal install does, and the first
(uncounted) run fills the cache of solved problems (``grader/grade/plancache.py``), as any earlier grading would. Then it runs
``python -X importtime -m grader submissions_examples/exercise6_seed.yaml`` (several times, keeping each module's
smallest figure) and prints the ten biggest imports by cumulative time, and whether sympy, numpy, mpmath or pydantic
are imported on the grading path (sympy and numpy should not be). No assertions: it prints.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED = "submissions_examples/exercise6_seed.yaml"
HEAVY = ("sympy", "numpy", "mpmath", "pydantic", "pydantic_core", "yaml", "scipy", "pandas")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    env["NO_COLOR"] = "1"
    return env


def _time(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.decode(errors='replace')[-500:]}")
    return elapsed


def commands() -> dict[str, list[str]]:
    py = sys.executable
    cmds = {
        "grade (python -m grader)": [py, "-m", "grader", SEED],
        "baseline: import yaml, pydantic": [py, "-c", "import yaml, pydantic"],
        "floor: python -c pass": [py, "-c", "pass"],
    }
    script = Path(sys.executable).parent / "grade"
    if script.is_file() and os.access(script, os.X_OK):
        cmds = {"grade (console script)": [str(script), SEED], **cmds}
    return cmds


def importtime(runs: int = 3) -> dict[str, tuple[int, int, int]]:
    """module -> (self µs, cumulative µs, nesting level), the smallest of ``runs`` runs."""
    best: dict[str, tuple[int, int, int]] = {}
    line = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")
    for _ in range(runs):
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "grader", SEED], cwd=REPO, env=_env(),
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        for m in line.finditer(proc.stderr):
            own, cum, indent, name = int(m[1]), int(m[2]), len(m[3]), m[4]
            level = (indent - 1) // 2
            if name not in best or cum < best[name][1]:
                best[name] = (own, cum, level)
    return best


PHASES_CHILD = r"""
import sys, time, json
t = [time.perf_counter()]
marks = []
def mark(name):
    t.append(time.perf_counter()); marks.append((name, t[-1] - t[-2]))
import grader.cli
mark("import grader.cli")
from grader.grade.pipeline import Grader
from grader.grade.prepare import resolve_submission
from grader.grade.engine import grade, make_plan
mark("import grade pipeline (pydantic, mpmath, yaml, spec, solver, engine)")
from grader.report import render
from grader.report import text as _text
mark("import text report")
from grader.spec.load import find_problem, load_problem
from grader.solve.solver import solve
from grader.submission.load import load_submission
sub = load_submission(sys.argv[1])
mark("read the submission")
problem = load_problem(find_problem(sub.problem, sys.argv[1]))
mark("read and validate the problem")
key = solve(problem)
mark("solve the problem (exact key)")
plan = make_plan(key)
mark("make the grading plan")
sub, _issues = resolve_submission(plan, sub)
result = grade(plan, sub)
mark("grade the submission")
out = render(result, "text")
mark("render the text report")
print(json.dumps(marks))
"""


def phases(runs: int = 5) -> list[tuple[str, float]]:
    """Median seconds of each phase of one cold ``grade``, each run in a fresh process."""
    import json

    samples: list[list[tuple[str, float]]] = []
    for _ in range(runs):
        proc = subprocess.run([sys.executable, "-c", PHASES_CHILD, SEED], cwd=REPO, env=_env(),
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise SystemExit(f"phase timing failed: {proc.stderr[-800:]}")
        samples.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    names = [n for n, _ in samples[0]]
    return [(n, statistics.median(s[i][1] for s in samples)) for i, n in enumerate(names)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=15, help="runs of each command (default 15)")
    ap.add_argument("--top", type=int, default=10, help="imports to list (default 10)")
    args = ap.parse_args()

    # As after a normal install, where pip byte-compiles the package: an editable checkout has no .pyc files when
    # PYTHONDONTWRITEBYTECODE is set (as on this project's machines), and would then recompile every module of
    # the grader at each start while its dependencies' .pyc files were made at their install.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "grader")], check=False)
    cmds = commands()
    for cmd in cmds.values():  # warm the file-system cache and the grader's cache of solved problems; not counted
        _time(cmd)
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(args.n):
        for name, cmd in cmds.items():
            times[name].append(_time(cmd))

    med = {name: statistics.median(ts) for name, ts in times.items()}
    base = med["baseline: import yaml, pydantic"]
    print(f"## cold start ({args.n} runs each, interleaved; {sys.executable}, Python {sys.version.split()[0]})")
    print()
    print(f"| {'command':<32} | {'median ms':>9} | {'min ms':>7} | {'max ms':>7} | {'x baseline':>10} |")
    print(f"|{'-' * 34}|{'-' * 10}:|{'-' * 8}:|{'-' * 8}:|{'-' * 11}:|")
    for name, ts in times.items():
        print(f"| {name:<32} | {med[name] * 1e3:>9.1f} | {min(ts) * 1e3:>7.1f} | {max(ts) * 1e3:>7.1f} | "
              f"{med[name] / base:>10.2f} |")
    grade_name = "grade (python -m grader)"
    ratio = med[grade_name] / base
    print()
    print(f"grade / baseline = {ratio:.2f}x (target <= 2x: {'met' if ratio <= 2 else 'NOT met'}); "
          f"grade beyond the baseline: {(med[grade_name] - base) * 1e3:.0f} ms; "
          f"baseline beyond the bare interpreter: {(base - med['floor: python -c pass']) * 1e3:.0f} ms")

    print()
    print("## where one cold `grade` spends its time (inside the process, median of 5 fresh processes)")
    print()
    print(f"| {'phase':<68} | {'ms':>7} |")
    print(f"|{'-' * 70}|{'-' * 8}:|")
    ph = phases()
    for name, sec in ph:
        print(f"| {name:<68} | {sec * 1e3:>7.1f} |")
    print(f"| {'total (the interpreter start is on top of this)':<68} | {sum(s for _, s in ph) * 1e3:>7.1f} |")

    mods = importtime()
    print()
    print(f"## biggest imports of `python -X importtime -m grader {SEED}` (cumulative, best of 3)")
    print()
    print(f"| {'module':<40} | {'level':>5} | {'cumulative ms':>13} | {'self ms':>7} |")
    print(f"|{'-' * 42}|{'-' * 6}:|{'-' * 14}:|{'-' * 8}:|")
    ranked = sorted(mods.items(), key=lambda kv: -kv[1][1])
    for name, (own, cum, level) in ranked[: args.top]:
        print(f"| {'  ' * level + name:<40} | {level:>5} | {cum / 1e3:>13.1f} | {own / 1e3:>7.1f} |")
    top_level = sorted(((n, v) for n, v in mods.items() if "." not in n), key=lambda kv: -kv[1][1])
    print()
    print("biggest top-level packages (cumulative ms): "
          + ", ".join(f"{n} {v[1] / 1e3:.1f}" for n, v in top_level[: args.top]))
    own_total = sum(v[0] for n, v in mods.items() if n == "grader" or n.startswith("grader."))
    print(f"grader's own modules (self time, summed): {own_total / 1e3:.1f} ms")
    by_self = sorted(((n, v) for n, v in mods.items() if n.startswith("grader")), key=lambda kv: -kv[1][0])
    print("slowest grader modules by self time (ms): "
          + ", ".join(f"{n} {v[0] / 1e3:.1f}" for n, v in by_self[:5]))
    print()
    for pkg in HEAVY:
        if pkg in mods:
            print(f"imported on the grading path: {pkg:<14} {mods[pkg][1] / 1e3:7.1f} ms cumulative"
                  + ("   <-- should NOT be" if pkg in ("sympy", "numpy", "scipy", "pandas") else ""))
        else:
            print(f"not imported:                 {pkg}")


if __name__ == "__main__":
    main()
