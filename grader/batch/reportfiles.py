"""Writing feedback reports straight to their final place, from the process that rendered them.

Each report goes through a temporary file in the run's private scratch folder (``DIR/.grade-batch-scratch-*``,
outside every folder an LMS importer reads, so a run killed at any moment leaves no half-written or temporary file
among the reports), is fsynced, and is renamed over its final path in one atomic ``os.replace``: the path holds the
previous report or the new one, never a mixture or nothing. Before a block of reports is renamed into place their
paths are appended to the run's journal (``grader.batch.manifest``; fdatasync'ed once per block), so a run killed
mid-way leaves no report that the next run does not know of. The folders are fsynced once each at the end of the run
(``grader.batch.bookkeeping.sync_dirs``); nothing ever syncs the whole machine.

The disk work runs in writer threads of the writing process, so that the fsyncs overlap the grading of the next
files (the system calls release the GIL). How many depends on the disk, timed once per process
(:func:`fsync_seconds`, two fsyncs of a small file in the scratch folder): where an fsync takes a millisecond or
more (a laptop's SSD, a network file system) concurrent fsyncs share the file system's journal commits and
:data:`WRITERS` threads write several times as fast as one; where it is quicker, one thread keeps up and more only
add GIL hand-offs and system time (on this project's ext4 test machine, fsyncs of about 0.3 ms, with two grading
processes on two cores, four threads per process cost about 0.1 ms more system time per report and about a tenth
of the batch's wall time). A thread starved of the GIL by the grading fills the queue however fast the disk is, so
a full queue is no sign of a slow disk. :meth:`ReportFiles.wait` returns once every report queued is in place,
with the errors by row.
"""

from __future__ import annotations

import errno
import itertools
import math
import os
import queue
import threading
import time

__all__ = ["ReportFiles", "SCRATCH_PREFIX"]

SCRATCH_PREFIX = ".grade-batch-scratch-"
_BLOCK = 16  # reports per journal block at most (one fdatasync of the journal each)
WRITERS = 4  # writer threads per process on a disk whose fsync is slow
SLOW_FSYNC = 0.001  # seconds: an fsync this slow or slower (the faster of two) makes the disk a slow one


class ReportFiles:
    """The feedback reports one process writes into ``out_dir`` (relative paths, ``/``-separated).

    Made in the parent before the workers fork; each process that uses it starts its own writer thread."""

    def __init__(self, out_dir: str, scratch: str, journal: str, *, durable: bool = True) -> None:
        self.out_dir = out_dir
        self.scratch = scratch
        self.journal = journal
        self.durable = durable  # fsync each report and fdatasync the journal (off only in tests of the protocol)
        self._pid: int | None = None

    # ---------------------------------------------------------------------------------------------- the caller

    def _start(self) -> None:
        self._pid = os.getpid()
        self._queue: queue.Queue = queue.Queue(maxsize=4 * _BLOCK)
        self._errors: dict[int, str] = {}
        self._placed: dict[int, list[str]] = {}
        self._names = itertools.count()
        self._journal_fd: int | None = None
        self._journal_lock = threading.Lock()
        self._discard = False
        slow = self.durable and fsync_seconds(self.scratch) >= SLOW_FSYNC
        self._threads = [threading.Thread(target=self._loop, name="grade-batch-reports", daemon=True)
                         for _ in range(WRITERS if slow else 1)]
        for thread in self._threads:
            thread.start()

    def put(self, tag: int, rel: str, data: bytes) -> None:
        """Queue ``data`` to become ``out_dir/rel`` (``tag``: the row it belongs to)."""
        if self._pid != os.getpid():
            self._start()
        self._queue.put((tag, rel, data))

    def wait(self) -> dict[int, str]:
        """Block until every queued report is in place; the rows whose reports could not be written, with why (the
        reports of such a row that were placed are removed again: a row has all its reports or none)."""
        if self._pid != os.getpid():
            return {}
        self._queue.join()
        errors, self._errors = self._errors, {}
        for tag in errors:  # (a report of the row placed by another thread after the failure was handled)
            for final in self._placed.get(tag, ()):
                _unlink(final)
        self._placed.clear()
        return errors

    def close(self, *, discard: bool = False) -> None:
        """Stop this process's writer thread (``discard``: drop what is still queued, as an interrupted run does)."""
        if self._pid != os.getpid():
            return
        self._discard = discard
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join()
        if self._journal_fd is not None:
            os.close(self._journal_fd)
            self._journal_fd = None
        self._pid = None

    # ---------------------------------------------------------------------------------------------- the thread

    def _loop(self) -> None:
        while True:
            block = [self._queue.get()]
            while len(block) < _BLOCK and block[-1] is not None:
                try:
                    block.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            stop = block[-1] is None
            items = [b for b in block if b is not None]
            try:
                if items and not self._discard:
                    self._write_block(items)
            except BaseException as exc:  # never leave the caller waiting: every row of the block fails
                for tag, _, _ in items:
                    self._errors.setdefault(tag, f"{type(exc).__name__}: {exc}")
            finally:
                for _ in block:
                    self._queue.task_done()
            if stop:
                return

    def _fail(self, tag: int, exc: BaseException) -> None:
        self._errors.setdefault(tag, f"{type(exc).__name__}: {exc}")
        for final in self._placed.pop(tag, ()):
            try:
                os.unlink(final)
            except OSError:
                pass

    def _write_block(self, items: list[tuple[int, str, bytes]]) -> None:
        written = []  # every file of the block is written (its writeback started) before the first is synced
        ready = []
        try:
            for tag, rel, data in items:
                if tag in self._errors:
                    continue
                tmp = os.path.join(self.scratch, f"{self._pid}-{next(self._names)}.tmp")
                try:
                    fd = _write_file(tmp, data, self.durable)
                except OSError as exc:
                    _unlink(tmp)
                    self._fail(tag, exc)
                    continue
                written.append((tag, rel, tmp, fd))
            written.reverse()
            while written:
                tag, rel, tmp, fd = written.pop()
                try:
                    if fd is not None:
                        _sync_close(fd)
                except OSError as exc:
                    _unlink(tmp)
                    self._fail(tag, exc)
                    continue
                ready.append((tag, rel, tmp))
        finally:  # (an exception other than a disk error: no descriptor is left open)
            for _, _, _, fd in written:
                if fd is not None:
                    os.close(fd)
        if not ready:
            return
        try:
            self._journal_append("".join(f"{rel}\n" for _, rel, _ in ready).encode("utf-8", "backslashreplace"))
        except OSError as exc:
            for tag, _, tmp in ready:
                _unlink(tmp)
                self._fail(tag, exc)
            return
        for tag, rel, tmp in ready:
            if tag in self._errors:
                _unlink(tmp)
                continue
            final = os.path.join(self.out_dir, *rel.split("/"))
            try:
                _place(tmp, final)
            except OSError as exc:
                _unlink(tmp)
                self._fail(tag, exc)
                continue
            self._placed.setdefault(tag, []).append(final)

    def _journal_append(self, data: bytes) -> None:
        with self._journal_lock:
            if self._journal_fd is None:
                self._journal_fd = os.open(self.journal, os.O_WRONLY | os.O_APPEND | os.O_CLOEXEC)
        view = memoryview(data)
        while view:  # O_APPEND: each write lands whole at the end, whichever process writes
            view = view[os.write(self._journal_fd, view):]
        if self.durable:
            os.fdatasync(self._journal_fd)


