"""Grade a whole batch: a folder of submission files or an LMS download (zip or unpacked), into gradebooks,
feedback reports and a summary.

Flow (memory stays flat whatever the batch size):

1. A pool of worker processes is forked first, while the parent is small; each worker has its own ``Grader``, so
   each problem is solved once per worker (once in all when ``--problem`` is given: it is solved before the fork).
2. ``inputs.discover`` lists every file in a deterministic order; non-submissions are rows with a reason. Zip
   entries are read by the parent (in memory, never extracted, with the caps of ``safezip``) as they are dispatched.
3. The workers grade the files in chunks (``imap``, results in order); a worker renders the student's feedback
   reports (Markdown and HTML) into a private staging folder at once and sends back only a small row. No bad file
   stops the batch: every failure becomes a row with the reason.
4. The parent streams the rows to a scratch file in the output folder and keeps only a small key per file.
5. At the end: resubmissions are resolved (the latest file of a student counts), rows are sorted by student id then
   file, every output is streamed from the scratch file and written atomically, and the feedback reports are made
   durable (one sync) and moved to their final names (an atomic rename each).

Outputs are byte-identical across runs on the same input: rows are sorted, and the only time in them is the
batch timestamp (``--timestamp``, by default the newest input file's mtime).
"""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import os
import re
import secrets
import shutil
import sys
import time
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from html import escape
from pathlib import Path

from grader.batch import gradebooks, safezip
from grader.batch.inputs import Discovery, Item, LmsIdentity, discover
from grader.batch.summary import SummaryBuilder
from grader.errors import GraderError, LimitError
from grader.fileio import write_atomic
from grader.submission.student import Student

__all__ = ["BatchResult", "grade_batch", "parse_timestamp", "feedback_stem", "OUTPUT_FILES"]

OUTPUT_FILES = (
    "grades.csv",
    "grades.json",
    "gradebook-canvas.csv",
    "gradebook-moodle.csv",
    "ags-scores.jsonl",
    "summary.html",
)
_SPILL = ".grades-rows.tmp"


@dataclass(frozen=True)
class BatchResult:
    out: Path
    files: int
    graded: int  # files graded (including superseded ones)
    unusable: int  # files that could not be graded
    superseded: int  # files replaced by a later one of the same student
    skipped: int  # files that are not submissions
    students: int  # students counted (one row each in the gradebooks)
    feedback_failed: int = 0

    def line(self) -> str:
        text = f"graded {self.graded}, unusable {self.unusable}, superseded {self.superseded}"
        if self.skipped:
            text += f", skipped {self.skipped} (not submissions)"
        if self.feedback_failed:
            text += f", feedback failed {self.feedback_failed}"
        return f"{text} → {self.out}"


# ------------------------------------------------------------------------------------------------------------------
# options


def parse_timestamp(text: str) -> str:
    """An ISO 8601 date-time as UTC ``YYYY-MM-DDTHH:MM:SS+00:00`` (a time without a zone is read as UTC)."""
    try:
        dt = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise GraderError(
            f"invalid --timestamp {text!r}", hint="give an ISO 8601 date-time, e.g. 2025-03-01T12:00:00Z"
        ) from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).replace(microsecond=0).isoformat()


def _timestamp_of(mtime: float) -> str:
    return datetime.fromtimestamp(int(mtime), timezone.utc).isoformat()


# ------------------------------------------------------------------------------------------------------------------
# identity and feedback names


