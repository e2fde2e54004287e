"""The error term as Han & Kamber and Mitchell write it, Err_j = O_j(1 - O_j)(T_j - O_j) = −∂E/∂net_j, read in
answers, ``using`` values and write-ups: on a problem whose delta is ∂E/∂net (the default) an ``Err_o1`` is
``delta_o1`` with its sign changed, and the report says so; on a problem that declares ``delta_convention:
minus_dE_dnet`` it is the delta itself. The oracle is the textbook's formulas computed with mpmath
(``tests/textbook.py``), the error terms written out here as the books define them."""

from __future__ import annotations

import pytest

from grader.grade.pipeline import Grader
from grader.spec.find import find_problem
from grader.spec.load import load_problem
from grader.spec.notation import Resolver
from grader.spec.resolverstate import from_state, state
from textbook import EX6, sig, textbook

V = textbook(EX6)
# the books' error terms, written out: Err_o = O(1 - O)(T - O); Err_h = H(1 - H) Σ Err_o w
ERR = {"o1": V["o1"] * (1 - V["o1"]) * (V["t1"] - V["o1"]), "o2": V["o2"] * (1 - V["o2"]) * (V["t2"] - V["o2"])}
ERR["h1"] = V["h1"] * (1 - V["h1"]) * (ERR["o1"] * V["w5"] + ERR["o2"] * V["w7"])
ERR["h2"] = V["h2"] * (1 - V["h2"]) * (ERR["o1"] * V["w6"] + ERR["o2"] * V["w8"])


def test_the_oracles_error_terms_are_minus_the_deltas():
    for n in ("o1", "o2", "h1", "h2"):
        assert abs(ERR[n] + V[f"delta_{n}"]) <= 1e-40 * abs(ERR[n])


@pytest.mark.parametrize("spelling, name", [
    ("Err_o1", "delta_o1"), ("Err_{o_1}", "delta_o1"), ("\\mathrm{Err}_{h_1}", "delta_h1"), ("Error_o2", "delta_o2"),
    ("err_h2", "delta_h2"),
])
def test_error_term_spellings_resolve_to_the_delta_negated(spelling, name):
    resolver = Resolver.for_problem(load_problem(find_problem("exercise6")))
    res = resolver.resolve(spelling)
    assert (res.name, res.negated) == (name, True)
    again = from_state(state(resolver)).resolve(spelling)  # as a cached plan's resolver reads it
    assert (again.name, again.negated) == (name, True)


@pytest.mark.parametrize("spelling", ["Err_total", "Err_w5", "Err_x9", "Error"])
def test_an_error_term_of_no_neuron_is_unknown(spelling):
    res = Resolver.for_problem(load_problem(find_problem("exercise6"))).resolve(spelling)
    assert res.name is None and not res.negated


def test_on_a_problem_whose_delta_is_the_error_term_it_is_the_delta_itself(tmp_path):
    """Han & Kamber's own example declares delta = Err = −∂E/∂I: ``Err_6`` (the book's name, the problem's
    ``notation:``) and ``Err_{O_5}`` are its deltas, with no change of sign and no warning."""
    res = Resolver.for_problem(load_problem(find_problem("han_kamber_321"))).resolve("Err_{O_5}")
    assert (res.name, res.negated) == ("delta_O5", False)
    path = tmp_path / "hk.yaml"
    path.write_text("problem: han_kamber_321\nanswers:\n  Err_6: 0.1311\n  Err_{O_5}: -0.0065\n", encoding="utf-8")
    result = Grader().grade_file(path)
    # the book's table of error terms gives Err_6 = 0.1311 and Err_5 = -0.0065
    assert result.field("delta_O6").verdict == "correct" and result.field("delta_O5").verdict == "correct"
    assert not any("error term" in w for w in result.warnings)


def yaml_answers(tmp_path, body: str):
    path = tmp_path / "err.yaml"
    path.write_text("problem: exercise6\nanswers:\n" + body, encoding="utf-8")
    return Grader().grade_file(path)


