"""How students dress a value in LaTeX, read as the value: a box or colour round the answer (``\\boxed{-7.65}``), a
bold number, siunitx's ``\\num{}`` and ``\\SI{}{}``, a comment or a check mark after it (``-7.65 \\text{
(rounded)}``, ``\\checkmark``), spacing at the end of the row, and prose between two equations of one row
(``z_1 = -7.65 \\text{ so } h_1 = ...``). Before, each was unreadable, dropped without a word, or, for the prose,
read the second equation's value as the first's. The right values are computed here from the givens (z1 = w1 i1 +
w2 i2 + b1, h1 = σ(z1))."""

from __future__ import annotations

import math

import pytest

from grader.grade.pipeline import Grader
from grader.parse.latex import Unreadable, read_math

Z1 = -15 * 0.8 + 20 * 0.2 + 0.35
H1 = 1 / (1 + math.exp(-Z1))


def graded(tmp_path, rows: list[str]):
    path = tmp_path / "work.md"
    path.write_text("# Exercise 6\n\n" + "\n\n".join(f"$${row}$$" for row in rows) + "\n", encoding="utf-8")
    return Grader(problem="exercise6").grade_file(path)


@pytest.mark.parametrize("shown", [
    "\\boxed{{{v}}}", "\\underline{{{v}}}", "\\mathbf{{{v}}}", "\\boldsymbol{{{v}}}", "\\color{{red}}{{{v}}}",
    "\\textcolor{{blue}}{{{v}}}", "\\fbox{{{v}}}", "\\num{{{v}}}", "\\SI{{{v}}}{{}}",
    "{v} \\text{{ (rounded)}}", "{v} \\quad \\checkmark", "{v} \\;\\text{{✓}}", "{v} \\,", "{v}.",
    "{v} (rounded)", "{v} \\; (\\text{{rounded}})", "{v} (correct, rounded)", "{v} \\checkmark (rounded)",
    "{v}\\ldots", "{v} \\dots", "{v}\\cdots", "{v}…",  # (an ellipsis: more digits follow)
    "\\textbf{{{v}}}", "\\text{{{v}}}", "\\mathrm{{{v}}}",  # (a number in a text command: the number)
])
def test_a_dressed_value_is_the_value(tmp_path, shown):
    result = graded(tmp_path, [f"z_1 = w_1 i_1 + w_2 i_2 + b_1 = " + shown.format(v=f"{Z1:.2f}")])
    z1 = result.field("z1")
    assert z1.verdict == "correct" and z1.given == pytest.approx(Z1), shown
    assert result.unattributed == ()


def test_a_comment_in_brackets_after_a_value_in_plain_text_and_a_check_mark(tmp_path):
    path = tmp_path / "work.txt"
    path.write_text(f"z1 = -15*0.8 + 20*0.2 + 0.35 = {Z1:.2f} (rounded)\nh1 = {H1:.6g} ✓\n", encoding="utf-8")
    result = Grader(problem="exercise6").grade_file(path)
    assert result.field("z1").verdict == "correct" and result.field("h1").verdict == "correct"
    assert result.unattributed == ()


@pytest.mark.parametrize("remark", [
    "(4 d.p.)", "(4dp)", "(4 sf)", "(to 4 decimal places).", "[rounded]", "(approx.)", "(rounded to 4 dp)",
    "(4 significant figures)", "(4 sig figs)",
])
def test_how_a_value_was_rounded_said_in_brackets_is_a_remark(tmp_path, remark):
    """"h1 = 0.000476 (3 s.f.)": before, "(4 d.p.)", "(3sf)" and the like were read as a factor or left the row
    unreadable, and a right value scored as missing; "(approx.)" too, its word taken for prose."""
    value = f"{H1:.4g}"
    plain = tmp_path / "work.txt"
    plain.write_text(f"h1 = {value} {remark}\n", encoding="utf-8")
    latex = graded(tmp_path, [f"h_1 = {value} \\; {remark}".replace("d.p.", "\\text{d.p.}")])
    for result in (Grader(problem="exercise6").grade_file(plain), latex):
        assert result.field("h1").verdict == "correct", remark
        assert result.unattributed == ()


