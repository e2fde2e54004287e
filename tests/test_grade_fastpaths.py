"""The grading fast paths give the results of the plain ones (issue 16): a judge of an updated parameter decides in
floats only where the exact change could not decide otherwise; results built from per-plan templates are the
dataclass's own; the specialised formula closures give the solver's floats bit for bit; a field's known mistakes,
walked on a plan's first submission and compiled from its second, name the same mistakes with the same texts."""

from __future__ import annotations

import dataclasses
import math
import pickle
import random
from fractions import Fraction
from pathlib import Path

import pytest

from grader.grade.engine import grade
from grader.grade.floatexpr import compile_tree, symbols
from grader.grade.planbuild import to_tree
from grader.grade.result import FieldResult
from grader.solve.expr import Add, Div, Fn, Mul, Neg, Num, Pow, Sym, compile_float
from grader.spec.tolerance import bound, within
from grader.submission.load import load_submission, submission_from_document
from grader.yamlio import load_yaml_text
from tests.diagnosis_corpus import cases, problem_yaml, submission_yaml
from tests.test_fairness import plan_for, plan_text

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("problem", ["exercise6", "classic_222"])
def test_an_updated_parameter_at_the_edge_of_its_tolerance_is_judged_on_the_exact_change(problem):
    """Values a hair either side of the accepted change: the verdict is ``within`` on the exact change
    ``float(S - B)`` (Fractions, the oracle), including where the float change ``float(S) - float(B)`` says
    otherwise."""
    plan = plan_for(problem)
    float_would_differ = 0
    for q, kf in plan.fields.items():
        if not kf.on_change:
            continue
        base = plan.nodes[q].base
        exact_base = plan.exact[base]
        key_change, tol = plan.changes[q], kf.ask.tolerance
        edge = Fraction(bound(key_change, tol))
        for side in (1, -1):
            for k in range(-300, 301):
                s = exact_base + Fraction(key_change) + side * edge + Fraction(k, 10**17) * abs(exact_base)
                oracle = within(float(s - exact_base), key_change, tol)
                assert plan.judge(q, float(s), s) == oracle, (q, s)
                float_would_differ += within(float(s) - float(exact_base), key_change, tol) != oracle
        far = exact_base + Fraction(key_change) * 3
        assert not plan.judge(q, float(far), far) and plan.judge(q, float(exact_base + Fraction(key_change)),
                                                                 exact_base + Fraction(key_change))
    assert float_would_differ > 5  # the values above do reach decisions that floats alone would get wrong


def test_results_built_from_a_fields_template_are_the_dataclasses_own():
    verdicts = set()
    for problem, path in (("exercise6", "exercise6_seed.yaml"), ("classic_222", "mistake_rounding_too_early.yaml"),
                          ("classic_222", "classic_carried.yaml")):
        plan = plan_for(problem)
        for reveal in (True, False):
            result = grade(plan, load_submission(ROOT / "submissions_examples" / path), reveal=reveal)
            for f in result.fields:
                own = FieldResult(**{x.name: getattr(f, x.name) for x in dataclasses.fields(FieldResult)})
                assert own == f and list(vars(own).items()) == list(vars(f).items())
                assert pickle.loads(pickle.dumps(f)) == f and repr(own) == repr(f)
                with pytest.raises(dataclasses.FrozenInstanceError):
                    f.points = 99.0  # type: ignore[misc]
                verdicts.add(f.verdict)
    assert {"correct", "incorrect", "carried"} <= verdicts


X, Y, Z, W, V = (Sym(n) for n in "xyzwv")
SHAPES = [
    Mul((X,)), Mul((X, Y)), Mul((X, Y, Z)), Mul((X, Y, Z, W)), Mul((X, Y, Z, W, V)),
    Mul((Num(Fraction(1, 3)), X)), Mul((Num(Fraction(-7, 2)), Num(Fraction(1, 10)), X, Y)),
    Mul((Num(Fraction(3)), Num(Fraction(1, 7)))), Mul((X, Num(Fraction(1, 3)), Y)),
    Mul((Add((X, Neg(Y))), Z)), Mul((X, Add((Num(Fraction(1)), Neg(Y))))), Mul((Add((X, Y)), Add((Z, Neg(W))))),
    Mul((X, Add((Y, Z)), W)), Mul((Num(Fraction(2)), Add((X, Y)), Z)), Mul((Neg(X),)),
    Mul((Num(Fraction(3)), Add((X, Y)))), Neg(Mul((Num(Fraction(-1, 10)), Mul((Neg(Mul((X, Y))),))))),
    Add((X, Y)), Add((X, Neg(X))), Add((Mul((X, Y)), Neg(Z))), Add((X, Y, Z)), Add((Mul((X, Y)), Mul((Z, W)), V)), Add((Num(Fraction(1)), Neg(X))),
    Neg(X), Neg(Mul((X, Y))), Div(X, Y), Div(Add((X, Y)), Z), Pow(X, 2), Pow(Add((X, Y)), -1),
] + [Fn(f, arg, Fraction(1, 2), Fraction(1, 100)) for f in ("sigmoid", "tanh", "exp", "log", "relu", "leaky")
     for arg in (X, Add((X, Y)))]
