"""Run every benchmark of this folder, one after the other, each in its own process, and print their tables.

    python benchmarks/run.py [--only NAME ...] [--skip NAME ...] [--timeout SECONDS]

Runs ``benchmarks/bench_*.py`` in name order with this interpreter (whichever exist: the set may grow), streams
their output as they run, then prints a summary: each benchmark's exit code and wall time, and the machine
(CPU count and model, Python). NAME is the part after ``bench_`` (``cold_start``, ``solver``, ``grade``, ``batch``).
Exit code 0 when every benchmark exited 0, else 1. Benchmarks print figures; none asserts on timings.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = " load average %.2f %.2f %.2f;" % os.getloadavg()
    except OSError:
        load = ""
    return (f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else '?'})"
            f", {model};{load} Python {platform.python_version()} ({sys.executable}); {platform.platform()}")


def discover(only: list[str], skip: list[str]) -> list[Path]:
    found = sorted(HERE.glob("bench_*.py"))
    name = lambda p: p.stem[len("bench_"):]  # noqa: E731
    if only:
        unknown = set(only) - {name(p) for p in found}
        if unknown:
            raise SystemExit(f"no benchmark named {', '.join(sorted(unknown))}; have: "
                             + ", ".join(name(p) for p in found))
        found = [p for p in found if name(p) in only]
    return [p for p in found if name(p) not in skip]


def run(path: Path, timeout: float | None) -> tuple[int, float]:
    """Run one benchmark, streaming its output; (exit code, seconds)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("PYTHONUNBUFFERED", "1")
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(path)], cwd=REPO, env=env)
    try:
        rc = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        print(f"\n{path.name}: stopped after {timeout:g} s", flush=True)
        rc = -9
    return rc, time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", nargs="+", default=[], metavar="NAME", help="run only these benchmarks")
    ap.add_argument("--skip", nargs="+", default=[], metavar="NAME", help="leave these out")
    ap.add_argument("--timeout", type=float, default=None, help="stop a benchmark after this many seconds")
    args = ap.parse_args()

    benches = discover(args.only, args.skip)
    if not benches:
        print("no benchmarks to run")
        return 1
    print(f"# benchmarks: {', '.join(p.name for p in benches)}")
    print(f"# machine: {machine()}", flush=True)
    results = []
    for path in benches:
        print(f"\n{'=' * 100}\n# {path.name}\n{'=' * 100}\n", flush=True)
        rc, seconds = run(path, args.timeout)
        results.append((path.name, rc, seconds))
    print(f"\n{'=' * 100}\n# summary\n")
    print(f"| {'benchmark':<24} | {'exit':>4} | {'wall s':>7} |")
    print(f"|{'-' * 26}|{'-' * 5}:|{'-' * 8}:|")
    for name, rc, seconds in results:
        print(f"| {name:<24} | {rc:>4} | {seconds:>7.1f} |")
    print(f"\nmachine: {machine()}")
    return 0 if all(rc == 0 for _, rc, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
