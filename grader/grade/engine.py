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

import functools
from fractions import Fraction

from grader.grade.flags import EXACT, Written, find_flags
from grader.grade.judging import Judging, new_field
from grader.grade.plandata import Ask, KeyField, ProblemInfo, Step
from grader.grade.result import FieldResult, Flag, GradeResult, NetworkSketch
from grader.spec.tolerance import Tolerance, within
from grader.grade.ownwork import change as _change, own_work, slip_message, slipped
from grader.grade.views import Compiled, View
from grader.numfmt import fmt
from grader.parse.answer import Parsed, is_plain_decimal
from grader.record import Record
from grader.spec import names

TYPE_CHECKING = False  # typing costs milliseconds at start-up: only a type checker imports it
if TYPE_CHECKING:
    from typing import Callable

__all__ = ["Ask", "KeyField", "Plan", "ProblemInfo", "Step", "Context", "grade", "make_plan"]


class Plan:
    """Everything about a problem that grading needs, computed once and shared by all its submissions.

    Plain data only (``grader.grade.plandata``): the key's values as floats, formulas as trees of builtins, the
    asked fields' sentences written out, so that a plan read back from the disk cache grades without the solver.
    ``key`` (the solver's ``AnswerKey``) and ``problem`` are there for what needs the solver's own objects (practice
    pages, written solutions, randomized variants): given to a plan made by ``make_plan``, loaded by ``key_loader``
    on first use for a cached one.
    """

    def __init__(self, *, info: ProblemInfo, floats: dict[str, float], nodes: dict[str, Step],
                 exact: dict[str, Fraction], changes: dict[str, float], fields: dict[str, KeyField],
                 known: frozenset[str], sketch: NetworkSketch, ways: dict, ranks: dict[str, int],
                 rules: dict[str, list] | None = None, resolver=None, key=None,
                 key_loader: Callable[[], object] | None = None, unchecked_rules: dict | None = None,
                 on_malformed: Callable[[], None] | None = None) -> None:
        self.info, self.floats, self.nodes, self.exact, self.changes = info, floats, nodes, exact, changes
        self.fields, self.known, self.sketch = fields, known, sketch
        for kf in fields.values():
            kf.plan = self
        self.compiled = Compiled(nodes, floats, ways, ranks, self)
        self._rule_trees: dict[str, list] = dict(rules or {})  # quantity -> [(id, text, tree)] of its MalRules
        self._unchecked_rules = unchecked_rules or {}  # the same from the cache, checked when first needed
        self._on_malformed = on_malformed  # told when cached data turns out malformed
        self.rules: dict[str, list] = {}  # quantity -> its MalRules (the solver's), built when first needed
        self.rule_values: dict[str, list[float]] = {}  # quantity -> its MalRules on the key
        self._resolver = resolver
        self._key, self._key_loader = key, key_loader

    @property
    def key(self):
        """The solver's ``AnswerKey`` (loaded on first use for a cached plan)."""
        if self._key is None:
            self._key = self._key_loader()
        return self._key

    @property
    def problem(self):
        """The full ``grader.spec.problem.Problem`` (through ``key``); grading itself reads ``info``."""
        return self.key.problem

    @functools.cached_property
    def tolerances(self) -> dict[str, Tolerance]:
        """Unasked quantities that are an asked one under another name (``grad_b2`` = ``delta_o1`` when b2 feeds
        only o1) -> that quantity's tolerance."""
        out = {}
        for d, ways in self.compiled.ways.items():
            for g, expr in ways:
                if isinstance(expr, str):
                    if d in self.fields and g not in self.fields:
                        out[g] = self.fields[d].ask.tolerance
                    elif g in self.fields and d not in self.fields:
                        out[d] = self.fields[g].ask.tolerance
        return out

    @functools.cached_property
    def judging(self) -> Judging:
        """What grading needs of this plan that no student changes (``grader.grade.judging``), built on first use."""
        return Judging(self)

    def tolerance(self, quantity: str) -> Tolerance:
        """The rule a value of ``quantity`` is judged by, wherever it is written (an answer or a ``using``): the
        quantity's own when asked; an asked quantity's that it equals by the network's identities (``grad_b2`` is
        ``delta_o1`` when b2 feeds only o1); else the problem's default."""
        return self.judging.tolerance(quantity)

    def _tolerance(self, quantity: str) -> Tolerance:
        f = self.fields.get(quantity)
        if f is not None:
            return f.ask.tolerance
        return self.tolerances.get(quantity, self.info.default_tolerance)

    def on_change(self, quantity: str) -> bool:
        """Is ``quantity`` an updated parameter judged on its change ``p_new - p``?"""
        return self.judging.on_change(quantity)

    def judge(self, quantity: str, value: float, exact: Fraction | None = None) -> bool:
        """Is the student's ``value`` of ``quantity`` (given or computed) accepted against the key? An updated
        parameter is judged on its change, taken exactly where the value and the base are exact (``Judging``)."""
        return self.judging.judge(quantity)(value, exact)

    def same(self, quantity: str, value: float, reference: float) -> bool:
        """Are two written values of ``quantity`` one value under its tolerance (an updated parameter: on change)?"""
        return self.judging.same(quantity)(value, reference)

    def change_expr(self, quantity: str):
        """The tree of ``p_new - p`` for an updated parameter: its formula without the leading ``p`` term."""
        hit = self._changes_trees.get(quantity)
        if hit is None:
            e = self.nodes[quantity].expr
            assert e[0] == "+" and e[1] == self.nodes[quantity].base
            hit = self._changes_trees[quantity] = e[2] if len(e) == 3 else ("+",) + e[2:]
        return hit

    @functools.cached_property
    def _changes_trees(self) -> dict:
        return {}

    @property
    def resolver(self):
        """The problem's name resolver (``grader.spec.notation``), built once per plan."""
        if self._resolver is None:
            from grader.spec.notation import Resolver

            self._resolver = Resolver.for_problem(self.problem)
        return self._resolver

    @functools.cached_property
    def key_view(self) -> View:
        """The key's values (every value known: no formula is evaluated to look one up)."""
        return View(self.compiled, self.floats)

    def malrule_key_values(self, quantity: str) -> list[float]:
        """Each known mistake of ``quantity`` evaluated on the key's values: the same for every submission."""
        if quantity not in self.rule_values:
            trees = self.rule_trees(quantity)  # a cached plan's come with their values on the key
            if quantity not in self.rule_values:
                self.rule_values[quantity] = [self.key_view.formula(t) for _, _, t in trees]
        return self.rule_values[quantity]

    def rule_trees(self, quantity: str) -> list[tuple[str, str, object]]:
        """The known mistakes for ``quantity`` as (id, text, tree): only a wrong field needs them."""
        if quantity not in self._rule_trees:
            if quantity in self._unchecked_rules:
                from grader.grade.plandata import checked_rules

                try:
                    rules, values = checked_rules(self._unchecked_rules.pop(quantity), self.floats)
                    self._rule_trees[quantity], self.rule_values[quantity] = rules, values
                    return rules
                except ValueError:  # a malformed cache entry: computed from the key instead, and the entry dropped
                    if self._on_malformed is not None:
                        self._on_malformed()
            from grader.grade.planbuild import to_tree

            self._rule_trees[quantity] = [(r.id, r.text, to_tree(r.expr)) for r in self.malrules(quantity)]
        return self._rule_trees[quantity]

    def malrules(self, quantity: str) -> list:
        """The known mistakes for ``quantity`` (``grader.solve.malrules.MalRule``, the solver's trees)."""
        if quantity not in self.rules:
            from grader.solve.malrules import rules_for

            key = self.key
            self.rules[quantity] = rules_for(key.problem, key.graph, key.node(quantity))
        return self.rules[quantity]

    def key_expr(self, quantity: str):
        """The solver's tree of what is compared for an asked ``quantity`` (``KeyField.expr``)."""
        from grader.solve.malrules import change_expr

        node = self.key.node(quantity)
        return change_expr(node) if self.fields[quantity].on_change else node.expr


