"""Tests for the safe student-answer reader ``grader.parse.answer``."""

from __future__ import annotations

import ast
import builtins
import io
import math
import tokenize
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

try:
    import sympy
    import sympy.parsing.sympy_parser as sympy_parser
except ImportError:  # pragma: no cover - sympy is a dependency of the project
    sympy = None

from grader.parse import answer as answer_module
from grader.parse.answer import MAX_EXACT_DIGITS, MAX_LENGTH, Parsed, Unparseable, parse_answer, parse_exact


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


# ---------------------------------------------------------------------------------------------------- accepted

EXACT_CASES = [
    ("0.25", Fraction(1, 4)),
    ("  0.25  ", Fraction(1, 4)),
    ("42", Fraction(42)),
    ("-0.000269051", Fraction(-269051, 10**9)),
    (".5", Fraction(1, 2)),
    ("5.", Fraction(5)),
    ("-0", Fraction(0)),
    ("+7", Fraction(7)),
    ("1.2e-5", Fraction(12, 10**6)),
    ("1.2E+5", Fraction(120000)),
    ("1e3", Fraction(1000)),
    ("1.2×10^-5", Fraction(12, 10**6)),
    ("1.2x10^-5", Fraction(12, 10**6)),
    ("1.2 X 10^-5", Fraction(12, 10**6)),
    ("1.2*10**-5", Fraction(12, 10**6)),
    ("1.2·10^-5", Fraction(12, 10**6)),
    ("1.2⋅10^-5", Fraction(12, 10**6)),
    ("1.2 × 10⁻⁵", Fraction(12, 10**6)),
    ("1.2e−5", Fraction(12, 10**6)),
    ("3/4", Fraction(3, 4)),
    ("-3/4", Fraction(-3, 4)),
    ("6÷4", Fraction(3, 2)),
    ("0,35", Fraction(7, 20)),
    ("-0,5", Fraction(-1, 2)),
    ("0,350", Fraction(7, 20)),  # a zero whole part cannot be a thousands group
    ("12,5", Fraction(25, 2)),
    ("−0.5", Fraction(-1, 2)),  # U+2212 minus
    ("–0.5", Fraction(-1, 2)),  # en dash
    ("1\u00a0+\u20092", Fraction(3)),  # no-break and thin spaces
    ("-2^2", Fraction(-4)),
    ("-2**2", Fraction(-4)),
    ("(-2)^2", Fraction(4)),
    ("2^3^2", Fraction(512)),
    ("2**3**2", Fraction(512)),
    ("2^-3", Fraction(1, 8)),
    ("2^-3*4", Fraction(1, 2)),
    ("2²", Fraction(4)),
    ("-2²", Fraction(-4)),
    ("2^3²", Fraction(512)),
    ("1 - 2 - 3", Fraction(-4)),
    ("8 / 4 / 2", Fraction(1)),
    ("2 + 3 * 4", Fraction(14)),
    ("(2 + 3) * 4", Fraction(20)),
    ("1 - -1", Fraction(2)),
    ("2 * -3", Fraction(-6)),
    ("(1/3)^2 * 9", Fraction(1)),
    ("0^0", Fraction(1)),
    ("sqrt(9/4)", Fraction(3, 2)),
    ("0.5 * (0.73 - 1)^2", Fraction(3645, 100000)),
    ("1e-400", Fraction(1, 10**400)),  # exact, although its float is 0.0
]


@pytest.mark.parametrize(("text", "expected"), EXACT_CASES)
def test_accepts_exact(text: str, expected: Fraction) -> None:
    result = parse_answer(text)
    assert isinstance(result, Parsed), result
    assert result.exact == expected
    assert result.value == float(expected)
    assert result.text == text.strip()


