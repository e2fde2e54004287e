"""Updates written as assignments: ``w_{46} = w_{46} + (l) Err_6 O_4 = -0.3 + (0.9)(0.1311)(0.332) = -0.261``, as
Han & Kamber write every update (``w_{ij} = w_{ij} + Δw_{ij}``) and many students write them after the book: a
given parameter's own name on the left of its update. The steps show it is the update, not the given value
restated: the parameter's name on the right too (``w_{46} + ...``), or a sum whose first term is its given value
(``-0.3 + ...``), with an answer other than that value. Such a chain answers the updated parameter (``w46_new``);
any other chain with a given's name on the left states that given, as before (``Given: w_5 = 0.1``). So does an
arrow after it, as Mitchell writes an update (``w_5 \\leftarrow 0.3589``, ``w_5 ← w_5 + Δw_5``): the parameter
becomes the value. ``:=`` is not read so: ``w_5 := 0.4`` is as often the given defined."""

from __future__ import annotations

import re

from grader.parse.latex import Add, Neg, Number, free_names
from grader.spec import names as qnames

TYPE_CHECKING = False  # typing costs milliseconds at start-up: only a type checker imports it
if TYPE_CHECKING:
    from typing import Callable

__all__ = ["updated_parameter", "assignment_note", "arrow_update", "NUMBER_TEXT"]


def updated_parameter(q: str, chain, nodes, given: dict, quantity: Callable, final) -> str | None:
    """The updated parameter a chain with the given parameter ``q`` on its left answers (``w46`` -> ``w46_new``), or
    None. ``nodes``: the problem's quantities; ``given``: the given values, exact; ``quantity``: a written name ->
    the problem's; ``final``: the chain's answer (its last number), or None."""
    new = qnames.new_name(q, 1)
    if new not in nodes or q not in given or final is None or final == given[q]:
        return None
    if chain.steps and chain.steps[0].relation == ARROW:
        return new  # w_5 ← 0.3589 (w_5 \gets ...): the arrow says the parameter becomes it
    for step in chain.steps:
        tree = step.tree
        if not isinstance(tree, Add) or len(tree.terms) < 2:
            continue
        if step.named:
            if any(quantity(n) == q for n in free_names(tree)):
                return new  # w_{46} = w_{46} + ...
            continue
        first = tree.terms[0]
        value = first.value if isinstance(first, Number) else (
            -first.arg.value if isinstance(first, Neg) and isinstance(first.arg, Number) else None)
        if value is not None and value == given[q]:
            return new  # w_{46} = -0.3 + ...
    return None


def assignment_note(written: str, q: str, new: str, relation: str = "=") -> str:
    """What the report says of such a chain (``relation``: the first one of the chain)."""
    if relation == ARROW:
        return f"'{written} ← ...' is read as the updated parameter {new}, not as the given {q}"
    return (f"'{written}' on the left of its own update ({written} = {written} + ...) is read as the updated "
            f"parameter {new}, not as the given {q}")


ARROW = "\u2190"  # ``\leftarrow``, ``\gets``, ``←`` as the chains read them (``grader.submission.chains``)


# one number as written in a line of text or LaTeX: a decimal (a decimal comma too), its power of ten as ``e-4``,
# ``× 10^-4`` or ``\\times 10^{-4}`` (also the plain-text reader's, for a value alone on its line)
NUMBER_TEXT = r"[-−+]?(?:\d+(?:[.,]\d+)?|\.\d+)(?:[eE][-−+]?\d{1,3}|[ \t]*(?:×|x|\\times|\\cdot|\*|·)[ \t]*10[ \t]*\^[ \t]*(?:\{[-−+]?\d{1,3}\}|[-−+]?\d{1,3}))?"
# ``w5: 40 → 40.0000081``, ``w_5 = 40 \\rightarrow 40.0000081``: a parameter, its value, an arrow, its new value
_FROM_TO = re.compile(r"[ \t]*(?P<name>[^\s=:→]{1,40}?)[ \t]*(?:=|:)[ \t]*(?P<old>" + NUMBER_TEXT + r")[ \t]*"
                      r"(?:→|⟶|->|-->|\\to\b|\\rightarrow|\\longrightarrow|\\mapsto|⇒|=>)[ \t]*(?P<new>" + NUMBER_TEXT
                      + r")[ \t]*")


# ``w5 → w5 - η ∂E/∂w5 = 40.0000081``: a parameter becomes what follows the arrow, as Nielsen writes an update
_BECOMES = re.compile(r"[ \t]*(?P<name>[^\s=:→]{1,40}?)[ \t]*(?:→|⟶|->|-->|\\to\b|\\rightarrow|\\longrightarrow|\\mapsto)"
                      r"(?P<rest>[^\n]*[0-9][^\n]*)")


def arrow_update(text: str, is_name: Callable[[str], str | None]) -> list[str] | None:
    """A parameter's update written as its value, an arrow and its new value (``w5: 40 → 40.0000081``) as the two
    rows the reader reads: the given stated (``w5 = 40``) and the update (``w5 ← 40.0000081``, Mitchell's arrow:
    the parameter becomes it); or as Nielsen writes one, the parameter, an arrow and its new value's work (``w5 → w5
    - η ∂E/∂w5 = ...``), as the row ``w5 ← ...``. None for any other row, or a name whose update is not asked.
    Before, the new value was not read."""
    if len(text) > 2000:
        return None
    m = _FROM_TO.fullmatch(text) if len(text) <= 200 else None
    if m is not None and is_name(m["name"] + "^{+}") is not None:
        return [f"{m['name']} = {m['old']}", f"{m['name']} \u2190 {m['new']}"]
    m = _BECOMES.fullmatch(text)  # (its name alone before the arrow: ``z1 = -7.65 → h1 = ...`` is no update)
    if m is not None and (q := is_name(m["name"])) is not None and is_name(m["name"] + "^{+}") not in (None, q):
        return [f"{m['name']} \u2190{m['rest']}"]
    return None
