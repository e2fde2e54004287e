"""The range of a ``\\sum`` the student did not bound with numbers, told from the problem or from the write-up.

``\\sum_{k} (t_k - o_k)^2`` (or ``\\sum_{k=1}^{n}``) runs over the network's outputs when, for k = 1, 2, …, every
name that depends on k names a quantity of the problem, for one k past the last none does, and each of those names
runs over one whole layer (or the inputs), unit by unit in the layer's order: ``t_k`` over t1, t2 (the outputs'
targets), ``o_k`` over o1, o2, ``\\delta_{o_k}`` over delta_o1, delta_o2, ``E_{o_k}`` over E_o1, E_o2. Anything else
(a name that resolves for some k only, weights, a layer covered in part) has no range here: the sum is not read, and
the write-up lists it, rather than summing the wrong terms.

Bounded work: at most ``MAX_INDEXED_NAMES`` names depending on the index, each tried for at most one more k than
its layer has units (a name that is no unit of a layer stops at k = 1); one answer per index and set of names. A
write-up's sums together are written out into at most ``MAX_SUM_NODES`` parts (a sum of 100 terms in a line of 40
characters would otherwise let a 1 MB write-up be read as a hundred): past that, a sum is not read.

A bound written as a letter (``\\sum_{i=1}^{n}``, ``\\sum_{j=1}^{N}``) whose range the problem does not tell is read
from the write-up (:class:`StatedBounds`) when the write-up gives that letter exactly one value, a plain whole number:
``$n = 2$``, ``$$N = 3$$``, ``n := 2``, ``$n$ = 2``, or in the prose "with n = 2 inputs" -- anywhere in the write-up,
before or after the sum (a definition often follows the formula: "where $N = 3$ is the number of outputs"). It is not
read (the sum is listed, saying why) when the letter is given no value, two different values, a value that is no
plain whole number (``n = 10^{9}``, ``n = 2 + 1``, ``n = 1, 2``, ``n = N_o``: nothing is computed from a formula), a
number of more than ``MAX_BOUND_DIGITS`` digits, or when the letter is itself a quantity of the problem (``E``; a
problem's notation may name others). When the problem also tells the range (``\\sum_{k=1}^{n} (t_k - o_k)^2``), the
two must agree. The value is still held to ``MAX_SUM_TERMS`` (``n = 1000`` is "too many terms"). Values are looked for
outside code fences, and in a ``.tex`` file outside the preamble and ``%`` comments; the scan runs at most once per
write-up, and only when a sum needs it.
"""

from __future__ import annotations

import re
from typing import Callable, Sequence

from grader.parse.latex import (
    MAX_SUM_TERMS, Name, Node, NotEvaluable, expand_sums, index_names, name_for_index, node_count, to_text,
)
from grader.submission.mathrow import MathRow

__all__ = ["SumRanges", "StatedBounds", "MAX_INDEXED_NAMES", "MAX_SUM_NODES", "MAX_BOUND_DIGITS"]

MAX_INDEXED_NAMES = 16  # names depending on the index of a sum whose range is told from the problem
MAX_SUM_NODES = 20_000  # parts written out by all the sums of one write-up
MAX_BOUND_DIGITS = 9  # a stated bound of more digits is not read (far past MAX_SUM_TERMS anyway)


