"""Markdown pipe tables in write-ups (``grader.submission.tables``). Textbooks print a worked example as tables and
students copy them: Han, Kamber & Pei's 3-2-1 example as the book prints it scored 0/20 before (every cell listed as
"the left-hand side is not the name of a quantity"). The values here are the book's printed ones
(``test_conventions.HAN_PRINTED``) and, for the classic 2-2-2 network, the textbook formulas in mpmath
(``tests/textbook.py``), never the project's solver."""

from __future__ import annotations

import pytest

from grader.errors import GraderError
from grader.grade.pipeline import Grader
from test_conventions import HAN_PRINTED
from textbook import CLASSIC, CLASSIC_NETS, sig, textbook

V = textbook(CLASSIC, CLASSIC_NETS)
P = HAN_PRINTED


def grade_text(tmp_path, text: str, problem: str = "classic_222", suffix: str = ".md"):
    path = tmp_path / f"work{suffix}"
    path.write_text(text, encoding="utf-8")
    return Grader(problem=problem).grade_file(path)


def han_tables() -> str:
    """The book's three tables (net input and output, error, updates), with its printed numbers."""
    return "\n".join([
        "# Backpropagation example — Li Wei, 400333444", "",
        "| Unit $j$ | Net input, $I_j$ | Output, $O_j$ |",
        "|:---:|---|---|",
        f"| 4 | $0.2 + 0 - 0.5 - 0.4 = -0.7$ | $1/(1+e^{{0.7}}) = {P['O4']}$ |",
        f"| 5 | $-0.3 + 0 + 0.2 + 0.2 = 0.1$ | $1/(1+e^{{-0.1}}) = {P['O5']}$ |",
        f"| 6 | $(-0.3)(0.332) - (0.2)(0.525) + 0.1 = -0.105$ | $1/(1+e^{{0.105}}) = {P['O6']}$ |",
        "",
        "| Unit $j$ | $Err_j$ |", "|---|---|",
        f"| 6 | $(0.474)(1 - 0.474)(1 - 0.474) = {P['delta_O6']}$ |",
        f"| 5 | $(0.525)(1 - 0.525)(0.1311)(-0.2) = {P['delta_O5']}$ |",
        f"| 4 | $(0.332)(1 - 0.332)(0.1311)(-0.3) = {P['delta_O4']}$ |",
        "",
        "| Weight or bias | New value |", "|---|---|",
        *(f"| ${w[0]}_{{{w[1:]}}}$ | {P[w + '_new']} |" if w[0] == "w" else
          f"| $\\theta_{w[-1]}$ | {P[w + '_new']} |"
          for w in ("w46", "w56", "w14", "w15", "w24", "w25", "w34", "w35", "theta6", "theta5", "theta4")),
        "",
    ])


def test_the_books_tables_are_read_as_the_book_prints_them(tmp_path):
    result = grade_text(tmp_path, han_tables(), "han_kamber_321")
    assert [(f.quantity, f.verdict) for f in result.fields if f.verdict != "correct"] == []
    assert result.score == result.max_score == 20
    assert result.field("I4").source == "line 5" and result.field("O6").source == "line 7"
    assert result.field("delta_O5").source == "line 12"  # Err_j of unit 5: the error term, the book's sign
    assert result.field("theta4_new").source == "line 27"
    assert result.field("w46_new").given == pytest.approx(float(P["w46_new"]))
    assert result.unattributed == ()
    assert not result.flags


def test_a_wrong_cell_is_graded_and_located_like_any_equation(tmp_path):
    text = han_tables().replace("= 0.1311$", "= 0.3111$", 1)  # Err_6 slipped (digits swapped)
    result = grade_text(tmp_path, text, "han_kamber_321")
    f = result.field("delta_O6")
    assert f.verdict == "incorrect" and f.given == pytest.approx(0.3111) and f.source == "line 11"
    assert result.field("O6").verdict == "correct"


