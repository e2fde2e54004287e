"""Cold start of a repeat ``grade`` (its problem already solved once and cached), against importing the libraries.

    python benchmarks/bench_cold_start.py [--n 15] [--top 10]

Times, as fresh subprocesses of this interpreter, interleaved round by round (A B C ... A B C ...) so that load on
the machine hits every command alike, and reports medians:

  grade seed      ``python -m grader submissions_examples/exercise6_seed.yaml`` (most fields wrong: diagnoses run)
  grade correct   ``python -m grader submissions_examples/classic_correct.yaml`` (every field right)
                  (and the ``grade`` console script on the seed when one sits next to this interpreter)
  first grading   the seed with the cache off (``BACKPROP_GRADER_CACHE=off``): validating and solving the problem
  baseline A      ``python -c "import yaml, pydantic"``   target: a repeat grade <= 1.5x
  baseline B      ``python -c "import yaml"``             target: a repeat grade <= 2x
  floor           ``python -c pass`` (the interpreter alone, for scale)

The grader's modules are byte-compiled first, as a normal install does (this project's machines set
``PYTHONDONTWRITEBYTECODE``, so an editable checkout would otherwise recompile every module at each start), and the
cache of solved problems (``grader/grade/plancache.py``) is a fresh temporary folder, filled by the first
(uncounted) round, as any earlier grading would. It then splits one cached ``grade`` into its phases (imports,
reading the submission, loading the plan, grading, rendering), timed inside fresh processes (median of 5), and runs
``python -X importtime -m grader`` on both submissions (several times, keeping each module's smallest figure): the
biggest imports by cumulative time, and whether sympy, numpy, mpmath, pydantic or the solver are imported on the
cached grading path (none should be). No assertions: it prints.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED = "submissions_examples/exercise6_seed.yaml"
CORRECT = "submissions_examples/classic_correct.yaml"
HEAVY = ("sympy", "numpy", "mpmath", "pydantic", "pydantic_core", "grader.solve", "grader.spec.problem",
         "grader.grade.diagnose", "yaml", "scipy", "pandas")
SHOULD_NOT = ("sympy", "numpy", "scipy", "pandas", "mpmath", "pydantic", "pydantic_core", "grader.solve",
              "grader.spec.problem")
CACHE = tempfile.mkdtemp(prefix="bench-cold-cache-")
BASE_A = "baseline A: import yaml, pydantic"
BASE_B = "baseline B: import yaml"


def _env(cache: str = CACHE) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    env["NO_COLOR"] = "1"
    env["BACKPROP_GRADER_CACHE"] = cache
    return env


def _time(cmd: list[str], cache: str = CACHE) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, env=_env(cache), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.decode(errors='replace')[-500:]}")
    return elapsed


def commands() -> dict[str, tuple[list[str], str]]:
    """name -> (command, cache folder)."""
    py = sys.executable
    cmds = {
        "grade seed (python -m grader)": ([py, "-m", "grader", SEED], CACHE),
        "grade correct (python -m grader)": ([py, "-m", "grader", CORRECT], CACHE),
        "first grading: seed, cache off": ([py, "-m", "grader", SEED], "off"),
        BASE_A: ([py, "-c", "import yaml, pydantic"], CACHE),
        BASE_B: ([py, "-c", "import yaml"], CACHE),
        "floor: python -c pass": ([py, "-c", "pass"], CACHE),
    }
    script = Path(sys.executable).parent / "grade"
    if script.is_file() and os.access(script, os.X_OK):
        cmds = {"grade seed (console script)": ([str(script), SEED], CACHE), **cmds}
    return cmds


def importtime(submission: str, runs: int = 3) -> dict[str, tuple[int, int, int]]:
    """module -> (self µs, cumulative µs, nesting level), the smallest of ``runs`` runs of a cached grading."""
    best: dict[str, tuple[int, int, int]] = {}
    line = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")
    for _ in range(runs):
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "grader", submission], cwd=REPO, env=_env(),
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
mark("import grader.cli (argparse)")
from grader.grade.pipeline import Grader
mark("import the grading pipeline (yaml, dataclasses, reader, engine)")
from grader.report import render
from grader.report import text as _text
mark("import the text report")
from grader.submission.load import read_submission_file, submission_from_document
sub = submission_from_document(read_submission_file(sys.argv[1]))
mark("read the submission")
g = Grader()
path, _ = g.problem_for(sub.problem)
plan = g.plan_at(path)
mark("find the problem, load its plan from the cache (checked)")
result = g.grade_submission(sub)
mark("grade (names, fields, flags, diagnoses)")
out = render(result, "text")
mark("render the text report")
print(json.dumps(marks))
"""


