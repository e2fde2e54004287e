"""A chain written right to left, ending in the name it is about: ``\\sigma(-7.65) = 0.000476 = h_1``. Before, it
was not read ("the left-hand side is not the name of a quantity"), so right work was marked missing. It reads as the
name's chain in the same order, so it is graded as ``h_1 = \\sigma(-7.65) = 0.000476`` would be. Values from the
textbook formulas in mpmath (``tests/textbook.py``)."""

from __future__ import annotations

import pytest

from grader.grade.pipeline import Grader
from textbook import EX6, sig, textbook

V = textbook(EX6)
H1, Z1 = sig(V["h1"], 6), sig(V["z1"], 6)


def graded(tmp_path, text: str):
    path = tmp_path / "work.md"
    path.write_text(text + "\n", encoding="utf-8")
    return Grader(problem="exercise6").grade_file(path)


@pytest.mark.parametrize("line", [f"${H1} = h_1$", f"$\\sigma(-7.65) = {H1} = h_1$",
                                  f"$\\frac{{1}}{{1+e^{{7.65}}}} \\approx {H1} = h_1$", f"$\\sigma(z_1) = {H1} = h_1$"])
def test_a_chain_that_ends_in_its_name_is_read(tmp_path, line):
    result = graded(tmp_path, line)
    assert result.field("h1").verdict == "correct" and float(result.field("h1").given) == float(H1)
    assert not result.unattributed


def test_it_is_graded_as_the_same_chain_written_left_to_right(tmp_path):
    """A slip in the steps is found in either direction, with the same verdicts, diagnoses and flags."""
    work = "(-15)(0.8) + 20(0.2) + 0.35"
    backwards = graded(tmp_path, f"${work} = -11.65 = z_1$\n\n$0.9 = h_1$")
    forwards = graded(tmp_path, f"$z_1 = {work} = -11.65$\n\n$h_1 = 0.9$")
    assert backwards.field("z1").verdict == "incorrect"
    assert [(f.quantity, f.verdict, f.diagnosis) for f in backwards.fields] == [
        (f.quantity, f.verdict, f.diagnosis) for f in forwards.fields]
    assert backwards.flags == forwards.flags


@pytest.mark.parametrize("line", ["$1 - o_1 = 0.35$", "$w_1 i_1 + w_2 i_2 + b_1 = z_1$", "so 0.5 = h_1 here",
                                  f"$h_1 = {H1} = h_2$"])
def test_what_does_not_end_in_a_name_alone_or_starts_with_one_is_read_as_before(tmp_path, line):
    result = graded(tmp_path, line)
    assert {f.quantity for f in result.fields if f.verdict != "missing"} <= {"h1"}
    if line.startswith("$h_1"):  # a name first: that name's chain, as always
        assert result.field("h1").verdict == "correct" and result.field("h2").verdict == "missing"
