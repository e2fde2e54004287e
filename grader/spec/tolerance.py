"""The one tolerance rule (``Tolerance``, also stated in the README, templates and every report).

* ``relabs`` (default ``rtol = 0.01``, ``atol = 1e-9``): accepted when ``|given - true| <= atol + rtol*|true|``.
* ``sigfig`` (``digits = d``): accepted when ``|given - true| <= 0.51 * 10**(floor(log10|true|) - d + 1)``, a window
  around the true value (not "rounds to"); a true value of 0 needs ``|given| <= atol``.
* ``decimals`` (``places = d``): accepted when ``|given - true| <= 0.5 * 10**-d`` (half a unit of the d-th decimal
  place, plus a relative hair of 1e-9 for the float's representation of a decimal written exactly at the edge).

Updated parameters are compared on their change ``p_new - p`` under ``relabs`` and ``sigfig`` (see
``grader.grade.engine``), so "no update" never passes where the true change is not negligible, and a change off by
10x fails even when ``p_new`` is close to ``p``; under ``decimals`` the rule is applied to ``p_new`` itself ("to 3
decimals" means what it says, and ``grade check`` warns when no update would pass).
"""

from __future__ import annotations

import math

from grader.numfmt import fmt
from grader.record import Record

TYPE_CHECKING = False  # typing costs milliseconds at start-up: only a type checker imports it
if TYPE_CHECKING:
    from typing import Literal

_HAIR = 1e-9


class Tolerance(Record):
    """The one tolerance rule (applied by ``grader.spec.tolerance.within``).

    ``relabs``: a value is accepted when ``|given - true| <= atol + rtol * |true|``.
    ``sigfig``: accepted when ``|given - true| <= 0.51 * 10**(floor(log10|true|) - digits + 1)``, a window of
    half a unit (plus a hair) in the last significant digit around the true value.
    ``decimals``: accepted when ``|given - true| <= 0.5 * 10**-places`` (half a unit of the last kept decimal, plus a
    hair for the float's representation): "to 3 decimals" means what it says.
    For an updated parameter ``p_new`` the relabs and sigfig rules are applied to the change ``p_new - p``; the
    decimals rule to ``p_new`` itself.
    """

    mode: Literal["relabs", "sigfig", "decimals"] = "relabs"
    rtol: float = 0.01
    atol: float = 1e-9
    digits: int = 3
    places: int = 3

    def __init__(
        self, mode: Literal["relabs", "sigfig", "decimals"] = "relabs", rtol: float = 0.01, atol: float = 1e-9,
        digits: int = 3, places: int = 3,
    ) -> None:
        self.__dict__.update(mode=mode, rtol=rtol, atol=atol, digits=digits, places=places)

    @property
    def on_change(self) -> bool:
        """Is an updated parameter judged on its change ``p_new - p`` (relabs, sigfig) or on itself (decimals)?"""
        return self.mode != "decimals"

    def describe(self) -> str:
        if self.mode == "sigfig":
            return f"{self.digits} significant figures (|given - true| <= 0.51 in the last kept digit)"
        if self.mode == "decimals":
            return f"{self.places} decimal places (|given - true| <= 0.5·10^-{self.places})"
        return f"|given - true| <= {self.atol:g} + {self.rtol:g}*|true|"


def within(given: float, true: float, tol: Tolerance) -> bool:
    """Is ``given`` accepted for ``true`` under ``tol``? Non-finite values are never accepted."""
    err = abs(given - true)  # nan when either is nan, or both are infinite
    if tol.mode == "relabs":  # the common case first, and cheaply: the bound is finite exactly when ``true`` is
        return err <= tol.atol + tol.rtol * abs(true) < math.inf
    if not (math.isfinite(given) and math.isfinite(true)):
        return False
    return err <= bound(true, tol)


def bound(true: float, tol: Tolerance) -> float:
    """The largest accepted ``|given - true|`` for ``true`` under ``tol``."""
    if tol.mode == "sigfig":
        if true == 0:
            return tol.atol
        return 0.51 * 10.0 ** (math.floor(math.log10(abs(true))) - tol.digits + 1)
    if tol.mode == "decimals":
        return 0.5 * 10.0 ** -tol.places * (1 + _HAIR) + abs(true) * 4e-16
    return tol.atol + tol.rtol * abs(true)


def digits_needed(value: float, allowed: float) -> int | None:
    """The fewest significant digits of ``value`` that keep it within ``allowed`` however the student shortens it,
    rounded or cut off: a whole unit in the last kept digit at most (a value cut off, not rounded, to the digits a
    template asks for is still accepted); None when no finite count does (``allowed`` 0)."""
    if not (math.isfinite(value) and math.isfinite(allowed)) or allowed <= 0:
        return None
    if value == 0:
        return 1
    top = math.floor(math.log10(abs(value)))
    for n in range(1, 40):
        if 10.0 ** (top - n + 1) <= allowed:
            return n
    return None


def accepted_sentence(quantity: str, tol: Tolerance, true: float, *, base: str | None = None,
                      change: float | None = None, show_digits: bool = True) -> str:
    """What is accepted for one field, in words a student can act on:
    ``w5_new: the change w5_new − w5 is judged within 1 %: keep at least 9 significant digits``.

    ``base`` and ``change`` are given for an updated parameter judged on its change; ``show_digits`` False (exam
    mode) leaves out the digit count, which is derived from the key."""
    if tol.mode == "decimals":
        return f"{quantity}: judged to {tol.places} decimal place{'s' if tol.places != 1 else ''} (within half a unit of the last place)"
    judged = change if base is not None and change is not None else true  # what the rule is applied to
    if base is not None and change is not None:
        what, allowed = f"{quantity}: the change {quantity} − {base} is", bound(change, tol)
    else:
        what, allowed = f"{quantity}:", bound(true, tol)
    if tol.mode == "sigfig":
        rule = f"to {tol.digits} significant figure{'s' if tol.digits != 1 else ''}"
    elif not tol.rtol:  # an absolute tolerance alone ("within 0 %" would read as: exactly)
        rule = f"within {fmt(tol.atol, 3)}"
    else:  # the absolute part said where it is the larger one (a 0, a change of 0)
        rule = f"within {tol.rtol * 100:g} %" + (f" (or {fmt(tol.atol, 3)})"
                                                 if tol.atol and tol.atol >= tol.rtol * abs(judged) else "")
    out = f"{what} judged {rule}"
    n = digits_needed(true, allowed)
    if base is not None and show_digits and n is not None:
        out += f": keep at least {n} significant digit{'s' if n != 1 else ''} of {quantity}"
    elif base is not None:
        out += f": keep enough digits of {quantity} for its change to show"
    return out


def round_sig(x: float, digits: int) -> float:
    """``x`` rounded to ``digits`` significant digits."""
    if x == 0 or not math.isfinite(x):
        return x
    try:
        return round(x, digits - 1 - math.floor(math.log10(abs(x))))
    except OverflowError:  # within a digit of the float range: already as rounded as a float can be
        return x
