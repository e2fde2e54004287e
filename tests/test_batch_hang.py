"""A worker that hangs (does not die) is caught by the per-file time limit of ``grade batch`` (issue 16): the file
gets an ``unusable`` row saying so, every other file its grade as in a run where nothing hung, and every input
appears exactly once. The hang is the test hook ``GRADER_TEST_HANG_WORKER_ON`` (a worker waits forever); the limit
is small so that the test stays fast (about twice the limit)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from grader.batch.rows import HANG_ON_ENV
from grader.batch.run import grade_batch
from grader.cli import main as cli_main
from grader.errors import GraderError

REPO = Path(__file__).resolve().parent.parent
SEED = (REPO / "submissions_examples" / "exercise6_seed.yaml").read_text(encoding="utf-8")
SEED_STUDENT = 'student: {id: "400222100", name: Reza Mosavi}'
LIMIT = 2.5  # seconds per file: far more than grading one of these files takes, even on a loaded machine


def make_input(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True)
    for i in range(n):
        (folder / f"s{i:04d}.yaml").write_text(SEED.replace(SEED_STUDENT, f'student: {{id: "{1000 + i}", name: N{i}}}'),
                                                encoding="utf-8")
    return folder


def files_of(out: Path) -> list[dict]:
    return json.loads((out / "grades.json").read_text(encoding="utf-8"))["files"]


def test_a_hung_worker_is_timed_out_its_file_gets_a_row_and_the_batch_goes_on(tmp_path, monkeypatch):
    src = make_input(tmp_path / "in", 8)
    clean, out = tmp_path / "clean", tmp_path / "out"
    common = dict(problem="exercise6", jobs=2, timestamp="2025-01-01T00:00:00Z", progress=False)
    grade_batch(src, clean, **common)
    monkeypatch.setenv(HANG_ON_ENV, "s0003.yaml")  # read by each worker when it starts (they fork from here)
    result = grade_batch(src, out, file_timeout=LIMIT, **common)
    assert "graded 7, unusable 1" in result.line()
    rows, good = files_of(out), files_of(clean)
    assert sorted(r["file"] for r in rows) == [f"s{i:04d}.yaml" for i in range(8)]  # each input exactly once
    hung = next(r for r in rows if r["file"] == "s0003.yaml")
    assert hung["status"] == "unusable"
    assert f"time limit of {LIMIT:g} seconds per file" in hung["error"]["message"]
    assert [r for r in rows if r["file"] != "s0003.yaml"] == [r for r in good if r["file"] != "s0003.yaml"]


def test_the_time_limit_is_an_option_and_must_be_positive(tmp_path, capsys):
    src = make_input(tmp_path / "in", 1)
    with pytest.raises(GraderError, match="--file-timeout 0 is not a usable time limit"):
        grade_batch(src, tmp_path / "out", problem="exercise6", file_timeout=0)
    assert cli_main(["batch", str(src), "--out", str(tmp_path / "o2"), "--problem", "exercise6",
                     "--file-timeout", "-1", "--no-progress"]) == 2
    assert "--file-timeout -1 is not a usable time limit" in capsys.readouterr().err
    assert not os.environ.get(HANG_ON_ENV)