FLOAT_CASES = [
    ("1/(1+exp(7.65))", 1 / (1 + math.exp(7.65))),
    ("1/(1+exp(-0.5))", _sigmoid(0.5)),
    ("sigmoid(0.5)", _sigmoid(0.5)),
    ("σ(-1.25)", _sigmoid(-1.25)),
    ("sigmoid(-800)", 0.0),  # no overflow in exp(800)
    ("tanh(0.3)", math.tanh(0.3)),
    ("1 - tanh(0.3)^2", 1 - math.tanh(0.3) ** 2),
    ("e", math.e),
    ("e^2", math.e**2),
    ("exp(1)", math.e),
    ("EXP(-0.5)", math.exp(-0.5)),
    ("ln(2)", math.log(2)),
    ("log(2)", math.log(2)),
    ("log10(1000)", 3.0),
    ("log2(8)", 3.0),
    ("ln(1e-400)", -400 * math.log(10)),  # tiny exact value: computed through its integers
    ("sqrt(2)", math.sqrt(2)),
    ("2^0.5", math.sqrt(2)),
    ("exp(0)*3/4", 0.75),
]


@pytest.mark.parametrize(("text", "expected"), FLOAT_CASES)
def test_accepts_float(text: str, expected: float) -> None:
    result = parse_answer(text)
    assert isinstance(result, Parsed), result
    assert result.exact is None
    assert result.value == pytest.approx(expected, rel=1e-12, abs=1e-300)


def test_sigmoid_example_value() -> None:
    result = parse_answer("1/(1+exp(7.65))")
    assert isinstance(result, Parsed)
    assert result.value == pytest.approx(4.758e-4, rel=1e-3)


def test_negative_zero_is_zero() -> None:
    for raw in ("-0", "-0.0", -0.0, "-0*exp(1)"):
        result = parse_answer(raw)
        assert isinstance(result, Parsed)
        assert result.value == 0.0 and math.copysign(1.0, result.value) == 1.0


# ---------------------------------------------------------------------------------------------------- YAML values


@pytest.mark.parametrize(
    ("raw", "exact", "text"),
    [
        (3, Fraction(3), "3"),
        (-15, Fraction(-15), "-15"),
        (0.1, Fraction(1, 10), "0.1"),  # the decimal the user typed, not the binary float
        (1e-7, Fraction(1, 10**7), "1e-07"),
        (Decimal("0.35"), Fraction(7, 20), "0.35"),
        (Decimal("-1.5E-3"), Fraction(-3, 2000), "-0.0015"),
        (Fraction(7, 20), Fraction(7, 20), "7/20"),
    ],
)
def test_accepts_yaml_numbers(raw: object, exact: Fraction, text: str) -> None:
    result = parse_answer(raw)  # type: ignore[arg-type]
    assert isinstance(result, Parsed), result
    assert result.exact == exact
    assert result.value == float(exact)
    assert result.text == text


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (True, "true/false is not a number"),
        (False, "true/false is not a number"),
        (None, "no value"),
        (float("nan"), "not a finite number"),
        (float("inf"), "not a finite number"),
        (Decimal("NaN"), "not a finite number"),
        (Decimal("1e999999"), "out of range"),
        (10**400, "not a finite number"),
        ([1], "list is not a number"),
        (b"1", "bytes is not a number"),
    ],
)
def test_refuses_yaml_values(raw: object, reason: str) -> None:
    result = parse_answer(raw)  # type: ignore[arg-type]
    assert isinstance(result, Unparseable), result
    assert reason in result.reason


# ---------------------------------------------------------------------------------------------------- refused

