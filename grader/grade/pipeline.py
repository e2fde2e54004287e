"""Submission file -> GradeResult: find the problem, solve it once, check the names, grade.

``Grader`` keeps one ``Plan`` per problem file, so a batch solves each problem once whatever its size.
"""

from __future__ import annotations

import os
from pathlib import Path

from grader.errors import GraderError, SubmissionError
from grader.fileio import read_capped
from grader.grade.engine import Plan, grade, make_plan
from grader.grade.prepare import RevealOverride, resolve_submission, reveal_now, without_blanks
from grader.grade.result import GradeResult
from grader.record import replace
from grader.spec.find import find_problem
from grader.submission.load import Submission, read_submission_file, submission_from_document
from grader.submission.student import Student
from grader.yamlio import DEFAULT_MAX_BYTES, Document

TYPE_CHECKING = False  # typing costs milliseconds at start-up: only a type checker imports it
if TYPE_CHECKING:
    from typing import Sequence

# A written solution's reader (grader.submission.writeup: LaTeX, mpmath, the solver's key) is imported only for one;
# its file names are told apart by ``grader.submission.kinds.WRITEUP_SUFFIXES``.
from grader.submission.kinds import WRITEUP_SUFFIXES  # (a leaf module: the file kinds and caps)


class Grader:
    """Grades submissions, solving each problem once.

    Who decides the key (``docs/trust.md``): ``problem`` is the instructor's problem (a path or an id), and
    ``problems_dirs`` the instructor's folders of problems. A submission's own ``problem:`` is only a claim: an id
    looked up in ``problems_dirs``, ``./problems`` and the bundled problems (never a path, never beside the
    submission); when ``problem`` is given, the submission is graded against it whatever it claims, and a claim
    that differs is a warning on the result.
    """

    def __init__(self, *, problem: str | None = None, reveal: RevealOverride = None,
                 problems_dirs: Sequence[str | os.PathLike] = ()) -> None:
        self.problem_override = problem
        self.reveal = reveal
        self.problems_dirs = tuple(problems_dirs)
        self._plans: dict[Path, Plan] = {}
        self._variant_plans: dict[tuple[Path, str], Plan] = {}  # randomized problems: per (file, student id)
        self._sets: dict[Path, object] = {}  # homework-set files (grader.solve.homework), None for a problem
        self._found: dict[str, Path] = {}  # problem reference -> problem file
        self._override_path: Path | None = None
        self._resolved: dict[Path, Path] = {}

    def instructor_problem(self) -> Path | None:
        """The file of the instructor's ``problem`` (found once), or None when none was given."""
        if self.problem_override is None:
            return None
        if self._override_path is None:
            self._override_path = find_problem(self.problem_override, problems_dirs=self.problems_dirs)
        return self._override_path

    def problem_for(self, claim: object, *, file: str | None = None, line: int | None = None) -> tuple[Path, tuple[str, ...]]:
        """(the problem file to grade against, warnings) for a submission whose ``problem:`` says ``claim``.

        With an instructor's problem, that one, and a warning when ``claim`` names another; else the claim looked
        up as an id (``find_problem(..., claim=True)``): a ``SubmissionError`` located at ``file``/``line`` when
        it is a path or names no problem."""
        override = self.instructor_problem()
        if override is not None:
            return override, self._claim_warnings(claim, override)
        ref = claim.strip() if isinstance(claim, str) else ""
        path = self._found.get(ref)
        if path is None:
            try:
                path = find_problem(ref, problems_dirs=self.problems_dirs, claim=True)
            except SubmissionError as exc:
                exc.file, exc.line = exc.file or file, exc.line if exc.line is not None else line
                raise
            self._found[ref] = path
        return path, ()

    def _claim_warnings(self, claim: object, override: Path) -> tuple[str, ...]:
        if not isinstance(claim, str) or not claim.strip():
            return ()
        ref = claim.strip()
        names = {override.stem, str(self.problem_override).removesuffix(".yaml").removesuffix(".yml")}
        hw = self.set_at(override)
        names.add(hw.id if hw is not None else self.plan_at(override).info.id)
        if ref.removesuffix(".yaml").removesuffix(".yml") in names:
            return ()
        shown = ref.encode("ascii", "backslashreplace").decode("ascii")
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        return (f"the file says `problem: {shown}`, but this assignment is {min(names - {''}, key=len)}: "
                "graded against the assignment's problem",)

    def _real(self, path: Path) -> Path:
        """``path.resolve()``, once per path: a batch asks for the same problem file a few times per submission."""
        real = self._resolved.get(path)
        if real is None:
            real = self._resolved[path] = Path(path).resolve()
        return real

    def plan_at(self, path: Path, student: str | None = None) -> Plan:
        """The plan of the problem file at ``path``, solved on first use; for a randomized problem and a
        ``student`` id, the plan of that student's variant (``grader.solve.variant``)."""
        path = self._real(path)
        plan = self._plans.get(path)
        if plan is None:
            plan = self._plans[path] = _solved_plan(path)
        if not plan.info.randomized or student is None:
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
        path = self._real(path)
        if path not in self._sets:
            self._sets[path] = None
            if _has_top_level_key(path, "questions"):  # only then is the (large) homework module needed
                from grader.solve.homework import load_set_if_any

                self._sets[path] = load_set_if_any(path)
        return self._sets[path]

    def grade_file(self, path: str | Path) -> GradeResult:
        if _is_writeup(path):
            from grader.submission.writeup import read_writeup

            text, kind = read_writeup(path)
            return self.grade_writeup(text, kind, str(path))
        return self.grade_document(read_submission_file(path))

    def grade_text(self, data: bytes | str, source: str) -> GradeResult:
        """A file's contents, already read (the batch): a write-up by its extension, else YAML."""
        if _is_writeup(source):
            from grader.submission.writeup import decode_writeup

            return self.grade_writeup(decode_writeup(data, source), Path(source).suffix.lower().lstrip("."), source)
        from grader.yamlio import load_yaml_text

        return self.grade_document(load_yaml_text(data, source=source))

    def grade_writeup(self, text: str, kind: str, source: str, *, student_id: str | None = None) -> GradeResult:
        """A written solution (``grader.submission.writeup``): it names no problem, so the instructor gives one.

        ``student_id``: who wrote it according to the instructor's LMS (``grader.batch.identity``): a randomized
        problem's variant is drawn for that id, as a YAML file's is, whatever student the text names; the result's
        ``student`` stays the one the text names (its claim). None: the text's own student decides."""
        if not self.problem_override:
            raise SubmissionError(
                "a written solution does not say which problem it answers", file=source,
                hint="pass the problem, e.g. `grade FILE --problem exercise6` (or --problem for grade batch)",
            )
        path = self.instructor_problem()
        if self.set_at(path) is not None:
            raise SubmissionError(
                "written solutions are read for a single problem, not a homework set", file=source,
                hint="pass the problem the write-up answers, e.g. --problem exercise6",
            )
        from grader.submission.writeup import writeup_submission

        plan = self.plan_at(path)
        randomized = plan.info.randomized
        key = self.plan_at(path, student_id).key if randomized and student_id else plan.key

        def key_for(own: str | None):  # no LMS id: a randomized problem's write-up is read for the student it names
            return self.plan_at(path, own).key if own else plan.key

        sub = writeup_submission(text, kind, source, key, self.problem_override,
                                 key_for=None if student_id or not randomized else key_for)
        if student_id is None:
            return self.grade_submission(sub)
        own = sub.student
        sub = replace(sub, student=Student(id=student_id, name=own.name))
        return replace(self.grade_submission(sub), student=own)

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

    def grade_submission(self, sub: Submission) -> GradeResult:
        path, notes = self.problem_for(sub.problem, file=sub.source, line=sub.document.line_of(("problem",)))
        if self.set_at(path) is not None:
            from grader.grade.setgrade import grade_set_document

            return _noted(grade_set_document(self, self.set_at(path), sub.document), notes)
        plan = self.plan_at(path)
        if plan.info.randomized:
            if not sub.student.id:
                raise SubmissionError(
                    f"problem {plan.info.id} gives every student their own values, so the submission needs the "
                    "student's id", file=sub.source, line=sub.document.line_of(("student",)), path="student.id",
                    hint=_ID_HINT if sub.writeup is None else _ID_HINT_TEX if sub.writeup.kind == "tex"
                    else _ID_HINT_WRITEUP,
                )
            plan = self.plan_at(path, sub.student.id)
        sub, issues = resolve_submission(plan, sub)
        reveal = reveal_now(plan.info, self.reveal)
        result = grade(plan, without_blanks(sub), reveal=reveal)
        if sub.writeup is not None:
            from grader.grade.sourced import annotate

            result = annotate(result, sub, plan)
        if not reveal:  # exam mode: nothing key-derived leaves the grader (``grader.grade.secrecy``)
            from grader.grade.secrecy import exam_result, plan_numbers

            result = exam_result(result, *plan_numbers(plan))
        return _noted(result, notes + tuple(i.warning() for i in issues))


