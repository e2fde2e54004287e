"""``\\sum`` in write-ups (issue 13: "``\\sum`` over named terms where it can be read"): written out as its terms and
evaluated where its range can be told (numbers as bounds, or the problem's outputs/layers), never a wrong value where
it cannot (listed as not read). Expected values are computed here with plain Python arithmetic and mpmath from the
textbook formulas, never from the grader's key."""

from __future__ import annotations

import json
from fractions import Fraction

import mpmath
import pytest

from grader.cli import main
from grader.parse.latex import (
    MAX_LATEX_TOKENS, MAX_SUM_TERMS, Name, NotEvaluable, Sum, Unreadable, evaluate, expand_sums, free_names, read_math,
    to_text,
)
from grader.solve.solver import solve
from grader.spec.load import load_problem
from grader.submission.sums import MAX_INDEXED_NAMES, MAX_SUM_NODES, SumRanges
from grader.submission.writeup import MAX_FORMULAS, default_resolver, writeup_submission

from test_writeup import CLASSIC, close, oracle


def tree(text: str):
    t = read_math(text)
    assert not isinstance(t, Unreadable), t
    return t


# ---------------------------------------------------------------------------------------------------- the grammar


@pytest.mark.parametrize("text, expected", [
    (r"\sum_{i=1}^{4} i^2", sum(Fraction(i * i) for i in range(1, 5))),
    (r"\sum_{k=1}^{3} \frac{1}{k}", sum(Fraction(1, k) for k in range(1, 4))),
    (r"\sum_{i=0}^{3} 2^{i}", sum(Fraction(2**i) for i in range(4))),
    (r"\sum (0.1 + 0.2)", Fraction(1, 10) + Fraction(2, 10)),  # explicit terms after an index-less \sum
    (r"\sum_{i=1}^{2} \sum_{j=1}^{3} i \cdot j", sum(Fraction(i * j) for i in (1, 2) for j in (1, 2, 3))),
    (r"\sum_{i=1}^{3} \sum_{i=1}^{2} i", 3 * sum(Fraction(i) for i in (1, 2))),  # the inner sum binds i anew
    (r"1 + \sum_{i=1}^{2} 0.5 \cdot 3", 1 + 2 * Fraction(3, 2)),  # the body is one term
    (r"\sum_{i=1}^{100} i", Fraction(100 * 101 // 2)),  # the cap itself is allowed
    ("\u2211_{i=1}^{3} i", Fraction(6)),  # the Unicode sign
])
def test_sums_with_numeric_bounds_evaluate(text, expected):
    assert evaluate(tree(text)) == expected


def test_sum_over_subscripted_names_is_written_out_and_evaluates_from_names():
    t = tree(r"\sum_{i=1}^{2} w_i x_i")
    assert [n.text for n in free_names(t)] == ["w_{i}", "x_{i}"]  # the index itself is bound by the sum
    expanded = expand_sums(t)
    assert [n.text for n in free_names(expanded)] == ["w_{1}", "x_{1}", "w_{2}", "x_{2}"]
    w, x = [Fraction(3, 10), Fraction(-2)], [Fraction(5), Fraction(1, 4)]
    env = {"w_{1}": w[0], "w_{2}": w[1], "x_{1}": x[0], "x_{2}": x[1]}
    assert evaluate(t, env) == w[0] * x[0] + w[1] * x[1]


def test_index_in_compound_subscripts_and_subscript_arithmetic():
    expanded = expand_sums(tree(r"\sum_{j=1}^{2} w_{j+4} \, out_{h_j} + \delta_{o_j} \frac{\partial E}{\partial w_j}"))
    assert [n.text for n in free_names(expanded)] == [
        "w_{5}", "out_{h_1}", "w_{6}", "out_{h_2}", r"\delta_{o_j}", r"\frac{\partial E}{\partial w_{j}}"]
    # only the first term is inside the sum; a letter inside a word or next to a digit is no index
    assert [n.text for n in free_names(expand_sums(tree(r"\sum_{i=1}^{2} w_{1i} x_{ij} \eta_i")))] == [
        "w_{1i}", "x_{ij}", r"\eta_{1}", r"\eta_{2}"]


@pytest.mark.parametrize("sub, names", [
    ("2i-1", ["w_{1}", "w_{3}", "w_{5}"]),  # a multiple of the index and a number
    ("2i+1", ["w_{3}", "w_{5}", "w_{7}"]),
    ("-1+2i", ["w_{1}", "w_{3}", "w_{5}"]),
    ("3i-2", ["w_{1}", "w_{4}", "w_{7}"]),
    ("4-i", ["w_{3}", "w_{2}", "w_{1}"]),
    ("i+4", ["w_{5}", "w_{6}", "w_{7}"]),  # as before
    ("2i", ["w_{2i}"]),  # no sign: two indices (from unit 2 to unit i), no product
    ("2i-j", ["w_{2i-j}"]),  # another letter: not a number of the sum
])
def test_a_subscript_with_a_multiple_of_the_index(sub, names):
    expanded = expand_sums(tree(rf"\sum_{{i=1}}^{{3}} w_{{{sub}}}"))
    assert [n.text for n in free_names(expanded)] == names


@pytest.mark.parametrize("text, reason", [
    (r"\sum_{i=1}^{N} (y_i - \hat{y}_i)^2", r"\sum with a range that cannot be told (i from 1 to N)"),
    (r"\sum_k (t_k - o_k)^2", r"\sum with a range that cannot be told (k from 1 to ?)"),
    (r"\sum \frac{1}{2}(t - o)^2", r"\sum with named terms but no index (over what?)"),
    (r"\sum_{i=1}^{2.5} i", r"\sum with an upper bound that is not a whole number (2.5)"),
    (r"\sum_{i=0.5}^{2} i", r"\sum with a lower bound that is not a whole number (0.5)"),
    (r"\sum_{i=3}^{1} i", r"\sum with no terms (i from 3 to 1)"),
    (r"\sum_{i=1}^{101} i", rf"\sum with too many terms (101; at most {MAX_SUM_TERMS})"),
    (r"\sum_{i=1}^{10^{9}} i", rf"\sum with too many terms (1000000000; at most {MAX_SUM_TERMS})"),
    (r"\sum_{i=1}^{90} (i+i+i+i+i+i+i+i+i+i+i+i)", rf"\sum with too many parts once written out (more than {MAX_LATEX_TOKENS})"),
    (r"\sum_{i=1}^{30} \sum_{j=1}^{30} i \cdot j", rf"\sum with too many parts once written out (more than {MAX_LATEX_TOKENS})"),
])
def test_sums_that_cannot_be_read_say_why(text, reason):
    t = tree(text)
    with pytest.raises(NotEvaluable) as info:
        evaluate(t)
    assert info.value.reason == reason


def test_the_upper_bound_callback_is_asked_only_for_a_range_not_written_as_numbers():
    asked = []

    def upper(index, lower, body, bound):
        asked.append((index, lower, to_text(body), bound))
        return 3

    assert evaluate(expand_sums(tree(r"\sum_{k=2}^{n} k"), upper)) == 2 + 3
    assert evaluate(expand_sums(tree(r"\sum_{k=1}^{2} k"), upper)) == 3
    assert evaluate(expand_sums(tree(r"\sum_k k"), upper)) == 1 + 2 + 3
    assert asked == [("k", 2, "k", Name("n", "n")), ("k", 1, "k", None)]  # the bound as written, or None


# ---------------------------------------------------------------------------------------------------- ranges from the problem


@pytest.fixture(scope="module")
def classic():
    return solve(load_problem("problems/classic_222.yaml"))


def ranges(key):
    resolve = default_resolver(key.problem)
    return SumRanges(key.problem.network, lambda name: resolve(name.text))


@pytest.mark.parametrize("body, index, expected", [
    (r"(t_k - o_k)^2", "k", 2),  # the outputs and their targets
    (r"\delta_{o_k} h_k", "k", 2),  # output deltas and hidden outputs: two whole layers of two
    (r"E_{o_k}", "k", 2),
    (r"out_{h_j}", "j", 2),
    (r"i_j", "j", 2),  # the inputs
    (r"(t_k - o_k) w_k", "k", None),  # w_k names w1..w8: weights are no layer, and t_3 does not exist
    (r"w_k", "k", None),
    (r"(t_k - y_k)^2", "k", None),  # y_k is nothing of this problem
    (r"k", "k", None),  # the index names nothing
])
def test_range_told_from_the_problem(classic, body, index, expected):
    assert ranges(classic).upper(index, 1, tree(body)) == expected


def test_a_range_from_the_problem_starts_at_one(classic):
    assert ranges(classic).upper("k", 0, tree(r"(t_k - o_k)^2")) is None


def test_a_range_is_told_for_at_most_so_many_names(classic):
    letters = "abcdfgjlmnpqrsuvxyz"  # names a_k, b_k, ...: each made to name the outputs o1, o2 below
    assert len(letters) > MAX_INDEXED_NAMES

    def quantity(name):
        return {"1": "o1", "2": "o2"}.get(name.sub) if name.base in letters else None

    sums = SumRanges(classic.problem.network, quantity)
    body = " + ".join(f"{c}_k" for c in letters[:MAX_INDEXED_NAMES])
    assert sums.upper("k", 1, tree(body)) == 2
    assert sums.upper("k", 1, tree(body + f" + {letters[MAX_INDEXED_NAMES]}_k")) is None


# ---------------------------------------------------------------------------------------------------- write-ups


def _truth():
    return oracle(**CLASSIC)


def writeup(lines: list[str]) -> str:
    return "# Sums\n\n" + "\n\n".join(f"$${line}$$" for line in lines) + "\n"


def grade(tmp_path, capsys, text: str):
    path = tmp_path / "sums.md"
    path.write_text(text, encoding="utf-8")
    assert main([str(path), "--problem", "classic_222", "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_writeup_with_sums_for_E_total_and_net_o1_is_graded_correctly(tmp_path, capsys):
    v = _truth()
    o1, o2, h1, h2 = (mpmath.nstr(v[q], 12) for q in ("o1", "o2", "h1", "h2"))
    e = mpmath.nstr(v["E"], 12)
    net_o1 = mpmath.nstr(v["net_o1"], 12)
    text = writeup([
        rf"net_{{o1}} = \sum_{{j=1}}^{{2}} w_{{j+4}} \, out_{{h_j}} + b_2 = 0.4 \cdot {h1} + 0.45 \cdot {h2} + 0.6"
        rf" = {net_o1}",
        rf"E_{{total}} = \sum_{{k}} \tfrac12 (t_k - o_k)^2 = \tfrac12 (0.01 - {o1})^2 + \tfrac12 (0.99 - {o2})^2 = {e}",
    ])
    result = grade(tmp_path, capsys, text)
    fields = result["fields"]
    assert fields["net_o1"]["verdict"] == "correct" and close(fields["net_o1"]["given"], v["net_o1"], 1e-9)
    assert fields["E"]["verdict"] == "correct" and close(fields["E"]["given"], v["E"], 1e-9)
    assert result["flags"] == [] and result["unattributed"] == []  # the written-out formulas are the network's


def test_values_used_in_a_sum_are_read_from_the_students_own_formula(classic):
    v = _truth()
    o1, o2 = (mpmath.nstr(v[q], 12) for q in ("o1", "o2"))
    text = writeup([rf"E = \sum_{{k=1}}^{{n}} \tfrac12 (t_k - o_k)^2 = \tfrac12 (0.01 - {o1})^2 + \tfrac12 (0.99 - {o2})^2"
                    r" = 0.35"])
    sub = writeup_submission(text, "md", "sums.md", classic, "classic_222")
    using = {q: float(u.parsed.value) for q, u in sub.answers["E"].using.items()}
    assert set(using) == {"t1", "o1", "t2", "o2"}
    assert close(using["o1"], v["o1"], 1e-9) and close(using["o2"], v["o2"], 1e-9)
    assert using["t1"] == 0.01 and using["t2"] == 0.99
    slip, = sub.writeup.slips["E"]  # the expression does not give the 0.35 written after it
    expected = 0.5 * (0.01 - float(o1)) ** 2 + 0.5 * (0.99 - float(o2)) ** 2
    assert close(slip.value, expected, 1e-9) and slip.written == "0.35"


def test_a_sum_of_explicit_terms_is_evaluated_and_its_slip_located(tmp_path, capsys):
    v = _truth()
    e_o1, e_o2 = (mpmath.nstr(v[q], 9) for q in ("E_o1", "E_o2"))
    text = writeup([rf"E_{{o1}} = {e_o1}", r"E_{o2} = 0.032560026", rf"E_{{total}} = \sum ({e_o1} + {e_o2}) = 0.307371109"])
    result = grade(tmp_path, capsys, text)
    right = float(e_o1) + float(e_o2)  # what the student's own sum equals
    assert f"Your expression {e_o1} + {e_o2} equals {right:.6g}, not 0.307371109: the slip is in line 7." in (
        result["fields"]["E"]["message"])
    # the terms of the sum are the values used: E_o2 = 0.0235… there, 0.03256 on line 5
    [flag] = result["flags"]
    assert flag["kind"] == "inconsistent" and flag["quantity"] == "E_o2"
    assert flag["values"] == [0.032560026, float(e_o2)]


def test_a_sum_with_the_wrong_weights_is_a_wrong_formula(tmp_path, capsys):
    result = grade(tmp_path, capsys, writeup([r"net_{o1} = \sum_{j=1}^{2} w_{j+6} \, out_{h_j} + b_2"]))
    [flag] = result["flags"]
    assert flag["kind"] == "wrong_formula" and flag["quantity"] == "net_o1"
    assert "w_7 (w7, the weight from h1 to o2) does not belong" in flag["message"]
    assert "leaves out w5, w6" in flag["message"]


def test_a_sum_over_every_other_weight_is_read_and_its_wrong_weights_named(tmp_path, capsys):
    """net_h1 summed over w_{2i-1} i_i is w1 i1 + w3 i2: w3 is the weight from i1 to h2 (the classic numbering)."""
    result = grade(tmp_path, capsys, writeup([r"net_{h1} = \sum_{i=1}^{2} w_{2i-1} \, i_i + b_1"]))
    [flag] = result["flags"]
    assert flag["kind"] == "wrong_formula" and flag["quantity"] == "net_h1"
    assert "w_3 (w3, the weight from i1 to h2) does not belong" in flag["message"]
    assert "leaves out w2" in flag["message"]


def test_sums_that_cannot_be_read_are_listed_not_valued(tmp_path, capsys):
    text = writeup([
        r"E = \sum_{k=1}^{n} (t_k - y_k)^2",  # y_k is nothing of this problem
        r"\delta_{o2} = \sum_{k} (t_k - o_k) w_k",  # the range is not one layer
        r"h_1 = \sum_{i=1}^{101} i",  # over the cap
        r"E_{o1} = \tfrac12 \sum (t - o)^2",  # no index
    ])
    result = grade(tmp_path, capsys, text)
    for q in ("E", "delta_o2", "h1", "E_o1"):
        assert result["fields"][q]["verdict"] == "missing", q
    assert [(u["where"], u["reason"]) for u in result["unattributed"]] == [
        ("line 3", r"could not be read: \sum with a range that cannot be told (k from 1 to n: n is given no value in "
                   "the write-up)"),
        ("line 5", r"could not be read: \sum with a range that cannot be told (k from 1 to ?)"),
        ("line 7", rf"could not be read: \sum with too many terms (101; at most {MAX_SUM_TERMS})"),
        ("line 9", r"could not be read: \sum with named terms but no index (over what?)"),
    ]
    assert result["flags"] == []


def test_sum_tree_keeps_its_parts():
    t = tree(r"\sum_{i=1}^{N} (y_i - \hat{y}_i)^2")
    assert isinstance(t, Sum) and t.index == "i" and t.upper == Name("N", "N")


def test_the_sums_of_one_writeup_are_written_out_within_a_budget(classic):
    """A line of 30 characters can stand for 100 terms: past ``MAX_SUM_NODES`` parts written out in one write-up, a
    sum is listed as not read instead (bounded work for a write-up made of such lines)."""
    rows = [rf"h_1 = \sum_{{i=1}}^{{100}} {n} \cdot i" for n in range(1, 101)]
    sub = writeup_submission(writeup(rows), "md", "sums.md", classic, "classic_222")
    assert sub.answers["h1"].value.parsed.exact == sum(range(1, 101))  # row 1, 1·1 + 1·2 + … + 1·100
    per_row = 1 + 100 * 3  # the sum of 100 products n·i: one Add, 100 Mul, 200 numbers
    first = MAX_SUM_NODES // per_row + 1  # the first row past the budget
    listed = [(u.line, u.reason) for u in sub.writeup.unattributed]
    assert listed[0] == (2 * first + 1, rf"could not be read: \sum with too many terms in this write-up (more than "
                                        f"{MAX_SUM_NODES:,} parts written out in all)")
    assert len(listed) == len(rows) - first + 1
    assert len(sub.stated) == first - 2  # rows 2 .. first-1: h1 written again, each read


def test_only_so_many_different_formulas_of_one_quantity_are_checked(tmp_path, capsys):
    rows = [rf"net_{{h1}} = w_3 i_1 + w_2 i_2 + b_1 + {k} - {k}" for k in range(MAX_FORMULAS + 3)]
    result = grade(tmp_path, capsys, writeup(rows))
    flags = [f for f in result["flags"] if f["kind"] == "wrong_formula"]
    assert len(flags) == MAX_FORMULAS and {f["quantity"] for f in flags} == {"net_h1"}
    assert all("w_3 (w3, the weight from i1 to h2) does not belong" in f["message"] for f in flags)


# ---------------------------------------------------------------------------------------------------- index lists


@pytest.mark.parametrize("text, expected", [
    (r"\sum_{i=1,2} i^2", Fraction(1 + 4)),
    (r"\sum_{k=2,3,4} \frac{1}{k}", sum(Fraction(1, k) for k in (2, 3, 4))),
    (r"\sum_{j=0,1} 2^{j}", Fraction(1 + 2)),
])
def test_a_sum_over_a_list_of_consecutive_indices_is_that_range(text, expected):
    assert evaluate(tree(text)) == expected


@pytest.mark.parametrize("text, reason", [
    (r"\sum_{i=1,3} i", "not whole numbers in steps of one"),  # a set, not a range: never read as 1..3
    (r"\sum_{i=2,1} i", "not whole numbers in steps of one"),
    (r"\sum_{i=1,2}^{3} i", "a list of indices and an upper bound too"),
    (r"\sum_{i=a,b} w_i", "not a list of whole numbers"),
    (r"\sum_{i=0.5,1.5} i", "not whole numbers in steps of one"),
])
def test_other_lists_of_indices_are_refused_with_a_reason(text, reason):
    t = read_math(text)
    assert isinstance(t, Unreadable) and reason in t.reason


def test_a_writeup_summing_over_the_listed_outputs_is_graded(tmp_path, capsys):
    """``E = \\sum_{k=1,2} ½ (t_k - o_k)^2`` (the outputs listed, not a range): E from the textbook formulas."""
    v = _truth()
    o1, o2 = (mpmath.nstr(v[q], 12) for q in ("o1", "o2"))
    e = mpmath.nstr(v["E"], 12)
    text = writeup([rf"E_{{total}} = \sum_{{k=1,2}} \tfrac12 (t_k - o_k)^2 = \tfrac12 (0.01 - {o1})^2"
                    rf" + \tfrac12 (0.99 - {o2})^2 = {e}"])
    result = grade(tmp_path, capsys, text)
    assert result["fields"]["E"]["verdict"] == "correct" and close(result["fields"]["E"]["given"], v["E"], 1e-9)
    assert result["flags"] == [] and result["unattributed"] == []
