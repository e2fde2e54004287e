"""What the parent keeps per row while a batch runs, the order of the rows, and which file of a student counts.

A :class:`RowKey` is a few hundred bytes: where the row's JSON line is in the run's spill file, who it counts for and
its sort position. Rows are sorted by student id (natural order: "2" before "10"; rows without an id last), then by
file; of a student's files the latest counts (Canvas: the highest attachment id; else the newest file, then the
name), the others are superseded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

__all__ = ["RowKey", "sort_string", "resolve_resubmissions"]


@dataclass(slots=True)
class RowKey:
    """What the parent keeps per file while the batch runs: where its row is in the scratch file, who it counts for,
    and its sort position."""

    offset: int
    length: int
    status: str
    who: int  # hash of who the file counts for (the row's ``student_key``: resubmissions share it)
    sort: str  # student id (natural order; none last), NUL, file: see sort_string
    attachment: int  # Canvas attachment id, else -1
    mtime: float
    superseded_by: str | None = None
    superseded_by_unusable: bool = False

    @property
    def file(self) -> str:
        return self.sort[self.sort.index("\0") + 1 :]

    @property
    def order(self) -> tuple:
        """Resubmission order: the Canvas attachment id, then the file's mtime, then its name."""
        return (self.attachment, self.mtime, self.file)


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


def resolve_resubmissions(keys: list[RowKey], student_key: Callable[[RowKey], str]) -> None:
    """Mark every graded or unusable file of a student but the latest as superseded by the latest.
    ``student_key(k)``: the row's ``student_key``, read again (only for the files whose ``who`` hash another file
    has: resubmissions, and hash collisions, which this tells apart)."""
    counted = ("graded", "unusable")
    whos = sorted(k.who for k in keys if k.status in counted)  # (the ints of the keys: 8 bytes a file)
    shared = {a for a, b in zip(whos, whos[1:]) if a == b}
    del whos
    groups: dict[str, list[RowKey]] = {}
    for k in keys:
        if k.who in shared and k.status in counted:
            groups.setdefault(student_key(k), []).append(k)
    for group in groups.values():
        if len(group) < 2:
            continue
        latest = max(group, key=lambda k: k.order)
        for k in group:
            if k is not latest:
                k.superseded_by = latest.file
                k.superseded_by_unusable = latest.status == "unusable"
