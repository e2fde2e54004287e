"""Grading's shortcuts decide as the plain computations do (issue 16 item 3): a quantity written several times with
one number is flagged as the pairwise comparisons flag it; a rounding is looked for only at the digits that could
give the value, and found exactly where trying every digit finds it; the per-quantity comparisons written out are
``within`` itself; a view's formula, remembered, is the formula evaluated again; the diagnoses' one pass over a
field's known mistakes names what the same pass calling ``within`` names."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest

from grader.grade import diagnose
from grader.grade.flags import EXACT, Written, find_flags
from grader.grade.views import View
from grader.numfmt import fmt
from grader.spec.tolerance import Tolerance, round_sig, within
from grader.grade.engine import grade
from grader.submission.load import submission_from_document
from grader.yamlio import load_yaml_text
from tests.test_fairness import plan_for, plan_text

ROOT = Path(__file__).resolve().parents[1]


def _distinct(values, agree):
    out = []
    for v in values:
        if not any(agree(v, u) or agree(u, v) for u in out):
            out.append(v)
    return out


def _reference_flags(written, given, new_values, same):
    """``find_flags`` as first written: every value compared with every other (the oracle)."""
    by_q = {}
    for w in written:
        by_q.setdefault(w.quantity, []).append(w)
    flags, untrusted = [], set()
    for q, ws in by_q.items():
        if len(ws) < 2 and q not in given:
            continue

        def agree(a, b, q=q):
            return same(q, a, b)

        if q in given:
            wrong = [w for w in ws if not agree(w.value, given[q])]
            if not wrong:
                continue
            for w in wrong:
                untrusted.add((w.field or "", q))
            values = _distinct([w.value for w in wrong], lambda a, b: within(a, b, EXACT))
            flags.append(("wrong_given", q, tuple(values), tuple(sorted({w.where for w in wrong}))))
            continue
        values = _distinct([w.value for w in ws], agree)
        if len(values) < 2:
            continue
        answer = next((w for w in ws if w.field is None), None)
        if answer is not None:
            for w in ws:
                if w.field is not None and not agree(w.value, answer.value):
                    untrusted.add((w.field, q))
        flags.append(("inconsistent", q, tuple(values), tuple(sorted({w.where for w in ws}))))
    return flags, untrusted


@pytest.mark.parametrize("problem", ["exercise6", "classic_222"])
def test_flags_of_values_written_several_times_are_the_pairwise_comparisons(problem):
    plan = plan_for(problem)
    jg = plan.judging
    rng = random.Random(7)
    names = [q for q in plan.nodes if rng.random() < 0.5][:8] + list(jg.given)[:4]
    specials = [0.0, -0.0, math.inf, -math.inf, math.nan]
    flagged = 0
    for _ in range(3000):
        written = []
        for q in rng.sample(names, rng.randint(1, len(names))):
            base = plan.floats[q]
            pool = [base, base * 1.001, base * 1.5, -base] + specials[:rng.randint(0, 5)]
            v = rng.choice(pool)
            for i in range(rng.randint(1, 4)):
                value = v if rng.random() < 0.7 else rng.choice(pool)
                written.append(Written(q, value, f"used in f{i}" if i else f"your {q}", f"f{i}" if i else None))
        new_values = {p: (None, key_new) for p, _, key_new in jg.new_values}
        got, untrusted = find_flags(written, jg.given, new_values, plan.same, jg.same)
        plain, plain_untrusted = find_flags(written, jg.given, new_values, plan.same)
        want, want_untrusted = _reference_flags(written, jg.given, new_values, plan.same)
        shown = [(f.kind, f.quantity, tuple(f.values), tuple(f.where)) for f in got]
        assert repr(shown) == repr(want) and untrusted == want_untrusted
        assert repr(got) == repr(plain) and plain_untrusted == untrusted
        flagged += bool(got)
    assert flagged > 300  # the cases exercise the flags, not only their absence


def _rounded_plainly(s, target):
    if target == 0 or not math.isfinite(target) or not math.isfinite(s):
        return None
    for d in (1, 2, 3, 4):
        r = round_sig(target, d)
        if r != target and abs(s - r) <= abs(target) * 1e-12 + 1e-300:
            return d
    return None


def test_a_rounding_is_found_exactly_where_trying_every_digit_finds_it():
    rng = random.Random(11)
    found = 0
    for _ in range(60000):
        e = rng.uniform(-320, 307) if rng.random() < 0.3 else rng.uniform(-6, 6)
        target = rng.choice([-1, 1]) * rng.uniform(1, 10) * 10.0 ** e
        if rng.random() < 0.1:
            target = float(f"{target:.{rng.randint(1, 6)}g}")
        r = round_sig(target, rng.randint(1, 5))
        c = rng.random()
        s = (r if c < 0.4 else r * (1 + rng.uniform(-1e-11, 1e-11)) if c < 0.6
             else target * rng.uniform(0.3, 1.7) if c < 0.85 else -target)
        d = _rounded_plainly(s, target)
        got = diagnose.rounded(s, target, "the values you used")
        if d is None:
            assert got is None, (s, target)
        else:
            found += 1
            assert got.id == "rounding_too_early" and f"{fmt(target)} rounded to {d} significant digit" in got.text
            hidden = diagnose.rounded(s, target, "x", show=False)
            assert hidden.id == "rounding_too_early" and fmt(target) not in hidden.text
    assert found > 10000


@pytest.mark.parametrize("problem", ["exercise6", "classic_222", "tanh_relu"])
def test_the_comparisons_written_out_are_within(problem):
    plan = plan_for(problem)
    jg = plan.judging
    rng = random.Random(3)
    for q in plan.nodes:
        tol = jg.tolerance(q)
        same, judge, ok = jg.same(q), jg.judge(q), jg.within_fn(tol)
        base = plan.floats[plan.nodes[q].base] if jg.on_change(q) else None
        key = plan.changes[q] if jg.on_change(q) else plan.floats[q]
        for _ in range(300):
            ref = plan.floats[q] * rng.choice([1, 1.001, 1.01, 1.02, -1, 0]) + rng.choice([0, 1e-9, -1e-12])
            v = ref * (1 + rng.uniform(-0.03, 0.03)) if rng.random() < 0.8 else rng.choice(
                [math.nan, math.inf, -math.inf, 0.0, ref])
            if base is None:
                assert same(v, ref) == within(v, ref, tol)
                assert judge(v, None) == within(v, plan.floats[q], tol)
            else:
                assert same(v, ref) == within(v - base, ref - base, tol)
                assert judge(v, None) == within(v - base, key, tol)
            assert ok(v, ref) == within(v, ref, tol)
    for tol in (Tolerance(), Tolerance(mode="sigfig", digits=2), Tolerance(mode="decimals", places=3)):
        ok = jg.within_fn(tol)
        for _ in range(500):
            a, b = rng.uniform(-2, 2), rng.uniform(-2, 2)
            b = rng.choice([b, a, a * 1.004, a + 4e-4, math.nan])
            assert ok(a, b) == within(a, b, tol)


@pytest.mark.parametrize("problem", ["exercise6", "classic_222", "two_steps"])
def test_a_views_remembered_formula_is_the_formula_evaluated_again(problem):
    plan = plan_for(problem)
    rng = random.Random(5)
    exprs = [plan.nodes[q].expr for q in plan.nodes] + [kf.tree for kf in plan.fields.values()]
    for _ in range(40):
        answers = {q: plan.floats[q] * rng.uniform(0.9, 1.1) for q in plan.nodes if rng.random() < 0.6}
        view = View(plan.compiled, answers)
        order = exprs[:]
        rng.shuffle(order)
        first = [view.formula(e) for e in order]
        again = [view.formula(e) for e in order]
        fresh = [plan.compiled.closure(e)(view.get) for e in order]
        assert repr(first) == repr(again) == repr(fresh)


def _random_tree(rng, names, depth=0):
    r = rng.random()
    if depth > 3 or r < 0.25:
        return rng.choice(names)
    if r < 0.33:
        return rng.choice([1.0, 0.5, 2.0, -1.0, 0.0])
    if r < 0.45:
        return ("neg", _random_tree(rng, names, depth + 1))
    if r < 0.5:
        return ("fn", rng.choice(["sigmoid", "exp", "log", "relu_d", "leaky"]), _random_tree(rng, names, depth + 1), 0.5, 0.01)
    op = rng.choice(["+", "*", "+", "*", "/"])
    if op == "/":
        return ("/", _random_tree(rng, names, depth + 1), _random_tree(rng, names, depth + 1))
    parts = []
    for _ in range(rng.choice([1, 2, 2, 2, 3, 4])):
        c = rng.random()
        parts.append(("neg", rng.choice(names)) if c < 0.3 else rng.choice([1.0, 2.0]) if c < 0.4
                     else _random_tree(rng, names, depth + 1))
    return (op, *parts)


def test_the_compiled_closures_are_the_walked_trees_bit_for_bit():
    """Every specialised closure shape (``a - b``, ``1 - b``, ``1 - f(..)``, ``-(w * x)``, three-factor products)
    against ``evaluate_tree`` (the same operations, walked), on values that include 0, -0, inf and nan."""
    from grader.grade.floatexpr import compile_tree, evaluate_tree

    rng = random.Random(13)
    names = ["a", "b", "c", "d"]
    pool = [0.0, -0.0, 1.0, -1.0, 0.3, -2.5, 1e308, -1e308, 5e-324, math.inf, -math.inf, math.nan, 700.0]
    for _ in range(4000):
        tree = _random_tree(rng, names)
        f = compile_tree(tree)
        for _ in range(6):
            env = {n: rng.choice(pool) if rng.random() < 0.5 else rng.uniform(-3, 3) for n in names}
            seen = []
            got = f(lambda n: seen.append(n) or env[n])
            walked = []
            want = evaluate_tree(tree, lambda n: walked.append(n) or env[n])
            assert repr(got) == repr(want), tree
            assert seen == walked, tree  # the same lookups in the same order


def _ex6_with_tolerance(rtol: float, atol: float):
    text = (ROOT / "problems" / "exercise6.yaml").read_text(encoding="utf-8")
    assert "tolerance: {rtol: 0.01, atol: 1.0e-12}" in text
    return plan_text(text.replace("tolerance: {rtol: 0.01, atol: 1.0e-12}", f"tolerance: {{rtol: {rtol}, atol: {atol}}}"))


@pytest.mark.parametrize("rtol, atol", [(0.01, 1.0e-12), (0.02, 2.0e-3)])
def test_the_pass_over_known_mistakes_names_what_within_names(monkeypatch, rtol, atol):
    """``diagnose`` checks a field's known mistakes in one pass with ``within``'s relabs comparison written out. The
    oracle: the same submissions diagnosed with that pass calling ``within`` itself. The values sit a hair inside
    and outside the tolerance of the mistakes' values, on the key's numbers (the student's other values right) and
    on the student's own (the others off), with huge values whose formulas overflow to inf or nan."""
    from grader.grade.judging import Judging

    plan = _ex6_with_tolerance(rtol, atol)
    jg = plan.judging
    rng = random.Random(int(rtol * 1000) + 7)
    texts, rule_ids = [], set()
    for _ in range(150):
        q = rng.choice(list(plan.fields))
        rules, _, on_key_values, _, _ = jg.rules(q)
        rule_ids.update(rule[0] for rule in rules)
        answers = {}
        for u in plan.fields:  # the other answers: right, or off (then the mistakes are computed on them)
            if u != q:
                r = rng.random()
                answers[u] = (plan.floats[u] if r < 0.6 else plan.floats[u] * rng.uniform(0.9, 1.1) if r < 0.95
                              else rng.choice((1e308, -1e308)))
        v = rng.choice(on_key_values)
        edge = (atol + rtol * abs(v)) * rng.choice((1 - 1e-9, 1 + 1e-9, 1 - 1e-6, 1 + 1e-6, 0.5, 2.0))
        c = v + rng.choice((1, -1)) * edge if rng.random() < 0.9 else rng.choice((1e308, -1e308, 0.0))
        base = plan.nodes[q].base
        answers[q] = plan.floats[base] + c if plan.fields[q].on_change else c  # ``c`` in compared terms
        texts.append("problem: exercise6\nstudent: {id: 's1'}\nanswers:\n"
                     + "".join(f"  {u}: {x!r}\n" for u, x in answers.items()))

    def graded():
        out = []
        for text in texts:
            for reveal in (True, False):
                out.append(grade(plan, submission_from_document(load_yaml_text(text, source="<test>")), reveal=reveal))
        return out

    fused = graded()
    monkeypatch.setattr(diagnose, "FUSED_RELABS", False)
    monkeypatch.setattr(Judging, "within_fn", lambda self, tol: lambda given, true: within(given, true, tol))
    plain = graded()
    assert [repr(r) for r in fused] == [repr(r) for r in plain]  # (repr: a nan carried value equals itself)
    named = [f.diagnosis.id for r in fused for f in r.fields if f.diagnosis is not None and f.diagnosis.id in rule_ids]
    assert len(named) > 100 and len(set(named)) > 5  # the values do reach the known mistakes, many of them
