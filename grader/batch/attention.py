"""``needs-attention.csv``: every file the gradebooks could not take, with the reason, so none is lost silently.

A gradebook row without an identifier corrupts Moodle's CSV import (``grade/import/csv/classes/load_data.php`` gives
it the previous row's student) and one with an unknown id aborts the whole import; so such files never reach a
gradebook, they are listed here: files that could not be graded, files that say nobody or only a name, an id that
two files claim, a student missing from ``--roster``, and files that are not submissions (macOS metadata aside).
"""

from __future__ import annotations

from pathlib import Path

from grader.batch.gradebooks import AtomicStream, csv_line, safe_cell
from grader.batch.inputs import shown_name

__all__ = ["NEEDS_ATTENTION_COLUMNS", "NeedsAttention", "placement", "has_identifier"]

NEEDS_ATTENTION_COLUMNS = ["file", "student_id", "name", "reason", "detail"]

REASONS = {
    "not-graded": "could not be graded",
    "no-identity": "nobody: neither the file name nor the file says who this is",
    "name-only": "only a name, no id: no gradebook can match it safely",
    "duplicate-id": "an identifier another file already has",
    "not-in-roster": "not in the roster",
    "not-a-submission": "not a submission file",
}


def has_identifier(row: dict) -> bool:
    """Whether a row names its student by an id (an LMS identity, or ``student: {id}``), not only by a name."""
    return bool(row.get("lms")) or bool((row.get("yaml_student") or {}).get("id"))


def placement(row: dict) -> str:
    """Where a row's feedback goes: ``upload`` (the file that counts for an identified student), ``superseded``,
    or ``unidentified`` (both kept out of the upload folder)."""
    if row["status"] == "superseded":
        return "superseded"
    return "upload" if has_identifier(row) else "unidentified"


class NeedsAttention:
    def __init__(self, path: Path) -> None:
        self.out = AtomicStream(path)
        self.out.write(csv_line(NEEDS_ATTENTION_COLUMNS))
        self.count = 0

    def add(self, row: dict, reason: str, detail: str = "") -> None:
        self.out.write(csv_line([
            safe_cell(row["file"]),
            safe_cell(row.get("student_id") or ""),
            safe_cell(row.get("name") or ""),
            reason,
            safe_cell(detail or REASONS.get(reason, "")),
        ]))
        self.count += 1

    def consider(self, row: dict) -> bool:
        """List a row that no gradebook may take (returns True); False for a graded row with an identifier."""
        status = row["status"]
        if status == "superseded":
            return True  # not listed: its student's latest file counts
        if status == "skipped":
            reason = row.get("error") or ""
            if row.get("_graded_beside"):  # the student's work is graded from another file of theirs
                reason += f" (this student's {shown_name(row['_graded_beside'])[:120]} is graded)"
            if not reason.startswith("macOS metadata"):
                self.add(row, "not-a-submission", reason)
            return True
        if status != "graded" or row.get("score") is None:
            self.add(row, "not-graded", row.get("error") or "")
            return True
        if not has_identifier(row):
            self.add(row, "name-only" if row.get("name") else "no-identity")
            return True
        return False
