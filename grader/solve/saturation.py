"""How saturated a network is: the solver's starting precision comes from it.

A saturated unit's derivative is about e^-|net|, and a delta multiplies one such factor per layer on its path, so
no value of the key is smaller than e^-(the sum over sigmoid, tanh and softmax layers of the layer's largest
|net|) times ordinary factors (ReLU and linear units multiply by their weights, not by anything exponentially
small). ``smallness`` is the ceiling of that sum from exact values; ``float_smallness`` finds the same integer from
a pass in floats that carries, with every value, a bound on its distance from the exact value (running error
analysis: each operation's rounding, at most half of ``U`` relative, plus the spread of its operands), and gives
up (None) wherever that cannot be sure: an overflow, a division by a value that may be 0, a kink of relu' or the
sign of abs' that the error could cross, an operation it does not model, or a sum too close to an integer.
"""

from __future__ import annotations

import math
from fractions import Fraction

from grader.solve.expr import Add, Div, Expr, Fn, Mul, Neg, Num, Pow, Sym, _float_sigmoid
from grader.solve.graph import Graph
from grader.spec.problem import Problem

SATURATING = ("sigmoid", "tanh", "softmax")
U = 2.0**-52  # twice the unit roundoff of a double, so every bound below has room for its own rounding
TINY = 2.0**-1000  # an absolute allowance per operation for underflow (a subnormal result is off by < 2^-1074)
MARGIN = 1e-12  # relative: the float sum must be this far from an integer for its ceiling to be decided


class Undecided(Exception):
    """The float pass cannot bound this value."""


def smallness(problem: Problem, graph: Graph, values: dict) -> int:
    """The ceiling of the sum over saturating layers of the layer's largest |net|, from the exact ``values``."""
    largest: dict[int, float] = {}
    net = problem.network
    for name, node in graph.nodes.items():
        if node.kind == "net" and net.activation_of(node.neuron).kind in SATURATING:
            layer = net.neurons[node.neuron].layer
            largest[layer] = max(largest.get(layer, 0.0), abs(float(values[name])))
    return math.ceil(sum(largest.values()))


def float_smallness(problem: Problem, graph: Graph) -> int | None:
    """``smallness(problem, graph, values)`` without the exact values, or None where floats cannot be sure of it.

    From ``float_pass``: each net input's interval holds the exact value and so the float ``smallness`` rounds it
    to; the answer is given only when the whole interval of the sum, widened by ``MARGIN`` (for the roundings of
    the sums here and in ``smallness``), has one ceiling.
    """
    net = problem.network
    if not any(net.activation_of(n).kind in SATURATING for n in net.neurons):
        return 0  # no saturating layer: the sum is empty
    try:
        bounds = float_pass(problem, graph)
        lo: dict[int, float] = {}
        hi: dict[int, float] = {}
        for name, node in graph.nodes.items():
            if node.kind == "net" and net.activation_of(node.neuron).kind in SATURATING:
                v, r = bounds[name]
                layer = net.neurons[node.neuron].layer
                lo[layer] = max(lo.get(layer, 0.0), abs(v) - r)
                hi[layer] = max(hi.get(layer, 0.0), abs(v) + r)
        s_lo, s_hi = sum(lo.values()), sum(hi.values())
        m = MARGIN * s_hi + 1e-300
        low, high = math.ceil(s_lo - m), math.ceil(s_hi + m)
    except (Undecided, OverflowError):
        return None
    return low if low == high else None


def float_pass(problem: Problem, graph: Graph) -> dict[str, tuple[float, float]]:
    """Every quantity up to the last net input of a saturating layer (what comes after cannot change the bound) as
    (float value, bound on its distance from the exact value); ``Undecided`` where a bound cannot be had."""
    net = problem.network
    nodes = list(graph.nodes.values())
    last = max((i for i, node in enumerate(nodes)
                if node.kind == "net" and net.activation_of(node.neuron).kind in SATURATING), default=-1)
    env = {name: _given(q) for name, q in graph.given.items()}
    try:
        for node in nodes[:last + 1]:
            v, r = _eval(node.expr, env)
            if not (math.isfinite(v) and math.isfinite(r)):
                raise Undecided(f"{node.name} is past the float range")
            env[node.name] = (v, r)
    except (OverflowError, ZeroDivisionError, ValueError) as exc:
        raise Undecided(str(exc)) from None
    return env


