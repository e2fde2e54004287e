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
