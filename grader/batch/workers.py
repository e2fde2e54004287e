"""Grading the rows of a batch in worker processes, in order, such that a worker that dies loses nothing.

The workers are forked once, while the parent is small (they inherit its state: the solved problem), and sent the
files in chunks, a bounded number in flight, so that memory stays flat. ``concurrent.futures.ProcessPoolExecutor``
reports a worker that dies (killed, out of memory, a crash in a C library) as ``BrokenProcessPool`` on every chunk
not yet done. Those chunks' files are then graded again one at a time, each in a fresh worker of its own (one
retry): a file whose worker dies again gets an ``unusable`` row saying so, every other one its grade, and the batch
goes on with a fresh pool. A worker that hangs instead of dying is caught by a time limit per file (``file_limit``
seconds, ``--file-timeout``): a chunk not done within that many seconds per file once it is the oldest one waited
for is taken as lost, the pool killed, and its files graded again one at a time, each within the limit; a file
that takes longer on its own too gets an ``unusable`` row saying so. So the batch always ends by itself, with one
row per file, in the input's order.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from typing import Iterable, Iterator

from grader.batch import rows

__all__ = ["Workers", "WORKER_DIED", "timed_out", "FILE_LIMIT", "cpu_count", "max_jobs"]

WORKER_DIED = (
    "the grading process died while grading this file (killed by the system, out of memory, or a crash), also when "
    "the file was graded again on its own in a fresh process; not graded"
)

FILE_LIMIT = 60.0  # seconds a worker may take per file (grading one takes milliseconds; a huge write-up seconds)


def timed_out(limit: float) -> str:
    """The reason on the row of a file whose grading went past the time limit, also on its own."""
    return (f"grading this file took longer than the time limit of {limit:g} seconds per file, also when it was "
            "graded again on its own in a fresh process (the grading process hung); not graded. A larger "
            "--file-timeout allows more")


Line = tuple[bytes, dict]


class Workers:
    """``jobs`` worker processes, forked when this is made (one job: none, rows are graded in this process, and
    no time limit applies: nothing could stop a hang there)."""

    def __init__(self, jobs: int, config: dict, file_limit: float = FILE_LIMIT) -> None:
        self.runner = _Runner(jobs, config, file_limit) if jobs > 1 else None

    def graded(self, tasks: Iterable[rows.Task], chunk: int) -> Iterator[Line]:
        """``rows.graded_chunk`` of every task, in order."""
        if self.runner is None:
            return _in_this_process(iter(tasks), chunk)
        return self.runner.run(iter(tasks), chunk)

    def stop(self) -> None:
        """Stop the workers (killed unless they finished their work)."""
        if self.runner is not None:
            self.runner.stop()


def _in_this_process(tasks: Iterator[rows.Task], chunk: int) -> Iterator[Line]:
    while part := list(itertools.islice(tasks, chunk)):
        yield from rows.graded_chunk(part)


def _context():
    try:
        return multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - platforms without fork: workers build their own state
        return multiprocessing.get_context()


def _new_pool(workers: int, config: dict) -> ProcessPoolExecutor:
    pool = ProcessPoolExecutor(workers, mp_context=_context(), initializer=rows.init_worker, initargs=(config,))
    pool.submit(int)  # start (fork) every worker now, while this process is small
    return pool


def _stop(pool: ProcessPoolExecutor | None, *, wait: bool = False) -> None:
    """Shut ``pool`` down; unless ``wait``, its workers are killed (an interrupted run, a broken pool)."""
    if pool is None:
        return
    if wait:
        pool.shutdown(wait=True)
        return
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        try:
            p.kill()
        except (OSError, ValueError, AttributeError):
            pass
    for p in processes:
        try:
            p.join(5)
        except (OSError, ValueError, AssertionError):
            pass


def _submit(pool: ProcessPoolExecutor, chunk: list) -> Future:
    try:
        return pool.submit(rows.graded_chunk, chunk)
    except BrokenProcessPool as exc:  # broken before this chunk was even sent
        failed: Future = Future()
        failed.set_exception(exc)
        return failed


class _Runner:
    def __init__(self, jobs: int, config: dict, file_limit: float) -> None:
        self.jobs = jobs
        self.config = config
        self.file_limit = file_limit
        self.pool: ProcessPoolExecutor | None = _new_pool(jobs, config)
        self.alone: ProcessPoolExecutor | None = None  # one worker, for the files graded again on their own

    def run(self, tasks: Iterator[rows.Task], chunk: int) -> Iterator[Line]:
        window: deque[tuple[list, Future]] = deque()
        limit = 2 * self.jobs + 1

        def fill() -> None:
            while len(window) < limit:
                part = list(itertools.islice(tasks, chunk))
                if not part:
                    return
                if self.pool is None:
                    self.pool = _new_pool(self.jobs, self.config)
                window.append((part, _submit(self.pool, part)))

        fill()
        while window:
            part, future = window[0]
            try:
                lines = future.result(timeout=self.file_limit * len(part))
            except (BrokenProcessPool, FutureTimeout):  # a worker died, or hangs: its pool is killed
                lost = list(window)
                window.clear()
                _stop(self.pool)
                self.pool = None
                for part, future in lost:  # in order; chunks finished before the pool broke keep their rows
                    done = future.done() and not future.cancelled() and future.exception() is None
                    if done:
                        yield from future.result()
                    else:
                        for task in part:
                            yield self._alone(task)
                fill()
                continue
            window.popleft()
            yield from lines
            fill()
        _stop(self.pool, wait=True)
        self.pool = None

    def _alone(self, task: rows.Task) -> Line:
        """Grade one file again in a worker of its own; the row saying so if that worker dies or hangs too."""
        if self.alone is None:
            self.alone = _new_pool(1, self.config)
        try:
            return self.alone.submit(rows.graded_chunk, [task]).result(timeout=self.file_limit)[0]
        except (BrokenProcessPool, FutureTimeout) as exc:
            _stop(self.alone)
            self.alone = None
            return rows.failed_line(task, WORKER_DIED if isinstance(exc, BrokenProcessPool)
                                    else timed_out(self.file_limit))

    def stop(self) -> None:
        _stop(self.pool)
        _stop(self.alone)
        self.pool = self.alone = None


def cpu_count() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def max_jobs() -> int:
    """The most workers a batch starts: twice the cores (more only costs memory and forks)."""
    return 2 * cpu_count()
