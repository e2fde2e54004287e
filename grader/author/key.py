"""``grade key PROBLEM --format markdown|html|latex [--student ID] [--out FILE]``: the answer key as a worked solution.

Every quantity with its formula, the formula with the numbers substituted (6 significant digits) and its value
(10 significant digits), section by section as ``grade solve`` orders them (``grader.report.solution``). Exact
values, 25 significant digits of every given and computed value, close the key as a JSON appendix (the same JSON as
``grade solve --format json``). The LaTeX form is a complete ``article`` with one ``align*`` per section.

The key is built once as a ``KeyDocument`` (plain data) and rendered by one function per format; homework sets
(``grader.solve.homework``) build the same structure (``set_key_document``), one part per question.
"""

from __future__ import annotations

import argparse
import html
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from grader.author.mdconv import latex_escape, md_to_html, md_to_latex
from grader.solve.expr import Num, Sym, latex_name, to_latex
from grader.solve.worked import change_text
from grader.solve.solver import AnswerKey

if TYPE_CHECKING:
    from grader.solve.homework import HomeworkSet
    from grader.solve.questions import KeyItem

SUBST_DIGITS = 6  # numbers substituted into formulas
VALUE_DIGITS = 10  # the value of each quantity
EXACT_DIGITS = 25  # the appendix


@dataclass(frozen=True)
class Step:
    """One worked quantity: ``name = formula = substituted = value`` (LaTeX pieces; formula/substituted optional)."""

    name: str
    latex: str
    value: str
    formula: str | None = None
    substituted: str | None = None


@dataclass
class Part:
    """A heading with optional Markdown text, a table and worked steps."""

    heading: str
    level: int = 2
    text: str = ""  # Markdown
    table: tuple[tuple[str, ...], list[tuple[str, ...]]] | None = None  # (header, rows); cells are Markdown
    steps: list[Step] = field(default_factory=list)


@dataclass
class KeyDocument:
    title: str
    ident: str
    parts: list[Part]
    exact: dict  # JSON-able: the appendix


# --- building ----------------------------------------------------------------------------------------------------------


def _value(key: AnswerKey, name: str, digits: int = VALUE_DIGITS) -> str:
    """The value of ``name`` to ``digits`` significant digits, or to as many as an updated parameter's change needs
    to be accepted (the count the template asks students for): a value copied from the key is always right."""
    from grader.solve.wellposed import change_digits

    ask = next((a for a in key.problem.ask if a.quantity == name), None)
    needed = change_digits(key, ask) if ask is not None else None
    return key.decimal(name, max(digits, needed or 0))


def filled(problem) -> str:
    """The statement with its ``{{name}}`` placeholders replaced by the given values (checked by ``grade check``)."""
    from grader.solve.variant import fill_statement

    return fill_statement(problem.statement.strip(), problem.given_values())


def backprop_parts(key: AnswerKey, *, level: int = 2, statement: bool = True, prefix: str = "",
                   points_scale: float = 1.0) -> list[Part]:
    """The parts of a backprop problem's key: statement, given values, asked quantities, worked sections."""
    from grader.report.solution import _sections

    p = key.problem
    parts: list[Part] = []
    if statement and p.statement.strip():
        parts.append(Part("Problem", level, text=filled(p)))
    given = [(f"`{g}`", key.decimal(g, 12)) for g in key.graph.given]
    parts.append(Part("Given values", level, table=(("name", "value"), given)))
    own_rule = any(a.tolerance != p.default_tolerance for a in p.ask)
    asked = [(f"`{prefix}{a.quantity}`", f"{a.points * points_scale:g}", _value(key, a.quantity))
             + ((a.tolerance.describe(),) if own_rule else ()) for a in p.ask]
    parts.append(Part("Answers", level, text=f"Accepted when {p.default_tolerance.describe()}"
                      + (" unless the table says otherwise" if own_rule else "")
                      + "; an updated parameter p_new is compared on its change p_new − p.",
                      table=(("quantity", "points", "value") + (("accepted when",) if own_rule else ()), asked)))
    for head, names in _sections(key):
        steps = []
        for n in names:
            e = key.node(n).expr
            value = _value(key, n)
            change = change_text(key, n, VALUE_DIGITS, latex=True)
            if change:  # an updated parameter shows the change it is judged on
                value = rf"{value};\quad {change}"
            subst = None if isinstance(e, (Sym, Num)) else to_latex(e, key.values, SUBST_DIGITS)
            steps.append(Step(n, latex_name(n), value, to_latex(e), subst))
        parts.append(Part(head, level, steps=steps))
    return parts


def exact_values(key: AnswerKey) -> dict[str, str]:
    """Every given and computed value to 25 significant digits: the values of ``grade solve --format json``."""
    from grader.report.solution import solution_json

    return json.loads(solution_json(key))["values"]


def problem_document(key: AnswerKey, *, student: str | None = None) -> KeyDocument:
    p = key.problem
    ident = p.id + (f", variant of student {student}" if student else "")
    return KeyDocument(p.title, ident, backprop_parts(key), {"problem": p.id, **({"student": student} if student else {}),
                                                              "values": exact_values(key)})


