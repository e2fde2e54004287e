"""A batch's feedback reports: their file names (so that the LMS takes them back), the report of a file that could
not be graded, and the two steps of their publication.

Workers *stage* each student's reports in a private folder as soon as the file is graded (:func:`stage`); the parent
*publishes* them under their final names once every row is known (:class:`Publisher`: one atomic rename each, after
the one filesystem sync of ``grader.batch.bookkeeping.make_durable``).
"""

from __future__ import annotations

import os
import re
import unicodedata
from html import escape
from pathlib import Path
from typing import Callable

from grader.batch.lmsnames import LmsIdentity
from grader.submission.student import Student

__all__ = [
    "canvas_sortable",
    "feedback_stem",
    "error_feedback_markdown",
    "error_feedback_html",
    "stage",
    "staged_name",
    "Publisher",
    "HELD",
    "held_stem",
]

# ------------------------------------------------------------------------------------------------------------------
# names


def canvas_sortable(name: str) -> str:
    """Canvas-style sortable file name of a person: last name then the others, lower case, word characters only
    ("Reza Mosavi" -> "mosavireza"; "Doe, Jane" -> "doejane")."""
    if "," in name:
        last, _, first = name.partition(",")
        ordered = last + first
    else:
        words = name.split()
        ordered = "".join(words[-1:] + words[:-1])
    return re.sub(r"[\W_]+", "", ordered).lower()


_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
MAX_STEM_CHARS, MAX_STEM_BYTES = 120, 180  # with "-NN" and ".html" well within a file name's 255 bytes


def _clean(text: str) -> str:
    text = _UNSAFE.sub("_", unicodedata.normalize("NFC", text))
    if not text.isprintable():  # bytes that are not UTF-8, bidirectional overrides, zero-width characters
        text = re.sub(r"_+", "_", "".join(c if c.isprintable() else "_" for c in text))
    return text


def _safe_stem(head: str, tail: str = "") -> str:
    """A file name stem from ``head`` (shortened when needed) and ``tail`` (kept whole: the ids an LMS reads):
    no path separators, no characters a file system or a shell finds hard, printable, at most ``MAX_STEM_CHARS``
    characters and ``MAX_STEM_BYTES`` bytes of UTF-8."""
    head, tail = _clean(head), _clean(tail)
    if len(tail) > MAX_STEM_CHARS // 2 or len(tail.encode()) > MAX_STEM_BYTES // 2:
        head, tail = head + tail, ""  # a hostile id: no part of the name is worth keeping whole
    text = (head + tail).strip(" ._") or "submission"
    if len(text) > MAX_STEM_CHARS or len(text.encode()) > MAX_STEM_BYTES:
        head = head.lstrip(" ._")[: MAX_STEM_CHARS - len(tail)]
        head = head.encode()[: MAX_STEM_BYTES - len(tail.encode())].decode("utf-8", "ignore")
        text = (head.rstrip(" ._") + tail).strip(" ._") or "submission"
    return text


def feedback_stem(lms: LmsIdentity | None, student: Student | None, file: str) -> str:
    """The base name of a student's feedback reports, chosen so that the LMS can take them back:

    * Canvas: ``{sortablename}_{user_id}_{attachment_id}_feedback`` (Canvas's "upload submissions" reads the user and
      attachment ids as the first two all-digit ``_`` parts); anonymous: ``anon_{id}_{attachment_id}_feedback``;
    * Moodle: ``{Full name}_{participantid}_assignfeedback_file_feedback`` (Moodle's "upload multiple feedback files
      in a zip" reads the participant id and the feedback plugin from the name);
    * otherwise ``{sortablename}_{student id}_feedback`` from the submission, else ``{file name}_feedback``.

    A long name is shortened, never its ids.
    """
    if lms is not None and lms.lms == "canvas":
        if lms.anon_id:
            return _safe_stem(f"anon_{lms.anon_id}", f"_{lms.attachment_id}_feedback")
        sortable = lms.sortable_name or "student"
        return _safe_stem(sortable, f"_{lms.user_id}_{lms.attachment_id}_feedback")
    if lms is not None and lms.lms == "moodle":
        full = (lms.full_name or "Participant").replace("_", " ")
        return _safe_stem(full, f"_{lms.participant_id}_assignfeedback_file_feedback")
    if student is not None and student.id:
        sortable = canvas_sortable(student.name) if student.name else ""
        return _safe_stem(sortable or "student", f"_{student.id}_feedback")
    base = file.replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return _safe_stem(stem, "_feedback")


# ------------------------------------------------------------------------------------------------------------------
# the report of a file that could not be graded


def error_feedback_markdown(file: str, row: dict) -> str:
    d = row.get("error_detail") or {}
    where = f"line {d['line']}" if d.get("line") else ""
    if d.get("path"):
        where = f"{where}, at `{d['path']}`" if where else f"at `{d['path']}`"
    lines = [
        f"# Feedback: {file}",
        "",
        "Your submission could not be graded.",
        "",
        f"**Problem{f' ({where})' if where else ''}:** {d.get('message') or row.get('error') or 'unknown'}",
    ]
    if d.get("hint"):
        lines += ["", f"**What would be right:** {d['hint']}"]
    lines += ["", "Fix the file and submit it again."]
    return "\n".join(lines) + "\n"