def test_yaml_error_terms_are_graded_as_deltas_with_the_sign_changed_and_said(tmp_path):
    body = "".join(f"  Err_{n}: {sig(ERR[n], 10)}\n" for n in ("o1", "o2", "h1", "h2"))
    result = yaml_answers(tmp_path, body)
    for n in ("o1", "o2", "h1", "h2"):
        f = result.field(f"delta_{n}")
        assert f.verdict == "correct" and f.points == f.max_points, n
        assert abs(f.given - float(-ERR[n])) <= 1e-9 * abs(float(ERR[n])), n
    note = next(w for w in result.warnings if "'Err_o1'" in w)
    assert f"your Err_o1 = {sig(ERR['o1'], 10)} is graded as delta_o1 = -{sig(ERR['o1'], 10)}" in note
    assert note.startswith("line 3: ")


def test_the_same_numbers_as_deltas_are_wrong(tmp_path):
    """The sign is what the names say: the error terms' values written as the output deltas are marked wrong (the
    flipped sign named); the hidden deltas, which follow from them, are credited as carried (the error once)."""
    body = "".join(f"  delta_{n}: {sig(ERR[n], 10)}\n" for n in ("o1", "o2", "h1", "h2"))
    result = yaml_answers(tmp_path, body)
    for n in ("o1", "o2"):
        f = result.field(f"delta_{n}")
        assert f.verdict == "incorrect" and f.diagnosis.id == "flipped_sign", n
        assert "(t − o) gives −∂E/∂net, the error term of Mitchell" in f.diagnosis.text  # what the student computed
    assert [result.field(f"delta_{n}").verdict for n in ("h1", "h2")] == ["carried", "carried"]
    assert not any("error term" in w for w in result.warnings)


def test_error_terms_in_using_are_the_deltas_negated(tmp_path):
    """δ_h1 computed from the error terms the student used: consistent with their own Err answers, no flag."""
    body = (f"  Err_o1: {sig(ERR['o1'], 10)}\n  Err_o2: {sig(ERR['o2'], 10)}\n"
            f"  delta_h1:\n    value: {sig(V['delta_h1'], 10)}\n"
            f"    using: {{Err_o1: {sig(ERR['o1'], 10)}, Err_o2: {sig(ERR['o2'], 10)}, h1: {sig(V['h1'], 10)}}}\n"
            f"  w5_new:\n    value: {sig(V['w5_new'], 14)}\n    using: {{Err_o1: {sig(ERR['o1'], 10)}}}\n")
    result = yaml_answers(tmp_path, body)
    assert result.field("delta_h1").verdict == "correct" and result.field("w5_new").verdict == "correct"
    assert result.flags == ()


def writeup(lines: list[str]) -> str:
    return "# 20231234 — Lena Park\n\n" + "\n\n".join(f"$${line}$$" for line in lines) + "\n"


def test_a_writeup_in_the_error_term_convention_earns_the_deltas(tmp_path):
    o1, o2, h1, h2 = (sig(V[n], 8) for n in ("o1", "o2", "h1", "h2"))
    text = writeup([
        f"o_1 = {o1}", f"o_2 = {o2}", f"h_1 = {h1}", f"h_2 = {h2}",
        f"Err_{{o_1}} = o_1 (1 - o_1)(t_1 - o_1) = {o1} (1 - {o1})(0.9 - {o1}) = {sig(ERR['o1'], 8)}",
        f"Err_{{o_2}} = {o2} (1 - {o2})(0.1 - {o2}) = {sig(ERR['o2'], 8)}",
        f"Err_{{h_1}} = h_1 (1 - h_1)(Err_{{o_1}} w_5 + Err_{{o_2}} w_7) = {sig(ERR['h1'], 8)}",
        f"Err_{{h_2}} = {sig(ERR['h2'], 8)}",
        f"w_5' = w_5 + \\eta \\, Err_{{o_1}} h_1 = 40 + 0.3 \\cdot {sig(ERR['o1'], 8)} \\cdot {h1} = {sig(V['w5_new'], 14)}",
    ])
    path = tmp_path / "err.md"
    path.write_text(text, encoding="utf-8")
    result = Grader(problem="exercise6").grade_file(path)
    for q in ("delta_o1", "delta_o2", "delta_h1", "delta_h2", "w5_new", "o1", "h1"):
        assert result.field(q).verdict == "correct", (q, result.field(q).message)
    assert result.flags == ()  # the Err formula gives −δ on the problem's values: not a wrong formula
    assert sum("is read as an error term" in w for w in result.warnings) == 4
    assert any(w.startswith("line 11: 'Err_o1' is read as an error term") for w in result.warnings), result.warnings