def _latex_set(item: KeyItem) -> str:
    return r"\{" + ", ".join(r"\mathrm{" + latex_name(n) + "}" for n in item.order if n in item.value) + r"\}"


def set_key_document(hw: HomeworkSet, *, student: str | None = None):
    from grader.solve.solver import solve
    from grader.solve.variant import fill_statement, variant_problem

    parts: list = []
    if hw.spec.statement.strip():
        parts.append(Part("Statement", 2, text=hw.spec.statement.strip()))
    parts.append(Part("Points", 2, table=(("question", "kind", "points"),
                                          [(f"`{q.id}`", q.kind, f"{q.points:g}") for q in hw.questions])))
    exact: dict[str, Any] = {"problem": hw.id, "questions": {}}
    for q in hw.questions:
        title = f"{q.id}" + (f": {q.spec.title}" if q.spec.title else "") + f" ({q.points:g} points)"
        prompt = q.spec.prompt.strip()
        if q.kind == "backprop":
            problem = q.problem
            if problem.randomize is not None and student:
                problem = variant_problem(problem, student).problem
            prompt = fill_statement(prompt, problem.given_values())  # its {{name}}: this (variant's) given values
        parts.append(Part(title, 2, text=prompt))
        if q.kind == "free_text":
            parts.append(Part("Rubric (graded by hand)", 3,
                              table=(("points", "criterion"), [(f"{r.points:g}", r.text) for r in q.spec.rubric])))
        elif q.kind == "backprop":
            key = solve(problem)
            parts += backprop_parts(key, level=3, statement=not q.spec.prompt.strip(), prefix=f"{q.id}.",
                                    points_scale=q.scale())
            exact["questions"][q.id] = exact_values(key)
        else:
            rows = [(f"`{q.id}.{i.name}`", f"{i.points:g}", i.decimal(10),
                     "the same set" if i.is_set else i.tolerance.describe()) for i in q.items]
            steps = [Step(i.name, latex_name(i.name), _latex_set(i) if i.is_set else i.decimal(10),
                          i.formula_latex or None, i.worked_latex or None) for i in q.items]
            descr = "\n".join(f"- `{i.name}`: {i.description}" for i in q.items)
            parts.append(Part("Answers", 3, text=descr, table=(("quantity", "points", "value", "accepted when"), rows),
                              steps=steps))
            exact["questions"][q.id] = {i.name: i.exact_text() for i in q.items}
    return KeyDocument(hw.title, hw.id + (f", variants of student {student}" if student else ""), parts, exact)


# --- rendering ---------------------------------------------------------------------------------------------------------

_SCI = re.compile(r"(?<![\w.\\{])(-?\d+(?:\.\d+)?)e([-+]?\d+)(?![\w.])(\^?)")


def latex_numbers(s: str) -> str:
    """``-2.69e-4`` -> ``-2.69 \\times 10^{-4}`` in a LaTeX formula with numbers (in parentheses under a power)."""

    def sci(m: re.Match) -> str:
        body = rf"{m.group(1)} \times 10^{{{int(m.group(2))}}}"
        return rf"\left({body}\right)^" if m.group(3) else body

    return _SCI.sub(sci, s)


def _chain(step: Step) -> list[str]:
    out = [step.formula] if step.formula else []
    if step.substituted and step.substituted != step.formula:
        out.append(latex_numbers(step.substituted))
    value = latex_numbers(step.value)
    if not out or out[-1] != value:
        out.append(value)
    return out


def render_markdown(doc: KeyDocument) -> str:
    lines = [f"# Answer key: {doc.title}", "", f"`{doc.ident}`. Values to {VALUE_DIGITS} significant digits (an updated parameter to as many as its change needs), "
             f"numbers in formulas to {SUBST_DIGITS}; exact values ({EXACT_DIGITS} digits) in the appendix.", ""]
    for part in doc.parts:
        lines += ["#" * part.level + " " + part.heading, ""]
        if part.text:
            lines += [part.text, ""]
        if part.table:
            header, rows = part.table
            lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
            lines.append("")
        for s in part.steps:
            lines.append(f"- ${s.latex} = {' = '.join(_chain(s))}$")
        if part.steps:
            lines.append("")
    lines += ["## Appendix: exact values", "", "```json", json.dumps(doc.exact, indent=2, ensure_ascii=False), "```", ""]
    return "\n".join(lines)


def _md_cell_html(cell: str) -> str:
    return md_to_html(cell).removeprefix("<p>").removesuffix("</p>")


