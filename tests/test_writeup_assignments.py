"""An update written as an assignment, as Han & Kamber write every update (w_ij = w_ij + Δw_ij): the given
parameter's own name on the left of its update answers the updated parameter; a given restated stays a given. The
expected values are the book's formulas, computed here with mpmath from the problem's given values."""

from __future__ import annotations

import mpmath

from grader.grade.pipeline import Grader

M = mpmath.mpf


def hk_truth() -> dict:
    """Han, Kamber & Pei's 3-2-1 example, forward pass, error terms and two updates, from the book's formulas."""
    with mpmath.workdps(40):
        sig = lambda x: 1 / (1 + mpmath.exp(-x))  # noqa: E731
        v = {"I4": M("0.2") * 1 + M("0.4") * 0 + M("-0.5") * 1 + M("-0.4"),
             "I5": M("-0.3") * 1 + M("0.1") * 0 + M("0.2") * 1 + M("0.2")}
        v["O4"], v["O5"] = sig(v["I4"]), sig(v["I5"])
        v["I6"] = M("-0.3") * v["O4"] + M("-0.2") * v["O5"] + M("0.1")
        v["O6"] = sig(v["I6"])
        v["Err6"] = v["O6"] * (1 - v["O6"]) * (1 - v["O6"])
        v["w46_new"] = M("-0.3") + M("0.9") * v["Err6"] * v["O4"]
        v["theta6_new"] = M("0.1") + M("0.9") * v["Err6"]
        return v


def grade(tmp_path, text: str, problem: str):
    path = tmp_path / "work.md"
    path.write_text(text, encoding="utf-8")
    return Grader(problem=problem).grade_file(path)


def test_the_books_updates_written_as_assignments_are_the_updated_parameters(tmp_path):
    v = hk_truth()
    n = lambda q, d=6: mpmath.nstr(v[q], d)  # noqa: E731
    text = (f"# 400111222 — Ana Ruiz\n\n$O_4 = {n('O4')}$, $O_6 = {n('O6')}$, $Err_6 = {n('Err6')}$\n\n"
            f"$w_{{46}} = w_{{46}} + (l) Err_6 O_4 = -0.3 + (0.9)({n('Err6')})({n('O4')}) = {n('w46_new', 8)}$\n\n"
            f"$\\theta_6 = 0.1 + (0.9)({n('Err6')}) = {n('theta6_new', 8)}$\n")
    result = grade(tmp_path, text, "han_kamber_321")
    for q in ("w46_new", "theta6_new", "delta_O6"):
        assert result.field(q).verdict == "correct", (q, result.field(q).message)
    assert result.flags == ()  # not "w46 is given as -0.3, but you used -0.261"
    notes = [w for w in result.warnings if "on the left of its own update" in w]
    assert [w.split(":")[0] for w in notes] == ["line 5", "line 7"]
    assert "read as the updated parameter w46_new, not as the given w46" in notes[0]


def test_the_name_on_both_sides_is_an_update_in_any_problem(tmp_path):
    """Exercise 6 (w5 = 40, η = 0.3, δ_o1 and h1 from the textbook oracle): w_5 = w_5 − η δ_o1 h_1 = ..."""
    from textbook import EX6, sig, textbook

    t = textbook(EX6)
    text = (f"$$w_5 = w_5 - \\eta \\, \\delta_{{o_1}} h_1 = 40 - 0.3 \\cdot ({sig(t['delta_o1'], 8)}) \\cdot "
            f"{sig(t['h1'], 8)} = {sig(t['w5_new'], 14)}$$\n")
    result = grade(tmp_path, text, "exercise6")
    assert result.field("w5_new").verdict == "correct"
    assert result.flags == ()


def test_an_arrow_after_a_parameter_is_its_update(tmp_path):
    """Mitchell's ``w ← w + Δw``: ``w_5 \\leftarrow 40.0000081`` answers w5_new. Before, it was read as the given
    w5 restated with another value: w5_new missing and a wrong_given flag on w5. An arrow to the given value itself
    restates it; ``:=`` stays a definition (``w_6 := 45`` in a Given list)."""
    from textbook import EX6, sig, textbook

    t = textbook(EX6)
    text = (f"$$w_5 \\leftarrow {sig(t['w5_new'], 14)}$$\n\n$$w_7 \\gets w_7 - \\eta \\cdot "
            f"{sig(t['grad_w7'], 8)} = {sig(t['w7_new'], 14)}$$\n\n$$w_8 \\leftarrow 55$$\n\n$$w_6 := 45$$\n")
    result = grade(tmp_path, text, "exercise6")
    assert {f.quantity: f.verdict for f in result.fields if f.verdict != "missing"} == {
        "w5_new": "correct", "w7_new": "correct"}
    assert result.flags == ()
    assert [w for w in result.warnings if "←" in w] == [
        "line 1: 'w_5 ← ...' is read as the updated parameter w5_new, not as the given w5",
        "line 3: 'w_7 ← ...' is read as the updated parameter w7_new, not as the given w7"]


