"""The LMS gradebooks of a batch, one row per student under the identifier that LMS matches, never a row without it.

* ``gradebook-canvas.csv``: Canvas "Import" (canvas-lms ``lib/gradebook_importer.rb``): ``Student,ID,SIS User ID,
  SIS Login ID,Section,<Title> (<id>)`` and a ``    Points Possible`` row. ``ID`` is the Canvas user id of the
  download's file names (then ``SIS User ID`` is left blank: a student-written id must not outrank it); a submission
  from outside a Canvas download has only its ``student:`` id, written as ``SIS User ID``. Anonymous submissions have
  no user id: they are left out (Canvas refuses to import into an anonymous assignment until its grades are posted).
* ``gradebook-moodle.csv``: the assignment's offline grading worksheet (``mod/assign/feedback/offline``: the columns
  ``Identifier`` = ``Participant <id>``, ``Grade`` and ``Last modified (grade)`` found by their header text), one row
  per participant of a Moodle download and nothing else.
* ``gradebook-moodle-idnumber.csv``: Moodle's gradebook CSV import (``grade/import/csv/classes/load_data.php``), with
  ``ID number`` (map it to *ID number*) the student's id, for submissions from outside an LMS download (a download
  names its students; the id typed in a file may be anyone's); a row is written only when it has one (that importer
  gives a blank id cell the previous row's student).
* ``ags-scores.jsonl``: one LTI 1.3 AGS score per student whose LMS user id is known (``grader.batch.roster``).

Every writer refuses an identifier it already wrote (the row is then listed in ``needs-attention.csv``) and counts
the rows it could not place, for the upload guide.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable

from grader.batch.gradebooks import AtomicStream, csv_line, fmt_points, safe_cell, short_comment
from grader.batch.hashindex import HashIndex
from grader.batch.roster import Roster
from grader.batch.stamp import BatchTime

__all__ = [
    "CANVAS_IDENTITY_COLUMNS",
    "MOODLE_COLUMNS",
    "MOODLE_IDNUMBER_COLUMNS",
    "AGS_KEYS",
    "Scale",
    "CanvasCsv",
    "MoodleWorksheet",
    "MoodleIdnumberCsv",
    "AgsJsonl",
    "grading_progress",
    "activity_progress",
]

CANVAS_IDENTITY_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
POINTS_POSSIBLE = "    Points Possible"
MOODLE_COLUMNS = ["Identifier", "Full name", "Grade", "Maximum grade", "Last modified (grade)", "Feedback comments"]
MOODLE_IDNUMBER_COLUMNS = ["ID number", "Full name"]  # then the assignment's column and its feedback column
AGS_KEYS = ["userId", "scoreGiven", "scoreMaximum", "comment", "timestamp", "activityProgress", "gradingProgress"]


class Scale:
    """Points as an LMS gradebook wants them: the problem's points, or scaled to ``--scale-to MAX``."""

    def __init__(self, to: float | None) -> None:
        self.to = to

    def score(self, row: dict) -> float | None:
        score, top = row.get("score"), row.get("max_score")
        if score is None or self.to is None or not top:
            return score
        return score * self.to / top

    def maximum(self, top: float | None) -> float | None:
        return self.to if self.to is not None else top

    def comment(self, row: dict) -> str:
        """``short_comment``, saying what the points are in the gradebook where they are scaled: "14/24 points
        (58.33/100 in the gradebook): ...", so the comment and the Grade beside it agree."""
        text = short_comment(row)
        score, top = row.get("score"), row.get("max_score")
        if self.to is None or score is None or not top:
            return text
        head = f"{fmt_points(score)}/{fmt_points(top)} points"
        if not text.startswith(head):
            return text
        return f"{head} ({fmt_points(self.score(row))}/{fmt_points(self.to)} in the gradebook){text[len(head):]}"


def _ids(row: dict) -> tuple[dict, str | None]:
    lms = row.get("lms") or {}
    return lms, (row.get("yaml_student") or {}).get("id") or None


