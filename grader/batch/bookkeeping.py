"""The bookkeeping of one batch run in its output folder, so that runs never lose or mix data:

* **the lock** (:class:`RunLock`): ``fcntl.flock`` on ``DIR/.grade-batch.lock``, taken before anything in ``DIR`` is
  touched; a second run into the same folder exits at once. The kernel releases the lock when the process dies, so a
  killed run never leaves a stale lock (workers close their copy of it).
* **leftovers** (:func:`remove_leftovers`): what an interrupted run leaves (its spill file, its feedback staging
  folder, the temporary files of atomic writes) is removed before a run starts. Every run's own scratch names carry
  its process id and a random token, so two runs never share a temporary file.
* **the manifest** (``DIR/manifest.json``, :class:`Manifest`): every file the run wrote. A rerun removes what an
  earlier run wrote and this one does not (stale feedback reports). While a run publishes, the journal
  ``DIR/.grade-batch-journal`` lists everything an unfinished run may have written (the previous manifest, then
  each block of reports just before they are renamed into place), so even a run killed while publishing leaves
  nothing that a later run does not know about.
* **atomic publish**: the reports are staged in a private folder, made durable with one sync
  (:func:`make_durable`), then renamed into place; gradebooks are written to temporary files and renamed.

An output that cannot be written is a :class:`GraderError` naming the path and the reason (:func:`unwritable`).
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import shutil
import stat
from pathlib import Path
from typing import Iterable

from grader.errors import GraderError
from grader.fileio import write_atomic

__all__ = [
    "LOCK",
    "MANIFEST",
    "JOURNAL",
    "RunLock",
    "Spill",
    "Manifest",
    "staging_folder",
    "spill_path",
    "make_durable",
    "remove_scratch",
    "remove_leftovers",
    "check_outputs",
    "unwritable",
]

LOCK = ".grade-batch.lock"
MANIFEST = "manifest.json"
JOURNAL = ".grade-batch-journal"
_SPILL_PREFIX = ".grades-rows"  # ".grades-rows.tmp" (before runs had their own) and ".grades-rows-<pid>-<token>.tmp"
_STAGING_PREFIX = ".staging-"
_MANIFEST_MAX_BYTES = 64 * 1024 * 1024
_HINT = ("pass an --out folder you can write to, with nothing in the way of the outputs (no folder named like a "
         "gradebook file, no file named feedback)")


def unwritable(path: str | os.PathLike, exc: OSError | None = None, reason: str | None = None) -> GraderError:
    """The error of an output that cannot be written: its path and the reason (exit 2, not a bug)."""
    why = reason or (exc.strerror if exc is not None and exc.strerror else str(exc))
    return GraderError(f"cannot write the output: {why}", file=os.fsdecode(path), hint=_HINT)


def _token() -> str:
    return f"{os.getpid()}-{secrets.token_hex(4)}"


def staging_folder(out_dir: Path) -> Path:
    """A staging folder of this run's own (the workers write the reports there before they are published)."""
    return out_dir / "feedback" / f"{_STAGING_PREFIX}{_token()}"


def spill_path(out_dir: Path) -> Path:
    """A spill file of this run's own."""
    return out_dir / f"{_SPILL_PREFIX}-{_token()}.tmp"


# ------------------------------------------------------------------------------------------------------------------
# the lock


class RunLock:
    """An exclusive, non-blocking ``flock`` on ``out_dir/.grade-batch.lock``: held for the whole run."""

    def __init__(self, out_dir: Path) -> None:
        path = out_dir / LOCK
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise unwritable(path, exc) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            try:
                holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            except OSError:
                holder = ""
            os.close(fd)
            who = f" (process {holder})" if holder.isdigit() else ""
            raise GraderError(
                f"another `grade batch` is writing into this folder{who}; nothing was changed",
                file=os.fsdecode(out_dir), hint="wait until it has finished, or pass another --out DIR",
            ) from None
        except OSError as exc:
            os.close(fd)
            raise unwritable(path, exc, f"cannot lock the output folder: {exc.strerror or exc}") from None
        self.fd = fd
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except OSError:
            pass  # the pid is only for the message of a second run

    def release(self) -> None:
        if self.fd >= 0:
            try:
                os.ftruncate(self.fd, 0)  # the folder holds the same files after every run
            except OSError:
                pass
            os.close(self.fd)  # closing the last descriptor releases the lock
            self.fd = -1


