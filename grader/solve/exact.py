"""Exact and high-precision numbers for the answer key.

Values are ``Fraction`` for as long as the computation is rational (inputs, weights, net inputs of the first layer,
everything in a ReLU/linear network) and become mpmath ``mpf`` at a working precision as soon as a transcendental
function (exp, log, sigmoid, tanh) enters. No float64 is ever involved.

Working precision is chosen by ``grader.solve.solver``: it evaluates the whole graph at a precision and again at
twice it, and keeps doubling until every value agrees to ``KEY_DIGITS`` significant digits. That handles the
cancellation in ``o*(1 - o)`` for a saturated sigmoid (z = 85 makes ``1 - o`` about 1e-37) without special cases.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import mpmath
from mpmath.libmp import mpf_add, mpf_mul, mpf_sub

from grader.numfmt import decimal_places
from grader.solve.backend import Backend

KEY_DIGITS = 32  # significant digits every key value is correct to
Number = Fraction | mpmath.mpf


class ExactBackend(Backend):
    """Fractions where exact, mpf (at the ambient mpmath precision) where not.

    Every operand becomes an mpf through ``lift``: here ``to_mpf`` (a Fraction divided out, an mpf rounded to the
    ambient precision), so one backend serves any precision. ``ConvertOnce`` is the solver's faster variant for one
    evaluation at one precision."""

    def lift(self, x: Number) -> mpmath.mpf:
        return to_mpf(x)

    def const(self, q: Fraction) -> Fraction:
        return q

    def add(self, a: Number, b: Number) -> Number:
        return a + b if type(a) is Fraction and type(b) is Fraction else self.lift(a) + self.lift(b)

    def mul(self, a: Number, b: Number) -> Number:
        if type(a) is Fraction:
            if type(b) is Fraction:
                return a * b
            if not a:
                return Fraction(0)  # an exact zero factor (an input of 0) keeps the product exact
        elif type(b) is Fraction and not b:
            return Fraction(0)
        return self.lift(a) * self.lift(b)

    def div(self, a: Number, b: Number) -> Number:
        if b == 0:
            raise ArithmeticError("division by zero")
        return a / b if type(a) is Fraction and type(b) is Fraction else self.lift(a) / self.lift(b)

    def pow(self, a: Number, k: int | Fraction) -> Number:
        if isinstance(k, Fraction) and k.denominator == 1:
            k = int(k)
        if isinstance(k, int):
            if a == 0 and k < 0:
                raise ArithmeticError("division by zero (0 to a negative power)")
            return a**k
        return rational_power(a, k)

    def fn(self, name: str, x: Number, p0: Fraction, p1: Fraction) -> Number:
        if name == "sigmoid":
            return Fraction(1, 2) if x == 0 else 1 / (1 + mpmath.exp(-self.lift(x)))
        if name == "relu":
            return x if x > 0 else Fraction(0)
        if name == "relu_d":
            return Fraction(1) if x > 0 else Fraction(0) if x < 0 else p0
        if name == "leaky":
            return x if x > 0 else self.mul(p1, x)
        if name == "leaky_d":
            return Fraction(1) if x > 0 else p1 if x < 0 else p0
        if name == "exp":
            return Fraction(1) if x == 0 else mpmath.exp(self.lift(x))
        if name == "log":
            if x <= 0:
                raise ArithmeticError("logarithm of a non-positive number")
            return Fraction(0) if x == 1 else mpmath.log(self.lift(x))
        if name == "tanh":
            return Fraction(0) if x == 0 else mpmath.tanh(self.lift(x))
        if name == "abs":
            return abs(x)
        if name == "sign":
            if x == 0:
                raise ArithmeticError("abs has no derivative at 0")
            return Fraction(1) if x > 0 else Fraction(-1)
        raise ValueError(f"unknown function {name}")


class ConvertOnce(ExactBackend):
    """``ExactBackend`` for one evaluation at the precision ambient when it is made (make a new one per
    evaluation): each Fraction operand is converted to an mpf once, however often it is used (a weight in its net
    input, its back-propagated sum and its update; ``1`` in every ``1 - o``); an mpf operand is used as it is, not
    copied (every mpf of the evaluation is already at its precision, so the copy was the same number); sums and
    products of two mpfs go straight to mpmath's ``mpf_add``/``mpf_mul``, as ``mpf.__add__``/``__mul__`` do after
    checking the operands' types. The same numbers as ``ExactBackend``, bit for bit."""

    def __init__(self) -> None:
        # id -> (the Fraction, its mpf): holding the Fraction keeps its id from being reused while it is cached
        self._mpf: dict[int, tuple[Fraction, mpmath.mpf]] = {}
        self._prec, self._rounding = mpmath.mp._prec_rounding

    def lift(self, x: Number) -> mpmath.mpf:
        if type(x) is not Fraction:
            return x
        hit = self._mpf.get(id(x))
        if hit is None:
            hit = self._mpf[id(x)] = (x, mpmath.mpf(x.numerator) / x.denominator)
        return hit[1]

    def add(self, a: Number, b: Number) -> Number:
        if type(a) is Fraction:
            if type(b) is Fraction:
                return a + b
            a = self.lift(a)
        elif type(b) is Fraction:
            b = self.lift(b)
        out = _new_mpf(_MPF)
        out._mpf_ = mpf_add(a._mpf_, b._mpf_, self._prec, self._rounding)
        return out

    def mul(self, a: Number, b: Number) -> Number:
        if type(a) is Fraction:
            if type(b) is Fraction:
                return a * b
            if not a:
                return Fraction(0)  # an exact zero factor keeps the product exact
            a = self.lift(a)
        elif type(b) is Fraction:
            if not b:
                return Fraction(0)
            b = self.lift(b)
        out = _new_mpf(_MPF)
        out._mpf_ = mpf_mul(a._mpf_, b._mpf_, self._prec, self._rounding)
        return out


