"""A given parameter's name under a heading that says what the values are: under "Updated weights" its update,
under "Gradients" its gradient (``grader.submission.headings``), and a table column "Gradient" the row's
parameter's gradient (``grader.submission.tables``); a unit's name under "Deltas" its delta. Before, ``w5: 40.0000081`` under "## Updated weights" was read
as the given w5 restated (within 1 % of 40, so without a word) and w5_new was "missing", though right; a gradient
table was not read at all. Values from the textbook formulas (``tests/ex6_textbook.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.grade.pipeline import Grader
from grader.solve.solver import solve
from grader.spec.load import load_problem
from grader.submission.writeup import writeup_submission
from tests.ex6_textbook import GRAD_W5, H1, H2, D_O1, D_O2, O1, O2

Z1, Z3 = -15 * 0.8 + 20 * 0.2 + 0.35, 40 * H1 + 45 * H2 + 0.6

REPO = Path(__file__).resolve().parent.parent
W5_NEW = 40 - 0.3 * GRAD_W5
GRAD_W6 = D_O1 * H2


def graded(tmp_path: Path, text: str, suffix: str = "md"):
    path = tmp_path / f"work.{suffix}"
    path.write_text(text, encoding="utf-8")
    return Grader(problem="exercise6").grade_file(path)


@pytest.fixture(scope="module")
def key():
    return solve(load_problem(REPO / "problems" / "exercise6.yaml"))


def answers_of(text: str, key) -> dict:
    sub = writeup_submission(text, "md", "work.md", key, "exercise6")
    return {q: a.value.parsed.value for q, a in sub.answers.items()}


@pytest.mark.parametrize("heading", ["## Updated weights", "### New weights after the update", "**Updated weights**",
                                     "# Step 3: update"])
def test_a_given_parameter_under_an_update_heading_is_its_update(tmp_path, heading):
    result = graded(tmp_path, f"# Exercise 6\n\n{heading}\n\nw5: {W5_NEW:.10f}\n")
    assert result.field("w5_new").verdict == "correct", result.field("w5_new")
    assert any(f'under the heading "{heading.strip("#* ")}" is read as the updated parameter w5_new' in w
               for w in result.warnings), result.warnings


def test_a_tex_subsection_is_a_heading(tmp_path):
    text = (f"\\documentclass{{article}}\n\\begin{{document}}\n\\subsection{{Updated weights}}\n"
            f"$w_5 = {W5_NEW:.10f}$\n\\end{{document}}\n")
    assert graded(tmp_path, text, "tex").field("w5_new").verdict == "correct"


def test_the_heading_never_overrides_the_update_named_as_such(tmp_path):
    result = graded(tmp_path, f"# Exercise 6\n\n## Updated weights\n\nw5: 40.5\n\n$w_5^{{+}} = {W5_NEW:.10f}$\n")
    w5 = result.field("w5_new")
    assert w5.verdict == "correct" and w5.given == pytest.approx(W5_NEW)
    assert not any("under the heading" in w for w in result.warnings)


def test_the_given_value_itself_and_other_headings_stay_the_given(tmp_path, key):
    assert "w5_new" not in answers_of("# Ex 6\n\n## Updated weights\n\nw5: 40\n", key)  # the given restated
    assert "w5_new" not in answers_of(f"# Ex 6\n\n## Forward pass\n\nw5: {W5_NEW:.10f}\n", key)
    assert "w5_new" not in answers_of(f"# Ex 6\n\n## Gradients and updated weights\n\nw5: {W5_NEW:.10f}\n", key)


def test_a_given_parameter_under_a_gradient_heading_is_its_gradient(tmp_path, key):
    read = answers_of(f"# Ex 6\n\n## Gradients\n\n$w_5 = {GRAD_W5:.6e}$\n\n$w_6 = 40$\n", key)
    assert read["grad_w5"] == pytest.approx(GRAD_W5, rel=1e-6)
    assert "grad_w6" not in read  # 40 is nearer w6's given 45 than its gradient: a given mistyped
    result = graded(tmp_path, f"# Ex 6\n\n## Gradients\n\n$w_5 = {GRAD_W5:.6e}$\n\n$w_6 = 40$\n")
    assert [(f.kind, f.quantity) for f in result.flags] == [("wrong_given", "w6")]


def test_a_gradient_column_of_a_table_names_each_rows_gradient(key):
    text = ("# Ex 6\n\n| weight | gradient |\n|---|---|\n"
            f"| w5 | {GRAD_W5:.6e} |\n| $w_6$ | {GRAD_W6:.6e} |\n")
    read = answers_of(text, key)
    assert read["grad_w5"] == pytest.approx(GRAD_W5, rel=1e-6) and read["grad_w6"] == pytest.approx(GRAD_W6, rel=1e-6)


def test_a_problem_of_several_steps_gets_no_update_reading():
    """Which step's update "Updated weights" means is not told: the value stays the given restated."""
    key = solve(load_problem(REPO / "problems" / "two_steps.yaml"))
    given = key.floats["w5"] if "w5" in key.floats else None
    assert given is not None
    sub = writeup_submission(f"# Two steps\n\n## Updated weights\n\nw5: {given + 0.001!r}\n", "md", "work.md", key,
                             "two_steps")
    assert not any(q.startswith("w5_new") for q in sub.answers)


