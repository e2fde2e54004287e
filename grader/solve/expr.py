"""A tiny expression language for the formulas of a backprop computation.

Each quantity of a problem is a formula over other quantities' names (``delta_o1 = (o1 - t1)*o1*(1 - o1)``). One
tree serves four purposes:

* exact evaluation for the answer key (``evaluate`` with ``grader.solve.exact``: rationals stay ``Fraction``,
  transcendental functions go to mpmath at the working precision);
* fast float evaluation for grading a student's own values (``compile_float``: nested closures, no ``eval``);
* display, with names or with numbers substituted (``to_text``, ``to_latex``);
* mistakes: a wrong formula is just another tree (see ``grader.solve.malrules``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable, Mapping

from grader.solve.backend import Backend


class Expr:
    __slots__ = ()

    def symbols(self) -> list[str]:
        """Names used, in first-use order, without repeats."""
        out: dict[str, None] = {}
        _collect(self, out)
        return list(out)


@dataclass(frozen=True, slots=True)
class Sym(Expr):
    name: str


@dataclass(frozen=True, slots=True)
class Num(Expr):
    value: Fraction


@dataclass(frozen=True, slots=True)
class Add(Expr):
    terms: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Mul(Expr):
    factors: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Neg(Expr):
    arg: Expr


@dataclass(frozen=True, slots=True)
class Div(Expr):
    num: Expr
    den: Expr


@dataclass(frozen=True, slots=True)
class Pow(Expr):
    """``base^exp`` for a constant exponent: an int, or a Fraction (``x^(3/4)``, real only for ``base >= 0``)."""

    base: Expr
    exp: int | Fraction


@dataclass(frozen=True, slots=True)
class Pick(Expr):
    """``max(a, b)`` or ``min(a, b)`` (``da``/``db`` None), or the derivative of one: ``da`` where ``a`` is the
    picked argument, ``db`` where ``b`` is; at a tie there is no derivative (unless ``da == db``)."""

    name: str  # "max" | "min"
    a: Expr
    b: Expr
    da: Expr | None = None
    db: Expr | None = None


@dataclass(frozen=True, slots=True)
class Fn(Expr):
    """A named function: sigmoid, tanh, exp, log, relu, relu_d, leaky, leaky_d, abs, sign.

    ``sign`` is the derivative of ``abs``: undefined at 0.

    ``relu_d``/``leaky_d`` are the derivatives as step functions; ``p0`` is the value used at exactly 0 and ``p1``
    the slope of leaky ReLU for negative arguments.
    """

    name: str
    arg: Expr
    p0: Fraction = Fraction(0)
    p1: Fraction = Fraction(0)


# --- constructors that read like the math -------------------------------------------------------------------------

ONE = Num(Fraction(1))


def num(x: int | Fraction) -> Num:
    return Num(Fraction(x))


def add(*terms: Expr) -> Expr:
    return terms[0] if len(terms) == 1 else Add(tuple(terms))


def mul(*factors: Expr) -> Expr:
    return factors[0] if len(factors) == 1 else Mul(tuple(factors))


def sub(a: Expr, b: Expr) -> Expr:
    return Add((a, Neg(b)))


# --- evaluation ------------------------------------------------------------------------------------------------------


def evaluate(e: Expr, env: Mapping[str, object], backend: Backend):
    """Evaluate ``e`` with names looked up in ``env``, using ``backend`` for every operation (left to right: a sum
    or product of n parts is n - 1 backend calls, each on the result so far and the next part)."""
    t = type(e)
    if t is Sym:
        return env[e.name]
    if t is Add or t is Mul:
        op, parts = (backend.add, e.terms) if t is Add else (backend.mul, e.factors)
        it = iter(parts)
        p = next(it)  # a name is looked up here, without a call (the bulk of the parts: w * a, delta * w)
        acc = env[p.name] if type(p) is Sym else evaluate(p, env, backend)
        for p in it:
            acc = op(acc, env[p.name] if type(p) is Sym else evaluate(p, env, backend))
        return acc
    if isinstance(e, Num):
        return backend.const(e.value)
    if isinstance(e, Neg):
        return -evaluate(e.arg, env, backend)
    if isinstance(e, Div):
        return backend.div(evaluate(e.num, env, backend), evaluate(e.den, env, backend))
    if isinstance(e, Pow):
        return backend.pow(evaluate(e.base, env, backend), e.exp)
    if isinstance(e, Fn):
        return backend.fn(e.name, evaluate(e.arg, env, backend), e.p0, e.p1)
    if isinstance(e, Pick):
        a, b = evaluate(e.a, env, backend), evaluate(e.b, env, backend)
        d = backend.add(a, -b)  # compared through the backend: a Fraction and an mpf do not compare directly
        first = d >= 0 if e.name == "max" else d <= 0
        if e.da is None:
            return a if first else b
        if d == 0 and e.da != e.db:
            raise ArithmeticError(f"{e.name}(a, b) has no derivative where its two arguments are equal")
        return evaluate(e.da if first else e.db, env, backend)
    raise TypeError(f"not an expression: {e!r}")


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


def compile_float(e: Expr) -> Callable[[Callable[[str], float]], float]:
    """Compile ``e`` into a closure that takes a lookup function name -> float (``env.__getitem__`` for a mapping,
    or a view's ``get``, which computes values on demand); no ``eval``: nested Python closures.

    Division by zero and domain errors give ``nan``/``inf`` rather than exceptions: a student's own values may be
    anything, and the grader only compares the result.
    """
    if isinstance(e, Sym):
        name = e.name
        return lambda get: get(name)
    if isinstance(e, Num):
        v = float(e.value)
        return lambda env: v
    if isinstance(e, Add):
        parts = [compile_float(t) for t in e.terms]

        def total(env):
            terms = [p(env) for p in parts]
            try:
                return math.fsum(terms)
            except (OverflowError, ValueError):  # inf - inf, or a sum past the float range
                return sum(terms)

        return total
    if isinstance(e, Mul):
        parts = [compile_float(f) for f in e.factors]

        def product(env):
            acc = 1.0
            for p in parts:
                acc *= p(env)
            return acc

        return product
    if isinstance(e, Neg):
        a = compile_float(e.arg)
        return lambda env: -a(env)
    if isinstance(e, Div):
        n, d = compile_float(e.num), compile_float(e.den)

        def quotient(env):
            den = d(env)
            if den == 0:
                return math.nan
            return n(env) / den

        return quotient
    if isinstance(e, Pow):
        b, k = compile_float(e.base), e.exp

        if not isinstance(k, int) and k.denominator == 1:
            k = int(k)
        if isinstance(k, Fraction):
            kf = float(k)

            def root_power(env):
                x = b(env)
                if x < 0 or (x == 0 and kf < 0):
                    return math.nan
                try:
                    return math.pow(x, kf)
                except (OverflowError, ValueError):
                    return math.nan

            return root_power

        def power(env):
            try:
                return b(env) ** k
            except (OverflowError, ZeroDivisionError):
                return math.nan

        return power
    if isinstance(e, Fn):
        f, a, p0, p1 = FLOAT_FUNCS[e.name], compile_float(e.arg), float(e.p0), float(e.p1)
        return lambda env: f(a(env), p0, p1)
    if isinstance(e, Pick):
        fa, fb = compile_float(e.a), compile_float(e.b)
        da = None if e.da is None else compile_float(e.da)
        db = None if e.db is None else compile_float(e.db)
        name = e.name
        return lambda env: _pick_float(name, fa(env), fb(env), da, db, env)
    raise TypeError(f"not an expression: {e!r}")


# --- display ---------------------------------------------------------------------------------------------------------

_PREC_ADD, _PREC_MUL, _PREC_NEG, _PREC_POW, _PREC_ATOM = 1, 2, 3, 4, 5

_FN_TEXT = {"sigmoid": "σ", "relu_d": "relu′", "leaky": "leaky_relu", "leaky_d": "leaky_relu′", "log": "ln"}
_FN_LATEX = {
    "sigmoid": r"\sigma",
    "tanh": r"\tanh",
    "exp": r"\exp",
    "log": r"\ln",
    "relu": r"\operatorname{relu}",
    "relu_d": r"\operatorname{relu}'",
    "leaky": r"\operatorname{lrelu}",
    "leaky_d": r"\operatorname{lrelu}'",
    "abs": r"\operatorname{abs}",
    "sign": r"\operatorname{sign}",
}


def latex_name(name: str) -> str:
    """``delta_o1`` -> ``\\delta_{o1}``, ``w5_new`` -> ``w5^{new}``, ``grad_w5`` -> ``\\partial E/\\partial w5``."""
    base, _, rest = name.partition("_")
    if name == "eta":
        return r"\eta"
    if name == "mu":
        return r"\mu"
    if base == "delta" and rest:
        return r"\delta_{" + rest.replace("_", r"\_") + "}"
    if name.startswith("dE_dout_"):
        return r"\frac{\partial E}{\partial " + name[8:].replace("_", r"\_") + "}"
    if name.startswith("dout_dnet_"):
        unit = name[10:].replace("_", r"\_")
        return r"\frac{\partial " + unit + r"}{\partial \mathrm{net}_{" + unit + "}}"
    if name.endswith("_new") or "_new_" in name:
        head, _, tail = name.partition("_new")
        return head.replace("_", r"\_") + "^{new" + tail.replace("_", r"\_") + "}"
    return name.replace("_", r"\_")


def format_number(v, digits: int = 6) -> str:
    """Format a Fraction, mpf or float with ``digits`` significant digits, plainly (no trailing zeros)."""
    from grader.solve.exact import to_decimal_string

    return to_decimal_string(v, digits, trim=True)


def _render(e: Expr, leaf: Callable[[str], str], latex: bool, digits: int) -> tuple[str, int]:
    if isinstance(e, Sym):
        s = leaf(e.name)
        return s, (_PREC_ATOM if not s.startswith("-") else _PREC_NEG)
    if isinstance(e, Num):
        v = e.value
        if v.denominator != 1 and not latex:
            s = f"{v.numerator}/{v.denominator}"
            return s, _PREC_MUL
        if v.denominator != 1:
            s = r"\tfrac{" + str(v.numerator) + "}{" + str(v.denominator) + "}"
            return s, _PREC_ATOM
        return str(v.numerator), (_PREC_ATOM if v >= 0 else _PREC_NEG)
    if isinstance(e, Add):
        out = []
        for i, t in enumerate(e.terms):
            if isinstance(t, Neg):
                s, p = _render(t.arg, leaf, latex, digits)
                s = f"({s})" if p <= _PREC_ADD or s.startswith("-") else s
                out.append(f" − {s}" if not latex else f" - {s}")
            else:
                s, p = _render(t, leaf, latex, digits)
                if i and s.startswith("-"):
                    s = f"({s})"
                out.append(s if i == 0 else f" + {s}")
        return "".join(out), _PREC_ADD
    if isinstance(e, Mul):
        sep = r" \cdot " if latex else "·"
        parts = []
        for f in e.factors:
            s, p = _render(f, leaf, latex, digits)
            # every negative factor in parentheses: (-15)·0.8, (1 − h)·(-1.03)·0.8, never ·-1.03·
            parts.append(f"({s})" if p < _PREC_MUL or p == _PREC_NEG or s.startswith(("-", "−")) else s)
        return sep.join(parts), _PREC_MUL
    if isinstance(e, Neg):
        s, p = _render(e.arg, leaf, latex, digits)
        return ("-" if latex else "−") + (f"({s})" if p <= _PREC_NEG else s), _PREC_NEG
    if isinstance(e, Div):
        n, pn = _render(e.num, leaf, latex, digits)
        d, pd = _render(e.den, leaf, latex, digits)
        if latex:
            return r"\frac{" + n + "}{" + d + "}", _PREC_ATOM
        n = f"({n})" if pn < _PREC_MUL else n
        d = f"({d})" if pd <= _PREC_MUL else d
        return f"{n}/{d}", _PREC_MUL
    if isinstance(e, Pow):
        s, p = _render(e.base, leaf, latex, digits)
        s = f"({s})" if p < _PREC_ATOM else s
        k = e.exp
        if isinstance(k, Fraction) and k.denominator != 1:
            return (f"{s}^{{{k.numerator}/{k.denominator}}}" if latex else f"{s}^({k})"), _PREC_POW
        k = int(k)
        return (f"{s}^{{{k}}}" if latex else f"{s}^{k}" if k >= 0 else f"{s}^({k})"), _PREC_POW
    if isinstance(e, Pick):
        a, _ = _render(e.a, leaf, latex, digits)
        b, _ = _render(e.b, leaf, latex, digits)
        if e.da is None:
            return ((rf"\{e.name}\left({a}, {b}\right)" if latex else f"{e.name}({a}, {b})"), _PREC_ATOM)
        da, _ = _render(e.da, leaf, latex, digits)
        db, _ = _render(e.db, leaf, latex, digits)
        picked = ">" if e.name == "max" else "<"
        other = "<" if e.name == "max" else ">"
        if latex:
            return (rf"\left[{da} \text{{ if }} {a} {picked} {b};\ {db} \text{{ if }} {a} {other} {b}\right]",
                    _PREC_ATOM)
        return f"[{da} if {a} {picked} {b}; {db} if {a} {other} {b}]", _PREC_ATOM
    if isinstance(e, Fn):
        s, _ = _render(e.arg, leaf, latex, digits)
        if latex:
            return _FN_LATEX[e.name] + r"\left(" + s + r"\right)", _PREC_ATOM
        return f"{_FN_TEXT.get(e.name, e.name)}({s})", _PREC_ATOM
    raise TypeError(f"not an expression: {e!r}")


def to_text(e: Expr, values: Mapping[str, object] | None = None, digits: int = 6) -> str:
    """The formula in plain text, with names, or with ``values`` substituted (``digits`` significant digits)."""
    leaf = (lambda n: n) if values is None else (lambda n: format_number(values[n], digits))
    return _render(e, leaf, False, digits)[0]


def to_latex(e: Expr, values: Mapping[str, object] | None = None, digits: int = 6) -> str:
    leaf = latex_name if values is None else (lambda n: format_number(values[n], digits))
    return _render(e, leaf, True, digits)[0]


def _collect(e: Expr, out: dict[str, None]) -> None:
    if isinstance(e, Sym):
        out.setdefault(e.name)
    elif isinstance(e, (Add,)):
        for t in e.terms:
            _collect(t, out)
    elif isinstance(e, Mul):
        for f in e.factors:
            _collect(f, out)
    elif isinstance(e, (Neg, Fn)):
        _collect(e.arg, out)
    elif isinstance(e, Div):
        _collect(e.num, out)
        _collect(e.den, out)
    elif isinstance(e, Pow):
        _collect(e.base, out)
    elif isinstance(e, Pick):
        for part in (e.a, e.b, e.da, e.db):
            if part is not None:
                _collect(part, out)
