"""Vector equations of a write-up, read entry by entry.

Courses that teach backpropagation with vectors have students write a layer's values as one column (or row)::

    \\begin{bmatrix} z_1 \\\\ z_2 \\end{bmatrix} = W x + b
        = \\begin{bmatrix} (-15)(0.8) + 20(0.2) + 0.35 \\\\ (-25)(0.8) + 30(0.2) + 0.35 \\end{bmatrix}
        = \\begin{bmatrix} -7.65 \\\\ -13.65 \\end{bmatrix}

Read row by row at ``\\\\``, as a display is, that said ``z_2 = (-15)(0.8) + ... = -7.65``: each quantity got its
neighbour's value. Here such a row becomes one equation per entry, ``z_1 = (-15)(0.8) + 20(0.2) + 0.35 = -7.65`` and
``z_2 = ... = -13.65``, when:

* its names are a vector whose entries all name quantities of the problem (``[z_1; z_2]``), written first or after
  one symbol (``\\mathbf{o} = [o_1; o_2] = ...``); or a single symbol whose entries are its numbered quantities
  (``\\mathbf{h} = [...]``: ``h_1``, ``h_2``; with a course's ``layer_notation``, ``z^{(2)} = [...]``:
  ``z^{(2)}_1``, ...);
* or, for a matrix, a matrix of names in the same places (``[w_1^+, w_2^+; w_3^+, w_4^+] = [...]``, also after one
  symbol: ``W_{new} = [...] = [...]``, each entry the quantity its name says, whatever the book's orientation);
  or a single symbol whose entries ``S_{jk}`` are quantities of the problem, row after row: with a
  course's ``layer_notation``, Ng's ``\\Theta^{(1)} = [...]`` (its first column the biases') and
  ``\\frac{\\partial J}{\\partial \\Theta^{(2)}} = [...]``, Nielsen's ``w^3`` (the default names number no
  weights by row and column, so a matrix there names nothing);
* and its last side is a vector (or matrix) of as many entries, each with a digit. The sides between that are
  vectors of as many entries are each entry's steps; the others (``W x + b``: a product of matrices) are no one's.

A vector is a ``bmatrix``, ``pmatrix``, ``vmatrix``, ``matrix``, ``smallmatrix`` or ``array`` environment of one
column (entries at ``\\\\``) or one row (entries at ``&``), also transposed (``^T``, ``^{\\top}``) or between
``\\left[`` and ``\\right]``; or a list in brackets, ``(z_1, z_2) = (-7.65, -13.65)``, ``[h_1; h_2]``, in math or
typed as plain text (entries at the semicolons where there are any, as with decimal commas, ``(7,65; 13,65)``, else
at the commas; outside inner brackets and braces). A matrix of several rows and columns is no vector; a row holding
one that no symbol names is read as it was. Only the text's characters are used, with limits (``MAX_VECTORS``
environments a row, ``MAX_ENTRIES`` entries a vector or matrix): nothing is evaluated here.
"""

from __future__ import annotations

import re
from typing import Callable

from grader.parse.braces import split_top

__all__ = ["MATRIX_BEGIN", "MATRIX_ENVS", "ROW_SPACE", "vector_rows", "bare_list_rows", "MAX_VECTORS", "MAX_ENTRIES"]

MAX_VECTORS = 16  # matrix environments in one row (more: the row is read as it was)
MAX_ENTRIES = 64  # entries of one vector

