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
from grader.solve.expr import Expr, latex_name, to_latex, to_text
from grader.solve.solver import AnswerKey
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

    def tolerance(self, quantity: str) -> Tolerance:
        f = self.fields.get(quantity)
        return f.ask.tolerance if f else self.problem.default_tolerance

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

    fields = {}
    for ask in key.problem.ask:
        node = key.node(ask.quantity)
        on_change = node.kind == "new"
        value_text = key.decimal(ask.quantity, 6)
        fields[ask.quantity] = KeyField(
            ask=ask,
            expected=key.floats[ask.quantity],
            expected_text=key.decimal(ask.quantity, 25),
            description=f"{ask.quantity}: {node.description}",
            formula=f"{ask.quantity} = {to_text(node.expr)}",
            formula_latex=f"{latex_name(ask.quantity)} = {to_latex(node.expr)}",
            worked=f"{ask.quantity} = {to_text(node.expr)} = {to_text(node.expr, key.values)} = {value_text}",
            worked_latex=f"{latex_name(ask.quantity)} = {to_latex(node.expr)} = {to_latex(node.expr, key.values)} = {value_text}",
            on_change=on_change,
            key_change=float(key.change(ask.quantity)) if on_change else None,
            expr=change_expr(node) if on_change else node.expr,
        )
    aliases = frozenset(a for a, to in names.ALIASES.items() if to in key.graph.given)  # no `momentum` without mu
    known = frozenset(key.graph.nodes) | frozenset(key.graph.given) | aliases | frozenset(frozen_updates(key.problem))
    return Plan(key=key, compiled=Compiled(key), fields=fields, known=known, sketch=sketch(key.problem.network))


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
    flags, untrusted = find_flags(written, given, new_values, plan.tolerance)
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
    q, tol = kf.ask.quantity, kf.ask.tolerance
    plan, answers, exact, untrusted, reveal = ctx.plan, ctx.answers, ctx.exact, ctx.untrusted, ctx.reveal
    using, base_view = ctx.usings.get(q, {}), ctx.base_view
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
    )
    if ans is None:
        return FieldResult(verdict="missing", given=None, given_text=None, points=0.0, message="No answer given.", **common)
    parsed = ans.value.parsed
    if not isinstance(parsed, Parsed):
        reason = getattr(parsed, "reason", "no value given")
        return FieldResult(verdict="unparseable", given=None, given_text=ans.value.text, points=0.0, message=f"Could not read this answer: {reason}", **common)
    s = parsed.value
    key = plan.key
    node = key.node(q)

    # Compare with the key (on the change for an updated parameter; exactly where both are exact).
    if kf.on_change:
        base = node.base
        s_cmp = _change(s, exact.get(q), key.values[base] if key.is_exact(base) else key.floats[base])
        if within(s_cmp, kf.key_change, tol):
            return FieldResult(verdict="correct", given=s, given_text=ans.value.text, points=kf.ask.points, message="Correct.", **common)
    elif within(s, kf.expected, tol):
        return FieldResult(verdict="correct", given=s, given_text=ans.value.text, points=kf.ask.points, message="Correct.", **common)

    trusted = {u: v for u, v in using.items() if (q, u) not in untrusted}
    view_t = View(plan.compiled, answers, trusted) if trusted else base_view
    view_u = View(plan.compiled, answers, using) if len(trusted) != len(using) else view_t
    expr = kf.expr

    def student_cmp(view: View) -> float:
        return _change(s, exact.get(q) if node.base not in view.overlay else None, view.get(node.base)) if kf.on_change else s

    carried = view_t.formula(expr)
    follows = tuple(
        (d, v) for d, v in view_t.sources(node.expr).items() if not within(v, key.floats[d], plan.tolerance(d))
    )
    yours = ", ".join(f"{d} = {fmt(v)}" for d, v in follows)
    gives = f"a change {q} − {node.base} = {fmt(carried)}" if kf.on_change else fmt(carried)
    if within(student_cmp(view_t), carried, tol):
        if not follows:
            # The student's inputs are within tolerance but not exact, and this quantity amplifies the difference
            # (e.g. t - o when o is close to t): right work on accepted values is right.
            return FieldResult(
                verdict="correct", given=s, given_text=ans.value.text, points=kf.ask.points,
                message="Correct for your own values (which are within tolerance of the key).", **common,
            )
        points = round(kf.ask.points * plan.problem.carried_credit, 6)
        return FieldResult(
            verdict="carried", given=s, given_text=ans.value.text, points=points,
            message=f"Follows correctly from your {yours} (error carried forward).",
            carried_value=view_t.formula(node.expr), follows_from=follows, **common,
        )

    diag = _diagnose(ctx, kf, s, student_cmp, view_t, view_u)
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


def _diagnose(ctx: Context, kf: KeyField, s: float, student_cmp, view_t: View, view_u: View) -> Diagnosis | None:
    plan, key, q, tol, expr, reveal = ctx.plan, ctx.plan.key, kf.ask.quantity, kf.ask.tolerance, kf.expr, ctx.reveal
    # 1. follows only from values the student contradicted elsewhere
    if view_u is not view_t:
        via_untrusted = view_u.formula(expr)
        if within(student_cmp(view_u), via_untrusted, tol):
            bad = ", ".join(f"{u} = {fmt(v)}" for u, v in view_u.overlay.items() if u not in view_t.overlay)
            return Diagnosis(
                "uses_flagged_value",
                f"This follows from {bad}, which contradicts your own work or the given values (see the flags); credit for a carried error needs consistent values.",
            )
    # 2. a known wrong formula, on the student's values, then on the key's (those are the same for every student)
    own = student_cmp(view_u)
    on_key = student_cmp(plan.key_view)
    for rule, on_key_values in zip(plan.malrules(q), plan.malrule_key_values(q)):
        if within(own, view_u.formula(rule.expr), tol) or within(on_key, on_key_values, tol):
            return Diagnosis(rule.id, rule.text)
    # 3. value-level slips against what the values the student used give (the key's, where they used no others)
    whose = "the values you used" if view_u.sources(expr) else "the given values"
    d = diagnose.by_value(own, view_u.formula(expr), tol, whose, show=reveal)
    if d:
        return d
    deps = plan.compiled.fn(expr)[1]
    env = view_u.env(deps)
    f = plan.compiled.fn(expr)[0]
    d = diagnose.rounding_upstream(own, lambda digits: f(diagnose.round_env(env, digits).__getitem__), tol)
    if d:
        return d
    # 4. inputs right: arithmetic
    if all(within(env[n], key.floats[n], plan.tolerance(n)) for n in deps):
        return Diagnosis("arithmetic", "The values this is computed from are right, so the slip is in the arithmetic: recompute it step by step.")
    return None