def fsync_seconds(folder: str) -> float:
    """How long an fsync of a small new file in ``folder`` takes, the faster of two (what decides how many writer
    threads a process starts); 0.0 when the file cannot be written (the first report then says why)."""
    path = os.path.join(folder, f"{os.getpid()}-fsync-probe.tmp")
    best = math.inf
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
    except OSError:
        return 0.0
    try:
        for _ in range(2):
            os.write(fd, b"\n" * 4096)
            start = time.perf_counter()
            os.fsync(fd)
            best = min(best, time.perf_counter() - start)
    except OSError:
        best = 0.0
    finally:
        os.close(fd)
        _unlink(path)
    return best


def _write_file(path: str, data: bytes, durable: bool) -> int | None:
    """Write ``data`` to the new file ``path``. ``durable``: the file's writeback is started and the file is left
    open, its descriptor returned, for :func:`_sync_close` (so that the files of a block are all on their way to
    the disk before the first one is waited for: on this project's ext4 test machine a block's fsyncs then cost
    about a third less system time than fsyncing each file as it is written, which writes the shared inode-table
    and folder blocks once per file); else it is closed and ``None`` returned."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)  # the umask applies
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if durable:
            if _START_WRITEBACK is not None:
                os.posix_fadvise(fd, 0, 0, _START_WRITEBACK)  # Linux: starts the writeback without waiting
            return fd
    except BaseException:
        os.close(fd)
        raise
    os.close(fd)
    return None


# ``posix_fadvise(DONTNEED)`` starts the writeback of a file's dirty pages without waiting for it (where there is
# no such call the fsync does it all)
_START_WRITEBACK = getattr(os, "POSIX_FADV_DONTNEED", None) if hasattr(os, "posix_fadvise") else None


def _sync_close(fd: int) -> None:
    """fsync and close a file :func:`_write_file` left open."""
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _place(tmp: str, final: str) -> None:
    """``os.replace`` of the temporary file over ``final``, creating ``final``'s folder if needed; when the folder is
    on another file system (a link to another disk), through a temporary file beside ``final`` instead."""
    try:
        os.replace(tmp, final)
        return
    except FileNotFoundError:
        os.makedirs(os.path.dirname(final), exist_ok=True)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        folder, name = os.path.split(final)
        near = os.path.join(folder, f".{name}.{os.getpid()}.tmp")
        with open(tmp, "rb") as f:
            data = f.read()
        try:
            _sync_close(_write_file(near, data, True))
            os.replace(near, final)
        except BaseException:
            _unlink(near)
            raise
        _unlink(tmp)
        return
    os.replace(tmp, final)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
