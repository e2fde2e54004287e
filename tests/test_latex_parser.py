"""The LaTeX math reader (grader/parse/latex.py): our own grammar, exact values, names as written, limits."""

from __future__ import annotations

import io
import math
import tokenize as py_tokenize
from fractions import Fraction
from pathlib import Path

import mpmath
import pytest
from hypothesis import given, settings, strategies as st

import grader.parse.latex as latex_module
from grader.parse.latex import (
    MAX_LATEX_LENGTH, Add, Call, Div, LatexError, Mul, Name, Neg, NotEvaluable, Number, Pow, Sum, Unreadable,
    evaluate, free_names, read_math, to_text, tokenize,
)


def value(text: str):
    tree = read_math(text)
    assert not isinstance(tree, Unreadable), tree
    return evaluate(tree)


def names(text: str) -> list[str]:
    tree = read_math(text)
    assert not isinstance(tree, Unreadable), tree
    return [n.text for n in free_names(tree)]


# ---------------------------------------------------------------------------------------------------- values


@pytest.mark.parametrize("text, expected", [
    (r"(-15) \cdot 0.8 + 20 \cdot 0.2 + 0.35", Fraction(-153, 20)),  # the seed's z1 line: -7.65, not -11.65
    (r"(0.0003 - 0.9) \cdot 0.0003 \cdot (1 - 0.0003)", (Fraction(3, 10000) - Fraction(9, 10)) * Fraction(3, 10000) * Fraction(9997, 10000)),
    (r"0.1 + 8.0707 \times 10^{-6}", Fraction(1, 10) + Fraction(80707, 10**10)),
    (r"-8.991 \times 10^{-8}", Fraction(-8991, 10**11)),
    (r"\frac{3}{4}", Fraction(3, 4)),
    (r"\dfrac{1}{2} + \tfrac{1}{4}", Fraction(3, 4)),
    (r"\frac12", Fraction(1, 2)),
    (r"2 \times 3 * 4 / 8", Fraction(3)),
    (r"2(3 + 1)", Fraction(8)),  # juxtaposition multiplies, as LaTeX means it
    (r"\left( 1 - 0.25 \right) \cdot 4", Fraction(3)),
    (r"\left[ 2 \right]^{3}", Fraction(8)),
    (r"2^{-3}", Fraction(1, 8)),
    (r"10^-2", Fraction(1, 100)),
    (r"\sqrt{\frac{9}{4}}", Fraction(3, 2)),
    (r"--2", Fraction(2)),
    (r"3 - -2", Fraction(5)),
    ("0,5".replace(",", "."), Fraction(1, 2)),
    ("2 \u00d7 3 \u2212 1", Fraction(5)),  # unicode times and minus
    (r"4 \, \cdot \; 2 \! + \quad 1", Fraction(9)),  # spacing commands are dropped
])
def test_exact_values(text: str, expected: Fraction) -> None:
    result = value(text)
    assert isinstance(result, Fraction)
    assert result == expected


@pytest.mark.parametrize("text, oracle", [
    (r"\frac{1}{1 + e^{11.65}}", lambda: 1 / (1 + mpmath.exp(mpmath.mpf("11.65")))),
    (r"\frac{1}{1 + e^{-85.59947552}}", lambda: 1 / (1 + mpmath.exp(-mpmath.mpf("85.59947552")))),
    (r"\exp(-2)", lambda: mpmath.exp(-2)),
    (r"\sigma(0.5)", lambda: 1 / (1 + mpmath.exp(-mpmath.mpf("0.5")))),
    (r"\sigma\left(-800\right)", lambda: mpmath.exp(-800) / (1 + mpmath.exp(-800))),
    (r"\ln 2", lambda: mpmath.log(2)),
    (r"\log(10)", lambda: mpmath.log(10)),  # natural, as in the answer reader
    (r"\sqrt{2}", lambda: mpmath.sqrt(2)),
    (r"\tanh(1)", lambda: mpmath.tanh(1)),
    (r"e", lambda: mpmath.e),
])
def test_transcendental_values_to_high_precision(text: str, oracle) -> None:
    with mpmath.workdps(50):
        expected = oracle()
        got = value(text)
        assert abs(got - expected) <= mpmath.mpf(10) ** -45 * max(1, abs(expected))


# ---------------------------------------------------------------------------------------------------- names


