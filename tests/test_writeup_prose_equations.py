"""Equations inside sentences of a plain-text write-up, as students write when they explain: "so we get z1 = ... =
-7.65, and then h1 = σ(z1) = 0.000476 which is tiny". Before, a line had to start with the name: such lines were
dropped without a word, and words after a value (``o1 = 0.650011 (rounded) here``) made the answer vanish. An
equation inside prose is kept only where it names a quantity (a given restated is checked against the problem's);
"with n = 2 inputs" is no answer and not listed. Values from the textbook formulas (``tests/textbook.py``)."""

from __future__ import annotations

import pytest

from grader.errors import LimitError
from grader.grade.pipeline import Grader
from grader.submission.extract import MAX_ROWS
from textbook import CLASSIC, CLASSIC_NETS, EX6, sig, textbook

V = textbook(EX6)
C = textbook(CLASSIC, CLASSIC_NETS)


def grade_text(tmp_path, text: str, problem: str = "exercise6", suffix: str = ".txt"):
    path = tmp_path / f"work{suffix}"
    path.write_text(text, encoding="utf-8")
    return Grader(problem=problem).grade_file(path)


def test_equations_inside_sentences(tmp_path):
    text = (f"First the net input: so we get z1 = -15*0.8 + 20*0.2 + 0.35 = {sig(V['z1'], 4)}, and then "
            f"h1 = σ(z1) = {sig(V['h1'], 6)} which is tiny.\n"
            f"With n = 2 inputs and x = 5 as a guess, the output o1 = {sig(V['o1'], 6)}.\n"
            f"For the output layer we then have delta o2 = {sig(V['delta_o2'], 6)}.\n")
    for suffix in (".txt", ".md"):
        result = grade_text(tmp_path, text, suffix=suffix)
        for q, line in (("z1", 1), ("h1", 1), ("o1", 2), ("delta_o2", 3)):
            f = result.field(q)
            assert f.verdict == "correct" and f.source == f"line {line}", (suffix, q, f.verdict, f.source)
        assert result.unattributed == ()  # n = 2 and x = 5 are no quantities: not answers, not listed
        assert result.flags == ()


def test_a_given_restated_in_prose_is_checked(tmp_path):
    result = grade_text(tmp_path, f"We use w5 = 4 here, and z3 = {sig(V['z3'], 6)}.\n")
    assert [(fl.kind, fl.quantity) for fl in result.flags] == [("wrong_given", "w5")]


def test_words_after_a_value_and_a_second_equation(tmp_path):
    result = grade_text(tmp_path, f"o1 = {sig(V['o1'], 6)} (rounded) here\n"
                                  f"z1 = {sig(V['z1'], 3)} and h1 = {sig(V['h1'], 6)}\n")
    for q, line in (("o1", 1), ("z1", 2), ("h1", 2)):
        f = result.field(q)
        assert f.verdict == "correct" and f.source == f"line {line}", (q, f.verdict, f.source)


def test_a_formula_is_not_cut_to_a_number(tmp_path):
    """``E = 1/2 sum (t-o)^2 over the outputs``: the words after the formula end it, the word inside it does not,
    so E is never read as 1/2."""
    result = grade_text(tmp_path, f"Note: E = 1/2 sum (t-o)^2 over the outputs.\nThe total is E = {sig(C['E'], 9)} "
                                  "here.\n", problem="classic_222")
    f = result.field("E")
    assert f.verdict == "correct" and f.source == "line 2", (f.verdict, f.source, f.given)


def test_a_product_is_no_equation_of_its_last_factor(tmp_path):
    """``w1 i1 = 0.0075`` is no statement that i1 = 0.0075 (a wrong given): it is listed, as before."""
    result = grade_text(tmp_path, "w1 i1 = 0.0075\n", problem="classic_222")
    assert result.flags == ()
    assert [u[0] for u in result.unattributed] == ["line 1"]


