"""A notebook's printed outputs are read (``grader.submission.notebook``): a student who prints answers from code
(``print("z1 =", z1)``) had them ignored in silence, so a notebook of code with its outputs scored 0 with "Nothing
in this write-up was read". The code itself, errors, stderr and images are never read. Values from the textbook
formulas in mpmath (``tests/textbook.py``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.grade.pipeline import Grader
from grader.submission.notebook import notebook_text
from textbook import CLASSIC, CLASSIC_NETS, sig, textbook

V = textbook(CLASSIC, CLASSIC_NETS)
ROOT = Path(__file__).resolve().parent.parent


def nb(*cells) -> str:
    return json.dumps({"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def md(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": text.splitlines(keepends=True)}


def code(source: str, *outputs) -> dict:
    return {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": source, "outputs": list(outputs)}


def stream(text: str, name: str = "stdout") -> dict:
    return {"output_type": "stream", "name": name, "text": text.splitlines(keepends=True)}


def result(text: str) -> dict:
    return {"output_type": "execute_result", "execution_count": 1, "metadata": {},
            "data": {"text/plain": text, "image/png": "iVBORw0KGgo="}}


def read_nb(result) -> dict[str, str]:
    return {f.quantity: f.verdict for f in result.fields if f.verdict != "missing"}


def grade_nb(tmp_path, text: str):
    path = tmp_path / "work.ipynb"
    path.write_text(text, encoding="utf-8")
    return Grader(problem="classic_222").grade_file(path)


def test_printed_answers_are_read_with_their_cell(tmp_path):
    s = lambda q: sig(V[q], 10)  # noqa: E731
    text = nb(
        md("# Sam Park, 400111222\n\nForward pass, computed below."),
        code("net_h1 = w1*i1 + w2*i2 + b1\nprint('net h1 =', net_h1)", stream(f"net h1 = {s('net_h1')}\n")),
        code("h1 = 1/(1+np.exp(-net_h1))\nprint(f'h1 = {h1}')\nh2", stream(f"h1 = {s('h1')}\n"),
             result(f"'h2 = {s('h2')}'")),
        code("o1 = ...", {"output_type": "display_data", "metadata": {}, "data": {"text/plain": [f"o1 = {s('o1')}"]}}),
        md(f"And by hand: $o_2 = {s('o2')}$"),
    )
    r = grade_nb(tmp_path, text)
    verdicts = {f.quantity: f.verdict for f in r.fields if f.verdict != "missing"}
    assert verdicts == {"net_h1": "correct", "h1": "correct", "o1": "correct", "o2": "correct"}, verdicts
    assert r.field("net_h1").source == "the output of cell 2, line 1"
    assert r.field("o1").source == "the output of cell 4, line 1"
    assert r.field("o2").source == "cell 5, line 1"
    assert r.student.id == "400111222"


def test_code_errors_stderr_and_images_are_never_read(tmp_path):
    s = sig(V["h1"], 10)
    text = nb(
        code(f"h1 = {s}", {"output_type": "error", "ename": "NameError", "evalue": f"h1 = {s}",
                           "traceback": [f"h1 = {s}"]}),
        code("import warnings", stream(f"h1 = {s}\n", name="stderr")),
        code("plot()", {"output_type": "display_data", "metadata": {}, "data": {"image/png": "aDEgPSAwLjU="}}),
    )
    r = grade_nb(tmp_path, text)
    assert all(f.verdict == "missing" for f in r.fields)  # the code's own h1 = ... is not read either


def test_labels_and_fences_of_outputs():
    text, labels = notebook_text(nb(md("a\nb"), code("x", stream("one\n``` two\n")), md("c")), "n.ipynb")
    lines = text.split("\n")
    assert lines[:4] == ["a", "b", "", "```"] and lines[4:7] == ["one", "''' two", "```"] and lines[8] == "c"
    assert labels[1] == "cell 1, line 1" and labels[2] == "cell 1, line 2"
    assert labels[5] == "the output of cell 2, line 1" and labels[6] == "the output of cell 2, line 2"
    assert labels[9] == "cell 3, line 1"


def test_a_problem_that_grades_hand_work_only_leaves_the_outputs_unread_and_says_so(tmp_path):
    """``notebook_outputs: ignore`` (the instructor's, in the problem): what the code printed is not an answer; the
    Markdown cells still are, and the student is told which cells were left unread."""
    problem = (ROOT / "problems" / "classic_222.yaml").read_text(encoding="utf-8") + "\nnotebook_outputs: ignore\n"
    (tmp_path / "hand.yaml").write_text(problem, encoding="utf-8")
    s = lambda q: sig(V[q], 10)  # noqa: E731
    text = nb(code("print(net_h1)", stream(f"net h1 = {s('net_h1')}\n")), md(f"By hand: $h_1 = {s('h1')}$"),
              code("o1", result(f"o1 = {s('o1')}")))
    path = tmp_path / "work.ipynb"
    path.write_text(text, encoding="utf-8")
    r = Grader(problem=str(tmp_path / "hand.yaml")).grade_file(path)
    assert {f.quantity: f.verdict for f in r.fields if f.verdict != "missing"} == {"h1": "correct"}
    assert any("What the code cells printed is not read in this problem (cells 1, 3)" in w for w in r.warnings)
    # the default reads them (the same notebook, the bundled problem)
    r = grade_nb(tmp_path, text)
    assert {f.quantity for f in r.fields if f.verdict != "missing"} == {"net_h1", "h1", "o1"}
    assert not any("not read in this problem" in w for w in r.warnings)


def test_the_setting_is_checked_by_the_schema(tmp_path):
    from grader.errors import GraderError
    from grader.spec.load import load_problem

    bad = (ROOT / "problems" / "classic_222.yaml").read_text(encoding="utf-8") + "\nnotebook_outputs: skip\n"
    (tmp_path / "bad.yaml").write_text(bad, encoding="utf-8")
    with pytest.raises(GraderError) as info:
        load_problem(tmp_path / "bad.yaml")
    assert "notebook_outputs" in str(info.value) and "'read' or 'ignore'" in str(info.value)


def test_a_name_and_a_number_printed_with_a_space_are_read(tmp_path):
    """``print("h1", h1)`` prints ``h1 0.5932699921``: before, such a line was not read (only ``h1 = ...`` and
    ``h1: ...`` were). A line of a name and one number alone; a name with two numbers, or words, is not."""
    s = lambda q: sig(V[q], 10)  # noqa: E731
    text = nb(code('print("h1", h1)\nprint("net_o1", net_o1)', stream(f"h1 {s('h1')}\nnet_o1 {s('net_o1')}\n")),
              code("print(o1, o2)", stream(f"o1 {s('o1')} {s('o2')}\n")),
              code("h2", stream(f"Step 2\nh2 computed {s('h2')}\n")))
    result = grade_nb(tmp_path, text)
    assert {f.quantity: (f.verdict, f.source) for f in result.fields if f.verdict != "missing"} == {
        "h1": ("correct", "the output of cell 1, line 1"), "net_o1": ("correct", "the output of cell 1, line 2")}
    plain = tmp_path / "answers.txt"  # a list typed with spaces reads alike
    plain.write_text(f"h1 {s('h1')}\nnet_o1   {s('net_o1')}\n", encoding="utf-8")
    assert {f.quantity for f in Grader(problem="classic_222").grade_file(plain).fields
            if f.verdict == "correct"} == {"h1", "net_o1"}


def test_what_ipython_displays_as_math_or_markdown_is_read(tmp_path):
    """``display(Math(r"h_1 = ..."))`` and ``display(Markdown("**o1** = ..."))`` show the answer, while their plain
    text is ``<IPython.core.display.Math object>``: before, only the plain text was read, so such answers were not.
    A result with only plain text reads as before."""
    s = lambda q: sig(V[q], 10)  # noqa: E731
    math = {"output_type": "display_data", "metadata": {},
            "data": {"text/latex": f"$\\displaystyle h_1 = {s('h1')}$", "text/plain": "<IPython.core.display.Math object>"}}
    markdown = {"output_type": "display_data", "metadata": {},
                "data": {"text/markdown": f"**o1** = {s('o1')}", "text/plain": "<IPython.core.display.Markdown object>"}}
    text = nb(code("display(Math(...))", math), code("display(Markdown(...))", markdown),
              code("net_h1", result(f"net_h1 = {s('net_h1')}")))
    r = grade_nb(tmp_path, text)
    assert read_nb(r) == {"h1": "correct", "o1": "correct", "net_h1": "correct"}
    assert r.field("h1").source == "the output of cell 1, line 1"


def test_a_printed_dict_of_answers_is_read(tmp_path):
    """``print(answers)`` of a dict (numpy 2 prints ``np.float64(...)`` in it), and a JSON dump: before, not read.
    A key that is no quantity reads nothing."""
    s = lambda q: sig(V[q], 10)  # noqa: E731
    text = nb(code("print(answers)", stream(f"{{'h1': {s('h1')}, 'o1': np.float64({s('o1')}), 'note': 'x'}}\n")),
              code("print(json.dumps(more, indent=1))", stream(f'{{\n "net_h1": {s("net_h1")},\n "zz": 1\n}}\n')))
    r = grade_nb(tmp_path, text)
    assert read_nb(r) == {"h1": "correct", "o1": "correct", "net_h1": "correct"}
    assert r.field("o1").source == "the output of cell 1, line 1"


def test_a_table_printed_by_pandas_is_read_row_by_row(tmp_path):
    """``print(df)`` of a table of names and values prints each row after its index (``0   h1   0.593270``): before,
    the index made such a line unread. A Series prints no index; both read."""
    s = lambda q: sig(V[q], 7)  # noqa: E731
    table = f"  quantity     value\n0   net_h1  {s('net_h1')}\n1       h1  {s('h1')}\n"
    series = f"o1    {s('o1')}\ndtype: float64\n"
    r = grade_nb(tmp_path, nb(code("print(df)", stream(table)), code("s", result(series))))
    assert read_nb(r) == {"net_h1": "correct", "h1": "correct", "o1": "correct"}
