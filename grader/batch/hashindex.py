"""A compact, exact index of strings the batch's parent must remember for every file (the identifiers a gradebook has
written, the report names the workers wrote): so that its memory stays flat in the number of files.

A ``dict`` of strings costs 150-200 bytes an entry; this keeps 8 or 12 bytes a slot (at most three quarters full):
32 bits of the string's hash and a number (the row that holds it), in an open-addressing table. It is exact: a slot whose hash matches is
confirmed by asking ``strings_of(number)`` for the strings of that row (read again from the spill file: only when a
hash matches, so only for real duplicates and hash collisions, which are rare).
"""

from __future__ import annotations

from array import array
from typing import Callable, Collection

__all__ = ["HashIndex", "string_hash"]

_EMPTY = -1


def string_hash(text: object) -> int:
    """The hash the batch keeps for a string (Python's: within one process, which is all it is used for)."""
    return hash(text)


def _short(h: int) -> int:
    """32 bits of a hash, as a signed number (collisions are told apart by the rows)."""
    return ((h & 0xFFFFFFFF) ^ 0x80000000) - 0x80000000


class HashIndex:
    """``string -> number`` (a number >= 0, given once per string)."""

    def __init__(self, strings_of: Callable[[int], Collection[str]], *, wide: bool = True) -> None:
        """``wide``: numbers up to 2**63 (else up to 2**31: 12 bytes a slot instead of 16)."""
        self._strings_of = strings_of
        self._code = "q" if wide else "i"
        self._size = 64
        self._hashes = array("i", [0]) * self._size
        self._values = array(self._code, [_EMPTY]) * self._size
        self.count = 0

    def get(self, text: str) -> int | None:
        """The number given with ``text``, or ``None``."""
        h = _short(string_hash(text))
        mask = self._size - 1
        i = h & mask
        hashes, values = self._hashes, self._values
        while True:
            value = values[i]
            if value == _EMPTY:
                return None
            if hashes[i] == h and text in self._strings_of(value):
                return value
            i = (i + 1) & mask

    def claim(self, text: str, value: int) -> int | None:
        """:meth:`get`, and when ``text`` is not there, :meth:`add` it with ``value`` (one probe of the table for
        both): the number given with ``text`` before, or ``None`` (then it is ``value`` now)."""
        if value < 0:
            raise ValueError("a HashIndex value is a number >= 0")
        if 4 * (self.count + 1) > 3 * self._size:
            self._grow()
        h = _short(string_hash(text))
        mask = self._size - 1
        i = h & mask
        hashes, values = self._hashes, self._values
        while True:
            held = values[i]
            if held == _EMPTY:
                hashes[i], values[i] = h, value
                self.count += 1
                return None
            if hashes[i] == h and text in self._strings_of(held):
                return held
            i = (i + 1) & mask

    def add(self, text: str, value: int) -> None:
        """Remember ``text`` with ``value`` (``text`` must not be there yet: :meth:`get` is ``None``)."""
        if value < 0:
            raise ValueError("a HashIndex value is a number >= 0")
        if 4 * (self.count + 1) > 3 * self._size:
            self._grow()
        self._put(_short(string_hash(text)), value)
        self.count += 1

    def _put(self, h: int, value: int) -> None:
        mask = self._size - 1
        i = h & mask
        while self._values[i] != _EMPTY:
            i = (i + 1) & mask
        self._hashes[i], self._values[i] = h, value

    def _grow(self) -> None:
        old_hashes, old_values = self._hashes, self._values
        self._size *= 2
        self._hashes = array("i", [0]) * self._size
        self._values = array(self._code, [_EMPTY]) * self._size
        for i in range(len(old_values)):
            if old_values[i] != _EMPTY:
                self._put(old_hashes[i], old_values[i])

    def nbytes(self) -> int:
        """The memory of the table's slots."""
        return self._hashes.itemsize * len(self._hashes) + self._values.itemsize * len(self._values)
