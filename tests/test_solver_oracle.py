"""The solver against independent oracles, never against its own output.

The oracle below is a plain forward pass (nets, activations, loss) written from the definitions, at 100 digits.
Gradients and deltas come from central finite differences of that loss, (L(x+h) - L(x-h)) / 2h with h = 1e-25
(truncation error O(h^2) ~ 1e-50, rounding ~ 1e-75), so they share no formula with the solver's backward pass.
For ReLU/linear networks the oracle runs on Fractions: there the loss is quadratic in any single parameter or net
perturbation (away from kinks), so the central difference is the exact derivative and the key must equal it exactly.
Only the Problem data types are imported from grader.spec; nothing from grader.solve but ``solve`` itself.
"""

from __future__ import annotations

from fractions import Fraction as F

import mpmath
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from mpmath import mp, mpf

from grader.solve.solver import solve
from grader.spec.problem import Activation, Layer, Network, Neuron
from netbuild import exercise6, layered, problem

DPS = 100
KINK = mpf("1e-10")  # no ReLU/leaky net closer than this to 0 (the difference quotient must not straddle a kink)
FD_REL, FD_ABS = mpf("1e-28"), mpf("1e-40")  # gradients and deltas: 28 significant digits (FD error ~1e-45)
FWD_REL, FWD_ABS = mpf("1e-30"), mpf("1e-60")  # forward values: 30 significant digits


def to_mpf(x):
    """Fraction -> mpf without passing through float (at the ambient precision)."""
    return mpf(x.numerator) / x.denominator if isinstance(x, F) else mpf(x)


# ----------------------------------------------------------------------------------------------- the oracle


def _activate(act: Activation, z: dict):
    if act.kind == "softmax":
        e = {n: mp.exp(v) for n, v in z.items()}
        total = sum(e.values())
        return {n: v / total for n, v in e.items()}
    f = {
        "sigmoid": lambda v: 1 / (1 + mp.exp(-v)),
        "tanh": mp.tanh,
        "relu": lambda v: v if v > 0 else 0 * v,
        "leaky_relu": lambda v: v if v > 0 else act.slope * v,
        "linear": lambda v: v,
    }[act.kind]
    return {n: f(v) for n, v in z.items()}


def _loss_terms(loss: str, pairs: dict) -> dict:
    m = len(pairs)
    term = {
        "half_sse": lambda o, t: (t - o) ** 2 / 2,
        "sse": lambda o, t: (t - o) ** 2,
        "mse": lambda o, t: (t - o) ** 2 / m,
        "binary_cross_entropy": lambda o, t: -(t * mp.log(o) + (1 - t) * mp.log(1 - o)),
        "categorical_cross_entropy": lambda o, t: -t * mp.log(o),
    }[loss]
    return {k: term(o, t) for k, (o, t) in pairs.items()}


def forward(prob, params, example, perturb=None, conv=to_mpf):
    """One example's forward pass. ``perturb = (neuron, eps)`` adds eps to that neuron's net input.

    Returns every net/activation value by name, ``E_<output>`` and ``E`` (this example's loss)."""
    net = prob.network
    vals = {name: conv(v) for name, v in example.inputs.items()}
    for layer in net.layers:
        z = {}
        for n in layer.neurons:  # wiring read from the parameter tables: weight -> (src, dst), bias -> neurons
            z[n] = sum((params[w] * vals[src] for w, (src, dst) in net.weights.items() if dst == n), conv(F(0)))
            z[n] += sum((params[b] for b, fed in net.biases.items() if n in fed), conv(F(0)))
            if perturb is not None and perturb[0] == n:
                z[n] += perturb[1]
        a = _activate(layer.activation, z)
        for n in layer.neurons:
            vals[net.neurons[n].net], vals[n] = z[n], a[n]
    terms = _loss_terms(prob.loss, {o: (vals[o], conv(example.targets[o])) for o in net.outputs})
    vals.update({f"E_{o}": v for o, v in terms.items()})
    vals["E"] = sum(terms.values(), conv(F(0)))
    return vals


def batch_loss(prob, params, conv=to_mpf):
    losses = [forward(prob, params, ex, conv=conv)["E"] for ex in prob.examples]
    total = sum(losses[1:], losses[0])
    return total / len(losses) if prob.training.batch == "mean" else total


