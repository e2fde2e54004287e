"""``\\sum_{i=1}^{n}`` where the write-up states the bound itself ("with n = 2 inputs", ``$N = 3$``): read when the
write-up gives the letter exactly one value, a plain whole number; otherwise the sum is listed as not read, saying
why (issue 13). Expected values come from plain arithmetic and closed forms (sum of squares, geometric series) and
from the textbook formulas in ``tests/test_writeup.py``'s oracle, never from the grader's key."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from grader.cli import main
from grader.parse.latex import MAX_SUM_TERMS, NotEvaluable, Unreadable, evaluate, read_math
from grader.solve.solver import solve
from grader.spec.load import load_problem
from grader.submission.extract import math_rows
from grader.submission.sums import MAX_BOUND_DIGITS, StatedBounds, SumRanges
from grader.submission.writeup import default_resolver, writeup_submission

from test_writeup import CLASSIC, close, oracle


def stated(text: str, kind: str = "md") -> StatedBounds:
    return StatedBounds(text, math_rows(text, kind), kind)


# ---------------------------------------------------------------------------------------------------- statements


@pytest.mark.parametrize("text, letter, value", [
    ("With $n = 2$ inputs.", "n", 2),
    ("$$N = 3$$", "N", 3),
    ("We have n = 2 inputs and two outputs.", "n", 2),  # in the prose
    ("where n=2.", "n", 2),
    ("$n$ = 2 inputs", "n", 2),  # an inline name with its value in the prose
    ("$n := 4$", "n", 4),
    ("$$n = 2, \\quad m = 3$$", "m", 3),
    ("$$n = 2, \\quad m = 3$$", "n", 2),
    ("$n = {2}$ and again $n = 2$, n = 2", "n", 2),  # the same value three times: one value
    ("$$n = 2 \\text{ inputs}$$", "n", 2),
    ("$K = 007$", "K", 7),
    ("```python\nn = 10\n```\n\n$n = 2$", "n", 2),  # code is not the write-up's statement
    ("~~~matlab\nn = 10\n~~~\n\nwith n = 2", "n", 2),
    ("~~~text\nn = 2\n~~~", "n", 2),  # (a fence that is not code is read: students type equations there)
])
def test_a_letter_given_one_whole_number(text, letter, value):
    assert stated(text).value(letter) == (value, "")


def test_in_a_tex_file_the_preamble_and_comments_state_nothing():
    text = ("\\documentclass{article}\n\\def\\n{3} % n = 3\n\\begin{document}\n% n = 5 (old)\n"
            "We use $n = 2$ inputs.\n\\end{document}\n")
    assert stated(text, "tex").value("n") == (2, "")
    assert stated(text, "md").value("n")[0] is None  # as Markdown, the same text gives n three values


@pytest.mark.parametrize("text, letter, reason", [
    ("nothing here", "n", "n is given no value in the write-up"),
    ("$N = 3$", "n", "n is given no value in the write-up"),  # letters are told apart by case
    ("with n = 2 inputs\n\nand later $n = 3$", "n", "n is given different values in the write-up (2 on line 1, 3 on "
                                                      "line 3)"),
    ("$n = 10^{9}$", "n", "n is written as 10^{9} on line 1, not as a whole number"),
    ("$$n = 2 + 1$$", "n", "n is written as 2 + 1 on line 1, not as a whole number"),
    ("$n = 1, 2$", "n", "n is written as 1, 2 on line 1, not as a whole number"),
    ("$n = N_{in}$", "n", "n is written as N_{in} on line 1, not as a whole number"),
    ("$n = 2.5$", "n", "n is written as 2.5 on line 1, not as a whole number"),
    ("$n = 2$, and $n = 2 + 0$", "n", "n is given different values in the write-up (2 on line 1, 2 + 0 on line 1)"),
    ("n = 1000000000", "n", f"n is given a number of more than {MAX_BOUND_DIGITS} digits on line 1"),
    ("$n = " + "9" * 5000 + "$", "n", f"n is given a number of more than {MAX_BOUND_DIGITS} digits on line 1"),
    ("the prose says n = 10^9", "n", "n is given no value in the write-up"),  # a formula in the prose: no value
    ("for n = 1, 2, 3", "n", "n is given no value in the write-up"),
    ("so 1 / n = 0.5 and x - n = 2", "n", "n is given no value in the write-up"),  # part of a formula
    ("$w_n = 2$, $a^n = 2$, $\\sum_{n=1}^{3} i$, $2n = 4$, $n_1 = 2$, $n' = 2$", "n",
     "n is given no value in the write-up"),
    ("net = 2, an = 2", "n", "n is given no value in the write-up"),  # a letter inside a word is no name
])
def test_a_letter_without_one_whole_number(text, letter, reason):
    assert stated(text).value(letter) == (None, reason)


def test_the_write_up_is_scanned_once_and_only_when_a_sum_needs_it(monkeypatch):
    calls = []
    original = StatedBounds.found

    def counted(self):
        calls.append(self)
        return original(self)

    monkeypatch.setattr(StatedBounds, "found", counted)
    bounds = stated("$n = 3$\n\n" + "with n = 3 inputs\n" * 2000)
    assert [bounds.value("n") for _ in range(50)] == [(3, "")] * 50
    assert bounds.lines("n") == {1} | set(range(3, 2003))
    assert len(calls) == 2  # once for the values, once for the lines: each remembered per letter


# ---------------------------------------------------------------------------------------------------- sums read with it


@pytest.fixture(scope="module")
def classic():
    return solve(load_problem("problems/classic_222.yaml"))


def ranges(key, text: str) -> SumRanges:
    resolve = default_resolver(key.problem)
    return SumRanges(key.problem.network, lambda name: resolve(name.text), stated(text))


def value(sums: SumRanges, latex: str):
    t = read_math(latex)
    assert not isinstance(t, Unreadable), t
    return evaluate(sums.expand(t))


@pytest.mark.parametrize("n", [1, 2, 5, 17, MAX_SUM_TERMS])
def test_a_stated_bound_gives_the_closed_forms(classic, n):
    sums = ranges(classic, f"with n = {n} terms\n\n$N = {n - 1}$")
    assert value(sums, r"\sum_{i=1}^{n} i^2") == Fraction(n * (n + 1) * (2 * n + 1), 6)  # sum of squares
    assert value(sums, r"\sum_{j=0}^{N} 2^{j}") == 2**n - 1  # geometric series, j = 0 .. n - 1
    if n > 1:  # telescoping
        assert value(sums, r"\sum_{i=2}^{n} \frac{1}{i(i-1)}") == 1 - Fraction(1, n)
    assert sums.used == {"n": n, "N": n - 1}


@pytest.mark.parametrize("text, latex, reason", [
    ("n = 101", r"\sum_{i=1}^{n} i", f"\\sum with too many terms (101; at most {MAX_SUM_TERMS})"),
    ("n = 1000000", r"\sum_{i=1}^{n} i", f"\\sum with too many terms (1000000; at most {MAX_SUM_TERMS})"),
    ("n = 0", r"\sum_{i=1}^{n} i", "\\sum with no terms (i from 1 to 0)"),
    ("$n = 10^{9}$", r"\sum_{i=1}^{n} i",
     "\\sum with a range that cannot be told (i from 1 to n: n is written as 10^{9} on line 1, not as a whole number)"),
    ("i = 3", r"\sum_{i=1}^{i} i", "\\sum with a range that cannot be told (i from 1 to i)"),  # the index itself
    ("n = 3", r"\sum_{i=1}^{n+1} i", "\\sum with a range that cannot be told (i from 1 to n + 1)"),  # no formula
    ("$E = 3$", r"\sum_{i=1}^{E} i",
     "\\sum with a range that cannot be told (i from 1 to E: E is the quantity E of this problem, not a number of "
     "terms)"),
])
def test_a_stated_bound_that_cannot_be_used_says_why(classic, text, latex, reason):
    with pytest.raises(NotEvaluable) as info:
        value(ranges(classic, text), latex)
    assert info.value.reason == reason


def test_a_letter_the_problem_names_is_no_bound():
    """In power_221 the resolver reads ``b`` as the bias b: ``b = 2`` is a given value there, not a number of
    terms."""
    key = solve(load_problem("problems/power_221.yaml"))
    assert default_resolver(key.problem)("b") == "b"
    with pytest.raises(NotEvaluable) as info:
        value(ranges(key, "$b = 2$"), r"\sum_{i=1}^{b} i")
    assert "b is the quantity b of this problem, not a number of terms" in info.value.reason


def test_the_problem_and_the_write_up_must_agree_on_a_range(classic):
    body = r"\sum_{k=1}^{N} (t_k - o_k)"  # t_k, o_k: the two outputs of the network
    assert value(ranges(classic, "nothing"), body.replace("(t_k - o_k)", "1") .replace("^{N}", "^{3}")) == 3
    with pytest.raises(NotEvaluable) as info:
        ranges(classic, "$N = 3$").expand(read_math(body))
    assert info.value.reason == ("\\sum with a range that cannot be told (k from 1 to N: the write-up gives N = 3, "
                                 "but t_k, o_k run over 2 units of the network)")
    agreed = ranges(classic, "$N = 2$")
    agreed.expand(read_math(body))
    assert agreed.used == {"N": 2}
    undecided = ranges(classic, "$N = 2$ or $N = 3$")  # the problem tells it alone, as without any statement
    undecided.expand(read_math(body))
    assert undecided.used == {}


# ---------------------------------------------------------------------------------------------------- write-ups


def writeup(lines: list[str]) -> str:
    """Each entry a paragraph: math in ``$$`` when it starts with ``$$`` already or has no prose."""
    return "# Sums\n\n" + "\n\n".join(lines) + "\n"


def grade(tmp_path, capsys, text: str, name: str = "sums.md"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert main([str(path), "--problem", "classic_222", "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


NET_H1 = r"$$net_{h1} = \sum_{i=1}^{n} w_i i_i + b_1 = 0.15 \cdot 0.05 + 0.20 \cdot 0.10 + 0.35 = 0.3775$$"


def test_a_sum_to_n_with_n_stated_is_read_and_graded(tmp_path, capsys):
    truth = oracle(**CLASSIC)
    assert 0.15 * 0.05 + 0.20 * 0.10 + 0.35 == pytest.approx(0.3775, abs=1e-15)  # what the student's numbers give
    result = grade(tmp_path, capsys, writeup(["The hidden layer, with $n = 2$ inputs:", NET_H1]))
    field = result["fields"]["net_h1"]
    assert field["verdict"] == "correct" and close(field["given"], truth["net_h1"], 1e-12)
    assert result["flags"] == [] and result["unattributed"] == []  # n = 2 was read: not listed as unattributed


def test_a_wrong_sum_to_n_stated_after_it_is_a_wrong_formula(tmp_path, capsys):
    """The student sums the wrong weights, w3 and w4 (the weights into h2), and says what n is after the formula.
    Without reading n the formula could not be checked (it would be listed as not read)."""
    text = writeup([r"$$net_{h1} = \sum_{i=1}^{n} w_{i+2} \, i_i + b_1$$", "where $n = 2$ is the number of inputs."])
    result = grade(tmp_path, capsys, text)
    [flag] = result["flags"]
    assert flag["kind"] == "wrong_formula" and flag["quantity"] == "net_h1"
    assert "w_3 (w3, the weight from i1 to h2) does not belong" in flag["message"]
    assert "w_4 (w4, the weight from i2 to h2) does not belong" in flag["message"]
    assert "leaves out w1, w2" in flag["message"]
    assert result["unattributed"] == []


@pytest.mark.parametrize("extra, reason", [
    (["with n = 2 inputs", "(and n = 3 in the other layer)"],
     "n is given different values in the write-up (2 on line 5, 3 on line 7)"),
    ([], "n is given no value in the write-up"),
    (["$$n = 10^{9}$$"], "n is written as 10^{9} on line 5, not as a whole number"),
])
def test_a_sum_to_n_is_listed_not_read_when_n_is_not_one_whole_number(tmp_path, capsys, extra, reason):
    text = writeup([r"$$net_{h1} = \sum_{i=1}^{n} w_{i+2} \, i_i + b_1$$"] + extra)
    result = grade(tmp_path, capsys, text)
    assert result["fields"]["net_h1"]["verdict"] == "missing" and result["flags"] == []
    listed = [(u["where"], u["reason"]) for u in result["unattributed"]]
    assert ("line 3", f"could not be read: \\sum with a range that cannot be told (i from 1 to n: {reason})") in listed


def test_an_error_summed_to_N_stated_as_the_number_of_outputs(tmp_path, capsys):
    truth = oracle(**CLASSIC)
    o1, o2 = (f"{float(truth[q]):.12f}" for q in ("o1", "o2"))
    e = 0.5 * (0.01 - float(o1)) ** 2 + 0.5 * (0.99 - float(o2)) ** 2  # the student's own numbers
    chain = (rf"$$E_{{total}} = \sum_{{k=1}}^{{N}} \tfrac12 (t_k - o_k)^2 = \tfrac12 (0.01 - {o1})^2"
             rf" + \tfrac12 (0.99 - {o2})^2 = {e:.12f}$$")
    result = grade(tmp_path, capsys, writeup([chain, "where $N=2$ is the number of outputs."]))
    assert result["fields"]["E"]["verdict"] == "correct" and close(result["fields"]["E"]["given"], truth["E"], 1e-9)
    assert result["unattributed"] == [] and result["flags"] == []
    # N = 3 outputs, where the network has 2: the formula is not read (its numbers still are), so the chain is listed
    # as read only in part, and N = 3 stays listed
    wrong = grade(tmp_path, capsys, writeup([chain, "where $N=3$ is the number of outputs."]), "wrong.md")
    assert wrong["fields"]["E"]["verdict"] == "correct"
    assert [(u["where"], u["reason"]) for u in wrong["unattributed"]] == [
        ("line 3", "read only in part: a step could not be read (\\sum with a range that cannot be told (k from 1 to N:"
                   " the write-up gives N = 3, but t_k, o_k run over 2 units of the network)); its last number was taken"),
        ("line 5", "N is not a quantity of this problem")]
    formula_only = grade(tmp_path, capsys, writeup([r"$$E = \sum_{k=1}^{N} \tfrac12 (t_k - o_k)^2$$", "$N = 3$"]),
                         "formula.md")
    assert ("line 3", "could not be read: \\sum with a range that cannot be told (k from 1 to N: the write-up gives "
                      "N = 3, but t_k, o_k run over 2 units of the network)") in [
        (u["where"], u["reason"]) for u in formula_only["unattributed"]]


def test_a_notebook_states_n_in_another_cell(classic):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": ["We have $n = 2$ inputs.\n"]},
             {"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [], "source": ["n = 7\n"]},
             {"cell_type": "markdown", "metadata": {},
              "source": ["$$net_{h1} = \\sum_{i=1}^{n} w_{i+2} i_i + b_1$$\n"]},
             {"cell_type": "markdown", "metadata": {}, "source": ["and $n = 3$ later\n"]}]
    nb = {"cells": cells[:3], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    sub = writeup_submission(json.dumps(nb), "ipynb", "hw.ipynb", classic, "classic_222")
    [note] = sub.writeup.formulas  # read with n = 2 (the code cell's n = 7 is code): w3, w4 do not belong
    assert note.quantity == "net_h1" and note.differs and [u for u, _ in note.extra] == ["w_3", "w_4"]
    assert sub.writeup.unattributed == ()
    nb["cells"] = cells
    sub = writeup_submission(json.dumps(nb), "ipynb", "hw.ipynb", classic, "classic_222")
    assert sub.writeup.formulas == ()
    [reason] = [u.reason for u in sub.writeup.unattributed if "\\sum" in u.reason]
    assert reason.endswith("(i from 1 to n: n is given different values in the write-up (2 on cell 1, line 1, 3 on "
                           "cell 4, line 1))")
