"""Plain-text and pasted write-ups as students type them: a Greek letter run into the name (``δo1 = ...``), primes
and Unicode scripts from a word processor (``w₅′``, ``1.18×10⁻⁶``, ``(t − o)²``). Right values, computed here from the
textbook formulas (``tests/textbook.py``, mpmath), earn their points; before, such lines were dropped without a word
(plain text) or listed as unreadable."""

from __future__ import annotations

from grader.grade.pipeline import Grader
from grader.submission.extract import math_rows
from textbook import EX6, sig, textbook

V = textbook(EX6)


def grade_text(tmp_path, text: str, suffix: str = ".txt"):
    path = tmp_path / f"work{suffix}"
    path.write_text(text, encoding="utf-8")
    return Grader(problem="exercise6").grade_file(path)


def test_a_greek_letter_run_into_the_name_names_the_delta(tmp_path):
    lines = [f"δo1 = (o1 − t1)·o1·(1 − o1) ≈ {sig(V['delta_o1'], 6)}",
             f"δh2 = h2(1−h2)(δo1·w6 + δo2·w8) ≈ {sig(V['delta_h2'], 6)}",
             f"w5′ = w5 − η·δo1·h1 ≈ {sig(V['w5_new'], 12)}"]
    result = grade_text(tmp_path, "Backprop by hand\n\n" + "\n".join(lines) + "\n")
    for q, line in (("delta_o1", 3), ("delta_h2", 4), ("w5_new", 5)):
        f = result.field(q)
        assert f.verdict == "correct" and f.source == f"line {line}", (q, f.verdict, f.source)
    assert result.unattributed == ()


def test_unicode_scripts_are_read_as_latex_scripts(tmp_path):
    mantissa, exponent = f"{float(V['h2']):.4e}".split("e")
    power = str(int(exponent)).replace("-", "⁻").translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
    rows = [r.text for r in math_rows(f"$h_2 = {mantissa}×10{power}$ and $w₅′ = 1$ and $E = ½(t − o)²$", "md")]
    assert rows == [f"h_2 = {mantissa}×10^{{-6}}", "w_{5}′ = 1", "E = \\tfrac{1}{2}(t − o)^{2}"]
    text = f"h₂ = {mantissa}×10{power}\nw₅′ = {sig(V['w5_new'], 12)}\nw₁′ = {sig(V['w1_new'], 12)}\n"
    result = grade_text(tmp_path, text)
    assert [result.field(q).verdict for q in ("h2", "w5_new", "w1_new")] == ["correct"] * 3
    assert abs(result.field("h2").given - float(V["h2"])) <= 1e-4 * float(V["h2"])


def test_a_line_of_prose_is_no_answer_and_one_with_an_equals_sign_is_listed(tmp_path):
    """A line with a name and "=" that names no quantity is listed as not read (the student sees it was not
    graded), a line without "=" is prose; neither is an answer."""
    result = grade_text(tmp_path, "Ergebnis: alles gut\nÜbung = schwer\n")
    assert [(where, text) for where, text, _ in result.unattributed] == [("line 2", "Übung = schwer")]
    assert all(f.verdict == "missing" for f in result.fields)
