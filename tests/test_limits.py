"""Limits, each refused with a message that names the limit and its value (exit 2), or, for one answer's expression,
the field graded ``unparseable`` with that message. The boundaries are tested on both sides, so the documented defaults
are the ones enforced: the constants, the loaders' default arguments, and the numbers the README gives.
"""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import pytest

from grader.cli import main
from grader.errors import LimitError
from grader.parse import answer as answer_mod
from grader.parse.answer import MAX_DEPTH, MAX_EXPONENT, MAX_LENGTH, Parsed, Unparseable, parse_answer
from grader.submission.load import DEFAULT_MAX_ANSWERS, load_submission
from grader.yamlio import DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, DEFAULT_MAX_NODES, load_yaml_file, load_yaml_text

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "submissions_examples" / "exercise6_seed.yaml"
README = ROOT / "README.md"


def run_cli(capsys, args) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err, err
    return rc, out, err


def field(out: str, quantity: str) -> dict:
    return json.loads(out)["fields"][quantity]


# ------------------------------------------------------------------------------------------- the documented values


def test_documented_defaults():
    assert DEFAULT_MAX_BYTES == 1024 * 1024  # "1 MiB per file"
    assert DEFAULT_MAX_NODES == 20_000
    assert DEFAULT_MAX_DEPTH == 32
    assert DEFAULT_MAX_ANSWERS == 500
    assert MAX_LENGTH == 200
    assert MAX_EXPONENT == 1000
    assert MAX_DEPTH == 32


@pytest.mark.parametrize("fn", [load_yaml_text, load_yaml_file])
def test_loaders_default_to_the_documented_limits(fn):
    params = inspect.signature(fn).parameters
    assert params["max_bytes"].default == DEFAULT_MAX_BYTES
    assert params["max_nodes"].default == DEFAULT_MAX_NODES
    assert params["max_depth"].default == DEFAULT_MAX_DEPTH


def test_readme_states_the_enforced_limits():
    if not README.exists():
        pytest.skip("no README")
    text = README.read_text(encoding="utf-8")
    size = re.search(r"size \((\d+) MiB\)", text)
    assert size and int(size.group(1)) * 1024 * 1024 == DEFAULT_MAX_BYTES
    length = re.search(r"At most (\d+) characters, exponents up to (\d+)", text)
    assert length and (int(length.group(1)), int(length.group(2))) == (MAX_LENGTH, MAX_EXPONENT)


def test_answer_reader_docstring_names_its_limits():
    doc = answer_mod.__doc__
    for name in ("MAX_LENGTH", "MAX_NODES", "MAX_DEPTH", "MAX_EXPONENT", "MAX_EXACT_DIGITS"):
        assert name in doc


# -------------------------------------------------------------------------------------------------------- file size


def _padded(size: int) -> bytes:
    """The seed submission padded with a trailing comment to exactly ``size`` bytes."""
    base = SEED.read_bytes()
    pad = size - len(base) - len(b"#\n")
    assert pad >= 0
    data = base + b"#" + b"x" * pad + b"\n"
    assert len(data) == size
    return data


def test_file_of_exactly_the_size_limit_is_graded(capsys, tmp_path):
    path = tmp_path / "sub.yaml"
    path.write_bytes(_padded(DEFAULT_MAX_BYTES))
    rc, out, err = run_cli(capsys, [path, "--format", "json"])
    assert rc == 0, err
    assert json.loads(out)["score"] == 4


def test_file_over_the_size_limit_is_refused_naming_the_limit(capsys, tmp_path):
    path = tmp_path / "sub.yaml"
    path.write_bytes(_padded(DEFAULT_MAX_BYTES + 1))
    rc, out, err = run_cli(capsys, [path])
    assert rc == 2 and not out
    assert err.startswith(f"error: {path}: file is too large: ")
    assert f"{DEFAULT_MAX_BYTES + 1:,} bytes" in err and f"the limit is {DEFAULT_MAX_BYTES:,} bytes" in err


