"""Formulas as plain data, evaluated in floats: what grading needs of ``grader.solve.expr``, without the solver.

A grading plan (``grader.grade.engine.Plan``) keeps every formula it evaluates as a tree of builtins, so that a plan
read back from the disk cache (``grader.grade.plancache``) needs neither the expression classes nor the exact
arithmetic behind them:

    "w5"                                a name (``Sym``)
    0.5                                 a constant (``Num``, as the float ``compile_float`` uses)
    ("+", t1, t2, ...)                  a sum (``Add``)
    ("*", f1, f2, ...)                  a product (``Mul``)
    ("neg", a)                          ``-a``
    ("/", a, b)                         ``a / b``
    ("^", a, k)                         ``a^k`` for an int ``k``
    ("^r", a, k)                        ``a^k`` for a non-integer rational ``k`` (as its float; real for ``a >= 0``)
    ("fn", name, a, p0, p1)             a named function (``Fn``; ``p0``/``p1`` as floats)
    ("max" | "min", a, b, da, db)       ``Pick`` (``da``/``db`` None, or the derivative's branches)

``compile_tree`` gives the same closures, operation for operation, as ``grader.solve.expr.compile_float`` (the same
``math.fsum`` sums, the same ``nan`` for a division by zero, the same overflow-free sigmoid and step functions), so
a value computed from a cached plan is the value the solver's trees give, to the last bit
(``tests/test_plan_lean.py`` checks both on every shipped problem). ``to_tree`` (the other direction, from an
``Expr``) lives in ``grader.grade.planbuild``, which only the uncached path imports.
"""

from __future__ import annotations

import math

TYPE_CHECKING = False  # typing costs milliseconds at start-up: only a type checker imports it
if TYPE_CHECKING:
    from typing import Callable

MAX_DEPTH = 200  # a cached tree deeper than this is malformed (a solver's formula is a few levels deep)


def _pick_float(name: str, a: float, b: float, da, db, get) -> float:
    first = a >= b if name == "max" else a <= b
    if da is None:
        return a if first else b
    if a == b:
        return math.nan
    return da(get) if first else db(get)


def _step(x, below, at_zero, above):
    return above if x > 0 else below if x < 0 else at_zero


def _float_sigmoid(x: float) -> float:
    # Written so that neither branch overflows: for x < 0, 1/(1+e^-x) = e^x/(1+e^x).
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    ex = math.exp(x)
    return ex / (1.0 + ex)


def _float_exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _float_log(x: float) -> float:
    return math.log(x) if x > 0 else math.nan


FLOAT_FUNCS: dict[str, Callable[[float, float, float], float]] = {
    "sigmoid": lambda x, p0, p1: _float_sigmoid(x),
    "tanh": lambda x, p0, p1: math.tanh(x),
    "exp": lambda x, p0, p1: _float_exp(x),
    "log": lambda x, p0, p1: _float_log(x),
    "relu": lambda x, p0, p1: x if x > 0 else 0.0,
    "relu_d": lambda x, p0, p1: _step(x, 0.0, p0, 1.0),
    "leaky": lambda x, p0, p1: x if x > 0 else p1 * x,
    "leaky_d": lambda x, p0, p1: _step(x, p1, p0, 1.0),
    "abs": lambda x, p0, p1: abs(x),
    "sign": lambda x, p0, p1: _step(x, -1.0, math.nan, 1.0),
}


