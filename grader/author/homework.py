"""Homework sets: several questions, each with its own points, in one problem file, graded into one result.

A set file has ``id``, ``title``, optional ``statement``, ``tolerance`` (the default rule of its numeric
questions), ``reveal``/``due``, and ``questions:``, a list; every question has an ``id`` (``ex6``), optional
``points``, ``title`` and ``prompt`` (Markdown), and a ``kind``:

* ``backprop``: ``problem: exercise6`` (found like a submission's ``problem:``, next to the set file first) or an
  inline problem spec under ``spec:``; its fields keep their relative points, scaled to the question's ``points``
  (default: the problem's own total). A randomized problem gives every student their variant.
* ``loss``, ``init``, ``activation``, ``pruning``: exact keys from ``grader.author.questions``; ``ask`` lists the
  quantities (default: the kind's usual ones) as names or ``{name: weight}``; the question's ``points`` (default:
  one per quantity) are shared in proportion to the weights.
* ``free_text``: an explanation graded by hand: ``rubric`` (a list of ``{points, text}``; the question is worth
  their sum). It is graded ``pending`` (0 points) until an instructor's scores are merged (``merge_manual_scores``).

Submissions answer with keys prefixed by the question id, ``ex6.z1: -11.65``, ``ex2_loss.E_mse: 0.1``,
``ex5_prune.survivors: [w1, w4]``, and a free-text answer under the bare question id (``ex1: |`` then the text).
The nested form ``answers: {ex6: {z1: -11.65}}`` is read the same way. The result is one ``GradeResult`` whose
fields are named ``<question>.<quantity>`` (a free-text field is named by its question id).
"""

from __future__ import annotations

import csv
import dataclasses
import difflib
import io
import math
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated, Any, Iterable, Literal, Mapping, Union

from pydantic import BaseModel, Field, ValidationError, model_validator

from grader.author.questions import (INIT_DEFAULT, LOSS_DEFAULT, KeyItem, activation_items, init_items, loss_items,
                                     make_items, prune)
from grader.errors import GraderError, SpecError, SubmissionError
from grader.grade.result import FieldResult, GradeResult, Student
from grader.grade.tolerance import within
from grader.parse.answer import parse_answer
from grader.spec.problem import Example, Problem, Tolerance, Training
from grader.spec.schema import (ActivationField, ActivationSpec, AskItemField, Exact, IsoDate, NetworkSpec, ProblemSpec,
                                Strict, ToleranceSpec)
from grader.solve.exact import to_decimal_string
from grader.yamlio import Document, format_path, load_yaml_file

QuestionId = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]{0,31}$", description="e.g. ex6")]


# --- the YAML surface --------------------------------------------------------------------------------------------------


class RubricItem(Strict):
    points: float = Field(gt=0, description="points for this criterion")
    text: str = Field(description="what earns them")


class QuestionBase(Strict):
    id: QuestionId
    title: str = Field("", description="one line")
    prompt: str = Field("", description="the question, Markdown")
    points: float | None = Field(None, gt=0, description="the question's total (defaults: see the kind)")
    tolerance: ToleranceSpec | None = Field(None, description="overrides the set's rule for this question")


class BackpropQuestion(QuestionBase):
    kind: Literal["backprop"]
    problem: str | None = Field(None, description="a problem id or path (found next to the set file first)")
    spec: ProblemSpec | None = Field(None, description="or the problem inline")

    @model_validator(mode="after")
    def _one_source(self):
        if (self.problem is None) == (self.spec is None):
            raise ValueError("a backprop question needs either `problem: <id>` or an inline `spec:`, not both")
        return self


class LossQuestion(QuestionBase):
    kind: Literal["loss"]
    predictions: list[Exact] = Field(min_length=1, max_length=64, description="predictions p_i")
    targets: list[Exact] = Field(min_length=1, max_length=64, description="targets t_i")
    ask: list[AskItemField] | None = Field(None, description="default: E_mse, E_bce")


class InitQuestion(QuestionBase):
    kind: Literal["init"]
    fan_in: int = Field(ge=1, le=10**9)
    fan_out: int = Field(ge=1, le=10**9)
    ask: list[AskItemField] | None = Field(None, description="default: xavier_/he_ var, std, limit")


class ActivationQuestion(QuestionBase):
    kind: Literal["activation"]
    at: list[Exact] = Field(min_length=1, max_length=32, description="the points x_1, x_2, ...")
    functions: list[ActivationField] = Field(min_length=1, description="sigmoid, tanh, relu, leaky_relu")
    derivatives: bool = Field(True, description="ask f'(x) too")
    ask: list[AskItemField] | None = Field(None, description="default: every function (and derivative) at every point")


class PruningQuestion(QuestionBase):
    kind: Literal["pruning"]
    network: NetworkSpec
    given: dict[str, Exact] = Field(description="inputs, and in the explicit form every weight and bias")
    sparsity: Exact = Field(description="share of the weights removed, e.g. 0.5")
    scope: Literal["global", "layer"] = Field("global", description="rank all weights together or per layer")
    ask: list[AskItemField] | None = Field(None, description="default: survivors and every output")


