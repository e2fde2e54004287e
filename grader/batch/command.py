"""``grade batch INPUT --out DIR``: grade a folder of submissions or an LMS "download all submissions" zip.

Exit codes: 0 the batch ran (files that could not be graded are rows in the outputs, with the reason); 2 the input
as a whole is unusable (missing, not a zip, a zip refused by the safety limits, an unusable ``--problem``).
"""

from __future__ import annotations

import argparse
import sys

from grader.batch.run import OUTPUT_FILES, grade_batch

EXIT_OK, EXIT_UNUSABLE = 0, 2


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="grade batch",
        description="Grade every submission in a folder or an LMS download zip; write gradebooks for Canvas, "
        "Moodle and LTI AGS, a generic CSV/JSON, one feedback report per student and a summary page.",
        epilog="Outputs under DIR: " + ", ".join(OUTPUT_FILES) + ", feedback/ (one .md and one .html per student; "
        "superseded submissions under feedback/superseded/).",
    )
    ap.add_argument("input", metavar="INPUT", help="a folder of submission YAML files (searched recursively), or an "
                    "LMS 'download all submissions' zip, or its unpacked folder")
    ap.add_argument("--out", required=True, metavar="DIR", help="output folder (created if needed)")
    ap.add_argument("--problem", help="grade every file against this problem (id or path) whatever the files say")
    ap.add_argument("--manual", metavar="SCORES.csv",
                    help="scores given by hand (columns student_id,question,points[,comment]) merged into the grades: "
                         "written questions stay pending until then")
    ap.add_argument("--jobs", type=int, metavar="N", help="worker processes (default: the number of CPUs)")
    ap.add_argument("--assignment-name", metavar="NAME",
                    help="gradebook column title (default: the problem id most files answer)")
    ap.add_argument("--assignment-id", metavar="ID",
                    help="Canvas assignment id: the column becomes 'NAME (ID)' and updates that assignment")
    ap.add_argument("--timestamp", metavar="ISO8601",
                    help="time written in the AGS scores and the Moodle sheet (default: the newest input file's "
                    "modification time, so that re-runs give identical files)")
    ap.add_argument("--reveal", choices=["always", "after_due", "never"],
                    help="override the problem's policy on showing expected values in feedback")
    bar = ap.add_mutually_exclusive_group()
    bar.add_argument("--progress", dest="progress", action="store_true", default=None,
                     help="show a progress bar on stderr (default: when stderr is a terminal)")
    bar.add_argument("--no-progress", dest="progress", action="store_false")
    return ap


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    if args.jobs is not None and args.jobs < 1:
        print("error: --jobs must be at least 1", file=sys.stderr)
        return EXIT_UNUSABLE
    result = grade_batch(
        args.input,
        args.out,
        problem=args.problem,
        jobs=args.jobs,
        assignment_name=args.assignment_name,
        assignment_id=args.assignment_id,
        timestamp=args.timestamp,
        reveal=args.reveal,
        progress=args.progress,
        manual=args.manual,
    )
    print(result.line())
    return EXIT_OK
