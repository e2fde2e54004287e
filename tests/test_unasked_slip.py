"""A slip in a step that is not asked on its own (Exercise 6 asks the deltas and the new weights, not the gradients)
is charged at the asked answer that rests on it, never carried as if it had been charged elsewhere. Before, an
update that followed from a wrong gradient the student wrote was "carried" with full points, though the gradient
was graded nowhere: ``∂E/∂w5 = δ_o1·h_1 = -2.70606e-4`` (a power-of-ten slip) then ``w5_new = 40 - 0.3·(-2.70606e-4)``
scored 1/1. An error in an unasked step that follows from the student's own wrong (asked) values is still carried.
Every expected value here is computed from the textbook formulas of the network (sigmoid units, squared error)."""

from __future__ import annotations

import pytest

from grader.grade.pipeline import Grader
from tests.ex6_textbook import D_H2, D_O1, GRAD_W4, GRAD_W5, H1


def yaml_graded(answers: str, reveal: str | None = None):
    text = f"problem: exercise6\nanswers:\n{answers}"
    return Grader(problem="exercise6", reveal=reveal).grade_text(text, "work.yaml")


def test_an_update_from_a_gradient_that_does_not_follow_from_the_students_values_is_incorrect():
    result = yaml_graded(f"  delta_h2: {D_H2!r}\n  w4_new: {{value: {30 - 0.3 * 0.0015!r}, using: {{grad_w4: 0.0015}}}}\n")
    w4 = result.field("w4_new")
    assert (w4.verdict, w4.points) == ("incorrect", 0.0)
    assert "your grad_w4 = 0.0015" in w4.message and "not asked on its own" in w4.message
    assert f"{GRAD_W4:.5e}"[:6] in w4.message  # what their own delta_h2 and i2 give for grad_w4
    assert w4.diagnosis is None  # 0.0015 against 1.02e-6: no slip the numbers show (no power of ten, no sign)
    assert result.field("delta_h2").verdict == "correct"


def test_a_power_of_ten_slip_in_a_written_gradient_is_named_and_charged_at_the_update(tmp_path):
    wrong = GRAD_W5 * 10
    path = tmp_path / "work.md"
    path.write_text(
        "# Exercise 6\n\n"
        f"$\\delta_{{o_1}} = {D_O1:.8f}$\n\n$h_1 = {H1:.10f}$\n\n"
        f"$\\frac{{\\partial E}}{{\\partial w_5}} = \\delta_{{o_1}} h_1 = ({D_O1:.8f}) \\cdot {H1:.10f} = {wrong:.6e}$\n\n"
        f"$w_5^{{+}} = w_5 - \\eta \\frac{{\\partial E}}{{\\partial w_5}} = 40 - 0.3 \\cdot ({wrong:.6e}) = "
        f"{40 - 0.3 * wrong:.10f}$\n", encoding="utf-8")
    result = Grader(problem="exercise6").grade_file(path)
    w5 = result.field("w5_new")
    assert (w5.verdict, w5.points) == ("incorrect", 0.0), w5
    assert w5.diagnosis.id == "power_of_ten" and "your grad_w5 is 10 times" in w5.diagnosis.text
    assert result.field("delta_o1").verdict == "correct" and result.field("h1").verdict == "correct"


def test_a_gradient_that_follows_from_the_students_own_wrong_delta_still_carries_the_error():
    delta = -0.06  # wrong, and charged at delta_o1
    grad = delta * H1
    result = yaml_graded(f"  delta_o1: {delta}\n  h1: {H1!r}\n"
                         f"  w5_new: {{value: {40 - 0.3 * grad!r}, using: {{grad_w5: {grad!r}}}}}\n")
    assert result.field("delta_o1").verdict == "incorrect"
    w5 = result.field("w5_new")
    assert (w5.verdict, w5.points) == ("carried", 1.0), w5


def test_a_right_gradient_gives_a_right_update():
    result = yaml_graded(f"  w5_new: {{value: {40 - 0.3 * GRAD_W5!r}, using: {{grad_w5: {GRAD_W5!r}}}}}\n")
    assert result.field("w5_new").verdict == "correct"


def test_exam_mode_says_where_the_slip_is_without_what_the_values_give():
    result = yaml_graded(f"  delta_h2: {D_H2!r}\n  w4_new: {{value: {30 - 0.3 * 0.0015!r}, using: {{grad_w4: 0.0015}}}}\n",
                         reveal="never")
    assert result.reveal is False
    w4 = result.field("w4_new")
    assert w4.verdict == "incorrect" and "not asked on its own" in w4.message
    assert "1.02" not in w4.message and "e-6" not in w4.message