class FreeTextQuestion(QuestionBase):
    kind: Literal["free_text"]
    rubric: list[RubricItem] = Field(min_length=1, description="the criteria; the question is worth their sum")


Question = Annotated[
    Union[BackpropQuestion, LossQuestion, InitQuestion, ActivationQuestion, PruningQuestion, FreeTextQuestion],
    Field(discriminator="kind"),
]


class HomeworkSpec(Strict):
    """A homework set: several questions of different kinds, graded into one result."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=80)
    title: str
    statement: str = Field("", description="Markdown shown to students")
    tolerance: ToleranceSpec | None = Field(None, description="default rule of the numeric questions")
    reveal: Literal["always", "after_due", "never"] = "always"
    due: IsoDate | None = None
    questions: list[Question] = Field(min_length=1, max_length=100)


# --- the compiled set --------------------------------------------------------------------------------------------------


@dataclass
class SetQuestion:
    spec: Any  # one of the question models
    index: int
    points: float
    items: list[KeyItem] = field(default_factory=list)  # loss/init/activation/pruning
    problem_path: Path | None = None  # backprop, by reference
    problem: Problem | None = None  # backprop: the (base) problem
    inline_plans: dict = field(default_factory=dict)  # backprop inline: plans by student id ("" = base)
    outputs: tuple[str, ...] = ()  # pruning: names of forward quantities that may be asked

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def kind(self) -> str:
        return self.spec.kind

    def scale(self) -> float:
        inner = sum(a.points for a in self.problem.ask)
        return self.points / inner if inner else 1.0


@dataclass
class HomeworkSet:
    spec: HomeworkSpec
    source: str
    questions: list[SetQuestion]
    tolerance: Tolerance

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def title(self) -> str:
        return self.spec.title

    @property
    def reveal(self) -> str:
        return self.spec.reveal

    @property
    def due(self) -> str | None:
        return self.spec.due

    def question(self, qid: str) -> SetQuestion | None:
        return next((q for q in self.questions if q.id == qid), None)


def is_set_data(data: Any) -> bool:
    return isinstance(data, dict) and "questions" in data


def load_set_if_any(path: str | Path) -> HomeworkSet | None:
    """The homework set in the file at ``path``; None when the file is an ordinary problem."""
    doc = load_yaml_file(path)
    if not is_set_data(doc.data):
        return None
    return set_from_document(doc, source=str(path))


def load_set_ref(ref: str) -> HomeworkSet | None:
    from grader.spec.load import find_problem

    return load_set_if_any(find_problem(ref))


def set_from_document(doc: Document, *, source: str) -> HomeworkSet:
    from grader.spec.build import Where, _tolerance
    from grader.spec.load import spec_error_from_validation

    try:
        spec = HomeworkSpec.model_validate(doc.data)
    except ValidationError as exc:
        raise spec_error_from_validation(exc, source=source, line_of=doc.line_of) from None
    where = Where(source, doc.line_of)
    default = _tolerance(spec.tolerance, Tolerance(), ("tolerance",), where)
    seen: dict[str, int] = {}
    questions = []
    for i, q in enumerate(spec.questions):
        if q.id in seen:
            raise where.error(("questions", i, "id"), f"question id {q.id!r} is used twice",
                              f"first at questions[{seen[q.id]}]")
        seen[q.id] = i
        qwhere = Where(source, lambda p, i=i: doc.line_of(("questions", i) + tuple(p)))
        tol = _tolerance(q.tolerance, default, ("tolerance",), qwhere)
        questions.append(_compile(q, i, tol, qwhere, source))
    return HomeworkSet(spec, source, questions, default)


def _asked(q, defaults: tuple[str, ...] | list[str], known: Iterable[str], tol: Tolerance, where
           ) -> list[tuple[str, float, Tolerance]]:
    """(name, weight, tolerance) of every asked quantity of a non-backprop question."""
    from grader.spec.build import _tolerance, close_hint

    known = list(known)
    out = []
    items = q.ask if q.ask is not None else [d for d in defaults if d in known]
    for j, item in enumerate(items):
        path = ("ask", j)
        if isinstance(item, str):
            name, weight, t = item, 1.0, None
        elif isinstance(item, dict):
            (name, weight), t = next(iter(item.items())), None
        else:
            name, weight, t = item.quantity, item.points, item.tolerance
        if name not in known:
            raise where.error(path, f"unknown quantity {name!r} for a {q.kind} question",
                              close_hint(name, known) or f"known: {', '.join(known[:12])}")
        if any(name == o[0] for o in out):
            raise where.error(path, f"{name} is asked twice")
        out.append((name, float(weight), _tolerance(t, tol, path + ("tolerance",), where)))
    if not out:
        raise where.error(("ask",), "nothing is asked", "list the quantities under ask:")
    return out


def _share(asked: list[tuple[str, float, Tolerance]], total: float | None) -> list[tuple[str, float, Tolerance]]:
    weights = sum(w for _, w, _ in asked)
    if total is None:
        return asked
    return [(n, total * w / weights, t) for n, w, t in asked]


def _compile(q, index: int, tol: Tolerance, where, source: str) -> SetQuestion:
    if q.kind == "free_text":
        total = sum(r.points for r in q.rubric)
        if q.points is not None and not math.isclose(q.points, total):
            raise where.error(("points",), f"points {q.points:g} differ from the rubric's sum {total:g}",
                              "drop points: (the rubric decides) or make them agree")
        return SetQuestion(q, index, total)
    if q.kind == "backprop":
        return _compile_backprop(q, index, where, source)
    if q.kind == "loss":
        if len(q.predictions) != len(q.targets):
            raise where.error(("targets",), f"{len(q.targets)} targets for {len(q.predictions)} predictions",
                              "one target per prediction")
        table = loss_items(list(q.predictions), list(q.targets))
        asked = _asked(q, LOSS_DEFAULT, table, tol, where)
        items = make_items(table, _share(asked, q.points))
    elif q.kind == "init":
        table = init_items(q.fan_in, q.fan_out)
        asked = _asked(q, INIT_DEFAULT, table, tol, where)
        items = [dataclasses.replace(table[n], points=p, tolerance=t) for n, p, t in _share(asked, q.points)]
    elif q.kind == "activation":
        functions = []
        for j, f in enumerate(q.functions):
            spec = f if isinstance(f, ActivationSpec) else ActivationSpec(kind=f)
            if spec.kind in ("linear", "softmax"):
                raise where.error(("functions", j), f"{spec.kind} is not asked in activation questions",
                                  "use sigmoid, tanh, relu or leaky_relu")
            if spec.kind in ("relu", "leaky_relu") and spec.derivative_at_zero is None and 0 in q.at and q.derivatives:
                raise where.error(("functions", j), f"{spec.kind}′(0) is asked: state its value",
                                  f"write {{kind: {spec.kind}, derivative_at_zero: 0}}")
            functions.append((spec.kind, spec.derivative_at_zero, spec.slope if spec.slope is not None else Fraction(1, 100)))
        table = activation_items(functions, list(q.at), q.derivatives)
        asked = _asked(q, list(table), table, tol, where)
        items = make_items(table, _share(asked, q.points))
    else:  # pruning
        return _compile_pruning(q, index, tol, where)
    points = q.points if q.points is not None else sum(i.points for i in items)
    return SetQuestion(q, index, points, items=items)


def _compile_backprop(q: BackpropQuestion, index: int, where, source: str) -> SetQuestion:
    from grader.spec.build import build_problem
    from grader.spec.load import find_problem, load_problem

    if q.problem is not None:
        try:
            path = find_problem(q.problem, source)
        except GraderError as exc:
            raise where.error(("problem",), exc.message, exc.hint) from None
        if is_set_data(load_yaml_file(path).data):
            raise where.error(("problem",), f"{q.problem} is a homework set, not a problem", "name a problem file")
        problem = load_problem(path)
    else:
        path = None
        problem = build_problem(q.spec, source=source,
                                line_of=lambda p: where.line_of(("spec",) + tuple(p)) if where.line_of else None)
    inner = sum(a.points for a in problem.ask)
    return SetQuestion(q, index, q.points if q.points is not None else inner, problem_path=path, problem=problem)


def _compile_pruning(q: PruningQuestion, index: int, tol: Tolerance, where) -> SetQuestion:
    from grader.author.variants import with_values
    from grader.solve.solver import solve
    from grader.spec.build import build_network, close_hint

    net, inline = build_network(SimpleNamespace(network=q.network), where)
    allowed = set(net.inputs) | (set(net.params) if inline is None else set())
    for name in q.given:
        if name not in allowed:
            raise where.error(("given", name), f"{name!r} is not an input" + ("" if inline else ", weight or bias"),
                              close_hint(name, sorted(allowed)) or f"known: {', '.join(sorted(allowed))}")
    missing = [n for n in sorted(allowed, key=list(net.inputs + net.params).index) if n not in q.given]
    if missing:
        raise where.error(("given",), f"missing given values: {', '.join(missing)}")
    if not 0 <= q.sparsity < 1:
        raise where.error(("sparsity",), "sparsity is a share in [0, 1)", "e.g. sparsity: 0.5")
    params = dict(inline) if inline is not None else {p: q.given[p] for p in net.params}
    weights = {w: params[w] for w in net.weights}
    layers = [[w for w, (_, dst) in net.weights.items() if net.neurons[dst].layer == li + 1] for li in range(len(net.layers))]
    survivors, err = prune(weights, layers, q.sparsity, q.scope)
    if err:
        raise where.error(("sparsity",), err, "choose weights or a sparsity that cut cleanly")
    softmax = net.layers[-1].activation.kind == "softmax"
    targets = {o: Fraction(int(softmax and k == 0)) for k, o in enumerate(net.outputs)}
    problem = Problem(id=q.id, title=q.title, statement="", network=net,
                      loss="categorical_cross_entropy" if softmax else "half_sse",
                      examples=(Example({i: q.given[i] for i in net.inputs}, targets),), params=params,
                      training=Training(Fraction(1)), ask=())
    key = solve(with_values(problem, {w: Fraction(0) for w in weights if w not in survivors}))
    forward = [n for n, node in key.graph.nodes.items() if node.kind in ("net", "activation")]
    known = ["survivors"] + forward
    asked = _asked(q, ["survivors", *net.outputs], known, tol, where)
    items = []
    from grader.solve.expr import to_latex, to_text

    for name, pts, t in _share(asked, q.points):
        if name == "survivors":
            kept = ", ".join(w for w in weights if w in survivors)
            items.append(KeyItem("survivors", survivors, f"the weights kept after removing the share {to_decimal_string(q.sparsity, 12)} of the "
                                 f"smallest |w| ({q.scope})", worked=f"kept: {kept}", points=pts, tolerance=t,
                                 order=tuple(weights)))
        else:
            node = key.node(name)
            e = node.expr
            value_text = key.decimal(name, 10)
            items.append(KeyItem(name, key.values[name], f"{node.description}, on the pruned network",
                                 to_text(e), to_latex(e), f"{to_text(e)} = {to_text(e, key.values)} = {value_text}",
                                 to_latex(e, key.values), points=pts, tolerance=t))
    points = q.points if q.points is not None else sum(i.points for i in items)
    return SetQuestion(q, index, points, items=items, outputs=tuple(forward))


# --- reading a set submission ------------------------------------------------------------------------------------------


@dataclass
class SetAnswers:
    student: Student
    by_question: dict[str, dict[str, tuple[Any, tuple]]]  # question id -> local name -> (raw value, document path)


def read_set_answers(hw: HomeworkSet, doc: Document) -> SetAnswers:
    from grader.submission.load import TOP_KEYS, _Reader

    reader = _Reader(doc)
    data = doc.data
    if not isinstance(data, dict):
        raise reader.error("the submission must be a mapping with the keys problem, student, answers", (),
                           "start the file with `problem: <set id>`")
    for key in data:
        if key not in TOP_KEYS:
            raise reader.error(f"unknown key '{key}'; allowed keys: {', '.join(TOP_KEYS)}", (key,),
                               "answers go under `answers:`, indented")
    student = reader.student(data.get("student"))
    answers = data.get("answers")
    if not isinstance(answers, dict):
        raise reader.error("`answers` must be a mapping", ("answers",),
                           "write `ex6.z1: -11.65`, one line per quantity, indented below `answers:`")
    ids = [q.id for q in hw.questions]
    out: dict[str, dict[str, tuple[Any, tuple]]] = {q: {} for q in ids}

    def put(qid: str, local: str, raw: Any, path: tuple) -> None:
        q = hw.question(qid)
        if q is None:
            close = difflib.get_close_matches(qid, ids, n=2)
            raise reader.error(f"unknown question '{qid}' in {hw.id}", path,
                               (f"did you mean {' or '.join(close)}? " if close else "") + f"questions: {', '.join(ids)}")
        if local in out[qid]:
            raise reader.error(f"{qid}.{local or ''} is answered twice".replace(". ", " "), path,
                               "keep one of them")
        out[qid][local] = (raw, path)

    for key, raw in answers.items():
        path = ("answers", key)
        key = str(key)
        if "." in key:
            qid, local = key.split(".", 1)
            put(qid, local, raw, path)
            continue
        q = hw.question(key)
        if q is not None and q.kind == "free_text":
            put(key, "", raw, path)
        elif q is not None and isinstance(raw, dict):
            for local, sub in raw.items():
                put(key, str(local), sub, path + (local,))
        elif q is not None:
            raise reader.error(f"answer the quantities of question {key} as {key}.<name>", path,
                               f"e.g. {key}.{_example_name(q)}: <value>")
        else:
            put(key, "", raw, path)  # raises: unknown question
    return SetAnswers(student, out)


def _example_name(q: SetQuestion) -> str:
    if q.kind == "backprop":
        return q.problem.ask[0].quantity
    return q.items[0].name if q.items else "value"


# --- grading -----------------------------------------------------------------------------------------------------------


def grade_set_file(grader, path: str | Path) -> GradeResult | None:
    """Grade the submission at ``path`` if it answers a homework set; None when it does not (or cannot be read:
    the ordinary loader then reports why)."""
    try:
        doc = load_yaml_file(path)
    except GraderError:
        return None
    return grade_set_document_if_any(grader, doc)


def grade_set_document_if_any(grader, doc: Document) -> GradeResult | None:
    """Grade ``doc`` if it answers a homework set (``problem:`` names a set file); None otherwise."""
    from grader.spec.load import find_problem

    data = doc.data
    ref = grader.problem_override or (data.get("problem") if isinstance(data, dict) else None)
    if not isinstance(ref, str) or not ref.strip():
        return None
    here = Path(doc.source).resolve() if doc.source and not doc.source.startswith("<") else None
    set_path = None
    try:
        # find_problem looks next to the submission first, where the submission itself may have the set's name
        for near in ((here.parent, here.parent.parent) if here else ()) + (None,):
            found = find_problem(ref.strip(), str(near) if near else None)
            if found.resolve() != here:
                set_path = found
                break
    except GraderError:
        return None
    if set_path is None:
        return None
    hw = grader.set_at(set_path)
    if hw is None:
        return None
    return grade_set_document(grader, hw, doc)


def grade_set_document(grader, hw: HomeworkSet, doc: Document) -> GradeResult:
    """Grade a read submission document against the homework set ``hw`` (``grader`` is a
    ``grader.grade.pipeline.Grader``: it caches the backprop plans)."""
    from grader.grade.pipeline import reveal_now

    answers = read_set_answers(hw, doc)
    fields: list[FieldResult] = []
    flags = []
    for q in hw.questions:
        given = answers.by_question[q.id]
        if q.kind == "free_text":
            fields.append(_free_text_field(q, given.get("")))
        elif q.kind == "backprop":
            f, fl = _grade_backprop(grader, hw, q, answers.student, doc, given)
            fields += f
            flags += fl
        else:
            for local, (raw, path) in given.items():
                if not any(i.name == local for i in q.items):
                    names = [i.name for i in q.items]
                    close = difflib.get_close_matches(local, names, n=2)
                    raise SubmissionError(
                        f"unknown quantity '{q.id}.{local}' for {hw.id}", file=doc.source, line=doc.line_of(path),
                        path=format_path(path),
                        hint=(f"did you mean {' or '.join(q.id + '.' + c for c in close)}? " if close else "")
                        + f"question {q.id} asks for: {', '.join(names)}")
            for item in q.items:
                fields.append(_grade_item(q, item, doc, given.get(item.name)))
    score = round(sum(f.points for f in fields), 6)
    return GradeResult(
        problem=hw.id, problem_title=hw.title, student=answers.student, fields=tuple(fields), flags=tuple(flags),
        score=score, max_score=round(sum(f.max_points for f in fields), 6), tolerance_rule=hw.tolerance.describe(),
        source=doc.source, reveal=reveal_now(hw, grader.reveal), warnings=(), network=None,
    )


def _free_text_field(q: SetQuestion, answer: tuple[Any, tuple] | None) -> FieldResult:
    rubric = "; ".join(f"{r.points:g} pt: {r.text}" for r in q.spec.rubric)
    raw = answer[0] if answer else None
    text = None if raw is None else " ".join(str(raw).split()) or None  # one line: reports show it in a cell
    common = dict(quantity=q.id, given=None, given_text=text, expected=0.0, expected_text="", points=0.0,
                  max_points=q.points, description=f"{q.id}: {q.spec.title or 'written answer'} (graded by hand)",
                  formula="", tolerance="graded by hand against the rubric")
    if text is None:
        return FieldResult(verdict="missing", message="No answer given.", **common)
    return FieldResult(verdict="pending", message=f"Awaiting review by hand. Rubric: {rubric}.", **common)


def _number_text(doc: Document, raw: Any, path: tuple) -> str | None:
    if isinstance(raw, dict) and "value" in raw:
        raw, path = raw["value"], path + ("value",)
    if raw is None:
        return None
    if isinstance(raw, str):
        return raw
    return doc.texts.get(path) or str(raw)


def _grade_item(q: SetQuestion, item: KeyItem, doc: Document, answer: tuple[Any, tuple] | None) -> FieldResult:
    from grader.numfmt import fmt

    common = dict(
        quantity=f"{q.id}.{item.name}", expected=float(len(item.value)) if item.is_set else float(item.value),
        expected_text=item.decimal(25), max_points=round(item.points, 6), description=f"{q.id}.{item.name}: {item.description}",
        formula=f"{item.name} = {item.formula}" if item.formula else "", formula_latex=item.formula_latex,
        worked=f"{item.name} = {item.worked}" if item.worked else "", worked_latex=item.worked_latex,
        tolerance="the same set of weights" if item.is_set else item.tolerance.describe(),
    )
    raw, path = answer if answer else (None, ())
    if item.is_set:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return FieldResult(verdict="missing", given=None, given_text=None, points=0.0, message="No answer given.", **common)
        names, text, reason = _read_weight_set(raw, item.order)
        if reason:
            return FieldResult(verdict="unparseable", given=None, given_text=text, points=0.0,
                               message=f"Could not read this answer: {reason}", **common)
        if names == item.value:
            return FieldResult(verdict="correct", given=float(len(names)), given_text=text, points=common["max_points"],
                               message="Correct.", **common)
        extra = sorted(names - item.value, key=item.order.index)
        lost = sorted(item.value - names, key=item.order.index)
        msg = "Incorrect." + (f" Pruned by magnitude: {', '.join(extra)}." if extra else "") + (
            f" Kept by magnitude: {', '.join(lost)}." if lost else "")
        return FieldResult(verdict="incorrect", given=float(len(names)), given_text=text, points=0.0, message=msg, **common)
    text = _number_text(doc, raw, path)
    if text is None or not text.strip():
        return FieldResult(verdict="missing", given=None, given_text=None, points=0.0, message="No answer given.", **common)
    parsed = parse_answer(text)
    if not hasattr(parsed, "value"):
        return FieldResult(verdict="unparseable", given=None, given_text=text, points=0.0,
                           message=f"Could not read this answer: {parsed.reason}", **common)
    if within(parsed.value, common["expected"], item.tolerance):
        return FieldResult(verdict="correct", given=parsed.value, given_text=text, points=common["max_points"],
                           message="Correct.", **common)
    return FieldResult(verdict="incorrect", given=parsed.value, given_text=text, points=0.0,
                       message=f"Incorrect (expected about {fmt(common['expected'])}).", **common)


def _read_weight_set(raw: Any, order: tuple[str, ...]) -> tuple[frozenset[str], str, str | None]:
    """A list of weight names, or a 0/1 mask over ``order``: as a YAML list or a text (``w1, w4`` / ``1 0 0 1``)."""
    if isinstance(raw, list):
        parts = [str(x).strip() for x in raw]
        text = "[" + ", ".join(parts) + "]"
    else:
        text = str(raw).strip()
        body = text.strip("[]{}() ")
        parts = [p for p in body.replace(",", " ").replace(";", " ").split() if p]
        if len(parts) == 1 and set(parts[0]) <= {"0", "1"} and len(parts[0]) == len(order):
            parts = list(parts[0])
    if parts and all(p in ("0", "1") for p in parts):
        if len(parts) != len(order):
            return frozenset(), text, (f"a mask needs {len(order)} entries of 0/1, in the order {', '.join(order)}; "
                                       f"this one has {len(parts)}")
        return frozenset(w for w, bit in zip(order, parts) if bit == "1"), text, None
    unknown = [p for p in parts if p not in order]
    if unknown:
        return frozenset(), text, (f"{', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not a weight of this "
                                   f"network ({', '.join(order)})")
    return frozenset(parts), text, None


def _grade_backprop(grader, hw: HomeworkSet, q: SetQuestion, student: Student, doc: Document,
                    given: dict[str, tuple[Any, tuple]]):
    from grader.grade.engine import grade
    from grader.grade.pipeline import check_names, without_blanks
    from grader.submission.load import submission_from_document

    plan = _backprop_plan(grader, q, student, doc)
    # A document of this question's answers alone, with every line and verbatim number kept.
    data = {"problem": q.problem.id, "student": None, "answers": {}}
    lines: dict[tuple, int] = {(): doc.lines.get((), 1), ("answers",): doc.line_of(("answers",)) or 1}
    texts: dict[tuple, str] = {}
    for local, (raw, path) in given.items():
        data["answers"][local] = raw
        new = ("answers", local)
        for table, out in ((doc.lines, lines), (doc.texts, texts)):
            for p, v in table.items():
                if p[:len(path)] == path:
                    out[new + p[len(path):]] = v
    sub_doc = Document(data=data, source=doc.source, lines=lines, texts=texts)
    try:
        sub = submission_from_document(sub_doc)
        check_names(plan, sub)
    except SubmissionError as exc:
        if exc.path and exc.path.startswith("answers."):
            exc.path = f"answers.{q.id}." + exc.path[len("answers."):]
        raise
    sub = dataclasses.replace(sub, student=student)
    result = grade(plan, without_blanks(sub))
    scale = q.scale()
    fields = [dataclasses.replace(f, quantity=f"{q.id}.{f.quantity}", points=round(f.points * scale, 6),
                                  max_points=round(f.max_points * scale, 6), description=f"{q.id}.{f.description}")
              for f in result.fields]
    flags = [dataclasses.replace(fl, quantity=f"{q.id}.{fl.quantity}") for fl in result.flags]
    return fields, flags


def _backprop_plan(grader, q: SetQuestion, student: Student, doc: Document):
    from grader.grade.engine import make_plan
    from grader.solve.solver import solve

    randomized = q.problem.randomize is not None
    if randomized and not student.id:
        raise SubmissionError(f"question {q.id} gives every student their own values, so the submission needs the "
                              "student's id", file=doc.source, line=doc.line_of(("student",)), path="student.id",
                              hint='write `student: {id: "400222100", name: Your Name}`')
    sid = student.id if randomized else None
    if q.problem_path is not None:
        return grader.plan_at(q.problem_path, sid)
    key = sid or ""
    if key not in q.inline_plans:
        problem = q.problem
        if sid is not None:
            from grader.author.variants import variant_problem

            problem = variant_problem(problem, sid).problem
        q.inline_plans[key] = make_plan(solve(problem))
    return q.inline_plans[key]


# --- manual scores -----------------------------------------------------------------------------------------------------

MANUAL_COLUMNS = ("student_id", "question", "points")


def read_manual_scores(path: str | Path) -> list[dict[str, str]]:
    """An instructor's CSV of scores given by hand: columns ``student_id,question,points[,comment]``."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise GraderError(f"cannot read the manual scores: {exc.strerror}", file=str(path)) from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in MANUAL_COLUMNS if c not in header]
    if missing:
        raise GraderError(f"the manual scores have no column {', '.join(missing)}", file=str(path), line=1,
                          hint="header: student_id,question,points,comment")
    rows = []
    for line, row in enumerate(reader, start=2):
        clean = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k is not None}
        if not any(clean.values()):
            continue
        clean["line"] = str(line)
        clean["file"] = str(path)
        rows.append(clean)
    return rows


