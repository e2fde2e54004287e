"""Formula activations and losses (issue 11, item 7): our own grammar, exact derivatives on our own tree, exact
keys, worked formulas, carried credit and the generic diagnoses, and located errors where a formula is undefined.

Oracles: each formula written here as an mpmath function, central finite differences of it, and a forward pass of
the shipped x^(3/4) network written from its definition; never the solver's own output.
"""

from __future__ import annotations

from fractions import Fraction as F
from pathlib import Path

import mpmath
import pytest
from mpmath import mp, mpf

from grader.cli import main
from grader.errors import SpecError
from grader.grade.engine import grade, make_plan
from grader.parse.formula import FormulaError, parse_formula
from grader.solve.exact import ExactBackend
from grader.solve.expr import evaluate, to_text
from grader.solve.formula import activation_formula, loss_formula
from grader.solve.solver import solve
from grader.spec.load import load_problem, problem_from_document
from grader.submission.load import submission_from_document
from grader.yamlio import load_yaml_text

REPO = Path(__file__).resolve().parent.parent
POWER = REPO / "problems" / "power_221.yaml"
BACKEND = ExactBackend()


def value(e, **env):
    """``e`` evaluated exactly (a Fraction where it is rational)."""
    with mp.workdps(60):
        return evaluate(e, env, BACKEND)


def as_mpf(v):
    return mpf(v.numerator) / v.denominator if isinstance(v, F) else mpf(v)


def submit(plan, answers: str):
    text = f"problem: {plan.problem.id}\nstudent: {{id: 's1'}}\nanswers:\n{answers}"
    return grade(plan, submission_from_document(load_yaml_text(text, source="<test>")))


# ------------------------------------------------------------------------------------------------- the grammar

ACTIVATIONS = [  # (text, the same function written with mpmath)
    ("x^(3/4)", lambda x: x ** (mpf(3) / 4)),
    ("x^{3/4}", lambda x: x ** (mpf(3) / 4)),
    ("x**2 - 3*x", lambda x: x**2 - 3 * x),
    ("x²", lambda x: x**2),
    ("1/(1 + exp(-x))", lambda x: 1 / (1 + mp.exp(-x))),
    ("sigmoid(2*x) * tanh(x)", lambda x: 1 / (1 + mp.exp(-2 * x)) * mp.tanh(x)),
    ("sqrt(x) + ln(x) - log10(x) + log2(x)", lambda x: mp.sqrt(x) + mp.log(x) - mp.log10(x) + mp.log(x, 2)),
    ("2^x", lambda x: mpf(2) ** x),
    ("x^x", lambda x: x**x),
    ("e^(-x^2)", lambda x: mp.exp(-x**2)),
    ("\\max(0, x) + 0.1*\\min(0, x)", lambda x: max(0, x) + mpf("0.1") * min(0, x)),
    ("abs(x - 1)", lambda x: abs(x - 1)),
    ("−x / (1 + abs(x))", lambda x: -x / (1 + abs(x))),
]
POINTS = [mpf("0.3"), mpf("1.7"), mpf("2.25")]


@pytest.mark.parametrize("text, f", ACTIVATIONS, ids=[t for t, _ in ACTIVATIONS])
def test_formula_value_and_exact_derivative(text, f):
    fx, dfx = activation_formula(parse_formula(text, ("x",)))
    h = mpf("1e-25")
    with mp.workdps(60):
        for x in POINTS:
            assert abs(as_mpf(value(fx, x=x)) - f(x)) <= mpf("1e-50"), (text, x)
            fd = (f(x + h) - f(x - h)) / (2 * h)  # truncation ~h^2, rounding ~1e-60/h: 1e-35
            assert abs(as_mpf(value(dfx, x=x)) - fd) <= mpf("1e-30") * max(1, abs(fd)), (text, x, fd)


def test_derivatives_are_written_plainly():
    assert to_text(activation_formula(parse_formula("x^(3/4)", ("x",)))[1]) == "3/4·x^(-1/4)"
    assert to_text(loss_formula(parse_formula("(o - t)^2", ("o", "t")))[1]) == "2·(o − t)"
    assert to_text(activation_formula(parse_formula("x", ("x",)))[1]) == "1"


def test_rational_powers_stay_exact():
    fx, dfx = activation_formula(parse_formula("x^(3/4)", ("x",)))
    assert value(fx, x=F(16, 81)) == F(8, 27) and value(dfx, x=F(1, 16)) == F(3, 2)
    assert isinstance(value(fx, x=F(1, 2)), mpmath.mpf)  # 2^(-3/4) is irrational


