"""What follows a step's value in a chain as a comment, not a part of it (the tokens of ``grader.parse.latex``):
a text, a mark (``\\checkmark``), words in brackets (``-7.65 (rounded)``, ``(\\text{output of } h_1)``), how it was
rounded (``(4 d.p.)``), the value said again (``0.000476 \\; (4.76 \\times 10^{-4})``), an equation's number
(``\\quad (2)``). Each was read as a factor or could not be read, so right work was marked wrong or missing."""

from __future__ import annotations

import re

from grader.parse.remarks import ROUNDING_REMARK, restates

__all__ = ["without_comment"]

_COMMENT_MARKS = frozenset({"checkmark", "blacksquare", "square", "qed"})


def without_comment(part: list) -> list:
    """A step's tokens without a comment after its value: ``-7.65 \\text{ (rounded)}``, ``0.65 \\checkmark``,
    ``-7.65 (rounded)`` are the value. A comment is a text, a mark, or words in brackets (one of them three letters
    or more: ``(h)`` may be a factor), right after a number or a closing bracket; after a name it may be a name, and
    stays."""
    k = len(part)  # the comment is part[k:], pieces taken off the end one by one
    while k > 1:
        t = part[k - 1]
        if t[0] == "text" or (t[0] == "cmd" and t[1] in _COMMENT_MARKS):
            k -= 1
        elif t[0] == "close" and t[1] in ")]" and ((start := _words_in_brackets(part, k)) < k
                                                   or (start := _said_again(part, k)) < k
                                                   or (start := _equation_number(part, k)) < k):
            k = start
        else:
            break
    if k == len(part) or k < 1 or part[k - 1][0] not in ("num", "close"):
        return part
    return part[:k]


def _words_in_brackets(part: list, end: int) -> int:
    """Where ``(words)`` ending at ``part[end - 1]`` starts, when it holds only words and punctuation (no number, no
    operator, no command), one of three letters or more; else ``end``."""
    k = end - 2
    long_word = False
    opened = _remark_opening(part, end)
    if opened is not None:
        return opened  # "(\\text{output of } h_1)": words first, then what they speak of
    while k >= 0 and part[k][0] in ("word", "text", "other", "num"):
        long_word = long_word or (part[k][0] in ("word", "text") and len(part[k][1]) >= 3)
        k -= 1
    opener = "(" if part[end - 1][1] == ")" else "["
    if k < 0 or part[k][0] != "open" or part[k][1] != opener or k == end - 2:
        return end
    inside = part[k + 1:end - 1]
    if ROUNDING_REMARK.fullmatch(" ".join(t[1] for t in inside).replace(" .", ".")):
        return k  # "(4 d.p.)", "(3sf)", "[rounded]": how the value was rounded
    if not long_word or opener != "(" or any(t[0] == "num" for t in inside):
        return end
    return k


def _said_again(part: list, end: int) -> int:
    """Where brackets ending at ``part[end - 1]`` start when they say again the number before them
    (``0.000476 \\; (4.76 \\times 10^{-4})``, ``(= ...)``: ``grader.parse.remarks.restates``); else ``end``."""
    k = _opening(part, end)
    if k is None or k < 1 or part[k][1] not in "([" or part[k - 1][0] not in ("num", "close"):
        return end
    if restates(_spelled(part[k + 1:end - 1]), _spelled(part[max(0, k - 12):k])):
        return k
    return end


_SPACES = frozenset({"quad", "qquad", "hfill", "hspace", ";", ",", ":", " ", "enspace", "enskip"})
_LABEL = re.compile(r"(?i)(?:eqn?s?|equation|step)\.?")


def _equation_number(part: list, end: int) -> int:
    """Where an equation's number ending at ``part[end - 1]`` starts: ``(2)`` or ``[2]`` set apart from the value
    by spacing (``\\quad (2)``, two blanks or more), or labelled (``(\\text{eq. } 2)``); else ``end``. Before,
    ``z_2 = -13.65 \\quad (2)`` was read as the product -13.65·2 and marked wrong. One blank alone, ``0.5 (2)``, is
    still a product."""
    inside = part[end - 3:end - 1] if end >= 4 and part[end - 3][0] != "open" else part[end - 2:end - 1]
    k = end - 2 - len(inside)
    if k < 1 or part[k][0] != "open" or part[k][1] != {")": "(", "]": "["}[part[end - 1][1]]:
        return end
    number = inside[-1]
    if number[0] != "num" or not number[1].isdigit() or len(number[1]) > 3:
        return end
    if len(inside) == 2:  # a label before the number
        return k if inside[0][0] in ("text", "word") and _LABEL.fullmatch(inside[0][1].strip()) else end
    before = part[k - 1]
    if before[0] == "cmd" and before[1] in _SPACES:
        return k - 1
    gap = part[k][2] - before[2] - len(before[1])
    return k if before[0] in ("num", "close") and gap >= 2 else end


def _spelled(tokens: list) -> str:
    """Tokens as a number's text for ``restates``: ``4.76*10^{-4}`` (two numbers side by side kept apart)."""
    out, previous = [], ""
    for t in tokens:
        out.append((" " if previous == "num" == t[0] else "") + t[1])
        previous = t[0]
    return "".join(out)


def _remark_opening(part: list, end: int) -> int | None:
    """Where ``(\\text{words ...} ...)`` ending at ``part[end - 1]`` starts: brackets whose first token is a text of
    two words or more (``(\\text{output of } h_1)``) are a remark whatever follows in them; a text of one word may be
    a name (``(\\text{out}_{h1})``), and is not one. None where there is none (looked for 40 tokens back)."""
    k = _opening(part, end)
    if k is None:
        return None
    first = part[k + 1] if k + 1 < end else None
    if (part[k][1] == "(" and first is not None and first[0] == "text" and len(first[1].split()) >= 2
            and any(len(w) >= 3 for w in first[1].split())):
        return k
    return None


def _opening(part: list, end: int) -> int | None:
    """Where the bracket that ``part[end - 1]`` closes opens, looked for 40 tokens back; None if not there."""
    depth = 0
    for k in range(end - 1, max(-1, end - 41), -1):
        kind = part[k][0]
        if kind == "close":
            depth += 1
        elif kind == "open":
            depth -= 1
            if depth == 0:
                return k
    return None


_COMMENT_MARKS = frozenset({"checkmark", "blacksquare", "square", "qed"})
