"""The name resolver (grader.spec.notation): every spelling of issue 11 item 1, both ways, on every shipped problem.

The spellings are generated here from the *structure* of each name (its prefix, its suffix, its subscripts), not
from the resolver's own tables, so a spelling the resolver drops makes a test fail.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.spec.load import load_problem
from grader.spec.notation import MAX_LEN, Resolution, Resolver, normalise
from grader.spec.spellingtable import STRUCTURAL_ROWS, spelling_table

REPO = Path(__file__).resolve().parent.parent
PROBLEM_FILES = sorted(p for p in (REPO / "problems").glob("*.yaml") if "questions:" not in p.read_text())


@pytest.fixture(scope="module", params=[p.name for p in PROBLEM_FILES])
def resolver(request) -> Resolver:
    return Resolver.for_problem(load_problem(REPO / "problems" / request.param))


def _subscripts(base: str) -> list[str]:
    """``w5`` -> w5, w_5, w_{5}, W5; ``h2_3`` -> h2_3, h_{2,3}; ``net_h1`` -> net_{h1}."""
    out = [base, base.upper()]
    m = re.fullmatch(r"([A-Za-z]+)(\d+)", base)
    if m:
        out += [f"{m[1]}_{m[2]}", f"{m[1]}_{{{m[2]}}}"]
    m = re.fullmatch(r"([A-Za-z]+)(\d+)_(\d+)", base)
    if m:
        out += [f"{m[1]}_{{{m[2]},{m[3]}}}"]
    m = re.fullmatch(r"([A-Za-z]+)_(\w+)", base)
    if m:
        out += [f"{m[1]}_{{{m[2]}}}"]
    return out


def _suffix_spellings(sfx: str) -> list[str]:
    if not sfx:
        return [""]
    step = re.search(r"_s(\d+)", sfx)
    ex = re.search(r"_x(\d+)", sfx)
    steps = [f"_s{step[1]}", f"_step{step[1]}", f"_{{s{step[1]}}}"] if step else [""]
    exs = [f"_x{ex[1]}", f"_ex{ex[1]}", f"_{{x{ex[1]}}}"] if ex else [""]
    return [a + b for a in steps for b in exs]


def spellings(name: str, neurons: set[str]) -> list[str]:
    """How people write ``name`` (issue 11 item 1)."""
    m = re.fullmatch(r"(.+?)((?:_s\d+)?(?:_x\d+)?)", name)
    stem, sfx = m[1], m[2]
    forms: list[str] = [stem, stem.upper(), stem.swapcase()]
    if stem.startswith("delta_"):
        b = stem[6:]
        forms += [f"δ_{s}" for s in _subscripts(b)] + [f"\\delta_{{{s}}}" for s in _subscripts(b)]
        forms += [f"Δ_{b}", f"delta {b}", f"DELTA_{b.upper()}", f"δ{b}", f"$\\delta_{{{b}}}$"]
        forms += [f"dE/dnet_{b}", f"∂E/∂net_{{{b}}}"]
        b2 = re.sub(r"([a-z])(\d)", r"\1_\2", b)
        forms += [f"\\delta_{{{b2}}}"]
    elif stem.startswith("grad_"):
        b = stem[5:]
        forms += [f"dE/d{b}", f"∂E/∂{b}", f"dE_total/d{b}", f"\\frac{{\\partial E}}{{\\partial {b}}}"]
        forms += [f"\\frac{{\\partial E_{{total}}}}{{\\partial {s}}}" for s in _subscripts(b)]
        forms += [f"\\frac{{\\partial E}}{{\\partial {s}}}" for s in _subscripts(b)]
        forms += [f"\\dfrac{{dE}}{{d{b}}}", f"grad {b}"]
    elif stem.endswith("_new"):
        b = stem[:-4]
        forms += [f"{b}'", f"{b}+", f"{b}^{{+}}", f"{b}^{{new}}", f"new_{b}", f"{b}_NEW", f"{b}’", f"{b}′",
                  f"{b}^{{\\prime}}", f"{b.upper()}_new"]
        forms += [f"{s}'" for s in _subscripts(b)] + [f"{s}^{{+}}" for s in _subscripts(b)]
        h = re.fullmatch(r"([A-Za-z]+)(.+)", b)
        if h:
            forms += [f"{h[1]}'_{h[2]}", f"{h[1]}'_{{{h[2]}}}"]
    elif stem == "E":
        forms += ["E_total", "E_{total}", "E_tot", "$E_{total}$"]
    elif stem == "eta":
        forms += ["η", "\\eta", "lr", "alpha", "learning_rate", "$\\eta$", "α", "LR"]
    elif stem == "mu":
        forms += ["μ", "\\mu", "momentum"]
    elif stem.startswith("E_"):
        forms += [f"E_{{{s}}}" for s in _subscripts(stem[2:])]
    elif stem in neurons:
        forms += [f"out_{stem}", f"out_{{{stem}}}"] + _subscripts(stem)
    else:
        forms += _subscripts(stem)
    return [f + s for f in dict.fromkeys(forms) for s in _suffix_spellings(sfx)]


def test_every_generated_name_spelled_every_way_resolves_back(resolver, request):
    neurons = {n for n in resolver.names if f"delta_{n}" in resolver.names or any(
        q.startswith(f"delta_{n}_") for q in resolver.names)}
    # with delta_convention: minus_dE_dnet a delta is -dE/dnet: the derivative spellings do not name it
    minus = load_problem(REPO / "problems" / request.node.callspec.params["resolver"]).delta_convention != "dE_dnet"
    wrong = []
    for name in resolver.names:
        for sp in spellings(name, neurons):
            if minus and sp.startswith(("dE/dnet_", "∂E/∂net_")):
                continue
            got = resolver.resolve(sp)
            if got.name != name:
                wrong.append((sp, name, got))
    assert not wrong, wrong[:10]


def test_net_inputs_resolve_from_net_and_neuron_spellings():
    p = load_problem(REPO / "problems" / "exercise6.yaml")  # nets declared z1..z4
    r = Resolver.for_problem(p)
    assert p.network.neurons["h1"].net == "z1"
    for sp in ["net_h1", "net_{h1}", "NET_H1", "z_1", "z_{1}", "Z1"]:
        assert r.resolve(sp).name == "z1", sp
    # delta as the derivative with respect to the declared net name
    assert r.resolve("∂E/∂z3").name == "delta_o1"
    assert r.resolve("\\frac{\\partial E_{total}}{\\partial net_{o1}}").name == "delta_o1"
    assert r.resolve("target_o2").name == "t2" and r.resolve("target_{o1}").name == "t1"


def test_change_of_a_weight_is_not_the_weight():
    r = Resolver.for_problem(load_problem(REPO / "problems" / "exercise6.yaml"))
    for sp in ["Δw5", "\\Delta w_5", "delta_w5", "dw5"]:
        res = r.resolve(sp)
        assert res.name is None and not res.ambiguous, sp
        assert "w5" not in res.suggestions, (sp, res)  # never the given for an asked quantity
    res = r.resolve("Δw5")
    assert "w5_new" in res.suggestions and "change" in res.note


def test_the_weight_after_the_first_step_is_the_first_update_only():
    """``w_5^{(1)}`` (the weight after one step, as ``/work/shared/notes/notation.md`` lists it) and ``w_5^{t+1}``
    are ``w5_new``; in a two-step problem ``w_5^{(2)}`` is not read as the first update (nor as any name)."""
    r = Resolver.for_problem(load_problem(REPO / "problems" / "exercise6.yaml"))
    assert r.resolve("w_5^{(1)}").name == "w5_new" and r.resolve("w_5^{t+1}").name == "w5_new"
    two = Resolver.for_problem(load_problem(REPO / "problems" / "two_steps.yaml"))
    assert two.resolve("w_5^{(1)}").name == "w5_new"
    assert two.resolve("w_5^{(2)}").name is None


def test_ambiguous_spelling_names_both():
    r = Resolver(["W1", "w1", "h1"], asked=["h1"])
    assert r.resolve("W1").name == "W1" and r.resolve("w1").name == "w1"  # exact names win
    res = r.resolve("w_1")
    assert res.name is None and res.ambiguous == ("W1", "w1")
    assert "W1 and w1" in res.hint()


def test_alias_that_fits_two_names_is_ambiguous():
    r = Resolver(["o1", "o2", "delta_o1", "delta_o2"], aliases={"y": "o1", "Y": "o2"})
    assert r.resolve("y").name == "o1" and r.resolve("Y").name == "o2"  # as written
    assert r.resolve("δ_y").ambiguous == ("delta_o1", "delta_o2")


def test_unknown_spelling_suggests_asked_quantities_first_never_a_given():
    r = Resolver(["w1", "grad_w1", "w1_new", "h1", "delta_h1"], asked=["w1_new", "delta_h1"], givens=["w1"])
    res = r.resolve("w1_nwe")
    assert res.name is None and res.suggestions[0] == "w1_new" and "w1" not in res.suggestions
    res = r.resolve("delta_h")
    assert res.suggestions and res.suggestions[0] == "delta_h1"
    assert r.resolve("zzz_qqq").suggestions == ()


def test_notation_aliases_of_a_course():
    r = Resolver(["o1", "delta_o1", "o1_s2", "t1"], aliases={"y_hat": "o1", "\\hat{y}": "o1"})
    assert r.resolve("y_hat").name == "o1"
    assert r.resolve("\\hat{y}").name == "o1" and r.resolve("$\\hat y$").name == "o1"
    assert r.resolve("\\delta_{\\hat{y}}").name == "delta_o1"
    assert r.resolve("y_hat_s2").name == "o1_s2"
    with pytest.raises(ValueError):
        Resolver(["o1"], aliases={"y": "o7"})


def test_builtin_words_yield_to_a_real_name():
    r = Resolver(["alpha", "eta"])
    assert r.resolve("alpha").name == "alpha" and r.resolve("ALPHA").name == "alpha"
    assert r.resolve("lr").name == "eta"


def test_step_one_suffix_is_the_plain_name():
    r = Resolver(["w5_new", "w5_new_s2", "o1", "o1_s2"])
    assert r.resolve("w5_new_s1").name == "w5_new" and r.resolve("w5'_s2").name == "w5_new_s2"
    assert r.resolve("o1_step2").name == "o1_s2"


@pytest.mark.parametrize("text", ["w_{5_s2}^{+}", "w_{5_s2}'", "w5_s2+", "w_{5_{s2}}^{+}"])
def test_an_updates_mark_after_the_step_suffix(text):
    """LaTeX reads ``w_5^{+}_{s2}`` (the README's spelling of w5 after step 2) as ``w_{5_s2}^{+}``: the step's
    suffix before the update's mark. A write-up that spelled it so had "not a quantity of this problem"."""
    r = Resolver(["w5_new", "w5_new_s2", "o1", "o1_s2"])
    assert r.resolve(text).name == "w5_new_s2"
    assert r.resolve("w_{5_s1}^{+}").name == "w5_new" and r.resolve("o_{1_s2}^{+}").name is None


def test_a_writeup_names_an_update_after_step_two_as_the_readme_spells_it(tmp_path):
    from grader.grade.pipeline import Grader

    path = tmp_path / "two.md"
    path.write_text("$w_5^{+}_{s2} = 0.6756$\n\n$b_3^{+}_{s2} = 0.1$\n", encoding="utf-8")
    result = Grader(problem="two_steps").grade_file(path)
    assert result.field("w5_new_s2").given == 0.6756 and result.field("w5_new_s2").source == "line 1"
    assert result.unattributed == ()


@pytest.mark.parametrize("text", ["", "   ", "{", "}", "w_{5", "\\", "$", "\\frac", "\\frac{", "a" * (MAX_LEN + 1),
                                  "{" * 40 + "w5" + "}" * 40])
def test_normaliser_refuses_garbage_without_crashing(text):
    assert normalise(text) in (None, "w5") or isinstance(normalise(text), str)
    Resolver(["w5"]).resolve(text)  # never raises


def test_normaliser_limits():
    assert normalise("a" * (MAX_LEN + 1)) is None
    assert normalise("{" * 40 + "w5" + "}" * 40) is None  # deeper than MAX_DEPTH
    assert normalise("{{w5}}") == "w5"


_NAMES = ["w5", "w5_new", "grad_w5", "delta_o1", "o1", "E", "E_o1", "eta", "h2_3", "w2_1_3", "net_h1", "t1"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=MAX_LEN + 10))
def test_property_never_crashes_and_only_returns_problem_names(text):
    r = Resolver(_NAMES, asked=["w5_new"], givens=["w5", "eta", "t1"])
    res = r.resolve(text)
    assert isinstance(res, Resolution)
    assert res.name is None or res.name in _NAMES
    assert all(n in _NAMES for n in res.ambiguous + res.suggestions)
    assert not (res.name and res.ambiguous)