def merge_manual_scores(result: GradeResult, rows: Iterable[Mapping[str, Any]]) -> GradeResult:
    """``result`` with the scores given by hand merged in.

    ``rows`` are mappings with ``student_id``, ``question``, ``points`` and optionally ``comment`` (as read by
    ``read_manual_scores`` or ``csv.DictReader``); only rows whose ``student_id`` is ``result.student.id`` apply.
    ``question`` names a field: a free-text question's id (``ex1``) or any field (``ex6.z1``, to override).
    The field gets the points (0 <= points <= its maximum), verdict ``correct`` at full marks and ``incorrect``
    below, and a message saying it was graded by hand (with the comment). The score is recomputed. A row naming a
    field the result does not have, points out of range, or two rows for one field, is a ``GraderError``.
    """
    sid = (result.student.id or "").strip()
    mine = [r for r in rows if sid and str(r.get("student_id", "")).strip() == sid]
    if not mine:
        return result
    index = {f.quantity: i for i, f in enumerate(result.fields)}
    fields = list(result.fields)
    done: set[str] = set()
    for r in mine:
        where = dict(file=r.get("file"), line=int(r["line"]) if str(r.get("line", "")).isdigit() else None)
        q = str(r.get("question", "")).strip()
        if q not in index:
            close = difflib.get_close_matches(q, list(index), n=2)
            raise GraderError(f"manual score for student {sid}: {result.problem} has no question {q!r}", **where,
                              hint=(f"did you mean {' or '.join(close)}? " if close else "") + "use a question id such as "
                              + ", ".join(f.quantity for f in result.fields if f.verdict in ("pending",))[:200])
        if q in done:
            raise GraderError(f"two manual scores for student {sid}, question {q}", **where, hint="keep one row")
        done.add(q)
        f = fields[index[q]]
        try:
            pts = float(str(r.get("points", "")).strip())
        except ValueError:
            raise GraderError(f"manual score {r.get('points')!r} for student {sid}, {q} is not a number", **where) from None
        if not (math.isfinite(pts) and 0 <= pts <= f.max_points + 1e-9):
            raise GraderError(f"manual score {pts:g} for student {sid}, {q} is outside 0..{f.max_points:g}", **where)
        comment = str(r.get("comment") or "").strip()
        full = math.isclose(pts, f.max_points)
        msg = f"Graded by hand: {pts:g}/{f.max_points:g}" + (" (partial credit)" if 0 < pts and not full else "") + "." + (
            f" {comment}" if comment else "")
        fields[index[q]] = dataclasses.replace(f, points=round(pts, 6), verdict="correct" if full else "incorrect",
                                               message=msg)
    return dataclasses.replace(result, fields=tuple(fields), score=round(sum(f.points for f in fields), 6))


