"""What a batch reads: the files of a folder (recursive) or the entries of an LMS zip, and who each belongs to.

Every file found becomes an :class:`Item`, in a deterministic order (sorted by its name inside the input). Files
that are not submissions are items too, with the reason they are skipped, so that nothing is dropped silently.

Student identity from LMS download names (see ``shared/notes/lms-formats.md``):

* Canvas: ``{sortablename}[_LATE]_{user_id}_{attachment_id}_{original name}`` (``late`` in any case); anonymous
  grading writes ``anon_{id}`` in place of the user id (and leaves the name out).
* Moodle: ``{Full name}_{participantid}_assignsubmission_file[_]/{file}`` (folder mode) and
  ``{Full name}_{participantid}_assignsubmission_file_{file}`` (flat mode).
"""

from __future__ import annotations

import calendar
import os
import re
import stat
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from grader.batch import safezip
from grader.errors import GraderError

__all__ = [
    "LmsIdentity", "Item", "Discovery", "discover", "identity_from_name", "shown_name", "SUBMISSION_SUFFIXES",
]

SUBMISSION_SUFFIXES = (".yaml", ".yml")
NOT_SUBMISSION = "not a submission file (expected .yaml/.yml)"

_CANVAS = re.compile(r"^(?P<name>\w+?)(?:_(?P<late>late))?_(?P<uid>\d+)_(?P<att>\d+)_(?P<orig>.+)$", re.I | re.S)
_CANVAS_ANON = re.compile(
    r"^(?:(?P<name>\w+?)_)??(?:(?P<late>late)_)?anon_(?P<anon>[A-Za-z0-9]+)_(?P<att>\d+)_(?P<orig>.+)$", re.I | re.S
)
_MOODLE_DIR = re.compile(r"^(?P<name>.+)_(?P<pid>\d+)_assignsubmission_(?P<plugin>[a-z]+)_?$", re.S)
_MOODLE_FLAT = re.compile(r"^(?P<name>.+?)_(?P<pid>\d+)_assignsubmission_(?P<plugin>[a-z]+)_(?P<file>.+)$", re.S)


MAX_SHOWN = 300  # characters of a file's name as the outputs show it


def _escape(c: str) -> str:
    n = ord(c)
    if 0xDC80 <= n <= 0xDCFF:  # a byte that is not UTF-8, as the file system gave it (surrogateescape)
        return f"\\x{n - 0xDC00:02x}"
    if n < 0x100:
        return f"\\x{n:02x}"
    return f"\\u{n:04x}" if n < 0x10000 else f"\\U{n:08x}"


def shown_name(name: str) -> str:
    """A file's name as every output shows it: printable, one line, valid UTF-8, at most ``MAX_SHOWN`` characters.
    Bytes that are not UTF-8 become ``\\xNN``; control, format (bidirectional overrides, zero-width) and separator
    characters other than the space become ``\\xNN``/``\\uNNNN``; a longer name keeps its start and its end."""
    if not name.isprintable():
        name = "".join(c if c.isprintable() else _escape(c) for c in name)
    if len(name) > MAX_SHOWN:
        name = name[: MAX_SHOWN - 61] + "…" + name[-60:]
    return name


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


def identity_from_name(relpath: str) -> LmsIdentity | None:
    """The LMS identity in a file's path inside the download (``/``-separated), if it follows a known pattern."""
    parts = [p for p in relpath.replace("\\", "/").split("/") if p]
    if not parts:
        return None
    # Moodle folder mode: some folder on the path is "{Full name}_{pid}_assignsubmission_{plugin}[_]".
    for part in parts[:-1]:
        m = _MOODLE_DIR.match(part)
        if m:
            return LmsIdentity("moodle", participant_id=m["pid"], full_name=m["name"].strip() or None)
    base = parts[-1]
    m = _MOODLE_FLAT.match(base)
    if m:
        return LmsIdentity("moodle", participant_id=m["pid"], full_name=m["name"].strip() or None)
    m = _CANVAS_ANON.match(base)
    if m:
        return LmsIdentity(
            "canvas",
            anon_id=m["anon"],
            attachment_id=int(m["att"]),
            sortable_name=m["name"] or None,
            late=bool(m["late"]),
        )
    m = _CANVAS.match(base)
    if m:
        return LmsIdentity(
            "canvas",
            user_id=m["uid"],
            attachment_id=int(m["att"]),
            sortable_name=m["name"],
            late=bool(m["late"]),
        )
    return None


@dataclass(frozen=True, slots=True)
class Item:
    """One file of the input: kept small (a batch holds one per file until it is dispatched). Its position in
    ``Discovery.items`` (sorted by name) is its index."""

    name: str  # its path inside the input (folder-relative, or the zip entry name), as shown in every output
    zip_index: int | None  # zip input: index into ``ZipFile.infolist()``
    mtime: float  # seconds since the epoch (zip: the entry's date, read as UTC)
    skip: str | None = None  # the reason it is not a submission (then it is never read)
    raw: str | None = None  # folder input: the relative path on disk, when it is not the name shown

    def path(self, root: str) -> str:
        """The file's path for a folder input (the input folder as given, then the relative name)."""
        return os.path.join(root, *(self.raw or self.name).split("/"))

    def identity(self) -> LmsIdentity | None:
        return identity_from_name(self.name) if self.skip is None else None


