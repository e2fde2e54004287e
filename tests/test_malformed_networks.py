"""Malformed networks through the CLI (issue 12 item 7): ``grade check``, ``solve``, ``key`` and ``template`` on any
network an author might write by mistake exit 0 (valid) or 2 (a located error), never 1 (an internal error); a unit
that feeds nothing or a neuron without inputs is named, with its line."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.cli import main

COMMANDS = (["check"], ["solve"], ["key", "--format", "markdown"], ["template"])
UNITS = ["i1", "i2", "h1", "h2", "h3", "o1", "o2", "x"]
ACTIVATIONS = ["sigmoid", "tanh", "linear", "softmax", "relu", {"kind": "relu", "derivative_at_zero": 0}, "bogus"]


MUTATIONS = ("drop_weight", "drop_out_weight", "bad_source", "skip_layer", "drop_given", "activation", "empty_layer",
             "duplicate", "drop_bias_given", "extra_input", "ask_unknown", "no_layers", "self_loop")


@st.composite
def networks(draw):
    """A well-formed fully connected network (1-2 hidden layers of 1-3 neurons, 1-2 outputs, all values given),
    then 0-3 mutations of the kinds authors make: a weight dropped (a neuron without inputs, a unit feeding nothing),
    a bad or skipping source, a missing value, an activation that does not fit, an empty layer, a duplicate name ..."""
    n_in = draw(st.integers(1, 3))
    sizes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=2)) + [draw(st.integers(1, 2))]
    inputs = [f"i{k}" for k in range(1, n_in + 1)]
    names = [[f"h{li}_{j}" for j in range(1, n + 1)] for li, n in enumerate(sizes[:-1], start=1)]
    names.append([f"o{j}" for j in range(1, sizes[-1] + 1)])
    given, layers, prev, w = {x: 0.5 for x in inputs}, [], inputs, 0
    for li, ns in enumerate(names):
        weights = {}
        for d in ns:
            for s_ in prev:
                w += 1
                weights[f"w{w}"] = [s_, d]
                given[f"w{w}"] = draw(st.sampled_from([0.1, -0.4, 0.7, 2]))
        layers.append({"neurons": list(ns), "activation": "sigmoid", "bias": f"b{li + 1}", "weights": weights})
        given[f"b{li + 1}"] = 0.1
        prev = ns
    for k in range(1, sizes[-1] + 1):
        given[f"t{k}"] = 0.5
    asks = ["o1", "delta_o1", "w1_new"]
    for m in draw(st.lists(st.sampled_from(MUTATIONS), max_size=3)):
        full = [la for la in layers if la["neurons"]]
        layer = draw(st.sampled_from(full)) if full else None
        if m == "drop_weight" and layer and layer["weights"]:
            del layer["weights"][draw(st.sampled_from(sorted(layer["weights"])))]
        elif m == "drop_out_weight" and len(layers) > 1 and layers[-2]["neurons"]:
            ws = layers[-1]["weights"]
            src = draw(st.sampled_from(layers[-2]["neurons"]))
            for k in [k for k, (s_, _) in ws.items() if s_ == src]:
                del ws[k]
        elif m == "bad_source" and layer:
            layer["weights"]["wx"] = [draw(st.sampled_from(["nope", "o1", "t1", layer["neurons"][0]])), layer["neurons"][0]]
            given["wx"] = 1
        elif m == "skip_layer" and len(layers) > 1 and layers[-1]["neurons"]:
            layers[-1]["weights"]["wskip"] = [inputs[0], layers[-1]["neurons"][0]]
            given["wskip"] = 0.3
        elif m == "drop_given" and given:
            del given[draw(st.sampled_from(sorted(given)))]
        elif m == "activation" and layer:
            layer["activation"] = draw(st.sampled_from(ACTIVATIONS))
        elif m == "empty_layer" and layer:
            layer["neurons"] = []
        elif m == "duplicate" and layer:
            layer["neurons"].append(layer["neurons"][0])
        elif m == "drop_bias_given" and layer:
            layer.pop("bias", None)
        elif m == "extra_input":
            inputs.append("i9")
            given["i9"] = 1
        elif m == "ask_unknown":
            asks.append(draw(st.sampled_from(["h9", "delta_x", "b1_new", "E", "grad_b1", "w1"])))
        elif m == "no_layers":
            layers.clear()
        elif m == "self_loop" and layer:
            layer["weights"]["wl"] = [layer["neurons"][0], layer["neurons"][0]]
            given["wl"] = 1
    return {
        "id": "fuzz",
        "title": "fuzz",
        "statement": "s",
        "network": {"inputs": inputs, "layers": layers},
        "given": given,
        "loss": draw(st.sampled_from(["half_sse", "half_sse", "sse", "categorical_cross_entropy", "binary_cross_entropy"])),
        "training": {"learning_rate": 0.5, "update_biases": draw(st.booleans())},
        "ask": {"quantities": list(dict.fromkeys(asks))},
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(spec=networks(), command=st.sampled_from(COMMANDS))
def test_any_malformed_network_is_valid_or_a_located_error(tmp_path, capsys, spec, command):
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    code = main([command[0], str(path), *command[1:]])
    err = capsys.readouterr().err
    assert code in (0, 2), err
    assert "internal error" not in err and "Traceback" not in err


FEEDS_NOTHING = """id: t
title: t
statement: s
network:
  inputs: [i1, i2]
  layers:
    - neurons: [h1, h2]
      activation: sigmoid
      weights: {w1: [i1, h1], w2: [i2, h1], w3: [i1, h2], w4: [i2, h2]}
    - neurons: [o1]
      activation: sigmoid
      weights: {w5: [h1, o1]}