def central(f, h):
    return (f(h) - f(-h)) / (2 * h)


def oracle(prob, *, exact=False, deltas=True):
    """Run the problem's training with the oracle's own gradients. Returns (expected, kind, info):
    expected maps quantity names (problem.py's naming convention) to values, kind maps them to
    forward/grad/delta/new/velocity; info has the smallest |net| at a ReLU kink, the largest |net| and, for
    each p_new, the change p_new - p."""
    conv = (lambda q: q) if exact else to_mpf
    h = F(1, 10**25) if exact else mpf("1e-25")
    net, tr = prob.network, prob.training
    params = {p: conv(v) for p, v in prob.params.items()}
    updated = list(net.weights) + (list(net.biases) if tr.update_biases else [])
    velocity = {p: conv(F(0)) for p in updated}
    eta, mu = conv(tr.learning_rate), conv(tr.momentum) if tr.momentum is not None else None
    expected, kind = {}, {}
    info = {"kink": mpf("inf"), "max_net": mpf(0), "changes": {}}

    def put(name, value, k):
        expected[name], kind[name] = value, k

    def shifted(p, e):
        return {**params, p: params[p] + e}

    for step in range(1, tr.steps + 1):
        s = f"_s{step}" if step > 1 else ""
        for j, ex in enumerate(prob.examples, start=1):
            x = s + (f"_x{j}" if prob.batched else "")
            vals = forward(prob, params, ex, conv=conv)
            for name, v in vals.items():
                if name not in ex.inputs:
                    put(name + x, v, "forward")
            for n, neu in net.neurons.items():
                z = abs(to_mpf(vals[neu.net]))
                info["max_net"] = max(info["max_net"], z)
                if net.activation_of(n).kind in ("relu", "leaky_relu"):
                    info["kink"] = min(info["kink"], z)
                if deltas:  # dE/dnet_n of this example's loss
                    put(f"delta_{n}{x}", central(lambda e: forward(prob, params, ex, (n, e), conv)["E"], h), "delta")
            if prob.batched:  # per-example gradients
                for p in net.params:
                    put(f"grad_{p}{x}", central(lambda e: forward(prob, shifted(p, e), ex, conv=conv)["E"], h), "grad")
        if prob.batched:
            put("E" + s, batch_loss(prob, params, conv), "forward")
        grads = {p: central(lambda e: batch_loss(prob, shifted(p, e), conv), h) for p in net.params}
        for p, g in grads.items():
            put(f"grad_{p}{s}", g, "grad")
        for p in updated:  # simultaneous update, after every gradient of the step is known
            before = params[p]
            if mu is None:
                params[p] = params[p] - eta * grads[p]
            else:
                velocity[p] = mu * velocity[p] - eta * grads[p]
                put(f"v_{p}{s}", velocity[p], "velocity")
                params[p] = params[p] + velocity[p]
            put(f"{p}_new{s}", params[p], "new")
            info["changes"][f"{p}_new{s}"] = params[p] - before
    return expected, kind, info


def check_against_oracle(key, result, kinds):
    """Every quantity of the given kinds in the oracle's ``result`` is in the key and agrees with it."""
    expected, kind, info = result
    tol = {"forward": (FWD_REL, FWD_ABS), "grad": (FD_REL, FD_ABS), "delta": (FD_REL, FD_ABS),
           "new": (FD_REL, FD_ABS), "velocity": (FD_REL, FD_ABS)}
    bad = []
    with mp.workdps(DPS):
        for name, want in expected.items():
            if kind[name] not in kinds:
                continue
            assert name in key.values, f"solver has no {name}"
            got, want = to_mpf(key.values[name]), to_mpf(want)
            rel, ab = tol[kind[name]]
            scale = abs(want)
            if kind[name] == "new":  # relative to the change p_new - p (p_new itself is dominated by p)
                scale = abs(to_mpf(info["changes"][name]))
            if abs(got - want) > max(rel * scale, ab):
                bad.append(f"{name}: solver {mpmath.nstr(got, 40)} oracle {mpmath.nstr(want, 40)}")
    assert not bad, "\n".join(bad)


# ------------------------------------------------------------------------------------- random networks