# --- template and key --------------------------------------------------------------------------------------------------


def set_template(hw: HomeworkSet, *, student_id: str | None = None, student_name: str | None = None,
                 problem_ref: str | None = None) -> str:
    from grader.author.common import NUMBER_FORMATS, describe_quantity, points_label
    from grader.author.template import answer_lines, student_block
    from grader.solve.graph import build_graph

    lines = [
        f"# Submission for {hw.id}: {hw.title}",
        "# Fill in your answers after the colons and hand in this file. Quantities are named <question>.<name>.",
        "#",
        *NUMBER_FORMATS.rstrip("\n").split("\n"),
        "# A written answer goes under its question id as a block:  ex1: |  then your text on the next lines, indented.",
        "# A set of weights is a list [w1, w4] or a 0/1 mask in the weights' order, e.g. \"1 0 0 1\".",
        f"problem: {problem_ref or hw.id}",
        *student_block(student_id, student_name),
        "answers:",
    ]
    for q in hw.questions:
        head = f"  # {q.id}" + (f": {q.spec.title}" if q.spec.title else "") + f" ({q.points:g} points, {q.kind.replace('_', ' ')})"
        lines.append(head)
        if q.kind == "free_text":
            lines += answer_lines([(q.id, "your written answer (graded by hand)")])
        elif q.kind == "backprop":
            graph = build_graph(q.problem)
            scale = q.scale()
            lines += answer_lines([(f"{q.id}.{a.quantity}", describe_quantity(q.problem, graph, a.quantity)
                                    + " " + points_label(a.points * scale)) for a in q.problem.ask])
        else:
            entries = []
            for item in q.items:
                extra = f"; as names or a 0/1 mask over {', '.join(item.order)}" if item.is_set else ""
                entries.append((f"{q.id}.{item.name}", f"{item.name} = {item.description}{extra} " + points_label(item.points)))
            lines += answer_lines(entries)
    return "\n".join(lines) + "\n"


