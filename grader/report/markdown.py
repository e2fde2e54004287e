"""The Markdown report: for Canvas/Moodle comments and GitHub.

Order: flags first (they explain what follows), then the score, an overview table (every field), and as a list item
every field with more to say than its row (not correct, read from another form, judged by a rule of its own, or
quoted from a write-up): verdict (word and symbol), the student's value verbatim, the expected value, and for a field
that is not correct the formula with the key's numbers substituted (LaTeX in ``$...$``), what the value follows from
and the likely mistake. The tolerance rule closes the report.

When ``result.reveal`` is False (exam mode) no expected value and no formula with the key's numbers is shown: the
report says which fields are wrong and why, in words, and shows formulas with names only.

A pure function of the ``GradeResult``: nothing is recomputed, and the output is byte-identical across runs. The small
helpers it shares with the HTML and terminal reports (``shown_value``, ``describe``, ``hide_key_numbers`` ...) are in
``grader.report.common``.
"""

from __future__ import annotations

import functools

import re

from grader.grade.result import FieldResult, GradeResult
from grader.numfmt import printable, short
from grader.report.common import (FLAG_TITLE, SYMBOL, accepted, describe, expected_value, flagged_quantities,
                                  hide_key_numbers, latex_numbers, on_change_note, points, shown_value, who)

# --- Markdown ----------------------------------------------------------------------------------------------------------


_MD_SPECIAL = re.compile(r"[\\`*\[\]<>&$|~#!{}]")
_MD_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")  # an underscore not between two letters or digits


@functools.lru_cache(maxsize=1024)
def md_text(s: str) -> str:
    """Plain text made inert in Markdown: no HTML, links, emphasis, code or math can come out of it. (Cached: the
    same messages recur across a class.) A control, bidirectional or zero-width character is shown as its escape
    (``grader.numfmt.printable``); a line break is a space."""
    if not s.isprintable():
        s = printable(s.replace("\r", " ").replace("\n", " "))
    s = _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), s)
    return _MD_UNDERSCORE.sub(r"\\_", s)


def md_code(s: str, *, table: bool = False) -> str:
    """A code span holding ``s`` verbatim (a fence longer than any run of backticks in it; in a table cell, pipes are
    escaped, which GitHub and CommonMark table extensions undo inside the cell). A line break is a space; a
    control, bidirectional or zero-width character is shown as its escape (``grader.numfmt.printable``)."""
    if not s.isprintable():
        s = printable(s.replace("\r", " ").replace("\n", " "))
    if table and "|" in s:
        s = s.replace("|", "\\|")
    if "`" not in s:  # the common case: one backtick fences it
        pad = " " if s.startswith(" ") or s.endswith(" ") else ""
        return f"`{pad}{s}{pad}`"
    run = max((len(m) for m in re.findall(r"`+", s)), default=0)
    fence = "`" * (run + 1)
    pad = " " if s.startswith(("`", " ")) or s.endswith(("`", " ")) or run else ""
    return f"{fence}{pad}{s}{pad}{fence}"


@functools.lru_cache(maxsize=4096)  # a problem's formulas, the same for every student
def _math(latex: str) -> str:
    return f"${latex_numbers(latex).strip()}$"


def _verdict(f: FieldResult) -> str:
    return f"{SYMBOL[f.verdict]} {f.verdict}"


