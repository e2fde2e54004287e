"""Reading and writing files safely.

``read_capped``: every file the grader reads goes through it. It opens the path without blocking (a FIFO never
hangs), checks on the opened descriptor that it is a regular file (a FIFO, device, socket or folder is refused with
a clear error), and reads at most ``limit + 1`` bytes (a 1 GB file is never read whole). A file of the size
``fstat`` gives is read in one ``read`` of that size and a byte more: a short read that ends there is its end (no
second ``read`` to find nothing, no megabyte buffer for a few kilobytes). A student's file is read with
``follow_symlinks=False``: a symbolic link is refused unopened (``O_NOFOLLOW``; where a system has none, ``lstat``
before the open and the same file checked on the opened descriptor), so a link to ``/etc/shadow`` is never read.
Instructor files (problems, rosters, manual scores) may be links.
``write_atomic``: a crash leaves the previous file intact, never a half-written one.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from grader.errors import GraderError, LimitError

TYPE_CHECKING = False  # typing costs milliseconds at start-up: only a type checker imports it
if TYPE_CHECKING:
    from typing import BinaryIO, Iterator

__all__ = ["read_capped", "read_capped_text", "write_atomic", "DEFAULT_LIMIT"]

DEFAULT_LIMIT = 1_048_576  # 1 MiB: what a problem, a submission, a roster or a scores sheet needs many times over

_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "not a regular file"


def read_capped(path: str | os.PathLike, limit: int = DEFAULT_LIMIT, what: str = "file", *,
                follow_symlinks: bool = True, hint: str = "check that this is the right file") -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them. ``what`` names the file in messages
    ("file", "the roster", "the manual scores"); ``hint`` is what a too-large file's message suggests.

    Raises ``GraderError`` (exit 2) naming ``what`` and the path when the file cannot be opened, is not a regular
    file (FIFO, device, socket, folder; with ``follow_symlinks=False`` also a symbolic link), and ``LimitError``
    when it holds more than ``limit`` bytes. Never blocks on a FIFO, never reads more than ``limit + 1`` bytes.
    """
    try:
        name = os.fsdecode(path)
    except TypeError:
        raise GraderError(f"cannot read {what}: {path!r} is not a path",
                          hint="pass a file path as a string or os.PathLike") from None
    seen = None  # without O_NOFOLLOW: what lstat saw before the open, to be the file opened
    try:
        if not follow_symlinks and not _NOFOLLOW:
            seen = os.lstat(name)
            if stat.S_ISLNK(seen.st_mode):
                raise _link_error(what, name)
        fd = os.open(name, _FLAGS if follow_symlinks else _FLAGS | _NOFOLLOW)
    except OSError as e:
        if not follow_symlinks and os.path.islink(name):  # O_NOFOLLOW's ELOOP: a link, never opened
            raise _link_error(what, name) from None
        raise GraderError(f"cannot read {what}: {e.strerror or e}", file=name,
                          hint="check that the path names an existing, readable file") from None
    except ValueError as e:  # e.g. an embedded NUL in the path
        raise GraderError(f"cannot read {what}: {e}", file=name, hint="check the path") from None
    try:
        st = os.fstat(fd)
        if seen is not None and (st.st_dev, st.st_ino) != (seen.st_dev, seen.st_ino):
            raise _link_error(what, name)  # replaced (by a link?) between the lstat and the open: not read
        if not stat.S_ISREG(st.st_mode):
            raise GraderError(f"cannot read {what}: it is {_kind(st.st_mode)}, not a regular file", file=name,
                              hint="give the path of an ordinary file")
        size = st.st_size
        if size > limit:
            raise _too_large(size, limit, what, name, hint)
        chunks, got = [], 0
        want = size + 1  # the file and a byte more (a buffer of its size, not of a megabyte): a short read is its end
        while got <= limit:
            try:
                chunk = os.read(fd, want)
            except BlockingIOError:  # pragma: no cover - a regular file does not block
                break
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
            if got == size and len(chunk) < want:  # a short read ending where fstat says the file ends: its end
                break  # (what another read would say, returning nothing; a file that is not done yet reads on)
            want = min(1 << 20, limit + 1 - got)
        if got > limit:
            raise _too_large(None, limit, what, name, hint)
        return b"".join(chunks)
    except OSError as e:
        raise GraderError(f"cannot read {what}: {e.strerror or e}", file=name,
                          hint="check that the path names an existing, readable file") from None
    finally:
        os.close(fd)


def read_capped_text(path: str | os.PathLike, limit: int = DEFAULT_LIMIT, what: str = "file", *,
                     encoding: str = "utf-8-sig") -> str:
    """``read_capped`` decoded (by default UTF-8 with an optional byte-order mark); undecodable text is a
    ``GraderError`` with the byte offset."""
    data = read_capped(path, limit, what)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as e:
        raise GraderError(f"{what} is not valid UTF-8 text (byte offset {e.start})", file=os.fsdecode(path),
                          hint="save it as UTF-8 (CSV UTF-8 in a spreadsheet program)") from None


def _link_error(what: str, name: str) -> GraderError:
    return GraderError(f"cannot read {what}: it is a symbolic link, not followed (a student's file is read only as "
                       "the file itself, never through a link)", file=name,
                       hint="give or upload the file itself, not a link to it")


def _too_large(size: int | None, limit: int, what: str, name: str, hint: str) -> LimitError:
    shown = f"{size:,} bytes" if size is not None else f"more than {limit:,} bytes"
    return LimitError(f"{what} is too large: {shown} (the limit is {limit:,} bytes)", file=name, hint=hint)


def _read_umask() -> int:
    mask = os.umask(0)  # (the only way to read it: done once, at import, before any thread of ours runs)
    os.umask(mask)
    return mask


_UMASK = _read_umask()


def _umask() -> int:
    return _UMASK


def ordinary_mode(fd: int) -> None:
    """Give a file ``tempfile.mkstemp`` made (0600) the mode of an ordinary new file (0666 less the umask): an
    output is shared as any other file of the folder is."""
    os.fchmod(fd, 0o666 & ~_UMASK)


@contextlib.contextmanager
def atomic_writer(path: Path) -> Iterator[BinaryIO]:
    """A binary file that becomes ``path`` atomically when the block ends (synced, then renamed); on any error the
    temporary file is removed and ``path`` is left as it was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    import tempfile  # only a write needs it (and it imports shutil and random)

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; a report is an ordinary file
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and an atomic rename."""
    with atomic_writer(path) as f:
        f.write(data.encode("utf-8") if isinstance(data, str) else data)