@pytest.mark.parametrize("text", ["❶", "w❶", "o❶", "delta_o❷", "w5_s➀", "h❿"])
def test_digits_that_are_no_number_to_int_do_not_crash(text):
    """``str.isdigit`` is true of ❶, ❷ and ➀, which ``int`` cannot read (nor NFKC makes them 1, 2, 1): a name such as
    ``o❶`` (a YAML key, a write-up's name) once made the resolver raise (exit 1, a bug)."""
    res = Resolver(_NAMES, asked=["w5_new"], givens=["w5", "eta", "t1"]).resolve(text)
    assert isinstance(res, Resolution) and res.name is None


def test_a_submission_whose_answer_key_is_a_circled_digit_is_graded(tmp_path):
    from grader.cli import main

    sub = tmp_path / "s.yaml"
    sub.write_text("problem: exercise6\nstudent: {id: '1', name: A B}\nanswers:\n  z1: -7.65\n  \"o❶\": 1\n",
                   encoding="utf-8")
    assert main([str(sub), "--format", "json", "--out", str(tmp_path / "r.json")]) == 0
    assert "o❶" in (tmp_path / "r.json").read_text(encoding="utf-8")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["\\frac", "{", "}", "_", "^", "\\delta", "δ", "w", "5", "'", "+", "∂", "/", "$",
                                 "E", "\\left(", "\\right)", " ", "\\,", "total", "new", "s", "x", "2"]),
                max_size=80))
