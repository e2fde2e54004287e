"""Fair verdicts (issue 12): accepted values stand for the key, each value judged by its own quantity's rule, the
network's identities used for carried credit, the decimals rule, and worked lines. Every student value here is
computed independently (``tests/textbook.py``: textbook formulas in mpmath), never with the project's solver."""

from __future__ import annotations

import dataclasses
import re

import mpmath
import pytest

from grader.grade.engine import grade, make_plan
from grader.report import render
from grader.solve.solver import solve
from grader.spec.load import find_problem, load_problem, problem_from_document
from grader.spec.problem import Tolerance
from grader.spec.tolerance import within
from grader.submission.load import submission_from_document
from grader.yamlio import load_yaml_text
from tests.textbook import CLASSIC, CLASSIC_NETS, EX6, MIXED, M, mixed_problem_yaml, sig, sigma, textbook


def plan_of(problem):
    return make_plan(solve(problem))


def plan_text(text: str):
    return plan_of(problem_from_document(load_yaml_text(text, source="<test>")))


def plan_for(problem_id: str, **changes):
    problem = load_problem(find_problem(problem_id))
    return plan_of(dataclasses.replace(problem, **changes) if changes else problem)


def submit(plan, answers: dict, **kw):
    lines = []
    for q, v in answers.items():
        if isinstance(v, dict):
            using = ", ".join(f"{u}: {x}" for u, x in v["using"].items())
            lines.append(f"  {q}: {{value: {v['value']}, using: {{{using}}}}}")
        else:
            lines.append(f"  {q}: {v}")
    text = f"problem: {plan.problem.id}\nstudent: {{id: 's1'}}\nanswers:\n" + "\n".join(lines) + "\n"
    return grade(plan, submission_from_document(load_yaml_text(text, source="<test>")), **kw)


# --- 1. a value within tolerance stands for the key downstream ----------------------------------------------------


@pytest.mark.parametrize("credit", [1.0, 0.5, 0.0])
def test_work_from_an_accepted_value_is_correct_not_carried(credit):
    plan = plan_for("exercise6", carried_credit=credit)
    v = textbook(EX6, over={"z2": "-13.6"})  # z2 within 1 % of -13.65; h2 = σ(-13.6) is 5 % off the key's
    r = submit(plan, {"z2": "-13.6", "h2": sig(v["h2"]), "delta_h2": sig(v["delta_h2"]), "w3_new": sig(v["w3_new"], 20),
                      "w4_new": sig(v["w4_new"], 20)})
    for q in ("z2", "h2", "delta_h2", "w3_new", "w4_new"):
        f = r.field(q)
        assert f.verdict == "correct", (q, f.message)
        assert f.points == f.max_points
    assert abs(v["h2"] / textbook(EX6)["h2"] - 1) > 0.04  # really outside the key's tolerance on its own


def test_a_real_error_is_still_carried_not_accepted():
    plan = plan_for("exercise6", carried_credit=0.5)
    v = textbook(EX6, over={"z2": "-16.65"})
    r = submit(plan, {"z2": "-16.65", "h2": sig(v["h2"]), "delta_h2": sig(v["delta_h2"])})
    assert r.field("z2").verdict == "incorrect"
    assert r.field("h2").verdict == r.field("delta_h2").verdict == "carried"
    assert r.field("delta_h2").points == pytest.approx(0.5 * r.field("delta_h2").max_points)


def test_right_work_rounded_to_three_figures_at_every_step_is_never_rejected():
    # A student who rounds every value to 3 significant figures and carries on with the rounded values; the updated
    # weights are written as p + (the change rounded to 3 figures), the digits the change needs.
    plan = plan_for("classic_222", carried_credit=0.0)
    rounded = {}

    def keep3(name):
        return lambda v: M(sig(v[name + "_raw"], 3))

    names = [*CLASSIC_NETS[:2], "h1", "h2", *CLASSIC_NETS[2:], "o1", "o2", "E_o1", "E_o2", "E", "delta_o1",
             "delta_o2", "delta_h1", "delta_h2"]
    v = textbook(CLASSIC)
    # rounding at each step, in order: recompute with the previous rounded values fixed
    for n in names:
        raw = textbook(CLASSIC, CLASSIC_NETS, over=rounded)[n]
        rounded[n] = sig(raw, 3)
    v = textbook(CLASSIC, CLASSIC_NETS, over=rounded)
    answers = dict(rounded)
    for w in ("w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8"):
        change = v[f"{w}_new"] - M(CLASSIC[w])
        answers[f"{w}_new"] = sig(M(CLASSIC[w]) + M(sig(change, 3)), 20)
    r = submit(plan, answers)
    assert {f.quantity: f.verdict for f in r.fields if f.verdict != "correct"} == {}
    assert r.score == r.max_score


