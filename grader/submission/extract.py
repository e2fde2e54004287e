"""Find the math in a written solution: Markdown, plain text, LaTeX documents and notebooks (their text:
``grader.submission.notebook``).

The result is a list of rows, each one line of math with the line of the write-up it starts on:

* display math ``$$…$$`` and ``\\[…\\]``, inline math ``$…$`` and ``\\(…\\)``;
* the environments ``equation``, ``align``, ``aligned``, ``split``, ``eqnarray``, ``gather``, ``multline`` (starred
  too), anywhere, also inside code fences (students paste LaTeX into fences) -- a fence marked as a programming
  language (```` ```python ````) is code, not math;
* a display is split into rows at ``\\\\``; ``&`` is dropped; ``\\label``, ``\\tag``, ``\\nonumber`` are dropped;
* an inline name followed in the prose by ``= number`` or ``≈ number`` (``$w_5$ = 0.1``) is one row ``w_5 = 0.1``;
* outside a ``.tex`` file, a line without math that starts with a name and ``=`` (``net h1 = 0.3775``), or with
  ``=``, is a row too: equations typed as plain text.

Scanning is linear in the size of the text: every delimiter is searched for at most once past each position.
"""

from __future__ import annotations

import array
import bisect
import re
from dataclasses import dataclass
from typing import Callable

from grader.errors import LimitError
from grader.submission.tables import table_rows, tabular_rows

__all__ = ["MathRow", "WRITEUP_SUFFIXES", "MAX_WRITEUP_BYTES", "MAX_ROWS", "math_rows"]

WRITEUP_SUFFIXES = (".md", ".markdown", ".txt", ".tex", ".ipynb")
MAX_WRITEUP_BYTES = 2 * 1_048_576  # a write-up with images inlined as text is refused beyond this
MAX_ROWS = 20_000  # rows of math in one write-up
MAX_ROW_CHARS = 4000  # a longer row is kept cut, with its length, and listed as too long to read

_ENVIRONMENTS = ("equation", "align", "aligned", "split", "eqnarray", "gather", "gathered", "multline", "alignat",
                 "displaymath", "math", "flalign")
_ENV_RE = re.compile(r"\\begin\{(" + "|".join(_ENVIRONMENTS) + r")(\*?)\}(\{[^{}]*\})?")
_CODE_LANGUAGES = frozenset({"python", "py", "python3", "ipython", "bash", "sh", "shell", "console", "json", "yaml",
                             "yml", "r", "julia", "js", "javascript", "c", "cpp", "java", "text", "output"})
_THIN_GROUP = re.compile("(?<=[0-9])[\u2009\u202f](?=[0-9])")
_DROP = re.compile(r"\\(label|tag|eqref|ref)\{[^{}]*\}|\\(nonumber|notag)\b|\\(begin|end)\{(" +
                   "|".join(_ENVIRONMENTS) + r"|array|cases|matrix|pmatrix|bmatrix)\*?\}(\{[^{}]*\})?")
_PROSE_VALUE = re.compile(r"[ \t]*(?:=|≈|\$\s*\\approx\s*\$|\$\s*=\s*\$)[ \t]*"
                          r"([-−]?\s*(?:\d+(?:\.\d*)?|\.\d+)(?:\s*(?:\\times|×|x)\s*10\^\{?[-−]?\d+\}?)?)")
_NEWLINE = re.compile("\n")
_SUBSCRIPTS = re.compile("[₀-₉₊₋]+")  # ₀..₉ ₊ ₋
_SUPERSCRIPTS = re.compile("[⁰¹²³⁴-⁹⁺⁻]+")  # ⁰ ¹ ² ³ ⁴..⁹ ⁺ ⁻
_SCRIPT_DIGITS = re.compile("[₀-₋⁰¹²³⁴-⁻]")
_PLAIN_SCRIPT = str.maketrans("₀₁₂₃₄₅₆₇₈₉₊₋"
                              "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻",
                              "0123456789+-0123456789+-")