def test_property_latexish_token_soup(tokens):
    r = Resolver(_NAMES)
    res = r.resolve("".join(tokens))
    assert res.name is None or res.name in _NAMES


def test_readme_has_the_spelling_table():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert spelling_table() in readme
    # and every spelling the table lists resolves on a problem that has the base
    r = Resolver(["w5", "grad_w5", "w5_new", "v_w5", "o1", "delta_o1", "E", "E_o1", "net_o1", "eta", "mu"])
    base = {"delta": "o1", "loss_part": "o1", "net": "o1", "plain": "w5", "grad": "w5", "new": "w5", "velocity": "w5"}
    from grader.spec.notation import BUILTIN_ALIASES, KINDS

    for k in KINDS:
        for sp in k.spellings:
            assert r.resolve(sp.replace("@", base[k.id])).name == k.make.format(base[k.id]), sp
    for target, words in BUILTIN_ALIASES.items():
        for w in words:
            assert r.resolve(w).name == target, w
    ex6 = Resolver.for_problem(load_problem(REPO / "problems" / "exercise6.yaml"))
    steps = Resolver(["w5", "w5_new", "w5_new_s2", "o1", "delta_o1_x1", "delta_o1_x2"])
    for _, name, sps in STRUCTURAL_ROWS:
        for sp in sps:
            assert (ex6 if name in ex6.names else steps).resolve(sp).name == name, sp


