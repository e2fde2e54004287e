"""Cost of the exact solver as networks grow, and against older code.

    python benchmarks/bench_solver.py [--repeat 5] [--against DIR_OR_REVISION ...] [--rounds 5]

Builds fully connected networks in memory (``tests/netbuild.py``, no YAML): 2-2-2, 4-8-4, 8-16-8-4 and
32-64-32-16, every layer sigmoid or every layer tanh, one example, half-SSE loss, biases updated, 1 and 3 gradient
steps; weights, inputs and targets are fixed pseudo-random two-digit decimals. Prints:

1. ``solve(problem)`` (graph building and the precision-doubling exact evaluation), median of ``--repeat`` runs,
   the cost per (parameters x steps) and its ratio to the 2-2-2 sigmoid 1-step baseline of the same run. Flat
   ratios mean the cost is linear in parameters x steps.
2. Scaling exponents, the slope of log(time) against log(parameters) by least squares (1 is linear): ``solve`` on
   k-2k-k-k/2 sigmoid networks over 3 steps for k = 4, 8, 16, 32, and ``build_graph`` (garbage collection paused,
   as ``solve`` does) for k = 8, 16, 32, 64.
3. With ``--against``: the 32-64-32-16 sigmoid 3-step solve by this code and by each older one (a folder holding
   a checkout, or a git revision of this repository, exported to a temporary folder with ``git archive``), each in
   its own process, interleaved A B A B for ``--rounds`` rounds; medians, the median of the per-round ratios, and
   whether every code gave the same key (every value to 40 digits, the precision and every formula); and each
   code's build_graph exponent.

No assertions: it prints.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import math
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from fractions import Fraction as F
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHAPES = [(2, 2, 2), (4, 8, 4), (8, 16, 8, 4)]
ACTIVATIONS = ["sigmoid", "tanh"]
STEPS = [1, 3]
BIG = ((32, 64, 32, 16), "sigmoid", 3)
SCALING = [(k, 2 * k, k, k // 2) for k in (4, 8, 16, 32)]
GRAPH_SCALING = [(k, 2 * k, k, k // 2) for k in (8, 16, 32, 64)]  # build_graph only: 64 is past the solve budget


def use(code: Path) -> None:
    """Import ``grader`` (and ``tests/netbuild.py``) from the checkout ``code``."""
    sys.path[:0] = [str(code), str(code / "tests")]


def build(shape: tuple[int, ...], act: str, steps: int, seed: int = 7):
    """A fully connected ``shape`` network of ``act`` units; returns (problem, number of parameters)."""
    from netbuild import layered, problem

    from grader.spec.problem import Activation

    rng = random.Random(seed)
    inputs = [f"i{k}" for k in range(1, shape[0] + 1)]
    layers = []
    for li, n in enumerate(shape[1:], start=1):
        last = li == len(shape) - 1
        names = [f"o{k}" for k in range(1, n + 1)] if last else [f"h{li}_{k}" for k in range(1, n + 1)]
        layers.append((names, Activation(act)))
    net = layered(inputs, layers)
    params = {w: F(rng.randint(-99, 99), 100) for w in net.weights}
    params.update({b: F(rng.randint(-50, 50), 100) for b in net.biases})
    x = {i: F(rng.randint(1, 99), 100) for i in inputs}
    low = 1 if act == "sigmoid" else -99
    t = {o: F(rng.randint(low, 99), 100) for o in layers[-1][0]}
    return problem(net, params, [(x, t)], lr=F(1, 2), steps=steps, update_biases=True), len(params)


def digest(key) -> str:
    """A fingerprint of a key: every value to 40 digits, the working precision, every formula."""
    from grader.solve.exact import to_decimal_string
    from grader.solve.expr import to_text

    h = hashlib.sha256(str(key.dps).encode())
    for name, v in key.values.items():
        h.update(f"{name}={to_decimal_string(v, 40)};".encode())
    for name, node in key.graph.nodes.items():
        h.update(f"{name}:{to_text(node.expr)};".encode())
    return h.hexdigest()[:16]


def graph_times(repeat: int = 3) -> list[float]:
    """Median ``build_graph`` seconds for each network of ``GRAPH_SCALING`` (garbage collection paused)."""
    from grader.solve.graph import build_graph

    out = []
    for shape in GRAPH_SCALING:
        prob, _ = build(shape, "sigmoid", 3)
        times = []
        for _ in range(repeat):
            gc.collect()
            gc.disable()
            try:
                t0 = time.perf_counter()
                build_graph(prob)
                times.append(time.perf_counter() - t0)
            finally:
                gc.enable()
        out.append(statistics.median(times))
    return out


def child(args) -> None:
    """One timed solve of the big network by the code in ``args.child`` (after a warm-up), or with ``--graph``
    its build_graph times, as JSON."""
    use(Path(args.child))
    import grader
    from grader.solve.solver import solve

    assert Path(grader.__file__).resolve().is_relative_to(Path(args.child).resolve()), grader.__file__
    if args.graph:
        print(json.dumps({"graph": graph_times()}))
        return
    solve(build((2, 2, 2), "sigmoid", 1)[0])
    prob, _ = build(*BIG)
    t0 = time.perf_counter()
    key = solve(prob)
    print(json.dumps({"seconds": time.perf_counter() - t0, "digest": digest(key)}))


def fit(xs, ys) -> float:
    """Least-squares slope of log(y) against log(x)."""
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = statistics.fmean(lx), statistics.fmean(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)


def cost_table(repeat: int) -> None:
    from grader.solve.solver import solve

    rows = []
    cases = [(s, a, n) for s in SHAPES for a in ACTIVATIONS for n in STEPS] + [BIG]
    for shape, act, steps in cases:
        prob, n_params = build(shape, act, steps)
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            key = solve(prob)
            times.append(time.perf_counter() - t0)
        rows.append({"net": "-".join(map(str, shape)), "act": act, "steps": steps, "params": n_params,
                     "nodes": len(key.graph.nodes), "dps": key.dps, "median": statistics.median(times),
                     "min": min(times)})
    base = rows[0]
    base_unit = base["median"] / (base["params"] * base["steps"])
    print(f"## solver cost (median of {repeat} runs; Python {sys.version.split()[0]})")
    print()
    print("| network   | act     | steps | params | quantities | dps | median ms | min ms | µs / (param x step) "
          "| x baseline |")
    print("|-----------|---------|------:|-------:|-----------:|----:|----------:|-------:|--------------------:"
          "|-----------:|")
    for r in rows:
        unit = r["median"] / (r["params"] * r["steps"])
        print(f"| {r['net']:<9} | {r['act']:<7} | {r['steps']:>5} | {r['params']:>6} | {r['nodes']:>10} | "
              f"{r['dps']:>3} | {r['median'] * 1e3:>9.1f} | {r['min'] * 1e3:>6.1f} | {unit * 1e6:>19.1f} | "
              f"{unit / base_unit:>10.2f} |")
    print()
    print("baseline: 2-2-2 sigmoid, 1 step; 'x baseline' compares the cost per (parameter x step). "
          "'quantities' counts the computed quantities of the key; 'dps' is the working precision it settled at.")


def scaling(repeat: int) -> None:
    from grader.solve.solver import solve

    sizes, solve_t = [], []
    for shape in SCALING:
        prob, n_params = build(shape, "sigmoid", 3)
        s = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            solve(prob)
            s.append(time.perf_counter() - t0)
        sizes.append(n_params)
        solve_t.append(statistics.median(s))
    graph_sizes = [build(shape, "sigmoid", 3)[1] for shape in GRAPH_SCALING]
    graph_t = graph_times(repeat)
    print()
    print(f"## scaling with the network (k-2k-k-k/2 sigmoid, 3 steps; median of {repeat})")
    print()
    print("| network | params | solve ms | | network | params | build_graph ms |")
    print("|---------|-------:|---------:|-|---------|-------:|---------------:|")
    for shape, n, s, gshape, gn, g in zip(SCALING, sizes, solve_t, GRAPH_SCALING, graph_sizes, graph_t):
        print(f"| {'-'.join(map(str, shape))} | {n} | {s * 1e3:.1f} | | {'-'.join(map(str, gshape))} | {gn} | "
              f"{g * 1e3:.1f} |")
    print()
    print(f"exponent of time in parameters (1 = linear), least squares: solve {fit(sizes, solve_t):.2f} "
          f"(all four sizes), {fit(sizes[1:], solve_t[1:]):.2f} (without the smallest, where fixed costs weigh); "
          f"build_graph {fit(graph_sizes, graph_t):.2f}")


def checkout(spec: str, tmp: Path) -> tuple[str, Path]:
    """(label, folder) of an older code: a folder as it is, or a git revision exported into ``tmp``."""
    if Path(spec).is_dir():
        return spec, Path(spec)
    rev = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", spec], capture_output=True, text=True,
                         check=True).stdout.strip()
    dest = tmp / rev
    dest.mkdir()
    archive = subprocess.run(["git", "-C", str(REPO), "archive", rev], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return rev, dest


def compare(against: list[str], rounds: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-solver-"))
    try:
        codes = [("this code", REPO)] + [checkout(a, tmp) for a in against]
        times: dict[str, list[float]] = {label: [] for label, _ in codes}
        digests: dict[str, set[str]] = {label: set() for label, _ in codes}
        for _ in range(rounds):
            for label, folder in codes:  # A B (C) A B (C) ...: every code sees the same load on average
                out = subprocess.run([sys.executable, __file__, "--child", str(folder)], capture_output=True,
                                     text=True, check=True, cwd=tmp).stdout
                got = json.loads(out.strip().splitlines()[-1])
                times[label].append(got["seconds"])
                digests[label].add(got["digest"])
        exponents = {}
        sizes = [build(shape, "sigmoid", 3)[1] for shape in GRAPH_SCALING]
        for label, folder in codes:
            out = subprocess.run([sys.executable, __file__, "--child", str(folder), "--graph"], capture_output=True,
                                 text=True, check=True, cwd=tmp).stdout
            exponents[label] = fit(sizes, json.loads(out.strip().splitlines()[-1])["graph"])
        new = times["this code"]
        net = "-".join(map(str, BIG[0]))
        print()
        print(f"## {net} {BIG[1]}, {BIG[2]} steps: this code against older code "
              f"({rounds} interleaved rounds, one solve per process after a warm-up)")
        print()
        print("| code | median s | min s | ratio to this code (median of rounds) | same key | build_graph exponent |")
        print("|------|---------:|------:|--------------------------------------:|----------|---------------------:|")
        same = digests["this code"]
        for label, _ in codes:
            ratio = statistics.median(o / n for o, n in zip(times[label], new))
            print(f"| {label} | {statistics.median(times[label]):.3f} | {min(times[label]):.3f} | {ratio:.2f} | "
                  f"{'yes' if digests[label] == same and len(same) == 1 else 'NO'} | {exponents[label]:.2f} |")
        print()
        print(f"build_graph exponent: least squares over {', '.join('-'.join(map(str, s)) for s in GRAPH_SCALING)} "
              "sigmoid, 3 steps, in one process per code")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5, help="runs of each solve; the median is reported (default 5)")
    ap.add_argument("--against", nargs="*", default=[], metavar="DIR_OR_REVISION",
                    help="older code to time the 32-64-32-16 network against, interleaved")
    ap.add_argument("--rounds", type=int, default=5, help="interleaved rounds of --against (default 5)")
    ap.add_argument("--only", choices=["table", "scaling", "compare"], help="print just one part")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--graph", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args)
    use(REPO)
    from grader.solve.solver import solve

    solve(build((2, 2, 2), "sigmoid", 1)[0])  # warm-up: first-call costs (imports, caches) are not the solver's
    if args.only in (None, "table"):
        cost_table(args.repeat)
    if args.only in (None, "scaling"):
        scaling(max(3, args.repeat // 2))
    if args.against and args.only in (None, "compare"):
        compare(args.against, args.rounds)


if __name__ == "__main__":
    main()