def compile_tree(e) -> Callable[[Callable[[str], float]], float]:
    """A closure taking a lookup function name -> float (a view's ``get``); no ``eval``: nested closures.

    The names a sum, a product, a quotient, a power or a function reads directly are looked up in its own closure
    (no closure per name), and a product's leading constants are multiplied once, here, as the evaluation would
    (``1.0 * c1 * c2 ...``, the same operations in the same order): the same value, to the last bit, and the same
    lookups in the same order."""
    if isinstance(e, str):
        return lambda get: get(e)
    if isinstance(e, float):
        return lambda env: e
    op = e[0]
    if op == "+":
        return _sum(e[1:])
    if op == "*":
        return _product(e[1:])
    if op == "neg":
        if isinstance(e[1], str):
            name = e[1]
            return lambda get: -get(name)
        if type(e[1]) is tuple and e[1][0] == "*":
            negated = _negated_product(e[1][1:])  # ``-(w * x)``, the product's own closure with its sign changed
            if negated is not None:
                return negated
        a = compile_tree(e[1])
        return lambda env: -a(env)
    if op == "/":
        if isinstance(e[1], str) and isinstance(e[2], str):
            top, bottom = e[1], e[2]

            def leaf_quotient(get):
                den = get(bottom)
                if den == 0:
                    return math.nan
                return get(top) / den

            return leaf_quotient
        n, d = compile_tree(e[1]), compile_tree(e[2])

        def quotient(env):
            den = d(env)
            if den == 0:
                return math.nan
            return n(env) / den

        return quotient
    if op == "^r":
        b, kf = compile_tree(e[1]), e[2]

        def root_power(env):
            x = b(env)
            if x < 0 or (x == 0 and kf < 0):
                return math.nan
            try:
                return math.pow(x, kf)
            except (OverflowError, ValueError):
                return math.nan

        return root_power
    if op == "^":
        b, k = compile_tree(e[1]), e[2]

        def power(env):
            try:
                return b(env) ** k
            except (OverflowError, ZeroDivisionError):
                return math.nan

        return power
    if op == "fn":
        one = _ONE_ARG.get(e[1])
        if one is not None and isinstance(e[2], str):
            name = e[2]
            return lambda get: one(get(name))
        f, a, p0, p1 = FLOAT_FUNCS[e[1]], compile_tree(e[2]), e[3], e[4]
        if one is not None:
            return lambda env: one(a(env))
        return lambda env: f(a(env), p0, p1)
    if op in ("max", "min"):
        fa, fb = compile_tree(e[1]), compile_tree(e[2])
        da = None if e[3] is None else compile_tree(e[3])
        db = None if e[4] is None else compile_tree(e[4])
        return lambda env: _pick_float(op, fa(env), fb(env), da, db, env)
    raise TypeError(f"not a formula tree: {e!r}")


# The functions that ignore their parameters, called without them (``FLOAT_FUNCS`` gives the same values).
_ONE_ARG: dict[str, Callable[[float], float]] = {
    "sigmoid": _float_sigmoid, "tanh": math.tanh, "exp": _float_exp, "log": _float_log,
}


def _parts(args) -> list:
    """Each operand as (name, None) when it is a name, else (None, its closure)."""
    return [(a, None) if isinstance(a, str) else (None, compile_tree(a)) for a in args]


def _pair_rest(x: float, y: float) -> float:
    """``x + y`` where it is 0 (whose sign fsum decides) or not finite: as the general sum does."""
    terms = [x, y]
    try:
        return math.fsum(terms)
    except (OverflowError, ValueError):
        return sum(terms)


def _neg_name(e) -> bool:
    return type(e) is tuple and len(e) == 2 and e[0] == "neg" and isinstance(e[1], str)


