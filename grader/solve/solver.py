"""The exact reference solver: Problem -> AnswerKey.

Every quantity of ``grader.solve.graph`` is evaluated with rationals kept exact and transcendental functions in
mpmath. The working precision starts at ``START_DPS`` digits and doubles until two successive evaluations agree on
every value to ``KEY_DIGITS + 2`` significant digits, so each key value is right to at least ``KEY_DIGITS`` digits
however much cancellation the formulas contain (a saturated sigmoid's ``o*(1 - o)`` included).
"""

from __future__ import annotations

import gc
import math
from dataclasses import dataclass, field
from fractions import Fraction

import mpmath

from grader.errors import SpecError
from grader.solve.exact import KEY_DIGITS, ConvertOnce, ExactBackend, Number, agree, is_noise, to_decimal_string
from grader.solve.expr import evaluate
from grader.solve.graph import Graph, Node, build_graph
from grader.solve.saturation import float_smallness, smallness
from grader.spec import names
from grader.spec.problem import Problem

START_DPS = 60
MAX_DPS = 4000
# The work budget of one solve: (weights + biases + neurons) x steps x examples. Homework networks need a few
# hundred; 25,000 is a few seconds (a 4-layer 64-wide network for 2 steps); beyond it a problem is refused before
# any work, not left running for minutes.
MAX_WORK = 25_000
_BACKEND = ExactBackend()  # for AnswerKey.change


@dataclass(frozen=True)
class AnswerKey:
    problem: Problem
    graph: Graph
    values: dict[str, Number]  # given values and every computed quantity
    dps: int  # the working precision the values were computed at
    floats: dict[str, float] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.floats.update({k: float(v) for k, v in self.values.items()})

    def node(self, name: str) -> Node:
        return self.graph.nodes[name]

    def decimal(self, name: str, digits: int = 25) -> str:
        return to_decimal_string(self.values[name], digits)

    def change(self, name: str) -> Number:
        """For an updated parameter ``p_new``: ``p_new - p`` (exact)."""
        base = self.graph.nodes[name].base
        with mpmath.workdps(self.dps):
            return _BACKEND.add(self.values[name], -self.values[base])

    def is_exact(self, name: str) -> bool:
        return isinstance(self.values[name], Fraction)


def _evaluate_all(graph: Graph, dps: int, problem: Problem | None = None) -> dict[str, Number]:
    values: dict[str, Number] = dict(graph.given)
    with mpmath.workdps(dps):
        backend = ConvertOnce()  # one per evaluation: it works at this precision
        for name, node in graph.nodes.items():
            try:
                values[name] = evaluate(node.expr, values, backend)
            except (ArithmeticError, ValueError) as exc:
                raise _cannot_compute(problem, node, values, exc) from None
    return values


def _cannot_compute(problem: Problem | None, node: Node, values: dict[str, Number], exc: Exception) -> SpecError:
    """Where a formula the spec gave (an activation's or the loss's) is undefined for the given values: say which
    formula, at which neuron and value, located at the formula in the spec; otherwise what could not be computed."""
    n = node.neuron
    if problem is not None and n is not None:
        net = problem.network
        sfx = names.suffix(node.step, node.example)
        act = net.activation_of(n)
        if act.kind == "formula" and node.kind in ("activation", "dout_dnet"):
            what = "the activation" if node.kind == "activation" else "the derivative of the activation"
            at = net.neurons[n].net + sfx
            return SpecError(
                f"{what} {act.formula.text!r} of {n} is undefined at {at} = {_show(values[at])}: {exc}",
                file=problem.source, line=act.formula.line, path=act.formula.path,
                hint="choose given values that keep every net input where the formula and its derivative are "
                     "defined (or state a kink's derivative with {kind: relu, derivative_at_zero: ..})")
        if problem.loss_formula is not None and n in net.outputs and node.kind in ("loss", "dE_dout"):
            t = net.target_name(n) + (f"_x{node.example}" if node.example is not None else "")
            what = "the loss" if node.kind == "loss" else "the derivative of the loss"
            f = problem.loss_formula
            return SpecError(
                f"{what} {f.text!r} is undefined at {n + sfx} = {_show(values[n + sfx])}, {t} = {_show(values[t])}: "
                f"{exc}", file=problem.source, line=f.line, path=f.path,
                hint="choose a loss formula defined for every output and target of this problem")
    return SpecError(f"cannot compute {node.name}: {exc}", hint="check the given values")


