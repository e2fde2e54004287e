"""Grading a submission to a homework set (``grader.solve.homework``) into one ``GradeResult``.

Answers are read from the submission document: ``<question>.<name>`` keys, a question's answers nested under its
id, or a written answer under the bare question id. Backprop questions are graded by the ordinary engine on a
document of their own answers (every line and verbatim number kept), their fields renamed ``<question>.<name>`` and
their points scaled to the question; the other kinds compare with the tolerance rule of ``grader.spec.tolerance``.
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from grader.errors import GraderError, SubmissionError
from grader.grade.prepare import name_error, resolve_submission, reveal_now, without_blanks
from grader.grade.secrecy import exam_result, plan_numbers
from grader.grade.result import FieldResult, GradeResult
from grader.parse.answer import parse_answer
from grader.solve.questions import KeyItem
from grader.spec.tolerance import within
from grader.submission.student import Student
from grader.yamlio import Document, format_path, shown_key

if TYPE_CHECKING:
    from grader.solve.homework import HomeworkSet, SetQuestion


# --- reading a set submission ------------------------------------------------------------------------------------------


@dataclass
class SetAnswers:
    student: Student
    by_question: dict[str, dict[str, tuple[Any, tuple]]]  # question id -> local name -> (raw value, document path)


def read_set_answers(hw: HomeworkSet, doc: Document) -> SetAnswers:
    from grader.submission.load import TOP_KEYS, _Reader

    reader = _Reader(doc)
    data = doc.data
    if not isinstance(data, dict):
        raise reader.error("the submission must be a mapping with the keys problem, student, answers", (),
                           "start the file with `problem: <set id>`")
    for key in data:
        if key not in TOP_KEYS:
            raise reader.error(f"unknown key '{shown_key(key)}'; allowed keys: {', '.join(TOP_KEYS)}", (key,),
                               "answers go under `answers:`, indented")
    student = reader.student(data.get("student"))
    answers = data.get("answers")
    if not isinstance(answers, dict):
        raise reader.error("`answers` must be a mapping", ("answers",),
                           "write `ex6.z1: -11.65`, one line per quantity, indented below `answers:`")
    ids = [q.id for q in hw.questions]
    out: dict[str, dict[str, tuple[Any, tuple]]] = {q: {} for q in ids}

    def put(qid: str, local: str, raw: Any, path: tuple) -> None:
        q = hw.question(qid)
        if q is None:
            close = difflib.get_close_matches(qid, ids, n=2)
            raise reader.error(f"unknown question '{qid}' in {hw.id}", path,
                               (f"did you mean {' or '.join(close)}? " if close else "") + f"questions: {', '.join(ids)}")
        if local in out[qid]:
            raise reader.error(f"{qid}.{local or ''} is answered twice".replace(". ", " "), path,
                               "keep one of them")
        out[qid][local] = (raw, path)

    for key, raw in answers.items():
        path = ("answers", key)
        key = str(key)
        if "." in key:
            qid, local = key.split(".", 1)
            put(qid, local, raw, path)
            continue
        q = hw.question(key)
        if q is not None and q.kind == "free_text":
            put(key, "", raw, path)
        elif q is not None and isinstance(raw, dict):
            for local, sub in raw.items():
                put(key, str(local), sub, path + (local,))
        elif q is not None:
            raise reader.error(f"answer the quantities of question {key} as {key}.<name>", path,
                               f"e.g. {key}.{_example_name(q)}: <value>")
        else:
            put(key, "", raw, path)  # raises: unknown question
    return SetAnswers(student, out)


def _example_name(q: SetQuestion) -> str:
    if q.kind == "backprop":
        return q.problem.ask[0].quantity
    return q.items[0].name if q.items else "value"


# --- grading -----------------------------------------------------------------------------------------------------------


def grade_set_document_if_any(grader, doc: Document) -> GradeResult | None:
    """Grade ``doc`` if it answers a homework set (the instructor's problem, else the set the ``problem:`` claim
    names, looked up by ``grader.problem_for``); None otherwise."""
    import dataclasses

    data = doc.data
    claim = data.get("problem") if isinstance(data, dict) else None
    if grader.problem_override is None and (not isinstance(claim, str) or not claim.strip()):
        return None
    try:
        set_path, notes = grader.problem_for(claim)
    except GraderError:
        return None
    hw = grader.set_at(set_path)
    if hw is None:
        return None
    result = grade_set_document(grader, hw, doc)
    return dataclasses.replace(result, warnings=tuple(notes) + result.warnings) if notes else result


def grade_set_document(grader, hw: HomeworkSet, doc: Document) -> GradeResult:
    """Grade a read submission document against the homework set ``hw`` (``grader`` is a
    ``grader.grade.pipeline.Grader``: it caches the backprop plans)."""
    answers = read_set_answers(hw, doc)
    reveal = reveal_now(hw, grader.reveal)
    fields: list[FieldResult] = []
    flags = []
    warnings: tuple[str, ...] = ()
    issues: tuple = ()
    for q in hw.questions:
        given = answers.by_question[q.id]
        if q.kind == "free_text":
            fields.append(_free_text_field(q, given.get("")))
        elif q.kind == "backprop":
            f, fl, iss, w = _grade_backprop(grader, hw, q, answers.student, doc, given, reveal=reveal)
            fields += f
            flags += fl
            issues += iss
            warnings += tuple(f"question {q.id}, {i.warning()}" for i in iss) + w
        else:
            for local, (raw, path) in given.items():
                if not any(i.name == local for i in q.items):
                    names = [i.name for i in q.items]
                    close = difflib.get_close_matches(local, names, n=2)
                    raise SubmissionError(
                        f"unknown quantity '{q.id}.{local}' for {hw.id}", file=doc.source, line=doc.line_of(path),
                        path=format_path(path),
                        hint=(f"did you mean {' or '.join(q.id + '.' + c for c in close)}? " if close else "")
                        + f"question {q.id} asks for: {', '.join(names)}")
            for item in q.items:
                fields.append(_grade_item(q, item, doc, given.get(item.name), reveal=reveal))
    dropped = [i for i in issues if len(i.path) == 2]  # answers (not `using` entries) whose name did not resolve
    if dropped and len(dropped) == sum(len(g) for g in answers.by_question.values()):
        raise name_error(dropped[0], doc.source)  # nothing could be graded
    score = round(sum(f.points for f in fields), 6)
    result = GradeResult(
        problem=hw.id, problem_title=hw.title, student=answers.student, fields=tuple(fields), flags=tuple(flags),
        score=score, max_score=round(sum(f.max_points for f in fields), 6), tolerance_rule=hw.tolerance.describe(),
        source=doc.source, reveal=reveal, warnings=warnings, network=None,
    )
    # exam mode: no expected value, worked line or sentence with a key number (``grader.grade.secrecy``)
    return result if reveal else exam_result(result, ())


def _free_text_field(q: SetQuestion, answer: tuple[Any, tuple] | None) -> FieldResult:
    rubric = "; ".join(f"{r.points:g} pt: {r.text}" for r in q.spec.rubric)
    raw = answer[0] if answer else None
    text = None if raw is None else " ".join(str(raw).split()) or None  # one line: reports show it in a cell
    common = dict(quantity=q.id, given=None, given_text=text, expected=0.0, expected_text="", points=0.0,
                  max_points=q.points, description=f"{q.id}: {q.spec.title or 'written answer'} (graded by hand)",
                  formula="", tolerance="graded by hand against the rubric")
    if text is None:
        return FieldResult(verdict="missing", message="No answer given.", **common)
    return FieldResult(verdict="pending", message=f"Awaiting review by hand. Rubric: {rubric}.", **common)


def _number_text(doc: Document, raw: Any, path: tuple) -> str | None:
    if isinstance(raw, dict) and "value" in raw:
        raw, path = raw["value"], path + ("value",)
    if raw is None:
        return None
    if isinstance(raw, str):
        return raw
    return doc.texts.get(path) or str(raw)


def _grade_item(q: SetQuestion, item: KeyItem, doc: Document, answer: tuple[Any, tuple] | None, *,
                reveal: bool = True) -> FieldResult:
    from grader.numfmt import fmt

    common = dict(
        quantity=f"{q.id}.{item.name}", expected=float(len(item.value)) if item.is_set else float(item.value),
        expected_text=item.decimal(25), max_points=round(item.points, 6), description=f"{q.id}.{item.name}: {item.description}",
        formula=f"{item.name} = {item.formula}" if item.formula else "", formula_latex=item.formula_latex,
        worked=f"{item.name} = {item.worked}" if item.worked else "", worked_latex=item.worked_latex,
        tolerance="the same set of weights" if item.is_set else item.tolerance.describe(),
    )
    raw, path = answer if answer else (None, ())
    if item.is_set:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return FieldResult(verdict="missing", given=None, given_text=None, points=0.0, message="No answer given.", **common)
        names, text, reason = _read_weight_set(raw, item.order)
        if reason:
            return FieldResult(verdict="unparseable", given=None, given_text=text, points=0.0,
                               message=f"Could not read this answer: {reason}", **common)
        if names == item.value:
            return FieldResult(verdict="correct", given=float(len(names)), given_text=text, points=common["max_points"],
                               message="Correct.", **common)
        extra = sorted(names - item.value, key=item.order.index)
        lost = sorted(item.value - names, key=item.order.index)
        msg = "Incorrect." + (f" Pruned by magnitude: {', '.join(extra)}." if extra else "") + (
            f" Kept by magnitude: {', '.join(lost)}." if lost else "")
        return FieldResult(verdict="incorrect", given=float(len(names)), given_text=text, points=0.0, message=msg, **common)
    text = _number_text(doc, raw, path)
    if text is None or not text.strip():
        return FieldResult(verdict="missing", given=None, given_text=None, points=0.0, message="No answer given.", **common)
    parsed = parse_answer(text)
    if not hasattr(parsed, "value"):
        return FieldResult(verdict="unparseable", given=None, given_text=text, points=0.0,
                           message=f"Could not read this answer: {parsed.reason}", **common)
    if within(parsed.value, common["expected"], item.tolerance):
        return FieldResult(verdict="correct", given=parsed.value, given_text=text, points=common["max_points"],
                           message="Correct.", **common)
    return FieldResult(verdict="incorrect", given=parsed.value, given_text=text, points=0.0,
                       message=f"Incorrect (expected about {fmt(common['expected'])})." if reveal else "Incorrect.",
                       **common)


def _read_weight_set(raw: Any, order: tuple[str, ...]) -> tuple[frozenset[str], str, str | None]:
    """A list of weight names, or a 0/1 mask over ``order``: as a YAML list or a text (``w1, w4`` / ``1 0 0 1``)."""
    if isinstance(raw, list):
        parts = [str(x).strip() for x in raw]
        text = "[" + ", ".join(parts) + "]"
    else:
        text = str(raw).strip()
        body = text.strip("[]{}() ")
        parts = [p for p in body.replace(",", " ").replace(";", " ").split() if p]
        if len(parts) == 1 and set(parts[0]) <= {"0", "1"} and len(parts[0]) == len(order):
            parts = list(parts[0])
    if parts and all(p in ("0", "1") for p in parts):
        if len(parts) != len(order):
            return frozenset(), text, (f"a mask needs {len(order)} entries of 0/1, in the order {', '.join(order)}; "
                                       f"this one has {len(parts)}")
        return frozenset(w for w, bit in zip(order, parts) if bit == "1"), text, None
    unknown = [p for p in parts if p not in order]
    if unknown:
        return frozenset(), text, (f"{', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not a weight of this "
                                   f"network ({', '.join(order)})")
    return frozenset(parts), text, None


def _grade_backprop(grader, hw: HomeworkSet, q: SetQuestion, student: Student, doc: Document,
                    given: dict[str, tuple[Any, tuple]], *, reveal: bool = True):
    from grader.grade.engine import grade
    from grader.submission.load import submission_from_document

    plan = _backprop_plan(grader, q, student, doc)
    # A document of this question's answers alone, with every line and verbatim number kept.
    data = {"problem": q.problem.id, "student": None, "answers": {}}
    lines: dict[tuple, int] = {(): doc.lines.get((), 1), ("answers",): doc.line_of(("answers",)) or 1}
    texts: dict[tuple, str] = {}
    for local, (raw, path) in given.items():
        data["answers"][local] = raw
        new = ("answers", local)
        for table, out in ((doc.lines, lines), (doc.texts, texts)):
            for p, v in table.items():
                if p[:len(path)] == path:
                    out[new + p[len(path):]] = v
    sub_doc = Document(data=data, source=doc.source, lines=lines, texts=texts)
    try:
        sub = submission_from_document(sub_doc)
        sub, issues = resolve_submission(plan, sub, refuse_empty=False)
    except SubmissionError as exc:
        if exc.path and exc.path.startswith("answers."):
            exc.path = f"answers.{q.id}." + exc.path[len("answers."):]
        raise
    issues = tuple(dataclasses.replace(i, path=("answers", f"{q.id}.{i.path[1]}") + i.path[2:]) for i in issues)
    sub = dataclasses.replace(sub, student=student)
    result = grade(plan, without_blanks(sub), reveal=reveal)
    if not reveal:
        result = exam_result(result, *plan_numbers(plan))
    scale = q.scale()
    fields = [dataclasses.replace(f, quantity=f"{q.id}.{f.quantity}", points=round(f.points * scale, 6),
                                  max_points=round(f.max_points * scale, 6), description=f"{q.id}.{f.description}")
              for f in result.fields]
    flags = [dataclasses.replace(fl, quantity=f"{q.id}.{fl.quantity}") for fl in result.flags]
    return fields, flags, issues, tuple(f"question {q.id}: {w}" for w in result.warnings)


def _backprop_plan(grader, q: SetQuestion, student: Student, doc: Document):
    from grader.grade.engine import make_plan
    from grader.solve.solver import solve

    randomized = q.problem.randomize is not None
    if randomized and not student.id:
        raise SubmissionError(f"question {q.id} gives every student their own values, so the submission needs the "
                              "student's id", file=doc.source, line=doc.line_of(("student",)), path="student.id",
                              hint='write `student: {id: "400222100", name: Your Name}`')
    sid = student.id if randomized else None
    if q.problem_path is not None:
        return grader.plan_at(q.problem_path, sid)
    key = sid or ""
    if key not in q.inline_plans:
        problem = q.problem
        if sid is not None:
            from grader.solve.variant import variant_problem

            problem = variant_problem(problem, sid).problem
        q.inline_plans[key] = make_plan(solve(problem))
    return q.inline_plans[key]