def _sum(args):
    if len(args) == 2 and _neg_name(args[1]) and isinstance(args[0], (str, float)):
        # ``a - b`` and ``1 - b`` (every delta's ``o - t`` and ``1 - o``): the pair below, its operands read here
        first, b = args[0], args[1][1]
        if isinstance(first, str):
            def difference(get):
                x = get(first)
                y = -get(b)
                r = x + y
                if r != 0 and r - r == 0:
                    return r
                return _pair_rest(x, y)

            return difference

        def from_constant(get):
            y = -get(b)
            r = first + y
            if r != 0 and r - r == 0:
                return r
            return _pair_rest(first, y)

        return from_constant
    if len(args) == 2 and isinstance(args[0], float) and not isinstance(args[1], (str, float)):
        c, fb = args[0], compile_tree(args[1])  # ``1 - σ(o1)``: the pair below with its constant read here

        def from_constant_to(get):
            y = fb(get)
            r = c + y
            if r != 0 and r - r == 0:
                return r
            return _pair_rest(c, y)

        return from_constant_to
    if len(args) == 2:
        (na, fa), (nb, fb) = _parts(args)

        def pair(get):
            x = get(na) if fa is None else fa(get)
            y = get(nb) if fb is None else fb(get)
            r = x + y
            if r != 0 and r - r == 0:  # finite and not 0: math.fsum([x, y]) is this same correctly rounded sum
                return r
            terms = [x, y]  # a 0 (whose sign fsum decides) or inf/nan: as the general sum does
            try:
                return math.fsum(terms)
            except (OverflowError, ValueError):
                return sum(terms)

        return pair
    if all(isinstance(a, str) for a in args):
        names = tuple(args)

        def leaf_total(get):
            terms = [get(n) for n in names]
            try:
                return math.fsum(terms)
            except (OverflowError, ValueError):  # inf - inf, or a sum past the float range
                return sum(terms)

        return leaf_total
    parts = _parts(args)

    def total(get):
        terms = [get(n) if f is None else f(get) for n, f in parts]
        try:
            return math.fsum(terms)
        except (OverflowError, ValueError):  # inf - inf, or a sum past the float range
            return sum(terms)

    return total


def _negated_product(args):
    """``-(lead * x * y)`` for the two commonest products (``-(eta * grad_w5)``, ``-(eta * (...))``), else None."""
    lead, i = 1.0, 0
    while i < len(args) and isinstance(args[i], float):
        lead *= args[i]
        i += 1
    rest = args[i:]
    if len(rest) != 2 or not isinstance(rest[0], str):
        return None
    a, b = rest
    if isinstance(b, str):
        return lambda get: -(lead * get(a) * get(b))
    fb = compile_tree(b)
    return lambda get: -(lead * get(a) * fb(get))


def _product(args):
    # ``acc = 1.0; acc *= each factor``: leading constants are multiplied in now, in the same order
    lead, i = 1.0, 0
    while i < len(args) and isinstance(args[i], float):
        lead *= args[i]
        i += 1
    rest = args[i:]
    if not rest:
        return lambda get: lead
    if all(isinstance(a, str) for a in rest):
        if len(rest) == 1:
            a = rest[0]
            return lambda get: lead * get(a)
        if len(rest) == 2:
            a, b = rest
            return lambda get: lead * get(a) * get(b)
        if len(rest) == 3:
            a, b, c = rest
            return lambda get: lead * get(a) * get(b) * get(c)
        names = tuple(rest)

        def leaf_product(get):
            acc = lead
            for n in names:
                acc *= get(n)
            return acc

        return leaf_product
    parts = _parts(rest)
    if len(parts) == 1:
        only = parts[0][1]
        return lambda get: lead * only(get)
    if len(parts) == 2:
        (na, fa), (nb, fb) = parts
        if fa is None:
            return lambda get: lead * get(na) * fb(get)
        if fb is None:
            return lambda get: lead * fa(get) * get(nb)
        return lambda get: lead * fa(get) * fb(get)
    if len(parts) == 3:  # ``acc *= each`` written out: ((lead * x) * y) * z, evaluated in the same order
        (na, fa), (nb, fb), (nc, fc) = parts
        return lambda get: (lead * (get(na) if fa is None else fa(get)) * (get(nb) if fb is None else fb(get))
                            * (get(nc) if fc is None else fc(get)))

    def product(get):
        acc = lead
        for n, f in parts:
            acc *= get(n) if f is None else f(get)
        return acc

    return product


