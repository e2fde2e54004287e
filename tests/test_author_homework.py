"""Homework sets: exact keys of every question kind (checked against independent computations), one GradeResult
for the whole set, the seed homework as one assignment, templates, and merging scores given by hand."""

from __future__ import annotations

import math
import re
from fractions import Fraction
from pathlib import Path

import mpmath
import pytest

from grader.author.setcheck import check_lines
from grader.author.template import set_template
from grader.cli import main as cli_main
from grader.errors import GraderError, SpecError, SubmissionError
from grader.grade.manual import merge_manual_scores, read_manual_scores
from grader.grade.pipeline import Grader
from grader.solve.homework import load_set_if_any
from grader.spec.load import BUNDLED_PROBLEMS
from grader.yamlio import load_yaml_text

ROOT = Path(__file__).resolve().parents[1]
SET = BUNDLED_PROBLEMS / "seed_homework.yaml"
EXAMPLE = ROOT / "submissions_examples" / "seed_homework.yaml"
FREE = ["ex1", "ex2", "ex3", "ex4", "ex5"]


@pytest.fixture(scope="module")
def hw():
    return load_set_if_any(SET)


def items(hw, qid):
    return {i.name: i for i in hw.question(qid).items}


def test_the_seed_homework_is_one_set_of_100_points(hw):
    assert [q.id for q in hw.questions] == ["ex1", "ex2", "ex2_loss", "ex3", "ex3_init", "ex4", "ex4_act", "ex5",
                                             "ex5_prune", "ex6"]
    assert sum(q.points for q in hw.questions) == 100
    assert {q.kind for q in hw.questions} == {"free_text", "loss", "init", "activation", "pruning", "backprop"}
    assert load_set_if_any(BUNDLED_PROBLEMS / "exercise6.yaml") is None


def test_loss_keys_are_exact(hw):
    it = items(hw, "ex2_loss")
    assert it["E_mse"].value == Fraction(3, 40)  # (0.1² + 0.2² + 0.3² + 0.4²)/4, a Fraction: no float64
    with mpmath.workdps(50):
        bce = -(mpmath.log(mpmath.mpf("0.9")) + mpmath.log(mpmath.mpf("0.8")) + mpmath.log(mpmath.mpf("0.7"))
                + mpmath.log(mpmath.mpf("0.6"))) / 4
        assert abs(it["E_bce"].value - bce) < mpmath.mpf(10) ** -30


def test_init_keys(hw):
    it = items(hw, "ex3_init")
    assert it["xavier_var"].value == Fraction(2, 384) and it["he_var"].value == Fraction(2, 256)
    with mpmath.workdps(50):
        assert abs(it["xavier_limit"].value - mpmath.mpf("0.125")) < mpmath.mpf(10) ** -40
        assert abs(it["he_std"].value - mpmath.sqrt(mpmath.mpf(2) / 256)) < mpmath.mpf(10) ** -40
        assert abs(it["he_limit"].value - mpmath.sqrt(mpmath.mpf(6) / 256)) < mpmath.mpf(10) ** -40


def test_activation_keys(hw):
    it = items(hw, "ex4_act")
    for k, x in enumerate([-2, 0, 1.5], 1):
        s = 1 / (1 + math.exp(-x))
        assert float(it[f"sigmoid_{k}"].value) == pytest.approx(s, rel=1e-15)
        assert float(it[f"dsigmoid_{k}"].value) == pytest.approx(s * (1 - s), rel=1e-15)
        assert it[f"relu_{k}"].value == max(Fraction(x), 0)
        assert it[f"drelu_{k}"].value == (1 if x > 0 else 0)


def test_pruning_keys(hw):
    it = items(hw, "ex5_prune")
    # |w|: 0.8, 0.1, 0.05, 0.6, 0.9, 0.3 -> half pruned: 0.05, 0.1, 0.3
    assert it["survivors"].value == {"w1_1_1", "w1_2_2", "w2_1_1"}
    h1 = max(0.8 * 1.0 + 0.1, 0)  # h2 = relu(-0.6·0.5 - 0.2) = 0, and its weight was pruned anyway
    assert float(it["o1"].value) == pytest.approx(1 / (1 + math.exp(-(0.9 * h1 + 0.2))), rel=1e-14)