def error_feedback_html(file: str, row: dict) -> str:
    d = row.get("error_detail") or {}
    where = f"line {d['line']}" if d.get("line") else ""
    if d.get("path"):
        where = f"{where}, at {d['path']}" if where else f"at {d['path']}"
    hint = f"<p><strong>What would be right:</strong> {escape(d['hint'])}</p>" if d.get("hint") else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Feedback: {escape(file)}</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#222}"
        ".err{border-left:4px solid #c62828;background:#fdecea;padding:.5rem .8rem}</style></head><body>"
        f"<h1>Feedback: {escape(file)}</h1><p>Your submission could not be graded.</p>"
        f"<div class=err><p><strong>Problem{escape(f' ({where})' if where else '')}:</strong> "
        f"{escape(d.get('message') or row.get('error') or 'unknown')}</p>{hint}</div>"
        "<p>Fix the file and submit it again.</p></body></html>\n"
    )


# ------------------------------------------------------------------------------------------------------------------
# staging (workers) and publishing (the parent)

FORMATS = (("md", "markdown"), ("html", "html"))


def staged_name(index: int, ext: str) -> str:
    """The name of row ``index``'s staged report in the staging folder."""
    return f"{index:07d}.{ext}"


def stage(path: Path, text: str) -> None:
    """Write a feedback report into the private staging folder. No fsync here: the batch makes every staged report
    durable with one filesystem sync before it moves them to their final names (an atomic rename each), which
    keeps the write-to-temporary-then-rename guarantee of ``write_atomic`` without one fsync per file (on ext4 each
    fsync commits the journal, and thousands of them dominated the batch's time)."""
    with open(path, "wb") as f:
        f.write(text.encode("utf-8"))


def _unique(name: str, used: set[str]) -> str:
    candidate, n = name, 1
    while candidate in used:
        n += 1
        candidate = f"{name}-{n}"
    used.add(candidate)
    return candidate


HELD = "feedback-not-uploaded"  # reports no upload may carry: superseded/ and unidentified/ under it


def held_stem(stem: str) -> str:
    """A kept-back report's name: ``-`` for ``_``, so that neither Canvas's re-upload (``_``-separated ids) nor
    Moodle's feedback zip (``explode('_', ...)``) can take it for a student's current report."""
    return stem.replace("_", "-")


class Publisher:
    """Moves staged reports to their final names: ``feedback/<stem>.md|html`` for the file that counts for an
    identified student (the folder meant for upload), ``feedback-not-uploaded/superseded/`` and
    ``feedback-not-uploaded/unidentified/`` for the others, under :func:`held_stem` names; a stem already taken in
    its folder gets ``-2``, ``-3``, ...

    Renames are done in blocks: ``record`` (the run's manifest) is told a block's final names before they are
    renamed into place, so that a run killed in the middle leaves no report that a later run does not know of;
    :meth:`flush` renames what is pending (before anything reads the published reports)."""

    BLOCK = 256

    def __init__(self, out_dir: Path, staging: Path, record: Callable[[list[str]], None] | None = None,
                 formats: tuple[str, ...] = ("md", "html")) -> None:
        self.out_dir = out_dir
        self.formats = [(ext, label) for ext, label in FORMATS if ext in formats]
        self.staging = staging
        self.folder = out_dir / "feedback"
        self.held = out_dir / HELD
        self._used: dict[Path, set[str]] = {}
        self._record = record
        self._pending: list[tuple[Path, Path, str]] = []  # (staged, final, final relative to out_dir)

    def publish(self, row: dict, place: str = "upload") -> dict:
        """Publish row ``row``'s staged reports (``place``: ``upload`` | ``superseded`` | ``unidentified``); their
        paths relative to the output folder, by format."""
        if place == "upload":
            folder, stem = self.folder, row["feedback_stem"]
        else:
            folder, stem = self.held / place, held_stem(row["feedback_stem"])
        stem = _unique(stem, self._used.setdefault(folder, set()))
        paths = {}
        for ext, label in self.formats:
            final = folder / f"{stem}.{ext}"
            paths[label] = final.relative_to(self.out_dir).as_posix()
            self._pending.append((self.staging / staged_name(row["i"], ext), final, paths[label]))
        if len(self._pending) >= self.BLOCK:
            self.flush()
        return paths

    def flush(self) -> None:
        """Rename the pending block into place."""
        block, self._pending = self._pending, []
        if not block:
            return
        if self._record is not None:
            self._record([rel for _, _, rel in block])
        made: set[Path] = set()
        for staged, final, _ in block:
            if final.parent not in made:
                final.parent.mkdir(parents=True, exist_ok=True)
                made.add(final.parent)
            os.replace(staged, final)
