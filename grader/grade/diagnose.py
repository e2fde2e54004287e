"""Name the likely mistake behind a wrong value.

Tried in order, first match wins (``grader.grade.engine._diagnose``):
1. a flagged ``using`` value is another quantity's value: an updated weight (sequential update) or another
   weight in this one's place (mixed indices);
2. the value follows from the student's own numbers only if a flagged (untrusted) ``using`` value is believed;
3. the value is exactly the right one rounded to 1-4 significant digits (before any formula merely within
   tolerance);
4. a known wrong formula (``grader.solve.malrules``) reproduces it, on the student's values or on the key's;
5. value-level slips against what follows from the student's values: 0, the sign alone (the size agrees), a power
   of ten; then the inputs rounded too early;
6. the inputs were all right, so the slip is in the arithmetic; or else sign and size both differ.
For an updated parameter every comparison is on the change ``p_new - p``.
"""

from __future__ import annotations

import math
from typing import Callable

from grader.grade.result import Diagnosis
from grader.spec.tolerance import round_sig, within
from grader.numfmt import fmt
from grader.spec.problem import Tolerance

MAX_POWER = 8


def by_value(s: float, target: float, tol: Tolerance, whose: str, *, show: bool = True,
             zero: str | None = None) -> Diagnosis | None:
    """Slips that need no formula: 0, the sign alone, a power of ten, early rounding. ``whose`` says where
    ``target`` comes from; ``zero`` is the sentence for a 0, worded for what the quantity is (``{whose}`` and
    ``{target}`` filled in; for an updated parameter "you left w5 unchanged"); ``show`` False (exam mode) keeps every
    number derived from the key out of the text."""
    if target == 0 or not math.isfinite(target):
        return None
    if not show:
        d = by_value(s, target, tol, whose, zero=zero)
        if d and d.id == "zero":
            return Diagnosis("zero", (zero or ZERO).format(whose=whose, target="something else"))
        return Diagnosis(d.id, _HIDDEN[d.id].format(whose=whose)) if d else None
    if s == 0:
        return Diagnosis("zero", (zero or ZERO).format(whose=whose, target=fmt(target)))
    if within(-s, target, tol):
        return Diagnosis("wrong_sign", f"Right size, wrong sign: {whose} give {fmt(target)}; check the signs in your work.")
    if not math.isfinite(s):
        return None
    ratio = s / target
    if not math.isfinite(ratio) or ratio == 0:
        return None
    if ratio > 0:
        k = round(math.log10(ratio))
        if k != 0 and abs(k) <= MAX_POWER and within(s, target * 10.0**k, tol):
            times = f"10^{k}" if k != 1 else "10"
            return Diagnosis(
                "power_of_ten",
                f"A power-of-ten slip: your value is {times} times what {whose} give ({fmt(target)}); look for a lost or extra zero.",
            )
    return rounded(s, target, whose)


def rounded(s: float, target: float, whose: str, *, show: bool = True) -> Diagnosis | None:
    """Is ``s`` exactly ``target`` rounded to 1-4 significant digits? (Checked before any wrong formula: a value
    that is the right one rounded is rounding, even when some wrong formula lands within tolerance of it.)"""
    if target == 0 or not math.isfinite(target) or not math.isfinite(s):
        return None
    for d in (1, 2, 3, 4):
        r = round_sig(target, d)
        if r != target and abs(s - r) <= abs(target) * 1e-12 + 1e-300:
            if not show:
                return Diagnosis("rounding_too_early", _HIDDEN["rounding_too_early"])
            return Diagnosis(
                "rounding_too_early",
                f"Your value is {fmt(target)} rounded to {d} significant digit{'s' if d > 1 else ''}: keep more digits.",
            )
    return None


def sign_and_size(s: float, target: float, whose: str, *, show: bool = True) -> Diagnosis | None:
    """The sign is opposite and the size differs too: say both (not "the sign is wrong", which a size that agrees
    would mean)."""
    if not (math.isfinite(s) and math.isfinite(target)) or s * target >= 0:
        return None
    if not show:
        return Diagnosis("sign_and_size", _HIDDEN["sign_and_size"].format(whose=whose))
    return Diagnosis("sign_and_size", f"Sign and size both differ: {whose} give {fmt(target)}, but you wrote {fmt(s)}; "
                                      "recompute it step by step.")


ZERO = "Your value is 0, but {whose} give {target}."
ZERO_CHANGE = "You left {base} unchanged ({q} = {base}), but {whose} give a change {q} − {base} of {target}: no update at all."
_HIDDEN = {
    "wrong_sign": "Right size, wrong sign compared with what {whose} give; check the signs in your work.",
    "power_of_ten": "A power-of-ten slip: your value is off by a factor of 10, 100, ... from what {whose} give; look for a lost or extra zero.",
    "sign_and_size": "Sign and size both differ from what {whose} give; recompute it step by step.",
    "rounding_too_early": "Your value is the right value rounded to too few significant digits: keep more digits.",
}


def rounding_upstream(s: float, formula_at: Callable[[int], float], tol: Tolerance) -> Diagnosis | None:
    """Does the formula with its inputs cut to 2 or 3 significant digits give ``s`` (where full precision does not)?"""
    for d in (2, 3):
        v = formula_at(d)
        if math.isfinite(v) and within(s, v, tol):
            return Diagnosis(
                "rounding_too_early",
                f"The values this is computed from were rounded to {d} significant digits too early; carry more digits until the end.",
            )
    return None


def round_env(env: dict[str, float], digits: int) -> dict[str, float]:
    return {k: round_sig(v, digits) for k, v in env.items()}