REFUSED_CASES = [
    ("__import__('os').system('ls')", "unknown name '__import__' at position 1"),
    ("().__class__", "empty parentheses at position 1"),
    ("lambda: 1", "unknown name 'lambda'"),
    ("9**9**9**9", "exponent at position 5 is too large"),
    ("2^1001", "exponent at position 2 is too large"),
    ("1e400", "not a finite number"),
    ("1e5000", "not a finite number"),
    ("1e-5000", "out of range"),
    ("2^1000 * 2^1000", "not a finite number"),
    ("exp(1000)", "not a finite number"),
    ("1e300 * exp(20)", "not a finite number"),
    ("nan", "not a finite number"),
    ("inf", "not a finite number"),
    ("-Infinity", "not a finite number"),
    ("1/0", "division by zero"),
    ("1/(1-1)", "division by zero"),
    ("1/(exp(0)-1)", "division by zero"),
    ("0^-1", "division by zero"),
    ("ln(0)", "logarithm of zero or a negative number"),
    ("log(-2)", "logarithm of zero or a negative number"),
    ("sqrt(-1)", "square root of a negative number"),
    ("(-8)^(1/3)", "not a real number"),
    ("x" * 300, "too long (300 characters; at most 200"),
    ("1" * (MAX_LENGTH + 1), "too long"),
    ("", "empty answer"),
    ("   ", "empty answer"),
    ("1,000,000", "thousands separators"),
    ("1,000", "ambiguous"),
    ("0,3, 0,4", "more than one ','"),
    ("1, 2", "unexpected ',' at position 2"),
    ("12 %", "'%' at position 4 is not accepted"),
    ("12 %", "0.12 instead of 12 %"),
    ("o1 = 0.3", "unexpected '=' at position 4"),
    ("z1 = -11.65", "write just the value, e.g. -11.65"),
    ("a == b", "unexpected '=' at position 3"),
    ("exp", "needs its argument in parentheses"),
    ("exp 2", "needs its argument in parentheses"),
    ("exp()", "has no argument"),
    ("(1", "missing ')' to close the '(' at position 1"),
    ("exp(1", "missing ')' to close the '(' of exp at position 4"),
    ("1)", "unmatched ')' at position 2"),
    ("[1]", "unexpected '[' at position 1"),
    ("{}", "empty parentheses at position 1"),  # braces are LaTeX groups (issue 11 item 3)
    ("a.b", "unknown name 'a' at position 1"),
    ("0.25.", "unexpected '.' at position 5"),
    ("1.2.3", "unexpected '.3' at position 4"),
    ("1 000", "unexpected '000' at position 3"),
    ("2e", "unexpected 'e' at position 2"),
    ("2x3", "use * to multiply"),
    ("2(3)", "unexpected '(' at position 2"),
    ("1+", "missing after '+' at position 2"),
    ("2**", "missing after '**' at position 2"),
    ("*2", "unexpected '*' at position 1"),
    ("0.3 m/s", "unexpected 'm' at position 5; units and words are not accepted"),
    ("pi", "unknown name 'pi'"),
    ("0.5;", "unexpected ';' at position 4"),
    ("'0.5'", "unexpected \"'\" at position 1"),
    ("\x00", "unexpected '\\x00' at position 1"),
    ("10⁻", "unexpected '⁻' at position 3"),
    ("(" * 40 + "1" + ")" * 40, "nested too deeply"),
    ("-" * 150 + "1", "nested too deeply"),
]


@pytest.mark.parametrize(("text", "reason"), REFUSED_CASES)
def test_refuses(text: str, reason: str) -> None:
    result = parse_answer(text)
    assert isinstance(result, Unparseable), result
    assert reason in result.reason, result.reason
    assert result.text == text.strip()
    assert not result.reason.startswith("internal")


def test_reasons_say_what_is_accepted() -> None:
    result = parse_answer("z1 = x + 1")
    assert isinstance(result, Unparseable)
    assert "0.25, 3/4, 1.2e-5 or 1/(1+exp(-0.5))" in result.reason
    result = parse_answer("0.3 apples")
    assert isinstance(result, Unparseable)
    assert "unexpected 'apples' at position 5" in result.reason and "exp, ln" in result.reason


# ---------------------------------------------------------------------------------------------------- parse_exact


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("7/20", Fraction(7, 20)),
        ("1.5e-3", Fraction(3, 2000)),
        ("-(1/2)^3", Fraction(-1, 8)),
        ("0,35", Fraction(7, 20)),
        (Decimal("0.35"), Fraction(7, 20)),
        (0.1, Fraction(1, 10)),
        (-15, Fraction(-15)),
        (Fraction(2, 3), Fraction(2, 3)),
    ],
)
def test_parse_exact_accepts(raw: object, expected: Fraction) -> None:
    assert parse_exact(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("exp(1)", "does not give an exact rational value"),
        ("e", "does not give an exact rational value"),
        ("sqrt(4)", "does not give an exact rational value"),
        ("4^0.5", "non-integer exponent"),
        ("(1/3)^1000 * (1/7)^1000 * (1/11)^1000 * (1/13)^1000", "too many digits"),
        ("(3^600/2^900)^10", "too large to keep exact"),
        ("1/0", "division by zero"),
        (True, "true/false is not a number"),
        ("x", "unknown name"),
    ],
)
def test_parse_exact_refuses(raw: object, reason: str) -> None:
    result = parse_exact(raw)
    assert isinstance(result, Unparseable), result
    assert reason in result.reason