_MATH_MARK = re.compile(r"\$|\\[\[\]()]|\\(?:begin|end)\{")  # a line with a math delimiter is no plain line
_BRACED_POINT = re.compile(r"(?<=[0-9])\{\.\}(?=[0-9])")
_VULGAR = re.compile("(?<![0-9.,])[½¼¾]")
_VULGAR_TEX = {"½": "\\tfrac{1}{2}", "¼": "\\tfrac{1}{4}", "¾": "\\tfrac{3}{4}"}
_BLOCK_MARKS = re.compile(r"\\.|[{}]", re.S)
_LONE_NAME = re.compile(r"\s*[A-Za-z\\][A-Za-z0-9_{}\\' ^+]*\s*")


@dataclass(frozen=True)
class MathRow:
    text: str  # one row of LaTeX math
    line: int  # 1-based line of the write-up where the row starts
    display: bool  # display math (``$$``, ``\\[``, an environment) rather than inline
    cut_from: int = 0  # the row's length when it was longer than ``MAX_ROW_CHARS`` (and cut), else 0
    embedded: bool = False  # an equation inside a sentence of plain text: kept only where it names a quantity


def math_rows(text: str, kind: str, names: Callable[[str], bool] | None = None,
              is_name: Callable[[str], bool] | None = None) -> list[MathRow]:
    """The rows of math in ``text``; ``kind`` is the file's suffix without the dot (md, markdown, txt, tex).
    ``names(words)``: whether a left-hand side of several words (``net h1``) names a quantity; where it does not
    (``so we get z1 = ...``), the plain line is prose, and the equations inside it are read. ``is_name(text)``:
    whether a name as written (``w_{46}``) is a quantity's; with it, tables are read (Markdown's pipe tables, a
    LaTeX ``tabular``: ``grader.submission.tables``)."""
    if kind == "tex":
        text = _tex_body(text)
    table: list[MathRow] = []
    if is_name is not None:
        if kind == "tex":
            text, cells = tabular_rows(text, is_name, MAX_ROWS)
        elif "|" in text:
            code = _code_lines(text) if kind != "txt" and ("```" in text or "~~~" in text) else ()
            text, cells = table_rows(text, is_name, code, MAX_ROWS)
        else:
            cells = []
        table = [_row(" ".join(_without_trailing(_DROP.sub(" ", t).replace("&", " ")).split()), line, False)
                 for t, line in cells]
    rows = _rows(text, kind, names)
    if table:
        rows = sorted(rows + table, key=lambda r: r.line)
        _check_rows(rows, rows[min(MAX_ROWS, len(rows) - 1)].line)
    return rows


def _rows(text: str, kind: str, names: Callable[[str], bool] | None) -> list[MathRow]:
    scanner = _Scanner(text, fences=kind != "tex")
    scanner.run()
    if kind == "tex":
        return scanner.rows
    # plain text, and Markdown typed as plain text: a line such as ``z1 = -7.65`` is read too, in a file without
    # math and in one with some (a single ``$\sigma$`` in the prose must not make every other line prose)
    plain = _plain_rows(text, fences=kind != "txt", math=scanner.covered if scanner.rows else None, names=names)
    if not plain:
        return scanner.rows
    if not scanner.rows:
        return plain
    rows = sorted(scanner.rows + plain, key=lambda r: r.line)  # (never on one line: a line with math is not plain)
    _check_rows(rows, rows[min(MAX_ROWS, len(rows) - 1)].line)  # (the line of the first row past the limit)
    return rows


