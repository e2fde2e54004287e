"""Safe reader for an instructor's formula of named variables: an activation ``f(x)`` or a loss ``L(o, t)``.

The same small language as a student's answer (``grader.parse.answer``), with variables and three more
functions, read by its own tokenizer and recursive-descent parser below; no text is ever handed to Python's
evaluator, to ``ast`` or to sympy. The result is a plain tuple tree, turned into the solver's expression tree (and
differentiated exactly) by ``grader.solve.formula``.

Grammar (EBNF; ``^`` and ``**`` are the same operator, ``{ }`` group like ``( )`` so ``x^{3/4}`` reads)::

    formula   = expr ;
    expr      = term { ( "+" | "-" ) term } ;
    term      = unary { ( "*" | "/" ) unary } ;
    unary     = ( "+" | "-" ) unary | power ;
    power     = postfix [ "^" unary ] ;                      (* right-associative, binds tighter than unary minus *)
    postfix   = primary { superscript } ;                    (* x² = x^2 *)
    primary   = number | variable | "e" | function "(" expr { "," expr } ")" | "(" expr ")" ;
    function  = "exp" | "ln" | "log" | "log10" | "log2" | "sqrt" | "sigmoid" | "σ" | "tanh"
              | "abs" | "max" | "min" ;                       (* max, min: two arguments *)

A LaTeX backslash before a function name is allowed (``\\max``, ``\\exp``, ``\\sigma``). Variables are
case-sensitive and only those the caller allows (``x`` for an activation; ``o`` and ``t`` for a loss).

Tree nodes: ``("num", Fraction)``, ``("var", name)``, ``("e",)``, ``("neg", a)``, ``("bin", op, a, b)`` with op in
``+-*/^``, ``("call", name, (args...))``; ``ln``/``log`` are ``log``, ``σ`` is ``sigmoid``.

Limits as for answers: at most ``MAX_LENGTH`` characters, ``MAX_NODES`` tokens, ``MAX_DEPTH`` levels of nesting,
and a constant exponent (``x^k``, and the power of ten of a number) at most ``MAX_EXPONENT`` in size with a
denominator at most ``MAX_EXPONENT``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from grader.parse.answer import MAX_DEPTH, MAX_EXPONENT, MAX_LENGTH, MAX_NODES

__all__ = ["Formula", "FormulaError", "parse_formula", "FUNCTIONS"]

FUNCTIONS = {"exp": 1, "ln": 1, "log": 1, "log10": 1, "log2": 1, "sqrt": 1, "sigmoid": 1, "σ": 1, "tanh": 1,
             "abs": 1, "max": 2, "min": 2}
_CANONICAL = {"ln": "log", "σ": "sigmoid"}
_MINUS = "-\u2212\u2013\u2012\u2010"
_TIMES = "*\u00d7\u00b7\u22c5\u2219"
_DIVIDE = "/\u00f7\u2215"
_SUPERSCRIPT_DIGITS = {c: d for d, c in enumerate("\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")}
_DIGITS = "0123456789"
_NAME_START = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"

Tree = tuple[Any, ...]


@dataclass(frozen=True)
class Formula:
    """A formula as written (``text``) and read (``tree``), over ``variables``."""

    text: str
    tree: Tree
    variables: tuple[str, ...]
    path: str | None = field(default=None, compare=False)  # where the spec gives it (for located errors)
    line: int | None = field(default=None, compare=False)


class FormulaError(ValueError):
    """The formula cannot be read; the message says where and what would be right."""


def parse_formula(text: str, variables: tuple[str, ...]) -> Formula:
    """Read ``text`` as a formula of ``variables``; raises ``FormulaError``."""
    if not isinstance(text, str):
        raise FormulaError("a formula is a string, e.g. \"x^(3/4)\"")
    text = text.strip()
    if not text:
        raise FormulaError("the formula is empty")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"the formula is too long ({len(text)} characters; at most {MAX_LENGTH})")
    tree = _Parser(text, variables).parse()
    return Formula(text, tree, tuple(variables))


def constant(tree: Tree) -> Fraction | None:
    """The exact value of a subtree that is a rational constant (numbers, + - * /, integer powers), else None."""
    kind = tree[0]
    if kind == "num":
        return tree[1]
    if kind == "neg":
        v = constant(tree[1])
        return None if v is None else -v
    if kind == "bin":
        a, b = constant(tree[2]), constant(tree[3])
        if a is None or b is None:
            return None
        op = tree[1]
        if op == "^":
            if b.denominator != 1 or abs(b) > MAX_EXPONENT or (a == 0 and b < 0):
                return None
            if abs(int(b)) * max(a.numerator.bit_length(), a.denominator.bit_length()) > 20000:
                return None
            return a ** int(b)
        if op == "/":
            return None if b == 0 else a / b
        return a + b if op == "+" else a - b if op == "-" else a * b
    return None


class _Tok:
    __slots__ = ("kind", "text", "pos", "value")

    def __init__(self, kind: str, text: str, pos: int, value: Any = None) -> None:
        self.kind, self.text, self.pos, self.value = kind, text, pos, value


def _lex(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    i, n = 0, len(text)
    while i < n:
        ch, start = text[i], i
        if ch.isspace():
            i += 1
            continue
        if len(out) >= MAX_NODES:
            raise FormulaError(f"the formula has too many parts (more than {MAX_NODES})")
        if ch in _DIGITS or (ch == "." and i + 1 < n and text[i + 1] in _DIGITS):
            while i < n and text[i] in _DIGITS:
                i += 1
            whole, frac = text[start:i], ""
            if i < n and text[i] == ".":
                j = i + 1
                while j < n and text[j] in _DIGITS:
                    j += 1
                frac, i = text[i + 1:j], j
            exp = 0
            if i < n and text[i] in "eE":
                j = i + 1
                sign = -1 if j < n and text[j] in _MINUS else 1
                if j < n and (text[j] in _MINUS or text[j] == "+"):
                    j += 1
                k = j
                while k < n and text[k] in _DIGITS:
                    k += 1
                if k > j:
                    exp, i = sign * int(text[j:k][:6]), k
            if abs(exp) > MAX_EXPONENT:
                raise FormulaError(f"the number at position {start + 1} has an exponent beyond ±{MAX_EXPONENT}")
            value = Fraction(int(whole + frac or "0"), 10 ** len(frac)) * Fraction(10) ** exp
            out.append(_Tok("num", text[start:i], start + 1, value))
        elif ch in _SUPERSCRIPT_DIGITS or ch == "\u207b":
            sign = -1 if ch == "\u207b" else 1
            j = i + (ch == "\u207b")
            k = j
            while k < n and text[k] in _SUPERSCRIPT_DIGITS:
                k += 1
            if k == j:
                raise FormulaError(f"unexpected {ch!r} at position {start + 1}")
            digits = "".join(str(_SUPERSCRIPT_DIGITS[c]) for c in text[j:k])
            out.append(_Tok("sup", text[start:k], start + 1, Fraction(sign * int(digits[:6]))))
            i = k
        elif ch in _NAME_START or ch == "\\" or ch == "σ":
            if ch == "\\":
                i += 1
            j = i
            if j < n and text[j] == "σ":
                j += 1
            else:
                while j < n and (text[j] in _NAME_START or text[j] in _DIGITS):
                    j += 1
            name = text[i:j]
            if not name:
                raise FormulaError(f"unexpected '\\' at position {start + 1}")
            if ch == "\\" and name not in FUNCTIONS and name != "sigma":
                raise FormulaError(f"unknown command '\\{name}' at position {start + 1}; known: \\max, \\min, "
                                   "\\exp, \\ln, \\tanh, \\sigma, \\sqrt")
            out.append(_Tok("name", text[start:j], start + 1, "σ" if name == "sigma" else name))
            i = j
        elif ch == "*" and text.startswith("**", i):
            out.append(_Tok("op", "**", start + 1, "^"))
            i += 2
        elif ch in _TIMES or ch in _DIVIDE or ch in _MINUS or ch in "+^":
            op = "*" if ch in _TIMES else "/" if ch in _DIVIDE else "-" if ch in _MINUS else ch
            out.append(_Tok("op", ch, start + 1, op))
            i += 1
        elif ch in "({":
            out.append(_Tok("(", ch, start + 1, ")" if ch == "(" else "}"))
            i += 1
        elif ch in ")}":
            out.append(_Tok(")", ch, start + 1))
            i += 1
        elif ch == ",":
            out.append(_Tok(",", ch, start + 1))
            i += 1
        else:
            raise FormulaError(f"unexpected {ch!r} at position {start + 1}")
    out.append(_Tok("end", "", n + 1))
    return out


class _Parser:
    def __init__(self, text: str, variables: tuple[str, ...]) -> None:
        self.toks = _lex(text)
        self.i = 0
        self.depth = 0
        self.variables = variables

    @property
    def tok(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        t = self.toks[self.i]
        self.i += 1
        return t

    def is_op(self, ops: str) -> bool:
        return self.tok.kind == "op" and self.tok.value in ops

    def nested(self, parse):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError(f"the formula is nested too deeply (more than {MAX_DEPTH} levels)")
        out = parse()
        self.depth -= 1
        return out

    def parse(self) -> Tree:
        tree = self.expr()
        t = self.tok
        if t.kind != "end":
            raise FormulaError(f"unexpected {t.text!r} at position {t.pos}; values must be joined by an operator "
                               "such as * (there is no implicit multiplication)")
        return tree

    def expr(self) -> Tree:
        tree = self.term()
        while self.is_op("+-"):
            op = self.take().value
            tree = ("bin", op, tree, self.term())
        return tree

    def term(self) -> Tree:
        tree = self.unary()
        while self.is_op("*/"):
            op = self.take()
            right = self.unary()
            if op.value == "/" and constant(right) == 0:
                raise FormulaError(f"division by zero at position {op.pos}")
            tree = ("bin", op.value, tree, right)
        return tree

    def unary(self) -> Tree:
        if self.is_op("+-"):
            op = self.take().value
            inner = self.nested(self.unary)
            return inner if op == "+" else ("neg", inner)
        return self.power()

    def power(self) -> Tree:
        base = self.postfix()
        if self.is_op("^"):
            op = self.take()
            return self._pow(base, self.nested(self.unary), op.pos)
        return base

    def _pow(self, base: Tree, exponent: Tree, pos: int) -> Tree:
        k = constant(exponent)
        if k is not None and (abs(k) > MAX_EXPONENT or k.denominator > MAX_EXPONENT):
            raise FormulaError(f"the exponent at position {pos} is too large (at most ±{MAX_EXPONENT}, with a "
                               f"denominator at most {MAX_EXPONENT})")
        return ("bin", "^", base, exponent)

    def postfix(self) -> Tree:
        tree = self.primary()
        while self.tok.kind == "sup":
            sup = self.take()
            tree = self._pow(tree, ("num", sup.value), sup.pos)
        return tree

    def primary(self) -> Tree:
        t = self.tok
        if t.kind == "num":
            self.take()
            return ("num", t.value)
        if t.kind == "(":
            self.take()
            inner = self.nested(self.expr)
            self.close(t)
            return inner
        if t.kind == "name":
            return self.name(t)
        if t.kind == "end":
            raise FormulaError("the formula is incomplete: a number or expression is missing at its end")
        raise FormulaError(f"unexpected {t.text!r} at position {t.pos}")

    def name(self, t: _Tok) -> Tree:
        self.take()
        name = t.value
        if name in self.variables:
            return ("var", name)
        if name == "e":
            return ("e",)
        if name not in FUNCTIONS:
            allowed = ", ".join(self.variables)
            raise FormulaError(f"unknown name {t.text!r} at position {t.pos}; the variables here are {allowed}, "
                               f"the constant e and the functions {', '.join(FUNCTIONS)}")
        if self.tok.kind != "(":
            raise FormulaError(f"the function {t.text!r} at position {t.pos} needs its argument in parentheses, "
                               f"e.g. {name}({self.variables[0]})")
        opening = self.take()
        args = [self.nested(self.expr)]
        while self.tok.kind == ",":
            self.take()
            args.append(self.nested(self.expr))
        self.close(opening)
        if len(args) != FUNCTIONS[name]:
            want = FUNCTIONS[name]
            raise FormulaError(f"{name} at position {t.pos} takes {want} argument{'s' if want > 1 else ''}, "
                               f"not {len(args)}")
        return ("call", _CANONICAL.get(name, name), tuple(args))

    def close(self, opening: _Tok) -> None:
        t = self.tok
        if t.kind != ")" or t.text != opening.value:
            found = "the end" if t.kind == "end" else repr(t.text)
            raise FormulaError(f"missing {opening.value!r} to close the {opening.text!r} at position {opening.pos} "
                               f"(found {found})")
        self.take()
