"""The YAML problem surface: shipped problems, exact values, both network forms, every check, problem lookup."""

from __future__ import annotations

import dataclasses
import json
from fractions import Fraction
from pathlib import Path

import pytest

from grader.errors import SubmissionError, SpecError
from grader.spec.load import BUNDLED_PROBLEMS, find_problem, load_problem, problem_from_document
from grader.spec.names import quantity_names
from grader.spec.problem import Network, Neuron, Problem, Tolerance
from grader.spec.schema import ProblemSpec, naming_doc
from grader.yamlio import load_yaml_text

REPO = Path(__file__).resolve().parent.parent
SHIPPED = sorted(
    p for p in (REPO / "problems").glob("*.yaml")
    # homework sets and randomized problems have tests of their own (tests/test_author_*.py)
    if not any(line.startswith(("questions:", "randomize:")) for line in p.read_text(encoding="utf-8").splitlines())
)

BASE = """\
id: t222
title: test
network:
  inputs: [i1, i2]
  layers:
    - neurons: [h1, h2]
      activation: sigmoid
      bias: b1
      weights:
        w1: [i1, h1]
        w2: [i2, h1]
        w3: [i1, h2]
        w4: [i2, h2]
    - neurons: [o1, o2]
      activation: sigmoid
      bias: b2
      weights:
        w5: [h1, o1]
        w6: [h2, o1]
        w7: [h1, o2]
        w8: [h2, o2]
given:
  i1: 0.05
  i2: 0.10
  w1: 0.15
  w2: 0.20
  w3: 0.25
  w4: 0.30
  b1: 0.35
  w5: 0.40
  w6: 0.45
  w7: 0.50
  w8: 0.55
  b2: 0.60
  t1: 0.01
  t2: 0.99
loss: half_sse
training:
  learning_rate: 0.5
  update_biases: false
ask:
  quantities:
    - h1
    - {delta_o1: 2}
    - w5_new
"""

COMPACT = """\
id: t222c
title: test
network:
  inputs: 2
  layers:
    - size: 2
      activation: sigmoid
      weights: [[0.15, 0.20], [0.25, 0.30]]
      bias: 0.35
    - size: 2
      activation: sigmoid
      weights: [[0.40, 0.45], [0.50, 0.55]]
      bias: 0.60
given: {i1: 0.05, i2: 0.10, t1: 0.01, t2: 0.99}
loss: half_sse
training: {learning_rate: 0.5, update_biases: false}
ask:
  quantities: [h1, {delta_o1: 2}, w2_1_1_new]
"""


def load(text: str, source: str = "t.yaml") -> Problem:
    return problem_from_document(load_yaml_text(text, source=source))


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def line_of(text: str, fragment: str, nth: int | None = None) -> int:
    """The line holding ``fragment`` (which must be unique unless ``nth`` picks one of its occurrences)."""
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if fragment in line]
    assert len(lines) == 1 or nth is not None, fragment
    return lines[nth or 0]


def spec_error(text: str) -> SpecError:
    with pytest.raises(SpecError) as info:
        load(text)
    assert info.value.file == "t.yaml"
    return info.value


def check(text: str, *, path: str | None, line_fragment: str | None, message: str, hint: str | None = None,
          nth: int | None = None) -> SpecError:
    """Loading ``text`` fails with this path, the line of ``line_fragment``, a message and a hint fragment."""
    err = spec_error(text)
    assert err.path == path, str(err)
    if line_fragment is not None:
        assert err.line == line_of(text, line_fragment, nth), str(err)
    assert message in err.message, str(err)
    if hint is not None:
        assert err.hint is not None and hint in err.hint, str(err)
    return err


# ---------------------------------------------------------------------------------------------------------- shipped


