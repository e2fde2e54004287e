"""Reading an LMS "download all submissions" zip safely: entries are read into memory, never extracted.

Nothing is ever written from a zip, so an entry named ``../evil.yaml`` or ``/etc/x.yaml`` is only a name (zip-slip
cannot happen). Before the central directory is parsed, its end record is read to refuse archives with too many
entries or an oversized directory; then the declared sizes are summed and capped. Each entry is read with a cap of
``min(declared size, MAX_ENTRY_BYTES) + 1`` bytes, so a lying header or a compression bomb never decompresses more
than that. Symbolic-link entries (Unix mode in ``external_attr``) are never read; encrypted entries are refused.
"""

from __future__ import annotations

import os
import stat
import struct
import zipfile
import zlib

from grader.errors import GraderError, LimitError
from grader.submission.extract import WRITEUP_SUFFIXES, writeup_limit
from grader.yamlio import DEFAULT_MAX_BYTES

__all__ = [
    "MAX_ENTRIES",
    "MAX_TOTAL_BYTES",
    "MAX_ENTRY_BYTES",
    "open_zip",
    "is_symlink",
    "is_encrypted",
    "read_entry",
    "entry_limit",
]

MAX_ENTRIES = 50_000
MAX_TOTAL_BYTES = 500 * 1024 * 1024  # sum of the declared uncompressed sizes
MAX_ENTRY_BYTES = DEFAULT_MAX_BYTES  # what the YAML reader accepts (1 MiB)


def entry_limit(name: str) -> int:
    """The most bytes a submission file may have: a written solution's limit for one (``.md``, ``.tex``, ...: the
    same as ``grade FILE`` allows; a Word document's is larger, for its images), the YAML reader's for any other."""
    return writeup_limit(name) if name.lower().endswith(WRITEUP_SUFFIXES) else MAX_ENTRY_BYTES


MAX_DIRECTORY_BYTES = 64 * 1024 * 1024  # the central directory itself

_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"
_HINT = "an LMS download of YAML homework is a few megabytes; check that this is the right file"


def _end_record(path: str) -> tuple[int, int]:
    """(number of entries, central directory size) from the end-of-central-directory record, before parsing it."""
    with open(path, "rb") as f:
        f.seek(0, os.SEEK_END)
        size = f.tell()
        tail_len = min(size, 22 + 65535 + 20 + 56)
        f.seek(size - tail_len)
        tail = f.read(tail_len)
        pos = tail.rfind(_EOCD)
        if pos < 0 or len(tail) - pos < 22:
            raise GraderError(
                "not a zip file (no end-of-archive record)", file=path, hint="pass a folder or an LMS zip download"
            )
        entries, cd_size = struct.unpack("<HI", tail[pos + 10 : pos + 16])
        if entries == 0xFFFF or cd_size == 0xFFFFFFFF:
            loc = pos - 20
            if loc >= 0 and tail[loc : loc + 4] == _ZIP64_LOCATOR:
                (offset,) = struct.unpack("<Q", tail[loc + 8 : loc + 16])
                if 0 <= offset <= size - 56:
                    f.seek(offset)
                    rec = f.read(56)
                    if rec[:4] == _ZIP64_EOCD:
                        entries, cd_size = struct.unpack("<QQ", rec[32:48])
        return entries, cd_size


