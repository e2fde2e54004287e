"""Who a batch row counts for: the LMS identity of the file's name, else the ``student:`` of the file.

The LMS knows who uploaded a file, so where both exist the LMS wins and a disagreement is a warning on the row.
"""

from __future__ import annotations

import unicodedata

from grader.batch.inputs import LmsIdentity
from grader.submission.student import Student

__all__ = ["row_identity", "same_name"]


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