# --- 2. each written value judged with its own quantity's tolerance ------------------------------------------------

PER_NEURON = """id: per_neuron
title: "2-2-1 with a bias per neuron"
statement: "test"
network:
  inputs: [i1, i2]
  layers:
    - neurons: [h1, h2]
      activation: sigmoid
      biases: {h1: b1, h2: b2}
      weights: {w1: [i1, h1], w2: [i2, h1], w3: [i1, h2], w4: [i2, h2]}
    - neurons: [o1]
      activation: sigmoid
      biases: {o1: b3}
      weights: {w5: [h1, o1], w6: [h2, o1]}
given: {i1: 1.0, i2: -0.5, t1: 0.8, w1: 0.3, w2: 0.6, w3: -0.4, w4: 0.2, w5: 0.5, w6: -0.7, b1: 0.2, b2: 0.1, b3: -0.2}
loss: half_sse
training: {learning_rate: 2}
ask:
  tolerance: {rtol: 0.01, atol: 1.0e-12}
  quantities: [QUANTITIES]
"""


def per_neuron_values(over=None):
    """The 2-2-1 network above by hand (mpmath)."""
    over = over or {}
    v = {k: M(x) for k, x in dict(i1="1.0", i2="-0.5", t1="0.8", w1="0.3", w2="0.6", w3="-0.4", w4="0.2", w5="0.5",
                                   w6="-0.7", b1="0.2", b2="0.1", b3="-0.2", eta="2").items()}

    def put(n, x):
        o = over.get(n)
        v[n] = x if o is None else (o(v) if callable(o) else M(o))

    put("h1", sigma(v["w1"] * v["i1"] + v["w2"] * v["i2"] + v["b1"]))
    put("h2", sigma(v["w3"] * v["i1"] + v["w4"] * v["i2"] + v["b2"]))
    put("o1", sigma(v["w5"] * v["h1"] + v["w6"] * v["h2"] + v["b3"]))
    put("delta_o1", (v["o1"] - v["t1"]) * v["o1"] * (1 - v["o1"]))
    put("grad_b3", v["delta_o1"])
    put("grad_w5", v["delta_o1"] * v["h1"])
    put("grad_w6", v["delta_o1"] * v["h2"])
    put("delta_h1", v["h1"] * (1 - v["h1"]) * v["delta_o1"] * v["w5"])
    put("w5_new", v["w5"] - v["eta"] * v["grad_w5"])
    return v


def per_neuron_plan(quantities: str):
    return plan_text(PER_NEURON.replace("QUANTITIES", quantities))


def test_a_using_value_is_judged_by_the_tolerance_of_the_quantity_it_names():
    # delta_o1 is accepted within 5 %; grad_b3 is delta_o1 under another name, so a grad_b3 3 % off is accepted too,
    # and the update computed from it is right work on an accepted value.
    plan = per_neuron_plan("{quantity: delta_o1, tolerance: {rtol: 0.05}}, w5_new")
    key = per_neuron_values()
    slightly = key["delta_o1"] * M("1.03")
    v = per_neuron_values(over={"delta_o1": slightly})
    assert plan.tolerance("grad_b3") == Tolerance(rtol=0.05, atol=1e-12)
    r = submit(plan, {"w5_new": {"value": sig(v["w5_new"], 16), "using": {"grad_b3": sig(slightly, 12)}}})
    assert r.field("w5_new").verdict == "correct", r.field("w5_new").message
    r = submit(plan, {"delta_o1": sig(slightly), "w5_new": {"value": sig(v["w5_new"], 16),
                                                           "using": {"delta_o1": sig(slightly)}}})
    assert r.field("delta_o1").verdict == "correct" and r.field("w5_new").verdict == "correct"