HIDDEN = [Activation("sigmoid"), Activation("tanh"), Activation("relu"), Activation("leaky_relu"),
          Activation("leaky_relu", slope=F(1, 5)), Activation("linear")]
OUTPUT = [("sigmoid", "half_sse"), ("sigmoid", "sse"), ("sigmoid", "mse"), ("sigmoid", "binary_cross_entropy"),
          ("linear", "half_sse"), ("linear", "sse"), ("linear", "mse"), ("tanh", "sse"),
          ("softmax", "categorical_cross_entropy")]
small = st.integers(-40, 40).map(lambda k: F(k, 20))


@st.composite
def problems(draw, hidden=tuple(HIDDEN), output=tuple(OUTPUT)):
    inputs = [f"i{k}" for k in range(1, draw(st.integers(1, 3)) + 1)]
    sizes = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    out_kind, loss = draw(st.sampled_from(output))
    outs = [f"o{k}" for k in range(1, draw(st.integers(1, 3)) + 1)]
    layers = [([f"{'hgk'[li]}{k}" for k in range(1, size + 1)], draw(st.sampled_from(hidden)))
              for li, size in enumerate(sizes)] + [(outs, Activation(out_kind))]
    bias = draw(st.sampled_from(["shared", "per_neuron", "none"]))
    net = layered(inputs, layers, shared_bias=bias == "shared", with_bias=bias != "none")
    params = {p: draw(small) for p in net.params}
    examples = []
    for _ in range(draw(st.integers(1, 3))):
        x = {i: draw(small) for i in inputs}
        if out_kind == "softmax":
            if draw(st.booleans()):  # one-hot
                hot = draw(st.sampled_from(outs))
                t = {o: F(int(o == hot)) for o in outs}
            else:  # soft targets summing to 1
                w = [draw(st.integers(1, 5)) for _ in outs]
                t = {o: F(wk, sum(w)) for o, wk in zip(outs, w)}
        elif out_kind == "sigmoid":
            t = {o: F(draw(st.integers(0, 20)), 20) for o in outs}
        elif out_kind == "tanh":
            t = {o: F(draw(st.integers(-20, 20)), 20) for o in outs}
        else:
            t = {o: draw(small) for o in outs}
        examples.append((x, t))
    return problem(net, params, examples, loss=loss, lr=draw(st.sampled_from([F(1, 10), F(1, 2), F(1)])),
                   steps=draw(st.integers(1, 2)), update_biases=draw(st.booleans()),
                   batch=draw(st.sampled_from(["sum", "mean"])),
                   momentum=draw(st.sampled_from([None, F(1, 2), F(9, 10)])))


def _oracle_for(prob, **kw):
    with mp.workdps(DPS):
        result = oracle(prob, **kw)
    assume(result[2]["kink"] > KINK)  # no ReLU net at (or within 1e-10 of) its kink
    assume(result[2]["max_net"] < 40)  # no deep saturation here (tested on its own below)
    return result


rand = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@rand
@given(problems())
def test_random_gradients_and_updates(prob):
    expected = _oracle_for(prob, deltas=False)  # first: its assume() drops saturated draws, which the solver refuses
    check_against_oracle(solve(prob), expected, {"grad", "new", "velocity"})


@rand
@given(problems())
def test_random_deltas(prob):
    expected = _oracle_for(prob)  # first: its assume() drops saturated draws, which the solver refuses
    check_against_oracle(solve(prob), expected, {"delta"})


@rand
@given(problems())
def test_random_forward_values(prob):
    expected = _oracle_for(prob, deltas=False)  # first: its assume() drops saturated draws, which the solver refuses
    check_against_oracle(solve(prob), expected, {"forward"})


@rand
@given(problems(hidden=(Activation("relu"), Activation("leaky_relu"), Activation("linear")),
                output=(("linear", "half_sse"), ("linear", "sse"), ("linear", "mse"))))
def test_relu_linear_networks_are_exact(prob):
    expected = _oracle_for(prob, exact=True)[0]
    key = solve(prob)
    inexact = [k for k, v in key.values.items() if not isinstance(v, F)]
    assert not inexact, f"not exact: {inexact[:5]}"
    wrong = {k: (key.values[k], v) for k, v in expected.items() if key.values[k] != v}
    assert not wrong, wrong


