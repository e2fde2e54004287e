"""A YAML answer with a remark after its value, as students write one: how it was rounded ("0.5933 (4 d.p.)",
"(3sf)", "[rounded]"), words in brackets ("(rounded)"), "approx", a check mark, an ellipsis. Before, each was
"unparseable" and scored 0 though the value was right. Only such remarks: a factor in brackets stays an error.
Values from the textbook formulas in mpmath (``tests/textbook.py``)."""

from __future__ import annotations

import pytest

from grader.grade.pipeline import Grader
from grader.parse.answer import Unparseable, parse_answer_text
from grader.parse.remarks import without_remark
from textbook import CLASSIC, CLASSIC_NETS, sig, textbook

V = textbook(CLASSIC, CLASSIC_NETS)

REMARKS = ["(4 d.p.)", "(4dp)", "(4 s.f.)", "(to 4 decimal places)", "[rounded]", "(rounded)", "(approx.)", "approx",
           "approximately", "✓", "…", "...", "(correct, rounded)", "(4 sig figs) ✓"]


@pytest.mark.parametrize("remark", REMARKS)
def test_a_remark_after_a_right_value_is_no_part_of_it(tmp_path, remark):
    value = sig(V["h1"], 4)
    path = tmp_path / "answers.yaml"
    path.write_text(f'problem: classic_222\nstudent: {{id: "400111222"}}\nanswers:\n  h1: "{value} {remark}"\n'
                    f'  o1: {{value: "{sig(V["o1"], 4)} {remark}", using: {{h1: "{value} {remark}"}}}}\n',
                    encoding="utf-8")
    result = Grader().grade_file(path)
    assert result.field("h1").verdict == "correct" and result.field("o1").verdict == "correct", remark
    assert result.field("h1").given_text == f"{value} {remark}"  # the student's text, as written


@pytest.mark.parametrize("text", ["0.5 (h)", "2 (3)", "0.5 (4 apples)", "0.5 approx 2", "(rounded)", "0.5 [1]"])
def test_what_is_no_remark_is_read_as_before(text):
    assert isinstance(parse_answer_text(text), Unparseable)


def test_at_most_three_remarks_are_taken_off_and_brackets_alone_stay():
    """The remarks are taken off one after the other, three at most: a text of thousands is not walked again and
    again (each pattern looks at the text's end only)."""
    assert without_remark("0.5 (rounded) (rounded) (rounded) (rounded)") == "0.5 (rounded)"
    assert without_remark("0.5" + " approx" * 3000) == "0.5" + " approx" * 2997
    assert without_remark("(" * 5000 + "0.5") == "(" * 5000 + "0.5"
    assert without_remark("0.5933... (4 d.p.) ✓") == "0.5933"


@pytest.mark.parametrize("again", ["({e})", "(= {e})", "(i.e. {e})", "(≈ {e})", "[{e}]"])
def test_the_value_said_again_in_brackets_is_no_factor(tmp_path, again):
    """``0.000476 (4.76e-4)``: the same value again, in another notation. Before, a YAML answer was refused and a
    write-up read it as the product 0.000476·4.76e-4, marked wrong with "a slip in the arithmetic"."""
    value, e = sig(V["h1"], 4), f"{float(sig(V['h1'], 4)):.3e}"
    path = tmp_path / "answers.yaml"
    path.write_text(f'problem: classic_222\nanswers:\n  h1: "{value} {again.format(e=e)}"\n', encoding="utf-8")
    assert Grader().grade_file(path).field("h1").verdict == "correct"
    write_up = tmp_path / "work.md"
    write_up.write_text(f"h1 = {value} {again.format(e=e)}\n", encoding="utf-8")
    result = Grader(problem="classic_222").grade_file(write_up)
    assert result.field("h1").verdict == "correct" and float(result.field("h1").given) == float(value)


@pytest.mark.parametrize("inner, before, said_again", [
    ("4.76e-4", "0.000476", True), ("4.76 x 10^-4", "h1 = 0.000476", True), ("= -12 + 4 + 0.35", "-7.65", True),
    ("0.35", "0.65", False), ("0.5", "0.5", False),  # a product; one digit says too little to tell
    ("-4.76e-4", "0.000476", False), ("0.0005", "0.000476", False), ("1e999", "1e999", False), ("order 2", "5", False),
])
def test_a_number_in_brackets_is_the_value_again_only_where_the_digits_agree(inner, before, said_again):
    from grader.parse.remarks import restates

    assert restates(inner, before) is said_again


@pytest.mark.parametrize("row", ["$h_1 = {v} \\; ({m} \\times 10^{{{x}}})$", "$h_1 = {v} \\ (= {m} \\times 10^{{{x}}})$",
                                 "$h_1 = {v} ({m}e{x})$"])
def test_in_math_too_the_value_said_again_in_brackets_is_no_factor(tmp_path, row):
    value = sig(V["h1"], 4)
    m, x = f"{float(value):.3e}".split("e")
    path = tmp_path / "work.md"
    path.write_text(row.format(v=value, m=m, x=int(x)) + "\n", encoding="utf-8")
    result = Grader(problem="classic_222").grade_file(path)
    assert result.field("h1").verdict == "correct" and float(result.field("h1").given) == float(value)
    path.write_text(f"$o_1 = {sig(V['o1'], 4)} (0.35)$\n", encoding="utf-8")  # other digits: still a product
    assert Grader(problem="classic_222").grade_file(path).field("o1").verdict == "incorrect"
