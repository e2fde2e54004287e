"""Safe reader for one student answer: a number or a small arithmetic expression.

The text is read by the small tokenizer and recursive-descent parser below and evaluated by walking the parse
tree. No part of it is ever handed to Python's own evaluator, to ``ast`` or to sympy.

Grammar (EBNF; ``^`` and ``**`` are the same operator)::

    answer      = expr ;
    expr        = term { ( "+" | "-" ) term } ;                 (* left-associative *)
    term        = unary { ( "*" | "/" ) unary } ;               (* left-associative *)
    unary       = ( "+" | "-" ) unary | power ;
    power       = postfix [ "^" unary ] ;                       (* right-associative: 2^3^2 = 2^9 *)
    postfix     = primary { superscript } ;                     (* 10⁻⁵ = 10^-5 *)
    primary     = number | "e" | function "(" expr ")" | "(" expr ")" ;
    function    = "exp" | "ln" | "log" | "log10" | "log2" | "sqrt" | "sigmoid" | "σ" | "tanh" ;
    number      = ( digits [ "." [ digits ] ] | "." digits ) [ ( "e" | "E" ) [ "+" | "-" ] digits ] ;
    superscript = [ "⁻" | "⁺" ] supdigit { supdigit } ;

So ``-2^2 = -4`` (power binds tighter than unary minus) and ``2^-3`` is allowed. ``log`` is the natural
logarithm, like ``ln``; ``sigmoid(x) = σ(x) = 1/(1+exp(-x))``. Names are case-insensitive. There is no implicit
multiplication (``2(3)`` and ``2e`` are refused).

Spellings: ``−`` (U+2212), ``–`` (en dash) and ``‐`` are minus; ``×``, ``·``, ``⋅`` and ``∙`` are ``*``; ``÷`` is
``/``; any Unicode space (no-break, thin, ...) is a space. ``x``/``X`` means ``*`` only in scientific notation,
i.e. right after a number and right before ``10`` (``1.2x10^-5``).

Decimal comma: an answer containing exactly one ``,``, with a digit on both sides, reads it as the decimal point
(``0,35`` = 0.35) -- unless it could be a thousands separator (a non-zero whole part followed by exactly three
digits, ``1,000`` or ``12,500``), which is refused as ambiguous. Two or more commas are refused (thousands
separators and lists are not accepted).

Values stay exact (``Fraction``) through numbers, ``+ - * /``, integer powers and square roots of perfect
squares; ``e`` and every other function turn the value into a float (``Parsed.exact is None``), and once a float
enters, the rest is computed in float. Every intermediate value must be a finite float-sized number
(|x| <= about 1.8e308), otherwise the answer is refused.

Limits, which keep the work small on any input: at most ``MAX_LENGTH`` characters (after stripping), at most
``MAX_NODES`` tokens, at most ``MAX_DEPTH`` nested parentheses/signs/powers, exponents (of ``^`` and of
scientific notation) at most ``MAX_EXPONENT`` in size, and exact fractions at most about ``MAX_EXACT_DIGITS``
digits (a bigger exact power is computed in float instead, or refused by ``parse_exact``).

Positions in reasons count characters from 1 in the stripped answer.
"""

from __future__ import annotations

import functools
import math
import re
import numbers
import reprlib
import sys
from decimal import Decimal
from collections import namedtuple
from fractions import Fraction

from grader.parse.limits import MAX_DEPTH, MAX_EXACT_DIGITS, MAX_EXPONENT, MAX_LENGTH, MAX_NODES
from grader.record import Record

TYPE_CHECKING = False  # typing costs milliseconds at start-up: only a type checker imports it
if TYPE_CHECKING:
    from typing import Any, Callable, Iterator

__all__ = [
    "visible",
    "MAX_DEPTH", "MAX_EXACT_DIGITS", "MAX_EXPONENT", "MAX_LENGTH", "MAX_NODES", "Parsed", "Unparseable",
    "parse_answer", "parse_answer_text", "parse_exact", "is_plain_decimal",
]


_MAX_EXACT_BITS = int(MAX_EXACT_DIGITS * math.log2(10))
_FLOAT_MAX = Fraction(sys.float_info.max)

_EXAMPLES = "0.25, 3/4, 1.2e-5 or 1/(1+exp(-0.5))"
_HINT = f"write a single number or expression such as {_EXAMPLES}"
_EXACT_HINT = "exact values may only use numbers, fractions, + - * / ( ) and integer powers, e.g. 7/20 or 1.5e-3"
_NOT_FINITE = "the result is not a finite number"