def test_names_in_the_first_column_and_an_old_and_a_new_column(tmp_path):
    s = lambda q, d=10: sig(V[q], d)  # noqa: E731
    text = "\n".join([
        "Forward pass", "", "| Quantity | Value |", "| --- | --- |",
        f"| $net_{{h1}}$ | {s('net_h1')} |", f"| h1 | $1/(1+e^{{-{s('net_h1')}}}) = {s('h1')}$ |",
        f"| **o1** | {s('o1')} |", "| o2 | 0.5 |", "",  # o2: wrong (0.77 by the formula)
        "| Weight | Old | Change | New |", "|---|---|---|---|",
        f"| $w_5$ | 0.40 | {sig(V['w5_new'] - 0.4, 6)} | {s('w5_new', 12)} |",
        f"| $w_6$ | 0.45 | $\\Delta w_6 = {sig(V['w6_new'] - 0.45, 6)}$ | {s('w6_new', 12)} |", "",
        f"delta o1 = {s('delta_o1')}",  # a plain line after the table keeps its line number
    ])
    result = grade_text(tmp_path, text)
    verdicts = {f.quantity: f.verdict for f in result.fields}
    assert verdicts["net_h1"] == verdicts["h1"] == verdicts["o1"] == "correct"
    assert verdicts["o2"] == "incorrect" and result.field("o2").source == "line 8"
    assert verdicts["w5_new"] == verdicts["w6_new"] == "correct"
    assert result.field("w6_new").source == "line 13"
    assert result.field("delta_o1").verdict == "correct" and result.field("delta_o1").source == "line 15"
    # the old column restates the given weights (no flag: the same values); the change column is no weight's value
    assert not [fl for fl in result.flags if fl.kind == "wrong_given"]


def test_a_column_of_other_quantities_is_not_read_as_the_rows_quantity(tmp_path):
    """A target (or an error) beside each output is no second value of the output: before the heading had to say
    "value", o1 = 0.01 would have made o1 one quantity with two values."""
    s = lambda q: sig(V[q], 10)  # noqa: E731
    text = f"| Output | Value | Target |\n|---|---|---|\n| o1 | {s('o1')} | 0.01 |\n| o2 | {s('o2')} | 0.99 |\n"
    result = grade_text(tmp_path, text)
    assert result.field("o1").verdict == result.field("o2").verdict == "correct"
    assert not result.flags
    # the first column's i1 is a name, not "unit 1" (a unit's word is Unit, Node, Neuron, or j =)
    text = f"| Unit | $net_j$ |\n|---|---|\n| h1 | {s('net_h1')} |\n| Neuron h2 | {s('net_h2')} |\n"
    result = grade_text(tmp_path, text)
    assert result.field("net_h1").verdict == result.field("net_h2").verdict == "correct"


def test_a_header_of_names_over_a_row_of_values(tmp_path):
    s = lambda q: sig(V[q], 10)  # noqa: E731
    text = f"| $z$ | h1 | h2 |\n|---|---|---|\n| x | {s('h1')} | {s('h2')} |\n"
    result = grade_text(tmp_path, text)
    assert result.field("h1").verdict == "correct" and result.field("h2").verdict == "correct"
    text = f"| net_h1 | net_h2 |\n|---|---|\n| {s('net_h1')} | 0.1 |\n"
    result = grade_text(tmp_path, text)
    assert result.field("net_h1").verdict == "correct" and result.field("net_h2").verdict == "incorrect"


def test_tables_that_name_nothing_and_tables_of_code_are_as_before(tmp_path):
    # cells that are equations with no name are listed as such, as outside a table; words are not read
    result = grade_text(tmp_path, "| step | work |\n|---|---|\n| 1 | $0.15 + 0.2 = 0.35$ |\n| 2 | easy |\n")
    assert [u[0] for u in result.unattributed] == ["line 3"]
    assert all(f.verdict == "missing" for f in result.fields)
    # a table inside a fence marked as code is code
    s = sig(V["h1"], 10)
    fenced = f"```python\n| Quantity | Value |\n|---|---|\n| h1 | {s} |\n```\n"
    assert grade_text(tmp_path, fenced).field("h1").verdict == "missing"
    # a row of a table without its separator line is no table (a line of prose with bars)
    assert grade_text(tmp_path, f"| h1 | {s} |\n").field("h1").verdict == "missing"
    # a plain-text file's table is read too
    assert grade_text(tmp_path, f"| Quantity | Value |\n|---|---|\n| h1 | {s} |\n",
                      suffix=".txt").field("h1").verdict == "correct"


