"""A homework set's blank submission (``grade template``), answer key (``grade key``) and summary (``check_lines``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from grader.author.questions import KeyItem
from grader.grade.tolerance import within

if TYPE_CHECKING:
    from grader.author.homework import HomeworkSet


# --- template and key --------------------------------------------------------------------------------------------------


def set_template(hw: HomeworkSet, *, student_id: str | None = None, student_name: str | None = None,
                 problem_ref: str | None = None) -> str:
    from grader.author.common import NUMBER_FORMATS, describe_quantity, points_label
    from grader.author.template import answer_lines, student_block
    from grader.solve.graph import build_graph

    lines = [
        f"# Submission for {hw.id}: {hw.title}",
        "# Fill in your answers after the colons and hand in this file. Quantities are named <question>.<name>.",
        "#",
        *NUMBER_FORMATS.rstrip("\n").split("\n"),
        "# A written answer goes under its question id as a block:  ex1: |  then your text on the next lines, indented.",
        "# A set of weights is a list [w1, w4] or a 0/1 mask in the weights' order, e.g. \"1 0 0 1\".",
        f"problem: {problem_ref or hw.id}",
        *student_block(student_id, student_name),
        "answers:",
    ]
    for q in hw.questions:
        head = f"  # {q.id}" + (f": {q.spec.title}" if q.spec.title else "") + f" ({q.points:g} points, {q.kind.replace('_', ' ')})"
        lines.append(head)
        if q.kind == "free_text":
            lines += answer_lines([(q.id, "your written answer (graded by hand)")])
        elif q.kind == "backprop":
            graph = build_graph(q.problem)
            scale = q.scale()
            lines += answer_lines([(f"{q.id}.{a.quantity}", describe_quantity(q.problem, graph, a.quantity)
                                    + " " + points_label(a.points * scale)) for a in q.problem.ask])
        else:
            entries = []
            for item in q.items:
                extra = f"; as names or a 0/1 mask over {', '.join(item.order)}" if item.is_set else ""
                entries.append((f"{q.id}.{item.name}", f"{item.name} = {item.description}{extra} " + points_label(item.points)))
            lines += answer_lines(entries)
    return "\n".join(lines) + "\n"


def _latex_set(item: KeyItem) -> str:
    from grader.solve.expr import latex_name

    return r"\{" + ", ".join(r"\mathrm{" + latex_name(n) + "}" for n in item.order if n in item.value) + r"\}"


def set_key_document(hw: HomeworkSet, *, student: str | None = None):
    from grader.author.key import KeyDocument, Part, Step, backprop_parts, exact_values
    from grader.author.variants import variant_problem
    from grader.solve.expr import latex_name
    from grader.solve.solver import solve

    parts: list = []
    if hw.spec.statement.strip():
        parts.append(Part("Statement", 2, text=hw.spec.statement.strip()))
    parts.append(Part("Points", 2, table=(("question", "kind", "points"),
                                          [(f"`{q.id}`", q.kind, f"{q.points:g}") for q in hw.questions])))
    exact: dict[str, Any] = {"problem": hw.id, "questions": {}}
    for q in hw.questions:
        title = f"{q.id}" + (f": {q.spec.title}" if q.spec.title else "") + f" ({q.points:g} points)"
        parts.append(Part(title, 2, text=q.spec.prompt.strip()))
        if q.kind == "free_text":
            parts.append(Part("Rubric (graded by hand)", 3,
                              table=(("points", "criterion"), [(f"{r.points:g}", r.text) for r in q.spec.rubric])))
        elif q.kind == "backprop":
            problem = q.problem
            if problem.randomize is not None and student:
                problem = variant_problem(problem, student).problem
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


def check_lines(hw: HomeworkSet) -> list[str]:
    """What ``grade check`` could print for a set: one line per question, then warnings (a backprop question's
    ``grader.solve.wellposed`` warnings; a numeric value for which an answer of 0 would pass)."""
    from grader.solve.solver import solve
    from grader.solve.wellposed import warnings

    lines = [f"{hw.source}: valid homework set", f"  {hw.id}: {hw.title}",
             f"  {len(hw.questions)} questions, {sum(q.points for q in hw.questions):g} points; "
             f"tolerance: {hw.tolerance.describe()}"]
    found = []
    for q in hw.questions:
        if q.kind == "free_text":
            what = f"{len(q.spec.rubric)} rubric criteria, graded by hand"
        elif q.kind == "backprop":
            what = f"problem {q.problem.id}, {len(q.problem.ask)} quantities" + (
                ", randomized per student" if q.problem.randomize is not None else "")
            found += [f"{q.id}: {w}" for w in warnings(solve(q.problem))]
        else:
            what = ", ".join(i.name for i in q.items)
            found += [f"{q.id}.{i.name}: an answer of 0 would pass (true value {i.decimal(6)})"
                      for i in q.items if not i.is_set and within(0.0, float(i.value), i.tolerance)]
        lines.append(f"  {q.id} ({q.kind}, {q.points:g} points): {what}")
    return lines + ([f"warning: {w}" for w in found] or ["  no warnings"])