def test_problems_are_shipped() -> None:
    names = {p.stem for p in SHIPPED}
    assert {"exercise6", "classic_222", "tanh_relu", "softmax_ce", "batch_two", "two_steps", "compact_3layer"} <= names


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_problem_loads(path: Path) -> None:
    problem = load_problem(path)
    assert problem.id == path.stem
    assert problem.source == str(path)
    assert problem.ask and problem.statement.strip()
    computed = set(quantity_names(problem))
    assert all(item.quantity in computed for item in problem.ask)
    assert list(problem.params) == list(problem.network.params)


def test_exercise6_is_exact_and_wired_as_the_seed() -> None:
    p = load_problem(REPO / "problems" / "exercise6.yaml")
    assert p.params["b1"] == Fraction(7, 20) and p.params["b2"] == Fraction(3, 5)
    assert p.params == {"w1": -15, "w2": 20, "w3": -25, "w4": 30, "w5": 40, "w6": 45, "w7": 50, "w8": 55,
                        "b1": Fraction(7, 20), "b2": Fraction(3, 5)}
    assert all(type(v) is Fraction for v in p.params.values())
    (ex,) = p.examples
    assert ex.inputs == {"i1": Fraction(4, 5), "i2": Fraction(1, 5)}
    assert ex.targets == {"o1": Fraction(9, 10), "o2": Fraction(1, 10)}
    net = p.network
    assert net.neurons["h2"] == Neuron("h2", 1, "z2", "b1", (("w3", "i1"), ("w4", "i2")))
    assert net.neurons["o2"] == Neuron("o2", 2, "z4", "b2", (("w7", "h1"), ("w8", "h2")))
    assert [net.neurons[n].net for n in ("h1", "h2", "o1", "o2")] == ["z1", "z2", "z3", "z4"]
    assert net.biases == {"b1": ("h1", "h2"), "b2": ("o1", "o2")}
    assert p.training.learning_rate == Fraction(3, 10) and not p.training.update_biases and p.training.steps == 1
    assert p.loss == "half_sse"
    assert p.default_tolerance == Tolerance("relabs", 0.01, 1e-12, 3)
    points = {a.quantity: a.points for a in p.ask}
    assert list(points) == ["z1", "z2", "h1", "h2", "z3", "z4", "o1", "o2", "delta_o1", "delta_o2", "delta_h1",
                            "delta_h2"] + [f"w{k}_new" for k in range(1, 9)]
    assert points["delta_h2"] == 2 and points["z1"] == 1 and points["w8_new"] == 1
    assert all(a.tolerance == p.default_tolerance for a in p.ask)


def test_exact_values_accept_fraction_strings() -> None:
    p = load(edit(BASE, "  b1: 0.35", '  b1: "7/20"'))
    assert p.params["b1"] == Fraction(7, 20)
    assert load(BASE).params["w1"] == Fraction(3, 20)


# ---------------------------------------------------------------------------------------------------- both forms


def _renamed(net: Network, names: dict[str, str]) -> Network:
    r = lambda n: names.get(n, n)  # noqa: E731
    neurons = {r(k): dataclasses.replace(v, name=r(v.name), net=r(v.net), bias=r(v.bias) if v.bias else None,
                                         incoming=tuple((r(w), r(s)) for w, s in v.incoming))
               for k, v in net.neurons.items()}
    return Network(tuple(map(r, net.inputs)),
                   tuple(dataclasses.replace(layer, neurons=tuple(map(r, layer.neurons))) for layer in net.layers),
                   neurons, {r(w): (r(s), r(d)) for w, (s, d) in net.weights.items()},
                   {r(b): tuple(map(r, ns)) for b, ns in net.biases.items()})


def test_both_forms_build_the_same_problem() -> None:
    explicit, compact = load(BASE), load(COMPACT)
    names = {"w1_1_1": "w1", "w1_1_2": "w2", "w1_2_1": "w3", "w1_2_2": "w4",
             "w2_1_1": "w5", "w2_1_2": "w6", "w2_2_1": "w7", "w2_2_2": "w8", "w2_1_1_new": "w5_new"}
    assert _renamed(compact.network, names) == explicit.network
    assert {names.get(k, k): v for k, v in compact.params.items()} == explicit.params
    assert [names.get(k, k) for k in compact.params] == list(explicit.params)
    assert compact.examples == explicit.examples
    assert compact.training == explicit.training and compact.loss == explicit.loss
    assert [dataclasses.replace(a, quantity=names.get(a.quantity, a.quantity)) for a in compact.ask] == list(explicit.ask)