def _latex_set(item: KeyItem) -> str:
    from grader.solve.expr import latex_name

    return r"\{" + ", ".join(r"\mathrm{" + latex_name(n) + "}" for n in item.order if n in item.value) + r"\}"


def set_key_document(hw: HomeworkSet, *, student: str | None = None):
    from grader.author.key import KeyDocument, Part, Step, backprop_parts, exact_values
    from grader.author.variants import variant_problem
    from grader.solve.expr import latex_name
    from grader.solve.solver import solve

    parts: list = []
    if hw.spec.statement.strip():
        parts.append(Part("Statement", 2, text=hw.spec.statement.strip()))
    parts.append(Part("Points", 2, table=(("question", "kind", "points"),
                                          [(f"`{q.id}`", q.kind, f"{q.points:g}") for q in hw.questions])))
    exact: dict[str, Any] = {"problem": hw.id, "questions": {}}
    for q in hw.questions:
        title = f"{q.id}" + (f": {q.spec.title}" if q.spec.title else "") + f" ({q.points:g} points)"
        parts.append(Part(title, 2, text=q.spec.prompt.strip()))
        if q.kind == "free_text":
            parts.append(Part("Rubric (graded by hand)", 3,
                              table=(("points", "criterion"), [(f"{r.points:g}", r.text) for r in q.spec.rubric])))
        elif q.kind == "backprop":
            problem = q.problem
            if problem.randomize is not None and student:
                problem = variant_problem(problem, student).problem
            key = solve(problem)
            parts += backprop_parts(key, level=3, statement=not q.spec.prompt.strip(), prefix=f"{q.id}.",
                                    points_scale=q.scale())
            exact["questions"][q.id] = exact_values(key)
        else:
            rows = [(f"`{q.id}.{i.name}`", f"{i.points:g}", i.decimal(10),
                     "the same set" if i.is_set else i.tolerance.describe()) for i in q.items]
            steps = [Step(i.name, latex_name(i.name), _latex_set(i) if i.is_set else i.decimal(10),
                          i.formula_latex or None, i.worked_latex or None) for i in q.items]
            descr = "\n".join(f"- `{i.name}`: {i.description}" for i in q.items)
            parts.append(Part("Answers", 3, text=descr, table=(("quantity", "points", "value", "accepted when"), rows),
                              steps=steps))
            exact["questions"][q.id] = {i.name: i.exact_text() for i in q.items}
    return KeyDocument(hw.title, hw.id + (f", variants of student {student}" if student else ""), parts, exact)


