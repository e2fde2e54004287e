"""A graded write-up, told in its own words: each field says which line its answer came from and, where the
student's own expression does not equal what they wrote after it, where the slip is; a formula that is not the
network's is a ``wrong_formula`` flag; the equations no quantity was read from are listed.

With ``reveal`` off (exam mode) no message quotes a number computed here: the value of a student's expression can
be the key's (the seed's z1 expression equals the key's z1).

Where the student's own expression is right (it gives, within the field's tolerance, what their values give) but
the number written after it is not, the steps show that the formula was right: a diagnosis that names a mistake in
the formula (a flipped update sign, a missing derivative, ...) is contradicted by them, however well it matches the
number, and becomes a slip in working the expression out. A diagnosis that describes the number itself (a term or
the bias lost in the sum, the sign in the exponential, a power of ten, rounding) stands.
"""

from __future__ import annotations

import dataclasses
import math

from grader.grade.diagnose import by_value
from grader.grade.result import Diagnosis, Flag, GradeResult
from grader.numfmt import fmt
from grader.spec.tolerance import Tolerance, round_sig
from grader.submission.load import Submission
from grader.submission.notes import FormulaNote, Slip, WriteupNotes

__all__ = ["annotate", "slips_message", "worked_out", "formula_message", "FORMULA_MISTAKES", "VALUE_MISTAKES"]

# The known mistakes (``grader.solve.malrules``) by what they say: a wrong formula, or a slip in working one out
# (what the number shows whatever formula was written). Every rule's id is in one of the two (a test checks).
FORMULA_MISTAKES = frozenset({
    "flipped_sign", "sequential_update", "missing_derivative", "derivative_added", "derivative_of_net",
    "derivative_of_sigma_out", "loss_scaling", "missing_learning_rate", "mixed_indices", "net_instead_of_activation",
    "wrong_activation", "wrong_bias",
})
VALUE_MISTAKES = frozenset({"dropped_term", "bias_left_out", "sigmoid_sign"})

WORKED_OUT = Diagnosis(
    "arithmetic",
    "Your expression is right for your values, so the slip is in working it out (the line named above): recompute "
    "its last steps.",
)


def annotate(result: GradeResult, sub: Submission, plan=None) -> GradeResult:
    """``result`` told in the write-up's words (``plan``: the grading plan, to judge the student's own expressions;
    without it no diagnosis is reconsidered)."""
    notes = sub.writeup
    if not isinstance(notes, WriteupNotes):
        return result
    fields = []
    for f in result.fields:
        source = notes.sources.get(f.quantity)
        slips = notes.slips.get(f.quantity, ())
        message = f.message
        changes = {}
        if slips:
            tol = _tolerance(plan, f.quantity)
            message = f"{message} {slips_message(slips, notes, result.reveal, tol)}".strip()
            if (plan is not None and f.verdict == "incorrect"
                    and (f.diagnosis is None or f.diagnosis.id in FORMULA_MISTAKES)
                    and _expression_right(plan, f, slips[0])):
                changes["diagnosis"] = worked_out(slips, tol)
        if source is not None:
            changes.update(source=notes.where(source.line), source_text=source.text)
        if message != f.message:
            changes["message"] = message
        fields.append(dataclasses.replace(f, **changes) if changes else f)
    flags = list(result.flags)
    for note in notes.formulas:
        flags.append(Flag("wrong_formula", note.quantity, (), formula_message(note, notes), (notes.where(note.line),)))
    unattributed = tuple((notes.where(u.line), u.text, u.reason) for u in notes.unattributed)
    warnings = (nothing_read(notes, result) + notes.remarks
                + tuple(f"{notes.where(line)}: {text}" for line, text in notes.conventions) + result.warnings)
    return dataclasses.replace(result, fields=tuple(fields), flags=tuple(flags), unattributed=unattributed,
                               warnings=warnings)