def test_a_table_of_too_many_cells_is_refused_with_its_line(tmp_path):
    text = "| a | b |\n|---|---|\n" + "| h1 | 0.5 |\n" * 25_000
    with pytest.raises(GraderError, match="more than 20000 rows"):
        grade_text(tmp_path, text)


def han_tabular() -> str:
    """The book's tables in a LaTeX document: ``tabular`` environments, rules of both kinds, bold headings."""
    rows = "\n".join(f"${w[0]}_{{{w[1:]}}}$ & {P[w + '_new']} \\\\" if w[0] == "w" else
                     f"$\\theta_{w[-1]}$ & ${P[w + '_new']}$ \\\\[2pt]"
                     for w in ("w46", "w56", "w14", "w15", "w24", "w25", "w34", "w35", "theta6", "theta5", "theta4"))
    return "\n".join([
        "\\documentclass{article}", "\\author{Li Wei, 400333444}", "\\begin{document}",
        "\\begin{tabular}{|c|l|l|}", "\\hline",
        "\\textbf{Unit} $j$ & Net input, $I_j$ & Output, $O_j$ \\\\ \\hline",
        f"4 & $0.2 + 0 - 0.5 - 0.4 = -0.7$ & $1/(1+e^{{0.7}}) = {P['O4']}$ \\\\",
        f"5 & $0.1$ & ${P['O5']}$ \\\\",
        f"6 & $-0.105$ & ${P['O6']}$ \\\\ \\hline", "\\end{tabular}", "",
        "\\begin{tabular*}{\\textwidth}{@{}cc@{}}", "\\toprule", "Unit $j$ & $Err_j$ \\\\ \\midrule",
        f"6 & ${P['delta_O6']}$ \\\\", f"5 & ${P['delta_O5']}$ \\\\", f"4 & ${P['delta_O4']}$ \\\\ \\bottomrule",
        "\\end{tabular*}", "",
        "\\begin{tabular}{ll}", "Weight \\& bias & New value \\\\ \\hline", rows, "\\end{tabular}",
        "\\end{document}", "",
    ])


def test_a_latex_tabular_is_read_as_a_table(tmp_path):
    result = grade_text(tmp_path, han_tabular(), "han_kamber_321", suffix=".tex")
    assert [(f.quantity, f.verdict) for f in result.fields if f.verdict != "correct"] == []
    assert result.score == 20 and result.student.id == "400333444"
    assert result.field("I4").source == "line 7" and result.field("O6").source == "line 9"
    assert result.field("delta_O4").source == "line 17"
    assert result.field("theta4_new").source == "line 32"
    assert result.unattributed == () and not result.flags


def test_a_tabular_never_closed_or_without_rows_is_no_table(tmp_path):
    s = sig(V["h1"], 10)
    never = f"\\begin{{document}}\n\\begin{{tabular}}{{ll}}\nQuantity & Value \\\\\nh1 & {s} \\\\\n\\end{{document}}\n"
    assert grade_text(tmp_path, never, suffix=".tex").field("h1").verdict == "missing"
    one = f"\\begin{{document}}\n\\begin{{tabular}}{{ll}}\nh1 & {s}\n\\end{{tabular}}\n\\end{{document}}\n"
    assert grade_text(tmp_path, one, suffix=".tex").field("h1").verdict == "missing"  # a heading alone
    closed = never.replace("\\end{document}", "\\end{tabular}\n\\end{document}")
    assert grade_text(tmp_path, closed, suffix=".tex").field("h1").verdict == "correct"