FORWARD = f"# Exercise 6\n\n## Forward pass\n\no1: {O1:.8f}\n\no2: {O2:.8f}\n\n"


@pytest.mark.parametrize("heading", ["## Deltas", "### Error terms of the output layer", "**Output deltas (δ)**"])
def test_a_unit_under_a_deltas_heading_is_its_delta(tmp_path, heading):
    """Before, ``o1: -0.0569`` under "## Deltas" was a second value of o1: o1 was flagged as having two values
    and delta_o1 was missing, though both were right."""
    result = graded(tmp_path, FORWARD + f"{heading}\n\no1: {D_O1:.8f}\n\no2: {D_O2:.8f}\n")
    for q in ("o1", "o2", "delta_o1", "delta_o2"):
        assert result.field(q).verdict == "correct", result.field(q)
    assert not result.flags, result.flags
    assert any(f'under the heading "{heading.strip("#* ")}" is read as its delta delta_o1' in w
               for w in result.warnings), result.warnings


def test_a_deltas_heading_never_overrides_a_delta_named_as_such_nor_an_output_value(tmp_path, key):
    named = answers_of(FORWARD + f"## Deltas\n\no1: -0.5\n\n$\\delta_{{o_1}} = {D_O1:.8f}$\n", key)
    assert named["delta_o1"] == pytest.approx(D_O1, rel=1e-7)  # the delta named as such, not the heading's o1
    # a value nearer the output than the delta stays the output's (written again, and flagged if it differs)
    assert "delta_o1" not in answers_of(f"# Ex 6\n\n## Deltas\n\no1: {O1 - 0.01:.8f}\n", key)
    # other headings, and a heading of deltas and gradients, read no delta
    for heading in ("## Backward pass", "## Deltas and gradients"):
        assert "delta_o1" not in answers_of(f"# Ex 6\n\n{heading}\n\no1: {D_O1:.8f}\n", key)


def test_a_problem_of_several_steps_gets_no_delta_reading():
    key = solve(load_problem(REPO / "problems" / "two_steps.yaml"))
    unit = next(q for q in key.floats if q.startswith("delta_")).removeprefix("delta_")
    sub = writeup_submission(f"# Two steps\n\n## Deltas\n\n{unit}: {key.floats['delta_' + unit]!r}\n", "md",
                             "work.md", key, "two_steps")
    assert not any(q.startswith("delta_") for q in sub.answers)


@pytest.mark.parametrize("heading", ["## Net inputs", "### Weighted sums (pre-activations)"])
def test_a_unit_under_a_net_inputs_heading_is_its_net_input(tmp_path, heading):
    """``h1: -7.65`` under "## Net inputs" is z1, Exercise 6's net input of h1; before, a second value of h1."""
    text = (f"# Exercise 6\n\n{heading}\n\nh1: {Z1:.4f}\n\no1: {Z3:.8f}\n\n"
            f"## Outputs\n\nh1: {H1:.10f}\n\no1: {O1:.8f}\n")
    result = graded(tmp_path, text)
    for q in ("z1", "z3", "h1", "o1"):
        assert result.field(q).verdict == "correct", result.field(q)
    assert not result.flags, result.flags
    assert any("is read as its net input z1" in w for w in result.warnings), result.warnings


def test_a_heading_of_nets_and_outputs_reads_no_net(key):
    read = answers_of(f"# Ex 6\n\n## Net inputs and activations\n\nh1: {Z1:.4f}\n", key)
    assert "z1" not in read and read["h1"] == pytest.approx(Z1)
    # nearer the output than the net input: the unit's own value
    assert "z3" not in answers_of(f"# Ex 6\n\n## Net inputs\n\no1: {O1:.8f}\n", key)


def test_a_value_beyond_the_float_range_under_a_heading_is_read_as_written(key):
    """Found by fuzzing: ``o1: 1e999`` under "Deltas" and ``w5 = 1e999`` under "Gradients" were turned into floats to
    tell what they are nearer (OverflowError, an internal error). Infinite, they are nearer nothing: read as written."""
    sub = writeup_submission("# Ex 6\n\n## Deltas\n\no1: 1e999\n\n## Gradients\n\n$w_5 = 1e999$\n", "md", "work.md",
                             key, "exercise6")
    assert "o1" in sub.answers and "delta_o1" not in sub.answers and "grad_w5" not in sub.answers
