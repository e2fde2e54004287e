"""A Markdown write-up without a ``# 400222100 — Name`` heading names its student on ``Name:`` / ``Student ID:``
lines near the top, as students write them (``Name: Lena Park, ID 20231234``). The name is only a claim, as a
heading is: in a batch the LMS's student is graded and the claim is a warning when it differs. Prose, numbers
and formulas after ``Name:`` name no one."""

from __future__ import annotations

import pytest

from grader.grade.pipeline import Grader
from grader.submission.student import HEAD_CHARS, labelled_student, titled_student
from test_writeup_identity import ANN, BEN, answers, batch, claim_warning, markdown


@pytest.mark.parametrize("text, sid, name", [
    ("Name: Lena Park, ID 20231234\n", "20231234", "Lena Park"),
    ("**Name:** Lena Park  \n**Student ID:** 20231234\n", "20231234", "Lena Park"),
    ("# Homework 3\n\n- Student name: Émile Zola-Dupont (ID 4567)\n", "4567", "Émile Zola-Dupont"),
    ("Author: Lena Park 20231234\n", "20231234", "Lena Park"),
    ("Name: Lena Park\n\nMatriculation no. 99999\n", "99999", "Lena Park"),
    ("Student ID: 20231234\n\nThe forward pass:\n", "20231234", None),
    ("Full name: Ana María O'Neil; matr. 123456\n", "123456", "Ana María O'Neil"),
])
def test_name_and_id_lines_are_read(text, sid, name):
    student = labelled_student(text)
    assert (student.id, student.name) == (sid, name)
    assert student.claimed_in == "in its Name/ID lines"


@pytest.mark.parametrize("text", [
    "Name: Homework 3\n",  # a digit: not a name
    "The name: sigmoid, id 1234 of the layer\n",  # not at the start of a line
    "Name: $\\sigma$ and friends\n",  # a formula
    "Name: " + "a " * 90 + "\n",  # more words than a name has
    "Name: 1234 5678\n",
    "Name: x\n",  # one letter
    "Some prose.\n",
])
def test_other_lines_name_no_one(text):
    student = labelled_student(text)
    assert (student.id, student.name) == (None, None)


def test_only_the_top_of_the_text_is_looked_at():
    far = "x" * HEAD_CHARS + "\nName: Lena Park, ID 20231234\n"
    assert labelled_student(far).to_dict() == {"id": None, "name": None}


def test_a_graded_writeup_names_its_student_and_a_heading_comes_first():
    values = answers(ANN)
    text = "Name: Ann Lee, ID 2001\n\n" + markdown(values, None)
    result = Grader(problem="exercise6_random").grade_writeup(text, "md", "ann.md")
    assert (result.student.id, result.student.name) == (ANN, "Ann Lee")
    assert result.score == result.max_score  # graded against Ann's own variant, read from the id line
    headed = markdown(values, f"{ANN} — Ann Lee").replace("# ", "Name: Someone Else\n\n# ", 1)
    result = Grader(problem="exercise6_random").grade_writeup(headed, "md", "ann.md")
    assert (result.student.id, result.student.name) == (ANN, "Ann Lee")


def test_in_a_batch_the_name_line_is_a_claim_the_lms_name_overrides(tmp_path):
    """Ann (Canvas user 2001) hands in Ben's write-up whose first line reads "Name: Ben Brown, ID 2002": graded
    against Ann's values, with the warning a heading would give."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "leeann_2001_7001_hw.md").write_text("Name: Ben Brown, ID 2002\n\n" + markdown(answers(BEN), None),
                                                encoding="utf-8")
    rows = batch(src, tmp_path / "out", "--lms", "canvas")
    ann = rows["leeann_2001_7001_hw.md"]
    assert ann["status"] == "graded" and ann["student"]["id"] == ANN
    assert ann["score"] < ann["max_score"] / 2
    assert claim_warning(ann["warnings"], BEN, ANN), ann["warnings"]
    assert any("in its Name/ID lines" in w for w in ann["warnings"]), ann["warnings"]


@pytest.mark.parametrize("text, sid, name", [
    ("# HW 4 — Jo Kim, 400555666\n\nz1 = -7.65\n", "400555666", "Jo Kim"),
    ("Exercise 6 — Ana Ruiz, 400222333\n", "400222333", "Ana Ruiz"),  # the first line, no heading mark
    ("## Homework 4 | Jo Kim | ID 400555666\n", "400555666", "Jo Kim"),
    ("Jo Kim (400555666)\n", "400555666", "Jo Kim"),
    ("# Exercise 6\n\nAna Ruiz, 400222333\n\nz1 = -7.65\n", "400222333", "Ana Ruiz"),  # a line under the title
    ("Some words first.\n\n# Lab 2 - Maria de la Cruz - 1234567\n", "1234567", "Maria de la Cruz"),
])
def test_a_title_line_with_a_name_and_an_id(tmp_path, text, sid, name):
    student = titled_student(text)
    assert (student.id, student.name, student.claimed_in) == (sid, name, "in its title line")
    path = tmp_path / "work.md"
    path.write_text(text, encoding="utf-8")
    graded = Grader(problem="exercise6").grade_file(path).student
    assert (graded.id, graded.name) == (sid, name)


@pytest.mark.parametrize("text", [
    "# Homework 3, 20231\n",  # a title with a number: no name
    "# Backpropagation, 2024\n",  # one word, and a year is no id
    "# Exercise 6\n\nIntro.\n\nSome text.\n\nAna Ruiz, 400222333\n",  # not a title line: the fourth line, no heading
    "Ana, 400222333\n",  # one word: no full name
    "# Backprop Homework, 400222333\n",  # words of the assignment, not a person
    "We get z_1, 400222333\n",  # (no name: a formula's letters and digits)
    "Given the inputs, 80000\n",  # words in lower case: prose, not a name
])
def test_titles_that_name_no_one(text):
    assert titled_student(text).to_dict() == {"id": None, "name": None}


def test_a_name_line_or_an_id_heading_comes_before_a_title_line(tmp_path):
    for text, sid in (("# HW 4 — Jo Kim, 400555666\n\nName: Lena Park, ID 20231234\n", "20231234"),
                      ("# 400111222 — Ben Brown\n", "400111222")):
        path = tmp_path / "work.md"
        path.write_text(text, encoding="utf-8")
        assert Grader(problem="exercise6").grade_file(path).student.id == sid
