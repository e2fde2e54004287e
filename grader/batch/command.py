"""``grade batch INPUT --out DIR --problem P | --problems DIR``: grade a folder of submissions or an LMS "download
all submissions" zip against the instructor's problem.

Exit codes: 0 the batch ran (files that could not be graded are rows in the outputs, with the reason); 2 the batch
as a whole cannot run (no ``--problem``/``--problems``, the input missing, not a zip or refused by the safety
limits, an unusable ``--problem``, ``--out`` in use by another run or not writable: the message names the path and
the reason); 1 a bug in the grader.
"""

from __future__ import annotations

import argparse
import signal
import sys

from grader.batch.bookkeeping import MANIFEST
from grader.batch.run import OUTPUT_FILES, grade_batch
from grader.batch.workers import cpu_count, max_jobs

EXIT_OK, EXIT_UNUSABLE = 0, 2


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="grade batch",
        description="Grade every submission in a folder or an LMS download zip; write gradebooks for Canvas, "
        "Moodle and LTI AGS, a generic CSV/JSON, one feedback report per student and a summary page.",
        epilog="Outputs under DIR: " + ", ".join(OUTPUT_FILES + (MANIFEST,)) + ", feedback/ (one .md and one .html "
        "per identified student, named for the LMS), feedback-canvas.zip / feedback-moodle.zip (ready to upload), "
        "feedback-not-uploaded/ (superseded and unidentified submissions' reports). summary.html has an upload "
        "guide. One run at a time writes into DIR; a rerun removes the files an earlier run wrote and this one "
        "does not.",
    )
    ap.add_argument("input", metavar="INPUT", help="a folder of submission YAML files (searched recursively), or an "
                    "LMS 'download all submissions' zip, or its unpacked folder")
    ap.add_argument("--out", required=True, metavar="DIR", help="output folder (created if needed)")
    which = ap.add_argument_group("the assignment's problem (one is required: a submission's own `problem:` is only "
                                  "a claim)")
    which.add_argument("--problem", metavar="PROBLEM",
                       help="grade every file against this problem or homework set (its file or its id); a file "
                       "that names another gets a warning")
    which.add_argument("--problems", metavar="DIR",
                       help="the course's problem files: the id each submission names is looked up there (then in "
                       "./problems and the bundled problems), never beside the submission")
    ap.add_argument("--manual", metavar="SCORES.csv",
                    help="scores given by hand (columns student_id,question,points[,comment]) merged into the grades: "
                         "written questions stay pending until then")
    ap.add_argument("--jobs", type=int, metavar="N",
                    help="worker processes (default: the number of CPUs; at most twice that)")
    ap.add_argument("--file-timeout", type=float, metavar="SECONDS",
                    help="the time a worker may take per file (default 60): a file that takes longer gets a row "
                    "saying so and the batch goes on (with --jobs 1 no limit applies)")
    ap.add_argument("--assignment-name", metavar="NAME",
                    help="gradebook column title (default: the problem id most files answer)")
    ap.add_argument("--assignment-id", metavar="ID",
                    help="Canvas assignment id: the column becomes 'NAME (ID)' and updates that assignment")
    ap.add_argument("--timestamp", metavar="ISO8601",
                    help="the time written as the AGS scores' timestamp and the Moodle worksheet's 'Last modified "
                    "(grade)' (default: now, when the batch grades; fix it for byte-identical reruns, and see "
                    "docs/lms-upload.md for how Moodle and AGS compare it with their own times)")
    ap.add_argument("--lms", choices=["auto", "canvas", "moodle", "none"], default="auto",
                    help="how file names are read: canvas or moodle (the input is that LMS's download, unpacked or "
                    "not), none (never; the student is the file's student:), auto (default: Moodle names wherever "
                    "they appear, Canvas names only in a zip whose every entry is a Canvas download name)")
    ap.add_argument("--roster", metavar="ROSTER.csv",
                    help="the LMS user id of each student for the AGS scores: columns user_id and participant_id "
                    "(Moodle), canvas_user_id, anon_id or student_id")
    ap.add_argument("--scale-to", type=float, metavar="MAX",
                    help="write the LMS gradebooks' scores out of MAX points (the LMS assignment's maximum) instead "
                    "of the problem's points")
    ap.add_argument("--feedback", choices=["both", "md", "html", "none"], default="both",
                    help="which feedback reports to write per student: Markdown and HTML (default), one of them, or "
                    "none (gradebooks and summary only)")
    ap.add_argument("--reveal", choices=["always", "after_due", "never"],
                    help="override the problem's policy on showing expected values in feedback")
    bar = ap.add_mutually_exclusive_group()
    bar.add_argument("--progress", dest="progress", action="store_true", default=None,
                     help="show a progress bar on stderr (default: when stderr is a terminal)")
    bar.add_argument("--no-progress", dest="progress", action="store_false")
    return ap


def _terminated(signum, frame):
    raise SystemExit(128 + signum)  # unwinds the run: its workers stopped, its scratch files removed


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    if args.jobs is not None and args.jobs < 1:
        print("error: --jobs must be at least 1", file=sys.stderr)
        return EXIT_UNUSABLE
    if args.problem is None and args.problems is None:
        print("error: grade batch needs the assignment's problem: pass --problem PROBLEM (a problem or a homework "
              "set, its file or its id) or --problems DIR (the course's problem files, where the id each "
              "submission names is looked up); a submission's own `problem:` is only a claim", file=sys.stderr)
        return EXIT_UNUSABLE
    if args.jobs is not None and args.jobs > max_jobs():
        print(f"note: --jobs {args.jobs} is more than twice the {cpu_count()} CPU cores; using {max_jobs()} workers",
              file=sys.stderr)
        args.jobs = max_jobs()
    restore = None
    try:
        if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            signal.signal(signal.SIGTERM, _terminated)
            restore = signal.SIG_DFL
    except ValueError:  # not the main thread: leave signals alone
        pass
    try:
        result = _run(args)
    finally:
        if restore is not None:
            signal.signal(signal.SIGTERM, restore)
    print(result.line())
    return EXIT_OK


def _run(args):
    return grade_batch(
        args.input,
        args.out,
        problem=args.problem,
        problems=args.problems,
        jobs=args.jobs,
        assignment_name=args.assignment_name,
        assignment_id=args.assignment_id,
        timestamp=args.timestamp,
        reveal=args.reveal,
        progress=args.progress,
        manual=args.manual,
        lms=args.lms,
        roster=args.roster,
        scale_to=args.scale_to,
        feedback=args.feedback,
        file_timeout=args.file_timeout,
    )
