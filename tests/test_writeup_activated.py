"""A left-hand side that is a unit's activation function of its net input, ``\\sigma(z_1) = 0.000476``, names that
unit's output (``grader.submission.activated``). Before, it was "not the name of a quantity" and the answer
missing. Values from the textbook formulas: Exercise 6's sigmoid units (``tests/ex6_textbook.py``), and tanh of the
net inputs 0.6 and -0.5 of ``tanh_relu``'s hidden units (given in its problem file)."""

from __future__ import annotations

import math
from pathlib import Path

from grader.grade.pipeline import Grader
from tests.ex6_textbook import H1, H2, O1, O2


def graded(tmp_path: Path, body: str, problem: str = "exercise6"):
    path = tmp_path / "work.md"
    path.write_text("# Work\n\n" + body + "\n", encoding="utf-8")
    return Grader(problem=problem).grade_file(path)


def test_the_activation_of_a_net_input_names_the_units_output(tmp_path):
    result = graded(tmp_path, f"$\\sigma(z_1) = \\sigma(-7.65) = {H1!r}$\n\n$\\text{{sigmoid}}(z_2) = {H2!r}$\n\n"
                              f"$f(z_3) = {O1!r}$\n\n$\\phi(z_4) = {O2!r}$")
    for q in ("h1", "h2", "o1", "o2"):
        assert result.field(q).verdict == "correct", result.field(q)


def test_only_the_units_own_function_or_a_generic_one(tmp_path):
    net_h1 = 0.6
    result = graded(tmp_path, f"$\\tanh(net_{{h1}}) = {math.tanh(net_h1)!r}$\n\n$\\sigma(net_{{h2}}) = 0.3775$",
                    problem="tanh_relu")
    assert result.field("h1").verdict == "correct"
    assert result.field("h2").verdict == "missing"  # σ of a tanh unit is no name of its output


def test_a_derivative_is_never_the_output(tmp_path):
    result = graded(tmp_path, f"$\\sigma'(z_1) = {H1 * (1 - H1)!r}$\n\n$f'(z_3) = 0.2275$")
    assert result.field("h1").verdict == "missing" and result.field("o1").verdict == "missing"
