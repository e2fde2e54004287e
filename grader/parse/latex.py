"""Our own reader for the LaTeX math students write: a tokenizer, a recursive-descent parser into our own expression
tree, and exact (or high-precision) evaluation of a tree without free names.

No part of the text is ever handed to Python's evaluator, to sympy or to any other parser. The limits are those of
the answer reader (``grader.parse.answer``): exponents at most ``MAX_EXPONENT``, nesting at most ``MAX_DEPTH``,
exact numbers at most about ``MAX_EXACT_DIGITS`` digits; plus a length and a token limit for one expression.

Grammar (EBNF), after spacing commands (``\\,``, ``\\;``, ``\\!``, ``\\quad``, ``~``) and ``\\left``/``\\right``
are dropped::

    expr     = [ "+" | "-" ] term { ( "+" | "-" ) [ "+" | "-" ] term } ;
    term     = factor { [ "\\cdot" | "\\times" | "*" | "/" | "\\div" ] factor } ;    (* juxtaposition multiplies *)
    factor   = ( "+" | "-" ) factor | power ;
    power    = primary [ "^" script ] ;
    primary  = number | name | "e" | "(" expr ")" | "[" expr "]" | "{" expr "}"
             | "\\frac" group group | "\\sqrt" group | function argument | "\\sum" scripts term ;
    function = "\\exp" | "\\ln" | "\\log" | "\\sigma" | "\\tanh" ;   (* \\sigma without "(" is a name *)
    name     = ( letters | "\\delta" | "\\eta" | ... | "\\text{" words "}" ) { "_" script | "^" mark | "'" } ;

A name keeps its subscripts, marks (``^{+}``, ``^{new}``, ``^{(1)}``, ``^{*}``) and primes as text: ``w_5'``,
``\\delta_{o_1}``, ``out_{h1}``, ``E_{total}``, ``\\text{Learning Rate}``. A ∂-fraction
``\\frac{\\partial E_{total}}{\\partial w_5}`` (or ``\\partial E / \\partial w_5``) is one name. A numeric superscript
on a name is a power (``h_1^2``); a one-letter one with a unit's number as the subscript is the layer of that
unit (``\\delta^{o}_{1}``, ``\\delta_1^{o}``: ``\\delta_{o_1}``). Between two equations, an implication arrow
(``\\Rightarrow``, ``\\implies``, ⇒, →) is a relation token of its own (``grader.submission.chains``). ``e`` alone
is Euler's number; ``e^{x}`` and ``\\exp(x)`` are the exponential.
Multi-letter runs are one name (``net``); letters separated by a space or a command are multiplied (``w_1 i_1``).
A decimal comma makes one number: ``7{,}65`` always, ``0,35`` where the YAML answer reader would take it
(:func:`_decimal_commas`).

A ``\\sum`` is evaluated by writing it out (:func:`expand_sums`): ``\\sum_{i=1}^{2} w_i x_i`` is ``w_{1} x_{1} +
w_{2} x_{2}``; a range not written as numbers is asked of the caller, who knows the problem; at most
``MAX_SUM_TERMS`` terms.

Values stay exact (``Fraction``) through numbers, ``+ - * /`` and integer powers; ``e``, ``\\exp``, ``\\ln``,
``\\log`` (natural), ``\\sigma``, ``\\tanh`` and inexact square roots give an ``mpmath`` number at
``PRECISION_DIGITS`` digits. Every value must be finite and within about ±1e308.
"""

from __future__ import annotations

import math
import re
from itertools import accumulate
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable, Mapping, NamedTuple, Union

import mpmath

from grader.parse.limits import MAX_DEPTH, MAX_EXACT_DIGITS, MAX_EXPONENT
from grader.parse.typeset import plain_marks

__all__ = [
    "MAX_LATEX_LENGTH", "MAX_LATEX_TOKENS", "PRECISION_DIGITS", "Token", "LatexError", "Node", "Number", "Name",
    "Const", "Neg", "Add", "Mul", "Div", "Pow", "Call", "Sum", "Unreadable", "tokenize", "read_math", "read_tokens",
    "evaluate", "expand_sums", "index_names", "name_for_index", "node_count", "MAX_SUM_TERMS",
    "free_names", "has_names", "to_text", "NotEvaluable",
]

MAX_LATEX_LENGTH = 4000  # characters of one expression
MAX_LATEX_TOKENS = 1000  # tokens of one expression
PRECISION_DIGITS = 50  # working precision for inexact values
_MAX_EXACT_BITS = int(MAX_EXACT_DIGITS * math.log2(10))
_LIMIT = Fraction(10) ** 308

# ---------------------------------------------------------------------------------------------------- tokens


class Token(NamedTuple):
    """``kind``: 'num' (value set), 'word' (a run of letters), 'cmd' (``text`` without the backslash), 'text' (the
    words of ``\\text{...}``), 'op' (one of ``+ - * / ^ _ '``), 'rel' (``=``, ``≈``, ``:=``, ``\\approx``, ...),
    'open'/'close' (``( [ {`` / ``) ] }``), 'amp' (``&``), 'newline' (``\\\\``), 'other' (any other character),
    'end'."""

    kind: str
    text: str
    pos: int  # 0-based index in the text
    value: Fraction = Fraction(0)