def test_an_updated_parameter_in_using_is_judged_on_its_change():
    # two steps: w5_new is the base of step 2; "40.000001" is within 1e-7 of w5_new's value but its change is wrong
    plan = plan_for("exercise6")
    assert plan.on_change("w5_new")
    key_change = plan.changes["w5_new"]
    assert not plan.judge("w5_new", 40 + key_change * 0.5)
    assert plan.judge("w5_new", 40 + key_change * 1.005)
    assert plan.same("w5_new", 40 + key_change, 40 + key_change * 1.001)
    assert not plan.same("w5_new", 40 + key_change, 40 + key_change * 2)


# --- 3. the network's identities for carried credit ------------------------------------------------------------------


def test_a_slip_in_a_bias_gradient_is_carried_into_the_weight_gradient_and_the_deltas_below():
    plan = per_neuron_plan("grad_b3, grad_w5, {delta_h1: 2}")
    slip = per_neuron_values()["delta_o1"] * 2  # grad_b3 written twice too large; delta_o1 not written
    v = per_neuron_values(over={"delta_o1": slip})
    r = submit(plan, {"grad_b3": sig(slip), "grad_w5": sig(v["grad_w5"]), "delta_h1": sig(v["delta_h1"])})
    assert r.field("grad_b3").verdict == "incorrect"
    for q in ("grad_w5", "delta_h1"):
        f = r.field(q)
        assert f.verdict == "carried", (q, f.message)
        assert dict(f.follows_from) == {"grad_b3": float(sig(slip))}


def test_gradients_that_say_the_same_wrong_delta_cost_once_not_never():
    plan = per_neuron_plan("grad_b3, grad_w5, grad_w6")
    slip = per_neuron_values()["delta_o1"] * 3
    v = per_neuron_values(over={"delta_o1": slip})
    # grad_w5 on its own: the delta it implies is its own, so it cannot vouch for itself
    assert submit(plan, {"grad_w5": sig(v["grad_w5"])}).field("grad_w5").verdict == "incorrect"
    # two weight gradients from one wrong delta: the first is wrong, the second follows from it
    r = submit(plan, {"grad_w5": sig(v["grad_w5"]), "grad_w6": sig(v["grad_w6"])})
    assert (r.field("grad_w5").verdict, r.field("grad_w6").verdict) == ("incorrect", "carried")
    # the bias gradient is the delta itself: it is judged first, and the weight gradients follow from it
    r = submit(plan, {"grad_b3": sig(slip), "grad_w5": sig(v["grad_w5"]), "grad_w6": sig(v["grad_w6"])})
    assert [r.field(q).verdict for q in ("grad_b3", "grad_w5", "grad_w6")] == ["incorrect", "carried", "carried"]


def test_a_shared_bias_gradient_minus_the_other_deltas_is_the_students_delta():
    plan = plan_text(mixed_problem_yaml(["delta_o1", "grad_b2", "grad_w7"]))
    key = textbook(MIXED)
    slip = key["grad_b2"] + M("0.05")  # so the student's delta_o2 is grad_b2 - delta_o1, 0.05 too large
    v = textbook(MIXED, over={"delta_o2": key["delta_o2"] + M("0.05")})
    r = submit(plan, {"delta_o1": sig(key["delta_o1"]), "grad_b2": sig(slip), "grad_w7": sig(v["grad_w7"])})
    assert r.field("delta_o1").verdict == "correct" and r.field("grad_b2").verdict == "incorrect"
    assert r.field("grad_w7").verdict == "carried", r.field("grad_w7").message


# --- 4. the decimals rule ---------------------------------------------------------------------------------------------


def test_decimals_rule_is_half_a_unit_of_the_last_place():
    t = Tolerance(mode="decimals", places=3)
    assert within(0.192, 0.19215, t) and within(0.1925, 0.192, t) and not within(0.19251, 0.192, t)
    assert within(-0.0005, 0.0, t) and not within(0.0006, 0.0, t)
    assert not t.on_change and Tolerance().on_change
    assert t.describe() == "3 decimal places (|given - true| <= 0.5·10^-3)"