@pytest.mark.parametrize("row", ["z_1 = 2 (3)", "z_1 = -7.65 [4]", "z_1 = -7.65 (4 apples)"])
def test_a_number_in_brackets_that_is_no_rounding_remark_stays(tmp_path, row):
    assert graded(tmp_path, [row]).field("z1").verdict in ("missing", "incorrect")


@pytest.mark.parametrize("lead", ["\\therefore", "\\because", "∴", "\\text{so}", "\\text{Hence,}\\;",
                                  "\\text{and then}", "\\therefore \\text{so}"])
def test_words_that_lead_into_an_equation_are_no_part_of_its_name(tmp_path, lead):
    """``\\therefore h_1 = ...``: before, the left-hand side was "\\therefore h_1", unreadable, and a right value
    scored as missing."""
    result = graded(tmp_path, [f"{lead} h_1 = \\sigma(z_1) = {H1:.6g}"])
    assert result.field("h1").verdict == "correct", lead
    assert result.field("h1").source_text == f"h_1 = \\sigma(z_1) = {H1:.6g}"
    assert result.unattributed == ()


def test_words_in_brackets_about_the_value_are_a_remark_though_a_name_follows_them(tmp_path):
    """``h_1 = 0.000476 \\quad (\\text{output of } h_1)``: before, the row was a product with a text and the value was
    dropped without a word. One word in a text may be a name (``(\\text{out}_{h1})``) and stays a factor."""
    result = graded(tmp_path, [f"h_1 = {H1:.6g} \\quad (\\text{{output of }} h_1)",
                               f"z_1 = {Z1:.2f} \\; (\\text{{the net input}}, z_1)"])
    assert result.field("h1").verdict == "correct" and result.field("z1").verdict == "correct"
    factor = graded(tmp_path, [f"h_1 = {H1:.6g} (\\text{{out}}_{{h1}})"])
    assert factor.field("h1").verdict != "correct"


def test_words_before_a_name_that_lead_into_nothing_stay(tmp_path):
    result = graded(tmp_path, [f"\\text{{Step 2}} h_1 = {H1:.6g}", f"\\therefore = {H1:.6g}"])
    assert result.field("h1").verdict == "missing" and len(result.unattributed) == 2


def test_a_short_word_in_brackets_may_be_a_factor_and_is_not_dropped(tmp_path):
    """``-7.65 (h)``: ``(h)`` could be a factor; it is no comment, so the step stays a formula (no answer is read from
    it, as from any formula)."""
    result = graded(tmp_path, [f"z_1 = {Z1:.2f} (h)"])
    assert result.field("z1").verdict == "missing"


@pytest.mark.parametrize("text, reason", [
    ("\\boxed 3", "\\boxed is read only with its braces"),
    ("\\cancel{3}", "the command \\cancel is not read"),  # a struck-out value is not the answer
    ("\\textcolor{red}{", "a number or expression is missing"),
])
def test_other_dressings_are_not_read(text, reason):
    tree = read_math(text)
    assert isinstance(tree, Unreadable) and reason in tree.reason


@pytest.mark.parametrize("joint", ["\\text{ so }", "\\text{, so }", "\\text{ and }", "\\text{ hence }",
                                   "\\text{ which gives }"])
def test_prose_between_two_equations_of_a_row_separates_them(tmp_path, joint):
    result = graded(tmp_path, [f"z_1 = {Z1:.2f} {joint} h_1 = {H1:.6g}"])
    assert result.field("z1").verdict == "correct" and result.field("z1").given == pytest.approx(Z1)
    assert result.field("h1").verdict == "correct"


def test_a_text_inside_a_formula_is_no_separator(tmp_path):
    """``\\text{Learning Rate}`` is a name inside the update's formula, not prose between equations."""
    result = graded(tmp_path, ["w_1' = w_1 - \\text{Learning Rate} \\cdot \\delta_{h_1} \\cdot i_1"
                               " = -15 - 0.3 \\cdot 0.0018951 \\cdot 0.8 = -15.00045482"])
    assert result.field("w1_new").verdict == "correct"


