"""What a write-up's formula notes say of the problem's quantities: all a quantity is computed from, and what a
quantity is, in words (``w5, the weight from h1 to o1``)."""

from __future__ import annotations

__all__ = ["ancestors", "describe"]


def ancestors(nodes: dict, q: str) -> frozenset[str]:
    """Every name ``q`` is computed from, through the problem's graph (``nodes``: its nodes by name)."""
    out, stack = set(), [q]
    while stack:
        node = nodes.get(stack.pop())
        if node is None:
            continue
        for s in node.expr.symbols():
            if s not in out:
                out.add(s)
                stack.append(s)
    return frozenset(out)


def describe(network, nodes: dict, u: str) -> str:
    """``u`` and what it is: a weight by the units it joins, a computed quantity by its description."""
    if u in network.weights:
        src, dst = network.weights[u]
        return f"{u}, the weight from {src} to {dst}"
    node = nodes.get(u)
    if node is not None:
        return f"{u}, the {node.description}"
    return u
