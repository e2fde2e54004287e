"""Names with a layer's number as a superscript, as Nielsen writes them (``\\delta^3_1``: layer 3, unit 1; ``z^l_j``,
``a^l_j``) and Ng (``\\delta^{(3)}_1``). LaTeX typesets ``x^a_b`` and ``x_b^a`` alike, so both orders are one name;
a course says what its names mean with the problem's ``notation:`` (the grader never guesses a layer numbering).
Before, ``\\delta^3_1`` could not be read at all ("unexpected text"), ``\\delta_2^3 =`` was "not the name of a
quantity" even where the notation named it, the two orders of an alias did not match, and ``h_1^2`` (h_1 squared,
or unit 1 of layer 2) was read as the problem's ``h1_2``, unit 2 of layer 1. Expected values are computed here from
the textbook formulas of Exercise 6's network (sigmoid units, squared error)."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.grade.pipeline import Grader
from grader.report import render
from grader.parse.latex import Name, Pow, read_math
from grader.spec.load import load_problem
from grader.spec.notation import Resolver, normalise
from tests.ex6_textbook import D_H1, D_H2, D_O1, D_O2, H1, O1

REPO = Path(__file__).resolve().parent.parent


# Nielsen's numbering: the inputs are layer 1, the hidden units layer 2, the outputs layer 3
NIELSEN = ('notation: {"\\\\delta^3_1": delta_o1, "\\\\delta^3_2": delta_o2, "\\\\delta^{(2)}_1": delta_h1, '
           '"δ^2_2": delta_h2, "a^3_1": o1, "a^2_1": h1}\n')


@pytest.fixture()
def nielsen(tmp_path) -> Path:
    path = tmp_path / "ex6_nielsen.yaml"
    path.write_text((REPO / "problems" / "exercise6.yaml").read_text(encoding="utf-8") + NIELSEN, encoding="utf-8")
    return path


def graded_writeup(tmp_path: Path, problem: str | Path, lines: list[str]):
    path = tmp_path / "work.md"
    path.write_text("# Exercise 6\n\n" + "\n\n".join(f"${line}$" for line in lines) + "\n", encoding="utf-8")
    return Grader(problem=str(problem)).grade_file(path)


def test_a_layer_number_before_the_subscript_is_part_of_the_name():
    for text, sub, sup in [(r"\delta^3_1", "1", "3"), (r"\delta^{3}_{1}", "1", "3"), ("z^2_1", "1", "2"),
                           ("w^3_{12}", "12", "3"), (r"\delta^{(2)}_1", "1", "(2)")]:
        node = read_math(text)
        assert isinstance(node, Name) and (node.sub, node.sup) == (sub, sup), (text, node)


def test_a_superscript_after_the_subscript_and_a_superscript_of_e_stay_powers():
    for text in ("h_1^2", r"\delta_1^3", "x^2"):
        node = read_math(text)
        assert isinstance(node, Pow), (text, node)
    assert not isinstance(read_math("e^2_1"), Name)
    assert not isinstance(read_math(r"\delta^{3.5}_1"), Name)  # a layer's number is whole


def test_both_orders_of_a_numbered_superscript_are_one_spelling():
    assert normalise(r"\delta^3_1") == normalise(r"\delta_1^3") == normalise(r"\delta_{1}^{3}")
    assert normalise(r"\delta^{(2)}_1") == normalise(r"\delta_1^{(2)}")
    assert normalise(r"\delta^3_1") != normalise(r"\delta_3^1")  # layer 3 unit 1 is not layer 1 unit 3
    assert normalise("h_1^2") != normalise("h1_2") != normalise("h_{12}")


def test_a_power_of_a_name_is_never_another_unit_of_a_deeper_network():
    r = Resolver.for_problem(load_problem(REPO / "problems" / "compact_3layer.yaml"))
    assert r.resolve("h1_3").name == "h1_3" and r.resolve("h_{1,3}").name == "h1_3"
    for text in ("h_1^3", "h^3_1", "$h_1^{3}$"):
        assert r.resolve(text).name is None, text


def test_a_course_in_nielsens_notation_is_graded_in_it(tmp_path, nielsen):
    result = graded_writeup(tmp_path, nielsen, [
        rf"\delta^{{3}}_{{1}} = {D_O1!r}",
        rf"\delta_2^3 = {D_O2!r}",  # the subscript first: a power in a formula, the notation's name on the left
        rf"\delta_1^{{(2)}} = {D_H1!r}",
        rf"\delta^{{2}}_{{2}} = {D_H2!r}",
        rf"a^3_1 = {O1!r}",
        rf"a^2_1 = {H1!r}",
    ])
    for q in ("delta_o1", "delta_o2", "delta_h1", "delta_h2", "o1", "h1"):
        assert result.field(q).verdict == "correct", result.field(q)


def test_a_formula_in_the_courses_notation_is_read_with_it(tmp_path, nielsen):
    lines = [rf"a^3_1 = {O1!r}", r"\delta^3_1 = (a^3_1 - 0.9) \cdot a^3_1 \cdot (1 - a^3_1)"]  # a formula, no value
    result = graded_writeup(tmp_path, nielsen, lines)
    assert result.field("o1").verdict == "correct"
    assert "not a quantity" not in render(result, "markdown")  # every name of the formula is the course's
    unmapped = tmp_path / "ex6_deltas_only.yaml"
    unmapped.write_text(nielsen.read_text(encoding="utf-8").replace('"a^3_1": o1, ', ""), encoding="utf-8")
    text = render(graded_writeup(tmp_path, unmapped, lines), "markdown")
    assert "(no value; a_1^\\{3\\} is not a quantity of this problem)" in text  # (braces escaped in Markdown)


def test_without_the_notation_a_layer_name_is_named_as_unknown_not_as_unreadable(tmp_path):
    path = tmp_path / "work.md"
    path.write_text(f"# Exercise 6\n\n$\\delta^3_1 = {D_O1!r}$\n", encoding="utf-8")
    result = Grader(problem="exercise6").grade_file(path)
    assert result.field("delta_o1").verdict == "missing"  # no guess at a layer numbering
    text = render(result, "markdown")
    assert "is not a quantity of this problem" in text and "unexpected text" not in text


def test_an_empty_superscript_is_nothing(tmp_path):
    """An equation editor's ``\\delta^{}_{o1}`` typesets as δ_{o1}. Before, it could not be read ("unexpected
    symbol"), nor could ``h^{}_1``; a number's empty power (``2^{}``) still cannot."""
    for text, base, sub in [(r"\delta^{}_{o_1}", r"\delta", "o_1"), (r"\Delta^{ }_{o1}", r"\Delta", "o1"),
                            ("h^{}_1", "h", "1"), (r"\delta_{o1}^{}", r"\delta", "o1"), ("x^{}", "x", "")]:
        node = read_math(text)
        assert isinstance(node, Name) and (node.base, node.sub, node.sup) == (base, sub, ""), (text, node)
    assert not isinstance(read_math("2^{}"), (Name, Pow))
    result = graded_writeup(tmp_path, "exercise6", [rf"\delta^{{}}_{{o_1}} = {D_O1:.8f}", rf"h^{{}}_1 = {H1:.10f}"])
    assert result.field("delta_o1").verdict == "correct" and result.field("h1").verdict == "correct"
