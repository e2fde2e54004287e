"""The grading engine's rules, on small submissions written inline."""

from __future__ import annotations

import dataclasses
import json
import math
from fractions import Fraction

import pytest

from grader.grade.engine import grade, make_plan
from grader.grade.pipeline import Grader
from grader.spec.tolerance import within
from grader.report import render
from grader.solve.solver import solve
from grader.spec.load import find_problem, load_problem
from grader.spec.problem import Tolerance
from grader.submission.load import submission_from_document
from grader.yamlio import load_yaml_text


def plan_for(problem_id: str, **changes):
    problem = load_problem(find_problem(problem_id))
    if changes:
        problem = dataclasses.replace(problem, **changes)
    return make_plan(solve(problem))


def submit(plan, answers: str, student: str = "s1"):
    text = f"problem: {plan.problem.id}\nstudent: {{id: '{student}'}}\nanswers:\n{answers}"
    return grade(plan, submission_from_document(load_yaml_text(text, source="<test>")))


@pytest.fixture(scope="module")
def ex6():
    return plan_for("exercise6")


@pytest.fixture(scope="module")
def classic():
    return plan_for("classic_222")


def test_tolerance_rule_relabs_and_sigfig():
    rel = Tolerance(rtol=0.01, atol=1e-9)
    assert within(1.0099, 1.0, rel) and not within(1.0101, 1.0, rel)
    assert within(5e-10, 0.0, rel) and not within(2e-9, 0.0, rel)
    sig = Tolerance(mode="sigfig", digits=3)
    assert within(0.1235, 0.12345, sig) and not within(0.1240, 0.12345, sig)
    assert within(-0.1235, -0.12345, sig) and not within(0.12345, -0.12345, sig)  # the sign counts
    assert not within(float("nan"), 1.0, rel) and not within(float("inf"), float("inf"), rel)


def test_no_update_never_passes_even_when_w_new_is_close(ex6):
    # w1 = -15 and its true change is about -4.5e-4: "-15" is within 0.003 % of w1_new, but it is no update.
    r = submit(ex6, "  w1_new: -15\n")
    assert r.field("w1_new").verdict == "incorrect"


def test_change_off_by_10x_fails_though_w_new_is_within_a_hundredth_of_a_percent(ex6):
    key = ex6.key
    change = key.change("w5_new")
    slipped = Fraction(40) + change / 10  # w5_new = 40.0000008..., within 0.01 % of the key's 40.0000081...
    assert abs(float(slipped) - key.floats["w5_new"]) / key.floats["w5_new"] < 1e-4
    r = submit(ex6, f"  w5_new: {float(slipped)!r}\n")
    f = r.field("w5_new")
    assert f.verdict == "incorrect" and f.diagnosis.id == "power_of_ten"
    right = Fraction(40) + Fraction(key.decimal("w5_new", 30)) - 40
    assert submit(ex6, f"  w5_new: {key.decimal('w5_new', 30)}\n").field("w5_new").verdict == "correct"
    assert right  # the exact decimal string is read exactly


def test_exact_change_of_a_large_weight_keeps_every_digit(ex6):
    # w4 = 30 and its change is -3.06e-7: 30 - 3.06e-7 written out in full must be read exactly.
    r = submit(ex6, f"  w4_new: {ex6.key.decimal('w4_new', 20)}\n")
    assert r.field("w4_new").verdict == "correct"


def test_missing_and_unparseable_score_zero_and_say_why(classic):
    r = submit(classic, "  h1: 'zero point six'\n")
    assert r.field("h1").verdict == "unparseable" and r.field("h1").points == 0
    assert "Could not read" in r.field("h1").message
    assert r.field("o1").verdict == "missing" and r.field("o1").message == "No answer given."
    assert r.score == 0 and r.max_score == sum(a.points for a in classic.problem.ask)


def test_carried_credit_is_set_per_problem():
    plan = plan_for("classic_222", carried_credit=0.5)
    r = submit(plan, "  net_h1: 0.4775\n  h1: 0.6171573627\n")
    h1 = r.field("h1")
    assert h1.verdict == "carried" and h1.points == pytest.approx(0.5 * h1.max_points)


def test_using_values_are_the_basis_of_carried_credit(classic):
    # The student states the values they plugged in; the result follows from them.
    r = submit(classic, "  delta_o1:\n    value: 0.12\n    using: {o1: 0.7, t1: 0.01}\n")
    # (0.7 - 0.01)*0.7*0.3 = 0.1449, not 0.12: incorrect; and 0.1449 is carried
    assert r.field("delta_o1").verdict == "incorrect"
    r = submit(classic, "  delta_o1:\n    value: 0.1449\n    using: {o1: 0.7, t1: 0.01}\n")
    assert r.field("delta_o1").verdict == "carried"
    assert dict(r.field("delta_o1").follows_from) == {"o1": 0.7}


def test_two_usings_of_one_quantity_that_disagree_are_flagged(classic):
    r = submit(classic, "  delta_o1:\n    value: 0.1449\n    using: {o1: 0.7}\n  E_o1:\n    value: 0.1\n    using: {o1: 0.45}\n")
    flag = next(f for f in r.flags if f.kind == "inconsistent")
    assert flag.quantity == "o1" and sorted(flag.values) == [0.45, 0.7]