def test_large_exact_powers_fall_back_to_float() -> None:
    result = parse_answer("(3^600/2^900)^10")  # exactly: about 2800 digits on each side; as a float: about 6e153
    assert isinstance(result, Parsed) and result.exact is None, result
    assert result.value == pytest.approx((3**600 / 2**900) ** 10, rel=1e-9)
    assert parse_answer("(3^600/2^900)^5").exact == Fraction(3**3000, 2**4500)  # small enough to stay exact


# ---------------------------------------------------------------------------------------------------- no evaluator

SAFETY_BATCH = [
    "0.25", "3/4", "1.2×10^-5", "1/(1+exp(-0.5))", "sqrt(2)", "-2^2", "0,35",
    "__import__('os').system('ls')", "().__class__", "lambda: 1", "9**9**9**9", "open('x').read()",
    "globals()", "[c for c in ().__class__.__bases__]", "1 if 1 else 2", "exec('1')", "eval('1')",
]


def test_never_calls_python_evaluators(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("a Python evaluator was called")

    for name in ("eval", "exec", "compile"):
        monkeypatch.setattr(builtins, name, forbidden)
    monkeypatch.setattr(ast, "literal_eval", forbidden)
    monkeypatch.setattr(ast, "parse", forbidden)
    if sympy is not None:
        monkeypatch.setattr(sympy, "sympify", forbidden)
        monkeypatch.setattr(sympy, "parse_expr", forbidden)
        monkeypatch.setattr(sympy_parser, "parse_expr", forbidden)

    results = [parse_answer(text) for text in SAFETY_BATCH] + [parse_exact("7/20")]
    monkeypatch.undo()
    for result in results:
        if isinstance(result, Unparseable):
            assert not result.reason.startswith("internal"), result
    assert [isinstance(r, Parsed) for r in results[:7]] == [True] * 7
    assert all(isinstance(r, Unparseable) for r in results[7:-1])
    assert results[-1] == Fraction(7, 20)


def test_module_source_names_no_evaluator() -> None:
    """Static check on the code (not comments or docstrings) of the module."""
    source = Path(answer_module.__file__).read_text(encoding="utf-8")
    names = {tok.string for tok in tokenize.generate_tokens(io.StringIO(source).readline) if tok.type == tokenize.NAME}
    forbidden = {"eval", "exec", "compile", "sympify", "parse_expr", "literal_eval", "ast", "sympy", "__import__",
                 "getattr", "globals", "locals", "importlib"}
    assert names & forbidden == set()


# ---------------------------------------------------------------------------------------------------- properties

# No clock here: the guard against hangs is the reader's bounded work, checked by counting and sizing the exact
# arithmetic it does (every exact value it computes with or makes stays within the documented size cap). The check
# runs before each operation, so a reader without its caps fails these tests instead of hanging them.

EXACT_BITS_CAP = math.ceil(MAX_EXACT_DIGITS * math.log2(10))  # "exact fractions at most about MAX_EXACT_DIGITS digits"
_GUARDED = ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__", "__rtruediv__",
            "__pow__", "__rpow__")


class Unbounded(Exception):
    """An exact operation the guard refused to do: its operands or its result would pass the size cap."""


def _bits(x: object) -> int:
    if isinstance(x, Fraction):
        return max(x.numerator.bit_length(), x.denominator.bit_length())
    if isinstance(x, int):
        return x.bit_length()
    return 0


