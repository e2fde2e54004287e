"""A written solution (Markdown, plain text, LaTeX, a notebook's Markdown cells) -> the same ``Submission`` a YAML
file gives.

What an equation chain ``lhs = formula = numbers = … ≈ value`` says (see ``docs/writeups.md``):

* the left-hand side names a quantity, through the problem's name resolver (``grader.spec.notation``);
* the last number of the chain is the student's answer for it, from that line;
* the first step with numbers substituted into a formula is matched, term by term, against the student's own
  formula just before it, or else against the key's formula, to recover the value used for each input: the
  ``using`` of a YAML answer;
* every step with numbers is evaluated exactly, and where one does not equal the next, that is a slip, located;
* a formula without numbers is checked against the network's formula for the quantity (the first
  ``MAX_FORMULAS`` different ones of a quantity);
* a ``\\sum`` is written out as its terms first (``grader.submission.sums`` tells a range from the problem), or the
  step is not read;
* a given value (``w_5 = 0.1``, also in the prose as ``$w_5$ = 0.1``) or a quantity written again is kept as a
  further written value, so ``wrong_given`` and ``inconsistent`` work as for YAML;
* an equation whose left-hand side is no quantity of the problem is listed as not attributed.
"""

from __future__ import annotations

import dataclasses
import gc
import math
import re
from dataclasses import dataclass
from typing import Callable

import mpmath

from grader.submission.student import Student, writeup_student
from grader.parse.latex import Name, Node, NotEvaluable, Unreadable, evaluate, free_names, to_text
from grader.solve.solver import AnswerKey
from grader.spec import names as qnames
from grader.spec.problem import LEARNING_RATE, Tolerance
from grader.spec.tolerance import within
from grader.submission.chains import (Chain, Step, partly_read, read_chains, right_to_left, symbolic,
                                      unreadable_reason)
from grader.submission.extract import MAX_WRITEUP_BYTES, WRITEUP_SUFFIXES, math_rows
from grader.submission.mathrow import code_fences
from grader.submission.headings import Headings
from grader.submission.sidebyside import side_by_side
from grader.submission.kinds import path_suffix
from grader.submission.writeupfile import as_markdown, decode_writeup, is_writeup, read_writeup
from grader.submission.activated import activated_unit
from grader.submission.ancestry import ancestors, describe
from grader.submission.assignments import assignment_note, updated_parameter
from grader.submission.errorchains import kept_error_terms
from grader.submission.errorterm import default_resolver, error_term_note, negated_value
from grader.submission.load import Answer, Submission, Value
from grader.submission.writeup_values import (as_float, final_step, number_text, parsed_value, plain_number,
                                              step_value)
from grader.submission.match import has_decimals, inline, match_key, match_own, same, value_of
from grader.submission.notes import FormulaNote, Slip, Source, Unattributed, WriteupNotes
from grader.submission.sums import StatedBounds, SumRanges
from grader.yamlio import Document

__all__ = ["WRITEUP_SUFFIXES", "MAX_WRITEUP_BYTES", "is_writeup", "path_suffix", "read_writeup", "decode_writeup",
           "writeup_submission"]

MAX_UNATTRIBUTED = 200  # listed in a report
MAX_FORMULAS = 8  # different formulas checked for one quantity (each is evaluated at the key's precision)
MAX_SLIPS = 3  # slips named in one chain of steps (a long chain of wrong steps: the first few say where to look)

Resolve, KeyFor = Callable[[str], "str | None"], Callable[["str | None"], AnswerKey]


def writeup_submission(text: str, kind: str, source: str, key: AnswerKey, problem_ref: str,
                       resolve: Resolve | None = None, key_for: KeyFor | None = None) -> Submission:
    """Read a write-up's text as a submission of ``key.problem``. ``resolve`` maps a name as written (``w_{5}'``)
    to a quantity name or None; by default the problem's name resolver. ``key_for``: the key of the student the text
    names (its id, or None), a randomized problem's variant, read against instead (the text converted once)."""
    text, kind, labels, remarks = as_markdown(text, kind, source, getattr(key.problem, "notebook_outputs", "read"))
    key = key if key_for is None else key_for(writeup_student(text, kind).id)
    if resolve is None:
        resolve = default_resolver(key.problem)
    paused = gc.isenabled()
    if paused:  # reading makes hundreds of thousands of tokens and trees and no cycles: collections only cost time
        gc.disable()  # (a third of reading a 1 MB write-up of formulas); the text's size is capped, so is the memory
    try:
        return _Reader(key, resolve, source, problem_ref, kind if kind != "ipynb" else "md", labels, remarks).read(text)
    finally:
        if paused:
            gc.enable()


