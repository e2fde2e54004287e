"""A batch's outputs, written once every row is known: the gradebooks, ``grades.json``, ``needs-attention.csv``,
the feedback reports under their final names, the feedback zips and ``summary.html``.

Rows are streamed from the run's spill file in their final order (student, then file), so memory stays flat; every
gradebook is written to a temporary file and renamed into place only when complete. A gradebook row always has its
student's identifier, once; whatever no gradebook can take is in ``needs-attention.csv`` (``grader.batch.attention``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from grader.batch import gradebooks, lmsbooks
from grader.batch.gradebooks import json_entry
from grader.batch.hashindex import HashIndex
from grader.batch.attention import NeedsAttention, placement
from grader.batch.feedback import Publisher
from grader.batch.inputs import identity_from_name, shown_name
from grader.batch.order import Keys, resolve_resubmissions
from grader.batch.roster import Roster
from grader.batch.stamp import BatchTime
from grader.batch.summary import SummaryBuilder
from grader.batch.uploads import FeedbackZips, upload_guide_html
from grader.fileio import write_atomic

__all__ = ["OUTPUT_FILES", "BatchResult", "InputInfo", "LmsOptions", "ProblemsSeen", "write_outputs", "json_entry"]

OUTPUT_FILES = (
    "grades.csv",
    "grades.json",
    "needs-attention.csv",
    "gradebook-canvas.csv",
    "gradebook-moodle.csv",
    "gradebook-moodle-idnumber.csv",
    "ags-scores.jsonl",
    "summary.html",
)  # and, when the input has such students, the feedback zips (``grader.batch.uploads.ZIP_NAMES``)


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
    needs_attention: int = 0  # files listed in needs-attention.csv
    answered_nothing: int = 0  # graded files (superseded ones aside) with every field missing: nothing read

    def line(self) -> str:
        text = f"graded {self.graded}, unusable {self.unusable}"
        if self.superseded:  # counted in those two already: the three do not add up to the files
            text += f" (of these, {self.superseded} superseded by a later file of the same student)"
        if self.skipped:
            text += f", skipped {self.skipped} (not submissions)"
        if self.needs_attention:
            text += f", needs attention {self.needs_attention} (needs-attention.csv)"
        if self.answered_nothing:  # a write-up read as nothing, a blank template: worth a look before the 0 stands
            text += f", answered nothing {self.answered_nothing} (every field missing: see their reports)"
        if self.feedback_failed:
            text += f", feedback failed {self.feedback_failed}"
        return f"{text} → {self.out}"


class ProblemsSeen:
    """The problems the rows were graded against, as rows arrive: title, maximum score and quantities of each, and
    how many files answer it (the assignment's default name is the problem most files answer)."""

    def __init__(self) -> None:
        self.problems: dict[str, tuple[str, float, list[str]]] = {}
        self.tally: dict[str, int] = {}

    def add(self, pid: str | None, title: str | None, max_score: float | None, fields: list[str] | None) -> None:
        """A row of problem ``pid`` (its ``fields`` are needed with the first row of a problem only)."""
        if pid:
            self.tally[pid] = self.tally.get(pid, 0) + 1
            if pid not in self.problems:
                self.problems[pid] = (title or pid, max_score, fields or [])


@dataclass(frozen=True)
class InputInfo:
    root: str  # the input as given
    kind: str  # "folder" | "zip"
    lms: str = "auto"  # the grammar its names were read with


@dataclass(frozen=True)
class LmsOptions:
    """How the LMS outputs are written: ``--roster`` (LMS user ids for AGS) and ``--scale-to`` (gradebook maximum)."""

    roster: Roster | None = None
    scale_to: float | None = None


def _graded_beside(row: dict, generic_ids: HashIndex, row_at: Callable[[int], dict]) -> str | None:
    """The graded file of the student a skipped file belongs to by its LMS name (a skipped file is given no identity:
    its name is read here, as the batch read the others'), or None."""
    identity = identity_from_name(row["file"], row["src"][2])
    at = generic_ids.get(identity.student_id) if identity is not None else None
    return row_at(at)["file"] if at is not None else None


def _generic_ids(row: dict) -> list[str]:
    """The ids that name a row's student in grades.csv: the id shown, and the student's own id when it differs."""
    sid = row.get("student_id")
    own = (row.get("yaml_student") or {}).get("id")
    return [sid] + ([own] if own and own != sid else [])


def write_outputs(
    read_row: Callable[[int], dict], keys: Keys, seen: ProblemsSeen, source: InputInfo, out_dir: Path,
    publisher: Publisher, stamp: BatchTime, assignment_name: str | None, assignment_id: str | None,
    options: LmsOptions | None = None, spill_to: str | os.PathLike | None = None,
) -> BatchResult:
    """Resolve resubmissions, sort, and write every output under ``out_dir``; the feedback reports are in their
    first places already (``publisher`` moves those that do not belong there). ``spill_to``: a folder where the
    indexes of identifiers written go once they outgrow memory (the run's scratch folder)."""
    options = options or LmsOptions()
    problems, tally = seen.problems, seen.tally
    keys.sort()
    resolve_resubmissions(keys, read_row)

    problem_ids = sorted(problems)
    quantities: list[str] = []
    for pid in problem_ids:
        for q in problems[pid][2]:
            if q not in quantities:
                quantities.append(q)
    counts = {"files": len(keys), "graded": 0, "unusable": 0, "superseded": 0, "skipped": 0, "students": 0}
    for i, (_, status) in enumerate(keys.statuses()):
        counts[status] += 1
        if i in keys.superseded:
            counts["superseded"] += 1
        elif status in ("graded", "unusable"):
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
            "scale_to": options.scale_to,
            "timestamp": stamp.millis,
            "input": shown_name(os.path.basename(os.path.normpath(source.root))),
            "input_kind": source.kind,
            "lms": source.lms,
        },
        "counts": counts,
        "quantities": quantities,
    }
    summary = SummaryBuilder(quantities)
    scale = lmsbooks.Scale(options.scale_to)
    zips = FeedbackZips(out_dir)
    lms_seen: set[str] = set()
    held = 0
    writers = []
    try:
        gcsv = gradebooks.GradesCsv(out_dir / "grades.csv", quantities)
        writers.append(gcsv.out)
        gjson = gradebooks.GradesJson(out_dir / "grades.json", head)
        writers.append(gjson.out)
        attention = NeedsAttention(out_dir / "needs-attention.csv")
        writers.append(attention.out)
        books = {
            "canvas": lmsbooks.CanvasCsv(out_dir / "gradebook-canvas.csv", assignment_name, assignment_id,
                                         points_possible, scale),
            "moodle": lmsbooks.MoodleWorksheet(out_dir / "gradebook-moodle.csv", stamp, scale),
            "idnumber": lmsbooks.MoodleIdnumberCsv(out_dir / "gradebook-moodle-idnumber.csv", assignment_name, scale),
            "ags": lmsbooks.AgsJsonl(out_dir / "ags-scores.jsonl", stamp, options.roster),
        }
        writers += [b.out for b in books.values()]

        row_at = read_row  # a row written earlier, read again (its identifiers are kept as hashes)

        for book in books.values():
            book.bind(row_at, spill_to, expected=counts["students"])
        generic_ids = HashIndex(lambda ordinal: _generic_ids(row_at(ordinal)), wide=False, spill_to=spill_to,
                                expected=counts["students"])  # id in grades.csv -> row
        feedback_failed = 0
        for ordinal in range(len(keys)):
            row = read_row(ordinal)
            row["_ord"] = ordinal
            by = keys.superseded.get(ordinal)
            if by is not None:
                row["status"] = "superseded"
                row["superseded_by"], row["superseded_by_unusable"] = by
            else:
                row["superseded_by"] = None
            place = placement(row)
            feedback = publisher.publish(row, place) if row.get("feedback") else None
            if feedback is not None:
                if place == "upload":
                    zips.add(row, feedback)
                else:
                    held += 1
            if row.get("feedback_error"):
                feedback_failed += 1
            if row.get("lms") and row["status"] != "skipped":
                lms_seen.add(row["lms"]["lms"])
            if row.get("_entry") is not None and row["superseded_by"] is None and feedback is row.get("feedback"):
                gjson.add_text(row["_entry"])  # encoded by the worker (the usual case: the report stayed in place)
            else:
                gjson.add(json_entry(row, feedback))
            summary.add(row, feedback)
            if row["status"] == "skipped" and row.get("src"):  # (rows without an id sort last: every graded
                beside = _graded_beside(row, generic_ids, row_at)  # row with one is in grades.csv by now)
                if beside is not None:  # a PDF beside the notebook it was exported from: the work is graded
                    row["_graded_beside"] = beside
            if attention.consider(row):
                continue
            refused = []
            ids = _generic_ids(row)
            if len(ids) == 1:  # (the usual case: one probe of the index)
                h = generic_ids.claim(ids[0], ordinal)
                taken = None if h is None else (ids[0], h)
            else:
                taken = next(((i, h) for i in ids if (h := generic_ids.get(i)) is not None), None)
                if taken is None:
                    for i in ids:
                        generic_ids.add(i, ordinal)
            if taken is not None:
                refused.append(f"student id {taken[0]} is already in grades.csv (for {row_at(taken[1])['file']})")
            else:
                gcsv.add(row)
            refused += [r for r in (b.add(row) for b in books.values()) if r]
            if refused:
                attention.add(row, "not-in-roster" if all("roster" in r for r in refused) else "duplicate-id",
                              "; ".join(refused))
        publisher.flush()
        gjson.commit()
        for w in writers:
            if not w.f.closed:
                w.commit()
        writers = []
    finally:
        for w in writers:
            w.abort()
    zip_counts = zips.write()

    if options.scale_to is not None:
        notes.append(f"Gradebook scores are scaled to {gradebooks.fmt_points(options.scale_to)} points (--scale-to); "
                     "grades.csv, grades.json and the AGS scores keep the problem's points.")
    if books["canvas"].omitted.get("anonymous"):
        notes.append("Anonymous Canvas grading: these submissions cannot be imported through the gradebook CSV until "
                     "the assignment's grades are posted (Canvas refuses the import); the feedback upload works. See "
                     "the upload guide.")
    answered_nothing = len(summary.answered_nothing)
    meta = [
        ("Assignment", assignment_name + (f" ({assignment_id})" if assignment_id else "")),
        ("Problems", ", ".join(f"{p}: {problems[p][0]} ({gradebooks.fmt_points(problems[p][1])} points)"
                               for p in problem_ids) or "none graded"),
        ("Input", f"{head['assignment']['input']} ({source.kind}"
                  + (f", read as a {source.lms.capitalize()} download" if source.lms in ("canvas", "moodle") else "")
                  + ")"),
        ("Files", f"{counts['files']}: graded {counts['graded']}, could not be graded {counts['unusable']}, "
                  f"skipped {counts['skipped']}; superseded {counts['superseded']}"
                  + (f"; answered nothing (every field missing) {answered_nothing}" if answered_nothing else "")),
        ("Students", str(counts["students"])),
        ("Needs attention", f"{attention.count} (needs-attention.csv)"),
        ("Timestamp", stamp.millis),
    ]
    guide = upload_guide_html(lms_seen=lms_seen, books=books, zips=zip_counts, attention=attention.count,
                              held=held, scale_to=options.scale_to, points=points_possible, stamp=stamp.millis,
                              roster=options.roster is not None)
    write_atomic(out_dir / "summary.html", summary.html(title=assignment_name, meta=meta, notes=notes, guide=guide))
    return BatchResult(
        out=out_dir,
        files=counts["files"],
        graded=counts["graded"],
        unusable=counts["unusable"],
        superseded=counts["superseded"],
        skipped=counts["skipped"],
        students=counts["students"],
        feedback_failed=feedback_failed,
        needs_attention=attention.count,
        answered_nothing=answered_nothing,
    )