given: {i1: 1, i2: 0.5, w1: 0.1, w2: 0.2, w3: 0.3, w4: 0.4, w5: 0.5, t1: 0.5}
loss: half_sse
training: {learning_rate: 0.5}
ask:
  quantities: [h1, o1]
"""


@pytest.mark.parametrize("command", COMMANDS)
def test_a_hidden_neuron_that_feeds_nothing_is_a_located_error(tmp_path, capsys, command):
    path = tmp_path / "p.yaml"
    path.write_text(FEEDS_NOTHING, encoding="utf-8")
    assert main([command[0], str(path), *command[1:]]) == 2
    err = capsys.readouterr().err
    assert "p.yaml:7: network.layers[0].neurons[1]: neuron 'h2' feeds nothing" in err


def test_an_input_that_feeds_nothing_and_a_neuron_without_inputs_are_named(tmp_path, capsys):
    path = tmp_path / "p.yaml"
    path.write_text(FEEDS_NOTHING.replace("inputs: [i1, i2]", "inputs: [i1, i2, i3]").replace("i2: 0.5,", "i2: 0.5, i3: 1,")
                    .replace("{w5: [h1, o1]}", "{w5: [h1, o1], w6: [h2, o1]}").replace("w5: 0.5,", "w5: 0.5, w6: 1,"),
                    encoding="utf-8")
    assert main(["check", str(path)]) == 2
    assert "network.inputs[2]: input 'i3' feeds nothing" in capsys.readouterr().err
    path.write_text(FEEDS_NOTHING.replace("w3: [i1, h2], w4: [i2, h2]", "").replace("{w5: [h1, o1]}", "{w5: [h1, o1], w6: [h2, o1]}"),
                    encoding="utf-8")
    assert main(["check", str(path)]) == 2
    assert "neuron 'h2' has no incoming weight" in capsys.readouterr().err


def test_check_says_no_biases_when_there_are_none(tmp_path, capsys):
    path = tmp_path / "p.yaml"
    path.write_text(FEEDS_NOTHING.replace("{w5: [h1, o1]}", "{w5: [h1, o1], w6: [h2, o1]}").replace("w5: 0.5,", "w5: 0.5, w6: 1,"),
                    encoding="utf-8")
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "no biases" in out and "biases updated" not in out and "biases frozen" not in out