_DIGITS = "0123456789"
_MINUS = "-\u2212\u2013\u2012\u2010"
_TIMES = "*\u00d7\u00b7\u22c5\u2219"
_DIVIDE = "/\u00f7\u2215"
_SUPERSCRIPT_DIGITS = {c: d for d, c in enumerate("\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")}
_SUPERSCRIPT_SIGNS = {"\u207b": -1, "\u207a": 1}
_NAME_START = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"
_NAME_CHARS = _NAME_START + _DIGITS
_SIGMA = "\u03c3"
_FUNCTIONS = frozenset({"exp", "ln", "log", "log10", "log2", "sqrt", "sigmoid", _SIGMA, "tanh"})
_NOT_FINITE_NAMES = frozenset({"nan", "inf", "infinity", "infty"})
_NAMES_DOC = "only the constant e and the functions exp, ln, log, log10, log2, sqrt, sigmoid (σ) and tanh are known"

Value = Fraction | float  # a Fraction is exact; a float is not


class Parsed(Record):
    """A readable answer."""

    value: float  # finite real
    exact: Fraction | None  # exact rational value; None once e or a function (other than exact sqrt) was used
    text: str  # the input text, stripped

    def __init__(self, value: float, exact: Fraction | None, text: str) -> None:
        self.__dict__.update(value=value, exact=exact, text=text)


class Unparseable(Record):
    """An answer that could not be read."""

    text: str
    reason: str  # one plain sentence: what is wrong and what would be accepted

    def __init__(self, text: str, reason: str) -> None:
        self.__dict__.update(text=text, reason=reason)