@pytest.mark.parametrize("text, expected", [
    (r"w_1 i_1 + w_3 i_2 + b_1", ["w_{1}", "i_{1}", "w_{3}", "i_{2}", "b_{1}"]),
    (r"w_1i_1", ["w_{1}", "i_{1}"]),
    (r"\delta_{o_1}", [r"\delta_{o_1}"]),
    (r"\delta_{o1}", [r"\delta_{o1}"]),
    (r"\delta_o1", [r"\delta_{o1}"]),
    (r"out_{h1} (1 - out_{h1})", ["out_{h1}"]),
    (r"net_{o1}", ["net_{o1}"]),
    (r"E_{total}", ["E_{total}"]),
    (r"w_5'", ["w_{5}'"]),
    (r"w'_5", ["w_{5}'"]),
    (r"w_5^{+}", ["w_{5}^{+}"]),
    (r"w_5^{new}", ["w_{5}^{new}"]),
    (r"w_5^{\text{new}}", ["w_{5}^{new}"]),
    (r"w_5^{(1)}", ["w_{5}^{(1)}"]),
    (r"\text{Learning Rate} \cdot 2", [r"\text{Learning Rate}"]),
    (r"\eta \cdot \delta_{h_1}", [r"\eta", r"\delta_{h_1}"]),
    (r"\frac{\partial E_{total}}{\partial w_5}", [r"\frac{\partial E_{total}}{\partial w_{5}}"]),
    (r"\partial E_{total} / \partial w_5", [r"\frac{\partial E_{total}}{\partial w_{5}}"]),
    ("\u03b4_{o1} \u00b7 \u03b7", [r"\delta_{o1}", r"\eta"]),  # unicode Greek letters
    (r"\hat{y}_i", [r"\hat{y}_{i}"]),
    (r"\sigma", [r"\sigma"]),  # without an argument, a name
])
def test_names_kept_as_written(text: str, expected: list[str]) -> None:
    assert names(text) == expected


def test_numeric_superscript_on_a_name_is_a_power() -> None:
    tree = read_math(r"h_1^2")
    assert tree == Pow(Name("h_{1}", "h", "1"), Number(Fraction(2), "2"))
    assert evaluate(tree, {"h_{1}": Fraction(3)}) == 9


def test_e_to_a_power_is_the_exponential_and_names_evaluate_from_env() -> None:
    tree = read_math(r"\frac{1}{1 + e^{-z_1}}")
    assert isinstance(tree, Div) and isinstance(tree.den, Add) and tree.den.terms[1] == Call("exp", Neg(Name("z_{1}", "z", "1")))
    with mpmath.workdps(40):
        got = evaluate(tree, {"z_{1}": Fraction(-153, 20)})
        assert abs(got - 1 / (1 + mpmath.exp(mpmath.mpf(153) / 20))) < mpmath.mpf(10) ** -35


def test_free_name_is_not_evaluable() -> None:
    with pytest.raises(NotEvaluable, match="w_"):
        evaluate(read_math(r"w_5 - 0.3"))


def test_sum_over_a_range_not_told_is_read_not_evaluated() -> None:
    tree = read_math(r"\sum_{i=1}^{N} (y_i - \hat{y}_i)^2")
    assert isinstance(tree, Sum) and tree.index == "y" or isinstance(tree, Sum)
    assert tree.lower == Number(Fraction(1), "1")
    with pytest.raises(NotEvaluable):
        evaluate(tree)


def test_multiplication_tree_is_flat_and_rendered_plainly() -> None:
    tree = read_math(r"(-15) \cdot 0.8 + 20 \cdot 0.2 + 0.35")
    assert isinstance(tree, Add) and len(tree.terms) == 3 and isinstance(tree.terms[0], Mul)
    assert to_text(tree) == "(−15)·0.8 + 20·0.2 + 0.35"
    assert to_text(read_math(r"\frac{1}{1 + e^{11.65}}")) == "1/(1 + e^(11.65))"
    assert to_text(read_math(r"\frac{\partial E_{total}}{\partial w_5}")) == "∂E_{total}/∂w_5"


def test_tokenizer_is_public_and_marks_relations_and_alignment() -> None:
    kinds = [(t.kind, t.text) for t in tokenize(r"o_1 &= \frac{1}{2} \approx 0.5 \\ := ≈")]
    assert ("amp", "&") in kinds and ("newline", "\\\\") in kinds
    assert [k for k in kinds if k[0] == "rel"] == [("rel", "="), ("rel", "≈"), ("rel", ":="), ("rel", "≈")]
    assert kinds[-1] == ("end", "")


# ---------------------------------------------------------------------------------------------------- refusals


@pytest.mark.parametrize("text, reason", [
    ("", "empty"),
    ("{", "missing"),
    ("(1 + 2", "missing"),
    ("1 + 2)", "unmatched"),
    (r"\frac{1}{2", "never closed|missing"),
    (r"\foo{1}", r"\\foo"),
    ("0.8 0.2", "two numbers"),
    ("1 + ", "missing"),
    ("a = b", "unexpected"),  # relations are split before parsing
    ("\x00\x01", "unexpected"),
])
def test_unreadable_with_a_reason(text: str, reason: str) -> None:
    result = read_math(text)
    assert isinstance(result, Unreadable)
    assert result.reason
    import re
    assert re.search(reason, result.reason), result.reason


