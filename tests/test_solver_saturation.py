"""The solver's saturation bound from a float pass (issue 16 item 5), against the independent oracle of
test_solver_oracle.py (a 100-digit forward pass written from the definitions).

The bound is the ceiling of the sum, over sigmoid/tanh/softmax layers, of the layer's largest |net| (over every
step and example); it sets the solver's starting precision. The float pass must give exactly that integer or say
it cannot (None): then the solver computes it from an exact evaluation, as it always did.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction as F

import mpmath
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from mpmath import mp, mpf

from grader.solve import solver
from grader.solve.graph import build_graph
from grader.solve.saturation import Undecided, float_pass, float_smallness
from grader.spec.problem import Activation
from netbuild import exercise6, layered, problem
from test_solver_oracle import DPS, _saturated, oracle, problems

SATURATING = ("sigmoid", "tanh", "softmax")


def oracle_nets(prob):
    """{key name of a net input: its 100-digit value} for every neuron, step and example, from the oracle."""
    with mp.workdps(DPS):
        expected, _, info = oracle(prob, deltas=False)
    pattern = {n: re.compile(re.escape(neu.net) + r"(_s\d+)?(_x\d+)?$") for n, neu in prob.network.neurons.items()}
    return {name: (n, v) for name, v in expected.items() for n, pat in pattern.items() if pat.match(name)}, info


def oracle_bound(prob, nets=None) -> int:
    nets = oracle_nets(prob)[0] if nets is None else nets
    largest = {}
    net = prob.network
    for n, v in nets.values():
        if net.activation_of(n).kind in SATURATING:
            layer = net.neurons[n].layer
            largest[layer] = max(largest.get(layer, mpf(0)), abs(v))
    with mp.workdps(DPS):
        return int(mpmath.ceil(sum(largest.values(), mpf(0))))


def check_intervals(prob, nets=None):
    """Every net input the float pass computed lies within its error bound of the oracle's value."""
    try:
        bounds = float_pass(prob, build_graph(prob))
    except Undecided:
        return
    nets = oracle_nets(prob)[0] if nets is None else nets
    with mp.workdps(DPS):
        for name, (v, r) in bounds.items():
            if name in nets:
                exact = nets[name][1]
                assert abs(mpf(v) - exact) <= mpf(r), (name, v, r, mpmath.nstr(exact, 30))


# Random networks, weights scaled up to saturate them: the float pass's answer, when it gives one, is the oracle's.
scaled = st.sampled_from([1, 10, 60, 250])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), scaled)
def test_float_bound_is_the_exact_bound_or_none(prob, scale):
    prob = problem(prob.network, {p: v * scale for p, v in prob.params.items()},
                   [(ex.inputs, ex.targets) for ex in prob.examples], loss=prob.loss,
                   lr=prob.training.learning_rate, steps=prob.training.steps,
                   update_biases=prob.training.update_biases, batch=prob.training.batch,
                   momentum=prob.training.momentum)
    nets, info = oracle_nets(prob)
    assume(info["max_net"] < 700)  # the oracle's own 100 digits: nothing past e^-700
    got = float_smallness(prob, build_graph(prob))
    assert got is None or got == oracle_bound(prob, nets)
    check_intervals(prob, nets)


def test_float_bound_decides_ordinary_networks():
    # The speed-up is real only if the float pass decides the usual case: Exercise 6 and a 3-layer sigmoid net.
    import test_solver_oracle_more as more

    for prob in (exercise6(), more.dense((4, 8, 4), "sigmoid", 3), more.dense((3, 6, 5, 2), "tanh", 2)):
        got = float_smallness(prob, build_graph(prob))
        assert got is not None and got == oracle_bound(prob)
        check_intervals(prob)


@pytest.mark.parametrize("z", [85, 300, F(85) + F(1, 10**15)])
def test_sum_at_an_integer_is_left_to_the_exact_pass(z):
    # |net| = 85 exactly: the float sum sits on an integer, its ceiling cannot be told from floats; 85 + 1e-15 is
    # 85.0 as a float, so only the exact pass (through its own rounding to float) can say what the solver uses.
    prob = _saturated(z)
    assert float_smallness(prob, build_graph(prob)) is None


def test_sum_off_an_integer_is_decided():
    prob = _saturated(F(171, 2))
    assert float_smallness(prob, build_graph(prob)) == 86 == oracle_bound(prob)


@pytest.mark.parametrize("depth, weight", [(4, 250), (5, 201), (6, 150)])
def test_saturated_chains(depth, weight):
    names = [f"h{k}" for k in range(1, depth)] + ["o1"]
    net = layered(["i1"], [([n], Activation("sigmoid")) for n in names], with_bias=False)
    prob = problem(net, {p: F(weight) + F(1, 3) for p in net.params}, [({"i1": F(1)}, {"o1": F(0)})])
    got = float_smallness(prob, build_graph(prob))
    assert got is None or got == oracle_bound(prob)
    check_intervals(prob)


def test_overflow_is_left_to_the_exact_pass():
    # exp(800) is past the float range: the softmax's float pass gives up instead of guessing.
    net = layered(["i1"], [(["o1", "o2"], Activation("softmax"))], with_bias=False)
    prob = problem(net, {"w1_o1_i1": F(800), "w1_o2_i1": F(-3)}, [({"i1": F(1)}, {"o1": F(1), "o2": F(0)})],
                   loss="categorical_cross_entropy")
    assert float_smallness(prob, build_graph(prob)) is None


def test_no_saturating_layer_is_zero():
    net = layered(["i1"], [(["h1"], Activation("relu")), (["o1"], Activation("linear"))])
    prob = problem(net, {p: F(3) for p in net.params}, [({"i1": F(1)}, {"o1": F(0)})])
    assert float_smallness(prob, build_graph(prob)) == 0


def _exact_passes(monkeypatch, prob):
    seen = []
    real = solver._evaluate_all
    monkeypatch.setattr(solver, "_evaluate_all", lambda g, dps, p=None: (seen.append(dps), real(g, dps, p))[1])
    key = solver.solve(prob)
    return seen, key


def test_solver_skips_the_starting_pass_when_floats_decide(monkeypatch):
    seen, key = _exact_passes(monkeypatch, exercise6())
    small = oracle_bound(exercise6())
    dps = solver.START_DPS + math.ceil(2 * small / math.log(10))
    assert seen == [dps, 2 * dps] and key.dps == 2 * dps  # once the 60-digit pass came first, only to bound


def test_solver_falls_back_to_the_starting_pass(monkeypatch):
    seen, key = _exact_passes(monkeypatch, _saturated(85))
    assert seen[0] == solver.START_DPS and len(seen) == 3


def test_refusal_names_the_oracle_sum():
    # net1 = 1500.5 * 0.7 = 1050.35, net2 ~ 1500.5: the sum's ceiling is 2551, far past what can be graded.
    net = layered(["i1"], [(["h1"], Activation("sigmoid")), (["o1"], Activation("sigmoid"))], with_bias=False)
    prob = problem(net, {p: F(15005, 10) for p in net.params}, [({"i1": F(7, 10)}, {"o1": F(0)})])
    assert float_smallness(prob, build_graph(prob)) == 2551 == oracle_bound(prob)
    with pytest.raises(Exception, match="adding up to 2551 over the layers"):
        solver.solve(prob)
