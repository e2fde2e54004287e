"""Sorting more byte strings than the batch's parent should hold at once: an external merge sort.

:class:`ExternalSort` keeps at most ``run`` strings in memory: each full run is sorted and written to an unnamed
temporary file of a folder (the run's scratch folder), and iterating merges the runs (``heapq.merge``), which gives
the order of sorting all the strings at once. The parent's list of a folder's files (``grader.batch.inputs``) and
its per-row records (``grader.batch.order``) are sorted this way, so that its memory does not grow with the files.
"""

from __future__ import annotations

import heapq
import struct
import tempfile
from typing import BinaryIO, Iterator

__all__ = ["ExternalSort", "read_records", "record"]

_LEN = struct.Struct("<I")  # a string's length, before it in a file of records


def record(data: bytes) -> bytes:
    """``data`` as a record of a file of records (its length, then it): what :func:`read_records` reads."""
    return _LEN.pack(len(data)) + data


class ExternalSort:
    """Byte strings added one by one, given back sorted (once): :meth:`add`, then iterate."""

    def __init__(self, folder, run: int = 4096) -> None:
        if run < 1:
            raise ValueError("a run holds at least one string")
        self._folder = folder
        self._run = run
        self._part: list[bytes] = []
        self._runs: list[BinaryIO] = []

    def add(self, data: bytes) -> None:
        self._part.append(data)
        if len(self._part) >= self._run:
            self._spill()

    @property
    def spilled(self) -> bool:
        """Whether a run went to a file (else every string is still in memory)."""
        return bool(self._runs)

    def _spill(self) -> None:
        part, self._part = self._part, []
        part.sort()
        run = tempfile.TemporaryFile(dir=self._folder)  # unnamed where the system allows: nothing to leave behind
        self._runs.append(run)
        try:
            for data in part:
                run.write(record(data))
        except BaseException:
            self.close()
            raise

    def __iter__(self) -> Iterator[bytes]:
        """The strings in order; the run files are closed once they are all given (or :meth:`close`)."""
        if not self._runs:
            part, self._part = self._part, []
            part.sort()
            yield from part
            return
        if self._part:
            self._spill()
        try:
            yield from heapq.merge(*(read_records(run) for run in self._runs))
        finally:
            self.close()

    def close(self) -> None:
        for run in self._runs:
            run.close()
        self._runs = []
        self._part = []


def read_records(f: BinaryIO) -> Iterator[bytes]:
    """The records of the file ``f`` (written with :func:`record`), from its start."""
    f.flush()
    f.seek(0)
    while head := f.read(_LEN.size):
        yield f.read(_LEN.unpack(head)[0])
