"""What the write-up reader noted beside the answers: plain frozen data, turned into messages by
``grader.grade.sourced``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    """Where an answer came from: the line and the equation as written."""

    line: int
    text: str


@dataclass(frozen=True)
class Slip:
    """The student's own expression does not equal what they wrote after it."""

    quantity: str
    line: int  # the line of the value that does not follow
    expression: str  # the expression, rendered plainly
    value: float  # what it equals
    written: str  # what the student wrote after it
    written_value: float
    on_change: bool = False  # compared as the change of an updated parameter
    base: float | None = None  # that parameter's value before the update, as used
    negated: bool = False  # the chain is an error term's (Err = −delta): its values are the quantity's negated


@dataclass(frozen=True)
class FormulaNote:
    """A formula written for a quantity that is not the network's."""

    quantity: str
    line: int
    formula: str  # as written, rendered plainly
    extra: tuple[tuple[str, str], ...]  # (as written, what it is) of names that do not belong
    missing: tuple[str, ...]  # quantities the formula needs but the student left out
    differs: bool  # it does not give the quantity on the problem's values


@dataclass(frozen=True)
class Unattributed:
    line: int
    text: str
    reason: str


@dataclass(frozen=True)
class WriteupNotes:
    kind: str  # the file's suffix: md, markdown, txt, tex, ipynb
    sources: dict  # quantity -> Source
    slips: dict  # quantity -> its Slips, in the order of the steps (at least one)
    formulas: tuple[FormulaNote, ...]
    unattributed: tuple[Unattributed, ...]
    labels: dict | None = None  # line -> "cell 3, line 2" for notebooks
    conventions: tuple[tuple[int, str], ...] = ()  # (line, what was read in another convention: an error term)
    empty: str = ""  # nothing in it was read as an answer: "nothing" at all, or only "givens" restated
    remarks: tuple[str, ...] = ()  # about the whole file: a notebook's printed outputs left unread
    code: tuple[int, ...] = ()  # where each Markdown fence of code begins (told only when nothing was read)

    def where(self, line: int) -> str:
        if self.labels:
            label = self.labels.get(line)
            if label:
                return label
        return f"line {line}"
