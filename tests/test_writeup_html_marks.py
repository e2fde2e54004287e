"""HTML that Markdown editors and notebooks pass through (``w<sub>5</sub>``, ``10<sup>-4</sup>``, ``&delta;``,
``&times;``) is read as the scripts and symbols it shows: before, ``&delta;<sub>o1</sub> = 0.1385`` named nothing
and the answer scored as missing. Values from the textbook formulas in mpmath (``tests/textbook.py``)."""

from __future__ import annotations

import pytest

from grader.grade.pipeline import Grader
from grader.submission.writeupfile import html_marks
from textbook import CLASSIC, CLASSIC_NETS, sig, textbook

C = textbook(CLASSIC, CLASSIC_NETS)


def grade(tmp_path, text: str, suffix: str = ".md"):
    path = tmp_path / f"work{suffix}"
    path.write_text(text, encoding="utf-8")
    return Grader(problem="classic_222").grade_file(path)


def verdicts(r) -> dict[str, tuple[str, float]]:
    return {f.quantity: (f.verdict, f.given) for f in r.fields if f.verdict != "missing"}


@pytest.mark.parametrize("suffix", [".md", ".txt"])
def test_html_scripts_and_entities_read_as_the_same_work_in_latex_marks(tmp_path, suffix):
    s = lambda q: sig(C[q], 10)  # noqa: E731
    mantissa = sig(C["E"] * 10, 10)
    html = (f"net<sub>h1</sub> = 0.15&middot;0.05 + 0.2&middot;0.1 + 0.35 = {s('net_h1')}\n\n"
            f"&delta;<sub>o1</sub> = {s('delta_o1')}\n\nw<sub>5</sub><sup>+</sup> = {s('w5_new')}\n\n"
            f"E = {mantissa} &times; 10<sup>&minus;1</sup>\n\nh<sub>1</sub> is {s('h1')}.\n")
    latex = (f"net_{{h1}} = 0.15·0.05 + 0.2·0.1 + 0.35 = {s('net_h1')}\n\nδ_{{o1}} = {s('delta_o1')}\n\n"
             f"w_{{5}}^{{+}} = {s('w5_new')}\n\nE = {mantissa} × 10^{{−1}}\n\nh_{{1}} is {s('h1')}.\n")
    got = verdicts(grade(tmp_path, html, suffix))
    assert got == verdicts(grade(tmp_path, latex, suffix))
    assert {q: v for q, (v, _) in got.items()} == {q: "correct" for q in ("net_h1", "delta_o1", "w5_new", "E", "h1")}


def test_only_short_script_tags_and_known_entities_change():
    assert html_marks("a<sub>x<b>y</b></sub>") == "a<sub>x<b>y</b></sub>"  # a tag inside: left as it is
    assert html_marks("<sup>" + "9" * 41 + "</sup>") == "<sup>" + "9" * 41 + "</sup>"
    assert html_marks("&lt;h1&gt; &amp; &delta;") == "&lt;h1&gt; &amp; δ"
    assert html_marks("x<SUB>2</SUB>") == "x_{2}"