def make_plan(key) -> Plan:
    """The plan of a solved key (``grader.solve.solver.AnswerKey``)."""
    from grader.grade.planbuild import key_data

    return Plan(**key_data(key))


def _frozen_but_updated(info: ProblemInfo, answers: dict[str, float], given: dict[str, float]) -> list[Flag]:
    """Any change to a frozen bias is flagged, however small: updating it at all is the mistake."""
    out = []
    for name, b in info.frozen_updates.items():
        if name in answers and not within(answers[name], given[b], EXACT):
            out.append(Flag(
                "wrong_given", b, (answers[name],),
                f"Biases are not updated in this problem: {b} stays {fmt(given[b], 10)}, but you gave {name} = "
                f"{fmt(answers[name], 10)}.",
                (f"your {name}",),
            ))
    return out


def _updated_perhaps(flag: Flag, plan: Plan) -> Flag:
    """A given parameter answered or stated with another value (``w46: -0.261``, ``$w_{46} = -0.261$``, as Han &
    Kamber's table of new weights writes it): where its update is asked, say how to name the update. Told by the
    problem's names and where the value was written alone, never by the value (which might be any mistake)."""
    new = names.new_name(flag.quantity)
    if new not in plan.fields or not all(w.startswith(("your answer", "stated on")) and "used in" not in w
                                         for w in flag.where):
        return flag  # (a value used in a formula, as the seed's invented w5 is in w5_new, was not meant as the update)
    return Flag(flag.kind, flag.quantity, flag.values, flag.message + f" If you meant {flag.quantity} after the "
                f"update, name it as the update: {new} ({flag.quantity} itself is given).", flag.where)


