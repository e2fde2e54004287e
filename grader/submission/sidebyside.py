"""Two equations on one row with only a space between them: ``o1 = 0.650011   o2 = 0.651095``.

The chain reader takes the row as one chain whose middle step is a product, ``o1 = 0.650011·o2 = 0.651095``: o1
got o2's value and o2 none. A chain is cut in two at a step that is exactly a number times a name of the problem
(``0.650011 o2``; or over it, ``-7.65 / z2``), the name being another quantity than the left-hand side's, where the product does not give the
value that follows it (0.650011 × o2 is 0.42, not 0.651095): ``o1 = 0.650011`` and ``o2 = 0.651095``. Where it
does (``z = 2 h_1 = 0.00095``, h1 being 0.000476), the step is the product it says; so it is where it does with
a value the write-up gives that name elsewhere (the student's own h1, wrong or not). The key's values and the
student's decide only which of the two readings the row's own numbers bear out, never a grade.
"""

from __future__ import annotations

import math
from typing import Callable

from grader.parse.latex import Div, Mul, Name, Neg, Number
from grader.submission.chains import Chain, Step
from grader.submission.writeup_values import as_float

__all__ = ["side_by_side"]

AGREE = 0.01  # relative: a product within this of the next value is the step it says
OWN_VALUES = 8  # a name's values elsewhere in the write-up that are tried (its first ones)


def side_by_side(chains: list[Chain], quantity: Callable[[Name], str | None], floats: dict) -> list[Chain]:
    """``chains`` with each one of two equations side by side cut in two (the module's docstring)."""
    if not any(_candidate(s.tree) for chain in chains for s in chain.steps[:-1]):
        return chains  # (the usual write-up: no step is a number times a name, nothing to look at)
    own: dict[str, list[float]] = {}  # the values the write-up gives each name elsewhere (its chains' last values)
    for chain in chains:
        lhs = chain.lhs.tree
        last = next((v for v in (s.value for s in reversed(chain.steps)) if v is not None), None)
        if isinstance(lhs, Name) and (last := _float(last)) is not None and (q := quantity(lhs)) is not None:
            values = own.setdefault(q, [])
            if len(values) < OWN_VALUES:
                values.append(last)
    out: list[Chain] = []
    for chain in chains:
        out.extend(_cut(chain, quantity, floats, own, 0))
    return out


def _candidate(tree) -> bool:
    """Is ``tree`` a number times a name (``0.650011 o2``, ``-7.65 z2``), or over one (``-7.65 / z2``, as a slash
    between two equations reads)?"""
    if isinstance(tree, Neg):
        tree = tree.arg
    if isinstance(tree, Div):
        return isinstance(tree.num, Number) and isinstance(tree.den, Name)
    return (isinstance(tree, Mul) and len(tree.factors) == 2 and isinstance(tree.factors[0], Number)
            and isinstance(tree.factors[1], Name))


def _cut(chain: Chain, quantity, floats: dict, own: dict[str, list[float]], depth: int) -> list[Chain]:
    lhs = chain.lhs.tree
    this = quantity(lhs) if isinstance(lhs, Name) else None
    steps = chain.steps
    for k in range(len(steps) - 1):
        tree, sign = steps[k].tree, ""
        if not _candidate(tree):
            continue
        if isinstance(tree, Neg):  # -7.65 z2: the minus is the number's
            tree, sign = tree.arg, "-"
        divided = isinstance(tree, Div)
        number, name = (tree.num, tree.den) if divided else tree.factors
        if sign:
            number = Number(-number.value, sign + number.text)
        other = quantity(name)
        if other is None or other == this or other not in floats:
            continue
        after = _float(next((v for v in (s.value for s in steps[k + 1:]) if v is not None), None))
        factor = _float(number.value)
        if after is None or factor is None:
            continue
        if any(abs((factor / v if divided else factor * v) - after) <= AGREE * abs(after)
               for v in [floats[other], *own.get(other, ())] if v or not divided):
            continue  # the product (quotient) it says (with the key's value of the name, or the student's own)
        first = Chain(lhs=chain.lhs, steps=steps[:k] + [Step(steps[k].relation, number.text, number, steps[k].line)],
                      line=chain.line, embedded=chain.embedded)
        rest = Chain(lhs=Step("", name.text, name, steps[k].line), steps=steps[k + 1:], line=chain.line,
                     embedded=chain.embedded)
        return [first] + (_cut(rest, quantity, floats, own, depth + 1) if depth < 64 else [rest])
    return [chain]


def _float(value) -> float | None:
    """``value`` (a Fraction or an mpf) as a finite float, or None (no value, or beyond the float range: 1e999)."""
    out = as_float(value) if value is not None else math.inf
    return out if math.isfinite(out) else None
