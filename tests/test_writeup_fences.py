"""Markdown fences that are not code are read: before, a fence marked ```` ```text ````, ```` ```output ````,
```` ```console ```` or ```` ```yaml ```` counted as code and was skipped in silence, so a student who put every
answer in one (typed as text, a template pasted into a ```` ```yaml ```` fence, a program's printed results) scored
0 with "Nothing in this write-up was read". A fence marked as a programming language is still code and skipped. A
problem that reads no printed output (``notebook_outputs: ignore``) reads no fence of output either, and says which
it left unread. Values from the textbook formulas in mpmath (``tests/textbook.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.grade.pipeline import Grader
from grader.submission.mathrow import without_printed
from textbook import CLASSIC, CLASSIC_NETS, sig, textbook

V = textbook(CLASSIC, CLASSIC_NETS)
ROOT = Path(__file__).resolve().parent.parent
s = lambda q: sig(V[q], 10)  # noqa: E731


def grade_md(tmp_path, text: str, problem: str = "classic_222", name: str = "work.md"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return Grader(problem=problem).grade_file(path)


def read(result) -> dict[str, str]:
    return {f.quantity: f.verdict for f in result.fields if f.verdict != "missing"}


@pytest.mark.parametrize("mark", ["text", "txt", "plaintext", "output", "console", "stdout", "yaml", "Text", "math"])
def test_answers_in_a_fence_that_is_not_code_are_read(tmp_path, mark):
    text = (f"# Forward pass\n\n```{mark}\nnet_h1 = {s('net_h1')}\nh1 = {s('h1')}\n```\n\n"
            f"$o_1 = {s('o1')}$\n")
    r = grade_md(tmp_path, text)
    assert read(r) == {"net_h1": "correct", "h1": "correct", "o1": "correct"}
    assert r.field("h1").source == "line 5"


def test_a_template_pasted_in_a_yaml_fence_is_read_and_right_work_gets_its_points(tmp_path):
    text = ("My filled template:\n\n```yaml\nanswers:\n"
            f"  net_h1: {s('net_h1')}   # net input of h1\n  h1: {s('h1')}\n  net_o1: {s('net_o1')}\n```\n")
    r = grade_md(tmp_path, text)
    assert read(r) == {"net_h1": "correct", "h1": "correct", "net_o1": "correct"}
    assert not any("Nothing in this write-up was read" in w for w in r.warnings)


@pytest.mark.parametrize("mark", ["python", "py", "matlab", "bash", "r", "julia", "javascript"])
def test_a_fence_of_code_is_still_skipped(tmp_path, mark):
    text = f"```{mark}\nh1 = {s('h1')}\nw5 = 0.9\n```\n\n$o_1 = {s('o1')}$\n"
    r = grade_md(tmp_path, text)
    assert read(r) == {"o1": "correct"}  # the code's h1 is no answer, its w5 no wrong given
    assert not r.flags


def _hand_only(tmp_path) -> str:
    problem = (ROOT / "problems" / "classic_222.yaml").read_text(encoding="utf-8") + "\nnotebook_outputs: ignore\n"
    (tmp_path / "hand.yaml").write_text(problem, encoding="utf-8")
    return str(tmp_path / "hand.yaml")


def test_a_problem_that_reads_no_printed_output_leaves_fences_of_output_unread_and_says_which(tmp_path):
    text = (f"```output\nnet_h1 = {s('net_h1')}\n```\n"  # lines 1-3
            f"By hand: $h_1 = {s('h1')}$\n"  # line 4
            f"```console\n$ python bp.py\no1 = {s('o1')}\n```\n"  # lines 5-8
            f"```text\no2 = {s('o2')}\n```\n")  # typed by the student: read
    r = grade_md(tmp_path, text, _hand_only(tmp_path))
    assert read(r) == {"h1": "correct", "o2": "correct"}
    assert r.field("o2").source == "line 10"  # line numbers are kept
    said = [w for w in r.warnings if "What a program printed is not read in this problem" in w]
    assert len(said) == 1 and "(the fences of output at lines 2, 6)" in said[0], r.warnings
    # the bundled problem reads them all, and says nothing of the kind
    r = grade_md(tmp_path, text)
    assert read(r) == {"net_h1": "correct", "h1": "correct", "o1": "correct", "o2": "correct"}
    assert not any("not read in this problem" in w for w in r.warnings)


def test_no_remark_when_a_fence_of_output_is_empty_or_there_is_none(tmp_path):
    text = f"```output\n\n```\n$h_1 = {s('h1')}$\n```python\nprint(h1)\n```\n"
    r = grade_md(tmp_path, text, _hand_only(tmp_path))
    assert read(r) == {"h1": "correct"}
    assert not any("not read in this problem" in w for w in r.warnings)


def test_without_printed_keeps_lines_and_tells_fences_as_the_reader_does():
    text = "a\n```output\nx = 1\n~~~\ny = 2\n```\nb\n~~~python\n```output\nz = 3\n~~~\n```out\nlast = 4"
    out, emptied = without_printed(text)
    lines = out.split("\n")
    assert len(lines) == len(text.split("\n"))
    # the first fence runs to its own mark (a ~~~ inside does not close it); inside a python fence a ```output
    # line is code, not a fence; a fence never closed runs to the end
    assert lines == ["a", "```output", "", "", "", "```", "b", "~~~python", "```output", "z = 3", "~~~", "```out",
                     ""]
    assert emptied == [3, 13]
    assert without_printed("no fences\nx = 1") == ("no fences\nx = 1", [])


def test_a_hostile_number_of_fences_is_read_in_one_pass():
    text = "```output\nh1 = 1\n```\n" * 50_000 + "```output\n" * 50_000  # (then 25,000 empty fences; milliseconds: each line is looked at once)
    out, emptied = without_printed(text)
    assert len(emptied) == 50_000 and out.count("\n") == text.count("\n") and "h1" not in out


def test_a_write_up_of_code_only_is_told_its_fences_are_not_read(tmp_path):
    """All the answers in a fence of code: nothing is read (code is no answer), and the warning says where the code
    is and that it is not read, so the student knows what to change; with an answer read, no such sentence."""
    text = f"# Work\n\n```python\nh1 = {s('h1')}\n```\n\n~~~matlab\no1 = {s('o1')}\n~~~\n"
    r = grade_md(tmp_path, text)
    assert not read(r)
    said = [w for w in r.warnings if w.startswith("Nothing in this write-up was read")]
    assert len(said) == 1 and "is code and is not read (the fences at line 3, line 7)" in said[0], r.warnings
    r = grade_md(tmp_path, text + f"\n$o_2 = {s('o2')}$\n")
    assert read(r) == {"o2": "correct"} and not any("is code and is not read" in w for w in r.warnings)
    r = grade_md(tmp_path, "no answers here\n")  # no fence: the warning as before
    assert [w for w in r.warnings if "is code and is not read" in w] == []
    assert any(w.startswith("Nothing in this write-up was read") for w in r.warnings)


def test_a_json_fence_of_answers_is_read_as_data(tmp_path):
    text = f'```json\n{{"net_h1": {s("net_h1")},\n "h1": {s("h1")}}}\n```\n'
    assert read(grade_md(tmp_path, text)) == {"net_h1": "correct", "h1": "correct"}
