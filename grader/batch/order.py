"""What the parent keeps per row while a batch runs, the order of the rows, and which file of a student counts.

:class:`Keys` keeps a record a row, on disk (its memory does not grow with the rows): its sort position, where the
row is in the spill files, a hash of who it counts for and its status. Rows are sorted by student id (natural order: "2"
before "10"; rows without an id last), then by file; of a student's files the latest counts (Canvas: the highest
attachment id; else the newest file, then the name), the others are superseded; a file in which no answer was read
(a side note, a blank template) counts only when no file of the student has answers.
"""

from __future__ import annotations

import heapq
import itertools
import os
import re
import struct
import tempfile
from typing import Callable, Iterator

from grader.batch import extsort

__all__ = ["Keys", "STATUSES", "sort_string", "resolve_resubmissions"]

STATUSES = ("graded", "unusable", "skipped")
_TAIL = struct.Struct("<QIHqB")  # offset, length, spill file, who (hash), status


class Keys:
    """A record per row: ``sort_string`` (UTF-8), NUL, then the packed offset and length of the row in spill file
    ``spill``, the hash of its student key and its status. Records sort as their sort strings do (NUL is the
    smallest character and ends every sort string here). Superseded rows are listed apart (few).

    The records are kept in files of ``folder`` (the run's scratch folder), not in memory, so that the parent's
    memory stays flat in the number of files: :meth:`add` appends a record; :meth:`sort` sorts runs of
    ``run`` records in memory and merges them (``heapq.merge``: the same order as sorting them all at once, the
    records being distinct) into a file of fixed-size tails, row ``i`` read back at ``i * size``."""

    def __init__(self, folder, run: int = 1024) -> None:
        self._folder = os.fspath(folder)
        self._run = run
        self._count = 0
        self._pending = open(os.path.join(self._folder, ".keys-added.tmp"), "w+b")
        self._sorted: int | None = None  # the fd of the sorted tails
        self.superseded: dict[int, tuple[str, bool]] = {}  # position -> (the file that counts, it is unusable)

    def add(self, sort: str, offset: int, length: int, spill: int, who: int, status: str) -> None:
        record = (sort.encode("utf-8", "surrogatepass") + b"\0"
                  + _TAIL.pack(offset, length, spill, who, STATUSES.index(status)))
        self._pending.write(extsort.record(record))
        self._count += 1

    def sort(self) -> None:
        self.superseded.clear()
        records = extsort.ExternalSort(self._folder, self._run)
        try:
            for data in extsort.read_records(self._pending):
                records.add(data)
            out = tempfile.TemporaryFile(dir=self._folder)
            for data in records:
                out.write(data[-_TAIL.size:])
            out.flush()
        finally:
            records.close()
        self._pending.close()
        os.unlink(self._pending.name)
        if self._sorted is not None:
            os.close(self._sorted)
        self._sorted = os.dup(out.fileno())
        out.close()

    def close(self) -> None:
        if not self._pending.closed:
            self._pending.close()
        if self._sorted is not None:
            os.close(self._sorted)
            self._sorted = None

    def __len__(self) -> int:
        return self._count

    def _tail(self, i: int) -> tuple:
        if not 0 <= i < self._count:
            raise IndexError(i)
        return _TAIL.unpack(os.pread(self._sorted, _TAIL.size, i * _TAIL.size))

    def statuses(self, block: int = 1024) -> "Iterator[tuple[int, str]]":
        """``(who, status)`` of every row, in order (read ``block`` tails at a time: one pass over the file)."""
        size = _TAIL.size
        for start in range(0, self._count, block):
            data = os.pread(self._sorted, size * min(block, self._count - start), start * size)
            for _, _, _, who, status in _TAIL.iter_unpack(data):
                yield who, STATUSES[status]

    def where(self, i: int) -> tuple[int, int, int]:
        """(offset, length, spill file) of row ``i``."""
        offset, length, spill, _, _ = self._tail(i)
        return offset, length, spill

    def who(self, i: int) -> int:
        return self._tail(i)[3]

    def status(self, i: int) -> str:
        return STATUSES[self._tail(i)[4]]


_DIGITS = re.compile(r"\d+")


def _natural_digits(m: re.Match) -> str:
    digits = m.group(0)
    value = digits.lstrip("0") or "0"
    # numbers compare by length then digits (so 99 < 100), and sort before any text; leading zeros break ties
    return f"\x01{chr(0x20 + len(value))}{value}{chr(0x20 + len(digits))}"


def sort_string(student_id: str | None, file: str) -> str:
    """One string that sorts rows by student id (natural order: "2" before "10"; rows without an id last), then
    by file name. Kept instead of a tuple: a tenth of the memory per file."""
    if student_id is None:
        return "\x02\0" + file
    return "\x01" + _DIGITS.sub(_natural_digits, student_id.replace("\0", "")) + "\0" + file


def resolve_resubmissions(keys: Keys, row_at: Callable[[int], dict]) -> None:
    """Mark every graded or unusable file of a student but the latest as superseded by the latest
    (``keys.superseded``). ``row_at(i)`` reads row ``i`` again: only for the files whose student-key hash another
    file has (resubmissions, and hash collisions, which the rows' own keys tell apart)."""
    counted = {"graded", "unusable"}
    shared = _shared_hashes(who for who, status in keys.statuses() if status in counted)
    groups: dict[str, list[tuple[tuple, int, str]]] = {}
    for i, (who, status) in enumerate(keys.statuses()):
        if status in counted and who in shared:
            row = row_at(i)
            att = (row.get("lms") or {}).get("attachment_id")
            # a graded file in which no answer was read (a side note, README.txt, a blank template) never replaces
            # one with answers; then the Canvas attachment id, the mtime, the name
            read = row["status"] != "graded" or any(f[1] != "missing" for f in row["fields"])
            order = (read, att if att is not None else -1, row["mtime"], row["file"])
            groups.setdefault(row["student_key"], []).append((order, i, row["status"]))
    for group in groups.values():
        if len(group) < 2:
            continue
        latest = max(group)
        for member in group:
            if member is not latest:
                keys.superseded[member[1]] = (latest[0][3], latest[2] == "unusable")


def _shared_hashes(whos: Iterator[int], run: int = 2048) -> set[int]:
    """The hashes that occur more than once among ``whos`` (few: resubmissions, collisions), in memory bounded by
    ``run`` hashes: hashes seen twice within a run are kept; of the rest each run keeps a sorted array, and the
    runs are merged (an array of 8 bytes a hash per run, not a list of Python numbers)."""
    from array import array

    shared: set[int] = set()
    runs: list[array] = []
    while part := sorted(itertools.islice(whos, run)):
        shared.update(a for a, b in zip(part, part[1:]) if a == b)
        runs.append(array("q", part))
        del part
    previous = None
    for who in heapq.merge(*runs):
        if who == previous:
            shared.add(who)
        previous = who
    return shared
