"""What the terminal, Markdown and HTML reports share: verdict symbols, the few words and numbers every report writes
the same way, and the exam-mode guard that hides the key's numbers (``hide_key_numbers``)."""

from __future__ import annotations

import functools
import re

from grader.grade.result import FieldResult, Flag, GradeResult
from grader.numfmt import fmt

SYMBOL = {"correct": "✓", "carried": "↪", "incorrect": "✗", "missing": "∅", "unparseable": "?", "pending": "…"}
HIDDEN = "[hidden]"
FLAG_TITLE = {"inconsistent": "One quantity, two values", "wrong_given": "A given value was replaced",
              "wrong_formula": "A formula is not the network's"}
NOT_CORRECT = ("carried", "incorrect", "missing", "unparseable", "pending")

_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?!\.?\d)(?![A-Za-z_])")
_SCI = re.compile(r"(?<![\w.\\])(\d+(?:\.\d+)?)e([-+]?)(\d+)(?![\w.])")


@functools.lru_cache(maxsize=256)
def points(x: float) -> str:
    """Points as shown (``1.5``); a zero is ``0`` whatever its sign (the cache holds 0.0 and -0.0 as one key, so the
    text must not depend on which came first)."""
    return f"{x + 0.0:g}"


_fmt10 = functools.lru_cache(maxsize=1024)(lambda x: fmt(x, 10))  # a key's values recur for every student
_fmt15 = functools.lru_cache(maxsize=1024)(lambda x: fmt(x, 15))


def who(result: GradeResult) -> str:
    """``Name (id)``, ``Name``, ``(id)`` or empty: raw student text (escape it for the output format)."""
    s = result.student
    return " ".join(x for x in (s.name, f"({s.id})" if s.id else None) if x)


def accepted(result: GradeResult, f: FieldResult) -> str | None:
    """What is accepted for ``f``, when it is worth saying: an updated parameter judged on its change, or a rule of
    its own ("the change w5_new − w5 is judged within 1 %: keep at least 9 significant digits of w5_new")."""
    if not f.accepted or f.verdict == "pending" or not (f.compared_on_change or f.tolerance != result.tolerance_rule):
        return None
    return f.accepted.removeprefix(f.quantity + ": ")


def on_change_note(result: GradeResult) -> bool:
    """Does any field of ``result`` judge an updated parameter on its change (so the footer says so)? (A plain loop:
    cheaper than ``any`` over a generator, and every report asks.)"""
    for f in result.fields:
        if f.compared_on_change:
            return True
    return False


def shown_value(f: FieldResult) -> str | None:
    """What the student wrote, verbatim when known; None when there is no answer."""
    if f.given_text is not None and f.given_text.strip():
        return f.given_text
    if f.given is not None:
        return _fmt10(f.given)
    return None


def expected_value(f: FieldResult) -> str:
    """The key's value (10 significant digits; 15 for an updated parameter that is not correct, judged on its change,
    so that the change shows: 29.9999996936962, not 29.99999969 beside a wrong 29.99999969); a written answer graded
    by hand (``pending``) has none."""
    return expected_text(f.verdict, f.expected, f.compared_on_change)


def expected_text(verdict: str, expected: float | None, compared_on_change: bool) -> str:
    """``expected_value`` of a field with this verdict, key's value and rule (for caches keyed on these)."""
    if verdict == "pending" or expected is None:
        return "—"
    return _fmt15(expected) if compared_on_change and verdict != "correct" else _fmt10(expected)


def describe(f: FieldResult) -> str:
    """``net input of h1`` from ``z1: net input of h1``."""
    return describe_text(f.description, f.quantity)


def describe_text(description: str, quantity: str) -> str:
    """``describe`` of a field with this description and quantity."""
    prefix = f"{quantity}: "
    return description[len(prefix):] if description.startswith(prefix) else description


def flagged_quantities(result: GradeResult) -> dict[str, list[str]]:
    """For each field with flags (``flags_on``), the quantities those flags are about, once each, in flag order:
    made in one pass over the flags instead of one per field."""
    out: dict[str, dict[str, None]] = {}
    for fl in result.flags:
        about = fl.quantity
        out.setdefault(about, {})[about] = None
        for w in fl.where:
            if w.startswith("used in "):
                out.setdefault(w[8:], {})[about] = None
    return {q: list(v) for q, v in out.items()}


def flags_on(result: GradeResult, quantity: str) -> list[Flag]:
    """The flags about values written for ``quantity``'s work (``used in quantity``) or about ``quantity`` itself."""
    mark = f"used in {quantity}"
    return [fl for fl in result.flags if mark in fl.where or fl.quantity == quantity]


def hide_key_numbers(text: str, f: FieldResult, reveal: bool) -> str:
    """In exam mode, replace the field's expected value wherever a sentence quotes it (a guard: the grading messages
    should not contain it in the first place). Updated parameters are left alone: their expected value rounds to the
    old parameter (40.0000081 -> 40), which messages may quote legitimately."""
    if reveal or f.compared_on_change or not text or f.expected is None:
        return text
    forms = {fmt(f.expected, d) for d in range(6, 11)}
    return _NUMBER.sub(lambda m: HIDDEN if m.group(0) in forms else m.group(0), text)


def latex_numbers(latex: str) -> str:
    """``1.17999e-6`` -> ``1.17999 \\times 10^{-6}`` (display only: the digits are the result's)."""
    return _SCI.sub(lambda m: f"{m.group(1)} \\times 10^{{{'-' if m.group(2) == '-' else ''}{m.group(3)}}}", latex)