class WorkGuard:
    """While active, every ``Fraction`` operation is counted and refused (recorded in ``violations``) when an
    operand has more than ``EXACT_BITS_CAP`` bits or a power would make a larger value (bits of the base times the
    exponent: an upper bound, known before computing it)."""

    def __init__(self) -> None:
        self.violations: list[str] = []
        self.operations = 0
        self._saved: dict[str, object] = {}

    def __enter__(self) -> "WorkGuard":
        for name in _GUARDED:
            original = getattr(Fraction, name)
            self._saved[name] = original
            setattr(Fraction, name, self._wrap(name, original))
        return self

    def __exit__(self, *exc: object) -> None:
        for name, original in self._saved.items():
            setattr(Fraction, name, original)

    def _wrap(self, name: str, original):
        guard = self

        def checked(a, b, *rest):
            guard.operations += 1
            size = max(_bits(a), _bits(b))
            if name in ("__pow__", "__rpow__"):
                base, exponent = (a, b) if name == "__pow__" else (b, a)
                if isinstance(exponent, Fraction) and exponent.denominator == 1:
                    exponent = exponent.numerator
                if isinstance(exponent, int) and isinstance(base, (int, Fraction)):
                    size = max(size, _bits(base) * abs(exponent))
            if size > EXACT_BITS_CAP:
                guard.violations.append(f"{name} on values of about {size} bits")
                raise Unbounded(guard.violations[-1])
            return original(a, b, *rest)

        return checked


def _bounded(raw: object) -> object:
    """``parse_answer(raw)`` (not from its cache) with its exact work checked by a :class:`WorkGuard`."""
    answer_module._read_text.cache_clear()
    with WorkGuard() as guard:
        result = parse_answer(raw)  # type: ignore[arg-type]
    assert guard.violations == [], (raw, guard.violations)
    return result


EXPRESSION_ALPHABET = st.sampled_from(
    list("0123456789") * 3 + list("+-*/^().,eE xplnσ") + ["**", "−", "×", "·", "⁻", "²", "\u00a0", "exp(", "ln(",
                                                          "sqrt(", "1e", "10^", "9**9", "e-", "1000"]
)


def _check_outcome(result: object) -> None:
    if isinstance(result, Parsed):
        assert math.isfinite(result.value)
        assert type(result.value) is float
        if result.exact is not None:
            assert result.value == float(result.exact)
    else:
        assert isinstance(result, Unparseable)
        assert result.reason
        assert not result.reason.startswith("internal"), result


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_any_text_gives_a_clean_outcome(text: str) -> None:
    _check_outcome(_bounded(text))


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(EXPRESSION_ALPHABET, max_size=80).map("".join))
def test_expression_like_text_gives_a_clean_outcome(text: str) -> None:
    _check_outcome(_bounded(text))


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.decimals(), st.fractions(),
                 st.binary(max_size=10), st.lists(st.integers(), max_size=3)))
def test_any_yaml_value_gives_a_clean_outcome(raw: object) -> None:
    _check_outcome(_bounded(raw))


@pytest.mark.parametrize(
    "text",
    ["9**9**9**9", "(((2^1000)^1000)^1000)", "((1/3)^999)^999", "((1+3^-1000)^4)^5 + 1", "2^999*" * 33 + "1",
     "((1+3^-1000)^3*2^1000)^2", "1e999/" * 33 + "1", "sqrt(" * 32 + "2" + ")" * 32,
     "(" * 32 + "1" + ")" * 32, "2^" * 99 + "2", "1" * 200, "9" * 100 + "^" + "9" * 99, "1e999999999", "9e-99999999"],
)
def test_pathological_inputs_are_read_with_bounded_work(text: str) -> None:
    assert len(text) <= MAX_LENGTH
    _check_outcome(_bounded(text))



def test_the_work_guard_refuses_an_unbounded_power_before_computing_it() -> None:
    with WorkGuard() as guard:
        assert Fraction(3, 7) ** 40 == Fraction(3**40, 7**40)  # small: done, counted
        with pytest.raises(Unbounded):
            Fraction(2) ** 10**12  # would take the memory of the machine: refused, not computed
    assert guard.operations == 2 and len(guard.violations) == 1
    assert Fraction(2) ** 3 == 8  # the guard is gone afterwards


