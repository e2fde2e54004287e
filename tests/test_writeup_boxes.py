"""A boxed equation, ``\\boxed{\\delta_{o_2} = 0.125192}`` or ``\\fbox{$h_1 = 0.000475818$}``, as students mark their
final answers. Before, the row's only relation was inside the box, so the row was no equation and was dropped
without a word (the answer "missing"); a box around a value alone (``= \\boxed{0.125}``) was already read. Values
from the textbook formulas of Exercise 6's network (``tests/ex6_textbook.py``)."""

from __future__ import annotations

from pathlib import Path

from grader.grade.pipeline import Grader
from grader.submission.mathrow import MAX_BOXES, row
from tests.ex6_textbook import D_O2, H1, O1


def test_a_boxed_equation_is_read(tmp_path):
    path = tmp_path / "work.md"
    path.write_text(f"# Exercise 6\n\n$\\boxed{{\\delta_{{o_2}} = {D_O2!r}}}$\n\n$$\\fbox{{$h_1 = {H1!r}$}}$$\n\n"
                    f"$$o_1 = \\sigma(z_3) \\Rightarrow \\boxed{{o_1 \\approx {O1:.8f}}}$$\n", encoding="utf-8")
    result = Grader(problem="exercise6").grade_file(path)
    for q in ("delta_o2", "h1", "o1"):
        assert result.field(q).verdict == "correct", result.field(q)


def test_what_is_not_a_boxed_equation_stays():
    assert row(r"z_1 = \boxed{-7.65}", 1, True).text == r"z_1 = \boxed{-7.65}"  # a value: the LaTeX reader's
    assert row(r"\boxed{z_1 = -7.65", 1, True).text == r"\boxed{z_1 = -7.65"  # never closed
    many = " ".join(r"\boxed{x = 1}" for _ in range(MAX_BOXES + 4))
    assert row(many, 1, True).text.count(r"\boxed") == 4  # the first MAX_BOXES opened, the rest as written