class _Refuse(Exception):
    """Internal: the answer cannot be read, for ``reason``. Never leaves this module."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# ---------------------------------------------------------------------------------------------------- public API


def parse_answer(raw: str | int | float | Decimal | Fraction | bool | None) -> Parsed | Unparseable:
    """Read one answer into a finite number, or say why it cannot be read. Never raises."""
    try:
        return _read(raw, exact_only=False)
    except Exception as error:  # last resort only; every known failure is a _Refuse handled in _read
        return Unparseable(_safe_text(raw), f"internal: {type(error).__name__} while reading the answer")


_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"  # zero-width spaces and joiners, word joiner, BOM, soft hyphen


def visible(text: str) -> str:
    """``text`` without the characters that show as nothing (pasted answers carry them: ``0.25\u200b`` was refused;
    the practice page's reader drops the same, and a write-up's text is read without them too)."""
    if text.isascii() or re.search(_INVISIBLE_CLASS, text) is None:  # (a regular expression's scan: str.translate with a
        return text  # mapping walks every character in Python's own loop, 60 ms for a write-up of a megabyte)
    return re.sub(_INVISIBLE_CLASS, "", text)


_INVISIBLE_CLASS = f"[{_INVISIBLE}]"  # (a pattern's text: the module names no compiler, tests/test_answer_parser.py)


def parse_answer_text(text: str) -> Parsed | Unparseable:
    """``parse_answer`` of a string (every value a submission holds: its text as written), without the dispatch on
    the type. Never raises."""
    try:
        return _read_text(visible(text).strip(), False)
    except Exception as error:  # last resort only, as in parse_answer
        return Unparseable(_safe_text(text), f"internal: {type(error).__name__} while reading the answer")


def parse_exact(raw: str | int | float | Decimal | Fraction | bool | None) -> Fraction | Unparseable:
    """For instructor-given values in problem specs: only numbers, fractions, and + - * / ( ) with integer powers;
    the result must be an exact rational. Otherwise Unparseable with a reason. Never raises."""
    try:
        result = _read(raw, exact_only=True)
    except Exception as error:  # last resort only
        return Unparseable(_safe_text(raw), f"internal: {type(error).__name__} while reading the value")
    if isinstance(result, Unparseable):
        return result
    if result.exact is None:  # not reachable with exact_only, kept as a guard
        return Unparseable(result.text, f"the value is not an exact rational number; {_EXACT_HINT}")
    return result.exact


# ---------------------------------------------------------------------------------------------------- dispatch


def _safe_text(raw: object) -> str:
    if isinstance(raw, str):
        return raw.strip()
    try:
        return reprlib.repr(raw)
    except Exception:
        return f"<{type(raw).__name__}>"


def _read(raw: object, *, exact_only: bool) -> Parsed | Unparseable:
    """Dispatch on the type YAML handed over."""
    if raw is None:
        return Unparseable("", "no value: write a number such as 0.25")
    if isinstance(raw, bool):
        return Unparseable(str(raw).lower(), "true/false is not a number; write a number such as 0.25")
    if isinstance(raw, str):
        return _read_text(visible(raw).strip(), exact_only)
    if isinstance(raw, Fraction):
        return _from_exact(raw, str(raw))
    if isinstance(raw, Decimal):
        return _from_decimal(raw)
    if isinstance(raw, numbers.Integral):
        number = int(raw)
        text = str(number) if number.bit_length() <= 4000 else f"<integer with {number.bit_length()} bits>"
        return _from_exact(Fraction(number), text)
    if isinstance(raw, numbers.Real):
        real = float(raw)
        text = repr(real)
        if not math.isfinite(real):
            return Unparseable(text, f"{_NOT_FINITE} ({text}); write an ordinary number such as 0.25")
        return _from_exact(Fraction(text), text)  # the shortest decimal that reads back as this float
    return Unparseable(_safe_text(raw), f"a {type(raw).__name__} is not a number; write a single number such as 0.25")


def _from_exact(exact: Fraction, text: str) -> Parsed | Unparseable:
    if abs(exact) > _FLOAT_MAX:
        return Unparseable(text, f"{_NOT_FINITE}: it is beyond the float range (about ±1.8e308)")
    if max(exact.numerator.bit_length(), exact.denominator.bit_length()) > _MAX_EXACT_BITS:
        return Unparseable(text, f"the number has too many digits (at most about {MAX_EXACT_DIGITS})")
    return Parsed(float(exact) + 0.0, exact, text)


def _from_decimal(number: Decimal) -> Parsed | Unparseable:
    text = str(number)
    if not number.is_finite():
        return Unparseable(text, f"{_NOT_FINITE} ({text}); write an ordinary number such as 0.25")
    _, digits, exponent = number.as_tuple()
    if not isinstance(exponent, int) or len(digits) > MAX_LENGTH or abs(exponent) > MAX_EXPONENT + MAX_LENGTH:
        return Unparseable(text, f"the number is out of range (at most {MAX_LENGTH} digits and an exponent of at "
                                 f"most ±{MAX_EXPONENT})")
    return _from_exact(Fraction(number), text)


# A plain decimal number, the common case, read straight into a Fraction (same result as the full parser).
_PLAIN = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,3})?"  # (the re module caches the compiled pattern)


_PLAIN_ASCII = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]{1,3})?"  # _PLAIN with ASCII digits only


@functools.lru_cache(maxsize=1024)
def is_plain_decimal(text: str) -> bool:
    """``-0.45``, ``1.2e-5``: written as a plain number (a report need not say how it was read). Remembered: a
    class's submissions repeat the same texts."""
    return len(text) <= 40 and re.fullmatch(_PLAIN, text.strip()) is not None


@functools.lru_cache(maxsize=1024)
def _read_text(text: str, exact_only: bool) -> Parsed | Unparseable:
    """Read stripped text: cheap pre-checks with helpful reasons, then parse and evaluate. Results are immutable
    and cached: a class's submissions repeat the same texts (given values, the key's digits) again and again."""
    if len(text) <= 40 and re.fullmatch(_PLAIN_ASCII, text):  # the commonest answer: the value and Fraction(text), more directly
        value = float(text)  # correctly rounded, as float(Fraction(text)) is
        if -1e308 < value < 1e308:  # so |Fraction(text)| <= _FLOAT_MAX
            return Parsed(value + 0.0, Fraction(*Decimal(text).as_integer_ratio()), text)
    if len(text) <= 40 and re.fullmatch(_PLAIN, text):
        exact = Fraction(text)
        if abs(exact) <= _FLOAT_MAX:
            return Parsed(float(exact) + 0.0, exact, text)
    if not text:
        return Unparseable(text, f"empty answer; {_HINT}")
    if len(text) > MAX_LENGTH:
        return Unparseable(text, f"the answer is too long ({len(text)} characters; at most {MAX_LENGTH} are accepted)")
    from grader.parse.answer_latex import NotAnAnswer, latex_to_answer, looks_like_latex, strip_math
    from grader.parse.remarks import without_remark

    inner, note = strip_math(without_remark(text)), ""  # "0.5933 (4 d.p.)": how it was rounded is no part of it
    try:
        if looks_like_latex(inner):
            try:
                rewritten = latex_to_answer(inner)
            except NotAnAnswer as e:
                raise _Refuse(f"{e.reason} (in the LaTeX answer)") from None
            note = f" (the LaTeX was read as {rewritten!r})"
            inner = rewritten
        if not inner:
            raise _Refuse(f"empty answer; {_HINT}")
        value = _value_of(inner, exact_only)
    except _Refuse as refusal:
        return Unparseable(text, refusal.reason + note)
    if isinstance(value, Fraction):
        return Parsed(float(value) + 0.0, value, text)
    return Parsed(value + 0.0, None, text)  # + 0.0 turns -0.0 into 0.0


