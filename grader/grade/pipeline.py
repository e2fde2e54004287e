"""Submission file -> GradeResult: find the problem, solve it once, check the names, grade.

``Grader`` keeps one ``Plan`` per problem file, so a batch solves each problem once whatever its size.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from grader.errors import GraderError, SubmissionError
from grader.grade.engine import Plan, grade, make_plan
from grader.grade.prepare import RevealOverride, resolve_submission, reveal_now, without_blanks
from grader.grade.views import Compiled
from grader.grade.result import GradeResult
from grader.spec.find import find_problem
from grader.submission.load import Submission, read_submission_file, submission_from_document
from grader.yamlio import Document

class Grader:
    def __init__(self, *, problem: str | None = None, reveal: RevealOverride = None) -> None:
        self.problem_override = problem
        self.reveal = reveal
        self._plans: dict[Path, Plan] = {}
        self._variant_plans: dict[tuple[Path, str], Plan] = {}  # randomized problems: per (file, student id)
        self._sets: dict[Path, object] = {}  # homework-set files (grader.solve.homework), None for a problem
        self._found: dict[tuple[str, str | None], Path] = {}  # (problem ref, submission folder) -> problem file

    def plan_at(self, path: Path, student: str | None = None) -> Plan:
        """The plan of the problem file at ``path``, solved on first use; for a randomized problem and a
        ``student`` id, the plan of that student's variant (``grader.solve.variant``)."""
        path = path.resolve()
        plan = self._plans.get(path)
        if plan is None:
            plan = self._plans[path] = _solved_plan(path)
        if plan.problem.randomize is None or student is None:
            return plan
        variant = self._variant_plans.get((path, student))
        if variant is None:
            from grader.solve.solver import solve
            from grader.solve.variant import variant_problem

            variant = make_plan(solve(variant_problem(plan.problem, student).problem))
            self._variant_plans[(path, student)] = variant
        return variant

    def set_at(self, path: Path):
        """The homework set in the file at ``path`` (``grader.solve.homework.HomeworkSet``), None for a problem."""
        path = path.resolve()
        if path not in self._sets:
            self._sets[path] = None
            if _has_top_level_key(path, "questions"):  # only then is the (large) homework module needed
                from grader.solve.homework import load_set_if_any

                self._sets[path] = load_set_if_any(path)
        return self._sets[path]

    def grade_file(self, path: str | Path) -> GradeResult:
        return self.grade_document(read_submission_file(path))

    def grade_document(self, doc: Document) -> GradeResult:
        """Grade a submission already read as a YAML ``Document``: a problem's, or a homework set's."""
        try:
            sub = submission_from_document(doc)
        except SubmissionError:
            # A homework set's answers (``ex6.z1``, lists, nested mappings) are not a plain problem's.
            from grader.grade.setgrade import grade_set_document_if_any

            result = grade_set_document_if_any(self, doc)
            if result is None:
                raise
            return result
        return self.grade_submission(sub)

    def _find(self, ref: str, near: str | None) -> Path:
        """``find_problem``, remembered per (ref, folder): a batch's files mostly share both."""
        folder = str(Path(near).parent) if near else None
        path = self._found.get((ref, folder))
        if path is None or (near is not None and path.name == Path(near).name):
            path = find_problem(ref, near)  # (never the submission itself: not remembered when that could matter)
            if near is None or path.name != Path(near).name:
                self._found[(ref, folder)] = path
        return path

    def grade_submission(self, sub: Submission) -> GradeResult:
        near = sub.source if sub.source and not sub.source.startswith("<") else None
        ref = self.problem_override or sub.problem
        try:
            path = self._find(ref, near)
        except GraderError as exc:
            if self.problem_override:
                raise
            raise SubmissionError(
                exc.message, file=sub.source, line=sub.document.line_of(("problem",)), path="problem",
                hint=exc.hint or "name a problem id from problems/ or a path to a problem file",
            ) from None
        if self.set_at(path) is not None:
            from grader.grade.setgrade import grade_set_document

            return grade_set_document(self, self.set_at(path), sub.document)
        plan = self.plan_at(path)
        if plan.problem.randomize is not None:
            if not sub.student.id:
                raise SubmissionError(
                    f"problem {plan.problem.id} gives every student their own values, so the submission needs the "
                    "student's id", file=sub.source, line=sub.document.line_of(("student",)), path="student.id",
                    hint='write `student: {id: "400222100", name: Your Name}` with the id your values were made for',
                )
            plan = self.plan_at(path, sub.student.id)
        sub, issues = resolve_submission(plan, sub)
        result = grade(plan, without_blanks(sub), reveal=reveal_now(plan.problem, self.reveal))
        warnings = tuple(i.warning() for i in issues)
        return dataclasses.replace(result, warnings=warnings + result.warnings) if warnings else result


def _solved_plan(path: Path) -> Plan:
    """The grading plan of the problem file at ``path``: from the disk cache (``grader.grade.plancache``) when this
    file was solved before by this grader, else validated, solved and cached."""
    from grader.grade import plancache

    try:
        raw = path.read_bytes()
    except OSError:
        raw = None
    cached = plancache.load(raw) if raw is not None else None
    if cached is not None:
        _, key, fields, known, sketch = cached
        return Plan(key=key, compiled=Compiled(key), fields=fields, known=known, sketch=sketch)
    from grader.solve.solver import solve
    from grader.spec.load import load_problem

    plan = make_plan(solve(load_problem(path)))
    if raw is not None:
        plancache.store(raw, (plan.key, plan.fields, plan.known, plan.sketch))
    return plan


def _has_top_level_key(path: Path, key: str) -> bool:
    """Does the YAML file at ``path`` have ``key:`` at the start of a line (a top-level key)? Read as text."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return any(line.startswith(key + ":") for line in f)
    except OSError:
        return False
