"""Grade one parsed submission against an answer key, field by field.

For every asked quantity (value ``s``, key ``K``, tolerance rule of ``grader.spec.tolerance``):

* ``missing`` / ``unparseable`` when there is no usable number;
* ``correct`` when ``s`` is within tolerance of ``K``;
* ``carried`` when it is within tolerance of ``C``, the value the field's formula gives on the student's own values
  (their answers and the trusted values of the field's ``using``): an error carried forward, worth
  ``carried_credit`` of the points (default 1.0, set per problem);
* ``incorrect`` otherwise, with a diagnosis when one explains the value (``grader.grade.diagnose``).

Updated parameters are compared on ``p_new - p``. The key is solved once per problem (``Plan``); grading itself is
float arithmetic on precompiled closures.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field
from fractions import Fraction

from grader.grade import diagnose
from grader.grade.flags import EXACT, Written, find_flags
from grader.grade.result import Diagnosis, FieldResult, Flag, GradeResult, NetworkSketch
from grader.spec.tolerance import within
from grader.grade.views import Compiled, View
from grader.numfmt import fmt
from grader.parse.answer import Parsed, is_plain_decimal
from grader.solve.expr import Expr, Sym, latex_name, to_latex, to_text
from grader.solve.solver import AnswerKey
from grader.solve.wellposed import accepted_for
from grader.solve.worked import worked_latex, worked_text
from grader.spec import names
from grader.spec.problem import AskItem, Tolerance


@dataclass(frozen=True)
class KeyField:
    """What the key says about one asked quantity, prepared once per problem."""

    ask: AskItem
    expected: float
    expected_text: str
    description: str
    formula: str
    formula_latex: str
    worked: str
    worked_latex: str
    on_change: bool
    key_change: float | None
    expr: Expr  # what is compared: the formula, or for an updated parameter the change p_new - p
    accepted: str = ""  # what is accepted, in words: "w5_new: the change w5_new − w5 is judged within 1 %: ..."
    accepted_hidden: str = ""  # the same without the key-derived digit count (exam mode)


@dataclass
class Plan:
    """Everything about a problem that grading needs, computed once and shared by all its submissions."""

    key: AnswerKey
    compiled: Compiled
    fields: dict[str, KeyField]
    known: frozenset[str]  # every name a submission may use
    sketch: NetworkSketch
    rules: dict[str, list] = field(default_factory=dict)  # quantity -> its MalRules, built when first needed
    rule_values: dict[str, list[float]] = field(default_factory=dict)  # quantity -> its MalRules on the key

    @property
    def problem(self):
        return self.key.problem

    @functools.cached_property
    def changes(self) -> dict[str, float]:
        """p_new -> the key's change p_new - p."""
        return _changes(self.key)

    @functools.cached_property
    def tolerances(self) -> dict[str, Tolerance]:
        """Unasked quantities that are an asked one under another name (``grad_b2`` = ``delta_o1`` when b2 feeds
        only o1) -> that quantity's tolerance."""
        out = {}
        for d, ways in self.compiled.identities.items():
            for g, expr in ways:
                if isinstance(expr, Sym):
                    if d in self.fields and g not in self.fields:
                        out[g] = self.fields[d].ask.tolerance
                    elif g in self.fields and d not in self.fields:
                        out[d] = self.fields[g].ask.tolerance
        return out

    def tolerance(self, quantity: str) -> Tolerance:
        """The rule a value of ``quantity`` is judged by, wherever it is written (an answer or a ``using``): the
        quantity's own when asked; an asked quantity's that it equals by the network's identities (``grad_b2`` is
        ``delta_o1`` when b2 feeds only o1); else the problem's default."""
        f = self.fields.get(quantity)
        if f is not None:
            return f.ask.tolerance
        return self.tolerances.get(quantity, self.problem.default_tolerance)

    def on_change(self, quantity: str) -> bool:
        """Is ``quantity`` an updated parameter judged on its change ``p_new - p``?"""
        return quantity in self.changes and self.tolerance(quantity).on_change

    def judge(self, quantity: str, value: float, exact: Fraction | None = None) -> bool:
        """Is the student's ``value`` of ``quantity`` (given or computed) accepted against the key?"""
        key = self.key
        if self.on_change(quantity):
            base = key.node(quantity).base
            return within(_change(value, exact, key.values[base] if key.is_exact(base) else key.floats[base]),
                          self.changes[quantity], self.tolerance(quantity))
        return within(value, key.floats[quantity], self.tolerance(quantity))

    def same(self, quantity: str, value: float, reference: float) -> bool:
        """Are two written values of ``quantity`` one value under its tolerance (an updated parameter: on change)?"""
        tol = self.tolerance(quantity)
        if self.on_change(quantity):
            base = self.key.floats[self.key.node(quantity).base]
            return within(value - base, reference - base, tol)
        return within(value, reference, tol)

    def change_expr(self, quantity: str) -> Expr:
        from grader.solve.malrules import change_expr

        return change_expr(self.key.node(quantity))

    @functools.cached_property
    def resolver(self):
        """The problem's name resolver (``grader.spec.notation``), built once per plan."""
        from grader.spec.notation import Resolver

        return Resolver.for_problem(self.problem)

    @functools.cached_property
    def key_view(self) -> View:
        """The key's values (every value known: no formula is evaluated to look one up)."""
        return View(self.compiled, self.key.floats)

    def malrule_key_values(self, quantity: str) -> list[float]:
        """Each known mistake of ``quantity`` evaluated on the key's values: the same for every submission."""
        if quantity not in self.rule_values:
            self.rule_values[quantity] = [self.key_view.formula(r.expr) for r in self.malrules(quantity)]
        return self.rule_values[quantity]

    def malrules(self, quantity: str) -> list:
        """The known mistakes for ``quantity`` (``grader.solve.malrules``): only a wrong field needs them."""
        if quantity not in self.rules:
            from grader.solve.malrules import rules_for

            node = self.key.node(quantity)
            self.rules[quantity] = rules_for(self.problem, self.key.graph, node)
        return self.rules[quantity]