def test_compact_auto_names() -> None:
    text = """\
id: c3
title: t
network:
  inputs: 3
  layers:
    - {size: 2, activation: tanh, weights: [[1, 2, 3], [4, 5, 6]], biases: [0.1, 0.2]}
    - {size: 2, activation: {kind: relu, derivative_at_zero: 0}, weights: [[1, 2], [3, 4]], bias: 0.5}
    - {size: 1, activation: sigmoid, weights: [[1, -1]]}
given: {i1: 1, i2: 2, i3: 3, t1: 1}
loss: binary_cross_entropy
training: {learning_rate: 0.1}
ask: {quantities: [delta_h2_1]}
"""
    net = load(text).network
    assert net.inputs == ("i1", "i2", "i3")
    assert [layer.neurons for layer in net.layers] == [("h1_1", "h1_2"), ("h2_1", "h2_2"), ("o1",)]
    assert net.neurons["h1_2"].incoming == (("w1_2_1", "i1"), ("w1_2_2", "i2"), ("w1_2_3", "i3"))
    assert net.neurons["h2_1"].net == "net_h2_1" and net.neurons["o1"].bias is None
    assert net.biases == {"b1_1": ("h1_1",), "b1_2": ("h1_2",), "b2": ("h2_1", "h2_2")}
    assert load(text).params["w1_2_3"] == 6 and load(text).params["b2"] == Fraction(1, 2)
    single = load(COMPACT).network
    assert single.layers[0].neurons == ("h1", "h2") and single.outputs == ("o1", "o2")
    doc = naming_doc()
    for fragment in ("`h<l>_<j>`", "`w<l>_<j>_<k>`", "`b<l>_<j>`", "`b<l>`", "`net_<neuron>`", "`o1` .. `om`"):
        assert fragment in doc


def test_json_schema_is_generated() -> None:
    schema = json.dumps(ProblemSpec.model_json_schema())
    assert "derivative_at_zero" in schema and "learning_rate" in schema and "description" in schema


# ---------------------------------------------------------------------------------------------------------- checks


def test_pydantic_errors_are_located() -> None:
    text = edit(BASE, "  learning_rate: 0.5", "  learning_rat: 0.5")
    err = check(text, path="training.learning_rat", line_fragment="learning_rat:", message="unknown field",
                hint="learning_rate")
    assert "allowed here" in err.hint
    check(edit(BASE, "  w6: 0.45", "  w6: abc"), path="given.w6", line_fragment="w6: abc", message="")
    check(edit(BASE, "loss: half_sse", "loss: hinge"), path="loss", line_fragment="loss:", message="invalid value",
          hint="categorical_cross_entropy")
    check(edit(BASE, "w5: [h1, o1]", "w5: [h1]"), path="network.layers[1].weights.w5", line_fragment="w5: [h1]",
          message="at least 2 items", hint="name: [from, to]")
    check(edit(BASE, "    - neurons: [o1, o2]\n", "    - nodes: [o1, o2]\n"), path="network.layers[1]",
          line_fragment="nodes:", message="`neurons:` (explicit form) or `size:` (compact form)")
    check("- 1\n", path=None, line_fragment=None, message="a problem spec is a YAML mapping", hint="id:")


def test_several_pydantic_errors_are_listed_with_lines() -> None:
    text = edit(edit(BASE, "  w6: 0.45", "  w6: abc"), "  update_biases: false",
                "  update_biases: false\n  steps: 0")
    err = spec_error(text)
    assert err.path == "given.w6"
    assert f"training.steps (line {line_of(text, 'steps: 0')})" in err.message


