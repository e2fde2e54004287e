"""Implication arrows and bracketed marks in write-ups, as students type them. ``z_1 = -7.65 \\Rightarrow h_1 =
0.000476`` is two equations: before, it was one chain whose last number, h1's value, was z1's answer (z1 wrong,
h1 missing, and every later field judged on a z1 of 0.000476: 0 points for right work). An arrow before a value
only (``... => 0.125``) is a step of the chain. ``w6(new) = ...`` is the updated weight: before, the ``(new)`` was
dropped as a comment and the line read as the given w6 restated. Values from the textbook formulas
(``tests/textbook.py``, mpmath)."""

from __future__ import annotations

import pytest

from grader.grade.pipeline import Grader
from grader.submission.chains import pieces
from textbook import EX6, sig, textbook

V = textbook(EX6)


def grade_text(tmp_path, text: str, suffix: str = ".md"):
    path = tmp_path / f"work{suffix}"
    path.write_text(text, encoding="utf-8")
    return Grader(problem="exercise6").grade_file(path)


@pytest.mark.parametrize("arrow", ["\\Rightarrow", "\\implies", "\\Longrightarrow", "\\rightarrow", "⇒", "→", "⟹"])
def test_an_arrow_between_two_equations_makes_two(tmp_path, arrow):
    text = f"$z_1 = {sig(V['z1'], 6)} {arrow} h_1 = \\sigma(z_1) = {sig(V['h1'], 6)}$\n"
    result = grade_text(tmp_path, text)
    for q in ("z1", "h1"):
        assert result.field(q).verdict == "correct", (arrow, q, result.field(q).verdict, result.field(q).given)
    assert result.unattributed == ()


@pytest.mark.parametrize("arrow", ["=>", "->", "⇒"])
def test_plain_text_arrows(tmp_path, arrow):
    text = (f"z1 = -15*0.8 + 20*0.2 + 0.35 = {sig(V['z1'], 6)} {arrow} h1 = {sig(V['h1'], 6)}\n"
            f"delta_o2 = ({sig(V['o2'], 6)} - 0.1) * {sig(V['o2'], 6)} * (1 - {sig(V['o2'], 6)}) {arrow} "
            f"{sig(V['delta_o2'], 6)}\n")
    result = grade_text(tmp_path, text, ".txt")
    for q in ("z1", "h1", "delta_o2"):
        assert result.field(q).verdict == "correct", (arrow, q, result.field(q).verdict)
    assert result.field("delta_o2").given_text == sig(V["delta_o2"], 6)  # the value after the arrow, not the expression
    assert result.unattributed == ()


def test_an_arrow_before_a_value_is_a_step_and_one_that_starts_a_row_is_dropped():
    assert pieces("\\delta = (0.65 - 0.9) \\cdot 0.65 \\Rightarrow -0.0569") == [
        "\\delta = (0.65 - 0.9) \\cdot 0.65 \\Rightarrow -0.0569"]
    assert pieces("\\Rightarrow h_1 = 0.000476") == ["h_1 = 0.000476"]
    assert pieces("a = 1 \\Rightarrow b = 2, \\quad c = 3") == ["a = 1", "b = 2", "c = 3"]
    assert pieces("f(a \\Rightarrow b) = 1") == ["f(a \\Rightarrow b) = 1"]  # (inside brackets: no cut)
    assert pieces("h_1 = \\sigma(z_1) \\Rightarrow z_2 = 1") == ["h_1 = \\sigma(z_1)", "z_2 = 1"]  # \sigma: no arrow


def test_an_arrow_whose_slip_is_located(tmp_path):
    """The arrow is a step like ``=``: a value after it that does not follow is a slip of that line."""
    wrong = sig(V["delta_o2"] * 10, 6)
    result = grade_text(tmp_path, f"delta_o2 = ({sig(V['o2'], 6)} - 0.1) * {sig(V['o2'], 6)} * (1 - "
                                  f"{sig(V['o2'], 6)}) => {wrong}\n", ".txt")
    f = result.field("delta_o2")
    assert f.verdict == "incorrect" and "line 1" in f.message and "power of ten" in f.message


@pytest.mark.parametrize("lhs", ["w6(new)", "w6 (new)", "w_6 (updated)", "$w_6(new)$", "$w_{6}^{(new)}$"])
def test_a_mark_in_brackets_on_the_left_names_the_updated_weight(tmp_path, lhs):
    text = f"{lhs} = {sig(V['w6_new'], 12)}\n" if not lhs.startswith("$") else f"{lhs[:-1]} = {sig(V['w6_new'], 12)}$\n"
    result = grade_text(tmp_path, text, ".txt" if not lhs.startswith("$") else ".md")
    assert result.field("w6_new").verdict == "correct", (lhs, result.field("w6_new").verdict, result.warnings)


def test_a_value_comment_after_the_answer_still_goes(tmp_path):
    """Comments are dropped after a value (``-7.65 (rounded)``), never from the left-hand side."""
    result = grade_text(tmp_path, f"z1 = {sig(V['z1'], 6)} (rounded)\n", ".txt")
    assert result.field("z1").verdict == "correct" and result.unattributed == ()