def make_plan(key: AnswerKey) -> Plan:
    from grader.solve.malrules import change_expr

    changes = _changes(key)
    fields = {}
    for ask in key.problem.ask:
        q, tol = ask.quantity, ask.tolerance
        node = key.node(q)
        on_change = node.kind == "new" and tol.on_change
        fields[q] = KeyField(
            ask=ask,
            expected=key.floats[q],
            expected_text=key.decimal(q, 25),
            description=f"{q}: {node.description}",
            formula=f"{q} = {to_text(node.expr)}",
            formula_latex=f"{latex_name(q)} = {to_latex(node.expr)}",
            worked=worked_text(key, q, 6),
            worked_latex=worked_latex(key, q, 6),
            on_change=on_change,
            key_change=changes[q] if on_change else None,
            expr=change_expr(node) if on_change else node.expr,
            accepted=accepted_for(key, ask),
            accepted_hidden=accepted_for(key, ask, show_digits=False),
        )
    aliases = frozenset(a for a, to in names.ALIASES.items() if to in key.graph.given)  # no `momentum` without mu
    known = frozenset(key.graph.nodes) | frozenset(key.graph.given) | aliases | frozenset(frozen_updates(key.problem))
    plan = Plan(key=key, compiled=Compiled(key), fields=fields, known=known, sketch=sketch(key.problem.network))
    plan.__dict__["changes"] = changes
    return plan


def _changes(key: AnswerKey) -> dict[str, float]:
    return {n: float(key.change(n)) for n, node in key.graph.nodes.items() if node.kind == "new"}