class Context(Record):
    """What grading one submission's fields needs, built once per submission (``grade``) and shared by its fields."""

    plan: Plan
    answers: dict[str, float]  # the student's answers as numbers, by canonical name
    exact: dict[str, Fraction]  # the exact value of each answer that was read exactly
    usings: dict[str, dict[str, float]]  # field -> the values its ``using`` states
    untrusted: frozenset[tuple[str, str]]  # (field, quantity) pairs whose ``using`` value is flagged
    base_view: View  # the student's own values with no ``using`` overlay
    reveal: bool  # False in exam mode: no message quotes a number derived from the key
    views: dict  # (quantity, trusted only) -> its view, built on use
    _options = {"views": {"default_factory": dict, "compare": False}}

    def __init__(
        self, plan: Plan, answers: dict[str, float], exact: dict[str, Fraction], usings: dict[str, dict[str, float]],
        untrusted: frozenset[tuple[str, str]], base_view: View, reveal: bool, views: dict | None = None,
    ) -> None:
        self.__dict__.update(
            plan=plan, answers=answers, exact=exact, usings=usings, untrusted=untrusted, base_view=base_view,
            reveal=reveal, views={} if views is None else views,
        )

    def trusted(self, q: str) -> dict[str, float]:
        stated = self.usings.get(q)
        if not stated:
            return {}
        untrusted = self.untrusted
        if not untrusted:  # the usual case: nothing flagged, every value trusted (a copy: the caller keeps it)
            return dict(stated)
        return {u: v for u, v in stated.items() if (q, u) not in untrusted}

    def view(self, q: str, *, trusted: bool = True) -> View:
        """The student's values as ``q``'s own work sees them: their answers under ``q``'s ``using`` (the trusted
        values only, or all of them). A gradient the student wrote never stands in for a delta in its own formula."""
        views = self.views
        hit = views.get((q, trusted))
        if hit is None:
            if trusted:
                overlay = self.trusted(q)
            else:
                overlay = self.usings.get(q, {})
                # every value trusted: the trusted view itself (its overlay is ``trusted(q)``, so the ``using``
                # values are not filtered a second time to tell)
                hit = self.view(q)
                if len(overlay) == len(hit.overlay):
                    views[(q, False)] = hit
                    return hit
            if overlay or q in self.plan.compiled.identity_grads:
                hit = View(self.plan.compiled, self.answers, overlay, exclude=q)
            else:
                hit = self.base_view
            views[(q, trusted)] = hit
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
        jg = plan.judging
        v = view.get(d)
        answered = d in self.answers and d not in view.overlay
        ok = jg.judge(d)(v, self.exact.get(d) if answered else None)
        node = plan.nodes.get(d)
        if not ok and node is not None and view.written(d):
            mine, follows, own = own_work(self, view, d)
            if jg.within_fn(jg.tolerance(d))(mine, follows):
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
    info, jg, aliases = plan.info, plan.judging, names.ALIASES
    answers: dict[str, float] = {}
    exact: dict[str, Fraction] = {}
    for q, ans in submission.answers.items():
        value = ans.value
        parsed = value.parsed if value is not None else None
        if isinstance(parsed, Parsed):
            q = aliases.get(q, q)
            answers[q] = parsed.value
            if parsed.exact is not None:
                exact[q] = parsed.exact

    # A given value restated as an answer (``eta: 0.1``) earns nothing and is never the student's own value for
    # carried credit: it is compared with the given (a different value is a wrong_given flag; the same, a note).
    given_names = jg.given_names
    restated = {q: answers.pop(q) for q in list(answers) if q in given_names}
    if restated:
        exact = {q: x for q, x in exact.items() if q in answers}
    nodes = plan.nodes
    your = jg.your  # "your z1" for every quantity, written once per plan
    written = [Written(q, v, your[q], None) for q, v in answers.items() if q in nodes]
    written += [Written(q, v, f"your answer {q}", None) for q, v in restated.items()]
    usings: dict[str, dict[str, float]] = {}
    for q, ans in submission.answers.items():
        if not ans.using:
            continue
        where, stated = f"used in {q}", None  # one label for all the values of this ``using``
        for u, val in ans.using.items():
            parsed = val.parsed if val is not None else None  # ``_number``, written out
            if not isinstance(parsed, Parsed):
                continue
            v = parsed.value
            u = aliases.get(u, u)
            if stated is None:
                stated = usings[q] = {}
            stated[u] = v
            written.append(Written(u, v, where, q))
    for q, val, where in getattr(submission, "stated", ()):  # a write-up's other values: a given restated, a quantity written again
        v, _ = _number(val)
        if v is not None:
            written.append(Written(aliases.get(q, q), v, where, None))
    new_values = {p: (answers.get(new), key_new) for p, new, key_new in jg.new_values}
    given = jg.given
    flags, untrusted = find_flags(written, given, new_values, plan.same, jg.same)
    notes = tuple(
        f"{q} is given ({fmt(given[q], 10)}); restating it earns no points." for q in restated
        if not any(f.kind == "wrong_given" and f.quantity == q for f in flags)
    )
    if flags:
        flags = [_updated_perhaps(f, plan) if f.kind == "wrong_given" else f for f in flags]
    if info.frozen_updates:
        flags += _frozen_but_updated(info, answers, given)

    ctx = Context(plan, answers, exact, usings, frozenset(untrusted), View(plan.compiled, answers), reveal)
    sub_answers = submission.answers
    results = tuple([_grade_field(ctx, kf, sub_answers.get(q)) for q, kf in plan.fields.items()])
    score = 0
    for r in results:
        score += r.points
    return GradeResult(
        problem=info.id,
        problem_title=info.title,
        student=submission.student,
        fields=results,
        flags=tuple(flags),
        score=round(score, 6),
        max_score=jg.max_score,
        tolerance_rule=jg.tolerance_rule,
        source=submission.source,
        reveal=reveal,
        warnings=notes,
        network=plan.sketch,
    )


