"""A compact, exact index of strings the batch's parent must remember for every file (the identifiers a gradebook has
written, the report names the workers wrote): so that its memory stays flat in the number of files.

A ``dict`` of strings costs 150-200 bytes an entry; this keeps 8 or 12 bytes a slot (at most three quarters full):
32 bits of the string's hash and a number (the row that holds it), in an open-addressing table (linear probing). It
is exact: a slot whose hash matches is confirmed by asking ``strings_of(number)`` for the strings of that row (read
again from the spill file: only when a hash matches, so only for real duplicates and hash collisions, which are
rare).

Given a folder (``spill_to``: the run's scratch folder), a table that outgrows :data:`MEMORY_SLOTS` slots moves into
an unnamed temporary file there and is probed with ``pread``/``pwrite`` (a few slots a read), so that the parent's
memory does not grow with the files at all: what the file system caches of it is not the process's memory.
"""

from __future__ import annotations

import os
import struct
import tempfile
from array import array
from typing import Callable, Collection

__all__ = ["HashIndex", "string_hash", "MEMORY_SLOTS"]

_EMPTY = -1
MEMORY_SLOTS = 4096  # slots kept in memory at most when the index may spill to a file (48 KiB wide)
_WINDOW = 8  # slots read at a time from the file (linear probing looks at the next ones)


def string_hash(text: object) -> int:
    """The hash the batch keeps for a string (Python's: within one process, which is all it is used for)."""
    return hash(text)


def _short(h: int) -> int:
    """32 bits of a hash, as a signed number (collisions are told apart by the rows)."""
    return ((h & 0xFFFFFFFF) ^ 0x80000000) - 0x80000000


class HashIndex:
    """``string -> number`` (a number >= 0, given once per string)."""

    def __init__(self, strings_of: Callable[[int], Collection[str]], *, wide: bool = True,
                 spill_to: str | os.PathLike | None = None, expected: int = 0) -> None:
        """``wide``: numbers up to 2**63 (else up to 2**31: 8 bytes a slot instead of 12). ``spill_to``: a folder
        where the table goes once it outgrows :data:`MEMORY_SLOTS` (``None``: it stays in memory). ``expected``: the
        strings it will likely hold (the table is made that large at once, in its file if it needs to be: no
        rehashing on the way; more still fit)."""
        self._strings_of = strings_of
        self._code = "q" if wide else "i"
        self._spill_to = spill_to
        self._file = None  # the table once in a file: slots of (hash, number + 1), 0 + 0 an empty one
        self._slot = struct.Struct("<iq" if wide else "<ii")
        self.count = 0
        size = 64
        while 4 * (expected + 1) > 3 * size:
            size *= 2
        self._size = size
        if spill_to is not None and size > MEMORY_SLOTS:
            self._new_file()
        else:
            self._hashes = array("i", [0]) * size
            self._values = array(self._code, [_EMPTY]) * size

    def _new_file(self) -> None:
        """An empty table of ``_size`` slots in a new file (unnamed where the system allows: nothing to leave)."""
        self._file = tempfile.TemporaryFile(dir=self._spill_to)
        self._file.truncate(self._size * self._slot.size)  # all zeros: every slot empty
        self._hashes = self._values = None

    # ------------------------------------------------------------------------------------------------ the table

    def _find(self, h: int, text: str | None) -> tuple[int, int]:
        """``(slot, number)``: the slot holding ``text`` (hash ``h``) and its number, or the empty slot where it
        would go and ``_EMPTY`` (``text`` None: the first empty slot, for a string known to be absent)."""
        mask = self._size - 1
        i = h & mask
        if self._file is not None:
            return self._find_in_file(h, text, i, mask)
        hashes, values = self._hashes, self._values
        while True:
            value = values[i]
            if value == _EMPTY or (text is not None and hashes[i] == h and text in self._strings_of(value)):
                return i, value
            i = (i + 1) & mask

    def _find_in_file(self, h: int, text: str | None, i: int, mask: int) -> tuple[int, int]:
        fd, slot = self._file.fileno(), self._slot
        while True:
            n = min(_WINDOW, self._size - i)
            data = os.pread(fd, n * slot.size, i * slot.size)
            for k, (held_hash, stored) in enumerate(slot.iter_unpack(data)):
                if stored == 0:
                    return i + k, _EMPTY
                if text is not None and held_hash == h and text in self._strings_of(stored - 1):
                    return i + k, stored - 1
            i = (i + n) & mask

    def _set(self, i: int, h: int, value: int) -> None:
        if self._file is not None:
            os.pwrite(self._file.fileno(), self._slot.pack(h, value + 1), i * self._slot.size)
        else:
            self._hashes[i], self._values[i] = h, value

    def _grow(self) -> None:
        old = (self._file, self._hashes, self._values, self._size)
        self._size *= 2
        if self._spill_to is not None and self._size > MEMORY_SLOTS:
            self._new_file()
        else:
            self._hashes = array("i", [0]) * self._size
            self._values = array(self._code, [_EMPTY]) * self._size
        for h, value in _filled(*old, self._slot):
            self._set(self._find(h, None)[0], h, value)
        if old[0] is not None:
            old[0].close()

    def _room(self) -> None:
        if 4 * (self.count + 1) > 3 * self._size:
            self._grow()

    # ------------------------------------------------------------------------------------------------ the index

    def get(self, text: str) -> int | None:
        """The number given with ``text``, or ``None``."""
        value = self._find(_short(string_hash(text)), text)[1]
        return None if value == _EMPTY else value

    def claim(self, text: str, value: int) -> int | None:
        """:meth:`get`, and when ``text`` is not there, :meth:`add` it with ``value`` (one probe of the table for
        both): the number given with ``text`` before, or ``None`` (then it is ``value`` now)."""
        if value < 0:
            raise ValueError("a HashIndex value is a number >= 0")
        self._room()
        h = _short(string_hash(text))
        i, held = self._find(h, text)
        if held != _EMPTY:
            return held
        self._set(i, h, value)
        self.count += 1
        return None

    def add(self, text: str, value: int) -> None:
        """Remember ``text`` with ``value`` (``text`` must not be there yet: :meth:`get` is ``None``)."""
        if value < 0:
            raise ValueError("a HashIndex value is a number >= 0")
        self._room()
        h = _short(string_hash(text))
        self._set(self._find(h, None)[0], h, value)
        self.count += 1

    def nbytes(self) -> int:
        """The memory of the table's slots (none once they are in a file)."""
        if self._file is not None:
            return 0
        return self._hashes.itemsize * len(self._hashes) + self._values.itemsize * len(self._values)

    def close(self) -> None:
        """Remove the table's file, if it has one (the index is not used afterwards)."""
        if self._file is not None:
            self._file.close()


def _filled(file, hashes, values, size: int, slot: struct.Struct):
    """Every filled slot's ``(hash, number)`` of a table (in ``file``, else in the arrays)."""
    if file is None:
        yield from ((h, v) for h, v in zip(hashes, values) if v != _EMPTY)
        return
    for start in range(0, size, MEMORY_SLOTS):  # a block at a time: memory stays flat
        data = os.pread(file.fileno(), MEMORY_SLOTS * slot.size, start * slot.size)
        yield from ((h, stored - 1) for h, stored in slot.iter_unpack(data) if stored)
