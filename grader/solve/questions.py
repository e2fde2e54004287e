"""Exact keys of the non-backprop question kinds of a homework set (``grader.spec.homework``, compiled by
``grader.solve.homework``).

Every key value is exact (``Fraction``) where the math is rational and an mpmath number at a precision that is
doubled until two evaluations agree to ``KEY_DIGITS`` digits otherwise; no float64 enters a key. Formulas are
``grader.solve.expr`` trees where the expression language has the functions, so they are displayed (with numbers
substituted) exactly like the backprop solution.

* ``loss``: predictions p_i and targets t_i, i = 1..N.
  ``E_sse = Σ (t_i − p_i)²``, ``E_half_sse = ½ Σ (t_i − p_i)²``, ``E_mse = (1/N) Σ (t_i − p_i)²``,
  ``E_bce = −(1/N) Σ [t_i ln p_i + (1 − t_i) ln(1 − p_i)]``, ``E_bce_sum`` (no 1/N); per example ``se_i``, ``bce_i``;
  gradients ``grad_mse_i = ∂E_mse/∂p_i = 2 (p_i − t_i)/N`` and ``grad_bce_i = ∂E_bce/∂p_i = (p_i − t_i)/(N p_i (1 − p_i))``.
* ``init``: fan_in n_in, fan_out n_out. Xavier/Glorot ``xavier_var = 2/(n_in + n_out)``, ``xavier_std = √xavier_var``,
  ``xavier_limit = √(6/(n_in + n_out))`` (uniform U(−limit, limit)); He/Kaiming ``he_var = 2/n_in``, ``he_std``,
  ``he_limit = √(6/n_in)``; LeCun ``lecun_var = 1/n_in``, ``lecun_std``, ``lecun_limit = √(3/n_in)``.
* ``activation``: at points x_k: ``<f>_<k> = f(x_k)`` and ``d<f>_<k> = f′(x_k)`` for f in sigmoid, tanh, relu,
  leaky_relu (σ′ = σ(1 − σ), tanh′ = 1 − tanh², relu′ and leaky_relu′ with the stated value at 0).
* ``pruning``: magnitude pruning of a network's weights (biases are never pruned) at a sparsity s: the s·n weights
  of smallest |w| are removed (globally, or s·n_l per layer); ``survivors`` is the set of weights kept, and any
  forward-pass quantity (``o1``, ``h1``, ``net_o1`` ...) is computed on the pruned network.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

import mpmath

from grader.errors import SpecError
from grader.solve.exact import KEY_DIGITS, ExactBackend, Number, agree, to_decimal_string
from grader.solve.expr import ONE, Div, Expr, Fn, Mul, Neg, Num, Pow, Sym, add, evaluate, mul, num, sub, to_latex, to_text
from grader.spec.problem import Tolerance

_BACKEND = ExactBackend()


@dataclass(frozen=True)
class KeyItem:
    """One asked value of a non-backprop question."""

    name: str  # local name, e.g. E_mse (the field is "<question>.<name>")
    value: Number | frozenset  # a number, or for ``survivors`` the set of weight names
    description: str  # what it is, in words
    formula: str = ""  # text, with names
    formula_latex: str = ""
    worked: str = ""  # text: the formula with numbers substituted = value
    worked_latex: str = ""  # LaTeX: the formula with numbers substituted (without "= value")
    points: float = 1.0
    tolerance: Tolerance = Tolerance()
    order: tuple[str, ...] = ()  # survivors: every weight in declared order (for 0/1 masks)

    @property
    def is_set(self) -> bool:
        return isinstance(self.value, frozenset)

    def exact_text(self) -> str:
        """The value to 25 significant digits, padded like ``grade solve --format json`` (a set: its names)."""
        if self.is_set:
            return self.decimal()
        from grader.solve.exact import to_mpf

        with mpmath.workdps(40):
            return mpmath.nstr(to_mpf(self.value), 25, strip_zeros=False, min_fixed=-5, max_fixed=26)

    def decimal(self, digits: int = 25) -> str:
        if self.is_set:
            return ", ".join(n for n in self.order if n in self.value)
        return to_decimal_string(self.value, digits)


def exact_eval(fn: Callable[[], Number]) -> Number:
    """``fn()`` evaluated at doubling mpmath precision until two results agree to ``KEY_DIGITS + 2`` digits."""
    dps = 60
    with mpmath.workdps(dps):
        low = fn()
    if isinstance(low, Fraction):
        return low
    while dps <= 4000:
        with mpmath.workdps(2 * dps):
            high = fn()
        if agree(low, high, KEY_DIGITS + 2):
            return high
        low, dps = high, dps * 2
    raise SpecError("a key value cannot be computed to enough digits", hint="use less extreme values")


@dataclass(frozen=True)
class Formula:
    """How a quantity is computed (``expr`` on ``env``) and how it is shown: ``text``/``latex`` in symbols (default
    the tree itself) and ``shown``, the tree whose numbers are substituted for display (default ``expr``)."""

    description: str
    expr: Expr
    env: dict
    text: str | None = None
    latex: str | None = None
    shown: Expr | None = None


def _item(name: str, f: Formula, **kw) -> KeyItem:
    value = exact_eval(lambda: evaluate(f.expr, f.env, _BACKEND))
    text = f.text or to_text(f.expr)
    shown = f.shown or f.expr
    return KeyItem(name, value, f.description, formula=text, formula_latex=f.latex or to_latex(f.expr),
                   worked=f"{text} = {to_text(shown, f.env)} = {to_decimal_string(value, 10)}",
                   worked_latex=to_latex(shown, f.env), **kw)


def _sum(terms: list[Expr]) -> Expr:
    return add(*terms)


# --- loss -------------------------------------------------------------------------------------------------------------


def loss_items(predictions: list[Fraction], targets: list[Fraction]) -> dict[str, Formula]:
    """Every loss quantity. Sums are shown with Σ; with numbers, a 0/1 label keeps only its own log term."""
    n = len(predictions)
    env = {f"p{i}": p for i, p in enumerate(predictions, 1)} | {f"t{i}": t for i, t in enumerate(targets, 1)}
    p = [Sym(f"p{i}") for i in range(1, n + 1)]
    t = [Sym(f"t{i}") for i in range(1, n + 1)]
    sq = [Pow(sub(t[i], p[i]), 2) for i in range(n)]
    ce = [add(mul(t[i], Fn("log", p[i])), mul(sub(ONE, t[i]), Fn("log", sub(ONE, p[i])))) for i in range(n)]
    ce_shown = [Fn("log", p[i]) if targets[i] == 1 else Fn("log", sub(ONE, p[i])) if targets[i] == 0 else ce[i]
                for i in range(n)]
    sq_sum = (r"\sum_{i=1}^{N} (t_i - p_i)^2", "Σ (t_i − p_i)²")
    ce_sum = (r"\sum_{i=1}^{N} \left[t_i \ln p_i + (1 - t_i) \ln(1 - p_i)\right]",
              "Σ [t_i ln p_i + (1 − t_i) ln(1 − p_i)]")
    out: dict[str, Formula] = {
        "E_sse": Formula("sum of squared errors Σ (t_i − p_i)²", _sum(sq), env, sq_sum[1], sq_sum[0]),
        "E_half_sse": Formula("half the sum of squared errors ½ Σ (t_i − p_i)²", Mul((Num(Fraction(1, 2)), _sum(sq))),
                              env, "½ " + sq_sum[1], r"\tfrac12 " + sq_sum[0]),
        "E_mse": Formula("mean squared error (1/N) Σ (t_i − p_i)²", Div(_sum(sq), num(n)), env,
                         f"(1/N) {sq_sum[1]}, N = {n}", r"\frac{1}{N} " + sq_sum[0]),
    }
    probabilities = all(0 < x < 1 for x in predictions) and all(0 <= x <= 1 for x in targets)
    if probabilities:
        out["E_bce"] = Formula("binary cross-entropy −(1/N) Σ [t_i ln p_i + (1 − t_i) ln(1 − p_i)]",
                               Neg(Div(_sum(ce), num(n))), env, f"−(1/N) {ce_sum[1]}, N = {n}",
                               r"-\frac{1}{N} " + ce_sum[0], Neg(Div(_sum(ce_shown), num(n))))
        out["E_bce_sum"] = Formula("binary cross-entropy summed −Σ [t_i ln p_i + (1 − t_i) ln(1 − p_i)]",
                                   Neg(_sum(ce)), env, "−" + ce_sum[1], "-" + ce_sum[0], Neg(_sum(ce_shown)))
    for i in range(n):
        k = i + 1
        out[f"se_{k}"] = Formula(f"squared error of example {k}: (t{k} − p{k})²", sq[i], env)
        out[f"grad_mse_{k}"] = Formula(f"∂E_mse/∂p{k} = 2 (p{k} − t{k})/N", Div(mul(num(2), sub(p[i], t[i])), num(n)), env)
        if probabilities:
            out[f"bce_{k}"] = Formula(f"cross-entropy of example {k}: −[t{k} ln p{k} + (1 − t{k}) ln(1 − p{k})]",
                                      Neg(ce[i]), env)
            out[f"grad_bce_{k}"] = Formula(f"∂E_bce/∂p{k} = (p{k} − t{k})/(N p{k} (1 − p{k}))",
                                           Div(sub(p[i], t[i]), mul(num(n), p[i], sub(ONE, p[i]))), env)
    return out


LOSS_DEFAULT = ("E_mse", "E_bce")


# --- init -------------------------------------------------------------------------------------------------------------


def init_items(fan_in: int, fan_out: int) -> dict[str, KeyItem]:
    """Every initialization quantity (variances exact, square roots at high precision)."""
    out: dict[str, KeyItem] = {}
    schemes = {
        "xavier": ("Xavier/Glorot", Fraction(2, fan_in + fan_out), Fraction(6, fan_in + fan_out),
                   "2/(n_in + n_out)", r"\frac{2}{n_{in} + n_{out}}", "6/(n_in + n_out)", r"\frac{6}{n_{in} + n_{out}}"),
        "he": ("He/Kaiming", Fraction(2, fan_in), Fraction(6, fan_in), "2/n_in", r"\frac{2}{n_{in}}", "6/n_in",
               r"\frac{6}{n_{in}}"),
        "lecun": ("LeCun", Fraction(1, fan_in), Fraction(3, fan_in), "1/n_in", r"\frac{1}{n_{in}}", "3/n_in",
                  r"\frac{3}{n_{in}}"),
    }
    nums = f"n_in = {fan_in}, n_out = {fan_out}"
    for key, (label, var, lim2, vtext, vlatex, ltext, llatex) in schemes.items():
        std = exact_eval(lambda v=var: mpmath.sqrt(mpmath.mpf(v.numerator) / v.denominator))
        limit = exact_eval(lambda v=lim2: mpmath.sqrt(mpmath.mpf(v.numerator) / v.denominator))
        out[f"{key}_var"] = KeyItem(f"{key}_var", var, f"{label} variance {vtext}", vtext, vlatex,
                                    f"{vtext} = {var.numerator}/{var.denominator} ({nums})",
                                    rf"\frac{{{var.numerator}}}{{{var.denominator}}}")
        out[f"{key}_std"] = KeyItem(f"{key}_std", std, f"{label} standard deviation √({vtext})", f"√({vtext})",
                                    rf"\sqrt{{{vlatex}}}", f"√({var.numerator}/{var.denominator}) = {to_decimal_string(std, 10)}",
                                    rf"\sqrt{{\tfrac{{{var.numerator}}}{{{var.denominator}}}}}")
        out[f"{key}_limit"] = KeyItem(f"{key}_limit", limit, f"{label} uniform limit √({ltext}) (weights ~ U(−limit, limit))",
                                      f"√({ltext})", rf"\sqrt{{{llatex}}}",
                                      f"√({lim2.numerator}/{lim2.denominator}) = {to_decimal_string(limit, 10)}",
                                      rf"\sqrt{{\tfrac{{{lim2.numerator}}}{{{lim2.denominator}}}}}")
    return out


INIT_DEFAULT = ("xavier_var", "xavier_std", "xavier_limit", "he_var", "he_std", "he_limit")


# --- activation -------------------------------------------------------------------------------------------------------


def activation_exprs(kind: str, x: Expr, at_zero: Fraction, slope: Fraction) -> tuple[Expr, Expr]:
    """(f(x), f′(x)) as formulas."""
    if kind == "sigmoid":
        s = Fn("sigmoid", x)
        return s, mul(s, sub(ONE, s))
    if kind == "tanh":
        th = Fn("tanh", x)
        return th, sub(ONE, Pow(th, 2))
    if kind == "relu":
        return Fn("relu", x), Fn("relu_d", x, at_zero)
    if kind == "leaky_relu":
        return Fn("leaky", x, at_zero, slope), Fn("leaky_d", x, at_zero, slope)
    raise SpecError(f"activation questions cover sigmoid, tanh, relu and leaky_relu, not {kind}")


def activation_items(functions: list[tuple[str, Fraction | None, Fraction]], points: list[Fraction],
                     derivatives: bool) -> dict[str, Formula]:
    out: dict[str, Formula] = {}
    for kind, at_zero, slope in functions:
        for k, xv in enumerate(points, 1):
            env = {f"x{k}": xv}
            f, d = activation_exprs(kind, Sym(f"x{k}"), at_zero or Fraction(0), slope)
            out[f"{kind}_{k}"] = Formula(f"{kind}(x{k}) at x{k} = {to_decimal_string(xv, 12)}", f, env)
            if derivatives:
                out[f"d{kind}_{k}"] = Formula(f"{kind}′(x{k}), the derivative at x{k} = {to_decimal_string(xv, 12)}", d, env)
    return out


def make_items(table: dict[str, Formula], asked: list[tuple[str, float, Tolerance]]) -> list[KeyItem]:
    return [_item(name, table[name], points=pts, tolerance=tol) for name, pts, tol in asked]


# --- pruning ----------------------------------------------------------------------------------------------------------


def prune(weights: dict[str, Fraction], layers: list[list[str]], sparsity: Fraction, scope: str
          ) -> tuple[frozenset[str], str | None]:
    """(the surviving weights, an error message or None): the ``sparsity`` share of smallest |w| removed, over all
    weights (``global``) or within each layer (``layer``). The cut must be unambiguous: a tie in |w| across it, or
    a share that is not a whole number of weights, is an error."""
    groups = [list(weights)] if scope == "global" else layers
    removed: set[str] = set()
    for group in groups:
        count = sparsity * len(group)
        if count.denominator != 1:
            return frozenset(), (f"sparsity {sparsity} of {len(group)} weights is {float(count):g} weights, not a "
                                 "whole number")
        k = int(count)
        ranked = sorted(group, key=lambda w: abs(weights[w]))
        if 0 < k < len(ranked) and abs(weights[ranked[k - 1]]) == abs(weights[ranked[k]]):
            tie = [w for w in group if abs(weights[w]) == abs(weights[ranked[k]])]
            return frozenset(), f"a tie at the cut: {', '.join(tie)} all have |w| = {abs(weights[ranked[k]])}"
        removed.update(ranked[:k])
    return frozenset(w for w in weights if w not in removed), None
