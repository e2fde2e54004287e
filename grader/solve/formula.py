"""Formula activations and losses: the instructor's formula (read by ``grader.parse.formula``) as one of our
expression trees, and its derivative, computed exactly by the rules of calculus on that tree.

No text is evaluated and sympy is not needed: the tree has few node types, so the derivative is a short
recursive function (sum, product, quotient, power and chain rules) with light simplification (no ``·1``,
no ``+ 0``, constants multiplied out), which keeps the worked formulas readable: ``d/dx x^(3/4) = 3/4·x^(-1/4)``.

``max``/``min``/``abs`` are differentiable except at a tie or at 0, where evaluating the derivative raises
``ArithmeticError`` (the problem check reports it with the neuron and its net input).
"""

from __future__ import annotations

import functools
from fractions import Fraction

from grader.parse.formula import Formula, constant
from grader.solve.expr import ONE, Add, Div, Expr, Fn, Mul, Neg, Num, Pick, Pow, Sym

ZERO = Num(Fraction(0))


# --- tree -> expression --------------------------------------------------------------------------------------------


def to_expr(tree: tuple) -> Expr:
    """The parse tree of ``grader.parse.formula`` as an expression with its variables as ``Sym``s."""
    kind = tree[0]
    if kind == "num":
        return Num(tree[1])
    if kind == "var":
        return Sym(tree[1])
    if kind == "e":
        return Fn("exp", ONE)
    if kind == "neg":
        return Neg(to_expr(tree[1]))
    if kind == "bin":
        op, a, b = tree[1], to_expr(tree[2]), tree[3]
        if op == "^":
            k = constant(b)
            if k is not None:
                return Pow(a, int(k) if k.denominator == 1 else k)
            if a == Fn("exp", ONE):
                return Fn("exp", to_expr(b))
            return Fn("exp", Mul((to_expr(b), Fn("log", a))))  # b^g = e^(g·ln b)
        bb = to_expr(b)
        if op == "+":
            return Add((a, bb))
        if op == "-":
            return Add((a, Neg(bb)))
        if op == "*":
            return Mul((a, bb))
        return Div(a, bb)
    if kind == "call":
        name, args = tree[1], [to_expr(x) for x in tree[2]]
        if name in ("max", "min"):
            return Pick(name, args[0], args[1])
        if name == "sqrt":
            return Pow(args[0], Fraction(1, 2))
        if name in ("log10", "log2"):
            return Div(Fn("log", args[0]), Fn("log", Num(Fraction(10 if name == "log10" else 2))))
        return Fn(name, args[0])
    raise ValueError(f"unknown formula node {kind!r}")


def substitute(e: Expr, env: dict[str, Expr]) -> Expr:
    """``e`` with every ``Sym`` named in ``env`` replaced."""
    if isinstance(e, Sym):
        return env.get(e.name, e)
    if isinstance(e, Num):
        return e
    if isinstance(e, Add):
        return Add(tuple(substitute(t, env) for t in e.terms))
    if isinstance(e, Mul):
        return Mul(tuple(substitute(f, env) for f in e.factors))
    if isinstance(e, Neg):
        return Neg(substitute(e.arg, env))
    if isinstance(e, Div):
        return Div(substitute(e.num, env), substitute(e.den, env))
    if isinstance(e, Pow):
        return Pow(substitute(e.base, env), e.exp)
    if isinstance(e, Fn):
        return Fn(e.name, substitute(e.arg, env), e.p0, e.p1)
    if isinstance(e, Pick):
        parts = [None if x is None else substitute(x, env) for x in (e.da, e.db)]
        return Pick(e.name, substitute(e.a, env), substitute(e.b, env), *parts)
    raise TypeError(f"not an expression: {e!r}")


# --- simplifying constructors ----------------------------------------------------------------------------------------


def _num(e: Expr) -> Fraction | None:
    return e.value if isinstance(e, Num) else None


