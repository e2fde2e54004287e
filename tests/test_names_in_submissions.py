"""Names in submissions (issue 11 items 2 and 4): answer keys and `using:` names spelled as textbooks and students
write them are graded under the problem's names; a name that does not resolve costs only its own answer (a warning
with suggestions, shown in every report format); givens restated as answers are compared with the given value."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.cli import main
from grader.errors import SubmissionError
from grader.grade.pipeline import Grader
from grader.report import render
from grader.yamlio import load_yaml_text

REPO = Path(__file__).resolve().parent.parent
CORRECT = (REPO / "submissions_examples" / "classic_correct.yaml").read_text(encoding="utf-8")

# classic_222's names -> how a student copying the step-by-step blog example writes them
SPELLED = {
    "net_h1": "net_{h1}", "net_h2": "NET_H2", "h1": "out_{h1}", "h2": "out_h2", "net_o1": "net_{o_1}",
    "net_o2": "net o2", "o1": "out_{o1}", "o2": "O2", "E_o1": "E_{o1}", "E_o2": "E_{o_2}", "E": "E_{total}",
    "delta_o1": "\\delta_{o_1}", "delta_o2": "δ_o2", "delta_h1": "delta_H1", "delta_h2": "Δ_{h2}",
    "w1_new": "w_1^{+}", "w2_new": "w2'", "w3_new": "W3_new", "w4_new": "new_w4", "w5_new": "w5+",
    "w6_new": "w6^{new}", "w7_new": "w'_7", "w8_new": "w_{8}'",
}


def grade_text(text: str, source: str = "<test>"):
    return Grader().grade_document(load_yaml_text(text, source=source))


def respelled(mapping: dict[str, str]) -> str:
    out = []
    for line in CORRECT.splitlines():
        key, sep, rest = line.strip().partition(":")
        if line.startswith("  ") and key in mapping:
            out.append(f"  {json.dumps(mapping[key], ensure_ascii=False)}:{rest}")
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def test_every_answer_spelled_as_a_textbook_gets_full_marks():
    r = grade_text(respelled(SPELLED))
    assert r.score == r.max_score > 0 and not r.warnings
    assert {f.verdict for f in r.fields} == {"correct"}


@pytest.mark.parametrize("key", ["delta_O1", "δ_o1", "\\delta_{o_1}", "DELTA_O1", "∂E/∂net_o1"])
def test_the_reported_misspellings_of_delta_are_graded(key):
    r = grade_text(f"problem: classic_222\nanswers:\n  '{key}': 0.1384985616\n")
    assert r.field("delta_o1").verdict == "correct" and not r.warnings


@pytest.mark.parametrize("key, quantity", [("w5'", "w5_new"), ("w5+", "w5_new"), ("W1_new", "w1_new"),
                                           ("dE/dw5", "grad_w5"), ("E_tot", "E")])
def test_the_reported_misspellings_resolve(key, quantity):
    from grader.grade.engine import make_plan
    from grader.solve.solver import solve
    from grader.spec.load import find_problem, load_problem

    plan = make_plan(solve(load_problem(find_problem("classic_222"))))
    assert plan.resolver.resolve(key).name == quantity


def test_an_unknown_key_costs_only_that_answer_with_ranked_suggestions():
    text = respelled({"delta_o1": "delta_o9"})
    r = grade_text(text, source="sub.yaml")
    assert r.field("delta_o1").verdict == "missing"
    assert sum(f.verdict == "correct" for f in r.fields) == len(r.fields) - 1
    (w,) = r.warnings
    line = next(i for i, s in enumerate(text.splitlines(), 1) if "delta_o9" in s)
    assert w.startswith(f"line {line}: unknown quantity 'delta_o9' for problem classic_222")
    assert "not graded" in w and "did you mean delta_o" in w and "delta_o1" in w and "delta_o2" in w


def test_a_wrong_name_in_using_costs_only_that_entry():
    r = grade_text("problem: classic_222\nanswers:\n  delta_o1:\n    value: 0.1384985616\n"
                   "    using: {out_o1: 0.7513650696, target_o9: 0.01}\n")
    assert r.field("delta_o1").verdict == "correct"
    (w,) = r.warnings
    assert "'target_o9'" in w and "`using` of delta_o1" in w


def test_the_change_of_a_weight_is_not_taken_for_the_given_weight():
    r = grade_text("problem: classic_222\nanswers:\n  h1: 0.5932699921\n  Δw1: -0.0002\n")
    (w,) = r.warnings
    assert "change of w1" in w and "w1_new" in w
    assert "did you mean w1 " not in w and "or w1 " not in w and "or w1?" not in w


def test_two_spellings_of_one_quantity_grade_the_first():
    r = grade_text("problem: classic_222\nanswers:\n  w5_new: 0.3589164797\n  \"w5'\": 0.1\n")
    assert r.field("w5_new").verdict == "correct"
    (w,) = r.warnings
    assert "answers w5_new again" in w


def test_an_ambiguous_name_names_both():
    from grader.grade.engine import make_plan
    from grader.solve.solver import solve
    from grader.spec.load import find_problem, load_problem
    from grader.submission.load import resolve_names, submission_from_document
    import dataclasses

    problem = load_problem(find_problem("classic_222"))
    plan = make_plan(solve(dataclasses.replace(problem, notation={"y": "o1", "Y": "o2"})))
    sub = submission_from_document(load_yaml_text("problem: classic_222\nanswers:\n  δ_y: 1\n  y: 0.75\n"))
    resolved, issues = resolve_names(sub, plan.resolver, "classic_222")
    assert list(resolved.answers) == ["o1"]
    (issue,) = issues
    assert "fits delta_o1 and delta_o2" in issue.message


def test_nothing_resolved_is_still_an_error():
    with pytest.raises(SubmissionError) as exc:
        grade_text("problem: classic_222\nanswers:\n  o9: 1\n  zz: 2\n", source="s.yaml")
    assert "unknown quantity 'o9'" in exc.value.message and exc.value.line == 3


def test_warnings_in_every_report_format_and_exit_0(tmp_path, capsys):
    sub = tmp_path / "s.yaml"
    sub.write_text(respelled({"delta_o1": "delta_o9"}), encoding="utf-8")
    for fmt in ("text", "markdown", "html"):
        assert main([str(sub), "--format", fmt]) == 0
        out = capsys.readouterr().out
        assert "delta_o9" in out, fmt
    assert main([str(sub), "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert any("delta_o9" in w for w in d["warnings"])


def test_exam_mode_warning_has_no_key_values(tmp_path):
    r = Grader(reveal="never").grade_document(load_yaml_text(respelled({"delta_o1": "delta_o9"})))
    (w,) = r.warnings
    assert not any(ch.isdigit() and ch not in "0123456789" for ch in w)
    assert "0.138" not in w and "0.75" not in w


# ---------------------------------------------------------------------------------------------------------------
# item 4: givens restated in answers

def test_a_restated_given_that_differs_is_a_wrong_given_flag():
    r = grade_text("problem: classic_222\nanswers:\n  eta: 0.1\n  w5_new: 0.3589164797\n")
    (flag,) = [f for f in r.flags if f.quantity == "eta"]
    assert flag.kind == "wrong_given" and "0.5" in flag.message and "0.1" in flag.message
    assert r.score == 1  # nothing for the given, w5_new still right


def test_a_restated_given_with_a_learning_rate_spelling():
    r = grade_text("problem: classic_222\nanswers:\n  'η': 0.3\n")
    assert [f.kind for f in r.flags if f.quantity == "eta"] == ["wrong_given"]


def test_a_restated_given_that_agrees_is_a_note_without_points():
    r = grade_text("problem: classic_222\nanswers:\n  lr: 0.5\n  w5: 0.4\n  h1: 0.5932699921\n")
    assert not r.flags and r.score == 1
    assert any("eta is given" in w and "no points" in w for w in r.warnings)
    assert any(w.startswith("w5 is given") for w in r.warnings)


def test_a_wrong_restated_given_is_never_the_basis_of_carried_credit():
    # With eta restated as 0.1, w5_new = w5 - 0.1*grad_w5 would "follow" from the student's own eta: it must not.
    grad = 0.08216704056
    r = grade_text(f"problem: classic_222\nanswers:\n  eta: 0.1\n  w5_new: {0.4 - 0.1 * grad}\n")
    assert r.field("w5_new").verdict == "incorrect"
    assert any(f.kind == "wrong_given" for f in r.flags)


# ---------------------------------------------------------------------------------------------------------------
# --manual CSVs: the question column goes through the resolver too

def test_manual_question_column_is_resolved():
    from grader.grade.manual import merge_manual_scores

    seed = Grader().grade_file(REPO / "submissions_examples" / "seed_homework.yaml")
    sid = seed.student.id
    rows = [{"student_id": sid, "question": "EX1", "points": "10"},
            {"student_id": sid, "question": "ex6.Z_1", "points": "1"},
            {"student_id": sid, "question": "ex6.\\delta_{o_1}", "points": "1"}]
    merged = merge_manual_scores(seed, rows)
    assert merged.field("ex1").points == 10 and merged.field("ex6.z1").points == 1
    assert merged.field("ex6.delta_o1").points == 1
    with pytest.raises(Exception, match="two manual scores"):
        merge_manual_scores(seed, [{"student_id": sid, "question": "ex1", "points": "1"},
                                   {"student_id": sid, "question": "Ex1", "points": "2"}])


def test_manual_question_of_a_plain_problem_is_resolved():
    from grader.grade.manual import merge_manual_scores

    r = grade_text("problem: classic_222\nstudent: {id: '7'}\nanswers:\n  h1: 0.5\n")
    merged = merge_manual_scores(r, [{"student_id": "7", "question": "H_{1}", "points": "1"},
                                     {"student_id": "7", "question": "\\delta_{o_1}", "points": "2"}])
    assert merged.field("h1").points == 1 and merged.field("delta_o1").points == 2


def test_an_unknown_key_with_control_characters_is_quoted_escaped():
    """A key holding a control or bidi character is quoted as the YAML error messages quote keys (escaped, so the
    reader sees what is there), not with the characters replaced by a '?' that could be a real question mark."""
    text = respelled({"delta_o1": "delta_o9\x1b[2J\u202e"})
    (w,) = grade_text(text, source="sub.yaml").warnings
    assert "'delta_o9\\x1b[2J\\u202e'" in w
    assert "\x1b" not in w and "\u202e" not in w


@pytest.mark.parametrize("lhs, q, value", [
    ("w_4(t+1)", "w4_new", "29.9999996937"),
    ("w_4^{(t+1)}", "w4_new", "29.9999996937"),
    ("\\delta(h_1)", "delta_h1", "0.001895112"),
    ("δ(h1)", "delta_h1", "0.001895112"),
    ("delta(h1)", "delta_h1", "0.001895112"),
])
def test_names_with_brackets_are_read_in_a_write_up_as_in_yaml(tmp_path, capsys, lhs, q, value):
    # the README's name table lists @(t+1), @^{(t+1)} and delta(@); the formula grammar reads them as a product or a
    # power, so the left-hand side goes to the names' own reader (the values: the textbook oracle's, 10 digits)
    for text, path in ((f"$${lhs} = {value}$$\n", tmp_path / "w.md"),
                       (f"problem: exercise6\nanswers:\n  '{lhs}': {value}\n", tmp_path / "a.yaml")):
        path.write_text(text, encoding="utf-8")
        assert main([str(path), "--problem", "exercise6", "--format", "json"]) == 0
        fields = json.loads(capsys.readouterr().out)["fields"]
        assert fields[q]["verdict"] == "correct", (path.name, fields[q])


def test_a_product_on_the_left_of_a_written_up_equation_is_still_no_name(tmp_path, capsys):
    path = tmp_path / "w.md"
    path.write_text("$$w_5 (h_1 + h_2) = 3$$\n\n$$f(h_1) = 0.2$$\n", encoding="utf-8")
    assert main([str(path), "--problem", "exercise6", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert all(f["verdict"] == "missing" for f in out["fields"].values())
    assert [u["reason"] for u in out["unattributed"]] == ["the left-hand side is not the name of a quantity"] * 2