def phases(submission: str, runs: int = 5) -> list[tuple[str, float]]:
    """Median seconds of each phase of one cached ``grade``, each run in a fresh process."""
    import json

    samples: list[list[tuple[str, float]]] = []
    for _ in range(runs):
        proc = subprocess.run([sys.executable, "-c", PHASES_CHILD, submission], cwd=REPO, env=_env(),
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise SystemExit(f"phase timing failed: {proc.stderr[-800:]}")
        samples.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    names = [n for n, _ in samples[0]]
    return [(n, statistics.median(s[i][1] for s in samples)) for i, n in enumerate(names)]


def _imports_table(submission: str, top: int) -> None:
    mods = importtime(submission)
    print()
    print(f"## biggest imports of a cached `python -X importtime -m grader {submission}` (cumulative, best of 3)")
    print()
    print(f"| {'module':<44} | {'level':>5} | {'cumulative ms':>13} | {'self ms':>7} |")
    print(f"|{'-' * 46}|{'-' * 6}:|{'-' * 14}:|{'-' * 8}:|")
    ranked = sorted(mods.items(), key=lambda kv: -kv[1][1])
    for name, (own, cum, level) in ranked[:top]:
        print(f"| {'  ' * level + name:<44} | {level:>5} | {cum / 1e3:>13.1f} | {own / 1e3:>7.1f} |")
    top_level = sorted(((n, v) for n, v in mods.items() if "." not in n), key=lambda kv: -kv[1][1])
    print()
    print("biggest top-level packages (cumulative ms): "
          + ", ".join(f"{n} {v[1] / 1e3:.1f}" for n, v in top_level[:top]))
    own_total = sum(v[0] for n, v in mods.items() if n == "grader" or n.startswith("grader."))
    print(f"grader's own modules (self time, summed): {own_total / 1e3:.1f} ms")
    by_self = sorted(((n, v) for n, v in mods.items() if n.startswith("grader")), key=lambda kv: -kv[1][0])
    print("slowest grader modules by self time (ms): "
          + ", ".join(f"{n} {v[0] / 1e3:.1f}" for n, v in by_self[:5]))
    for pkg in HEAVY:
        hits = [n for n in mods if n == pkg or n.startswith(pkg + ".")]
        if hits:
            cum = max(mods[n][1] for n in hits)
            print(f"imported on the cached grading path: {pkg:<22} {cum / 1e3:7.1f} ms cumulative"
                  + ("   <-- should NOT be" if pkg in SHOULD_NOT else ""))
        else:
            print(f"not imported:                        {pkg}")


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
    for cmd, cache in cmds.values():  # warm the file-system cache and fill the cache of solved problems: not counted
        _time(cmd, cache)
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(args.n):
        for name, (cmd, cache) in cmds.items():
            times[name].append(_time(cmd, cache))

    med = {name: statistics.median(ts) for name, ts in times.items()}
    a, b = med[BASE_A], med[BASE_B]
    print(f"## cold start ({args.n} runs each, interleaved; {sys.executable}, Python {sys.version.split()[0]}; "
          f"load average {os.getloadavg()[0]:.2f})" if hasattr(os, "getloadavg") else "")
    print()
    print(f"| {'command':<34} | {'median ms':>9} | {'min ms':>7} | {'max ms':>7} | {'x A (yaml, pydantic)':>20} "
          f"| {'x B (yaml)':>10} |")
    print(f"|{'-' * 36}|{'-' * 10}:|{'-' * 8}:|{'-' * 8}:|{'-' * 21}:|{'-' * 11}:|")
    for name, ts in times.items():
        print(f"| {name:<34} | {med[name] * 1e3:>9.1f} | {min(ts) * 1e3:>7.1f} | {max(ts) * 1e3:>7.1f} | "
              f"{med[name] / a:>20.2f} | {med[name] / b:>10.2f} |")
    print()
    for name in ("grade seed (python -m grader)", "grade correct (python -m grader)"):
        ra, rb = med[name] / a, med[name] / b
        print(f"{name}: {ra:.2f}x baseline A (target <= 1.5x: {'met' if ra <= 1.5 else 'NOT met'}), "
              f"{rb:.2f}x baseline B (target <= 2x: {'met' if rb <= 2 else 'NOT met'}); "
              f"{(med[name] - b) * 1e3:.0f} ms beyond importing yaml")
    print(f"baseline B beyond the bare interpreter: {(b - med['floor: python -c pass']) * 1e3:.0f} ms; "
          f"baseline A beyond B (pydantic): {(a - b) * 1e3:.0f} ms")

    for submission in (SEED, CORRECT):
        print()
        print(f"## where one cached `grade {submission}` spends its time (inside the process, median of 5)")
        print()
        print(f"| {'phase':<68} | {'ms':>7} |")
        print(f"|{'-' * 70}|{'-' * 8}:|")
        ph = phases(submission)
        for name, sec in ph:
            print(f"| {name:<68} | {sec * 1e3:>7.1f} |")
        print(f"| {'total (the interpreter start is on top of this)':<68} | {sum(s for _, s in ph) * 1e3:>7.1f} |")

    for submission in (SEED, CORRECT):
        _imports_table(submission, args.top)


if __name__ == "__main__":
    main()
