"""``grade check`` of a homework set: one line per question, then the set's warnings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from grader.spec.tolerance import within

if TYPE_CHECKING:
    from grader.solve.homework import HomeworkSet


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
