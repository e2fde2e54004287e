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

from grader.grade.result import Diagnosis, Flag, GradeResult
from grader.numfmt import fmt
from grader.submission.load import Submission
from grader.submission.notes import FormulaNote, Slip, WriteupNotes

__all__ = ["annotate", "slip_message", "formula_message", "FORMULA_MISTAKES", "VALUE_MISTAKES"]

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
        slip = notes.slips.get(f.quantity)
        message = f.message
        changes = {}
        if slip is not None:
            message = f"{message} {slip_message(slip, notes, result.reveal)}".strip()
            if (plan is not None and f.verdict == "incorrect" and f.diagnosis is not None
                    and f.diagnosis.id in FORMULA_MISTAKES and _expression_right(plan, f, slip)):
                changes["diagnosis"] = WORKED_OUT
        if source is not None:
            changes.update(source=notes.where(source.line), source_text=source.text)
        if message != f.message:
            changes["message"] = message
        fields.append(dataclasses.replace(f, **changes) if changes else f)
    flags = list(result.flags)
    for note in notes.formulas:
        flags.append(Flag("wrong_formula", note.quantity, (), formula_message(note, notes), (notes.where(note.line),)))
    unattributed = tuple((notes.where(u.line), u.text, u.reason) for u in notes.unattributed)
    return dataclasses.replace(result, fields=tuple(fields), flags=tuple(flags), unattributed=unattributed)


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
    return ok(slip.value, target)


def slip_message(slip: Slip, notes: WriteupNotes, reveal: bool) -> str:
    where = notes.where(slip.line)
    if not reveal:
        return f"Your expression {slip.expression} does not equal {slip.written}: the slip is in {where}."
    if slip.on_change and slip.base is not None:
        return (f"Your expression {slip.expression} equals {fmt(slip.value, _change_digits(slip.value, slip.base))}"
                f" (a change of {fmt(slip.value - slip.base)}), not "
                f"{_written(slip, _change_digits(slip.written_value, slip.base))} (a change of "
                f"{fmt(slip.written_value - slip.base)}): the slip is in {where}.")
    return f"Your expression {slip.expression} equals {fmt(slip.value)}, not {_written(slip)}: the slip is in {where}."


def _change_digits(value: float, base: float) -> int:
    """Significant digits that show an updated parameter's change from ``base`` to four digits (at least 10, at most
    17): ``30 + 4.298e-9`` is 30.000000004298, where 10 digits print "30" and hide the change."""
    change = value - base
    if not (math.isfinite(value) and math.isfinite(change)) or value == 0 or change == 0:
        return 10
    return min(17, max(10, math.floor(math.log10(abs(value))) - math.floor(math.log10(abs(change))) + 4))


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
