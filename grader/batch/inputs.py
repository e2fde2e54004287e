"""What a batch reads: the files of a folder (recursive) or the entries of an LMS zip, and who each belongs to.

Every file found becomes an :class:`Item`, in a deterministic order (sorted by its name inside the input). Files
that are not submissions are items too, with the reason they are skipped, so that nothing is dropped silently.

Student identity from LMS download names is ``grader.batch.lmsnames``: the grammar a whole input is read with
(``--lms``, or for ``auto`` whether a zip is a Canvas download) is decided here, once, and carried by each item.
"""

from __future__ import annotations

import calendar
import dataclasses
import os
import stat
import tempfile
import unicodedata
import zipfile
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from grader.batch import safezip
from grader.batch.extsort import ExternalSort
from grader.batch.lmsnames import LmsIdentity, identity_from_name, lms_mode, name_note
from grader.errors import GraderError
from grader.submission.extract import WRITEUP_SUFFIXES
from grader.submission.kinds import unread_kind

__all__ = [
    "LmsIdentity", "Item", "Discovery", "discover", "identity_from_name", "shown_name", "SUBMISSION_SUFFIXES",
]

SUBMISSION_SUFFIXES = (".yaml", ".yml")
NOT_SUBMISSION = "not a submission file (expected .yaml/.yml)"
_CLEAR_WRITEUPS = (".md", ".markdown", ".tex", ".ipynb", ".docx", ".odt")
NOT_SUBMISSION_WITH_WRITEUPS = ("not a submission file (expected .yaml/.yml, or a written solution: .md, .markdown, "
                                ".txt, .tex, .ipynb, .docx, .odt)")
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


@dataclass(frozen=True, slots=True)
class Item:
    """One file of the input: kept small (a batch holds one per file until it is dispatched). Its position in
    ``Discovery.items`` (sorted by name) is its index."""

    name: str  # its path inside the input (folder-relative, or the zip entry name), as shown in every output
    zip_index: int | None  # zip input: index into ``ZipFile.infolist()``
    mtime: float  # seconds since the epoch (zip: the entry's date, read as UTC)
    skip: str | None = None  # the reason it is not a submission (then it is never read)
    lms: str = "auto"  # the grammar its name is read with (``grader.batch.lmsnames``), decided for the whole input
    raw: str | None = None  # folder input: the relative path on disk, when it is not the name shown

    def path(self, root: str) -> str:
        """The file's path for a folder input (the input folder as given, then the relative name)."""
        return os.path.join(root, *(self.raw or self.name).split("/"))

    def identity(self) -> LmsIdentity | None:
        return identity_from_name(self.name, self.lms) if self.skip is None else None

    def name_note(self) -> str | None:
        """Why the name gave no identity where one might be expected (a warning on the row), or ``None``."""
        return name_note(self.name, self.lms) if self.skip is None else None


@dataclass
class Discovery:
    kind: str  # "folder" | "zip"
    root: str  # the input as given
    items: list[Item]
    newest_mtime: float  # the newest input file (for a zip: the zip file itself)
    zip: zipfile.ZipFile | None = None  # the open, checked archive (zip input); the caller closes it
    lms: str = "auto"  # the grammar the names are read with (``grader.batch.lmsnames.lms_mode``)

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()
            self.zip = None
        if isinstance(self.items, PackedItems):
            self.items.close()


def _skip_reason(relpath: str, writeups: bool = False) -> str | None:
    parts = relpath.split("/")
    base = parts[-1]
    if "__MACOSX" in parts[:-1] or base.startswith("._"):
        return "macOS metadata (resource fork), not a submission"
    if writeups and base.lower().endswith(WRITEUP_SUFFIXES):
        return None
    if not base.lower().endswith(SUBMISSION_SUFFIXES):
        unread = unread_kind(base)
        if unread is not None:
            return f"not graded: {unread}"
        if base.lower().endswith(_CLEAR_WRITEUPS):  # (a .txt is more often a note)
            return ("a written solution, graded only when the problem is given (--problem): a write-up does not "
                    "say which problem it answers")
        return NOT_SUBMISSION if not writeups else NOT_SUBMISSION_WITH_WRITEUPS
    return None


