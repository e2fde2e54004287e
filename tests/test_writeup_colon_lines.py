"""Lines ``name: value`` in a plain-text or Markdown write-up, or a notebook's printed output
(``grader.submission.plaintext.colon_rows``): ``h1: 0.593`` was dropped without a word (an equation needed ``=``),
so was a filled-in template pasted into a write-up. Read only where the name is a quantity's and the value has a
digit and no prose: ``Name: ...``, ``Step 3: ...``, ``h1: about 0.6 I think`` are not answers. Values from the
textbook formulas in mpmath (``tests/textbook.py``)."""

from __future__ import annotations

import pytest

from grader.grade.pipeline import Grader
from textbook import CLASSIC, CLASSIC_NETS, sig, textbook

V = textbook(CLASSIC, CLASSIC_NETS)
s = lambda q, d=10: sig(V[q], d)  # noqa: E731


def grade_text(tmp_path, text: str, suffix: str = ".md"):
    path = tmp_path / f"work{suffix}"
    path.write_text(text, encoding="utf-8")
    return Grader(problem="classic_222").grade_file(path)


@pytest.mark.parametrize("suffix", [".md", ".txt"])
def test_a_name_a_colon_and_a_value(tmp_path, suffix):
    text = "\n".join([
        "Name: Sam Park", "Student ID: 400111222", "", "Step 3: the forward pass", "",
        f"net_h1: 0.15*0.05 + 0.2*0.1 + 0.35*1 = {s('net_h1')}",
        f"h1: {s('h1')}",
        f"- **h2:** {s('h2')}",
        f"**o1**: {s('o1')}.",
        "o2: about 0.77 I think",  # prose: no answer
        f"  E_o1: {s('E_o1')}   # the error of o1",  # as a filled-in template has it
        "Note: 0.5 is not an answer", "",
    ])
    r = grade_text(tmp_path, text, suffix)
    verdicts = {f.quantity: f.verdict for f in r.fields if f.verdict != "missing"}
    assert verdicts == {"net_h1": "correct", "h1": "correct", "h2": "correct", "o1": "correct", "E_o1": "correct"}
    assert r.field("h1").source == "line 7" and r.field("E_o1").source == "line 11"
    assert r.student.id == "400111222" and r.student.name == "Sam Park"
    assert not r.flags


def test_a_slip_in_a_colon_line_is_located_and_a_wrong_given_flagged(tmp_path):
    text = f"net_h1: 0.15*0.05 + 0.2*0.1 + 0.35*1 = 0.3825\nw5: 0.5\neta: 0.5\n"  # 0.3775, not 0.3825
    r = grade_text(tmp_path, text)
    f = r.field("net_h1")
    assert f.verdict == "incorrect" and f.given == pytest.approx(0.3825) and f.source == "line 1"
    assert [(fl.kind, fl.quantity) for fl in r.flags] == [("wrong_given", "w5")]  # w5 is 0.40; eta 0.5 is the given


def test_colon_lines_that_are_not_answers(tmp_path):
    h1 = s("h1")
    cases = [f"```python\nh1: {h1}\n```\n",  # code
             f"$$h1: {h1}$$\n",  # math: the colon is the math's
             f"Result: {h1}\n",  # no quantity's name
             f"h1: see below\n"]  # no digit
    for text in cases:
        assert grade_text(tmp_path, text).field("h1").verdict == "missing", text
    # outside math a .tex file is prose
    tex = f"\\begin{{document}}\nh1: {h1}\n\\end{{document}}\n"
    assert grade_text(tmp_path, tex, ".tex").field("h1").verdict == "missing"
