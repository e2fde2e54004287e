"""Who a file belongs to according to its LMS download name: the names Canvas and Moodle really write, and nothing
that merely looks like them.

Read from the LMS sources:

* Canvas ``lib/content_zipper.rb`` (``get_filename``, ``add_upload_submission``, ``sanitize_user_name``): a download
  zip is flat; each upload is ``{sortablename}[_LATE]_{user_id}_{attachment_id}_{original name}``, where the
  sortable name is lower-cased with every non-word character removed (and ``_<digits>_`` joined), ``LATE`` is
  upper case and both ids are numbers; anonymous grading leaves the name out and writes ``anon_{anonymous_id}`` for
  the user id; text and URL entries are ``{prefix}_text.html`` / ``{prefix}_link.html``.
* Moodle ``mod/assign/classes/downloader.php`` (``get_student_prefix``, ``load_submissionplugin_filelist``):
  ``{Full name}_{participantid}_assignsubmission_{plugin}[_]/{file}`` (folders; the trailing ``_`` before Moodle
  4.1) or ``{Full name}_{participantid}_assignsubmission_{plugin}_{file}`` (flat), ``_`` in the name made a space.

A Moodle name is unmistakable (``_<digits>_assignsubmission_``), so it is read wherever it appears. A Canvas name is
not (``hw_2025_3_mosavi.yaml`` fits the grammar), so it is read only when the input is known to be a Canvas download:
``--lms canvas``, or a zip whose every entry is a flat Canvas name (:func:`lms_mode`). Otherwise the submission's own
``student:`` says who it is, and a name that looks like Canvas's gets a note saying so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["LmsIdentity", "LMS_MODES", "identity_from_name", "name_note", "lms_mode", "looks_canvas"]

LMS_MODES = ("auto", "canvas", "moodle", "none")

_CANVAS = re.compile(r"^(?:(?P<name>\w*?)_)?(?:(?P<late>LATE|late)_)?(?P<uid>\d+)_(?P<att>\d+)_(?P<orig>.+)$", re.S)
_CANVAS_ANON = re.compile(r"^(?:(?P<late>LATE|late)_)?anon_(?P<anon>[A-Za-z0-9]+)_(?P<att>\d+)_(?P<orig>.+)$", re.S)
_CANVAS_TEXT = re.compile(r"^(?:\w*?_)?(?:LATE_)?(?:\d+|anon_[A-Za-z0-9]+)_(?:text|link)\.html$", re.S)
_MOODLE_DIR = re.compile(r"^(?P<name>.+)_(?P<pid>\d+)_assignsubmission_(?P<plugin>[a-z]+)_?$", re.S)
_MOODLE_FLAT = re.compile(r"^(?P<name>.+?)_(?P<pid>\d+)_assignsubmission_(?P<plugin>[a-z]+)_(?P<file>.+)$", re.S)


@dataclass(frozen=True)
class LmsIdentity:
    """Who a file belongs to according to its LMS download name."""

    lms: str  # "canvas" | "moodle"
    user_id: str | None = None  # Canvas user id
    anon_id: str | None = None  # Canvas anonymous id (anonymous grading)
    attachment_id: int | None = None  # Canvas attachment id: higher is newer
    sortable_name: str | None = None  # Canvas: "doejane"
    late: bool = False
    participant_id: str | None = None  # Moodle participant id ("Participant 1234567")
    full_name: str | None = None  # Moodle: "Jane Doe"

    @property
    def key(self) -> str:
        if self.lms == "moodle":
            return f"moodle:{self.participant_id}"
        if self.anon_id:
            return f"canvas-anon:{self.anon_id}"
        return f"canvas:{self.user_id}"

    @property
    def student_id(self) -> str:
        """The id shown in the generic outputs: Canvas user id, ``anon_<id>``, or the Moodle participant id."""
        if self.lms == "moodle":
            return str(self.participant_id)
        return f"anon_{self.anon_id}" if self.anon_id else str(self.user_id)

    @property
    def name(self) -> str | None:
        return self.full_name if self.lms == "moodle" else self.sortable_name

    def to_dict(self) -> dict:
        d: dict = {"lms": self.lms}
        if self.lms == "moodle":
            d.update(participant_id=self.participant_id, full_name=self.full_name)
        else:
            d.update(
                user_id=self.user_id,
                anon_id=self.anon_id,
                attachment_id=self.attachment_id,
                sortable_name=self.sortable_name,
                late=self.late,
            )
        return d


def _parts(relpath: str) -> list[str]:
    return [p for p in relpath.replace("\\", "/").split("/") if p]


def _moodle(parts: list[str]) -> LmsIdentity | None:
    for part in parts[:-1]:  # folder mode: some folder on the path is "{Full name}_{pid}_assignsubmission_{plugin}[_]"
        m = _MOODLE_DIR.match(part)
        if m:
            return LmsIdentity("moodle", participant_id=m["pid"], full_name=m["name"].strip() or None)
    m = _MOODLE_FLAT.match(parts[-1])
    if m:
        return LmsIdentity("moodle", participant_id=m["pid"], full_name=m["name"].strip() or None)
    return None


def _canvas(base: str) -> LmsIdentity | None:
    m = _CANVAS_ANON.match(base)
    if m:
        return LmsIdentity("canvas", anon_id=m["anon"], attachment_id=int(m["att"]), late=bool(m["late"]))
    m = _CANVAS.match(base)
    if m:
        name = m["name"] or ""
        if name != name.lower():  # Canvas lower-cases the sortable name: "Doe_12_3_x" is not a Canvas name
            return None
        return LmsIdentity("canvas", user_id=m["uid"], attachment_id=int(m["att"]), sortable_name=name or None,
                           late=bool(m["late"]))
    return None


def looks_canvas(relpath: str) -> bool:
    """Whether a file's path is a flat Canvas download name (an upload, or a text or URL entry)."""
    parts = _parts(relpath)
    return len(parts) == 1 and (_canvas(parts[0]) is not None or _CANVAS_TEXT.match(parts[0]) is not None)