def open_zip(path: str) -> zipfile.ZipFile:
    """Open ``path`` as a zip after checking the entry count, the directory size and the total declared size.

    Raises :class:`LimitError` when a cap is exceeded (the whole archive is refused) and :class:`GraderError` when
    the file is not a readable zip.
    """
    try:
        entries, cd_size = _end_record(path)
    except OSError as e:
        raise GraderError(f"cannot read the zip: {e.strerror or e}", file=path, hint="check the path") from None
    if entries > MAX_ENTRIES:
        raise LimitError(
            f"the zip has {entries:,} entries (the limit is {MAX_ENTRIES:,}); refused without reading it",
            file=path,
            hint=_HINT,
        )
    if cd_size > MAX_DIRECTORY_BYTES:
        raise LimitError(
            f"the zip's directory is {cd_size:,} bytes (the limit is {MAX_DIRECTORY_BYTES:,}); refused",
            file=path,
            hint=_HINT,
        )
    try:
        try:
            zf = zipfile.ZipFile(path)
        except UnicodeDecodeError:  # an entry flagged UTF-8 whose name is not: that entry's name is read as cp437
            zf = _NamesAsWritten(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as e:
        raise GraderError(f"not a readable zip file: {e}", file=path, hint="download the zip again") from None
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:  # the end record lied
        zf.close()
        raise LimitError(
            f"the zip has {len(infos):,} entries (the limit is {MAX_ENTRIES:,}); refused", file=path, hint=_HINT
        )
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_BYTES:
        zf.close()
        raise LimitError(
            f"the zip declares {total:,} bytes uncompressed (the limit is {MAX_TOTAL_BYTES:,}); refused as a "
            "possible zip bomb",
            file=path,
            hint=_HINT,
        )
    return zf


_UTF8_NAME = 0x0800  # general purpose flag: the entry's name is UTF-8


class _ClearedFlags:
    """The zip file, read with the UTF-8 flag cleared for each entry whose name is not UTF-8 (in the central
    directory as it is read, and in those entries' local headers), so that ``zipfile`` reads those names as cp437
    (a name of bytes, as a zip without the flag has) instead of failing on the whole archive."""

    def __init__(self, path: str) -> None:
        self._f = open(path, "rb")
        self._headers: set[int] = set()  # offsets of the local headers to clear

    def seek(self, *args):
        return self._f.seek(*args)

    def tell(self):
        return self._f.tell()

    def seekable(self):
        return True

    def close(self):
        self._f.close()

    def read(self, n=-1):
        at = self._f.tell()
        data = self._f.read(n)
        if at in self._headers and len(data) >= 8:
            data = data[:7] + bytes([data[7] & ~(_UTF8_NAME >> 8)]) + data[8:]
        elif data[:4] == b"PK\x01\x02":
            data = self._clear_directory(bytearray(data))
        return data

    def _clear_directory(self, cd: bytearray) -> bytes:
        i = 0
        while i + 46 <= len(cd) and cd[i:i + 4] == b"PK\x01\x02":
            flags, n, m, k = struct.unpack_from("<H", cd, i + 8)[0], *struct.unpack_from("<HHH", cd, i + 28)
            if flags & _UTF8_NAME:
                try:
                    bytes(cd[i + 46:i + 46 + n]).decode("utf-8")
                except UnicodeDecodeError:
                    cd[i + 9] &= ~(_UTF8_NAME >> 8)
                    self._headers.add(struct.unpack_from("<I", cd, i + 42)[0])
            i += 46 + n + m + k
        return bytes(cd)


class _NamesAsWritten(zipfile.ZipFile):
    """A zip some of whose entries are flagged UTF-8 but are not (a hostile or broken archive): those names are read
    as cp437, every other entry as usual (see :class:`_ClearedFlags`)."""

    def __init__(self, path: str) -> None:
        self._raw = _ClearedFlags(path)
        try:
            super().__init__(self._raw)
        except BaseException:
            self._raw.close()
            raise

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._raw.close()


def is_symlink(info: zipfile.ZipInfo) -> bool:
    """A Unix symbolic link stored as an entry (its target is the entry's data): never read."""
    return info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16)


def is_encrypted(info: zipfile.ZipInfo) -> bool:
    return bool(info.flag_bits & 0x1)


def read_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> bytes:
    """The bytes of one entry, at most ``MAX_ENTRY_BYTES``; a :class:`GraderError` naming ``name`` otherwise."""
    if is_encrypted(info):
        raise GraderError(
            "the zip entry is encrypted (password-protected) and cannot be read",
            file=name,
            hint="ask the student to resubmit the file without a password",
        )
    limit = entry_limit(name)
    if info.file_size > limit:
        raise LimitError(
            f"file is too large: {info.file_size:,} bytes (the limit is {limit:,} bytes)",
            file=name,
            hint="remove what does not belong in it; answers are a few kilobytes",
        )
    try:
        with zf.open(info) as f:
            data = f.read(info.file_size + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError, ValueError) as e:
        raise GraderError(
            f"the zip entry cannot be read: {e}", file=name, hint="download the zip again or ask for a resubmission"
        ) from None
    if len(data) > info.file_size:
        raise GraderError(
            "the zip entry holds more data than its header declares (a damaged or malicious zip)",
            file=name,
            hint="download the zip again",
        )
    return data
