"""What an instructor uploads where: the ready feedback zips and the "Upload guide" of ``summary.html``.

* ``feedback-canvas.zip``: one HTML report per Canvas student, ``{sortablename}_{user_id}_{attachment_id}_feedback
  .html`` (``anon_{id}_{attachment_id}_feedback.html`` when anonymous), for "Upload submissions" of the assignment:
  canvas-lms ``app/models/abstract_assignment.rb`` (``infer_comment_context_from_filename``) splits the name on
  ``_``, drops ``LATE``, reads ``anon_{id}_{attachment}`` or the first two all-digit parts (user id, attachment id),
  and attaches the file to that student only if the attachment is on the student's current submission.
* ``feedback-moodle.zip``: one HTML report per Moodle participant, ``{Full name}_{participantid}_assignfeedback_file_
  feedback.html``, for "Upload multiple feedback files in a zip": ``mod/assign/feedback/file/importziplib.php``
  splits each path part with ``explode('_', $part, 5)``, takes the participant id from the second field and the
  plugin from the third and fourth, and stores the rest (``feedback.html``) as the student's feedback file,
  replacing the one of the same name (a re-upload replaces, never adds).

Only the file that counts for an identified student goes in: superseded and unidentified reports are kept in
``feedback-not-uploaded/`` under names with ``-`` for ``_``, which neither importer matches. The zips are
deterministic (sorted entries, fixed times).
"""

from __future__ import annotations

import os
import zipfile
from html import escape
from pathlib import Path

from grader.batch.gradebooks import fmt_points
from grader.fileio import atomic_writer

__all__ = ["FeedbackZips", "ZIP_NAMES", "upload_guide_html"]

ZIP_NAMES = {"canvas": "feedback-canvas.zip", "moodle": "feedback-moodle.zip"}
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


