"""Free naming (issue 11, item 5): any identifier names an input, unit, net, weight or bias; a name that would
also be a generated one is a located spec error saying what collides and how to rename it; targets can be renamed
with ``targets: {o1: T}``."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.cli import main
from grader.errors import SpecError
from grader.solve.solver import solve
from grader.spec.load import problem_from_document
from grader.yamlio import load_yaml_text

BASE = (Path(__file__).resolve().parent.parent / "problems" / "classic_222.yaml").read_text()


def load(text: str):
    return problem_from_document(load_yaml_text(text, source="p.yaml"))


def error(text: str) -> SpecError:
    with pytest.raises(SpecError) as info:
        load(text)
    return info.value


def line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if fragment in line)


def test_a_bias_named_like_a_target_collides_and_says_how_to_rename():
    text = BASE.replace("bias: b2", "bias: t1").replace("  b2: 0.60\n", "")  # `given` can hold only one t1
    err = error(text)
    assert err.path == "network.layers[1].bias" and err.line == line_of(text, "bias: t1")
    assert "the bias name 't1' is reserved here: t1 is also the target of output o1" in err.message
    assert "targets: {o1: T_o1}" in err.hint and "rename the bias t1" in err.hint


def test_renaming_the_target_resolves_the_collision():
    text = BASE.replace("bias: b2", "bias: t1").replace("  b2: 0.60", "  t1: 0.60", 1)
    text = text.replace("  t1: 0.01", "  T1: 0.01").replace("loss: half_sse", "targets: {o1: T1}\nloss: half_sse")
    p = load(text)
    assert p.network.target_name("o1") == "T1" and p.network.target_name("o2") == "t2"
    assert p.params["t1"] == p.given_values()["t1"] and p.given_values()["T1"] == p.examples[0].targets["o1"]
    key = solve(p)
    assert key.node("E_o1").expr.symbols() == ["T1", "o1"]
    assert key.node("net_o1").expr.symbols()[-1] == "t1"  # the bias


def test_any_identifier_without_a_collision_is_a_name():
    # generated-looking names are fine where this problem generates no such name
    text = (BASE.replace("bias: b1", "bias: t7").replace("  b1: 0.35", "  t7: 0.35")
            .replace("w8", "delta").replace("inputs: [i1, i2]", "inputs: [i1, x_new]").replace("i2", "x_new")
            .replace("x_new, x_new", "i1, x_new"))
    p = load(text)
    assert "t7" in p.params and "delta" in p.params and p.network.inputs == ("i1", "x_new")
    assert solve(p).values["delta_new"]  # the weight named delta, after the step


@pytest.mark.parametrize("old, name, what", [
    ("w8", "delta_h1", "the delta of h1"),
    ("w8", "w5_new", "w5 after the update"),
    ("w8", "dE_dout_o1", "dE/do1"),
    ("w8", "E", "the loss"),
    ("w8", "lr", "another name of the learning rate"),
    ("b2", "E_o2", "the loss at output o2"),
    ("b1", "b2_new", "b2 after the update (frozen)"),  # biases are frozen here: b2_new is what a slip would write
])
def test_collisions_name_both_meanings(old, name, what):
    new = f"bias: {name}" if old.startswith("b") else f"{name}: [h2, o2]"
    text = BASE.replace(f"bias: {old}" if old.startswith("b") else f"{old}: [h2, o2]", new)
    text = text.replace(f"  {old}: ", f"  {name}: ", 1)
    err = error(text)
    assert f"name {name!r} is reserved here: {name} is also {what}" in err.message, err.message
    assert err.line == line_of(text, new) and err.hint


def test_grade_check_exits_2_on_a_collision(tmp_path, capsys):
    path = tmp_path / "p.yaml"
    path.write_text(BASE.replace("bias: b2", "bias: t1").replace("  b2: 0.60\n", ""))
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "p.yaml" in err and "t1" in err and "targets: {o1: T_o1}" in err


def test_a_renamed_target_must_be_an_output_and_unique():
    err = error(BASE.replace("loss: half_sse", "targets: {h1: T}\nloss: half_sse"))
    assert err.path == "targets.h1" and "not an output neuron" in err.message
    err = error(BASE.replace("loss: half_sse", "targets: {o1: w1}\nloss: half_sse"))
    assert "duplicate name 'w1'" in err.message