@pytest.mark.parametrize("text, fragment", [
    ("y^2", "unknown name 'y'"),
    ("__import__('os')", "unexpected \"'\""),
    ("__import__", "unknown name '__import__'"),
    ("x.real", "unexpected '.'"),
    ("x(2)", "joined by an operator"),
    ("2x", "joined by an operator"),
    ("x^10000", "too large"),
    ("x^(1/100000)", "too large"),
    ("1e5000 * x", "exponent"),
    ("x / (1 - 1)", "division by zero"),
    ("max(x)", "takes 2 arguments"),
    ("exp x", "needs its argument in parentheses"),
    ("(x + 1", "missing ')'"),
    ("x^{2)", "missing '}'"),
    ("\\frac{1}{x}", "unknown command"),
    ("(" * 40 + "x" + ")" * 40, "nested too deeply"),
    ("x + " * 60 + "x", "too long"),
    ("", "empty"),
])
def test_hostile_or_wrong_formulas_are_refused_with_a_reason(text, fragment):
    with pytest.raises(FormulaError, match=None) as info:
        parse_formula(text, ("x",))
    assert fragment in str(info.value), str(info.value)


# --------------------------------------------------------------------------------- the shipped 2-2-1 problem


def power_by_hand():
    """Forward pass, loss and every gradient of problems/power_221.yaml written from the definitions (f(x) =
    x^(3/4), E = (o - t)^2), with central differences for the gradients: 60 digits."""
    f = lambda x: x ** (mpf(3) / 4)  # noqa: E731
    given = {"i1": "0.5", "i2": "0.25", "w1": "0.1", "w2": "0.05", "w3": "0.01", "w4": "0.0124", "w5": "0.5",
             "w6": "1", "b": "0.1"}

    def run(p, nudge=None):
        v = {k: mpf(x) for k, x in p.items()}
        nh1 = v["w1"] * v["i1"] + v["w2"] * v["i2"] + (nudge[1] if nudge and nudge[0] == "h1" else 0)
        nh2 = v["w3"] * v["i1"] + v["w4"] * v["i2"] + (nudge[1] if nudge and nudge[0] == "h2" else 0)
        no1 = v["w5"] * f(nh1) + v["w6"] * f(nh2) + v["b"] + (nudge[1] if nudge and nudge[0] == "o1" else 0)
        return {"net_h1": nh1, "h1": f(nh1), "net_h2": nh2, "h2": f(nh2), "net_o1": no1, "o1": f(no1),
                "E": (f(no1) - mpf("0.5")) ** 2}

    h = mpf("1e-25")
    with mp.workdps(60):
        out = run(given)
        for n in ("h1", "h2", "o1"):
            out[f"delta_{n}"] = (run(given, (n, h))["E"] - run(given, (n, -h))["E"]) / (2 * h)
        for p in ("w1", "w2", "w3", "w4", "w5", "w6", "b"):
            up, down = dict(given), dict(given)
            up[p], down[p] = mpf(given[p]) + h, mpf(given[p]) - h
            g = (run(up)["E"] - run(down)["E"]) / (2 * h)
            out[f"{p}_new"] = mpf(given[p]) - mpf("0.1") * g
        out["dE_dout_o1"] = 2 * (out["o1"] - mpf("0.5"))
        return out


def test_power_network_key_against_the_definitions():
    key = solve(load_problem(POWER))
    assert key.values["net_h1"] == F(1, 16) and key.values["h1"] == F(1, 8)  # (1/16)^(3/4) = 1/8, exactly
    assert key.values["net_h2"] == F(81, 10000) and key.values["h2"] == F(27, 1000)
    assert key.values["dout_dnet_h1"] == F(3, 2)  # 3/4·(1/16)^(-1/4)
    want = power_by_hand()
    with mp.workdps(60):
        for name, v in want.items():
            got = as_mpf(key.values[name])
            assert abs(got - v) <= mpf("1e-20") * max(1, abs(v)), (name, got, v)


def test_power_network_worked_formulas(capsys):
    assert main(["solve", str(POWER)]) == 0
    out = capsys.readouterr().out
    assert "h1 = net_h1^(3/4) = 0.0625^(3/4) = 0.125" in out
    assert "dout_dnet_h1 = 3/4·net_h1^(-1/4) = 3/4·0.0625^(-1/4) = 1.5" in out
    assert "E_o1 = (o1 − t1)^2" in out and "dE_dout_o1 = 2·(o1 − t1)" in out
    assert "delta_o1 = dE_dout_o1·dout_dnet_o1" in out
    assert main(["check", str(POWER)]) == 0
    assert "no warnings" in capsys.readouterr().out


