"""The bookkeeping of one batch run in its output folder, so that runs never lose or mix data:

* **the lock** (:class:`RunLock`): ``fcntl.flock`` on ``DIR/.grade-batch.lock``, taken before anything in ``DIR`` is
  touched; a second run into the same folder exits at once. The kernel releases the lock when the process dies, so a
  killed run never leaves a stale lock (workers close their copy of it).
* **leftovers** (:func:`remove_leftovers`): what an interrupted run leaves (its scratch folder: the spill files of
  the rows and the reports being written; the temporary files of atomic writes) is removed before a run starts. Every run's own
  scratch names carry its process id and a random token, so two runs never share a temporary file.
* **the spill files** (:class:`SpillWriter`, :class:`Spills`): each process that grades appends its rows to its own
  file in the scratch folder and sends the parent only where each row is.
* **the manifest** (``DIR/manifest.json``, ``grader.batch.manifest``): every file the run wrote; a rerun removes
  what an earlier run wrote and this one does not.
* **atomic publish**: each report is written to a temporary file in the run's scratch folder, fsynced and renamed
  over its final path by the worker that rendered it (``grader.batch.reportfiles``); gradebooks are written to
  temporary files, fsynced and renamed; the folders written are fsynced once each at the end (:func:`sync_dirs`).
  Nothing syncs the whole machine.

An output that cannot be written is a :class:`GraderError` naming the path and the reason (:func:`unwritable`).
"""

from __future__ import annotations

import errno
import fcntl
import marshal
import os
import re
import secrets
import shutil
import stat
from pathlib import Path
from typing import Iterable

from grader.batch.reportfiles import SCRATCH_PREFIX
from grader.errors import GraderError

__all__ = [
    "LOCK",
    "MANIFEST",
    "JOURNAL",
    "RunLock",
    "SpillWriter",
    "Spills",
    "scratch_folder",
    "sync_dirs",
    "remove_scratch",
    "remove_leftovers",
    "check_outputs",
    "unwritable",
]

LOCK = ".grade-batch.lock"
MANIFEST = "manifest.json"  # grader.batch.manifest
JOURNAL = ".grade-batch-journal"
_SPILL_PREFIX = ".grades-rows"  # older versions' spill files: ".grades-rows.tmp", ".grades-rows-<pid>-<token>.tmp"
_STAGING_PREFIX = ".staging-"  # feedback/.staging-<pid>-<token>: where versions before 2026-12-02 staged reports
_NEAR_TMP = re.compile(r"\..+\.(md|html)\.[0-9]+\.tmp")  # grader.batch.reportfiles: across file systems
_HINT = ("pass an --out folder you can write to, with nothing in the way of the outputs (no folder named like a "
         "gradebook file, no file named feedback)")


def unwritable(path: str | os.PathLike, exc: OSError | None = None, reason: str | None = None) -> GraderError:
    """The error of an output that cannot be written: its path and the reason (exit 2, not a bug)."""
    why = reason or (exc.strerror if exc is not None and exc.strerror else str(exc))
    return GraderError(f"cannot write the output: {why}", file=os.fsdecode(path), hint=_HINT)


def _token() -> str:
    return f"{os.getpid()}-{secrets.token_hex(4)}"


def scratch_folder(out_dir: Path) -> Path:
    """A scratch folder of this run's own (the temporary files of the reports being written)."""
    return out_dir / f"{SCRATCH_PREFIX}{_token()}"


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


