"""A graded write-up, told in its own words: each field says which line its answer came from and, where the
student's own expression does not equal what they wrote after it, where the slip is; a formula that is not the
network's is a ``wrong_formula`` flag; the equations no quantity was read from are listed.

With ``reveal`` off (exam mode) no message quotes a number computed here: the value of a student's expression can
be the key's (the seed's z1 expression equals the key's z1).
"""

from __future__ import annotations

import dataclasses

from grader.grade.result import Flag, GradeResult
from grader.numfmt import fmt
from grader.submission.load import Submission
from grader.submission.notes import FormulaNote, Slip, WriteupNotes

__all__ = ["annotate", "slip_message", "formula_message"]


def annotate(result: GradeResult, sub: Submission) -> GradeResult:
    notes = sub.writeup
    if not isinstance(notes, WriteupNotes):
        return result
    fields = []
    for f in result.fields:
        source = notes.sources.get(f.quantity)
        slip = notes.slips.get(f.quantity)
        message = f.message
        if slip is not None:
            message = f"{message} {slip_message(slip, notes, result.reveal)}".strip()
        if source is not None:
            f = dataclasses.replace(f, source=notes.where(source.line), source_text=source.text)
        fields.append(dataclasses.replace(f, message=message) if message != f.message else f)
    flags = list(result.flags)
    for note in notes.formulas:
        flags.append(Flag("wrong_formula", note.quantity, (), formula_message(note, notes), (notes.where(note.line),)))
    unattributed = tuple((notes.where(u.line), u.text, u.reason) for u in notes.unattributed)
    return dataclasses.replace(result, fields=tuple(fields), flags=tuple(flags), unattributed=unattributed)


def slip_message(slip: Slip, notes: WriteupNotes, reveal: bool) -> str:
    where = notes.where(slip.line)
    if not reveal:
        return f"Your expression {slip.expression} does not equal {slip.written}: the slip is in {where}."
    if slip.on_change and slip.base is not None:
        return (f"Your expression {slip.expression} equals {fmt(slip.value, 10)} (a change of "
                f"{fmt(slip.value - slip.base)}), not {_written(slip)} (a change of "
                f"{fmt(slip.written_value - slip.base)}): the slip is in {where}.")
    return f"Your expression {slip.expression} equals {fmt(slip.value)}, not {_written(slip)}: the slip is in {where}."


def _written(slip: Slip) -> str:
    plain = fmt(slip.written_value, 10)
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