VALUES = (0.0, -0.0, 0.5, -0.5, 3.0, -3.0, 1e-300, 5e-324, 2.0 ** -53, 1.0 + 2.0 ** -52, 800.0, -800.0, 1e308, -1e308,
          1.7976931348623157e308, math.inf, -math.inf, math.nan)


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))


def test_the_specialised_closures_give_the_solvers_floats_bit_for_bit():
    rng = random.Random(16)
    for e in SHAPES:
        ours, theirs = compile_tree(to_tree(e)), compile_float(e)
        envs = [{n: rng.choice(VALUES) for n in "xyzwv"} for _ in range(300)]
        envs += [{n: rng.uniform(-5, 5) for n in "xyzwv"} for _ in range(50)]
        for env in envs:
            reads: list[str] = []

            def get(name, env=env, reads=reads):
                reads.append(name)
                return env[name]

            a = ours(get)
            ours_reads, reads[:] = list(reads), []
            b = theirs(get)
            assert _same(a, b), (e, env, a, b)
            assert ours_reads == reads, e  # the same lookups in the same order (a view computes on first lookup)


def _grade_text(plan, text: str, reveal: bool = True):
    return grade(plan, submission_from_document(load_yaml_text(text, source="<test>")), reveal=reveal)


def test_known_mistakes_walked_on_a_first_submission_and_compiled_afterwards_agree():
    """Each corpus case graded by a fresh plan (its rules walked) and by a plan that has graded it before (its
    rules compiled): the same result, field by field; and the named mistake is the corpus's own."""
    texts = {}
    for case in list(cases())[::3]:
        texts.setdefault(case.network, []).append((case, submission_yaml(case)))
    for network, items in texts.items():
        warm = plan_text(problem_yaml(network))
        for case, text in items:
            _grade_text(warm, text)
        for i, (case, text) in enumerate(items):
            again = _grade_text(warm, text)
            if i % 6 == 0:
                assert _grade_text(plan_text(problem_yaml(network)), text) == again
            named = again.field(case.field).diagnosis
            assert named is not None and named.id == case.mistake.kind, (case.mistake.label, named)


def test_random_submissions_graded_cold_and_warm_are_identical():
    """Perturbed Exercise 6 submissions (values off, rounded, negated, carried, with ``using``): a plan's first
    grading of each (fresh plan) equals the grading by a plan that has graded all of them before."""
    rng = random.Random(1602)
    warm = plan_for("exercise6")
    subs = []
    for _ in range(40):
        lines = ["problem: exercise6", "student: {id: 's1'}", "answers:"]
        for q in warm.fields:
            v, r = warm.floats[q], rng.random()
            value = (f"{v:.12g}" if r < 0.3 else f"{v * (1 + rng.uniform(-0.05, 0.05)):.6g}" if r < 0.6
                     else f"{v:.2g}" if r < 0.7 else f"{-v:.8g}" if r < 0.8 else f"{v * 10:.8g}" if r < 0.9 else "0")
            if rng.random() < 0.2:
                using = ", ".join(f"{u}: {warm.floats[u] * rng.choice((1, 1, 1.03)):.10g}"
                                  for u in symbols(warm.nodes[q].expr))
                lines.append(f"  {q}: {{value: {value}, using: {{{using}}}}}")
            else:
                lines.append(f"  {q}: {value}")
        subs.append("\n".join(lines) + "\n")
    for text in subs:
        _grade_text(warm, text)
        _grade_text(warm, text, reveal=False)
    for i, text in enumerate(subs):
        fresh = plan_for("exercise6") if i % 8 == 0 else None
        if fresh is not None:
            assert _grade_text(fresh, text) == _grade_text(warm, text)
            assert _grade_text(fresh, text, reveal=False) == _grade_text(warm, text, reveal=False)



def test_grading_leaves_no_reference_cycles():
    """A view's values do not point back at the view: what grading builds is freed when dropped (a batch worker's
    memory does not wait for the garbage collector)."""
    import gc

    plan = plan_for("exercise6")
    sub = load_submission(ROOT / "submissions_examples" / "exercise6_seed.yaml")
    grade(plan, sub)
    grade(plan, sub)
    gc.collect()
    gc.disable()
    try:
        for _ in range(5):
            grade(plan, sub)
            grade(plan, sub, reveal=False)
        assert gc.collect() == 0
    finally:
        gc.enable()
