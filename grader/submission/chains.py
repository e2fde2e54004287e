"""Rows of math -> equation chains: ``lhs = a = b ≈ c``, continued by rows that start with a relation.

A chain is split at top-level ``=``, ``≈``/``\\approx``, ``:=`` (and ``\\leftarrow``); a row that starts with one of
them continues the chain before it (``&= …`` in ``align``, or a ``$$= …$$`` display after ``$$z_3 = …$$``). Every
part is read by our LaTeX reader (:mod:`grader.parse.latex`); a part that cannot be read keeps its reason.

A write-up often writes the same row many times (a chain copied into a summary, a whole solution pasted twice): each
distinct row is split and read once per :func:`build_chains`, and its steps share the trees and the value.

A ``\\sum`` in a step is written out as its terms by ``expand`` (:func:`grader.parse.latex.expand_sums`, with the
problem's ranges); one that cannot be makes the step unreadable, with the reason.

A row that cannot be read at all (too long, too many parts, a number with too many digits, a lone backslash) is no
chain: :func:`read_chains` lists it with its reason, so a report shows it among the equations not read.
"""

from __future__ import annotations

import dataclasses
import operator
import re
from dataclasses import dataclass, field
from typing import Callable

from grader.parse.latex import (
    MAX_LATEX_LENGTH, LatexError, Name, Node, NotEvaluable, Token, Unreadable, evaluate, has_names, raw_tokens,
    read_tokens,
)
from grader.submission.comments import without_comment
from grader.submission.mathrow import MathRow
from grader.submission.notes import Unattributed

__all__ = ["Step", "Chain", "build_chains", "read_chains", "right_to_left", "RELATIONS"]

RELATIONS = frozenset({"=", "\u2248", ":=", "\u2190", "\u21d2"})  # (⇒ between two steps of one chain: an "=")
_KIND = operator.itemgetter(0)


class _once:  # noqa: N801 - functools.cached_property without its lock (taken on every first read in 3.11)
    """A value computed on first read and kept in the instance's ``__dict__`` (later reads find it there)."""

    def __init__(self, fn) -> None:
        self.fn, self.name, self.__doc__ = fn, fn.__name__, fn.__doc__

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.fn(obj)
        return value


@dataclass(frozen=True)
class Step:
    relation: str  # the relation before this part ("" for the left-hand side)
    text: str  # the part as written
    tree: Node | Unreadable
    line: int
    shared: dict | None = field(default=None, compare=False, repr=False)  # the value, shared by equal rows

    @_once
    def named(self) -> bool:
        """Is the step read, with names in it (a formula)? Told once."""
        return not isinstance(self.tree, Unreadable) and has_names(self.tree)

    @_once
    def value(self):
        """The value of a step without names (Fraction or mpf), computed once; None otherwise."""
        if self.shared is None:
            return self._value()
        if "value" not in self.shared:
            self.shared["value"] = self._value()
        return self.shared["value"]

    def _value(self):  # match.value_of, the names already looked for
        if self.named or isinstance(self.tree, Unreadable):
            return None
        try:
            return evaluate(self.tree)
        except NotEvaluable:
            return None


_new_object = object.__new__


def _step(relation: str, text: str, tree, line: int, shared: dict | None = None) -> Step:
    """``Step(relation, text, tree, line, shared)``, built without the dataclass's frozen ``__init__`` (a third
    of its cost: a write-up makes one per part of every row); the same object, field by field."""
    step = _new_object(Step)
    step.__dict__.update(relation=relation, text=text, tree=tree, line=line, shared=shared)
    return step


@dataclass
class Chain:
    lhs: Step
    steps: list[Step] = field(default_factory=list)  # the parts after the left-hand side, in order
    line: int = 0
    embedded: bool = False  # read from inside a sentence of prose (``grader.submission.extract.MathRow``)

    @property
    def text(self) -> str:
        out = self.lhs.text
        for s in self.steps:
            out += f" {s.relation} {s.text}"
        return out


def split_relations(text: str) -> list[tuple[str, str, list]] | None:
    """``[(relation, part, tokens), ...]`` with "" as the first relation; None when the row has no relation at all
    or cannot be tokenized (too long)."""
    parts = _split(text)
    if parts is None or isinstance(parts, LatexError):
        return None
    return [(relation, part, [tuple.__new__(Token, t) for t in tokens]) for relation, part, tokens in parts]