def test_the_row_limit_counts_equations_inside_prose(tmp_path):
    """Five equations a line over 5,000 lines are 25,000 rows: past the write-up's limit of 20,000, a clear error
    (exit 2), as for rows of math; before the limit was counted here, such a file was read whole."""
    line = "we get z1 = 1 and h1 = 2 and z2 = 3 and h2 = 4 and o1 = 5\n"
    with pytest.raises(LimitError, match=f"more than {MAX_ROWS} rows"):
        grade_text(tmp_path, line * (MAX_ROWS // 5 + 1000))


def test_a_line_that_starts_with_an_unknown_name_is_listed_though_prose_follows(tmp_path):
    """``x = 5 and z1 = ...``: x is listed as not read, as a line starting with it always was; the equation inside
    the rest of the line is read (only equations found inside prose go unlisted when they name nothing)."""
    result = grade_text(tmp_path, f"x = 5 and z1 = {sig(V['z1'], 3)}\n")
    assert result.field("z1").verdict == "correct"
    assert [(u[0], u[1]) for u in result.unattributed] == [("line 1", "x = 5")]


def test_an_equation_in_brackets_ends_at_its_bracket(tmp_path):
    """"4) Updates (η = 0.3)" and "(z2 = -13.65)" were listed as "could not be read: an unmatched closing bracket",
    z2 unread; "[h1 = ...]" named nothing. A bracket the equation did not open ends it."""
    text = (f"4) Updates (η = 0.3)\nAlso (z2 = {sig(V['z2'], 6)}) and [h1 = {sig(V['h1'], 6)}].\n"
            f"So z1 = (-15)(0.8) + (20)(0.2) + 0.35 = {sig(V['z1'], 4)} (rounded).\n")
    result = grade_text(tmp_path, text)
    assert {f.quantity: f.verdict for f in result.fields if f.verdict != "missing"} == {
        "z1": "correct", "z2": "correct", "h1": "correct"}
    assert result.unattributed == () and result.flags == ()


@pytest.mark.parametrize("typed", ["{m} x 10^{e}", "{m}x10^{e}", "{m} X 10^({e})", "{m}*10**{e}", "{m} * 10**({e})"])
def test_a_power_of_ten_typed_as_plain_text(tmp_path, typed):
    """``1.18 x 10^-6`` (x for ×) named nothing and was dropped without a word; ``10**-6`` (Python's power) was
    unreadable. Both are the number, in a line, a sentence and a ``name: value`` line."""
    m, e = sig(V["h2"] * 10**6, 4), -6
    value = typed.format(m=m, e=e)
    text = (f"h2 = {value}\nso delta_h2 = {sig(V['delta_h2'] * 10**6, 4)} x 10^-6 which is tiny\n"
            f"h1: {sig(V['h1'] * 10**4, 4)}x10^-4\n")
    result = grade_text(tmp_path, text)
    assert {f.quantity: f.verdict for f in result.fields if f.verdict != "missing"} == {
        "h2": "correct", "delta_h2": "correct", "h1": "correct"}, value
    assert result.unattributed == ()


def test_an_x_that_is_no_times_sign_stays_a_name(tmp_path):
    result = grade_text(tmp_path, "h2 = x * 10^2\nh1 = box10^2\n")
    assert all(f.verdict == "missing" for f in result.fields)


def test_a_description_in_brackets_between_the_name_and_its_equals_sign(tmp_path):
    """``h1 (output of hidden unit 1) = ...``: before, the line named nothing and was dropped without a word. Words
    of an update in the brackets change what is named: ``w5 (after the update)`` is the update, ``w7 (old value)`` is
    left as written."""
    text = (f"h1 (output of hidden unit 1) = {sig(V['h1'], 6)}\nz2 (the net input, h2) = {sig(V['z2'], 6)}\n"
            f"w5 (after the update) = {sig(V['w5_new'], 12)}\nw6 (new value) = {sig(V['w6_new'], 12)}\n"
            "w7 (old value) = 0.5\n")
    result = grade_text(tmp_path, text)
    assert {f.quantity: (f.verdict, f.source) for f in result.fields if f.verdict != "missing"} == {
        "h1": ("correct", "line 1"), "z2": ("correct", "line 2"), "w5_new": ("correct", "line 3"),
        "w6_new": ("correct", "line 4")}
    assert result.flags == ()  # (w5 = ... or w7 = 0.5 would be a wrong given)


def test_words_of_an_update_without_brackets_between_the_name_and_its_equals_sign(tmp_path):
    """``w8 after update = ...``: before, the line named nothing and was dropped without a word (in brackets,
    ``w8 (after the update)``, it was read). Other words there still name nothing."""
    text = (f"w8 after update = {sig(V['w8_new'], 12)}\nw5 after the first step = {sig(V['w5_new'], 12)}\n"
            "h1 after squashing = 0.5\n")
    result = grade_text(tmp_path, text)
    assert {f.quantity: (f.verdict, f.source) for f in result.fields if f.verdict != "missing"} == {
        "w8_new": ("correct", "line 1"), "w5_new": ("correct", "line 2")}
    assert result.flags == ()


def test_approximately_equal_as_typed_in_plain_text(tmp_path):
    """``h1 ~= 0.5933``, ``h2 ≃ 0.5969``, ``o1 =~ ...``, ``o2 ≅ ...``: before, dropped without a word (``≃`` was no
    relation sign of a plain line, and ``~=`` left the name ``h1 ~``)."""
    text = (f"h1 ~= {sig(V['h1'], 6)}\nh2 ≃ {sig(V['h2'], 6)}\no1 =~ {sig(V['o1'], 6)}\no2 ≅ {sig(V['o2'], 6)}\n"
            f"z1 ~ {sig(V['z1'], 6)}\nz2~{sig(V['z2'], 6)}\n")  # a lone tilde between blanks only
    result = grade_text(tmp_path, text)
    assert {f.quantity: f.verdict for f in result.fields if f.verdict != "missing"} == {
        "h1": "correct", "h2": "correct", "o1": "correct", "o2": "correct", "z1": "correct"}
