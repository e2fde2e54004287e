"""Gradebook files of a batch, written row by row (memory stays flat) and atomically.

* ``grades.csv``: generic, one row per graded student (the file that counts), keyed by the student id;
* ``grades.json``: every input file, with per-quantity verdicts, flags, diagnoses and warnings.

The LMS gradebooks are ``grader.batch.lmsbooks``. Rows arrive as the plain dicts of ``grader.batch.rows``, streamed
by ``grader.batch.outputs``; nothing here grades.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path
from typing import IO

from grader.fileio import ordinary_mode
from grader.numfmt import printable

__all__ = [
    "AtomicStream",
    "fmt_points",
    "safe_cell",
    "short_comment",
    "csv_line",
    "GradesCsv",
    "GradesJson",
    "json_entry",
    "encoded_entry",
    "entry_text",
    "GENERIC_COLUMNS",
]

GENERIC_COLUMNS = ["student_id", "name", "file", "score", "max_score", "status", "error"]


class AtomicStream:
    """A text file written piece by piece to a temporary file in the same folder, fsynced and renamed into place
    on success (the same protocol as :func:`grader.fileio.write_atomic`, for outputs too large to build in memory).
    On an error the temporary file is removed and the previous file, if any, is left intact."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, self.tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        ordinary_mode(fd)  # (mkstemp makes 0600: a gradebook is as readable as the reports beside it)
        self.f: IO[str] = os.fdopen(fd, "w", encoding="utf-8", newline="")

    def write(self, text: str) -> None:
        self.f.write(text)

    def commit(self) -> None:
        self.f.flush()
        os.fsync(self.f.fileno())
        self.f.close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        if not self.f.closed:
            self.f.close()
        try:
            os.unlink(self.tmp)
        except FileNotFoundError:
            pass

    def __enter__(self) -> "AtomicStream":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


def fmt_points(x: float | None) -> str:
    """Points as a plain decimal: ``4``, ``23.5``, ``0.333333``; empty for no score."""
    if x is None:
        return ""
    s = f"{x:.6f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str | None) -> str:
    """Free text from a student (name, id, file name, a message quoting them) for a spreadsheet cell: a control
    character, a bidirectional override or a zero-width character is written as its escape (``\\x1b``,
    ``\\u202e``: ``grader.numfmt.printable``), so none reaches a spreadsheet or a terminal ``cat``-ing the file and
    a cell is one line; and a leading ``= + - @`` would be read as a formula by Excel/Sheets/LibreOffice, so such
    text gets a leading apostrophe (numbers are left alone)."""
    if not text:
        return ""
    text = printable(text)
    if text.startswith(_FORMULA_START):
        try:
            float(text)
            return text
        except ValueError:
            return "'" + text
    return text


def short_comment(row: dict) -> str:
    """One line for an LMS comment box: the score, the verdict counts, the flags (worked out by the worker: the
    row's ``_comment``)."""
    cached = row.get("_comment")
    if cached is not None:
        return cached
    if row.get("score") is None:
        return f"Not graded: {row.get('error') or 'the file could not be used'}"
    counts: dict[str, int] = {}
    for f in row.get("fields") or ():
        counts[f[1]] = counts.get(f[1], 0) + 1
    words = {
        "correct": "correct",
        "carried": "carried forward",
        "incorrect": "incorrect",
        "missing": "missing",
        "unparseable": "unreadable",
        "pending": "pending",
    }
    parts = [f"{counts[v]} {w}" for v, w in words.items() if counts.get(v)]
    text = f"{fmt_points(row['score'])}/{fmt_points(row['max_score'])} points"
    if parts:
        text += ": " + ", ".join(parts)
    text += "."
    nflags = len(row.get("flags") or ())
    if nflags:
        text += f" {nflags} flag{'s' if nflags != 1 else ''} on inconsistent or wrongly used values."
    return text + " Details are in your feedback report."


_CSV_BUFFER = io.StringIO()
_CSV_WRITER = csv.writer(_CSV_BUFFER, lineterminator="\n")


def csv_line(values: list) -> str:
    """One CSV record (the csv module's quoting), with its newline."""
    _CSV_BUFFER.seek(0)
    _CSV_BUFFER.truncate()
    _CSV_WRITER.writerow(values)
    return _CSV_BUFFER.getvalue()


class GradesCsv:
    """``grades.csv``: student id, name, file, score, max, status, error, then one verdict column per quantity; one
    row per graded student with an id (``grader.batch.outputs`` decides which rows come here)."""

    def __init__(self, path: Path, quantities: list[str]) -> None:
        self.quantities = quantities
        self.out = AtomicStream(path)
        self.out.write(csv_line(GENERIC_COLUMNS + quantities))

    def add(self, row: dict) -> None:
        verdicts = {f[0]: f[1] for f in row.get("fields") or ()}
        error = row.get("error") or ""
        if row["status"] == "superseded":
            error = f"superseded by {row['superseded_by']}" + (f"; {error}" if error else "")
        self.out.write(
            csv_line(
                [
                    safe_cell(row.get("student_id")),
                    safe_cell(row.get("name")),
                    safe_cell(row["file"]),
                    fmt_points(row.get("score")),
                    fmt_points(row.get("max_score")),
                    row["status"],
                    safe_cell(error),
                ]
                + [verdicts.get(q, "") for q in self.quantities]
            )
        )