def test_tables_after_tables_keep_their_lines(tmp_path):
    s = lambda q: sig(V[q], 10)  # noqa: E731
    table = "\\begin{{tabular}}{{ll}}\nQuantity & Value \\\\ \\cmidrule(lr){{1-2}}\n{} & {} \\\\\n\\end{{tabular}}\n\n"
    text = "\\begin{document}\n" + table.format("h1", s("h1")) + table.format("h2", s("h2")) + "\\end{document}\n"
    result = grade_text(tmp_path, text, suffix=".tex")
    assert result.field("h1").source == "line 4" and result.field("h2").source == "line 9"
    assert result.field("h1").verdict == result.field("h2").verdict == "correct"


def test_columns_of_work_make_one_chain_with_the_value(tmp_path):
    """| $net_{o1}$ | formula | substituted | value |: the work before the value, so a slip in it is located. Here
    the substitution is right (0.4 h1 + 0.45 h2 + 0.6 with the textbook's h1, h2) and the value written 0.9."""
    h1, h2 = sig(V["h1"], 10), sig(V["h2"], 10)
    text = "\n".join([
        "| Quantity | Formula | Substituted | Value |", "|---|---|---|---|",
        f"| $h_1$ | $\\sigma(net_{{h1}})$ | $1/(1+e^{{-0.3775}})$ | ${h1}$ |",
        f"| $net_{{o1}}$ | $w_5 h_1 + w_6 h_2 + b_2$ | $0.4({h1}) + 0.45({h2}) + 0.6$ | $0.9$ |",
        "| $out_{o2}$ | | $1/(1+e^{-1.2249})$ | |",  # the work alone: its last step is the value (0.7729)
    ])
    result = grade_text(tmp_path, text)
    f = result.field("net_o1")
    assert f.verdict == "incorrect" and f.given == pytest.approx(0.9) and f.source == "line 4"
    assert "the slip is in line 4" in f.message
    assert result.field("h1").verdict == "correct"
    o2 = result.field("o2")
    assert o2.verdict == "correct" and o2.source == "line 5"


def test_columns_of_steps_are_not_one_chain(tmp_path):
    """A weight's values after step 1 and step 2 are two values, not a chain w5 = (after 1) = (after 2): read as one
    they restated the given w5 as something else (a wrong_given flag) from a right table."""
    text = f"| Weight | Step 1 | Step 2 |\n|---|---|---|\n| $w_5$ | {sig(V['w5_new'], 10)} | 0.3180 |\n"
    result = grade_text(tmp_path, text)
    assert not result.flags
    # step 1's value is the one step's update of this problem; "Step 2" names nothing here
    assert {f.quantity: f.verdict for f in result.fields if f.verdict != "missing"} == {"w5_new": "correct"}


def test_columns_named_by_kind_in_words(tmp_path):
    """| Neuron | net | out | δ |, as the classic blog example's readers tabulate it: each cell is that kind of
    value of the row's unit (net_{h1}, out_{h1}, \\delta_{o1}). Before, such a table was read as nothing."""
    row = lambda unit, *qs: f"| {unit} | " + " | ".join(sig(V[q], 10) if q else "" for q in qs) + " |"  # noqa: E731
    text = "\n".join([
        "| Neuron | Net input | Output | $\\delta$ |", "|---|---|---|---|",
        row("h1", "net_h1", "h1", None), row("$h_2$", "net_h2", "h2", None),
        row("o1", "net_o1", "o1", "delta_o1"), row("Neuron o2", "net_o2", "o2", "delta_o2"),
    ])
    result = grade_text(tmp_path, text)
    read = {f.quantity: f.verdict for f in result.fields if f.verdict != "missing"}
    assert read == {q: "correct" for q in ("net_h1", "net_h2", "h1", "h2", "net_o1", "net_o2", "o1", "o2",
                                           "delta_o1", "delta_o2")}
    assert result.field("delta_o2").source == "line 6" and not result.flags


