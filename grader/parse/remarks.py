"""What students write after a value that is not part of it: how it was rounded ("(4 d.p.)", "(3sf)", "(to 4
decimal places)", "[rounded]", "(approx.)"), a remark in words ("(rounded)"), a check mark, an ellipsis (more
digits follow). One reading for a YAML answer (``grader.parse.answer``) and a write-up's rows
(``grader.submission``): our own patterns, each bounded, over the text's end only."""

from __future__ import annotations

import re

__all__ = ["ROUNDING_REMARK", "TRAILING_REMARK", "without_remark", "restates"]

# how a value was rounded, said in brackets after it: a remark, not a factor
ROUNDING_REMARK = re.compile(
    r"(?i)[ \t]*(?:(?:rounded|correct)(?:[ \t]+to)?[ \t]*|to[ \t]+)?[0-9]{1,2}[ \t]*(?:d\.?[ \t]*p\.?|s\.?[ \t]*f\.?|dps?|sfs?"
    r"|sig\.?[ \t]*(?:figs?|digits?)\.?|decimal[ \t]+places?|significant[ \t]+(?:figures?|digits?))[ \t]*"
    r"|[ \t]*(?:approx\.?|approximately|rounded|rnd\.?|to[ \t]+[0-9]{1,2}[ \t]*(?:places|digits|figures))[ \t]*")
# a remark in brackets at the end of a text (a plain line, an answer)
TRAILING_REMARK = re.compile(r"[ \t]*[(\[]([^()\[\]\n]{1,40})[)\]][ \t]*[.,;]?[ \t]*$")
# words in brackets, one of three letters or more, no digit ("(rounded)", "(correct, rounded)"); or bare words after
# the value that say it is approximate
_WORDS = re.compile(r"[ \t]*(?=[^()\[\]\n]*[A-Za-z]{3})[A-Za-z ,.'-]{1,40}")
_APPROX = re.compile(r"(?i)[ \t]+(?:approx\.?|approximately|\(?approx\.?\)?|rounded)[ \t]*$")
_MARKS = re.compile(r"[ \t]*(?:\u2713|\u2714|\u2026|\.\.\.)[ \t]*$")


# the value said again in brackets: "(= 4.76e-4)", "(≈ 0.0005)", "(i.e. 4.76e-4)", "(or 0.048 %)"; or a number alone
# (ASCII classes only: the practice page's JavaScript reads the same, grader/report/practice_reader.js)
_SAID_AGAIN = re.compile(r"(?i)[ \t]*(?:=|≈|~|i\.[ \t]*e\.|or(?![A-Za-z0-9_])|that[ \t]+is(?![A-Za-z0-9_]))"
                         r"[^\n]*[0-9][^\n]*")
_LITERAL = (r"([-−+]?)([0-9]+)(?:\.([0-9]*))?(?:[ \t]*(?:[eE][ \t]*([-−+]?[0-9]{1,3})"
            r"|(?:×|x|\*|·)[ \t]*10[ \t]*\^[ \t]*\{?[ \t]*([-−+]?[0-9]{1,3})[ \t]*\}?))?")
_ALONE = re.compile(r"[ \t]*" + _LITERAL + r"[ \t]*")
_LAST = re.compile(r"(?<![A-Za-z0-9_.])" + _LITERAL + r"[ \t]*\Z")


def restates(inner: str, before: str) -> bool:
    """Does the bracket holding ``inner``, after ``before``, say the value again rather than multiply it: ``(=
    4.76e-4)``, ``(i.e. ...)``, or a number alone within half a unit of the last digit of the less precise of the
    two of the number ``before`` ends with (``0.000476 (4.76e-4)``; not ``0.65 (0.35)``, a product, nor numbers of
    one significant digit, ``0.5 (0.5)``)? Before, ``h1 = 0.000476 (4.76e-4)`` was read as the product
    0.000476·4.76e-4 and marked wrong."""
    if _SAID_AGAIN.fullmatch(inner):
        return True
    one, other = _ALONE.fullmatch(inner), _LAST.search(before)
    if one is None or other is None:
        return False
    (a, unit_a, digits_a), (b, unit_b, digits_b) = _literal(one), _literal(other)
    unit, digits = (unit_a, digits_a) if unit_a >= unit_b else (unit_b, digits_b)
    return a != 0 and digits >= 2 and abs(a - b) <= unit * 0.5 * (1 + 1e-9)


def _literal(m: re.Match) -> tuple[float, float, int]:
    """The number a ``_LITERAL`` match says, the unit of its last digit, and its significant digits (from the text:
    the same floats in Python and JavaScript; beyond the float range an inf, never an error)."""
    sign, whole, frac = m.group(1), m.group(2), m.group(3) or ""
    exponent = int((m.group(4) or m.group(5) or "0").replace("−", "-").replace(" ", ""))
    value = float(f"{'-' if sign in ('-', '−') else ''}{whole}.{frac or '0'}e{exponent}")
    return value, float(f"1e{exponent - len(frac)}"), len((whole + frac).lstrip("0")) or 1


def without_remark(text: str) -> str:
    """``text`` without what follows its value as a remark (see the module's docstring), or as it is."""
    for _ in range(3):  # "0.5933... (4 d.p.) ✓": a few, one after the other
        before = text
        m = TRAILING_REMARK.search(text)
        if m is not None and (ROUNDING_REMARK.fullmatch(m[1]) or _WORDS.fullmatch(m[1])
                              or restates(m[1], text[:m.start()])):
            text = text[:m.start()]
        text = _MARKS.sub("", _APPROX.sub("", text))
        if text == before:
            break
    return text
