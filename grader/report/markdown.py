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
from grader.report.common import (FLAG_TITLE, SYMBOL, accepted, describe_text, expected_text, flagged_quantities,
                                  hide_key_numbers, latex_numbers, on_change_note, points, shown_value, who)

# --- Markdown ----------------------------------------------------------------------------------------------------------


_MD_SPECIAL = "\\`*[]<>&$|~#!{}"
_MD_ESCAPE = str.maketrans({c: "\\" + c for c in _MD_SPECIAL})  # each special character behind a backslash
_MD_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")  # an underscore not between two letters or digits
# Is there anything to escape at all? (Most messages have nothing: one scan in C, and the text is returned as it is.)
_MD_NEEDS_ESCAPE = re.compile(r"[\\`*\[\]<>&$|~#!{}]|(?<![^\W_])_|_(?![^\W_])").search


@functools.lru_cache(maxsize=1024)
def md_text(s: str) -> str:
    """Plain text made inert in Markdown: no HTML, links, emphasis, code or math can come out of it. (Cached: the
    same messages recur across a class.) A control, bidirectional or zero-width character is shown as its escape
    (``grader.numfmt.printable``); a line break is a space.

    Messages that vary per student miss the cache, so the work is kept small: one search says whether anything
    needs escaping (usually nothing does); the special characters are escaped with ``str.translate`` (one pass in C,
    the same as a substitution of each by itself behind a backslash), then the underscores that could start or end
    emphasis. (Escaping adds only backslashes beside characters that are not letters or digits, so it never changes
    which underscores need escaping.)"""
    if not s.isprintable():
        s = printable(s.replace("\r", " ").replace("\n", " "))
    if _MD_NEEDS_ESCAPE(s) is None:
        return s
    s = s.translate(_MD_ESCAPE)
    return _MD_UNDERSCORE.sub(r"\\_", s) if "_" in s else s


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


# The per-field pieces that do not depend on what the student wrote, made once per problem (keys: a field's name,
# verdict, points, the key's value as shown, its formulas): a class's reports repeat them for every student.
# Bounded caches: a few problems' worth of fields, verdicts and points.

_PLAIN = "0123456789.-+eE"  # a number as most students write it: nothing to escape, fence or cut


def _code(s: str) -> str:
    """``md_code(s)``, with the common case (a plain number: nothing is left when its characters are stripped)
    decided by one ``str.strip``."""
    return f"`{s}`" if s and not s.strip(_PLAIN) else md_code(s)


def _code_cell(s: str) -> str:
    """``md_code(short(s), table=True)``: a plain number up to 60 characters is its own short form."""
    return f"`{s}`" if s and len(s) <= 60 and not s.strip(_PLAIN) else md_code(short(s), table=True)


@functools.lru_cache(maxsize=4096)
def _row(quantity: str, verdict: str, expected: float | None, on_change: bool, pts: float, max_pts: float,
         reveal: bool) -> tuple[str, str]:
    """A field's table row around its value cell: ``| `z1` | ✗ incorrect | `` and `` | `-7.65` | 0 / 1 |`` (no
    expected column in exam mode). Keyed on what ``expected_value`` reads (a zero of either sign is ``0``)."""
    cell = f" | {md_code(expected_text(verdict, expected, on_change), table=True)}" if reveal else ""
    return f"| `{quantity}` | {SYMBOL[verdict]} {verdict} | ", f"{cell} | {points(pts)} / {points(max_pts)} |"


@functools.lru_cache(maxsize=4096)
def _item(verdict: str, quantity: str, description: str, expected: float | None, on_change: bool, pts: float,
          max_pts: float, reveal: bool) -> tuple[str, str]:
    """A field's list item around its value: its heading (``- **✗ `z1`** (net input of h1): **incorrect**, 0 / 1
    points``) and the start of its value line, then ``; expected: `-7.65``` (nothing in exam mode)."""
    desc = describe_text(description, quantity)
    head = f"- **{SYMBOL[verdict]} `{quantity}`**"
    if desc:
        head += f" ({md_text(desc)})"
    tail = "; expected: " + md_code(expected_text(verdict, expected, on_change)) if reveal else ""
    return f"{head}: **{verdict}**, {points(pts)} / {points(max_pts)} points\n  - Your value: ", tail


@functools.lru_cache(maxsize=4096)
def _formula_line(word: str, latex: str) -> str:
    """``  - Worked: $...$`` or ``  - Formula: $...$``."""
    return f"  - {word}: {_math(latex)}"


@functools.lru_cache(maxsize=1024)
def _flag_head(kind: str, quantity: str) -> str:
    """A flag's list item up to its message: ``- ⚑ **One quantity, two values**, `z1`: ``."""
    return f"- ⚑ **{FLAG_TITLE.get(kind, kind)}**, `{quantity}`: "


@functools.lru_cache(maxsize=1024)
def _see_flags(flagged: tuple[str, ...]) -> str:
    """The line that points a field to the flags about ``flagged`` (a problem's names: few combinations)."""
    names = ", ".join(f"`{q}`" for q in flagged)
    return f"  - ⚑ See the flag{'s' if len(flagged) > 1 else ''} at the top about {names}."


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
            out.append(_flag_head(fl.kind, fl.quantity) + md_text(fl.message))
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
        head, tail = _row(f.quantity, f.verdict, f.expected, f.compared_on_change, f.points, f.max_points, reveal)
        out.append(head + (_code_cell(given) if given is not None else "— (no answer)") + tail)
    out.append("")

    # Every field is in the table; the list explains those with more to say than their row (not correct, read
    # from another form, judged by a rule of their own, or quoted from a write-up).
    explained = [f for f in result.fields
                 if f.verdict != "correct" or f.read_as is not None or f.source or accepted(result, f)]
    if explained:
        out += ["## Field by field", ""]
    flagged_by = flagged_quantities(result) if result.flags else {}
    for f in explained:
        head, tail = _item(f.verdict, f.quantity, f.description, f.expected, f.compared_on_change, f.points,
                           f.max_points, reveal)
        given = shown_value(f)
        line = head + (_code(given) if given is not None else "no answer")  # the heading, then the value's line
        if f.read_as is not None:
            line += f" (read as {md_code(f.read_as)})"
        out.append(line + tail)
        rule = accepted(result, f)
        if rule:
            out.append(f"  - Accepted: {md_text(rule)}")
        if f.source:
            out.append(f"  - From {md_text(f.source)}: {md_code(short(f.source_text, 160))}")
        if f.verdict == "correct":
            continue
        if reveal and f.worked_latex:
            out.append(_formula_line("Worked", f.worked_latex))
        elif f.formula_latex:
            out.append(_formula_line("Formula", f.formula_latex))
        if f.message:
            out.append("  - " + md_text(f.message if reveal else hide_key_numbers(f.message, f, reveal)))
        if f.diagnosis:
            text = f.diagnosis.text
            out.append("  - Likely mistake: " + md_text(text if reveal else hide_key_numbers(text, f, reveal)))
        flagged = flagged_by.get(f.quantity)
        if flagged:
            out.append(_see_flags(tuple(flagged)))
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