_MPF = mpmath.mpf
_new_mpf = object.__new__


def rational_power(a: Number, k: Fraction) -> Number:
    """``a^k`` for a non-integer rational ``k``: real only for ``a >= 0`` (``a > 0`` when ``k < 0``); exact when
    ``a`` is a rational whose root is rational (16^(3/4) = 8), else an mpf at the working precision."""
    if a < 0:
        raise ArithmeticError(f"a negative number ({to_decimal_string(a, 6, trim=True)}) to the power {k} is not real")
    if a == 0:
        if k < 0:
            raise ArithmeticError(f"0 to the power {k} is a division by zero")
        return Fraction(0)
    if isinstance(a, Fraction):
        top, bottom = _exact_root(a.numerator, k.denominator), _exact_root(a.denominator, k.denominator)
        if top is not None and bottom is not None:
            return Fraction(top, bottom) ** k.numerator
    return mpmath.power(to_mpf(a), mpmath.mpf(k.numerator) / k.denominator)


def _exact_root(n: int, q: int) -> int | None:
    """The integer r with r^q = n (n > 0), if there is one."""
    if n.bit_length() > 4 * 4096:
        return None
    with mpmath.workdps(n.bit_length() // 3 + 20):
        r = int(mpmath.nint(mpmath.root(n, q)))
    return r if r**q == n else None


def to_mpf(x: Number | int) -> mpmath.mpf:
    if isinstance(x, Fraction):
        return mpmath.mpf(x.numerator) / x.denominator
    return mpmath.mpf(x)


def agree(a: Number, b: Number, digits: int) -> bool:
    """Do ``a`` and ``b`` agree to ``digits`` significant digits (or are both exactly equal)?

    Compared as they are, whatever the ambient precision: an mpf is not rounded first (at the default 15 digits a
    rounded copy made any two values equal to 16 digits "agree" to 34), and a Fraction compared with an mpf is
    converted with ``digits`` to spare."""
    if type(a) is Fraction and type(b) is Fraction:
        return a == b
    if type(a) is Fraction or type(b) is Fraction:
        with mpmath.workdps(max(mpmath.mp.dps, 2 * digits + 10)):
            a, b = to_mpf(a), to_mpf(b)
    if a == b:
        return True
    # Decided from binary exponents where they settle it (|x| in [2^(m-1), 2^m) for m = exp + bitcount), with
    # two bits to spare for the rounding of the difference and of 10^-digits; otherwise computed.
    sa, sb = a._mpf_, b._mpf_
    if sa[1] and sb[1]:
        d = mpf_sub(sa, sb, 53, "n")
        if not d[1]:
            return True
        k, md, mb = digits * _LOG2_10, d[2] + d[3], sb[2] + sb[3]
        if md <= mb - 1 - math.ceil(k) - 2:
            return True
        if md - 1 >= mb - math.floor(k) + 2:
            return False
    return abs(a - b) <= abs(b) * power_of_ten(-digits)


_POW10: dict[tuple[int, int], mpmath.mpf] = {}
_LOG2_10 = math.log2(10)


def power_of_ten(k: int) -> mpmath.mpf:
    """``mpf(10) ** k`` at the ambient precision, computed once per (k, precision)."""
    key = (k, mpmath.mp.prec)
    v = _POW10.get(key)
    if v is None:
        if len(_POW10) > 4096:  # bounded: a long-running process sees only a few precisions
            _POW10.clear()
        v = _POW10[key] = mpmath.mpf(10) ** k
    return v


def is_noise(v: Number, dps: int) -> bool:
    """Is ``v`` at the rounding-noise floor of a ``dps``-digit computation (a true zero reached by cancellation,
    such as the gradient of a shared softmax bias, sum(o - t) = 0)? Values at least this small and shrinking as the
    precision grows are zeros."""
    if type(v) is Fraction:
        return False
    e = -(3 * dps) // 4
    s = v._mpf_
    if s[1]:  # |v| in [2^(m-1), 2^m) for m = exp + bitcount: most values are decided by m, two bits to spare
        m, k = s[2] + s[3], e * _LOG2_10
        if m <= math.floor(k) - 2:
            return True
        if m - 1 >= math.ceil(k) + 2:
            return False
    return abs(v) <= power_of_ten(e)


def to_decimal_string(v: Number | float, digits: int = 25, *, trim: bool = False) -> str:
    """``v`` as a plain decimal string with ``digits`` significant digits (scientific notation when very large or
    small). Exact Fractions with a short decimal expansion are written exactly (``-11.65``)."""
    if isinstance(v, Fraction):
        exact = _short_decimal(v, digits)
        if exact is not None:
            return exact
        with mpmath.workdps(digits + 10):
            return to_decimal_string(to_mpf(v), digits, trim=trim)
    if isinstance(v, float):
        v = mpmath.mpf(v)
    if v == 0:
        return "0"
    s = mpmath.nstr(v, digits, strip_zeros=trim, min_fixed=-5, max_fixed=digits + 1)
    if "e" in s:
        mant, _, ex = s.partition("e")
        s = f"{mant}e{int(ex)}"
    return s


def _short_decimal(q: Fraction, digits: int) -> str | None:
    """The exact decimal of ``q`` if its denominator is 2^a·5^b and it fits in ``digits`` significant digits."""
    k = decimal_places(q)
    if k is None or k > 60:
        return None
    dec = Decimal(q.numerator) / Decimal(q.denominator) if k == 0 else Decimal(q.numerator * (10**k // q.denominator)).scaleb(-k)
    s = format(dec.normalize(), "f")
    if len(s.replace("-", "").replace(".", "").lstrip("0")) > digits:
        return None
    return s