def test_deep_frac_nesting_is_refused_not_a_recursion_error() -> None:
    text = r"\frac{" * 5000 + "1" + "}{2}" * 5000
    result = read_math(text[:MAX_LATEX_LENGTH])
    assert isinstance(result, Unreadable)
    deep = r"\frac{" * 40 + "1" + "}{2}" * 40
    result = read_math(deep)
    assert isinstance(result, Unreadable) and "nested too deeply" in result.reason
    shallow = r"\frac{" * 10 + "1" + "}{2}" * 10
    assert value(shallow) == Fraction(1, 2**10)


def test_deep_parentheses_and_signs_are_refused() -> None:
    assert "nested too deeply" in read_math("(" * 400 + "1" + ")" * 400).reason
    assert "nested too deeply" in read_math("2^{" * 100 + "1" + "}" * 100).reason
    assert "too many parts" in read_math("(" * 1500 + "1" + ")" * 1500).reason
    assert value("-" * 600 + "1") == 1  # a run of signs is one sign, not nesting


def test_huge_exponents_are_refused() -> None:
    with pytest.raises(NotEvaluable, match="exponent"):
        value(r"10^{10^{10}}")
    with pytest.raises(NotEvaluable):
        value(r"e^{e^{e^{10}}}")
    with pytest.raises(NotEvaluable):
        value(r"9^{999}")  # beyond ~1e308
    assert value(r"2^{1000} / 2^{999}") == 2


def test_too_long_and_too_many_tokens() -> None:
    with pytest.raises(LatexError, match="too long"):
        tokenize("1+" * MAX_LATEX_LENGTH)
    assert isinstance(read_math("1+" * 1500 + "1"), Unreadable)


def test_huge_number_literal_is_refused() -> None:
    assert isinstance(read_math("9" * 3000), Unreadable)


def test_module_source_names_no_evaluator() -> None:
    """Static check on the module's code: no Python evaluator or sympy parser is named (an attribute such as
    ``re.compile`` is not the builtin ``compile``)."""
    source = Path(latex_module.__file__).read_text(encoding="utf-8")
    tokens = list(py_tokenize.generate_tokens(io.StringIO(source).readline))
    names = {tok.string for prev, tok in zip(tokens, tokens[1:])
             if tok.type == py_tokenize.NAME and not (prev.type == py_tokenize.OP and prev.string == ".")}
    assert "re" in names
    forbidden = {"eval", "exec", "compile", "sympify", "parse_expr", "parse_latex", "literal_eval", "ast", "sympy",
                 "__import__", "getattr", "globals", "locals", "importlib"}
    assert names & forbidden == set()


# ---------------------------------------------------------------------------------------------------- properties

ALPHABET = st.sampled_from(
    list("0123456789.+-*/^_'(){}[]&=, ") + ["\\frac{", "\\cdot ", "\\times ", "e^{", "\\left(", "\\right)", "w_",
                                            "\\delta_{o_1}", "\\text{Rate}", "\\sqrt{", "\\exp(", "\\sigma(", "\\ln ",
                                            "\\partial ", "\\sum_{i=1}^{N}", "}", "{", "10^{", "\\\\", "\\", "\x00",
                                            "\u2212", "\u00d7", "≈", "\\approx ", "^{+}", "'", "\\hat{", "99999"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(ALPHABET, max_size=40).map("".join))
def test_never_crashes(text: str) -> None:
    result = read_math(text)
    if isinstance(result, Unreadable):
        assert result.reason
        return
    try:
        v = evaluate(result)
    except NotEvaluable as error:
        assert error.reason
        return
    assert isinstance(v, Fraction) or mpmath.isfinite(v)
    to_text(result)


@settings(max_examples=100, deadline=None)
@given(st.fractions(min_value=-1000, max_value=1000, max_denominator=1000), st.fractions(min_value=-1000, max_value=1000, max_denominator=1000))
def test_arithmetic_agrees_with_fractions(a: Fraction, b: Fraction) -> None:
    def tex(q: Fraction) -> str:
        return rf"\frac{{{q.numerator}}}{{{q.denominator}}}" if q >= 0 else rf"\left(-\frac{{{-q.numerator}}}{{{q.denominator}}}\right)"

    assert value(f"{tex(a)} + {tex(b)} \\cdot {tex(a)}") == a + b * a
    if b:
        assert value(f"{tex(a)} / {tex(b)} - {tex(a)}") == a / b - a
    assert math.isfinite(float(value(f"{tex(a)}^{{2}}")))
