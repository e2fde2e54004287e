"""Write-ups typed without any math: a Markdown file (or notebook cell) with no ``$``, names of two words as the
classic blog example spells them (``net h1``, ``out o1``, ``E total``, ``new w6``), an update's plus (``w5+``), a
vulgar ½, Markdown's bold and code marks around an equation. Before, such a ``.md`` was read as nothing at all, in
silence (0 points, no word why); the right values below, computed here from the textbook formulas
(``tests/textbook.py``, mpmath), earn their points. And a write-up in which nothing is read says so, and how to
write an answer, without a number of the key."""

from __future__ import annotations

import re

import pytest

from grader.grade.pipeline import Grader
from grader.submission.extract import math_rows
from textbook import CLASSIC, CLASSIC_NETS, sig, textbook

V = textbook(CLASSIC, CLASSIC_NETS)


def grade_text(tmp_path, text: str, suffix: str = ".md", problem: str = "classic_222"):
    path = tmp_path / f"work{suffix}"
    path.write_text(text, encoding="utf-8")
    return Grader(problem=problem).grade_file(path)


def blog_style() -> str:
    """The whole classic 2-2-2 step typed as the blog example spells it, plain text in a Markdown file."""
    s = lambda q, d=10: sig(V[q], d)  # noqa: E731
    return "\n".join([
        "# Homework 4", "", "Name: Sam Park", "Student ID: 400111222", "", "Forward pass", "",
        f"net h1 = 0.15*0.05 + 0.2*0.1 + 0.35*1 = {s('net_h1')}",
        f"out h1 = 1/(1+e^-{s('net_h1')}) = {s('h1')}",
        f"net h2 = {s('net_h2')}, out h2 = {s('h2')}",
        f"net o1 = {s('net_o1')}", f"out o1 = {s('o1')}", f"net o2 = {s('net_o2')}", f"out o2 = {s('o2')}", "",
        f"E o1 = ½(0.01 − {s('o1')})² = {s('E_o1')}", f"E o2 = {s('E_o2')}", f"E total = {s('E')}", "",
        f"δo1 = ({s('o1')} − 0.01) × {s('o1')} × (1 − {s('o1')}) = {s('delta_o1')}",
        f"δo2 = {s('delta_o2')}", f"δh1 = {s('delta_h1')}", f"δh2 = {s('delta_h2')}", "",
        f"w5+ = 0.4 − 0.5 × {s('grad_w5')} = {s('w5_new', 12)}",
        *(f"{w}+ = {s(w + '_new', 12)}" for w in ("w6", "w7", "w8", "w1", "w2", "w3", "w4")), "",
    ])


def test_a_markdown_file_typed_as_plain_text_is_read(tmp_path):
    result = grade_text(tmp_path, blog_style())
    assert result.student.id == "400111222"
    wrong = [(f.quantity, f.verdict) for f in result.fields if f.verdict != "correct"]
    assert wrong == [] and result.score == result.max_score
    assert result.field("net_h2").source == "line 10" and result.field("h2").source == "line 10"  # two on a line
    assert result.field("w5_new").source == "line 25"
    assert result.unattributed == ()  # ½ read: no "read only in part"
    assert not any("Nothing in this write-up" in w for w in result.warnings)


@pytest.mark.parametrize("lhs, q", [("net h1", "net_h1"), ("out o1", "o1"), ("E total", "E"), ("E o2", "E_o2"),
                                    ("new w6", "w6_new"), ("w5 new", "w5_new"), ("w7+", "w7_new"),
                                    ("delta o2", "delta_o2")])
def test_names_of_a_few_words_and_an_updates_plus(tmp_path, lhs, q):
    for text in (f"{lhs} = {sig(V[q], 12)}\n", f"$${lhs} = {sig(V[q], 12)}$$\n"):  # plain, and as LaTeX math
        result = grade_text(tmp_path, "Work\n\n" + text)
        assert result.field(q).verdict == "correct", (text, result.field(q).verdict, result.unattributed)


def test_a_product_on_the_left_is_still_no_name(tmp_path):
    """Only words are joined into a name: ``w1 i1`` and ``w_1 i_1`` (a product) name nothing and are listed."""
    result = grade_text(tmp_path, f"w_1 i_1 = 0.0075\nw1 i1 = 0.0075\nnet h1 = {sig(V['net_h1'])}\n")
    assert [u[0] for u in result.unattributed] == ["line 1", "line 2"]
    assert result.field("net_h1").verdict == "correct"


