"""``grade practice PROBLEM [--student ID] [--out page.html]``: the practice page of a problem.

One self-contained HTML file (``grader.report.practice``) where a student types the asked quantities and sees each
verdict as they type, computed by JavaScript the grader generates from the same plan it grades with. The page
embeds the key, so it is refused (exit 2) for a problem whose key is secret now: ``reveal: never``, or
``after_due`` before its due date. A randomized problem needs ``--student``: the page is that student's variant,
picked exactly as ``grade`` picks it for the student's submission.
"""

from __future__ import annotations

import argparse

from grader.errors import GraderError


def build_page(ref: str, student: str | None = None) -> str:
    """The practice page of the problem ``ref`` (an id or a path) for ``student``; GraderError when refused."""
    from grader.author.common import describe_quantity, submission_ref
    from grader.grade.pipeline import Grader
    from grader.grade.prepare import reveal_now
    from grader.report.practice import render_practice
    from grader.spec.find import find_problem

    path = find_problem(ref)
    grader = Grader()
    if grader.set_at(path) is not None:
        raise GraderError(
            f"{ref} is a homework set; practice pages are built for one backprop problem",
            hint="give one problem's id or file, e.g. grade practice exercise6 --out page.html",
        )
    plan = grader.plan_at(path)
    if plan.problem.randomize is not None:
        if not student:
            raise GraderError(
                f"problem {plan.problem.id} gives every student their own values, so its practice page is per student",
                hint=f"add --student ID, e.g. grade practice {ref} --student 400222100 --out page.html",
            )
        plan = grader.plan_at(path, student)
    problem = plan.problem
    if not reveal_now(problem):
        when = "never" if problem.reveal == "never" else f"not before its due date ({problem.due or 'none given'})"
        raise GraderError(
            f"problem {problem.id} keeps its answer key secret ({problem.reveal}: {when}), and a practice page "
            "contains the key",
            hint="build practice pages only for problems with reveal: always, or after_due once the due date passed",
        )
    graph = plan.key.graph
    descriptions = {}
    for q in plan.fields:
        text = describe_quantity(problem, graph, q)
        descriptions[q] = text.removeprefix(f"{q} = ")
    return render_practice(plan, student=student, problem_ref=submission_ref(ref, problem.id), descriptions=descriptions)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(
        prog="grade practice",
        description="Write a self-contained practice page: the student types answers on the drawn network and sees "
        "verdicts (with carried credit and likely mistakes) as they type.",
    )
    ap.add_argument("problem", metavar="PROBLEM", help="a problem id or a path to a problem file")
    ap.add_argument("--student", metavar="ID", help="build the page for this student's variant (randomized problems)")
    ap.add_argument("--out", metavar="FILE", help="write the page to FILE instead of standard output")
    args = ap.parse_args(argv)
    from grader.author.common import write_output

    write_output(build_page(args.problem, args.student), args.out)
    return 0