class _Book:
    """One gradebook: a row per student, each identifier once. ``row_at(ordinal)`` reads a row written earlier again
    (the identifiers written are kept compactly, as hashes and the ordinal of their row: ``row["_ord"]``)."""

    def __init__(self, path: Path) -> None:
        self.out = AtomicStream(path)
        self.row_at: Callable[[int], dict] | None = None
        self.seen = HashIndex(self._idents_at, wide=False)  # identifier -> its row
        self.count = 0
        self.omitted: dict[str, int] = {}  # why a row was not placed -> how many

    def bind(self, row_at: Callable[[int], dict], spill_to: str | os.PathLike | None = None,
             expected: int = 0) -> None:
        """Read rows written earlier with ``row_at``; the index of identifiers goes to a file in ``spill_to`` once it
        outgrows memory, made at once for ``expected`` students (``grader.batch.hashindex``)."""
        self.row_at = row_at
        self.seen = HashIndex(self._idents_at, wide=False, spill_to=spill_to, expected=expected)

    def _idents_at(self, ordinal: int) -> tuple[str, ...]:
        return self.idents(self.row_at(ordinal))

    def idents(self, row: dict) -> tuple[str, ...]:
        """The identifiers this gradebook writes for ``row`` (the first is the one in its line)."""
        raise NotImplementedError

    def _omit(self, why: str) -> None:
        self.omitted[why] = self.omitted.get(why, 0) + 1

    def _claim(self, idents: tuple[str, ...], row: dict) -> str | None:
        """Take ``idents`` (the one written in the row, then other ids of the same student, by which the LMS could
        match it too) for ``row``; the reason it cannot, when another row has one of them."""
        if len(idents) == 1:  # (the usual case: one probe of the index)
            holder = self.seen.claim(idents[0], row["_ord"])
            if holder is not None:
                return f"{idents[0]} is already in {self.out.path.name} (for {self.row_at(holder)['file']})"
            self.count += 1
            return None
        for i in idents:
            holder = self.seen.get(i)
            if holder is not None:
                return f"{i} is already in {self.out.path.name} (for {self.row_at(holder)['file']})"
        for i in idents:
            self.seen.add(i, row["_ord"])
        self.count += 1
        return None


class CanvasCsv(_Book):
    def __init__(self, path: Path, title: str, assignment_id: str | None, points_possible: float | None,
                 scale: Scale) -> None:
        super().__init__(path)
        self.scale = scale
        column = f"{title} ({assignment_id})" if assignment_id else title
        self.out.write(csv_line(CANVAS_IDENTITY_COLUMNS + [column]))
        self.out.write(csv_line([POINTS_POSSIBLE, "", "", "", "", fmt_points(scale.maximum(points_possible))]))

    def idents(self, row: dict) -> tuple[str, ...]:
        lms, sid = _ids(row)
        if lms.get("lms") == "canvas":
            # a Canvas row's own student: id is claimed too: a second file with that SIS id is the same student
            return (f"ID {lms['user_id']}",) + ((f"SIS User ID {sid}",) if sid else ())
        return (f"SIS User ID {sid}",)

    def add(self, row: dict) -> str | None:
        lms, sid = _ids(row)
        if lms.get("lms") == "canvas":
            if not lms.get("user_id"):
                self._omit("anonymous")
                return None
            cells = [lms["user_id"], ""]
        elif lms.get("lms") == "moodle":
            self._omit("moodle")
            return None
        elif sid:
            cells = ["", safe_cell(sid)]
        else:
            self._omit("no id")
            return None
        refused = self._claim(self.idents(row), row)
        if refused is None:
            name = safe_cell(row.get("name") or row.get("student_id") or "")
            self.out.write(csv_line([name] + cells + ["", "", fmt_points(self.scale.score(row))]))
        return refused


