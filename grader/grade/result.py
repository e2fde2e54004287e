"""The result of grading one submission: plain frozen data, rendered by ``grader.report``.

Renderers never recompute anything: every number and sentence a report shows is here.
"""

from __future__ import annotations

from grader.record import Record
from grader.submission.student import Student

TYPE_CHECKING = False  # typing costs milliseconds at start-up: only a type checker imports it
if TYPE_CHECKING:
    from typing import Literal

    Verdict = Literal["correct", "carried", "incorrect", "missing", "unparseable", "pending"]
    FlagKind = Literal["inconsistent", "wrong_given", "wrong_formula"]
VERDICTS: tuple[str, ...] = ("correct", "carried", "incorrect", "missing", "unparseable", "pending")


class Diagnosis(Record):
    id: str  # short stable id, e.g. "sigmoid_sign"
    text: str  # one plain sentence for the student

    def __init__(self, id: str, text: str) -> None:
        self.__dict__.update(id=id, text=text)

    def to_dict(self) -> dict:
        return {"id": self.id, "text": self.text}


class FieldResult(Record):
    quantity: str
    verdict: Verdict
    given: float | None  # the student's value (None when missing or unparseable)
    given_text: str | None  # what the student wrote, verbatim
    expected: float | None  # the key's value, rounded to float for display and JSON; None in exam mode
    expected_text: str  # the key's value as a decimal string with 20+ significant digits; "" in exam mode
    points: float
    max_points: float
    message: str  # what is wrong and what it follows from, in words
    diagnosis: Diagnosis | None = None
    description: str = ""  # what the quantity is: "delta_o1 = dE/dnet_o1"
    formula: str = ""  # the formula in symbols: "(o1 - t1)*o1*(1 - o1)"
    formula_latex: str = ""
    worked: str = ""  # the formula with the key's numbers substituted, and its value
    worked_latex: str = ""
    carried_value: float | None = None  # the value that follows from the student's own earlier values
    follows_from: tuple[tuple[str, float], ...] = ()  # the student's values that carried_value was computed from
    tolerance: str = ""  # the rule applied, in words
    compared_on_change: bool = False  # updated parameters are compared on p_new - p
    accepted: str = ""  # what is accepted for this field, in words ("w5_new: the change w5_new − w5 is judged ...")
    read_as: str | None = None  # how the answer was read when it is not a plain decimal ("0.528173"), else None
    source: str = ""  # a write-up's answer: where it was written ("line 132", "cell 3, line 2")
    source_text: str = ""  # ... and the equation there, as written

    def __init__(
        self, quantity: str, verdict: Verdict, given: float | None, given_text: str | None, expected: float | None,
        expected_text: str, points: float, max_points: float, message: str, diagnosis: Diagnosis | None = None,
        description: str = "", formula: str = "", formula_latex: str = "", worked: str = "", worked_latex: str = "",
        carried_value: float | None = None, follows_from: tuple[tuple[str, float], ...] = (), tolerance: str = "",
        compared_on_change: bool = False, accepted: str = "", read_as: str | None = None, source: str = "",
        source_text: str = "",
    ) -> None:
        self.__dict__.update(
            quantity=quantity, verdict=verdict, given=given, given_text=given_text, expected=expected,
            expected_text=expected_text, points=points, max_points=max_points, message=message, diagnosis=diagnosis,
            description=description, formula=formula, formula_latex=formula_latex, worked=worked,
            worked_latex=worked_latex, carried_value=carried_value, follows_from=follows_from, tolerance=tolerance,
            compared_on_change=compared_on_change, accepted=accepted, read_as=read_as, source=source,
            source_text=source_text,
        )

    def to_dict(self) -> dict:
        out = {
            "verdict": self.verdict,
            "given": self.given,
            "expected": self.expected,
            "points": self.points,
            "max_points": self.max_points,
            "message": self.message,
            "diagnosis": self.diagnosis.to_dict() if self.diagnosis else None,
            "read_as": self.read_as,
        }
        if self.source:
            out["source"] = {"where": self.source, "text": self.source_text}
        return out


class Flag(Record):
    kind: FlagKind
    quantity: str
    values: tuple[float, ...]
    message: str
    where: tuple[str, ...] = ()  # where each value was written: "answer", "using of delta_o1", ...

    def __init__(
        self, kind: FlagKind, quantity: str, values: tuple[float, ...], message: str, where: tuple[str, ...] = (),
    ) -> None:
        self.__dict__.update(kind=kind, quantity=quantity, values=values, message=message, where=where)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "quantity": self.quantity, "values": list(self.values), "message": self.message}


class NetworkSketch(Record):
    """What a report needs to draw the network: units by layer (inputs first) and named weights and biases."""

    layers: tuple[tuple[str, ...], ...]  # layer 0 = inputs
    weights: tuple[tuple[str, str, str], ...]  # (weight name, source unit, destination unit)
    biases: tuple[tuple[str, tuple[str, ...]], ...]  # (bias name, neurons it feeds)
    nets: tuple[tuple[str, str], ...]  # (neuron, name of its net input)
    activations: tuple[str, ...]  # activation kind of each layer after the inputs

    def __init__(
        self, layers: tuple[tuple[str, ...], ...], weights: tuple[tuple[str, str, str], ...],
        biases: tuple[tuple[str, tuple[str, ...]], ...], nets: tuple[tuple[str, str], ...],
        activations: tuple[str, ...],
    ) -> None:
        self.__dict__.update(layers=layers, weights=weights, biases=biases, nets=nets, activations=activations)


class GradeResult(Record):
    problem: str
    problem_title: str
    student: Student
    fields: tuple[FieldResult, ...]
    flags: tuple[Flag, ...]
    score: float
    max_score: float
    tolerance_rule: str  # the written rule, for the report footer
    source: str | None = None  # the submission file
    reveal: bool = True  # whether expected values may be shown to the student
    warnings: tuple[str, ...] = ()
    network: NetworkSketch | None = None
    # a write-up: the equations no quantity was read from, or read only in part, as (where, equation, why); None for
    # a YAML submission
    unattributed: tuple[tuple[str, str, str], ...] | None = None

    def __init__(
        self, problem: str, problem_title: str, student: Student, fields: tuple[FieldResult, ...],
        flags: tuple[Flag, ...], score: float, max_score: float, tolerance_rule: str, source: str | None = None,
        reveal: bool = True, warnings: tuple[str, ...] = (), network: NetworkSketch | None = None,
        unattributed: tuple[tuple[str, str, str], ...] | None = None,
    ) -> None:
        self.__dict__.update(
            problem=problem, problem_title=problem_title, student=student, fields=fields, flags=flags, score=score,
            max_score=max_score, tolerance_rule=tolerance_rule, source=source, reveal=reveal, warnings=warnings,
            network=network, unattributed=unattributed,
        )

    def field(self, quantity: str) -> FieldResult:
        for f in self.fields:
            if f.quantity == quantity:
                return f
        raise KeyError(quantity)

    def to_dict(self) -> dict:
        """The JSON shape of ``grade --format json``."""
        return {
            "problem": self.problem,
            "student": self.student.to_dict(),
            "score": self.score,
            "max_score": self.max_score,
            "fields": {f.quantity: f.to_dict() for f in self.fields},
            "flags": [fl.to_dict() for fl in self.flags],
            "warnings": list(self.warnings),
        } | ({} if self.unattributed is None else {
            "unattributed": [{"where": w, "text": t, "reason": r} for w, t, r in self.unattributed]})
