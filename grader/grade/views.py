"""Values as a student sees them: the key's, or the student's own.

A *view* answers "what is the value of quantity X?" for one way of looking at a submission:

* the key view: the exact answer key (as floats, for comparison);
* the student view: a name the field's ``using`` states > the student's own answer > for a delta the student did
  not write, the value the student's own gradients imply through the network's identities (a bias gradient is the
  sum of the deltas of the neurons the bias feeds; a weight gradient is its destination's delta times its source's
  activation) > for a derived quantity, its formula evaluated in the same view > for a given value, the problem's.

Evaluating a field's formula in the student view gives the value that follows from the student's own earlier
numbers: the basis of error-carried-forward credit.
"""

from __future__ import annotations

import math
from typing import Callable, Mapping

from grader.solve.expr import Add, Div, Expr, Mul, Neg, Sym, add, compile_float
from grader.solve.graph import Graph
from grader.solve.solver import AnswerKey


def identities(graph: Graph) -> dict[str, tuple[tuple[str, Expr], ...]]:
    """delta -> ((gradient, the delta in terms of that gradient), ...) from the gradients' own formulas:
    ``grad_b = delta`` gives ``delta = grad_b``; ``grad_b = delta_1 + delta_2`` gives ``delta_1 = grad_b − delta_2``;
    ``grad_w = delta·a`` gives ``delta = grad_w / a``. In the order of ``gradient_ranks``."""
    ranks = gradient_ranks(graph)
    found: dict[str, list[tuple[str, Expr]]] = {}
    for g, node in graph.nodes.items():
        if g not in ranks:
            continue
        e = node.expr
        if isinstance(e, Sym):
            found.setdefault(e.name, []).append((g, Sym(g)))
        elif isinstance(e, Add):
            for t in e.terms:
                found.setdefault(t.name, []).append((g, add(Sym(g), *(Neg(o) for o in e.terms if o != t))))
        else:
            found.setdefault(e.factors[0].name, []).append((g, Div(Sym(g), e.factors[1])))
    return {d: tuple(sorted(v, key=lambda r: ranks[r[0]])) for d, v in found.items()}


def gradient_ranks(graph: Graph) -> dict[str, int]:
    """The gradients that state a delta, ranked: a bias feeding one neuron (it *is* the delta), then a shared bias
    (the sum of its deltas), then a weight (a delta times an input), each in the graph's order. A gradient stands in
    for an unwritten delta only when grading quantities downstream or gradients of a later rank, so two gradients
    that say the same wrong delta cost the student once, not never."""
    kinds: dict[str, tuple[int, int]] = {}
    for i, (g, node) in enumerate(graph.nodes.items()):
        if node.kind != "grad":
            continue
        e = node.expr
        if isinstance(e, Sym) and _is_delta(graph, e.name):
            kinds[g] = (0, i)
        elif isinstance(e, Add) and all(isinstance(t, Sym) and _is_delta(graph, t.name) for t in e.terms):
            kinds[g] = (1, i)
        elif (isinstance(e, Mul) and len(e.factors) == 2 and all(isinstance(f, Sym) for f in e.factors)
              and _is_delta(graph, e.factors[0].name)):
            kinds[g] = (2, i)
    return {g: r for r, g in enumerate(sorted(kinds, key=kinds.__getitem__))}


def _is_delta(graph: Graph, name: str) -> bool:
    node = graph.nodes.get(name)
    return node is not None and node.kind == "delta"


class Compiled:
    """Float closures for the key's formulas, compiled once per problem and shared by every submission."""

    def __init__(self, key: AnswerKey) -> None:
        self.key = key
        # keyed by id(): formula trees are immutable and kept alive by the plan; hashing a tree walks all of it
        self._cache: dict[int, tuple[Expr, Callable[[Callable[[str], float]], float], list[str]]] = {}
        self.identities = identities(key.graph)
        self.ranks = gradient_ranks(key.graph)
        self.identity_grads = frozenset(self.ranks)

    def fn(self, expr: Expr) -> tuple[Callable[[Callable[[str], float]], float], list[str]]:
        """The closure for ``expr`` and the names it reads."""
        hit = self._cache.get(id(expr))
        if hit is None or hit[0] is not expr:
            hit = self._cache[id(expr)] = (expr, compile_float(expr), expr.symbols())
        return hit[1], hit[2]


class View:
    """The value of every quantity under an overlay of the student's numbers (memoised)."""

    def __init__(self, compiled: Compiled, answers: Mapping[str, float], overlay: Mapping[str, float] | None = None,
                 exclude: str | None = None):
        self.c = compiled
        self.answers = answers
        self.overlay = overlay or {}
        # when this view evaluates a gradient's own formula: only gradients of an earlier rank stand in for deltas
        self.limit = compiled.ranks.get(exclude, len(compiled.ranks)) if exclude else len(compiled.ranks)
        self._children: dict[str, View] = {}
        self.memo: dict[str, float] = {}
        self.via: dict[str, Expr] = {}  # a delta the student did not write -> the identity it was read through
        self.accepted: dict[str, bool] = {}  # memo of the engine's "accepted" judgement in this view
        self._busy: set[str] = set()

    def child(self, name: str) -> View:
        """This view for ``name``'s own formula (a gradient): only gradients ranked before it stand in for deltas."""
        if self.c.ranks.get(name, self.limit) >= self.limit:
            return self
        hit = self._children.get(name)
        if hit is None:
            hit = self._children[name] = View(self.c, self.answers, self.overlay, name)
        return hit

    def written(self, name: str) -> bool:
        return name in self.overlay or name in self.answers

    def get(self, name: str) -> float:
        if name in self.overlay:
            return self.overlay[name]
        if name in self.answers:
            return self.answers[name]
        v = self.memo.get(name)
        if v is None:
            v = self._stand_in(name)
            if v is None:
                nodes = self.c.key.graph.nodes
                v = self.formula(nodes[name].expr) if name in nodes else self.c.key.floats[name]
            self.memo[name] = v
        return v

    def _stand_in(self, name: str) -> float | None:
        """The student's value of an unwritten delta through a gradient they wrote (``identities``)."""
        ways = self.c.identities.get(name) if self.c.identities else None
        if not ways or name in self._busy:
            return None
        self._busy.add(name)
        try:
            for g, expr in ways:
                if self.c.ranks[g] < self.limit and self.written(g):
                    v = self.formula(expr)
                    if math.isfinite(v):
                        self.via[name] = expr
                        return v
        finally:
            self._busy.discard(name)
        return None

    def formula(self, expr: Expr) -> float:
        """``expr`` evaluated on this view's values."""
        return self.c.fn(expr)[0](self.get)

    def reads(self, name: str) -> list[str]:
        """The names an unwritten quantity's value is computed from in this view."""
        nodes = self.c.key.graph.nodes
        if name not in nodes:
            return []
        self.get(name)
        return self.c.fn(self.via.get(name) or nodes[name].expr)[1]

    def sources(self, expr: Expr) -> dict[str, float]:
        """The student's own numbers that ``expr`` rests on in this view (stated in ``using`` or answered),
        reached through the derived quantities the student did not write."""
        out: dict[str, float] = {}
        stack, seen = list(self.c.fn(expr)[1]), set()
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            if self.written(name):
                out[name] = self.get(name)
            else:
                stack.extend(self.reads(name))
        return dict(sorted(out.items()))

    def env(self, names: list[str]) -> dict[str, float]:
        return {n: self.get(n) for n in names}