_ID_HINT = 'write `student: {id: "400222100", name: Your Name}` with the id your values were made for'
_ID_HINT_WRITEUP = "start the write-up with a heading `# 400222100 — Your Name`, the id your values were made for"
_ID_HINT_TEX = "write `\\author{Your Name, 400222100}` in the LaTeX document, with the id your values were made for"


def _noted(result: GradeResult, notes: tuple[str, ...]) -> GradeResult:
    return replace(result, warnings=tuple(notes) + result.warnings) if notes else result


def _solved_plan(path: Path) -> Plan:
    """The grading plan of the problem file at ``path``: from the disk cache (``grader.grade.plancache``) when this
    file was solved before by this grader, else validated, solved and cached. The file is read once, capped. A
    cached plan grades without the solver; its ``key`` (practice pages, written solutions, variants) is loaded on
    first use, from the cache's pickled key or by solving again."""
    from grader.grade import plancache

    raw = read_problem_bytes(path)

    def solved():
        from grader.solve.solver import solve
        from grader.spec.load import problem_from_bytes

        return solve(problem_from_bytes(raw, source=str(path)))

    cached = plancache.load(raw)
    if cached is not None:
        return Plan(**cached, key_loader=lambda: plancache.load_key(raw) or _stored_key(raw, solved()),
                    on_malformed=lambda: plancache.discard(raw))
    plan = make_plan(solved())
    plancache.store(raw, plan)
    return plan


def _stored_key(raw: bytes, key):
    from grader.grade import plancache

    plancache.store_key(raw, key)
    return key


def _is_writeup(path: str | os.PathLike) -> bool:
    """A written solution (``grader.submission.writeup.is_writeup``), told by its file name alone."""
    return Path(path).suffix.lower() in WRITEUP_SUFFIXES


def read_problem_bytes(path: Path) -> bytes:
    """The problem file's bytes: a regular file, at most the YAML reader's limit (``grader.fileio.read_capped``)."""
    return read_capped(path, DEFAULT_MAX_BYTES, "file",
                       hint="a problem spec is a few kilobytes; check that this is the right file")


def _has_top_level_key(path: Path, key: str) -> bool:
    """Does the YAML file at ``path`` have ``key:`` at the start of a line (a top-level key)? Read as bytes."""
    try:
        raw = read_problem_bytes(path)
    except GraderError:
        return False  # the problem loader reports it
    needle = key.encode() + b":"
    return raw.startswith(needle) or b"\n" + needle in raw

