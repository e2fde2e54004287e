"""Two more ways of writing found in typed solutions: a layer's letter as a superscript, ``\\delta^{o}_{1}`` or
``\\delta_1^{o}`` (δ of output unit 1; ``net^{h}_{2}``, ``out^{h}_{1}``), and a decimal point braced as LaTeX users
brace a decimal comma, ``-7{.}65``. Before, the first could not be read at all (``^{o}`` then ``_{1}``) or was a
power, and the second stopped the whole row. A superscript that is a power stays one: ``h_1^{2}``, ``e^{x}``,
``x^{y}``. Values from the textbook formulas (``tests/textbook.py``, mpmath)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from grader.grade.pipeline import Grader
from grader.parse.latex import Call, Name, Pow, evaluate, read_math
from textbook import EX6, sig, textbook

V = textbook(EX6)


def grade_text(tmp_path, text: str):
    path = tmp_path / "work.md"
    path.write_text(text, encoding="utf-8")
    return Grader(problem="exercise6").grade_file(path)


@pytest.mark.parametrize("lhs, q", [("\\delta^{o}_{1}", "delta_o1"), ("\\delta_1^{o}", "delta_o1"),
                                    ("\\delta_{2}^h", "delta_h2"), ("net^{h}_{2}", "z2"), ("out^{h}_{1}", "h1")])
def test_a_layer_letter_as_superscript(tmp_path, lhs, q):
    result = grade_text(tmp_path, f"$${lhs} = {sig(V[q], 8)}$$\n")
    assert result.field(q).verdict == "correct", (lhs, result.field(q).verdict, result.unattributed)


def test_a_superscript_that_is_a_power_stays_one():
    assert isinstance(read_math("h_1^{2}"), Pow)
    assert evaluate(read_math("3^{2}")) == 9
    assert isinstance(read_math("x^{y}"), Pow)  # no subscript with it: a power
    assert isinstance(read_math("\\delta_{j}^{o}"), Pow)  # a letter as the subscript: no unit number, a power
    assert isinstance(read_math("e^{x}"), Call)  # e^x is exp
    assert read_math("\\delta^{o}_{1}") == Name("\\delta_{o_1}", "\\delta", "o_1", "", 0)


def test_a_braced_decimal_point(tmp_path):
    z1 = sig(V["z1"], 3).replace(".", "{.}")
    result = grade_text(tmp_path, f"$z_1 = -15 \\cdot 0.8 + 20 \\cdot 0.2 + 0.35 = {z1}$\n")
    f = result.field("z1")
    assert f.verdict == "correct" and Fraction(f.given_text) == Fraction(sig(V["z1"], 3))
    assert result.unattributed == ()