def nothing_read(notes: WriteupNotes, result) -> tuple[str, ...]:
    """The warning of a write-up in which nothing was read as an answer (the answers written in words, or as a
    picture): how to write them, with no value of the key."""
    if not notes.empty:
        return ()
    asked = result.fields[0].quantity if result.fields else "z1"
    where = "no equation" if notes.empty == "nothing" else "no equation other than the given values"
    code = ""
    if notes.code:
        at = ", ".join(notes.where(n) for n in notes.code[:5]) + (", ..." if len(notes.code) > 5 else "")
        code = (f" A fence marked as a programming language (python, matlab, ...) is code and is not read (the "
                f"fence{'s' if len(notes.code) > 1 else ''} at {at}): write the answers outside it.")
    return (f"Nothing in this write-up was read as an answer: {where} starts with the name of a quantity asked. "
            f"Write each answer as an equation that starts with its name, one to a line, as in {asked} = (your "
            f"value) (in Markdown or LaTeX also as math between dollar signs).{code}",)


def _tolerance(plan, q: str) -> Tolerance | None:
    kf = plan.fields.get(q) if plan is not None else None
    return kf.ask.tolerance if kf is not None else None


def _expression_right(plan, f, slip: Slip) -> bool:
    """Does the student's own expression give, within the field's tolerance, what their values give (the key's value
    where every value they rest on is accepted)? An updated parameter is judged on its change from the given value."""
    kf = plan.fields.get(f.quantity)
    if kf is None:
        return False
    target = f.carried_value if f.carried_value is not None else f.expected
    if target is None:
        return False
    ok = plan.judging.within_fn(kf.ask.tolerance)
    if kf.on_change:
        base = plan.floats[plan.nodes[f.quantity].base]
        return ok(slip.value - base, target - base)
    return ok(-slip.value if slip.negated else slip.value, target)  # an error term's expression gives −delta


def worked_out(slips: tuple[Slip, ...], tol: Tolerance | None) -> Diagnosis:
    """The diagnosis of a wrong answer whose expression is right: a slip in working it out, named by what the
    answer is to the expression's value where the numbers show it (the sign changed, a power of ten, rounded too
    early), else plain arithmetic. Neither sentence quotes a number (exam mode shows them as they are)."""
    first, last = slips[0], slips[-1]
    a, b = _compared(first.value, first), _compared(last.written_value, last)
    kind = _nature(a, b, tol)
    if kind is not None and kind[0] in _WORKED_OUT_AS:
        return Diagnosis(kind[0], _WORKED_OUT_AS[kind[0]])
    return WORKED_OUT


_WORKED_OUT_AS = {
    "wrong_sign": "Your expression is right for your values, but the sign changed in working it out (the line named "
                  "above): check the signs in its last steps.",
    "power_of_ten": "Your expression is right for your values, but a power of ten slipped in working it out (the line "
                    "named above): look for a lost or extra zero.",
    "rounding_too_early": "Your expression is right for your values, but a value was rounded too early in working it "
                          "out (the line named above): carry more digits until the end.",
}


def _compared(value: float, slip: Slip) -> float:
    """``value`` as the slip's field is compared: for an updated parameter, its change from the value before."""
    return value - slip.base if slip.on_change and slip.base is not None else value


def _nature(value: float, written: float, tol: Tolerance | None, reveal: bool = True) -> tuple[str, str] | None:
    """What ``written`` is to ``value`` (both as compared), where the numbers show it: (the kind of slip, a phrase
    that says it; with ``reveal`` off, without the power of ten or the digits, as exam mode's diagnoses), or None. The same tests as a field's value-level diagnoses
    (``grader.grade.diagnose.by_value``: 0, the sign alone, a power of ten, rounded to 1-4 digits)."""
    if tol is None:
        return None
    d = by_value(written, value, tol, "it")
    if d is None:
        return None
    if not reveal:
        return d.id, _HIDDEN_PHRASES[d.id]
    if d.id == "power_of_ten":
        k = round(math.log10(written / value))
        return d.id, f"a power of ten ({'10' if k == 1 else f'10^{k}'} times what it should be)"
    if d.id == "rounding_too_early":
        digits = next((n for n in (1, 2, 3, 4) if round_sig(value, n) != value
                       and abs(written - round_sig(value, n)) <= abs(value) * 1e-12 + 1e-300), None)
        if digits is None:
            return None
        return d.id, f"a value rounded to {digits} significant digit{'s' if digits > 1 else ''} too early"
    return d.id, _PHRASES[d.id]


