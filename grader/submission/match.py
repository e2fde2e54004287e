"""Which value did the student use for each input? Matching a step with numbers substituted against a formula.

Two matchers, both structural (term by term, factor by factor), both over our own trees only:

* :func:`match_own` matches the student's own symbolic step (``(o_1 - t_1) \\cdot o_1 \\cdot (1 - o_1)``) with the
  numeric step that follows it (``(0.0003 - 0.9) \\cdot 0.0003 \\cdot (1 - 0.0003)``): each name of the first is paired
  with the name-free part of the second in the same place;
* :func:`match_key` matches a numeric step against the key's formula for the quantity (``grader.solve.expr``), for a
  student who wrote the numbers straight away; terms and factors may come in another order, and among the readings
  that fit, the one whose values agree most with the student's own and the given values wins.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Callable, Iterator

import mpmath

from grader.parse.latex import (
    Add, Call, Const, Div, Mul, Name, Neg, Node, NotEvaluable, Number, Pow, evaluate, has_names,
)
from grader.solve import expr as K

__all__ = ["value_of", "match_own", "match_key", "inline", "same", "has_decimals"]

MAX_READINGS = 400  # alternative readings tried for one step
MAX_PERMUTED = 5  # terms or factors put in another order (5! = 120 orders at most)
MAX_STEPS = 20_000  # nodes visited while matching one step


def value_of(node: Node):
    """The value of a name-free tree (Fraction or mpf), or None."""
    if has_names(node):
        return None
    try:
        return evaluate(node)
    except NotEvaluable:
        return None


def same(a, b, rel: float = 1e-12) -> bool:
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return a == b
    a, b = mpmath.mpf(a.numerator) / a.denominator if isinstance(a, Fraction) else a, (
        mpmath.mpf(b.numerator) / b.denominator if isinstance(b, Fraction) else b)
    return abs(a - b) <= rel * max(abs(a), abs(b))


def has_decimals(node: Node) -> bool:
    """Does the tree hold a number that is not a whole one (``0.00099542``, a value the student substituted, to the
    digits they kept)? Whole numbers (``1 - o_1``, ``2``) are exact in any formula."""
    stack = [node]
    while stack:
        n = stack.pop()
        kind = type(n)
        if kind is Number:
            if n.value.denominator != 1:
                return True
        elif kind is Add:
            stack.extend(n.terms)
        elif kind is Mul:
            stack.extend(n.factors)
        elif kind is Div:
            stack += (n.num, n.den)
        elif kind is Pow:
            stack += (n.base, n.exp)
        elif kind is Neg or kind is Call:
            stack.append(n.arg)
    return False


def _as_mul(n: Node) -> Node:
    """``-(a·b)`` read as ``(-a)·b``: a leading minus belongs to the first factor."""
    if isinstance(n, Neg) and isinstance(n.arg, Mul):
        return Mul((Neg(n.arg.factors[0]),) + n.arg.factors[1:])
    return n


# ---------------------------------------------------------------------------------------------------- own formula


def match_own(formula: Node, numbers: Node) -> dict[str, list] | None:
    """Name text -> the values it was replaced by (in order), or None when the shapes differ."""
    out: dict[str, list] = {}
    return out if _own(formula, numbers, out, 0) and out else None


def _own(s: Node, n: Node, out: dict[str, list], depth: int) -> bool:
    if depth > 200:
        return False
    d = depth + 1
    if isinstance(s, Name):
        v = value_of(n)
        if v is None:
            return False
        out.setdefault(s.text, []).append(v)
        return True
    if isinstance(s, Neg) and isinstance(s.arg, Name) and not isinstance(n, Neg):
        v = value_of(n)  # e^{-z_1} written as e^{11.65}: z_1 = -11.65
        if v is None:
            return False
        out.setdefault(s.arg.text, []).append(-v)
        return True
    if isinstance(s, Mul):
        n = _as_mul(n)
    if type(s) is not type(n):
        return False
    if isinstance(s, Number):
        return s.value == n.value
    if isinstance(s, Const):
        return s == n
    if isinstance(s, Neg):
        return _own(s.arg, n.arg, out, d)
    if isinstance(s, (Add, Mul)):
        a, b = (s.terms, n.terms) if isinstance(s, Add) else (s.factors, n.factors)
        return len(a) == len(b) and all(_own(x, y, out, d) for x, y in zip(a, b))
    if isinstance(s, Div):
        return _own(s.num, n.num, out, d) and _own(s.den, n.den, out, d)
    if isinstance(s, Pow):
        return _own(s.base, n.base, out, d) and _own(s.exp, n.exp, out, d)
    if isinstance(s, Call):
        return s.fn == n.fn and _own(s.arg, n.arg, out, d)
    return False


# ---------------------------------------------------------------------------------------------------- key formula


def inline(e: K.Expr, expand: Callable[[str], K.Expr | None]) -> K.Expr:
    """``e`` with every name that ``expand`` gives a formula for replaced by it, products flattened
    (``w5 - eta·grad_w5`` -> ``w5 - eta·delta_o1·h1``)."""
    if isinstance(e, K.Sym):
        sub = expand(e.name)
        return e if sub is None else sub
    if isinstance(e, K.Add):
        return K.Add(tuple(inline(t, expand) for t in e.terms))
    if isinstance(e, K.Mul):
        factors: list[K.Expr] = []
        for f in e.factors:
            g = inline(f, expand)
            factors.extend(g.factors if isinstance(g, K.Mul) else (g,))
        return K.Mul(tuple(factors))
    if isinstance(e, K.Neg):
        return K.Neg(inline(e.arg, expand))
    if isinstance(e, K.Div):
        return K.Div(inline(e.num, expand), inline(e.den, expand))
    if isinstance(e, K.Pow):
        return K.Pow(inline(e.base, expand), e.exp)
    if isinstance(e, K.Fn):
        return K.Fn(e.name, inline(e.arg, expand), e.p0, e.p1)
    return e


def match_key(formula: K.Expr, numbers: Node, plausible: Callable[[str, object], bool]) -> dict[str, object] | None:
    """Quantity -> value for the reading of ``numbers`` as ``formula`` whose values are most ``plausible``."""
    best, best_score = None, -1
    for reading in itertools.islice(_key(formula, numbers, 0, [MAX_STEPS]), MAX_READINGS):
        values: dict[str, object] = {}
        consistent = True
        for name, v in reading:
            if name in values and not same(values[name], v):
                consistent = False
                break
            values[name] = v
        if not consistent or not values:
            continue
        score = sum(1 for name, v in values.items() if plausible(name, v))
        if score > best_score:
            best, best_score = values, score
            if score == len(values):
                break
    return best


Reading = list[tuple[str, object]]


def _key(e: K.Expr, n: Node, depth: int, budget: list[int]) -> Iterator[Reading]:
    budget[0] -= 1
    if depth > 200 or budget[0] <= 0:
        return
    d = depth + 1
    if isinstance(e, K.Sym):
        v = value_of(n)
        if v is not None:
            yield [(e.name, v)]
        return
    if isinstance(e, K.Num):
        v = value_of(n)
        if v is not None and same(v, e.value):
            yield []
        return
    if isinstance(e, K.Neg):
        if isinstance(n, Neg):
            yield from _key(e.arg, n.arg, d, budget)
        return
    if isinstance(e, (K.Add, K.Mul)):
        if isinstance(e, K.Mul):
            n = _as_mul(n)
        if not isinstance(n, Add if isinstance(e, K.Add) else Mul):
            return
        a = e.terms if isinstance(e, K.Add) else e.factors
        b = n.terms if isinstance(n, Add) else n.factors
        if len(a) != len(b):
            return
        orders = itertools.permutations(b) if len(b) <= MAX_PERMUTED else iter([tuple(b)])
        for order in orders:
            yield from _all(list(zip(a, order)), d, budget)
        return
    if isinstance(e, K.Div):
        if isinstance(n, Div):
            yield from _all([(e.num, n.num), (e.den, n.den)], d, budget)
        return
    if isinstance(e, K.Pow):
        if isinstance(n, Pow) and value_of(n.exp) == e.exp:
            yield from _key(e.base, n.base, d, budget)
        return
    if isinstance(e, K.Fn):
        yield from _function(e, n, d, budget)


def _function(e: K.Fn, n: Node, d: int, budget: list[int]) -> Iterator[Reading]:
    names = {"sigmoid": "sigma", "tanh": "tanh", "exp": "exp", "log": "ln"}
    if isinstance(n, Call) and names.get(e.name) == n.fn:
        yield from _key(e.arg, n.arg, d, budget)
        return
    if e.name != "sigmoid" or not isinstance(n, Div):  # 1/(1 + e^{-x}) for σ(x)
        return
    one, den = value_of(n.num), n.den
    if one != 1 or not isinstance(den, Add) or len(den.terms) != 2 or value_of(den.terms[0]) != 1:
        return
    power = den.terms[1]
    if not isinstance(power, Call) or power.fn != "exp":
        return
    if isinstance(power.arg, Neg):
        yield from _key(e.arg, power.arg.arg, d, budget)
    elif isinstance(e.arg, K.Sym):
        v = value_of(power.arg)
        if v is not None:
            yield [(e.arg.name, -v)]


def _all(pairs: list[tuple[K.Expr, Node]], d: int, budget: list[int]) -> Iterator[Reading]:
    if not pairs:
        yield []
        return
    (e, n), rest = pairs[0], pairs[1:]
    for first in _key(e, n, d, budget):
        for others in _all(rest, d, budget):
            yield first + others
