"""Grading rows: one input file in, one small JSON-ready row out (the worker side of a batch).

A worker grades a file, renders the student's feedback reports (Markdown and HTML) and writes them at once to the
place they belong if the file is the only one of its student (``grader.batch.reportfiles``: atomic per file), and
returns the row encoded as one JSON line, with the few keys the parent sorts and counts by. The parent moves the
reports of the few files that turn out superseded, or that share a report name with another file
(``grader.batch.feedback.Publisher``). No file stops the batch: every failure, a bug included, becomes a row with
the reason.
"""

from __future__ import annotations

import dataclasses
import marshal
import os
from pathlib import Path

from grader.batch import safezip
from grader.batch.attention import has_identifier
from grader.batch.gradebooks import entry_text, short_comment
from grader.batch.feedback import HELD, error_feedback_html, error_feedback_markdown, feedback_stem, held_stem
from grader.batch.identity import GradedAs, row_identity
from grader.batch.inputs import Item, LmsIdentity, shown_name
from grader.errors import GraderError
from grader.fileio import read_capped
from grader.submission.student import Student

__all__ = ["WorkerState", "Task", "install", "init_worker", "graded_chunk", "failed_line", "grade_item",
           "rerender", "first_place"]


class WorkerState:
    """What every row of a run is graded with (one per process: the parent's, inherited by forked workers)."""

    def __init__(self, *, grader, root: str, reports, spill, manual: list | None = None,
                 formats: tuple[str, ...] = ("md", "html")) -> None:
        self.grader = grader
        self.spill = spill  # a ``grader.batch.bookkeeping.SpillWriter``: where this process's rows go
        self.formats = formats  # the feedback reports to write (``--feedback``), by extension
        self.root = root
        self.reports = reports  # a ``grader.batch.reportfiles.ReportFiles`` (``None``: write no report)
        self.manual = manual or []  # rows of an instructor's CSV of scores given by hand
        self.manual_ids = {str(r.get("student_id", "")).strip() for r in self.manual}  # the students they are for
        self.reread = None  # zip input, in the parent: reads an entry again (for ``rerender``)
        self.sent_fields: set[str] = set()  # problems whose quantities this process has sent the parent


_STATE: WorkerState | None = None


def install(state: WorkerState | None) -> WorkerState | None:
    """Make ``state`` this process's state (workers forked afterwards inherit it); returns the previous one."""
    global _STATE
    previous, _STATE = _STATE, state
    return previous


# A test hook, inert unless set (read once per worker, never in the parent): a worker kills itself (SIGKILL) when
# it is given the file of this name, as a worker killed by the system would die; with ..._ONCE set to a path, only
# the worker that manages to delete that file does (so a retry succeeds).
KILL_ON_ENV, KILL_ONCE_ENV = "GRADER_TEST_KILL_WORKER_ON", "GRADER_TEST_KILL_WORKER_ONCE"
_KILL_ON: str | None = None
# Another, as inert: a worker given the file of this name hangs (waits forever without dying), as a worker stuck in
# a library would, for the per-file time limit (``grader.batch.workers``) to catch.
HANG_ON_ENV = "GRADER_TEST_HANG_WORKER_ON"
_HANG_ON: str | None = None


def _kill_hook(name: str) -> None:
    once = os.environ.get(KILL_ONCE_ENV)
    if once:
        try:
            os.unlink(once)
        except OSError:
            return
    import signal

    os.kill(os.getpid(), signal.SIGKILL)


def _exit_with_parent(parent: int) -> None:
    """A worker whose parent died (killed with SIGKILL: no clean-up ran) exits instead of waiting forever."""
    import time

    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def init_worker(config: dict) -> None:
    """Pool initializer, run in each worker. With fork the parent's state (and its already solved problems) is
    inherited; otherwise (spawn) a fresh one is built from ``config``. The worker drops its copy of the run's lock
    (``config["close_fds"]``: the lock is the parent's) and exits if the parent dies."""
    global _STATE, _KILL_ON, _HANG_ON
    import signal
    import threading

    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's handler unwinds the parent, not a worker
    for fd in config.get("close_fds") or ():
        try:
            os.close(fd)
        except OSError:
            pass
    threading.Thread(target=_exit_with_parent, args=(config["parent"],), daemon=True).start()
    _KILL_ON = os.environ.get(KILL_ON_ENV) or None
    _HANG_ON = os.environ.get(HANG_ON_ENV) or None
    if _STATE is None:
        from grader.batch.bookkeeping import SpillWriter
        from grader.batch.reportfiles import ReportFiles
        from grader.grade.pipeline import Grader

        _STATE = WorkerState(
            grader=Grader(**config["grader"]),
            root=config["root"],
            reports=ReportFiles(*config["reports"]) if config.get("reports") else None,
            spill=SpillWriter(config["scratch"]),
            manual=config.get("manual"),
            formats=tuple(config.get("formats", ("md", "html"))),
        )