def test_unknown_neuron_in_weights() -> None:
    text = edit(BASE, "w7: [h1, o2]", "w7: [h1, o3]")
    check(text, path="network.layers[1].weights.w7", line_fragment="w7: [h1, o3]", message="unknown neuron 'o3'",
          hint="h1, h2 (sources) and o1, o2 (this layer)")


def test_wire_source_must_be_earlier_and_destination_this_layer() -> None:
    check(edit(BASE, "w7: [h1, o2]", "w7: [o1, o2]"), path="network.layers[1].weights.w7",
          line_fragment="w7: [o1, o2]", message="not an input or a neuron of an earlier layer", hint="(sources)")
    check(edit(BASE, "w7: [h1, o2]", "w7: [i1, h2]"), path="network.layers[1].weights.w7",
          line_fragment="w7: [i1, h2]", message="destination 'h2' is not a neuron of this layer")
    check(edit(BASE, "w2: [i2, h1]", "w2: [i1, h1]"), path="network.layers[0].weights.w2",
          line_fragment="w2: [i1, h1]", message="already wired by w1")


def test_skip_connections_are_allowed() -> None:
    text = edit(edit(BASE, "        w8: [h2, o2]", "        w8: [h2, o2]\n        w9: [i1, o2]"),
                "  w8: 0.55", "  w8: 0.55\n  w9: 0.1")
    assert load(text).network.neurons["o2"].incoming[-1] == ("w9", "i1")


def test_names_are_unique_and_identifier_like() -> None:
    check(edit(BASE, "w6: [h2, o1]", "w1: [h2, o1]"), path="network.layers[1].weights.w1",
          line_fragment="w1: [h2, o1]", message="duplicate name 'w1'", hint="network.layers[0].weights.w1")
    check(edit(BASE, "    - neurons: [o1, o2]", "    - neurons: [o1, h1]"), path="network.layers[1].neurons[1]",
          line_fragment="neurons: [o1, h1]", message="duplicate name 'h1'")
    check(edit(BASE, "bias: b2", "bias: b1"), path="network.layers[1].bias", line_fragment="bias: b1", nth=1,
          message="duplicate name 'b1'", hint="network.layers[0].bias")
    check(edit(BASE, "inputs: [i1, i2]", "inputs: [i1, i-2]"), path="network.inputs[1]", line_fragment="inputs:",
          message="not identifier-like", hint="letter")
    check(edit(BASE, "bias: b2", "bias: eta"), path="network.layers[1].bias", line_fragment="bias: eta",
          message="reserved")
    text = edit(BASE, "      activation: sigmoid\n      bias: b1", "      activation: sigmoid\n      nets: {h1: z, h2: z}\n      bias: b1")
    check(text, path="network.layers[0].nets.h2", line_fragment="nets:", message="duplicate name 'z'")


def test_every_neuron_needs_an_incoming_weight() -> None:
    text = edit(edit(BASE, "        w8: [h2, o2]\n", ""), "        w7: [h1, o2]\n", "")
    check(text, path="network.layers[1].neurons[1]", line_fragment="neurons: [o1, o2]",
          message="neuron 'o2' has no incoming weight", hint="w_o2: [")


def test_bias_and_biases_together() -> None:
    text = edit(BASE, "      bias: b2\n", "      bias: b2\n      biases: {o1: b3}\n")
    check(text, path="network.layers[1].biases", line_fragment="biases: {o1: b3}", message="not both")