def test_intertext_in_an_align_is_prose_and_a_row_break(tmp_path):
    """``\\intertext{...}`` between two rows of an ``align``: before, the row above it ran on into the row below (no
    ``\\\\`` between them), so h1's last number was z2's, -13.65, and a right h1 was marked incorrect."""
    h2 = 1 / (1 + math.exp(13.65))
    text = ("\\begin{align*}\n"
            f"  z_1 &= (-15)(0.8) + (20)(0.2) + 0.35 = {Z1:.2f} \\\\\n"
            f"  h_1 &= \\sigma(z_1) \\approx {H1:.4g}\n"
            "  \\intertext{and likewise, with {braces} inside, for the second unit:}\n"
            f"  z_2 &= -13.65, \\qquad h_2 = \\sigma(z_2) \\approx {h2:.4g}\n"
            "  \\shortintertext{so}\n"
            "  z_3 &= 40 h_1 + 45 h_2 + 0.6\n"
            "\\end{align*}\n")
    path = tmp_path / "work.md"
    path.write_text(text, encoding="utf-8")
    result = Grader(problem="exercise6").grade_file(path)
    assert {f.quantity: (f.verdict, f.source) for f in result.fields if f.verdict != "missing"} == {
        "z1": ("correct", "line 2"), "h1": ("correct", "line 3"), "z2": ("correct", "line 5"),
        "h2": ("correct", "line 5")}
    assert result.unattributed == ()


@pytest.mark.parametrize("e", ["\\mathrm{e}", "\\text{e}", "\\mathrm{ e }"])
def test_an_upright_e_is_eulers_number_not_the_loss(tmp_path, e):
    """``\\mathrm{e}^{-z_1}`` is how typeset math writes e: before, it was read as a name, which the names' reader
    takes for E, the total loss, and the network's own formula got a wrong_formula flag ("e (E, the total loss)
    does not belong in it")."""
    result = graded(tmp_path, [f"h_1 = \\frac{{1}}{{1 + {e}^{{-z_1}}}} = \\frac{{1}}{{1 + {e}^{{7.65}}}} = {H1:.6g}"])
    assert result.field("h1").verdict == "correct" and result.flags == ()


@pytest.mark.parametrize("row", [
    f"z_1 = \\underbrace{{(-15)(0.8)}}_{{-12}} + \\underbrace{{20(0.2)}}_{{4}} + 0.35 = {Z1!r}",
    f"z_1 = \\overbrace{{-12 + 4}}^{{-8}} + 0.35 = {Z1!r}",
    f"z_1 = (-15)(0.8) + 20(0.2) + 0.35 = \\underbrace{{{Z1!r}}}_{{\\text{{net input}}}}",
    f"z_1 \\overset{{(1)}}{{=}} {Z1!r}", f"z_1 \\stackrel{{\\text{{def}}}}{{=}} w_1 i_1 + w_2 i_2 + b_1 = {Z1!r}",
    f"z_1 \\underset{{\\text{{2 d.p.}}}}{{\\approx}} {Z1!r}",
])
def test_a_brace_or_a_label_over_a_relation_is_a_remark(tmp_path, row):
    """``\\underbrace{(-15)(0.8)}_{-12}``, ``\\overset{(1)}{=}``: before, the step could not be read (a brace), or the
    whole row (a relation with a label), and right work was read only in part or marked missing."""
    result = graded(tmp_path, [row])
    assert result.field("z1").verdict == "correct" and not result.unattributed, result.unattributed


def test_an_aligns_column_of_comments_after_a_double_ampersand_is_dropped(tmp_path):
    """``z_1 &= -7.65 && \\text{(net input of } h_1)``: the books' column of comments. Before, its words and brackets
    made the row unreadable ("an unmatched closing bracket"). Equations side by side after ``&&`` are still read."""
    path = tmp_path / "work.tex"
    path.write_text("\\documentclass{article}\n\\begin{document}\n\\begin{align*}\n"
                    f"  z_1 &= {Z1!r} && \\text{{(net input of }} h_1) \\\\\n"
                    f"  h_1 &= \\sigma(z_1) = {H1!r} && \\text{{by the sigmoid}}\n"
                    "\\end{align*}\n\\begin{alignat*}{2}\n"
                    f"  z_1 &= {Z1!r} && h_1 &= {H1!r}\n\\end{{alignat*}}\n\\end{{document}}\n", encoding="utf-8")
    result = Grader(problem="exercise6").grade_file(path)
    assert result.field("z1").verdict == "correct" and result.field("h1").verdict == "correct"
    assert not result.unattributed and not result.flags