def _split(text: str) -> list[tuple[str, str, list]] | LatexError | None:
    try:
        tokens = raw_tokens(text)  # plain tuples (kind, text, pos, value), equal to tokenize's Tokens
    except LatexError as error:
        return error
    kinds = list(map(_KIND, tokens))
    relations, k = [], -1
    try:
        while True:  # the relation signs, found by the list's own search
            k = kinds.index("rel", k + 1)
            if tokens[k][1] in RELATIONS:
                relations.append(k)
    except ValueError:
        pass
    if not relations:
        return None
    depth, cuts, last = 0, [], relations[-1]
    for k, t in enumerate(tokens):  # the brackets' depth, up to the last relation only
        if k > last:
            break
        kind = t[0]
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
        elif kind == "rel" and depth <= 0 and t[1] in RELATIONS:
            cuts.append(k)
    if not cuts:
        return None
    out, start, relation = [], _lead_in(tokens, cuts[0]), ""
    for k in cuts + [len(tokens) - 1]:
        part = tokens[start:k]
        begin = part[0][2] if part else (tokens[k][2] if k < len(tokens) else len(text))
        if out and part:  # what stands between the relation and the part's first token is the student's too
            begin = _relation_end(text, tokens[start - 1])  # (``= \color{blue} 0.6191``: no token of its own)
        finish = tokens[k][2]
        out.append((relation, text[begin:finish].strip() if part else "", without_comment(part) if out else part))
        if k < len(tokens) - 1:
            relation = "≈" if tokens[k][1] == "\u2248" else "=" if tokens[k][1] == "\u21d2" else tokens[k][1]
        start = k + 1
    return out


def _relation_end(text: str, token: tuple) -> int:
    """Where a relation sign ends in ``text``: ``=``, ``:=``, ``≈``, or a command, ``\\approx``."""
    i = token[2]
    if text.startswith("\\", i):
        i += 1
        while i < len(text) and text[i].isascii() and text[i].isalpha():
            i += 1
        return i
    return i + len(token[1])


def _lead_in(tokens: list, stop: int) -> int:
    """Where a row's left-hand side starts after the words that lead into it (``\\therefore h_1 = ...``,
    ``\\text{so } h_1 = ...``, ``\\text{Hence,} ...``): such words say why, not what; none after ``stop``."""
    k = 0
    while k < stop - 1:
        t = tokens[k]
        if t[0] == "cmd" and t[1] in _LEAD_CMDS:
            k += 1
        elif t[0] == "text" and " ".join(t[1].lower().replace(",", " ").replace(":", " ").split()) in _LEAD_WORDS:
            k += 1
        elif t[0] == "other" and (t[1] in "\u2234\u2235" or (t[1] in ",:" and k)):  # ∴ ∵, and a comma after words
            k += 1
        else:
            break
    return k


_LEAD_CMDS = frozenset({"therefore", "because", "hence", "thus"})
_LEAD_WORDS = frozenset({"so", "hence", "thus", "then", "therefore", "and", "now", "finally", "also", "next", "and so",
                         "similarly", "likewise", "so that", "we get", "which gives", "giving", "this gives", "i.e.",
                         "ie", "that is", "and then", "so then", "here", "where"})


_SEPARATORS = ("\\qquad", "\\quad", ";", ",")
_PIECE_MARKS = re.compile(r"\\qquad|\\quad|\\text\{[^{}]{0,40}\}|\\.|[,;({\[)}\]]", re.S)
# the prose between two equations of one row, in a \text{...}: ``z_1 = -7.65 \text{ so } h_1 = ...``
_CONNECTORS = frozenset({"and", "so", "thus", "hence", "then", "therefore", "and so", "and then", "which gives",
                         "giving", "gives", "we get", "so that", "ie", "i.e.", "that is", "or", "also", "next"})


def _connector(mark: str) -> bool:
    """Is ``mark`` a ``\\text{...}`` of prose that joins two equations (``\\text{, so }``, ``\\text{and}``)?"""
    words = " ".join(mark[len("\\text{"):-1].replace(",", " ").replace(";", " ").split()).lower()
    return words in _CONNECTORS


# an implication arrow: ``z_1 = -7.65 \Rightarrow h_1 = \sigma(z_1) = ...`` is two equations; before a value only,
# ``= (0.65 - 0.1) \cdot ... \Rightarrow 0.125``, it is a step of the chain
_ARROW_MARKS = re.compile(r"\\(?:Rightarrow|Longrightarrow|implies|rightarrow|longrightarrow)(?![A-Za-z])|[⇒→⟹]"
                          r"|\\.|[({\[)}\]]", re.S)
_ARROW_HINT = re.compile(r"\\(?:Righ|Long|impl|righ|long)|[⇒→⟹]")


