"""An aside in brackets or after a dash, after an equation typed as plain text: ``z3 = 0.619 (net input to o1)``.
Before, the equation was cut where the aside's words begin and kept its opening bracket (``z3 = 0.619 (``), so it was
not read, and right work was marked missing. Values from the textbook formulas in mpmath (``tests/textbook.py``)."""

from __future__ import annotations

import pytest

from grader.grade.pipeline import Grader
from textbook import EX6, sig, textbook

V = textbook(EX6)
Z3, Z4 = sig(V["z3"], 4), sig(V["z4"], 4)


def verdicts(tmp_path, text: str) -> dict[str, str]:
    path = tmp_path / "work.md"
    path.write_text(text + "\n", encoding="utf-8")
    result = Grader(problem="exercise6").grade_file(path)
    return {f.quantity: f.verdict for f in result.fields if f.verdict != "missing"}


@pytest.mark.parametrize("line", [
    f"z3 = {Z3} (net input to o1)",
    f"z3 = {Z3} (from above)",
    f"z3 = {Z3} [net input]",
    f"z3 = {Z3} -- net input of o1",
    f"z3 = {Z3} — the net input",
    f"So z3 = {Z3} (net input to o1).",  # inside a sentence
])
def test_an_aside_after_the_value_leaves_the_equation_read(tmp_path, line):
    assert verdicts(tmp_path, line) == {"z3": "correct"}


def test_an_equation_after_the_aside_is_read_too(tmp_path):
    assert verdicts(tmp_path, f"z3 = {Z3} (net input to o1); z4 = {Z4}") == {"z3": "correct", "z4": "correct"}
    assert verdicts(tmp_path, f"We get z3 = {Z3} [net input] and z4 = {Z4}.") == {"z3": "correct", "z4": "correct"}


@pytest.mark.parametrize("line", [
    "z3 = w5 h1 + w6 h2 + (bias term)",  # not z3 = w5 h1 + w6 h2, a formula without its bias (a wrong formula)
    f"z3 = {Z3} - bias",  # a minus is arithmetic, never a dash: not z3 = {Z3}
])
def test_a_formula_cut_by_words_stays_unread(tmp_path, line):
    assert verdicts(tmp_path, line) == {}


Z2 = sig(V["z2"], 6)


@pytest.mark.parametrize("line", [f"z2 = {Z2}    (2)", f"z2 = {Z2}\t[2]", f"z2 = {Z2} (eq. 2)", f"z2 = {Z2} (Step 2)",
                                  f"$z_2 = {Z2} \\quad (2)$", f"$$z_2 = {Z2} \\qquad (12)$$",
                                  f"$z_2 = {Z2} \\qquad (\\text{{eq. }} 2)$", f"$z_2 = {Z2} \\hfill [3]$"])
def test_an_equations_number_after_the_value_is_no_factor(tmp_path, line):
    """Students number their equations: ``z2 = -13.65    (2)``, ``\\quad (2)``. Before, read as the product -13.65·2,
    marked wrong with "a slip in the arithmetic"."""
    assert verdicts(tmp_path, line) == {"z2": "correct"}


def test_a_number_in_brackets_one_blank_after_the_value_is_still_a_product(tmp_path):
    assert verdicts(tmp_path, f"z2 = {Z2} (2)") == {"z2": "incorrect"}
    assert verdicts(tmp_path, "z2 = (-25)(0.8) + (30)(0.2) + 0.35") == {"z2": "correct"}


H1 = sig(V["h1"], 6)


@pytest.mark.parametrize("text", [f"### z2\n\n{Z2}", f"**z2**\n{Z2}", f"z2:\n{Z2}", f"z2\n= {Z2}",
                                  f"z2\n\n= (-25)(0.8) + 30(0.2) + 0.35 = {Z2}", f"- z2:\n  **{Z2}**"])
def test_a_name_alone_on_its_line_with_the_value_below_is_that_names_equation(tmp_path, text):
    """``z2:`` then ``-13.65`` on the next line, a heading ``### z2`` over its value: before, not read."""
    assert verdicts(tmp_path, text) == {"z2": "correct"}


def test_a_continuation_under_a_name_alone_never_continues_the_equation_before_it(tmp_path):
    """``h1 = 0.000476``, then ``z2`` alone and ``= -13.65`` under it: before, the ``= -13.65`` continued h1's
    equation, so h1 got z2's value and was marked wrong."""
    assert verdicts(tmp_path, f"h1 = {H1}\n\nz2\n= {Z2}") == {"h1": "correct", "z2": "correct"}


@pytest.mark.parametrize("text", [f"### z2\n\n{Z2} is what the first step gives", "### Forward pass\n\n-13.65",
                                  f"z2\n\nsome words\n\n{Z2}", f"z2\n\n\n\n{Z2}"])
def test_a_value_that_is_not_alone_right_under_a_name_is_not_given_to_it(tmp_path, text):
    assert verdicts(tmp_path, text) == {}


@pytest.mark.parametrize("name, below", [("$$z_2$$", f"$$= {Z2}$$"), ("z2", f"$$= {Z2}$$"),
                                         ("$$z_2$$", f"$$= (-25)(0.8) + 30(0.2) + 0.35 = {Z2}$$")])
def test_in_math_too_a_continuation_under_a_name_alone_is_that_names_equation(tmp_path, name, below):
    assert verdicts(tmp_path, f"$h_1 = {H1}$\n\n{name}\n{below}") == {"h1": "correct", "z2": "correct"}


def test_an_inline_name_in_prose_begins_no_equation(tmp_path):
    """A continuation after prose that mentions ``$h_1$`` still continues the equation before it (the seed's style)."""
    text = f"$$z_2 = (-25)(0.8) + 30(0.2) + 0.35$$\n\nwhere $h_1$ is not used yet\n\n$$= {Z2}$$"
    assert verdicts(tmp_path, text) == {"z2": "correct"}


Z1 = sig(V["z1"], 6)


@pytest.mark.parametrize("line", [f"z1 = {Z1} | z2 = {Z2}", f"z1 = {Z1} & z2 = {Z2}", f"z1: {Z1}, z2: {Z2}",
                                  f"z1: {Z1}; z2: {Z2}", f"z1: {Z1.replace('.', ',')}; z2: {Z2.replace('.', ',')}"])
def test_two_equations_on_a_line_joined_by_a_bar_or_as_pairs_are_two(tmp_path, line):
    """``z1 = -7.65 | z2 = -13.65``: before, one chain, and z1 got z2's value (marked wrong). ``z1: -7.65, z2:
    -13.65``: before, not read."""
    assert verdicts(tmp_path, line) == {"z1": "correct", "z2": "correct"}


def test_pairs_with_one_that_is_no_quantity_are_read_as_before(tmp_path):
    assert verdicts(tmp_path, f"z1: {Z1}, note: 3") == {}
