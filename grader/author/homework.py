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

This module holds the YAML surface and turns a set file into a ``HomeworkSet`` with every key computed; grading is
``grader.author.setgrade``, scores given by hand ``grader.author.manual``, the template, key and summary
``grader.author.setviews`` (all importable from here).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated, Any, Iterable, Literal, Union

from pydantic import Field, ValidationError, model_validator

from grader.author.questions import (INIT_DEFAULT, LOSS_DEFAULT, KeyItem, activation_items, init_items, loss_items,
                                     make_items, prune)
from grader.errors import GraderError
from grader.solve.exact import to_decimal_string
from grader.spec.problem import Example, Problem, Tolerance, Training
from grader.spec.schema import (ActivationField, ActivationSpec, AskItemField, Exact, IsoDate, NetworkSpec, ProblemSpec,
                                Strict, ToleranceSpec)
from grader.yamlio import Document, load_yaml_file

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
    doc = load_yaml_file(path, quote=False)
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
    from grader.spec.build import _tolerance, ask_entry, close_hint

    known = list(known)
    out = []
    items = q.ask if q.ask is not None else [d for d in defaults if d in known]
    for j, item in enumerate(items):
        path = ("ask", j)
        name, weight, t = ask_entry(item)
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
        if is_set_data(load_yaml_file(path, quote=False).data):
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


# The rest of the set machinery, importable from here too.
from grader.author.manual import merge_manual_scores, read_manual_scores  # noqa: E402
from grader.author.setgrade import (grade_set_document, grade_set_document_if_any,  # noqa: E402
                                    read_set_answers)
from grader.author.setviews import check_lines, set_key_document, set_template  # noqa: E402

__all__ = ["HomeworkSpec", "HomeworkSet", "SetQuestion", "check_lines", "grade_set_document",
           "grade_set_document_if_any", "load_set_if_any", "load_set_ref", "merge_manual_scores",
           "read_manual_scores", "read_set_answers", "set_key_document", "set_template"]
