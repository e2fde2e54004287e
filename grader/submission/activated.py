"""A left-hand side that is a unit's activation function applied to its net input: ``\\sigma(z_1) = 0.000476`` is h1.

Students often name an output by how it is computed, ``\\sigma(z_1) = \\sigma(-7.65) = 0.000476``, ``f(net_{o1})``,
``\\text{sigmoid}(z_4)``. In the problem, h1 is exactly σ(z1), so the left-hand side names h1. Only where the function
is the unit's own (σ, ``sigmoid``, ``logistic`` for a sigmoid unit; ``\\tanh`` for a tanh unit; ``ReLU`` for a ReLU
unit) or a generic one (``f``, ``g``, ``\\phi``, ``\\varphi``, ``\\text{act}``), and never a derivative
(``\\sigma'(z_1)``, ``f'(z_3)``: a name with a prime or a superscript is no function here).
"""

from __future__ import annotations

from typing import Callable

from grader.parse.latex import Call, Mul, Name, Node
from grader.solve.expr import Fn, Sym

__all__ = ["activated_unit"]

_GENERIC = frozenset({"f", "g", "\\phi", "\\varphi", "\\text{act}", "\\text{activation}"})
_NAMED = {"\\text{sigmoid}": "sigmoid", "\\text{logistic}": "sigmoid", "\\text{sig}": "sigmoid",
          "\\text{tanh}": "tanh", "\\text{relu}": "relu", "\\text{ReLU}": "relu", "\\text{Relu}": "relu"}
_CALLS = {"sigma": "sigmoid", "tanh": "tanh"}


def activated_unit(lhs: Node, quantity: Callable[[Name], str | None], nodes: dict) -> str | None:
    """The unit whose output ``lhs`` is (the module's docstring), or None. ``nodes``: the problem's graph's."""
    if isinstance(lhs, Call):
        function, arg = _CALLS.get(lhs.fn), lhs.arg
        if function is None:
            return None
    elif isinstance(lhs, Mul) and len(lhs.factors) == 2 and isinstance(lhs.factors[0], Name):
        fn, arg = lhs.factors
        if fn.sub or fn.sup or fn.primes:
            return None
        function = "any" if fn.text in _GENERIC else _NAMED.get(fn.text)
        if function is None:
            return None
    else:
        return None
    net = quantity(arg) if isinstance(arg, Name) else None
    if net is None:
        return None
    for name, node in nodes.items():
        expr = node.expr
        if (node.kind == "activation" and isinstance(expr, Fn) and isinstance(expr.arg, Sym) and expr.arg.name == net
                and function in ("any", expr.name)):
            return name
    return None