def _softmax_net(case):
    """Softmax + cross-entropy nets where some quantity is exactly 0 by the softmax identity sum(o_k - t_k) = 0."""
    sm = Activation("softmax")
    if case == "shared_bias":
        # net_o1 = 1/2 + b1, net_o2 = -1/2 + b1 (i1 = 1, b1 = 0), targets (1, 0):
        # delta_o1 = o1 - 1 = -(1 - sigmoid(1)) = -0.26894142..., delta_o2 = +0.26894142..., grad_b1 = 0 exactly.
        net = layered(["i1"], [(["o1", "o2"], sm)], shared_bias=True)
        params = {"w1_o1_i1": F(1, 2), "w1_o2_i1": F(-1, 2), "b1": F(0)}
    else:
        # h1 = sigmoid(1/2) feeds o1 and o2 with the same weight 2/5, so delta_h1 = h1(1 - h1)*(2/5)*(delta_o1 +
        # delta_o2) = 0 exactly, and so are grad_w1_h1_i1 and grad_b_h1.
        net = layered(["i1"], [(["h1"], Activation("sigmoid")), (["o1", "o2"], sm)])
        params = {"w1_h1_i1": F(1, 2), "b_h1": F(0), "w2_o1_h1": F(2, 5), "w2_o2_h1": F(2, 5), "b_o1": F(1),
                  "b_o2": F(0)}
    return problem(net, params, [({"i1": F(1)}, {"o1": F(1), "o2": F(0)})], loss="categorical_cross_entropy")


@pytest.mark.parametrize("case", ["shared_bias", "equal_outgoing_weights"])
def test_softmax_exact_zero(case):
    # Regression: these zeros come out of the arithmetic as rounding noise (grad_b1: 3.9e-62 at 60 digits,
    # 4.8e-122 at 120, -3.7e-242 at 240) that never agrees to 32 relative digits; solve() used to raise SpecError.
    prob = _softmax_net(case)
    key = solve(prob)
    zero = "grad_b1" if case == "shared_bias" else "delta_h1"
    assert key.values[zero] == 0
    with mp.workdps(DPS):
        result = oracle(prob)
    check_against_oracle(key, result, {"forward", "grad", "delta", "new"})


# ------------------------------------------------------------------------------------ hand-checked cases


def mazur():
    """Matt Mazur, "A Step by Step Backpropagation Example" (2015): the 2-2-2 sigmoid net."""
    sig = Activation("sigmoid")
    wiring = {"w1": ("i1", "h1"), "w2": ("i2", "h1"), "w3": ("i1", "h2"), "w4": ("i2", "h2"),
              "w5": ("h1", "o1"), "w6": ("h2", "o1"), "w7": ("h1", "o2"), "w8": ("h2", "o2")}
    biases = {"b1": ("h1", "h2"), "b2": ("o1", "o2")}
    neurons = {
        n: Neuron(n, layer, f"net_{n}", b, tuple((w, s) for w, (s, d) in wiring.items() if d == n))
        for layer, b, ns in ((1, "b1", ("h1", "h2")), (2, "b2", ("o1", "o2"))) for n in ns
    }
    net = Network(("i1", "i2"), (Layer(("h1", "h2"), sig), Layer(("o1", "o2"), sig)), neurons, wiring, biases)
    values = dict(w1=".15", w2=".20", w3=".25", w4=".30", b1=".35", w5=".40", w6=".45", w7=".50", w8=".55",
                  b2=".60")
    return problem(net, {k: F(v) for k, v in values.items()},
                   [({"i1": F(".05"), "i2": F(".10")}, {"o1": F(".01"), "o2": F(".99")})],
                   lr=F(1, 2), update_biases=False)


MAZUR_PUBLISHED = {
    "net_h1": "0.3775", "h1": "0.593269992", "h2": "0.596884378", "o1": "0.75136507", "o2": "0.772928465",
    "E": "0.298371109", "grad_w5": "0.082167041",
    "w5_new": "0.35891648", "w6_new": "0.408666186", "w7_new": "0.511301270", "w8_new": "0.561370121",
    "w1_new": "0.149780716", "w2_new": "0.19956143", "w3_new": "0.24975114", "w4_new": "0.29950229",
}


