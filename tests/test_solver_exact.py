"""The exact arithmetic's helpers that the solver's speed rests on (issue 16 item 5), each against exact rational
arithmetic (an mpf is exactly man * 2^exp, a Fraction), never against the code's own output."""

from __future__ import annotations

import dataclasses
from fractions import Fraction as F

import mpmath
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.solve.exact import ConvertOnce, ExactBackend, agree, is_noise, power_of_ten
from grader.solve.graph import build_graph
from grader.spec.problem import Activation
from netbuild import layered, problem


def exact(x) -> F:
    """The exact rational value of an mpf."""
    sign, man, exp, _ = x._mpf_
    v = F(man) * (F(2) ** exp)
    return -v if sign else v


def test_agree_is_not_fooled_by_the_ambient_precision():
    # Regression: agree() rounded both values to the ambient precision (15 digits by default) before comparing, so
    # values equal to 16 digits "agreed" to 34 and the solver's precision-doubling check passed them.
    with mpmath.workdps(100):
        a = mpmath.mpf(1) / 3
        b = a + mpmath.mpf(10) ** -20
        c = a + mpmath.mpf(10) ** -60
    with mpmath.workdps(15):  # the default precision, where the solver makes this check
        assert not agree(a, b, 34)
        assert agree(a, c, 34)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 10**40), st.integers(-300, 300), st.integers(-10**6, 10**6), st.integers(30, 40),
       st.booleans())
def test_agree_is_the_exact_comparison(man, exp, offset, digits, negative):
    # b = man * 2^exp; a = b * (1 + offset * 10^-(digits + 6)): every side of |a - b| <= |b| 10^-digits, near it too.
    with mpmath.workdps(200):
        b = mpmath.mpf(man) * mpmath.mpf(2) ** exp * (-1 if negative else 1)
        a = b * (1 + mpmath.mpf(offset) * mpmath.mpf(10) ** -(digits + 6))
    A, B = exact(a), exact(b)
    ratio = abs(A - B) / (abs(B) * F(1, 10**digits))
    if abs(ratio - 1) > F(1, 10**12):  # at the boundary itself a rounding may go either way
        assert agree(a, b, digits) == (ratio <= 1)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 10**30), st.integers(-1200, 0), st.integers(60, 500))
def test_is_noise_is_the_exact_comparison(man, exp, dps):
    with mpmath.workdps(120):
        v = mpmath.mpf(man) * mpmath.mpf(2) ** exp
    e = -(3 * dps) // 4
    ratio = exact(v) / (F(1, 10**-e))
    if abs(ratio - 1) > F(1, 10**12):
        assert is_noise(v, dps) == (ratio <= 1)
        assert is_noise(-v, dps) == (ratio <= 1)
    assert not is_noise(F(0), dps)  # an exact value is never noise


def test_power_of_ten_once_per_precision():
    with mpmath.workdps(80):
        p = power_of_ten(-34)
        assert power_of_ten(-34) is p
        assert abs(exact(p) - F(1, 10**34)) <= F(1, 10**34) * F(1, 2**mpmath.mp.prec)
    with mpmath.workdps(300):
        q = power_of_ten(-34)
        assert q is not p and abs(exact(q) - F(1, 10**34)) <= F(1, 10**34) * F(1, 2**mpmath.mp.prec)


def test_convert_once():
    w = F(-99, 100)
    with mpmath.workdps(75):
        b = ConvertOnce()
        m = b.lift(w)
        assert b.lift(w) is m  # converted once, however often it is used
        assert abs(exact(m) - w) <= abs(w) * F(1, 2**mpmath.mp.prec)
        x = mpmath.mpf(2) / 3
        assert b.lift(x) is x  # an mpf of the evaluation is used as it is, not copied
        with mpmath.workdps(150):
            assert ConvertOnce().lift(w) is not m  # a new evaluation, a new precision


@settings(max_examples=100, deadline=None)
@given(st.lists(st.fractions(max_denominator=10**6), min_size=2, max_size=6), st.lists(st.booleans(), min_size=6,
                                                                                       max_size=6))
def test_convert_once_gives_the_reference_numbers(values, as_mpf):
    # Bit for bit the numbers of ExactBackend (which converts at every use): same sums and products.
    with mpmath.workdps(75):
        ref, fast = ExactBackend(), ConvertOnce()
        xs = [mpmath.mpf(v.numerator) / v.denominator if m else v for v, m in zip(values, as_mpf)]
        r = f = xs[0]
        for k, x in enumerate(xs[1:]):
            r, f = (ref.add(r, x), fast.add(f, x)) if k % 2 else (ref.mul(r, x), fast.mul(f, x))
            assert type(r) is type(f) and (r == f if isinstance(r, F) else r._mpf_ == f._mpf_)


class CountingItems(dict):
    calls = 0

    def items(self):
        CountingItems.calls += 1
        return super().items()


def test_outgoing_weights_indexed_once():
    # build_graph once scanned every weight for every neuron's back-propagated sum (quadratic in the width).
    sig = Activation("sigmoid")
    net = layered(["i1", "i2"], [(["h1", "h2", "h3"], sig), (["g1", "g2"], sig), (["o1"], sig)])
    net = dataclasses.replace(net, weights=CountingItems(net.weights))
    prob = problem(net, {p: F(1, 2) for p in net.params}, [({"i1": F(1), "i2": F(0)}, {"o1": F(1)})], steps=3)
    CountingItems.calls = 0
    graph = build_graph(prob)
    assert CountingItems.calls <= 1
    # the sums still run over the leaving weights in declared order: dE/dh1 = delta_g1·w + delta_g2·w
    from grader.solve.expr import to_text

    assert to_text(graph.nodes["dE_dout_h1"].expr) == "delta_g1·w2_g1_h1 + delta_g2·w2_g2_h1"
    assert to_text(graph.nodes["dE_dout_h1_s2"].expr) == "delta_g1_s2·w2_g1_h1_new + delta_g2_s2·w2_g2_h1_new"


def test_node_is_a_frozen_value():
    # Node sets its fields in one call instead of the dataclass's one-by-one __init__: still a frozen value.
    import pytest

    from grader.solve.expr import Sym
    from grader.solve.graph import Node

    a = Node("w5_new", "new", Sym("w5"), "w5 after step 1", 1, param="w5", base="w5")
    b = dataclasses.replace(a)
    assert a == b and hash(a) == hash(b) and a.step == 1 and a.example is None and a.base == "w5"
    assert dataclasses.replace(a, step=2) != a
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.name = "x"
