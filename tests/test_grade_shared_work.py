"""Work that grading shares instead of doing it again decides as doing it again would: whether an updated
parameter's change rests on the student's own numbers, read off the sources of its whole formula
(``diagnose._rests_on_own``); a field's all-values view that is its trusted view; a submission whose names are all
spelled as the problem spells them, kept as it was read by ``resolve_names``."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from grader.grade.diagnose import _rests_on_own
from grader.grade.engine import Context
from grader.grade.views import View
from grader.record import replace
from grader.submission.load import Answer, resolve_names, submission_from_document
from grader.yamlio import load_yaml_text
from tests.test_fairness import plan_for

ROOT = Path(__file__).resolve().parents[1]


def _random_values(plan, rng):
    """Some of the plan's quantities, each the key's value, a slip of it, or 0."""
    out = {}
    for q, v in plan.floats.items():
        if rng.random() < 0.4:
            out[q] = rng.choice([v, v * 1.3, -v, 0.0, v + 1e-3])
    return out


@pytest.mark.parametrize("problem", ["exercise6", "classic_222"])
def test_an_updates_own_numbers_are_read_off_its_whole_formula(problem):
    plan = plan_for(problem)
    jg = plan.judging
    assert jg.base_plus_change == {q for q, kf in plan.fields.items() if kf.on_change}
    rng = random.Random(11)
    seen = set()
    for _ in range(400):
        answers = {q: v for q, v in _random_values(plan, rng).items() if q in plan.nodes and rng.random() < 0.5}
        for q in jg.base_plus_change:
            kf = plan.fields[q]
            overlay = {u: v for u, v in _random_values(plan, rng).items() if u != q and rng.random() < 0.1}
            if rng.random() < 0.5:
                overlay[plan.nodes[q].base] = plan.floats[plan.nodes[q].base] * 1.01
            view = View(plan.compiled, answers, overlay, exclude=q)
            view.sources(plan.nodes[q].expr)  # as the engine's ``follows`` finds them before any diagnosis
            fresh = View(plan.compiled, answers, overlay, exclude=q)
            want = bool(fresh.sources(kf.tree))
            assert _rests_on_own(plan, kf, view, view) is want
            seen.add(want)
    assert seen == {True, False}


def test_the_all_values_view_is_the_trusted_one_exactly_when_nothing_is_flagged():
    plan = plan_for("exercise6")
    answers = {"z1": -7.65, "h1": 0.0005}
    usings = {"z3": {"h1": 0.0005, "w5": 40.0}, "h2": {"z2": -13.7}}
    ctx = Context(plan, answers, {}, usings, frozenset({("z3", "w5")}), View(plan.compiled, answers), True)
    assert ctx.trusted("z3") == {"h1": 0.0005} and ctx.trusted("h2") == {"z2": -13.7} and ctx.trusted("o1") == {}
    assert ctx.view("z3", trusted=False) is not ctx.view("z3")
    assert ctx.view("z3", trusted=False).overlay == usings["z3"] and ctx.view("z3").overlay == {"h1": 0.0005}
    assert ctx.view("h2", trusted=False) is ctx.view("h2") and ctx.view("h2").overlay == {"z2": -13.7}
    assert ctx.view("o1", trusted=False) is ctx.view("o1") is ctx.base_view
    plain = Context(plan, answers, {}, usings, frozenset(), View(plan.compiled, answers), True)
    assert plain.trusted("z3") == usings["z3"] and plain.trusted("z3") is not usings["z3"]
    assert plain.view("z3", trusted=False) is plain.view("z3")


def _rebuilt(sub, resolved):
    """``resolve_names``'s result as it was always built: every answer made again under its resolved name."""
    return replace(sub, answers={q: Answer(q, a.value, dict(a.using), a.line) for q, a in resolved.answers.items()})


@pytest.mark.parametrize("name", ["classic_carried.yaml", "classic_correct.yaml", "exercise6_seed.yaml",
                                  "mistake_bias_left_out.yaml"])
def test_a_submission_spelled_as_the_problem_spells_it_is_kept_as_read(name):
    text = (ROOT / "submissions_examples" / name).read_bytes()
    sub = submission_from_document(load_yaml_text(text, source=name))
    plan = plan_for(sub.problem)
    resolved, issues = resolve_names(sub, plan.resolver, plan.info.id)
    assert resolved == _rebuilt(sub, resolved) and repr(resolved) == repr(_rebuilt(sub, resolved))
    if not issues and all(q in plan.resolver.exact for q in sub.answers):
        assert resolved == sub


def test_a_submission_with_other_spellings_is_still_rebuilt():
    text = b"problem: exercise6\nstudent: {id: '1', name: A}\nanswers:\n  z_1: -7.65\n  h1: {value: 0.0005, using: {z_1: -7.65}}\n  bogus: 3\n"
    sub = submission_from_document(load_yaml_text(text, source="x.yaml"))
    plan = plan_for("exercise6")
    resolved, issues = resolve_names(sub, plan.resolver, plan.info.id)
    assert resolved is not sub and list(resolved.answers) == ["z1", "h1"] and len(issues) == 1
    assert list(resolved.answers["h1"].using) == ["z1"] and resolved.answers["z1"].quantity == "z1"
