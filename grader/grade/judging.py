"""What grading a submission needs of a plan that no student changes, worked out once per plan (``Plan.judging``).

* each quantity's tolerance and whether it is judged on its change, looked up once;
* a judge per quantity (``Judging.judge(q)(value, exact)``), the same decision as ``within`` against the key: the
  bound ``atol + rtol·|K|`` computed once; for an updated parameter read exactly, the change ``p_new − p`` is taken
  in floats first and exactly (with ``Fraction``) only when the float change lies within a hair (``HAIR`` of the
  magnitudes, thousands of times any rounding error) of the tolerance's edge, so every decision is the exact one;
* per asked field and mode (revealed or exam), everything of its ``FieldResult`` that does not depend on the
  student, in the field order of the dataclass: a result is that template with the student's part written in
  (``new_field``), equal to ``FieldResult(...)`` attribute for attribute;
* the givens, the updated parameters' names, the maximum score and the footer's rule.
"""

from __future__ import annotations

import math
from fractions import Fraction

from grader.grade.result import FieldResult
from grader.spec import names
from grader.spec.tolerance import bound, within

HAIR = 1e-12  # relative margin around a tolerance's edge inside which a change is confirmed exactly

_DEFAULTS = {f: FieldResult._defaults.get(f) for f in FieldResult._fields}  # a field with no default: None


def new_field(template: dict, **student) -> FieldResult:
    """A ``FieldResult`` from a field's template (``Judging.templates``) and the student's part, without the frozen
    dataclass's ``__init__`` (one ``object.__setattr__`` per attribute): the same attributes in the same order."""
    out = object.__new__(FieldResult)
    d = out.__dict__
    d.update(template)
    d.update(student)
    return out