def pieces(text: str) -> list[str]:
    """``a = 1, \\quad b = 2`` -> ``["a = 1", "b = 2"]``: a row holding several equations, split at top-level
    implication arrows (``\\Rightarrow``, ``\\implies``, ⇒, →) where what follows is an equation of its own, and then at
    ``\\quad``, ``\\text{and}``, ``;`` or ``,`` where every piece is an equation (so ``f(x, y) = 1`` stays whole)."""
    if _ARROW_HINT.search(text):
        return [p for segment in _arrow_pieces(text) for p in _pieces(segment)]
    return _pieces(text)


def _arrow_pieces(text: str) -> list[str]:
    """``text`` cut at its top-level arrows where the parts on both sides are equations; an arrow before a part that
    is no equation (a value) stays, as a relation of the chain; an arrow that starts the row is dropped."""
    cuts, depth = [], 0
    for m in _ARROW_MARKS.finditer(text):
        mark = m.group()
        if mark in "({[":
            depth += 1
        elif mark in ")}]":
            depth -= 1
        elif depth == 0 and (mark in "⇒→⟹" or len(mark) > 2):  # (an escaped character, \s of \sigma, is two)
            cuts.append((m.start(), m.end()))
    if not cuts:
        return [text]
    out = [text[:cuts[0][0]].strip()]
    for k, (a, b) in enumerate(cuts):
        end = cuts[k + 1][0] if k + 1 < len(cuts) else len(text)
        part = text[b:end].strip()
        if not out[-1]:
            out[-1] = part  # ⇒ h_1 = ... at the start of a row: a new equation
        elif split_relations(part) is not None and split_relations(out[-1]) is not None:
            out.append(part)
        else:
            out[-1] = f"{out[-1]} {text[a:b]} {part}"
    return [p for p in out if p]


def _pieces(text: str) -> list[str]:
    if not ("," in text or ";" in text or "\\q" in text or "\\text{" in text):
        return [text]  # (every other separator starts with \q or \text{)
    cuts, depth = [], 0
    for m in _PIECE_MARKS.finditer(text):  # an escaped character (\, \{) is never a separator
        mark = m.group()
        if mark in "({[":
            depth += 1
        elif mark in ")}]":
            depth -= 1
        elif depth == 0 and (mark in _SEPARATORS or (mark.startswith("\\text{") and _connector(mark))):
            cuts.append((m.start(), m.end()))
    if not cuts:
        return [text]
    out, start = [], 0
    for a, b in cuts:
        out.append(text[start:a])
        start = b
    out.append(text[start:])
    out = [p.strip() for p in out if p.strip()]
    if len(out) > 1 and all(split_relations(p) is not None for p in out):
        return out
    return [text]


Expand = Callable[[Node], Node]


def build_chains(rows: list[MathRow], expand: Expand | None = None) -> list[Chain]:
    return read_chains(rows, expand)[0]


def read_chains(rows: list[MathRow], expand: Expand | None = None) -> tuple[list[Chain], list[Unattributed]]:
    """The chains of ``rows``, and the rows that could not be read at all (each with its reason). ``expand`` writes
    out the sums of a step (raising :class:`NotEvaluable` when it cannot)."""
    chains: list[Chain] = []
    unread: list[Unattributed] = []
    split: dict[str, list[str]] = {}  # row text -> its pieces
    read: dict[str, tuple | str | None] = {}  # piece text -> (lhs text, lhs tree, [(relation, part, tree, shared)])
    parts: dict[tuple[str, int], tuple] = {}  # (part text, where it starts in its row) -> (tree, shared)
    columns: dict[int, Chain] = {}  # the last equations side by side in an align, by column
    label: Step | None = None  # a name alone on a display row (``$$z_1$$``): the equation a continuation then begins
    for r in rows:
        if r.cut_from:
            unread.append(Unattributed(r.line, r.text[:200], f"could not be read: the equation is too long "
                                       f"({r.cut_from:,} characters; at most {MAX_LATEX_LENGTH:,})"))
            continue
        texts = split.get(r.text)
        if texts is None:
            texts = split[r.text] = pieces(r.text)
        for text in texts:
            if text not in read:
                read[text] = _read_row(text, expand, parts)
            parsed = read[text]
            if parsed is None:
                label = _name_alone(text, r) if r.display and not r.embedded and len(texts) == 1 else None
                continue
            if isinstance(parsed, str):
                unread.append(Unattributed(r.line, text[:200], f"could not be read: {parsed}"))
                label = None
                continue
            first, first_tree, read_parts = parsed
            steps = [_step(rel, part, tree, r.line, shared) for rel, part, tree, shared in read_parts]
            if not first and label is not None:  # ``$$z_1$$`` then ``$$= -7.65$$``: z_1's equation (before, the
                first, first_tree, label = label.text, label.tree, None  # continuation of the one before it)
            elif not first:  # a continuation: "= ..." or "&= ..." (of its column's equation, side by side in an align)
                if chains:
                    columns.get(r.column, chains[-1]).steps.extend(s for s in steps if s.text)
                continue
            label = None
            chains.append(Chain(lhs=_step("", first, first_tree, r.line), steps=[s for s in steps if s.text],
                                line=r.line, embedded=r.embedded))
            if r.column:
                columns[r.column] = chains[-1]
            elif columns:
                columns.clear()
    return chains, unread


