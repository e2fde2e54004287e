"""Is a problem well posed for hand computation? Warnings for ``grade check``.

* a saturated neuron: σ′ or tanh′ below ``SATURATION`` makes every gradient through it vanish;
* an asked quantity for which an answer of 0 (for an updated parameter: "no update") would pass the tolerance:
  either the true value is 0 whatever the student does, or the change is smaller than the tolerance.
"""

from __future__ import annotations

from grader.spec.tolerance import within
from grader.numfmt import fmt
from grader.solve.solver import AnswerKey

SATURATION = 1e-4


def warnings(key: AnswerKey) -> list[str]:
    problem, out = key.problem, []
    net = problem.network
    for name, node in key.graph.nodes.items():
        if node.kind != "activation" or node.neuron is None:
            continue
        act = net.activation_of(node.neuron).kind
        o = key.floats[name]
        slope = o * (1 - o) if act == "sigmoid" else 1 - o * o if act == "tanh" else None
        if slope is not None and slope < SATURATION:
            out.append(
                f"{name} is saturated: {act}′ = {fmt(slope)} < {SATURATION:g} at {node.neuron}'s net input "
                f"{fmt(key.floats[net.neurons[node.neuron].net + name[len(node.neuron):]])}; gradients through it nearly vanish."
            )
    for ask in problem.ask:
        node = key.node(ask.quantity)
        true = float(key.change(ask.quantity)) if node.kind == "new" else key.floats[ask.quantity]
        if within(0.0, true, ask.tolerance):
            what = "leaving the parameter unchanged" if node.kind == "new" else "an answer of 0"
            out.append(
                f"{ask.quantity}: {what} would pass (true {'change' if node.kind == 'new' else 'value'} "
                f"{fmt(true)}, tolerance {ask.tolerance.describe()})."
            )
    return out
