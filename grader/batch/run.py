"""Grade a whole batch: a folder of submission files or an LMS download (zip or unpacked), into gradebooks,
feedback reports and a summary. This module runs the stages; each stage is a module of its own:

1. **inputs and identity** (``inputs``, ``identity``): every file is listed in a deterministic order, with who it
   belongs to according to its LMS name; non-submissions are rows with a reason. Zip entries are read by the parent
   (in memory, never extracted, with the caps of ``safezip``) as they are dispatched.
2. **grading rows** (``rows``): a pool of worker processes, forked first while the parent is small (each problem
   is solved once per worker, once in all when ``--problem`` is given: it is solved before the fork), grades the
   files in chunks; a worker stages the student's feedback reports at once and sends back only a small row. No bad
   file stops the batch.
3. **bookkeeping** (``bookkeeping``): the parent streams the rows to a spill file in the output folder and keeps a
   small key per file (``order``); the staged reports are made durable with one sync before they are published.
4. **outputs** (``outputs``, ``gradebooks``, ``feedback``, ``summary``): resubmissions are resolved, rows sorted
   by student then file, every output streamed from the spill file and written atomically, and the feedback reports
   moved to their final names (an atomic rename each).

Outputs are byte-identical across runs on the same input and ``--timestamp``: rows are sorted, and the only time in
them is the batch's (``grader.batch.stamp``: when it graded, unless ``--timestamp`` fixes it).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from pathlib import Path

from grader.batch import bookkeeping, rows, safezip
from grader.batch.feedback import Publisher
from grader.batch.inputs import Discovery, discover
from grader.batch.order import RowKey, sort_string
from grader.batch.outputs import OUTPUT_FILES, BatchResult, InputInfo, LmsOptions, ProblemsSeen, write_outputs
from grader.batch.stamp import batch_time, parse_timestamp
from grader.errors import GraderError

__all__ = ["BatchResult", "grade_batch", "parse_timestamp", "OUTPUT_FILES"]


# ------------------------------------------------------------------------------------------------------------------
# options


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


def _make_pool(jobs: int, config: dict):
    """A pool of ``jobs`` workers forked now, while this process is small (the workers inherit its memory)."""
    try:
        ctx = multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - platforms without fork: workers build their own state
        ctx = multiprocessing.get_context()
    return ctx.Pool(jobs, initializer=rows.init_worker, initargs=(config,))


def _lms_options(roster, scale_to) -> LmsOptions:
    """``--roster`` read and ``--scale-to`` checked before anything is graded (a bad one refuses the batch)."""
    if scale_to is not None and not (0 < scale_to < 1e9):
        raise GraderError(f"--scale-to {scale_to:g} is not a usable maximum", hint="give the LMS's maximum, e.g. 100")
    if roster is None:
        return LmsOptions(scale_to=scale_to)
    from grader.batch.roster import read_roster

    return LmsOptions(roster=read_roster(roster), scale_to=scale_to)


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
    lms: str = "auto",
    roster: str | os.PathLike | None = None,
    scale_to: float | None = None,
) -> BatchResult:
    """Grade every file of ``input_path`` (folder or LMS zip) and write the outputs under ``out``.

    Raises :class:`GraderError` only when the batch as a whole cannot run (input missing or refused, problem given
    with ``problem`` unusable); any single bad file becomes a row with the reason.
    """
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
    options = _lms_options(roster, scale_to)
    if problem:  # solve it once, before the workers fork; refuse the batch if it is unusable
        grader.plan_at(find_problem(problem))
    jobs = max(1, jobs or os.cpu_count() or 1)
    staging = bookkeeping.staging_folder(out_dir)
    spill_path = out_dir / bookkeeping.SPILL
    config = {"problem": problem, "reveal": reveal, "root": os.fspath(in_path), "staging": str(staging),
              "manual": manual_rows}
    previous_state = rows.install(
        rows.WorkerState(grader=grader, root=os.fspath(in_path), staging=str(staging), manual=manual_rows)
    )
    pool = _make_pool(jobs, config) if jobs > 1 else None
    found: Discovery | None = None
    try:
        found = discover(in_path, exclude=out_dir, writeups=problem is not None, lms=lms)
        if not found.items:
            raise GraderError("no files found in the input", file=str(in_path),
                              hint="pass a folder or zip of submissions")
        stamp = batch_time(timestamp)
        staging.mkdir(parents=True, exist_ok=True)
        total = len(found.items)
        bar = _Progress(total, sys.stderr.isatty() if progress is None else progress)
        keys: list[RowKey] = []
        seen = ProblemsSeen()
        if pool is not None:
            graded = pool.imap(rows.graded_line, _tasks(found), chunksize=max(1, min(64, total // (jobs * 8))))
        else:
            graded = map(rows.graded_line, _tasks(found))
        spill = bookkeeping.Spill(spill_path)
        try:
            for data, meta in graded:
                offset = spill.append(data)
                att = meta["attachment_id"]
                keys.append(
                    RowKey(
                        offset=offset,
                        length=len(data),
                        status=meta["status"],
                        student_key=meta["student_key"],
                        sort=sort_string(meta["student_id"], meta["file"]),
                        attachment=att if att is not None else -1,
                        mtime=meta["mtime"],
                    )
                )
                seen.add(meta)
                bar.step()
            bar.close()
            if pool is not None:
                pool.close()
                pool.join()
                pool = None
            spill.done()
            bookkeeping.make_durable()
            return write_outputs(
                lambda k: spill.read(k.offset, k.length), keys, seen, InputInfo(found.root, found.kind, found.lms),
                out_dir, Publisher(out_dir, staging), stamp, assignment_name, assignment_id, options,
            )
        finally:
            spill.close()
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
        if found is not None:
            found.close()
        rows.install(previous_state)
        bookkeeping.remove_scratch(staging, spill_path)
