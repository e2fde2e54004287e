"""Typeset forms of LaTeX that say nothing the lexer needs, rewritten before it reads the text.

Each rewrite keeps the text's length and every position in it (what is dropped becomes spaces), so an error still
points at the character the student wrote:

* a number's power of ten typed as text: ``1.18\\text{e-}6``, ``1.18\\mathrm{e}{-6}``, ``1.18\\text{E-6}`` are
  ``1.18e-6`` (read as a product with Euler's number, ``1.18\\mathrm{e}{-6}`` was 1.18·e·(−6) = −19.2);
* the evaluation bar of a derivative: ``\\left.\\frac{\\partial E}{\\partial w_5}\\right|_{w_5=40}``,
  ``\\frac{dE}{dw_5}\\Big|_{w_5 = 40}``: the point it is taken at (the given values) is dropped, and so is the
  empty delimiter ``\\left.`` or ``\\right.`` of a ``\\left``/``\\right`` pair;
* a colour switch: ``\\color{blue} 0.6191`` (which colours what follows) is ``0.6191``, as the braced
  ``\\color{blue}{0.6191}`` and ``\\textcolor{red}{...}`` are (the parser reads those, keeping the group).

The patterns are linear (no nested repetition): a hostile text costs one pass of each.
"""

from __future__ import annotations

import re

__all__ = ["plain_marks"]

_SIGN = r"[-+\u2212]"
# a digit, then \text{e-}6, \text{e-6}, \text{e}{-6}, \text{e}-6 (\mathrm: not this last, where e may be Euler's)
_TEXT_EXPONENT = re.compile(
    r"(?<=\d)(?P<body>[ \t]*\\(?P<cmd>text|mathrm|textrm)[ \t]*\{[ \t]*[eE][ \t]*(?P<sign>" + _SIGN + r"?)[ \t]*"
    r"(?P<digits>\d{1,6})?[ \t]*\})"
    r"(?:[ \t]*\{[ \t]*(?P<bsign>" + _SIGN + r"?)[ \t]*(?P<bdigits>\d{1,6})[ \t]*\}|[ \t]*(?P<after>\d{1,6})"
    r"|(?P<asign>" + _SIGN + r")(?P<adigits>\d{1,6}))?")
# |_{w_5=40}, \right|_{...}, \Big\rvert_{...}: one level of braces inside the point (``w_{5} = 40``)
_BAR = re.compile(r"(?:\\right|\\[bB]igg?r?)?[ \t]*(?:\||\\vert|\\rvert|\\Vert|\\rVert)[ \t]*_[ \t]*"
                  r"\{(?=[^{}]*(?:\{[^{}]*\}[^{}]*)*=)[^{}]*(?:\{[^{}]*\}[^{}]*)*\}")
_NULL_DELIMITER = re.compile(r"\\(?:left|right)[ \t]*\.")
_COLOUR = re.compile(r"\\color[ \t]*(?:\[[^\]{}]{0,40}\][ \t]*)?\{[^{}\\]{0,60}\}(?![ \t]*\{)")


def plain_marks(text: str) -> str:
    """``text`` with the forms of this module's docstring rewritten, of the same length."""
    if "{e" in text or "{E" in text or "{ e" in text or "{ E" in text:
        text = _TEXT_EXPONENT.sub(_exponent, text)
    if "_" in text and ("|" in text or "ert" in text):
        text = _BAR.sub(_blank, text)
    if "\\left" in text or "\\right" in text:
        text = _NULL_DELIMITER.sub(_blank, text)
    if "\\color" in text:
        text = _COLOUR.sub(_blank, text)
    return text


def _exponent(m: re.Match) -> str:
    sign, digits, end = m["sign"], m["digits"], m.end("body")
    if digits is None and m["bdigits"] is not None and not sign:  # \text{e}{-6}
        sign, digits, end = m["bsign"], m["bdigits"], m.end()
    elif digits is None and m["after"] is not None and sign:  # \text{e-}6
        digits, end = m["after"], m.end()
    elif digits is None and m["adigits"] is not None and not sign and m["cmd"] != "mathrm":  # \text{e}-6
        sign, digits, end = m["asign"], m["adigits"], m.end()
    if digits is None:  # \text{e} alone, \mathrm{e}-6: not a power of ten
        return m[0]
    used = end - m.start()
    literal = "e" + ("-" if sign in ("-", "\u2212") else "") + digits
    return literal + " " * (used - len(literal)) + m[0][used:]


def _blank(m: re.Match) -> str:
    return " " * len(m[0])