class LatexError(Exception):
    """The text cannot be read: ``reason`` says what and where. Raised by :func:`tokenize` only."""

    def __init__(self, reason: str, pos: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.pos = pos


_SPACING = frozenset({",", ";", "!", ":", " ", "quad", "qquad", "displaystyle", "textstyle", "left", "right", "big",
                      "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "limits", "nolimits", "middle",
                      # font and size switches, which change how what follows looks: {\bf 0.5933}
                      "bf", "it", "rm", "sf", "tt", "sl", "bfseries", "mdseries", "itshape", "upshape", "normalfont",
                      "scriptstyle", "scriptscriptstyle", "boldmath", "unboldmath"})
_TIMES_CMDS = frozenset({"cdot", "times", "ast", "cdotp"})
_REL_CMDS = frozenset({"approx", "simeq", "equiv", "leftarrow", "gets", "coloneqq", "doteq", "cong", "sim"})
_UNICODE = {
    "\u2212": ("op", "-"), "\u2013": ("op", "-"), "\u00d7": ("op", "*"), "\u00b7": ("op", "*"), "\u22c5": ("op", "*"),
    "\u2219": ("op", "*"), "\u00f7": ("op", "/"), "\u2248": ("rel", "\u2248"), "\u2190": ("rel", "\u2190"),
    "\u2261": ("rel", "="), "\u2032": ("op", "'"), "\u2019": ("op", "'"),  # ’: a prime as a word processor types it
    "\u2012": ("op", "-"), "\u2010": ("op", "-"), "\u2254": ("rel", ":="),  # the answer reader's minus signs; ≔
    "\u21d2": ("rel", "\u21d2"), "\u2192": ("rel", "\u21d2"), "\u27f9": ("rel", "\u21d2"),  # ⇒ → ⟹: "so"
}
_GREEK_UNICODE = {
    "\u03b1": "alpha", "\u03b2": "beta", "\u03b3": "gamma", "\u03b4": "delta", "\u03b5": "epsilon", "\u03b7": "eta",
    "\u03b8": "theta", "\u03bb": "lambda", "\u03bc": "mu", "\u03c3": "sigma", "\u03c4": "tau", "\u03c6": "phi",
    "\u0394": "Delta", "\u2202": "partial", "\u2207": "nabla", "\u03a3": "Sigma", "\u2211": "sum", "\u0398": "Theta",
}
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DIGITS = frozenset("0123456789")


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text`` (spacing dropped), ending with an 'end' token. Raises :class:`LatexError` when the text
    is longer than ``MAX_LATEX_LENGTH`` or has more than ``MAX_LATEX_TOKENS`` tokens. Linear in the text."""
    if len(text) > MAX_LATEX_LENGTH:
        raise LatexError(f"the expression is too long ({len(text)} characters; at most {MAX_LATEX_LENGTH})")
    return [tuple.__new__(Token, t) for t in raw_tokens(text)]


def raw_tokens(text: str) -> list[tuple]:
    """The tokens of :func:`tokenize` as plain tuples ``(kind, text, pos, value)``: equal to its ``Token``s, for the
    write-up reader's hot path (building a ``Token`` costs more than the tuple). Raises as :func:`tokenize`."""
    if len(text) > MAX_LATEX_LENGTH:
        raise LatexError(f"the expression is too long ({len(text)} characters; at most {MAX_LATEX_LENGTH})")
    out = _lex(plain_marks(text))
    if "," in text:
        out = _decimal_commas(out, text)
    if "\\," in text or "\u2009" in text or "\u202f" in text:
        out = _digit_groups(out, text)
    out.append(("end", "", len(text), _ZERO))
    return out


def _decimal_commas(tokens: list[tuple], text: str) -> list[tuple]:
    """Numbers written with a decimal comma made one number token each: ``7{,}65`` (LaTeX's decimal comma: always)
    and ``7,65`` (a comma between digits, nothing between them), read as the answer reader reads a YAML answer's
    comma (``grader.parse.answer``): not where it could be a thousands separator (a non-zero whole part and exactly
    three digits after it: ``1,000``), nor in a list (``1,2,3``), nor anywhere in a subscript or superscript
    (``w_{1,2}``, ``\\sum_{i=1,2}``). The token keeps the student's spelling with a plain comma (``7,65``), its value
    the number's."""
    out: list[tuple] = []
    k, n = 0, len(tokens)
    scripts: list[bool] = []  # the open brackets around a token: whether each is a subscript's or superscript's
    inside = 0  # how many of them are
    while k < n:
        t = tokens[k]
        if t[0] == "open":
            script = t[1] == "{" and k > 0 and tokens[k - 1][0] == "op" and tokens[k - 1][1] in ("_", "^")
            scripts.append(script)
            inside += script
        elif t[0] == "close" and scripts:
            inside -= scripts.pop()
        elif t[0] == "num" and t[1].isdigit() and (not inside or text.startswith("{,}", t[2] + len(t[1]))):
            end = t[2] + len(t[1])
            braced = text.startswith("{,}", end)
            after = k + (4 if braced else 2)
            b = tokens[after] if after < n else None
            if (b is not None and b[0] == "num" and b[1][:1].isdigit() and "." not in b[1]
                    and b[2] == end + (3 if braced else 1) and (braced or _bare_decimal_comma(tokens, k, text))):
                digits = len(b[1]) - len(b[1].lstrip("0123456789"))
                if braced or int(t[1]) == 0 or digits != 3:
                    literal = f"{t[1]}.{b[1]}"
                    if len(literal) > 2 * MAX_EXACT_DIGITS // 10:
                        raise LatexError(f"the number at position {t[2] + 1} has too many digits", t[2])
                    out.append(("num", f"{t[1]},{b[1]}", t[2], _number(literal, t[2])))
                    k = after + 1
                    continue
        out.append(t)
        k += 1
    return out


_THIN = ("\\,", "\u2009", "\u202f")  # a thin space (LaTeX's, Unicode's, the narrow no-break one)


def _digit_groups(tokens: list[tuple], text: str) -> list[tuple]:
    """A decimal number whose digits after the point are grouped by thin spaces, as typeset numbers are
    (``0.619\\,085\\,8``, ``0.619 085 8`` copied from a PDF with U+2009), made one number token: the digits
    after a thin space continue the decimals (two numbers side by side are an error otherwise). Only after a decimal
    point or comma, never in an exponent's place; the token keeps the text as written."""
    out: list[tuple] = []
    literal = ""  # the number of ``out[-1]`` as a plain literal, when it is a number
    for t in tokens:
        if t[0] == "num" and t[1].isdigit() and out and out[-1][0] == "num":
            prev = out[-1]
            end = prev[2] + len(prev[1]) + (0 if text.startswith(prev[1], prev[2]) else 2)  # 7{,}65 shown 7,65
            if "." in literal and not any(c in literal for c in "eE") and text[end:t[2]] in _THIN:
                literal += t[1]
                if len(literal) > 2 * MAX_EXACT_DIGITS // 10:
                    raise LatexError(f"the number at position {prev[2] + 1} has too many digits", prev[2])
                out[-1] = ("num", prev[1] + text[end:t[2]] + t[1], prev[2], _number(literal, prev[2]))
                continue
        out.append(t)
        literal = t[1].replace(",", ".") if t[0] == "num" else ""
    return out


def _bare_decimal_comma(tokens: list[tuple], k: int, text: str) -> bool:
    """Is the comma right after the number ``tokens[k]`` (a digit right after it) a decimal comma: not in a list
    of numbers (another comma between digits just before or after) and not in a subscript or superscript?"""
    comma = tokens[k + 1]
    if comma[1] != "," or comma[0] != "other":
        return False
    start, stop = tokens[k][2], tokens[k + 2][2] + len(tokens[k + 2][1])
    if (start > 0 and text[start - 1] == ",") or text.startswith(",", stop):
        return False  # 1,2,3
    before = tokens[k - 1] if k > 0 else None
    return not (before is not None and before[1] in ("_", "^") and before[0] == "op")  # w_1,2 (w_{1,2}: the caller)


_LEX = re.compile(
    r"(?P<space>[\s~]+)"
    r"|(?P<num>(?:\d+(?:\.\d+|\.(?![.\d]))?|\.\d+)(?:[eE][-+\u2212]?\d+)?)"
    r"|(?P<word>[A-Za-z]+)"
    r"|(?P<cmd>\\[A-Za-z]+)"
    r"|(?P<esc>\\.)"
    r"|(?P<colon>:=)"
    r"|(?P<ch>.)",
    re.S,
)
_ZERO = Fraction(0)
_new_tuple = tuple.__new__
_CHAR_TOKENS: dict[str, tuple[str, str]] = {
    **{c: ("rel", c) for c in "=<>"}, **{c: ("op", c) for c in "+-*/^_'"}, **{c: ("open", c) for c in "([{"},
    **{c: ("close", c) for c in ")]}"}, "&": ("amp", "&"), **_UNICODE,
    **{c: ("cmd", name) for c, name in _GREEK_UNICODE.items()},
}
_TEXT_CMDS = frozenset({"text", "mathrm", "textrm", "operatorname", "mathit", "textit", "mbox", "textbf"})
_CMD_TOKENS: dict[str, tuple[str, str]] = {
    **{name: ("op", "*") for name in _TIMES_CMDS}, "div": ("op", "/"), "prime": ("op", "'"),
    **{name: ("rel", "\u2248" if name not in ("leftarrow", "gets") else "\u2190") for name in _REL_CMDS},
    **{name: ("rel", "\u21d2") for name in ("Rightarrow", "Longrightarrow", "implies", "rightarrow",
                                            "longrightarrow")},  # z_1 = -7.65 \Rightarrow h_1 = ...
}
_NUMBERS: dict[str, Fraction] = {}  # number literal -> value (a write-up repeats its numbers); bounded below
_MAX_NUMBERS = 2048  # (about 200 bytes each: a batch worker fills it from its write-ups, so it stays small)


def _number(literal: str, i: int) -> Fraction:
    """The exact value of a number literal (``0.35``, ``1.``, ``.5``, ``1.2e-5``); the exponent is capped."""
    value = _NUMBERS.get(literal)
    if value is not None:
        return value
    mantissa, _, exponent = literal.replace("E", "e").partition("e")
    whole, _, fraction = mantissa.partition(".")
    value = Fraction(int((whole or "0") + fraction), 10 ** len(fraction))
    if exponent:
        exponent = exponent.replace("\u2212", "-")
        if len(exponent.lstrip("+-")) > 6 or abs(int(exponent)) > MAX_EXPONENT:
            raise LatexError(f"the exponent of the number at position {i + 1} is too large (at most "
                             f"±{MAX_EXPONENT})", i)
        value *= Fraction(10) ** int(exponent)
    if len(_NUMBERS) < _MAX_NUMBERS and len(literal) <= 24:
        _NUMBERS[literal] = value
    return value


# The same alternatives as _LEX, in the same order, without groups, each with the spacing after it: ``findall`` cuts
# a text into the lexemes that matching _LEX from each end onwards finds (every character is in one), the spacing
# that follows one kept with it (no token of its own: one match fewer per space), so each lexeme's token is told by
# a table. Only spacing at the very start of a text is a lexeme of its own.
_LEXEMES = re.compile(
    r"[\s~]+|(?:\d+(?:\.\d+|\.(?![.\d]))?|\.\d+)(?:[eE][-+\u2212]?\d+)?[\s~]*|[A-Za-z]+[\s~]*|\\[A-Za-z]+[\s~]*"
    r"|\\.[\s~]*|:=[\s~]*|.[\s~]*", re.S)
_SPACE_RUN = re.compile(r"[\s~]*")
_COMMAND_NAME = re.compile(r"[A-Za-z]*")
_SKIP = (None, "", _ZERO)  # a lexeme without a token (spacing)
_LEXEME_TOKENS: dict[str, tuple] = {}  # lexeme (with its spacing) -> (kind, text, value) or _SKIP; bounded below
_MAX_LEXEMES = 4096  # (about 290 bytes each: 50,000 held 14 MB, filled over a batch of write-ups)


def _text_command(lexeme: str) -> str | None:
    """The name of the text command (``\\text``, ``\\mathrm``, ...) a lexeme is, else None."""
    if lexeme[0] != "\\":
        return None
    name = _COMMAND_NAME.match(lexeme, 1).group()
    return name if name in _TEXT_CMDS else None


def _lexeme_token(lexeme: str) -> tuple | None:
    """The token of one lexeme (and the spacing after it) wherever it stands, told by the full lexer on the lexeme
    alone; None when it depends on what follows (``\\text`` and the like read the braces after them) or is an error
    (the full lexer then says which, and where)."""
    token = _LEXEME_TOKENS.get(lexeme)
    if token is not None:
        return token
    if _text_command(lexeme) is not None:
        return None
    try:
        tokens = _lex_slow(lexeme)
    except LatexError:
        return None
    end = _LEX.match(lexeme).end()
    if len(tokens) > 1 or (tokens and tokens[0][2] != 0) or _SPACE_RUN.match(lexeme, end).end() != len(lexeme):
        return None
    token = (tokens[0][0], tokens[0][1], tokens[0][3]) if tokens else _SKIP
    if len(_LEXEME_TOKENS) < _MAX_LEXEMES and len(lexeme) <= 40:
        _LEXEME_TOKENS[lexeme] = token
    return token


def _lex(text: str) -> list[tuple]:
    """The tokens of ``text`` (no 'end'): those of :func:`_lex_slow`, told lexeme by lexeme from a table; a text
    command (``\\text{...}``) reads its braces as there, and the lexemes go on after them. The text goes to
    :func:`_lex_slow` when a lexeme is an error or the tokens are too many (it raises, saying where)."""
    out: list[tuple] = []
    get = _LEXEME_TOKENS.get
    start = 0
    while True:
        lexemes = _LEXEMES.findall(text, start)
        kinds = [get(lexeme) for lexeme in lexemes]
        stop = len(kinds)
        if None in kinds:
            for k, kind in enumerate(kinds):
                if kind is None:
                    kind = kinds[k] = _lexeme_token(lexemes[k])
                    if kind is None:
                        if _text_command(lexemes[k]) is not None:
                            stop = k
                            break
                        return _lex_slow(text)
        if stop == len(kinds):
            positions = accumulate(map(len, lexemes), initial=start)
            out += [(kind, tok_text, pos, value) for (kind, tok_text, value), pos in zip(kinds, positions)
                    if kind is not None]
            return _lex_slow(text) if len(out) > MAX_LATEX_TOKENS else out
        positions = list(accumulate(map(len, lexemes[:stop]), initial=start))
        out += [(kind, tok_text, pos, value) for (kind, tok_text, value), pos in zip(kinds[:stop], positions)
                if kind is not None]
        if len(out) > MAX_LATEX_TOKENS:
            return _lex_slow(text)
        i, name = positions[stop], _text_command(lexemes[stop])  # a text command, as in _lex_slow
        j = i + len(name) + 1
        body, after = _braced_text(text, j)
        if body is None:
            out.append(("cmd", name, i, _ZERO))
            start = j
        else:
            out.append(_text_token(body, i))
            start = after


_TEXT_NUMBER = re.compile(r"[ \t]*([-\u2212]?)[ \t]*(\d{1,30}(?:\.\d{1,30})?)[ \t]*")


def _text_token(body: str, i: int) -> tuple:
    """The token of a text command's braced body: its words; a number alone (``\\textbf{0.5933}``, a bold
    answer) is the number."""
    if body.strip() == "e":  # ``\\mathrm{e}^{-z_1}``: the upright e of typeset math is Euler's number, no name
        return ("word", "e", i, _ZERO)
    m = _TEXT_NUMBER.fullmatch(body)
    if m is not None:  # (a sign with it: ``\\text{-7.65}``, the number's own)
        value = _number(m[2], i)
        return ("num", "-" + m[2] if m[1] else m[2], i, -value if m[1] else value)
    return ("text", " ".join(body.replace("\\", " ").replace("~", " ").split()), i, _ZERO)


def _lex_slow(text: str) -> list[Token]:
    """The lexer: one match of _LEX at a time (``\\text{...}`` reads its braces)."""
    out: list[Token] = []
    append, new, token = out.append, _new_tuple, Token

    i, n = 0, len(text)
    match = _LEX.match
    while i < n:
        if len(out) > MAX_LATEX_TOKENS:
            raise LatexError(f"the expression has too many parts (more than {MAX_LATEX_TOKENS})", out[-1].pos)
        m = match(text, i)
        kind, j = m.lastgroup, m.end()
        if kind == "ch":
            ch = m.group()
            known = _CHAR_TOKENS.get(ch)
            if known is not None:
                append(new(token, (known[0], known[1], i, _ZERO)))
            elif ch == "\\":
                raise LatexError(f"a lone backslash at position {i + 1}", i)
            else:
                append(new(token, ("other", ch, i, _ZERO)))
        elif kind == "space":
            pass
        elif kind == "num":
            literal = m.group()
            if len(literal) > 2 * MAX_EXACT_DIGITS // 10:
                raise LatexError(f"the number at position {i + 1} has too many digits", i)
            append(new(token, ("num", literal, i, _number(literal, i))))
        elif kind == "word":
            append(new(token, ("word", m.group(), i, _ZERO)))
        elif kind == "cmd":
            name = m.group()[1:]
            known = _CMD_TOKENS.get(name)
            if known is not None:
                append(new(token, (known[0], known[1], i, _ZERO)))
            elif name in _SPACING:
                pass
            elif name in _TEXT_CMDS:
                body, after = _braced_text(text, j)
                if body is None:
                    append(new(token, ("cmd", name, i, _ZERO)))
                else:
                    append(new(token, _text_token(body, i)))
                    j = after
            else:
                append(new(token, ("cmd", name, i, _ZERO)))
        elif kind == "esc":
            nxt = text[i + 1]
            if nxt == "\\":
                append(new(token, ("newline", "\\\\", i, _ZERO)))
            elif nxt in _SPACING:
                pass
            elif nxt in "{}":  # \{ \} are braces in the output, parentheses for us
                append(new(token, ("open", "(", i, _ZERO) if nxt == "{" else ("close", ")", i, _ZERO)))
            elif nxt in "%$&#_":
                append(new(token, ("other", nxt, i, _ZERO)))
            else:
                append(new(token, ("other", "\\" + nxt, i, _ZERO)))
        else:  # colon
            append(new(token, ("rel", ":=", i, _ZERO)))
        i = j
    if len(out) > MAX_LATEX_TOKENS:
        raise LatexError(f"the expression has too many parts (more than {MAX_LATEX_TOKENS})", out[-1].pos)
    return out


def _braced_text(text: str, i: int) -> tuple[str | None, int]:
    """The text of the ``{...}`` group starting at ``i`` (after spaces), nested braces allowed; (None, i) if none."""
    n = len(text)
    j = i
    while j < n and text[j].isspace():
        j += 1
    if j >= n or text[j] != "{":
        return None, i
    depth, k = 0, j
    while k < n:
        c = text[k]
        if c == "\\":
            k += 2
            continue
        if c == "{":
            depth += 1
            if depth > MAX_DEPTH:
                raise LatexError(f"braces nested too deeply at position {k + 1}", k)
        elif c == "}":
            depth -= 1
            if depth == 0:
                return text[j + 1:k], k + 1
        k += 1
    raise LatexError(f"the '{{' at position {j + 1} is never closed", j)


# ---------------------------------------------------------------------------------------------------- tree


class Node:
    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Number(Node):
    value: Fraction
    text: str  # as written, e.g. "0.60"


@dataclass(frozen=True, slots=True)
class Name(Node):
    """A named quantity as written: ``text`` is its canonical spelling (``w_{5}'``, ``\\delta_{o_1}``,
    ``\\frac{\\partial E_{total}}{\\partial w_{5}}``); ``base``/``sub``/``sup``/``primes`` are its parts."""

    text: str
    base: str = ""
    sub: str = ""
    sup: str = ""
    primes: int = 0


@dataclass(frozen=True, slots=True)
class Const(Node):
    name: str  # "e" or "pi"


@dataclass(frozen=True, slots=True)
class Neg(Node):
    arg: Node


@dataclass(frozen=True, slots=True)
class Add(Node):
    terms: tuple[Node, ...]  # a subtraction is a Neg term


@dataclass(frozen=True, slots=True)
class Mul(Node):
    factors: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Div(Node):
    num: Node
    den: Node


@dataclass(frozen=True, slots=True)
class Pow(Node):
    base: Node
    exp: Node


@dataclass(frozen=True, slots=True)
class Call(Node):
    fn: str  # exp, ln, sigma, tanh, sqrt
    arg: Node


@dataclass(frozen=True, slots=True)
class Sum(Node):
    """``\\sum_{index=lower}^{upper} body``: evaluated by writing it out (:func:`expand_sums`) where it can be."""

    index: str
    lower: Node | None
    upper: Node | None
    body: Node


@dataclass(frozen=True)
class Unreadable:
    text: str
    reason: str


# ---------------------------------------------------------------------------------------------------- parser

_FUNCTIONS = {"exp": "exp", "ln": "ln", "log": "ln", "sigma": "sigma", "tanh": "tanh", "sqrt": "sqrt"}
_WORD_FUNCTIONS = {"exp": "exp", "ln": "ln", "log": "ln", "sigmoid": "sigma", "tanh": "tanh", "sqrt": "sqrt"}
_NAME_CMDS = frozenset({
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "eta", "theta", "lambda", "mu", "tau", "phi",
    "varphi", "Delta", "nabla", "Theta", "omega", "Omega", "rho", "xi", "zeta", "kappa", "nu", "chi", "psi",
})
_ACCENTS = frozenset({"hat", "bar", "tilde", "vec", "mathbf", "boldsymbol", "bm", "dot", "widehat", "overline"})
_BOLD = frozenset({"mathbf", "boldsymbol", "bm"})
# how a value is shown, read as what it holds (``_Parser.wrapped``); never ``\cancel`` (a struck-out value)
_WRAPPERS = frozenset({"boxed", "fbox", "underline", "textcolor", "color", "num", "SI", "underbrace", "overbrace"})
_MARK_WORDS = frozenset({"new", "old", "next", "updated", "prime", "t+1", "(1)", "(2)", "+", "*", "'", "''"})


def read_math(text: str) -> Node | Unreadable:
    """Parse one LaTeX math expression (no relation signs) into a tree, or say why not. Never raises."""
    try:
        return read_tokens(raw_tokens(text), text)
    except LatexError as error:
        return Unreadable(text, error.reason)


def read_tokens(tokens: list[Token], text: str) -> Node | Unreadable:
    """Parse tokens of :func:`tokenize` or :func:`raw_tokens` (a slice of them is fine: an 'end' token is added
    when missing); ``text`` is what a refusal quotes. Never raises."""
    if not tokens or tokens[-1][0] != "end":
        tokens = list(tokens) + [("end", "", tokens[-1][2] + len(tokens[-1][1]) if tokens else 0, _ZERO)]
    try:
        return _Parser(tokens).parse()
    except LatexError as error:
        return Unreadable(text, error.reason)
    except RecursionError:  # not reachable within MAX_DEPTH; kept as a guard
        return Unreadable(text, "the expression is nested too deeply")


_PRIMARY_CMDS = frozenset({*_FUNCTIONS, *_NAME_CMDS, *_ACCENTS, *_WRAPPERS, "frac", "dfrac", "tfrac", "partial", "sum",
                           "pi", "sigma"})
_PRIMARY_KINDS = frozenset({"num", "word", "text", "open"})


class _Parser:
    """Tokens are read by index (``t[0]`` kind, ``t[1]`` text, ``t[2]`` pos, ``t[3]`` value): a ``Token`` or the
    plain tuple of :func:`raw_tokens`. The list always ends with an 'end' token, which is never passed."""

    def __init__(self, tokens: list[Token]) -> None:
        self.toks = tokens
        self.i = 0
        self.depth = 0

    # -- helpers
    @property
    def tok(self) -> Token:
        return self.toks[self.i]

    def peek(self, k: int = 1) -> Token:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def advance(self) -> Token:
        token = self.toks[self.i]
        if token[0] != "end":
            self.i += 1
        return token

    def is_op(self, ops: str) -> bool:
        t = self.toks[self.i]
        return t[0] == "op" and t[1] in ops

    def fail(self, what: str) -> LatexError:
        token = self.toks[self.i]
        found = "the end" if token[0] == "end" else f"{token[1]!r} at position {token[2] + 1}"
        return LatexError(f"{what} (found {found})", token[2])

    def nested(self, parse: Callable[[], Node]) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise LatexError(f"the expression is nested too deeply (more than {MAX_DEPTH} levels)",
                             self.toks[self.i][2])
        try:
            return parse()
        finally:
            self.depth -= 1

    # -- grammar
    def parse(self) -> Node:
        if self.toks[self.i][0] == "end":
            raise LatexError("the expression is empty")
        node = self.expr()
        kind = self.toks[self.i][0]
        if kind != "end":
            if kind == "close":
                raise self.fail("an unmatched closing bracket")
            raise self.fail("unexpected text")
        return node

    def expr(self) -> Node:
        toks = self.toks
        negative = False
        t = toks[self.i]
        while t[0] == "op" and t[1] in "+-":
            negative ^= t[1] == "-"
            self.i += 1
            t = toks[self.i]
        term = self.term()
        terms: list[Node] = [Neg(term) if negative else term]
        t = toks[self.i]
        while t[0] == "op" and t[1] in "+-":
            negative = False
            while t[0] == "op" and t[1] in "+-":
                negative ^= t[1] == "-"
                self.i += 1
                t = toks[self.i]
            term = self.term()
            terms.append(Neg(term) if negative else term)
            t = toks[self.i]
        return terms[0] if len(terms) == 1 else Add(tuple(terms))

    def term(self) -> Node:
        toks = self.toks
        quick = _quick_factor(toks, self.i)
        if quick is None:
            node = self.factor()
        else:
            node, self.i = quick
        factors = [node]
        while True:
            t = toks[self.i]
            kind = t[0]
            if kind == "op":
                if t[1] == "*":
                    self.i += 1
                    quick = _quick_factor(toks, self.i)
                    if quick is None:
                        right = self.factor()
                    else:
                        right, self.i = quick
                    scientific = _scientific(factors[-1], right)
                    if scientific is not None:
                        factors[-1] = scientific
                    else:
                        factors.append(right)
                elif t[1] == "/":
                    self.i += 1
                    den = self.factor()
                    left = factors.pop()
                    factors.append(_partial_fraction(left, den) or Div(left, den))
                else:
                    break
            elif kind in _PRIMARY_KINDS or (kind == "cmd" and t[1] in _PRIMARY_CMDS):
                if kind == "word":
                    simple = _simple_name(toks, self.i)  # w_1 in w_1 i_1: what power() would give, told here
                    if simple is not None:
                        self.i = simple[1]
                        factors.append(simple[0])
                        continue
                elif kind == "num" and isinstance(factors[-1], Number):
                    raise self.fail("two numbers side by side: put an operator such as \\cdot between them")
                factors.append(self.power())
            else:
                break
        return factors[0] if len(factors) == 1 else Mul(tuple(factors))

    def starts_primary(self) -> bool:
        t = self.toks[self.i]
        return t[0] in _PRIMARY_KINDS or (t[0] == "cmd" and t[1] in _PRIMARY_CMDS)

    def factor(self) -> Node:
        t = self.toks[self.i]
        if t[0] == "op" and t[1] in "+-":
            self.i += 1
            inner = self.nested(self.factor)
            return Neg(inner) if t[1] == "-" else inner
        return self.power()

    def power(self) -> Node:
        base = self.primary()
        toks = self.toks
        t = toks[self.i]
        while t[0] == "op" and t[1] == "^":
            self.i += 1
            exponent = self.nested(self.script)
            if isinstance(base, Const) and base.name == "e":
                base = Call("exp", exponent)
            else:
                base = Pow(base, exponent)
            t = toks[self.i]
        return base

    def script(self) -> Node:
        """The argument of ``^``: a group, a signed number, or one primary."""
        t = self.toks[self.i]
        if t[0] == "open" and t[1] == "{":
            return self.group()
        if t[0] == "op" and t[1] in "+-":
            self.i += 1
            inner = self.primary()
            return Neg(inner) if t[1] == "-" else inner
        return self.primary()

    def group(self) -> Node:
        opening = self.advance()
        if opening[0] != "open" or opening[1] != "{":
            self.i -= 1
            raise self.fail("expected '{'")
        inner = self.nested(self.expr)
        self.close("}", opening)
        return inner

    def close(self, want: str, opening: Token) -> None:
        if self.toks[self.i][0] != "close":
            raise self.fail(f"missing '{want}' to close the '{opening[1]}' at position {opening[2] + 1}")
        self.i += 1

    def primary(self) -> Node:
        toks = self.toks
        i = self.i
        t = toks[i]
        kind = t[0]
        if kind == "word":
            text = t[1]
            nxt = toks[i + 1]  # (a word is never the last token)
            if nxt[0] == "op" and nxt[1] == "_":
                simple = _simple_name(toks, i)
                if simple is not None:
                    self.i = simple[1]
                    return simple[0]
            adjacent = nxt[0] == "num" and nxt[2] == t[2] + len(text) and nxt[1].isdigit()
            if text == "e" and not (nxt[0] == "op" and nxt[1] in "_'") and not adjacent:
                self.i = i + 1
                return Const("e")
            if nxt[0] == "open" and nxt[1] == "(" and text.lower() in _WORD_FUNCTIONS:
                self.i = i + 1  # exp(x), sigmoid(x) as typed in plain text
                return Call(_WORD_FUNCTIONS[text.lower()], self.nested(self.primary))
            if adjacent:  # z1, w5, h2 as typed without an underscore: the digits are the subscript
                self.i = i + 2
                return self.name_rest(text, nxt[1])
            self.i = i + 1
            return self.name_rest(text)
        if kind == "num":
            self.i = i + 1
            return Number(t[3], t[1])
        if kind == "open":
            self.i = i + 1
            if toks[i + 1][0] == "close":
                raise self.fail("empty brackets")
            self.depth += 1  # self.nested(self.expr), inlined
            if self.depth > MAX_DEPTH:
                raise LatexError(f"the expression is nested too deeply (more than {MAX_DEPTH} levels)",
                                 toks[self.i][2])
            try:
                inner = self.expr()
            finally:
                self.depth -= 1
            self.close({"(": ")", "[": "]", "{": "}"}[t[1]], t)
            return self.name_marks(inner) if isinstance(inner, Name) else inner
        if kind == "text":
            self.i = i + 1
            return self.name_rest(r"\text{" + t[1] + "}") if t[1] else Number(Fraction(1), "")
        if kind == "cmd":
            return self.command(t)
        if kind == "end":
            raise self.fail("a number or expression is missing")
        raise self.fail("unexpected symbol")

    def is_name_script(self, k: int) -> bool:
        nxt = self.peek(k)
        return nxt[0] == "op" and nxt[1] in "_'"

    def command(self, t: Token) -> Node:
        name = t[1]
        if name in ("frac", "dfrac", "tfrac"):
            self.advance()
            num = self.nested(self.group_or_atom)
            den = self.nested(self.group_or_atom)
            return _partial_fraction(num, den) or Div(num, den)
        if name == "sqrt":
            self.advance()
            if self.tok[0] == "open" and self.tok[1] == "[":
                raise self.fail("only square roots are read")
            return Call("sqrt", self.nested(self.group_or_atom))
        if name == "pi":
            self.advance()
            return Const("pi")
        if name == "partial":
            self.advance()
            inner = self.nested(self.primary)
            if not isinstance(inner, Name):
                raise self.fail("a name is expected after \\partial")
            return Name(r"\partial " + inner.text, "partial", inner.text)
        if name == "sum":
            return self.sum()
        if name in _FUNCTIONS:
            nxt = self.peek()
            if name == "sigma" and not (nxt[0] == "open" and nxt[1] == "("):
                self.advance()
                return self.name_rest(r"\sigma")
            self.advance()
            if self.tok[0] == "op" and self.tok[1] == "^":  # \exp^{...} is not a thing; \log^2 neither
                raise self.fail(f"a power of \\{name} is not read")
            if self.tok[0] == "open":
                arg = self.nested(self.primary)
            else:
                arg = self.nested(self.power)
            return Call(_FUNCTIONS[name], arg)
        if name in _NAME_CMDS:
            self.advance()
            return self.name_rest("\\" + name)
        if name in _ACCENTS:
            self.advance()
            if self.tok[0] == "open" and self.tok[1] == "{":
                inner = self.group()
            else:
                inner = self.primary()
            if not isinstance(inner, Name):
                if name in _BOLD and not has_names(inner):
                    return inner  # \mathbf{-7.65}: a number in bold is the number
                raise self.fail(f"a name is expected in \\{name}")
            return self.name_rest("\\" + name + "{" + inner.text + "}")
        if name in _WRAPPERS:
            return self.wrapped(name)
        raise self.fail(f"the command \\{name} is not read")

    def wrapped(self, name: str) -> Node:
        """``\\boxed{-7.65}``, ``\\underline{...}``, ``\\textcolor{red}{...}``, ``\\color{red}{...}``, siunitx's
        ``\\num{4.758e-4}`` and ``\\SI{4.758e-4}{\\meter}``, ``\\underbrace{...}_{label}``: how the value is shown, read
        as what it holds (a colour, a unit or a brace's label is skipped; only the braced forms are read)."""
        self.advance()
        if name in ("textcolor", "color"):
            self.skip_group()
        if not (self.tok[0] == "open" and self.tok[1] == "{"):
            raise self.fail(f"\\{name} is read only with its braces")
        inner = self.nested(self.group)
        if name == "SI":
            self.skip_group()
        if name in ("underbrace", "overbrace") and self.tok[0] == "op" and self.tok[1] in "_^":
            self.advance()  # \underbrace{(-15)(0.8)}_{-12}: the brace's label is a remark, not a power or an index
            if self.tok[0] == "open" and self.tok[1] == "{":
                self.skip_group()
            elif self.tok[0] != "end":
                self.advance()
        return inner

    def skip_group(self) -> None:
        """Step over one braced group of words (a colour, a unit), whatever is in it."""
        if not (self.tok[0] == "open" and self.tok[1] == "{"):
            raise self.fail("a group in braces is expected")
        depth = 0
        while True:
            t = self.advance()
            if t[0] == "end":
                raise self.fail("a '{' is never closed")
            if t[0] == "open":
                depth += 1
            elif t[0] == "close":
                depth -= 1
                if depth == 0:
                    return

    def group_or_atom(self) -> Node:
        t = self.tok
        if t[0] == "open" and t[1] == "{":
            return self.group()
        if t[0] == "num":  # \frac12 is 1/2
            self.advance()
            if len(t[1]) > 1 and t[1].isdigit():
                self.toks.insert(self.i, Token("num", t[1][1:], t[2] + 1, Fraction(t[1][1:])))
                return Number(Fraction(t[1][0]), t[1][0])
            return Number(t[3], t[1])
        return self.primary()

    def sum(self) -> Node:
        self.advance()
        index, lower, upper = "", None, None
        for _ in range(2):
            if self.is_op("_"):
                self.advance()
                body = self.nested(self.script_text_or_node)
                if isinstance(body, tuple):
                    index, lower, listed = body
                    if listed is not None:
                        if upper is not None or self.is_op("^"):
                            raise self.fail("a \\sum with a list of indices and an upper bound too")
                        upper = listed
                else:
                    index = body.text if isinstance(body, Name) else ""
            elif self.is_op("^"):
                self.advance()
                if upper is not None:
                    raise self.fail("a \\sum with a list of indices and an upper bound too")
                upper = self.nested(self.script)
        body = self.nested(self.term)
        return Sum(index, lower, upper, body)

    def script_text_or_node(self):
        """``_{i=1}`` of a sum: (index, lower bound, None); ``_{i=1,2,3}``, a list of consecutive whole numbers:
        (index, first, last), the range they make; or a plain name."""
        if self.tok[0] == "open" and self.tok[1] == "{":
            opening = self.advance()
            first = self.nested(self.expr)
            if self.tok[0] == "rel" and self.tok[1] == "=":
                self.advance()
                lower = self.nested(self.expr)
                last = self.index_list(lower) if self.tok[0] == "other" and self.tok[1] == "," else None
                self.close("}", opening)
                return (first.text if isinstance(first, Name) else "", lower, last)
            self.close("}", opening)
            return first
        return self.primary()

    def index_list(self, lower: Node) -> Node:
        """The rest of ``_{i=1,2,3}`` after its first number: the last number, where the list is whole numbers in
        steps of one (``1,2``; ``1,2,3``), the range the sum runs over. Any other list (``1,3``, ``a,b``) is refused
        with a reason: a sum over a set of indices is not a range."""
        previous = lower
        while self.tok[0] == "other" and self.tok[1] == ",":
            self.advance()
            if self.tok[0] != "num" or not isinstance(previous, Number):
                raise self.fail("a \\sum whose indices are not a list of whole numbers")
            number = self.nested(self.primary)
            step = number.value - previous.value if isinstance(number, Number) else None
            if step != 1 or previous.value.denominator != 1:
                raise self.fail("a \\sum over indices that are not whole numbers in steps of one")
            previous = number
        return previous

    # -- names
    def name_rest(self, base: str, sub: str = "") -> Node:
        """Subscripts, marks and primes after a name's base (a second subscript joins the first: ``w5_new``; an
        empty superscript ``^{}`` is nothing)."""
        sup, primes = "", 0
        toks = self.toks
        while True:
            t = toks[self.i]
            if t[0] != "op":
                break
            op = t[1]
            if op == "_" and sub.count("_") < 3:
                self.i += 1
                more = self.sub_text()
                sub = f"{sub}_{more}" if sub else more
            elif op == "'":
                self.i += 1
                primes += 1
            elif op == "^" and toks[self.i + 1][:2] == ("open", "{") and toks[self.i + 2][:2] == ("close", "}"):
                self.i += 3  # an empty superscript, ``\delta^{}_{o1}`` (an equation editor's): typeset as nothing
            elif op == "^" and not sup:
                mark = self.mark_text()
                if mark is None:
                    label = self.layer_label(base, sub)
                    if label is None:
                        mark = self.layer_number(base, sub)
                        if mark is None:
                            break
                    else:
                        sub = f"{label}_{sub}" if sub else label  # \delta^{o}_{1}, \delta_1^{o}: \delta_{o_1}
                        continue
                sup = mark
            else:
                break
        return _make_name(base, sub, sup, primes)

    def layer_label(self, base: str, sub: str) -> str | None:
        """A one-letter superscript naming the layer of the unit the subscript numbers, ``\\delta^{o}_{1}`` or
        ``\\delta_1^{o}`` (δ of output unit 1: ``o_1``): the letter, read past; else None, nothing read (a power).
        Only with a number as the subscript, written before (``_1^{o}``) or right after (``^{o}_{1}``), and never
        after ``e`` (``e^{x}`` is a power)."""
        if base == "e" or (sub and not sub.isdecimal()):
            return None
        return self._script(lambda t: t[0] == "word" and len(t[1]) == 1, subscript_next=not sub)

    def layer_number(self, base: str, sub: str) -> str | None:
        """A layer's number as a superscript written before the subscript, Nielsen's ``\\delta^3_1`` and
        ``z^{2}_{1}`` (a power cannot take a subscript after it): the digits, read past; else None, nothing read.
        Never after a subscript (``h_1^2`` is a power) nor after ``e``."""
        if base == "e" or sub:
            return None
        return self._script(lambda t: t[0] == "num" and t[1].isdecimal() and len(t[1]) <= 2, subscript_next=True)

    def _script(self, wanted, *, subscript_next: bool) -> str | None:
        """The superscript at the ``^`` here when it is one token, bare or in braces, that ``wanted`` accepts (and,
        with ``subscript_next``, a ``_`` follows it): its text, read past; else None, nothing read."""
        toks, j = self.toks, self.i + 1
        braced = toks[j][0] == "open" and toks[j][1] == "{"
        token = toks[j + 1] if braced else toks[j]
        if not wanted(token):
            return None
        j += 3 if braced else 1
        if braced and not (toks[j - 1][0] == "close" and toks[j - 1][1] == "}"):
            return None
        if subscript_next and not (toks[j][0] == "op" and toks[j][1] == "_"):
            return None
        self.i = j
        return token[1]

    def name_marks(self, name: Name) -> Node:
        """Primes after a parenthesised name: ``(w_5)'``."""
        primes = name.primes
        while self.is_op("'"):
            self.advance()
            primes += 1
        return name if primes == name.primes else _make_name(name.base, name.sub, name.sup, primes)

    def sub_text(self) -> str:
        """A subscript as text: ``{...}`` rendered canonically, or digits, or letters followed by digits."""
        toks = self.toks
        t = toks[self.i]
        kind = t[0]
        if kind == "num":
            self.i += 1
            return t[1]
        if kind == "word":
            self.i += 1
            text = t[1]
            n = toks[self.i]
            if n[0] == "num" and n[2] == t[2] + len(text) and n[1].isdigit():
                self.i += 1
                text += n[1]
            return text
        if kind == "open" and t[1] == "{":
            opening = self.advance()
            parts: list[str] = []
            depth = 0
            while True:
                t = self.tok
                if t[0] == "end":
                    raise LatexError(f"the '{{' at position {opening[2] + 1} is never closed", opening[2])
                if t[0] == "open":
                    depth += 1
                    if depth > MAX_DEPTH:
                        raise LatexError("braces nested too deeply", t[2])
                elif t[0] == "close":
                    if depth == 0:
                        self.advance()
                        break
                    depth -= 1
                parts.append(_token_text(t))
                self.advance()
            return _squash(parts)
        if kind == "cmd":
            self.advance()
            return "\\" + t[1]
        raise self.fail("a subscript is missing")

    def mark_text(self) -> str | None:
        """A superscript that marks a name (``^{+}``, ``^{new}``, ``^{(1)}``, ``^*``, ``^\\prime``), else None (a
        power: the caller leaves the ``^`` for :meth:`power`)."""
        save = self.i
        self.advance()  # ^
        t = self.tok
        if t[0] == "op" and t[1] in "+*'":
            self.advance()
            return "'" if t[1] == "'" else t[1]
        if t[0] == "open" and t[1] == "{":
            self.advance()
            parts: list[str] = []
            while self.tok[0] not in ("end",) and not (self.tok[0] == "close" and self.tok[1] == "}"):
                parts.append(_token_text(self.tok))
                self.advance()
                if len(parts) > 8:
                    break
            text = _squash(parts)
            if self.tok[0] == "close" and self.tok[1] == "}" and (
                    text in _MARK_WORDS or text in ("\\text{new}", "\\text{old}") or
                    (text.startswith("(") and text.endswith(")") and text[1:-1].isdigit())):
                self.advance()
                return text.replace("\\text{", "").replace("}", "") if text.startswith("\\text{") else text
        if t[0] == "text" and t[1] in ("new", "old", "updated"):
            self.advance()
            return t[1]
        self.i = save
        return None


def _simple_name(toks: list, i: int) -> tuple[Name, int] | None:
    """The name at ``toks[i]`` (a word) when it is written plainly, ``w_1``, ``w_x``, ``out_h1``: one subscript of a
    number or a word (with the digits right after it), and no second subscript, prime or superscript after it; with
    the index of the token after it. What :meth:`_Parser.name_rest` reads there, told without it. None otherwise."""
    nxt = toks[i + 1]
    if nxt[0] != "op" or nxt[1] != "_":
        return None
    s = toks[i + 2]
    j = i + 3
    if s[0] == "num":
        sub = s[1]
    elif s[0] == "word":
        sub = s[1]
        d = toks[j]
        if d[0] == "num" and d[2] == s[2] + len(sub) and d[1].isdigit():
            sub += d[1]
            j += 1
    else:
        return None
    after = toks[j]
    if after[0] == "op" and after[1] in "_'^":
        return None
    base = toks[i][1]
    name = _NAMES.get((base, sub, "", 0))  # _make_name's table, looked up here first
    return (name if name is not None else _make_name(base, sub, "", 0)), j


def _quick_factor(toks: list, i: int) -> tuple[Node, int] | None:
    """What :meth:`_Parser.factor` reads at ``toks[i]`` when it is a plainly written name (:func:`_simple_name`) or
    a number without a power after it, with the index of the token after it, told without the grammar's calls; None
    otherwise (the grammar reads it)."""
    t = toks[i]
    kind = t[0]
    if kind == "word":
        return _simple_name(toks, i)
    if kind == "num":
        nxt = toks[i + 1]
        if nxt[0] != "op" or nxt[1] != "^":
            return Number(t[3], t[1]), i + 1
    return None


def _scientific(left: Node, right: Node) -> Number | None:
    """``8.0707 \\times 10^{-6}`` is one number (so a substituted value is one leaf of the tree)."""
    if not (isinstance(left, Number) and isinstance(right, Pow) and type(right.base) is Number
            and right.base.text == "10" and right.base.value == 10):
        return None
    exponent = right.exp
    sign = 1
    if isinstance(exponent, Neg):
        sign, exponent = -1, exponent.arg
    if not (isinstance(exponent, Number) and exponent.value.denominator == 1 and exponent.value <= MAX_EXPONENT):
        return None
    k = sign * int(exponent.value)
    return Number(left.value * Fraction(10) ** k, f"{left.text}×10^{k}")


def _token_text(t: Token) -> str:
    if t[0] == "cmd":
        return "\\" + t[1] + " "
    if t[0] == "text":
        return "\\text{" + t[1] + "}"
    return t[1]


def _squash(parts: list[str]) -> str:
    return "".join(parts).strip().replace(" _", "_").replace(" }", "}")


_NAMES: dict[tuple, Name] = {}  # (base, sub, sup, primes) -> Name (a write-up repeats its names); bounded below
_MAX_NAMES = 2048


def _make_name(base: str, sub: str, sup: str, primes: int) -> Name:
    key = (base, sub, sup, primes)
    name = _NAMES.get(key)
    if name is None:
        text = base + (f"_{{{sub}}}" if sub else "") + (f"^{{{sup}}}" if sup else "") + "'" * primes
        name = Name(text, base, sub, sup, primes)
        if len(_NAMES) < _MAX_NAMES and len(text) <= 200:
            _NAMES[key] = name
    return name


def _partial_fraction(num: Node, den: Node) -> Name | None:
    """``\\partial E / \\partial w_5`` (or ``\\frac{...}{...}``, also with ``d``): one name."""
    if isinstance(num, Name) and isinstance(den, Name) and num.base == "partial" and den.base == "partial":
        return Name(r"\frac{\partial " + num.sub + r"}{\partial " + den.sub + "}", "derivative", den.sub, num.sub)
    return None


# ---------------------------------------------------------------------------------------------------- evaluation

Value = Union[Fraction, mpmath.mpf]


class NotEvaluable(Exception):
    """The tree has a free name, a sum, or a value out of range: ``reason`` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_FREE: dict[int, tuple[Node, tuple[Name, ...]]] = {}  # id(tree) -> (tree, its names): the last trees asked about
_MAX_FREE = 256  # (a caller asks about a tree several times in a row; the tree is held, so its id stays its own)


def free_names(node: Node) -> list[Name]:
    """The names in ``node``, in order of first use, without repeats (by text)."""
    kind = type(node)
    if kind is Name:
        return [node]
    if kind is Number:
        return []
    memo = _FREE.get(id(node))
    if memo is not None and memo[0] is node:
        return list(memo[1])
    names = _free_names(node)
    if len(_FREE) >= _MAX_FREE:
        _FREE.clear()
    _FREE[id(node)] = (node, tuple(names))
    return names


def has_names(node: Node) -> bool:
    """``bool(free_names(node))``, told without listing them: stops at the first name."""
    stack = [node]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        n = pop()
        kind = type(n)
        if kind is Name:
            return True
        if kind is Number or kind is Const:
            continue
        if kind is Mul:
            extend(n.factors)
        elif kind is Add:
            extend(n.terms)
        elif kind is Neg or kind is Call:
            push(n.arg)
        elif kind is Div:
            extend((n.den, n.num))
        elif kind is Pow:
            extend((n.exp, n.base))
        elif free_names(n):  # a sum (its index is bound), or any other class: as free_names tells
            return True
    return False


def _free_names(node: Node) -> list[Name]:
    out: dict[str, Name] = {}
    stack = [node]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        n = pop()
        kind = type(n)  # the usual classes first, by identity; any other (a subclass) by the isinstance chain
        if kind is Name:
            if n.text not in out:
                out[n.text] = n
        elif kind is Number or kind is Const:
            pass
        elif kind is Mul:
            extend(reversed(n.factors))
        elif kind is Add:
            extend(reversed(n.terms))
        elif kind is Neg or kind is Call:
            push(n.arg)
        elif isinstance(n, Name):
            out.setdefault(n.text, n)
        elif isinstance(n, (Neg, Call)):
            stack.append(n.arg)
        elif isinstance(n, Add):
            stack.extend(reversed(n.terms))
        elif isinstance(n, Mul):
            stack.extend(reversed(n.factors))
        elif isinstance(n, Div):
            stack.extend((n.den, n.num))
        elif isinstance(n, Pow):
            stack.extend((n.exp, n.base))
        elif isinstance(n, Sum):  # its bounds' names, then its body's but the index (bound by the sum)
            inner = [n.lower, n.upper, n.body]
            for part in inner:
                for name in free_names(part) if part is not None else ():
                    if part is not n.body or name.text != n.index:
                        out.setdefault(name.text, name)
    return list(out.values())


def evaluate(node: Node, env: Mapping[str, Value] | None = None) -> Value:
    """The value of ``node``: a ``Fraction`` while exact, else an ``mpmath.mpf`` (``PRECISION_DIGITS`` digits).
    Names are looked up by their text in ``env``. Raises :class:`NotEvaluable`."""
    with mpmath.workdps(PRECISION_DIGITS):
        return _eval(node, env or {}, 0)


def _eval(n: Node, env: Mapping[str, Value], depth: int) -> Value:
    if depth > 4 * MAX_DEPTH:
        raise NotEvaluable("the expression is nested too deeply")
    d = depth + 1
    if isinstance(n, Number):
        return n.value
    if isinstance(n, Name):
        if n.text in env:
            return env[n.text]
        raise NotEvaluable(f"it uses {n.text}, which has no value here")
    if isinstance(n, Const):
        return mpmath.e if n.name == "e" else mpmath.pi
    if isinstance(n, Neg):
        return -_eval(n.arg, env, d)
    if isinstance(n, Add):
        acc: Value = Fraction(0)
        for t in n.terms:
            v = _eval(t, env, d)
            acc = _check(acc + v if _both_exact(acc, v) else _mix(acc) + _mix(v))
        return acc
    if isinstance(n, Mul):
        acc = Fraction(1)
        for f in n.factors:
            v = _eval(f, env, d)
            acc = _check(acc * v if _both_exact(acc, v) else _mix(acc) * _mix(v))
        return acc
    if isinstance(n, Div):
        a, b = _eval(n.num, env, d), _eval(n.den, env, d)
        if b == 0:
            raise NotEvaluable("it divides by zero")
        return _check(a / b if _both_exact(a, b) else _mix(a) / _mix(b))
    if isinstance(n, Pow):
        return _power(_eval(n.base, env, d), _eval(n.exp, env, d))
    if isinstance(n, Call):
        return _call(n.fn, _eval(n.arg, env, d))
    if isinstance(n, Sum):
        return _eval(expand_sums(n), env, d)
    raise NotEvaluable("this expression is not evaluated")


def _both_exact(a: Value, b: Value) -> bool:
    return isinstance(a, Fraction) and isinstance(b, Fraction)


def _mix(v: Value) -> mpmath.mpf:
    return mpmath.mpf(v.numerator) / v.denominator if isinstance(v, Fraction) else v


def _check(v: Value) -> Value:
    if isinstance(v, Fraction):
        if abs(v) > _LIMIT:
            raise NotEvaluable("a value is beyond the range of numbers (about 1e308)")
        if max(v.numerator.bit_length(), v.denominator.bit_length()) > _MAX_EXACT_BITS:
            return _mix(v)
        return v
    if not mpmath.isfinite(v) or abs(v) > mpmath.mpf(10) ** 308:
        raise NotEvaluable("a value is beyond the range of numbers (about 1e308)")
    return v


def _power(base: Value, exponent: Value) -> Value:
    if abs(exponent) > MAX_EXPONENT:
        raise NotEvaluable(f"an exponent is too large (at most ±{MAX_EXPONENT})")
    if base == 0 and exponent < 0:
        raise NotEvaluable("0 to a negative power divides by zero")
    if isinstance(exponent, Fraction) and exponent.denominator == 1 and isinstance(base, Fraction):
        k = int(exponent)
        if abs(k) * max(base.numerator.bit_length(), base.denominator.bit_length(), 1) <= _MAX_EXACT_BITS:
            return _check(base ** k)
    b, x = _mix(base), _mix(exponent)
    if b < 0 and not (isinstance(exponent, Fraction) and exponent.denominator == 1):
        raise NotEvaluable("a negative number to a non-integer power is not real")
    if b != 0 and abs(x * mpmath.log(abs(b), 10)) > 308:
        raise NotEvaluable("a power is beyond the range of numbers (about 1e308)")
    return _check(mpmath.power(b, x))


def _call(fn: str, x: Value) -> Value:
    if fn == "sqrt":
        if x < 0:
            raise NotEvaluable("the square root of a negative number is not real")
        if isinstance(x, Fraction):
            top, bottom = math.isqrt(x.numerator), math.isqrt(x.denominator)
            if top * top == x.numerator and bottom * bottom == x.denominator:
                return Fraction(top, bottom)
        return mpmath.sqrt(_mix(x))
    if fn == "ln":
        if x <= 0:
            raise NotEvaluable("the logarithm of zero or a negative number is not defined")
        return mpmath.log(_mix(x))
    v = _mix(x)
    if fn == "exp":
        if v > 709:
            raise NotEvaluable("e to a power this large is beyond the range of numbers (about 1e308)")
        return mpmath.exp(v)
    if fn == "tanh":
        return mpmath.tanh(v)
    if v < -709:
        return mpmath.exp(v) / (1 + mpmath.exp(v))
    return 1 / (1 + mpmath.exp(-v))  # sigma


# ---------------------------------------------------------------------------------------------------- sums

MAX_SUM_TERMS = 100  # terms of one \sum written out
_INDEX = re.compile(r"[A-Za-z]{1,3}")
UpperBound = Callable[[str, int, Node, "Node | None"], "int | None"]


def expand_sums(node: Node, upper: UpperBound | None = None) -> Node:
    """``node`` with every ``\\sum`` written out as the sum of its terms, so that it evaluates, matches and is
    checked like any expression written out by hand:

    * ``\\sum_{i=1}^{2} w_i x_i`` -> ``w_{1} x_{1} + w_{2} x_{2}``: the index, standing alone in a name's subscript
      (``w_i``, ``\\delta_{o_i}``, ``w_{i+4}`` -> ``w_{5}``) or as a number (``\\sum_{i=1}^{3} i``), is replaced by
      each whole number from the lower bound (1 if none) to the upper;
    * an upper bound that is missing or not a number (``\\sum_k``, ``\\sum_{k=1}^{n}``) is asked of ``upper(index,
      lower, body, bound)`` (``bound``: the upper bound as written, or None), which knows the problem and the
      write-up (``grader.submission.sums``); None: the sum cannot be read (it may raise with its own reason);
    * ``\\sum`` without an index over a name-free body (``\\sum (0.1 + 0.2)``) is that body.

    At most ``MAX_SUM_TERMS`` terms, and the written-out tree at most ``MAX_LATEX_TOKENS`` nodes (no larger than an
    expression that could be written). Raises :class:`NotEvaluable` with a reason starting ``\\sum with`` when a
    sum cannot be read; returns ``node`` itself when it has no sum."""
    if not _has_sum(node):
        return node
    out = _expand(node, upper, 0)
    if node_count(out, MAX_LATEX_TOKENS) > MAX_LATEX_TOKENS:
        raise NotEvaluable(f"\\sum with too many parts once written out (more than {MAX_LATEX_TOKENS})")
    return out


def index_names(body: Node, index: str) -> list[Name]:
    """The names of ``body`` that depend on ``index`` (``w_i``, ``\\delta_{o_i}``; not ``i`` itself), in order."""
    pattern = _index_pattern(index)
    return [name for name in free_names(body)
            if name.text != index and _substitute_name(name, index, pattern, 0) is not name]


def name_for_index(name: Name, index: str, k: int) -> Node:
    """``name`` with ``index`` replaced by ``k`` (``w_{i+4}``, i = 1: ``w_{5}``); a number for the index itself."""
    return _substitute_name(name, index, _index_pattern(index), k)


def _has_sum(node: Node) -> bool:
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Sum):
            return True
        stack.extend(_children(n))
    return False


def _children(n: Node) -> tuple:
    if isinstance(n, (Neg, Call)):
        return (n.arg,)
    if isinstance(n, Add):
        return n.terms
    if isinstance(n, Mul):
        return n.factors
    if isinstance(n, Div):
        return n.num, n.den
    if isinstance(n, Pow):
        return n.base, n.exp
    if isinstance(n, Sum):
        return tuple(x for x in (n.lower, n.upper, n.body) if x is not None)
    return ()


def node_count(node: Node, limit: int) -> int:
    """The number of nodes of ``node``, counting stopped past ``limit``."""
    count, stack = 0, [node]
    while stack and count <= limit:
        n = stack.pop()
        count += 1
        stack.extend(_children(n))
    return count


def _rebuild(n: Node, parts: list[Node]) -> Node:
    if isinstance(n, Neg):
        return Neg(parts[0])
    if isinstance(n, Call):
        return Call(n.fn, parts[0])
    if isinstance(n, Add):
        return Add(tuple(parts))
    if isinstance(n, Mul):
        return Mul(tuple(parts))
    if isinstance(n, Div):
        return Div(parts[0], parts[1])
    if isinstance(n, Pow):
        return Pow(parts[0], parts[1])
    return n


def _expand(n: Node, upper: UpperBound | None, depth: int) -> Node:
    if depth > 4 * MAX_DEPTH:
        raise NotEvaluable("the expression is nested too deeply")
    if isinstance(n, Sum):
        return _expand(_written_out(n, upper), upper, depth + 1)
    children = _children(n)
    if not children:
        return n
    parts = [_expand(c, upper, depth + 1) for c in children]
    return n if all(a is b for a, b in zip(parts, children)) else _rebuild(n, parts)


def _whole(bound: Node) -> int | None:
    if free_names(bound) or _has_sum(bound):
        return None
    try:
        v = evaluate(bound)
    except NotEvaluable:
        return None
    return int(v) if isinstance(v, Fraction) and v.denominator == 1 else None


def _written_out(n: Sum, upper: UpperBound | None) -> Node:
    """The terms of one sum (its inner sums still to expand)."""
    if not n.index:
        if n.lower is not None or n.upper is not None:
            raise NotEvaluable("\\sum with bounds but no index")
        if free_names(n.body):
            raise NotEvaluable("\\sum with named terms but no index (over what?)")
        return n.body
    if not _INDEX.fullmatch(n.index):
        raise NotEvaluable(f"\\sum with an index that is not a letter ({_plain_name(n.index)})")
    lower = 1 if n.lower is None else _whole(n.lower)
    if lower is None:
        raise NotEvaluable(f"\\sum with a lower bound that is not a whole number ({to_text(n.lower, 40)})")
    top = _whole(n.upper) if n.upper is not None else None
    if top is None and n.upper is not None and not free_names(n.upper):
        raise NotEvaluable(f"\\sum with an upper bound that is not a whole number ({to_text(n.upper, 40)})")
    if top is None:
        top = upper(n.index, lower, n.body, n.upper) if upper is not None else None
        if top is None:
            shown = to_text(n.upper, 40) if n.upper is not None else "?"
            raise NotEvaluable(f"\\sum with a range that cannot be told ({n.index} from {lower} to {shown})")
    count = top - lower + 1
    if count < 1:
        raise NotEvaluable(f"\\sum with no terms ({n.index} from {lower} to {top})")
    if count > MAX_SUM_TERMS:
        raise NotEvaluable(f"\\sum with too many terms ({count}; at most {MAX_SUM_TERMS})")
    if count * node_count(n.body, MAX_LATEX_TOKENS) > MAX_LATEX_TOKENS:
        raise NotEvaluable(f"\\sum with too many parts once written out (more than {MAX_LATEX_TOKENS})")
    pattern = _index_pattern(n.index)
    terms = tuple(_substitute(n.body, n.index, pattern, k, 0) for k in range(lower, top + 1))
    return terms[0] if len(terms) == 1 else Add(terms)


def _index_pattern(index: str) -> re.Pattern:
    """The index standing alone in a subscript: not inside a word, a command or a number (``w_{1i}`` keeps it)."""
    return re.compile(r"(?<![A-Za-z0-9\\])" + re.escape(index) + r"(?![A-Za-z0-9])")


_SUB_ARITHMETIC = re.compile(r"\d+(?:[+-]\d+)+")


_SUB_TERM = re.compile(r"([+-]?)(\d*)([A-Za-z]?)")


def _linear_subscript(text: str, index: str, k: int) -> str | None:
    """A subscript that is a sum of whole numbers and multiples of a one-letter index, with at least one sign
    (``2i-1``, ``i+2j``: no), its value for index = ``k`` (``2i-1``, i = 3: ``5``); else ``None``. Without a sign the
    digits and the letter are two indices (``w_{2i}``: from unit 2 to unit i), as before."""
    if len(index) != 1 or not index.isalpha() or len(text) > 12 or not ("+" in text[1:] or "-" in text[1:]):
        return None
    total, pos, seen = 0, 0, False
    while pos < len(text):
        m = _SUB_TERM.match(text, pos)
        sign, digits, letter = m.groups()
        if m.end() == pos or (pos and not sign) or (not digits and not letter) or (letter and letter != index):
            return None
        value = (int(digits) if digits else 1) * (k if letter else 1)
        total += -value if sign == "-" else value
        seen = seen or bool(letter)
        pos = m.end()
    return str(total) if seen else None


def _subscript(text: str, index: str, pattern: re.Pattern, k: int) -> str:
    linear = _linear_subscript(text, index, k)  # w_{2i-1}, w_{i+4}
    if linear is not None:
        return linear
    out = pattern.sub(str(k), text)
    if out != text and _SUB_ARITHMETIC.fullmatch(out):  # w_{i+4} for i = 1: w_{5}
        total, sign, number = 0, 1, ""
        for ch in out + "+":
            if ch.isdigit():
                number += ch
            else:
                total += sign * int(number)
                sign, number = (1 if ch == "+" else -1), ""
        out = str(total)
    return out


def _substitute_name(name: Name, index: str, pattern: re.Pattern, k: int) -> Node:
    if name.text == index:
        return Number(Fraction(k), str(k))
    if name.base == "derivative":  # \frac{\partial E}{\partial w_i}: the names above and below
        sub, sup = _subscript(name.sub, index, pattern, k), _subscript(name.sup, index, pattern, k)
        if (sub, sup) == (name.sub, name.sup):
            return name
        return Name(r"\frac{\partial " + sup + r"}{\partial " + sub + "}", "derivative", sub, sup)
    if name.base == "partial":
        sub = _subscript(name.sub, index, pattern, k)
        return name if sub == name.sub else Name(r"\partial " + sub, "partial", sub)
    sub = _subscript(name.sub, index, pattern, k)
    return name if sub == name.sub else _make_name(name.base, sub, name.sup, name.primes)


def _substitute(n: Node, index: str, pattern: re.Pattern, k: int, depth: int) -> Node:
    if depth > 4 * MAX_DEPTH:
        raise NotEvaluable("the expression is nested too deeply")
    if isinstance(n, Name):
        return _substitute_name(n, index, pattern, k)
    if isinstance(n, Sum):
        def inner(x: Node | None) -> Node | None:
            return None if x is None else _substitute(x, index, pattern, k, depth + 1)

        body = n.body if n.index == index else inner(n.body)  # an inner sum over the same index binds it anew
        return Sum(n.index, inner(n.lower), inner(n.upper), body)
    children = _children(n)
    if not children:
        return n
    parts = [_substitute(c, index, pattern, k, depth + 1) for c in children]
    return n if all(a is b for a, b in zip(parts, children)) else _rebuild(n, parts)


# ---------------------------------------------------------------------------------------------------- display

_FN_TEXT = {"sigma": "σ", "ln": "ln", "exp": "exp", "tanh": "tanh", "sqrt": "√"}


def to_text(node: Node, max_chars: int = 200) -> str:
    """A plain rendering for messages: ``(−15)·0.8 + 20·0.2 + 0.35``, ``1/(1 + e^(11.65))``; names as written."""
    text = _render(node, 0)[0]
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"


def _render(n: Node, depth: int) -> tuple[str, int]:  # (text, precedence: 1 add, 2 mul, 3 neg, 4 pow, 5 atom)
    if depth > 4 * MAX_DEPTH:
        return "…", 5
    d = depth + 1
    if isinstance(n, Number):
        return (n.text or str(n.value)), 5
    if isinstance(n, Name):
        return _plain_name(n.text), 5
    if isinstance(n, Const):
        return ("e" if n.name == "e" else "π"), 5
    if isinstance(n, Neg):
        s, p = _render(n.arg, d)
        return "−" + (f"({s})" if p <= 1 or s.startswith("−") else s), 3
    if isinstance(n, Add):
        out = []
        for i, t in enumerate(n.terms):
            if isinstance(t, Neg):
                s, p = _render(t.arg, d)
                s = f"({s})" if p <= 1 else s
                out.append(("−" if i == 0 else " − ") + s)
            else:
                s, _ = _render(t, d)
                out.append(s if i == 0 else " + " + s)
        return "".join(out), 1
    if isinstance(n, Mul):
        parts = []
        for f in n.factors:
            s, p = _render(f, d)
            parts.append(f"({s})" if p < 2 or (p == 3) else s)
        return "·".join(parts), 2
    if isinstance(n, Div):
        a, pa = _render(n.num, d)
        b, pb = _render(n.den, d)
        return f"{a if pa >= 2 else '(' + a + ')'}/{b if pb > 2 else '(' + b + ')'}", 2
    if isinstance(n, Pow):
        a, pa = _render(n.base, d)
        b, pb = _render(n.exp, d)
        return f"{a if pa >= 5 else '(' + a + ')'}^{b if pb >= 5 else '(' + b + ')'}", 4
    if isinstance(n, Call):
        s, _ = _render(n.arg, d)
        if n.fn == "exp":
            return f"e^({s})", 4
        return f"{_FN_TEXT[n.fn]}({s})", 5
    if isinstance(n, Sum):
        s, _ = _render(n.body, d)
        return f"Σ_{n.index}({s})", 5
    return "?", 5


def _plain_name(text: str) -> str:
    """``\\delta_{o_1}`` -> ``δ_o1``; ``\\text{Learning Rate}`` -> ``Learning Rate``; ∂-fractions as ``∂E/∂w_5``."""
    if text.startswith("\\frac{\\partial "):
        top, _, bottom = text[len("\\frac{"):-1].partition("}{")
        return _plain_name(top) + "/" + _plain_name(bottom)
    out = text.replace(r"\text{", "").replace(r"\partial ", "∂")
    out = re.sub(r"_\{([A-Za-z]?[0-9]*|[0-9]+)\}", r"_\1", out)
    out = re.sub(r"_\{([A-Za-z])_\{?([0-9]+)\}?\}", r"_\1\2", out)
    for word, char in (("\\delta", "δ"), ("\\eta", "η"), ("\\sigma", "σ"), ("\\alpha", "α"), ("\\Delta", "Δ"),
                       ("\\mu", "μ"), ("\\epsilon", "ε"), ("\\theta", "θ"), ("\\lambda", "λ")):
        out = out.replace(word, char)
    if text.startswith(r"\text{"):
        out = out[:-1] if out.endswith("}") else out
    return out
