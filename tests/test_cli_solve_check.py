"""`grade solve` and `grade check`."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import mpmath

from grader.cli import main

SEED = "problems/exercise6.yaml"


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def significant_digits(s: str) -> int:
    mant = s.lower().split("e")[0].lstrip("-").replace(".", "").lstrip("0")
    return len(mant)


def test_solve_json_has_every_quantity_with_20_digits(capsys):
    code, out, _ = run(capsys, "solve", SEED, "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["problem"] == "exercise6"
    values = data["values"]
    for name in ("i1", "w8", "eta", "z1", "h1", "o2", "E", "delta_h2", "grad_b1", "w8_new"):
        assert name in values
    assert all(significant_digits(v) >= 20 for v in values.values())
    # independent check of two values: z1 exactly, h1 = sigma(-7.65) with mpmath at 50 digits
    assert Decimal(values["z1"]) == Decimal("-7.65")
    with mpmath.workdps(50):
        h1 = 1 / (1 + mpmath.exp(mpmath.mpf("7.65")))
        assert abs(mpmath.mpf(values["h1"]) - h1) < mpmath.mpf(10) ** -27


def test_solve_text_shows_formula_numbers_and_value(capsys):
    code, out, _ = run(capsys, "solve", SEED)
    assert code == 0
    assert "delta_o1 = (o1 − t1)·o1·(1 − o1) = (0.650011 − 0.9)·0.650011·(1 − 0.650011) = -0.0568717933" in out
    assert "z1 = w1·i1 + w2·i2 + b1 = (-15)·0.8 + 20·0.2 + 0.35 = -7.65" in out


def test_solve_markdown_uses_latex(capsys):
    code, out, _ = run(capsys, "solve", SEED, "--format", "markdown")
    assert code == 0 and r"\delta_{o1}" in out and "$" in out


def test_check_reports_shape_and_saturation(capsys):
    code, out, _ = run(capsys, "check", SEED)
    assert code == 0
    assert "network 2-2-2" in out and "asks 20 quantities" in out
    assert re.search(r"warning: h2 is saturated", out)


def test_check_warns_when_no_update_would_pass(capsys, tmp_path):
    spec = open(SEED, encoding="utf-8").read().replace("learning_rate: 0.3", "learning_rate: 0.0000001")
    p = tmp_path / "tiny.yaml"
    p.write_text(spec, encoding="utf-8")
    code, out, _ = run(capsys, "check", str(p))
    assert code == 0 and "leaving the parameter unchanged would pass" in out


def test_check_invalid_problem_exits_2_with_location(capsys, tmp_path):
    spec = open(SEED, encoding="utf-8").read().replace("w5: [h1, o1]", "w5: [h1, o3]")
    p = tmp_path / "bad.yaml"
    p.write_text(spec, encoding="utf-8")
    code, _, err = run(capsys, "check", str(p))
    assert code == 2 and "bad.yaml:" in err and "o3" in err and "Traceback" not in err


def test_check_and_solve_take_a_homework_set(capsys):
    code, out, _ = run(capsys, "check", "seed_homework")
    assert code == 0 and "valid homework set" in out and "ex6" in out
    code, out, _ = run(capsys, "solve", "seed_homework", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["problem"] == "seed_homework" and "ex2_loss" in data["questions"]


def test_help_lists_every_command(capsys):
    from grader.cli import BUILTIN, MODULE_COMMANDS

    code, out, _ = run(capsys, "--help")
    assert code == 0
    for name in list(BUILTIN) + list(MODULE_COMMANDS):
        assert f"grade {name}" in out


def test_help_names_every_write_up_kind_read(capsys):
    from grader.submission.kinds import WRITEUP_SUFFIXES

    code, out, _ = run(capsys, "--help")
    assert code == 0 and "--problem" in out
    assert [x for x in WRITEUP_SUFFIXES if x != ".markdown" and x not in out] == []
