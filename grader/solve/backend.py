"""The interface of the arithmetic ``grader.solve.expr.evaluate`` runs on (``grader.solve.exact.ExactBackend``
implements it for the key). Here, below both, so that ``exact`` and ``expr`` need not import each other's module
in a cycle."""

from __future__ import annotations

from fractions import Fraction


class Backend:
    """Arithmetic for ``evaluate``: how to lift constants, combine values and compute each function."""

    def const(self, q: Fraction):  # pragma: no cover - interface
        raise NotImplementedError

    def add(self, a, b):
        return a + b

    def mul(self, a, b):
        return a * b

    def div(self, a, b):
        return a / b

    def pow(self, a, k: int):
        return a**k

    def fn(self, name: str, x, p0: Fraction, p1: Fraction):  # pragma: no cover - interface
        raise NotImplementedError
