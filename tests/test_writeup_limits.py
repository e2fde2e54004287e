"""Hostile write-ups stay within the reader's limits and say what they did not read (issue 13: "hostile LaTeX (deep
``\\frac`` nesting, ``10^{10^{10}}``, huge files) stays within the same limits as answers").

Each case checks the outcome (which note, which error, which answers), never the time: speed is measured by
``benchmarks/bench_writeup.py``."""

from __future__ import annotations

import json

import pytest

from grader.cli import main
from grader.parse.latex import MAX_LATEX_LENGTH, MAX_LATEX_TOKENS
from grader.parse.limits import MAX_DEPTH
from grader.solve.solver import solve
from grader.spec.load import load_problem
from grader.submission.extract import MAX_ROWS
from grader.submission.writeup import MAX_UNATTRIBUTED, writeup_submission

MB = 1_048_576


@pytest.fixture(scope="module")
def key():
    return solve(load_problem("problems/exercise6.yaml"))


def read(key, text: str, kind: str = "md"):
    return writeup_submission(text, kind, "hostile." + kind, key, "exercise6")


def reasons(sub) -> list[str]:
    return [u.reason for u in sub.writeup.unattributed]


def test_a_megabyte_of_nested_fracs_is_one_row_listed_as_too_long(key):
    text = "$$" + "\\frac{" * (MB // 6)  # never closed: the display runs to the end of the paragraph (the file)
    sub = read(key, text)
    assert not sub.answers
    assert reasons(sub) == [f"could not be read: the equation is too long ({len(text) - 2:,} characters; at most "
                            f"{MAX_LATEX_LENGTH:,})"]


def test_a_megabyte_equation_for_a_quantity_is_not_read_and_gives_no_answer(key):
    body = "z_1 = " + "1 + " * (MB // 4) + "1"
    sub = read(key, "$$" + body + "$$\n$$z_2 = 0.5$$\n")
    assert set(sub.answers) == {"z2"}  # the row after it is read as usual
    [note] = sub.writeup.unattributed
    assert note.line == 1 and note.text.startswith("z_1 = 1 + 1")
    assert note.reason == f"could not be read: the equation is too long ({len(body):,} characters; at most 4,000)"


def test_a_megabyte_equation_is_listed_in_the_json_report(tmp_path, capsys):
    path = tmp_path / "big.md"
    path.write_text("$$z_1 = " + "(" * MB + "$$\n", encoding="utf-8")
    assert main([str(path), "--problem", "exercise6", "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["fields"]["z1"]["verdict"] == "missing"
    [note] = result["unattributed"]
    assert note["where"] == "line 1" and "the equation is too long" in note["reason"]


def test_nesting_within_the_length_is_refused_as_too_deep(key):
    sub = read(key, "$$z_1 = " + "\\frac{" * (MAX_DEPTH + 5) + "1" + "}{2}" * (MAX_DEPTH + 5) + "$$")
    assert not sub.answers
    assert reasons(sub) == [f"could not be read: the expression is nested too deeply (more than {MAX_DEPTH} levels)"]


def test_too_many_parts_within_the_length_is_refused(key):
    terms = MAX_LATEX_TOKENS // 2 + 10  # "1+" is two tokens; still under the length limit
    assert len("1+" * terms) < MAX_LATEX_LENGTH
    sub = read(key, "$$z_1 = " + "1+" * terms + "1$$")
    assert not sub.answers
    assert reasons(sub) == [f"could not be read: the expression has too many parts (more than {MAX_LATEX_TOKENS})"]


def test_power_towers_are_listed_with_why_no_value(key):
    sub = read(key, "$$z_1 = 10^{10^{10}}$$\n$$h_1 = e^{e^{e^{10}}}$$\n$$z_2 = 1e999999999$$\n$$z_3 = 1/0$$\n")
    assert not sub.answers
    assert reasons(sub) == [
        "no value could be computed from it: an exponent is too large (at most ±1000)",
        "no value could be computed from it: e to a power this large is beyond the range of numbers (about 1e308)",
        "could not be read: the exponent of the number at position 7 is too large (at most ±1000)",
        "no value could be computed from it: it divides by zero",
    ]


def test_a_number_with_too_many_digits_is_refused(key):
    sub = read(key, "$$z_1 = " + "9" * 500 + "$$")
    assert reasons(sub) == ["could not be read: the number at position 7 has too many digits"]


def test_a_hundred_thousand_tiny_equations_is_a_limit_error(tmp_path, capsys):
    path = tmp_path / "tiny.md"
    path.write_text("$a=1$\n" * 100_000, encoding="utf-8")
    assert main([str(path), "--problem", "exercise6"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and f"more than {MAX_ROWS} rows of math" in err and f"tiny.md:{MAX_ROWS + 1}:" in err


def test_thousands_of_unreadable_equations_are_listed_up_to_the_cap(key):
    sub = read(key, "".join(f"$$z_1 = 10^{{10^{{{k}}}}}$$\n" for k in range(10, 5010)))
    assert len(sub.writeup.unattributed) == MAX_UNATTRIBUTED
    assert [u.line for u in sub.writeup.unattributed] == list(range(1, MAX_UNATTRIBUTED + 1))



@pytest.mark.parametrize("kind", ["md", "tex"])
@pytest.mark.parametrize("equation, q", [
    (r"h_1 = 1e999", "h1"),
    (r"z_1 = -1e309", "z1"),
    (r"w_5^{new} = 2 \cdot 10^{308}", "w5_new"),
    (r"z_1 = 1.7976931348623159e308", "z1"),
    (r"z_1 = 3 = 1e309", "z1"),  # a chain whose last value is beyond the float range
])
def test_a_value_beyond_the_float_range_is_unreadable_not_an_error(tmp_path, capsys, kind, equation, q):
    # as the same number written as a YAML answer: the field is unreadable, and says why; nothing else breaks
    path = tmp_path / f"w.{kind}"
    body = f"$${equation}$$" if kind == "md" else f"\\begin{{equation}}{equation}\\end{{equation}}"
    path.write_text(f"Student 400222100\n\n{body}\n\n$$z_2 = -13.65$$\n", encoding="utf-8")
    assert main([str(path), "--problem", "exercise6", "--format", "json"]) == 0
    fields = json.loads(capsys.readouterr().out)["fields"]
    assert fields[q]["verdict"] == "unparseable" and "float range" in fields[q]["message"]
    assert fields["z2"]["verdict"] == "correct"


def test_a_substituted_value_beyond_the_float_range_is_not_used(tmp_path, capsys):
    path = tmp_path / "w.md"
    path.write_text("$$z_3 = w_5 h_1 + w_6 h_2 + b_2 = 40 \\cdot 1e309 + 45 \\cdot 1 + 0.6 = 1$$\n", encoding="utf-8")
    assert main([str(path), "--problem", "exercise6", "--format", "json"]) == 0
    z3 = json.loads(capsys.readouterr().out)["fields"]["z3"]
    assert z3["verdict"] == "incorrect" and "1e+309" not in json.dumps(z3) and "inf" not in z3["message"]


def _notebook(cells_json: str) -> str:
    return '{"metadata": {}, "nbformat": 4, "nbformat_minor": 5, "cells": ' + cells_json + "}"


@pytest.mark.parametrize("name, text, rc, says", [
    ("bom.ipynb", "\ufeff" + _notebook('[{"cell_type": "markdown", "source": "$$z_1 = -7.65$$"}]'), 0, "Score: 1 / 24"),
    ("digits.ipynb", _notebook("[], \"x\": " + "9" * 100_000), 2, "a number with too many digits"),
    ("deep.ipynb", _notebook("[" * 100_000 + "]" * 100_000), 2, "nested too deeply"),
    ("bad.ipynb", '{"cells": [\n  {"cell_type": "markdown",\n  oops}\n]}', 2, "bad.ipynb:3: the notebook is not valid JSON"),
])
def test_a_notebook_that_json_cannot_read_is_told_in_plain_words(tmp_path, capsys, name, text, rc, says):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert main([str(path), "--problem", "exercise6"]) == rc
    out = capsys.readouterr()
    assert says in out.out + out.err
    for python_wording in ("sys.set_int_max_str_digits", "recursion", "decode using utf-8-sig", "Traceback"):
        assert python_wording not in out.out + out.err