class SumRanges:
    """``upper(index, lower, body)`` for :func:`grader.parse.latex.expand_sums`, for one problem; ``quantity`` maps a
    name as written to the problem's quantity (the write-up reader's resolver) or None."""

    def __init__(self, network, quantity: Callable[[Name], "str | None"],
                 stated: "StatedBounds | None" = None) -> None:
        self.quantity = quantity
        self.stated = stated  # the write-up's own values of letters (``n = 2``), for bounds such as ``^{n}``
        self.used: dict[str, int] = {}  # letter -> the value read from the write-up as a sum's bound
        self.layers: list[tuple[str, ...]] = [tuple(network.inputs)] + [tuple(lay.neurons) for lay in network.layers]
        units = set(network.inputs) | set(network.neurons)
        self._unit: dict[str, str] = {u: u for u in units}
        for o in network.outputs:
            self._unit.setdefault(network.target_name(o), o)
        for name, neuron in network.neurons.items():
            self._unit.setdefault(neuron.net, name)
        self._suffixes = sorted(units, key=len, reverse=True)
        self._first = {layer[0]: layer for layer in self.layers if layer}
        self._memo: dict[tuple[str, tuple[str, ...]], int | None] = {}
        self._written = 0  # parts written out so far

    def expand(self, tree: Node) -> Node:
        """``tree`` with its sums written out (:func:`expand_sums` with the ranges told here), within the write-up's
        budget of ``MAX_SUM_NODES`` parts. Raises :class:`NotEvaluable`."""
        if self._written > MAX_SUM_NODES:
            raise NotEvaluable(f"\\sum with too many terms in this write-up (more than {MAX_SUM_NODES:,} parts "
                               f"written out in all)")
        out = expand_sums(tree, self.upper)
        if out is not tree:
            self._written += node_count(out, MAX_SUM_NODES)
            if self._written > MAX_SUM_NODES:
                raise NotEvaluable(f"\\sum with too many terms in this write-up (more than {MAX_SUM_NODES:,} parts "
                                   f"written out in all)")
        return out

    def unit(self, q: str) -> str | None:
        """The input or neuron a quantity belongs to: o1 for o1, t1, z3 (net of o1), delta_o1, E_o1, dE_dout_o1."""
        if q in self._unit:
            return self._unit[q]
        for u in self._suffixes:
            if q.endswith("_" + u):
                return u
        return None

    def upper(self, index: str, lower: int, body: Node, bound: Node | None = None) -> int | None:
        """The number of the last term of a sum whose upper bound ``bound`` is not written as a number: told by
        the problem, or the value the write-up gives the bound's letter; None, or :class:`NotEvaluable` saying
        why, when it cannot be told."""
        told = self._told(index, lower, body)
        letter = _letter(bound, index)
        if letter is None:
            return told
        q = self.quantity(bound)
        if q is not None:  # E, or a problem's own one-letter name: a value, not a number of terms
            if told is not None:
                return told
            raise NotEvaluable(f"\\sum with a range that cannot be told ({index} from {lower} to {letter}: {letter} "
                               f"is the quantity {q} of this problem, not a number of terms)")
        value, why = self.stated.value(letter) if self.stated is not None else (None, "")
        if value is None:
            if told is not None:
                return told
            why = why or f"{letter} is given no value"
            raise NotEvaluable(f"\\sum with a range that cannot be told ({index} from {lower} to {letter}: {why})")
        if told is not None and told != value:
            names = ", ".join(to_text(n) for n in index_names(body, index))
            raise NotEvaluable(f"\\sum with a range that cannot be told ({index} from {lower} to {letter}: the "
                               f"write-up gives {letter} = {value}, but {names} run over {told} units of the network)")
        self.used[letter] = value
        return value

    def _told(self, index: str, lower: int, body: Node) -> int | None:
        """The range the problem tells: every name that depends on the index runs over one whole layer."""
        if lower != 1:
            return None
        names = index_names(body, index)
        if not names or len(names) > MAX_INDEXED_NAMES:
            return None
        key = (index, tuple(n.text for n in names))
        if key not in self._memo:
            self._memo[key] = self._count(index, names)
        return self._memo[key]

    def _count(self, index: str, names: list[Name]) -> int | None:
        layers = []
        for name in names:  # k = 1: each name is the first unit of a layer (or of the inputs)
            layer = self._first.get(self._unit_at(name, index, 1) or "")
            if layer is None:
                return None
            layers.append(layer)
        for k in range(2, MAX_SUM_TERMS + 2):
            units = [self._unit_at(name, index, k) for name in names]
            if all(u is None for u in units):
                count = k - 1
                return count if all(len(layer) == count for layer in layers) else None
            if any(k > len(layer) or u != layer[k - 1] for u, layer in zip(units, layers)):
                return None
        return None

    def _unit_at(self, name: Name, index: str, k: int) -> str | None:
        named = name_for_index(name, index, k)
        q = self.quantity(named) if isinstance(named, Name) else None
        return self.unit(q) if q is not None else None


def _letter(bound: Node | None, index: str) -> str | None:
    """The bound ``n`` of ``\\sum_{i=1}^{n}``: one plain letter (not ``N_o``, ``\\text{n}``, ``n+1``, the index)."""
    if isinstance(bound, Name) and len(bound.text) == 1 and bound.text.isascii() and bound.text.isalpha():
        return bound.text if bound.text != index else None
    return None


# ---------------------------------------------------------------------------------------------------- stated values

_SEPARATOR = re.compile(r"\\qquad|\\quad|\\text\{\s*and\s*\}|[,;]")
_STATEMENT = re.compile(r"\s*([A-Za-z])\s*(?::=|=)\s*(.*?)\s*", re.S)
_SPACING = re.compile(r"\\[,;:! ]|~|\\(?:mathrm|text|textrm)\{\s*[A-Za-z ]*\}\s*$")
_WHOLE = re.compile(r"\{?\s*(\d+)\s*\}?")
# in the prose: a lone letter, "=", a number (not in a word, a command, a subscript; 1/n = 0.5 is a formula)
_PROSE = re.compile(r"(?<![\w\\{}_^'$.])([A-Za-z])[ \t]*=[ \t]*(\d+)")
_FORMULA_AFTER = re.compile(r"\s*(?:[-+*/^×·−(\\_{=]|[.,:]\s*\d|\.\.)")
_OPERATOR_BEFORE = frozenset("-+*/^=×·−(<>|")
_COMMENT = re.compile(r"(?<!\\)%.*")
_LONG = "(a number of too many digits)"


