"""Two equations on one row with only a space between them: ``o1 = 0.650011   o2 = 0.651095``.

The chain reader takes the row as one chain whose middle step is a product, ``o1 = 0.650011·o2 = 0.651095``: o1
got o2's value and o2 none. A chain is cut in two at a step that is exactly a number times a name of the problem
(``0.650011 o2``), the name being another quantity than the left-hand side's, where the product does not give the
value that follows it (0.650011 × o2 is 0.42, not 0.651095): ``o1 = 0.650011`` and ``o2 = 0.651095``. Where it
does (``z = 2 h_1 = 0.00095``, h1 being 0.000476), the step is the product it says. The key's values decide only
which of the two readings the row's own numbers bear out, never a grade.
"""

from __future__ import annotations

from typing import Callable

from grader.parse.latex import Mul, Name, Neg, Number
from grader.submission.chains import Chain, Step

__all__ = ["side_by_side"]

AGREE = 0.01  # relative: a product within this of the next value is the step it says


def side_by_side(chains: list[Chain], quantity: Callable[[Name], str | None], floats: dict) -> list[Chain]:
    """``chains`` with each one of two equations side by side cut in two (the module's docstring)."""
    out: list[Chain] = []
    for chain in chains:
        out.extend(_cut(chain, quantity, floats, 0))
    return out


def _cut(chain: Chain, quantity, floats: dict, depth: int) -> list[Chain]:
    lhs = chain.lhs.tree
    own = quantity(lhs) if isinstance(lhs, Name) else None
    steps = chain.steps
    for k in range(len(steps) - 1):
        tree, sign = steps[k].tree, ""
        if isinstance(tree, Neg):  # -7.65 z2: the minus is the number's
            tree, sign = tree.arg, "-"
        if not (isinstance(tree, Mul) and len(tree.factors) == 2 and isinstance(tree.factors[0], Number)
                and isinstance(tree.factors[1], Name)):
            continue
        number, name = tree.factors
        if sign:
            number = Number(-number.value, sign + number.text)
        other = quantity(name)
        if other is None or other == own or other not in floats:
            continue
        after = next((v for v in (s.value for s in steps[k + 1:]) if v is not None), None)
        if after is None:
            continue
        product, after = float(number.value) * floats[other], float(after)
        if abs(product - after) <= AGREE * abs(after):
            continue  # the product it says
        first = Chain(lhs=chain.lhs, steps=steps[:k] + [Step(steps[k].relation, number.text, number, steps[k].line)],
                      line=chain.line, embedded=chain.embedded)
        rest = Chain(lhs=Step("", name.text, name, steps[k].line), steps=steps[k + 1:], line=chain.line,
                     embedded=chain.embedded)
        return [first] + (_cut(rest, quantity, floats, depth + 1) if depth < 64 else [rest])
    return [chain]
