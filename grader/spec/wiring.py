"""A check of a network's wiring that needs the whole network (``grader.spec.build`` calls it): every input and
hidden neuron feeds a later neuron. Errors are located through ``where``
(``grader.spec.build.Where``): the file, the line, the path in the document and what would be right."""

from __future__ import annotations


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