class MoodleWorksheet(_Book):
    def __init__(self, path: Path, stamp: BatchTime, scale: Scale) -> None:
        super().__init__(path)
        self.stamp, self.scale = stamp, scale
        self.out.write(csv_line(MOODLE_COLUMNS))

    def idents(self, row: dict) -> tuple[str, ...]:
        return (f"Participant {row['lms']['participant_id']}",)

    def add(self, row: dict) -> str | None:
        lms, _ = _ids(row)
        if lms.get("lms") != "moodle" or not lms.get("participant_id"):
            self._omit("not moodle")
            return None
        (ident,) = self.idents(row)
        refused = self._claim((ident,), row)
        if refused is None:
            self.out.write(csv_line([
                ident,
                safe_cell(row.get("name")),
                fmt_points(self.scale.score(row)),
                fmt_points(self.scale.maximum(row.get("max_score"))),
                self.stamp.seconds,
                safe_cell(self.scale.comment(row)),
            ]))
        return refused


class MoodleIdnumberCsv(_Book):
    def __init__(self, path: Path, title: str, scale: Scale) -> None:
        super().__init__(path)
        self.scale = scale
        self.out.write(csv_line(MOODLE_IDNUMBER_COLUMNS + [title, f"{title} (feedback)"]))

    def idents(self, row: dict) -> tuple[str, ...]:
        return (f"ID number {_ids(row)[1]}",)

    def add(self, row: dict) -> str | None:
        lms, sid = _ids(row)
        if lms.get("lms"):
            self._omit("lms")  # an LMS download names the student; the id typed in the file may be anyone's
            return None
        if not sid:
            self._omit("no id")
            return None
        refused = self._claim(self.idents(row), row)
        if refused is None:
            self.out.write(csv_line([safe_cell(sid), safe_cell(row.get("name")), fmt_points(self.scale.score(row)),
                                     safe_cell(self.scale.comment(row))]))
        return refused


def grading_progress(row: dict) -> str:
    """``PendingManual`` while an item awaits a score given by hand, else ``FullyGraded``."""
    return "PendingManual" if any(f[1] == "pending" for f in row.get("fields") or ()) else "FullyGraded"


def activity_progress(row: dict) -> str:
    """``Completed`` when the submission answers every item it is asked, ``Submitted`` when it leaves some out."""
    return "Submitted" if any(f[1] == "missing" for f in row.get("fields") or ()) else "Completed"


_AGS_JSON = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))  # json.dumps's, made once


class AgsJsonl(_Book):
    """LTI 1.3 AGS score objects (``application/vnd.ims.lis.v1.score+json``), one line per graded student whose
    platform user id is known: from ``--roster``, else the Canvas user id of the file name (Canvas takes it) or
    the submission's own id outside any LMS download. A Moodle participant id or a Canvas anonymous id is never
    posted as a user id. ``scoreGiven``/``scoreMaximum`` are the problem's points (the platform scales them)."""

    def __init__(self, path: Path, stamp: BatchTime, roster: Roster | None) -> None:
        super().__init__(path)
        self.stamp, self.roster = stamp, roster

    def user_id(self, row: dict) -> tuple[str | None, str | None]:
        """(the user id to post, or why there is none)."""
        lms, sid = _ids(row)
        if self.roster is not None:
            uid = self.roster.user_id(row)
            return (uid, None) if uid else (None, "not in the roster")
        if lms.get("lms") == "moodle":
            return None, "moodle"
        if lms.get("lms") == "canvas":
            return (lms["user_id"], None) if lms.get("user_id") else (None, "anonymous")
        return (sid, None) if sid else (None, "no id")

    def idents(self, row: dict) -> tuple[str, ...]:
        return (self.user_id(row)[0],)

    def add(self, row: dict) -> str | None:
        uid, why = self.user_id(row)
        if uid is None:
            self._omit(why or "no id")
            return "not in the roster (--roster): no AGS score" if why == "not in the roster" else None
        refused = self._claim((uid,), row)
        if refused is None:
            obj = {
                "userId": uid,
                "scoreGiven": row["score"],
                "scoreMaximum": row["max_score"],
                "comment": short_comment(row),
                "timestamp": self.stamp.millis,
                "activityProgress": activity_progress(row),
                "gradingProgress": grading_progress(row),
            }
            self.out.write(_AGS_JSON.encode(obj) + "\n")
        return refused