def identity_from_name(relpath: str, lms: str = "canvas") -> LmsIdentity | None:
    """The LMS identity in a file's path inside the download (``/``-separated), read with the grammar of ``lms``:
    ``"canvas"`` (Canvas names, then Moodle's), ``"moodle"`` (Moodle's only), ``"auto"`` (Moodle's only: a Canvas
    name is read only when the input is known to be a Canvas download), ``"none"`` (never)."""
    parts = _parts(relpath)
    if not parts or lms == "none":
        return None
    if lms == "canvas":
        return _canvas(parts[-1]) or _moodle(parts)
    return _moodle(parts)


def name_note(relpath: str, lms: str) -> str | None:
    """Why a file's name gave no identity when one might be expected, or ``None``."""
    parts = _parts(relpath)
    if not parts or lms == "none":
        return None
    if lms == "canvas" and _canvas(parts[-1]) is None and _moodle(parts) is None:
        return ("the file name is not a Canvas download name ({sortablename}[_LATE]_{user id}_{attachment id}_{file}): "
                "the student is taken from the file's student:")
    if lms == "moodle" and _moodle(parts) is None:
        return ("the file name is not a Moodle download name ({Full name}_{participant id}_assignsubmission_file…): "
                "the student is taken from the file's student:")
    if lms == "auto" and _moodle(parts) is None:
        c = _canvas(parts[-1])
        if c is not None:
            return (f"the file name looks like a Canvas download name (user {c.student_id}), but the input is not a "
                    "Canvas download zip: the student is taken from the file's student: (pass --lms canvas if it is "
                    "an unpacked Canvas download)")
    return None


def lms_mode(requested: str, kind: str, names: list[str]) -> str:
    """The grammar a run reads names with: ``requested`` unless it is ``"auto"``; then ``"canvas"`` for a zip
    (``kind``) whose every entry (``names``, macOS metadata left out) is a flat Canvas download name."""
    if requested not in LMS_MODES:
        raise ValueError(f"unknown LMS {requested!r}")
    if requested != "auto" or kind != "zip":
        return requested
    seen = False
    for name in names:
        parts = _parts(name)
        if not parts or "__MACOSX" in parts[:-1] or parts[-1].startswith("._"):
            continue
        if not looks_canvas(name):
            return "auto"
        seen = True
    return "canvas" if seen else "auto"
