"""Which of a write-up's error terms (``error_o1 = ...``, read as −delta_o1 where the problem's delta is ∂E/∂net:
``grader.submission.errorterm``) are read as their delta. Not one whose delta has a value under its own name
(``delta_o1 = -0.0569``: the student's delta is that one), nor one that is the output's error ``t − o`` alone
(``error_o1 = t1 - o1 = 0.25``, as tutorials name it before multiplying by the derivative): each is listed as not
read, with why. Before, either made a second, wrong value of the delta: marked wrong, flagged inconsistent, and its
formula flagged as not the network's."""

from __future__ import annotations

from typing import Callable

from grader.parse.latex import Add, Name, Neg, to_text
from grader.submission.chains import Chain
from grader.submission.notes import Unattributed
from grader.submission.writeup_values import final_step

__all__ = ["kept_error_terms", "error_signal"]


def kept_error_terms(attributed: list[tuple[str, Chain]], negated: set[int], quantity: Callable, graph,
                     shorten: Callable[[str], str], unattributed: list[Unattributed]) -> list[tuple[str, Chain]]:
    """``attributed`` (quantity, chain) without the error terms among ``negated`` (chain ids) that are not read as
    their delta; those are appended to ``unattributed``. ``quantity(name)``: the quantity a ``Name`` names."""
    own = {q for q, chain in attributed if id(chain) not in negated and final_step(chain) is not None}
    kept = []
    for q, chain in attributed:
        if id(chain) in negated:
            written = to_text(chain.lhs.tree)
            if q in own:
                why = (f"not read as {q}: {q} has a value under its own name, and {written} (an error term, t − o or "
                       f"−∂E/∂net in different books) is not a second value of it")
            elif error_signal(chain, quantity, graph):
                why = f"not read as {q}: {written} is t − o here, the output's error, not its delta"
            else:
                why = None
            if why is not None:
                unattributed.append(Unattributed(chain.line, shorten(chain.text), why))
                continue
        kept.append((q, chain))
    return kept


def error_signal(chain: Chain, quantity: Callable, graph) -> bool:
    """Is the chain's first formula a target minus an output, or the other way round (``t_1 - o_1``)?"""
    step = next((s for s in chain.steps if s.named), None)
    tree = step.tree if step is not None else None
    if not isinstance(tree, Add) or len(tree.terms) != 2 or sum(isinstance(t, Neg) for t in tree.terms) != 1:
        return False
    names = [t.arg if isinstance(t, Neg) else t for t in tree.terms]
    if not all(isinstance(n, Name) for n in names):
        return False
    found = [quantity(n) for n in names]
    given = [q in graph.given for q in found]
    return all(found) and given.count(True) == 1 and found[given.index(False)] in graph.nodes