def sketch(net) -> NetworkSketch:
    return NetworkSketch(
        layers=(net.inputs,) + tuple(layer.neurons for layer in net.layers),
        weights=tuple((w, s, d) for w, (s, d) in net.weights.items()),
        biases=tuple(net.biases.items()),
        nets=tuple((n, neu.net) for n, neu in net.neurons.items()),
        activations=tuple(layer.activation.kind for layer in net.layers),
    )


def frozen_updates(problem) -> dict[str, str]:
    """``b_new`` (and later steps' names) of every frozen bias -> the bias: answers a student may give by mistake."""
    if problem.training.update_biases:
        return {}
    return {
        names.new_name(b, step): b for b in problem.network.biases for step in range(1, problem.training.steps + 1)
    }


def _frozen_but_updated(problem, answers: dict[str, float], given: dict[str, float]) -> list[Flag]:
    """Any change to a frozen bias is flagged, however small: updating it at all is the mistake."""
    out = []
    for name, b in frozen_updates(problem).items():
        if name in answers and not within(answers[name], given[b], EXACT):
            out.append(Flag(
                "wrong_given", b, (answers[name],),
                f"Biases are not updated in this problem: {b} stays {fmt(given[b], 10)}, but you gave {name} = "
                f"{fmt(answers[name], 10)}.",
                (f"your {name}",),
            ))
    return out


@dataclass(frozen=True)
class Context:
    """What grading one submission's fields needs, built once per submission (``grade``) and shared by its fields."""

    plan: Plan
    answers: dict[str, float]  # the student's answers as numbers, by canonical name
    exact: dict[str, Fraction]  # the exact value of each answer that was read exactly
    usings: dict[str, dict[str, float]]  # field -> the values its ``using`` states
    untrusted: frozenset[tuple[str, str]]  # (field, quantity) pairs whose ``using`` value is flagged
    base_view: View  # the student's own values with no ``using`` overlay
    reveal: bool  # False in exam mode: no message quotes a number derived from the key
    views: dict = field(default_factory=dict, compare=False)  # (quantity, trusted only) -> its view, built on use

    def trusted(self, q: str) -> dict[str, float]:
        return {u: v for u, v in self.usings.get(q, {}).items() if (q, u) not in self.untrusted}

    def view(self, q: str, *, trusted: bool = True) -> View:
        """The student's values as ``q``'s own work sees them: their answers under ``q``'s ``using`` (the trusted
        values only, or all of them). A gradient the student wrote never stands in for a delta in its own formula."""
        hit = self.views.get((q, trusted))
        if hit is None:
            overlay = self.trusted(q) if trusted else self.usings.get(q, {})
            if not trusted and len(overlay) == len(self.trusted(q)):
                hit = self.view(q)
            elif overlay or q in self.plan.compiled.identity_grads:
                hit = View(self.plan.compiled, self.answers, overlay, exclude=q)
            else:
                hit = self.base_view
            self.views[(q, trusted)] = hit
        return hit

    def accepted(self, view: View, d: str) -> bool:
        """Does the student's value of ``d`` in ``view`` stand for the key's downstream? It does when it is within
        ``d``'s tolerance of the key, or when it follows (within tolerance) from values that are themselves
        accepted: right work on accepted values is right, however far it drifts from the key's digits."""
        memo = view.accepted
        if d in memo:
            return memo[d]
        memo[d] = False  # while deciding (the graph is acyclic; this only guards the identities)
        plan = self.plan
        v = view.get(d)
        answered = d in self.answers and d not in view.overlay
        ok = plan.judge(d, v, self.exact.get(d) if answered else None)
        node = plan.key.graph.nodes.get(d)
        if not ok and node is not None and view.written(d):
            own = self.view(d) if answered else (view.child(d) if d in plan.compiled.identity_grads else view)
            if plan.on_change(d):
                base = node.base
                mine = _change(v, self.exact.get(d) if answered and base not in own.overlay else None, own.get(base))
                follows = own.formula(plan.change_expr(d))
            else:
                mine, follows = v, own.formula(node.expr)
            if within(mine, follows, plan.tolerance(d)):
                ok = all(self.accepted(own, x) for x in own.sources(node.expr) if x != d)
        memo[d] = ok
        return ok


