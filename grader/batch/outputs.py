"""A batch's outputs, written once every row is known: the gradebooks, ``grades.json``, the feedback reports under
their final names and ``summary.html``.

Rows are streamed from the run's spill file in their final order (student, then file), so memory stays flat; every
gradebook is written to a temporary file and renamed into place only when complete.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from grader.batch import gradebooks
from grader.batch.feedback import Publisher
from grader.batch.inputs import shown_name
from grader.batch.order import RowKey, resolve_resubmissions
from grader.batch.summary import SummaryBuilder
from grader.fileio import write_atomic

__all__ = ["OUTPUT_FILES", "BatchResult", "InputInfo", "ProblemsSeen", "write_outputs", "json_entry"]

OUTPUT_FILES = (
    "grades.csv",
    "grades.json",
    "gradebook-canvas.csv",
    "gradebook-moodle.csv",
    "ags-scores.jsonl",
    "summary.html",
)


@dataclass(frozen=True)
class BatchResult:
    out: Path
    files: int
    graded: int  # files graded (including superseded ones)
    unusable: int  # files that could not be graded
    superseded: int  # files replaced by a later one of the same student
    skipped: int  # files that are not submissions
    students: int  # students counted (one row each in the gradebooks)
    feedback_failed: int = 0

    def line(self) -> str:
        text = f"graded {self.graded}, unusable {self.unusable}, superseded {self.superseded}"
        if self.skipped:
            text += f", skipped {self.skipped} (not submissions)"
        if self.feedback_failed:
            text += f", feedback failed {self.feedback_failed}"
        return f"{text} → {self.out}"


class ProblemsSeen:
    """The problems the rows were graded against, as rows arrive: title, maximum score and quantities of each, and
    how many files answer it (the assignment's default name is the problem most files answer)."""

    def __init__(self) -> None:
        self.problems: dict[str, tuple[str, float, list[str]]] = {}
        self.tally: dict[str, int] = {}

    def add(self, meta: dict) -> None:
        pid = meta["problem"]
        if pid:
            self.tally[pid] = self.tally.get(pid, 0) + 1
            if pid not in self.problems:
                self.problems[pid] = (meta["problem_title"] or pid, meta["max_score"], meta["fields"])


@dataclass(frozen=True)
class InputInfo:
    root: str  # the input as given
    kind: str  # "folder" | "zip"


def write_outputs(
    read_row: Callable[[RowKey], dict], keys: list[RowKey], seen: ProblemsSeen, source: InputInfo, out_dir: Path,
    publisher: Publisher, stamp: str, assignment_name: str | None, assignment_id: str | None,
) -> BatchResult:
    """Resolve resubmissions, sort, and write every output under ``out_dir``; the staged feedback reports must be
    durable already (they are published here by rename)."""
    problems, tally = seen.problems, seen.tally
    resolve_resubmissions(keys)
    keys.sort(key=lambda k: k.sort)

    problem_ids = sorted(problems)
    quantities: list[str] = []
    for pid in problem_ids:
        for q in problems[pid][2]:
            if q not in quantities:
                quantities.append(q)
    counts = {"files": len(keys), "graded": 0, "unusable": 0, "superseded": 0, "skipped": 0, "students": 0}
    for k in keys:
        if k.status in counts:
            counts[k.status] += 1
        if k.superseded_by is not None:
            counts["superseded"] += 1
        elif k.status in ("graded", "unusable"):
            counts["students"] += 1
    maxima = sorted({problems[p][1] for p in problem_ids})
    points_possible = maxima[-1] if maxima else None
    notes: list[str] = []
    if len(problem_ids) > 1:
        notes.append(
            f"The submissions answer {len(problem_ids)} different problems ({', '.join(problem_ids)}); "
            + ("their maximum scores differ, and the gradebooks use the largest. " if len(maxima) > 1 else "")
            + "Pass --problem to grade every file against one problem."
        )

    # the assignment's name: --assignment-name, else the problem most files answer
    if not assignment_name:
        ranked = sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))
        assignment_name = ranked[0][0] if ranked else (problem_ids[0] if problem_ids else "backprop")

    head = {
        "assignment": {
            "name": assignment_name,
            "id": assignment_id,
            "problems": [{"id": p, "title": problems[p][0], "max_score": problems[p][1]} for p in problem_ids],
            "points_possible": points_possible,
            "timestamp": stamp,
            "input": shown_name(os.path.basename(os.path.normpath(source.root))),
            "input_kind": source.kind,
        },
        "counts": counts,
        "quantities": quantities,
    }
    summary = SummaryBuilder(quantities)
    writers = []
    try:
        gcsv = gradebooks.GradesCsv(out_dir / "grades.csv", quantities)
        writers.append(gcsv.out)
        gjson = gradebooks.GradesJson(out_dir / "grades.json", head)
        writers.append(gjson.out)
        canvas = gradebooks.CanvasCsv(out_dir / "gradebook-canvas.csv", assignment_name, assignment_id, points_possible)
        writers.append(canvas.out)
        moodle = gradebooks.MoodleCsv(out_dir / "gradebook-moodle.csv", stamp)
        writers.append(moodle.out)
        ags = gradebooks.AgsJsonl(out_dir / "ags-scores.jsonl", stamp)
        writers.append(ags.out)
        feedback_failed = 0
        for k in keys:
            row = read_row(k)
            if k.superseded_by is not None:
                row["status"] = "superseded"
                row["superseded_by"] = k.superseded_by
                row["superseded_by_unusable"] = k.superseded_by_unusable
            else:
                row["superseded_by"] = None
            feedback = publisher.publish(row, k.superseded_by is not None) if row.get("feedback") else None
            if row.get("feedback_error"):
                feedback_failed += 1
            gcsv.add(row)
            gjson.add(json_entry(row, feedback))
            summary.add(row)
            if row["status"] in ("graded", "unusable"):
                canvas.add(row)
                moodle.add(row)
                ags.add(row)
        publisher.flush()
        gjson.commit()
        for w in (gcsv.out, canvas.out, moodle.out, ags.out):
            w.commit()
        writers = []
    finally:
        for w in writers:
            w.abort()

    meta = [
        ("Assignment", assignment_name + (f" ({assignment_id})" if assignment_id else "")),
        ("Problems", ", ".join(f"{p}: {problems[p][0]} ({gradebooks.fmt_points(problems[p][1])} points)"
                               for p in problem_ids) or "none graded"),
        ("Input", f"{head['assignment']['input']} ({source.kind})"),
        ("Files", f"{counts['files']}: graded {counts['graded']}, could not be graded {counts['unusable']}, "
                  f"skipped {counts['skipped']}; superseded {counts['superseded']}"),
        ("Students", str(counts["students"])),
        ("Timestamp", stamp),
    ]
    write_atomic(out_dir / "summary.html", summary.html(title=assignment_name, meta=meta, notes=notes))
    return BatchResult(
        out=out_dir,
        files=counts["files"],
        graded=counts["graded"],
        unusable=counts["unusable"],
        superseded=counts["superseded"],
        skipped=counts["skipped"],
        students=counts["students"],
        feedback_failed=feedback_failed,
    )


def json_entry(row: dict, feedback: dict | None) -> dict:
    """A row as ``grades.json`` lists it."""
    return {
        "file": row["file"],
        "status": row["status"],
        "student": {"id": row.get("student_id"), "name": row.get("name")},
        "from_file_name": row.get("lms"),
        "from_submission": row.get("yaml_student"),
        "problem": row.get("problem"),
        "score": row.get("score"),
        "max_score": row.get("max_score"),
        "error": row.get("error_detail") or ({"message": row["error"]} if row.get("error") else None),
        "superseded_by": row.get("superseded_by"),
        "fields": {
            q: {
                "verdict": verdict,
                "points": pts,
                "max_points": mx,
                "diagnosis": {"id": did, "text": dtext} if did else None,
            }
            for q, verdict, pts, mx, did, dtext in row.get("fields") or ()
        },
        "flags": [{"kind": kind, "quantity": q, "message": msg} for kind, q, msg in row.get("flags") or ()],
        "warnings": row.get("warnings") or [],
        "feedback": feedback,
        "feedback_error": row.get("feedback_error"),
    }