@pytest.mark.parametrize("limit, lifted, text", [
    ("_MAX_EXACT_BITS", 10**12, "((2^1000)^1000)^1000"),  # the cap on exact powers
    ("_MAX_EXACT_BITS", 10**12, "(1/3)^900*" * 12 + "1"),  # the cap on exact products (values turn float past it)
    ("MAX_EXPONENT", 10**12, "1e999999999"),  # the cap on the power of ten of scientific notation
])
def test_the_bounded_work_check_fails_without_the_readers_caps(monkeypatch, limit, lifted, text) -> None:
    """The check above is no tautology: with one of the reader's caps lifted, the same input makes the reader
    attempt work past the size cap, and the guard catches it (instead of the test hanging)."""
    assert isinstance(_bounded(text), (Parsed, Unparseable))  # with the caps: bounded
    monkeypatch.setattr(answer_module, limit, lifted)
    answer_module._read_text.cache_clear()
    with WorkGuard() as guard:
        parse_answer(text)
    answer_module._read_text.cache_clear()
    assert guard.violations, f"{text!r} stayed small even without {limit}"


@settings(max_examples=300, deadline=None)
@given(st.fractions(min_value=-(10**40), max_value=10**40, max_denominator=10**40))
def test_fraction_round_trip(value: Fraction) -> None:
    text = str(value)  # "p/q" or "p"
    result = parse_answer(text)
    assert isinstance(result, Parsed), result
    assert result.exact == value
    assert parse_exact(text) == value


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_float_round_trip(value: float) -> None:
    result = parse_answer(str(value))
    assert isinstance(result, Parsed), result
    assert result.value == value
    assert result.exact == Fraction(repr(value))
    direct = parse_answer(value)
    assert isinstance(direct, Parsed) and direct.value == value and direct.exact == result.exact


@settings(max_examples=200, deadline=None)
@given(st.decimals(allow_nan=False, allow_infinity=False).filter(lambda d: d == 0 or -900 < d.adjusted() < 300))
def test_decimal_text_round_trip(value: Decimal) -> None:
    result = parse_answer(str(value))
    if len(str(value)) > MAX_LENGTH:
        assert isinstance(result, Unparseable)
        return
    assert isinstance(result, Parsed), result
    assert result.exact == Fraction(value)


# A plain decimal is read straight into its value and Fraction; the oracle is Fraction(text) itself (the full
# parser reads every other text, and those beyond the float range).
_PLAIN_EDGES = ["0", "-0", "+0", "0.", "-0.0", ".5", "-.5", "+.5", "1e3", "1E+3", "1.5e-3", "007", "1.e-3",
                "1.7976931348623157e308", "1.7976931348623158e308", "1.797693134862316e308", "-1.7976931348623159e308",
                "1e308", "9.999999999999999e307", "1e-999", "4.9e-324", "2.4703282292062328e-324", "1e999",
                "0.000269051", "-1.0261254e-05", "1" * 40, "0." + "3" * 38, "1" * 41, "٣.٥"]


def _oracle(text: str):
    exact = Fraction(text)
    if abs(exact) > Fraction(1.7976931348623157e308):
        return "beyond"
    return Parsed(float(exact) + 0.0, exact, text)


@pytest.mark.parametrize("text", _PLAIN_EDGES)
def test_plain_decimals_read_as_their_fraction(text):
    answer_module._read_text.cache_clear()
    got = parse_answer(text)
    try:
        expected = _oracle(text)
    except ValueError:
        expected = None
    if isinstance(expected, Parsed):
        assert got == expected and repr(got) == repr(expected) and (got.value or math.copysign(1, got.value) == 1)
    else:
        assert isinstance(got, Unparseable) or len(text) > 40 or not text.isascii(), (text, got)


@settings(max_examples=400)
@given(st.from_regex(r"\A[+-]?(?:[0-9]{1,20}\.?[0-9]{0,20}|\.[0-9]{1,20})(?:[eE][-+]?[0-9]{1,3})?\Z"))
def test_random_plain_decimals_read_as_their_fraction(text):
    got = parse_answer(text)
    expected = _oracle(text) if len(text) <= 40 else None
    if isinstance(expected, Parsed):
        assert got == expected
    elif expected == "beyond":
        assert isinstance(got, Unparseable)