class StatedBounds:
    """The values a write-up gives one-letter names (``n = 2``), found once, on first use.

    ``value(letter)`` is (the value, "") when the write-up gives ``letter`` exactly one value and that value is a
    plain whole number of at most ``MAX_BOUND_DIGITS`` digits; else (None, why not)."""

    def __init__(self, text: str, rows: Sequence[MathRow], kind: str,
                 where: Callable[[int], str] = lambda line: f"line {line}") -> None:
        self._text, self._rows, self._kind, self._where = text, rows, kind, where
        self._found: dict[str, list[tuple[str, int | None, int]]] | None = None
        self._values: dict[str, tuple[int | None, str]] = {}
        self._lines: dict[str, frozenset[int]] = {}

    def value(self, letter: str) -> tuple[int | None, str]:
        if letter not in self._values:
            self._values[letter] = self._value(letter)
        return self._values[letter]

    def _value(self, letter: str) -> tuple[int | None, str]:
        found = self.found().get(letter, [])
        if not found:
            return None, f"{letter} is given no value in the write-up"
        distinct: dict[str, tuple[int | None, int]] = {}
        for text, number, line in sorted(found, key=lambda f: f[2]):
            distinct.setdefault(text, (number, line))
        if len(distinct) > 1:
            shown = ", ".join(f"{k} on {self._where(line)}" for k, (_, line) in list(distinct.items())[:3])
            return None, f"{letter} is given different values in the write-up ({shown})"
        [(key, (number, line))] = distinct.items()
        if number is None and key == _LONG:
            return None, f"{letter} is given a number of more than {MAX_BOUND_DIGITS} digits on {self._where(line)}"
        if number is None:
            return None, f"{letter} is written as {key} on {self._where(line)}, not as a whole number"
        return number, ""

    def lines(self, letter: str) -> frozenset[int]:
        """The lines where the write-up gives ``letter`` a value."""
        if letter not in self._lines:
            self._lines[letter] = frozenset(line for _, _, line in self.found().get(letter, []))
        return self._lines[letter]

    def found(self) -> dict[str, list[tuple[str, int | None, int]]]:
        """letter -> [(the value as written, its whole number or None, line)], in the order found."""
        if self._found is None:
            self._found = {}
            for row in self._rows:
                if "=" in row.text and not row.embedded:  # (an equation inside prose: the prose's own reading)
                    self._row(row)
            self._prose()
        return self._found

    def _add(self, letter: str, text: str, line: int) -> None:
        text = " ".join(_SPACING.sub(" ", text).split())
        m = _WHOLE.fullmatch(text)
        number = None
        if m:
            text = m.group(1).lstrip("0") or "0"
            if len(text) <= MAX_BOUND_DIGITS:  # more digits: never converted
                number = int(text)
            else:
                text = _LONG
        shown = text if len(text) <= 40 else text[:39] + "…"
        assert self._found is not None
        self._found.setdefault(letter, []).append((shown, number, line))

    def _row(self, row: MathRow) -> None:
        """``n = 2``, ``n := 2``, ``n = 2, \\quad m = 3`` (a piece without ``=`` after a statement belongs to it:
        ``n = 1, 2`` gives n the value ``1, 2``)."""
        pieces = _SEPARATOR.split(row.text)
        k = 0
        while k < len(pieces):
            m = _STATEMENT.fullmatch(pieces[k])
            k += 1
            if m is None:
                continue
            text = m.group(2)
            while k < len(pieces) and "=" not in pieces[k]:
                text += ", " + pieces[k].strip()
                k += 1
            self._add(m.group(1), text.rstrip(", "), row.line)

    def _prose(self) -> None:
        """"with n = 2 inputs" in the text, outside code fences (and a .tex file's preamble and comments). Only a
        plain number is a value here: what looks like a formula in the prose (n = 10^9, n = 1, 2) is no statement (in
        math, :meth:`_row` reads it as a value that is not a whole number)."""
        lines = self._text.split("\n")
        tex = self._kind == "tex"
        start = next((k for k, line in enumerate(lines) if "\\begin{document}" in line), 0) if tex else 0
        fenced = False
        for k in range(start, len(lines)):
            line = lines[k]
            if not tex and line.lstrip().startswith(("```", "~~~")):
                fenced = not fenced
                continue
            if fenced or "=" not in line:
                continue
            if tex:
                line = _COMMENT.sub("", line)
            for m in _PROSE.finditer(line):
                before = line[:m.start()].rstrip()
                if before and before[-1] in _OPERATOR_BEFORE:
                    continue  # 1 / n = 0.5, x - n = 2: part of a formula
                if not _FORMULA_AFTER.match(line, m.end()):  # n = 10^9, n = 2 + 1, n = 1, 2: no value
                    self._add(m.group(1), m.group(2), k + 1)
