"""One row of math read from a write-up (``MathRow``), as every reader of a write-up's text makes it (``row``), and
what those readers share: the limits on rows, the end of a row without its punctuation, the lines of code."""

from __future__ import annotations

import re
from dataclasses import dataclass

from grader.errors import LimitError
from grader.parse.braces import group_end

__all__ = ["MathRow", "MAX_ROWS", "MAX_ROW_CHARS", "CODE_LANGUAGES", "PRINTED_LANGUAGES", "row", "check_rows",
           "without_trailing", "code_lines", "code_fences", "without_printed"]

MAX_ROWS = 20_000  # rows of math in one write-up
MAX_ROW_CHARS = 4000  # a longer row is kept cut, with its length, and listed as too long to read
# a Markdown fence marked as one of these is code, never read; any other fence is read like the text around it: a
# fence of LaTeX, of plain text (```` ```text ````), of a template pasted (```` ```yaml ````, ``json``), of what a program printed
# (PRINTED_LANGUAGES: unless the problem reads no printed output, ``notebook_outputs: ignore``)
CODE_LANGUAGES = frozenset({"python", "py", "python3", "ipython", "pycon", "bash", "sh", "shell", "zsh",
                            "powershell", "r", "julia", "js", "javascript", "ts", "typescript", "c", "cpp",
                            "c++", "java", "matlab", "octave", "rust", "go"})
PRINTED_LANGUAGES = frozenset({"output", "out", "stdout", "console", "terminal", "shell-session"})
_FENCE_LINE = re.compile(r"(?m)^(```|~~~)([^\n]*)")
_SUBSCRIPTS = re.compile("[₀-₉₊₋]+")  # ₀..₉ ₊ ₋
_SUPERSCRIPTS = re.compile("[⁰¹²³⁴-⁹⁺⁻]+")  # ⁰ ¹ ² ³ ⁴..⁹ ⁺ ⁻
_SCRIPT_DIGITS = re.compile("[₀-₋⁰¹²³⁴-⁻]")
_PLAIN_SCRIPT = str.maketrans("₀₁₂₃₄₅₆₇₈₉₊₋"
                              "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻",
                              "0123456789+-0123456789+-")
_BRACED_POINT = re.compile(r"(?<=[0-9])\{\.\}(?=[0-9])")
_VULGAR = re.compile("(?<![0-9.,])[½¼¾]")
_VULGAR_TEX = {"½": "\\tfrac{1}{2}", "¼": "\\tfrac{1}{4}", "¾": "\\tfrac{3}{4}"}


@dataclass(frozen=True)
class MathRow:
    text: str  # one row of LaTeX math
    line: int  # 1-based line of the write-up where the row starts
    display: bool  # display math (``$$``, ``\\[``, an environment) rather than inline
    cut_from: int = 0  # the row's length when it was longer than ``MAX_ROW_CHARS`` (and cut), else 0
    embedded: bool = False  # an equation inside a sentence of plain text: kept only where it names a quantity
    column: int = 0  # of equations side by side in an align, the k-th (from 1): a next row's "= ..." goes on with it


_ELLIPSES = ("\\ldots", "\\cdots", "\\dots")


def without_trailing(text: str) -> str:
    """``text`` without the punctuation and LaTeX spacing that may end a row after its math (``= -7.65.``,
    ``\\approx -7.65 \\,``: stripping only the comma of ``\\,`` would leave a lone backslash). One pass from the end."""
    end = len(text)
    while end:
        ch = text[end - 1]
        if ch in ",;:! " and _escaped(text, end - 1):
            end -= 2  # \, \; \: \! and "\ ": spacing
        elif ch in " \t\r\n.,;:\u2713\u2714\u2026":  # (and a check mark, ✓ ✔, as plain text has it; an ellipsis, …)
            end -= 1
        elif text.endswith("\\qquad", 0, end):
            end -= 6
        elif cut := next((len(mark) for mark in _ELLIPSES if text.endswith(mark, 0, end)), 0):
            end -= cut  # 0.5933\ldots: more digits follow
        elif text.endswith("\\quad", 0, end):
            end -= 5
        else:
            break
    return text[:end]


def _escaped(text: str, i: int) -> bool:
    """Is ``text[i]`` after a backslash that is itself not escaped (``\\,`` but not ``\\\\,``)?"""
    k = i
    while k > 0 and text[k - 1] == "\\":
        k -= 1
    return (i - k) % 2 == 1


_BOX = re.compile(r"\\(?:boxed|fbox|framebox)\s*\{")
MAX_BOXES = 16  # boxes of a row opened (more: the rest stay as written)


def _unboxed(text: str) -> str:
    """``text`` with each box around a whole equation taken away, ``\\boxed{\\delta_{o_2} = 0.125}``,
    ``\\fbox{$h_1 = 0.0005$}`` (a row whose relation is inside a box has none outside it, and was no equation);
    a box around a value, ``= \\boxed{0.125}``, is the LaTeX reader's to see past."""
    out, pos = [], 0
    for count, m in enumerate(_BOX.finditer(text)):
        if count >= MAX_BOXES or m.start() < pos:
            break
        close = group_end(text, m.end(), len(text))
        inner = text[m.end():close] if close is not None else ""
        if not ("=" in inner or "\\approx" in inner):
            continue
        out += [text[pos:m.start()], " ", inner.replace("$", " "), " "]
        pos = close + 1
    return "".join(out) + text[pos:] if out else text


