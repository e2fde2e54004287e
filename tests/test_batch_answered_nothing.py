"""A batch counts the files that answered nothing (graded, every field missing): a write-up in which nothing was
read, a template handed in blank. Each is a 0 in the gradebooks, which the TA may want to look at before it stands
(the student's report says why: "Nothing in this write-up was read as an answer"). A batch where every file
answered something says nothing of it."""

from __future__ import annotations

from grader.batch.run import grade_batch


def _write(folder, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def test_files_that_answered_nothing_are_counted(tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    _write(inp, "blank.yaml", 'problem: exercise6\nstudent: {id: "400999001", name: Blank Student}\nanswers:\n  z1:\n')
    _write(inp, "words.md", "# 400999002 — Word Student\n\nI did all of it on paper, see the photo.\n")
    _write(inp, "some.yaml", 'problem: exercise6\nstudent: {id: "400999003", name: Some Student}\nanswers:\n'
                             "  z1: -7.65\n")
    result = grade_batch(inp, tmp_path / "out", problem="exercise6", jobs=1, progress=False,
                         timestamp="2026-01-01T00:00:00Z")
    assert result.answered_nothing == 2
    assert "answered nothing 2 (every field missing: see their reports)" in result.line()
    summary = (tmp_path / "out" / "summary.html").read_text(encoding="utf-8")
    assert "answered nothing (every field missing) 2" in summary
    # and which files: listed by name, with their student and report, so a TA need not search grades.json
    listed = summary.split("Files that answered nothing (2)</h2>", 1)[1].split("</section>", 1)[0]
    assert "blank.yaml" in listed and "Blank Student (400999001)" in listed and "words.md" in listed
    assert "some.yaml" not in listed and "feedback/" in listed
    report = next((tmp_path / "out" / "feedback").glob("*400999002*.md")).read_text(encoding="utf-8")
    assert "Nothing in this write-up was read as an answer" in report


def test_no_word_of_it_when_every_file_answered(tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    _write(inp, "some.yaml", 'problem: exercise6\nstudent: {id: "400999003", name: Some Student}\nanswers:\n'
                             "  z1: -7.65\n")
    result = grade_batch(inp, tmp_path / "out", problem="exercise6", jobs=1, progress=False,
                         timestamp="2026-01-01T00:00:00Z")
    assert result.answered_nothing == 0 and "answered nothing" not in result.line()
    assert "answered nothing" not in (tmp_path / "out" / "summary.html").read_text(encoding="utf-8")
