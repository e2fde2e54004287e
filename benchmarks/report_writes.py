"""Where a batch's report writing goes: ``grade batch`` of one folder, with the feedback reports written as shipped
and with their writing replaced, timed one after the other (a fresh process each, a pause before each):

    python benchmarks/report_writes.py FOLDER [--problem exercise6] [--jobs 2] [--rounds 2]

* ``as shipped``: each report to a temporary file, fsynced, renamed into place (``grader.batch.reportfiles``);
* ``threads, no fsync``: the same writer threads, ``durable=False``;
* ``in the grading thread, no fsync``: created, written and renamed at once by the process that rendered it;
* ``rendered, not written``: the reports are rendered and dropped;
* ``as shipped, graded and rendered once``: reports written as shipped, but every file's result and reports are the
  first file's (``grade_submission`` and ``render`` cost nothing after the first file: what is left is the batch's
  reading, bookkeeping and report files, the part of its time that faster grading or rendering cannot remove).

The folder is graded into fresh output folders under a temporary folder (removed at the end: never run a timing
right after deleting many files on ext4, whose next file creations then cost several times the system time). It
prints wall, user and system seconds of each variant (workers included), medians over the rounds. Not run by
``run.py``: it needs a folder of submissions (``bench_batch.py --keep`` leaves two)."""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VARIANTS = ("as shipped", "threads, no fsync", "in the grading thread, no fsync", "rendered, not written",
            "as shipped, graded and rendered once")

_CHILD = r'''
import os, sys
sys.path.insert(0, sys.argv[1])
import grader.batch.reportfiles as R
variant = sys.argv[2]
if variant == "as shipped, graded and rendered once":
    import grader.report
    from grader.grade.pipeline import Grader
    once, grade, render = {}, Grader.grade_submission, grader.report.render
    Grader.grade_submission = lambda self, sub: once.get("result") or once.setdefault("result", grade(self, sub))
    grader.report.render = lambda result, fmt: once.get(fmt) or once.setdefault(fmt, render(result, fmt))
elif variant == "threads, no fsync":
    init = R.ReportFiles.__init__
    def __init__(self, *a, **k):
        init(self, *a, **k)
        self.durable = False
    R.ReportFiles.__init__ = __init__
elif variant != "as shipped":
    def put(self, tag, rel, data):
        if variant == "rendered, not written":
            return
        if self._pid != os.getpid():
            self._pid, self._n = os.getpid(), 0
        tmp = os.path.join(self.scratch, f"{self._pid}-{self._n}.tmp")
        self._n += 1
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        os.write(fd, data)
        os.close(fd)
        R._place(tmp, os.path.join(self.out_dir, *rel.split("/")))
    R.ReportFiles.put = put
    R.ReportFiles.wait = lambda self: {}
    R.ReportFiles.close = lambda self, discard=False: None
from grader.cli import main
sys.exit(main(sys.argv[3:]))
'''


def run(variant: str, folder: str, out: Path, problem: str, jobs: int) -> tuple[float, float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", _CHILD, str(REPO), variant, "batch", folder, "--problem", problem,
                    "--jobs", str(jobs), "--out", str(out), "--no-progress"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder")
    ap.add_argument("--problem", default="exercise6")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    times: dict[str, list[tuple[float, float, float]]] = {v: [] for v in VARIANTS}
    work = Path(tempfile.mkdtemp(prefix="report_writes_"))
    try:
        for r in range(args.rounds):
            for k, variant in enumerate(VARIANTS):
                time.sleep(5)
                times[variant].append(run(variant, args.folder, work / f"out_{r}_{k}", args.problem, args.jobs))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    n = len(os.listdir(args.folder))
    print(f"{n} files, --jobs {args.jobs}, {args.rounds} rounds (medians); load average {os.getloadavg()[0]:.2f}")
    print("| reports | wall s | user s | system s |")
    print("|---------|-------:|-------:|---------:|")
    for variant in VARIANTS:
        wall, user, sys_ = (statistics.median(x[i] for x in times[variant]) for i in range(3))
        print(f"| {variant} | {wall:.2f} | {user:.2f} | {sys_:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