_DERIVATIVE_MARKS = ("\\nabla", "∇", "\\frac", "/", "\\partial", "∂")  # how a gradient is written as a derivative


@dataclass
class _Use:
    value: object  # Fraction or mpf
    text: str
    line: int


class _Reader:
    def __init__(self, key: AnswerKey, resolve: Resolve, source: str, problem_ref: str, kind: str, labels,
                 remarks: tuple[str, ...] = ()) -> None:
        self.key = key
        self.remarks = remarks
        self.problem = key.problem
        self.graph = key.graph
        self.resolve_text = resolve
        self.error_term = getattr(resolve, "error_term", None)  # (a resolver of the problem's: ``default_resolver``)
        self.source = source
        self.problem_ref = problem_ref
        self.kind = kind
        self.labels = labels
        self._names: dict[str, str | None] = {}
        self._errors: dict[str, str | None] = {}  # a name as written -> the delta it is the error term of, or None
        self._deps: dict[str, frozenset[str]] = {}
        self._formulas: dict[tuple[str, str], FormulaNote | None] = {}
        self._checked: dict[str, int] = {}  # quantity -> formulas checked
        self._sums = SumRanges(self.problem.network, self.quantity)

    # -- names
    def quantity(self, name: Name) -> str | None:
        if name.text in self._names:
            return self._names[name.text]
        q = None
        if name.text.startswith("\\text{") and not name.sub and not name.primes:
            words = name.text[len("\\text{"):-1].strip().lower().replace(" ", "_")
            q = qnames.ALIASES.get(words, words if words == LEARNING_RATE else None)
        if q is None:
            q = self.resolve_text(name.text)
        if q is not None and q not in self.graph.nodes and q not in self.graph.given:
            q = qnames.ALIASES.get(q) if qnames.ALIASES.get(q) in self.graph.given else None
        self._names[name.text] = q
        return q

    def _bracketed(self, text: str, marks: str = "(") -> str | None:
        """The quantity a left-hand side with brackets names (``w_4(t+1)``, ``\\delta(h_1)``; with ``marks`` "(^"
        also a superscript: a course's ``\\delta_2^3``, unit 2 of layer 3, which a formula reads as a power), or
        None."""
        text = text.strip()
        if not any(m in text for m in marks) or len(text) > 40:
            return None
        return self.quantity(Name(text))

    def _compact(self, text: str) -> str | None:
        """The quantity a left-hand side written as a word or a few names, which the formula grammar reads as a
        product (plain text's ``δo1``, ``δh_1``: the Greek letter and the name run together; ``net h1``, ``E
        total``, ``new w5``) or cannot read (``w5+``), names; or None."""
        text = " ".join(text.split())
        return self.quantity(Name(text)) if _FEW_WORDS.fullmatch(text) else None

    def _derivative(self, text: str) -> str | None:
        """The quantity a derivative written as the formula grammar reads a product or a quotient names
        (``\\nabla_{w_5} E``, ``\\frac{dE}{dw_7}``, ``dE/dw5``: the names' own reader knows these spellings), or
        None."""
        text = text.strip()
        if len(text) > 40 or not any(mark in text for mark in _DERIVATIVE_MARKS):
            return None
        return self.quantity(Name(text))

    def expand(self, tree: Node) -> Node:
        """``tree`` with its sums written out, the ranges not written as numbers told from the problem."""
        return self._sums.expand(tree)

    def where(self, line: int) -> str:
        return self.labels.get(line, f"line {line}") if self.labels else f"line {line}"

    # -- reading
    def read(self, text: str) -> Submission:
        rows = math_rows(text, self.kind, lambda words: (self._compact(words) or self._bracketed(words)) is not None,
                         lambda name: self.quantity(Name(name)) if len(name) <= 64 else None)
        self._sums.stated = StatedBounds(text, rows, self.kind, self.where)  # n = 2, for \sum_{i=1}^{n}
        chains, unread = read_chains(rows, self.expand)
        chains = side_by_side(chains, self.quantity, self.key.floats)  # o1 = 0.650011   o2 = 0.651095: two
        attributed: list[tuple[str, Chain]] = []
        headings, by_heading = Headings(text), []  # what the headings say of a given's value (w5 under "Updated")
        conventions: list[tuple[int, str]] = []  # (line, what was read in another convention than the problem's)
        unattributed = [dataclasses.replace(u, text=_shorten(u.text)) for u in unread]
        for chain in chains:
            q, reason = self.lhs_quantity(chain)
            if q is None and (turned := right_to_left(chain, self.quantity)) is not None:
                chain, q = turned  # ``\sigma(-7.65) = 0.000476 = h_1``: h_1 = \sigma(-7.65) = 0.000476
            if q is None and self.bound_statement(chain):
                continue  # n = 2, read as the number of terms of a sum
            if q is None:
                if not chain.embedded:  # (prose's "where x = 2" is no answer, and no question either)
                    unattributed.append(Unattributed(chain.line, _shorten(chain.text), reason))
                continue
            final = final_step(chain)
            value, new = final[1] if final is not None else None, None
            if q in self.graph.given:  # ``w_{46} = w_{46} + ...``: an update written as an assignment
                new = updated_parameter(q, chain, self.graph.nodes, self.key.values, self.quantity, value)
                if new is not None:
                    conventions.append((chain.line, assignment_note(to_text(chain.lhs.tree), q, new,
                                                                    chain.steps[0].relation)))
                    q = new
            if new is None and (read := headings.reading(q, chain.line, value, self.key)):
                by_heading.append((len(attributed), chain.line, *read))  # ``w5: 40.0000081`` under "Updated"
            attributed.append((q, chain))
        named = {q for q, _ in attributed}
        for k, line, new, note in by_heading:  # only where the quantity gets no value under its own name
            if new not in named:
                attributed[k] = (new, attributed[k][1])
                conventions.append((line, note))
        # pass 1: each quantity's own values (for telling readings of substituted numbers apart)
        own: dict[str, list] = {}
        negated = {id(chain) for _, chain in attributed if self.negated(chain.lhs.tree)}  # error terms: −delta
        if negated:  # an error term that is no second value of its delta is listed as not read (errorchains)
            attributed = kept_error_terms(attributed, negated, self.quantity, self.graph, _shorten, unattributed)
        for q, chain in attributed:
            final = final_step(chain)
            if final is not None:
                own.setdefault(q, []).append(-final[1] if id(chain) in negated else final[1])
        answers: dict[str, Answer] = {}
        sources: dict[str, Source] = {}
        slips: dict[str, Slip] = {}
        stated: list[tuple[str, Value, str]] = []
        formulas: list[FormulaNote] = []
        seen_formulas: set[tuple[str, str]] = set()
        lines: dict[tuple, int] = {}
        asked, formula_only = {a.quantity for a in self.problem.ask}, []  # an asked quantity's formula, no number
        for q, chain in attributed:
            flip = id(chain) in negated
            note = self.formula_note(q, chain, flip)
            wrong_formula = note is not None and note.differs
            if note is not None and (q, note.formula) not in seen_formulas:
                seen_formulas.add((q, note.formula))
                formulas.append(note)
            final = final_step(chain)
            if final is None:
                if not symbolic(chain):
                    unattributed.append(Unattributed(chain.line, _shorten(chain.text), unreadable_reason(chain)))
                elif q in asked:  # its names are looked at once q turns out to get no value elsewhere
                    formula_only.append((q, chain))
                continue
            step, v = final
            value = step_value(step, v)
            if flip:
                written = value.text
                value = negated_value(value)
                conventions.append((step.line, error_term_note(to_text(chain.lhs.tree), q, written, value.text)))
            partly = partly_read(chain)  # the answer is the last number; a step before it was not read
            if partly:
                unattributed.append(Unattributed(chain.line, _shorten(chain.text), partly))
            if q in self.graph.given or q in answers:
                stated.append((q, value, f"stated on {self.where(step.line)}" if q in self.graph.given
                               else f"again on {self.where(step.line)}"))
                continue
            using = self.using(q, chain, own, trust_formula=not wrong_formula)
            answers[q] = Answer(quantity=q, value=value, using={u: _value_from(use) for u, use in using.items()},
                                line=step.line)
            sources[q] = Source(step.line, _shorten(chain.text))
            lines[("answers", q)] = step.line
            for u, use in using.items():
                lines[("answers", q, "using", u)] = use.line
            found = self.slips(q, chain, using, flip)
            if found:
                slips[q] = found
        for chain in [c for q, c in formula_only if q not in answers][:MAX_UNATTRIBUTED]:  # (as many as are listed)
            if strange := self.strangers(chain):
                unattributed.append(Unattributed(chain.line, _shorten(chain.text),
                                                 f"no value; {_not_quantities(strange)}"))
        unattributed.sort(key=lambda u: u.line)
        notes = WriteupNotes(kind=self.kind, sources=sources, slips=slips, formulas=tuple(formulas),
                             unattributed=tuple(unattributed[:MAX_UNATTRIBUTED]), labels=self.labels,
                             conventions=tuple(sorted(conventions)), remarks=self.remarks,
                             empty="" if answers else "givens" if stated else "nothing",
                             code=() if answers or self.kind == "tex" else code_fences(text))
        data = {"problem": self.problem_ref, "answers": {q: a.value.text for q, a in answers.items()}}
        doc = Document(data=data, source=self.source, lines=lines)
        return Submission(problem=self.problem_ref, student=writeup_student(text, self.kind), answers=answers,
                          source=self.source, document=doc, stated=tuple(stated), writeup=notes)

    def bound_statement(self, chain: Chain) -> bool:
        """``n = 2`` where the write-up's ``n`` was read as a sum's upper bound."""
        lhs = chain.lhs.tree
        return (isinstance(lhs, Name) and lhs.text in self._sums.used
                and chain.line in self._sums.stated.lines(lhs.text))

    def lhs_quantity(self, chain: Chain) -> tuple[str | None, str]:
        lhs = chain.lhs.tree
        if isinstance(lhs, Unreadable):
            q = self._compact(chain.lhs.text)  # plain text's ``w5+`` (w_5^{+}): a plus with nothing after it
            if q is not None:
                return q, ""
            return None, f"the left-hand side could not be read: {lhs.reason}"
        if not isinstance(lhs, Name):
            # a name the formula grammar reads as a product or a power, ``w_4(t+1)``, ``w_4^{(t+1)}``,
            # ``\delta(h_1)``: the names' own reader (as for a YAML answer's key) may still know it
            text = chain.lhs.text
            q = (self._bracketed(text, "(^") or self._compact(text) or self._derivative(text)
                 or activated_unit(lhs, self.quantity, self.graph.nodes))  # \sigma(z_1) = ...: h1
            if q is not None:
                return q, ""
            return None, "the left-hand side is not the name of a quantity"
        q = self.quantity(lhs)
        if q is None and self.negated(lhs):
            return self._errors[lhs.text], ""
        if q is None:
            return None, f"{to_text(lhs)} is not a quantity of this problem"
        return q, ""

    def strangers(self, chain: Chain) -> list[str]:
        """The names of the chain's formulas that are no quantity of this problem (``h_2 = x \\cdot 10^2``)."""
        names = {to_text(n): n for s in chain.steps if s.named for n in free_names(self.expand(s.tree))}
        return [t for t, n in names.items() if self.quantity(n) is None and not self.negated(n)
                and n.base not in ("derivative", "partial")][:5]  # (the chain rule's ∂net_o1/∂w_5: a step)

    def negated(self, lhs) -> bool:
        """Is the left-hand side an error term, Err = −∂E/∂net, of a delta that is ∂E/∂net (its value the delta's
        with the other sign)?"""
        if not isinstance(lhs, Name) or self.error_term is None or self.quantity(lhs) is not None:
            return False
        q = self._errors.get(lhs.text, _NO_VALUE)
        if q is _NO_VALUE:
            q = self._errors[lhs.text] = self.error_term(lhs.text)
        return q is not None and q in self.graph.nodes

    # -- what the student used
    def using(self, q: str, chain: Chain, own: dict[str, list], trust_formula: bool = True) -> dict[str, _Use]:
        """The values the student used, from the first step with numbers: matched to their own formula, else to the
        key's. When their formula is not the network's, its names are believed only where every value they were
        replaced by is that name's value (the student computed what they wrote: ``t_1`` replaced by 0.9); otherwise
        the names are a slip of the pen (``w_2`` written, w4's 0.3 used) and the key's formula reads the numbers."""
        formula = next((s for s in chain.steps if s.named), None)
        plausible = self.plausible(own)
        numeric = [s for s in chain.steps if not isinstance(s.tree, Unreadable) and not s.named
                   and not plain_number(s.tree)]
        for step in numeric:
            if formula is not None:
                mapping = match_own(formula.tree, step.tree)
                if mapping is not None:
                    out: dict[str, _Use] = {}
                    believed = True
                    for name_text, values in mapping.items():
                        name = next(n for n in free_names(formula.tree) if n.text == name_text)
                        u = self.quantity(name)
                        if u is None or u == q or u in out:
                            continue
                        out[u] = _Use(values[0], number_text(values[0]), step.line)
                        believed = believed and (trust_formula or plausible(u, values[0]))
                    if out and believed:
                        return out
            node = self.graph.nodes.get(q)
            if node is None:
                continue
            for candidate in (node.expr, self.inlined(q)):
                values = match_key(candidate, step.tree, plausible)
                if values:
                    return {u: _Use(v, number_text(v), step.line) for u, v in values.items() if u != q}
        return {}

    def plausible(self, own: dict[str, list]) -> Callable[[str, object], bool]:
        floats = self.key.floats

        def check(name: str, v) -> bool:
            x = as_float(v)
            candidates = [floats[name]] if name in floats else []
            candidates += [as_float(w) for w in own.get(name, ())]
            return any(abs(x - c) <= 1e-6 * max(abs(c), 1e-300) for c in candidates)

        return check

    def inlined(self, q: str):
        nodes = self.graph.nodes

        def expand(name: str):
            node = nodes.get(name)
            return node.expr if node is not None and node.kind == "grad" else None

        return inline(nodes[q].expr, expand)

    # -- slips
    def slips(self, q: str, chain: Chain, using: dict[str, _Use], negated: bool = False) -> tuple[Slip, ...]:
        """Every step of the chain that does not follow from the one before it (within the field's tolerance; for
        an updated parameter, on the change from its value before the update), in order, at most
        :data:`MAX_SLIPS`: the seed's w4_new slips twice in one line, first in the product, then a power of ten."""
        steps = [(s, s.value) for s in chain.steps]
        steps = [(s, v) for s, v in steps if v is not None and math.isfinite(as_float(v))]  # (1e999: not a value)
        node = self.graph.nodes.get(q)
        base = None
        if node is not None and node.kind == "new" and node.base:
            base = using[node.base].value if node.base in using else self.key.values.get(node.base)
        tol = self.tolerance(q)
        found = []
        for (s1, v1), (s2, v2) in zip(steps, steps[1:]):
            a, b = (v1 - base, v2 - base) if base is not None else (v1, v2)
            if not _close(as_float(b), as_float(a), tol):
                found.append(Slip(q, s2.line, to_text(s1.tree), as_float(v1), to_text(s2.tree), as_float(v2),
                                  on_change=base is not None, base=as_float(base) if base is not None else None,
                                  negated=negated))
                if len(found) == MAX_SLIPS:
                    break
        return tuple(found)

    def near_key(self, q: str, value) -> bool:
        """Is ``value`` within ``q``'s tolerance of the key's (an updated parameter's change of the key's change)?"""
        node, tol, key = self.graph.nodes[q], self.tolerance(q), self.key.values[q]
        if node.kind == "new" and tol.on_change:
            base = self.key.values[node.base]
            return within(float(value - base), float(key - base), tol)
        return within(float(value), float(key), tol)

    def tolerance(self, q: str) -> Tolerance:
        for ask in self.problem.ask:
            if ask.quantity == q:
                return ask.tolerance
        return self.problem.default_tolerance

    # -- formulas
    def formula_note(self, q: str, chain: Chain, negated: bool = False) -> FormulaNote | None:
        node = self.graph.nodes.get(q)
        if node is None:
            return None
        step = next((s for s in chain.steps if s.named), None)
        if step is None or isinstance(step.tree, Name):
            return None
        memo = self._formulas.get((q, step.text, negated), _NO_VALUE)
        if memo is _NO_VALUE:
            if self._checked.get(q, 0) >= MAX_FORMULAS:
                return None  # a quantity written with ever new formulas: the first ones have been checked
            self._checked[q] = self._checked.get(q, 0) + 1
            memo = self._formulas[(q, step.text, negated)] = self._formula_note(q, step, negated)
        return None if memo is None else dataclasses.replace(memo, line=step.line)

    def _formula_note(self, q: str, step: Step, negated: bool = False) -> FormulaNote | None:
        written = free_names(step.tree)
        resolved = [(n, self.quantity(n)) for n in written]
        if any(u is None for _, u in resolved):
            return None  # a notation we cannot read completely: no verdict on it
        env = {n.text: self.key.values[u] for n, u in resolved if u in self.key.values}
        if len(env) != len(resolved):
            return None
        try:
            with mpmath.workdps(max(50, self.key.dps)):
                value = evaluate(step.tree, env)
        except NotEvaluable:
            return None
        value = -value if negated else value  # an error term is −delta
        differs = not same(value, self.key.values[q], 1e-9)
        numbers_in = has_decimals(step.tree)  # values put in, to the digits kept: judged as the answer would be
        if differs and numbers_in:
            differs = not self.near_key(q, value)
        direct = set(self.inlined(q).symbols())
        used = {u for _, u in resolved}
        if differs:
            extra = tuple((to_text(n), self.describe(u)) for n, u in resolved if u not in direct)
            if numbers_in and not extra:
                return None  # a number put in is what differs (the value's verdict says so), not the formula
            missing = () if numbers_in else tuple(sorted(direct - used, key=list(self.inlined(q).symbols()).index))
        else:
            deps = self.deps(q)
            extra = tuple((to_text(n), self.describe(u)) for n, u in resolved if u not in deps)
            missing = ()
        if not differs and not extra:
            return None
        return FormulaNote(q, step.line, to_text(step.tree), extra, missing, differs)

    def deps(self, q: str) -> frozenset[str]:
        if q not in self._deps:
            self._deps[q] = ancestors(self.graph.nodes, q)
        return self._deps[q]

    def describe(self, u: str) -> str:
        return describe(self.problem.network, self.graph.nodes, u)


# ---------------------------------------------------------------------------------------------------- helpers


_NO_VALUE = object()
# a name written as one word (no operator or bracket; an updated parameter's plus at its end, ``w5+``), or as two or
# three such words (``net h1``, ``E total``): never a formula, so ``w_1 i_1`` is a product as before
_FEW_WORDS = re.compile(r"[^\W\d_][\w{}^'′]{0,30}\+?(?: [^\W_][\w{}^'′]{0,20}\+?){0,2}")


def _value_from(use: _Use) -> Value:
    return Value(text=use.text, parsed=parsed_value(use.value, use.text), line=use.line)


def _close(a: float, b: float, tol: Tolerance) -> bool:
    """Is ``a`` within the quantity's tolerance of ``b`` (the value of the student's own expression)?"""
    if tol.mode == "sigfig" and b != 0:
        return abs(a - b) <= 0.51 * 10 ** (math.floor(math.log10(abs(b))) - tol.digits + 1)
    return abs(a - b) <= tol.atol + tol.rtol * abs(b)


def _not_quantities(names: list[str]) -> str:
    one = len(names) == 1
    return f"{', '.join(names)} {'is not a quantity' if one else 'are not quantities'} of this problem"


def _shorten(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
