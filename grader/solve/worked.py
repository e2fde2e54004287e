"""Worked lines: a quantity's formula, the numbers substituted and its value, written once for every output.

``z1 = w1·i1 + w2·i2 + b1 = (-15)·0.8 + 20·0.2 + 0.35 = -7.65``. A formula that is one name (``o1 = net_o1``) is not
substituted again (no ``o1 = net_o1 = -0.0277855 = -0.02778545279``); an updated parameter ends with the change it
is judged on (``w3_new − w3 = -1.22522e-6``). Negative numbers inside a product or a sum are in parentheses
(``grader.solve.expr``).
"""

from __future__ import annotations

from grader.solve.expr import Num, Sym, latex_name, to_latex, to_text
from grader.solve.solver import AnswerKey

SUBST_DIGITS = 6


def _plain(expr) -> bool:
    """Is the formula a single name or number, whose substitution would only repeat the value?"""
    return isinstance(expr, (Sym, Num))


def change_text(key: AnswerKey, name: str, digits: int, *, latex: bool = False) -> str | None:
    """``w3_new − w3 = -1.22522e-6`` for an updated parameter (None for any other quantity)."""
    node = key.node(name)
    if node.kind != "new":
        return None
    value = key_decimal(key.change(name), digits)
    if latex:
        return f"{latex_name(name)} - {latex_name(node.base)} = {value}"
    return f"{name} − {node.base} = {value}"


def key_decimal(v, digits: int) -> str:
    from grader.solve.exact import to_decimal_string

    return to_decimal_string(v, digits)


def worked_text(key: AnswerKey, name: str, value_digits: int, subst_digits: int = SUBST_DIGITS,
                change_digits: int | None = None) -> str:
    """``name = formula = substituted = value`` (``; change``) in plain text; the value to ``value_digits``
    significant digits, the change to ``change_digits`` (by default as many)."""
    e = key.node(name).expr
    parts = [name, to_text(e)]
    if not _plain(e):
        parts.append(to_text(e, key.values, subst_digits))
    parts.append(key.decimal(name, value_digits))
    line = " = ".join(parts)
    change = change_text(key, name, change_digits or value_digits)
    return f"{line}; {change}" if change else line


def worked_latex(key: AnswerKey, name: str, value_digits: int, subst_digits: int = SUBST_DIGITS,
                change_digits: int | None = None) -> str:
    """The same in LaTeX (math mode, without the ``$``)."""
    e = key.node(name).expr
    parts = [latex_name(name), to_latex(e)]
    if not _plain(e):
        parts.append(to_latex(e, key.values, subst_digits))
    parts.append(key.decimal(name, value_digits))
    line = " = ".join(parts)
    change = change_text(key, name, change_digits or value_digits, latex=True)
    return rf"{line};\quad {change}" if change else line