def test_softmax_and_loss_pairing() -> None:
    hidden = edit(BASE, "      activation: sigmoid\n      bias: b1", "      activation: softmax\n      bias: b1")
    check(hidden, path="network.layers[0].activation", line_fragment="activation: softmax",
          message="output layer only")
    out = edit(BASE, "      activation: sigmoid\n      bias: b2", "      activation: softmax\n      bias: b2")
    check(out, path="loss", line_fragment="loss:", message="needs loss categorical_cross_entropy",
          hint="loss: categorical_cross_entropy")
    cce = edit(edit(BASE, "loss: half_sse", "loss: categorical_cross_entropy"), "  t1: 0.01\n  t2: 0.99",
               "  t1: 0\n  t2: 1")
    check(cce, path="loss", line_fragment="loss:", message="needs a softmax output layer",
          hint="activation: softmax on the last layer (network.layers[1])")
    assert load(edit(cce, "      activation: sigmoid\n      bias: b2", "      activation: softmax\n      bias: b2"))
    bce = edit(edit(BASE, "loss: half_sse", "loss: binary_cross_entropy"),
               "      activation: sigmoid\n      bias: b2", "      activation: tanh\n      bias: b2")
    check(bce, path="loss", line_fragment="loss:", message="needs a sigmoid output layer")


def test_relu_must_state_its_derivative_at_zero() -> None:
    text = edit(BASE, "      activation: sigmoid\n      bias: b1", "      activation: relu\n      bias: b1")
    check(text, path="network.layers[0].activation", line_fragment="activation: relu",
          message="derivative_at_zero", hint="{kind: relu, derivative_at_zero: 0}")
    ok = edit(BASE, "      activation: sigmoid\n      bias: b1",
              "      activation: {kind: relu, derivative_at_zero: 0.5}\n      bias: b1")
    act = load(ok).network.layers[0].activation
    assert act.kind == "relu" and act.derivative_at_zero == Fraction(1, 2)
    leaky = edit(BASE, "      activation: sigmoid\n      bias: b1",
                 "      activation: {kind: leaky_relu, slope: 0.1, derivative_at_zero: 1}\n      bias: b1")
    assert load(leaky).network.layers[0].activation.slope == Fraction(1, 10)
    check(edit(BASE, "      activation: sigmoid\n      bias: b1",
               "      activation: {kind: tanh, slope: 0.1}\n      bias: b1"),
          path="network.layers[0].activation", line_fragment="kind: tanh", message="takes no")


def test_given_values_missing_and_extra() -> None:
    text = edit(edit(BASE, "  w3: 0.25\n", ""), "  b2: 0.60\n", "")
    check(text, path="given", line_fragment="given:", message="missing given values: w3, b2", hint="every weight")
    check(edit(BASE, "  t2: 0.99\n", ""), path="given", line_fragment="given:", message="missing given values: t2")
    check(edit(BASE, "  w8: 0.55", "  w9: 0.55"), path="given.w9", line_fragment="w9: 0.55",
          message="not an input, target, weight or bias", hint="w8")
    check(edit(BASE, "  t2: 0.99", "  t2: 0.99\n  eta: 0.5"), path="given.eta", line_fragment="eta:",
          message="not an input", hint="training.learning_rate")


def test_examples_form() -> None:
    text = (BASE.replace("  i1: 0.05\n  i2: 0.10\n", "").replace("  t1: 0.01\n  t2: 0.99\n",
            "examples:\n  - {i1: 0.05, i2: 0.1, t1: 0.01, t2: 0.99}\n  - {i1: 1, i2: 0, t1: 1, t2: 0}\n")
            .replace("    - h1\n", "    - h1_x2\n").replace("{delta_o1: 2}", "{delta_o1_x1: 2}"))
    p = load(text)
    assert p.batched and p.examples[1].inputs == {"i1": 1, "i2": 0}
    check(edit(text, "{i1: 1, i2: 0, t1: 1, t2: 0}", "{i1: 1, t1: 1, t2: 0}"), path="examples[1]",
          line_fragment="{i1: 1, t1: 1", message="missing given values: i2")
    check(edit(text, "{i1: 1, i2: 0, t1: 1, t2: 0}", "{i1: 1, i2: 0, t1: 1, t2: 0, t3: 1}"),
          path="examples[1].t3", line_fragment="t3: 1", message="not an input or target")
    check(edit(text, "  b2: 0.60", "  b2: 0.60\n  i1: 0.3"), path="given.i1", line_fragment="i1: 0.3",
          message="`examples` is used")
    check(edit(text, "    - h1_x2\n", "    - h1\n"), path="ask.quantities[0]", line_fragment="- h1",
          message="unknown quantity 'h1'", hint="h1_x1, h1_x2")