def test_a_huge_file_is_refused_without_reading_it_all(capsys, tmp_path):
    path = tmp_path / "big.yaml"
    with open(path, "wb") as f:
        f.write(SEED.read_bytes())
        f.seek(50 * DEFAULT_MAX_BYTES)
        f.write(b"\n")
    rc, _, err = run_cli(capsys, [path])
    assert rc == 2 and f"the limit is {DEFAULT_MAX_BYTES:,} bytes" in err and f"{path.stat().st_size:,} bytes" in err


def test_problem_file_over_the_size_limit(capsys, tmp_path):
    problem = tmp_path / "p.yaml"
    problem.write_bytes((ROOT / "problems" / "exercise6.yaml").read_bytes() + b"#" + b"x" * DEFAULT_MAX_BYTES + b"\n")
    rc, _, err = run_cli(capsys, ["check", problem])
    assert rc == 2 and err.startswith(f"error: {problem}: file is too large")
    assert f"the limit is {DEFAULT_MAX_BYTES:,} bytes" in err


# -------------------------------------------------------------------------------------------------- answer count


def _answers(n: int) -> bytes:
    return ("problem: exercise6\nanswers:\n" + "".join(f"  q{i}: {i}\n" for i in range(n))).encode()


def test_exactly_max_answers_load(tmp_path):
    path = tmp_path / "sub.yaml"
    path.write_bytes(_answers(DEFAULT_MAX_ANSWERS))
    assert len(load_submission(path).answers) == DEFAULT_MAX_ANSWERS


def test_more_answers_than_the_limit_are_refused_naming_the_limit(capsys, tmp_path):
    path = tmp_path / "sub.yaml"
    path.write_bytes(_answers(DEFAULT_MAX_ANSWERS + 1))
    with pytest.raises(LimitError):
        load_submission(path)
    rc, out, err = run_cli(capsys, [path])
    assert rc == 2 and not out
    assert err.startswith(f"error: {path}:2: answers: too many answers: {DEFAULT_MAX_ANSWERS + 1} "), err
    assert f"the limit is {DEFAULT_MAX_ANSWERS}" in err


def test_the_answer_limit_comes_before_unknown_names(capsys, tmp_path):
    """At the limit the names are checked (these are unknown); over it the count is what is reported."""
    path = tmp_path / "sub.yaml"
    path.write_bytes(_answers(DEFAULT_MAX_ANSWERS))
    rc, _, err = run_cli(capsys, [path])
    assert rc == 2 and "unknown quantity 'q0'" in err


# ---------------------------------------------------------------------------------------------- nodes and nesting


def test_node_limit_boundary():
    # root mapping + key + list = 3 nodes, then one per item
    ok = "a: [" + ",".join(["0"] * (DEFAULT_MAX_NODES - 3)) + "]\n"
    assert len(load_yaml_text(ok).data["a"]) == DEFAULT_MAX_NODES - 3
    over = "a: [" + ",".join(["0"] * (DEFAULT_MAX_NODES - 2)) + "]\n"
    with pytest.raises(LimitError, match=f"more than {DEFAULT_MAX_NODES} values"):
        load_yaml_text(over)


