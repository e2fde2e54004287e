"""Instructions per file of each grading stage, counted by valgrind: repeatable where wall times are not.

    python benchmarks/instructions.py [--n 100] [--stages yaml sub grade md html] [--styles template seed]

Generates N files of each style (as ``bench_batch.py`` does), then for each stage runs, under
``valgrind --tool=callgrind`` with ``PYTHONHASHSEED=0``, a child that reads, grades and renders every file once and
then runs the stage once, and again three times; (instructions at 3 - instructions at 1) / (2 x files) is that
stage's cost per file, start-up and set-up cancelled out. Stages: ``yaml`` (``load_yaml_text``), ``sub``
(``submission_from_document``), ``grade`` (``Grader.grade_submission``), ``md`` / ``html`` (the two reports).
Numbers are best cases for the caches (the same N files each time). Needs valgrind; prints, asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
STAGES = ("yaml", "sub", "grade", "md", "html")


def child(stage: str, folder: str, repeat: int) -> None:
    sys.path.insert(0, str(REPO))
    from grader.errors import GraderError
    from grader.grade.pipeline import Grader
    from grader.report.html import render_html
    from grader.report.markdown import render_markdown
    from grader.submission.load import submission_from_document
    from grader.yamlio import load_yaml_text

    g = Grader()
    datas = []
    for p in sorted(Path(folder).iterdir()):
        d = p.read_bytes()
        try:
            load_yaml_text(d, source=p.name)
        except GraderError:
            continue
        datas.append(d)
    docs = [load_yaml_text(d, source="x.yaml") for d in datas]
    subs = [submission_from_document(d) for d in docs]
    results = [g.grade_submission(s) for s in subs]
    for r in results:
        render_markdown(r)
        render_html(r)
    work = {
        "yaml": lambda: [load_yaml_text(d, source="x.yaml") for d in datas],
        "sub": lambda: [submission_from_document(d) for d in docs],
        "grade": lambda: [g.grade_submission(s) for s in subs],
        "md": lambda: [render_markdown(r) for r in results],
        "html": lambda: [render_html(r) for r in results],
    }[stage]
    for _ in range(repeat):
        work()
    print(f"files {len(datas)}")


def instructions(stage: str, folder: Path, repeat: int) -> tuple[int, int]:
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    res = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__,
         "--child", stage, str(folder), str(repeat)], capture_output=True, text=True, env=env, check=True)
    collected = re.search(r"Collected : (\d+)", res.stderr)
    files = re.search(r"files (\d+)", res.stdout)
    return int(collected.group(1)), int(files.group(1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--stages", nargs="+", default=list(STAGES), choices=STAGES)
    ap.add_argument("--styles", nargs="+", default=["template", "seed"], choices=["template", "seed"])
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    sys.path.insert(0, str(REPO / "benchmarks"))
    import bench_batch

    key = bench_batch._key_values()
    with tempfile.TemporaryDirectory() as tmp:
        for style in args.styles:
            folder = Path(tmp) / style
            if style == "template":
                bench_batch.generate_template_style(folder, args.n, key, bench_batch.template_text())
            else:
                bench_batch.generate_seed_style(folder, args.n, key)
            for stage in args.stages:
                once, files = instructions(stage, folder, 1)
                thrice, _ = instructions(stage, folder, 3)
                print(f"{style:9} {stage:6} {(thrice - once) // (2 * files):>12,} instructions per file ({files} files)",
                      flush=True)


if __name__ == "__main__":
    main()