def s_neg(a: Expr) -> Expr:
    if isinstance(a, Num):
        return Num(-a.value)
    if isinstance(a, Neg):
        return a.arg
    return Neg(a)


def s_add(*terms: Expr) -> Expr:
    kept = [t for t in terms if _num(t) != 0]
    if not kept:
        return ZERO
    return kept[0] if len(kept) == 1 else Add(tuple(kept))


def s_mul(*factors: Expr) -> Expr:
    c, rest = Fraction(1), []
    for f in factors:
        if isinstance(f, Num):
            c *= f.value
        elif isinstance(f, Neg):
            c, rest = -c, rest + [f.arg]
        else:
            rest.append(f)
    if c == 0:
        return ZERO
    if not rest:
        return Num(c)
    body = rest[0] if len(rest) == 1 else Mul(tuple(rest))
    if c == 1:
        return body
    if c == -1:
        return Neg(body)
    return Mul((Num(c),) + tuple(rest))


def s_div(a: Expr, b: Expr) -> Expr:
    if _num(a) == 0:
        return ZERO
    if _num(b) == 1:
        return a
    if isinstance(a, Num) and isinstance(b, Num):
        return Num(a.value / b.value)
    return Div(a, b)


def s_pow(b: Expr, k: int | Fraction) -> Expr:
    if k == 0:
        return ONE
    if k == 1:
        return b
    return Pow(b, int(k) if Fraction(k).denominator == 1 else Fraction(k))


# --- derivative --------------------------------------------------------------------------------------------------------


def derivative(e: Expr, var: str) -> Expr:
    """d e / d var, exactly, as an expression."""
    if var not in e.symbols():
        return ZERO
    if isinstance(e, Sym):
        return ONE
    if isinstance(e, Add):
        return s_add(*(derivative(t, var) for t in e.terms))
    if isinstance(e, Neg):
        return s_neg(derivative(e.arg, var))
    if isinstance(e, Mul):
        fs = e.factors
        return s_add(*(s_mul(*fs[:i], derivative(f, var), *fs[i + 1:]) for i, f in enumerate(fs)))
    if isinstance(e, Div):
        du, dv = derivative(e.num, var), derivative(e.den, var)
        if dv == ZERO:
            return s_div(du, e.den)
        return s_div(s_add(s_mul(du, e.den), s_neg(s_mul(e.num, dv))), s_pow(e.den, 2))
    if isinstance(e, Pow):
        return s_mul(Num(Fraction(e.exp)), s_pow(e.base, Fraction(e.exp) - 1), derivative(e.base, var))
    if isinstance(e, Fn):
        du = derivative(e.arg, var)
        u = e.arg
        if e.name == "exp":
            outer: Expr = e
        elif e.name == "log":
            return s_div(du, u)
        elif e.name == "sigmoid":
            outer = Mul((e, Add((ONE, Neg(e)))))
        elif e.name == "tanh":
            outer = Add((ONE, Neg(Pow(e, 2))))
        elif e.name == "abs":
            outer = Fn("sign", u)
        else:
            raise ValueError(f"no derivative of {e.name} here")
        return s_mul(outer, du)
    if isinstance(e, Pick) and e.da is None:
        return Pick(e.name, e.a, e.b, derivative(e.a, var), derivative(e.b, var))
    raise ValueError("the formula's derivative has no derivative here (a derivative of max/min)")


# --- activations and losses --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def activation_formula(f: Formula) -> tuple[Expr, Expr]:
    """(f(x), f'(x)) of an activation formula, as expressions of ``Sym("x")``."""
    e = to_expr(f.tree)
    return e, derivative(e, "x")


@functools.lru_cache(maxsize=256)
def loss_formula(f: Formula) -> tuple[Expr, Expr]:
    """(L(o, t), dL/do) of a per-output loss formula, as expressions of ``Sym("o")`` and ``Sym("t")``."""
    e = to_expr(f.tree)
    return e, derivative(e, "o")
