"""Scores given by hand (written answers of homework sets, or overrides): read from CSV and merged into a result.

The CSV has columns ``student_id,question,points[,comment]``; ``grade batch ... --manual scores.csv`` merges it
into every student's result with ``merge_manual_scores``.
"""

from __future__ import annotations

import csv
import dataclasses
import difflib
import io
import math
from pathlib import Path
from typing import Any, Iterable, Mapping

from grader.errors import GraderError
from grader.grade.result import GradeResult
from grader.spec.notation import Resolution, Resolver


# --- manual scores -----------------------------------------------------------------------------------------------------

MANUAL_COLUMNS = ("student_id", "question", "points")
MANUAL_LIMIT = 16 * 1024 * 1024  # scores and comments for a large class, many times over


def read_manual_scores(path: str | Path) -> list[dict[str, str]]:
    """An instructor's CSV of scores given by hand: columns ``student_id,question,points[,comment]``."""
    from grader.fileio import read_capped_text

    text = read_capped_text(path, MANUAL_LIMIT, "the manual scores")
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in MANUAL_COLUMNS if c not in header]
    if missing:
        raise GraderError(f"the manual scores have no column {', '.join(missing)}", file=str(path), line=1,
                          hint="header: student_id,question,points,comment")
    rows = []
    for line, row in enumerate(reader, start=2):
        clean = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k is not None}
        if not any(clean.values()):
            continue
        clean["line"] = str(line)
        clean["file"] = str(path)
        rows.append(clean)
    return rows


def merge_manual_scores(result: GradeResult, rows: Iterable[Mapping[str, Any]], *,
                        student_id: str | None = None) -> GradeResult:
    """``result`` with the scores given by hand merged in.

    ``rows`` are mappings with ``student_id``, ``question``, ``points`` and optionally ``comment`` (as read by
    ``read_manual_scores`` or ``csv.DictReader``); only rows whose ``student_id`` is ``student_id`` apply (a batch
    passes the student's LMS id, the one its gradebooks show), by default ``result.student.id``.
    ``question`` names a field: a free-text question's id (``ex1``) or any field (``ex6.z1``, to override).
    The field gets the points (0 <= points <= its maximum), verdict ``correct`` at full marks and ``incorrect``
    below, and a message saying it was graded by hand (with the comment). The score is recomputed. A row naming a
    field the result does not have, points out of range, or two rows for one field, is a ``GraderError``.
    """
    sid = (student_id if student_id is not None else result.student.id or "").strip()
    mine = [r for r in rows if sid and str(r.get("student_id", "")).strip() == sid]
    if not mine:
        return result
    index = {f.quantity: i for i, f in enumerate(result.fields)}
    resolve = field_resolver([f.quantity for f in result.fields])
    fields = list(result.fields)
    done: set[str] = set()
    for r in mine:
        where = dict(file=r.get("file"), line=int(r["line"]) if str(r.get("line", "")).isdigit() else None)
        q = str(r.get("question", "")).strip()
        found = resolve(q)
        if found.ambiguous:
            raise GraderError(f"manual score for student {sid}: question {q!r} fits {' and '.join(found.ambiguous)}",
                              **where, hint="write the field's name exactly")
        q = found.name or q
        if q not in index:
            close = difflib.get_close_matches(q, list(index), n=2)
            raise GraderError(f"manual score for student {sid}: {result.problem} has no question {q!r}", **where,
                              hint=(f"did you mean {' or '.join(close)}? " if close else "") + "use a question id such as "
                              + ", ".join(f.quantity for f in result.fields if f.verdict in ("pending",))[:200])
        if q in done:
            raise GraderError(f"two manual scores for student {sid}, question {q}", **where, hint="keep one row")
        done.add(q)
        f = fields[index[q]]
        try:
            pts = float(str(r.get("points", "")).strip())
        except ValueError:
            raise GraderError(f"manual score {r.get('points')!r} for student {sid}, {q} is not a number", **where) from None
        if not (math.isfinite(pts) and 0 <= pts <= f.max_points + 1e-9):
            raise GraderError(f"manual score {pts:g} for student {sid}, {q} is outside 0..{f.max_points:g}", **where)
        comment = str(r.get("comment") or "").strip()
        full = math.isclose(pts, f.max_points)
        msg = f"Graded by hand: {pts:g}/{f.max_points:g}" + (" (partial credit)" if 0 < pts and not full else "") + "." + (
            f" {comment}" if comment else "")
        fields[index[q]] = dataclasses.replace(f, points=round(pts, 6), verdict="correct" if full else "incorrect",
                                               message=msg)
    return dataclasses.replace(result, fields=tuple(fields), score=round(sum(f.points for f in fields), 6))


def field_resolver(quantities: list[str]):
    """Resolve a person's name for a field of a result: ``delta_o1``, ``δ_o1``, and in a homework set
    ``ex6.\\delta_{o1}`` (the question id, then the quantity spelled any way ``grader.spec.notation`` reads)."""
    whole = Resolver(quantities)
    by_question: dict[str, list[str]] = {}
    for q in quantities:
        qid, dot, local = q.partition(".")
        if dot:
            by_question.setdefault(qid.lower(), []).append(local)
    parts = {qid: Resolver(locals_) for qid, locals_ in by_question.items()}

    def resolve(text: str) -> Resolution:
        found = whole.resolve(text)
        qid, dot, local = text.strip().partition(".")
        if found.name is None and dot and qid.lower() in parts:
            prefix = next(q.partition(".")[0] for q in quantities if q.partition(".")[0].lower() == qid.lower())
            inner = parts[qid.lower()].resolve(local.strip())
            return Resolution(f"{prefix}.{inner.name}" if inner.name else None,
                              tuple(f"{prefix}.{a}" for a in inner.ambiguous),
                              tuple(f"{prefix}.{s}" for s in inner.suggestions), inner.note)
        return found

    return resolve