@dataclass
class Discovery:
    kind: str  # "folder" | "zip"
    root: str  # the input as given
    items: list[Item]
    newest_mtime: float  # the newest input file (for a zip: the zip file itself)
    zip: zipfile.ZipFile | None = None  # the open, checked archive (zip input); the caller closes it

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()
            self.zip = None


def _skip_reason(relpath: str) -> str | None:
    parts = relpath.split("/")
    base = parts[-1]
    if "__MACOSX" in parts[:-1] or base.startswith("._"):
        return "macOS metadata (resource fork), not a submission"
    if not base.lower().endswith(SUBMISSION_SUFFIXES):
        return NOT_SUBMISSION
    return None


def discover(input_path: str | os.PathLike, *, exclude: str | os.PathLike | None = None) -> Discovery:
    """List the files of ``input_path`` (a folder, searched recursively, or a zip). ``exclude``: a folder to leave
    out (the output folder when it lies inside the input)."""
    root = os.fspath(input_path)
    try:
        st = os.stat(root)
    except OSError as e:
        raise GraderError(
            f"cannot read the input: {e.strerror or e}",
            file=root,
            hint="pass a folder of submission files or an LMS 'download all submissions' zip",
        ) from None
    if stat.S_ISDIR(st.st_mode):
        return _discover_folder(root, exclude)
    if stat.S_ISREG(st.st_mode):
        return _discover_zip(root, st.st_mtime)  # the zip stays open in ``Discovery.zip``
    raise GraderError("the input is neither a folder nor a file", file=root, hint="pass a folder or a zip")


def _discover_folder(root: str, exclude: str | os.PathLike | None) -> Discovery:
    excluded = Path(exclude).resolve() if exclude is not None else None
    items: list[Item] = []
    newest = 0.0

    def add(relname: str, mtime: float, skip: str | None) -> None:
        shown = shown_name(relname)
        items.append(Item(shown, None, mtime, skip, None if shown == relname else relname))

    def walk(folder: str, rel: str) -> None:
        nonlocal newest
        try:
            it = os.scandir(folder)
        except OSError as e:
            add(rel or ".", 0.0, f"folder cannot be read: {e.strerror or e}")
            return
        with it:  # iterated, not listed: a folder of 10,000 files holds no list of directory entries
            for entry in it:
                relname = f"{rel}/{entry.name}" if rel else entry.name
                try:
                    est = entry.stat(follow_symlinks=False)
                except OSError as e:
                    add(relname, 0.0, f"cannot read: {e.strerror or e}")
                    continue
                if stat.S_ISLNK(est.st_mode):
                    add(relname, est.st_mtime, "symbolic link: not followed")
                    continue
                if stat.S_ISDIR(est.st_mode):
                    if excluded is not None and Path(entry.path).resolve() == excluded:
                        continue  # the output folder
                    if entry.name.startswith("."):
                        add(relname + "/", est.st_mtime, "hidden folder: not searched")
                        continue
                    walk(entry.path, relname)
                    continue
                newest = max(newest, est.st_mtime)
                if not stat.S_ISREG(est.st_mode):
                    add(relname, est.st_mtime, "not a regular file")
                    continue
                add(relname, est.st_mtime, _skip_reason(shown_name(relname)))

    walk(root, "")
    items.sort(key=lambda i: (i.name, i.raw or ""))
    return Discovery("folder", root, _unique_names(items), newest)


def _unique_names(items: list[Item]) -> list[Item]:
    """Two files whose shown names are equal (a name shortened or escaped) get ``(file 2)``, ``(file 3)``, ..."""
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        n = seen[item.name] = seen.get(item.name, 0) + 1
        if n > 1:
            items[i] = Item(f"{item.name} (file {n})", item.zip_index, item.mtime, item.skip, item.raw or item.name)
    return items


def _zip_mtime(date_time: tuple) -> float:
    try:
        return float(calendar.timegm(tuple(date_time) + (0, 0, 0)))
    except (TypeError, ValueError, OverflowError):
        return 0.0


def _discover_zip(root: str, zip_mtime: float) -> Discovery:
    zf = safezip.open_zip(root)
    try:
        seen: dict[str, int] = {}
        items: list[Item] = []
        for zi, info in enumerate(zf.infolist()):
            if info.is_dir():
                continue
            name = shown_name(unicodedata.normalize("NFC", info.filename))
            n = seen[name] = seen.get(name, 0) + 1
            shown = name if n == 1 else f"{name} (entry {n})"  # a zip may hold one name twice
            if safezip.is_symlink(info):
                skip: str | None = "symbolic link in the zip: ignored (not read)"
            else:
                skip = _skip_reason(name.replace("\\", "/"))
            items.append(Item(shown, zi, _zip_mtime(info.date_time), skip))
        items.sort(key=lambda i: i.name)  # names are unique (repeats got " (entry n)")
    except BaseException:
        zf.close()
        raise
    return Discovery("zip", root, items, zip_mtime, zf)
