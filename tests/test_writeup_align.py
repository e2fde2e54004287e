"""An ``align`` row of several equations side by side, ``z_1 &= -7.65 & z_2 &= -13.65 \\\\``: the ``&`` before each
relation aligns it, the others separate the equations. Before, every ``&`` was dropped, the row read as one chain
``z_1 = -7.65 z_2 = -13.65``, and z1 got z2's value (marked wrong; z2 missing; the next row's h1 "carried" from
it). Values from the textbook formulas of Exercise 6's network (``tests/ex6_textbook.py``)."""

from __future__ import annotations

from pathlib import Path

from grader.grade.pipeline import Grader
from grader.submission.extract import math_rows
from tests.ex6_textbook import D_O1, D_O2, H1, H2, O1, O2

Z1, Z2 = -15 * 0.8 + 20 * 0.2 + 0.35, -25 * 0.8 + 30 * 0.2 + 0.35


def graded(tmp_path: Path, body: str):
    path = tmp_path / "work.md"
    path.write_text("# Exercise 6\n\n" + body + "\n", encoding="utf-8")
    return Grader(problem="exercise6").grade_file(path)


def test_equations_side_by_side_in_an_align_are_each_read(tmp_path):
    body = ("\\begin{align*}\n"
            f"z_1 &= {Z1} & z_2 &= {Z2} \\\\\n"
            f"h_1 &= \\sigma(z_1) = {H1!r} & h_2 &= \\sigma(z_2) = {H2!r} \\\\\n"
            f"o_1 &\\approx {O1:.8f} & o_2 &\\approx {O2:.8f} & \\delta_{{o_1}} &= {D_O1!r} \\\\\n"
            f"\\delta_{{o_2}} &= {D_O2!r} & & \\text{{(rounded)}}\n"
            "\\end{align*}")
    result = graded(tmp_path, body)
    for q in ("z1", "z2", "h1", "h2", "o1", "o2", "delta_o1", "delta_o2"):
        assert result.field(q).verdict == "correct", result.field(q)
    assert not result.flags


def test_other_rows_with_ampersands_stay_as_they_were():
    def texts(body: str) -> list[str]:
        return [r.text for r in math_rows(body, "md")]
    assert texts("\\begin{eqnarray}\nz_1 &=& -7.65\n\\end{eqnarray}") == ["z_1 = -7.65"]  # eqnarray's &=&
    assert texts("$$z_1 &= -7.65 \\\\ &= -7.650$$") == ["z_1 = -7.65", "= -7.650"]  # a continued chain
    escaped = texts("\\begin{align}\na \\& b &= 1 & c &= 2\n\\end{align}")  # an escaped \& separates nothing
    assert len(escaped) == 2 and escaped[0].startswith("a \\") and escaped[0].endswith("b = 1") and escaped[1] == "c = 2"
    assert texts("\\begin{align}\n&= 1 & c &= 2\n\\end{align}") == ["= 1 c = 2"]  # no left-hand side: as before


def test_a_row_that_continues_equations_side_by_side_continues_each(tmp_path):
    """``z_1 &= w_1 i_1 + ... & z_2 &= ... \\\\ &= -7.65 & &= -13.65``: each column's ``= ...`` goes on with its own
    equation (before, z1 was left without a value and z2 got both)."""
    body = ("\\begin{align}\n"
            "z_1 &= w_1 i_1 + w_2 i_2 + b_1 & z_2 &= w_3 i_1 + w_4 i_2 + b_1 \\\\\n"
            f"    &= (-15)(0.8) + (20)(0.2) + 0.35 & &= (-25)(0.8) + (30)(0.2) + 0.35 \\\\\n"
            f"    &= {Z1} & &= -11.65\n"
            "\\end{align}")
    result = graded(tmp_path, body)
    z1, z2 = result.field("z1"), result.field("z2")
    assert z1.verdict == "correct", z1
    assert z2.verdict == "incorrect" and "the slip is in line 6" in z2.message, z2  # its own rows, lines


def test_a_row_break_with_extra_space_starts_a_clean_row(tmp_path):
    """``\\\\[4pt]``, ``\\\\*``, ``\\\\ [1ex]``: a row break with its star and space, which LaTeX typesets as no text.
    Before, the ``[4pt]`` began the next row, which then named nothing ("[4pt] z_2 = ..."), and a vector's entry
    after ``\\\\[2pt]`` could not be read."""
    body = ("\\begin{align}\n"
            f"z_1 &= {Z1} \\\\[4pt]\n"
            f"z_2 &= {Z2} \\\\*[1ex]\n"
            f"h_1 &= {H1!r} \\\\ [0.5em]\n"
            f"h_2 &= {H2!r}\n"
            "\\end{align}\n\n"
            f"$$\\begin{{bmatrix}} o_1 \\\\[2pt] o_2 \\end{{bmatrix}} = \\begin{{bmatrix}} {O1!r} \\\\[2pt] {O2!r}"
            " \\end{bmatrix}$$")
    result = graded(tmp_path, body)
    for q in ("z1", "z2", "h1", "h2", "o1", "o2"):
        assert result.field(q).verdict == "correct", result.field(q)
    assert result.field("z2").source == "line 5"
    assert texts_of("$$a = [1, 2] \\\\ [b] = 3$$") == ["a = [1, 2]", "[b] = 3"]  # a bracket that is no length stays


def texts_of(body: str) -> list[str]:
    return [r.text for r in math_rows(body, "md")]


def test_a_starred_tag_is_dropped_like_a_tag(tmp_path):
    """``\\tag*{(1)}`` (a tag without its brackets): before, left in the row, which could not be read."""
    result = graded(tmp_path, f"\\begin{{align}}\nz_1 &= {Z1} \\tag*{{(1)}} \\\\\nz_2 &= {Z2} \\tag{{2}}\n\\end{{align}}")
    assert result.field("z1").verdict == "correct" and result.field("z2").verdict == "correct"


def test_a_brace_around_rows_is_no_part_of_the_first_or_the_last(tmp_path):
    """``\\left\\{\\begin{array}{l} h_1 = ... \\\\ h_2 = ... \\end{array}\\right.``: split into rows, the first held
    ``\\left\\{`` and could not be read (h1 missing), the last ``\\right.``. A row with both halves keeps them."""
    body = (f"$$\\left\\{{\\begin{{array}}{{l}} h_1 = {H1!r} \\\\ h_2 = {H2!r} \\end{{array}}\\right.$$\n\n"
            f"$$o_1 = \\left( 1 + e^{{-0.6190858}} \\right)^{{-1}} = {O1!r}$$")
    result = graded(tmp_path, body)
    for q in ("h1", "h2", "o1"):
        assert result.field(q).verdict == "correct", result.field(q)