def test_decimals_applies_to_an_updated_parameter_itself():
    problem = load_problem(find_problem("classic_222"))
    text = open(problem.source, encoding="utf-8").read().replace(
        "    - w5_new\n", "    - {quantity: w5_new, tolerance: {mode: decimals, places: 3}}\n")
    plan = plan_text(text)
    key = textbook(CLASSIC, CLASSIC_NETS)["w5_new"]  # 0.3589164...
    assert sig(key, 3) == "0.359"
    assert submit(plan, {"w5_new": "0.359"}).field("w5_new").verdict == "correct"
    assert submit(plan, {"w5_new": "0.358"}).field("w5_new").verdict == "incorrect"
    assert submit(plan, {"w5_new": "0.4"}).field("w5_new").verdict == "incorrect"
    f = submit(plan, {"w5_new": "0.358"}).field("w5_new")
    assert not f.compared_on_change and f.accepted == "w5_new: judged to 3 decimal places (within half a unit of the last place)"
    assert "judged to 3 decimal places" in render(submit(plan, {"w5_new": "0.358"}), "text")


def test_decimals_in_the_spec_alone_or_with_mode():
    from grader.errors import SpecError

    problem = load_problem(find_problem("classic_222"))
    text = open(problem.source, encoding="utf-8").read()
    p = problem_from_document(load_yaml_text(text.replace("tolerance: {rtol: 0.01, atol: 1.0e-9}", "tolerance: {places: 2}"), source="t"))
    assert p.default_tolerance.mode == "decimals" and p.default_tolerance.places == 2
    with pytest.raises(SpecError, match="only places applies to mode decimals"):
        problem_from_document(load_yaml_text(text.replace("tolerance: {rtol: 0.01, atol: 1.0e-9}", "tolerance: {mode: decimals, rtol: 0.1}"), source="t"))


def test_the_report_says_how_many_digits_an_updated_weight_needs():
    plan = plan_for("exercise6")
    r = submit(plan, {"w5_new": "40.0"})
    f = r.field("w5_new")
    # the change is 8.118e-6 (textbook); 1 % of it is 8.1e-8. A unit of the 9th significant digit of w5_new =
    # 40.0000081.. is 1e-7 (more), of the 10th 1e-8 (less): 10 digits keep it within 1 % rounded or cut off
    change = textbook(EX6)["w5_new"] - 40
    assert abs(change - M("8.11818e-6")) < M("1e-10")
    assert f.accepted == "w5_new: the change w5_new − w5 is judged within 1 %: keep at least 10 significant digits of w5_new"
    assert "keep at least 10 significant digits of w5_new" in render(r, "text")
    assert "keep at least 10 significant digits of w5_new" in render(r, "markdown")
    exam = submit(plan, {"w5_new": "40.0"}, reveal=False)
    assert "keep enough digits of w5_new" in render(exam, "text") and "10 significant" not in render(exam, "text")


def test_an_absolute_tolerance_is_said_as_one_never_as_within_0_percent(capsys):
    """Han & Kamber's updated weights are judged within 0.00051 (three decimals), rtol 0: the sentence said "within
    0 %", which reads as "exactly", for every weight whose change is not 0."""
    from grader.spec.tolerance import accepted_sentence

    absolute = Tolerance(rtol=0.0, atol=0.00051)
    # w46: -0.3 + 0.9 * Err6 * O4 (textbook: Err6 = 0.1311, O4 = 0.332), a change of about 0.039
    s = accepted_sentence("w46_new", absolute, -0.261, base="w46", change=0.039)
    assert s.startswith("w46_new: the change w46_new − w46 is judged within 0.00051: keep at least 4 significant")
    assert "0 %" not in s
    assert accepted_sentence("I4", absolute, -0.7) == "I4: judged within 0.00051"
    both = Tolerance(rtol=0.01, atol=0.001)
    assert accepted_sentence("I4", both, -0.7) == "I4: judged within 1 %"  # 0.007 of -0.7: the larger part
    assert accepted_sentence("I4", both, 0.05) == "I4: judged within 1 % (or 0.001)"  # 0.0005: the absolute one
    assert accepted_sentence("w24_new", both, 0.4, base="w24", change=0.0).startswith(
        "w24_new: the change w24_new − w24 is judged within 1 % (or 0.001)")
    from grader.cli import main

    assert main(["template", "han_kamber_321"]) == 0
    template = capsys.readouterr().out
    assert re.search(r"^  w46_new: .*the change w46_new − w46 is judged within 0\.00051: keep at least 4 ", template, re.M)
    assert "within 0 %" not in template