def test_mazur_published_values():
    key = solve(mazur())
    assert key.values["net_h1"] == F("0.3775")  # .15*.05 + .2*.1 + .35, exact
    with mp.workdps(DPS):
        for name, published in MAZUR_PUBLISHED.items():
            got = to_mpf(key.values[name])
            assert abs(got - mpf(published)) <= mpf("1e-8"), (name, mpmath.nstr(got, 20), published)
    assert "b1_new" not in key.values and "b2_new" not in key.values  # biases frozen


def test_mazur_against_oracle():
    prob = mazur()
    with mp.workdps(DPS):
        result = oracle(prob)
    check_against_oracle(solve(prob), result, {"forward", "grad", "delta", "new"})


def test_exercise6_exact_net_and_deltas():
    prob = exercise6()
    key = solve(prob)
    # z1 = w1*i1 + w2*i2 + b1 = -15*0.8 + 20*0.2 + 0.35 = -12 + 4 + 0.35 = -7.65
    assert isinstance(key.values["z1"], F) and key.values["z1"] == F("-7.65")
    assert key.values["z2"] == F(-25) * F("0.8") + F(30) * F("0.2") + F("0.35")  # -13.65
    with mp.workdps(DPS):
        result = oracle(prob)
    check_against_oracle(key, result, {"forward", "delta", "grad", "new"})


# ------------------------------------------------------------------------------------------- saturation


def _saturated(z):
    """o1 = sigmoid(z * i1) with i1 = 1, no bias, target 0, half_sse: delta_o1 = (o - t) * sigma'(z)."""
    net = layered(["i1"], [(["o1"], Activation("sigmoid"))], with_bias=False)
    return problem(net, {"w1_o1_i1": F(z)}, [({"i1": F(1)}, {"o1": F(0)})])


def _check_saturated(z):
    key = solve(_saturated(z))
    with mp.workdps(DPS):
        zz = mpf(z)
        o = 1 / (1 + mp.exp(-zz))
        want = (o - 0) * mp.exp(-zz) / (1 + mp.exp(-zz)) ** 2
        got = to_mpf(key.values["delta_o1"])
        assert got != 0, f"delta_o1 is 0 at net = {z}; the true value is {mpmath.nstr(want, 30)}"
        assert abs(got - want) <= abs(want) * mpf("1e-30"), (mpmath.nstr(got, 40), mpmath.nstr(want, 40))
        grad = to_mpf(key.values["grad_w1_o1_i1"])
        assert abs(grad - want) <= abs(want) * mpf("1e-30")  # times i1 = 1


def test_saturated_sigmoid_net_85():
    _check_saturated(85)


def test_saturated_sigmoid_net_300():
    # Regression: sigmoid(300) rounds to 1 at both 60 and 120 digits, so o*(1 - o) was 0 at both, the doubling
    # check saw agreement and delta_o1 = 0 came out instead of 5.1482002224...e-131.
    _check_saturated(300)


# Regression: a chain of saturated sigmoids multiplies one tiny sigma' per layer (sigma'(250)^4 ~ e^-1000); the
# solver once took delta_h1 ~ 7.93e-428 for a cancelled zero and stored an exact 0.
@pytest.mark.parametrize("depth, weight", [(4, 250), (4, 300), (5, 250), (5, 200), (6, 150)])
def test_deep_saturated_chain(depth, weight):
    names = [f"h{k}" for k in range(1, depth)] + ["o1"]
    net = layered(["i1"], [([n], Activation("sigmoid")) for n in names], with_bias=False)
    key = solve(problem(net, {p: F(weight) for p in net.params}, [({"i1": F(1)}, {"o1": F(0)})]))
    with mp.workdps(DPS):  # chain rule with sigma'(x) = exp(-x)/(1 + exp(-x))^2: no cancellation at any depth
        a, slopes = mpf(1), []
        for _ in names:
            x = weight * a
            a = 1 / (1 + mp.exp(-x))
            slopes.append(mp.exp(-x) / (1 + mp.exp(-x)) ** 2)
        want = a * slopes[-1]  # delta_o1 = (o1 - 0) * sigma'(net_o1)
        for s in reversed(slopes[:-1]):
            want = want * weight * s
        got = to_mpf(key.values["delta_h1"])
        assert abs(got - want) <= abs(want) * mpf("1e-30"), (mpmath.nstr(got, 30), mpmath.nstr(want, 30))
