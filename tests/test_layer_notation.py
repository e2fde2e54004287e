"""``layer_notation:``: a course taught from Nielsen's book or Ng's course says so once, and their layer-numbered
names are read as the problem's. The expected names here are worked out by hand from the books' definitions and
Exercise 6's wiring (``z1 = w1·i1 + w2·i2 + b1``, ``z2 = w3·i1 + w4·i2 + b1``, ``z3 = w5·h1 + w6·h2 + b2``,
``z4 = w7·h1 + w8·h2 + b2``), never from the grader's own tables; the graded values come from the textbook
formulas (``tests/ex6_textbook.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.errors import SpecError
from grader.grade.pipeline import Grader
from grader.report import render
from grader.spec.load import load_problem
from grader.spec.notation import Resolver
from tests.ex6_textbook import D_H2, D_O1, GRAD_W5, H1, O1

REPO = Path(__file__).resolve().parent.parent
EX6 = (REPO / "problems" / "exercise6.yaml").read_text(encoding="utf-8")

# Nielsen: inputs are layer 1; w^l_{jk} is from unit k of layer l-1 into unit j of layer l
NIELSEN = {
    "z^2_1": "z1", "z^2_2": "z2", "z^3_1": "z3", "z^3_2": "z4", "a^1_1": "i1", "a^1_2": "i2", "a^2_1": "h1",
    "a^2_2": "h2", "a^3_1": "o1", "a^3_2": "o2", r"\delta^3_1": "delta_o1", r"\delta^3_2": "delta_o2",
    r"\delta^2_1": "delta_h1", r"\delta^2_2": "delta_h2", "w^2_{11}": "w1", "w^2_{12}": "w2", "w^2_{21}": "w3",
    "w^2_{22}": "w4", "w^3_{11}": "w5", "w^3_{12}": "w6", "w^3_{21}": "w7", "w^3_{22}": "w8", "w^3_{2,1}": "w7",
    "b^2_1": "b1", "b^2_2": "b1", "b^3_1": "b2", "b^3_2": "b2", "y_1": "t1", "y_2": "t2", "C": "E",
    r"\delta_1^3": "delta_o1", "δ^2_1": "delta_h1",  # the other order of the scripts; the Greek letter itself
    # the cost's derivatives: by a weight or bias its gradient, by a net input the delta, by an activation dE/dout
    r"\frac{\partial C}{\partial w^3_{11}}": "grad_w5", r"\partial C/\partial w^{2}_{21}": "grad_w3",
    "dC/db^3_1": "grad_b2", r"\frac{\partial C}{\partial z^3_2}": "delta_o2", r"\frac{\partial C}{\partial a^3_1}": "dE_dout_o1",
}
# Ng: Theta^{(l)}_{jk} is from unit k of layer l into unit j of layer l+1, unit 0 the bias unit
NG = {
    "z^{(2)}_1": "z1", "a^{(1)}_2": "i2", "a^{(3)}_2": "o2", r"\delta^{(3)}_1": "delta_o1", r"\delta^{(2)}_2": "delta_h2",
    r"\Theta^{(1)}_{11}": "w1", r"\Theta^{(1)}_{12}": "w2", r"\Theta^{(1)}_{21}": "w3", r"\Theta^{(2)}_{11}": "w5",
    r"\Theta^{(2)}_{22}": "w8", r"\Theta^{(1)}_{10}": "b1", r"\Theta^{(1)}_{20}": "b1", r"\Theta^{(2)}_{1,0}": "b2",
    "y_2": "t2", "J": "E", r"\delta_1^{(3)}": "delta_o1", r"\frac{\partial J}{\partial \Theta^{(2)}_{21}}": "grad_w7",
}


def problem_file(tmp_path: Path, extra: str, text: str = EX6) -> Path:
    path = tmp_path / "course.yaml"
    path.write_text(text + extra, encoding="utf-8")
    return path


@pytest.mark.parametrize(("style", "table"), [("nielsen", NIELSEN), ("ng", NG)])
def test_the_books_names_are_the_problems(tmp_path, style, table):
    resolver = Resolver.for_problem(load_problem(problem_file(tmp_path, f"layer_notation: {style}\n")))
    assert {spelling: resolver.resolve(spelling).name for spelling in table} == table


def test_without_it_no_layer_numbering_is_guessed():
    resolver = Resolver.for_problem(load_problem(REPO / "problems" / "exercise6.yaml"))
    for spelling in (r"\delta^3_1", "a^2_1", "w^3_{12}", r"\Theta^{(2)}_{11}", "y_1"):
        assert resolver.resolve(spelling).name is None, spelling


def test_the_other_books_names_are_not_read(tmp_path):
    resolver = Resolver.for_problem(load_problem(problem_file(tmp_path, "layer_notation: ng\n")))
    assert resolver.resolve(r"\delta^3_1").name is None and resolver.resolve("w^3_{12}").name is None
    assert resolver.resolve("C").name is None  # Nielsen's cost; Ng's is J


def test_a_problems_own_name_is_never_taken_by_a_book_spelling(tmp_path):
    # outputs named y1, y2: Nielsen's y_1 (the target) would be the output's own name
    text = EX6.replace("o1", "y1").replace("o2", "y2")
    resolver = Resolver.for_problem(load_problem(problem_file(tmp_path, "layer_notation: nielsen\n", text)))
    assert resolver.resolve("y_1").name == "y1" and resolver.resolve("a^3_1").name == "y1"


def test_a_written_solution_in_nielsens_notation_is_graded(tmp_path):
    problem = problem_file(tmp_path, "layer_notation: nielsen\n")
    work = tmp_path / "work.md"
    work.write_text(
        "# Exercise 6\n\n"
        "$z^2_1 = w^2_{11} a^1_1 + w^2_{12} a^1_2 + b^2_1 = -15 \\cdot 0.8 + 20 \\cdot 0.2 + 0.35 = -7.65$\n\n"
        f"$a^2_1 = \\sigma(z^2_1) = {H1!r}$\n\n$a^3_1 = {O1!r}$\n\n"
        f"$\\delta^3_1 = (a^3_1 - y_1) \\, a^3_1 (1 - a^3_1) = {D_O1!r}$\n\n$\\delta^2_2 = {D_H2!r}$\n\n"
        "$w^3_{12} = 44$\n", encoding="utf-8")
    result = Grader(problem=str(problem)).grade_file(work)
    for q in ("z1", "h1", "o1", "delta_o1", "delta_h2"):
        assert result.field(q).verdict == "correct", result.field(q)
    assert [(f.kind, f.quantity) for f in result.flags] == [("wrong_given", "w6")]  # w^3_{12} is w6, given as 45
    assert "not a quantity" not in render(result, "markdown")  # every name of every formula is the book's


def test_the_books_delta_needs_the_default_convention(tmp_path):
    path = problem_file(tmp_path, "layer_notation: nielsen\ndelta_convention: minus_dE_dnet\n")
    with pytest.raises(SpecError) as info:
        load_problem(path)
    assert "∂C/∂z" in str(info.value) and "minus_dE_dnet" in str(info.value)


def test_an_unknown_book_is_refused_naming_the_known_ones(tmp_path):
    with pytest.raises(SpecError) as info:
        load_problem(problem_file(tmp_path, "layer_notation: bishop\n"))
    assert "nielsen" in str(info.value) and "ng" in str(info.value)


def test_a_deeper_network_is_numbered_layer_by_layer(tmp_path):
    # compact_3layer: inputs i1..i3 (layer 1), h1_1..h1_4 (layer 2), h2_1..h2_3 (layer 3), o1, o2 (layer 4);
    # its own w<l>_<j>_<k> runs from h<l-1>_k into h<l>_j, so Nielsen's w^{l+1}_{jk} is its w<l>_<j>_<k>
    text = (REPO / "problems" / "compact_3layer.yaml").read_text(encoding="utf-8")
    nielsen = Resolver.for_problem(load_problem(problem_file(tmp_path, "layer_notation: nielsen\n", text)))
    assert {s: nielsen.resolve(s).name for s in ("w^3_{13}", "w^2_{43}", "a^4_2", "z^3_1", "b^2_1", "a^1_3",
                                                 r"\delta^3_1")} == {
        "w^3_{13}": "w2_1_3", "w^2_{43}": "w1_4_3", "a^4_2": "o2", "z^3_1": "net_h2_1", "b^2_1": "b1_1",
        "a^1_3": "i3", r"\delta^3_1": "delta_h2_1"}
    ng = Resolver.for_problem(load_problem(problem_file(tmp_path, "layer_notation: ng\n", text)))
    assert [ng.resolve(s).name for s in (r"\Theta^{(2)}_{13}", r"\Theta^{(1)}_{10}", r"\Theta^{(3)}_{21}")] == [
        "w2_1_3", "b1_1", "w3_2_1"]


def test_a_slip_in_a_gradient_written_in_the_books_notation_is_charged_at_the_update(tmp_path):
    """Exercise 6 does not ask the gradients: a power-of-ten slip in Nielsen's ∂C/∂w^3_{11} (w5) is charged at the
    update that uses it, which can only be when the gradient is read as grad_w5."""
    problem = problem_file(tmp_path, "layer_notation: nielsen\n")
    wrong = GRAD_W5 * 10
    work = tmp_path / "work.md"
    work.write_text(
        f"# Exercise 6\n\n$\\delta^3_1 = {D_O1:.8f}$\n\n$a^2_1 = {H1:.10f}$\n\n"
        f"$\\frac{{\\partial C}}{{\\partial w^3_{{11}}}} = a^2_1 \\delta^3_1 = {wrong:.6e}$\n\n"
        f"$w_5^{{+}} = 40 - 0.3 \\cdot ({wrong:.6e}) = {40 - 0.3 * wrong:.10f}$\n", encoding="utf-8")
    w5 = Grader(problem=str(problem)).grade_file(work).field("w5_new")
    assert (w5.verdict, w5.points) == ("incorrect", 0.0), w5
    assert w5.diagnosis.id == "power_of_ten" and "your grad_w5 is 10 times" in w5.diagnosis.text
