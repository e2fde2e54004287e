"""What students write after a value that is not part of it: how it was rounded ("(4 d.p.)", "(3sf)", "(to 4
decimal places)", "[rounded]", "(approx.)"), a remark in words ("(rounded)"), a check mark, an ellipsis (more
digits follow). One reading for a YAML answer (``grader.parse.answer``) and a write-up's rows
(``grader.submission``): our own patterns, each bounded, over the text's end only."""

from __future__ import annotations

import re

__all__ = ["ROUNDING_REMARK", "TRAILING_REMARK", "without_remark"]

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


def without_remark(text: str) -> str:
    """``text`` without what follows its value as a remark (see the module's docstring), or as it is."""
    for _ in range(3):  # "0.5933... (4 d.p.) ✓": a few, one after the other
        before = text
        m = TRAILING_REMARK.search(text)
        if m is not None and (ROUNDING_REMARK.fullmatch(m[1]) or _WORDS.fullmatch(m[1])):
            text = text[:m.start()]
        text = _MARKS.sub("", _APPROX.sub("", text))
        if text == before:
            break
    return text