def _show(v: Number) -> str:
    return to_decimal_string(v, 6, trim=True)


def work_of(problem: Problem) -> int:
    """The size of solving ``problem``: (weights + biases + neurons) x training steps x examples."""
    net = problem.network
    return (len(net.params) + len(net.neurons)) * max(1, problem.training.steps) * max(1, len(problem.examples))


def check_work(problem: Problem) -> int:
    """``work_of(problem)``, or a ``SpecError`` naming the budget when it is over ``MAX_WORK``."""
    net = problem.network
    size = len(net.params) + len(net.neurons)
    steps, examples = max(1, problem.training.steps), max(1, len(problem.examples))
    work = size * steps * examples
    if work > MAX_WORK:
        raise SpecError(
            f"problem {problem.id} is too large to solve: ({len(net.params):,} weights and biases + "
            f"{len(net.neurons):,} neurons) × {steps} step{'s' if steps != 1 else ''} × {examples} "
            f"example{'s' if examples != 1 else ''} = {work:,} units of work; the budget is {MAX_WORK:,}",
            file=problem.source,
            hint="use fewer layers, neurons, steps or examples (a homework network is a few hundred units)",
        )
    return work


def solve(problem: Problem) -> AnswerKey:
    """Compute every quantity of ``problem`` to at least ``KEY_DIGITS`` significant digits.

    The starting precision allows for values twice as small (in digits) as the smallest the network can produce
    (``grader.solve.saturation``: from a float pass where it can be sure, else from an exact evaluation at
    ``START_DPS``), then doubles until two evaluations agree; a value that sits at the rounding-noise floor
    of both evaluations (below 10^(-3/4·digits), far below anything the network can produce) is a zero reached by
    cancellation and is stored as an exact 0.
    """
    paused = gc.isenabled()
    if paused:  # the evaluation makes millions of short-lived numbers and no cycles: collections only cost time
        gc.disable()
    try:
        return _solve(problem)
    except SpecError as exc:  # every message names the problem's file
        raise exc.located(file=problem.source) from None
    finally:
        if paused:
            gc.enable()


def _solve(problem: Problem) -> AnswerKey:
    check_work(problem)
    graph = build_graph(problem)
    small = float_smallness(problem, graph)  # the bound from floats, where they can be sure of it
    low = None
    if small is None:  # or from an exact evaluation at the starting precision
        low = _evaluate_all(graph, START_DPS, problem)
        if all(type(v) is Fraction for v in low.values()):
            return AnswerKey(problem, graph, low, START_DPS)
        small = smallness(problem, graph, low)
    dps = START_DPS + math.ceil(2 * small / math.log(10))
    if dps > MAX_DPS // 2:
        if low is None:  # a formula undefined for these values is reported first, as by the exact evaluation
            _evaluate_all(graph, START_DPS, problem)
        raise SpecError(
            f"the network's net inputs (|net| adding up to {small if small < 10**6 else format(small, '.3g')} over the "
            "layers) saturate it beyond what can be graded",
            hint="use smaller weights or inputs",
        )
    if low is None or dps > START_DPS:
        low = _evaluate_all(graph, dps, problem)
        if dps == START_DPS and all(type(v) is Fraction for v in low.values()):
            return AnswerKey(problem, graph, low, START_DPS)
    while True:
        high = _evaluate_all(graph, 2 * dps, problem)
        zeros = {k for k in graph.nodes if is_noise(low[k], dps) and is_noise(high[k], 2 * dps)}
        if all(k in zeros or agree(low[k], high[k], KEY_DIGITS + 2) for k in graph.nodes):
            high.update({k: Fraction(0) for k in zeros})
            return AnswerKey(problem, graph, high, 2 * dps)
        dps *= 2
        if 2 * dps > MAX_DPS:
            bad = [k for k in graph.nodes if not agree(low[k], high[k], KEY_DIGITS + 2)]
            raise SpecError(
                f"cannot compute {', '.join(bad[:5])} to {KEY_DIGITS} digits even at {MAX_DPS} digits of precision",
                hint="the network is saturated beyond what can be graded; use smaller weights",
            )
        low = high
