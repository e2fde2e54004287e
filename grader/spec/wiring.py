"""Checks of a network's wiring and activations that need the whole network (``grader.spec.build`` calls them):
every unit feeds a later one, and the output activation fits the loss. Errors are located through ``where``
(``grader.spec.build.Where``): the file, the line, the path in the document and what would be right."""

from __future__ import annotations

from grader.spec.problem import Network
from grader.spec.schema import ProblemSpec

Path = tuple[str | int, ...]


def check_every_unit_feeds(layers_spec, inputs: list[str], listed: bool, weights: dict[str, tuple[str, str]],
                            where) -> None:
    """Every input and every neuron before the output layer must feed some later neuron: a unit that feeds nothing
    has no delta to compute (and is almost always a wiring slip)."""
    feeding = {src for src, _ in weights.values()}
    for k, name in enumerate(inputs):
        if name not in feeding:
            raise where.error(("network", "inputs", k) if listed else ("network", "inputs"),
                              f"input {name!r} feeds nothing",
                              f"wire it into the first layer (e.g. w_{name}: [{name}, {layers_spec[0].neurons[0]}]) or "
                              "remove it")
    for li, ls in enumerate(layers_spec[:-1]):
        nxt = layers_spec[li + 1].neurons[0]
        for j, n in enumerate(ls.neurons):
            if n not in feeding:
                raise where.error(("network", "layers", li, "neurons", j), f"neuron {n!r} feeds nothing",
                                  f"a hidden neuron needs a weight out of it, e.g. under network.layers[{li + 1}]."
                                  f"weights: w_{n}: [{n}, {nxt}]")


def check_activations(spec: ProblemSpec, net: Network, where) -> None:
    last = len(net.layers) - 1
    for li, layer in enumerate(net.layers[:-1]):
        if layer.activation.kind == "softmax":
            raise where.error(("network", "layers", li, "activation"), "softmax is for the output layer only",
                              "use sigmoid, tanh, relu or linear in hidden layers")
    out = net.layers[-1].activation.kind
    path: Path = ("network", "layers", last, "activation")
    if out == "softmax" and spec.loss != "categorical_cross_entropy":
        raise where.error(("loss",), "a softmax output layer needs loss categorical_cross_entropy",
                          "loss: categorical_cross_entropy")
    if out == "softmax" and len(net.outputs) < 2:
        raise where.error(path, "softmax needs at least 2 output neurons", "use sigmoid for a single output")
    if spec.loss == "categorical_cross_entropy" and out != "softmax":
        raise where.error(("loss",), "categorical_cross_entropy needs a softmax output layer",
                          f"set activation: softmax on the last layer (network.layers[{last}])")
    if spec.loss == "binary_cross_entropy" and out != "sigmoid":
        raise where.error(("loss",), "binary_cross_entropy needs a sigmoid output layer",
                          f"set activation: sigmoid on the last layer (network.layers[{last}])")
