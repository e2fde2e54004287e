"""The range of a ``\\sum`` the student did not bound with numbers, told from the problem.

``\\sum_{k} (t_k - o_k)^2`` (or ``\\sum_{k=1}^{n}``) runs over the network's outputs when, for k = 1, 2, …, every
name that depends on k names a quantity of the problem, for one k past the last none does, and each of those names
runs over one whole layer (or the inputs), unit by unit in the layer's order: ``t_k`` over t1, t2 (the outputs'
targets), ``o_k`` over o1, o2, ``\\delta_{o_k}`` over delta_o1, delta_o2, ``E_{o_k}`` over E_o1, E_o2. Anything else
(a name that resolves for some k only, weights, a layer covered in part) has no range here: the sum is not read, and
the write-up lists it, rather than summing the wrong terms.

Bounded work: at most ``MAX_INDEXED_NAMES`` names depending on the index, each tried for at most one more k than
its layer has units (a name that is no unit of a layer stops at k = 1); one answer per index and set of names. A
write-up's sums together are written out into at most ``MAX_SUM_NODES`` parts (a sum of 100 terms in a line of 40
characters would otherwise let a 1 MB write-up be read as a hundred): past that, a sum is not read.
"""

from __future__ import annotations

from typing import Callable

from grader.parse.latex import (
    MAX_SUM_TERMS, Name, Node, NotEvaluable, expand_sums, index_names, name_for_index, node_count,
)

__all__ = ["SumRanges", "MAX_INDEXED_NAMES", "MAX_SUM_NODES"]

MAX_INDEXED_NAMES = 16  # names depending on the index of a sum whose range is told from the problem
MAX_SUM_NODES = 20_000  # parts written out by all the sums of one write-up


class SumRanges:
    """``upper(index, lower, body)`` for :func:`grader.parse.latex.expand_sums`, for one problem; ``quantity`` maps a
    name as written to the problem's quantity (the write-up reader's resolver) or None."""

    def __init__(self, network, quantity: Callable[[Name], "str | None"]) -> None:
        self.quantity = quantity
        self.layers: list[tuple[str, ...]] = [tuple(network.inputs)] + [tuple(lay.neurons) for lay in network.layers]
        units = set(network.inputs) | set(network.neurons)
        self._unit: dict[str, str] = {u: u for u in units}
        for o in network.outputs:
            self._unit.setdefault(network.target_name(o), o)
        for name, neuron in network.neurons.items():
            self._unit.setdefault(neuron.net, name)
        self._suffixes = sorted(units, key=len, reverse=True)
        self._first = {layer[0]: layer for layer in self.layers if layer}
        self._memo: dict[tuple[str, tuple[str, ...]], int | None] = {}
        self._written = 0  # parts written out so far

    def expand(self, tree: Node) -> Node:
        """``tree`` with its sums written out (:func:`expand_sums` with the ranges told here), within the write-up's
        budget of ``MAX_SUM_NODES`` parts. Raises :class:`NotEvaluable`."""
        if self._written > MAX_SUM_NODES:
            raise NotEvaluable(f"\\sum with too many terms in this write-up (more than {MAX_SUM_NODES:,} parts "
                               f"written out in all)")
        out = expand_sums(tree, self.upper)
        if out is not tree:
            self._written += node_count(out, MAX_SUM_NODES)
            if self._written > MAX_SUM_NODES:
                raise NotEvaluable(f"\\sum with too many terms in this write-up (more than {MAX_SUM_NODES:,} parts "
                                   f"written out in all)")
        return out

    def unit(self, q: str) -> str | None:
        """The input or neuron a quantity belongs to: o1 for o1, t1, z3 (net of o1), delta_o1, E_o1, dE_dout_o1."""
        if q in self._unit:
            return self._unit[q]
        for u in self._suffixes:
            if q.endswith("_" + u):
                return u
        return None

    def upper(self, index: str, lower: int, body: Node) -> int | None:
        if lower != 1:
            return None
        names = index_names(body, index)
        if not names or len(names) > MAX_INDEXED_NAMES:
            return None
        key = (index, tuple(n.text for n in names))
        if key not in self._memo:
            self._memo[key] = self._count(index, names)
        return self._memo[key]

    def _count(self, index: str, names: list[Name]) -> int | None:
        layers = []
        for name in names:  # k = 1: each name is the first unit of a layer (or of the inputs)
            layer = self._first.get(self._unit_at(name, index, 1) or "")
            if layer is None:
                return None
            layers.append(layer)
        for k in range(2, MAX_SUM_TERMS + 2):
            units = [self._unit_at(name, index, k) for name in names]
            if all(u is None for u in units):
                count = k - 1
                return count if all(len(layer) == count for layer in layers) else None
            if any(k > len(layer) or u != layer[k - 1] for u, layer in zip(units, layers)):
                return None
        return None

    def _unit_at(self, name: Name, index: str, k: int) -> str | None:
        named = name_for_index(name, index, k)
        q = self.quantity(named) if isinstance(named, Name) else None
        return self.unit(q) if q is not None else None
