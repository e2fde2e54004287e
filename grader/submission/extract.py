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
  ``=``, is a row too: equations typed as plain text (``grader.submission.plaintext``);
* a table's cells, named by their row and column (``grader.submission.tables``).

Scanning is linear in the size of the text: every delimiter is searched for at most once past each position.
"""

from __future__ import annotations

import array
import bisect
import re
from typing import Callable

from grader.errors import LimitError
from grader.parse.braces import split_top
from grader.submission.assignments import arrow_update
from grader.submission.mathrow import (CODE_LANGUAGES, MAX_ROWS, MathRow, check_rows, code_lines, row,
                                       without_trailing)
from grader.submission.phrases import line_start, phrase_name, phrase_value
from grader.submission.kinds import MAX_DOCX_BYTES, MAX_WRITEUP_BYTES, WRITEUP_SUFFIXES, writeup_limit
from grader.submission.plaintext import plain_rows
from grader.submission.tables import html_table_rows, table_rows, tabular_rows
from grader.submission.vectors import MATRIX_BEGIN, MATRIX_ENVS, ROW_SPACE, bare_list_rows, vector_rows

__all__ = ["MathRow", "WRITEUP_SUFFIXES", "MAX_WRITEUP_BYTES", "MAX_DOCX_BYTES", "MAX_ROWS", "math_rows",
           "writeup_limit"]


_ENVIRONMENTS = ("equation", "align", "aligned", "split", "eqnarray", "gather", "gathered", "multline", "alignat",
                 "displaymath", "math", "flalign")
_ENV_RE = re.compile(r"\\begin\{(" + "|".join(_ENVIRONMENTS) + r")(\*?)\}(\{[^{}]*\})?")
_THIN_GROUP = re.compile("(?<=[0-9])[\u2009\u202f](?=[0-9])")
_DROP = re.compile(r"\\(label|tag|eqref|ref)\*?\{[^{}]*\}|\\(nonumber|notag)\b|\\(begin|end)\{(" +
                   "|".join(_ENVIRONMENTS) + r"|array|cases|matrix|pmatrix|bmatrix)\*?\}(\{[^{}]*\})?")
_PROSE_VALUE = re.compile(r"[ \t]*(?:=|≈|\$\s*\\approx\s*\$|\$\s*=\s*\$)[ \t]*"
                          r"([-−]?\s*(?:\d+(?:\.\d*)?|\.\d+)(?:\s*(?:\\times|×|x)\s*10\^\{?[-−]?\d+\}?)?)")
_NEWLINE = re.compile("\n")
_BLOCK_MARKS = re.compile(r"\\.|[{}]", re.S)
_INTERTEXT = re.compile(r"\\(?:short)?intertext\s*\{")
_OUTER = re.compile(r"\\(label|tag|eqref|ref)\*?\{[^{}]*\}|\\(nonumber|notag)\b|\\(begin|end)\{(" +
                    "|".join(_ENVIRONMENTS) + r")\*?\}(\{[^{}]*\})?")  # _DROP but for the matrices

# inside a matrix: its bounds, its row breaks, a relation (a matrix of equations, one a row)
_INSIDE_MARKS = re.compile(r"\\(?:begin|end)\{(?:" + MATRIX_ENVS + r")\}|\\\\|\\approx(?![A-Za-z])|[=≈]")


def _flat_matrices(row: str) -> str | None:
    """``row`` with its matrices' row breaks as ``;`` (so that they are no rows of the display), or None when a
    matrix holds a relation (a matrix of equations, one a row). One pass."""
    out, depth, pos = [], 0, 0
    for m in _INSIDE_MARKS.finditer(row):
        mark = m.group()
        if mark.startswith("\\begin"):
            depth += 1
        elif mark.startswith("\\end"):
            depth = max(0, depth - 1)
        elif depth > 0 and mark == "\\\\":
            out += [row[pos:m.start()], " ; "]
            pos = m.end()
        elif depth > 0:
            return None
    return "".join(out) + row[pos:]


_MATRIX_MARKS = re.compile(r"\\(?:begin|end)\{(?:" + MATRIX_ENVS + r")\}"
                           r"|\\.|[{}]", re.S)


def _braced_end(text: str, i: int, end: int) -> int:
    """Past the group whose ``{`` is at ``text[i]`` (escaped braces skipped), at most ``end``."""
    depth = 0
    for m in _BLOCK_MARKS.finditer(text, i, end):
        if m.group() == "{":
            depth += 1
        elif m.group() == "}":
            depth -= 1
            if depth == 0:
                return m.end()
    return end
_LONE_NAME = re.compile(r"\s*[A-Za-z\\][A-Za-z0-9_{}\\' ^+]*\s*")


def math_rows(text: str, kind: str, names: Callable[[str], bool] | None = None,
              is_name: Callable[[str], str | None] | None = None) -> list[MathRow]:
    """The rows of math in ``text``; ``kind`` is the file's suffix without the dot (md, markdown, txt, tex).
    ``names(words)``: whether a left-hand side of several words (``net h1``) names a quantity; where it does not
    (``so we get z1 = ...``), the plain line is prose, and the equations inside it are read. ``is_name(text)``:
    the quantity a name as written (``w_{46}``) names, or None; with it, tables are read (Markdown's pipe tables, a
    LaTeX ``tabular``: ``grader.submission.tables``)."""
    if kind == "tex":
        text = _tex_body(text)
    table: list[MathRow] = []
    if is_name is not None:
        if kind == "tex":
            text, cells = tabular_rows(text, is_name, MAX_ROWS)
        else:
            cells = []
            if "<" in text:
                text, cells = html_table_rows(text, is_name, MAX_ROWS)
            if "|" in text:
                code = code_lines(text) if kind != "txt" and ("```" in text or "~~~" in text) else ()
                text, more = table_rows(text, is_name, code, MAX_ROWS)
                cells += more
        table = [row(" ".join(without_trailing(_DROP.sub(" ", t).replace("&", " ")).split()), line, False)
                 for t, line in cells]
    rows = _rows(text, kind, names, is_name)
    if is_name is not None:
        rows = _listed(rows, is_name)
    if table:
        rows = sorted(rows + table, key=lambda r: r.line)
        check_rows(rows, rows[min(MAX_ROWS, len(rows) - 1)].line)
    if is_name is not None:
        rows = _arrowed(rows, is_name)
    return rows


def _arrowed(rows: list[MathRow], is_name: Callable[[str], str | None]) -> list[MathRow]:
    """``rows`` with each update written with an arrow, ``w5: 40 → 40.0000081``, as its two rows
    (``grader.submission.assignments.arrow_update``; a row with an arrow mark is looked at)."""
    def arrowed(t: str) -> list[str] | None:  # (a row's -> and => are → and ⇒ already: ``mathrow.row``)
        if "→" in t or "⇒" in t or "⟶" in t or "\\to" in t or "rightarrow" in t or "mapsto" in t:
            return arrow_update(t, is_name)
        return None

    return _rewritten(rows, arrowed)


def _rewritten(rows: list[MathRow], rewrite: Callable[[str], list[str] | None]) -> list[MathRow]:
    """``rows`` with each row that ``rewrite`` turns into rows (their texts, or None: the row as it is) replaced by
    them, on its line; ``rows`` itself when none is."""
    out, changed = [], False
    for r in rows:
        found = rewrite(r.text)
        if found:
            out += [row(one, r.line, r.display, r.embedded) for one in found]
            changed = True
        else:
            out.append(r)
    if changed:
        check_rows(out, out[min(MAX_ROWS, len(out) - 1)].line)
    return out if changed else rows


_ALIGN_RELATION = re.compile(r"\s*(?:=|≈|\\approx(?![A-Za-z])|:=)")


def _row_break_end(text: str, at: int, end: int) -> int:
    """Where the row after a ``\\\\`` that ends at ``at`` starts: past its ``*`` and ``[4pt]``, if any."""
    if at >= end or text[at] not in "*[ \t":
        return at
    return ROW_SPACE.match(text, at, end).end()  # (it matches, if only nothing)


def _align_columns(cells: list[str]) -> list[str] | None:
    """An ``align`` row of several equations side by side, ``z_1 &= -7.65 & z_2 &= -13.65``, as the equations apart
    (``z_1 = -7.65``, ``z_2 = -13.65``): the ``&`` before a relation aligns it, the others stand between equations.
    Only where each equation is ``lhs &= rhs`` (at least two of them); None for ``a &=& b`` (``eqnarray``) and any
    other row."""
    pairs = len(cells) // 2
    if pairs < 2 or not all(_ALIGN_RELATION.match(cells[2 * k + 1]) and cells[2 * k].strip() and
                            not _ALIGN_RELATION.match(cells[2 * k]) for k in range(pairs)):
        return None
    equations = [cells[2 * k] + cells[2 * k + 1] for k in range(pairs)]
    if len(cells) % 2:
        equations[-1] += " " + cells[-1]  # a last cell of its own: a comment on the last equation
    return equations


def _continued(cells: list[str], columns: int) -> list[str] | None:
    """The row after one of ``columns`` equations side by side that continues each of them, ``&= -7.65 & &=
    -13.65``: each column's ``= ...`` (its left cell empty), or None."""
    if len(cells) != 2 * columns or not all(not cells[2 * k].strip() and _ALIGN_RELATION.match(cells[2 * k + 1])
                                            for k in range(columns)):
        return None
    return [cells[2 * k + 1] for k in range(columns)]


_HALF_DELIMITER = re.compile(r"\\(?:left|right)\s*(?:\\[{}|]|\\[lr]?(?:brace|brack|vert|angle)|[.(\[\])|])")


def _cleaned(text: str) -> str:
    """A row's text, its ``&`` dropped and stripped, as read: a typeset number's digit groups kept as LaTeX's thin
    space (0.619 085 8 from a PDF), a half of a ``\\left\\{ ... \\right.`` around rows dropped, no punctuation or
    spacing at its end, single spaces."""
    if "\\left" in text or "\\right" in text:
        if ("\\left" in text) != ("\\right" in text):  # around rows, each row has half of it
            text = _HALF_DELIMITER.sub(" ", text)
    if "\u2009" in text or "\u202f" in text:
        text = _THIN_GROUP.sub(r"\\,", text)
    return " ".join(without_trailing(text).split())


def _listed(rows: list[MathRow], is_name: Callable[[str], str | None]) -> list[MathRow]:
    """``rows`` with each equation of lists, ``(z_1, z_2) = (-7.65, -13.65)`` and ``z_1, z_2 = -7.65, -13.65``, one
    row per entry (``grader.submission.vectors``; a row with a comma or a semicolon is looked at)."""
    def listed(t: str) -> list[str] | None:
        listy = "," in t or ";" in t  # (a list at its commas; numpy's print, [-7.65 -13.65], at its blanks)
        if (listy or t.endswith("]")) and ("=" in t or "≈" in t):
            return ((vector_rows(t, is_name) if t.endswith((")", "]")) else None)
                    or (bare_list_rows(t, is_name) if listy else None))
        return None

    return _rewritten(rows, listed)


def _rows(text: str, kind: str, names: Callable[[str], bool] | None, is_name: Callable[[str], str | None] | None
          ) -> list[MathRow]:
    scanner = _Scanner(text, fences=kind != "tex", is_name=is_name, names=names)
    scanner.run()
    if kind == "tex":
        return scanner.rows
    # plain text, and Markdown typed as plain text: a line such as ``z1 = -7.65`` is read too, in a file without
    # math and in one with some (a single ``$\sigma$`` in the prose must not make every other line prose)
    plain = plain_rows(text, fences=kind != "txt", math=scanner.covered if scanner.rows else None, names=names,
                       is_name=is_name)
    if not plain:
        return scanner.rows
    if not scanner.rows:
        return plain
    rows = sorted(scanner.rows + plain, key=lambda r: r.line)  # (never on one line: a line with math is not plain)
    check_rows(rows, rows[min(MAX_ROWS, len(rows) - 1)].line)  # (the line of the first row past the limit)
    return rows


# ---------------------------------------------------------------------------------------------------- internals


def _without_comment_column(body: str) -> str:
    """An align row without the columns after its first ``&&`` when they hold no relation (a comment, as books set
    one: ``z_1 &= -7.65 && \\text{(net input of } h_1)``). Before, the comment's words and brackets made the row
    unreadable."""
    cells = split_top(body, "&")
    last = max((k for k, c in enumerate(cells) if _RELATION_MARK.search(c)), default=-1)  # (one pass: no rescans)
    empty = next((k for k in range(max(1, last + 1), len(cells) - 1) if not cells[k].strip()), None)
    return "&".join(cells[:empty]) if empty is not None else body


_RELATION_MARK = re.compile(r"[=≈<>]|\\(?:approx|simeq|leq?|geq?|gets|leftarrow|to|rightarrow)(?![A-Za-z])")


def _tex_body(text: str) -> str:
    """A LaTeX document without its preamble (kept as blank lines, so line numbers stay) and without comments."""
    begin = text.find("\\begin{document}")
    if begin >= 0:
        text = "\n" * text.count("\n", 0, begin) + text[begin:]
    return re.sub(r"(?<!\\)%[^\n]*", "", text)


class _Scanner:
    def __init__(self, text: str, fences: bool, is_name: Callable[[str], str | None] | None = None,
                 names: Callable[[str], bool] | None = None) -> None:
        self.text = text
        self.is_name = is_name  # (with it, a value said in words after an inline name is read: ``$h_1$ is 0.59``)
        self.names = names
        self.rows: list[MathRow] = []
        self.fences = fences
        self._next: dict[str, int] = {}  # needle -> next position found (or -1: none after that point)
        self._newlines: array.array | None = None  # where the text's line breaks are, found on first use
        self.covered: set[int] = set()  # the lines the rows of math are on
        self.columns = 0  # how many equations the last align row held side by side (its next row may continue them)

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
                if info and info[0] in CODE_LANGUAGES:  # code, not math: skipped
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
            said = phrase_value(self.text, after) if self.is_name is not None else None
            if said is not None:  # "the output of $o_1$ is 0.7514": a value said in words
                before = self.text[line_start(self.text, start):start]
                name = phrase_name(before.removesuffix("$").removesuffix("\\("), body.strip(), self.is_name,
                                   self.names)
                if name is not None:
                    self.add_row(f"{name} = {said[0]}", start, display=False)
                    return said[1]
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
        """Split a block of math at top-level ``\\\\`` into rows; a row that is a vector equation
        (``grader.submission.vectors``) into one row per entry."""
        if (self.is_name is not None and self.text.find("\\begin{", start, end) >= 0
                and MATRIX_BEGIN.search(self.text, start, end) is not None):
            self.vectors(start, end, display)
        else:
            self.split(start, end, display)

    def vectors(self, start: int, end: int, display: bool) -> None:
        """The block's rows (split at ``\\\\`` outside braces and matrices): each vector equation among them one row
        per entry; a row holding a matrix of values (``W = [-15, 20; -25, 30]``) one row, whose matrices' rows are not
        rows of the display (read as a display's rows, its pieces were other equations: ``-25 30 = ...``); the
        others (a matrix of equations, one per row, too) as :meth:`split` makes them."""
        text, bounds, depth, row_start = self.text, [], 0, start
        for m in _MATRIX_MARKS.finditer(text, start, end):  # a matrix, {, }, \\, any other escaped character
            mark = m.group()
            if mark == "{" or mark.startswith("\\begin{"):
                depth += 1
            elif mark == "}" or mark.startswith("\\end{"):
                depth -= 1
            elif mark == "\\\\" and depth <= 0 and m.start() >= row_start:
                bounds.append((row_start, m.start()))
                row_start = _row_break_end(text, m.end(), end)
        bounds.append((row_start, end))
        for a, b in bounds:
            raw = text[a:b]
            rows = vector_rows(_OUTER.sub(" ", raw), self.is_name)
            if rows:
                for one in rows:
                    self.add_row(one, a + len(raw) - len(raw.lstrip()), display)
                self.covered.update(range(self.line_of(a), self.line_of(b) + 1))
            elif MATRIX_BEGIN.search(raw) and (flat := _flat_matrices(raw)) is not None:
                self.add_row(flat, a, display)
            else:
                self.split(a, b, display)

    def split(self, start: int, end: int, display: bool = True) -> None:
        """Split a block of math at top-level ``\\\\`` into rows."""
        text = self.text
        if text.find("\\\\", start, end) < 0 and text.find("intertext", start, end) < 0:  # one row (no \\ in it)
            self.add_row(text[start:end], start, display)
            return
        depth, row_start, skip = 0, start, start
        for m in _BLOCK_MARKS.finditer(text, start, end):  # \\, any other escaped character, { and }
            if m.start() < skip:
                continue
            mark = m.group()
            if mark == "{":
                depth += 1
            elif mark == "}":
                depth -= 1
            elif mark == "\\\\" and depth <= 0:
                self.add_row(text[row_start:m.start()], row_start, display)
                row_start = skip = _row_break_end(text, m.end(), end)
            elif depth <= 0 and mark in ("\\i", "\\s") and (words := _INTERTEXT.match(text, m.start(), end)):
                # ``\intertext{and likewise ...}`` between two rows of an align: prose, and a row break
                self.add_row(text[row_start:m.start()], row_start, display)
                row_start = skip = _braced_end(text, words.end() - 1, end)
        self.add_row(text[row_start:end], row_start, display)

    def add_row(self, raw: str, start: int, display: bool) -> None:
        body = _DROP.sub(" ", raw)
        if "&&" in body:  # z_1 &= -7.65 && \text{(net input of } h_1): an align's column of comments
            body = _without_comment_column(body)
        columns, continued = None, None
        if body.count("&") >= 3 and "\\begin" not in raw:  # equations side by side in an align, or their next row
            cells = split_top(body, "&")  # (an escaped \\& is no cell's end)
            columns = _align_columns(cells)
            continued = _continued(cells, self.columns) if columns is None and self.columns else None
        body = body.replace("&", " ").strip() if columns is None and continued is None else body
        if not body:
            return
        first_line = self.line_of(start + len(raw) - len(raw.lstrip()))
        if "\n" in raw:
            self.covered.update(range(first_line, first_line + 1 + raw.count("\n", len(raw) - len(raw.lstrip()))))
        else:
            self.covered.add(first_line)
        if continued is None:
            self.columns = len(columns) if columns else 0
        if len(self.rows) + len(columns or continued or "x") > MAX_ROWS:
            raise LimitError(f"the write-up has more than {MAX_ROWS} rows of math", line=first_line,
                             hint="a write-up answers one problem; split unrelated work into separate files")
        if columns is None and continued is None:
            self.rows.append(row(_cleaned(body), first_line, display))
            return
        for k, text in enumerate(columns or continued, 1):  # (a next row: each column's "= ..." its own)
            self.rows.append(row(_cleaned(text.replace("&", " ").strip()), first_line, display, column=k))
