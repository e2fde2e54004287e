"""Checks of a problem's text against its names: the ``notation:`` aliases (``grader.spec.notation``) and the
``{{name}}`` placeholders of the statement (filled with the given values by ``grade key`` and by variants).

Both report a located ``SpecError`` through the ``where`` of ``grader.spec.build`` (its ``error(path, message,
hint)``), so ``grade check`` names the file, the line and what would be right."""

from __future__ import annotations

import difflib

from grader.spec.names import given_names, quantity_names
from grader.spec.notation import normalise, stem
from grader.spec.problem import Problem
from grader.spec.variant import PLACEHOLDER

__all__ = ["check_notation", "check_placeholders", "placeholder_line"]


def check_notation(aliases: dict[str, str], problem: Problem, where) -> dict[str, str]:
    """A course's own symbols: every target a name (or the stem of one) of the problem; no alias that is, or is
    spelled like, a generated name."""
    generated = quantity_names(problem) + given_names(problem)
    targets = set(generated) | {stem(n) for n in generated}
    canon: dict[str, str] = {}
    for n in generated:
        canon.setdefault(normalise(n), n)
    for alias, target in aliases.items():
        path = ("notation", alias)
        if target not in targets:
            close = difflib.get_close_matches(target, sorted(targets), n=3)
            raise where.error(path, f"notation: {alias!r} stands for {target!r}, which is not a name of this problem",
                              f"did you mean: {', '.join(close)}" if close else
                              "name a quantity or given value, e.g. o1 or w5")
        c = normalise(alias)
        if c is None:
            raise where.error(path, f"notation: {alias!r} cannot be read as a name",
                              "use at most 200 characters with balanced braces, e.g. y_hat or \\hat{y}")
        if alias in canon.values() or c in canon:
            n = alias if alias in canon.values() else canon[c]
            raise where.error(path, f"notation: {alias!r} collides with the generated name {n!r}",
                              f"choose another symbol; {n} is already accepted as written")
    return dict(aliases)


def placeholder_line(statement: str, offset: int, statement_line: int | None) -> int | None:
    """The file line of the character at ``offset`` of the statement: a multi-line statement is a block scalar
    (``statement: |``) whose text starts on the line after the key."""
    if statement_line is None:
        return None
    return statement_line + ("\n" in statement.rstrip("\n")) + statement.count("\n", 0, offset)


def check_placeholders(problem: Problem, where, text: str | None = None, field: str = "statement") -> None:
    """Every ``{{name}}`` of the statement must be a given value (what ``grade key`` and variants put there); the
    same for another text about the problem (a homework set's ``prompt`` of a backprop question: ``text``, ``field``)."""
    given = given_names(problem)
    text = problem.statement if text is None else text
    for m in PLACEHOLDER.finditer(text):
        name = m.group(1)
        if name in given:
            continue
        close = difflib.get_close_matches(name, given, n=3)
        hint = (f"did you mean {' or '.join('{{' + c + '}}' for c in close)}? " if close else "") + \
            f"placeholders name given values: {', '.join(given[:12])}{', ...' if len(given) > 12 else ''}"
        err = where.error((field,), f"the {field}'s placeholder {{{{{name}}}}} is not a given value", hint)
        err.line = placeholder_line(text, m.start(), err.line)
        raise err