# a line that starts with a name (``z1``, ``w_5'``, ``δo1``, ``w₅′``, ``w5+``: any letter first, then letters, digits,
# scripts, primes and a plus; up to three words, ``net h1``, ``E total``, ``new w5``; a word in brackets after it,
# ``w6(new)``) and ``=``, or with ``=`` or ``⇒`` (a continuation); the name may be in bold or code marks, as
# Markdown typed as plain text has it (``**z1** =``)
# (possessive: a name's letters, the spaces and words after it are never given back, for no shorter run could be
# followed by the = that the longest is not: one try per line, where backtracking made prose cost 30 ms a megabyte)
_PLAIN_WORD = r"(?:[^\W\d_]|\\)[\w\\{}^'+′″’⁺]{0,40}+"
# what may come before the name: a list mark or a quote's, a number or letter of the item (``1.``, ``(1)``, ``a)``,
# ``iv.``), or a step's label (``Step 3:``, ``Q4)``, ``Part b:``)
_ITEM = (r"(?:[-*•>]|\(?(?:\d{1,3}|[A-Za-z]|[ivx]{1,4})[.):]|\((?:\d{1,3}|[A-Za-z])\)"
         r"|(?i:step|part|q|question|problem|task|ex)\.?[ \t]*\w{1,3}[.):])")
_PLAIN_EQUATION = re.compile(r"[ \t]*+(?:" + _ITEM + r"[ \t]*+)?(\*\*|`)?((?:" + _PLAIN_WORD
                             + r"(?:[ \t]++[\w{}^'+′″’⁺]{1,20}+){0,2}+(?:[ \t]?\([\w+\- ]{1,12}\))?+[ \t]*+"
                             r"(?:\*\*|`)?[ \t]*+(?:=|≈|:=)|(?:=>|=|≈|⇒))[^\n]*)")
_RELATION_SIGN = re.compile("[=≈⇒]")
_LHS_END = re.compile(r":?=|≈|⇒|\*\*|`")
_FENCE_LINE = re.compile(r"(?m)^(```|~~~)([^\n]*)")


def _plain_rows(text: str, fences: bool = False, math: set[int] | None = None,
                names: Callable[[str], bool] | None = None) -> list[MathRow]:
    """The equations of a write-up typed as plain text: each line that starts with a name and ``=`` (``z1 =
    -15*0.8 + 20*0.2 + 0.35 = -11.65``), or with ``=`` (a continuation), is a row. ``fences``: Markdown, whose code
    fences marked as a programming language (```` ```python ````) are code and skipped. ``math``: the lines that
    hold math the scanner found (none of them is plain, nor is a line with a math delimiter). Only the lines with
    a relation sign are tried, each once."""
    rows: list[MathRow] = []
    code = _code_lines(text) if fences and ("```" in text or "~~~" in text) else ()
    number, pos, search = 1, 0, _RELATION_SIGN.search
    sign = search(text)
    while sign is not None:  # only the lines with an = (or ≈, ⇒) are tried, each once
        start = text.rfind("\n", 0, sign.start()) + 1
        end = text.find("\n", sign.end())
        sign = search(text, end) if end >= 0 else None
        number += text.count("\n", pos, start)
        pos = start
        if number in code or (math is not None and number in math):
            continue
        line = text[start:end if end >= 0 else len(text)]
        if math is not None and _MATH_MARK.search(line):
            continue  # (a line with a math delimiter is read as math only)
        m = _PLAIN_EQUATION.match(line)
        if m is None or (names is not None and " " in (lhs := _LHS_END.split(m.group(2), 1)[0].strip())
                         and not names(lhs)):
            inside = _embedded(line, names)  # ``we use w5 = 4``: prose, and an equation inside it
            if m is None or inside:
                rows.extend(_row(body, number, True, embedded=True) for body in inside)
                _check_rows(rows, number)
                continue
        body = m.group(2)
        if m.group(1):  # **z1** = ..., `z1 = ...`: the marks are Markdown's, not the math's
            body = body.replace(m.group(1), " ", 2 if m.group(1) == "`" else 1)
        after = _EMBEDDED_SIGN.search(body)
        prose = _PROSE_WORD.search(body, after.end()) if after else None
        if prose is not None and not body[after.end():prose.start()].strip():
            prose = None  # (``Übung = schwer``: no value before the words, nothing to cut them from)
        if prose is not None:  # ``o1 = 0.65 here``, ``z1 = -7.65 and h1 = ...``: prose after the equation
            body, rest = body[:prose.start()], body[prose.start():]
        body = _without_trailing(" ".join(body.split()))
        rows.append(_row(body, number, True))
        if prose is not None:
            rows.extend(_row(more, number, True, embedded=True) for more in _embedded(rest, names))
        _check_rows(rows, number)
    return rows


