"""Markdown pipe tables of a write-up, read as equations.

Textbooks print a worked example as tables, and students copy them (Han, Kamber & Pei's 3-2-1 example)::

    | Unit j | Net input $I_j$              | Output $O_j$            |
    |--------|------------------------------|-------------------------|
    | 4      | $0.2 + 0 - 0.5 - 0.4 = -0.7$ | $1/(1+e^{0.7}) = 0.332$ |

Each cell of a body row that holds a digit becomes one equation on the row's line, named by the first of:

1. the cell's own left-hand side, when it names a quantity (``$I_4 = ... = -0.7$``): the cell as it is;
2. the column's symbol with an index letter (``$I_j$``, ``Err_j``, ``\\delta_{k}``) with the row's unit put in
   (``I_{4}``), the unit being the first cell (``4``, ``$4$``, ``Unit 4``, ``h1``); or the column's kind in words,
   "net" ("net input", "input"), "out" ("output", "activation") or "delta" (δ), for the unit (``net_{h1}``);
3. the row's first cell, when it names a quantity (``| $w_{46}$ | -0.261 |``), as updated (``w_{46}^{+}``) when the
   column's heading says so ("New value", "Updated", "After the update", ``w^{+}``), as its gradient when it is
   "Gradient", ``∂E/∂w``, ``dE/dw`` (``| w5 | -2.7e-5 |``);
   A heading "Step 2" ("After step 2", "Iteration 2") names a parameter's value after that step (``w_5^{+}_{s2}``)
   and any other quantity's in it (``o_1_{s2}``);
4. the column's heading, when it names a quantity (``| z1 | z2 |`` over rows of values).

In a row named by its first cell, the columns of its work (a heading "Formula", "Substituted", "Calculation", ...)
make one chain with its value (``z_1 = w_1 i_1 + ... = (-15)(0.8) + ... = -7.65``), so a slip in the work is found.
Else the cell is read as it stands, so an equation with no name is listed as one, as it would be outside a table.
A LaTeX ``tabular`` is read the same way (:func:`tabular_rows`): rows at ``\\\\``, cells at ``&``, rules
(``\\hline``, ``\\midrule``, ...) dropped, the first row the heading; and an HTML table (:func:`html_table_rows`).
The table's lines are taken out of the text (kept as empty lines, so line numbers stay): nothing reads them twice.
Only the text's own characters are used, with limits (``MAX_TABLE_CELLS``); no cell is evaluated here.
"""

from __future__ import annotations

import html
import re
from typing import Callable

from grader.submission.phrases import phrase_name

MAX_TABLE_CELLS = 64  # cells of one row read (a wider row keeps its first ones)
_SEPARATOR = re.compile(r"[ \t]*\|?[ \t]*:?-{2,}:?[ \t]*(?:\|[ \t]*:?-{2,}:?[ \t]*)*\|?[ \t]*")
_UNIT_WORDS = re.compile(r"(?i)^(?:(?:unit|node|neuron)\s*|[ijk]\s*=\s*)")  # Unit 4, j = 4: the unit is 4
_LABEL = re.compile(r"[^\W_][\w{}]{0,8}")
# a symbol with one index letter as its subscript: I_j, O_{j}, Err_j, \delta_k, net_j
_INDEXED = re.compile(r"(?P<base>\\?[A-Za-z]{1,8})_(?:\{[a-z]\}|[a-z])(?![A-Za-z0-9{])")
_UPDATED_WORDS = r"\bnew\b|\bupdated?\b|\bafter\b|\^\{?\+\}?"  # New value, Updated, After the update, w^{+}
_UPDATED = re.compile("(?i)" + _UPDATED_WORDS)
_GRADIENT_HEAD = re.compile(r"(?i)\bgradients?\b|∂E/∂|\bdE/d|\\partial E")  # Gradient, ∂E/∂w, dE/dw
# a column of the first column's quantities: a value (new or old), not another quantity's (a target, an error)
_VALUE_HEAD = re.compile(r"(?i)^$|\b(?:values?|results?|answers?|computed|calculated|old|initial|before|given|"
                         r"original)\b|" + _UPDATED_WORDS)