def test_the_seed_answers_grade_into_one_result(hw):
    r = Grader().grade_file(EXAMPLE)
    assert r.problem == "seed_homework" and r.student.id == "400222100" and r.max_score == 100
    v = {f.quantity: f.verdict for f in r.fields}
    assert [v[q] for q in FREE] == ["pending"] * 5
    assert all(r.field(q).points == 0 and r.field(q).max_points == 10 for q in FREE)
    assert v["ex2_loss.E_mse"] == v["ex2_loss.E_bce"] == "correct"
    assert v["ex3_init.xavier_var"] == v["ex3_init.he_var"] == "correct" and v["ex3_init.he_std"] == "missing"
    assert {v[q] for q in v if q.startswith(("ex4_act.", "ex5_prune."))} == {"missing"}
    # Exercise 6 grades exactly as the same answers do alone, with points scaled from 24 to 30
    alone = Grader().grade_file(ROOT / "submissions_examples" / "exercise6_seed.yaml")
    ex6 = [f for f in r.fields if f.quantity.startswith("ex6.")]
    assert [(f.quantity, f.verdict) for f in ex6] == [("ex6." + f.quantity, f.verdict) for f in alone.fields]
    assert sum(f.max_points for f in ex6) == 30
    assert sum(f.points for f in ex6) == pytest.approx(alone.score * 30 / 24)
    assert {fl.quantity for fl in r.flags} >= {"ex6.o1", "ex6.w5"}
    assert r.score == pytest.approx(2 + 2 + 1 + 1 + alone.score * 30 / 24)


