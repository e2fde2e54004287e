"""A corpus of generated mistaken submissions with the mistake each one makes, for the diagnosis test and
``benchmarks/diagnosis_accuracy.py``.

Three 2-2-2 sigmoid networks (Exercise 6, the classic example, one with mixed signs) x every kind of mistake below x
two precisions (10 and 4 significant digits) x three ways of showing the work (the field alone; with the earlier
answers written out; with ``using`` stating the values plugged in). Every student value is computed with mpmath from
the textbook formulas with the mistake put in (``tests/textbook.py``), never with the project's solver.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from tests.textbook import CLASSIC, CLASSIC_NETS, EX6, EX6_NETS, MIXED, M, sig, sigma, textbook

NETWORKS = {"exercise6": (EX6, EX6_NETS), "classic": (CLASSIC, CLASSIC_NETS), "mixed": (MIXED, CLASSIC_NETS)}
ORDER = ("n1 n2 h1 h2 n3 n4 o1 o2 E_o1 E_o2 E delta_o1 delta_o2 delta_h1 delta_h2 grad_w1 grad_w2 grad_w3 grad_w4 "
         "grad_w5 grad_w6 grad_w7 grad_w8 grad_b1 grad_b2 w1_new w2_new w3_new w4_new w5_new w6_new w7_new "
         "w8_new").split()


@dataclass(frozen=True)
class Mistake:
    kind: str  # the diagnosis the grader should name
    label: str  # a short description, unique
    field: str  # the quantity written wrong ("n1" .. "n4" stand for the network's net names)
    value: Callable[[dict, tuple], object]  # the wrong value from the right values and the net names
    inputs: tuple[str, ...]  # what the field is computed from (for `using`)
    using: Callable[[dict, tuple], dict] | None = None  # a fixed `using` (mistakes made in what is plugged in)


def _n(nets, k):
    return nets[k - 1]


MISTAKES = [
    Mistake("bias_left_out", "z1 without b1", "n1", lambda v, n: v["w1"] * v["i1"] + v["w2"] * v["i2"], ("w1", "i1", "w2", "i2", "b1")),
    Mistake("wrong_bias", "z1 with b2", "n1", lambda v, n: v["w1"] * v["i1"] + v["w2"] * v["i2"] + v["b2"], ("w1", "i1", "w2", "i2", "b1")),
    Mistake("mixed_indices", "z1 with swapped inputs", "n1", lambda v, n: v["w1"] * v["i2"] + v["w2"] * v["i1"] + v["b1"], ("w1", "i1", "w2", "i2", "b1")),
    Mistake("dropped_term", "z1 without w2·i2", "n1", lambda v, n: v["w1"] * v["i1"] + v["b1"], ("w1", "i1", "w2", "i2", "b1")),
    Mistake("dropped_term", "z3 without w6·h2", "n3", lambda v, n: v["w5"] * v["h1"] + v["b2"], ("w5", "h1", "w6", "h2", "b2")),
    Mistake("sigmoid_sign", "h1 = σ(−z1)", "h1", lambda v, n: sigma(-v[_n(n, 1)]), ("n1",)),
    Mistake("sigmoid_sign", "o2 = σ(−z4)", "o2", lambda v, n: sigma(-v[_n(n, 4)]), ("n4",)),
    Mistake("zero", "h1 = 0", "h1", lambda v, n: 0, ("n1",)),
    Mistake("loss_scaling", "E_o1 without the half", "E_o1", lambda v, n: (v["t1"] - v["o1"]) ** 2, ("t1", "o1")),
    Mistake("loss_scaling", "E twice", "E", lambda v, n: 2 * (v["E_o1"] + v["E_o2"]), ("E_o1", "E_o2")),
    Mistake("dropped_term", "E = E_o1", "E", lambda v, n: v["E_o1"], ("E_o1", "E_o2")),
    Mistake("flipped_sign", "delta_o1 with t − o", "delta_o1", lambda v, n: (v["t1"] - v["o1"]) * v["o1"] * (1 - v["o1"]), ("o1", "t1")),
    Mistake("missing_derivative", "delta_o1 = o1 − t1", "delta_o1", lambda v, n: v["o1"] - v["t1"], ("o1", "t1")),
    Mistake("derivative_of_net", "delta_o1 with z3(1 − z3)", "delta_o1", lambda v, n: (v["o1"] - v["t1"]) * v[_n(n, 3)] * (1 - v[_n(n, 3)]), ("o1", "t1", "n3")),
    Mistake("derivative_of_sigma_out", "delta_o2 with σ(o2)(1 − σ(o2))", "delta_o2", lambda v, n: (v["o2"] - v["t2"]) * sigma(v["o2"]) * (1 - sigma(v["o2"])), ("o2", "t2")),
    Mistake("loss_scaling", "delta_o2 twice", "delta_o2", lambda v, n: 2 * (v["o2"] - v["t2"]) * v["o2"] * (1 - v["o2"]), ("o2", "t2")),
    Mistake("rounding_too_early", "delta_o2 rounded to 2 figures", "delta_o2", lambda v, n: M(sig(v["delta_o2"], 2)), ("o2", "t2")),
    Mistake("rounding_too_early", "delta_h1 rounded to 1 figure", "delta_h1", lambda v, n: M(sig(v["delta_h1"], 1)), ("h1", "delta_o1", "w5", "delta_o2", "w7")),
    Mistake("power_of_ten", "delta_o1 ten times", "delta_o1", lambda v, n: 10 * v["delta_o1"], ("o1", "t1")),
    Mistake("sequential_update", "delta_h1 with w5_new, w7_new", "delta_h1",
            lambda v, n: v["h1"] * (1 - v["h1"]) * (v["delta_o1"] * v["w5_new"] + v["delta_o2"] * v["w7_new"]), ("h1", "delta_o1", "w5", "delta_o2", "w7")),
    Mistake("mixed_indices", "delta_h1 with w6 for w7", "delta_h1",
            lambda v, n: v["h1"] * (1 - v["h1"]) * (v["delta_o1"] * v["w5"] + v["delta_o2"] * v["w6"]), ("h1", "delta_o1", "w5", "delta_o2", "w7")),
    Mistake("dropped_term", "delta_h1 without delta_o2·w7", "delta_h1",
            lambda v, n: v["h1"] * (1 - v["h1"]) * v["delta_o1"] * v["w5"], ("h1", "delta_o1", "w5", "delta_o2", "w7")),
    Mistake("missing_derivative", "delta_h1 without h1(1 − h1)", "delta_h1",
            lambda v, n: v["delta_o1"] * v["w5"] + v["delta_o2"] * v["w7"], ("h1", "delta_o1", "w5", "delta_o2", "w7")),
    Mistake("wrong_sign", "delta_h2 negated", "delta_h2", lambda v, n: -v["delta_h2"], ("h2", "delta_o1", "w6", "delta_o2", "w8")),
    Mistake("flipped_sign", "grad_w5 negated", "grad_w5", lambda v, n: -v["delta_o1"] * v["h1"], ("delta_o1", "h1")),
    Mistake("net_instead_of_activation", "grad_w6 with z2", "grad_w6", lambda v, n: v["delta_o1"] * v[_n(n, 2)], ("delta_o1", "h2")),
    Mistake("net_instead_of_activation", "w5_new with z1", "w5_new", lambda v, n: v["w5"] - v["eta"] * v["delta_o1"] * v[_n(n, 1)], ("w5", "eta", "delta_o1", "h1")),
    Mistake("flipped_sign", "w7_new ascent", "w7_new", lambda v, n: v["w7"] + v["eta"] * v["grad_w7"], ("w7", "eta", "grad_w7")),
    Mistake("missing_learning_rate", "w8_new without eta", "w8_new", lambda v, n: v["w8"] - v["grad_w8"], ("w8", "eta", "grad_w8")),
    Mistake("power_of_ten", "w1_new change ten times", "w1_new", lambda v, n: v["w1"] - 10 * v["eta"] * v["grad_w1"], ("w1", "eta", "grad_w1")),
    Mistake("zero", "w2_new not updated", "w2_new", lambda v, n: v["w2"], ("w2", "eta", "grad_w2")),
    Mistake("arithmetic", "z2 slip", "n2", lambda v, n: v[_n(n, 2)] * M("1.37") + M("0.21"), ("w3", "i1", "w4", "i2", "b1")),
    # mistakes in what is plugged in, shown by `using`
    Mistake("sequential_update", "delta_h1 using w5_new as w5", "delta_h1",
            lambda v, n: v["h1"] * (1 - v["h1"]) * (v["delta_o1"] * v["w5_new"] + v["delta_o2"] * v["w7_new"]), (),
            using=lambda v, n: {"h1": v["h1"], "delta_o1": v["delta_o1"], "w5": v["w5_new"], "delta_o2": v["delta_o2"], "w7": v["w7_new"]}),
    Mistake("mixed_indices", "delta_h1 using w6 in w7's slot", "delta_h1",
            lambda v, n: v["h1"] * (1 - v["h1"]) * (v["delta_o1"] * v["w5"] + v["delta_o2"] * v["w6"]), (),
            using=lambda v, n: {"h1": v["h1"], "delta_o1": v["delta_o1"], "w5": v["w5"], "delta_o2": v["delta_o2"], "w7": v["w6"]}),
    Mistake("uses_flagged_value", "delta_o1 from another o1", "delta_o1",
            lambda v, n: (M("0.3") - v["t1"]) * M("0.3") * (1 - M("0.3")), (),
            using=lambda v, n: {"o1": M("0.3"), "t1": v["t1"]}),
]

STYLES = ("alone", "upstream", "using")
PRECISIONS = (10, 4)


@dataclass(frozen=True)
class Case:
    network: str
    mistake: Mistake
    style: str
    digits: int
    answers: dict  # name -> text
    usings: dict  # field -> {name: text}

    @property
    def field(self) -> str:
        return _name(self.mistake.field, NETWORKS[self.network][1])


def _name(n: str, nets) -> str:
    return nets[int(n[1]) - 1] if n in ("n1", "n2", "n3", "n4") else n


def cases():
    for net_name, (given, nets) in NETWORKS.items():
        key = textbook(given, nets)
        for m in MISTAKES:
            field = _name(m.field, nets)
            wrong = M(m.value(key, nets))  # everything before the field is right: the key's values
            base = key[field[: -len("_new")]] if field.endswith("_new") else 0  # updates are judged on the change
            if abs((wrong - base) - (key[field] - base)) <= M("0.015") * abs(key[field] - base) + M("1e-12"):
                continue  # on this network the mistake gives the right number (within 1.5 %): nothing to name
            for style in STYLES if m.using is None else ("using",):
                for digits in PRECISIONS:
                    if abs(M(sig(wrong, digits)) - wrong) > M("0.002") * abs(wrong - base):
                        continue  # written this short, the number no longer shows the mistake (a change lost)
                    answers = {field: sig(wrong, digits)}
                    usings = {}
                    if style == "upstream":
                        for q in ORDER[: ORDER.index(m.field)] if m.field in ORDER else ():
                            answers.setdefault(_name(q, nets), sig(key[_name(q, nets)], 12))
                    elif style == "using":
                        plugged = m.using(key, nets) if m.using else {_name(i, nets): key[_name(i, nets)] for i in m.inputs}
                        usings[field] = {u: sig(x, 12) for u, x in plugged.items()}
                        if m.kind == "uses_flagged_value":  # the student's own o1 is the right one
                            answers["o1"] = sig(key["o1"], 12)
                    yield Case(net_name, m, style, digits, answers, usings)


def problem_yaml(net_name: str) -> str:
    given, nets = NETWORKS[net_name]
    n1, n2, n3, n4 = nets
    values = "\n".join(f"  {k}: {x}" for k, x in given.items() if k != "eta")
    asks = "\n".join(f"    - {_name(q, nets)}" for q in ORDER)
    return f"""id: corpus_{net_name}
