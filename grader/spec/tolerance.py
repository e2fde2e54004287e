"""The one tolerance rule (also stated in ``grader.spec.problem.Tolerance``, the README and every report).

* ``relabs`` (default ``rtol = 0.01``, ``atol = 1e-9``): accepted when ``|given - true| <= atol + rtol*|true|``.
* ``sigfig`` (``digits = d``): accepted when ``|given - true| <= 0.51 * 10**(floor(log10|true|) - d + 1)``, a window
  around the true value (not "rounds to"); a true value of 0 needs ``|given| <= atol``.

Updated parameters are compared on their change ``p_new - p`` (see ``grader.grade.engine``), so "no update" never
passes where the true change is not negligible, and a change off by 10x fails even when ``p_new`` is close to ``p``.
"""

from __future__ import annotations

import math

from grader.spec.problem import Tolerance


def within(given: float, true: float, tol: Tolerance) -> bool:
    """Is ``given`` accepted for ``true`` under ``tol``? Non-finite values are never accepted."""
    err = abs(given - true)  # nan when either is nan, or both are infinite
    if tol.mode == "relabs":  # the common case first, and cheaply: the bound is finite exactly when ``true`` is
        return err <= tol.atol + tol.rtol * abs(true) < math.inf
    if not (math.isfinite(given) and math.isfinite(true)):
        return False
    if tol.mode == "sigfig":
        if true == 0:
            return err <= tol.atol
        return err <= 0.51 * 10.0 ** (math.floor(math.log10(abs(true))) - tol.digits + 1)
    return err <= tol.atol + tol.rtol * abs(true)


def round_sig(x: float, digits: int) -> float:
    """``x`` rounded to ``digits`` significant digits."""
    if x == 0 or not math.isfinite(x):
        return x
    try:
        return round(x, digits - 1 - math.floor(math.log10(abs(x))))
    except OverflowError:  # within a digit of the float range: already as rounded as a float can be
        return x
