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

from grader.grade.floatexpr import compile_tree, evaluate_tree, symbols

TYPE_CHECKING = False  # typing costs milliseconds at start-up: only a type checker imports it
if TYPE_CHECKING:
    from typing import Callable, Mapping


class Compiled:
    """Float closures for the key's formulas (plain trees, ``grader.grade.floatexpr``), compiled once per problem
    and shared by every submission; ``ways`` and ``ranks`` are the network's identities
    (``grader.grade.planbuild.identities``, ``gradient_ranks``) as trees."""

    def __init__(self, nodes: Mapping, floats: Mapping[str, float], ways: dict, ranks: dict[str, int],
                 plan=None) -> None:
        self.nodes = nodes  # quantity -> grader.grade.plandata.Step
        self.floats = floats
        # keyed by id(): formula trees are immutable and kept alive by the plan; hashing a tree walks all of it
        self._cache: dict[int, list] = {}  # id -> [tree, closure, names or None]
        self.ways = ways
        self.ranks = ranks
        self.identity_grads = frozenset(ranks)
        # the given values: a view's value of a name no formula computes, unless the student states it
        self.given_values = {n: v for n, v in floats.items() if n not in nodes}
        self._plan = plan

    @property
    def identities(self) -> dict:
        """The identities as the solver's trees (``grader.grade.planbuild.identities``), for the practice page."""
        from grader.grade.planbuild import identities

        return identities(self._plan.key.graph)

    def fn(self, expr) -> tuple[Callable[[Callable[[str], float]], float], list[str]]:
        """The closure for ``expr`` (a tree; a solver's ``Expr`` is turned into one) and the names it reads."""
        return self.closure(expr), self.names(expr)

    def closure(self, expr) -> Callable[[Callable[[str], float]], float]:
        """The closure for ``expr``, compiled on first use."""
        hit = self._cache.get(id(expr))
        if hit is None or hit[0] is not expr:
            hit = self._cache[id(expr)] = [expr, compile_tree(_tree(expr)), None]
        return hit[1]

    def names(self, expr) -> list[str]:
        """The names ``expr`` reads, in first-use order (found on first use: a known mistake needs only its value)."""
        hit = self._cache.get(id(expr))
        if hit is None or hit[0] is not expr:
            self.closure(expr)
            hit = self._cache[id(expr)]
        if hit[2] is None:
            hit[2] = symbols(_tree(expr))
        return hit[2]


def _tree(expr):
    """``expr`` as a plain tree: a solver's ``Expr`` (a test's, the practice page's) is converted."""
    if isinstance(expr, (str, float, tuple)):
        return expr
    from grader.grade.planbuild import to_tree

    return to_tree(expr)


class _Values(dict):
    """A view's values: the givens, under the student's answers, under the overlay; every other value computed on
    first lookup (``__missing__``: a delta's stand-in, else its formula) and kept, so that a formula's lookup of a
    known value (``View.get``, this dict's own ``__getitem__``) runs no Python. It holds what computing needs and
    not its ``View``, so that a view is freed as soon as it is dropped (no reference cycle)."""

    __slots__ = ("c", "overlay", "answers", "limit", "via", "busy")

    def __missing__(self, name: str) -> float:
        v = self.stand_in(name)
        if v is None:
            c = self.c
            nodes = c.nodes
            v = c.closure(nodes[name].expr)(self.__getitem__) if name in nodes else c.floats[name]
        self[name] = v
        return v

    def stand_in(self, name: str) -> float | None:
        """The student's value of an unwritten delta through a gradient they wrote (``identities``)."""
        c = self.c
        ways = c.ways.get(name) if c.ways else None
        if not ways or name in self.busy:
            return None
        self.busy.add(name)
        try:
            for g, expr in ways:
                if c.ranks[g] < self.limit and (g in self.overlay or g in self.answers):
                    v = c.closure(expr)(self.__getitem__)
                    if math.isfinite(v):
                        self.via[name] = expr
                        return v
        finally:
            self.busy.discard(name)
        return None


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
        values = _Values(compiled.given_values)  # what a lookup of a given would find (no stand-in, no formula)
        values.update(answers)
        values.update(self.overlay)
        self.via: dict[str, Expr] = {}  # a delta the student did not write -> the identity it was read through
        self._busy: set[str] = set()
        values.c, values.overlay, values.answers, values.limit = compiled, self.overlay, answers, self.limit
        values.via, values.busy = self.via, self._busy
        # ``get(name)``: a name the overlay states > the student's answer > its stand-in or formula (memoised)
        self.get: Callable[[str], float] = values.__getitem__
        self.accepted: dict[str, bool] = {}  # memo of the engine's "accepted" judgement in this view
        self._sources: dict[int, tuple] = {}  # id(formula) -> (formula, its sources)
        self._formulas: dict[int, tuple] = {}  # id(formula) -> (formula, its value in this view)

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

    def _stand_in(self, name: str) -> float | None:
        """The student's value of an unwritten delta through a gradient they wrote (``identities``)."""
        return self.get.__self__.stand_in(name)

    def formula(self, expr: Expr) -> float:
        """``expr`` evaluated on this view's values (remembered per formula: every value it reads is fixed once it
        is first looked up, so evaluating it again gives the same float)."""
        memo = self._formulas.get(id(expr))
        if memo is not None and memo[0] is expr:
            return memo[1]
        hit = self.c._cache.get(id(expr))
        if hit is not None and hit[0] is expr:
            v = hit[1](self.get)
        else:
            v = self.c.closure(expr)(self.get)
        self._formulas[id(expr)] = (expr, v)
        return v

    def value(self, expr) -> float:
        """The same as ``formula``, for a formula most likely evaluated once (a known mistake): walked, not compiled."""
        hit = self.c._cache.get(id(expr))
        if hit is not None and hit[0] is expr:
            return hit[1](self.get)
        return evaluate_tree(_tree(expr), self.get)

    def reads(self, name: str) -> list[str]:
        """The names an unwritten quantity's value is computed from in this view."""
        nodes = self.c.nodes
        if name not in nodes:
            return []
        self.get(name)
        return self.c.names(self.via.get(name) or nodes[name].expr)

    def sources(self, expr: Expr) -> dict[str, float]:
        """The student's own numbers that ``expr`` rests on in this view (stated in ``using`` or answered),
        reached through the derived quantities the student did not write. (Remembered per formula: once a
        name's value is computed, what it is computed from is fixed. The caller does not change the dict.)"""
        hit = self._sources.get(id(expr))
        if hit is not None and hit[0] is expr:
            return hit[1]
        out: dict[str, float] = {}
        c = self.c
        names, nodes, overlay, answers, get, via = c.names, c.nodes, self.overlay, self.answers, self.get, self.via
        stack, seen = list(names(expr)), set()
        while stack:  # ``written`` and ``reads``, written out
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            if name in overlay or name in answers:
                out[name] = get(name)
            elif name in nodes:
                get(name)
                stack.extend(names(via.get(name) or nodes[name].expr))
        out = dict(sorted(out.items()))
        self._sources[id(expr)] = (expr, out)
        return out

    def env(self, names: list[str]) -> dict[str, float]:
        return {n: self.get(n) for n in names}