title: "corpus network {net_name}"
statement: "generated"
network:
  inputs: [i1, i2]
  layers:
    - neurons: [h1, h2]
      activation: sigmoid
      nets: {{h1: {n1}, h2: {n2}}}
      bias: b1
      weights: {{w1: [i1, h1], w2: [i2, h1], w3: [i1, h2], w4: [i2, h2]}}
    - neurons: [o1, o2]
      activation: sigmoid
      nets: {{o1: {n3}, o2: {n4}}}
      bias: b2
      weights: {{w5: [h1, o1], w6: [h2, o1], w7: [h1, o2], w8: [h2, o2]}}
given:
{values}
loss: half_sse
training: {{learning_rate: {given['eta']}, update_biases: false}}
ask:
  tolerance: {{rtol: 0.01, atol: 1.0e-12}}
  quantities:
{asks}
"""


def submission_yaml(case: Case) -> str:
    lines = [f"problem: corpus_{case.network}", "student: {id: 's'}", "answers:"]
    for q, v in case.answers.items():
        if q in case.usings:
            using = ", ".join(f"{u}: '{x}'" for u, x in case.usings[q].items())
            lines.append(f"  {q}: {{value: '{v}', using: {{{using}}}}}")
        else:
            lines.append(f"  {q}: '{v}'")
    for q, u in case.usings.items():
        if q not in case.answers:
            raise AssertionError(q)
    return "\n".join(lines) + "\n"


def run(grade_one) -> dict:
    """kind -> [(label, network, style, digits, named)] for every case; ``grade_one(network, text)`` returns the
    diagnosis id (or None) the grader names for the field."""
    out: dict = {}
    for case in cases():
        named = grade_one(case.network, submission_yaml(case), case.field)
        out.setdefault(case.mistake.kind, []).append((case.mistake.label, case.network, case.style, case.digits, named))
    return out


def project_grader():
    """``grade_one`` with this project's grader (plans solved once per network)."""
    from grader.grade.engine import grade, make_plan
    from grader.solve.solver import solve
    from grader.spec.load import problem_from_document
    from grader.submission.load import submission_from_document
    from grader.yamlio import load_yaml_text

    plans = {}

    def grade_one(network: str, text: str, field: str):
        if network not in plans:
            plans[network] = make_plan(solve(problem_from_document(load_yaml_text(problem_yaml(network), source="<corpus>"))))
        r = grade(plans[network], submission_from_document(load_yaml_text(text, source="<corpus>")))
        f = r.field(field)
        if f.verdict == "correct" or f.verdict == "carried":
            return f"({f.verdict})"
        return f.diagnosis.id if f.diagnosis else None

    return grade_one
