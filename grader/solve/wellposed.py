"""Is a problem well posed for hand computation? Warnings for ``grade check``.

* a saturated neuron: σ′ or tanh′ below ``SATURATION`` makes every gradient through it vanish;
* an asked quantity for which an answer of 0 (for an updated parameter: "no update") would pass the tolerance:
  either the true value is 0 whatever the student does, or the change is smaller than the tolerance;
* an updated parameter judged on its change that needs more than ``MAX_DIGITS`` significant digits of ``p_new`` to
  show the change within its tolerance (students rarely keep that many; the decimals rule or a larger change helps).

``accepted_for`` is the per-field sentence of what is accepted, shared by templates, keys and reports.
"""

from __future__ import annotations

from grader.spec.problem import AskItem
from grader.spec.tolerance import accepted_sentence, bound, digits_needed, within
from grader.numfmt import fmt
from grader.solve.solver import AnswerKey

SATURATION = 1e-4
MAX_DIGITS = 6


def accepted_for(key: AnswerKey, ask: AskItem, *, show_digits: bool = True) -> str:
    """What is accepted for the asked quantity, in words: ``w5_new: the change w5_new − w5 is judged within 1 %:
    keep at least 9 significant digits of w5_new`` (``show_digits`` False: without the key-derived count)."""
    q, tol = ask.quantity, ask.tolerance
    node = key.node(q)
    if node.kind == "new" and tol.on_change:
        return accepted_sentence(q, tol, key.floats[q], base=node.base, change=float(key.change(q)),
                                 show_digits=show_digits)
    return accepted_sentence(q, tol, key.floats[q], show_digits=show_digits)


def change_digits(key: AnswerKey, ask: AskItem) -> int | None:
    """For an updated parameter judged on its change: the significant digits of ``p_new`` the change needs."""
    node = key.node(ask.quantity)
    if node.kind != "new" or not ask.tolerance.on_change:
        return None
    return digits_needed(key.floats[ask.quantity], bound(float(key.change(ask.quantity)), ask.tolerance))


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
        n = change_digits(key, ask)
        if n is not None and n > MAX_DIGITS:
            out.append(
                f"{ask.quantity}: the change {ask.quantity} − {key.node(ask.quantity).base} is judged within its "
                f"tolerance, so students must write {ask.quantity} with at least {n} significant digits (more than "
                f"{MAX_DIGITS}); say so in the statement, or use tolerance {{mode: decimals, places: d}} or a larger change."
            )
    for ask in problem.ask:
        node = key.node(ask.quantity)
        on_change = node.kind == "new" and ask.tolerance.on_change
        true = float(key.change(ask.quantity)) if on_change else key.floats[ask.quantity]
        base = key.floats[node.base] if node.kind == "new" and not on_change else 0.0
        if within(base, true, ask.tolerance):
            what = "leaving the parameter unchanged" if node.kind == "new" else "an answer of 0"
            out.append(
                f"{ask.quantity}: {what} would pass (true {'change' if on_change else 'value'} "
                f"{fmt(true)}, tolerance {ask.tolerance.describe()})."
            )
    return out