def test_a_replaced_given_value_is_flagged_and_earns_no_carried_credit(classic):
    # learning rate replaced (eta 0.1 instead of 0.5), written under an alias
    r = submit(classic, "  w5_new:\n    value: 0.391783\n    using: {lr: 0.1, grad_w5: 0.082167041, w5: 0.4}\n")
    assert [(f.kind, f.quantity) for f in r.flags] == [("wrong_given", "eta")]
    f = r.field("w5_new")
    assert f.verdict == "incorrect" and f.diagnosis.id == "uses_flagged_value"


def test_json_shape(classic):
    r = submit(classic, "  h1: 0.59327\n  o1: '1/(1+exp(-1.105906))'\n")
    d = json.loads(json.dumps(r.to_dict()))
    assert set(d) == {"problem", "student", "score", "max_score", "fields", "flags", "warnings"}
    assert d["warnings"] == []
    assert set(d["fields"]["h1"]) == {"verdict", "given", "expected", "points", "max_points", "message", "diagnosis",
                                      "read_as"}
    assert d["fields"]["h1"]["verdict"] == "correct" and isinstance(d["fields"]["h1"]["given"], float)
    assert d["fields"]["o1"]["verdict"] == "correct"
    assert list(d["fields"]) == [a.quantity for a in classic.problem.ask]


def test_reports_are_deterministic_and_colour_only_when_asked():
    g1, g2 = Grader(), Grader()
    a = g1.grade_file("submissions_examples/exercise6_seed.yaml")
    b = g2.grade_file("submissions_examples/exercise6_seed.yaml")
    assert render(a, "text") == render(b, "text")
    assert json.dumps(a.to_dict()) == json.dumps(b.to_dict())
    assert "\033[" not in render(a, "text") and "\033[" in render(a, "text", colour=True)


def test_no_color_is_honoured(monkeypatch, capsys):
    from grader import cli

    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr("sys.stdout.isatty", lambda: True, raising=False)
    assert cli.main(["submissions_examples/classic_correct.yaml"]) == 0
    assert "\033[" not in capsys.readouterr().out


def test_exam_mode_hides_expected_values(capsys):
    from grader import cli

    assert cli.main(["submissions_examples/exercise6_seed.yaml", "--reveal", "never"]) == 0
    out = capsys.readouterr().out
    assert "expected" not in out and "Worked" not in out and "-7.65" not in out


def test_updating_a_frozen_bias_is_flagged_not_an_error(ex6):
    r = submit(ex6, "  b1_new: 0.3494\n  b2_new: 0.60\n")
    flags = [(f.kind, f.quantity) for f in r.flags]
    assert flags == [("wrong_given", "b1")]
    assert "not updated" in r.flags[0].message


def test_no_update_is_named(classic):
    r = submit(classic, "  w5_new: 0.40\n")
    f = r.field("w5_new")
    assert f.verdict == "incorrect" and f.diagnosis.id == "zero"


def test_exam_mode_messages_quote_no_key_numbers(ex6):
    text = "problem: exercise6\nanswers:\n  z1: 7.65\n  h2: 1.2e-6\n  w1_new: -15.0045\n  delta_o1: -0.57\n"
    sub = submission_from_document(load_yaml_text(text, source="<t>"))
    revealed, exam = grade(ex6, sub, reveal=True), grade(ex6, sub, reveal=False)

    def words(r):
        return " ".join(f.message + " " + (f.diagnosis.text if f.diagnosis else "") for f in r.fields)

    assert [f.verdict for f in exam.fields] == [f.verdict for f in revealed.fields]
    assert [f.diagnosis.id if f.diagnosis else None for f in exam.fields] == [
        f.diagnosis.id if f.diagnosis else None for f in revealed.fields
    ]
    for number in ("-7.65", "1.17999e-6", "0.00260244"):  # the key's z1 and h2; a change derived from the key
        assert number in words(revealed)
        assert number not in words(exam)


def test_a_submission_named_like_its_problem_is_not_taken_for_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sub = tmp_path / "classic_222.yaml"
    sub.write_text("problem: classic_222\nanswers: {net_h1: 0.3775}\n", encoding="utf-8")
    r = Grader().grade_file(sub)
    assert r.problem == "classic_222" and r.field("net_h1").verdict == "correct"


def test_the_field_grader_takes_one_frozen_context():
    import inspect

    from grader.grade import engine

    assert list(inspect.signature(engine._grade_field).parameters) == ["ctx", "kf", "ans"]
    assert engine.Context.__dataclass_params__.frozen


def test_a_known_mistake_made_on_the_keys_values_is_named_though_the_students_own_differ(ex6):
    # The student's o1 is wrong (0.7), yet their delta_o1 is the key's o1 - t1: the derivative left out, on the
    # key's numbers (no wrong formula on their own o1 = 0.7 gives it). Oracle: the forward pass from the statement.
    sig = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    h1, h2 = sig(-15 * 0.8 + 20 * 0.2 + 0.35), sig(-25 * 0.8 + 30 * 0.2 + 0.35)
    o1 = sig(40 * h1 + 45 * h2 + 0.60)
    missing = o1 - 0.9
    on_own = (0.7 - 0.9) * 0.7 * 0.3  # the right formula on the student's own o1
    assert abs(missing - on_own) > 0.01 * abs(on_own)
    for _ in range(2):  # the first grading walks the rules, later ones use their compiled closures
        f = submit(ex6, f"  o1: 0.7\n  delta_o1: {missing!r}\n").field("delta_o1")
        assert f.verdict == "incorrect" and f.diagnosis.id == "missing_derivative"
