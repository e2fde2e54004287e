"""Who a batch row counts for: the LMS identity of the file's name, else the ``student:`` of the file.

The LMS knows who uploaded a file, so where both exist the LMS wins and a disagreement is a warning on the row; it
also decides the variant of a randomized problem the file is graded against (:class:`GradedAs`).
"""

from __future__ import annotations

import dataclasses
import os
import unicodedata
from pathlib import Path
from typing import Sequence

from grader.batch.inputs import LmsIdentity, shown_name
from grader.errors import GraderError
from grader.submission.extract import WRITEUP_SUFFIXES
from grader.submission.student import Student

__all__ = ["row_identity", "same_name", "doc_student", "GradedAs"]


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


class GradedAs:
    """Grading one file's bytes, a YAML submission or a written solution, as the student the LMS says it is: the
    one path of ``grade batch`` (``lms_ids``: the file name's id) and ``grade gradescope`` (the metadata's users).

    The LMS knows who handed the file in, so a randomized problem's variant is drawn for the LMS's id whatever
    student the file names (YAML ``student.id``, a write-up's heading or ``\\author``): that is only a claim, and
    when it differs for a randomized problem a warning (``notes``) says so. Of several LMS ids (a Gradescope group)
    the one the file names counts, else the first. Without an LMS id the file's own student decides, for both kinds.
    ``student`` is who the file says it is, known as soon as the file is read (also when grading then refuses it).
    """

    def __init__(self, grader, lms_ids: Sequence[str], said_by: str) -> None:
        self.grader = grader
        self.lms_ids = tuple(i for i in lms_ids if i)
        self.said_by = said_by  # "the LMS file name", "Gradescope": who says whose file this is
        self.student: Student | None = None
        self.notes: list[str] = []

    def lms_id(self, claimed: str | None) -> str | None:
        """The id the file is graded as: the LMS's (the claimed one when it is among them), None without one."""
        if not self.lms_ids:
            return None
        return claimed if claimed in self.lms_ids else self.lms_ids[0]

    def grade(self, data: bytes, source: str):
        """The ``GradeResult`` (its ``student`` the file's own claim); raises ``GraderError`` for an unusable file.
        Which kind of file it is, the name says (``writeup.is_writeup``, told here without importing the write-up
        reader: ~60 ms of a worker's start for a batch of YAML files only)."""
        suffix = _suffix(source).lower()
        if suffix in WRITEUP_SUFFIXES:
            from grader.submission.writeup import decode_writeup

            return self._grade_writeup(decode_writeup(data, source), suffix.lstrip("."), source)
        return self._grade_yaml(data, source)

    def _grade_writeup(self, text: str, kind: str, source: str):
        first = self.lms_ids[0] if self.lms_ids else None
        result = self.grader.grade_writeup(text, kind, source, student_id=first)
        claimed = result.student.id  # the text's heading
        lms_id = self.lms_id(claimed)
        if lms_id != first:  # the file names another of the LMS's ids (a group's member): graded as that one
            result = self.grader.grade_writeup(text, kind, source, student_id=lms_id)
        self.student = result.student
        self._note(claimed, lms_id, None, "student {} (" + (result.student.claimed_in or "in its heading") + ")")
        return result

    def _grade_yaml(self, data: bytes, source: str):
        from grader.submission.load import submission_from_document
        from grader.yamlio import load_yaml_text

        doc = load_yaml_text(data, source=source)
        try:
            sub = submission_from_document(doc)
        except GraderError:
            sub = None  # maybe a homework set's answers (ex6.z1, written answers): grade_document reads those
        own = sub.student if sub is not None else doc_student(doc)
        self.student = sub.student if sub is not None else None  # known even if grading then refuses the file
        written = doc.data.get("student") if isinstance(doc.data, dict) else None
        file_id = own.id if own is not None else None
        lms_id = self.lms_id(file_id)
        as_lms = None
        if lms_id is not None and file_id != lms_id and isinstance(doc.data, dict) and (written is None
                                                                             or isinstance(written, dict)):
            as_lms = dataclasses.replace(doc, data={**doc.data, "student": {**(written or {}), "id": lms_id}})
            self._note(file_id, lms_id, doc.data.get("problem"), "student.id {}")
        if sub is not None:
            if as_lms is not None:
                sub = dataclasses.replace(sub, student=Student(id=lms_id, name=own.name), document=as_lms)
            return dataclasses.replace(self.grader.grade_submission(sub), student=own)
        result = self.grader.grade_document(as_lms or doc)
        self.student = result.student
        if as_lms is not None:
            self.student = own or Student(id=None, name=result.student.name)
            result = dataclasses.replace(result, student=self.student)
        return result

    def _note(self, file_id: str | None, lms_id: str | None, claim, what: str) -> None:
        """A warning when the file names another student than the LMS for a randomized problem."""
        if file_id and lms_id is not None and file_id != lms_id and _randomized(self.grader, claim):
            shown = shown_name(str(file_id))[:40]
            self.notes.append(f"the file says {what.format(shown)}, but {self.said_by} says this is student "
                              f"{lms_id}'s submission: graded against {lms_id}'s values")


def _suffix(path: str) -> str:
    """``grader.submission.writeup.path_suffix``: ``Path(path).suffix`` without making a ``Path`` (tests/
    test_batch_identity_lean.py holds the two to each other)."""
    name = os.path.basename(os.fspath(path).rstrip("/"))
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def _randomized(grader, claim) -> bool:
    """Whether the problem (or a question of the set) this file is graded against gives each student own values."""
    try:
        path, _ = grader.problem_for(claim)
        hw = grader.set_at(path)
        if hw is not None:
            return any(q.problem is not None and q.problem.randomize is not None for q in hw.questions)
        return grader.plan_at(path).info.randomized  # the plan's lean info: the batch never loads the key for it
    except GraderError:
        return False