_PHRASES = {"zero": "a 0 in its place", "wrong_sign": "a change of sign"}
_HIDDEN_PHRASES = dict(_PHRASES, power_of_ten="a power of ten", rounding_too_early="a value rounded too early")
_ORDINALS = ("second", "third")  # (``grader.submission.writeup.MAX_SLIPS`` slips at most)


def slips_message(slips: tuple[Slip, ...], notes: WriteupNotes, reveal: bool, tol: Tolerance | None = None) -> str:
    """Where each slip of a chain of steps is, in order, and what it is where the numbers show it (``tol``: the
    field's tolerance; None: no slip is named)."""
    parts = []
    for i, slip in enumerate(slips):
        kind = _nature(_compared(slip.value, slip), _compared(slip.written_value, slip), tol, reveal)
        where = notes.where(slip.line)
        if i == 0:
            nature = f", {kind[1]}" if kind is not None else ""
            parts.append(f"Your expression {_equation(slip, reveal)}: the slip is in {where}{nature}.")
        else:
            ordinal = _ORDINALS[i - 1] if i - 1 < len(_ORDINALS) else "further"
            nature = f", {kind[1]}" if kind is not None else ""
            parts.append(f"A {ordinal} slip in {where}{nature}: {_equation(slip, reveal)}.")
    return " ".join(parts)


def _equation(slip: Slip, reveal: bool) -> str:
    """"A equals V, not W" (exam mode: "A does not equal W", no number computed here)."""
    if not reveal:
        return f"{slip.expression} does not equal {slip.written}"
    if slip.on_change and slip.base is not None:
        return (f"{slip.expression} equals {fmt(slip.value, _change_digits(slip.value, slip.base))}"
                f" (a change of {_change(slip.value, slip.base)}), not "
                f"{_written(slip, _change_digits(slip.written_value, slip.base))} (a change of "
                f"{_change(slip.written_value, slip.base)})")
    return f"{slip.expression} equals {fmt(slip.value)}, not {_written(slip)}"


def _change_digits(value: float, base: float) -> int:
    """Significant digits that show an updated parameter's change from ``base`` to four digits (at least 10, at most
    17): ``30 + 4.298e-9`` is 30.000000004298, where 10 digits print "30" and hide the change."""
    change = value - base
    if not (math.isfinite(value) and math.isfinite(change)) or value == 0 or change == 0:
        return 10
    return min(17, max(10, math.floor(math.log10(abs(value))) - math.floor(math.log10(abs(change))) + 4))


def _change(value: float, base: float) -> str:
    """``value - base`` to the digits the two floats hold of it (at most 6): the change of 30.00000000043 from 30
    is 4.3e-10, where the float difference prints 4.29999e-10 at 6 digits (30's last bit is 3.6e-15)."""
    change = value - base
    if not (math.isfinite(value) and math.isfinite(change)) or value == 0 or change == 0:
        return fmt(change)
    lost = max(math.floor(math.log10(abs(value))), math.floor(math.log10(abs(base))) if base else -400) \
        - math.floor(math.log10(abs(change)))
    return fmt(change, max(1, min(6, 15 - lost)))


def _written(slip: Slip, digits: int = 10) -> str:
    plain = fmt(slip.written_value, digits)
    return slip.written if slip.written.replace("−", "-") == plain or len(slip.written) > 40 else f"{slip.written} = {plain}"


def formula_message(note: FormulaNote, notes: WriteupNotes) -> str:
    head = f"Your formula for {note.quantity} ({notes.where(note.line)}), {note.formula}, is not the network's"
    parts = []
    for written, what in note.extra:
        parts.append(f"{written} ({what}) does not belong in it")
    if note.missing:
        parts.append("it leaves out " + ", ".join(note.missing))
    if not parts:
        parts.append(f"it does not give {note.quantity} on the problem's values")
    return head + ": " + "; ".join(parts) + "."