def test_learning_rate_must_be_positive() -> None:
    check(edit(BASE, "learning_rate: 0.5", "learning_rate: 0"), path="training.learning_rate",
          line_fragment="learning_rate: 0", message="must be positive")


def test_cross_entropy_targets() -> None:
    bce = edit(BASE, "loss: half_sse", "loss: binary_cross_entropy")
    assert load(bce)
    check(edit(bce, "  t2: 0.99", "  t2: 1.5"), path="given.t2", line_fragment="t2: 1.5", message="outside [0, 1]")
    cce = edit(edit(BASE, "loss: half_sse", "loss: categorical_cross_entropy"),
               "      activation: sigmoid\n      bias: b2", "      activation: softmax\n      bias: b2")
    check(edit(cce, "  t2: 0.99", "  t2: 0.98"), path="given", line_fragment="given:", message="sum to 1")


def test_asked_quantities() -> None:
    check(edit(BASE, "    - h1\n", "    - delta_o3\n"), path="ask.quantities[0]", line_fragment="- delta_o3",
          message="unknown quantity 'delta_o3'", hint="delta_o1")
    check(edit(BASE, "    - h1\n", "    - w1\n"), path="ask.quantities[0]", line_fragment="- w1",
          message="w1 is given", hint="ask for w1_new")
    check(edit(BASE, "    - w5_new\n", "    - w5_new\n    - {quantity: h1, points: 3}\n"),
          path="ask.quantities[3]", line_fragment="quantity: h1", message="h1 is asked twice",
          hint="ask.quantities[0]")
    check(edit(BASE, "    - w5_new\n", "    - b1_new\n"), path="ask.quantities[2]", line_fragment="- b1_new",
          message="biases are frozen", hint="update_biases: true")


def test_at_least_one_ask_and_positive_points() -> None:
    text = BASE.split("ask:\n")[0] + "ask:\n  quantities: []\n"
    check(text, path="ask.quantities", line_fragment="quantities: []", message="at least 1")
    check(edit(BASE, "{delta_o1: 2}", "{delta_o1: 0}"), path="ask.quantities[1].delta_o1",
          line_fragment="delta_o1: 0", message="greater than 0")
    check(edit(BASE, "{delta_o1: 2}", "{quantity: delta_o1, points: -1}"), path="ask.quantities[1].points",
          line_fragment="points: -1", message="greater than 0")


def test_ask_points_and_tolerances() -> None:
    text = edit(BASE, "ask:\n", "ask:\n  tolerance: {rtol: 0.05}\n  carried_credit: 0.5\n")
    text = edit(text, "    - w5_new\n", "    - {quantity: w5_new, points: 3, tolerance: {mode: sigfig, digits: 4}}\n"
                "    - {quantity: o1, tolerance: {atol: 0.001}}\n")
    p = load(text)
    assert p.default_tolerance == Tolerance("relabs", 0.05, 1e-9, 3) and p.carried_credit == 0.5
    items = {a.quantity: a for a in p.ask}
    assert items["h1"].points == 1 and items["delta_o1"].points == 2 and items["w5_new"].points == 3
    assert items["w5_new"].tolerance.mode == "sigfig" and items["w5_new"].tolerance.digits == 4
    assert items["o1"].tolerance == Tolerance("relabs", 0.05, 0.001, 3)
    assert all(isinstance(a.tolerance.rtol, float) for a in p.ask)
    check(edit(BASE, "    - h1\n", "    - {quantity: h1, tolerance: {mode: sigfig, rtol: 0.1}}\n"),
          path="ask.quantities[0].tolerance", line_fragment="quantity: h1", message="rtol/atol apply to mode relabs")


