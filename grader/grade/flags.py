"""Flags across fields: one quantity with two values (``inconsistent``), a given value replaced (``wrong_given``).

Every number a student writes for a quantity is collected: the answer itself and each ``using`` that names it.
Values that agree within the quantity's tolerance are one value; two or more distinct values make a flag. A
``using`` value that is flagged is *untrusted*: credit for an error carried forward never rests on it.
"""

from __future__ import annotations


from grader.numfmt import fmt
from grader.grade.result import Flag
from grader.spec.tolerance import Tolerance, within

TYPE_CHECKING = False  # typing costs milliseconds at start-up: only a type checker imports it
if TYPE_CHECKING:
    from typing import Callable


class Written:
    """One number a student wrote for a quantity (a plain class: a submission writes dozens)."""

    __slots__ = ("quantity", "value", "where", "field")

    def __init__(self, quantity: str, value: float, where: str, field: str | None) -> None:
        self.quantity = quantity
        self.value = value
        self.where = where  # "your answer" or "used in delta_o1"
        self.field = field  # the answer whose `using` holds it (None for the answer itself)


def find_flags(
    written: list[Written],
    given: dict[str, float],
    new_values: dict[str, tuple[float | None, float]],
    same: Callable[[str, float, float], bool],
    agree_for: Callable[[str], Callable[[float, float], bool]] | None = None,
) -> tuple[list[Flag], set[tuple[str, str]]]:
    """Return the flags and the untrusted (field, quantity) pairs.

    ``given``: given values by name; ``new_values``: for a parameter, (student's p_new or None, key's p_new), to
    recognise a sequential update; ``same(quantity, value, reference)``: is ``value`` the same value of
    ``quantity`` as ``reference`` under the quantity's own tolerance (an updated parameter: on its change)?
    ``agree_for(quantity)``, when given, is ``same`` for one quantity as a function ``(value, reference) -> bool``
    (``grader.grade.judging.Judging.same``), the same decisions looked up once per quantity.

    A quantity written several times with one and the same number (the usual case: an answer restated in
    ``using``) needs a single comparison: equal numbers make equal decisions, so they are one value exactly when
    the number agrees with itself.
    """
    by_q: dict[str, list[Written]] = {}
    for w in written:
        by_q.setdefault(w.quantity, []).append(w)
    flags: list[Flag] = []
    untrusted: set[tuple[str, str]] = set()
    for q, ws in by_q.items():
        if len(ws) < 2 and q not in given:
            continue  # one value: nothing to tell apart
        if agree_for is not None:
            agree = agree_for(q)
        else:
            def agree(a: float, b: float, q=q) -> bool:
                return same(q, a, b)

        first = ws[0].value
        uniform = True  # every value written is the first one (== also holds for 0.0 and -0.0: the same decisions)
        for w in ws:
            if w.value != first:
                uniform = False
                break
        if q in given:
            if uniform:
                if agree(first, given[q]):
                    continue
                wrong = ws
            else:
                wrong = [w for w in ws if not agree(w.value, given[q])]
            if not wrong:
                continue
            for w in wrong:
                untrusted.add((w.field or "", q))
            values = _distinct([w.value for w in wrong], lambda a, b: within(a, b, EXACT))
            parts = [f"{q} = {fmt(v, 10)} ({', '.join(sorted({w.where for w in wrong if w.value == v}))})" for v in values]
            msg = f"{q} is given as {fmt(given[q], 10)}, but you used " + " and ".join(parts) + "."
            mine, right = new_values.get(q, (None, None))
            seq = [v for v in values if (mine is not None and within(v, mine, EXACT)) or (right is not None and within(v, right, EXACT))]
            if seq:
                msg += f" {fmt(seq[0], 10)} is the updated {q}_new: every delta of a step must use the weights from before the update (sequential update)."
            if len(seq) < len(values):
                msg += " Given values must be used as given, never replaced by assumed ones."
            flags.append(Flag("wrong_given", q, tuple(values), msg, tuple(sorted({w.where for w in wrong}))))
            continue
        if uniform and agree(first, first):
            continue  # one value, written several times
        values = _distinct([w.value for w in ws], agree)
        if len(values) < 2:
            continue
        answer = next((w for w in ws if w.field is None), None)
        if answer is not None:
            for w in ws:
                if w.field is not None and not agree(w.value, answer.value):
                    untrusted.add((w.field, q))
        parts = []
        for v in values:
            places = sorted({w.where for w in ws if agree(w.value, v)})
            parts.append(f"{fmt(v)} ({', '.join(places)})")
        msg = f"{q} has {len(values)} different values: " + "; ".join(parts) + ". A quantity has one value: use the one you computed."
        flags.append(Flag("inconsistent", q, tuple(values), msg, tuple(sorted({w.where for w in ws}))))
    return flags, untrusted


EXACT = Tolerance(rtol=1e-9, atol=0.0)  # "the same number", for telling written values apart


def _distinct(values: list[float], agree: Callable[[float, float], bool]) -> list[float]:
    out: list[float] = []
    for v in values:
        for u in out:
            if agree(v, u) or agree(u, v):
                break
        else:
            out.append(v)
    return out