def _value_of(text: str, exact_only: bool) -> Value:
    """Parse and evaluate answer-grammar text (no surrounding $...$, no LaTeX). Raises _Refuse."""
    _precheck(text, exact_only)
    comma = _decimal_comma(text)
    tree = _Parser(text, comma).parse()
    return _evaluate(tree, exact_only)


def _precheck(text: str, exact_only: bool) -> None:
    """Refuse '=' (assignments, equations) and '%' with a suggestion of what to write instead."""
    if "=" in text:
        position = text.index("=") + 1
        rhs = text[text.rindex("=") + 1:].strip()
        suggestion = _read_text(rhs, exact_only) if rhs else None
        if isinstance(suggestion, Parsed):
            raise _Refuse(f"unexpected '=' at position {position}; write just the value, e.g. {rhs}, "
                          "without a name or '='")
        raise _Refuse(f"unexpected '=' at position {position}; write just the value, without a name or '=', as a "
                      f"single number or expression such as {_EXAMPLES}")
    if "%" in text:
        position = text.index("%") + 1
        before, after = text[:position - 1].strip(), text[position:].strip()
        suggestion = _read_text(before, exact_only) if before and not after else None
        example = "0.12 instead of 12%"
        if isinstance(suggestion, Parsed):
            hundredth = suggestion.exact / 100 if suggestion.exact is not None else suggestion.value / 100
            example = f"{float(hundredth)!r} instead of {text}"
        raise _Refuse(f"'%' at position {position} is not accepted; write a percentage as a plain number, "
                      f"e.g. {example}")


def _decimal_comma(text: str) -> int:
    """Index of the single comma used as a decimal point, or -1 when there is none; refuse other commas."""
    commas = [i for i, c in enumerate(text) if c == ","]
    if not commas:
        return -1
    if len(commas) > 1:
        raise _Refuse(f"more than one ',' (positions {', '.join(str(i + 1) for i in commas)}); thousands separators "
                      "and lists are not accepted: write one number without separators (1000000), using '.' or a "
                      "single ',' as the decimal point")
    i = commas[0]
    if not (0 < i < len(text) - 1 and text[i - 1] in _DIGITS and text[i + 1] in _DIGITS):
        raise _Refuse(f"unexpected ',' at position {i + 1}; a ',' is only accepted as a decimal point between "
                      f"digits (0,35); {_HINT}")
    start = i
    while start > 0 and text[start - 1] in _DIGITS:
        start -= 1
    end = i + 1
    while end < len(text) and text[end] in _DIGITS:
        end += 1
    whole, fraction = text[start:i], text[i + 1:end]
    if int(whole) != 0 and len(fraction) == 3:
        raise _Refuse(f"'{whole},{fraction}' at position {start + 1} is ambiguous (thousands separator or decimal "
                      f"comma?); write {whole}{fraction} or {whole}.{fraction}")
    return i


# ---------------------------------------------------------------------------------------------------- tokenizer


# kind: 'num', 'name', 'op', '(', ')', 'sup', 'end'; text: as typed; pos: 1-based position of the first character;
# key: 'op': one of + - * / ^, 'name': the name in lower case; number: 'num': its exact value, 'sup': the exponent.
# (A collections.namedtuple, as typing.NamedTuple would be: typing costs milliseconds at start-up.)
_Token = namedtuple("_Token", ("kind", "text", "pos", "key", "number"), defaults=("", Fraction(0)))


