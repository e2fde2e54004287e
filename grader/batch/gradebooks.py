"""Gradebook files of a batch, written row by row (memory stays flat) and atomically.

* ``grades.csv``: generic, one row per input file;
* ``grades.json``: the same with per-quantity verdicts, flags and diagnoses;
* ``gradebook-canvas.csv``: Canvas gradebook import (``Student,ID,SIS User ID,SIS Login ID,Section,<Title> (<id>)``
  and a ``    Points Possible`` row), one row per student;
* ``gradebook-moodle.csv``: Moodle, usable both as the assignment's offline grading worksheet (``Identifier`` =
  ``Participant <id>``, ``Grade``, ``Last modified (grade)``, ``Feedback comments``) and as a gradebook CSV import
  (map ``ID number`` to useridnumber);
* ``ags-scores.jsonl``: one LTI 1.3 Assignment and Grade Services score object per student.

Rows arrive as the plain dicts of ``grader.batch.rows``, streamed by ``grader.batch.outputs``; nothing here grades.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path
from typing import IO

__all__ = [
    "AtomicStream",
    "fmt_points",
    "safe_cell",
    "short_comment",
    "GradesCsv",
    "GradesJson",
    "CanvasCsv",
    "MoodleCsv",
    "AgsJsonl",
    "CANVAS_IDENTITY_COLUMNS",
    "MOODLE_COLUMNS",
    "AGS_KEYS",
]

CANVAS_IDENTITY_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
POINTS_POSSIBLE = "    Points Possible"
MOODLE_COLUMNS = [
    "Identifier",
    "Full name",
    "ID number",
    "Grade",
    "Maximum grade",
    "Last modified (grade)",
    "Feedback comments",
]
AGS_KEYS = ["userId", "scoreGiven", "scoreMaximum", "comment", "timestamp", "activityProgress", "gradingProgress"]
GENERIC_COLUMNS = ["student_id", "name", "file", "score", "max_score", "status", "error"]


class AtomicStream:
    """A text file written piece by piece to a temporary file in the same folder, fsynced and renamed into place
    on success (the same protocol as :func:`grader.fileio.write_atomic`, for outputs too large to build in memory).
    On an error the temporary file is removed and the previous file, if any, is left intact."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, self.tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        self.f: IO[str] = os.fdopen(fd, "w", encoding="utf-8", newline="")

    def write(self, text: str) -> None:
        self.f.write(text)

    def commit(self) -> None:
        self.f.flush()
        os.fsync(self.f.fileno())
        self.f.close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        if not self.f.closed:
            self.f.close()
        try:
            os.unlink(self.tmp)
        except FileNotFoundError:
            pass

    def __enter__(self) -> "AtomicStream":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


def fmt_points(x: float | None) -> str:
    """Points as a plain decimal: ``4``, ``23.5``, ``0.333333``; empty for no score."""
    if x is None:
        return ""
    s = f"{x:.6f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str | None) -> str:
    """Free text from a student (name, file name) for a spreadsheet cell: a leading ``= + - @`` would be read as a
    formula by Excel/Sheets/LibreOffice, so such text gets a leading apostrophe (numbers are left alone)."""
    if not text:
        return ""
    if text.startswith(_FORMULA_START):
        try:
            float(text)
            return text
        except ValueError:
            return "'" + text
    return text


def short_comment(row: dict) -> str:
    """One line for an LMS comment box: the score, the verdict counts, the flags."""
    if row.get("score") is None:
        return f"Not graded: {row.get('error') or 'the file could not be used'}"
    counts: dict[str, int] = {}
    for f in row.get("fields") or ():
        counts[f[1]] = counts.get(f[1], 0) + 1
    words = {
        "correct": "correct",
        "carried": "carried forward",
        "incorrect": "incorrect",
        "missing": "missing",
        "unparseable": "unreadable",
        "pending": "pending",
    }
    parts = [f"{counts[v]} {w}" for v, w in words.items() if counts.get(v)]
    text = f"{fmt_points(row['score'])}/{fmt_points(row['max_score'])} points"
    if parts:
        text += ": " + ", ".join(parts)
    text += "."
    nflags = len(row.get("flags") or ())
    if nflags:
        text += f" {nflags} flag{'s' if nflags != 1 else ''} on inconsistent or wrongly used values."
    return text + " Details are in your feedback report."


def _csv_line(values: list) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(values)
    return buf.getvalue()


