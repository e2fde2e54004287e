"""A textbook's layer-numbered names, read as a problem's own (``layer_notation:`` in a problem).

Two books number the layers, the inputs being layer 1, and write the layer as a superscript
(``/work/shared/notes/notation.md``):

* ``nielsen`` (Nielsen, *Neural Networks and Deep Learning*): ``z^l_j`` the net input and ``a^l_j`` the activation of
  unit j of layer l (``a^1_j`` an input), ``\\delta^l_j = ∂C/∂z^l_j``, ``b^l_j`` its bias, ``w^l_{jk}`` the weight
  from unit k of layer l−1 into unit j of layer l, ``y_j`` the target of output j;
* ``ng`` (Ng's machine-learning course): the same with the layer in parentheses, ``z^{(l)}_j``, ``a^{(l)}_j``,
  ``\\delta^{(l)}_j``, and ``\\Theta^{(l)}_{jk}`` the weight from unit k of layer l into unit j of layer l+1 (unit 0 is
  the bias unit: ``\\Theta^{(l)}_{j0}`` is the bias of unit j of layer l+1), ``y_j`` the target of output j;
  the cost is ``C`` in Nielsen, ``J`` in Ng (the problem's ``E``), and its derivatives by these names
  (``\\partial C/\\partial w^3_{12}``) are the problem's gradients, deltas and dE/dout.

Units are numbered in the order the problem lists them. Both books' delta is ∂C/∂z, so they go with the default
``delta_convention`` only (``grader.spec.build`` refuses the other). Each spelling is an alias of the problem's
resolver (``grader.spec.notation``), which reads it in every order of its scripts (``\\delta^3_1``, ``\\delta_1^3``);
an index pair is written run together (``w^3_{12}``) where both are single digits, and with a comma
(``w^3_{1,2}``) always.
"""

from __future__ import annotations

from grader.spec import names as N

__all__ = ["layer_aliases"]


def layer_aliases(problem, style: str | None) -> dict[str, str]:
    """``{spelling: name}`` of ``style`` for ``problem``'s network ({} for None)."""
    if style is None:
        return {}
    net = problem.network
    layers = [net.inputs] + [layer.neurons for layer in net.layers]
    index = {unit: j for units in layers for j, unit in enumerate(units, 1)}  # a unit's number in its layer
    out: dict[str, str] = {}

    def sup(l: int) -> str:
        return f"{{({l})}}" if style == "ng" else f"{{{l}}}"

    def pair(j: int, k: int) -> list[str]:
        return ([f"{{{j}{k}}}"] if j < 10 and k < 10 else []) + [f"{{{j},{k}}}"]

    for j, unit in enumerate(net.inputs, 1):
        out[f"a^{sup(1)}_{{{j}}}"] = unit
    for l, units in enumerate(layers[1:], 2):
        for j, unit in enumerate(units, 1):
            neuron = net.neurons[unit]
            out[f"z^{sup(l)}_{{{j}}}"] = neuron.net
            out[f"a^{sup(l)}_{{{j}}}"] = unit
            out[f"\\delta^{sup(l)}_{{{j}}}"] = N.delta_name(unit, "")
            for weight, source in neuron.incoming:
                k = index[source]
                for p in pair(j, k):
                    if style == "ng":
                        out[f"\\Theta^{sup(l - 1)}_{p}"] = weight
                    else:
                        out[f"w^{sup(l)}_{p}"] = weight
            if neuron.bias is not None:
                if style == "ng":
                    for p in pair(j, 0):
                        out[f"\\Theta^{sup(l - 1)}_{p}"] = neuron.bias
                else:
                    out[f"b^{sup(l)}_{{{j}}}"] = neuron.bias
    for j, unit in enumerate(net.outputs, 1):
        out[f"y_{{{j}}}"] = net.target_name(unit)
    cost = "J" if style == "ng" else "C"
    # the cost's derivatives, as the books write them (``\\partial C/\\partial w^3_{12}`` and ``dC/dw^3_{12}`` are
    # one spelling): by a parameter, its gradient; by a net input, the delta; by an activation, dE/dout
    derivative = {p: N.grad_name(p) for p in net.params}
    derivative.update({net.neurons[n].net: N.delta_name(n, "") for n in net.neurons})
    derivative.update({n: N.dE_dout_name(n, "") for n in net.neurons})
    for spelling, name in list(out.items()):
        if name in derivative:
            out[f"\\frac{{\\partial {cost}}}{{\\partial {spelling}}}"] = derivative[name]
    out[cost] = "E"  # (the resolver keeps an alias only where its name is one of the problem's)
    return out