def test_reveal_after_due_needs_a_date() -> None:
    check(BASE + "reveal: after_due\n", path="reveal", line_fragment="reveal:", message="needs a due date",
          hint="due: ")
    p = load(BASE + "reveal: after_due\ndue: 2026-12-01T23:59:00Z\n")
    assert p.reveal == "after_due" and p.due is not None and p.due.startswith("2026-12-01T23:59:00")


def test_compact_form_checks() -> None:
    check(edit(COMPACT, "[[0.40, 0.45], [0.50, 0.55]]", "[[0.40, 0.45]]"), path="network.layers[1].weights",
          line_fragment="[[0.40, 0.45]]", message="1 weight rows for a layer of size 2")
    check(edit(COMPACT, "[[0.40, 0.45], [0.50, 0.55]]", "[[0.40, 0.45], [0.50]]"),
          path="network.layers[1].weights[1]", line_fragment="[[0.40, 0.45], [0.50]]",
          message="row 2 has 1 numbers but the previous layer has 2 units", hint="h1, h2")
    check(edit(COMPACT, "given: {i1: 0.05,", "given: {w1_1_1: 1, i1: 0.05,"), path="given.w1_1_1",
          line_fragment="given:", message="inline")
    mixed = edit(COMPACT, "    - size: 2\n      activation: sigmoid\n      weights: [[0.40, 0.45], [0.50, 0.55]]\n"
                 "      bias: 0.60\n", "    - neurons: [o1]\n      activation: sigmoid\n      weights: {w5: [h1, o1]}\n")
    check(mixed, path="network.layers[1]", line_fragment="neurons: [o1]", message="layer 1 is explicit",
          hint="same form")
    check(edit(COMPACT, "    - size: 2\n      activation: sigmoid\n      weights: [[0.15",
               "    - activation: sigmoid\n      weights: [[0.15"), path="network.layers[0]",
          line_fragment="- activation: sigmoid", message="`neurons:`")


# ------------------------------------------------------------------------------------------------------ find_problem