def test_columns_of_steps_name_each_steps_value(tmp_path):
    """| Quantity | Step 1 | Step 2 | in a two-step problem: w5 after step 1 is w5_new, after step 2 w5_new_s2; o1
    of step 2 is o1_s2. The values here are made up (not right): only which quantity each cell is read as counts."""
    text = "| Quantity | Step 1 | Step 2 |\n|---|---|---|\n| $w_5$ | 0.5 | 0.4 |\n| o1 | 0.6 | 0.65 |\n"
    result = grade_text(tmp_path, text, "two_steps")
    given = {f.quantity: f.given for f in result.fields if f.verdict != "missing"}
    assert given == {"w5_new": 0.5, "o1": 0.6, "o1_s2": 0.65, "w5_new_s2": 0.4}
    assert result.field("w5_new_s2").source == "line 3" and result.unattributed == ()
    # in a problem of one step, "Step 2" names nothing: left unread, not read as another quantity
    one = grade_text(tmp_path, text)
    assert {f.quantity for f in one.fields if f.verdict != "missing"} == {"w5_new", "o1"}


# --- HTML tables: a Markdown cell typed as HTML, a pandas DataFrame pasted in --------------------------------------


def html_tables(s) -> str:
    return "\n".join([
        "# Sam Park, 400111222", "",
        "<table>",
        "  <tr><th>Quantity</th><th>Value</th></tr>",
        f"  <tr><td>net<sub>h1</sub></td><td>{s('net_h1')}</td></tr>",
        f"  <tr><td>h1</td><td><b>{s('h1')}</b></td></tr>",
        "</table>", "",
        '<table border="1" class="dataframe">', "  <thead>", '    <tr style="text-align: right;">',
        "      <th></th>", "      <th>value</th>", "    </tr>", "  </thead>", "  <tbody>",
        "    <tr>", "      <th>o1</th>", f"      <td>{s('o1')}</td>", "    </tr>",
        "    <TR><TH>w5_new</TH><TD>" + s("w5_new").replace("-", "&minus;") + "</TD></TR>",
        "  </tbody>", "</table>", "",
    ])


