"""Error terms as Han & Kamber and Mitchell write them, ``Err_o1 = O(1 - O)(T - O)`` = −∂E/∂net, where a problem's
delta is ∂E/∂net: the name resolver (``grader.spec.notation``) reads ``Err_o1`` as ``delta_o1`` negated; this
module changes the sign of the value written (``negated_value``), says so (``error_term_note``), and gives the
write-up reader the problem's names with the error terms apart (``default_resolver``)."""

from __future__ import annotations

import re

from grader.parse.answer import Parsed, is_plain_decimal
from grader.record import replace

TYPE_CHECKING = False  # typing costs milliseconds at start-up: only a type checker imports it
if TYPE_CHECKING:
    from typing import Callable

    Resolve = Callable[[str], "str | None"]

__all__ = ["negated_value", "error_term_note", "default_resolver", "own_names", "second_value_note"]

_ONE_NUMBER = re.compile(r"[-−+]?[0-9][0-9.]*(?:[eE][-+]?[0-9]+|×10\^[-−]?[0-9]+)?")  # as a report shows one

def negated_value(value):
    """``value`` (a ``grader.submission.load.Value``) with its sign changed: what an error term ``Err_o1 = 0.0569`` says of a ``delta_o1`` that is
    ∂E/∂net (−0.0569). The text says it too: a plain decimal gets or loses its minus sign, anything else is
    ``−(...)``; an unreadable value stays as it is."""
    parsed = value.parsed
    if not isinstance(parsed, Parsed) or value.text is None:
        return value
    text = value.text.strip()
    if is_plain_decimal(text) or _ONE_NUMBER.fullmatch(text):  # one number: its sign changed
        text = text[1:] if text[0] in "-−" else f"-{text[1:]}" if text[0] == "+" else f"-{text}"
    else:
        text = f"-({text})"
    exact = -parsed.exact if parsed.exact is not None else None
    return replace(value, text=text, parsed=Parsed(-parsed.value, exact, text))


def error_term_note(written: str, name: str, before: str | None, after: str | None) -> str:
    """The warning of an answer read as an error term: what it is, and the value graded."""
    return (f"'{written}' is read as an error term, −∂E/∂net (as Han & Kamber and Mitchell write it), and this "
            f"problem's {name} is ∂E/∂net, its opposite: your {written} = {before} is graded as {name} = {after}")


def own_names(answers, resolver) -> set[str]:
    """The quantities a YAML submission's ``answers`` (keys as written) answer under a name of their own, not an
    error term's (``error_o1``, which then gives no second value of the delta: the student's delta is the one under
    its own name, whichever comes first)."""
    own = set()
    for key in answers:
        res = resolver.resolve(key)
        if res.name is not None and not res.negated:
            own.add(res.name)
    return own


def second_value_note(written: str, name: str) -> str:
    """The warning of an error term left unread because its delta is answered under its own name."""
    return (f"'{written}' is not read as {name}: {name} is answered under its own name, and '{written}' (an error "
            "term, t − o or −∂E/∂net in different books) is not a second value of it")


def default_resolver(problem) -> Resolve:
    """The problem's name resolver as the reader asks it: a name as written -> the quantity, or None (an error term
    whose sign is the delta's opposite is None here, so a formula naming one gets no verdict); its ``error_term``
    gives that delta, for a left-hand side."""
    hit = _RESOLVERS.get(id(problem))
    if hit is None or hit[0] is not problem:  # (the problem is held with it: its id is not reused meanwhile)
        from grader.spec.notation import Resolver

        if len(_RESOLVERS) >= _MAX_RESOLVERS:
            _RESOLVERS.clear()
        hit = _RESOLVERS[id(problem)] = (problem, _ProblemNames(Resolver.for_problem(problem)))
    return hit[1]


# a problem's resolver, made once (10-15 ms of every write-up's reading, a batch's every file); a batch grades one
# problem or a few variants of it
_RESOLVERS: dict[int, tuple[object, "_ProblemNames"]] = {}
_MAX_RESOLVERS = 8


class _ProblemNames:
    def __init__(self, resolver) -> None:
        self._resolver = resolver

    def __call__(self, text: str) -> str | None:
        result = self._resolver.resolve(text)
        return result.name if result.name and not result.ambiguous and not result.negated else None

    def error_term(self, text: str) -> str | None:
        """The delta an error term ``Err_{o_1}`` is minus, or None."""
        result = self._resolver.resolve(text)
        return result.name if result.name and result.negated else None
