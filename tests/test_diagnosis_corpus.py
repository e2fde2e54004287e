"""The diagnosis corpus (``tests/diagnosis_corpus.py``): every generated mistake is named correctly, and the few
diagnoses the corpus cannot reach on its own are checked directly. ``benchmarks/diagnosis_accuracy.py`` prints the
same corpus as a table of accuracy per mistake."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.diagnosis_corpus import MISTAKES, cases, project_grader, run
from tests.test_fairness import plan_for, submit
from tests.textbook import CLASSIC, CLASSIC_NETS, sig, textbook


@pytest.fixture(scope="module")
def results():
    return run(project_grader())


def test_the_corpus_covers_every_kind_on_every_network():
    kinds = {m.kind for m in MISTAKES}
    assert len(kinds) >= 19 and len(list(cases())) > 400
    seen = Counter((c.network, c.mistake.kind) for c in cases())
    for kind in kinds:
        assert sum(1 for (net, k) in seen if k == kind) >= 2, kind  # at least two networks show it


@pytest.mark.parametrize("kind", sorted({m.kind for m in MISTAKES}))
def test_each_kind_of_mistake_is_named(results, kind):
    misses = [r for r in results[kind] if r[-1] != kind]
    assert misses == [], f"{kind}: {len(misses)} of {len(results[kind])} named otherwise: {misses[:5]}"


def test_zero_is_worded_for_what_the_quantity_is():
    plan = plan_for("classic_222")
    d = submit(plan, {"w5_new": "0.40"}).field("w5_new").diagnosis
    assert d.id == "zero" and d.text.startswith("You left w5 unchanged (w5_new = w5)") and "no update" in d.text
    d = submit(plan, {"h1": "0"}).field("h1").diagnosis
    assert d.id == "zero" and d.text.startswith("Your value is 0, but the given values give 0.59327")
    assert "update" not in d.text


def test_wrong_sign_only_when_the_size_agrees():
    plan = plan_for("classic_222")
    v = textbook(CLASSIC, CLASSIC_NETS)
    d = submit(plan, {"delta_h1": sig(-v["delta_h1"])}).field("delta_h1").diagnosis
    assert d.id == "wrong_sign" and "Right size, wrong sign" in d.text
    # a wrong delta_o1 of the student's own, and a delta_h1 of the other sign and 7 times the size of what follows
    own = textbook(CLASSIC, CLASSIC_NETS, over={"delta_o1": "0.5"})
    d = submit(plan, {"delta_o1": "0.5", "delta_h1": sig(-7 * own["delta_h1"])}).field("delta_h1").diagnosis
    assert d.id == "sign_and_size" and "Sign and size both differ" in d.text


def test_the_exact_rounding_of_the_key_wins_over_a_formula_within_tolerance():
    from tests.textbook import EX6

    plan = plan_for("exercise6")
    v = textbook(EX6)
    two = sig(v["delta_o2"], 2)  # 0.13: within 1 % of the derivative-of-net mistake too
    d = submit(plan, {"delta_o2": two}).field("delta_o2").diagnosis
    assert d.id == "rounding_too_early" and "rounded to 2 significant digits" in d.text
