"""Who a batch row counts for: the LMS identity of the file's name, else the ``student:`` of the file.

The LMS knows who uploaded a file, so where both exist the LMS wins and a disagreement is a warning on the row; it
also decides the variant of a randomized problem the file is graded against (:func:`graded_as_lms_student`).
"""

from __future__ import annotations

import dataclasses
import unicodedata

from grader.batch.inputs import LmsIdentity, shown_name
from grader.errors import GraderError
from grader.submission.student import Student

__all__ = ["row_identity", "same_name", "doc_student", "graded_as_lms_student"]


def _letters(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(sorted(c for c in text.casefold() if c.isalnum()))


def same_name(a: str, b: str) -> bool:
    """Whether two spellings of a person's name are the same letters ("Jane Doe", "doejane", "Doe, Jane")."""
    return _letters(a) == _letters(b)


def row_identity(lms: LmsIdentity | None, student: Student | None, file: str) -> dict:
    """The row's student key (who the file counts for: resubmissions share it), the student id and name to show,
    and warnings."""
    warnings: list[str] = []
    sid = student.id if student else None
    sname = student.name if student else None
    if lms is not None:
        key, shown_id = lms.key, lms.student_id
        name = sname or lms.name
        if sname and lms.name and not same_name(sname, lms.name):
            name = lms.name  # the LMS knows who uploaded the file
            warnings.append(
                f"the name in the file ({sname}) differs from the name in the LMS file name ({lms.name}); "
                f"graded as the LMS student {shown_id}"
            )
    elif sid:
        key, shown_id, name = f"id:{sid}", sid, sname
    elif sname:
        key, shown_id, name = f"name:{' '.join(sname.casefold().split())}", None, sname
        warnings.append("the file gives a student name but no id; resubmissions are matched by name")
    else:
        key, shown_id, name = f"file:{file}", None, None
        warnings.append("no student identity: neither the file name nor the file says who this is")
    return {"student_key": key, "student_id": shown_id, "name": name, "warnings": warnings}


def doc_student(doc) -> Student | None:
    """The ``student:`` a document gives (id and name as text), for a homework set's answers."""
    data = doc.data.get("student") if isinstance(doc.data, dict) else None
    if not isinstance(data, dict):
        return None
    sid, name = data.get("id"), data.get("name")
    return Student(id=str(sid) if sid is not None else None, name=str(name) if name is not None else None)


def graded_as_lms_student(grader, doc, own: Student | None, lms: LmsIdentity | None):
    """In a batch the LMS says who a file belongs to, and so which variant of a randomized problem it is graded
    against (issue 10): the document with ``student.id`` set to the LMS's id (None when there is no LMS identity or
    they agree), and a warning when the file claims another id for a randomized problem."""
    if lms is None or not isinstance(doc.data, dict):
        return None, None
    written = doc.data.get("student")
    if written is not None and not isinstance(written, dict):
        return None, None  # the loader says what is wrong with it
    file_id = own.id if own is not None else (doc_student(doc) or Student(id=None, name=None)).id
    lms_id = lms.student_id
    if file_id == lms_id:
        return None, None
    data = dict(doc.data)
    data["student"] = {**(written or {}), "id": lms_id}
    note = None
    if file_id and _randomized(grader, doc.data.get("problem")):
        shown = shown_name(str(file_id))[:40]
        note = (f"the file says student.id {shown}, but the LMS file name says this is student {lms_id}'s "
                f"submission: graded against {lms_id}'s values")
    return dataclasses.replace(doc, data=data), note


def _randomized(grader, claim) -> bool:
    """Whether the problem (or a question of the set) this file is graded against gives each student own values."""
    try:
        path, _ = grader.problem_for(claim)
        hw = grader.set_at(path)
        if hw is not None:
            return any(q.problem is not None and q.problem.randomize is not None for q in hw.questions)
        return grader.plan_at(path).problem.randomize is not None
    except GraderError:
        return False