# a column of one kind of value for the row's unit, named in words: net input, output, delta
_KIND_HEAD = re.compile(r"(?i)(net input|net|input|output|out|activation|delta|δ|\\delta)(?![\w])[ \t]*$")
_KINDS = {"net input": "net", "net": "net", "input": "net", "output": "out", "out": "out", "activation": "out",
          "delta": "\\delta", "δ": "\\delta", "\\delta": "\\delta"}
# a column of the values of one step of several (a parameter's after it, another quantity's in it)
_STEP_HEAD = re.compile(r"(?i)(?:after[ \t]+)?(?:step|iteration|epoch)[ \t]*(\d{1,2})")
# (not "Step": the columns "Step 1 | Step 2" of a two-step problem hold two values, not the work of one)
_WORK_HEAD = re.compile(r"(?i)formula|expression|work|calculat|comput|substitut|derivation|equation")
_CHANGE = re.compile(r"(?i)\bchange\b|Δ|\\Delta|\bdelta[ _]?w")  # a column of changes Δw: no value of the weight
_MATH = re.compile(r"\$+|\\[()]")
_MARKS = re.compile(r"\\.|[$|]", re.S)  # an escaped character (\| \$), a dollar sign, a bar


def table_rows(text: str, names: Callable[[str], str | None], code=(), limit: int = 20_000
               ) -> tuple[str, list[tuple[str, int]]]:
    """``text`` with its pipe tables blanked out (every line kept), and the tables' equations as (text, line).
    ``names(text)``: the quantity a name as written (``w_{46}``, ``I_{4}``) names, or None; ``code``: the lines
    (1-based) of code, never a table; past ``limit`` equations no more are collected (the caller refuses the
    write-up)."""
    if "|" not in text or "-" not in text:
        return text, []
    lines = text.split("\n")
    out: list[tuple[str, int]] = []
    i, changed = 1, False
    while i < len(lines) and len(out) <= limit:
        if ("|" in lines[i - 1] and "|" in lines[i] and not lines[i].strip(" \t|:-") and i not in code
                and _SEPARATOR.fullmatch(lines[i])):
            header = _cells(lines[i - 1])
            k = i + 1
            while (k < len(lines) and "|" in lines[k] and lines[k].strip() and k + 1 not in code
                   and len(out) <= limit):
                out.extend((row, k + 1) for row in _equations(header, _cells(lines[k]), names))
                k += 1
            for j in range(i - 1, k):
                lines[j] = ""
            changed, i = True, k + 1
            continue
        i += 1
    return ("\n".join(lines) if changed else text), out


_TABULAR = re.compile(r"\\begin\{(tabular\*?|tabularx|longtable)\}")
_RULES = re.compile(r"\\(?:hline|toprule|midrule|bottomrule|cmidrule(?:\([^()\n]*\))?\{[^{}\n]*\}"
                    r"|cline\{[^{}\n]*\}|addlinespace(?:\[[^\]\n]*\])?)")
_ROW_END = re.compile(r"\\\\(?:\[[^\]\n]{0,20}\])?|\\tabularnewline\b")
_WRAPPER = re.compile(r"\\(?:textbf|textit|emph|textrm|textsf|underline|mathbf)\{([^{}]*)\}")
MAX_TABULAR_CHARS = 200_000  # a longer tabular (or one never closed) is not read as a table