def _number(value) -> tuple[float | None, Fraction | None]:
    """(value, exact value) of an answer that was read as a number; (None, None) otherwise."""
    parsed = value.parsed if value is not None else None
    if not isinstance(parsed, Parsed):
        return None, None
    return parsed.value, parsed.exact


def grade(plan: Plan, submission, *, reveal: bool = True) -> GradeResult:
    """Grade ``submission`` (a ``grader.submission.load.Submission`` whose names are known to ``plan``)."""
    key, problem = plan.key, plan.problem
    answers: dict[str, float] = {}
    exact: dict[str, Fraction] = {}
    for q, ans in submission.answers.items():
        v, x = _number(ans.value)
        q = names.ALIASES.get(q, q)
        if v is not None:
            answers[q] = v
            if x is not None:
                exact[q] = x

    # A given value restated as an answer (``eta: 0.1``) earns nothing and is never the student's own value for
    # carried credit: it is compared with the given (a different value is a wrong_given flag; the same, a note).
    restated = {q: answers.pop(q) for q in list(answers) if q in key.graph.given}
    exact = {q: x for q, x in exact.items() if q in answers}
    written = [Written(q, v, f"your {q}", None) for q, v in answers.items() if q in key.graph.nodes]
    written += [Written(q, v, f"your answer {q}", None) for q, v in restated.items()]
    usings: dict[str, dict[str, float]] = {}
    for q, ans in submission.answers.items():
        for u, val in ans.using.items():
            v, _ = _number(val)
            if v is None:
                continue
            u = names.ALIASES.get(u, u)
            usings.setdefault(q, {})[u] = v
            written.append(Written(u, v, f"used in {q}", q))
    for q, val, where in getattr(submission, "stated", ()):  # a write-up's other values: a given restated, a quantity written again
        v, _ = _number(val)
        if v is not None:
            written.append(Written(names.ALIASES.get(q, q), v, where, None))
    new_values = {
        p: (answers.get(names.new_name(p, 1)), key.floats[names.new_name(p, 1)])
        for p in names.updated_params(problem)
    }
    given = {g: key.floats[g] for g in key.graph.given}
    flags, untrusted = find_flags(written, given, new_values, plan.same)
    notes = tuple(
        f"{q} is given ({fmt(given[q], 10)}); restating it earns no points." for q in restated
        if not any(f.kind == "wrong_given" and f.quantity == q for f in flags)
    )
    flags += _frozen_but_updated(problem, answers, given)

    ctx = Context(plan, answers, exact, usings, frozenset(untrusted), View(plan.compiled, answers), reveal)
    results = [_read_as(_grade_field(ctx, kf, submission.answers.get(q)), submission.answers.get(q))
               for q, kf in plan.fields.items()]
    score = sum(r.points for r in results)
    return GradeResult(
        problem=problem.id,
        problem_title=problem.title,
        student=submission.student,
        fields=tuple(results),
        flags=tuple(flags),
        score=round(score, 6),
        max_score=round(sum(kf.ask.points for kf in plan.fields.values()), 6),
        tolerance_rule=problem.default_tolerance.describe(),
        source=submission.source,
        reveal=reveal,
        warnings=notes,
        network=plan.sketch,
    )


def _read_as(result: FieldResult, ans) -> FieldResult:
    """Say how an answer was read whenever it is not written as a plain decimal (``1/(1+exp(-0.3))``, ``\\frac``,
    ``$0.57$``): the student sees the number that was graded."""
    parsed = ans.value.parsed if ans is not None else None
    if not isinstance(parsed, Parsed) or is_plain_decimal(parsed.text):
        return result
    return dataclasses.replace(result, read_as=fmt(parsed.value, 6))


