"""Two equations on one row with only spaces between them, ``o1 = 0.650011   o2 = 0.651095``
(``grader.submission.sidebyside``). Before, the row was one chain with a product in the middle, o1 = 0.650011·o2 =
0.651095: o1 got o2's value (right only because the two outputs are within 1 % of each other) and o2 was missing;
``z1 = -7.65  z2 = -13.65`` gave z1 = -13.65, marked wrong. Values from the textbook formulas of Exercise 6's
network (``tests/ex6_textbook.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.grade.pipeline import Grader
from grader.solve.solver import solve
from grader.spec.load import load_problem
from grader.submission.writeup import writeup_submission
from tests.ex6_textbook import H1, H2, O1, O2

REPO = Path(__file__).resolve().parent.parent
Z1, Z2 = -15 * 0.8 + 20 * 0.2 + 0.35, -25 * 0.8 + 30 * 0.2 + 0.35


@pytest.fixture(scope="module")
def key():
    return solve(load_problem(REPO / "problems" / "exercise6.yaml"))


def answers_of(text: str, key) -> dict:
    sub = writeup_submission("# Exercise 6\n\n" + text + "\n", "md", "work.md", key, "exercise6")
    return {q: a.value.parsed.value for q, a in sub.answers.items()}


def test_equations_side_by_side_are_each_read(tmp_path):
    path = tmp_path / "work.md"
    path.write_text(f"# Exercise 6\n\nz1 = {Z1}  z2 = {Z2}\n\n$h_1 = {H1!r} \\; h_2 = {H2!r}$\n\n"
                    f"o1 = {O1:.6f}   o2 = {O2:.6f}   \n", encoding="utf-8")
    result = Grader(problem="exercise6").grade_file(path)
    for q in ("z1", "z2", "h1", "h2", "o1", "o2"):
        assert result.field(q).verdict == "correct", result.field(q)
    assert not result.flags


def test_a_product_that_gives_the_next_value_stays_a_product(key):
    read = answers_of(f"$z_3 = 40 h_1 = {40 * H1:.10f}$", key)  # 40·h1 is 0.019: the step it says
    assert read == {"z3": pytest.approx(40 * H1, rel=1e-5)}
    read = answers_of(f"$z_3 = 0.5 z_3 = {O1:.6f}$", key)  # its own name: never two equations
    assert set(read) == {"z3"}


def test_a_product_that_gives_the_next_value_with_the_students_own_value_stays_a_product(key):
    """``z_3 = 40 h_1 = 0.04`` after the student's own (wrong) ``h_1 = 0.001``: 40 × 0.001 is the value after it, so
    the step is the product, not two equations (which would give h1 a second value and z3 the value 40)."""
    read = answers_of("$h_1 = 0.001$\n\n$z_3 = 40 h_1 = 0.04$", key)
    assert read == {"h1": pytest.approx(0.001), "z3": pytest.approx(0.04)}


def test_values_beyond_the_float_range_are_no_products(key):
    """Found by the limits tests before committing: a value of 1e999 elsewhere, or in the row, was turned into a
    float to test the product (an internal error, OverflowError)."""
    text = "# Ex 6\n\n$h_1 = 1e999$\n\n$z_3 = 40 h_1 = 0.04$\n\n$o_1 = 1e999 o_2 = 0.65$\n\n$o_2 = 1e-999 h_2 = 1$\n"
    sub = writeup_submission(text, "md", "work.md", key, "exercise6")
    assert {"h1", "z3", "o1"} <= set(sub.answers)


def test_two_equations_with_a_slash_between_them_are_two(key):
    """``z1 = -7.65 / z2 = -13.65``: before, the quotient -7.65/z2, and z1 got z2's value (marked wrong). A quotient
    that gives the value after it stays the quotient it says; a zero value of the name is no quotient."""
    assert answers_of(f"z1 = {Z1} / z2 = {Z2}", key) == {"z1": pytest.approx(Z1), "z2": pytest.approx(Z2)}
    read = answers_of(f"z3 = {40 * H1:.8f} / h1 = 40", key)  # 0.019/h1 is 40: the step it says
    assert read == {"z3": pytest.approx(40)}
    read = answers_of("$h_1 = 0$\n\n$z_3 = 2 / h_1 = 5$", key)  # (the student's own h1 is 0: never divided by)
    assert read["h1"] == 0 and set(read) == {"h1", "z3"}
