"""Grade a whole batch: a folder of submission files or an LMS download (zip or unpacked), into gradebooks,
feedback reports and a summary. This module runs the stages; each stage is a module of its own:

1. **inputs and identity** (``inputs``, ``identity``): every file is listed in a deterministic order, with who it
   belongs to according to its LMS name; non-submissions are rows with a reason. Zip entries are read by the parent
   (in memory, never extracted, with the caps of ``safezip``) as they are dispatched.
2. **grading rows** (``rows``): a pool of worker processes, forked first while the parent is small (each problem
   is solved once per worker, once in all when ``--problem`` is given: it is solved before the fork), grades the
   files in chunks; a worker writes the student's feedback reports at once, straight to their place (atomic per
   file: ``reportfiles``), and sends back only a small row. No bad file stops the batch.
3. **bookkeeping** (``bookkeeping``): the parent streams the rows to a spill file in the output folder and keeps a
   small key per file (``order``); the journal of the manifest lists every report before it is renamed into place.
4. **outputs** (``outputs``, ``gradebooks``, ``feedback``, ``summary``): resubmissions are resolved, rows sorted
   by student then file, every output streamed from the spill file and written atomically; the few reports that
   do not belong where they were first written (superseded files, names two files wanted) are moved; the folders
   written are fsynced once each.

Outputs are byte-identical across runs on the same input and ``--timestamp``: rows are sorted, and the only time in
them is the batch's (``grader.batch.stamp``: when it graded, unless ``--timestamp`` fixes it).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from grader.batch import bookkeeping, rows, safezip, workers
from grader.batch.feedback import HELD, Publisher
from grader.batch import hashindex
from grader.batch.hashindex import HashIndex
from grader.batch.inputs import Discovery, discover
from grader.batch.manifest import Manifest
from grader.batch.order import Keys, sort_string
from grader.batch.reportfiles import ReportFiles
from grader.batch.outputs import OUTPUT_FILES, BatchResult, InputInfo, LmsOptions, ProblemsSeen, write_outputs
from grader.batch.stamp import batch_time, parse_timestamp
from grader.batch.uploads import ZIP_NAMES
from grader.errors import GraderError

__all__ = ["BatchResult", "grade_batch", "parse_timestamp", "OUTPUT_FILES"]

# What a run writes at fixed names (the manifest never removes them as stale: they are rewritten, or, for a zip of
# no reports, removed by ``grader.batch.uploads``), and the folders its reports go to.
_FIXED = OUTPUT_FILES + tuple(sorted(ZIP_NAMES.values()))
_REPORT_FOLDERS = ("feedback", HELD)
_FOLDERS = ("feedback", HELD, f"{HELD}/superseded", f"{HELD}/unidentified")


# ------------------------------------------------------------------------------------------------------------------
# running


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


def _chunk_size(total: int, jobs: int) -> int:
    return max(1, min(64, total // (jobs * 8)))


def _lms_options(roster, scale_to) -> LmsOptions:
    """``--roster`` read and ``--scale-to`` checked before anything is graded (a bad one refuses the batch)."""
    if scale_to is not None and not (0 < scale_to < 1e9):
        raise GraderError(f"--scale-to {scale_to:g} is not a usable maximum", hint="give the LMS's maximum, e.g. 100")
    if roster is None:
        return LmsOptions(scale_to=scale_to)
    from grader.batch.roster import read_roster

    return LmsOptions(roster=read_roster(roster), scale_to=scale_to)


# --feedback: which report formats each student gets (extensions, as the report files are named)
FEEDBACK_CHOICES = {"both": ("md", "html"), "md": ("md",), "html": ("html",), "none": ()}

def grade_batch(
    input_path: str | os.PathLike,
    out: str | os.PathLike,
    *,
    problem: str | None = None,
    problems: str | os.PathLike | None = None,
    jobs: int | None = None,
    assignment_name: str | None = None,
    assignment_id: str | None = None,
    timestamp: str | None = None,
    reveal: str | None = None,
    progress: bool | None = None,
    manual: str | os.PathLike | None = None,
    lms: str = "auto",
    roster: str | os.PathLike | None = None,
    scale_to: float | None = None,
    feedback: str = "both",
    file_timeout: float | None = None,
) -> BatchResult:
    """Grade every file of ``input_path`` (folder or LMS zip) against the instructor's problem and write the
    outputs under ``out``.

    ``problem``: the assignment's problem or homework set (a path or an id), every file is graded against it;
    ``problems``: a folder of the course's problems, in which the id each submission names is looked up. One of
    them is required: a submission never decides what it is graded against.

    Raises :class:`GraderError` only when the batch as a whole cannot run (no problem given, input missing or
    refused, ``problem`` unusable, ``out`` in use by another run or not writable); any single bad file becomes a
    row with the reason. ``file_timeout``: the seconds a worker may take per file (default ``workers.FILE_LIMIT``,
    with more than one job): a file that takes longer gets a row saying so and the batch goes on.
    """
    out_dir = Path(out)
    in_path = Path(input_path)
    if feedback not in FEEDBACK_CHOICES:
        raise GraderError(f"--feedback {feedback}: not one of {', '.join(FEEDBACK_CHOICES)}",
                          hint="both (Markdown and HTML), md, html or none")
    file_limit = workers.FILE_LIMIT if file_timeout is None else file_timeout
    if not (0 < file_limit < 1e6):
        raise GraderError(f"--file-timeout {file_limit:g} is not a usable time limit",
                          hint="give the seconds a file may take, e.g. 60")
    if problem is None and problems is None:
        raise GraderError(
            "grade batch needs the assignment's problem: a submission's `problem:` is only a claim",
            hint="pass --problem PROBLEM (a problem or a homework set: its file or its id) to grade every file "
            "against it, or --problems DIR (the course's problem files) to look up the id each file names there",
        )
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
    if problems is not None and not Path(problems).is_dir():
        raise GraderError("--problems is not a folder", file=os.fspath(problems),
                          hint="pass the folder that holds the course's problem files")
    grader = _instructor_grader(problem, problems, reveal)
    manual_rows = None
    if manual is not None:  # an unreadable or malformed CSV refuses the batch before anything is graded
        from grader.grade.manual import read_manual_scores

        manual_rows = read_manual_scores(manual)
    options = _lms_options(roster, scale_to)
    jobs = min(max(1, jobs or workers.cpu_count()), workers.max_jobs())

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise bookkeeping.unwritable(out_dir, exc) from None
    lock = bookkeeping.RunLock(out_dir)  # from here on this run owns ``out_dir``
    try:
        bookkeeping.check_outputs(out_dir, _FIXED + (bookkeeping.MANIFEST,), _FOLDERS)
        bookkeeping.remove_leftovers(out_dir, _FIXED + (bookkeeping.MANIFEST, bookkeeping.JOURNAL), _FOLDERS)
        return _run(grader, manual_rows, in_path, out_dir, jobs, lock, assignment_name, assignment_id, timestamp,
                    progress, lms, options, FEEDBACK_CHOICES[feedback], file_limit)
    finally:
        lock.release()


def _instructor_grader(problem: str | None, problems: str | os.PathLike | None, reveal: str | None):
    """The grader of this batch, the instructor's problem solved once (before the workers fork) and refused when
    unusable."""
    from grader.grade.pipeline import Grader

    grader = Grader(problem=problem, reveal=reveal, problems_dirs=(problems,) if problems is not None else ())
    if problem:
        path = grader.instructor_problem()
        if grader.set_at(path) is None:
            grader.plan_at(path)
    return grader


def _run(grader, manual_rows, in_path: Path, out_dir: Path, jobs: int, lock, assignment_name, assignment_id,
         timestamp, progress, lms: str, options: LmsOptions, formats: tuple[str, ...],
         file_limit: float) -> BatchResult:
    scratch = bookkeeping.scratch_folder(out_dir)
    where = (str(out_dir), str(scratch), str(out_dir / bookkeeping.JOURNAL)) if formats else None
    config = {"grader": {"problem": grader.problem_override, "reveal": grader.reveal,
                         "problems_dirs": grader.problems_dirs}, "root": os.fspath(in_path),
              "reports": where, "scratch": str(scratch), "manual": manual_rows, "close_fds": [lock.fd],
              "parent": os.getpid(), "formats": formats}
    state = rows.WorkerState(grader=grader, root=os.fspath(in_path), reports=ReportFiles(*where) if where else None,
                             spill=bookkeeping.SpillWriter(str(scratch)), manual=manual_rows, formats=formats)
    previous_state = rows.install(state)
    pool = workers.Workers(jobs, config, file_limit)
    found: Discovery | None = None
    keys: Keys | None = None
    claims: HashIndex | None = None
    manifest = Manifest(out_dir, _FIXED, _REPORT_FOLDERS, formats, spill_to=scratch)
    spills = bookkeeping.Spills(scratch)
    try:
        stamp = batch_time(timestamp)
        try:
            scratch.mkdir()
        except OSError as exc:
            raise bookkeeping.unwritable(exc.filename or scratch, exc) from None
        found = discover(in_path, exclude=out_dir, writeups=grader.problem_override is not None, lms=lms,
                         spill_to=scratch)  # (a folder's list of files is kept in the scratch folder)
        if not found.items:
            raise GraderError("no files found in the input", file=str(in_path),
                              hint="pass a folder or zip of submissions")
        if found.zip is not None:
            infos = found.zip.infolist()
            state.reread = lambda item: safezip.read_entry(found.zip, infos[item.zip_index], item.name)
        total = len(found.items)
        bar = _Progress(total, sys.stderr.isatty() if progress is None else progress)
        keys = Keys(scratch)
        seen = ProblemsSeen()
        # first place of reports -> the row that wrote there first (its place in the spill files), and the places
        # more than one row wrote to -> how many
        claims = HashIndex(lambda at: (_row_at(spills, at).get("_claim"),), spill_to=scratch,
                           expected=len(found.items))
        shared: dict[str, int] = {}
        manifest.begin()  # before any report is written: the journal lists what this run may write
        for meta in pool.graded(_tasks(found), _chunk_size(total, jobs)):
            pid, offset, length, status, student_key, student_id, file, problem, title, top, fields, claim = meta
            number = spills.number(pid)
            keys.add(sort_string(student_id, file), offset, length, number, hashindex.string_hash(student_key),
                     status)
            if claim is not None:
                if claims.claim(claim, (offset << 16) | number) is not None:
                    shared[claim] = shared.get(claim, 1) + 1
            if problem and problem not in seen.problems and fields is None:
                fields = [f[0] for f in spills.read(offset, length, number)["fields"]]
            seen.add(problem, title, top, fields)
            bar.step()
        bar.close()
        pool.stop()
        return _publish(spills, keys, seen, (claims, shared), found, out_dir, manifest, stamp, assignment_name,
                        assignment_id, options, formats)
    finally:
        pool.stop()
        if state.reports is not None:
            state.reports.close(discard=True)
        state.spill.close()
        spills.close()
        if keys is not None:
            keys.close()
        if claims is not None:
            claims.close()
        if found is not None:
            found.close()
        manifest.close()
        rows.install(previous_state)
        bookkeeping.remove_scratch(scratch)


def _row_at(spills, at: int) -> dict:
    """The row at ``(offset << 16) | file number`` (to confirm a hash: rare)."""
    return spills.read_at(at >> 16, at & 0xFFFF)


def _publish(spills, keys, seen, claims, found, out_dir: Path, manifest: Manifest, stamp, assignment_name,
             assignment_id, options: LmsOptions, formats: tuple[str, ...]) -> BatchResult:
    """Write every output, record it in the manifest and remove what earlier runs wrote and this one did not; then
    fsync the folders written (once each)."""
    folders = [out_dir.joinpath(*rel.split("/")) for rel in _FOLDERS]
    try:
        manifest.expect(len(keys) + len(_FIXED) + 1)  # a key per row's reports, the fixed outputs, the manifest
        publisher = Publisher(out_dir, claims, keep=manifest.keep, will_write=manifest.will_write,
                              rerender=rows.rerender, formats=formats)
        result = write_outputs(
            lambda i: spills.read(*keys.where(i)), keys, seen, InputInfo(found.root, found.kind, found.lms),
            out_dir, publisher, stamp, assignment_name, assignment_id, options, spill_to=spills.folder,
        )
        manifest.finish(before_journal_removed=lambda: bookkeeping.sync_dirs(folders))
        bookkeeping.sync_dirs([out_dir])
    except OSError as exc:
        raise bookkeeping.unwritable(exc.filename or out_dir, exc) from None
    return result