def _skip_digits(text: str, i: int) -> int:
    while i < len(text) and text[i] in _DIGITS:
        i += 1
    return i


def _lex(text: str, comma: int) -> Iterator[_Token]:
    """Yield tokens lazily (so the parser reports the first problem first), then 'end' forever."""
    i, n, count, previous = 0, len(text), 0, ""
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        count += 1
        if count > MAX_NODES:
            raise _Refuse(f"the answer has too many parts (more than {MAX_NODES} numbers and operators)")
        start = i
        if ch in _DIGITS or (ch == "." and i + 1 < n and text[i + 1] in _DIGITS):
            token, i = _lex_number(text, i, comma)
        elif ch in _SUPERSCRIPT_DIGITS or ch in _SUPERSCRIPT_SIGNS:
            token, i = _lex_superscript(text, i)
        elif ch in "xX" and previous in ("num", ")") and _ten_follows(text, i + 1):
            token, i = _Token("op", ch, start + 1, key="*"), i + 1
        elif ch in _NAME_START:
            i += 1
            while i < n and text[i] in _NAME_CHARS:
                i += 1
            token = _Token("name", text[start:i], start + 1, key=text[start:i].lower())
        elif ch == _SIGMA:
            token, i = _Token("name", ch, start + 1, key=_SIGMA), i + 1
        elif ch == "*" and text.startswith("**", i):
            token, i = _Token("op", "**", start + 1, key="^"), i + 2
        elif ch in _TIMES or ch in _DIVIDE or ch in _MINUS or ch in "+^":
            op = "*" if ch in _TIMES else "/" if ch in _DIVIDE else "-" if ch in _MINUS else ch
            token, i = _Token("op", ch, start + 1, key=op), i + 1
        elif ch in "()":
            token, i = _Token(ch, ch, start + 1), i + 1
        else:
            raise _Refuse(f"unexpected {ch!r} at position {start + 1}; {_HINT}")
        previous = token.kind
        yield token
    end = _Token("end", "", n + 1)
    while True:
        yield end


def _ten_follows(text: str, i: int) -> bool:
    """True when '10' (and not 100, 10.5, ...) follows, after optional spaces: the x of 1.2x10^-5."""
    while i < len(text) and text[i].isspace():
        i += 1
    return text.startswith("10", i) and (i + 2 == len(text) or text[i + 2] not in _DIGITS + ".,")


def _lex_number(text: str, i: int, comma: int) -> tuple[_Token, int]:
    start, n = i, len(text)
    i = _skip_digits(text, i)
    whole, fraction = text[start:i], ""
    if i < n and (text[i] == "." or i == comma):
        j = _skip_digits(text, i + 1)
        fraction, i = text[i + 1:j], j
    exponent = 0
    if i < n and text[i] in "eE":
        j = i + 1
        sign = -1 if j < n and text[j] in _MINUS else 1
        if j < n and (text[j] in _MINUS or text[j] == "+"):
            j += 1
        k = _skip_digits(text, j)
        if k > j:
            exponent, i = sign * int(text[j:k]), k
    literal = text[start:i]
    if exponent > MAX_EXPONENT:
        raise _Refuse(f"{_NOT_FINITE}: {literal!r} at position {start + 1} is far too large")
    if exponent < -MAX_EXPONENT:
        raise _Refuse(f"the exponent of {literal!r} at position {start + 1} is out of range (at most ±{MAX_EXPONENT})")
    value = Fraction(int(whole + fraction), 10 ** len(fraction)) * Fraction(10) ** exponent
    return _Token("num", literal, start + 1, number=value), i


def _lex_superscript(text: str, i: int) -> tuple[_Token, int]:
    start, n = i, len(text)
    sign = _SUPERSCRIPT_SIGNS.get(text[i], 0)
    if sign:
        i += 1
    j = i
    while j < n and text[j] in _SUPERSCRIPT_DIGITS:
        j += 1
    if j == i:
        raise _Refuse(f"unexpected {text[start]!r} at position {start + 1}; {_HINT}")
    value = int("".join(str(_SUPERSCRIPT_DIGITS[c]) for c in text[i:j])) * (sign or 1)
    return _Token("sup", text[start:j], start + 1, number=Fraction(value)), j


# ---------------------------------------------------------------------------------------------------- parser

# Parse tree nodes are tuples: ("num", Fraction, pos), ("e", pos), ("neg", node, pos),
# ("bin", op, left, right, pos) with op in "+-*/^", ("call", name, argument, pos).
Node = tuple