def tabular_rows(text: str, names: Callable[[str], str | None], limit: int = 20_000
                 ) -> tuple[str, list[tuple[str, int]]]:
    """:func:`table_rows` for a LaTeX document's ``tabular`` environments (``tabular*``, ``tabularx``,
    ``longtable``): ``text`` with each one blanked out (its line breaks kept) and its equations as (text, line)."""
    if "\\begin{tab" not in text and "\\begin{longtable}" not in text:
        return text, []
    out: list[tuple[str, int]] = []
    parts, pos = [], 0
    line, counted = 1, 0  # the line of position ``counted``
    closes: dict[str, int] = {}  # environment -> the next \end{...} found (-1: none): each searched for once a stretch
    for m in _TABULAR.finditer(text):
        if m.start() < pos or len(out) > limit:
            continue
        close = closes.get(m.group(1), -2)
        if -1 < close < m.end() or close == -2:
            close = closes[m.group(1)] = text.find("\\end{" + m.group(1) + "}", m.end())
        if close < 0 or close - m.end() > MAX_TABULAR_CHARS:
            continue
        body_start = _after_arguments(text, m.end())
        line += text.count("\n", counted, body_start)  # (counted on from the last table: linear in the text)
        counted = body_start
        rows = []  # (cells, line)
        for piece in _ROW_END.split(_RULES.sub(" ", text[body_start:close])):
            if not piece or piece.isspace() or len(rows) > limit:
                line += piece.count("\n")
                continue
            raw = _split(piece, _AMP_MARKS, "&")
            if not rows and len(raw) == 1 and _MULTICOLUMN.fullmatch(raw[0]):
                line += piece.count("\n")  # a caption over the whole table: the heading is the next row
                continue
            cells = [_plain(_WRAPPER.sub(r"\1", c)) for c in _spanned(raw)]
            if any(cells):  # (the row's line: where its first cell starts)
                rows.append((cells, line + piece[:len(piece) - len(piece.lstrip())].count("\n")))
            line += piece.count("\n")
        counted = close  # (the rules dropped hold no line break: ``line`` is that of ``close``)
        if len(rows) >= 2:
            header = rows[0][0]
            for cells, at in rows[1:]:
                out.extend((row, at) for row in _equations(header, cells, names))
            end = close + len(m.group(1)) + 6  # past \end{tabular}
            parts.append(text[pos:m.start()])
            parts.append("\n" * text.count("\n", m.start(), end))
            pos = end
    if not parts:
        return text, []
    parts.append(text[pos:])
    return "".join(parts), out


_HTML_TABLE = re.compile(r"<table\b[^<>]{0,2000}>", re.I)
_HTML_TABLE_END = re.compile(r"</table\s*>", re.I)
_HTML_ROW = re.compile(r"<tr\b[^<>]{0,2000}>", re.I)
_HTML_CELL = re.compile(r"(<t[hd]\b[^<>]{0,2000}>)", re.I)
_HTML_TAG = re.compile(r"<[^<>]{0,2000}>")
_COLSPAN = re.compile(r"""(?i)\bcolspan\s*=\s*["']?(\d{1,2})""")


def html_table_rows(text: str, names: Callable[[str], str | None], limit: int = 20_000
                    ) -> tuple[str, list[tuple[str, int]]]:
    """:func:`table_rows` for the HTML tables of a Markdown write-up or a notebook's Markdown cell (``<table>``,
    rows at ``<tr>``, cells at ``<th>`` and ``<td>``, the first row the heading; a pandas DataFrame's too): ``text``
    with each one blanked out (its line breaks kept) and its equations as (text, line). A cell is its text without
    tags, its entities read (``&minus;``); a table longer than ``MAX_TABULAR_CHARS``, or never closed, is not read."""
    if "<t" not in text and "<T" not in text:
        return text, []
    out: list[tuple[str, int]] = []
    parts, pos, line, counted = [], 0, 1, 0
    close = None  # the next </table> after the last one used (each looked for once: linear in the text)
    for m in _HTML_TABLE.finditer(text):
        if m.start() < pos or len(out) > limit:
            continue
        if close is None or close.start() < m.end():
            close = _HTML_TABLE_END.search(text, m.end())
            if close is None:
                break  # no table after this one is closed either
        if close.start() - m.end() > MAX_TABULAR_CHARS:
            continue
        line += text.count("\n", counted, m.end())
        counted = m.end()
        rows = []  # (cells, line)
        starts = list(_HTML_ROW.finditer(text, m.end(), close.start()))
        for k, r in enumerate(starts):
            if len(rows) > limit:
                break
            line += text.count("\n", counted, r.start())  # (counted on row by row: linear in the table)
            counted = r.start()
            end = starts[k + 1].start() if k + 1 < len(starts) else close.start()
            pieces = _HTML_CELL.split(text[r.end():end], MAX_TABLE_CELLS + 1)  # [before, tag, cell, tag, cell, ...]
            cells = []
            for tag, cell in zip(pieces[1::2], pieces[2::2]):  # (``colspan``: n - 1 empty cells after it)
                span = _COLSPAN.search(tag)
                cells += [_plain(html.unescape(_HTML_TAG.sub(" ", cell)))] + [""] * (int(span.group(1)) - 1 if span
                                                                                       else 0)
            cells = cells[:MAX_TABLE_CELLS]
            if any(cells):
                rows.append((cells, line))
        if len(rows) >= 2:
            header = rows[0][0]
            for cells, at in rows[1:]:
                out.extend((row, at) for row in _equations(header, cells, names))
            parts.append(text[pos:m.start()])
            parts.append("\n" * text.count("\n", m.start(), close.end()))
            pos = close.end()
    if not parts:
        return text, []
    parts.append(text[pos:])
    return "".join(parts), out


