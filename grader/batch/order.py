"""What the parent keeps per row while a batch runs, the order of the rows, and which file of a student counts.

:class:`Keys` keeps about a hundred bytes a row: one ``bytes`` record with its sort position, where the row is in
the spill files, a hash of who it counts for and its status. Rows are sorted by student id (natural order: "2"
before "10"; rows without an id last), then by file; of a student's files the latest counts (Canvas: the highest
attachment id; else the newest file, then the name), the others are superseded.
"""

from __future__ import annotations

import re
import struct
from typing import Callable

__all__ = ["Keys", "STATUSES", "sort_string", "resolve_resubmissions"]

STATUSES = ("graded", "unusable", "skipped")
_TAIL = struct.Struct("<QIHqB")  # offset, length, spill file, who (hash), status
_TAIL_SIZE = _TAIL.size + 1  # with the NUL before it


class Keys:
    """A record per row: ``sort_string`` (UTF-8), NUL, then the packed offset and length of the row in spill file
    ``spill``, the hash of its student key and its status. Records sort as their sort strings do (NUL is the
    smallest character and ends every sort string here). Superseded rows are listed apart (few)."""

    def __init__(self) -> None:
        self.records: list[bytes] = []
        self.superseded: dict[int, tuple[str, bool]] = {}  # position -> (the file that counts, it is unusable)

    def add(self, sort: str, offset: int, length: int, spill: int, who: int, status: str) -> None:
        self.records.append(sort.encode("utf-8", "surrogatepass") + b"\0"
                            + _TAIL.pack(offset, length, spill, who, STATUSES.index(status)))

    def sort(self) -> None:
        self.records.sort()
        self.superseded.clear()

    def __len__(self) -> int:
        return len(self.records)

    def where(self, i: int) -> tuple[int, int, int]:
        """(offset, length, spill file) of row ``i``."""
        offset, length, spill, _, _ = _TAIL.unpack_from(self.records[i], len(self.records[i]) - _TAIL.size)
        return offset, length, spill

    def who(self, i: int) -> int:
        return _TAIL.unpack_from(self.records[i], len(self.records[i]) - _TAIL.size)[3]

    def status(self, i: int) -> str:
        return STATUSES[self.records[i][-1]]

    def file(self, i: int) -> str:
        sort = self.records[i][:-_TAIL_SIZE].decode("utf-8", "surrogatepass")
        return sort[sort.index("\0") + 1 :]


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
    counted = {STATUSES.index("graded"), STATUSES.index("unusable")}
    records = keys.records
    whos = sorted(keys.who(i) for i in range(len(records)) if records[i][-1] in counted)
    shared = {a for a, b in zip(whos, whos[1:]) if a == b}
    del whos
    groups: dict[str, list[tuple[tuple, int, str]]] = {}
    for i in range(len(records)):
        if records[i][-1] in counted and keys.who(i) in shared:
            row = row_at(i)
            att = (row.get("lms") or {}).get("attachment_id")
            order = (att if att is not None else -1, row["mtime"], row["file"])  # Canvas attachment id, mtime, name
            groups.setdefault(row["student_key"], []).append((order, i, row["status"]))
    for group in groups.values():
        if len(group) < 2:
            continue
        latest = max(group)
        for member in group:
            if member is not latest:
                keys.superseded[member[1]] = (latest[0][2], latest[2] == "unusable")