def test_find_problem_resolution_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An instructor's reference: an existing path wins, then near the instructor's own file (a homework set),
    then --problems DIR, ./problems, the bundled problems."""
    course = tmp_path / "course"
    sets = course / "sets"
    (sets / "problems").mkdir(parents=True)
    (course / "problems").mkdir()
    given = tmp_path / "given"
    given.mkdir()
    hw = sets / "hw.yaml"
    hw.write_text("x: 1\n")
    for f in (sets / "p.yaml", sets / "problems" / "p.yaml", course / "problems" / "p.yaml",
              course / "problems" / "q.yaml", sets / "problems" / "r.yaml", given / "g.yaml"):
        f.write_text("id: x\n")
    monkeypatch.chdir(tmp_path)
    assert find_problem(str(hw)) == hw  # an existing path wins
    assert find_problem("p", str(hw)) == sets / "p.yaml"  # near a file: its directory first
    (sets / "p.yaml").unlink()
    assert find_problem("p", str(sets)) == sets / "problems" / "p.yaml"
    assert find_problem("r.yaml", str(hw)) == sets / "problems" / "r.yaml"
    assert find_problem("q", str(hw)) == course / "problems" / "q.yaml"
    assert find_problem("g", problems_dirs=[given]) == given / "g.yaml"
    (tmp_path / "problems").mkdir()
    (tmp_path / "problems" / "exercise6.yaml").write_text("id: exercise6\n")
    assert find_problem("exercise6", str(hw)) == Path("problems") / "exercise6.yaml"  # ./problems
    (given / "exercise6.yaml").write_text("id: exercise6\n")
    assert find_problem("exercise6", problems_dirs=[given]) == given / "exercise6.yaml"  # --problems DIR first
    (given / "exercise6.yaml").unlink()
    (tmp_path / "problems" / "exercise6.yaml").unlink()
    assert find_problem("exercise6", str(hw)) == BUNDLED_PROBLEMS / "exercise6.yaml"  # the bundled problems
    assert BUNDLED_PROBLEMS == REPO / "problems"
    with pytest.raises(SpecError) as info:
        find_problem("nope", str(hw), problems_dirs=[given])
    assert "nope" in info.value.message
    for place in (sets / "nope.yaml", sets / "problems" / "nope.yaml", course / "problems" / "nope.yaml",
                  given / "nope.yaml", Path("problems") / "nope.yaml", BUNDLED_PROBLEMS / "nope.yaml"):
        assert str(place) in info.value.hint


def test_a_claim_is_an_id_looked_up_only_in_instructor_places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A submission's `problem:` never opens a path and never looks beside the submission."""
    subs = tmp_path / "subs"
    (subs / "problems").mkdir(parents=True)
    given = tmp_path / "given"
    given.mkdir()
    for f in (subs / "mine.yaml", subs / "problems" / "mine.yaml", tmp_path / "mine.yaml", given / "theirs.yaml"):
        f.write_text("id: x\n")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")  # the instructor's working folder, not the submissions'
    for ref in ("/etc/shadow", "../secret/config.yaml", str(subs / "mine.yaml"), "./mine", "problems/mine",
                "..", ".hidden", "a\\b", "mine/../mine", "x" * 200, ""):
        with pytest.raises(SubmissionError, match="must be a problem id") as info:
            find_problem(ref, problems_dirs=[given], claim=True)
        assert info.value.path == "problem"
    with pytest.raises(SubmissionError, match="no problem 'mine' found"):
        find_problem("mine", problems_dirs=[given], claim=True)  # not beside the submission, not in its problems/
    monkeypatch.chdir(tmp_path)
    (tmp_path / "problems").mkdir()
    (tmp_path / "problems" / "mine.yaml").write_text("id: x\n")
    assert find_problem("mine", claim=True) == Path("problems") / "mine.yaml"  # ./problems of the working folder
    assert find_problem("theirs.yaml", problems_dirs=[given], claim=True) == given / "theirs.yaml"
    assert find_problem("exercise6", claim=True) == BUNDLED_PROBLEMS / "exercise6.yaml"
    with pytest.raises(ValueError):
        find_problem("mine", str(subs), claim=True)


def test_the_readme_states_the_compact_naming_the_code_uses():
    from grader.spec.schema import naming_doc

    table = [line for line in naming_doc().splitlines() if line.startswith("|")]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert table and all(line in readme for line in table)


# --- messages an instructor can read (no doubled prefix, no regex, no garbled parser message) ------------------------


def test_a_reveal_without_a_due_date_names_the_field_once() -> None:
    err = check(BASE + "reveal: after_due\n", path="reveal", line_fragment="reveal:", message="after_due needs a due date")
    assert "reveal: reveal:" not in str(err)


def test_an_id_that_is_not_an_identifier_is_told_in_words() -> None:
    err = check(BASE.replace("id: t222", "id: ../etc"), path="id", line_fragment="id:", message="an id is a short identifier",
                hint="exercise6")
    assert "pattern" not in str(err) and "^[" not in str(err)


def test_a_tolerance_that_is_not_a_number_is_said_to_be_no_finite_number() -> None:
    text = BASE + "  tolerance: {rtol: .nan}\n"  # under ask:, after its quantities
    assert "input should be a finite number" in str(spec_error(text))


def test_an_unknown_word_as_a_value_is_quoted_when_it_is_a_name() -> None:
    err = spec_error(BASE.replace("  w8: 0.55", "  w8: abc"))
    assert "unknown name 'abc'" in str(err) and "this value" not in str(err)


def test_a_yaml_syntax_error_keeps_the_punctuation_it_expected() -> None:
    from grader.errors import GraderError

    with pytest.raises(GraderError) as info:
        load(BASE.replace("  w8: 0.55", "  w8: [0.55"))
    assert "expected ',' or ']'" in str(info.value) and "a text of 1 characters" not in str(info.value)
