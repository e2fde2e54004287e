"""A batch's feedback reports: their file names (so that the LMS takes them back), the report of a file that could
not be graded, and where each report ends up.

Workers write each student's reports straight to their *first place* as soon as the file is graded
(``grader.batch.rows.first_place``, ``grader.batch.reportfiles``): the upload folder under the student's name, or
the unidentified folder. Once every row is known the parent checks each row's place (:class:`Publisher`): almost
every report is where it belongs already; only those of superseded files are moved, and those of files that wanted
the same name as another file of the run are written again under their own names.
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
# where the reports end up (the parent)

FORMATS = (("md", "markdown"), ("html", "html"))
HELD = "feedback-not-uploaded"  # reports no upload may carry: superseded/ and unidentified/ under it


def held_stem(stem: str) -> str:
    """A kept-back report's name: ``-`` for ``_``, so that neither Canvas's re-upload (``_``-separated ids) nor
    Moodle's feedback zip (``explode('_', ...)``) can take it for a student's current report."""
    return stem.replace("_", "-")


def first_of(paths: dict[str, str]) -> str:
    """The first place (folder and stem) of a row's written reports, from their paths."""
    rel = next(iter(paths.values()))
    return rel.rsplit(".", 1)[0]


class Publisher:
    """The final names of the reports, row by row in the final order: ``feedback/<stem>.md|html`` for the file that
    counts for an identified student (the folder meant for upload), ``feedback-not-uploaded/superseded/`` and
    ``feedback-not-uploaded/unidentified/`` for the others, under :func:`held_stem` names; a stem already taken in
    its folder gets ``-2``, ``-3``, ...

    ``claims`` is ``(index, shared)``: the first places reports were written to (a ``HashIndex``) and the places more
    than one row wrote to, with how many. A row alone at its first place, and
    meant to be there, keeps its reports (nothing to do: the usual case). A superseded row alone at its place has its
    reports renamed to their final names. The rows that shared a first place (their writes raced) have their reports
    written again, by ``rerender``, under their final names; a shared place that no row keeps is removed.
    ``keep`` is told the names of the reports in place, ``will_write`` the names about to be written or renamed
    (the run's journal), before they are."""

    def __init__(self, out_dir: Path, claims: tuple, *, keep: Callable[[list[str]], None],
                 will_write: Callable[[list[str]], None], rerender: Callable[[dict, str], dict | None],
                 formats: tuple[str, ...] = ("md", "html")) -> None:
        self.out_dir = out_dir
        self.formats = [(ext, label) for ext, label in FORMATS if ext in formats]
        self._claims, self._shared = claims
        self._keep, self._will_write, self._rerender = keep, will_write, rerender
        self._used: dict[str, set[str]] = {}  # folder -> stems given to rows that do not keep their first place
        self._kept: set[str] = set()  # shared first places that a row keeps
        self.moved = 0  # reports renamed or written again (for the tests: the usual case moves nothing)

    def publish(self, row: dict, place: str = "upload") -> dict | None:
        """The final paths of row ``row``'s reports (``place``: ``upload`` | ``superseded`` | ``unidentified``),
        relative to the output folder, by format; ``None`` when it has none."""
        written = row.get("feedback")
        if not written:
            return None
        first = first_of(written)
        if place == "upload":
            folder, stem = "feedback", row["feedback_stem"]
        else:
            folder, stem = f"{HELD}/{place}", held_stem(row["feedback_stem"])
        shared = first in self._shared
        if not shared and first == f"{folder}/{stem}":
            self._keep(list(written.values()))
            return written
        final = self._unique(folder, stem, first)
        paths = {label: f"{final}.{ext}" for ext, label in self.formats}
        self._will_write(list(paths.values()))
        self.moved += 1
        if shared:
            if final == first:
                self._kept.add(first)
            return self._rerender(row, final)
        try:
            for ext, label in self.formats:
                target = self.out_dir.joinpath(*paths[label].split("/"))
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(self.out_dir.joinpath(*written[label].split("/")), target)
        except OSError as exc:
            row["feedback_error"] = f"{type(exc).__name__}: {exc}"
            return None
        return paths

    def _unique(self, folder: str, stem: str, own: str) -> str:
        used = self._used.setdefault(folder, set())
        candidate, n = stem, 1
        while candidate in used or (f"{folder}/{candidate}" != own
                                    and self._claims.get(f"{folder}/{candidate}") is not None):
            n += 1
            candidate = f"{stem}-{n}"
        used.add(candidate)
        return f"{folder}/{candidate}"

    def flush(self) -> None:
        """Remove the reports at shared first places that no row kept (the race's winner was not the file that
        counts)."""
        for first in self._shared:
            if first not in self._kept:
                for ext, _ in self.formats:
                    try:
                        os.unlink(self.out_dir.joinpath(*f"{first}.{ext}".split("/")))
                    except FileNotFoundError:
                        pass
