"""How a write-up's numbers become answers: the text a value is shown with (``number_text``, ``decimal_text``), and
the answer a chain's last number gives (``final_step``, ``step_value``, ``parsed_value``), unreadable rather than
an error where it is beyond the float range (``as_float``)."""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath

from grader.numfmt import decimal_places
from grader.parse.answer import Parsed, Unparseable
from grader.parse.latex import Neg, Node, Number, to_text
from grader.submission.chains import Chain, Step
from grader.submission.load import Value

__all__ = ["number_text", "decimal_text", "final_step", "plain_number", "step_value", "parsed_value", "as_float"]


def number_text(v) -> str:
    if isinstance(v, Fraction):
        if v.denominator == 1:
            return str(v.numerator)
        text = decimal_text(v)
        return text if text is not None else f"{v.numerator}/{v.denominator}"
    return mpmath.nstr(v, 15, strip_zeros=True)


def decimal_text(v: Fraction) -> str | None:
    """The terminating decimal of ``v`` if it has one of at most 40 digits."""
    places = decimal_places(v)
    if places is None or places > 40:
        return None
    scaled = abs(v.numerator * 10**places // v.denominator)
    digits = str(scaled).rjust(places + 1, "0")
    text = digits[:-places] + "." + digits[-places:] if places else digits
    return ("-" if v < 0 else "") + text


def step_value(step: Step, v) -> Value:
    tree = step.tree
    if isinstance(tree, Number):
        text = tree.text
    elif isinstance(tree, Neg) and isinstance(tree.arg, Number):
        text = "-" + tree.arg.text
    else:
        text = to_text(tree)
    return Value(text=text, parsed=parsed_value(v, text), line=step.line)


def parsed_value(v, text: str) -> Parsed | Unparseable:
    """The value a write-up's equation gives, as an answer: unreadable (never an error) where it is beyond the
    float range (``1e999``, ``40 \\cdot 1e309 + 45``), as the same number written as a YAML answer is."""
    exact = v if isinstance(v, Fraction) else None
    value = as_float(v) + 0.0
    if not math.isfinite(value):
        return Unparseable(text, "the result is not a finite number: it is beyond the float range (about ±1.8e308)")
    return Parsed(value, exact, text)


def as_float(v) -> float:
    """``float(v)``, infinite (with its sign) for a Fraction beyond the float range instead of an error."""
    try:
        return float(v)
    except OverflowError:
        return math.inf if v > 0 else -math.inf


def final_step(chain: Chain) -> tuple[Step, object] | None:
    """The last step of the chain that is a number (no names), with its value: the chain's answer."""
    for step in reversed(chain.steps):
        v = step.value
        if v is not None:
            return step, v
    return None


def plain_number(tree: Node) -> bool:
    """A number as written, or its negative (no operation to work out)."""
    return isinstance(tree, Number) or (isinstance(tree, Neg) and isinstance(tree.arg, Number))