class _Parser:
    """Recursive descent over the grammar in the module docstring; one token of lookahead."""

    def __init__(self, text: str, comma: int) -> None:
        self._text = text
        self._tokens = _lex(text, comma)
        self._previous: _Token | None = None
        self._token = next(self._tokens)
        self._depth = 0

    def parse(self) -> Node:
        node = self._expr()
        token = self._token
        if token.kind == ")":
            raise _Refuse(f"unmatched ')' at position {token.pos}; {_HINT}")
        if token.kind == "name" and token.key.startswith("x"):
            raise _Refuse(f"unexpected {token.text!r} at position {token.pos}; use * to multiply ('x' means × only "
                          "in scientific notation such as 1.2x10^-5)")
        if token.kind == "name" and token.key != "e" and token.key not in _FUNCTIONS:
            raise _Refuse(f"unexpected {token.text!r} at position {token.pos}; units and words are not accepted "
                          f"and {_NAMES_DOC}; {_HINT}")
        if token.kind != "end":
            raise _Refuse(f"unexpected {token.text!r} at position {token.pos}; values must be joined by an "
                          f"operator such as *, or {_HINT}")
        return node

    def _advance(self) -> _Token:
        self._previous, token = self._token, self._token
        self._token = next(self._tokens)
        return token

    def _is_op(self, ops: str) -> bool:
        return self._token.kind == "op" and self._token.key in ops

    def _nested(self, parse: Callable[[], Node]) -> Node:
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Refuse(f"the expression is nested too deeply (more than {MAX_DEPTH} levels)")
        node = parse()
        self._depth -= 1
        return node

    def _expr(self) -> Node:
        first = self._token
        node = self._term()
        while self._is_op("+-"):
            op = self._advance()
            right = self._term()
            self._lost_caret(first, node, op, right)
            first = None
            node = ("bin", op.key, node, right, op.pos)
        return node

    def _lost_caret(self, first: _Token | None, left: Node, op: _Token, right: Node) -> None:
        """``5.2817 x 10-1``: a mantissa times a bare 10, minus or plus a small integer, is scientific notation
        whose '^' was lost. Refused: read as a subtraction it would be 52.817 - 1."""
        if first is None or first.kind not in ("num", "op") or left[0] != "bin" or left[1] != "*":
            return
        mantissa, ten = left[2], left[3]
        if mantissa[0] == "neg":
            mantissa = mantissa[1]
        if mantissa[0] != "num" or ten[0] != "num" or ten[1] != 10 or self._text[ten[2] - 1:ten[2] + 1] != "10":
            return
        if right[0] != "num" or right[1].denominator != 1 or not 0 < right[1] < 1000:
            return
        if self._text[right[2] - 1:right[2]] not in _DIGITS:  # a bare integer, not (1) or .5
            return
        m, n, sign = self._text[mantissa[2] - 1:ten[2] - 1].rstrip(" *xX×·⋅∙"), int(right[1]), op.key
        snippet = self._text[first.pos - 1:right[2] + len(str(n)) - 1]
        exponent = f"{'-' if sign == '-' else ''}{n}"
        raise _Refuse(f"{snippet!r} at position {first.pos} looks like scientific notation with the '^' lost: write "
                      f"10^{exponent} ({m.strip()}*10^{exponent} or {m.strip()}e{exponent}); if you meant to "
                      f"{'subtract' if sign == '-' else 'add'}, write ({m.strip()}*10){sign}{n}")

    def _term(self) -> Node:
        node = self._unary()
        while self._is_op("*/"):
            op = self._advance()
            node = ("bin", op.key, node, self._unary(), op.pos)
        return node

    def _unary(self) -> Node:
        if self._is_op("+-"):
            op = self._advance()
            operand = self._nested(self._unary)
            return operand if op.key == "+" else ("neg", operand, op.pos)
        return self._power()

    def _power(self) -> Node:
        base = self._postfix()
        if self._is_op("^"):
            op = self._advance()
            return ("bin", "^", base, self._nested(self._unary), op.pos)
        return base

    def _postfix(self) -> Node:
        node = self._primary()
        while self._token.kind == "sup":
            sup = self._advance()
            node = ("bin", "^", node, ("num", sup.number, sup.pos), sup.pos)
        return node

    def _primary(self) -> Node:
        token = self._token
        if token.kind == "num":
            self._advance()
            return ("num", token.number, token.pos)
        if token.kind == "(":
            self._advance()
            if self._token.kind == ")":
                raise _Refuse(f"empty parentheses at position {token.pos}; {_HINT}")
            inner = self._nested(self._expr)
            self._close(token, "")
            return inner
        if token.kind == "name":
            return self._name(token)
        if token.kind == "end":
            after = self._previous
            where = f" after {after.text!r} at position {after.pos}" if after else ""
            raise _Refuse(f"the answer is incomplete: a number or expression is missing{where}; {_HINT}")
        raise _Refuse(f"unexpected {token.text!r} at position {token.pos}; {_HINT}")

    def _name(self, token: _Token) -> Node:
        name = token.key
        if name == "e":
            self._advance()
            return ("e", token.pos)
        if name in _NOT_FINITE_NAMES:
            raise _Refuse(f"{token.text!r} at position {token.pos} is not a finite number; write an ordinary number "
                          "such as 0.25")
        if name not in _FUNCTIONS:
            raise _Refuse(f"unknown name {token.text!r} at position {token.pos}; {_NAMES_DOC}; {_HINT}")
        self._advance()
        example = f"{token.text}(-0.5)"
        if self._token.kind != "(":
            raise _Refuse(f"the function {token.text!r} at position {token.pos} needs its argument in parentheses, "
                          f"e.g. {example}")
        opening = self._advance()
        if self._token.kind == ")":
            raise _Refuse(f"{token.text}() at position {token.pos} has no argument; put a number or expression "
                          f"inside the parentheses, e.g. {example}")
        argument = self._nested(self._expr)
        self._close(opening, f" of {token.text}")
        return ("call", name, argument, token.pos)

    def _close(self, opening: _Token, what: str) -> None:
        if self._token.kind != ")":
            found = "the end of the answer" if self._token.kind == "end" else repr(self._token.text)
            raise _Refuse(f"missing ')' to close the '('{what} at position {opening.pos} (found {found}"
                          f"{'' if self._token.kind == 'end' else f' at position {self._token.pos}'})")
        self._advance()


