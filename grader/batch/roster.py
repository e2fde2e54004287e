"""``--roster ROSTER.csv``: the LMS user id of each student, for the AGS scores.

An AGS score names the student by the platform's own user id (Canvas: the LTI user id or the Canvas user id,
canvas-lms ``app/controllers/lti/ims/scores_controller.rb``; Moodle: the Moodle *user* id,
``mod/lti/service/gradebookservices/classes/local/resources/scores.php``). A Moodle download names students by their
*participant* id, an anonymous Canvas download by an anonymous id, a plain folder by the id the student wrote: none
of them is that id, so the roster maps them to it.

The file: a header row with ``user_id`` (the LMS user id to post) and at least one of ``participant_id`` (Moodle),
``canvas_user_id``, ``anon_id`` (Canvas anonymous grading) and ``student_id`` (the ``student: {id}`` of the
submissions); one row per student. A blank cell is no key. A key given twice is an error (it would send one
student's grade to two people, or two students' to one).
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field

from grader.errors import GraderError, LimitError

__all__ = ["Roster", "read_roster", "ROSTER_KEYS", "MAX_ROSTER_BYTES"]

ROSTER_KEYS = ("participant_id", "canvas_user_id", "anon_id", "student_id")
MAX_ROSTER_BYTES = 16 * 1024 * 1024


@dataclass
class Roster:
    maps: dict[str, dict[str, str]] = field(default_factory=dict)  # key column -> its value -> user_id

    def user_id(self, row: dict) -> str | None:
        """The LMS user id of a batch row: by its LMS identity first, then by the id in the submission."""
        lms = row.get("lms") or {}
        tries: list[tuple[str, str | None]] = []
        if lms.get("lms") == "moodle":
            tries.append(("participant_id", lms.get("participant_id")))
        elif lms.get("lms") == "canvas":
            tries.append(("anon_id", lms.get("anon_id")) if lms.get("anon_id") else
                         ("canvas_user_id", lms.get("user_id")))
        tries.append(("student_id", (row.get("yaml_student") or {}).get("id")))
        for column, value in tries:
            if value and value in self.maps.get(column, {}):
                return self.maps[column][value]
        return None


def read_roster(path: str | os.PathLike) -> Roster:
    """Read and check a roster; a :class:`GraderError` (file, line, what is wrong) when it cannot be used."""
    name = os.fspath(path)
    try:
        with open(name, "rb") as f:
            data = f.read(MAX_ROSTER_BYTES + 1)
    except OSError as e:
        raise GraderError(f"cannot read the roster: {e.strerror or e}", file=name,
                          hint="pass --roster a CSV file with columns user_id and participant_id, canvas_user_id, "
                          "anon_id or student_id") from None
    if len(data) > MAX_ROSTER_BYTES:
        raise LimitError(f"the roster is larger than {MAX_ROSTER_BYTES:,} bytes", file=name,
                         hint="one row per student: a class roster is a few hundred kilobytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise GraderError(f"the roster is not UTF-8 text (byte {e.start})", file=name,
                          hint="save the roster as CSV in UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        raise GraderError("the roster is empty", file=name, line=1, hint="a header row: user_id,participant_id,...")
    columns = [h.strip().lower() for h in header]
    if "user_id" not in columns or not any(k in columns for k in ROSTER_KEYS):
        raise GraderError(
            f"the roster's header ({', '.join(columns)}) lacks user_id or a key column", file=name, line=1,
            hint="columns: user_id (the LMS user id) and at least one of " + ", ".join(ROSTER_KEYS),
        )
    for c in set(columns):
        if c and columns.count(c) > 1:
            raise GraderError(f"the roster's header names column {c!r} twice", file=name, line=1,
                              hint="one column each")
    uid_at = columns.index("user_id")
    keys = [(k, columns.index(k)) for k in ROSTER_KEYS if k in columns]
    roster = Roster({k: {} for k, _ in keys})
    seen_at: dict[tuple[str, str], int] = {}
    for line_no, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        cells = [c.strip() for c in cells] + [""] * (len(columns) - len(cells))
        uid = cells[uid_at]
        if not uid:
            raise GraderError("a roster row without a user_id", file=name, line=line_no,
                              hint="give every student's LMS user id, or remove the row")
        if not any(cells[i] for _, i in keys):
            raise GraderError("a roster row without any key (" + ", ".join(k for k, _ in keys) + ")", file=name,
                              line=line_no, hint="give the id the downloads or the submissions carry")
        for k, i in keys:
            value = cells[i]
            if not value:
                continue
            if (k, value) in seen_at:
                raise GraderError(f"{k} {value!r} is in the roster twice (lines {seen_at[(k, value)]} and {line_no})",
                                  file=name, line=line_no, hint="one row per student")
            seen_at[(k, value)] = line_no
            roster.maps[k][value] = uid
    return roster