class GradesCsv:
    """``grades.csv``: student id, name, file, score, max, status, error, then one verdict column per quantity."""

    def __init__(self, path: Path, quantities: list[str]) -> None:
        self.quantities = quantities
        self.out = AtomicStream(path)
        self.out.write(_csv_line(GENERIC_COLUMNS + quantities))

    def add(self, row: dict) -> None:
        verdicts = {f[0]: f[1] for f in row.get("fields") or ()}
        error = row.get("error") or ""
        if row["status"] == "superseded":
            error = f"superseded by {row['superseded_by']}" + (f"; {error}" if error else "")
        self.out.write(
            _csv_line(
                [
                    safe_cell(row.get("student_id")),
                    safe_cell(row.get("name")),
                    safe_cell(row["file"]),
                    fmt_points(row.get("score")),
                    fmt_points(row.get("max_score")),
                    row["status"],
                    safe_cell(error),
                ]
                + [verdicts.get(q, "") for q in self.quantities]
            )
        )


class GradesJson:
    """``grades.json``: ``{"assignment": ..., "counts": ..., "quantities": [...], "files": [...]}``, one entry per
    input file in the order of ``grades.csv``, each on one line (readable, diffable, and encoded by the fast C
    encoder: an indented dump of thousands of entries took longer than grading them)."""

    def __init__(self, path: Path, head: dict) -> None:
        self.out = AtomicStream(path)
        text = json.dumps(head, indent=2, ensure_ascii=False)
        self.out.write(text[: text.rstrip().rfind("}")].rstrip() + ',\n  "files": [')
        self.first = True

    def add(self, entry: dict) -> None:
        text = json.dumps(entry, ensure_ascii=False, separators=(", ", ": "))
        self.out.write(("\n    " if self.first else ",\n    ") + text)
        self.first = False

    def commit(self) -> None:
        self.out.write(("]" if self.first else "\n  ]") + "\n}\n")
        self.out.commit()


class CanvasCsv:
    """Canvas gradebook import. Students are matched by ``ID`` (the Canvas user id from the download's file names),
    then by ``SIS User ID`` (the id written in the submission). A title without ``(id)`` creates a new column."""

    def __init__(self, path: Path, title: str, assignment_id: str | None, points_possible: float | None) -> None:
        self.out = AtomicStream(path)
        column = f"{title} ({assignment_id})" if assignment_id else title
        self.out.write(_csv_line(CANVAS_IDENTITY_COLUMNS + [column]))
        self.out.write(_csv_line([POINTS_POSSIBLE, "", "", "", "", fmt_points(points_possible)]))

    def add(self, row: dict) -> None:
        lms = row.get("lms") or {}
        canvas_id = lms.get("user_id") if lms.get("lms") == "canvas" else None
        sis = (row.get("yaml_student") or {}).get("id")
        self.out.write(
            _csv_line([safe_cell(row.get("name") or row.get("student_id") or ""), canvas_id or "", safe_cell(sis),
                       "", "", fmt_points(row.get("score"))])
        )


class MoodleCsv:
    def __init__(self, path: Path, timestamp: str) -> None:
        self.out = AtomicStream(path)
        self.timestamp = timestamp
        self.out.write(_csv_line(MOODLE_COLUMNS))

    def add(self, row: dict) -> None:
        lms = row.get("lms") or {}
        ident = f"Participant {lms['participant_id']}" if lms.get("lms") == "moodle" else ""
        sis = (row.get("yaml_student") or {}).get("id")
        self.out.write(
            _csv_line(
                [
                    ident,
                    safe_cell(row.get("name")),
                    safe_cell(sis),
                    fmt_points(row.get("score")),
                    fmt_points(row.get("max_score")),
                    self.timestamp,
                    safe_cell(short_comment(row)),
                ]
            )
        )


class AgsJsonl:
    """LTI 1.3 AGS score objects (``application/vnd.ims.lis.v1.score+json``), one line per graded student.

    ``userId`` is the best id the batch knows (Canvas user id, Moodle participant id, or the id in the file); an
    LTI platform expects its own user id (the launch's ``sub``), so map it before posting if they differ."""

    def __init__(self, path: Path, timestamp: str) -> None:
        self.out = AtomicStream(path)
        self.timestamp = timestamp
        self.count = 0

    def add(self, row: dict) -> None:
        if row.get("score") is None or not row.get("student_id"):
            return
        obj = {
            "userId": row["student_id"],
            "scoreGiven": row["score"],
            "scoreMaximum": row["max_score"],
            "comment": short_comment(row),
            "timestamp": self.timestamp,
            "activityProgress": "Completed",
            "gradingProgress": "FullyGraded",
        }
        self.out.write(json.dumps(obj, ensure_ascii=False, separators=(", ", ": ")) + "\n")
        self.count += 1
