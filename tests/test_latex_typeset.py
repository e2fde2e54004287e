"""Typeset forms that say nothing about a value (``grader.parse.typeset``, and the font switches the lexer drops):
a power of ten typed as text (``1.18\\text{e-}6``), the evaluation bar of a derivative
(``\\left.\\frac{\\partial E}{\\partial w_5}\\right|_{w_5=40}``), a colour switch (``\\color{blue} 0.6191``) and an
old font switch (``{\\bf 0.5933}``). Before, each made the row unreadable or, for ``1.18\\mathrm{e}{-6}``, read a
product with Euler's number (1.18·e·(−6) = −19.2) and marked a right h2 wrong. The right values are computed here
from the givens of Exercise 6 (textbook formulas)."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from grader.grade.pipeline import Grader
from grader.parse.latex import Unreadable, evaluate, read_math
from grader.parse.typeset import plain_marks

Z1 = -15 * 0.8 + 20 * 0.2 + 0.35
Z2 = -25 * 0.8 + 30 * 0.2 + 0.35
H1 = 1 / (1 + math.exp(-Z1))
H2 = 1 / (1 + math.exp(-Z2))
O1_NET = 40 * H1 + 45 * H2 + 0.6


@pytest.mark.parametrize("text, value", [
    (r"1.18\text{e-}6", "1.18e-6"), (r"1.18\mathrm{e}{-6}", "1.18e-6"), (r"1.18 \text{E-6}", "1.18e-6"),
    (r"1.18\text{e}-6", "1.18e-6"), (r"1.2\text{e}{+3}", "1.2e3"), (r"1.18\textrm{e-6}", "1.18e-6"),
    (r"-4.758\text{e}{\minus 4}".replace(r"\minus ", "\u2212"), "-4.758e-4"),
])
def test_a_power_of_ten_typed_as_text_is_scientific_notation(text, value):
    node = read_math(text)
    assert not isinstance(node, Unreadable), node
    assert evaluate(node) == Fraction(value)


def test_an_upright_e_with_a_sign_after_it_stays_eulers_number_and_what_follows_is_kept():
    assert float(evaluate(read_math(r"2\mathrm{e}-1"))) == pytest.approx(2 * math.e - 1)
    assert float(evaluate(read_math(r"2\mathrm{e}"))) == pytest.approx(2 * math.e)
    assert plain_marks(r"1.18\text{e-6} 5").split() == ["1.18e-6", "5"]  # the 5 after it is no exponent


@pytest.mark.parametrize("text", [
    r"\left.\frac{\partial E}{\partial w_5}\right|_{w_5=40}", r"\frac{\partial E}{\partial w_5}\Big|_{w_{5} = 40}",
    r"\frac{\partial E}{\partial w_5} \bigg\rvert_{w_5=40}", r"\frac{\partial E}{\partial w_5}|_{w_5 = 40, w_6 = 45}",
])
def test_the_evaluation_bar_of_a_derivative_is_dropped(text):
    assert read_math(text) == read_math(r"\frac{\partial E}{\partial w_5}")


def test_a_bar_without_a_point_is_not_an_evaluation_bar():
    assert isinstance(read_math(r"|x|_{2}"), Unreadable)


@pytest.mark.parametrize("text", [r"{\bf 0.5933}", r"{\it 0.5933}", r"\bf 0.5933", r"{\rm 0.5933}",
                                  r"\color{blue} 0.5933", r"\color[rgb]{0,0,1} 0.5933", r"{\color{red} 0.5933}"])
def test_a_font_or_colour_switch_is_dropped(text):
    assert evaluate(read_math(text)) == Fraction("0.5933")


def test_a_colour_switch_before_an_operator_colours_nothing_of_the_sum():
    assert read_math(r"a \color{red} + b") == read_math("a + b")
    assert read_math(r"{\bf w_5}") == read_math("w_5")


def test_positions_are_kept_so_an_error_points_where_the_student_wrote_it():
    for text in [r"1.18\text{e-}6 + ?", r"\left.\frac{\partial E}{\partial w_5}\right|_{w_5=40} ?",
                 r"\color{blue} 0.6 ?"]:
        assert len(plain_marks(text)) == len(text)
        node = read_math(text)
        assert isinstance(node, Unreadable) and f"position {text.index('?') + 1}" in node.reason, node


def graded(tmp_path, rows: list[str], suffix: str = "md"):
    path = tmp_path / f"work.{suffix}"
    path.write_text("# Exercise 6\n\n" + "\n\n".join(rows) + "\n", encoding="utf-8")
    return Grader(problem="exercise6").grade_file(path)


def test_a_writeup_with_these_forms_grades_its_right_values_right(tmp_path):
    result = graded(tmp_path, [
        f"$h_1 = {{\\bf {H1:.4g}}}$", f"$h_2 = {H2 / 1e-6:.3f}\\mathrm{{e}}{{-6}}$",
        f"$z_3 = \\color{{blue}} {O1_NET:.4f}$", f"$z_2 = {Z2:.2f}\\text{{ (exact)}}$",
    ])
    for q, true in (("h1", H1), ("h2", H2), ("z3", O1_NET), ("z2", Z2)):
        f = result.field(q)
        assert f.verdict == "correct" and f.given == pytest.approx(true, rel=1e-3), (q, f)
    assert result.unattributed == ()


def test_the_report_quotes_a_step_with_its_switch_as_the_student_wrote_it(tmp_path):
    """The switch makes no token, so a step's quote that began at its first token left it out ("z_3 = 0.6191")."""
    result = graded(tmp_path, [f"$z_3 = \\color{{blue}} {O1_NET:.4f}$", f"$z_2 \\approx \\quad {Z2:.2f}$"])
    assert result.field("z3").source_text == f"z_3 = \\color{{blue}} {O1_NET:.4f}"
    assert result.field("z2").source_text == f"z_2 ≈ \\quad {Z2:.2f}"  # (the relation shown as a sign)
