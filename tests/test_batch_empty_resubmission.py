"""Of a student's files the latest counts, except that a file in which no answer was read (a side note uploaded
after the work, a blank template) never replaces one with answers: it is listed as superseded by it."""

from __future__ import annotations

import json
import os
from pathlib import Path

from grader.batch.run import grade_batch

ROOT = Path(__file__).resolve().parents[1]
SEED = (ROOT / "submissions_examples" / "exercise6_seed.yaml").read_text(encoding="utf-8")
NOTE = "# 400222100 — Reza Mosavi\n\nI used the chain rule. See hw.yaml.\n"
BLANK = "problem: exercise6\nstudent: {id: '400222100'}\nanswers:\n  z1:\n"


def _batch(tmp_path: Path, files: list[tuple[str, str]]) -> dict[str, dict]:
    src = tmp_path / "in"
    src.mkdir()
    for age, (name, text) in enumerate(files):  # in upload order: each a minute after the one before
        path = src / name
        path.write_text(text, encoding="utf-8")
        os.utime(path, (1_700_000_000 + 60 * age, 1_700_000_000 + 60 * age))
    out = tmp_path / "out"
    grade_batch(src, out, problem="exercise6", jobs=1, progress=False, timestamp="2026-01-01T00:00:00Z",
                feedback="none")
    return {e["file"]: e for e in json.loads((out / "grades.json").read_text(encoding="utf-8"))["files"]}


def test_a_side_note_uploaded_after_the_work_does_not_replace_it(tmp_path):
    rows = _batch(tmp_path, [("hw.yaml", SEED), ("README.txt", NOTE)])
    assert rows["hw.yaml"]["status"] == "graded" and rows["hw.yaml"]["score"] == 4.0
    assert rows["README.txt"]["status"] == "superseded"
    lines = (tmp_path / "out" / "grades.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and "hw.yaml" in lines[1]  # the gradebook row is the work's, not the note's 0


def test_a_blank_template_uploaded_last_does_not_replace_the_work(tmp_path):
    rows = _batch(tmp_path, [("hw.yaml", SEED), ("again.yaml", BLANK)])
    assert rows["hw.yaml"]["status"] == "graded" and rows["again.yaml"]["status"] == "superseded"


def test_a_later_file_with_answers_still_replaces_an_earlier_one(tmp_path):
    rows = _batch(tmp_path, [("README.txt", NOTE), ("hw.yaml", SEED), ("late.yaml", SEED)])
    assert rows["late.yaml"]["status"] == "graded"
    assert rows["hw.yaml"]["status"] == rows["README.txt"]["status"] == "superseded"


def test_of_files_with_no_answer_read_the_latest_counts(tmp_path):
    rows = _batch(tmp_path, [("README.txt", NOTE), ("again.yaml", BLANK)])
    assert rows["again.yaml"]["status"] == "graded" and rows["README.txt"]["status"] == "superseded"