def _read_file(path: str) -> bytes:
    """A submission file of a folder input: a regular file (never a link, a FIFO or a device), at most the size
    the YAML reader accepts (a written solution's limit for a write-up)."""
    return read_capped(path, safezip.entry_limit(path), "file", follow_symlinks=False,
                       hint="remove what does not belong in it; answers are a few kilobytes")


# A task: (index, item, the entry's bytes when the parent read it from a zip, or the error reading it as a dict).
Task = tuple[int, Item, bytes | None, dict | None]


# What the parent is sent of each row (the row itself is in the grading process's spill file): where it is, and
# the few values the parent sorts and counts by. ``fields`` (the problem's quantities) only with the first row of a
# problem a process sends (the parent reads them from the row when it has not had them).
Meta = tuple  # (pid, offset, length, status, student_key, student_id, file, problem, title, max_score, fields, claim)


def graded_chunk(tasks: list[Task]) -> list[Meta]:
    """Grade files in a worker (what a worker is sent): each row goes to this process's spill file, the parent is
    sent only where it is and the few values it sorts and counts by (so the parent neither encodes nor receives
    whole rows: that work stays parallel). Returns once the chunk's reports are in place."""
    done = []
    for task in tasks:
        if _KILL_ON is not None and task[1].name == _KILL_ON:
            _kill_hook(task[1].name)
        if _HANG_ON is not None and task[1].name == _HANG_ON:
            import threading

            threading.Event().wait()  # the test hook: hang until killed
        done.append(grade_item(task))
    return _lines(done)


def failed_line(task: Task, reason: str) -> Meta:
    """The row of a file that no worker could grade (each one grading it died), built by the parent without reading
    the file: unusable, with ``reason``, and its error report written like any other."""
    index, item = task[0], task[1]
    identity = item.identity()
    row = _new_row(index, item, identity)
    row.update(status="unusable", error=reason)
    row.update(row_identity(identity, None, item.name))
    row["feedback_stem"] = feedback_stem(identity, None, item.name)
    _write_reports(row, item.name, None)
    return _lines([row])[0]


def _lines(done: list[dict]) -> list[Meta]:
    """Wait for the rows' reports (a row whose reports could not be written has none, and says why), then write
    the rows to the spill file."""
    if _STATE.reports is not None:
        for index, why in _STATE.reports.wait().items():
            for row in done:
                if row["i"] == index:
                    row["feedback"], row["feedback_error"] = None, why
    metas = [_line(row) for row in done]
    _STATE.spill.flush()
    return metas


def _line(row: dict) -> Meta:
    """Write the row to the spill file (``marshal``: the parent reads it back many times faster than JSON), with
    what the parent would otherwise work out one row after the other: its ``grades.json`` entry for the usual case
    (the file counts and its reports stay where they are) and its LMS comment."""
    row["_comment"] = short_comment(row)
    row["_entry"] = entry_text(row, row.get("feedback"))
    data = marshal.dumps(row)
    pid, offset = _STATE.spill.append(data)
    problem, fields = row["problem"], None
    if problem is not None and problem not in _STATE.sent_fields:
        _STATE.sent_fields.add(problem)
        fields = [f[0] for f in row["fields"]]
    return (pid, offset, len(data), row["status"], row["student_key"], row["student_id"], row["file"], problem,
            row["problem_title"], row["max_score"], fields, row.get("_claim"))


def grade_item(task: Task, place: str | None = None) -> dict:
    """Grade one file; never raises. The returned row is small and JSON-ready. ``place``: where its reports go
    (folder and stem; by default :func:`first_place`)."""
    index, item = task[0], task[1]
    identity = item.identity()
    row = _new_row(index, item, identity)
    if item.skip:
        row.update(error=item.skip, student_key=f"file:{item.name}", student_id=None, name=None, warnings=[])
        return row
    try:
        return _grade_submission_file(task, identity, row, place)
    except Exception as exc:  # a bug: say so, keep the batch going
        row.update(
            status="unusable",
            error=f"internal error: {type(exc).__name__}: {exc} (a bug in backprop-grader, not in the file)",
            score=None,
            max_score=None,
            fields=[],
            flags=[],
        )
        row.update(row_identity(identity, None, item.name))
        return row


def _new_row(index: int, item: Item, identity: LmsIdentity | None) -> dict:
    return {
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
        "src": [item.zip_index, item.raw, item.lms],  # to grade the file again (``rerender``)
    }


