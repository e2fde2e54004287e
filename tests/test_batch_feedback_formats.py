"""``grade batch --feedback md|html|both|none`` (issue 16 item 1): only the reports asked for are written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from grader.cli import main as cli_main

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "submissions_examples" / "exercise6_seed.yaml"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("subs")
    text = SEED.read_text(encoding="utf-8")
    for i in range(3):
        (folder / f"s{i}.yaml").write_text(text.replace("student_id:", f"student_id: x{i}  #", 1)
                                           if "student_id:" in text else text, encoding="utf-8")
    (folder / "broken.yaml").write_text("answers: [unclosed\n", encoding="utf-8")
    return folder


def _reports(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.suffix in (".md", ".html")
                  and p.name != "summary.html")


@pytest.mark.parametrize("choice,suffixes", [("both", {".md", ".html"}), ("md", {".md"}), ("html", {".html"}),
                                             ("none", set())])
def test_only_the_asked_formats_are_written(inputs, tmp_path, choice, suffixes):
    out = tmp_path / "out"
    assert cli_main(["batch", str(inputs), "--out", str(out), "--problem", "exercise6", "--jobs", "1",
                     "--no-progress", "--feedback", choice]) == 0
    reports = [r for r in _reports(out) if r.startswith(("feedback/", "feedback-not-uploaded/"))]
    assert {Path(r).suffix for r in reports} == suffixes
    if suffixes:
        assert len(reports) == 4 * len(suffixes)  # every row, the broken file's too
    assert (out / "summary.html").is_file() and (out / "grades.json").is_file()
    grades = json.loads((out / "grades.json").read_text(encoding="utf-8"))
    assert grades  # the gradebook is written whatever the reports


def test_unknown_choice_is_a_usage_error(inputs, tmp_path, capsys):
    assert cli_main(["batch", str(inputs), "--out", str(tmp_path / "o"), "--problem", "exercise6",
                     "--feedback", "pdf"]) == 2