# --- 6. worked lines ------------------------------------------------------------------------------------------------


def test_worked_lines_bracket_negative_factors_repeat_no_value_and_show_the_change(capsys):
    from grader.cli import main

    assert main(["solve", "tanh_relu"]) == 0
    out = capsys.readouterr().out
    assert "·-" not in out and "·−" not in out
    assert "relu′(0.706993)·(-1.03589)·0.8 = " in out
    assert re.search(r"^  o1 = net_o1 = 0\.4820567901$", out, re.M)  # not "= 0.482057 = 0.4820567901"
    assert main(["solve", "tanh_relu", "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    assert r"\cdot (-1.03589) \cdot 0.8" in md and r"\cdot -" not in md
    assert main(["solve", "exercise6"]) == 0
    out = capsys.readouterr().out
    change = textbook(EX6)["w3_new"] - M(-25)
    assert f"w3_new − w3 = {mpmath.nstr(change, 10)}" in out  # -1.225220381e-6


def test_terminal_columns_survive_a_long_answer():
    plan = plan_for("classic_222")
    long = "1/(1+exp(-(0.15*0.05 + 0.2*0.1 + 0.35))) + 0*(1+2+3+4+5+6+7+8+9)"
    r = submit(plan, {"net_h1": "0.3775", "h1": f"'{long}'", "net_h2": "0.39"})
    lines = [ln for ln in render(r, "text").splitlines() if " given " in ln]
    starts = {ln.index("expected") for ln in lines}
    assert len(starts) == 1, lines
    assert any(long in ln for ln in render(r, "text").splitlines())  # in full on its own line


# --- done means: right work at 3+ significant figures is never rejected on a shipped problem --------------------


SHIPPED = ["exercise6", "classic_222", "tanh_relu", "softmax_ce", "batch_two", "two_steps", "compact_3layer",
           "exercise6_random"]


@pytest.mark.parametrize("problem_id", SHIPPED)
@pytest.mark.parametrize("digits", [3, 4, 6])
def test_right_answers_at_three_or_more_figures_pass_on_every_shipped_problem(problem_id, digits):
    problem = load_problem(find_problem(problem_id))
    if problem.randomize is not None:
        from grader.solve.variant import variant_problem

        problem = variant_problem(problem, "400222100").problem
    plan = plan_of(problem)
    key = plan.key
    answers = {}
    for a in problem.ask:
        node = key.node(a.quantity)
        if plan.on_change(a.quantity):  # the digits of the change, on top of the old value (exactly)
            change = mpmath.mpf(key.decimal(a.quantity, 40)) - mpmath.mpf(key.decimal(node.base, 40))
            answers[a.quantity] = mpmath.nstr(mpmath.mpf(key.decimal(node.base, 40)) + mpmath.mpf(sig(change, digits)), 40)
        else:
            answers[a.quantity] = sig(mpmath.mpf(key.decimal(a.quantity, 40)), digits)
    text = f"problem: {problem.id}\nstudent: {{id: '400222100'}}\nanswers:\n" + "".join(f"  {q}: '{v}'\n" for q, v in answers.items())
    r = grade(plan, submission_from_document(load_yaml_text(text, source="<t>")))
    assert [f.quantity for f in r.fields if f.verdict != "correct"] == []


@pytest.mark.parametrize("problem_id", SHIPPED)
def test_the_value_a_worked_line_shows_is_accepted_when_copied(problem_id):
    """A feedback report's worked line ends with the value: copied as the answer, it must be graded correct. An
    update judged on its change needs more than 6 digits (``w3_new = -25.0000`` was shown, and marked wrong)."""
    problem = load_problem(find_problem(problem_id))
    if problem.randomize is not None:
        from grader.solve.variant import variant_problem

        problem = variant_problem(problem, "400222100").problem
    plan = plan_of(problem)
    shown = {q: kf.worked.split(";")[0].rsplit(" = ", 1)[1] for q, kf in plan.fields.items()}
    text = f"problem: {problem.id}\nstudent: {{id: '400222100'}}\nanswers:\n" + "".join(
        f"  {q}: '{v}'\n" for q, v in shown.items())
    r = grade(plan, submission_from_document(load_yaml_text(text, source="<t>")))
    assert [(f.quantity, shown[f.quantity]) for f in r.fields if f.verdict != "correct"] == []


def test_an_html_report_states_an_updates_value_and_its_change_each_with_its_own_number():
    """The worked line of a wrong update ends in the expected value, and the change after it keeps the change's
    value. Before, the HTML put the value where the change was: "w1new − w1 = −15.0004548267952"."""
    from html import unescape

    plan = plan_for("exercise6")
    ex = textbook(EX6)
    r = submit(plan, {"w1_new": "-15.1", "w8_new": "54.9"})
    html = render(r, "html")
    for q, base in (("w1_new", "w1"), ("w8_new", "w8")):
        item = html.split(f"<code>{q}</code>", 1)[1].split("</li>", 1)[0]
        expected = unescape(re.sub(r"<[^>]+>", "", re.search(r"<dt>Expected</dt><dd>(.*?)</dd>", item).group(1)
                                   .replace("<br/>", "\n"))).replace("−", "-").replace("×10", "e")
        value_line, change_line = expected.splitlines()[-2:]
        assert float(value_line.rsplit("= ", 1)[1].rstrip(";")) == pytest.approx(float(ex[q]), rel=1e-14)
        name, number = change_line.split(" = ")
        assert name == f"{base}new - {base}", expected
        assert float(number) == pytest.approx(float(ex[q] - ex[base]), rel=1e-5), expected


def test_template_and_check_say_how_many_digits_an_update_needs(capsys):
    from grader.cli import main

    assert main(["template", "exercise6"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^  w5_new: .*the change w5_new − w5 is judged within 1 %: keep at least 10 significant digits of w5_new$", out, re.M)
    assert main(["check", "exercise6"]) == 0
    out = capsys.readouterr().out
    assert "w5_new with at least 10 significant digits (more than 6)" in out
    assert main(["check", "classic_222"]) == 0
    assert "significant digits (more than 6)" not in capsys.readouterr().out  # 4 digits of w5_new do


def test_shipped_statements_state_the_rule_for_updated_weights():
    for pid in ("exercise6", "exercise6_random"):
        statement = load_problem(find_problem(pid)).statement
        assert "within 1% relative error" in statement and "it is the change $w' - w$ that must be within 1%" in statement


# --- a diagnosis names a mistake only when the numbers show it ------------------------------------------------------


def _r(x, digits):
    """``x`` rounded to ``digits`` significant digits (the oracle's own rounding, with mpmath)."""
    return M(mpmath.nstr(x, digits))


def _within(given, true, rtol=M("0.01"), atol=M("1e-12")):
    return abs(given - true) <= atol + rtol * abs(true)


def _mistakes_that_would_be_accepted():
    """(field, the student's value, the mistake named before, that mistake's value, the right value): values just
    outside Exercise 6's 1 % whose "explanation" lands within 1 % of the right value itself. For an updated weight
    the values are changes w' − w."""
    k = textbook(EX6)
    on_sigma = (k["o1"] - k["t1"]) * sigma(k["o1"]) * (1 - sigma(k["o1"]))  # σ′ taken at out instead of net
    mixed = k["w5"] * k["h2"] + k["w6"] * k["h1"] + k["b2"]  # z3 with the inputs of w5 and w6 swapped
    o1_at_2 = sigma(_r(k["z3"], 2))  # o1 from z3 cut to 2 digits
    r3 = {n: _r(k[n], 3) for n in ("h1", "delta_o1", "delta_o2")}
    h1_at_3 = r3["h1"] * (1 - r3["h1"]) * (r3["delta_o1"] * k["w5"] + r3["delta_o2"] * k["w7"])
    w7_at_2 = -k["eta"] * _r(k["grad_w7"], 2)  # the change of w7 from its gradient cut to 2 digits
    return [
        ("delta_o1", "-0.05602", "derivative_of_sigma_out", on_sigma, k["delta_o1"]),
        ("z3", "0.6253", "mixed_indices", mixed, k["z3"]),
        ("o1", "0.6566", "rounding_too_early", o1_at_2, k["o1"]),
        ("delta_h1", "0.001872", "rounding_too_early", h1_at_3, k["delta_h1"]),
        ("w7_new", "49.99998194", "rounding_too_early", w7_at_2, k["w7_new"] - k["w7"]),
    ]


@pytest.mark.parametrize("case", _mistakes_that_would_be_accepted(), ids=lambda c: f"{c[0]}-{c[2]}")
def test_a_mistake_whose_own_value_would_be_accepted_is_not_named(case):
    q, written, mistake, mistake_value, right = case
    plan = plan_for("exercise6")
    mine = M(written) - (M(EX6["w7"]) if q == "w7_new" else 0)
    assert not _within(mine, right) and _within(mine, mistake_value)  # wrong, and within 1 % of the mistake...
    assert _within(mistake_value, right)  # ... which would itself have been accepted: it explains nothing
    for reveal in (True, False):
        f = submit(plan, {q: written}, reveal=reveal).field(q)
        assert f.verdict == "incorrect"
        assert f.diagnosis is None or f.diagnosis.id != mistake, (q, f.diagnosis)


def test_rounding_too_early_that_would_be_marked_wrong_is_still_named():
    k = textbook(EX6)
    h1 = sigma(M("-7.7"))  # z1 = -7.65 rounded (half up, as by hand) to 2 digits: h1 is 5 % off
    assert not _within(h1, k["h1"])
    f = submit(plan_for("exercise6"), {"h1": sig(h1)}).field("h1")
    assert f.verdict == "incorrect" and f.diagnosis.id == "rounding_too_early"


@pytest.mark.parametrize("problem", ["exercise6", "classic_222"])
def test_a_named_known_mistake_gives_a_value_that_would_be_marked_wrong(problem):
    """Every answer from 6 % below to 6 % above the key's, one field at a time: a named known mistake (a rule of
    ``grader.solve.malrules``) has a value within tolerance of the student's and outside tolerance of the key's."""
    plan = plan_for(problem)
    jg = plan.judging
    named = 0
    for q, kf in plan.fields.items():
        rules, _, on_key, key_target, _ = jg.rules(q)
        base = plan.floats[plan.nodes[q].base] if kf.on_change else 0.0
        tol = kf.ask.tolerance
        for i in range(-120, 121):
            s = base + key_target * (1 + i / 2000)
            f = submit(plan, {q: repr(s)}).field(q)
            if f.diagnosis is None or f.diagnosis.id not in {r[0] for r in rules}:
                continue
            named += 1
            assert any(r[0] == f.diagnosis.id and within(s - base, v, tol) and not within(v, key_target, tol)
                       for r, v in zip(rules, on_key)), (q, s, f.diagnosis)
    assert named > 20


def test_a_mistake_inside_a_delta_is_not_named_when_the_student_says_which_delta_they_used():
    # The student says they computed w1_new with delta_h1 = 0.0019 (right: within 1 % of the textbook's), and slipped
    # in the last step: -15 - 0.3·0.0019·0.8 = -15.000456, written -15.0004. Mixed-up weights inside delta_h1
    # (a delta computed again from their other answers) land within 1 % of that change by chance: not the mistake.
    k = textbook(EX6)
    assert _within(M("0.0019"), k["delta_h1"])
    assert not _within(M("-15.0004") - k["w1"], -k["eta"] * M("0.0019") * k["i1"])  # the slip is real
    plan = plan_for("exercise6")
    others = {"h1": "0.000512", "delta_o1": "-0.06"}
    alone = submit(plan, {**others, "w1_new": "-15.0004"}).field("w1_new")
    assert alone.diagnosis.id == "mixed_indices"  # with nothing said about delta_h1, it is the likely mistake
    using = {"value": "-15.0004", "using": {"delta_h1": "0.0019", "i1": "0.8", "eta": "0.3", "w1": "-15"}}
    for reveal in (True, False):
        f = submit(plan, {**others, "w1_new": using}, reveal=reveal).field("w1_new")
        assert f.verdict == "incorrect" and f.diagnosis.id != "mixed_indices", f.diagnosis


def test_a_mistake_in_a_written_up_update_is_not_named_against_the_delta_plugged_in(tmp_path, capsys):
    from grader.cli import main

    path = tmp_path / "w.md"
    path.write_text("$$h_1 = 0.000512$$\n\n$$\\delta_{o1} = -0.06$$\n\n"
                    "$$w_1^{new} = w_1 - \\eta \\delta_{h1} i_1 = -15 - 0.3 \\cdot 0.0019 \\cdot 0.8 = -15.0004$$\n",
                    encoding="utf-8")
    assert main([str(path), "--problem", "exercise6", "--format", "json"]) == 0
    import json

    f = json.loads(capsys.readouterr().out)["fields"]["w1_new"]
    assert f["verdict"] == "incorrect" and (f.get("diagnosis") or {}).get("id") != "mixed_indices", f


def _cut(text: str, digits: int) -> str:
    """The decimal ``text`` cut off (not rounded) after ``digits`` significant digits (the oracle: string work)."""
    from decimal import ROUND_DOWN, Decimal

    d = Decimal(text)
    return str(d.quantize(Decimal(1).scaleb(d.adjusted() - digits + 1), rounding=ROUND_DOWN))


@pytest.mark.parametrize("problem_id", SHIPPED)
@pytest.mark.parametrize("how", ["cut", "rounded"])
def test_an_update_kept_to_the_digits_the_template_asks_for_passes_cut_off_or_rounded(problem_id, how):
    """The template says "keep at least N significant digits of w5_new"; a student who keeps N, by cutting the rest
    off or by rounding, is right: every updated parameter of every shipped problem (a variant for a randomized one)."""
    from grader.author.template import problem_template

    problem = load_problem(find_problem(problem_id))
    if problem.randomize is not None:
        from grader.solve.variant import variant_problem

        problem = variant_problem(problem, "400222100").problem
    plan = plan_of(problem)
    key = plan.key
    told = {m["q"]: int(m["n"]) for m in re.finditer(
        r"^  (?P<q>\w+):.*keep at least (?P<n>\d+) significant digits? of (?P=q)$", problem_template(problem), re.M)}
    assert told or not any(plan.on_change(a.quantity) for a in problem.ask)
    answers = {}
    for q, n in told.items():
        exact = key.decimal(q, 40)
        answers[q] = _cut(exact, n) if how == "cut" else sig(mpmath.mpf(exact), n)
    text = f"problem: {problem.id}\nstudent: {{id: '400222100'}}\nanswers:\n" + "".join(f"  {q}: '{v}'\n" for q, v in answers.items())
    r = grade(plan, submission_from_document(load_yaml_text(text, source="<t>")))
    assert [(f.quantity, f.given_text) for f in r.fields if f.quantity in told and f.verdict != "correct"] == []


def test_the_expected_value_shown_for_an_update_shows_its_change():
    # w4_new = 29.99999969 agrees with the key to 10 digits yet its change is 1.2 % off (textbook oracle): the report
    # must not show the expected value as the same 29.99999969, and what it shows is itself accepted
    k = textbook(EX6)
    assert not _within(M("29.99999969") - 30, k["w4_new"] - 30)
    plan = plan_for("exercise6")
    r = submit(plan, {"w4_new": "'29.99999969'"})
    assert r.field("w4_new").verdict == "incorrect"
    md = render(r, "markdown")
    shown = re.search(r"^\| `w4_new` \| [^|]+ \| `29.99999969` \| `([^`]+)` \|", md, re.M).group(1)
    assert shown != "29.99999969" and f"expected {shown}" in render(r, "text") and shown in render(r, "html")
    assert submit(plan, {"w4_new": f"'{shown}'"}).field("w4_new").verdict == "correct"
