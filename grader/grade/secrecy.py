"""Exam secrecy at the source: the ``GradeResult`` of an exam-mode grading carries no key-derived number.

With ``reveal`` never (or before the due date) every output (text, Markdown, HTML, JSON, gradebooks, Gradescope
``results.json``, feedback files) is rendered from a result that has no expected values (``expected`` None,
``expected_text`` empty), no worked lines, no carried values, and no sentence (message, diagnosis, tolerance,
flag, warning) that quotes a number matching the key: such a number is replaced by ``[hidden]``. A number is the
key's when, rounded to the digits it is written with, it equals a key value (a computed quantity, or the change
``p_new - p`` of an updated parameter) rounded alike; it is left alone when it equally matches a given value or a
number the student wrote (``z1 = -11.65`` in "your z1 = -11.65"), which reveal nothing.

Renderers hide expected values in exam mode too; this module makes that hold whatever a renderer or a message
does (``docs/trust.md``).
"""

from __future__ import annotations

import dataclasses
import math
import re
from typing import Iterable

from grader.grade.result import Diagnosis, FieldResult, Flag, GradeResult

__all__ = ["HIDDEN", "exam_result", "numbers_in", "leaks"]

HIDDEN = "[hidden]"
# A written number: optional sign (ASCII or Unicode minus), digits with an optional fraction, optional exponent
# (``e-6``, ``×10^-6``, ``·10^{-6}``).
_NUMBER = re.compile(
    r"(?<![\w.])[-−]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+−]?\d+|\s?[×x·]\s?10\^\{?[-+−]?\d+\}?)?(?![\w])"
)


def _parse(text: str) -> tuple[float, int] | None:
    """(absolute value, significant digits written) of a number's text."""
    t = text.replace("−", "-").replace(" ", "").lstrip("+-")
    exp = 0
    m = re.search(r"[×x·]10\^\{?([-+]?\d+)\}?$", t)
    if m:
        exp, t = int(m.group(1)), t[: m.start()]
    elif "e" in t.lower():
        t, _, e = t.lower().partition("e")
        try:
            exp = int(e)
        except ValueError:
            return None
    digits = t.replace(".", "").lstrip("0")
    if not digits:
        return (0.0, 1)
    try:
        value = float(t) * 10.0 ** exp
    except (ValueError, OverflowError):
        return None
    return (abs(value), len(digits))


def _rounded(value: float, digits: int) -> str:
    return f"{abs(value):.{max(1, digits) - 1}e}"


def _same(written: tuple[float, int], value: float) -> bool:
    """Does ``value``, rounded to the significant digits ``written`` has, equal the written number? Below three
    digits only an exact equality counts (0.5 is not every value from 0.45 to 0.55)."""
    num, digits = written
    value = abs(value)
    if not math.isfinite(value):
        return False
    if digits < 3:
        return value != 0 and math.isclose(num, value, rel_tol=1e-12, abs_tol=0.0)
    return value != 0 and _rounded(num, digits) == _rounded(value, digits)


def numbers_in(text: str) -> list[re.Match]:
    return list(_NUMBER.finditer(text or ""))


class _Judge:
    def __init__(self, secrets: Iterable[float], public: Iterable[float]) -> None:
        self.secrets = sorted({abs(float(s)) for s in secrets if s is not None and math.isfinite(float(s)) and s != 0})
        self.public = sorted({abs(float(p)) for p in public if p is not None and math.isfinite(float(p))})

    def secret(self, text: str) -> bool:
        written = _parse(text)
        if written is None or written[0] == 0:
            return False
        if not any(_same(written, s) for s in self._near(self.secrets, written[0])):
            return False
        return not any(_same(written, p) for p in self._near(self.public, written[0]))

    @staticmethod
    def _near(values: list[float], x: float) -> list[float]:
        """The values within a factor of 1.1 of ``x`` (all a rounding can match), found by bisection."""
        import bisect

        lo, hi = bisect.bisect_left(values, x / 1.1), bisect.bisect_right(values, x * 1.1)
        return values[lo:hi]

    def scrub(self, text: str) -> str:
        if not text:
            return text
        return _NUMBER.sub(lambda m: HIDDEN if self.secret(m.group(0)) else m.group(0), text)


def leaks(text: str, secrets: Iterable[float], public: Iterable[float] = ()) -> list[str]:
    """The numbers in ``text`` that give away one of ``secrets`` (for tests and checks)."""
    judge = _Judge(secrets, public)
    return [m.group(0) for m in numbers_in(text) if judge.secret(m.group(0))]


def exam_result(result: GradeResult, secrets: Iterable[float], public: Iterable[float] = ()) -> GradeResult:
    """``result`` as exam mode must show it: ``reveal`` False, no expected value, no worked line, no carried
    value, and every sentence without a number matching ``secrets`` (the key's values) unless it also matches
    ``public`` (given values) or a number the student wrote."""
    own: list[float] = []
    for f in result.fields:
        if f.given is not None:
            own.append(f.given)
        own += [v for _, v in f.follows_from]
    for fl in result.flags:
        own += list(fl.values)
    judge = _Judge(list(secrets) + [f.expected for f in result.fields if f.expected is not None],
                   list(public) + own)
    fields = tuple(_field(f, judge) for f in result.fields)
    flags = tuple(dataclasses.replace(fl, message=judge.scrub(fl.message)) for fl in result.flags)
    return dataclasses.replace(
        result, fields=fields, flags=flags, reveal=False, tolerance_rule=judge.scrub(result.tolerance_rule),
        warnings=tuple(judge.scrub(w) for w in result.warnings),
    )


def _field(f: FieldResult, judge: _Judge) -> FieldResult:
    diagnosis = f.diagnosis
    if diagnosis is not None:
        diagnosis = Diagnosis(diagnosis.id, judge.scrub(diagnosis.text))
    return dataclasses.replace(
        f, expected=None, expected_text="", worked="", worked_latex="", carried_value=None,
        message=judge.scrub(f.message), diagnosis=diagnosis, tolerance=judge.scrub(f.tolerance),
    )


def plan_numbers(plan) -> tuple[list[float], list[float]]:
    """(secrets, public) of a backprop ``grader.grade.engine.Plan``: every computed value of its key and every
    change of an updated parameter; the given values."""
    givens = frozenset(plan.info.given)
    public = [plan.floats[g] for g in plan.info.given]
    secrets = []
    for name, value in plan.floats.items():
        if name in givens:
            continue
        secrets.append(value)
        if name in plan.changes:
            secrets.append(plan.changes[name])
    return secrets, public
