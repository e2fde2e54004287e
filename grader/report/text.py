"""The terminal report: each field with verdict, given, expected and message, then the flags, then the score.

Colour only when asked (the CLI asks on a TTY without NO_COLOR); the verdict is always also a word and a symbol,
so colour is never the only signal. Every text that can hold what a student wrote (name, id, file name, values,
quotes of a write-up, messages, flags, warnings) goes through ``grader.numfmt.printable``: a control character, a
bidirectional override or a zero-width character is shown as its escape (``\\x1b``, ``\\u202e``), never written
raw, and a newline inside a value never starts a line of the report.
"""

from __future__ import annotations

from grader.grade.result import GradeResult
from grader.numfmt import fmt, printable, short
from grader.report.common import SYMBOL, accepted, expected_value, hide_key_numbers, on_change_note

COLOUR = {"correct": "32", "carried": "36", "incorrect": "31", "missing": "33", "unparseable": "35", "pending": "34"}


def _paint(text: str, code: str, colour: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if colour else text


GIVEN_COLUMN = 20  # the widest student value kept in the column; longer ones are written in full on their own line


def _points(x: float) -> str:
    return f"{x:g}"


def render_text(result: GradeResult, *, colour: bool = False) -> str:
    who = " ".join(x for x in (result.student.name, f"({result.student.id})" if result.student.id else None) if x)
    lines = [printable(f"{result.problem_title} [{result.problem}]" + (f" — {who}" if who else ""))]
    if result.source:
        lines.append(printable(result.source))
    lines += ["", "Fields"]
    width = max((len(f.quantity) for f in result.fields), default=8)
    givens = [printable(short(f.given_text, 200)) if f.given_text else fmt(f.given, 10)  # verbatim, shown safe
              for f in result.fields]
    gwidth = min(max((len(g) for g in givens), default=0), GIVEN_COLUMN)
    ewidth = max((len(expected_value(f)) for f in result.fields), default=0) + len("expected ")
    for f, given in zip(result.fields, givens):
        verdict = _paint(f"{SYMBOL[f.verdict]} {f.verdict:<11}", COLOUR[f.verdict], colour)
        expected = f"expected {expected_value(f)}" if result.reveal and f.verdict != "pending" else ""
        cell = given if len(given) <= gwidth else short(given, gwidth)  # a long answer is cut here, in full below
        lines.append(f"  {f.quantity:<{width}}  {verdict} given {cell:<{gwidth}}  "
                     + (f"{expected:<{ewidth}}  " if result.reveal else "") + f"{_points(f.points)}/{_points(f.max_points)}")
        pad = " " * (width + 4)
        more = []  # the field's further lines, made printable below
        if len(given) > gwidth:
            more.append(f"Your value: {given}")
        if f.read_as is not None:
            more.append(f"(read as {f.read_as})")
        if f.source:
            more.append(f"From {f.source}: {short(f.source_text, 100)}")
        if f.verdict != "correct":
            more.append(hide_key_numbers(f.message, f, result.reveal))
            if f.diagnosis:
                more.append(f"Likely mistake ({f.diagnosis.id}): {hide_key_numbers(f.diagnosis.text, f, result.reveal)}")
            if result.reveal and f.verdict in ("incorrect", "missing", "unparseable"):
                more.append(f"Worked: {f.worked}")
            if accepted(result, f):
                more.append(f"Accepted: {accepted(result, f)}")
        lines += [pad + printable(m) for m in more]
    if result.flags:  # after the fields, as the terminal report is read top to bottom (the Markdown puts them first)
        lines += ["", "Flags"]
        for fl in result.flags:
            lines.append(f"  {_paint('!', '33', colour)} " + printable(f"{fl.kind} {fl.quantity}: {fl.message}"))
    if result.unattributed:
        lines += ["", "Not read as any quantity, or read only in part"]
        lines += [printable(f"  {where}: {short(text, 100)} ({reason})") for where, text, reason in result.unattributed]
    lines += ["", f"Score: {_points(result.score)} / {_points(result.max_score)}"]
    on_change = "; updated parameters are compared on their change p_new − p" if on_change_note(result) else ""
    lines.append(f"Tolerance: {result.tolerance_rule}{on_change}.")
    if result.warnings:
        lines += [printable(f"Warning: {w}") for w in result.warnings]
    return "\n".join(lines) + "\n"