def _read_as(parsed: Parsed) -> str | None:
    """Say how an answer was read whenever it is not written as a plain decimal (``1/(1+exp(-0.3))``, ``\\frac``,
    ``$0.57$``): the student sees the number that was graded."""
    return None if is_plain_decimal(parsed.text) else fmt(parsed.value, 6)


def _grade_field(ctx: Context, kf: KeyField, ans) -> FieldResult:
    """One field's verdict. With ``ctx.reveal`` False (exam mode) no message quotes a number derived from the key."""
    template = ctx.plan.judging.templates[(kf.ask.quantity, bool(ctx.reveal))]  # what does not depend on the student
    if ans is None:
        return new_field(template, verdict="missing", points=0.0, message="No answer given.")
    parsed = ans.value.parsed
    if not isinstance(parsed, Parsed):
        reason = getattr(parsed, "reason", "no value given")
        return new_field(template, verdict="unparseable", given_text=ans.value.text, points=0.0,
                         message=f"Could not read this answer: {reason}")
    q, plan = kf.ask.quantity, ctx.plan
    s = parsed.value
    read_as = _read_as(parsed)

    # Compare with the key (on the change for an updated parameter; exactly where both are exact).
    if plan.judging.judge(q)(s, ctx.exact.get(q)):
        return new_field(template, verdict="correct", given=s, given_text=ans.value.text, points=kf.ask.points,
                         message="Correct.", read_as=read_as)

    tol, reveal, node = kf.ask.tolerance, ctx.reveal, plan.nodes[q]
    view_t, view_u = ctx.view(q), ctx.view(q, trusted=False)
    expr = kf.tree

    def student_cmp(view: View) -> float:
        return _change(s, ctx.exact.get(q) if node.base not in view.overlay else None, view.get(node.base)) if kf.on_change else s

    carried = view_t.formula(expr)
    follows = tuple((d, v) for d, v in view_t.sources(node.expr).items() if not ctx.accepted(view_t, d))
    yours = ", ".join(f"{d} = {fmt(v)}" for d, v in follows)
    if plan.judging.within_fn(tol)(student_cmp(view_t), carried):
        if not follows:
            # Every value this rests on is accepted (within tolerance of the key, or following from accepted
            # values), and this quantity amplifies their small differences (e.g. t - o when o is close to t):
            # right work on accepted values is right.
            return new_field(template, verdict="correct", given=s, given_text=ans.value.text, points=kf.ask.points,
                             message="Correct for your own values (which are accepted).", read_as=read_as)
        slip = slipped(ctx, view_t, follows)
        if slip is not None:  # the error is in a step not asked on its own: charged here, not carried
            msg, diag = slip_message(ctx, view_t, slip, reveal)
            return new_field(template, verdict="incorrect", given=s, given_text=ans.value.text, points=0.0,
                             message=msg, diagnosis=diag, carried_value=view_t.formula(node.expr),
                             follows_from=follows, read_as=read_as)
        points = round(kf.ask.points * plan.info.carried_credit, 6)
        return new_field(template, verdict="carried", given=s, given_text=ans.value.text, points=points,
                         message=f"Follows correctly from your {yours} (error carried forward).",
                         carried_value=view_t.formula(node.expr), follows_from=follows, read_as=read_as)

    diag = _diagnose(ctx, kf, s, student_cmp, view_t, view_u)
    if follows and not reveal:
        msg = f"Incorrect, and it does not follow from your own values ({yours}) either."
    elif follows:
        verb = "gives" if len(follows) == 1 else "give"
        gives = f"a change {q} − {node.base} = {fmt(carried)}" if kf.on_change else fmt(carried)
        msg = f"Incorrect, and it does not follow from your own values either: your {yours} {verb} {gives}."
    else:
        msg = "Incorrect."
    return new_field(template, verdict="incorrect", given=s, given_text=ans.value.text, points=0.0, message=msg,
                     diagnosis=diag, carried_value=view_t.formula(node.expr) if follows else None,
                     follows_from=follows, read_as=read_as)


def _diagnose(ctx: Context, kf: KeyField, s: float, student_cmp, view_t: View, view_u: View):
    """``grader.grade.diagnose.diagnose``, imported when a field is first wrong (only a wrong field needs it). The
    first call puts the function itself in this name's place: an import statement at every wrong field would ask
    the import system again each time (a package's ``from ... import``: a Python-level look-up)."""
    global _diagnose
    from grader.grade.diagnose import diagnose

    _diagnose = diagnose
    return diagnose(ctx, kf, s, student_cmp, view_t, view_u)