def test_the_error_term_formula_under_the_delta_name_is_a_wrong_formula(tmp_path):
    o1 = sig(V["o1"], 8)
    text = writeup([f"o_1 = {o1}", f"\\delta_{{o_1}} = o_1 (1 - o_1)(t_1 - o_1) = {sig(ERR['o1'], 8)}"])
    path = tmp_path / "delta.md"
    path.write_text(text, encoding="utf-8")
    result = Grader(problem="exercise6").grade_file(path)
    assert result.field("delta_o1").verdict == "incorrect"
    assert [f.kind for f in result.flags] == ["wrong_formula"]


def test_an_error_term_is_no_second_value_of_a_delta_written_under_its_own_name(tmp_path):
    """``error_o1`` means t − o in tutorials, −∂E/∂net in Han & Kamber and Mitchell, ∂E/∂net in Nielsen's words: where
    the student also writes the delta under its own name, that is their delta. Before, ``error_o1 = t1 - o1 = 0.25``
    then ``delta_o1 = -0.0569`` (right) gave delta_o1 two values: 0/2, flagged inconsistent and a wrong formula."""
    delta = sig(-ERR["o1"], 6)
    text = writeup([f"error_{{o_1}} = t_1 - o_1 = 0.9 - 0.65 = 0.25", f"\\delta_{{o_1}} = {delta}",
                    f"Err_{{o_2}} = {sig(ERR['o2'], 6)}", f"\\delta_{{o_2}} = {sig(-ERR['o2'], 6)}"])
    path = tmp_path / "both.md"
    path.write_text(text, encoding="utf-8")
    result = Grader(problem="exercise6").grade_file(path)
    assert result.field("delta_o1").verdict == "correct" and result.field("delta_o2").verdict == "correct"
    assert result.flags == ()
    unread = {text.split(" =")[0]: why for _, text, why in result.unattributed}
    assert set(unread) == {"error_{o_1}", "Err_{o_2}"}
    assert unread["Err_{o_2}"].startswith("not read as delta_o2: delta_o2 has a value under its own name")


@pytest.mark.parametrize("formula", ["t_1 - o_1", "o_1 - t_1", "-o_1 + t_1"])
def test_an_error_term_that_is_the_outputs_error_alone_is_not_read_as_the_delta(tmp_path, formula):
    """``error_o1 = t1 - o1 = 0.25``: the output's error before the derivative's factor, as tutorials name it, not
    H&K's error term O(1 − O)(T − O); before, read as delta_o1 = −0.25, marked wrong with a missing derivative."""
    path = tmp_path / "signal.md"
    path.write_text(writeup([f"error_{{o_1}} = {formula} = 0.25"]), encoding="utf-8")
    result = Grader(problem="exercise6").grade_file(path)
    assert result.field("delta_o1").verdict == "missing" and result.flags == ()
    assert [why for _, _, why in result.unattributed] == [
        "not read as delta_o1: error_o1 is t − o here, the output's error, not its delta"]


@pytest.mark.parametrize("order", [("error_o1: 0.25", "delta_o1: {d}"), ("delta_o1: {d}", "Err_o1: 0.25")])
def test_a_yaml_error_term_is_no_second_value_of_a_delta_answered_under_its_own_name(tmp_path, order):
    """In a YAML file too, whichever comes first: before, the first was graded (``error_o1: 0.25`` as delta_o1 =
    −0.25, 0/2) and the delta under its own name was dropped as a repeat."""
    d = sig(-ERR["o1"], 6)
    path = tmp_path / "both.yaml"
    path.write_text("problem: exercise6\nanswers:\n" + "".join(f"  {line.format(d=d)}\n" for line in order),
                    encoding="utf-8")
    result = Grader().grade_file(path)
    assert result.field("delta_o1").verdict == "correct" and float(result.field("delta_o1").given) == float(d)
    said = [w for w in result.warnings if "is not read as delta_o1: delta_o1 is answered under its own name" in w]
    assert len(said) == 1 and not any("answers delta_o1 again" in w for w in result.warnings), result.warnings