class FeedbackZips:
    """Collects, per LMS, the HTML reports to zip (their final paths), then writes the zips once they are in place."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.entries: dict[str, list[tuple[str, str]]] = {"canvas": [], "moodle": []}  # (name in zip, path)

    def add(self, row: dict, feedback: dict | None) -> None:
        lms = (row.get("lms") or {}).get("lms")
        if lms in self.entries and feedback and feedback.get("html"):
            rel = feedback["html"]
            self.entries[lms].append((rel.rsplit("/", 1)[-1], rel))

    def write(self) -> dict[str, int]:
        """Write the zips that have entries and remove a stale one that has none; how many reports each holds."""
        counts = {}
        for lms, entries in self.entries.items():
            path = self.out_dir / ZIP_NAMES[lms]
            if not entries:
                try:
                    os.unlink(path)  # a zip of an earlier run would send old reports
                except FileNotFoundError:
                    pass
                continue
            with atomic_writer(path) as f, zipfile.ZipFile(f, "w") as zf:
                for name, rel in sorted(entries):
                    info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
                    info.external_attr = 0o644 << 16
                    info.compress_type = zipfile.ZIP_DEFLATED
                    with open(self.out_dir / rel, "rb") as src:
                        zf.writestr(info, src.read(), compresslevel=1)
            counts[lms] = len(entries)
        return counts


def _li(text: str) -> str:
    return f"<li>{text}</li>"


def _code(text: str) -> str:
    return f"<code>{escape(text)}</code>"


def upload_guide_html(*, lms_seen: set[str], books: dict, zips: dict[str, int], attention: int, held: int,
                      scale_to: float | None, points: float | None, stamp: str, roster: bool) -> str:
    """The "Upload guide" section: per LMS which file goes where, and what each file leaves out and why."""
    canvas, moodle = books["canvas"], books["moodle"]
    idnumber, ags = books["idnumber"], books["ags"]
    out = ["<section id=upload-guide><h2>Upload guide</h2>",
           "<p>Upload only the files named here; each holds exactly one entry per student, under the identifier "
           "that LMS matches. Files no gradebook can take are in " + _code("needs-attention.csv") +
           f" ({attention}); reports kept out of every upload (superseded or unidentified submissions) are in "
           + _code("feedback-not-uploaded/") + f" ({held}).</p>"]
    top = fmt_points(scale_to if scale_to is not None else points)
    if "canvas" in lms_seen or not lms_seen:
        items = [
            _li(f"Grades: Gradebook → Import → {_code('gradebook-canvas.csv')} ({canvas.count} students, "
                f"points possible {escape(top)}). Students are matched by ID (the Canvas user id)" +
                (", else by SIS User ID (the id in the submission)" if not lms_seen else "") + "."),
        ]
        if zips.get("canvas"):
            items.append(_li(f"Feedback: the assignment's Submissions → Upload submissions → {_code('feedback-canvas.zip')} "
                             f"({zips['canvas']} reports; each attaches to its student's current submission as a "
                             "comment; uploading it again adds the comments again)."))
        if canvas.omitted.get("anonymous"):
            items.append(_li(f"<strong>Anonymous grading</strong>: {canvas.omitted['anonymous']} submissions carry only "
                             "an anonymous id. Canvas refuses a gradebook import into an anonymous assignment until its "
                             "grades are posted, so they are not in the CSV: enter those scores in SpeedGrader (they are "
                             "in grades.csv under anon_…), or post the grades and rerun with the user ids. The feedback "
                             "upload works: Canvas reads anon_{id} in the report's name."))
        out.append("<h3>Canvas</h3><ul>" + "".join(items) + "</ul>")
    if "moodle" in lms_seen:
        items = [
            _li(f"Grades: the assignment's View all submissions → Grading action → Upload grading worksheet → "
                f"{_code('gradebook-moodle.csv')} ({moodle.count} participants, out of {escape(top)}). Its "
                f"“Last modified (grade)” is the batch's time, {escape(stamp)}: Moodle skips a row whose grade was "
                "changed in Moodle more than a minute after it (rerun without --timestamp, or tick “Allow updating "
                "records that have been modified more recently in Moodle than in the spreadsheet”). Moodle also "
                f"skips a grade above the assignment's maximum grade: set it to {escape(top)}"
                + ("" if scale_to is not None else " or rerun with --scale-to MAX") + "."),
        ]
        if zips.get("moodle"):
            items.append(_li(f"Feedback: Grading action → Upload multiple feedback files in a zip → "
                             f"{_code('feedback-moodle.zip')} ({zips['moodle']} reports, each stored as the "
                             "participant's feedback.html; uploading it again replaces them)."))
        out.append("<h3>Moodle</h3><ul>" + "".join(items) + "</ul>")
    out.append("<h3>Moodle gradebook (CSV import)</h3><ul>" + _li(
        f"Grades → Import → CSV file → {_code('gradebook-moodle-idnumber.csv')} ({idnumber.count} students from "
        "outside an LMS download, by the id in their submission): map “ID number” to the user's ID number, the score "
        "column to the grade item and the feedback column to its feedback. Every row has an ID number (a blank one "
        "would take the previous row's student)." + (" Students of a Moodle download are not in it: use the grading "
        "worksheet, which names them by participant." if "moodle" in lms_seen else "")) + "</ul>")
    why = []
    if ags.omitted.get("moodle"):
        why.append(f"{ags.omitted['moodle']} Moodle participants (a participant id is not the Moodle user id AGS needs)")
    if ags.omitted.get("anonymous"):
        why.append(f"{ags.omitted['anonymous']} anonymous Canvas submissions")
    if ags.omitted.get("not in the roster"):
        why.append(f"{ags.omitted['not in the roster']} students not in the roster")
    out.append("<h3>LTI 1.3 (AGS)</h3><ul>" + _li(
        f"{_code('ags-scores.jsonl')}: {ags.count} score objects to POST to the line item's /scores, userId "
        + ("from --roster" if roster else "the Canvas user id or the submission's id") +
        f", timestamp {escape(stamp)}; gradingProgress PendingManual while written answers await a score. A platform "
        "refuses a score whose timestamp is not newer than the one it holds: rerun without --timestamp to resend."
        + (" Left out: " + "; ".join(why) + " (pass --roster with their user ids)." if why else "")) + "</ul>")
    out.append("</section>")
    return "\n".join(out)
