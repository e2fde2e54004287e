"""The worked solution of a problem (``grade solve``, ``grade key``): every quantity with its formula, the numbers
substituted and the value, step by step."""

from __future__ import annotations

import json

import mpmath

from grader.solve.exact import to_mpf
from grader.solve.expr import latex_name, to_latex, to_text
from grader.solve.solver import AnswerKey

SECTION = {"net": "Forward pass", "activation": "Forward pass", "loss": "Loss", "delta": "Backward pass (δ = ∂E/∂net)",
           "dE_dout": "Backward pass (δ = ∂E/∂net)", "dout_dnet": "Backward pass (δ = ∂E/∂net)", "grad": "Gradients", "velocity": "Updates",
           "new": "Updates"}
MINUS_DELTAS = "Backward pass (δ = −∂E/∂net, the error terms)"
VALUE_DIGITS = 25


def _sections(key: AnswerKey):
    """(heading, [node names]) in computation order, one heading per kind of quantity and step."""
    out: list[tuple[str, list[str]]] = []
    minus = key.problem.delta_convention == "minus_dE_dnet"
    for name, node in key.graph.nodes.items():
        head = SECTION[node.kind]
        if minus and head == SECTION["delta"]:
            head = MINUS_DELTAS
        head += f", step {node.step}" if key.problem.training.steps > 1 else ""
        if not out or out[-1][0] != head:
            out.append((head, []))
        out[-1][1].append(name)
    return out


def solution_json(key: AnswerKey) -> str:
    """Every value the solver knows, as decimal strings of ``VALUE_DIGITS`` significant digits (exact values too)."""
    with mpmath.workdps(VALUE_DIGITS + 15):
        values = {
            name: mpmath.nstr(to_mpf(key.values[name]), VALUE_DIGITS, strip_zeros=False, min_fixed=-5, max_fixed=VALUE_DIGITS + 1)
            for name in list(key.graph.given) + list(key.graph.nodes)
        }
    return json.dumps({"problem": key.problem.id, "values": values}, indent=2, ensure_ascii=False) + "\n"


def solution_text(key: AnswerKey, digits: int = 6) -> str:
    p = key.problem
    lines = [f"{p.title} [{p.id}]", "", "Given: " + ", ".join(f"{g} = {key.decimal(g, 12)}" for g in key.graph.given)]
    for head, names in _sections(key):
        lines += ["", head]
        for n in names:
            e = key.node(n).expr
            lines.append(f"  {n} = {to_text(e)} = {to_text(e, key.values, digits)} = {key.decimal(n, digits + 4)}")
    return "\n".join(lines) + "\n"


def solution_markdown(key: AnswerKey, digits: int = 6) -> str:
    p = key.problem
    lines = [f"# {p.title}", "", f"Problem `{p.id}`. Values to {digits + 4} significant digits; exact values: "
             "`grade solve --format json`.", "", "**Given:** " + ", ".join(f"${latex_name(g)} = {key.decimal(g, 12)}$" for g in key.graph.given)]
    for head, names in _sections(key):
        lines += ["", f"## {head}", ""]
        for n in names:
            e = key.node(n).expr
            lines.append(f"- ${latex_name(n)} = {to_latex(e)} = {to_latex(e, key.values, digits)} = {key.decimal(n, digits + 4)}$")
    return "\n".join(lines) + "\n"
