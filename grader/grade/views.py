"""Values as a student sees them: the key's, or the student's own.

A *view* answers "what is the value of quantity X?" for one way of looking at a submission:

* the key view: the exact answer key (as floats, for comparison);
* the student view: a name the field's ``using`` states > the student's own answer > for a derived quantity the
  student did not write, its formula evaluated in the same view > for a given value, the problem's value.

Evaluating a field's formula in the student view gives the value that follows from the student's own earlier
numbers: the basis of error-carried-forward credit.
"""

from __future__ import annotations

from typing import Callable, Mapping

from grader.solve.expr import Expr, compile_float
from grader.solve.solver import AnswerKey


class Compiled:
    """Float closures for the key's formulas, compiled once per problem and shared by every submission."""

    def __init__(self, key: AnswerKey) -> None:
        self.key = key
        # keyed by id(): formula trees are immutable and kept alive by the plan; hashing a tree walks all of it
        self._cache: dict[int, tuple[Expr, Callable[[Callable[[str], float]], float], list[str]]] = {}

    def fn(self, expr: Expr) -> tuple[Callable[[Callable[[str], float]], float], list[str]]:
        """The closure for ``expr`` and the names it reads."""
        hit = self._cache.get(id(expr))
        if hit is None or hit[0] is not expr:
            hit = self._cache[id(expr)] = (expr, compile_float(expr), expr.symbols())
        return hit[1], hit[2]


class View:
    """The value of every quantity under an overlay of the student's numbers (memoised)."""

    def __init__(self, compiled: Compiled, answers: Mapping[str, float], overlay: Mapping[str, float] | None = None):
        self.c = compiled
        self.answers = answers
        self.overlay = overlay or {}
        self.memo: dict[str, float] = {}

    def get(self, name: str) -> float:
        if name in self.overlay:
            return self.overlay[name]
        if name in self.answers:
            return self.answers[name]
        v = self.memo.get(name)
        if v is None:
            nodes = self.c.key.graph.nodes
            v = self.formula(nodes[name].expr) if name in nodes else self.c.key.floats[name]
            self.memo[name] = v
        return v

    def formula(self, expr: Expr) -> float:
        """``expr`` evaluated on this view's values."""
        return self.c.fn(expr)[0](self.get)

    def sources(self, expr: Expr) -> dict[str, float]:
        """The student's own numbers that ``expr`` rests on in this view (stated in ``using`` or answered),
        reached through the derived quantities the student did not write."""
        out: dict[str, float] = {}
        nodes = self.c.key.graph.nodes
        stack, seen = list(self.c.fn(expr)[1]), set()
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            if name in self.overlay or name in self.answers:
                out[name] = self.get(name)
            elif name in nodes:
                stack.extend(self.c.fn(nodes[name].expr)[1])
        return dict(sorted(out.items()))

    def env(self, names: list[str]) -> dict[str, float]:
        return {n: self.get(n) for n in names}
