"""Issue 11, part 2: the delta convention, the chain-rule factors dE_dout / dout_dnet, and the published examples
written as specs (Han, Kamber & Pei's 3-2-1 example with error terms; the classic 2-2-2 step-by-step example's
dE/dout and dout/dnet values).

Oracles: finite differences of an independent forward pass (``test_solver_oracle``), textbook formulas computed
here with mpmath, and the authors' printed values; never the solver's own output.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction as F
from pathlib import Path

import mpmath
import pytest
from hypothesis import given
from mpmath import mp, mpf

from grader.cli import main
from grader.errors import SpecError
from grader.grade.engine import grade, make_plan
from grader.solve.solver import solve
from grader.spec.load import load_problem
from grader.spec.problem import AskItem, Tolerance
from grader.submission.load import submission_from_document
from grader.yamlio import load_yaml_text
from test_solver_oracle import DPS, FD_ABS, FD_REL, _activate, _loss_terms, _oracle_for, central, problems, rand, to_mpf

REPO = Path(__file__).resolve().parent.parent
MINUS = "minus_dE_dnet"


def submit(plan, answers: str):
    text = f"problem: {plan.problem.id}\nstudent: {{id: 's1'}}\nanswers:\n{answers}"
    return grade(plan, submission_from_document(load_yaml_text(text, source="<test>")))


def close(got, want, rel=FD_REL, ab=FD_ABS) -> bool:
    got, want = to_mpf(got), to_mpf(want)
    return abs(got - want) <= max(rel * abs(want), ab)


# --------------------------------------------------------------------------- the oracle, with activation nudges


def forward_nudged(prob, example, nudge):
    """The oracle's forward pass (initial parameters) with ``nudge = (neuron, eps)`` added to that neuron's
    *activation* after it is computed: dE/d(activation) by central differences."""
    net = prob.network
    vals = {name: to_mpf(v) for name, v in example.inputs.items()}
    params = {p: to_mpf(v) for p, v in prob.params.items()}
    for layer in net.layers:
        z = {}
        for n in layer.neurons:
            z[n] = sum((params[w] * vals[src] for w, (src, dst) in net.weights.items() if dst == n), mpf(0))
            z[n] += sum((params[b] for b, fed in net.biases.items() if n in fed), mpf(0))
        a = _activate(layer.activation, z)
        for n in layer.neurons:
            vals[net.neurons[n].net], vals[n] = z[n], a[n] + (nudge[1] if nudge[0] == n else 0)
    return sum(_loss_terms(prob.loss, {o: (vals[o], to_mpf(example.targets[o])) for o in net.outputs}).values())


def factor_names(prob):
    """Every dE_dout / dout_dnet name of step 1 (with the example suffix in a batch)."""
    out = []
    for j in range(1, len(prob.examples) + 1):
        x = f"_x{j}" if prob.batched else ""
        for n in prob.network.neurons:
            out.append(f"dE_dout_{n}{x}")
            if prob.network.activation_of(n).kind != "softmax":
                out.append(f"dout_dnet_{n}{x}")
    return out


def asking(prob, names):
    return dataclasses.replace(prob, ask=tuple(AskItem(q, 1.0, Tolerance()) for q in names))


def check_chain_factors(prob, key):
    """dE_dout by central differences on the activation; dout_dnet by central differences of the activation
    function at the key's own net input. The step on an activation is relative to it where it is small: a softmax
    output of 1.8e-18 nudged by 1e-25 has a truncation error of h²/(3·o²), 1e-15 of -t/o (a random draw found it;
    the solver's value was the right one to 30 digits, as a step of 1e-40 showed)."""
    h = mpf("1e-25")
    net = prob.network
    with mp.workdps(DPS):
        for j, ex in enumerate(prob.examples, start=1):
            x = f"_x{j}" if prob.batched else ""
            for n, neu in net.neurons.items():
                step = h * min(mpf(1), max(abs(to_mpf(key.values[n + x])), mpf("1e-10")))  # (a scale only)
                want = central(lambda e: forward_nudged(prob, ex, (n, e)), step)
                assert close(key.values[f"dE_dout_{n}{x}"], want), (n, key.values[f"dE_dout_{n}{x}"], want)
                act = net.activation_of(n)
                if act.kind == "softmax":
                    assert f"dout_dnet_{n}{x}" not in key.values
                    continue
                z0 = to_mpf(key.values[neu.net + x])
                slope = central(lambda e: _activate(act, {n: z0 + e})[n], h)
                assert close(key.values[f"dout_dnet_{n}{x}"], slope), (n, key.values[f"dout_dnet_{n}{x}"], slope)


# ------------------------------------------------------------------------------------------- random networks


@rand
@given(problems())
def test_minus_convention_deltas_are_minus_dE_dnet_and_updates_unchanged(prob):
    expected, kind, info = _oracle_for(prob)
    key = solve(dataclasses.replace(prob, delta_convention=MINUS))
    with mp.workdps(DPS):
        for name, want in expected.items():
            if kind[name] == "delta":
                assert close(key.values[name], -want), (name, key.values[name], want)
            elif kind[name] in ("grad", "velocity"):
                assert close(key.values[name], want), (name, key.values[name], want)
            elif kind[name] == "new":
                scale = abs(to_mpf(info["changes"][name]))
                assert abs(to_mpf(key.values[name]) - to_mpf(want)) <= max(FD_REL * scale, FD_ABS), name


@rand
@given(problems())
def test_chain_factors_against_finite_differences(prob):
    _oracle_for(prob, deltas=False)  # the same exclusions as the solver's oracle tests (kinks, deep saturation)
    check_chain_factors(prob, solve(prob))


def test_chain_factors_of_a_tiny_softmax_output():
    """Regression (a random draw, in a run without CI's fixed examples): a softmax output of about 1.8e-18, whose
    dE_dout = -t/o is about -1.9e17. A difference quotient with the fixed step 1e-25 is off by 1e-15 of it, more
    than the check allows; the solver's value was right (to 30 digits against a step of 1e-40). Here the nets of
    o1, o2 differ by 41: o2 = 1/(1 + e^41) = 1.6e-18, and dE_dout_o2 = -(1/2)/o2, from the textbook formula."""
    from grader.spec.problem import Activation
    from netbuild import layered, problem

    net = layered(["i1"], [(["o1", "o2"], Activation("softmax"))])
    prob = problem(net, {"w1_o1_i1": F(41), "w1_o2_i1": F(0), "b_o1": F(0), "b_o2": F(0)},
                   [({"i1": F(1)}, {"o1": F(1, 2), "o2": F(1, 2)})], loss="categorical_cross_entropy")
    key = solve(prob)
    with mp.workdps(DPS):
        o2 = 1 / (1 + mpmath.exp(41))
        assert close(key.values["dE_dout_o2"], -mpf(1) / 2 / o2)
    check_chain_factors(prob, key)  # (failed with the fixed step)


@rand
@given(problems())
def test_deltas_written_through_the_factors_keep_their_values(prob):
    # Asking every factor writes every delta as dE_dout·dout_dnet (−that in the minus convention).
    expected, kind, _ = _oracle_for(prob)
    for conv, sign in (("dE_dnet", 1), (MINUS, -1)):
        p = dataclasses.replace(asking(prob, factor_names(prob)), delta_convention=conv)
        key = solve(p)
        check_chain_factors(p, key)
        with mp.workdps(DPS):
            for name, want in expected.items():
                if kind[name] in ("delta", "grad"):
                    assert close(key.values[name], sign * want if kind[name] == "delta" else want), (conv, name)


# ------------------------------------------------------------------------ Han, Kamber & Pei: the 3-2-1 example

HAN = REPO / "problems" / "han_kamber_321.yaml"
# As printed in the book (outputs and weights to 3 decimals, error terms to 4).
HAN_PRINTED = {
    "O4": "0.332", "O5": "0.525", "O6": "0.474", "delta_O6": "0.1311", "delta_O5": "-0.0065", "delta_O4": "-0.0087",
    "w46_new": "-0.261", "w56_new": "-0.138", "w14_new": "0.192", "w15_new": "-0.306", "w24_new": "0.4",
    "w25_new": "0.1", "w34_new": "-0.508", "w35_new": "0.194", "theta6_new": "0.218", "theta5_new": "0.194",
    "theta4_new": "-0.408",
}


def han_by_the_book():
    """The book's procedure, written out here: O_j = 1/(1 + e^-I_j), Err_6 = O6(1 - O6)(T - O6),
    Err_j = O_j(1 - O_j) Err_6 w_j6, w_ij += l Err_j O_i, theta_j += l Err_j (exact inputs, 50 digits)."""
    with mp.workdps(50):
        x = {1: mpf(1), 2: mpf(0), 3: mpf(1)}
        w = {(1, 4): mpf("0.2"), (1, 5): mpf("-0.3"), (2, 4): mpf("0.4"), (2, 5): mpf("0.1"), (3, 4): mpf("-0.5"),
             (3, 5): mpf("0.2"), (4, 6): mpf("-0.3"), (5, 6): mpf("-0.2")}
        theta = {4: mpf("-0.4"), 5: mpf("0.2"), 6: mpf("0.1")}
        out, net = dict(x), {}
        for j in (4, 5, 6):
            net[j] = sum(w[i, k] * out[i] for (i, k) in w if k == j) + theta[j]
            out[j] = 1 / (1 + mp.exp(-net[j]))
        err = {6: out[6] * (1 - out[6]) * (1 - out[6])}
        for j in (4, 5):
            err[j] = out[j] * (1 - out[j]) * err[6] * w[j, 6]
        v = {f"I{j}": net[j] for j in (4, 5, 6)} | {f"O{j}": out[j] for j in (4, 5, 6)}
        v |= {f"delta_O{j}": err[j] for j in (4, 5, 6)}
        v |= {f"w{i}{j}_new": w[i, j] + mpf("0.9") * err[j] * out[i] for (i, j) in w}
        v |= {f"theta{j}_new": theta[j] + mpf("0.9") * err[j] for j in (4, 5, 6)}
        return v


def test_han_kamber_key_is_the_books_procedure_exactly():
    problem = load_problem(HAN)
    assert problem.delta_convention == MINUS and problem.network.target_name("O6") == "T6"
    key = solve(problem)
    assert key.values["I4"] == F(-7, 10) and key.values["I5"] == F(1, 10)  # exact rationals
    assert key.values["w24_new"] == F(2, 5)  # x2 = 0: no change, exactly
    book = han_by_the_book()
    with mp.workdps(50):
        for name, want in book.items():
            assert abs(to_mpf(key.values[name]) - want) <= mpf("1e-30") * max(abs(want), 1), name
        # the error terms are minus the gradient of E = 1/2 (T - O6)^2 by the net input
        assert abs(to_mpf(key.values["grad_theta6"]) + book["delta_O6"]) <= mpf("1e-30")


def test_han_kamber_printed_values_grade_correct():
    plan = make_plan(solve(load_problem(HAN)))
    answers = "".join(f"  {q}: {v}\n" for q, v in HAN_PRINTED.items())
    answers += "  I4: -0.7\n  I5: 0.1\n  I6: -0.105\n"
    result = submit(plan, answers)
    assert {f.quantity: f.verdict for f in result.fields} == {a.quantity: "correct" for a in plan.problem.ask}
    assert result.score == result.max_score == 20


def test_han_kamber_statement_states_the_tolerance_it_uses():
    problem = load_problem(HAN)
    weights = {a.tolerance for a in problem.ask if a.quantity.endswith("_new")}
    assert weights == {Tolerance(rtol=0.0, atol=0.00051)} and "0.00051" in problem.statement
    assert problem.default_tolerance.rtol == 0.01 and "1 %" in problem.statement
    # ... and it is no wider than three decimals: one unit in the third decimal off is wrong
    plan = make_plan(solve(problem))
    assert submit(plan, "  w14_new: 0.193\n").field("w14_new").verdict == "incorrect"


def test_minus_convention_diagnosis_speaks_the_error_term():
    plan = make_plan(solve(load_problem(HAN)))
    r = submit(plan, "  delta_O6: -0.1311690782\n")  # (O - T)·O(1 - O): the dE/dnet sign
    f = r.field("delta_O6")
    assert f.verdict == "incorrect" and f.diagnosis.id == "flipped_sign"
    assert "−∂E/∂net" in f.diagnosis.text and "(T6 − O6)" not in f.diagnosis.text
    assert "(t − o), not (o − t)" in f.diagnosis.text
    assert "(o − t) gives ∂E/∂net, the δ of Nielsen and Bishop" in f.diagnosis.text  # the other convention, named
    assert f.formula == "delta_O6 = (T6 − O6)·O6·(1 − O6)"
    assert "−dE/dI6" in f.description


def test_minus_convention_keeps_the_hidden_and_gradient_diagnoses():
    problem = load_problem(HAN)
    problem = dataclasses.replace(problem, ask=problem.ask + (AskItem("grad_w46", 1.0, Tolerance()),))
    plan = make_plan(solve(problem))
    k = plan.key.floats
    # Err4 from the already-updated w46 (sequential update)
    seq = k["O4"] * (1 - k["O4"]) * k["delta_O6"] * k["w46_new"]
    assert submit(plan, f"  delta_O4: {seq!r}\n").field("delta_O4").diagnosis.id == "sequential_update"
    # Err4 without the derivative O4(1 - O4)
    r = submit(plan, f"  delta_O4: {k['delta_O6'] * -0.3!r}\n")
    assert r.field("delta_O4").diagnosis.id == "missing_derivative"
    # dE/dw46 = −Err6·O4; with the net input I4 instead of O4, and with the sign of the error term kept
    r = submit(plan, f"  grad_w46: {-k['delta_O6'] * k['I4']!r}\n")
    assert r.field("grad_w46").diagnosis.id == "net_instead_of_activation"
    r = submit(plan, f"  grad_w46: {k['delta_O6'] * k['O4']!r}\n")
    assert r.field("grad_w46").diagnosis.id == "flipped_sign"


def test_minus_convention_report_and_solution_speak_it(capsys):
    assert main(["solve", str(HAN)]) == 0
    out = capsys.readouterr().out
    assert "Backward pass (δ = −∂E/∂net, the error terms)" in out
    assert "grad_w46 = −(delta_O6·O4)" in out
    assert main(["template", str(HAN)]) == 0
    assert "delta_O6:" in (t := capsys.readouterr().out) and "−∂E/∂I6, the error term" in t


# --------------------------------------------------------------- the classic 2-2-2 example: dE/dout, dout/dnet

CHAIN = REPO / "problems" / "classic_222_chain.yaml"
# Printed in the step-by-step write-up (and, for the updates, in test_solver_oracle's MAZUR_PUBLISHED).
MAZUR_CHAIN = {"dE_dout_o1": "0.74136507", "dout_dnet_o1": "0.186815602", "dE_dout_h1": "0.036350306",
               "dout_dnet_h1": "0.241300709", "grad_w5": "0.082167041", "grad_w1": "0.000438568",
               "w5_new": "0.35891648", "w1_new": "0.149780716"}


def test_classic_chain_factors_by_hand_formulas():
    key = solve(load_problem(CHAIN))
    with mp.workdps(50):
        s = lambda v: 1 / (1 + mp.exp(-v))  # noqa: E731
        h1, h2 = s(mpf("0.3775")), s(mpf("0.3925"))
        o1 = s(mpf("0.4") * h1 + mpf("0.45") * h2 + mpf("0.6"))
        o2 = s(mpf("0.5") * h1 + mpf("0.55") * h2 + mpf("0.6"))
        d1, d2 = (o1 - mpf("0.01")) * o1 * (1 - o1), (o2 - mpf("0.99")) * o2 * (1 - o2)
        want = {"dE_dout_o1": o1 - mpf("0.01"), "dout_dnet_o1": o1 * (1 - o1), "delta_o1": d1,
                "dE_dout_h1": d1 * mpf("0.4") + d2 * mpf("0.5"), "dout_dnet_h1": h1 * (1 - h1),
                "delta_h1": (d1 * mpf("0.4") + d2 * mpf("0.5")) * h1 * (1 - h1)}
        for name, v in want.items():
            assert abs(to_mpf(key.values[name]) - v) <= mpf("1e-30"), name


def test_classic_chain_printed_values_grade_correct():
    problem = load_problem(CHAIN)
    plan = make_plan(solve(problem))
    answers = "".join(f"  {q}: {v}\n" for q, v in MAZUR_CHAIN.items())
    # the write-up multiplies its printed factors into the deltas without printing them: so do we
    answers += "  delta_o1: 0.74136507*0.186815602\n  delta_h1: 0.036350306*0.241300709\n"
    result = submit(plan, answers)
    assert all(f.verdict == "correct" for f in result.fields), [(f.quantity, f.verdict) for f in result.fields]
    assert result.score == result.max_score == 10
    # the tolerance is the stated 0.001 %: 2 units off in the 5th digit fail
    assert submit(plan, "  dE_dout_o1: 0.74138\n").field("dE_dout_o1").verdict == "incorrect"


def test_delta_through_factors_gets_carried_credit_from_a_wrong_factor():
    plan = make_plan(solve(load_problem(CHAIN)))
    f = plan.fields["delta_o1"]
    assert f.formula == "delta_o1 = dE_dout_o1·dout_dnet_o1"
    # dE_dout_o1 with the target added instead of subtracted: 0.76136507; the delta follows from it
    r = submit(plan, "  dE_dout_o1: 0.76136507\n  dout_dnet_o1: 0.186815602\n  delta_o1: 0.142234814\n")
    assert r.field("dE_dout_o1").verdict == "incorrect"
    assert r.field("delta_o1").verdict == "carried" and r.field("delta_o1").points == 1
    # a hidden factor carried the same way: dE_dout_h1 wrong, delta_h1 = it times dout_dnet_h1
    r = submit(plan, "  dE_dout_h1: 0.04\n  delta_h1: 0.00965202836\n")
    assert r.field("delta_h1").verdict == "carried"


def test_factor_diagnoses():
    plan = make_plan(solve(load_problem(CHAIN)))
    r = submit(plan, "  dE_dout_o1: -0.74136507\n  dout_dnet_o1: 0.25\n")
    assert r.field("dE_dout_o1").diagnosis.id == "flipped_sign"
    # net(1 - net) instead of out(1 - out): 1.105905967·(1 - 1.105905967)
    r = submit(plan, "  dout_dnet_o1: -0.117122\n")
    assert r.field("dout_dnet_o1").diagnosis.id == "derivative_of_net"
    # dE_dout_h1 with the updated weights w5_new, w7_new (sequential update)
    k = plan.key.floats
    seq = k["delta_o1"] * k["w5_new"] + k["delta_o2"] * k["w7_new"]
    r = submit(plan, f"  dE_dout_h1: {seq!r}\n")
    assert r.field("dE_dout_h1").diagnosis.id == "sequential_update"


def test_template_and_check_describe_the_factors(capsys):
    assert main(["template", str(CHAIN)]) == 0
    out = capsys.readouterr().out
    assert "dE_dout_o1 = ∂E/∂o1, the loss's derivative by the output (activation) of o1" in out
    assert "dout_dnet_h1 = ∂h1/∂net_h1, the derivative of h1's activation at its net input" in out
    assert main(["check", str(CHAIN)]) == 0
    # the only warnings: at 0.001 % of the change, w5_new and w1_new need 7 and 9 significant digits (issue 12)
    warned = [line for line in capsys.readouterr().out.splitlines() if line.startswith("warning")]
    assert [w.split(":")[1].strip() for w in warned] == ["w5_new", "w1_new"]
    assert all("significant digits (more than 6)" in w for w in warned)


def test_softmax_outputs_have_no_dout_dnet():
    p = load_problem(REPO / "problems" / "softmax_ce.yaml")
    key = solve(p)
    outs = p.network.outputs
    assert all(f"dout_dnet_{o}" not in key.graph.nodes and f"dE_dout_{o}" in key.graph.nodes for o in outs)
    text = (REPO / "problems" / "softmax_ce.yaml").read_text().replace("quantities:", "quantities:\n    - dout_dnet_o1", 1)
    from grader.spec.load import problem_from_document

    with pytest.raises(SpecError, match="unknown quantity 'dout_dnet_o1'"):
        problem_from_document(load_yaml_text(text, source="s.yaml"))


def test_the_factors_resolve_from_the_textbook_spellings():
    from grader.spec.notation import Resolver

    r = Resolver.for_problem(load_problem(CHAIN))
    for sp in ["dE/dout_o1", "∂E_total/∂out_{o1}", "dE/do1", "\\frac{\\partial E_{total}}{\\partial out_{o1}}",
               "dE_total/dout_o1", "DE_DOUT_O1"]:
        assert r.resolve(sp).name == "dE_dout_o1", sp
    for sp in ["dout_o1/dnet_o1", "∂out_{o1}/∂net_{o1}", "\\frac{\\partial out_{o1}}{\\partial net_{o1}}",
               "do1/dnet_o1", "dout_dnet_o1"]:
        assert r.resolve(sp).name == "dout_dnet_o1", sp
    assert r.resolve("∂E_{total}/∂out_{h1}").name == "dE_dout_h1"
    # a declared net name works too (Han & Kamber's I6), and dE/dnet is not the error term there
    han = Resolver.for_problem(load_problem(HAN))
    assert han.resolve("∂O6/∂I6").name == "dout_dnet_O6" and han.resolve("dE/dI6").name is None
