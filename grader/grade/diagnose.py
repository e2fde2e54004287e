"""Name the likely mistake behind a wrong value.

Tried in order, first match wins:
1. the value follows from the student's own numbers only if a flagged (untrusted) ``using`` value is believed;
2. a known wrong formula (``grader.solve.malrules``) reproduces it, on the student's values or on the key's;
3. value-level slips against what follows from the student's values, then against the key: a power of ten,
   the sign, rounding too early;
4. the inputs were all right, so the slip is in the arithmetic.
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


def by_value(s: float, target: float, tol: Tolerance, whose: str, *, show: bool = True) -> Diagnosis | None:
    """Slips that need no formula: power of ten, sign, early rounding. ``whose`` says where ``target`` comes from;
    ``show`` False (exam mode) keeps every number derived from the key out of the text."""
    if target == 0 or not math.isfinite(target):
        return None
    if not show:
        d = by_value(s, target, tol, whose)
        return Diagnosis(d.id, _HIDDEN[d.id].format(whose=whose)) if d else None
    if s == 0:
        return Diagnosis("zero", f"Your value is 0, but {whose} give {fmt(target)}: for an updated parameter, 0 means no update at all.")
    if within(-s, target, tol):
        return Diagnosis("flipped_sign", f"Right size, wrong sign: {whose} give {fmt(target)}.")
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
    elif abs(target) > tol.atol:
        return Diagnosis("wrong_sign", f"The sign is wrong: {whose} give {fmt(target)}, but you wrote {fmt(s)}; check the signs in your work.")
    for d in (1, 2, 3, 4):
        r = round_sig(target, d)
        if r != target and abs(s - r) <= abs(target) * 1e-12 + 1e-300:
            return Diagnosis(
                "rounding_too_early",
                f"Your value is {fmt(target)} rounded to {d} significant digit{'s' if d > 1 else ''}: keep more digits.",
            )
    return None


_HIDDEN = {
    "zero": "Your value is 0, but {whose} do not give 0: for an updated parameter, 0 means no update at all.",
    "flipped_sign": "Right size, wrong sign: compare with what {whose} give.",
    "power_of_ten": "A power-of-ten slip: your value is off by a factor of 10, 100, ... from what {whose} give; look for a lost or extra zero.",
    "wrong_sign": "The sign is wrong compared with what {whose} give; check the signs in your work.",
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
