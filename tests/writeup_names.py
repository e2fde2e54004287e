"""A tiny stand-in for the problem's name resolver, for the write-up tests only: it spells the few notations the
test write-ups use (``w_5'``, ``\\delta_{o_1}``, ``out_{h1}``, ``net_{o1}``, ``E_{total}``, ∂-fractions)."""

from __future__ import annotations

import re


def stand_in(problem):
    from grader.solve.graph import build_graph

    graph = build_graph(problem)
    known = set(graph.nodes) | set(graph.given)
    nets = {neu.net: n for n, neu in problem.network.neurons.items()}
    net_of = {n: neu.net for n, neu in problem.network.neurons.items()}

    def flat(text: str) -> str:
        return re.sub(r"[{}\\ ]", "", text).replace("_", "")

    def resolve(text: str) -> str | None:
        m = re.fullmatch(r"\\frac\{\\partial (.+)\}\{\\partial (.+)\}", text)
        if m:
            top, bottom = resolve(m.group(1)), resolve(m.group(2))
            if top == "E" and bottom in problem.network.weights:
                return f"grad_{bottom}"
            return None
        new = text.endswith("'") or "^{+}" in text or "^{new}" in text
        core = text.rstrip("'").replace("^{+}", "").replace("^{new}", "")
        m = re.fullmatch(r"\\?([A-Za-z]+)(?:_\{?(.+?)\}?)?", core)
        if not m:
            return None
        base, sub = m.group(1), flat(m.group(2) or "")
        if base == "eta" and not sub:
            name = "eta"
        elif base == "delta":
            name = f"delta_{sub}"
        elif base == "out":
            name = sub
        elif base == "net":
            name = net_of.get(sub, f"net_{sub}")
        elif base == "E":
            name = "E" if sub in ("", "total") else f"E_{sub}"
        elif base == "target":
            name = problem.network.target_name(sub)
        else:
            name = base + sub
        if new:
            name += "_new"
        return name if name in known else None

    return resolve