def _check_rows(rows: list[MathRow], line: int) -> None:
    if len(rows) > MAX_ROWS:
        raise LimitError(f"the write-up has more than {MAX_ROWS} rows of math", line=line,
                         hint="a write-up answers one problem; split unrelated work into separate files")


# an equation inside a sentence, ``so we get z1 = -15*0.8 + 20*0.2 + 0.35 = -7.65, and h1 = ...``: the name just
# before an = (one word, or up to three that name a quantity: ``then delta o2 = ...``), the equation running to
# the first end of prose after the =
_EMBEDDED_SIGN = re.compile(r"(?<![=<>!:])(?:=|≈)(?![=>])")
_WORDS_BEFORE = re.compile(r"(?:^|(?<=[\s(]))((?:[^\W\d_][\w'+′]{0,30}+[ \t]++){0,2}[^\W\d_][\w'+′]{0,30}+)[ \t]*+$")
# (the end: a sentence's punctuation, a joining word, or a word of prose that more prose follows; ``1/2 sum (t-o)^2``
# is no end, so the formula is not cut to 1/2 but left unread, as it should be)
_PROSE_WORDS = (r"(?<![\w\\])(?i:and|or|then|so|which|where|with|giving|gives|is|was|are|were|for|to|from|as|the|"
                r"we|hence|thus|therefore|here|because|since|but)\b(?![\w(])"
                r"|(?<![\w\\])(?!(?:exp|sigmoid|sigma|tanh|sqrt|log|ln|relu)\b)[A-Za-z]{3,}\b"
                r"(?=[ \t]*(?:$|[.,;:!?]|[A-Za-z]{2,}))")
_PROSE_WORD = re.compile(_PROSE_WORDS)
_PROSE_CUT = re.compile(r"[.;,!?](?=\s|$)|" + _PROSE_WORDS)
MAX_EMBEDDED = 8  # equations read from one line of prose
_FACTOR = re.compile(r"[^\W\d_]|\w*[\d_]\w*")  # a letter alone, or a word with a digit or _: a name, not prose


def _embedded(line: str, names: Callable[[str], bool] | None = None) -> list[str]:
    """The equations inside a line of prose, each from its name to the first end of prose after its ``=``."""
    out: list[str] = []
    pos = 0
    while len(out) < MAX_EMBEDDED:
        sign = _EMBEDDED_SIGN.search(line, pos)
        if sign is None:
            break
        before = _WORDS_BEFORE.search(line, pos, sign.start())
        cut = _PROSE_CUT.search(line, sign.end())
        stop = cut.start() if cut else len(line)
        if before is not None:
            words = before.group(1).split()
            k = next((k for k in (3, 2) if len(words) >= k and names is not None and names(" ".join(words[-k:]))), 1)
            name = " ".join(words[-k:])
            previous = words[-k - 1] if len(words) > k else ""
            body = _without_trailing(" ".join(f"{name} {line[sign.start():stop]}".split()))
            if not body.endswith(("=", "≈")) and not _FACTOR.fullmatch(previous):
                out.append(body)  # (after ``w1`` in ``w1 i1 = 0.0075``, i1 is a factor: no equation of i1)
        pos = max(stop, sign.end())
    return out


def _code_lines(text: str) -> set[int]:
    """The lines of Markdown's fences: a fence marked as a programming language, all its lines; any other, its
    opening and closing lines (the text between is the write-up's, as LaTeX in a fence is)."""
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
        elif (info := m.group(2).strip().lower().split()) and info[0] in _CODE_LANGUAGES:
            fence, first = m.group(1), number
    if fence:
        lines.update(range(first, text.count("\n") + 2))
    return lines


