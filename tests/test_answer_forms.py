"""Numbers as written (issue 11 item 3) and hostile numbers (issue 10): the answer reader reads the LaTeX and
math-mode forms students copy from their write-ups, refuses a lost '^' instead of subtracting, and refuses numbers
that underflow and are then raised to a negative power with a reason, never an internal error.

Expected values are computed here with mpmath from the textbook formulas, not by the reader."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.parse.answer import MAX_LENGTH, Parsed, Unparseable, parse_answer, parse_exact

SIG = lambda x: 1 / (1 + mpmath.exp(-x))  # noqa: E731


@pytest.mark.parametrize("text, expected", [
    ("\\frac{1}{1+e^{-0.3}}", SIG(mpmath.mpf("0.3"))),
    ("\\dfrac{3}{4}", Fraction(3, 4)),
    ("\\tfrac{1}{8}", Fraction(1, 8)),
    ("5.2 \\times 10^{-3}", Fraction(52, 10000)),
    ("5.2\\cdot10^{-3}", Fraction(52, 10000)),
    ("10^{-2}", Fraction(1, 100)),
    ("e^{-0.3}", mpmath.exp(mpmath.mpf("-0.3"))),
    ("\\exp(-0.3)", mpmath.exp(mpmath.mpf("-0.3"))),
    ("\\exp\\left(-0.3\\right)", mpmath.exp(mpmath.mpf("-0.3"))),
    ("\\sigma(0.3)", SIG(mpmath.mpf("0.3"))),
    ("\\sigma\\left(0.3\\right)", SIG(mpmath.mpf("0.3"))),
    ("σ(0.3)", SIG(mpmath.mpf("0.3"))),
    ("\\ln(2)", mpmath.log(2)),
    ("\\ln{2}", mpmath.log(2)),
    ("\\sqrt{4}", Fraction(2)),
    ("\\left( 1 + 2 \\right) \\cdot 0.5", Fraction(3, 2)),
    ("0.5\\,\\cdot\\,\\frac{1}{2}", Fraction(1, 4)),
    ("$0.57$", Fraction(57, 100)),
    ("$$0.57$$", Fraction(57, 100)),
    ("\\(0.57\\)", Fraction(57, 100)),
    ("\\[0.57\\]", Fraction(57, 100)),
    ("$\\frac{1}{4}$", Fraction(1, 4)),
    ("≈ 0.59", Fraction(59, 100)),
    ("~0.59", Fraction(59, 100)),
    ("\\approx 0.59", Fraction(59, 100)),
    ("$\\approx 0.59$", Fraction(59, 100)),
    ("≈ $0.59$", Fraction(59, 100)),
    ("$1e-3$", Fraction(1, 1000)),  # answer semantics: 1e-3 is a thousandth, not 1*e - 3
    ("-\\frac{1}{2}", Fraction(-1, 2)),
    ("\\frac{-0.3}{2}", Fraction(-3, 20)),
    ("\\mathrm{e}^{2}", mpmath.e ** 2),
    ("0.74 \\times 10^{0}", Fraction(74, 100)),
])
def test_latex_and_math_mode_forms(text, expected):
    got = parse_answer(text)
    assert isinstance(got, Parsed), got
    if isinstance(expected, Fraction):
        assert got.exact == expected
    else:
        assert abs(got.value - float(expected)) <= 1e-15 * max(1.0, abs(float(expected)))
    assert got.text == text  # the report shows what was written


@pytest.mark.parametrize("text, words", [
    ("\\frac12", ["braces"]),
    ("\\frac{1}", ["two parts"]),
    ("\\frac{1}{2", ["never closed"]),
    ("\\pi", ["\\pi", "not accepted"]),
    ("\\delta_{o1}", ["\\delta", "not accepted"]),
    ("1\\,000", ["operator", "1 000"]),  # spacing is a space, not a thousands separator
    ("\\frac{1}{0}", ["division by zero"]),
    ("2(3)", ["unexpected"]),  # no juxtaposition in answers
    ("$x = 0.5$", ["'='", "0.5"]),
])
def test_latex_refusals_say_why(text, words):
    got = parse_answer(text)
    assert isinstance(got, Unparseable), got
    for w in words:
        assert w in got.reason, got.reason
    assert not got.reason.startswith("internal")


@pytest.mark.parametrize("text", ["5.2817 x 10-1", "5.2817*10-1", "5.2817 × 10−1", "-5.2817 x 10-1", "5.2817 X 10-1",
                                  "5.2817·10-3", "2*10-1", "5.2817 \\times 10-1", "$5.2817 \\cdot 10-1$",
                                  "5.2817 x 10+2"])
def test_a_lost_caret_is_refused_never_subtracted(text):
    got = parse_answer(text)
    assert isinstance(got, Unparseable), got
    assert "write 10^-" in got.reason or "write 10^2" in got.reason
    assert "'^' lost" in got.reason


@pytest.mark.parametrize("text, value", [("(5.2817*10)-1", Fraction(51817, 1000)), ("10-1", Fraction(9)),
                                         ("5.2817*10^-1", Fraction(52817, 100000)), ("5.2817e-1", Fraction(52817, 100000)),
                                         ("5.2817 x 10^-1", Fraction(52817, 100000)), ("2*10 - 1.5", Fraction(37, 2)),
                                         ("2*100-1", Fraction(199))])
def test_what_is_not_a_lost_caret_still_reads(text, value):
    got = parse_answer(text)
    assert isinstance(got, Parsed) and got.exact == value, got


@pytest.mark.parametrize("text, words", [
    ("1e-1000^-10", ["below the float range", "beyond the float range"]),
    ("1e-400^-0.5", ["below the float range", "about 1e200"]),
    ("1e-400^-1000", ["beyond the float range"]),
    ("(1e-400)^(-0.25)", ["about 1e100"]),
    ("e/1e-400", ["too small"]),
    ("exp(1)/1e-400", ["too small"]),
    ("(-1e-400)^-2", ["not a finite number"]),
])
def test_hostile_numbers_are_refused_with_a_reason(text, words):
    got = parse_answer(text)
    assert isinstance(got, Unparseable), got
    assert not got.reason.startswith("internal"), got.reason
    for w in words:
        assert w in got.reason, got.reason


def test_tiny_numbers_that_stay_exact_still_read():
    assert parse_answer("1e-400*1e200*1e200").exact == 1
    assert parse_answer("(1e-400)^2").value == 0.0


def test_exact_values_in_specs_may_be_latex_fractions():
    assert parse_exact("\\frac{7}{20}") == Fraction(7, 20)
    assert isinstance(parse_exact("e^{1}"), Unparseable)


_ATOMS = st.sampled_from(["1e-400", "1e-1000", "1e400", "1e-308", "1e308", "0", "-0", "2", "0.5", "e", "10", "-1",
                          "1e-320", "9.99e307"])
_OPS = st.sampled_from(["^", "^-", "*", "/", "+", "-", "**", "^-0."])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_ATOMS, _OPS), min_size=1, max_size=6), _ATOMS,
       st.sampled_from(["{}", "({})", "exp({})", "ln({})", "sqrt({})", "sigmoid({})", "tanh({})", "\\frac{{1}}{{{}}}",
                        "e^{{{}}}", "10^{{{}}}"]))
def test_property_extreme_numbers_never_give_an_internal_error(pairs, last, wrap):
    text = wrap.format("".join(a + op for a, op in pairs) + last)
    if len(text) > MAX_LENGTH:
        return
    got = parse_answer(text)
    if isinstance(got, Unparseable):
        assert not got.reason.startswith("internal"), (text, got.reason)
    else:
        assert got.value == got.value and abs(got.value) < float("inf")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="\\{}$^_0123456789.e-+*/()fracdtimesxp ≈~,", max_size=60))
def test_property_latexish_text_never_gives_an_internal_error(text):
    got = parse_answer(text)
    assert isinstance(got, (Parsed, Unparseable))
    if isinstance(got, Unparseable):
        assert not got.reason.startswith("internal"), (text, got.reason)


# ---------------------------------------------------------------------------------------------------------------
# every report says how an answer was read when it is not a plain decimal

READ = ('problem: classic_222\nanswers:\n  h1: "1/(1+exp(-0.3775))"\n  o1: "\\\\frac{1}{1+e^{-1.105905967}}"\n'
        '  h2: 0.5968843783\n  o2: "$0.7729284653$"\n')


def _graded(text: str):
    from grader.grade.pipeline import Grader
    from grader.yamlio import load_yaml_text

    return Grader().grade_document(load_yaml_text(text, source="<t>"))


def test_read_as_is_in_the_result_and_every_format():
    from grader.report import render

    r = _graded(READ)
    # sigma(0.3775) and sigma(1.105905967), computed here with mpmath
    assert r.field("h1").read_as == f"{float(SIG(mpmath.mpf('0.3775'))):.6g}" == "0.59327"
    assert r.field("o1").read_as == f"{float(SIG(mpmath.mpf('1.105905967'))):.6g}"
    assert r.field("o2").read_as == "0.772928"
    assert r.field("h2").read_as is None  # a plain decimal needs no reading
    assert r.to_dict()["fields"]["h1"]["read_as"] == "0.59327" and r.to_dict()["fields"]["h2"]["read_as"] is None
    for fmt in ("text", "markdown", "html"):
        out = render(r, fmt)
        assert "read as" in out and "0.59327" in out and "0.751365" in out, fmt
        assert out.count("read as") == 3, fmt


def test_a_lost_caret_in_a_submission_is_unparseable_with_the_reason():
    r = _graded('problem: classic_222\nanswers:\n  o1: "7.513650696 x 10-1"\n')
    f = r.field("o1")
    assert f.verdict == "unparseable" and "10^-1" in f.message and f.points == 0


@pytest.mark.parametrize("text, words", [
    ("problem: classic_222\nanswers:\n  h1: - 0.45\n", ["space", "-0.45"]),
    ("problem: classic_222\nanswers:\n  h1:\n    - 0.45\n", ["space", "-0.45", "list"]),
])
def test_a_minus_with_a_space_in_yaml_gets_a_hint(text, words):
    from grader.errors import GraderError
    from grader.yamlio import load_yaml_text

    with pytest.raises(GraderError) as exc:
        from grader.submission.load import submission_from_document

        submission_from_document(load_yaml_text(text, source="s.yaml"))
    e = exc.value
    assert e.line == 3
    for w in words:
        assert w in (e.message + " " + (e.hint or "")), (e.message, e.hint)


def test_a_quoted_minus_with_a_space_reads_as_the_negative_number():
    r = _graded('problem: classic_222\nanswers:\n  h1: "- 0.45"\n')
    assert r.field("h1").given == -0.45 and r.field("h1").read_as == "-0.45"