def check_lines(hw: HomeworkSet) -> list[str]:
    """What ``grade check`` could print for a set: one line per question, then warnings (a backprop question's
    ``grader.solve.wellposed`` warnings; a numeric value for which an answer of 0 would pass)."""
    from grader.solve.solver import solve
    from grader.solve.wellposed import warnings

    lines = [f"{hw.source}: valid homework set", f"  {hw.id}: {hw.title}",
             f"  {len(hw.questions)} questions, {sum(q.points for q in hw.questions):g} points; "
             f"tolerance: {hw.tolerance.describe()}"]
    found = []
    for q in hw.questions:
        if q.kind == "free_text":
            what = f"{len(q.spec.rubric)} rubric criteria, graded by hand"
        elif q.kind == "backprop":
            what = f"problem {q.problem.id}, {len(q.problem.ask)} quantities" + (
                ", randomized per student" if q.problem.randomize is not None else "")
            found += [f"{q.id}: {w}" for w in warnings(solve(q.problem))]
        else:
            what = ", ".join(i.name for i in q.items)
            found += [f"{q.id}.{i.name}: an answer of 0 would pass (true value {i.decimal(6)})"
                      for i in q.items if not i.is_set and within(0.0, float(i.value), i.tolerance)]
        lines.append(f"  {q.id} ({q.kind}, {q.points:g} points): {what}")
    return lines + ([f"warning: {w}" for w in found] or ["  no warnings"])