# ---------------------------------------------------------------------------------------------------- internals


def _tex_body(text: str) -> str:
    """A LaTeX document without its preamble (kept as blank lines, so line numbers stay) and without comments."""
    begin = text.find("\\begin{document}")
    if begin >= 0:
        text = "\n" * text.count("\n", 0, begin) + text[begin:]
    return re.sub(r"(?<!\\)%[^\n]*", "", text)


class _Scanner:
    def __init__(self, text: str, fences: bool) -> None:
        self.text = text
        self.rows: list[MathRow] = []
        self.fences = fences
        self._next: dict[str, int] = {}  # needle -> next position found (or -1: none after that point)
        self._newlines: array.array | None = None  # where the text's line breaks are, found on first use
        self.covered: set[int] = set()  # the lines the rows of math are on

    # -- positions
    def find(self, needle: str, start: int) -> int:
        """``text.find(needle, start)``, remembered: each needle is searched past each position at most once."""
        hit = self._next.get(needle)
        if hit is not None and (hit == -1 or hit >= start):
            if hit == -1:
                return -1
            return hit
        hit = self.text.find(needle, start)
        self._next[needle] = hit
        return hit

    def line_of(self, pos: int) -> int:
        """1-based line of ``pos``: a binary search among the line breaks, found once."""
        if self._newlines is None:
            self._newlines = array.array("q", (m.start() for m in _NEWLINE.finditer(self.text)))
        return bisect.bisect_left(self._newlines, pos) + 1

    # -- scanning
    def run(self) -> None:
        text, n, i = self.text, len(self.text), 0
        fence_close = -1  # where the closing line of an open LaTeX fence starts
        while i < n:
            if self.fences and (i == 0 or text[i - 1] == "\n") and text.startswith(("```", "~~~"), i):
                eol = self.find_eol(i)
                if 0 <= fence_close <= i:  # the closing line of a fence of LaTeX
                    fence_close = -1
                    i = eol + 1
                    continue
                fence = text[i:i + 3]
                info = text[i + 3:eol].strip().lower().split()
                close = self.find("\n" + fence, eol)
                if info and info[0] in _CODE_LANGUAGES:  # code, not math: skipped
                    i = self.find_eol(close + 1) + 1 if close >= 0 else n
                    continue
                fence_close = close + 1 if close >= 0 else n  # fenced LaTeX: scanned like the rest
                i = eol + 1
                continue
            ch = text[i]
            if ch == "\\" and i + 1 < n:
                nxt = text[i + 1]
                if nxt == "[":
                    i = self.display(i + 2, "\\]")
                    continue
                if nxt == "(":
                    i = self.inline(i + 2, "\\)")
                    continue
                if nxt == "b" and text.startswith("\\begin{", i):
                    m = _ENV_RE.match(text, i)
                    if m:
                        i = self.environment(m)
                        continue
                if nxt == "$":
                    i += 2
                    continue
            elif ch == "$":
                if text.startswith("$$", i):
                    i = self.display(i + 2, "$$")
                else:
                    i = self.inline(i + 1, "$")
                continue
            i = self.next_interesting(i + 1)

    def next_interesting(self, i: int) -> int:
        """The next position that may start math or a fence."""
        n = len(self.text)
        candidates = [p for p in (self.find("$", i), self.find("\\", i)) if p >= 0]
        if self.fences:
            for fence in ("\n```", "\n~~~"):
                p = self.find(fence, i - 1 if i > 0 else 0)
                if p >= 0:
                    candidates.append(p + 1)
        return min(candidates) if candidates else n

    def find_eol(self, i: int) -> int:
        p = self.find("\n", i)
        return len(self.text) if p < 0 else p

    def display(self, start: int, closing: str) -> int:
        end = self.find(closing, start)
        if end < 0:  # never closed: the rest of the paragraph
            end = self.paragraph_end(start)
            self.add_block(start, end)
            return end
        self.add_block(start, end)
        return end + len(closing)

    def inline(self, start: int, closing: str) -> int:
        end = self.find(closing, start)
        limit = self.paragraph_end(start)
        if end < 0 or end > limit:
            return start  # a lone dollar sign: prose
        body = self.text[start:end]
        after = end + len(closing)
        if "=" not in body and "\\approx" not in body and _LONE_NAME.fullmatch(body):
            m = _PROSE_VALUE.match(self.text, after)
            if m:
                self.add_row(body.strip() + " = " + m.group(1).replace("−", "-"), start, display=False)
                return m.end()
        self.add_block(start, end, display=False)
        return after

    def paragraph_end(self, start: int) -> int:
        p = self.find("\n\n", start)
        return len(self.text) if p < 0 else p

    def environment(self, m: re.Match) -> int:
        name = m.group(1) + m.group(2)
        closing = "\\end{" + name + "}"
        end = self.find(closing, m.end())
        if end < 0:
            end = self.paragraph_end(m.end())
            self.add_block(m.end(), end)
            return end
        self.add_block(m.end(), end)
        return end + len(closing)

    # -- rows
    def add_block(self, start: int, end: int, display: bool = True) -> None:
        """Split a block of math at top-level ``\\\\`` into rows."""
        text = self.text
        if text.find("\\\\", start, end) < 0:  # no \\ in it: one row (the marks would only count braces)
            self.add_row(text[start:end], start, display)
            return
        depth, row_start = 0, start
        for m in _BLOCK_MARKS.finditer(text, start, end):  # \\, any other escaped character, { and }
            mark = m.group()
            if mark == "{":
                depth += 1
            elif mark == "}":
                depth -= 1
            elif mark == "\\\\" and depth <= 0:
                self.add_row(text[row_start:m.start()], row_start, display)
                row_start = m.end()
        self.add_row(text[row_start:end], row_start, display)

    def add_row(self, raw: str, start: int, display: bool) -> None:
        body = _DROP.sub(" ", raw).replace("&", " ")
        stripped = body.strip()
        if not stripped:
            return
        first_line = self.line_of(start + len(raw) - len(raw.lstrip()))
        if "\n" in raw:
            self.covered.update(range(first_line, first_line + 1 + raw.count("\n", len(raw) - len(raw.lstrip()))))
        else:
            self.covered.add(first_line)
        if "\u2009" in stripped or "\u202f" in stripped:  # a typeset number's digit groups (0.619 085 8 from a
            stripped = _THIN_GROUP.sub(r"\\,", stripped)  # PDF): kept as LaTeX's thin space, not any space
        stripped = " ".join(_without_trailing(stripped).split())
        if len(self.rows) >= MAX_ROWS:
            raise LimitError(f"the write-up has more than {MAX_ROWS} rows of math", line=first_line,
                             hint="a write-up answers one problem; split unrelated work into separate files")
        self.rows.append(_row(stripped, first_line, display))


def _without_trailing(text: str) -> str:
    """``text`` without the punctuation and LaTeX spacing that may end a row after its math (``= -7.65.``,
    ``\\approx -7.65 \\,``: stripping only the comma of ``\\,`` would leave a lone backslash). One pass from the end."""
    end = len(text)
    while end:
        ch = text[end - 1]
        if ch in ",;:! " and _escaped(text, end - 1):
            end -= 2  # \, \; \: \! and "\ ": spacing
        elif ch in " \t\r\n.,;:\u2713\u2714":  # (and a check mark, ✓ ✔, as plain text has it)
            end -= 1
        elif text.endswith("\\qquad", 0, end):
            end -= 6
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


def _row(text: str, line: int, display: bool, embedded: bool = False) -> MathRow:
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
        return MathRow(text[:MAX_ROW_CHARS], line, display, len(text), embedded)
    return MathRow(text, line, display, 0, embedded)
