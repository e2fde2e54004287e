"""Vector equations of a write-up, read entry by entry (``grader.submission.vectors``). Before, a display
``\\begin{bmatrix} z_1 \\\\ z_2 \\end{bmatrix} = \\begin{bmatrix} -7.65 \\\\ -13.65 \\end{bmatrix}`` was split at every
``\\\\`` into the rows ``z_1``, ``z_2 = -7.65`` and ``-13.65``: z1 was missing, z2 got z1's value (marked wrong, a
"slip in the arithmetic" named), and of ``[o_1; o_2] = [0.650011; 0.651095]`` o2 got o1's value; lists in brackets,
``(z_1, z_2) = (-7.65, -13.65)``, were not read ("the left-hand side could not be read"). Values come from the
textbook formulas of Exercise 6's network (``tests/ex6_textbook.py``), never from the solver."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.grade.pipeline import Grader
from grader.report import render
from grader.submission.vectors import MAX_VECTORS, vector_rows
from tests.ex6_textbook import D_O1, D_O2, H1, H2, O1, O2

REPO = Path(__file__).resolve().parent.parent
Z1, Z2 = -15 * 0.8 + 20 * 0.2 + 0.35, -25 * 0.8 + 30 * 0.2 + 0.35


def col(*entries) -> str:
    return r"\begin{bmatrix} " + r" \\ ".join(str(e) for e in entries) + r" \end{bmatrix}"


def graded(tmp_path: Path, body: str, problem: str = "exercise6"):
    path = tmp_path / "work.md"
    path.write_text("# Exercise 6\n\n" + body + "\n", encoding="utf-8")
    return Grader(problem=problem).grade_file(path)


def test_a_column_of_names_equal_to_a_column_of_values_is_one_equation_per_entry(tmp_path):
    body = (f"$${col('z_1', 'z_2')} = W x + b = {col(Z1, Z2)}$$\n\n"
            rf"$$\begin{{pmatrix}} h_1 \\ h_2 \end{{pmatrix}} = \begin{{pmatrix}} {H1!r} \\ {H2!r} \end{{pmatrix}}$$"
            f"\n\n$$\\mathbf{{o}} = {col('o_1', 'o_2')} = {col(f'{O1:.8f}', f'{O2:.8f}')}$$\n")
    result = graded(tmp_path, body)
    for q in ("z1", "z2", "h1", "h2", "o1", "o2"):
        assert result.field(q).verdict == "correct", result.field(q)
    assert not result.flags


def test_each_entrys_work_is_its_own_and_a_slip_in_it_is_found_on_its_line(tmp_path):
    work = col(r"(-15)(0.8) + (20)(0.2) + 0.35", r"(-25)(0.8) + (30)(0.2) + 0.35")
    result = graded(tmp_path, f"Forward pass:\n\n$${col('z_1', 'z_2')} = {work} = {col(-11.65, Z2)}$$\n")
    z1, z2 = result.field("z1"), result.field("z2")
    assert z1.verdict == "incorrect" and "the slip is in line 5" in z1.message, z1
    assert z2.verdict == "correct", z2


def test_a_symbol_of_the_vector_names_its_numbered_entries(tmp_path):
    body = (rf"$$\mathbf{{h}} = \sigma(\mathbf{{z}}) = \left[\begin{{array}}{{c}} {H1!r} \\ {H2!r} \end{{array}}\right]$$"
            "\n\n"
            rf"$$\boldsymbol{{\delta}}_o = \begin{{bmatrix}} {D_O1!r} & {D_O2!r} \end{{bmatrix}}^T$$")
    result = graded(tmp_path, body)
    for q in ("h1", "h2", "delta_o1", "delta_o2"):
        assert result.field(q).verdict == "correct", result.field(q)


def test_a_vector_named_by_its_layer_in_ngs_notation(tmp_path):
    problem = tmp_path / "course.yaml"
    problem.write_text((REPO / "problems" / "exercise6.yaml").read_text(encoding="utf-8") + "layer_notation: ng\n",
                       encoding="utf-8")
    result = graded(tmp_path, f"$$z^{{(2)}} = \\Theta^{{(1)}} a^{{(1)}} + b = {col(Z1, Z2)}$$\n\n"
                              f"$$\\delta^{{(3)}} = {col(D_O1, D_O2)}$$", problem=str(problem))
    for q in ("z1", "z2", "delta_o1", "delta_o2"):
        assert result.field(q).verdict == "correct", result.field(q)


def test_rows_of_an_align_keep_their_own_reading(tmp_path):
    body = ("$$\\begin{aligned}\n"
            f"\\mathbf{{z}} &= {col(Z1, Z2)} \\\\\n"
            f"o_1 &= {O1!r}\n"
            "\\end{aligned}$$")
    result = graded(tmp_path, body)
    for q in ("z1", "z2", "o1"):
        assert result.field(q).verdict == "correct", result.field(q)


NAMES = {"z_1": "z1", "z_2": "z2", "z_{1}": "z1", "z_{2}": "z2"}


def test_what_is_not_a_vector_equation_is_read_as_before():
    names = NAMES.get
    assert vector_rows(r"W = \begin{bmatrix} -15 & 20 \\ -25 & 30 \end{bmatrix}", names) is None  # a matrix
    assert vector_rows(f"{col('z_1', 'z_2')} = W x + b", names) is None  # no values
    assert vector_rows(f"{col('z_1', 'z_2')} = {col(1, 2, 3)}", names) is None  # sizes differ
    assert vector_rows(f"{col('z_1', 'z_1')} = {col(1, 2)}", names) is None  # one quantity twice
    assert vector_rows(f"{col('a', 'b')} = {col(1, 2)}", names) is None  # no quantities
    assert vector_rows(f"{col(1, 2)} = {col(1, 2)}", names) is None
    assert vector_rows(r"\begin{bmatrix} z_1 \\ z_2 = " + col(1, 2), names) is None  # never closed
    assert vector_rows(f"{col('z_1', 'z_2')} = {col('x', 'y')}", names) is None  # values without a digit
    assert vector_rows(f"{col('z_1', 'z_2')} \\approx {col(1, 2)}", names) == ["z_1 ≈ 1", "z_2 ≈ 2"]


def test_hostile_rows_are_refused_quickly():
    names = NAMES.get
    many = " + ".join(col(1, 2) for _ in range(MAX_VECTORS + 1))
    assert vector_rows(f"{col('z_1', 'z_2')} = {many}", names) is None
    unclosed = r"\begin{bmatrix} " * 20_000
    nested = r"\begin{bmatrix} \begin{pmatrix} 1 \end{pmatrix} \end{bmatrix}"
    wide = col(*range(200))
    for text in (unclosed, nested * 2000, f"{col('z_1', 'z_2')} = {wide}", "= " * 50_000 + col(1, 2)):
        assert vector_rows(text, names) is None  # (each in milliseconds: one pass, no backtracking)


def test_lists_in_brackets_are_read_entry_by_entry(tmp_path):
    body = (f"$(z_1, z_2) = ({Z1}, {Z2})$\n\n"
            f"$\\left[h_1; h_2\\right] = \\left[{H1!r}; {H2!r}\\right]$\n\n"
            f"o = [o1, o2] = [{O1:.8f}, {O2:.8f}]\n\n"  # typed as plain text
            f"delta_o = ({D_O1!r}, {D_O2!r})\n")
    result = graded(tmp_path, body)
    for q in ("z1", "z2", "h1", "h2", "o1", "o2", "delta_o1", "delta_o2"):
        assert result.field(q).verdict == "correct", result.field(q)


def test_a_list_split_at_semicolons_keeps_its_decimal_commas():
    names = NAMES.get
    assert vector_rows("(z_1, z_2) = (7,65; 13,65)", names) == ["z_1 = 7,65", "z_2 = 13,65"]
    assert vector_rows("(z_1, z_2) = (7,65, 13,65)", names) is None  # four entries for two names
    assert vector_rows("(z_1, z_2) = (1, 2) + (3, 4)", names) is None  # not one list
    assert vector_rows("(z_1)(z_2) = (1, 2)", names) is None
    assert vector_rows(r"(z_1, z_2) = (\sigma(1, 2), 3)", names) == [r"z_1 = \sigma(1, 2)", "z_2 = 3"]


def test_a_side_that_is_only_a_transpose_mark_is_no_list():
    """Found by fuzzing: ``= ^T`` left an empty side, which the list reader indexed (an internal error)."""
    assert vector_rows(f"{col('z_1', 'z_2')} = ^T", NAMES.get) is None
    assert vector_rows("(z_1, z_2) = ^{T}", NAMES.get) is None


def test_a_row_with_a_matrix_that_is_no_vector_equation_is_one_row_never_its_pieces(tmp_path):
    """Read at the matrices' ``\\\\``, ``[z_1; z_2] = [-7.65; -13.65; 0]`` (sizes that differ) gave the row
    ``z_2 = -7.65``: z2 got z1's value. Such a row is one row now, listed as not read; a matrix of equations, one a
    row, is still read a row at a time."""
    result = graded(tmp_path, f"$${col('z_1', 'z_2')} = {col(Z1, Z2, 0)}$$\n\n"
                              f"$$W = \\begin{{bmatrix}} -15 & 20 \\\\ -25 & 30 \\end{{bmatrix}}$$\n\n"
                              f"$$\\begin{{matrix}} h_1 = {H1!r} \\\\ h_2 = {H2!r} \\end{{matrix}}$$")
    assert result.field("z1").verdict == "missing" and result.field("z2").verdict == "missing"
    assert result.field("h1").verdict == "correct" and result.field("h2").verdict == "correct"
    notes = render(result, "markdown")
    assert notes.count("line 3:") == 1 and notes.count("line 5:") == 1, notes  # one row each, listed once


def test_a_display_of_many_matrices_never_closed_is_read_in_one_pass():
    """Found before committing: a tempered regular expression looked for each matrix's end from every opening, so a
    display of 16,000 unclosed matrices took over a minute; one pass over the marks now (milliseconds)."""
    from grader.submission.extract import math_rows

    for text in ("$$" + r"\begin{bmatrix} x " * 16_000 + "$$",
                 "$$" + r"\begin{bmatrix} 1 \end{bmatrix} \begin{pmatrix} " * 8_000 + "$$"):
        assert math_rows(text, "md", None, NAMES.get)  # (one row: read as it stands, not as a vector)


def test_a_matrix_named_by_its_layer_in_ngs_notation_is_read_entry_by_entry(tmp_path):
    """``\\Theta^{(1)}`` (its first column the biases', as Ng writes it) and ``\\frac{\\partial J}{\\partial
    \\Theta^{(2)}}`` as matrices: each entry is the quantity ``\\Theta^{(l)}_{jk}`` names (from unit k of layer l into
    unit j of layer l+1). Before, a matrix was read as rows of numbers naming nothing. The gradients come from the
    textbook formulas (δ times the unit's input), the weights from the problem file."""
    from grader.solve.solver import solve
    from grader.spec.load import load_problem
    from grader.submission.writeup import writeup_submission
    from tests.ex6_textbook import D_O1, D_O2

    problem = tmp_path / "course.yaml"
    problem.write_text((REPO / "problems" / "exercise6.yaml").read_text(encoding="utf-8") + "layer_notation: ng\n",
                       encoding="utf-8")
    key = solve(load_problem(problem))

    def mat(rows) -> str:
        return r"\begin{bmatrix} " + r" \\ ".join(" & ".join(repr(x) for x in r) for r in rows) + r" \end{bmatrix}"
    grads = [[D_O1 * H1, D_O1 * H2], [D_O2 * H1, D_O2 * H2]]
    text = (f"# Ex 6\n\n$$\\Theta^{{(1)}} = {mat([[0.35, -15, 20], [0.35, -25, 30]])}$$\n\n"
            f"$$\\frac{{\\partial J}}{{\\partial \\Theta^{{(2)}}}} = \\delta^{{(3)}} (a^{{(2)}})^T = {mat(grads)}$$\n")
    sub = writeup_submission(text, "md", "work.md", key, "course")
    read = {q: a.value.parsed.value for q, a in sub.answers.items()}
    assert read == pytest.approx({"grad_w5": grads[0][0], "grad_w6": grads[0][1], "grad_w7": grads[1][0],
                                  "grad_w8": grads[1][1]}, rel=1e-12)
    assert sorted(q for q, _, _ in sub.stated) == ["b1", "b1", "w1", "w2", "w3", "w4"]  # the givens restated
    assert not sub.writeup.unattributed


def test_a_matrix_of_names_equal_to_a_matrix_of_values_is_read_entry_by_entry(tmp_path):
    """``[w_5^+, w_6^+; w_7^+, w_8^+] = [...]``: each entry is the quantity its name says, whatever the book's
    orientation (the names say it). Before, such a row was not read ("the left-hand side could not be read"), and
    right updated weights were missing. The values are the textbook's (``tests/textbook.py``)."""
    from textbook import EX6, sig, textbook

    v = textbook(EX6)
    new = {w: sig(v[f"{w}_new"], 14) for w in ("w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8")}

    def mat(*rows) -> str:
        return r"\begin{bmatrix} " + r" \\ ".join(" & ".join(str(e) for e in r) for r in rows) + r" \end{bmatrix}"

    primed = ["w_5'", "w_7'", "w_6'", "w_8'"]
    body = (f"$${mat(['w_1^+', 'w_2^+'], ['w_3^+', 'w_4^+'])} = {mat([new['w1'], new['w2']], [new['w3'], new['w4']])}$$"
            f"\n\n$$W_{{new}} = {mat(primed[:2], primed[2:])} = "  # (the other orientation: by name)
            f"{mat([new['w5'], new['w7']], [new['w6'], new['w8']])}$$\n")
    result = graded(tmp_path, body)
    for w in new:
        assert result.field(f"{w}_new").verdict == "correct", result.field(f"{w}_new")
    assert not result.flags


def test_a_matrix_of_names_that_does_not_fit_its_values_names_nothing():
    names = {"w_5^+": "w5_new", "w_6^+": "w6_new", "w_7^+": "w7_new", "w_8^+": "w8_new"}.get
    square = r"\begin{bmatrix} w_5^+ & w_6^+ \\ w_7^+ & w_8^+ \end{bmatrix}"
    assert vector_rows(f"{square} = {col(1, 2, 3, 4)}", names) is None  # 2 by 2 against a column of 4
    twice = r"\begin{bmatrix} w_5^+ & w_5^+ \\ w_7^+ & w_8^+ \end{bmatrix}"
    assert vector_rows(rf"{twice} = \begin{{bmatrix}} 1 & 2 \\ 3 & 4 \end{{bmatrix}}", names) is None
    assert vector_rows(rf"{square} = \begin{{bmatrix}} 1 & 2 \\ 3 & 4 \end{{bmatrix}}", names) == [
        "w_5^+ = 1", "w_6^+ = 2", "w_7^+ = 3", "w_8^+ = 4"]


@pytest.mark.parametrize("line", [f"z1, z2 = {Z1!r}, {Z2!r}", f"$z_1, z_2 = {Z1!r}, {Z2!r}$", f"- z1, z2 = {Z1!r}, {Z2!r}",
                                  f"z1, z2 = {str(Z1).replace('.', ',')}; {str(Z2).replace('.', ',')}"])
def test_a_tuple_assignment_without_brackets_is_read_entry_by_entry(tmp_path, line):
    """``z1, z2 = -7.65, -13.65``, as a program assigns two names at once. Before, the line was read as ``z2 =
    -7.65, ...``: z2 got z1's value, marked wrong with "a slip in the arithmetic", and z1 was missing."""
    result = graded(tmp_path, line)
    assert result.field("z1").verdict == "correct" and result.field("z2").verdict == "correct"
    assert not result.flags


def test_a_tuple_assignment_whose_values_do_not_fit_gives_no_one_a_value(tmp_path):
    result = graded(tmp_path, f"z1, z2 = {Z1!r}")
    assert result.field("z1").verdict == "missing" and result.field("z2").verdict == "missing"
    assert [text for _, text, _ in result.unattributed] == [f"z1, z2 = {Z1!r}"]  # listed, not read
    names = {"z_1": "z1", "z_2": "z2"}.get
    from grader.submission.vectors import bare_list_rows
    assert bare_list_rows("z_1, z_2 = 1, 2", names) == ["z_1 = 1", "z_2 = 2"]
    assert bare_list_rows("z_1, z_2 = 1", names) == [] and bare_list_rows("z_1, z_1 = 1, 2", names) is None
    assert bare_list_rows("z_1 = 1, 2", names) is None and bare_list_rows("z_1, x = 1, 2", names) is None
    assert bare_list_rows("z_1, z_2 = 1, 2 = 3, 4", names) is None  # (two relations: no tuple assignment)


@pytest.mark.parametrize("line", [f"z = [{Z1!r} {Z2!r}]", f"z = [ {Z1!r}  {Z2!r}]", f"$z = [{Z1!r} \\; {Z2!r}]$",
                                  f"$\\mathbf{{z}} = [{Z1!r},\\, {Z2!r}]$"])
def test_a_vector_printed_by_numpy_or_spaced_in_latex_is_read_entry_by_entry(tmp_path, line):
    """numpy prints ``z = [-7.65 -13.65]``, its entries between blanks: before, not read ("z is not a quantity");
    LaTeX's spacing between entries (``\\;``, ``\\,``) is no separator (before, ``\\;`` cut an entry in two)."""
    result = graded(tmp_path, line)
    assert result.field("z1").verdict == "correct" and result.field("z2").verdict == "correct"
    assert float(result.field("z1").given) == Z1 and not result.unattributed


def test_a_bracket_of_arithmetic_is_no_printed_vector(tmp_path):
    result = graded(tmp_path, f"z = [{Z1!r} - 13.65]")  # a minus between blanks: arithmetic, no list
    assert result.field("z1").verdict == "missing" and result.field("z2").verdict == "missing"