# ``\multicolumn{2}{c}{text}``: one cell over two columns (braces inside it two deep: ``\textbf{$h_{1}$}``)
_MULTICOLUMN = re.compile(r"\s*\\multicolumn\{(\d{1,2})\}\{[^{}\n]{0,40}\}"
                          r"\{((?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\}){0,2000})\}\s*")


def _spanned(cells: list[str]) -> list[str]:
    """A tabular row's cells with each ``\\multicolumn{n}{...}{text}`` as ``text`` and n - 1 empty cells after it,
    so that the cells after it stay under their headings (at most ``MAX_TABLE_CELLS`` cells)."""
    if "\\multicolumn" not in "".join(cells):
        return cells
    out: list[str] = []
    for c in cells:
        m = _MULTICOLUMN.fullmatch(c)
        out += [c] if m is None else [m.group(2)] + [""] * (int(m.group(1)) - 1)
    return out[:MAX_TABLE_CELLS]


def _after_arguments(text: str, i: int) -> int:
    """The position after a tabular's arguments: ``{width}`` of ``tabular*``, ``[t]``, the column spec ``{c|c}``
    (braces balanced, at most 200 characters)."""
    for _ in range(3):
        j = i
        while j < len(text) and text[j] in " \t":
            j += 1
        if j < len(text) and text[j] == "[":
            end = text.find("]", j, j + 40)
            if end < 0:
                return i
            i = end + 1
            continue
        if j >= len(text) or text[j] != "{":
            return i
        depth, k = 0, j
        while k < min(len(text), j + 200):
            if text[k] == "{":
                depth += 1
            elif text[k] == "}":
                depth -= 1
                if depth == 0:
                    break
            k += 1
        if depth:
            return i
        i = k + 1
    return i


def _split(text: str, marks: re.Pattern, sep: str) -> list[str]:
    """``text`` split at each ``sep`` (``|`` of a Markdown row, ``&`` of a tabular's) outside math and not escaped;
    ``marks`` finds escapes, dollar signs and ``sep``. At most ``MAX_TABLE_CELLS`` cells."""
    cells, start, math = [], 0, False
    for m in marks.finditer(text):
        mark = m.group()
        if mark == "$":
            math = not math
        elif mark == sep and not math:
            cells.append(text[start:m.start()])
            start = m.end()
            if len(cells) >= MAX_TABLE_CELLS:
                return cells
    cells.append(text[start:])
    return cells


_AMP_MARKS = re.compile(r"\\.|[$&]", re.S)


def _cells(line: str) -> list[str]:
    """The cells of a Markdown table row (``| a | b |``: the bars at its ends are no cells)."""
    cells = _split(line, _MARKS, "|")
    stripped = line.strip()
    if stripped.startswith("|") and cells and not cells[0].strip():
        cells = cells[1:]
    if stripped.endswith("|") and cells and not cells[-1].strip():
        cells = cells[:-1]
    return [_plain(c) for c in cells]


def _plain(cell: str) -> str:
    """A cell without its math delimiters and bold marks: ``$-0.7$`` is ``-0.7``."""
    return " ".join(_MATH.sub(" ", cell.replace("**", " ").replace("\\|", "|")).split())


