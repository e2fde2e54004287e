"""``grade template PROBLEM [--student ID] [--name NAME] [--out FILE]``: a blank submission for students.

The template names the problem, has a ``student:`` block to fill in and lists every asked quantity in the order the
problem asks it, each with a comment saying what it is. Values are left empty (YAML null), which the grader reads
as "not answered": an unfilled template grades 0 with every field ``missing``.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from grader.author.common import (NUMBER_FORMATS, describe_quantity, load_problem_ref, points_label, submission_ref,
                                  write_output)
from grader.solve.graph import build_graph
from grader.spec.problem import Problem

if TYPE_CHECKING:
    from grader.solve.homework import HomeworkSet


def yaml_string(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def student_block(student_id: str | None, student_name: str | None) -> list[str]:
    sid = yaml_string(student_id) if student_id else ""
    name = yaml_string(student_name) if student_name else ""
    return [
        "student:",
        f"  id: {sid}".rstrip() + ("" if student_id else "            # your student id, in quotes: \"400222100\""),
        f"  name: {name}".rstrip() + ("" if student_name else "          # your name"),
    ]


def answer_lines(entries: list[tuple[str, str]]) -> list[str]:
    """``  name:   # comment`` lines, comments aligned."""
    width = max((len(n) for n, _ in entries), default=0) + 1
    return [f"  {(name + ':'):<{width}}   # {comment}" for name, comment in entries]


def problem_template(problem: Problem, *, student_id: str | None = None, student_name: str | None = None,
                     problem_ref: str | None = None) -> str:
    """The blank submission of ``problem`` (a backprop problem) as YAML text."""
    graph = build_graph(problem)
    points = {a.quantity: a.points for a in problem.ask}
    entries = []
    for ask in problem.ask:
        pts = " " + points_label(points[ask.quantity])
        entries.append((ask.quantity, describe_quantity(problem, graph, ask.quantity) + pts))
    lines = [
        f"# Submission for {problem.id}: {problem.title}".rstrip(),
        "# Fill in your answers after the colons and hand in this file.",
        "#",
        *NUMBER_FORMATS.rstrip("\n").split("\n"),
        "#",
        *(["# Your values are your own: they follow from your student id, so fill in `student.id` exactly.", "#"]
          if getattr(problem, "randomize", None) is not None else []),
        f"# Tolerance: {problem.default_tolerance.describe()}; an updated parameter p_new is compared on its change "
        "p_new − p.",
        f"problem: {problem_ref or problem.id}",
        *student_block(student_id, student_name),
        "answers:",
        *answer_lines(entries),
    ]
    return "\n".join(lines) + "\n"


def set_template(hw: HomeworkSet, *, student_id: str | None = None, student_name: str | None = None,
                 problem_ref: str | None = None) -> str:
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


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="grade template", description="Write a blank submission (YAML) for students.")
    ap.add_argument("problem", metavar="PROBLEM", help="a problem id or a path to a problem or homework-set file")
    ap.add_argument("--student", metavar="ID", help="fill in this student id (and, for a randomized problem, use "
                                                    "that student's variant)")
    ap.add_argument("--name", metavar="NAME", help="fill in the student's name")
    ap.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    args = ap.parse_args(argv)

    from grader.solve.homework import load_set_ref

    hw = load_set_ref(args.problem)
    if hw is not None:
        text = set_template(hw, student_id=args.student, student_name=args.name,
                                     problem_ref=submission_ref(args.problem, hw.id))
    else:
        problem = load_problem_ref(args.problem, args.student)
        text = problem_template(problem, student_id=args.student, student_name=args.name,
                                problem_ref=submission_ref(args.problem, problem.id))
    write_output(text, args.out)
    return 0
