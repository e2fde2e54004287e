"""Markdown's own marks in equations typed as plain text: emphasis around a value or a name (``o1 = **0.6500**``,
``*z1* = -7.65``) and a line break typed as HTML (``z1 = -7.65<br>z2 = -13.65``). Before, a value set in bold could
not be read (right work marked missing), and ``<br>`` joined two equations into one, so z1 was read as z2's value
and marked wrong. A star between factors stays a times. Values from the textbook formulas in mpmath
(``tests/textbook.py``)."""

from __future__ import annotations

import pytest

from grader.grade.pipeline import Grader
from grader.submission.plaintext import unemphasized
from grader.submission.writeupfile import html_marks
from textbook import EX6, sig, textbook

V = textbook(EX6)
Z1, Z2, O1 = sig(V["z1"], 6), sig(V["z2"], 6), sig(V["o1"], 4)
z1, z2 = float(Z1), float(Z2)


def read(tmp_path, text: str) -> dict[str, tuple[str, float]]:
    path = tmp_path / "work.md"
    path.write_text(text + "\n", encoding="utf-8")
    result = Grader(problem="exercise6").grade_file(path)
    return {f.quantity: (f.verdict, float(f.given)) for f in result.fields if f.verdict != "missing"}


@pytest.mark.parametrize("line", [f"z1 = **{Z1}**", f"z1 = *{Z1}*", f"*z1* = {Z1}", f"__z1__ = {Z1}",
                                  f"- **z1** = **{Z1}**", f"z1 = w1 i1 + w2 i2 + b1 = **{Z1}**"])
def test_emphasis_around_a_value_or_a_name_is_markdown_not_math(tmp_path, line):
    assert read(tmp_path, line) == {"z1": ("correct", z1)}


def test_a_bold_final_answer_after_its_work_is_read(tmp_path):
    assert read(tmp_path, f"o1 = σ(0.6191) = **{O1}**")["o1"][0] == "correct"


@pytest.mark.parametrize("text", ["z3 = 40*h1*w", "E = (t-o)*(t-o)*0.5", "h = 1.18*10**-6", "* z1 = 2*3",
                                  "delta_o1_new = 3", "w_{5} = 2", "a = 2 * b * c"])
def test_a_star_or_underscore_that_is_not_emphasis_stays(text):
    assert unemphasized(text) == text


@pytest.mark.parametrize("br", ["<br>", "<BR/>", "<br />"])
def test_a_line_break_typed_as_html_separates_two_equations(tmp_path, br):
    assert read(tmp_path, f"z1 = {Z1}{br}z2 = {Z2}") == {"z1": ("correct", z1), "z2": ("correct", z2)}
    assert read(tmp_path, f"$z_1 = {Z1}$ {br} $z_2 = {Z2}$") == {"z1": ("correct", z1), "z2": ("correct", z2)}


def test_a_line_break_inside_a_table_row_is_left_to_the_table():
    row = "| z1 | -7.65<br>(rounded) |"
    assert html_marks(f"{row}\nz1 = 1<br>z2 = 2") == f"{row}\nz1 = 1; z2 = 2"