def discover(input_path: str | os.PathLike, *, exclude: str | os.PathLike | None = None,
             writeups: bool = False, lms: str = "auto", spill_to: str | os.PathLike | None = None) -> Discovery:
    """List the files of ``input_path`` (a folder, searched recursively, or a zip). ``exclude``: a folder to leave
    out (the output folder when it lies inside the input). ``writeups``: written solutions (.md, .markdown, .txt,
    .tex, .ipynb, .docx, .odt) are submissions too (only when the instructor gives the problem: a write-up names none).
    ``lms``: ``auto`` | ``canvas`` | ``moodle`` | ``none``, how the file names are read (see
    ``grader.batch.lmsnames``). ``spill_to``: a folder where a folder's list of files is kept (an unnamed file),
    rather than in memory, until the caller closes the discovery."""
    found = _discover(input_path, exclude, writeups, spill_to)
    found.lms = lms_mode(lms, found.kind, (i.name for i in found.items))
    if found.lms != "auto":
        if isinstance(found.items, PackedItems):
            found.items.lms = found.lms
        else:
            found.items = [dataclasses.replace(i, lms=found.lms) for i in found.items]
    if spill_to is not None and isinstance(found.items, PackedItems):
        found.items.move_to(spill_to)
    return found


class PackedItems:
    """A folder's items, sorted, each kept as one string (``name NUL raw NUL mtime NUL skip``) until it is asked
    for: a third of the memory of a list of :class:`Item` (a batch holds every file's until it is dispatched).
    ``items[i] = None`` releases one. Strings sort as ``(name, raw)`` do: NUL is in no name, path or reason."""

    def __init__(self, packed: list[str]) -> None:
        self._packed: list[str | None] | None = packed
        self._file = None  # once moved to a file (``move_to``): the strings' UTF-8 there, one after the other,
        self._offsets: array | None = None  # ... item i from offsets[i] to offsets[i + 1]
        self._released: bytearray | None = None  # ... and 1 for an item released
        self.lms = "auto"

    def __len__(self) -> int:
        return len(self._packed) if self._packed is not None else len(self._offsets) - 1

    def __getitem__(self, i: int) -> Item | None:
        if self._packed is not None:
            s = self._packed[i]
            if s is None:
                return None
        else:
            if self._released[i]:
                return None
            start = self._offsets[i]
            s = os.pread(self._file.fileno(), self._offsets[i + 1] - start, start).decode("utf-8", "surrogatepass")
        name, raw, mtime, skip = s.split("\0")
        return Item(name, None, float(mtime), skip or None, self.lms, raw or None)

    def __setitem__(self, i: int, value: None) -> None:
        if value is not None:
            raise TypeError("an item is only released (set to None)")
        if self._packed is not None:
            self._packed[i] = None
        else:
            self._released[i] = 1

    def move_to(self, folder: str | os.PathLike) -> None:
        """Keep the items in an unnamed file of ``folder`` from now on, each read back when it is asked for: the
        parent then holds 9 bytes an item instead of its string (so that its memory stays flat in the files)."""
        if self._packed is None:
            return
        released = bytearray(0 if s is not None else 1 for s in self._packed)
        self._fill(folder, (("" if s is None else s).encode("utf-8", "surrogatepass") for s in self._packed))
        self._released = released

    @classmethod
    def in_file(cls, folder: str | os.PathLike, packed: Iterator[bytes]) -> PackedItems:
        """Items kept in an unnamed file of ``folder`` from the start: ``packed``, the strings in their order as
        UTF-8 (``surrogatepass``), is written there as it comes and never held as a list."""
        items = cls([])
        items._fill(folder, packed)
        items._released = bytearray(len(items._offsets) - 1)
        return items

    def _fill(self, folder: str | os.PathLike, packed: Iterator[bytes]) -> None:
        f = tempfile.TemporaryFile(dir=folder)  # unnamed where the system allows: nothing to leave behind
        try:
            offsets, at = array("q", [0]), 0
            for data in packed:  # (names keep undecodable bytes: surrogatepass)
                f.write(data)
                at += len(data)
                offsets.append(at)
            f.flush()
        except BaseException:
            f.close()
            raise
        self._file, self._offsets, self._packed = f, offsets, None

    def close(self) -> None:
        """Remove the file the items were moved to, if they were."""
        if self._file is not None:
            self._file.close()

    def __iter__(self):
        return (self[i] for i in range(len(self)))