MATRIX_ENVS = "bmatrix|pmatrix|vmatrix|Bmatrix|Vmatrix|matrix|smallmatrix|array"  # (a regular expression's)
MATRIX_BEGIN = re.compile(r"\\begin\{(" + MATRIX_ENVS + r")\}")
_BEGIN = re.compile(r"\\begin\{(" + MATRIX_ENVS + r")\}(?:\{[^{}]{0,40}\})?")  # an array's column spec: {c}, {r}
_END = re.compile(r"\\end\{(?:" + MATRIX_ENVS + r")\}")
_MARK = "\x00"
_DELIMITERS = re.compile(r"\\(?:left|right|[bB]igg?[lr]?)\s*(?:\\[{}]|\\[lr]?(?:brack|vert|angle)|[\[\]()|.])")
_TRANSPOSE = re.compile(r"\^\s*(?:T|\\top|\{\s*(?:T|\\top|\\intercal|\\mathsf\{T\}|\\mathrm\{T\})\s*\})\s*$")
_PLACEHOLDER = re.compile("\x00([0-9]+)\x00")
_WRAPPED = re.compile(r"\\(?:mathbf|boldsymbol|bm|vec|mathbfit|pmb|mathbb)\s*\{([^{}]{1,30})\}|\\vec\s*([A-Za-z])")
# after a row break, its star and extra space, which LaTeX typesets as no text: \\[4pt], \\*, \\ [1ex]
ROW_SPACE = re.compile(r"\*?(?:[ \t]*\[[ \t]*-?(?:\d+\.?\d*|\.\d+)[ \t]*(?:pt|mm|cm|ex|em|in|bp|pc|sp|mu)[ \t]*\])?")
_RELATION = re.compile(r"\\approx(?![A-Za-z])|[=≈]")


def vector_rows(text: str, is_name: Callable[[str], str | None]) -> list[str] | None:
    """The equations, one per entry, of a row of math that is a vector equation (the module's docstring), or None
    (then the row is read as it was)."""
    flat, vectors = _placeholders(text)
    if flat is None:
        return None
    sides = _sides(flat)
    if sides is None or len(sides) < 2:
        return None
    shapes = [_vector_of(side, vectors) for _, side in sides]
    if shapes[-1] is None:
        return None
    names, after = _names(sides, shapes, is_name)
    if names is None:
        return None
    k, last = len(names), shapes[-1]
    steps = [(rel, shape) for (rel, _), shape in zip(sides[after:], shapes[after:]) if shape is not None
             and shape.fits(last)]
    if not steps or len(last) != k or steps[-1][1] is not last:
        return None
    if not all(any(ch.isdigit() for ch in entry) for entry in last):
        return None
    return [names[i] + "".join(f" {rel} {entries[i]}" for rel, entries in steps) for i in range(k)]


def _placeholders(text: str) -> tuple[str | None, list["_Entries | None"]]:
    """``text`` with each matrix environment replaced by a mark, and each one's entries (None: rows of unequal
    length, too many entries or an empty one); (None, ...) when an environment is not closed, holds another, or
    there are too many."""
    out, vectors, pos = [], [], 0
    while (m := _BEGIN.search(text, pos)) is not None:
        if len(vectors) >= MAX_VECTORS:
            return None, vectors
        end = _END.search(text, m.end())
        if end is None:
            return None, vectors
        body = text[m.end():end.start()]
        if "\\begin" in body:  # nested (the end found is the inner one's)
            return None, vectors
        out.append(text[pos:m.start()])
        out.append(f"{_MARK}{len(vectors)}{_MARK}")
        vectors.append(_entries(body))
        pos = end.end()
    out.append(text[pos:])
    return "".join(out).replace("&", " "), vectors  # (an align's & outside the matrices)


class _Entries(list):
    """A vector's or a matrix's entries, row after row, with its rows and columns (a vector has one of either)."""

    def __init__(self, entries: list[str], rows: int, cols: int) -> None:
        super().__init__(entries)
        self.rows, self.cols = rows, cols

    @property
    def vector(self) -> bool:
        return self.rows == 1 or self.cols == 1

    def fits(self, other: "_Entries") -> bool:
        """As many entries in the same places: a column and a row of the same size (transposed), or the same matrix."""
        return len(self) == len(other) if self.vector and other.vector else (self.rows, self.cols) == (other.rows,
                                                                                                        other.cols)