# a relation with a label set over or under it: \overset{(1)}{=}, \stackrel{\text{def}}{=}, \underset{...}{\approx}
_OVER_RELATION = re.compile(r"\\(?:overset|stackrel|underset)\s*\{(?:[^{}]|\{[^{}]{0,40}\}){0,60}\}\s*"
                            r"\{\s*(=|\\approx|≈|\\simeq|:=)\s*\}")


def row(text: str, line: int, display: bool, embedded: bool = False, column: int = 0) -> MathRow:
    if "box" in text and len(text) <= MAX_ROW_CHARS and _BOX.search(text):  # \boxed{z_1 = -7.65}: its equation
        text = " ".join(_unboxed(text).split())
    if ("set{" in text or "stackrel" in text) and len(text) <= MAX_ROW_CHARS:  # z_1 \overset{(1)}{=} -7.65
        text = _OVER_RELATION.sub(lambda m: f" {m[1]} ", text)  # the relation, its label a remark
    if "=>" in text or "->" in text:  # arrows typed as plain text: ⇒ and → (never anything else in math)
        text = text.replace("=>", "⇒").replace("->", "→")
    if "{.}" in text:  # 7{.}65, a decimal point braced as 7{,}65 is (LaTeX then adds no space after it)
        text = _BRACED_POINT.sub(".", text)
    if "½" in text or "¼" in text or "¾" in text:  # E = ½(t − o)²: a vulgar fraction, not after a digit (2½ is
        text = _VULGAR.sub(lambda m: _VULGAR_TEX[m.group()], text)  # a mixed number, left unread)
    if _SCRIPT_DIGITS.search(text):  # Unicode scripts as pasted from a word processor: w₅ is w_{5}, 10⁻⁶ is 10^{-6}
        text = _SUBSCRIPTS.sub(lambda m: "_{" + m.group().translate(_PLAIN_SCRIPT) + "}", text)
        text = _SUPERSCRIPTS.sub(lambda m: "^{" + m.group().translate(_PLAIN_SCRIPT) + "}", text)
    if len(text) > MAX_ROW_CHARS:
        return MathRow(text[:MAX_ROW_CHARS], line, display, len(text), embedded, column)
    return MathRow(text, line, display, 0, embedded, column)


def check_rows(rows: list[MathRow], line: int) -> None:
    if len(rows) > MAX_ROWS:
        raise LimitError(f"the write-up has more than {MAX_ROWS} rows of math", line=line,
                         hint="a write-up answers one problem; split unrelated work into separate files")


def code_lines(text: str, openings: list[int] | None = None) -> set[int]:
    """The lines of Markdown's fences: a fence marked as a programming language, all its lines; any other, its
    opening and closing lines (the text between is the write-up's, as LaTeX in a fence is). ``openings``: where the
    first line of each fence of code is appended."""
    lines: set[int] = set()
    fence, first, number, pos = "", 0, 1, 0
    for m in _FENCE_LINE.finditer(text):
        number += text.count("\n", pos, m.start())
        pos = m.start()
        lines.add(number)
        if fence:
            if m.group(1) == fence:
                lines.update(range(first, number))
                fence = ""
        elif (info := m.group(2).strip().lower().split()) and info[0] in CODE_LANGUAGES:
            fence, first = m.group(1), number
            if openings is not None:
                openings.append(number)
    if fence:
        lines.update(range(first, text.count("\n") + 2))
    return lines


def code_fences(text: str) -> tuple[int, ...]:
    """Where each fence of code begins (the report of a write-up in which nothing was read says they are not)."""
    openings: list[int] = []
    if "```" in text or "~~~" in text:
        code_lines(text, openings)
    return tuple(openings)


def without_printed(text: str) -> tuple[str, list[int]]:
    """``text`` with the lines inside each Markdown fence of printed output (``PRINTED_LANGUAGES``: ```` ```output
    ````) emptied, line numbers kept, and the first line of each such fence that held something: for a problem that
    reads no printed output, as it reads none of a notebook's. Fences are told as :func:`code_lines` tells them."""
    lines, emptied = text.split("\n"), []
    fence, printed, first = "", False, 0
    for number, line in enumerate(lines):
        if not line.startswith(("```", "~~~")):
            continue
        if fence:
            if line[:3] == fence:
                if printed:
                    _empty(lines, first + 1, number, emptied)
                fence = ""
            continue
        info = line[3:].strip().lower().split()
        fence, printed, first = line[:3], bool(info) and info[0] in PRINTED_LANGUAGES, number
    if fence and printed:  # a fence never closed runs to the end
        _empty(lines, first + 1, len(lines), emptied)
    return ("\n".join(lines), emptied) if emptied else (text, emptied)


def _empty(lines: list[str], start: int, stop: int, emptied: list[int]) -> None:
    if any(lines[k].strip() for k in range(start, stop)):
        emptied.append(start + 1)  # the fence's first line inside, numbered from 1
        for k in range(start, stop):
            lines[k] = ""