class Judging:
    """The student-independent part of grading ``plan`` (``grader.grade.engine.Plan``), built on first use."""

    def __init__(self, plan) -> None:
        self.plan = plan
        info, floats = plan.info, plan.floats
        self.given = {g: floats[g] for g in info.given}
        self.given_names = frozenset(info.given)
        self.your = {q: f"your {q}" for q in plan.nodes}  # where an answer was written, as the flags say it
        self.new_values = tuple((p, names.new_name(p, 1), floats[names.new_name(p, 1)]) for p in info.updated_params)
        self.max_score = round(sum(kf.ask.points for kf in plan.fields.values()), 6)
        self.tolerance_rule = info.default_tolerance.describe()
        self.carried_credit = info.carried_credit
        self._tol: dict = {}
        self._on_change: dict[str, bool] = {}
        self._judges: dict = {}
        self._same: dict = {}
        self._within: dict = {}
        self._rules: dict = {}
        self._zero: dict[str, str] = {}
        # updated parameters whose formula is ``p + change`` with ``change`` the field's compared tree: the sources
        # of the whole formula are then the change's and ``p`` (when written), as ``diagnose._rests_on_own`` reads
        self.base_plus_change = frozenset(
            q for q, kf in plan.fields.items() if kf.on_change and _base_plus(plan.nodes[q], kf.tree))
        self.templates = {
            (q, reveal): _template(kf, reveal) for q, kf in plan.fields.items() for reveal in (True, False)
        }

    def tolerance(self, q: str):
        t = self._tol.get(q)
        if t is None:
            t = self._tol[q] = self.plan._tolerance(q)
        return t

    def on_change(self, q: str) -> bool:
        hit = self._on_change.get(q)
        if hit is None:
            hit = self._on_change[q] = q in self.plan.changes and self.tolerance(q).on_change
        return hit

    def judge(self, q: str):
        """``(value, exact) -> bool``: is the student's ``value`` of ``q`` (``exact``: its exact value, or None)
        accepted against the key? The decision of ``Plan.judge`` as it was written: ``within`` on the change,
        taken exactly where both the value and the base are exact."""
        fn = self._judges.get(q)
        if fn is None:
            fn = self._judges[q] = self._make_judge(q)
        return fn

    def _make_judge(self, q: str):
        plan, tol = self.plan, self.tolerance(q)
        if not self.on_change(q):
            true = plan.floats[q]
            if tol.mode == "relabs":
                edge = tol.atol + tol.rtol * abs(true)  # as ``within`` computes it
                if not edge < math.inf:
                    return lambda value, exact=None: False
                return lambda value, exact=None: abs(value - true) <= edge
            return lambda value, exact=None: within(value, true, tol)
        base = plan.nodes[q].base
        key_change = plan.changes[q]
        base_exact = plan.exact.get(base)
        base_float = plan.floats[base]
        if not isinstance(base_exact, Fraction):
            if tol.mode == "relabs":
                bf, edge, inf = float(base_float), tol.atol + tol.rtol * abs(key_change), math.inf  # as ``within``
                return lambda value, exact=None: abs((value - bf) - key_change) <= edge < inf
            return lambda value, exact=None: within(value - float(base_float), key_change, tol)
        edge = bound(key_change, tol)
        base_near = float(base_exact)  # correctly rounded, whatever ``floats`` holds
        scale = abs(base_near) + abs(key_change) + abs(edge)

        bf, inf = float(base_float), math.inf
        relabs_edge = tol.atol + tol.rtol * abs(key_change) if tol.mode == "relabs" else None  # as ``within``

        def judge(value: float, exact: Fraction | None = None) -> bool:
            if exact is None:
                if relabs_edge is not None:
                    return abs((value - bf) - key_change) <= relabs_edge < inf
                return within(value - bf, key_change, tol)
            s = float(exact)  # correctly rounded; the float change below is within a few ulps of the exact one
            change = s - base_near
            miss = abs(change - key_change)
            margin = HAIR * (abs(s) + abs(change) + scale)
            if miss <= edge - margin and miss < math.inf:
                return True
            if miss > edge + margin:
                return False
            return within(float(exact - base_exact), key_change, tol)  # close to the edge (or not finite): exactly

        return judge

    def same(self, q: str):
        """``(value, reference) -> bool`` of ``Plan.same``."""
        fn = self._same.get(q)
        if fn is None:
            tol = self.tolerance(q)
            relabs, atol, rtol, inf = tol.mode == "relabs", tol.atol, tol.rtol, math.inf
            if self.on_change(q):
                base = self.plan.floats[self.plan.nodes[q].base]
                if relabs:  # ``within`` on the changes, its relabs case written out (the same operations)
                    fn = lambda value, reference: (  # noqa: E731
                        abs((value - base) - (reference - base)) <= atol + rtol * abs(reference - base) < inf)
                else:
                    fn = lambda value, reference: within(value - base, reference - base, tol)  # noqa: E731
            elif relabs:
                fn = lambda value, reference: abs(value - reference) <= atol + rtol * abs(reference) < inf  # noqa: E731
            else:
                fn = lambda value, reference: within(value, reference, tol)  # noqa: E731
            self._same[q] = fn
        return fn


    def zero_sentence(self, q: str) -> str:
        """The sentence of ``by_value`` for an updated parameter ``q`` left unchanged (``{whose}``/``{target}`` open)."""
        hit = self._zero.get(q)
        if hit is None:
            from grader.grade.diagnose import ZERO_CHANGE

            hit = self._zero[q] = ZERO_CHANGE.replace("{q}", q).replace("{base}", self.plan.nodes[q].base)
        return hit

    def within_fn(self, tol):
        """``(given, true) -> within(given, true, tol)``, with the rule's numbers read once."""
        hit = self._within.get(id(tol))
        if hit is None or hit[0] is not tol:
            if tol.mode == "relabs":
                atol, rtol, inf = tol.atol, tol.rtol, math.inf
                fn = lambda given, true: abs(given - true) <= atol + rtol * abs(true) < inf  # noqa: E731
            else:
                fn = lambda given, true: within(given, true, tol)  # noqa: E731
            hit = self._within[id(tol)] = (tol, fn)
        return hit[1]

    def rules(self, q: str):
        """An asked field's known mistakes for the diagnoses: (the rules as (id, text, tree), their closures, their
        values on the key, the field's compared value on the key, that value's roundings to 1-4 digits).
        The closures are None the first time (one submission's grading walks each rule once, as a single ``grade``
        needs); from the second time on they are compiled, once, for the batch's many submissions."""
        hit = self._rules.get(q)
        if hit is None:
            from grader.grade.diagnose import roundings

            plan = self.plan
            rules = plan.rule_trees(q)
            key_target = plan.key_view.formula(plan.fields[q].tree)
            self._rules[q] = [rules, None, plan.malrule_key_values(q), key_target, roundings(key_target)]
            return self._rules[q]
        if hit[1] is None:
            closure = self.plan.compiled.closure
            hit[1] = [closure(tree) for _, _, tree in hit[0]]
        return hit


def _base_plus(node, tree) -> bool:
    """Is ``node``'s formula ``("+", node.base, *terms)`` with ``tree`` those terms (their sum, or the one term)?"""
    e = node.expr
    if type(e) is not tuple or len(e) < 3 or e[0] != "+" or e[1] != node.base:
        return False
    return tree == (e[2] if len(e) == 3 else ("+",) + e[2:])


def _template(kf, reveal: bool) -> dict:
    tol = kf.ask.tolerance
    common = dict(
        quantity=kf.ask.quantity,
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
    return {f: common.get(f, d) for f, d in _DEFAULTS.items()}
