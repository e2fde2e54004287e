"""`grade key` fills the statement's {{name}} placeholders with the given values in every format; an unknown
placeholder is a `grade check` error with its line (issue 11 item 6)."""

from __future__ import annotations

from pathlib import Path

import re

import pytest

from grader.cli import main

REPO = Path(__file__).resolve().parent.parent
RANDOM = REPO / "problems" / "exercise6_random.yaml"


@pytest.mark.parametrize("fmt", ["markdown", "html", "latex"])
def test_every_key_format_fills_the_placeholders(capsys, fmt):
    assert main(["key", str(RANDOM), "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert not re.search(r"\{\{\s*\w+\s*\}\}", out)  # no raw placeholder left
    # the given values of exercise6_random.yaml, as its `given:` writes them
    assert "i_1 = 0.8" in out and "w_1 = -0.15" in out and "b_2 = 0.6" in out and "\\eta = 0.3" in out


def test_a_students_variant_key_fills_the_students_values(capsys):
    assert main(["key", str(RANDOM), "--format", "markdown"]) == 0
    base = capsys.readouterr().out
    assert main(["key", str(RANDOM), "--format", "markdown", "--student", "2001"]) == 0
    mine = capsys.readouterr().out
    assert "{{" not in mine and mine != base


def _with_statement(tmp_path: Path, statement_yaml: str) -> Path:
    text = RANDOM.read_text(encoding="utf-8")
    start = text.index("statement:")
    end = text.index("\nnetwork:")
    p = tmp_path / "p.yaml"
    p.write_text(text[:start] + statement_yaml + text[end:], encoding="utf-8")
    return p


def test_an_unknown_placeholder_is_a_check_error_with_its_line(tmp_path, capsys):
    p = _with_statement(tmp_path, "statement: |\n  First line.\n  Second line with $w_9 = {{w9}}$.\n")
    assert main(["check", str(p)]) == 2
    err = capsys.readouterr().err
    lines = p.read_text(encoding="utf-8").splitlines()
    line = next(i for i, s in enumerate(lines, 1) if "{{w9}}" in s)
    assert f"p.yaml:{line}:" in err and "{{w9}}" in err and "not a given value" in err
    assert "given values: i1, i2" in err


def test_an_unknown_placeholder_on_a_one_line_statement(tmp_path, capsys):
    p = _with_statement(tmp_path, 'statement: "eta is {{etta}}"\n')
    assert main(["check", str(p)]) == 2
    err = capsys.readouterr().err
    line = next(i for i, s in enumerate(p.read_text().splitlines(), 1) if "{{etta}}" in s)
    assert f"p.yaml:{line}:" in err and "{{eta}}" in err


def test_known_placeholders_pass_check(capsys):
    assert main(["check", str(RANDOM)]) == 0


def _set_with_prompt(tmp_path: Path, prompt: str) -> Path:
    """A homework set whose backprop question (the randomized Exercise 6) has ``prompt``."""
    (tmp_path / "exercise6_random.yaml").write_text(RANDOM.read_text(encoding="utf-8"), encoding="utf-8")
    p = tmp_path / "hw.yaml"
    p.write_text("id: hw_ph\ntitle: Placeholders in a prompt\nquestions:\n"
                 "  - id: ex6\n    kind: backprop\n    problem: exercise6_random\n"
                 "    prompt: |\n      Start from the weights below.\n" + "".join(f"      {s}\n" for s in prompt.splitlines()),
                 encoding="utf-8")
    return p


def test_a_sets_backprop_prompt_is_filled_with_the_problems_givens(tmp_path, capsys):
    p = _set_with_prompt(tmp_path, "Use $w_1 = {{w1}}$ and $\\eta = {{eta}}$.")
    assert main(["key", str(p), "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert "Use $w_1 = -0.15$ and $\\eta = 0.3$." in out  # exercise6_random.yaml's given w1 and eta
    assert "{{" not in out


def test_a_students_set_key_fills_the_prompt_with_the_variants_givens(tmp_path, capsys):
    from grader.solve.variant import variant_problem
    from grader.spec.load import load_problem

    p = _set_with_prompt(tmp_path, "Use $w_1 = {{w1}}$.")
    assert main(["key", str(p), "--format", "markdown", "--student", "2001"]) == 0
    out = capsys.readouterr().out
    w1 = variant_problem(load_problem(RANDOM), "2001").problem.given_values()["w1"]
    assert f"Use $w_1 = {float(w1):g}$." in out and w1 != -0.15


def test_an_unknown_placeholder_in_a_sets_prompt_is_a_check_error_with_its_line(tmp_path, capsys):
    p = _set_with_prompt(tmp_path, "First.\nThen $w_9 = {{w9}}$.")
    assert main(["check", str(p)]) == 2
    err = capsys.readouterr().err
    line = next(i for i, s in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if "{{w9}}" in s)
    assert f"hw.yaml:{line}:" in err and "prompt's placeholder {{w9}}" in err and "not a given value" in err