class GradesJson:
    """``grades.json``: ``{"assignment": ..., "counts": ..., "quantities": [...], "files": [...]}``, one entry per
    input file in the order of ``grades.csv``, each on one line (readable, diffable, and encoded by the fast C
    encoder: an indented dump of thousands of entries took longer than grading them)."""

    def __init__(self, path: Path, head: dict) -> None:
        self.out = AtomicStream(path)
        text = json.dumps(head, indent=2, ensure_ascii=False)
        self.out.write(text[: text.rstrip().rfind("}")].rstrip() + ',\n  "files": [')
        self.first = True

    def add(self, entry: dict) -> None:
        self.add_text(encoded_entry(entry))

    def add_text(self, text: str) -> None:
        """An entry encoded already (by :func:`encoded_entry`)."""
        self.out.write(("\n    " if self.first else ",\n    ") + text)
        self.first = False

    def commit(self) -> None:
        self.out.write(("]" if self.first else "\n  ]") + "\n}\n")
        self.out.commit()


def json_entry(row: dict, feedback: dict | None) -> dict:
    """A row as ``grades.json`` lists it."""
    return {
        **_entry_head(row),
        "fields": {
            q: {
                "verdict": verdict,
                "points": pts,
                "max_points": mx,
                "diagnosis": {"id": did, "text": dtext} if did else None,
            }
            for q, verdict, pts, mx, did, dtext in row.get("fields") or ()
        },
        **_entry_tail(row, feedback),
    }


def _entry_head(row: dict) -> dict:
    """A ``grades.json`` entry's keys before its ``fields``."""
    return {
        "file": row["file"],
        "status": row["status"],
        "student": {"id": row.get("student_id"), "name": row.get("name")},
        "from_file_name": row.get("lms"),
        "from_submission": row.get("yaml_student"),
        "problem": row.get("problem"),
        "score": row.get("score"),
        "max_score": row.get("max_score"),
        "error": row.get("error_detail") or ({"message": row["error"]} if row.get("error") else None),
        "superseded_by": row.get("superseded_by"),
    }


def _entry_tail(row: dict, feedback: dict | None) -> dict:
    """A ``grades.json`` entry's keys after its ``fields``."""
    return {
        "flags": [{"kind": kind, "quantity": q, "message": msg} for kind, q, msg in row.get("flags") or ()],
        "warnings": row.get("warnings") or [],
        "feedback": feedback,
        "feedback_error": row.get("feedback_error"),
    }


def encoded_entry(entry: dict) -> str:
    """A ``grades.json`` entry as its line holds it."""
    return _ENCODE(entry)


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode  # json.dumps's, made once
_FIELD_TEXTS: dict = {}  # a field's key (``_field_key``) -> its text in an entry's "fields" (``"z1": {...}``)
_MAX_FIELD_TEXTS = 512  # remembered at most; emptied when full (memory stays flat)
_MAX_REMEMBERED_DIAGNOSIS = 200  # characters: a field with a longer diagnosis text is encoded every time


def entry_text(row: dict, feedback: dict | None) -> str:
    """``encoded_entry(json_entry(row, feedback))``, character for character, for less: the entry's ``fields``
    (most of its line: a quantity's verdict, points and diagnosis, which repeat from student to student) are encoded
    once per different field and remembered, and the rest of the entry is encoded around them. Encoding the whole
    entry was most of what a row cost beyond grading and rendering it."""
    fields = row.get("fields") or ()
    texts = _FIELD_TEXTS
    parts = []
    for f in fields:
        key = _field_key(f)
        text = texts.get(key) if key is not None else None
        if text is None:
            if key is None:
                return encoded_entry(json_entry(row, feedback))
            q, verdict, pts, mx, did, dtext = f
            text = _ENCODE({q: {"verdict": verdict, "points": pts, "max_points": mx,
                                "diagnosis": {"id": did, "text": dtext} if did else None}})[1:-1]
            if dtext is None or len(dtext) <= _MAX_REMEMBERED_DIAGNOSIS:
                if len(texts) >= _MAX_FIELD_TEXTS:
                    texts.clear()
                texts[key] = text
        parts.append(text)
    if len({f[0] for f in fields}) != len(parts):  # a quantity twice: the entry's mapping keeps one of them
        return encoded_entry(json_entry(row, feedback))
    head, tail = _entry_head(row), _entry_tail(row, feedback)
    # json's dict: "{" + the '"key": value' items joined with ", " + "}" (json_entry's keys, in its order)
    return f'{_ENCODE(head)[:-1]}, "fields": {{{", ".join(parts)}}}, {_ENCODE(tail)[1:]}'


def _field_key(f) -> tuple | None:
    """What a row's field ``[quantity, verdict, points, max_points, diagnosis id, diagnosis text]`` is encoded
    from, as a key under which no field with another text can be found (None: encode it every time). Values of
    the usual types only (text, a float, None): 1 == 1.0 == True would find another's text; a zero is kept as its
    text (0.0 == -0.0)."""
    if len(f) != 6:
        return None
    q, verdict, pts, mx, did, dtext = f
    if (q.__class__ is str and verdict.__class__ is str and (pts is None or pts.__class__ is float)
            and (mx is None or mx.__class__ is float) and (did is None or did.__class__ is str)
            and (dtext is None or dtext.__class__ is str)):
        return (q, verdict, pts if pts else repr(pts), mx if mx else repr(mx), did, dtext)
    return None