def _letters(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(sorted(c for c in text.casefold() if c.isalnum()))


def canvas_sortable(name: str) -> str:
    """Canvas-style sortable file name of a person: last name then the others, lower case, word characters only
    ("Reza Mosavi" -> "mosavireza"; "Doe, Jane" -> "doejane")."""
    if "," in name:
        last, _, first = name.partition(",")
        ordered = last + first
    else:
        words = name.split()
        ordered = "".join(words[-1:] + words[:-1])
    return re.sub(r"[\W_]+", "", ordered).lower()


_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def _safe_stem(text: str, limit: int = 120) -> str:
    text = _UNSAFE.sub("_", unicodedata.normalize("NFC", text)).strip(" ._") or "submission"
    return text[:limit].rstrip(" ._") or "submission"


def feedback_stem(lms: LmsIdentity | None, student: Student | None, file: str) -> str:
    """The base name of a student's feedback reports, chosen so that the LMS can take them back:

    * Canvas: ``{sortablename}_{user_id}_{attachment_id}_feedback`` (Canvas's "upload submissions" reads the user and
      attachment ids as the first two all-digit ``_`` parts); anonymous: ``anon_{id}_{attachment_id}_feedback``;
    * Moodle: ``{Full name}_{participantid}_assignfeedback_file_feedback`` (Moodle's "upload multiple feedback files
      in a zip" reads the participant id and the feedback plugin from the name);
    * otherwise ``{sortablename}_{student id}_feedback`` from the submission, else ``{file name}_feedback``.
    """
    if lms is not None and lms.lms == "canvas":
        if lms.anon_id:
            return _safe_stem(f"anon_{lms.anon_id}_{lms.attachment_id}_feedback")
        sortable = lms.sortable_name or "student"
        return _safe_stem(f"{sortable}_{lms.user_id}_{lms.attachment_id}_feedback")
    if lms is not None and lms.lms == "moodle":
        full = (lms.full_name or "Participant").replace("_", " ")
        return _safe_stem(f"{full}_{lms.participant_id}_assignfeedback_file_feedback")
    if student is not None and student.id:
        sortable = canvas_sortable(student.name) if student.name else ""
        return _safe_stem(f"{sortable or 'student'}_{student.id}_feedback")
    base = file.replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return _safe_stem(f"{stem}_feedback")


def _identity(lms: LmsIdentity | None, student: Student | None, file: str) -> dict:
    """student key (who the file counts for), student id and name to show, warnings."""
    warnings: list[str] = []
    sid = student.id if student else None
    sname = student.name if student else None
    if lms is not None:
        key, shown_id = lms.key, lms.student_id
        name = sname or lms.name
        if sname and lms.name and _letters(sname) != _letters(lms.name):
            name = lms.name  # the LMS knows who uploaded the file
            warnings.append(
                f"the name in the file ({sname}) differs from the name in the LMS file name ({lms.name}); "
                f"graded as the LMS student {shown_id}"
            )
    elif sid:
        key, shown_id, name = f"id:{sid}", sid, sname
    elif sname:
        key, shown_id, name = f"name:{' '.join(sname.casefold().split())}", None, sname
        warnings.append("the file gives a student name but no id; resubmissions are matched by name")
    else:
        key, shown_id, name = f"file:{file}", None, None
        warnings.append("no student identity: neither the file name nor the file says who this is")
    return {"student_key": key, "student_id": shown_id, "name": name, "warnings": warnings}


# ------------------------------------------------------------------------------------------------------------------
# the worker side


class _WorkerState:
    def __init__(self, *, grader, root: str, staging: str | None, manual: list | None = None) -> None:
        self.grader = grader
        self.root = root
        self.staging = staging
        self.manual = manual or []  # rows of an instructor's CSV of scores given by hand


_STATE: _WorkerState | None = None


def _init_worker(config: dict) -> None:
    """Pool initializer. With fork the parent's state (and its already solved problems) is inherited; otherwise
    (spawn) a fresh one is built from ``config``."""
    global _STATE
    if _STATE is None:
        from grader.grade.pipeline import Grader

        _STATE = _WorkerState(
            grader=Grader(problem=config["problem"], reveal=config["reveal"]),
            root=config["root"],
            staging=config["staging"],
            manual=config.get("manual"),
        )


def _read_file(path: str, name: str) -> bytes:
    limit = safezip.MAX_ENTRY_BYTES
    try:
        with open(path, "rb") as f:
            data = f.read(limit + 1)
            size = os.fstat(f.fileno()).st_size
    except OSError as e:
        raise GraderError(f"cannot read file: {e.strerror or e}", file=name, hint="check the file") from None
    if len(data) > limit:
        raise LimitError(
            f"file is too large: {max(size, len(data)):,} bytes (the limit is {limit:,} bytes)",
            file=name,
            hint="remove what does not belong in it; answers are a few kilobytes",
        )
    return data


# A task: (index, item, the entry's bytes when the parent read it from a zip, or the error reading it as a dict).
Task = tuple[int, Item, bytes | None, dict | None]


_META = ("status", "student_key", "student_id", "file", "mtime", "problem", "problem_title", "max_score")


def _graded_line(task: Task) -> tuple[bytes, dict]:
    """Grade one file in a worker: its row as a JSON line for the spill file, and the few keys the parent sorts and
    counts by (so the parent neither encodes nor receives whole rows: that work stays parallel)."""
    row = _grade_item(task)
    data = (json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    meta = {k: row[k] for k in _META}
    meta["attachment_id"] = (row.get("lms") or {}).get("attachment_id")
    meta["fields"] = [f[0] for f in row["fields"]]
    return data, meta


def _grade_item(task: Task) -> dict:
    """Grade one file; never raises. The returned row is small and JSON-ready."""
    index, item = task[0], task[1]
    identity = item.identity()
    row: dict = {
        "i": index,
        "file": item.name,
        "status": "skipped",
        "error": None,
        "error_detail": None,
        "lms": identity.to_dict() if identity else None,
        "yaml_student": None,
        "mtime": item.mtime,
        "problem": None,
        "problem_title": None,
        "score": None,
        "max_score": None,
        "fields": [],
        "flags": [],
        "feedback": None,
        "feedback_error": None,
    }
    if item.skip:
        row.update(error=item.skip, student_key=f"file:{item.name}", student_id=None, name=None, warnings=[])
        return row
    try:
        return _grade_submission_file(task, identity, row)
    except Exception as exc:  # a bug: say so, keep the batch going
        row.update(
            status="unusable",
            error=f"internal error: {type(exc).__name__}: {exc} (a bug in backprop-grader, not in the file)",
            score=None,
            max_score=None,
            fields=[],
            flags=[],
        )
        row.update(_identity(identity, None, item.name))
        return row


def _grade_submission_file(task: Task, identity: LmsIdentity | None, row: dict) -> dict:
    from grader.submission.load import submission_from_document
    from grader.yamlio import load_yaml_text

    index, item, data, read_error = task
    st = _STATE
    source = item.path(st.root) if item.zip_index is None else item.name
    student: Student | None = None
    result = None
    extra_warnings: list[str] = []
    try:
        if read_error is not None:
            raise GraderError(read_error["message"], file=item.name, line=read_error.get("line"),
                              hint=read_error.get("hint"))
        if data is None:
            data = _read_file(source, item.name)
        doc = load_yaml_text(data, source=source)
        try:
            sub = submission_from_document(doc)
        except GraderError:
            sub = None  # maybe a homework set's answers (ex6.z1, written answers): grade_document reads those
        if sub is not None:
            student = sub.student  # known even if grading then refuses the file
            result = st.grader.grade_submission(sub)
        else:
            result = st.grader.grade_document(doc)
            student = result.student
        if st.manual:
            from grader.grade.manual import merge_manual_scores

            try:
                result = merge_manual_scores(result, st.manual)
            except GraderError as exc:
                extra_warnings.append(f"scores given by hand not applied: {exc}")
    except GraderError as exc:
        if exc.file in (None, source):
            exc.file = item.name
        row["status"] = "unusable"
        row["error"], row["error_detail"] = str(exc), exc.to_dict()
    if student is not None and (student.id or student.name):
        row["yaml_student"] = student.to_dict()
    row.update(_identity(identity, student, item.name))
    row["warnings"] = row["warnings"] + extra_warnings
    conflict = identity is not None and student is not None and student.name and row["name"] != student.name
    own_id = student.id if student is not None and student.id and not conflict else None
    shown = Student(id=own_id or row["student_id"], name=row["name"])  # as the feedback report names the student
    if result is not None:
        result = dataclasses.replace(result, source=item.name, student=shown)
        row.update(
            status="graded",
            problem=result.problem,
            problem_title=result.problem_title,
            score=result.score,
            max_score=result.max_score,
            fields=[
                [
                    f.quantity,
                    f.verdict,
                    f.points,
                    f.max_points,
                    f.diagnosis.id if f.diagnosis else None,
                    f.diagnosis.text if f.diagnosis else None,
                ]
                for f in result.fields
            ],
            flags=[[fl.kind, fl.quantity, fl.message] for fl in result.flags],
        )
        row["warnings"] = row["warnings"] + list(result.warnings)
    row["feedback_stem"] = feedback_stem(identity, student, item.name)
    if st.staging is not None:
        try:
            if result is not None:
                from grader.report import render

                md, html = render(result, "markdown"), render(result, "html")
            else:
                md, html = error_feedback_markdown(item.name, row), error_feedback_html(item.name, row)
            _stage(Path(st.staging) / f"{index:07d}.md", md)
            _stage(Path(st.staging) / f"{index:07d}.html", html)
            row["feedback"] = True
        except Exception as exc:  # the grade stands; the report is missing and the summary says so
            row["feedback_error"] = f"{type(exc).__name__}: {exc}"
    return row


def _stage(path: Path, text: str) -> None:
    """Write a feedback report into the private staging folder. No fsync here: the batch makes every staged report
    durable with one filesystem sync before it moves them to their final names (an atomic rename each), which
    keeps the write-to-temporary-then-rename guarantee of ``write_atomic`` without one fsync per file (on ext4 each
    fsync commits the journal, and thousands of them dominated the batch's time)."""
    with open(path, "wb") as f:
        f.write(text.encode("utf-8"))


def error_feedback_markdown(file: str, row: dict) -> str:
    d = row.get("error_detail") or {}
    where = f"line {d['line']}" if d.get("line") else ""
    if d.get("path"):
        where = f"{where}, at `{d['path']}`" if where else f"at `{d['path']}`"
    lines = [
        f"# Feedback: {file}",
        "",
        "Your submission could not be graded.",
        "",
        f"**Problem{f' ({where})' if where else ''}:** {d.get('message') or row.get('error') or 'unknown'}",
    ]
    if d.get("hint"):
        lines += ["", f"**What would be right:** {d['hint']}"]
    lines += ["", "Fix the file and submit it again."]
    return "\n".join(lines) + "\n"


def error_feedback_html(file: str, row: dict) -> str:
    d = row.get("error_detail") or {}
    where = f"line {d['line']}" if d.get("line") else ""
    if d.get("path"):
        where = f"{where}, at {d['path']}" if where else f"at {d['path']}"
    hint = f"<p><strong>What would be right:</strong> {escape(d['hint'])}</p>" if d.get("hint") else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Feedback: {escape(file)}</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#222}"
        ".err{border-left:4px solid #c62828;background:#fdecea;padding:.5rem .8rem}</style></head><body>"
        f"<h1>Feedback: {escape(file)}</h1><p>Your submission could not be graded.</p>"
        f"<div class=err><p><strong>Problem{escape(f' ({where})' if where else '')}:</strong> "
        f"{escape(d.get('message') or row.get('error') or 'unknown')}</p>{hint}</div>"
        "<p>Fix the file and submit it again.</p></body></html>\n"
    )


# ------------------------------------------------------------------------------------------------------------------
# the parent side


@dataclass(slots=True)
class _Key:
    """What the parent keeps per file while the batch runs (a few hundred bytes): where its row is in the scratch
    file, who it counts for, and its sort position."""

    offset: int
    length: int
    status: str
    student_key: str  # who the file counts for (resubmissions share it)
    sort: str  # student id (natural order; none last), NUL, file: see _sort_string
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


def _sort_string(student_id: str | None, file: str) -> str:
    """One string that sorts rows by student id (natural order: "2" before "10"; rows without an id last), then
    by file name. Kept instead of a tuple: a tenth of the memory per file."""
    if student_id is None:
        return "\x02\0" + file
    return "\x01" + _DIGITS.sub(_natural_digits, student_id.replace("\0", "")) + "\0" + file


class _Progress:
    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.enabled, self.done, self.last = total, enabled, 0, 0.0

    def step(self) -> None:
        self.done += 1
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.last < 0.1 and self.done < self.total:
            return
        self.last = now
        width = 30
        filled = int(width * self.done / max(self.total, 1))
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} files")
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled and self.total:
            sys.stderr.write("\n")
            sys.stderr.flush()