def test_an_html_table_is_read_as_a_table(tmp_path):
    """Before, each of these right values was "missing": the cells were not read at all."""
    s = lambda q: sig(V[q], 10)  # noqa: E731
    result = grade_text(tmp_path, html_tables(s))
    got = {f.quantity: (f.verdict, f.source) for f in result.fields if f.verdict != "missing"}
    assert got == {"net_h1": ("correct", "line 5"), "h1": ("correct", "line 6"), "o1": ("correct", "line 17"),
                   "w5_new": ("correct", "line 21")}, got
    assert result.unattributed == () and not result.flags
    cell = ("markdown", {"cell_type": "markdown", "metadata": {}, "source": html_tables(s).splitlines(True)})
    import json

    nb = {"cells": [cell[1]], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    result = grade_text(tmp_path, json.dumps(nb), suffix=".ipynb")
    assert {f.quantity: f.verdict for f in result.fields if f.verdict != "missing"} == {
        q: "correct" for q in ("net_h1", "h1", "o1", "w5_new")}


def test_a_wrong_html_cell_is_graded_and_an_unclosed_table_is_no_table(tmp_path):
    s = lambda q: sig(V[q], 10)  # noqa: E731
    wrong = html_tables(lambda q: "0.7" if q == "h1" else s(q))
    assert grade_text(tmp_path, wrong).field("h1").verdict == "incorrect"
    never = html_tables(s).replace("</table>", "")
    assert {f.verdict for f in grade_text(tmp_path, never).fields} == {"missing"}


@pytest.mark.parametrize("text", [
    "<table>" + "<tr><td>h1</td><td>0.5</td></tr>\n" * 25_000 + "</table>\n",   # too many rows: refused
    "<table><tr>" + "<td>1</td>" * 200_000 + "</tr></table>\n",                   # too long: not a table
    "<table>" * 100_000 + "\n", "<table>" * 100_000 + "</table>\n",           # never closed; opened often
    "<tr><td>h1</td><td>0.5</td></tr>\n" * 50_000,                                # no table at all
])
def test_floods_of_html_table_marks_are_read_in_one_pass(tmp_path, monkeypatch, text):
    """Each table's end is looked for once, not once per ``<table>``: 100,000 tables never closed took 9 s."""
    from grader.submission import tables

    searches = []

    class Counted:
        def search(self, *args):
            searches.append(args[1:])
            return tables.re.compile(r"</table\s*>", tables.re.I).search(*args)

    monkeypatch.setattr(tables, "_HTML_TABLE_END", Counted())
    try:
        result = grade_text(tmp_path, "| x |\n" + text)
    except GraderError as exc:
        assert "rows" in str(exc)
    else:
        assert all(f.verdict == "missing" for f in result.fields)
    assert len(searches) <= 2


def test_a_tabular_with_multicolumn_cells(tmp_path):
    """A caption over the whole table (``\\multicolumn{3}{c}{...}``) is not its heading, and a cell over two columns
    keeps the cells after it under their headings. Before, the caption was taken for the heading (so the Formula
    column made no chain) and ``\\multicolumn{2}{l}{$h_2$}`` named nothing."""
    s = lambda q: sig(V[q], 10)  # noqa: E731
    text = "\n".join([
        "\\begin{document}", "\\begin{tabular}{lll}",
        "\\multicolumn{3}{c}{\\textbf{Forward pass, $h_{1}$ and $h_{2}$}} \\\\ \\hline",
        "Quantity & Formula & Value \\\\ \\hline",
        f"$net_{{h1}}$ & $w_1 i_1 + w_2 i_2 + b_1$ & ${s('net_h1')}$ \\\\",
        f"\\multicolumn{{2}}{{l}}{{$h_2$}} & ${s('h2')}$ \\\\",
        "\\end{tabular}", "\\end{document}", ""])
    result = grade_text(tmp_path, text, suffix=".tex")
    assert {f.quantity: (f.verdict, f.source) for f in result.fields if f.verdict != "missing"} == {
        "net_h1": ("correct", "line 5"), "h2": ("correct", "line 6")}
    assert result.field("net_h1").source_text == f"net_{{h1}} = w_1 i_1 + w_2 i_2 + b_1 = {s('net_h1')}"
    assert result.field("h2").source_text == f"h_2 = {s('h2')}"


def test_an_html_cell_over_columns_keeps_the_cells_after_it_under_their_headings(tmp_path):
    """Before, ``colspan`` was not counted: the target 0.01 under "Target" was read as o1's value."""
    s = lambda q: sig(V[q], 10)  # noqa: E731
    text = ("<table>\n<tr><th colspan=\"2\">Quantity</th><th>Value</th><th>Target</th></tr>\n"
            f"<tr><td>o1</td><td>(its output)</td><td>{s('o1')}</td><td>0.01</td></tr>\n"
            f"<tr><td colspan='2'>h2</td><td>{s('h2')}</td><td></td></tr>\n</table>\n")
    result = grade_text(tmp_path, text)
    assert {f.quantity: (f.verdict, f.source) for f in result.fields if f.verdict != "missing"} == {
        "o1": ("correct", "line 3"), "h2": ("correct", "line 4")}
    assert not result.flags


def test_a_first_column_that_names_each_value_in_words(tmp_path):
    """| Net input of h1 | 0.3775 |, | Output of neuron h2 | ... |, | output o1 |, | δ of o2 |: the kind of value of the
    unit the words name. Before, such rows named nothing and were dropped without a word."""
    text = "\n".join([
        "| Quantity | Value |", "|---|---|",
        f"| Net input of h1 | {sig(V['net_h1'], 10)} |", f"| Output of neuron h2 | {sig(V['h2'], 10)} |",
        f"| output o1 | {sig(V['o1'], 10)} |", f"| δ of o2 | {sig(V['delta_o2'], 10)} |",
        "| Gradient of w5 | 0.08 |", "| Target of o1 | 0.01 |",  # no kind of a unit's value: as before
    ])
    result = grade_text(tmp_path, text)
    read = {f.quantity: f.verdict for f in result.fields if f.verdict != "missing"}
    assert read == {q: "correct" for q in ("net_h1", "h2", "o1", "delta_o2")}, read
    assert not result.flags
