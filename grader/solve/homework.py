"""Homework sets compiled: a set document (``grader.spec.homework``) with every question's key computed.

``load_set_if_any`` reads a set file, validates it against ``grader.spec.homework.HomeworkSpec`` and turns it into a
``HomeworkSet``: each backprop question's problem loaded (by reference or inline), each loss/init/activation/pruning
question's exact keys computed (``grader.solve.questions``), points and tolerances resolved. Grading is
``grader.grade.setgrade``; the template, key and check summary are in ``grader.author``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterable

from pydantic import ValidationError

from grader.errors import GraderError
from grader.solve.exact import to_decimal_string
from grader.solve.questions import (INIT_DEFAULT, LOSS_DEFAULT, KeyItem, activation_items, init_items, loss_items,
                                    make_items, prune)
from grader.spec.homework import BackpropQuestion, HomeworkSpec, PruningQuestion, is_set_data
from grader.spec.load import PROBLEM_MAX_NODES
from grader.spec.problem import Example, Problem, Tolerance, Training
from grader.spec.schema import ActivationSpec
from grader.yamlio import Document, load_yaml_file

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



def load_set_if_any(path: str | Path) -> HomeworkSet | None:
    """The homework set in the file at ``path``; None when the file is an ordinary problem."""
    doc = load_yaml_file(path, quote=False, max_nodes=PROBLEM_MAX_NODES)
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
            if spec.kind is None:  # {formula: ..}: activations in networks only
                raise where.error(("functions", j), "formula activations are asked in backprop questions, not here",
                                  "name a function: sigmoid, tanh, relu or leaky_relu")
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
    from grader.spec.textchecks import check_placeholders

    if q.problem is not None:
        try:
            path = find_problem(q.problem, source)
        except GraderError as exc:
            raise where.error(("problem",), exc.message, exc.hint) from None
        if is_set_data(load_yaml_file(path, quote=False, max_nodes=PROBLEM_MAX_NODES).data):
            raise where.error(("problem",), f"{q.problem} is a homework set, not a problem", "name a problem file")
        problem = load_problem(path)
    else:
        path = None
        problem = build_problem(q.spec, source=source,
                                line_of=lambda p: where.line_of(("spec",) + tuple(p)) if where.line_of else None)
    check_placeholders(problem, where, q.prompt, "prompt")  # the prompt may show the problem's given values
    inner = sum(a.points for a in problem.ask)
    return SetQuestion(q, index, q.points if q.points is not None else inner, problem_path=path, problem=problem)


def _compile_pruning(q: PruningQuestion, index: int, tol: Tolerance, where) -> SetQuestion:
    from grader.spec.variant import with_values
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