def test_alias_bomb_in_a_submission_names_the_node_limit(capsys, tmp_path):
    lines = ["problem: exercise6", "answers: {z1: 1}", "l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 10)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    rc, _, err = run_cli(capsys, [path])
    assert rc == 2 and err.startswith(f"error: {path}:")
    assert f"more than {DEFAULT_MAX_NODES} values" in err and "alias" in err


def _nested(levels: int) -> str:
    """A document nested ``levels`` deep, the root mapping counting as the first level."""
    return "a: " + "[" * (levels - 1) + "1" + "]" * (levels - 1) + "\n"


def test_nesting_depth_boundary():
    load_yaml_text(_nested(DEFAULT_MAX_DEPTH))
    with pytest.raises(LimitError, match=f"nesting deeper than {DEFAULT_MAX_DEPTH} levels"):
        load_yaml_text(_nested(DEFAULT_MAX_DEPTH + 1))


@pytest.mark.parametrize("levels", [DEFAULT_MAX_DEPTH + 1, 200, 5000, 100_000])
def test_deep_nesting_in_a_submission_names_the_limit(capsys, tmp_path, levels):
    path = tmp_path / "deep.yaml"
    path.write_text("problem: exercise6\nanswers:\n  z1: " + "[" * levels + "1" + "]" * levels + "\n")
    rc, _, err = run_cli(capsys, [path])
    assert rc == 2 and err.startswith(f"error: {path}:3:"), err
    if levels <= 1000:
        assert f"nesting deeper than {DEFAULT_MAX_DEPTH} levels" in err, err
    else:
        # Far past the limit, libyaml may refuse first: the libyaml bundled with PyYAML 6.0.4 scans ahead and stops
        # at its own depth (its message names no number); older ones let our event check name DEFAULT_MAX_DEPTH.
        assert (f"nesting deeper than {DEFAULT_MAX_DEPTH} levels" in err
                or "nesting deeper than the YAML parser supports" in err), err


# ----------------------------------------------------------------------------------------------- one expression


def _grade_z1(capsys, tmp_path, text: str) -> dict:
    path = tmp_path / "sub.yaml"
    path.write_text(f"problem: exercise6\nanswers:\n  z1: {json.dumps(text)}\n", encoding="utf-8")
    rc, out, err = run_cli(capsys, [path, "--format", "json"])
    assert rc == 0, err
    return field(out, "z1")


def test_expression_of_exactly_max_length_is_graded(capsys, tmp_path):
    text = "-7.65" + "0" * (MAX_LENGTH - len("-7.65"))
    assert len(text) == MAX_LENGTH
    assert field_verdict(capsys, tmp_path, text) == "correct"


def field_verdict(capsys, tmp_path, text):
    return _grade_z1(capsys, tmp_path, text)["verdict"]


def test_expression_over_max_length_is_unparseable_naming_the_limit(capsys, tmp_path):
    text = "-7.65" + "0" * (MAX_LENGTH + 1 - len("-7.65"))
    f = _grade_z1(capsys, tmp_path, text)
    assert f["verdict"] == "unparseable" and f["points"] == 0
    assert f"({MAX_LENGTH + 1} characters; at most {MAX_LENGTH} are accepted)" in f["message"]


def test_expression_length_counts_after_stripping(capsys, tmp_path):
    text = "   " + "-7.65" + "0" * (MAX_LENGTH - len("-7.65")) + "   "
    assert _grade_z1(capsys, tmp_path, text)["verdict"] == "correct"


def test_expression_length_limit_in_a_using_value(capsys, tmp_path):
    """An over-long ``using`` value is ignored (never trusted), not an error."""
    path = tmp_path / "sub.yaml"
    long = "1" + "0" * MAX_LENGTH
    path.write_text(f"problem: exercise6\nanswers:\n  h1:\n    value: 0.5\n    using: {{z1: '{long}'}}\n")
    rc, out, err = run_cli(capsys, [path, "--format", "json"])
    assert rc == 0, err
    assert field(out, "h1")["verdict"] == "incorrect"


def test_expression_nesting_limit(capsys, tmp_path):
    ok = "(" * MAX_DEPTH + "7.65" + ")" * MAX_DEPTH + "-15.3"  # = -7.65, the key
    assert isinstance(parse_answer(ok), Parsed)
    assert _grade_z1(capsys, tmp_path, ok)["verdict"] == "correct"
    over = "(" * (MAX_DEPTH + 1) + "7.65" + ")" * (MAX_DEPTH + 1) + "-15.3"
    f = _grade_z1(capsys, tmp_path, over)
    assert f["verdict"] == "unparseable" and f"more than {MAX_DEPTH} levels" in f["message"]


@pytest.mark.parametrize(
    "text", [f"2^{MAX_EXPONENT + 1}", f"1e-{MAX_EXPONENT + 1}", f"0.5^{MAX_EXPONENT + 1}", f"1x10^{MAX_EXPONENT + 1}"]
)
def test_exponent_limit(capsys, tmp_path, text):
    f = _grade_z1(capsys, tmp_path, text)
    assert f["verdict"] == "unparseable" and f"at most \u00b1{MAX_EXPONENT}" in f["message"], f


def test_a_positive_exponent_past_the_limit_is_beyond_float_anyway(capsys, tmp_path):
    f = _grade_z1(capsys, tmp_path, f"1e{MAX_EXPONENT + 1}")
    assert f["verdict"] == "unparseable" and "too large" in f["message"], f


def test_exponent_at_the_limit_is_read():
    assert isinstance(parse_answer(f"1e-{MAX_EXPONENT}"), Parsed)  # 0.0 in float, but read
    assert isinstance(parse_answer(f"2^-{MAX_EXPONENT}"), Parsed)


def test_yaml_number_with_too_many_digits_is_unparseable(capsys, tmp_path):
    """A YAML float (not a quoted expression) with more digits than the answer reader takes."""
    path = tmp_path / "sub.yaml"
    path.write_text("problem: exercise6\nanswers:\n  z1: -7." + "6" * (MAX_LENGTH + 5) + "\n")
    rc, out, err = run_cli(capsys, [path, "--format", "json"])
    assert rc == 0, err
    f = field(out, "z1")
    assert f["verdict"] == "unparseable" and str(MAX_LENGTH) in f["message"]


@pytest.mark.parametrize("text", ["1+" * 100 + "1", "-" * 150 + "1", "(" * 30 + "1" + ")" * 30 + "+1" * 60])
def test_long_legal_expressions_stay_within_the_limits(text):
    """Near the limits the reader answers, one way or the other (no exception, no runaway)."""
    result = parse_answer(text)
    assert isinstance(result, (Parsed, Unparseable))
    if isinstance(result, Unparseable):
        assert re.search(r"\d", result.reason), "the reason names the limit's value"


def _compact_problem(sizes: list[int]) -> str:
    lines = ["id: wide", "title: wide", "statement: x", "network:", f"  inputs: {sizes[0]}", "  layers:"]
    prev = sizes[0]
    for s in sizes[1:]:
        w = "[" + ", ".join("[" + ", ".join(["0.01"] * prev) + "]" for _ in range(s)) + "]"
        lines.append(f"    - {{size: {s}, activation: sigmoid, weights: {w}, biases: [{', '.join(['0'] * s)}]}}")
        prev = s
    given = [f"i{k + 1}: 0.5" for k in range(sizes[0])] + [f"t{k + 1}: 0.5" for k in range(sizes[-1])]
    lines += ["given: {" + ", ".join(given) + "}", "loss: half_sse", "training: {learning_rate: 0.1, steps: 1}",
              "ask:", "  quantities: [o1]"]
    return "\n".join(lines) + "\n"


def test_a_problem_within_the_work_budget_is_not_refused_as_an_alias_bomb(tmp_path, capsys):
    # 64-64-64-64-64-64, one step: 20,480 weights + 320 biases + 320 neurons = 21,120 units of the 25,000 budget, but
    # more values than a submission may hold (DEFAULT_MAX_NODES): a problem file gets room for what the budget allows
    from grader.solve.solver import MAX_WORK

    sizes = [64] * 6
    weights = sum(a * b for a, b in zip(sizes, sizes[1:]))
    assert DEFAULT_MAX_NODES < weights < weights + 2 * sum(sizes[1:]) <= MAX_WORK
    path = tmp_path / "wide.yaml"
    path.write_text(_compact_problem(sizes), encoding="utf-8")
    assert main(["check", str(path)]) == 0, capsys.readouterr().err
    capsys.readouterr()
    submission = tmp_path / "s.yaml"  # a submission still gets the submission's limit
    submission.write_text("problem: wide\nanswers:\n  o1: [" + ", ".join(["1"] * (DEFAULT_MAX_NODES + 10)) + "]\n")
    assert main([str(submission), "--problem", str(path)]) == 2
    assert "too many nodes" in capsys.readouterr().err
