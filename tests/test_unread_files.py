"""Files students hand in that hold no text the grader reads (a PDF, a scan, a photo, an old .doc) are named for
what they are, in every path, instead of a YAML syntax error or "expected .yaml/.yml": the TA learns to grade them by
hand, the student what to hand in. A write-up in a batch without --problem says that --problem is what it needs."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

from grader.batch.run import grade_batch
from grader.cli import main

ROOT = Path(__file__).resolve().parent.parent
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_grade_a_pdf_exits_2_saying_what_it_is(tmp_path, capsys):
    path = tmp_path / "hw3.pdf"
    path.write_bytes(PDF)
    assert main([str(path), "--problem", "exercise6"]) == 2
    err = capsys.readouterr().err
    assert "hw3.pdf: this file is not graded: a PDF is not read (only text is" in err
    assert "YAML syntax error" not in err and "Traceback" not in err


def test_a_batch_lists_pdfs_and_images_to_grade_by_hand(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "ann.pdf").write_bytes(PDF)
    (src / "ben.JPG").write_bytes(b"\xff\xd8\xff\xe0 photo of the work")
    (src / "cal.md").write_text("z1 = -7.65\n", encoding="utf-8")
    (src / "dee.yaml").write_bytes((ROOT / "submissions_examples" / "exercise6_seed.yaml").read_bytes())
    (src / "notes.txt").write_text("remember to submit\n", encoding="utf-8")
    for problem, out in ((None, tmp_path / "plain"), ("exercise6", tmp_path / "given")):
        grade_batch(src, out, problem=problem, problems=None if problem else ROOT / "problems", jobs=1, progress=False,
                    timestamp="2026-01-01T00:00:00Z")
        rows = {e["file"]: e for e in json.loads((out / "grades.json").read_text(encoding="utf-8"))["files"]}
        why = {f: (r["status"], (r.get("error") or {}).get("message")) for f, r in rows.items()}
        assert why["ann.pdf"] == ("skipped", "not graded: a PDF is not read (only text is: YAML answers, or a "
                                             "write-up as .md, .txt, .tex, .ipynb, .docx or .odt); grade it by hand, or "
                                             "ask for the write-up's own file")
        assert why["ben.JPG"][0] == "skipped" and why["ben.JPG"][1].startswith("not graded: an image is not read")
        assert rows["dee.yaml"]["status"] == "graded"
        attention = {r["file"]: r for r in csv.DictReader((out / "needs-attention.csv").open(encoding="utf-8"))}
        assert attention["ann.pdf"]["detail"] == why["ann.pdf"][1] and "ben.JPG" in attention
        if problem is None:
            assert why["cal.md"] == ("skipped", "a written solution, graded only when the problem is given "
                                                "(--problem): a write-up does not say which problem it answers")
            assert why["notes.txt"] == ("skipped", "not a submission file (expected .yaml/.yml)")
        else:
            assert rows["cal.md"]["status"] == "graded" and rows["notes.txt"]["status"] == "graded"


def test_gradescope_says_a_pdf_is_not_read(tmp_path):
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "source").mkdir()
    shutil.copy(ROOT / "problems" / "exercise6.yaml", root / "source" / "problem.yaml")
    (root / "submission" / "homework.pdf").write_bytes(PDF)
    main(["gradescope", "--root", str(root)])
    res = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert "a PDF is not read: only text is" in res["output"]
    assert "your write-up's own file (.md, .tex, .ipynb, .docx or .odt)" in res["output"]


def test_a_document_one_step_from_a_readable_one_says_which_step():
    from grader.submission.kinds import unread_kind

    assert unread_kind("essay.rtf").endswith("grade it by hand, or ask for it saved as a Word document (.docx)")
    assert unread_kind("essay.odt") is None  # (read: test_writeup_odt.py)
    assert unread_kind("old.DOC").startswith("an old Word file (.doc) is not read")
    assert unread_kind("scan.pdf").endswith("grade it by hand, or ask for the write-up's own file")
    assert unread_kind("answers.yaml") is None and unread_kind("hw.docx") is None


def test_a_pdf_beside_a_graded_file_of_the_same_student_says_so(tmp_path):
    """A course that asks for the notebook and its PDF: the PDF is listed, and says that the student's work is graded
    from the other file (a TA need not grade it by hand); a PDF alone says nothing of the kind."""
    import json as _json

    src = tmp_path / "in"
    src.mkdir()
    nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": "$z_1 = -7.65$"}], "metadata": {},
          "nbformat": 4, "nbformat_minor": 5}
    (src / "parkjane_12345_67890_hw3.ipynb").write_text(_json.dumps(nb), encoding="utf-8")
    (src / "parkjane_12345_67891_hw3.pdf").write_bytes(PDF)
    (src / "leeben_23456_67892_hw3.pdf").write_bytes(PDF)
    out = tmp_path / "out"
    grade_batch(src, out, problem="exercise6", lms="canvas", jobs=1, progress=False, timestamp="2026-01-01T00:00:00Z")
    attention = {r["file"]: r for r in csv.DictReader((out / "needs-attention.csv").open(encoding="utf-8"))}
    assert attention["parkjane_12345_67891_hw3.pdf"]["detail"].endswith(
        "(this student's parkjane_12345_67890_hw3.ipynb is graded)")
    assert "is graded)" not in attention["leeben_23456_67892_hw3.pdf"]["detail"]
    assert "parkjane_12345_67890_hw3.ipynb" not in attention  # (graded, in the gradebooks)