def render_markdown(result: GradeResult) -> str:
    reveal = result.reveal
    out: list[str] = [f"# {md_text(result.problem_title)} ({md_text(result.problem)})", ""]
    person = who(result)
    if person:
        out.append(f"**Student:** {md_text(person)}  ")
    if result.source:
        out.append(f"**Submission:** {md_code(result.source)}")
    if person or result.source:
        out.append("")
    if not reveal:
        out += [
            "> **Exam mode:** expected values and worked solutions are hidden. Each field says whether it is right "
            "and, if not, why.",
            "",
        ]

    if result.flags:
        out += ["## ⚑ Read this first: these explain many of the marks below", ""]
        for fl in result.flags:
            out.append(f"- ⚑ **{FLAG_TITLE.get(fl.kind, fl.kind)}**, `{fl.quantity}`: {md_text(fl.message)}")
        out.append("")

    tally: dict[str, int] = {}
    for f in result.fields:
        tally[f.verdict] = tally.get(f.verdict, 0) + 1
    counts = [(v, tally.get(v, 0)) for v in SYMBOL]
    out += [
        f"## Score: {points(result.score)} / {points(result.max_score)}",
        "",
        " · ".join(f"{SYMBOL[v]} {n} {v}" for v, n in counts if n),
        "",
        "| Quantity | Verdict | Your value | " + ("Expected | " if reveal else "") + "Points |",
        "|---|---|---|" + ("---|" if reveal else "") + "---:|",
    ]
    for f in result.fields:
        given = shown_value(f)
        cells = [f"`{f.quantity}`", _verdict(f), md_code(short(given), table=True) if given is not None else "— (no answer)"]
        if reveal:
            cells.append(md_code(expected_value(f), table=True))
        cells.append(f"{points(f.points)} / {points(f.max_points)}")
        out.append("| " + " | ".join(cells) + " |")
    out.append("")

    # Every field is in the table; the list explains those with more to say than their row (not correct, read
    # from another form, judged by a rule of their own, or quoted from a write-up).
    explained = [f for f in result.fields
                 if f.verdict != "correct" or f.read_as is not None or f.source or accepted(result, f)]
    if explained:
        out += ["## Field by field", ""]
    flagged_by = flagged_quantities(result) if result.flags else {}
    for f in explained:
        head = f"- **{SYMBOL[f.verdict]} `{f.quantity}`**"
        desc = describe(f)
        if desc:
            head += f" ({md_text(desc)})"
        out.append(f"{head}: **{f.verdict}**, {points(f.points)} / {points(f.max_points)} points")
        given = shown_value(f)
        line = "  - Your value: " + (md_code(given) if given is not None else "no answer")
        if f.read_as is not None:
            line += f" (read as {md_code(f.read_as)})"
        if reveal:
            line += "; expected: " + md_code(expected_value(f))
        out.append(line)
        if accepted(result, f):
            out.append(f"  - Accepted: {md_text(accepted(result, f))}")
        if f.source:
            out.append(f"  - From {md_text(f.source)}: {md_code(short(f.source_text, 160))}")
        if f.verdict == "correct":
            continue
        if reveal and f.worked_latex:
            out.append(f"  - Worked: {_math(f.worked_latex)}")
        elif f.formula_latex:
            out.append(f"  - Formula: {_math(f.formula_latex)}")
        if f.message:
            out.append(f"  - {md_text(hide_key_numbers(f.message, f, reveal))}")
        if f.diagnosis:
            out.append(f"  - Likely mistake: {md_text(hide_key_numbers(f.diagnosis.text, f, reveal))}")
        flagged = flagged_by.get(f.quantity)
        if flagged:
            names = ", ".join(f"`{q}`" for q in flagged)
            out.append(f"  - ⚑ See the flag{'s' if len(flagged) > 1 else ''} at the top about {names}.")
    out.append("")

    if result.unattributed:
        out += ["## Equations not read as any quantity, or read only in part", ""]
        out += [f"- {md_text(where)}: {md_code(short(text, 160))} ({md_text(reason)})"
                for where, text, reason in result.unattributed]
        out.append("")
    out += [
        "## How answers are compared",
        "",
        f"- Tolerance: {md_code(result.tolerance_rule)}.",
        *(["- Updated parameters (the `..._new` values) are compared on their change p_new − p, so a tiny update is "
           "not lost in a large weight."] if on_change_note(result) else []),
        "- ↪ carried: a value that follows correctly from your own earlier (wrong) values earns credit for an error "
        "carried forward.",
    ]
    if result.warnings:
        out += ["", "## Notes", ""] + [f"- {md_text(w)}" for w in result.warnings]
    return "\n".join(out) + "\n"