def _equations(header: list[str], cells: list[str], names: Callable[[str], str | None]) -> list[str]:
    if cells and not names(cells[0]) and (said := _said(cells[0], names)) is not None:
        cells = [said, *cells[1:]]  # | Net input of h1 | -7.65 |: net_{h1}
    label = _UNIT_WORDS.sub("", cells[0]).strip() if cells else ""
    label_names = bool(cells) and names(cells[0])
    first = 0 if not label_names and header and names(header[0]) else 1  # a row of values under names: all read
    # a row named by its first cell, with columns of its work (Formula, Substituted, ...): one chain, the work
    # before the value, so that a slip in it is found where it is (z_1 = w_1 i_1 + ... = (-15)(0.8) + ... = -7.65)
    work = [c for c in range(1, len(cells)) if label_names and c < len(header) and _WORK_HEAD.search(header[c])
            and not _VALUE_HEAD.search(header[c]) and cells[c]]
    named: list[tuple[str | None, str]] = []  # (name or None, cell)
    for c in range(first, len(cells)):
        cell = cells[c]
        if c in work or not any(ch.isdigit() for ch in cell):
            continue
        head = header[c] if c < len(header) else ""
        lhs = cell.split("=", 1)[0].strip() if "=" in cell else ""
        named.append((None if lhs and names(lhs) else _name(head, label, cells[0] if label_names else None, names),
                      cell))
    if work:
        steps = " = ".join(cells[c] for c in work)
        last = max((k for k, (name, _) in enumerate(named) if name is not None), default=None)
        if last is None:
            named.append((cells[0], steps))  # the work alone: its last step is the value
        else:
            name, cell = named[last]
            named[last] = (name, _joined(steps, cell))
    return [cell if name is None else _joined(name, cell) for name, cell in named]


_KIND_BEFORE = re.compile(r"(?i)[ \t]*(net[ \t]+input|net|output|out|activation|delta|δ)[ \t]+"
                          r"(?:(?:neuron|unit|node)[ \t]+)?")
_LAST_WORD = re.compile(r"(?P<before>.{0,80}?[ \t])(?P<name>\$?[^\s$]{1,40}\$?)[ \t]*")


def _said(cell: str, names: Callable[[str], str | None]) -> str | None:
    """The name a first cell says in words, "Net input of h1", "Output of neuron o1", "δ of o1", "new w5"
    (``grader.submission.phrases``), or None."""
    m = _LAST_WORD.fullmatch(_plain(cell))
    if m is None:
        return None
    name = m["name"].strip("$")
    named = phrase_name(m["before"], name, names)
    if named in (None, name) and (kind := _KIND_BEFORE.fullmatch(m["before"])) is not None:  # "Output o1"
        named = f"{_KINDS[' '.join(kind[1].lower().split())]}_{{{name}}}"
        named = named if names(named) else None
    return named if named is not None and named != name else None


def _joined(left: str, right: str) -> str:
    """``left = right``, or ``left right`` where ``right`` starts with its own relation (``= 0.5``, ``≈ 0.5``)."""
    return f"{left} {right}" if right.startswith(("=", "≈", "\\approx")) else f"{left} = {right}"


def _name(head: str, label: str, label_name: str | None, names: Callable[[str], str | None]) -> str | None:
    """The name of a cell of column ``head`` in the row of ``label`` (2-4 of the module's docstring), or None."""
    m = _INDEXED.search(head)
    if m is not None and _LABEL.fullmatch(label):
        name = f"{m['base']}_{{{label}}}"
        if names(name):
            return name
    kind = _KIND_HEAD.match(head)
    if kind is not None and _LABEL.fullmatch(label):  # | h1 | 0.3775 | 0.5933 | under | Neuron | net | out |
        name = f"{_KINDS[kind[1].lower()]}_{{{label}}}"
        if names(name):
            return name
    if label_name is not None:
        step = _STEP_HEAD.fullmatch(head)
        if step is not None:  # "Step 2": a parameter's value after that step (w5_new_s2), any other's in it (o1_s2)
            k, q = int(step[1]), names(f"{label_name}^{{+}}") or names(label_name)
            name = q if k == 1 else f"{q}_s{k}"  # (the quantity's own name: w_{5}^{+}_{s2} reads as w_{5_s2}^{+})
            return name if isinstance(q, str) and k >= 1 and names(name) else None
        if _GRADIENT_HEAD.search(head):  # | w5 | -2.7e-5 | under | Weight | Gradient |: that parameter's gradient
            gradient = f"\\frac{{\\partial E}}{{\\partial {label_name}}}"
            return gradient if names(gradient) else None
        if _CHANGE.search(head) or not _VALUE_HEAD.search(head):
            return None
        updated = f"{label_name}^{{+}}"
        return updated if _UPDATED.search(head) and not names(head) and names(updated) else label_name
    if head and names(head):
        return head
    return None