def test_power_network_grades_right_work_carried_errors_and_generic_mistakes():
    plan = make_plan(solve(load_problem(POWER)))
    k = plan.key.floats
    right = "".join(f"  {a.quantity}: {k[a.quantity]!r}\n" for a in plan.problem.ask)
    r = submit(plan, right)
    assert r.score == r.max_score
    # h1 wrong (0.25 for 0.125): net_o1 and o1 computed from it are carried
    net_o1 = 0.5 * 0.25 + k["h2"] + 0.1
    r = submit(plan, f"  h1: 0.25\n  net_o1: {net_o1!r}\n  o1: {net_o1 ** 0.75!r}\n")
    assert r.field("h1").verdict == "incorrect"
    assert r.field("net_o1").verdict == "carried" and r.field("o1").verdict == "carried"
    # the activation's derivative forgotten: delta_o1 = 2(o1 - t1)
    r = submit(plan, f"  delta_o1: {2 * (k['o1'] - 0.5)!r}\n")
    assert r.field("delta_o1").diagnosis.id == "missing_derivative"
    # the loss taken as 1/2 (o - t)^2: delta_o1 half the right value
    r = submit(plan, f"  delta_o1: {k['delta_o1'] / 2!r}\n")
    assert r.field("delta_o1").diagnosis.id == "loss_scaling"
    # gradient ascent on w5
    r = submit(plan, f"  w5_new: {0.5 + (0.5 - k['w5_new'])!r}\n")
    assert r.field("w5_new").diagnosis.id == "flipped_sign"


# ------------------------------------------------------------------------------------- errors, located


def spec_error(text: str) -> SpecError:
    with pytest.raises(SpecError) as info:
        problem_from_document(load_yaml_text(text, source="p.yaml"))
    return info.value


def line_of(text: str, fragment: str, nth: int = 0) -> int:
    return [i for i, line in enumerate(text.splitlines(), start=1) if fragment in line][nth]


def test_undefined_activation_is_reported_at_the_neuron_and_its_net_input(tmp_path, capsys):
    text = POWER.read_text().replace("w1: 0.1,", "w1: -0.9,")  # net_h1 = -0.45 + 0.0125 < 0
    path = tmp_path / "p.yaml"
    path.write_text(text)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    line = line_of(text, 'formula: "x^(3/4)"')
    assert "p.yaml" in err and f":{line}:" in err
    assert "x^(3/4)" in err and "h1" in err and "net_h1 = -0.4375" in err and "not real" in err


def test_derivative_undefined_at_a_kink_is_reported():
    text = POWER.read_text().replace('activation: {formula: "x^(3/4)"}\n      weights: {w1',
                                     'activation: {formula: "abs(x)"}\n      weights: {w1')
    text = text.replace("w1: 0.1, w2: 0.05", "w1: 0.1, w2: -0.2")  # net_h1 = 0.05 - 0.05 = 0
    problem = problem_from_document(load_yaml_text(text, source="p.yaml"))
    with pytest.raises(SpecError) as info:
        solve(problem)
    err = info.value
    assert "derivative" in err.message and "abs(x)" in err.message and "net_h1 = 0" in err.message
    assert err.line == line_of(text, 'formula: "abs(x)"') and err.path == "network.layers[0].activation"


def test_undefined_loss_formula_is_reported():
    text = POWER.read_text().replace('loss: {formula: "(o - t)^2"}', 'loss: {formula: "ln(o - t)"}')
    problem = problem_from_document(load_yaml_text(text, source="p.yaml"))  # o1 < t1: ln of a negative
    with pytest.raises(SpecError) as info:
        solve(problem)
    assert "ln(o - t)" in info.value.message and "o1 = " in info.value.message
    assert info.value.path == "loss"


def test_formula_spec_errors_are_located():
    base = POWER.read_text()
    err = spec_error(base.replace('activation: {formula: "x^(3/4)"}\n      bias', 'activation: {formula: "y^2"}\n      bias'))
    assert err.path == "network.layers[1].activation.formula" and "unknown name 'y'" in err.message
    err = spec_error(base.replace('loss: {formula: "(o - t)^2"}', 'loss: {formula: "(o - x)^2"}'))
    assert err.path == "loss.formula" and "the variables here are o, t" in err.message
    err = spec_error(base.replace('{formula: "x^(3/4)"}\n      weights: {w1',
                                  '{formula: "x^(3/4)", kind: sigmoid}\n      weights: {w1'))
    assert "not both" in err.message
    err = spec_error(base.replace('loss: {formula: "(o - t)^2"}', "loss: {formula: 3}"))
    assert err.path.startswith("loss")
