"""Every bundled example submission, graded through the real CLI, with the verdicts it must get."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "submissions_examples"

# file -> {quantity: (verdict, diagnosis id or None)} for every field that is not plainly correct or missing
MISTAKES = {
    "mistake_sequential_update.yaml": {"delta_h1": ("incorrect", "sequential_update")},
    "mistake_flipped_sign.yaml": {"w5_new": ("incorrect", "flipped_sign")},
    "mistake_missing_derivative.yaml": {"delta_o1": ("incorrect", "missing_derivative")},
    "mistake_derivative_of_net.yaml": {"delta_o1": ("incorrect", "derivative_of_net")},
    "mistake_loss_scaling.yaml": {"delta_o1": ("incorrect", "loss_scaling")},
    "mistake_sigmoid_sign.yaml": {"h1": ("incorrect", "sigmoid_sign")},
    "mistake_bias_left_out.yaml": {"net_h1": ("incorrect", "bias_left_out")},
    "mistake_mixed_indices.yaml": {"delta_h1": ("incorrect", "mixed_indices")},
    "mistake_power_of_ten.yaml": {"w5_new": ("incorrect", "power_of_ten")},
    "mistake_rounding_too_early.yaml": {"delta_o1": ("incorrect", "rounding_too_early")},
    "mistake_missing_learning_rate.yaml": {"w5_new": ("incorrect", "missing_learning_rate")},
    "classic_carried.yaml": {"net_h1": ("incorrect", "arithmetic")},
    "classic_correct.yaml": {},
}
UNUSABLE = {
    "malformed_yaml_syntax.yaml": ("malformed_yaml_syntax.yaml:6", "YAML syntax error"),
    "malformed_missing_problem.yaml": ("malformed_missing_problem.yaml", "problem"),
}


def grade_json(capsys, *args):
    code = main([*args, "--format", "json"])
    out = capsys.readouterr()
    return code, (json.loads(out.out) if out.out else None), out.err


def test_every_example_is_covered():
    covered = set(MISTAKES) | set(UNUSABLE) | {"exercise6_seed.yaml", "malformed_unparseable_value.yaml",
                                               "warning_unknown_quantity.yaml"}
    assert {p.name for p in EXAMPLES.glob("*.yaml")} - {"seed_homework.yaml"} <= covered


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_example_verdicts(capsys, name):
    code, result, _ = grade_json(capsys, str(EXAMPLES / name))
    assert code == 0
    unexpected = {
        q: (f["verdict"], (f["diagnosis"] or {}).get("id"))
        for q, f in result["fields"].items()
        if f["verdict"] not in ("correct", "missing", "carried")
    }
    assert unexpected == MISTAKES[name]


def test_correct_submission_gets_full_marks(capsys):
    _, result, _ = grade_json(capsys, str(EXAMPLES / "classic_correct.yaml"))
    assert result["score"] == result["max_score"] > 0
    assert {f["verdict"] for f in result["fields"].values()} == {"correct"}


def test_carried_error_loses_only_the_first_wrong_value(capsys):
    _, result, _ = grade_json(capsys, str(EXAMPLES / "classic_carried.yaml"))
    fields = result["fields"]
    assert fields["net_h1"]["points"] == 0
    assert result["score"] == result["max_score"] - fields["net_h1"]["max_points"]
    for q, f in fields.items():
        if q != "net_h1":
            assert f["verdict"] in ("carried", "correct"), q
            assert f["points"] == f["max_points"]
    carried = {q for q, f in fields.items() if f["verdict"] == "carried"}
    assert {"h1", "delta_h1", "w1_new", "w5_new"} <= carried
    assert "0.4775" in fields["h1"]["message"]


@pytest.mark.parametrize("name", sorted(UNUSABLE))
def test_unusable_examples_exit_2_with_file_and_line(capsys, name):
    code = main([str(EXAMPLES / name)])
    err = capsys.readouterr().err
    where, what = UNUSABLE[name]
    assert code == 2
    assert where in err and what in err
    assert "Traceback" not in err


def test_an_unknown_name_costs_only_its_answer(capsys):
    """Issue 11 item 2: the file is graded (exit 0), the unknown key is a warning with its line and suggestions, and
    the names written as textbooks write them (net_{h1}, \\delta_{o_1}, w5') are graded under the problem's names."""
    code, result, _ = grade_json(capsys, str(EXAMPLES / "warning_unknown_quantity.yaml"))
    assert code == 0
    f = result["fields"]
    assert f["net_h1"]["verdict"] == f["delta_o1"]["verdict"] == f["w5_new"]["verdict"] == "correct"
    (w,) = result["warnings"]
    assert "line 7" in w and "'o3'" in w and "not graded" in w and "o1" in w
    code = main([str(EXAMPLES / "warning_unknown_quantity.yaml")])
    assert code == 0 and "'o3'" in capsys.readouterr().out


def test_unparseable_values_are_graded_not_fatal(capsys):
    code, result, _ = grade_json(capsys, str(EXAMPLES / "malformed_unparseable_value.yaml"))
    assert code == 0
    f = result["fields"]
    assert f["net_h1"]["verdict"] == "correct"
    assert f["h1"]["verdict"] == f["o1"]["verdict"] == "unparseable"
    assert "about" in f["h1"]["message"] or "unexpected" in f["h1"]["message"]
    assert f["o2"]["verdict"] == "correct"  # an expression is read by our own evaluator


def test_seed_exercise6_catches_every_error(capsys):
    code, result, _ = grade_json(capsys, str(EXAMPLES / "exercise6_seed.yaml"))
    assert code == 0
    f = result["fields"]
    # z1, z2: wrong arithmetic with the given values
    assert f["z1"]["verdict"] == f["z2"]["verdict"] == "incorrect"
    assert f["z1"]["diagnosis"]["id"] == f["z2"]["diagnosis"]["id"] == "arithmetic"
    # h1, h2: wrong even given the student's own z (the sigmoid's sign)
    for q in ("h1", "h2"):
        assert f[q]["verdict"] == "incorrect" and f[q]["diagnosis"]["id"] == "sigmoid_sign"
    # the forward pass after h is carried correctly
    assert all(f[q]["verdict"] == "carried" for q in ("z3", "z4", "o1", "o2"))
    flags = {(fl["kind"], fl["quantity"]) for fl in result["flags"]}
    # o1 ≈ 1.0 in the forward pass but 0.0003 in delta_o1
    assert ("inconsistent", "o1") in flags and ("inconsistent", "o2") in flags
    assert f["delta_o1"]["diagnosis"]["id"] == "uses_flagged_value"
    # invented weights w5..w8
    assert {("wrong_given", w) for w in ("w5", "w6", "w7", "w8")} <= flags
    # the 10x slip in w5_new's change
    assert f["w5_new"]["verdict"] == "incorrect" and f["w5_new"]["diagnosis"]["id"] == "power_of_ten"
    # the sign of delta_h1 (and delta_h2) against the student's own numbers
    assert f["delta_h1"]["diagnosis"]["id"] == "wrong_sign"
    assert f["delta_h2"]["diagnosis"]["id"] == "wrong_sign"
    # w3_new: -25 + 2.16e-8 written as -25.0000000216
    assert f["w3_new"]["diagnosis"]["id"] == "flipped_sign"
    o1_flag = next(fl for fl in result["flags"] if fl["quantity"] == "o1")
    assert sorted(o1_flag["values"]) == [0.0003, 1.0]


def test_several_files_keep_going_after_a_bad_one(capsys):
    code = main([str(EXAMPLES / "malformed_yaml_syntax.yaml"), str(EXAMPLES / "classic_correct.yaml"), "--format", "json"])
    out = capsys.readouterr()
    assert code == 2
    objects = json.loads(out.out)
    assert "error" in objects[0] and objects[1]["score"] == objects[1]["max_score"]
