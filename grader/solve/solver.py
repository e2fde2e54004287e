"""The exact reference solver: Problem -> AnswerKey.

Every quantity of ``grader.solve.graph`` is evaluated with rationals kept exact and transcendental functions in
mpmath. The working precision starts at ``START_DPS`` digits and doubles until two successive evaluations agree on
every value to ``KEY_DIGITS + 2`` significant digits, so each key value is right to at least ``KEY_DIGITS`` digits
however much cancellation the formulas contain (a saturated sigmoid's ``o*(1 - o)`` included).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import mpmath

from grader.errors import SpecError
from grader.solve.exact import KEY_DIGITS, ExactBackend, Number, agree, to_decimal_string
from grader.solve.expr import evaluate
from grader.solve.graph import Graph, Node, build_graph
from grader.spec.problem import Problem

START_DPS = 60
MAX_DPS = 4000
_BACKEND = ExactBackend()


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


def _evaluate_all(graph: Graph, dps: int) -> dict[str, Number]:
    values: dict[str, Number] = dict(graph.given)
    with mpmath.workdps(dps):
        for name, node in graph.nodes.items():
            try:
                values[name] = evaluate(node.expr, values, _BACKEND)
            except (ArithmeticError, ValueError) as exc:
                raise SpecError(f"cannot compute {name}: {exc}", hint="check the given values") from None
    return values


def solve(problem: Problem) -> AnswerKey:
    """Compute every quantity of ``problem`` to at least ``KEY_DIGITS`` significant digits."""
    graph = build_graph(problem)
    dps = START_DPS
    low = _evaluate_all(graph, dps)
    if all(isinstance(v, Fraction) for v in low.values()):
        return AnswerKey(problem, graph, low, dps)
    while True:
        high = _evaluate_all(graph, 2 * dps)
        if all(agree(low[k], high[k], KEY_DIGITS + 2) for k in graph.nodes):
            return AnswerKey(problem, graph, high, 2 * dps)
        dps *= 2
        if 2 * dps > MAX_DPS:
            bad = [k for k in graph.nodes if not agree(low[k], high[k], KEY_DIGITS + 2)]
            raise SpecError(
                f"cannot compute {', '.join(bad[:5])} to {KEY_DIGITS} digits even at {MAX_DPS} digits of precision",
                hint="the network is saturated beyond what can be graded; use smaller weights",
            )
        low = high