def _fill(text: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        text, n = re.subn(rf"^(  {re.escape(name)}:)[ \t]+#.*$", rf"\1 {value}", text, count=1, flags=re.M)
        assert n == 1, name
    return text


def _key_values(hw) -> dict[str, str]:
    from grader.solve.solver import solve

    out = {}
    for q in hw.questions:
        if q.kind == "free_text":
            out[q.id] = '"My explanation."'
        elif q.kind == "backprop":
            key = solve(q.problem)
            out.update({f"{q.id}.{a.quantity}": f'"{key.decimal(a.quantity, 25)}"' for a in q.problem.ask})
        else:
            for i in q.items:
                out[f"{q.id}.{i.name}"] = f"[{i.decimal()}]" if i.is_set else f'"{i.decimal(25)}"'
    return out


def test_template_unfilled_is_all_missing_and_filled_with_the_key_is_full_marks(hw, tmp_path: Path):
    text = set_template(hw, student_id="1", problem_ref="seed_homework")
    sub = tmp_path / "blank.yaml"
    sub.write_text(text)
    r = Grader().grade_file(sub)
    assert r.score == 0 and {f.verdict for f in r.fields} == {"missing"} and r.max_score == 100
    sub.write_text(_fill(text, _key_values(hw)))
    r = Grader().grade_file(sub)
    assert {f.quantity for f in r.fields if f.verdict != "correct"} == set(FREE)
    assert {r.field(q).verdict for q in FREE} == {"pending"}
    assert r.score == pytest.approx(50)


def test_nested_and_dotted_answers_are_the_same(tmp_path: Path):
    dotted = "problem: seed_homework\n" f"answers:\n  ex6.z1: -7.65\n  ex6.h1: {{value: 0.000475818, using: {{z1: -7.65}}}}\n" \
             "  ex2_loss.E_mse: 0.075\n"
    nested = "problem: seed_homework\n" f"answers:\n  ex6:\n    z1: -7.65\n    h1: {{value: 0.000475818, using: {{z1: -7.65}}}}\n" \
             "  ex2_loss: {E_mse: 0.075}\n"
    results = []
    for name, text in (("d.yaml", dotted), ("n.yaml", nested)):
        (tmp_path / name).write_text(text)
        results.append(Grader().grade_file(tmp_path / name))
    a, b = ([(f.quantity, f.verdict, f.points) for f in r.fields] for r in results)
    assert a == b
    assert results[0].field("ex6.z1").verdict == results[0].field("ex6.h1").verdict == "correct"


@pytest.mark.parametrize("answer, verdict", [
    ("[w1_1_1, w1_2_2, w2_1_1]", "correct"),
    ("[w2_1_1, w1_1_1, w1_2_2]", "correct"),
    ('"w1_1_1, w1_2_2, w2_1_1"', "correct"),
    ("[1, 0, 0, 1, 1, 0]", "correct"),
    ('"100110"', "correct"),
    ('"1 0 0 1 1 0"', "correct"),
    ("[w1_1_1, w1_2_2]", "incorrect"),
    ("[1, 1, 0, 1, 1, 0]", "incorrect"),
    ("[w1_1_1, w9]", "unparseable"),
    ("[1, 0, 1]", "unparseable"),
])
def test_survivors_as_names_or_mask(tmp_path: Path, answer: str, verdict: str):
    sub = tmp_path / "s.yaml"
    sub.write_text("problem: seed_homework\n" f"answers:\n  ex5_prune.survivors: {answer}\n")
    assert Grader().grade_file(sub).field("ex5_prune.survivors").verdict == verdict


@pytest.mark.parametrize("answers, message", [
    ("ex9.z1: 1", "unknown question 'ex9'"),
    ("ex2_loss.E_mze: 1", "unknown quantity 'ex2_loss.E_mze'.*did you mean ex2_loss.E_mse"),
    ("ex6.zz1: 1", "unknown quantity 'zz1'"),
    ("ex6: 3", "answer the quantities of question ex6 as ex6.<name>"),
])
def test_unknown_names_are_located_errors(tmp_path: Path, answers: str, message: str):
    sub = tmp_path / "s.yaml"
    sub.write_text("problem: seed_homework\n" f"answers:\n  {answers}\n")
    with pytest.raises(SubmissionError, match=message) as err:
        Grader().grade_file(sub)
    assert err.value.line == 3


def test_the_cli_grades_a_set(capsys):
    assert cli_main([str(EXAMPLE), "--format", "json"]) == 0
    import json

    data = json.loads(capsys.readouterr().out)
    assert data["problem"] == "seed_homework" and data["fields"]["ex1"]["verdict"] == "pending"
    assert data["fields"]["ex6.z1"]["verdict"] == "incorrect"


# --- manual scores ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_result():
    return Grader().grade_file(EXAMPLE)


def test_merging_manual_scores(seed_result, tmp_path: Path):
    csv_path = tmp_path / "scores.csv"
    csv_path.write_text("student_id,question,points,comment\n400222100,ex1,10,Complete.\n400222100,ex2,6.5,"
                        "\"No gradient argument\"\n999,ex1,0,\n400222100,ex6.z1,1.25,regraded\n")
    merged = merge_manual_scores(seed_result, read_manual_scores(csv_path))
    assert merged.field("ex1").verdict == "correct" and merged.field("ex1").points == 10
    assert merged.field("ex2").verdict == "incorrect" and merged.field("ex2").points == 6.5
    assert "6.5/10 (partial credit). No gradient argument" in merged.field("ex2").message
    assert merged.field("ex3").verdict == "pending"
    assert merged.field("ex6.z1").points == 1.25
    assert merged.score == pytest.approx(seed_result.score + 10 + 6.5 + 1.25)
    assert seed_result.field("ex1").verdict == "pending"  # the original is untouched


def test_rows_of_other_students_change_nothing(seed_result):
    assert merge_manual_scores(seed_result, [{"student_id": "1", "question": "ex1", "points": "5"}]) is seed_result


@pytest.mark.parametrize("row, message", [
    ({"question": "ex7", "points": "1"}, "no question 'ex7'"),
    ({"question": "ex1", "points": "11"}, "outside 0..10"),
    ({"question": "ex1", "points": "many"}, "not a number"),
])
def test_bad_manual_rows_are_errors(seed_result, row, message):
    with pytest.raises(GraderError, match=message):
        merge_manual_scores(seed_result, [{"student_id": "400222100", **row}])


def test_two_rows_for_one_field_are_an_error(seed_result):
    rows = [{"student_id": "400222100", "question": "ex1", "points": "1"}] * 2
    with pytest.raises(GraderError, match="two manual scores"):
        merge_manual_scores(seed_result, rows)


def test_manual_scores_need_their_columns(tmp_path: Path):
    p = tmp_path / "m.csv"
    p.write_text("student,question,score\n")
    with pytest.raises(GraderError, match="no column student_id, points"):
        read_manual_scores(p)


# --- spec checks -----------------------------------------------------------------------------------------------------

HEAD = "id: s\ntitle: t\nquestions:\n"


@pytest.mark.parametrize("question, message", [
    ("  - {id: q, kind: free_text, points: 3, rubric: [{points: 1, text: a}]}", "differ from the rubric's sum"),
    ("  - {id: q, kind: loss, predictions: [0.5], targets: [1, 0]}", "2 targets for 1 predictions"),
    ("  - {id: q, kind: loss, predictions: [0.5], targets: [1], ask: [E_msq]}", "unknown quantity 'E_msq'.*E_mse"),
    ("  - {id: q, kind: activation, at: [0], functions: [relu]}", "relu′\\(0\\) is asked: state its value"),
    ("  - {id: q, kind: backprop, problem: nowhere}", "no problem 'nowhere'"),
    ("  - {id: q, kind: free_text, rubric: [{points: 1, text: a}]}\n  - {id: q, kind: init, fan_in: 1, fan_out: 1}",
     "question id 'q' is used twice"),
    ("  - id: q\n    kind: pruning\n    sparsity: 0.5\n    network: {inputs: 1, layers: [{size: 2, activation: sigmoid, "
     "weights: [[0.5], [-0.5]]}]}\n    given: {i1: 1}", "a tie at the cut: w1_1_1, w1_2_1"),
    ("  - id: q\n    kind: pruning\n    sparsity: 0.25\n    network: {inputs: 1, layers: [{size: 2, activation: sigmoid, "
     "weights: [[0.5], [-0.4]]}]}\n    given: {i1: 1}", "not a whole number"),
])
def test_set_errors_are_located(tmp_path: Path, question: str, message: str):
    p = tmp_path / "s.yaml"
    p.write_text(HEAD + question + "\n")
    with pytest.raises(SpecError, match=message) as err:
        load_set_if_any(p)
    assert err.value.line is not None and err.value.line >= 4


def test_an_inline_backprop_spec(tmp_path: Path):
    problem = (BUNDLED_PROBLEMS / "exercise6.yaml").read_text()
    inline = "\n".join("      " + line for line in problem.splitlines())
    p = tmp_path / "s.yaml"
    p.write_text(HEAD + "  - id: bp\n    kind: backprop\n    points: 12\n    spec:\n" + inline + "\n")
    hw = load_set_if_any(p)
    assert hw.question("bp").points == 12 and hw.question("bp").problem.id == "exercise6"
    sub = tmp_path / "a.yaml"
    sub.write_text("problem: s\nanswers: {bp.z1: -7.65, bp.delta_o1: -0.0568718}\n")
    r = Grader(problems_dirs=[tmp_path]).grade_file(sub)
    assert r.field("bp.z1").verdict == r.field("bp.delta_o1").verdict == "correct"
    assert r.max_score == 12 and r.score == pytest.approx(12 * 3 / 24)
    assert load_yaml_text(set_template(hw)).data["answers"].keys() >= {"bp.z1", "bp.w8_new"}


def test_grade_document_takes_sets_and_problems_alike():
    """What `grade batch` reads (a Document) grades as a set or as a problem."""
    doc = load_yaml_text(EXAMPLE.read_text(), source=str(EXAMPLE))
    r = Grader().grade_document(doc)
    assert r.problem == "seed_homework" and r.field("ex1").verdict == "pending"
    plain = ROOT / "submissions_examples" / "exercise6_seed.yaml"
    r = Grader().grade_document(load_yaml_text(plain.read_text(), source=str(plain)))
    assert r.problem == "exercise6"
    with pytest.raises(SubmissionError, match="unknown quantity 'ex6.z1' for problem exercise6"):
        Grader().grade_document(load_yaml_text("problem: exercise6\nanswers: {ex6.z1: 1}\n"))


def test_check_lines_summarize_a_set(hw):
    lines = check_lines(hw)
    assert lines[0].endswith("valid homework set") and "10 questions, 100 points" in lines[2]
    assert any(line.startswith("  ex6 (backprop, 30 points): problem exercise6") for line in lines)
    assert "warning: ex4_act.relu_1: an answer of 0 would pass (true value 0)" in lines
    assert any(line.startswith("warning: ex6: h2 is saturated") for line in lines)