# ------------------------------------------------------------------------------------------------------------------
# checks and leftovers


def check_outputs(out_dir: Path, names: Iterable[str], folders: Iterable[str]) -> None:
    """Refuse, before anything is graded, an output folder where an output cannot be written: the files ``names``
    (none may be a folder) and the ``folders`` (each must be a folder, if it exists)."""
    for name in names:
        p = out_dir / name
        if p.is_dir() and not p.is_symlink():
            raise unwritable(p, reason="a folder is in the way of this output file")
    for rel in folders:
        p = out_dir.joinpath(*rel.split("/"))
        if os.path.lexists(p) and not p.is_dir():
            raise unwritable(p, reason="a file is in the way of this output folder")


def _remove(path: Path) -> None:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    try:
        if stat.S_ISDIR(st.st_mode):
            shutil.rmtree(path)
        else:
            os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise unwritable(exc.filename or path, exc, f"cannot remove what an interrupted run left: "
                                                    f"{exc.strerror or exc}") from None


def remove_leftovers(out_dir: Path, atomic_names: Iterable[str]) -> None:
    """Remove what interrupted runs left in ``out_dir`` (only ever called with the lock held): spill files, feedback
    staging folders, and the temporary files of atomic writes of ``atomic_names`` (``.<name>.*.tmp``)."""
    temp_prefixes = tuple(f".{n}." for n in atomic_names)
    try:
        entries = list(os.scandir(out_dir))
    except OSError as exc:
        raise unwritable(out_dir, exc) from None
    for entry in entries:
        name = entry.name
        if name.endswith(".tmp") and (name.startswith(_SPILL_PREFIX) or name.startswith(temp_prefixes)):
            _remove(Path(entry.path))
    feedback = out_dir / "feedback"
    if feedback.is_dir() and not feedback.is_symlink():
        try:
            entries = list(os.scandir(feedback))
        except OSError as exc:
            raise unwritable(feedback, exc) from None
        for entry in entries:
            if entry.name.startswith(_STAGING_PREFIX):
                _remove(Path(entry.path))


def remove_scratch(staging: Path, spill: Path) -> None:
    """Remove this run's staging folder and spill file (whatever state the run ended in)."""
    shutil.rmtree(staging, ignore_errors=True)
    try:
        os.unlink(spill)
    except FileNotFoundError:
        pass


def make_durable() -> None:
    """One filesystem sync: the staged reports are on disk before they are published by rename (see
    ``grader.batch.feedback.stage``)."""
    if hasattr(os, "sync"):
        os.sync()


# ------------------------------------------------------------------------------------------------------------------
# the spill file


class Spill:
    """The scratch file the parent streams the rows to (one JSON line each), read back by offset at the end."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.f = open(path, "w+b")
        except OSError as exc:
            raise unwritable(path, exc) from None

    def append(self, data: bytes) -> int:
        """Write one row's line; its offset."""
        offset = self.f.tell()
        self.f.write(data)
        return offset

    def done(self) -> None:
        self.f.flush()

    def read(self, offset: int, length: int) -> dict:
        return json.loads(os.pread(self.f.fileno(), length, offset).decode("utf-8"))

    def close(self) -> None:
        self.f.close()


# ------------------------------------------------------------------------------------------------------------------
# the manifest


