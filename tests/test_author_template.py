"""`grade template`: a blank submission that lists every asked quantity, grades 0 (all missing) when unfilled and
full marks when filled with the key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader.author.template import main as template_main
from grader.author.template import problem_template
from grader.grade.pipeline import Grader
from grader.solve.solver import solve
from grader.spec.load import BUNDLED_PROBLEMS, load_problem
from grader.yamlio import load_yaml_text

PLAIN = sorted(p.stem for p in BUNDLED_PROBLEMS.glob("*.yaml")
               if "questions:" not in p.read_text() and "randomize:" not in p.read_text())


def fill(template: str, values: dict[str, str]) -> str:
    """Put each value after its quantity's colon, as a student would (the comment goes)."""
    out = template
    for name, value in values.items():
        out, n = re.subn(rf"^(  {re.escape(name)}:)[ \t]+#.*$", rf'\1 "{value}"', out, count=1, flags=re.M)
        assert n == 1, name
    return out


def test_lists_every_asked_quantity_in_ask_order_with_a_description():
    problem = load_problem(BUNDLED_PROBLEMS / "exercise6.yaml")
    text = problem_template(problem, student_id="400222100")
    doc = load_yaml_text(text)
    assert doc.data["problem"] == "exercise6"
    assert doc.data["student"]["id"] == "400222100"
    assert list(doc.data["answers"]) == [a.quantity for a in problem.ask]
    assert all(v is None for v in doc.data["answers"].values())
    assert re.search(r"^  delta_o1: +# delta_o1 = ∂E/∂z3", text, re.M)
    assert re.search(r"^  w5_new: +# w5_new = w5 after the update", text, re.M)
    assert re.search(r"^  h1: +# h1 = output of h1 = σ\(z1\)", text, re.M)
    # the header states the accepted formats and the {value, using} form
    assert "7/20" in text and "1/(1+exp(11.65))" in text and "using:" in text


@pytest.mark.parametrize("pid", PLAIN)
def test_filled_with_the_key_gets_full_marks(pid, tmp_path: Path):
    problem = load_problem(BUNDLED_PROBLEMS / f"{pid}.yaml")
    key = solve(problem)
    text = fill(problem_template(problem, student_id="1"), {a.quantity: key.decimal(a.quantity, 25) for a in problem.ask})
    sub = tmp_path / "sub.yaml"
    sub.write_text(text)
    result = Grader().grade_file(sub)
    assert [f.verdict for f in result.fields] == ["correct"] * len(problem.ask)
    assert result.score == result.max_score == pytest.approx(sum(a.points for a in problem.ask))


@pytest.mark.parametrize("pid", PLAIN)
def test_unfilled_grades_zero_with_every_field_missing(pid, tmp_path: Path):
    problem = load_problem(BUNDLED_PROBLEMS / f"{pid}.yaml")
    sub = tmp_path / "sub.yaml"
    sub.write_text(problem_template(problem))
    result = Grader().grade_file(sub)
    assert result.score == 0
    assert {f.verdict for f in result.fields} == {"missing"}
    assert len(result.fields) == len(problem.ask)


def test_cli_writes_the_file(tmp_path: Path, capsys):
    out = tmp_path / "t.yaml"
    assert template_main(["exercise6", "--student", "42", "--name", "Ada", "--out", str(out)]) == 0
    doc = load_yaml_text(out.read_text())
    assert doc.data["student"] == {"id": "42", "name": "Ada"}
    assert template_main(["classic_222"]) == 0
    assert "net_h1:" in capsys.readouterr().out