def render_html(doc: KeyDocument) -> str:
    title = html.escape(f"Answer key: {doc.title}")
    out = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">', f"<title>{title}</title>",
        "<script>window.MathJax = {tex: {inlineMath: [['$', '$'], ['\\\\(', '\\\\)']]}};</script>",
        '<script defer src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"></script>',
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}"
        "pre{background:#f6f6f6;padding:.5rem;overflow:auto}.step{overflow-x:auto}</style>",
        "</head>", "<body>", f"<h1>{title}</h1>",
        f"<p><code>{html.escape(doc.ident)}</code>. Values to {VALUE_DIGITS} significant digits (an updated parameter to as many as its change needs), numbers in formulas "
        f"to {SUBST_DIGITS}; exact values ({EXACT_DIGITS} digits) in the appendix.</p>",
    ]
    for part in doc.parts:
        h = min(part.level, 6)
        out.append(f"<h{h}>{html.escape(part.heading)}</h{h}>")
        if part.text:
            out.append(md_to_html(part.text))
        if part.table:
            header, rows = part.table
            out.append("<table><thead><tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in header) + "</tr></thead><tbody>")
            out += ["<tr>" + "".join(f"<td>{_md_cell_html(c)}</td>" for c in row) + "</tr>" for row in rows]
            out.append("</tbody></table>")
        for s in part.steps:
            math = rf"\[\begin{{aligned}} {s.latex} &= " + r" \\ &= ".join(_chain(s)) + r" \end{aligned}\]"
            out.append(f'<div class="step">{html.escape(math, quote=False)}</div>')
    out += ["<h2>Appendix: exact values</h2>",
            f"<pre>{html.escape(json.dumps(doc.exact, indent=2, ensure_ascii=False), quote=False)}</pre>", "</body>", "</html>", ""]
    return "\n".join(out)


_SECTION = {2: "section", 3: "subsection", 4: "subsubsection"}


def _latex_cell(cell: str) -> str:
    return md_to_latex(cell) if cell else ""


def render_latex(doc: KeyDocument) -> str:
    out = [
        r"\documentclass[11pt]{article}",
        r"\usepackage[utf8]{inputenc}",
        r"\usepackage[T1]{fontenc}",
        r"\usepackage[margin=2cm]{geometry}",
        r"\usepackage{amsmath,amssymb}",
        r"\usepackage{longtable}",
        r"\allowdisplaybreaks",
        rf"\title{{Answer key: {latex_escape(doc.title)}}}",
        rf"\date{{\texttt{{{latex_escape(doc.ident)}}}}}",
        r"\begin{document}",
        r"\maketitle",
        latex_escape(f"Values to {VALUE_DIGITS} significant digits (an updated parameter to as many as its change needs), numbers in formulas to {SUBST_DIGITS}; "
                     f"exact values ({EXACT_DIGITS} digits) in the appendix."),
        "",
    ]
    for part in doc.parts:
        cmd = _SECTION.get(part.level, "paragraph")
        out.append(rf"\{cmd}*{{{latex_escape(part.heading)}}}")
        if part.text:
            out += [md_to_latex(part.text), ""]
        if part.table:
            header, rows = part.table
            width = max(0.3, 0.9 - 0.18 * (len(header) - 1))  # the last column wraps; the others are short
            out.append(r"\begin{longtable}{" + "l" * (len(header) - 1) + rf"p{{{width:.2f}\linewidth}}" + "}")
            out.append(" & ".join(rf"\textbf{{{latex_escape(c)}}}" for c in header) + r" \\ \hline")
            out += [" & ".join(_latex_cell(c) for c in row) + r" \\" for row in rows]
            out += [r"\end{longtable}", ""]
        if part.steps:
            out.append(r"\begin{align*}")
            rows = []
            for s in part.steps:
                rows.append(f"{s.latex} &= " + r" \\ &= ".join(_chain(s)))
            out.append(" \\\\[4pt]\n".join(rows))
            out += [r"\end{align*}", ""]
    out += [r"\appendix", r"\section*{Appendix: exact values}", r"{\small", r"\begin{verbatim}",
            json.dumps(doc.exact, indent=2, ensure_ascii=True), r"\end{verbatim}", "}", r"\end{document}", ""]
    return "\n".join(out)


RENDER = {"markdown": render_markdown, "html": render_html, "latex": render_latex}


def key_document(ref: str, student: str | None = None) -> KeyDocument:
    """The key of the problem or homework set ``ref`` (for a randomized problem: of ``student``'s variant)."""
    from grader.author.common import load_problem_ref
    from grader.solve.homework import load_set_ref
    from grader.solve.solver import solve

    hw = load_set_ref(ref)
    if hw is not None:
        return set_key_document(hw, student=student)
    problem = load_problem_ref(ref, student)
    return problem_document(solve(problem), student=getattr(problem, "variant", None))


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="grade key", description="Write the answer key as a worked solution.")
    ap.add_argument("problem", metavar="PROBLEM", help="a problem id or a path to a problem or homework-set file")
    ap.add_argument("--format", choices=sorted(RENDER), default="markdown")
    ap.add_argument("--student", metavar="ID", help="for a randomized problem: the key of this student's variant")
    ap.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    args = ap.parse_args(argv)
    from grader.author.common import write_output

    write_output(RENDER[args.format](key_document(args.problem, args.student)), args.out)
    return 0
