"""A decimal comma in a write-up and in a LaTeX answer (``7{,}65``, ``0,35``), read as the YAML answer reader reads
one (``grader.parse.answer``): before, every such row was unreadable ("unexpected ','") and the answers missing."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from grader.cli import main
from grader.parse.latex import raw_tokens

# exercise6's z1 = w1 i1 + w2 i2 + b1 and h1 = sigma(z1), from its givens (the textbook formulas, not the solver)
Z1 = -15 * 0.8 + 20 * 0.2 + 0.35
H1 = 1 / (1 + 2.718281828459045 ** -Z1)


def fields(capsys, path, *args) -> dict:
    assert main([str(path), *args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("text, value", [
    ("0,35", Fraction(35, 100)), ("7{,}65", Fraction(765, 100)), ("0,00047", Fraction(47, 100000)),
    ("1{,}000", Fraction(1)), ("2,5e-3", Fraction(25, 10000)), ("0,125", Fraction(1, 8)),
])
def test_a_decimal_comma_is_one_number(text, value):
    tokens = raw_tokens(text)
    assert [t[0] for t in tokens] == ["num", "end"] and tokens[0][3] == value
    assert tokens[0][1] == text.replace("{,}", ",")  # the student's spelling, shown back to them


@pytest.mark.parametrize("text", [
    "1,000",  # a thousands separator or a decimal comma: ambiguous, as in YAML
    "1,2,3",  # a list
    "0,5,",
    "w_{1,2}", "w_1,2", "x^{1,2}", "w^{(1)}_{2,1}",  # an index pair, not a number
    r"\sum_{i=1,2} w_i", r"\sum_{i=1}^{2,5} w_i",  # a range, anywhere in a script
    "0.5,25",  # a decimal point already
    "1, 2",  # a comma and a space: a list
])
def test_other_commas_stay_commas(text):
    assert "," in [t[1] for t in raw_tokens(text)]


def test_write_up_rows_with_decimal_commas_are_graded(tmp_path, capsys):
    doc = tmp_path / "hw.md"
    doc.write_text(f"# Exercise 6\n\n$z_1 = {Z1:.2f}$\n\n$h_1 = {H1:.9f}$\n\n$$z_2 = -13{{,}}65$$\n".replace(".", ",", 2),
                   encoding="utf-8")
    assert "z_1 = -7,65" in doc.read_text() and "h_1 = 0,000475818" in doc.read_text()
    res = fields(capsys, doc, "--problem", "exercise6")
    by = res["fields"]
    assert by["z1"]["verdict"] == "correct" and by["z1"]["given"] == -7.65
    assert by["h1"]["verdict"] == "correct" and by["h1"]["given"] == 0.000475818
    assert by["z2"]["verdict"] == "correct" and by["z2"]["given"] == -13.65
    assert not res["unattributed"]
    assert main([str(doc), "--problem", "exercise6"]) == 0
    report = capsys.readouterr().out
    assert "given -7,65 " in report and "(read as -7.65)" in report  # the student's spelling, and how it was read


def test_a_latex_answer_in_yaml_takes_the_decimal_comma(tmp_path, capsys):
    sub = tmp_path / "hw.yaml"
    sub.write_text('problem: exercise6\nanswers:\n  z1: "$-7{,}65$"\n  h1: "$0{,}0004758$"\n'
                   '  z2: "$-13{,}5 - 0{,}15$"\n'  # two in one answer: each its own number
                   '  z3: "$0.619\\\\,085\\\\,8$"\n  z4: "$0{,}623\\\\,855\\\\,8$"\n', encoding="utf-8")
    by = fields(capsys, sub)["fields"]
    assert by["z1"]["verdict"] == "correct" and by["h1"]["verdict"] == "correct"
    assert by["z2"]["verdict"] == "correct" and by["z2"]["given"] == -13.65
    assert by["z3"]["given"] == 0.6190858 and by["z4"]["given"] == 0.6238558


def test_an_ambiguous_comma_in_a_write_up_is_still_said_to_be_unread(tmp_path, capsys):
    doc = tmp_path / "hw.md"
    doc.write_text("# Exercise 6\n\n$z_1 = 1,000$\n", encoding="utf-8")
    res = fields(capsys, doc, "--problem", "exercise6")
    assert [u["text"] for u in res["unattributed"]] == ["z_1 = 1,000"]


@pytest.mark.parametrize("text, value", [
    (r"0.619\,085\,8", Fraction(6190858, 10**7)),  # siunitx's \num{0.6190858}, as typeset
    ("0.619\u2009085\u20098", Fraction(6190858, 10**7)),  # the same copied from a PDF (thin spaces)
    ("0.000\u202f475\u202f8", Fraction(4758, 10**7)),
    (r"0,619\,085", Fraction(619085, 10**6)),
])
def test_thin_spaces_between_decimals_group_digits_of_one_number(text, value):
    tokens = raw_tokens(text)
    assert [t[0] for t in tokens] == ["num", "end"] and tokens[0][3] == value
    assert tokens[0][1] == text.replace("{,}", ",")


@pytest.mark.parametrize("text", [r"2\,3", r"1.5e-3\,4", r"0.5 \, 3", r"0.5\,e3"])
def test_other_thin_spaces_still_separate(text):
    assert sum(t[0] == "num" for t in raw_tokens(text)) == 2


def test_a_typeset_number_in_a_write_up_is_graded(tmp_path, capsys):
    doc = tmp_path / "hw.md"
    doc.write_text("# Exercise 6\n\n$z_3 = 0.619\\,085\\,8$\n\n$h_1 = 0.000\u2009475\u20098$\n", encoding="utf-8")
    res = fields(capsys, doc, "--problem", "exercise6")
    assert res["fields"]["z3"]["verdict"] == "correct" and res["fields"]["z3"]["given"] == 0.6190858
    assert res["fields"]["h1"]["verdict"] == "correct" and res["fields"]["h1"]["given"] == 0.0004758
    assert not res["unattributed"]
