"""An asked quantity's formula with a name the problem does not know (``h_2 = x \\cdot 10^2``, ``h_1 =
\\sigma(q)``) is listed among the lines not read when that quantity gets no value elsewhere. Before, it was dropped
without a word and the quantity was only "missing". A formula of the problem's own names, the chain rule's factors
and a general formula of a quantity not asked stay unlisted. Z2 = w3 i1 + w4 i2 + b1, from the givens."""

from __future__ import annotations

from grader.grade.pipeline import Grader

Z2 = -25 * 0.8 + 30 * 0.2 + 0.35


def graded(tmp_path, rows: list[str], suffix: str = "md"):
    path = tmp_path / f"work.{suffix}"
    path.write_text("# Exercise 6\n\n" + "\n\n".join(rows) + "\n", encoding="utf-8")
    return Grader(problem="exercise6").grade_file(path)


def test_a_formula_with_a_name_the_problem_does_not_know_is_listed_when_its_quantity_gets_no_value(tmp_path):
    """Before, ``z_2 = x \\cdot 10^2`` was dropped without a word and z2 was only "missing"."""
    result = graded(tmp_path, [r"$z_2 = x \cdot 10^2$", r"$h_1 = \sigma(q)$", "h2 = foo * 3"], suffix="md")
    listed = {where: reason for where, _, reason in result.unattributed}
    assert result.field("z2").verdict == "missing"
    assert listed == {"line 3": "no value; x is not a quantity of this problem",
                      "line 5": "no value; q is not a quantity of this problem",
                      "line 7": "no value; foo is not a quantity of this problem"}


def test_a_formula_is_not_listed_when_its_names_are_known_or_its_quantity_has_a_value(tmp_path):
    result = graded(tmp_path, [
        r"$z_1 = w_1 i_1 + w_2 i_2 + b_1$",  # the problem's own names: a formula stated
        r"$z_2 = \text{net} \cdot x$", f"$z_2 = {Z2:.2f}$",  # a value for z2 on another line
        r"$\frac{\partial E}{\partial w_5} = \frac{\partial E}{\partial o_1} \frac{\partial o_1}{\partial z_3}"
        r" \frac{\partial z_3}{\partial w_5}$",  # the chain rule's factors are steps, not unknown quantities
        r"$E = \frac{1}{2} (t - o)^2$",  # the loss is not asked: its general formula says nothing wrong
    ])
    assert result.field("z2").verdict == "correct"
    assert result.unattributed == (), result.unattributed