def _pack(name: str, raw: str | None, mtime: float, skip: str | None) -> str:
    return f"{name}\0{raw or ''}\0{mtime!r}\0{skip or ''}"


def _discover(input_path: str | os.PathLike, exclude: str | os.PathLike | None, writeups: bool,
              spill_to: str | os.PathLike | None = None) -> Discovery:
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
        return _discover_folder(root, exclude, writeups, spill_to)
    if stat.S_ISREG(st.st_mode):
        return _discover_zip(root, st.st_mtime, writeups)  # the zip stays open in ``Discovery.zip``
    raise GraderError("the input is neither a folder nor a file", file=root, hint="pass a folder or a zip")


def _discover_folder(root: str, exclude: str | os.PathLike | None, writeups: bool = False,
                     spill_to: str | os.PathLike | None = None) -> Discovery:
    """``spill_to``: the list is sorted with at most :data:`RUN` of its strings in memory (runs sorted into files
    there and merged, ``grader.batch.extsort``) and kept in a file there: the parent's memory does not grow with
    the files, not even while it lists them."""
    excluded = Path(exclude).resolve() if exclude is not None else None
    packed: list[str] = []
    runs = ExternalSort(spill_to, RUN) if spill_to is not None else None
    newest = 0.0

    def add(relname: str, mtime: float, skip: str | None) -> None:
        shown = shown_name(relname)
        text = _pack(shown, None if shown == relname else relname, mtime, skip)
        if runs is None:
            packed.append(text)
        else:
            runs.add(text.encode("utf-8", "surrogatepass"))  # UTF-8 sorts as the strings do (code point order)

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
                add(relname, est.st_mtime, _skip_reason(shown_name(relname), writeups))

    try:
        walk(root, "")
        if runs is None:
            packed.sort()  # as by (name, raw): see PackedItems
            return Discovery("folder", root, PackedItems(list(_unique_names(packed))), newest)
        merged = (data.decode("utf-8", "surrogatepass") for data in runs)
        items = PackedItems.in_file(spill_to, (s.encode("utf-8", "surrogatepass") for s in _unique_names(merged)))
        return Discovery("folder", root, items, newest)
    finally:
        walk = None  # (``walk`` refers to itself: the cycle would keep the list alive until a garbage collection)
        if runs is not None:
            runs.close()


RUN = 2048  # a folder's file names sorted in memory at a time when the list goes to a file (about 200 KB)


def _unique_names(packed: Iterable[str]) -> Iterator[str]:
    """The packed strings, sorted, with two files whose shown names are equal (a name shortened or escaped)
    numbered ``(file 2)``, ``(file 3)``, ... (sorted, equal names are next to each other)."""
    previous, n = None, 0
    for s in packed:
        name, raw, mtime, skip = s.split("\0")
        n = n + 1 if name == previous else 1
        previous = name
        yield _pack(f"{name} (file {n})", raw or name, float(mtime), skip or None) if n > 1 else s


def _zip_mtime(date_time: tuple) -> float:
    try:
        return float(calendar.timegm(tuple(date_time) + (0, 0, 0)))
    except (TypeError, ValueError, OverflowError):
        return 0.0


def _discover_zip(root: str, zip_mtime: float, writeups: bool = False) -> Discovery:
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
                skip = _skip_reason(name.replace("\\", "/"), writeups)
            items.append(Item(shown, zi, _zip_mtime(info.date_time), skip))
        items.sort(key=lambda i: i.name)  # names are unique (repeats got " (entry n)")
    except BaseException:
        zf.close()
        raise
    return Discovery("zip", root, items, zip_mtime, zf)
