"""Cost of the exact solver as networks grow.

    python benchmarks/bench_solver.py [--repeat 5]

Builds fully connected networks in memory (``tests/netbuild.py``, no YAML): 2-2-2, 4-8-4 and 8-16-8-4, every layer
sigmoid or every layer tanh, one example, half-SSE loss, biases updated, 1 and 3 gradient steps; weights, inputs
and targets are fixed pseudo-random two-digit decimals. Times ``solve(problem)`` (graph building and the
precision-doubling exact evaluation), median of ``--repeat`` runs, and prints the cost per (parameters x steps) and
its ratio to the 2-2-2 sigmoid 1-step baseline of the same run. Flat ratios mean the cost is linear in
parameters x steps. No assertions: it prints.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from fractions import Fraction as F
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from netbuild import layered, problem  # noqa: E402

from grader.solve.solver import solve  # noqa: E402
from grader.spec.problem import Activation  # noqa: E402

SHAPES = [(2, 2, 2), (4, 8, 4), (8, 16, 8, 4)]
ACTIVATIONS = ["sigmoid", "tanh"]
STEPS = [1, 3]


def build(shape: tuple[int, ...], act: str, steps: int, seed: int = 7):
    """A fully connected ``shape`` network of ``act`` units; returns (problem, number of parameters)."""
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5, help="runs of each solve; the median is reported (default 5)")
    args = ap.parse_args()

    solve(build((2, 2, 2), "sigmoid", 1)[0])  # warm-up: first-call costs (imports, caches) are not the solver's
    rows = []
    for shape in SHAPES:
        for act in ACTIVATIONS:
            for steps in STEPS:
                prob, n_params = build(shape, act, steps)
                times = []
                for _ in range(args.repeat):
                    t0 = time.perf_counter()
                    key = solve(prob)
                    times.append(time.perf_counter() - t0)
                rows.append({
                    "net": "-".join(map(str, shape)), "act": act, "steps": steps, "params": n_params,
                    "nodes": len(key.graph.nodes), "dps": key.dps, "median": statistics.median(times),
                    "min": min(times),
                })
    base = next(r for r in rows if r["net"] == "2-2-2" and r["act"] == "sigmoid" and r["steps"] == 1)
    base_unit = base["median"] / (base["params"] * base["steps"])
    print(f"## solver cost (median of {args.repeat} runs; Python {sys.version.split()[0]})")
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


if __name__ == "__main__":
    main()