def _grade_submission_file(task: Task, identity: LmsIdentity | None, row: dict, place: str | None) -> dict:
    index, item, data, read_error = task
    st = _STATE
    source = item.path(st.root) if item.zip_index is None else item.name
    result = None
    extra_warnings: list[str] = []
    graded = GradedAs(st.grader, [identity.student_id] if identity is not None else [], "the LMS file name")
    try:
        if read_error is not None:
            raise GraderError(read_error["message"], file=item.name, line=read_error.get("line"),
                              hint=read_error.get("hint"))
        if data is None:
            data = _read_file(source)
        result = graded.grade(data, source)  # a YAML file or a written solution, as the LMS's student
        extra_warnings += graded.notes
        if st.manual:
            result, notes = _with_manual_scores(result, identity)
            extra_warnings += notes
    except GraderError as exc:
        if exc.file in (None, source):
            exc.file = item.name
        row["status"] = "unusable"
        row["error"], row["error_detail"] = str(exc), exc.to_dict()
    student: Student | None = graded.student
    if student is not None and (student.id or student.name):
        row["yaml_student"] = student.to_dict()
    row.update(row_identity(identity, student, item.name))
    note = item.name_note() if identity is None else None  # a name that looks like an LMS's but is not read as one
    row["warnings"] = ([note] if note else []) + row["warnings"] + extra_warnings
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
    _write_reports(row, item.name, result, place)
    return row


def _with_manual_scores(result, identity: LmsIdentity | None):
    """``result`` with the instructor's ``--manual`` scores for this student, and warnings. The rows are matched by
    the id the batch's gradebooks show: the LMS's (from the file name) when there is one, else the file's own
    ``student.id``; so a file cannot take another student's scores by writing their id."""
    from grader.grade.manual import merge_manual_scores

    st = _STATE
    sid = identity.student_id if identity is not None else (result.student.id or "").strip()
    notes = []
    own = (result.student.id or "").strip()
    if identity is not None and own and own != sid and own in st.manual_ids and sid not in st.manual_ids:
        notes.append(f"scores given by hand for student {shown_name(own)[:40]} (the id in the file) are not applied: "
                     f"the LMS file name says this is student {sid}, and --manual rows are matched by that id "
                     "(the one the gradebooks show)")
    if sid in st.manual_ids:
        try:
            result = merge_manual_scores(result, st.manual, student_id=sid)
        except GraderError as exc:
            notes.append(f"scores given by hand not applied: {exc}")
    return result, notes


FORMAT_LABELS = {"md": "markdown", "html": "html"}


def first_place(row: dict) -> str:
    """Where a row's reports are written first (folder and stem, ``/``-separated, no extension): the upload folder
    for an identified student, else the unidentified one; the parent moves them if the file turns out superseded or
    its name is also another file's (``grader.batch.feedback.Publisher``)."""
    if has_identifier(row):
        return f"feedback/{row['feedback_stem']}"
    return f"{HELD}/unidentified/{held_stem(row['feedback_stem'])}"


def _write_reports(row: dict, file: str, result, place: str | None = None) -> None:
    """Render the row's feedback reports (the result's, or the error's) and queue them to their place (``place``:
    folder and stem; by default :func:`first_place`)."""
    reports, formats = _STATE.reports, _STATE.formats
    if reports is None or not formats:
        return
    if place is None:
        place = first_place(row)
        row["_claim"] = place  # whether the reports are then in place or not: the parent checks the name's owners
    try:
        if result is not None:
            from grader.report import render

            texts = {"md": lambda: render(result, "markdown"), "html": lambda: render(result, "html")}
        else:
            texts = {"md": lambda: error_feedback_markdown(file, row), "html": lambda: error_feedback_html(file, row)}
        rendered = [(ext, texts[ext]().encode("utf-8")) for ext in formats]  # only the formats asked for
    except Exception as exc:  # the grade stands; the report is missing and the summary says so
        row["feedback_error"] = f"{type(exc).__name__}: {exc}"
        return
    paths = {}
    for ext, data in rendered:
        rel = f"{place}.{ext}"
        reports.put(row["i"], rel, data)
        paths[FORMAT_LABELS[ext]] = rel
    row["feedback"] = paths


def rerender(row: dict, place: str) -> dict | None:
    """Write row ``row``'s reports again, to ``place`` (folder and stem), in this process, and wait for them: the
    file is graded again (a file that could not be graded gets its error report from the row). The paths by format,
    or ``None`` (then ``row["feedback_error"]`` says why)."""
    zip_index, raw, lms = row.get("src") or (None, None, "auto")
    if row["status"] in ("graded", "superseded") and row.get("score") is not None:
        item = Item(name=row["file"], zip_index=zip_index, mtime=row["mtime"], lms=lms, raw=raw)
        data = _STATE.reread(item) if zip_index is not None else None
        fresh = grade_item((row["i"], item, data, None), place)
        feedback, error = fresh.get("feedback"), fresh.get("feedback_error")
    else:
        scratch = dict(row, feedback=None, feedback_error=None)
        _write_reports(scratch, row["file"], None, place)
        feedback, error = scratch["feedback"], scratch["feedback_error"]
    if feedback is not None:
        why = _STATE.reports.wait().get(row["i"])
        if why:
            feedback, error = None, why
    if feedback is None:
        row["feedback_error"] = error or "the report could not be written"
    return feedback


_REREAD = None  # set by the parent: reads a zip entry again (``grader.batch.run``)