# ---------------------------------------------------------------------------------------------------- evaluator


def _evaluate(node: Node, exact_only: bool) -> Value:
    """Value of a parse tree node: Fraction while exact, float once anything inexact entered."""
    kind = node[0]
    if kind == "num":
        return _finite(node[1], f"the number at position {node[2]}")
    if kind == "e":
        _no_inexact(exact_only, "the constant 'e'", node[1])
        return math.e
    if kind == "neg":
        return -_evaluate(node[1], exact_only)
    if kind == "call":
        _no_inexact(exact_only, f"the function {node[1]!r}", node[3])
        return _call(node[1], _evaluate(node[2], exact_only), node[3])
    _, op, left, right, pos = node
    a = _evaluate(left, exact_only)
    b = _evaluate(right, exact_only)
    return _finite(_binary(op, a, b, pos, exact_only), f"the {op!r} at position {pos}")


def _no_inexact(exact_only: bool, what: str, pos: int) -> None:
    if exact_only:
        raise _Refuse(f"{what} at position {pos} does not give an exact rational value; {_EXACT_HINT}")


def _finite(value: Value, where: str) -> Value:
    if isinstance(value, Fraction):
        if abs(value) > _FLOAT_MAX:
            raise _Refuse(f"{_NOT_FINITE}: {where} gives a value beyond the float range (about ±1.8e308)")
        return value
    if not math.isfinite(value):
        raise _Refuse(f"{_NOT_FINITE}: {where} overflows")
    return value


def _shrink(value: Fraction, pos: int, exact_only: bool) -> Value:
    """Keep an exact value exact while it is reasonably small; otherwise continue in float (or refuse)."""
    if abs(value) > _FLOAT_MAX:
        raise _Refuse(f"{_NOT_FINITE}: the value at position {pos} is beyond the float range (about ±1.8e308)")
    if max(value.numerator.bit_length(), value.denominator.bit_length()) <= _MAX_EXACT_BITS:
        return value
    if exact_only:
        raise _Refuse(f"the exact value at position {pos} has too many digits (more than about {MAX_EXACT_DIGITS})")
    return float(value)