def _tasks(found: Discovery):
    """The tasks in order. Each item is released once dispatched; zip entries are read here (only the parent
    touches the archive) with the caps of ``safezip``."""
    items = found.items
    infos = found.zip.infolist() if found.zip is not None else None
    for i in range(len(items)):
        item, items[i] = items[i], None
        if infos is None or item.skip is not None:
            yield (i, item, None, None)
            continue
        try:
            yield (i, item, safezip.read_entry(found.zip, infos[item.zip_index], item.name), None)
        except GraderError as exc:
            yield (i, item, None, exc.to_dict())


def _make_pool(jobs: int, config: dict):
    """A pool of ``jobs`` workers forked now, while this process is small (the workers inherit its memory)."""
    try:
        ctx = multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - platforms without fork: workers build their own state
        ctx = multiprocessing.get_context()
    return ctx.Pool(jobs, initializer=_init_worker, initargs=(config,))


def grade_batch(
    input_path: str | os.PathLike,
    out: str | os.PathLike,
    *,
    problem: str | None = None,
    jobs: int | None = None,
    assignment_name: str | None = None,
    assignment_id: str | None = None,
    timestamp: str | None = None,
    reveal: str | None = None,
    progress: bool | None = None,
    manual: str | os.PathLike | None = None,
) -> BatchResult:
    """Grade every file of ``input_path`` (folder or LMS zip) and write the outputs under ``out``.

    Raises :class:`GraderError` only when the batch as a whole cannot run (input missing or refused, problem given
    with ``problem`` unusable); any single bad file becomes a row with the reason.
    """
    global _STATE
    from grader.grade.pipeline import Grader
    from grader.spec.find import find_problem

    out_dir = Path(out)
    in_path = Path(input_path)
    if out_dir.exists() and not out_dir.is_dir():
        raise GraderError("the output path exists and is not a folder", file=str(out_dir), hint="pass --out DIR")
    if not in_path.exists():
        raise GraderError(
            "cannot read the input: no such file or folder",
            file=str(in_path),
            hint="pass a folder of submission files or an LMS 'download all submissions' zip",
        )
    if in_path.is_dir() and out_dir.resolve() == in_path.resolve():
        raise GraderError("the output folder is the input folder", file=str(out_dir), hint="pass another --out DIR")
    grader = Grader(problem=problem, reveal=reveal)
    manual_rows = None
    if manual is not None:  # an unreadable or malformed CSV refuses the batch before anything is graded
        from grader.grade.manual import read_manual_scores

        manual_rows = read_manual_scores(manual)
    if problem:  # solve it once, before the workers fork; refuse the batch if it is unusable
        grader.plan_at(find_problem(problem))
    jobs = max(1, jobs or os.cpu_count() or 1)
    feedback_dir = out_dir / "feedback"
    staging = feedback_dir / f".staging-{os.getpid()}-{secrets.token_hex(4)}"
    spill_path = out_dir / _SPILL
    config = {"problem": problem, "reveal": reveal, "root": os.fspath(in_path), "staging": str(staging),
              "manual": manual_rows}
    previous_state = _STATE
    _STATE = _WorkerState(grader=grader, root=os.fspath(in_path), staging=str(staging), manual=manual_rows)
    pool = _make_pool(jobs, config) if jobs > 1 else None
    found: Discovery | None = None
    try:
        found = discover(in_path, exclude=out_dir)
        if not found.items:
            raise GraderError("no files found in the input", file=str(in_path),
                              hint="pass a folder or zip of submissions")
        stamp = parse_timestamp(timestamp) if timestamp else _timestamp_of(found.newest_mtime)
        staging.mkdir(parents=True, exist_ok=True)
        total = len(found.items)
        bar = _Progress(total, sys.stderr.isatty() if progress is None else progress)
        keys: list[_Key] = []
        problems: dict[str, tuple[str, float, list[str]]] = {}
        tally: dict[str, int] = {}  # graded files per problem
        if pool is not None:
            rows = pool.imap(_graded_line, _tasks(found), chunksize=max(1, min(64, total // (jobs * 8))))
        else:
            rows = map(_graded_line, _tasks(found))
        with open(spill_path, "w+b") as spill:
            for data, row in rows:
                offset = spill.tell()
                spill.write(data)
                att = row["attachment_id"]
                keys.append(
                    _Key(
                        offset=offset,
                        length=len(data),
                        status=row["status"],
                        student_key=row["student_key"],
                        sort=_sort_string(row["student_id"], row["file"]),
                        attachment=att if att is not None else -1,
                        mtime=row["mtime"],
                    )
                )
                if row["problem"]:
                    tally[row["problem"]] = tally.get(row["problem"], 0) + 1
                    if row["problem"] not in problems:
                        problems[row["problem"]] = (
                            row["problem_title"] or row["problem"],
                            row["max_score"],
                            row["fields"],
                        )
                bar.step()
            bar.close()
            if pool is not None:
                pool.close()
                pool.join()
                pool = None
            spill.flush()
            return _finish(
                spill, keys, problems, tally, found, out_dir, feedback_dir, staging, stamp,
                assignment_name, assignment_id,
            )
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
        if found is not None:
            found.close()
        _STATE = previous_state
        shutil.rmtree(staging, ignore_errors=True)
        try:
            os.unlink(spill_path)
        except FileNotFoundError:
            pass


def _resolve_resubmissions(keys: list[_Key]) -> None:
    groups: dict[str, list[_Key]] = {}
    for k in keys:
        if k.status in ("graded", "unusable"):
            groups.setdefault(k.student_key, []).append(k)
    for group in groups.values():
        if len(group) < 2:
            continue
        latest = max(group, key=lambda k: k.order)
        for k in group:
            if k is not latest:
                k.superseded_by = latest.file
                k.superseded_by_unusable = latest.status == "unusable"


def _unique(name: str, used: set[str]) -> str:
    candidate, n = name, 1
    while candidate in used:
        n += 1
        candidate = f"{name}-{n}"
    used.add(candidate)
    return candidate


def _finish(
    spill, keys: list[_Key], problems: dict, tally: dict[str, int], found: Discovery, out_dir: Path,
    feedback_dir: Path, staging: Path, stamp: str, assignment_name: str | None, assignment_id: str | None,
) -> BatchResult:
    _resolve_resubmissions(keys)
    keys.sort(key=lambda k: k.sort)

    problem_ids = sorted(problems)
    quantities: list[str] = []
    for pid in problem_ids:
        for q in problems[pid][2]:
            if q not in quantities:
                quantities.append(q)
    counts = {"files": len(keys), "graded": 0, "unusable": 0, "superseded": 0, "skipped": 0, "students": 0}
    for k in keys:
        if k.status in counts:
            counts[k.status] += 1
        if k.superseded_by is not None:
            counts["superseded"] += 1
        elif k.status in ("graded", "unusable"):
            counts["students"] += 1
    maxima = sorted({problems[p][1] for p in problem_ids})
    points_possible = maxima[-1] if maxima else None
    notes: list[str] = []
    if len(problem_ids) > 1:
        notes.append(
            f"The submissions answer {len(problem_ids)} different problems ({', '.join(problem_ids)}); "
            + ("their maximum scores differ, and the gradebooks use the largest. " if len(maxima) > 1 else "")
            + "Pass --problem to grade every file against one problem."
        )

    spill_fd = spill.fileno()

    def row_of(k: _Key) -> dict:
        return json.loads(os.pread(spill_fd, k.length, k.offset).decode("utf-8"))

    # the assignment's name: --assignment-name, else the problem most files answer
    if not assignment_name:
        ranked = sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))
        assignment_name = ranked[0][0] if ranked else (problem_ids[0] if problem_ids else "backprop")

    head = {
        "assignment": {
            "name": assignment_name,
            "id": assignment_id,
            "problems": [{"id": p, "title": problems[p][0], "max_score": problems[p][1]} for p in problem_ids],
            "points_possible": points_possible,
            "timestamp": stamp,
            "input": os.path.basename(os.path.normpath(found.root)),
            "input_kind": found.kind,
        },
        "counts": counts,
        "quantities": quantities,
    }
    summary = SummaryBuilder(quantities)
    if hasattr(os, "sync"):
        os.sync()  # the staged reports are durable before they are published by rename (see _stage)
    used: dict[Path, set[str]] = {feedback_dir: set(), feedback_dir / "superseded": set()}
    writers = []
    try:
        gcsv = gradebooks.GradesCsv(out_dir / "grades.csv", quantities)
        writers.append(gcsv.out)
        gjson = gradebooks.GradesJson(out_dir / "grades.json", head)
        writers.append(gjson.out)
        canvas = gradebooks.CanvasCsv(out_dir / "gradebook-canvas.csv", assignment_name, assignment_id, points_possible)
        writers.append(canvas.out)
        moodle = gradebooks.MoodleCsv(out_dir / "gradebook-moodle.csv", stamp)
        writers.append(moodle.out)
        ags = gradebooks.AgsJsonl(out_dir / "ags-scores.jsonl", stamp)
        writers.append(ags.out)
        feedback_failed = 0
        for k in keys:
            row = row_of(k)
            if k.superseded_by is not None:
                row["status"] = "superseded"
                row["superseded_by"] = k.superseded_by
                row["superseded_by_unusable"] = k.superseded_by_unusable
            else:
                row["superseded_by"] = None
            feedback = None
            if row.get("feedback"):
                folder = feedback_dir / "superseded" if k.superseded_by is not None else feedback_dir
                stem = _unique(row["feedback_stem"], used[folder])
                folder.mkdir(exist_ok=True)
                feedback = {}
                for ext, label in (("md", "markdown"), ("html", "html")):
                    os.replace(staging / f"{row['i']:07d}.{ext}", folder / f"{stem}.{ext}")
                    feedback[label] = (folder / f"{stem}.{ext}").relative_to(out_dir).as_posix()
            if row.get("feedback_error"):
                feedback_failed += 1
            gcsv.add(row)
            gjson.add(_json_entry(row, feedback))
            summary.add(row)
            if row["status"] in ("graded", "unusable"):
                canvas.add(row)
                moodle.add(row)
                ags.add(row)
        gjson.commit()
        for w in (gcsv.out, canvas.out, moodle.out, ags.out):
            w.commit()
        writers = []
    finally:
        for w in writers:
            w.abort()

    meta = [
        ("Assignment", assignment_name + (f" ({assignment_id})" if assignment_id else "")),
        ("Problems", ", ".join(f"{p}: {problems[p][0]} ({gradebooks.fmt_points(problems[p][1])} points)"
                               for p in problem_ids) or "none graded"),
        ("Input", f"{head['assignment']['input']} ({found.kind})"),
        ("Files", f"{counts['files']}: graded {counts['graded']}, could not be graded {counts['unusable']}, "
                  f"skipped {counts['skipped']}; superseded {counts['superseded']}"),
        ("Students", str(counts["students"])),
        ("Timestamp", stamp),
    ]
    write_atomic(out_dir / "summary.html", summary.html(title=assignment_name, meta=meta, notes=notes))
    return BatchResult(
        out=out_dir,
        files=counts["files"],
        graded=counts["graded"],
        unusable=counts["unusable"],
        superseded=counts["superseded"],
        skipped=counts["skipped"],
        students=counts["students"],
        feedback_failed=feedback_failed,
    )


def _json_entry(row: dict, feedback: dict | None) -> dict:
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
        "fields": {
            q: {
                "verdict": verdict,
                "points": pts,
                "max_points": mx,
                "diagnosis": {"id": did, "text": dtext} if did else None,
            }
            for q, verdict, pts, mx, did, dtext in row.get("fields") or ()
        },
        "flags": [{"kind": kind, "quantity": q, "message": msg} for kind, q, msg in row.get("flags") or ()],
        "warnings": row.get("warnings") or [],
        "feedback": feedback,
        "feedback_error": row.get("feedback_error"),
    }