def _name_alone(text: str, r: MathRow) -> Step | None:
    """A display row that is one name and nothing else (``$$z_1$$``, a plain ``z1`` over its value), as a step."""
    if not text or len(text) > 64:
        return None
    try:
        tree = read_tokens(raw_tokens(text), text)
    except LatexError:
        return None
    return _step("", text, tree, r.line) if isinstance(tree, Name) else None


def _read_row(text: str, expand: Expand | None, cache: dict[tuple[str, int], tuple]) -> tuple | str | None:
    """What :func:`read_chains` keeps of a row: its parts read; None for a row without a relation; the reason
    for a row that cannot be tokenized. A part is read once per text and place in its row (``cache``): rows that
    differ in their numbers share their left-hand side and formula (a refusal's positions are the row's)."""
    parts = _split(text)
    if parts is None:
        return None
    if isinstance(parts, LatexError):
        return parts.reason
    _, first, first_tokens = parts[0]
    steps = []
    for rel, part, tokens in parts[1:]:
        if not part:
            steps.append((rel, part, Unreadable(part, "empty"), {}))
            continue
        key = (part, tokens[0][2])
        if key not in cache:
            cache[key] = (_read_part(tokens, part, expand), {})
        tree, shared = cache[key]
        steps.append((rel, part, tree, shared))
    if first:  # a left-hand side is read without writing out sums: kept apart in the cache (position -1 - its own)
        key = (first, -1 - first_tokens[0][2])
        if key not in cache:
            cache[key] = (read_tokens(first_tokens, first), None)
        first_tree = cache[key][0]
    else:
        first_tree = None
    return first, first_tree, steps


def _read_part(tokens: list, text: str, expand: Expand | None) -> Node | Unreadable:
    tree = read_tokens(tokens, text)
    if expand is None or isinstance(tree, Unreadable) or ("\\sum" not in text and "\u2211" not in text):
        return tree
    try:
        return expand(tree)
    except NotEvaluable as error:
        return Unreadable(text, error.reason)


def symbolic(chain: Chain) -> bool:
    """Does a step of the chain hold a formula (names)?"""
    return any(s.named for s in chain.steps)


def unreadable_reason(chain: Chain) -> str:
    """Why no value came from a chain: its first unreadable step, else its first step that cannot be evaluated."""
    for s in chain.steps:
        if isinstance(s.tree, Unreadable):
            return f"could not be read: {s.tree.reason}"
    for s in chain.steps:
        try:
            evaluate(s.tree)
        except NotEvaluable as error:  # a name-free step whose value is out of range (10^{10^{10}}), 1/0, ...
            return f"no value could be computed from it: {error.reason}"
    return "no value could be computed from it"


def partly_read(chain: Chain) -> str:
    """For a chain that gave a value: why one of its steps was not read ("" when every step was), so the report
    says what the grader skipped although it took the chain's last number."""
    for s in chain.steps:
        if isinstance(s.tree, Unreadable):
            return f"read only in part: a step could not be read ({s.tree.reason}); its last number was taken"
    return ""


def right_to_left(chain: Chain, quantity: Callable) -> tuple[Chain, str] | None:
    """A chain written right to left, ending in the name it is about: ``0.000476 = h_1``, ``\\sigma(-7.65) =
    0.000476 = h_1``, as that name's chain in the same order (``h_1 = \\sigma(-7.65) = 0.000476``), and its quantity
    (``quantity(name)``); None unless the left-hand side is a number or a formula (not a name) with a digit, and the
    last side a quantity's name alone. Before, such a chain was not read ("the left-hand side is not the name of a
    quantity")."""
    if chain.embedded or not chain.steps or isinstance(chain.lhs.tree, (Name, Unreadable)):
        return None
    last = chain.steps[-1]
    if not isinstance(last.tree, Name) or not any(ch.isdigit() for ch in chain.lhs.text):
        return None
    q = quantity(last.tree)
    if q is None:
        return None
    parts, relations = [chain.lhs, *chain.steps[:-1]], [s.relation for s in chain.steps]
    relations = relations[-1:] + relations[:-1]  # A r1 B r2 h_1 is h_1 r2 A r1 B
    steps = [dataclasses.replace(part, relation=rel) for part, rel in zip(parts, relations)]
    return dataclasses.replace(chain, lhs=dataclasses.replace(last, relation=""), steps=steps), q