def _given(q: Fraction) -> tuple[float, float]:
    v = float(q)  # correctly rounded (OverflowError past the float range)
    return v, U * abs(v) + TINY


def _eval(e: Expr, env: dict) -> tuple[float, float]:
    """(value, bound on |value - exact value|) of ``e`` in floats."""
    t = type(e)
    if t is Sym:
        return env[e.name]
    if t is Add:
        v = s = r = 0.0
        for term in e.terms:
            if type(term) is Mul and len(term.factors) == 2 and type(term.factors[0]) is Sym \
                    and type(term.factors[1]) is Sym:  # w * a, delta * w: the bulk of every network
                av, ar = env[term.factors[0].name]
                bv, br = env[term.factors[1].name]
                p = av * bv
                rr = abs(av) * br + abs(bv) * ar + ar * br
            else:
                p, rr = _eval(term, env)
            v += p
            s += abs(p)
            r += rr
        n = len(e.terms)  # recursive summation of n terms (products rounded too): off by <= n·u·sum|terms|
        return v, (r + (n + 1) * U * s) * (1 + (n + 2) * U) + n * TINY
    if t is Mul:
        factors = iter(e.factors)
        v, r = _eval(next(factors), env)
        for f in factors:
            bv, br = _eval(f, env)
            r = (abs(v) * br + abs(bv) * r + r * br) * (1 + 4 * U)
            v *= bv
            r += U * abs(v) + TINY
        return v, r
    if t is Neg:
        v, r = _eval(e.arg, env)
        return -v, r
    if t is Num:
        return _given(e.value)
    if t is Fn:
        return _fn(e, *_eval(e.arg, env))
    if t is Div:
        nv, nr = _eval(e.num, env)
        dv, dr = _eval(e.den, env)
        if not abs(dv) > dr:
            raise Undecided("the denominator may be 0")
        v = nv / dv
        return v, (nr + abs(v) * dr) / (abs(dv) - dr) * (1 + 4 * U) + U * abs(v) + TINY
    if t is Pow:
        k = e.exp
        if isinstance(k, Fraction) and k.denominator == 1:
            k = int(k)
        if not isinstance(k, int) or k < 0:
            raise Undecided("a root or a negative power")
        if k == 0:
            return 1.0, 0.0
        bv, br = _eval(e.base, env)
        v = bv**k
        return v, k * (abs(bv) + br) ** (k - 1) * br * (1 + 4 * k * U) + 2 * k * U * abs(v) + TINY
    raise Undecided(f"{t.__name__} is not modelled")


def _fn(e: Fn, x: float, xr: float) -> tuple[float, float]:
    name = e.name
    d = abs(x) - xr  # the smallest |argument| the exact value can have (if positive)
    if name == "sigmoid":  # sigma' <= min(1/4, e^-|t|)
        v = _float_sigmoid(x)
        return v, xr * (0.25 if d <= 0 else min(0.25, math.exp(-d))) * (1 + 4 * U) + 8 * U * abs(v) + TINY
    if name == "tanh":  # tanh' = sech^2 <= min(1, 4 e^-2|t|)
        v = math.tanh(x)
        return v, xr * (1.0 if d <= 0 else min(1.0, 4 * math.exp(-2 * d))) * (1 + 4 * U) + 8 * U * abs(v) + TINY
    if name == "exp":  # |e^(x+h) - e^x| <= e^x (e^|h| - 1)
        v = math.exp(x)
        return v, v * math.expm1(xr) * (1 + 4 * U) + 8 * U * v + TINY
    if name == "log":
        if not x - xr > 0:
            raise Undecided("log of a value that may be <= 0")
        v = math.log(x)
        return v, xr / (x - xr) * (1 + 4 * U) + 8 * U * abs(v) + TINY
    if name == "relu":  # 1-Lipschitz
        return (x if x > 0 else 0.0), xr
    if name == "leaky":
        slope = float(e.p1)
        v = x if x > 0 else slope * x
        return v, xr * max(1.0, abs(slope)) * (1 + 4 * U) + 2 * U * abs(v) + TINY
    if name in ("relu_d", "leaky_d", "sign"):
        if x - xr > 0:
            return 1.0, 0.0
        if x + xr < 0:
            below = {"relu_d": Fraction(0), "leaky_d": e.p1, "sign": Fraction(-1)}[name]
            return _given(below)
        raise Undecided(f"{name} at an argument that may be on either side of 0")
    if name == "abs":
        return abs(x), xr
    raise Undecided(f"{name} is not modelled")
