"""The LaTeX tokenizer against a small reference tokenizer written here, character by character, for a plain subset
of LaTeX (numbers, words, commands, one-character signs, spaces): the tokenizer cuts a row with one regular
expression and a table of lexemes, and must give exactly the tokens, positions and values of a reading one
character at a time, including the token limit's error and its position."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from grader.parse.latex import MAX_LATEX_TOKENS, LatexError, Token, free_names, raw_tokens, read_math, tokenize

_SIGNS = {"+": ("op", "+"), "-": ("op", "-"), "*": ("op", "*"), "/": ("op", "/"), "^": ("op", "^"),
          "_": ("op", "_"), "'": ("op", "'"), "(": ("open", "("), "[": ("open", "["), "{": ("open", "{"),
          ")": ("close", ")"), "]": ("close", "]"), "}": ("close", "}"), "=": ("rel", "="), "&": ("amp", "&")}
_COMMANDS = {"cdot": ("op", "*"), "times": ("op", "*"), "div": ("op", "/"), "approx": ("rel", "\u2248"),
             "frac": ("cmd", "frac"), "delta": ("cmd", "delta"), "sigma": ("cmd", "sigma"), "sqrt": ("cmd", "sqrt")}
_SPACING = {"quad", "left", "right"}


def reference(text: str) -> list[tuple]:
    """Tokens of the subset, read one character at a time (whole numbers and decimals with digits on both sides)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == " ":
            i += 1
            continue
        if c.isascii() and c.isdigit():
            j = i
            while j < n and text[j].isascii() and text[j].isdigit():
                j += 1
            if j + 1 < n and text[j] == "." and text[j + 1].isascii() and text[j + 1].isdigit():
                j += 1
                while j < n and text[j].isascii() and text[j].isdigit():
                    j += 1
            literal = text[i:j]
            whole, _, part = literal.partition(".")
            out.append(("num", literal, i, Fraction(int(whole + part), 10 ** len(part))))
        elif c.isascii() and c.isalpha():
            j = i
            while j < n and text[j].isascii() and text[j].isalpha():
                j += 1
            out.append(("word", text[i:j], i, Fraction(0)))
        elif c == "\\":
            j = i + 1
            while j < n and text[j].isascii() and text[j].isalpha():
                j += 1
            name = text[i + 1:j]
            if name in ("text", "mathrm") and text[j:j + 1] == "{":  # words in braces (none nested here)
                close = text.index("}", j)
                out.append(("text", " ".join(text[j + 1:close].split()), i, Fraction(0)))
                j = close + 1
            elif name not in _SPACING:
                kind, shown = _COMMANDS[name]
                out.append((kind, shown, i, Fraction(0)))
        else:
            kind, shown = _SIGNS[c]
            out.append((kind, shown, i, Fraction(0)))
            j = i + 1
        i = j
        if len(out) > MAX_LATEX_TOKENS:
            raise LatexError("too many", out[-1][2])
    out.append(("end", "", n, Fraction(0)))
    return out


_PIECES = ["0", "7", "12", "0.35", "3.25", "999", "w", "net", "e", "x", "\\cdot", "\\times", "\\div", "\\approx",
           "\\frac", "\\delta", "\\sigma", "\\sqrt", "\\quad", "\\left", "\\right", *_SIGNS, " ", "  ",
           "\\text{Learning Rate}", "\\text{ a  b }", "\\mathrm{new}", "\\text{}"]


def _texts(seed: int, count: int, length: int) -> list[str]:
    """Pieces side by side; a space after a command or a number (``\\cdotx`` is one command, ``7e7`` a number).
    """
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        pieces = [rng.choice(_PIECES) for _ in range(rng.randint(1, length))]
        out.append("".join(p + " " if (p[0] == "\\" and p[-1] != "}") or p[0].isdigit() else p for p in pieces))
    return out


@pytest.mark.parametrize("text", _texts(13, 400, 30) + [
    "w_1 i_1 + w_3 i_1 + b_1", "z_3 = 512 \\cdot (w_1 i_1)", "\\text{Learning Rate} \\cdot \\text{a}\\text{b}x"])
def test_tokens_are_those_of_a_reading_one_character_at_a_time(text: str) -> None:
    expected = reference(text)
    tokens = tokenize(text)
    assert [tuple(t) for t in tokens] == expected
    assert all(type(t) is Token for t in tokens)
    assert raw_tokens(text) == expected


@pytest.mark.parametrize("count", [MAX_LATEX_TOKENS - 1, MAX_LATEX_TOKENS, MAX_LATEX_TOKENS + 1,
                                   MAX_LATEX_TOKENS + 7])
@pytest.mark.parametrize("unit", ["x ", "1+", "w_1", "\\cdot "])
@pytest.mark.parametrize("tail", ["", "\\text{a}", "\\text{a} y", "\\mathrm{b}  "])
def test_the_token_limit_and_its_position_are_those_of_the_reference(count: int, unit: str, tail: str) -> None:
    text = unit * min(count, 3970 // len(unit)) + tail
    try:
        expected = ("ok", reference(text))
    except LatexError as error:
        expected = ("too many", error.pos)
    try:
        got = ("ok", [tuple(t) for t in tokenize(text)])
    except LatexError as error:
        assert "too many parts" in error.reason
        got = ("too many", error.pos)
    assert got == expected


def test_free_names_asked_again_is_unchanged_by_what_the_caller_did_with_the_first_answer() -> None:
    tree = read_math("w_1 i_1 + w_3 i_1 + b_1")
    first = free_names(tree)
    assert [n.text for n in first] == ["w_{1}", "i_{1}", "w_{3}", "b_{1}"]
    first.clear()
    assert [n.text for n in free_names(tree)] == ["w_{1}", "i_{1}", "w_{3}", "b_{1}"]
