"""Build small internal Problems directly in tests (no YAML), for solver tests independent of the spec loader."""

from __future__ import annotations

from fractions import Fraction as F

from grader.spec.problem import (
    Activation, AskItem, Example, Layer, Network, Neuron, Problem, Tolerance, Training,
)


def layered(inputs, layers, *, shared_bias=False, with_bias=True):
    """layers: list of (neuron names, Activation). Fully connected; weights named w<l>_<dst>_<src>."""
    neurons, weights, biases = {}, {}, {}
    prev = list(inputs)
    built = []
    for li, (ns, act) in enumerate(layers, start=1):
        for n in ns:
            incoming = []
            for s in prev:
                w = f"w{li}_{n}_{s}"
                weights[w] = (s, n)
                incoming.append((w, s))
            if not with_bias:
                b = None
            elif shared_bias:
                b = f"b{li}"
                biases.setdefault(b, ())
                biases[b] += (n,)
            else:
                b = f"b_{n}"
                biases[b] = (n,)
            neurons[n] = Neuron(n, li, f"net_{n}", b, tuple(incoming))
        built.append(Layer(tuple(ns), act))
        prev = list(ns)
    return Network(tuple(inputs), tuple(built), neurons, weights, biases)


def problem(network, params, examples, *, loss="half_sse", lr=F(1, 2), steps=1, update_biases=True,
            batch="sum", momentum=None, ask=()):
    return Problem(
        id="t", title="t", statement="", network=network, loss=loss,
        examples=tuple(Example(dict(i), dict(t)) for i, t in examples), params=dict(params),
        training=Training(F(lr), steps, update_biases, batch, momentum),
        ask=tuple(AskItem(q, 1.0, Tolerance()) for q in ask),
    )


def exercise6():
    sig = Activation("sigmoid")
    net = Network(
        inputs=("i1", "i2"),
        layers=(Layer(("h1", "h2"), sig), Layer(("o1", "o2"), sig)),
        neurons={
            "h1": Neuron("h1", 1, "z1", "b1", (("w1", "i1"), ("w2", "i2"))),
            "h2": Neuron("h2", 1, "z2", "b1", (("w3", "i1"), ("w4", "i2"))),
            "o1": Neuron("o1", 2, "z3", "b2", (("w5", "h1"), ("w6", "h2"))),
            "o2": Neuron("o2", 2, "z4", "b2", (("w7", "h1"), ("w8", "h2"))),
        },
        weights={"w1": ("i1", "h1"), "w2": ("i2", "h1"), "w3": ("i1", "h2"), "w4": ("i2", "h2"),
                 "w5": ("h1", "o1"), "w6": ("h2", "o1"), "w7": ("h1", "o2"), "w8": ("h2", "o2")},
        biases={"b1": ("h1", "h2"), "b2": ("o1", "o2")},
    )
    params = {"w1": F(-15), "w2": F(20), "w3": F(-25), "w4": F(30), "w5": F(40), "w6": F(45), "w7": F(50),
              "w8": F(55), "b1": F("0.35"), "b2": F("0.60")}
    return problem(net, params, [({"i1": F("0.8"), "i2": F("0.2")}, {"o1": F("0.9"), "o2": F("0.1")})],
                   lr=F("0.3"), update_biases=False)