def _binary(op: str, a: Value, b: Value, pos: int, exact_only: bool) -> Value:
    if op == "^":
        return _power(a, b, pos, exact_only)
    if op == "/" and b == 0:
        raise _Refuse(f"division by zero at position {pos}; {_HINT}")
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        exact = a + b if op == "+" else a - b if op == "-" else a * b if op == "*" else a / b
        return _shrink(exact, pos, exact_only)
    x, y = float(a), float(b)
    if op == "/" and y == 0:  # b != 0 (checked above): it is below the float range
        raise _Refuse(f"division at position {pos} by a number too small to compute with (below about 1e-308)")
    return x + y if op == "+" else x - y if op == "-" else x * y if op == "*" else x / y


def _power(base: Value, exponent: Value, pos: int, exact_only: bool) -> Value:
    if not -MAX_EXPONENT <= exponent <= MAX_EXPONENT:
        raise _Refuse(f"the exponent at position {pos} is too large (at most ±{MAX_EXPONENT} is accepted)")
    integral = exponent.denominator == 1 if isinstance(exponent, Fraction) else exponent.is_integer()
    if base == 0 and exponent < 0:
        raise _Refuse(f"division by zero: 0 to a negative power at position {pos}")
    if integral and isinstance(base, Fraction) and isinstance(exponent, Fraction):
        n = int(exponent)
        if abs(n) * max(base.numerator.bit_length(), base.denominator.bit_length()) <= _MAX_EXACT_BITS:
            return base**n
        if exact_only:
            raise _Refuse(f"the power at position {pos} is too large to keep exact (more than about "
                          f"{MAX_EXACT_DIGITS} digits)")
    elif exact_only:
        raise _Refuse(f"the power at position {pos} has a non-integer exponent; {_EXACT_HINT}")
    x, y = float(base), float(exponent)
    if x < 0 and not integral:
        raise _Refuse(f"a negative number to a non-integer power (position {pos}) is not a real number")
    if x == 0 and y < 0:  # base != 0 (checked above): it is below the float range (1e-400 is 0.0 as a float)
        raise _Refuse(_underflow_power(base, y, pos))
    try:
        return math.pow(x, y)
    except (OverflowError, ValueError):
        raise _Refuse(f"{_NOT_FINITE}: the power at position {pos} is beyond the float range (about ±1.8e308)") from None


def _underflow_power(base: Value, y: float, pos: int) -> str:
    """Why a power of a number below the float range is refused: what it would be, roughly, and what to write."""
    what = f"the base of the power at position {pos} is below the float range (about 1e-308)"
    if isinstance(base, Fraction) and base > 0:
        magnitude = y * (math.log10(base.numerator) - math.log10(base.denominator))
        if magnitude > 308:
            return f"{_NOT_FINITE}: {what}, and this negative power of it is beyond the float range (about 1e308)"
        return f"{what}; the power would be about 1e{round(magnitude)}: write that value itself"
    return f"{what} and is raised to a negative power; write the value itself"


def _call(name: str, x: Value, pos: int) -> Value:
    """Apply a function; the result is a float except sqrt of a perfect-square rational."""
    if name == "sqrt":
        if x < 0:
            raise _Refuse(f"the square root of a negative number (sqrt at position {pos}) is not a real number")
        if isinstance(x, Fraction):
            top, bottom = math.isqrt(x.numerator), math.isqrt(x.denominator)
            if top * top == x.numerator and bottom * bottom == x.denominator:
                return Fraction(top, bottom)
        return math.sqrt(float(x))
    if name in ("ln", "log", "log10", "log2"):
        if x <= 0:
            raise _Refuse(f"the logarithm of zero or a negative number ({name} at position {pos}) is not defined")
        log = {"ln": math.log, "log": math.log, "log10": math.log10, "log2": math.log2}[name]
        t = float(x)
        if isinstance(x, float) or t >= sys.float_info.min:
            return log(t)
        return log(x.numerator) - log(x.denominator)  # a Fraction too tiny for a normal float: go via the integers
    t = float(x)
    if name == "exp":
        try:
            return math.exp(t)
        except OverflowError:
            raise _Refuse(f"{_NOT_FINITE}: exp at position {pos} overflows") from None
    if name == "tanh":
        return math.tanh(t)
    # sigmoid / σ, in the form that cannot overflow
    if t >= 0:
        return 1.0 / (1.0 + math.exp(-t))
    z = math.exp(t)
    return z / (1.0 + z)
