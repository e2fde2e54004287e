"""An independent textbook oracle for the 2-2-2 sigmoid networks of the shipped problems (Exercise 6, the classic
example): every value written out as the textbook formula, computed with mpmath at 50 digits, never with the
project's solver. ``over`` replaces any value by a student's (a number, or a function of the values so far), and
everything after it is computed from the replaced value, as a student working by hand would."""

from __future__ import annotations

from typing import Callable, Mapping

import mpmath

mpmath.mp.dps = 50
M = mpmath.mpf

EX6 = dict(i1="0.8", i2="0.2", w1="-15", w2="20", w3="-25", w4="30", b1="0.35", w5="40", w6="45", w7="50", w8="55",
           b2="0.60", t1="0.9", t2="0.1", eta="0.3")
EX6_NETS = ("z1", "z2", "z3", "z4")
CLASSIC = dict(i1="0.05", i2="0.10", w1="0.15", w2="0.20", w3="0.25", w4="0.30", b1="0.35", w5="0.40", w6="0.45",
               w7="0.50", w8="0.55", b2="0.60", t1="0.01", t2="0.99", eta="0.5")
CLASSIC_NETS = ("net_h1", "net_h2", "net_o1", "net_o2")
# a third network (signs mixed, no saturation), shipped to the grader as YAML text built from these numbers
MIXED = dict(i1="0.6", i2="-0.4", w1="0.7", w2="-0.3", w3="0.2", w4="0.5", b1="0.1", w5="-0.6", w6="0.8", w7="0.3",
             w8="-0.45", b2="-0.2", t1="0.25", t2="0.8", eta="0.4")


def sigma(x):
    return 1 / (1 + mpmath.exp(-x))


def textbook(given: Mapping[str, str], nets=EX6_NETS, over: Mapping[str, object] | None = None) -> dict:
    over = over or {}
    v = {k: M(x) for k, x in given.items()}

    def put(name: str, value) -> None:
        o = over.get(name)
        v[name] = value if o is None else (o(v) if callable(o) else M(o))

    n1, n2, n3, n4 = nets
    put(n1, v["w1"] * v["i1"] + v["w2"] * v["i2"] + v["b1"])
    put(n2, v["w3"] * v["i1"] + v["w4"] * v["i2"] + v["b1"])
    put("h1", sigma(v[n1]))
    put("h2", sigma(v[n2]))
    put(n3, v["w5"] * v["h1"] + v["w6"] * v["h2"] + v["b2"])
    put(n4, v["w7"] * v["h1"] + v["w8"] * v["h2"] + v["b2"])
    put("o1", sigma(v[n3]))
    put("o2", sigma(v[n4]))
    put("E_o1", (v["t1"] - v["o1"]) ** 2 / 2)
    put("E_o2", (v["t2"] - v["o2"]) ** 2 / 2)
    put("E", v["E_o1"] + v["E_o2"])
    put("delta_o1", (v["o1"] - v["t1"]) * v["o1"] * (1 - v["o1"]))
    put("delta_o2", (v["o2"] - v["t2"]) * v["o2"] * (1 - v["o2"]))
    put("delta_h1", v["h1"] * (1 - v["h1"]) * (v["delta_o1"] * v["w5"] + v["delta_o2"] * v["w7"]))
    put("delta_h2", v["h2"] * (1 - v["h2"]) * (v["delta_o1"] * v["w6"] + v["delta_o2"] * v["w8"]))
    for w, d, a in (("w1", "delta_h1", "i1"), ("w2", "delta_h1", "i2"), ("w3", "delta_h2", "i1"),
                    ("w4", "delta_h2", "i2"), ("w5", "delta_o1", "h1"), ("w6", "delta_o1", "h2"),
                    ("w7", "delta_o2", "h1"), ("w8", "delta_o2", "h2")):
        put(f"grad_{w}", v[d] * v[a])
    put("grad_b1", v["delta_h1"] + v["delta_h2"])
    put("grad_b2", v["delta_o1"] + v["delta_o2"])
    for w in ("w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8"):
        put(f"{w}_new", v[w] - v["eta"] * v[f"grad_{w}"])
    return v


def sig(x, digits: int = 12) -> str:
    """``x`` as a decimal string of ``digits`` significant digits (what a student writes)."""
    return mpmath.nstr(M(x), digits, strip_zeros=False, min_fixed=-30, max_fixed=30)


def mixed_problem_yaml(ask: list[str], tolerance: str = "{rtol: 0.01, atol: 1.0e-12}") -> str:
    g = MIXED
    given = "\n".join(f"  {k}: {g[k]}" for k in g if k != "eta")
    asks = "\n".join(f"    - {q}" for q in ask)
    return f"""id: mixed222
title: "A 2-2-2 sigmoid network with mixed signs"
statement: "test network"
network:
  inputs: [i1, i2]
  layers:
    - neurons: [h1, h2]
      activation: sigmoid
      bias: b1
      weights: {{w1: [i1, h1], w2: [i2, h1], w3: [i1, h2], w4: [i2, h2]}}
    - neurons: [o1, o2]
      activation: sigmoid
      bias: b2
      weights: {{w5: [h1, o1], w6: [h2, o1], w7: [h1, o2], w8: [h2, o2]}}
given:
{given}
loss: half_sse
training: {{learning_rate: {g['eta']}, update_biases: false}}
ask:
  tolerance: {tolerance}
  quantities:
{asks}
"""


Override = Mapping[str, object | Callable[[dict], object]]