def _grade_field(ctx: Context, kf: KeyField, ans) -> FieldResult:
    """One field's verdict. With ``ctx.reveal`` False (exam mode) no message quotes a number derived from the key."""
    q, tol, plan, reveal = kf.ask.quantity, kf.ask.tolerance, ctx.plan, ctx.reveal
    common = dict(
        quantity=q,
        expected=kf.expected,
        expected_text=kf.expected_text,
        max_points=kf.ask.points,
        description=kf.description,
        formula=kf.formula,
        formula_latex=kf.formula_latex,
        worked=kf.worked,
        worked_latex=kf.worked_latex,
        tolerance=tol.describe(),
        compared_on_change=kf.on_change,
        accepted=kf.accepted if reveal else kf.accepted_hidden,
    )
    if ans is None:
        return FieldResult(verdict="missing", given=None, given_text=None, points=0.0, message="No answer given.", **common)
    parsed = ans.value.parsed
    if not isinstance(parsed, Parsed):
        reason = getattr(parsed, "reason", "no value given")
        return FieldResult(verdict="unparseable", given=None, given_text=ans.value.text, points=0.0, message=f"Could not read this answer: {reason}", **common)
    s = parsed.value
    node = plan.key.node(q)

    # Compare with the key (on the change for an updated parameter; exactly where both are exact).
    if plan.judge(q, s, ctx.exact.get(q)):
        return FieldResult(verdict="correct", given=s, given_text=ans.value.text, points=kf.ask.points, message="Correct.", **common)

    view_t, view_u = ctx.view(q), ctx.view(q, trusted=False)
    expr = kf.expr

    def student_cmp(view: View) -> float:
        return _change(s, ctx.exact.get(q) if node.base not in view.overlay else None, view.get(node.base)) if kf.on_change else s

    carried = view_t.formula(expr)
    follows = tuple((d, v) for d, v in view_t.sources(node.expr).items() if not ctx.accepted(view_t, d))
    yours = ", ".join(f"{d} = {fmt(v)}" for d, v in follows)
    gives = f"a change {q} − {node.base} = {fmt(carried)}" if kf.on_change else fmt(carried)
    if within(student_cmp(view_t), carried, tol):
        if not follows:
            # Every value this rests on is accepted (within tolerance of the key, or following from accepted
            # values), and this quantity amplifies their small differences (e.g. t - o when o is close to t):
            # right work on accepted values is right.
            return FieldResult(
                verdict="correct", given=s, given_text=ans.value.text, points=kf.ask.points,
                message="Correct for your own values (which are accepted).", **common,
            )
        points = round(kf.ask.points * plan.problem.carried_credit, 6)
        return FieldResult(
            verdict="carried", given=s, given_text=ans.value.text, points=points,
            message=f"Follows correctly from your {yours} (error carried forward).",
            carried_value=view_t.formula(node.expr), follows_from=follows, **common,
        )

    diag = diagnose.diagnose(ctx, kf, s, student_cmp, view_t, view_u)
    if follows and not reveal:
        msg = f"Incorrect, and it does not follow from your own values ({yours}) either."
    elif follows:
        verb = "gives" if len(follows) == 1 else "give"
        msg = f"Incorrect, and it does not follow from your own values either: your {yours} {verb} {gives}."
    else:
        msg = "Incorrect."
    return FieldResult(
        verdict="incorrect", given=s, given_text=ans.value.text, points=0.0, message=msg, diagnosis=diag,
        carried_value=view_t.formula(node.expr) if follows else None, follows_from=follows, **common,
    )


def _change(s: float, s_exact: Fraction | None, base) -> float:
    """``s - base``, exactly when both are exact (so 30.00000000043 - 30 keeps every digit)."""
    if s_exact is not None and isinstance(base, Fraction):
        return float(s_exact - base)
    return s - float(base)