def test_bold_and_code_marks_and_fences(tmp_path):
    text = "\n".join([
        "Work", "",
        f"- **net h1** = {sig(V['net_h1'])}",
        f"`out h1 = {sig(V['h1'])}`",
        f"**E total =** {sig(V['E'])}",
        "```python", "w5 = 0.9", "o1 = 0.123", "```",  # code: not read (not a wrong given, not an answer)
        "```", f"o2 = {sig(V['o2'])}", "```",  # a fence without a language: read, as LaTeX in one is
    ])
    result = grade_text(tmp_path, text)
    for q, line in (("net_h1", 3), ("h1", 4), ("E", 5), ("o2", 11)):
        f = result.field(q)
        assert f.verdict == "correct" and f.source == f"line {line}", (q, f.verdict, f.source)
    assert result.field("o1").verdict == "missing"
    assert not any(fl.kind == "wrong_given" for fl in result.flags)


def test_plain_lines_beside_math_are_read_too(tmp_path):
    """One ``$\\sigma$`` in the prose once made every plain line of a Markdown file prose, dropped without a word.
    Now a line without math on it is read as in a file without any; a line inside a display, or one with a math
    delimiter, is not read twice."""
    text = "\n".join([
        "We use the logistic sigmoid $\\sigma(x) = 1/(1+e^{-x})$.", "",
        f"net h1 = 0.15*0.05 + 0.2*0.1 + 0.35 = {sig(V['net_h1'])}",
        "$$net_{h2} = 0.25 \\cdot 0.05 + 0.3 \\cdot 0.1 + 0.35",
        f"h2 = 0.9$$",  # inside the display: not a plain line (h2 = 0.9 would be a wrong answer)
        f"o1 = {sig(V['o1'])}",
        f"   = {sig(V['o1'], 4)}",  # a continuation of the plain chain
        f"o2 = 0.5 and $o_2 = {sig(V['o2'])}$",  # a line with math is read as math only
    ])
    result = grade_text(tmp_path, text)
    assert result.field("net_h1").verdict == "correct" and result.field("net_h1").source == "line 3"
    assert result.field("net_h2").verdict == "incorrect"  # its chain ends at h2 = 0.9, as written: one display
    assert result.field("h2").verdict == "missing"
    assert result.field("o1").verdict == "correct" and result.field("o1").source == "line 7"
    assert result.field("o2").verdict == "correct"
    assert [u[0] for u in result.unattributed] == ["line 1"]  # \sigma(x) = ...: no quantity


def test_vulgar_fractions(tmp_path):
    assert [r.text for r in math_rows("E = ½(t − o)² + ¼x + 2½", "txt")] == [
        "E = \\tfrac{1}{2}(t − o)^{2} + \\tfrac{1}{4}x + 2½"]  # a mixed number 2½ is left as it is
    result = grade_text(tmp_path, f"E o1 = ½·(0.01 − {sig(V['o1'])})² = 0.9\n")
    f = result.field("E_o1")
    assert f.verdict == "incorrect" and "line 1" in f.message  # the ½ step read: the slip after it is located


@pytest.mark.parametrize("suffix", [".md", ".txt", ".tex"])
def test_a_writeup_in_which_nothing_is_read_says_so(tmp_path, suffix):
    body = "I worked out net h one as about a third, and the rest on paper.\n"
    if suffix == ".tex":
        body = "\\begin{document}\n" + body + "\\end{document}\n"
    result = grade_text(tmp_path, body, suffix)
    [notice] = [w for w in result.warnings if w.startswith("Nothing in this write-up was read as an answer")]
    assert "net_h1 = (your value)" in notice
    assert re.findall(r"\d+(?:\.\d+)?", notice.replace("net_h1", "")) == []  # no number, so none of the key's
    assert result.score == 0


def test_a_writeup_with_only_the_givens_says_so_too(tmp_path):
    result = grade_text(tmp_path, "Given: $w_1 = 0.15$, $i_1 = 0.05$\n")
    assert any(w.startswith("Nothing in this write-up was read as an answer: no equation other than the given")
               for w in result.warnings)


def test_the_notice_in_every_report_format_and_exam_mode(tmp_path):
    from grader.cli import main

    path = tmp_path / "work.md"
    path.write_text("All my work is in the attached photo.\n", encoding="utf-8")
    for fmt in ("text", "markdown", "html", "json"):
        out = tmp_path / f"r.{fmt}"
        args = [str(path), "--problem", "classic_222", "--format", fmt, "--out", str(out), "--reveal", "never"]
        assert main(args) == 0
        assert "Nothing in this write-up was read as an answer" in out.read_text(encoding="utf-8"), fmt


@pytest.mark.parametrize("prefix", ["(1) ", "a) ", "(b) ", "iv. ", "Step 3: ", "Q4) ", "Part b: ", "> ", "1: ", "- ",
                                    "2. "])
def test_an_item_or_step_label_before_the_name(tmp_path, prefix):
    """Numbered and labelled lines, as students number their work: before, ``(1) net h1 = ...`` or ``Step 3: ...``
    was no equation, dropped without a word."""
    result = grade_text(tmp_path, f"Work\n\n{prefix}net h1 = {sig(V['net_h1'])}\n", ".txt")
    f = result.field("net_h1")
    assert f.verdict == "correct" and f.source == "line 3", (prefix, f.verdict)