def remove_leftovers(out_dir: Path, atomic_names: Iterable[str], report_folders: Iterable[str] = ()) -> None:
    """Remove what interrupted runs left in ``out_dir`` (only ever called with the lock held): spill files, scratch
    folders, the temporary files of atomic writes of ``atomic_names`` (``.<name>.*.tmp``), and in the
    ``report_folders`` the staging folders of older versions and the temporary files of reports written across file
    systems."""
    temp_prefixes = tuple(f".{n}." for n in atomic_names)
    for entry in _entries(out_dir):
        name = entry.name
        if name.endswith(".tmp") and (name.startswith(_SPILL_PREFIX) or name.startswith(temp_prefixes)):
            _remove(Path(entry.path))
        elif name.startswith(SCRATCH_PREFIX):
            _remove(Path(entry.path))
    for rel in report_folders:
        folder = out_dir.joinpath(*rel.split("/"))
        if not folder.is_dir() or folder.is_symlink():
            continue
        for entry in _entries(folder):
            if entry.name.startswith(_STAGING_PREFIX) or _NEAR_TMP.fullmatch(entry.name):
                _remove(Path(entry.path))


def _entries(folder: Path) -> list[os.DirEntry]:
    try:
        return list(os.scandir(folder))
    except OSError as exc:
        raise unwritable(folder, exc) from None


def remove_scratch(scratch: Path) -> None:
    """Remove this run's scratch folder (whatever state the run ended in)."""
    shutil.rmtree(scratch, ignore_errors=True)


def sync_dirs(folders: Iterable[Path]) -> None:
    """fsync each of ``folders`` that exists (once each: the renames into it are then durable)."""
    for folder in folders:
        try:
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise unwritable(folder, exc) from None
        try:
            os.fsync(fd)
        except OSError as exc:
            if exc.errno not in (errno.EINVAL, errno.EROFS):  # a file system that cannot sync folders
                raise unwritable(folder, exc) from None
        finally:
            os.close(fd)


# ------------------------------------------------------------------------------------------------------------------
# the spill files

SPILL_PREFIX = ".grades-rows-"  # in the scratch folder: .grades-rows-<pid>.tmp, one per process that grades


class SpillWriter:
    """The rows one process graded, appended to its own spill file in the run's scratch folder (``marshal``
    records): the parent is sent only where each row is."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self._pid: int | None = None
        self._f = None

    def append(self, data: bytes) -> tuple[int, int]:
        """Write one row; (this process's id, the row's offset)."""
        if self._pid != os.getpid():
            self._pid = os.getpid()
            self._f = open(os.path.join(self.folder, f"{SPILL_PREFIX}{self._pid}.tmp"), "ab")
        offset = self._f.tell()
        self._f.write(data)
        return self._pid, offset

    def flush(self) -> None:
        """Make the rows written so far readable by the parent (before they are reported)."""
        if self._f is not None and self._pid == os.getpid():
            self._f.flush()

    def close(self) -> None:
        if self._f is not None and self._pid == os.getpid():
            self._f.close()
        self._f = self._pid = None


class Spills:
    """The parent's side: the spill files of the processes that graded, read back by (offset, length, file)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._index: dict[int, int] = {}  # process id -> file number
        self._fds: list[int] = []

    def number(self, pid: int) -> int:
        """The file number of process ``pid``'s spill file (opened when first seen)."""
        n = self._index.get(pid)
        if n is None:
            path = self.folder / f"{SPILL_PREFIX}{pid}.tmp"
            try:
                self._fds.append(os.open(path, os.O_RDONLY | os.O_CLOEXEC))
            except OSError as exc:
                raise unwritable(path, exc) from None
            n = self._index[pid] = len(self._fds) - 1
        return n

    def read(self, offset: int, length: int, number: int) -> dict:
        return marshal.loads(os.pread(self._fds[number], length, offset))

    def read_at(self, offset: int, number: int) -> dict:
        """The row at ``offset`` of file ``number``, its length unknown (rarely needed: to confirm a hash)."""
        size = 4096
        while True:
            data = os.pread(self._fds[number], size, offset)
            try:
                return marshal.loads(data)  # (bytes after the record are ignored)
            except (EOFError, ValueError):
                if len(data) < size:
                    raise
                size *= 4

    def close(self) -> None:
        for fd in self._fds:
            os.close(fd)
        self._fds = []
        self._index = {}