def test_a_given_restated_stays_a_given(tmp_path):
    """``w_{46} = -0.3 + 0 = -0.3`` and ``w_{56} = -0.2`` restate the givens (no update answered, no flag); a given
    replaced by another number, ``w_{14} = 0.5``, is still a wrong given."""
    text = "$$w_{46} = -0.3 + 0 = -0.3$$\n\n$$w_{56} = -0.2$$\n\n$$w_{14} = 0.5$$\n"
    result = grade(tmp_path, text, "han_kamber_321")
    assert all(result.field(q).verdict == "missing" for q in ("w46_new", "w56_new", "w14_new"))
    assert [(f.kind, f.quantity) for f in result.flags] == [("wrong_given", "w14")]
    assert not any("on the left of its own update" in w for w in result.warnings)


def test_a_latex_writeup_in_mitchells_conventions(tmp_path):
    """``tests/files/writeups/mitchell_error_terms.tex``: the error term Err_{o_1} = o(1 - o)(t - o) and the update
    ``w_5 \\leftarrow w_5 + \\eta Err_{o_1} out_{h_1}``, on Exercise 6. Its numbers agree with the textbook formulas
    (checked here first), so every field it answers is right; the notes come in the order of the lines."""
    from pathlib import Path

    from textbook import EX6, textbook

    t = textbook(EX6)
    err_o1 = t["o1"] * (1 - t["o1"]) * (t["t1"] - t["o1"])
    assert abs(0.056872 - float(err_o1)) <= 1e-5 and abs(40.0000081182 - 40 - float(t["w5_new"] - 40)) <= 1e-9
    fixture = Path(__file__).parent / "files" / "writeups" / "mitchell_error_terms.tex"
    result = Grader(problem="exercise6").grade_file(fixture)
    assert (result.student.id, result.student.name) == ("400333444", "Kim Lee")
    answered = {f.quantity: f.verdict for f in result.fields if f.verdict != "missing"}
    assert answered == {q: "correct" for q in ("z1", "h1", "z3", "o1", "delta_o1", "w5_new")}
    assert result.flags == ()
    assert [w.split(":")[0] for w in result.warnings] == ["line 12", "line 13"]


def test_an_update_written_from_its_value_to_the_new_one_with_an_arrow_is_the_update(tmp_path):
    """``w5: 40 → 40.0000081``, ``w_5 = 40 \\rightarrow ...``: the parameter, its given value, an arrow, the new value
    (a summary of updates, as students write one). Before, the new value was not read. The new values come from the
    textbook formulas (``tests/textbook.py``), one with a slip: it is the update's, marked wrong."""
    import pytest

    from textbook import EX6, sig, textbook

    v = textbook(EX6)
    new = {w: sig(v[f"{w}_new"], 12) for w in ("w5", "w6", "w7")}
    text = (f"w5: 40 → {new['w5']}\n\n$w_6 = 45 \\rightarrow {new['w6']}$\n\n$w_7: 50 \\to 49.9$\n\n"
            f"z1 = -7.65 → h1 = {sig(v['h1'], 6)}\n")
    result = grade(tmp_path, text, "exercise6")
    assert result.field("w5_new").verdict == "correct" and result.field("w6_new").verdict == "correct"
    assert result.field("w7_new").verdict == "incorrect" and float(result.field("w7_new").given) == pytest.approx(49.9)
    assert result.field("z1").verdict == "correct" and result.field("h1").verdict == "correct"  # (no update: as before)
    assert not [f for f in result.flags if f.quantity in ("w5", "w6", "w7")]  # the givens stated as they are


def test_equations_on_a_line_of_new_values_give_the_updates(tmp_path):
    """``New weights: w5 = ..., w6 = ...``, ``**Updated weights:**``, ``After the update:``: the line says its
    equations are the new values. Before, each restated its given (within 1 %, silently) and the update was missing.
    A line of givens, or of other quantities, reads as before."""
    from textbook import EX6, sig, textbook

    v = textbook(EX6)
    w5, w6 = sig(v["w5_new"], 12), sig(v["w6_new"], 13)
    for lead in ("New weights:", "**Updated weights:**", "After the update:", "- updated parameters -"):
        result = grade(tmp_path, f"{lead} w5 = {w5}, w6 = {w6}\n", "exercise6")
        assert result.field("w5_new").verdict == "correct" and result.field("w6_new").verdict == "correct", lead
    result = grade(tmp_path, f"Given: w5 = 40, w6 = 45\n\nNew values: z1 = {sig(v['z1'], 6)}\n", "exercise6")
    assert result.field("z1").verdict == "correct" and result.field("w5_new").verdict == "missing"
    assert not result.flags


def test_an_update_written_as_nielsen_does_is_the_update(tmp_path):
    """``w5 → w5 - η ∂E/∂w5 = ...`` (Nielsen's arrow: the parameter becomes it), also ``->`` and ``\\to``; an arrow
    between two equations (``z1 = -7.65 → h1 = ...``) is no update. Before, not read."""
    from textbook import EX6, sig, textbook

    v = textbook(EX6)
    w5, w6, w7 = (sig(v[f"{w}_new"], 12) for w in ("w5", "w6", "w7"))
    text = (f"w5 → w5 - η·∂E/∂w5 = {w5}\n\nw6 -> {w6}\n\n$w_7 \\to w_7 - \\eta \\, g_{{w7}} = {w7}$\n\n"
            f"z1 = {sig(v['z1'], 6)} → h1 = {sig(v['h1'], 6)}\n")
    result = grade(tmp_path, text, "exercise6")
    for q in ("w5_new", "w6_new", "w7_new", "z1", "h1"):
        assert result.field(q).verdict == "correct", (q, result.field(q).message)