def evaluate_tree(e, get: Callable[[str], float]) -> float:
    """``e`` evaluated once, without compiling it: the same operations, in the same order, as ``compile_tree``'s
    closure (a formula evaluated once, a known mistake on a student's values, costs one walk instead of two)."""
    if isinstance(e, str):
        return get(e)
    if isinstance(e, float):
        return e
    op = e[0]
    if op == "+":
        terms = [evaluate_tree(t, get) for t in e[1:]]
        try:
            return math.fsum(terms)
        except (OverflowError, ValueError):
            return sum(terms)
    if op == "*":
        acc = 1.0
        for f in e[1:]:
            acc *= evaluate_tree(f, get)
        return acc
    if op == "neg":
        return -evaluate_tree(e[1], get)
    if op == "/":
        den = evaluate_tree(e[2], get)
        if den == 0:
            return math.nan
        return evaluate_tree(e[1], get) / den
    if op == "^r":
        x, kf = evaluate_tree(e[1], get), e[2]
        if x < 0 or (x == 0 and kf < 0):
            return math.nan
        try:
            return math.pow(x, kf)
        except (OverflowError, ValueError):
            return math.nan
    if op == "^":
        try:
            return evaluate_tree(e[1], get) ** e[2]
        except (OverflowError, ZeroDivisionError):
            return math.nan
    if op == "fn":
        return FLOAT_FUNCS[e[1]](evaluate_tree(e[2], get), e[3], e[4])
    if op in ("max", "min"):
        a, b = evaluate_tree(e[1], get), evaluate_tree(e[2], get)
        first = a >= b if op == "max" else a <= b
        if e[3] is None:
            return a if first else b
        if a == b:
            return math.nan
        return evaluate_tree(e[3] if first else e[4], get)
    raise TypeError(f"not a formula tree: {e!r}")


def symbols(e) -> list[str]:
    """The names ``e`` reads, in first-use order, without repeats (as ``Expr.symbols``)."""
    out: dict[str, None] = {}
    _collect(e, out)
    return list(out)


def _collect(e, out: dict[str, None]) -> None:
    if isinstance(e, str):
        out.setdefault(e)
    elif isinstance(e, tuple):
        op = e[0]
        if op in ("+", "*"):
            for t in e[1:]:
                _collect(t, out)
        elif op in ("neg", "^", "^r"):
            _collect(e[1], out)
        elif op == "/":
            _collect(e[1], out)
            _collect(e[2], out)
        elif op == "fn":
            _collect(e[2], out)
        else:  # max / min
            for part in e[1:]:
                if part is not None:
                    _collect(part, out)


def well_formed(e, names, depth: int = 0) -> bool:
    """Is ``e`` a tree of the shapes above, reading only ``names``? (A cached plan is checked before it is used.)"""
    t = type(e)
    if t is str:
        return e in names
    if t is float:
        return True
    if t is not tuple or not e or depth > MAX_DEPTH:
        return False
    op, n = e[0], len(e)
    depth += 1
    if op == "+" or op == "*":
        for x in e[1:]:
            if not well_formed(x, names, depth):
                return False
        return True
    if op == "neg":
        return n == 2 and well_formed(e[1], names, depth)
    if op == "/":
        return n == 3 and well_formed(e[1], names, depth) and well_formed(e[2], names, depth)
    if op == "^":
        return n == 3 and type(e[2]) is int and well_formed(e[1], names, depth)
    if op == "^r":
        return n == 3 and type(e[2]) is float and well_formed(e[1], names, depth)
    if op == "fn":
        return (n == 5 and e[1] in FLOAT_FUNCS and type(e[3]) is float and type(e[4]) is float
                and well_formed(e[2], names, depth))
    if op == "max" or op == "min":
        if n != 5 or not (well_formed(e[1], names, depth) and well_formed(e[2], names, depth)):
            return False
        return all(part is None or well_formed(part, names, depth) for part in e[3:])
    return False