def _removable(rel: str, fixed: frozenset[str], folders: tuple[str, ...]) -> bool:
    """Only names a batch writes may ever be removed as stale: the fixed outputs, and reports (``.md``, ``.html``)
    at most two folders down in one of ``folders``."""
    if not isinstance(rel, str) or "\0" in rel or rel.startswith("/") or "\\" in rel:
        return False
    parts = rel.split("/")
    if any(p in ("", ".", "..") for p in parts):
        return False
    if rel in fixed:
        return True
    return parts[0] in folders and len(parts) <= 3 and rel.endswith((".md", ".html"))


def _read_list(path: Path) -> list[str]:
    """The file names a manifest (JSON) or the journal (one per line) lists; nothing when it is missing or unreadable
    (then no file is removed: only what a run recorded is ever removed)."""
    try:
        with open(path, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                return []
            raw = f.read(_MANIFEST_MAX_BYTES + 1)
    except OSError:
        return []
    if len(raw) > _MANIFEST_MAX_BYTES:
        return []
    text = raw.decode("utf-8", "replace")
    if path.name == MANIFEST:
        try:
            files = json.loads(text).get("files")
        except (ValueError, AttributeError):
            return []
        return [f for f in files if isinstance(f, str)] if isinstance(files, list) else []
    return [line for line in text.split("\n") if line]


class Manifest:
    """What runs wrote into ``out_dir``: the previous manifest and journal on entry, this run's files as it
    publishes them, and the removal of what is stale once this run's outputs are all in place."""

    def __init__(self, out_dir: Path, fixed: Iterable[str], folders: Iterable[str]) -> None:
        self.out_dir = out_dir
        self.fixed = frozenset(fixed)
        self.folders = tuple(folders)
        self.journal_path = out_dir / JOURNAL
        self.previous = set(_read_list(out_dir / MANIFEST)) | set(_read_list(self.journal_path))
        self.files: list[str] = []
        self._journal = None

    def begin(self) -> None:
        """Start the journal with everything earlier runs may have written (before this run writes anything)."""
        try:
            write_atomic(self.journal_path, "".join(f"{p}\n" for p in sorted(self.previous)))
            self._journal = open(self.journal_path, "a", encoding="utf-8")
        except OSError as exc:
            raise unwritable(self.journal_path, exc) from None

    def will_write(self, rels: list[str]) -> None:
        """Record files about to be renamed into place (one block: written to the journal before the renames)."""
        self.files.extend(rels)
        if self._journal is not None:
            try:
                self._journal.write("".join(f"{p}\n" for p in rels))
                self._journal.flush()
            except OSError as exc:
                raise unwritable(self.journal_path, exc) from None

    def finish(self) -> list[str]:
        """Write the manifest of this run, remove the stale files of earlier runs, drop the journal; the names of
        the files removed."""
        current = set(self.files) | {f for f in self.fixed if os.path.lexists(self.out_dir / f)}
        stale = sorted(p for p in self.previous - current if _removable(p, self.fixed, self.folders))
        write_atomic(self.out_dir / MANIFEST, json.dumps(
            {"written_by": "grade batch", "files": sorted(current | {MANIFEST})}, ensure_ascii=False, indent=1,
        ) + "\n")
        removed = []
        for rel in stale:
            path = self.out_dir.joinpath(*rel.split("/"))
            try:
                st = os.lstat(path)
            except (FileNotFoundError, NotADirectoryError):
                continue
            except OSError as exc:
                raise unwritable(path, exc) from None
            if not stat.S_ISREG(st.st_mode):
                continue  # never a folder or a link: only the files a run wrote
            try:
                os.unlink(path)
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise unwritable(path, exc, f"cannot remove a stale report of an earlier run: "
                                            f"{exc.strerror or exc}") from None
            removed.append(rel)
        self.close()
        try:
            os.unlink(self.journal_path)
        except FileNotFoundError:
            pass
        return removed

    def close(self) -> None:
        if self._journal is not None:
            try:
                self._journal.close()
            except OSError:
                pass
            self._journal = None