# ---------------------------------------------------------------------------------------------------------------
# `notation:` in the problem spec
def _spec_with(notation_yaml: str):
    from grader.spec.load import problem_from_document
    from grader.yamlio import load_yaml_text

    text = (REPO / "problems" / "exercise6.yaml").read_text(encoding="utf-8") + notation_yaml
    return problem_from_document(load_yaml_text(text, source="p.yaml"))


def test_spec_notation_aliases_resolve():
    p = _spec_with('notation: {y_hat: o1, "\\\\hat{y}_2": o2, Err_o1: delta_o1}\n')
    assert p.notation == {"y_hat": "o1", "\\hat{y}_2": "o2", "Err_o1": "delta_o1"}
    r = Resolver.for_problem(p)
    assert r.resolve("y_hat").name == "o1" and r.resolve("\\hat{y}_{2}").name == "o2"
    assert r.resolve("δ_{y_hat}").name == "delta_o1" and r.resolve("ERR_O1").name == "delta_o1"


@pytest.mark.parametrize("yaml_text, words", [
    ("notation: {y_hat: o9}\n", ["'o9'", "not a name"]),
    ("notation: {W5: o1}\n", ["collides", "'w5'"]),
    ("notation: {h1: o1}\n", ["collides", "'h1'"]),
    ("notation: {\"{y\": o1}\n", ["cannot be read"]),
])
def test_spec_notation_errors_are_located(yaml_text, words):
    from grader.errors import SpecError

    with pytest.raises(SpecError) as exc:
        _spec_with(yaml_text)
    e = exc.value
    assert e.path and e.path.startswith("notation.") and e.line is not None
    for w in words:
        assert w in e.message