def _entries(body: str) -> _Entries | None:
    rows = [r for r in (part[ROW_SPACE.match(part).end():].strip() for part in split_top(body, "\\\\")) if r]
    cells = [[c.strip() for c in split_top(r, "&")] for r in rows]
    if not cells or len({len(r) for r in cells}) != 1:
        return None
    entries = [c for r in cells for c in r]
    if not (2 <= len(entries) <= MAX_ENTRIES and all(entries)):
        return None
    return _Entries(entries, len(cells), len(cells[0]))


def _sides(flat: str) -> list[tuple[str, str]] | None:
    """The sides of the row's relations outside braces, each with the relation before it (the first's: '')."""
    sides, depth, start, rel, i, n = [], 0, 0, "", 0, len(flat)
    while i < n:
        ch = flat[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth <= 0 and (m := _RELATION.match(flat, i)) is not None:
            sides.append((rel, flat[start:i].strip()))
            rel, start, i = ("≈" if m.group() != "=" else "="), m.end(), m.end()
            continue
        elif ch == "\\":
            i += 2
            continue
        i += 1
    sides.append((rel, flat[start:].strip()))
    return sides if all(side for _, side in sides) else None


def _vector_of(side: str, vectors: list[list[str] | None]) -> list[str] | None:
    """The entries of a side that is one vector (in delimiters, transposed or not) or a list in brackets, else
    None."""
    bare = _TRANSPOSE.sub("", _DELIMITERS.sub(lambda m: m.group()[-1], side)).strip()
    m = _PLACEHOLDER.fullmatch(bare.strip("[]()").strip())
    if m is not None:
        return vectors[int(m.group(1))]
    return _listed(bare) if bare[:1] in ("(", "[") and "\x00" not in bare else None


_CLOSING = {"(": ")", "[": "]"}
_SPACING = frozenset({"\\,", "\\;", "\\:", "\\!", "\\quad", "\\qquad", "\\", "~"})  # LaTeX's, between entries
_NUMBER = re.compile(r"[-−+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d{1,3})?")  # one number as a program prints it


def _listed(bare: str) -> list[str] | None:
    """The entries of ``(a, b)`` or ``[a; b]``: split at the semicolons outside brackets and braces where there are
    any (``(0,5; 0,7)``: decimal commas), else at the commas; None unless the brackets hold the whole side."""
    depth, cuts, semis, escaped = 0, [], [], False
    for i, ch in enumerate(bare):
        if escaped:  # ``\;``, ``\,``: LaTeX's spacing, no separator
            escaped = False
            continue
        if ch == "\\":
            escaped = True
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0 and i != len(bare) - 1:
                return None  # the first bracket closes before the end: (a)(b), (a) + b
        elif depth == 1 and ch in ",;":
            (semis if ch == ";" else cuts).append(i)
    if depth != 0 or bare[-1] != _CLOSING[bare[0]]:
        return None
    if not semis and not cuts and bare[0] == "[":  # numpy's print, [-7.65 -13.65]: numbers between blanks alone
        spaced = [e for e in bare[1:-1].split() if e not in _SPACING]
        if 2 <= len(spaced) <= MAX_ENTRIES and all(_NUMBER.fullmatch(e) for e in spaced):
            return _Entries(spaced, len(spaced), 1)
        return None
    marks, entries, start = semis or cuts, [], 1
    for i in marks:
        entries.append(bare[start:i].strip())
        start = i + 1
    entries.append(bare[start:-1].strip())
    return _Entries(entries, len(entries), 1) if 2 <= len(entries) <= MAX_ENTRIES and all(entries) else None


def _names(sides, shapes, is_name) -> tuple[list[str] | None, int]:
    """The entries' names (as written) and the index of the first side after them: a vector of names first, or
    after one symbol; else a symbol whose numbered quantities they are (as many as the last side's entries: ``h_{1}``,
    ...; of a matrix, ``\\Theta^{(1)}_{11}``, ... row after row, its columns numbered from 1, or from 0 where the
    first is a bias's, as Ng's are)."""
    last = shapes[-1]
    if shapes[0] is not None:
        return (shapes[0], 1) if _named(shapes[0], last, is_name) else (None, 0)
    symbol = sides[0][1]
    if _PLACEHOLDER.search(symbol) or last is None:
        return None, 0
    if len(shapes) > 2 and shapes[1] is not None and _named(shapes[1], last, is_name):
        return shapes[1], 2
    if len(symbol) > 60:
        return None, 0
    # (the entries of a shared bias may name one quantity twice: the problem's doing, not the student's)
    if last.vector:
        names = [_indexed(symbol, str(i)) for i in range(1, len(last) + 1)]
        return (names, 1) if all(is_name(n) for n in names) else (None, 0)
    for first in (1, 0):
        names = [_indexed(symbol, _pair(j, k)) for j in range(1, last.rows + 1)
                 for k in range(first, first + last.cols)]
        if all(is_name(n) for n in names):
            return names, 1
    return None, 0


def _pair(j: int, k: int) -> str:
    return f"{j}{k}" if j < 10 and k < 10 else f"{j},{k}"


_DERIVATIVE = re.compile(r"(\\frac\s*\{\s*\\partial\s*[^{}]{1,20}\}\s*\{\s*\\partial\s*)(.+)(\})|(\\nabla_\{)(.+?)(\}.*)")


def _indexed(symbol: str, index: str) -> str:
    """``symbol``'s entry ``index``: ``h_{1}`` of ``\\mathbf{h}``, ``\\delta_o_{1}`` of ``\\boldsymbol{\\delta}_o``,
    ``\\Theta^{(1)}_{12}``; of a gradient, the gradient of the entry (``\\frac{\\partial J}{\\partial
    \\Theta^{(1)}_{12}}``, ``\\nabla_{W_{12}} E``)."""
    d = _DERIVATIVE.fullmatch(symbol.strip())
    if d is not None:
        head, inner, tail = (d.group(1), d.group(2), d.group(3)) if d.group(1) else (d.group(4), d.group(5),
                                                                                      d.group(6))
        return head + _indexed(inner, index) + tail
    wrapped = _WRAPPED.match(symbol)  # \mathbf{h}, \boldsymbol{\delta}_o: h, \delta_o
    base = (wrapped.group(1) or wrapped.group(2)) + symbol[wrapped.end():] if wrapped else symbol.strip()
    return f"{base}_{{{index}}}"


def _named(names: "_Entries", last: "_Entries | None", is_name) -> bool:
    """Are ``names`` distinct quantities' names in the places of ``last``'s entries (a matrix of names, the same
    matrix; a vector, a vector of as many)?"""
    return last is not None and (names.vector or names.fits(last)) and _distinct(names, is_name)


def _distinct(names: list[str], is_name) -> bool:
    found = [is_name(n) for n in names]
    return all(found) and len(set(found)) == len(found)


def bare_list_rows(text: str, is_name: Callable[[str], str | None]) -> list[str] | None:
    """The equations, one per entry, of a tuple assignment without brackets, as a program writes one: ``z1, z2 =
    -7.65, -13.65`` (also in math, ``z_1, z_2 = ...``, and with ``≈``): names of distinct quantities, a comma
    between each, one relation, then as many values at the commas (at the semicolons where there are any: decimal
    commas), each with a digit; [] where the names are such a list and the values do not fit it (``z1, z2 =
    -7.65``: no one's value); else None. Before, such a line gave z2 the value of z1."""
    m = _RELATION.search(text)
    if m is None or "," not in text[:m.start()] or _RELATION.search(text, m.end()) or len(text) > 2000:
        return None
    left, right = text[:m.start()], text[m.end():].strip()
    names = [n.strip() for n in split_top(left, ",")]
    if not 2 <= len(names) <= MAX_ENTRIES or not _distinct(names, is_name):
        return None
    values = [v.strip() for v in split_top(right, ";" if ";" in right else ",")]
    if len(values) != len(names) or not all(any(ch.isdigit() for ch in v) for v in values):
        return []  # names that are a list, values that do not fit them: no value is any one name's
    rel = "≈" if m.group() != "=" else "="
    return [f"{n} {rel} {v}" for n, v in zip(names, values)]
