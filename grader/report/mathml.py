"""The small LaTeX subset the grader writes, as MathML (``\\frac``, ``\\tfrac``, ``\\cdot``, ``\\sigma``, ``\\left(
\\right)``, ``^{}``, ``_{}``, ``\\delta``, ``\\eta``, ``\\operatorname``, ``\\exp``, ``\\ln``, ``\\tanh`` ...); browsers
render MathML natively (no fetch). A formula outside that subset falls back to its plain-text form in ``<code>``.

The markup is kept small, since a class's reports repeat it thousands of times: a bare ``<math>`` (the HTML parser
puts it in the MathML namespace; the formula's LaTeX is not repeated in an annotation), no outer ``<mrow>``, and a
formula block is ``<div class="m">`` with one ``<div>`` per line. Every function here is pure and cached on its
argument: a formula is a problem's (the key's worked lines, the symbolic formula per quantity), the same for every
student of the class, so it is converted once.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from html import escape

from grader.parse.braces import split_top


def _e(s: str) -> str:
    return escape(s, quote=True)


@functools.lru_cache(maxsize=4096)
def formula(latex: str, plain: str) -> str:
    """``latex`` as MathML in a scrollable block; its plain-text form in ``<code>`` when it is outside the subset."""
    if latex:
        try:
            return _math_block(latex)
        except ValueError:
            pass
    return f"<code>{_e(plain or latex)}</code>"


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


@functools.lru_cache(maxsize=4096)  # pure; a class's reports repeat the key's worked formulas
def worked_with_value(latex: str, value: str) -> str | None:
    """The worked formula ``latex`` (``a = b = c = 0.123457``) ending in ``value`` (the expected value to more
    digits) instead of its own last number, as a formula block; None when it does not end in a number."""
    head, sep, change = latex.partition(CHANGE_SEP)  # an update's change after it keeps its own value
    parts = _top_level_parts(head)
    if len(parts) < 2 or not _NUMBER.fullmatch(parts[-1]) or not _NUMBER.fullmatch(value):
        return None
    try:
        return _math_block(" = ".join(parts[:-1] + [value]) + sep + change)
    except ValueError:
        return None


CHANGE_SEP = ";\\quad "  # between an updated parameter's worked line and its change (``grader.solve.worked``)


@functools.lru_cache(maxsize=4096)  # pure; a class's reports repeat the key's worked formulas
def _math_block(latex: str) -> str:
    lines = [_line(x) for x in _equation_lines(latex)]
    return '<div class="m">' + "<br/>".join(lines) + "</div>"


def _line(latex: str) -> str:
    """One line of a formula: as text with ``<i>``, ``<sub>`` and ``<sup>`` when that shows it exactly (a tenth of
    the MathML's size), as MathML when it has a fraction."""
    mathml = latex_to_mathml(latex)
    try:
        return mathml_to_html(mathml)
    except _NeedsMathML:
        return mathml


class _NeedsMathML(Exception):
    pass


# Operators written with a space on each side (MathML's infix spacing); others (brackets, /, products) with none.
_INFIX = frozenset("=+−±→←≈≤≥≠<>:")
_OPEN = frozenset("([|{")


def mathml_to_html(mathml: str) -> str:
    """Our own MathML (``latex_to_mathml``'s output) as HTML text: ``<mi>`` of one letter in italics, scripts as
    ``<sub>``/``<sup>``, infix operators spaced. ``_NeedsMathML`` for a fraction, which text cannot show."""
    return _html_row(list(ET.fromstring(mathml))).strip()


def _html_row(items: list[ET.Element]) -> str:
    out: list[str] = []
    prev: ET.Element | None = None
    for el in items:
        if el.tag == "mo":
            op = el.text or ""
            prefix = prev is None or (prev.tag == "mo" and (prev.text or "") not in ")]|}")
            if op in _INFIX and not (prefix and op in "+−±"):
                out.append(f" {_e(op)} " if not prefix else f"{_e(op)} ")
            elif op == ",":
                out.append(", ")
            else:
                out.append(_e(op))
        else:
            out.append(_html(el))
        prev = el
    return "".join(out).replace("  ", " ")


def _html(el: ET.Element) -> str:
    tag, kids = el.tag, list(el)
    if tag == "mi":
        text = el.text or ""
        return f"<i>{_e(text)}</i>" if len(text) == 1 and text.isalpha() else _e(text)
    if tag in ("mn", "mtext"):
        return _e(el.text or "")
    if tag == "mo":
        return _html_row([el])
    if tag == "mrow":
        return _html_row(kids)
    if tag == "mspace":
        return "\u2009" if el.get("width", "").startswith("0.") else "\u2003" * (2 if el.get("width") == "2em" else 1)
    if tag in ("msub", "msup", "msubsup"):
        base = _html(kids[0])
        if tag == "msup" and kids[1].tag == "mo" and kids[1].text == "′":
            return base + "′"
        scripts = [_html(k) for k in kids[1:]]
        if tag == "msub":
            return f"{base}<sub>{scripts[0]}</sub>"
        if tag == "msup":
            return f"{base}<sup>{scripts[0]}</sup>"
        return f"{base}<sub>{scripts[0]}</sub><sup>{scripts[1]}</sup>"
    raise _NeedsMathML(tag)


def _equation_lines(latex: str) -> list[str]:
    """``a = b = c = d`` -> ``a = b``, ``= c``, ``= d``: a long worked formula one step per line (fits a phone); an
    update's change (``...;\\quad w_5^{new} - w_5 = 0.08``) on a line of its own."""
    head, sep, change = latex.partition(CHANGE_SEP)
    parts = _top_level_parts(head)
    lines = [head] if len(parts) <= 2 else [f"{parts[0]} = {parts[1]}"] + [f"= {p}" for p in parts[2:]]
    return lines + [change] if sep else lines


def _top_level_parts(latex: str) -> list[str]:
    """``a = b = {c = d}`` -> ``a``, ``b``, ``{c = d}``: the sides of the equals signs outside braces."""
    return [p.strip() for p in split_top(latex, "=", escapes=False)]


_TOKEN = re.compile(
    r"(?P<ws>\s+)"
    r"|(?P<num>\d+(?:\.\d+)?(?:e[-+]?\d+)?|\.\d+)"
    r"|(?P<name>[A-Za-z](?:[A-Za-z0-9]|\\_)*)"
    r"|(?P<cmd>\\[A-Za-z]+|\\[,;!:_{} |])"
    r"|(?P<ch>[-+=/()\[\]'<>,.|*^_{}!:;])"
)
_GREEK = {"sigma": "σ", "delta": "δ", "eta": "η", "mu": "μ", "alpha": "α", "beta": "β", "gamma": "γ",
          "lambda": "λ", "epsilon": "ε", "varepsilon": "ε", "theta": "θ", "partial": "∂", "nabla": "∇",
          "Delta": "Δ", "Sigma": "Σ", "ell": "ℓ"}
_OPS = {"cdot": "·", "times": "×", "pm": "±", "to": "→", "leftarrow": "←", "approx": "≈", "le": "≤", "ge": "≥",
        "leq": "≤", "geq": "≥", "ne": "≠", "sum": "∑", "prime": "′"}
_FUNCS = ("tanh", "exp", "ln", "log", "sin", "cos", "max", "min", "sinh", "cosh")
_SPACES = {",": "0.1667em", ":": "0.2222em", ";": "0.2778em", " ": "0.25em", "quad": "1em", "qquad": "2em"}
_CHAR_OPS = {"-": "−", "*": "∗", "'": "′"}


def _tokens(latex: str) -> list[tuple[str, str]]:
    out, i = [], 0
    while i < len(latex):
        m = _TOKEN.match(latex, i)
        if not m:
            raise ValueError(f"unexpected {latex[i]!r} in formula")
        i = m.end()
        if m.lastgroup != "ws":
            out.append((m.lastgroup, m.group()))
    return out


class _Parser:
    def __init__(self, latex: str) -> None:
        self.toks = _tokens(latex)
        self.i = 0
        self.prefix = True  # a minus here is a sign, not a subtraction

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> tuple[str, str]:
        t = self.peek()
        if t is None:
            raise ValueError("formula ends too early")
        self.i += 1
        return t

    def group_text(self) -> str:
        """The raw text of a ``{...}`` group (for ``\\operatorname{relu}``)."""
        if self.take() != ("ch", "{"):
            raise ValueError("expected {")
        parts = []
        while (t := self.take()) != ("ch", "}"):
            if t[0] not in ("name", "num"):
                raise ValueError("unexpected token in a name")
            parts.append(t[1].replace("\\_", "_"))
        return "".join(parts)

    def argument(self) -> str:
        """One argument of ``\\frac``, ``^`` or ``_``: a group or a single atom."""
        t = self.peek()
        if t == ("ch", "{"):
            self.take()
            return _row(self.sequence("}"))
        self.prefix = True
        return _row(self.atom())

    def sequence(self, close: str | None) -> list[str]:
        items: list[str] = []
        while True:
            t = self.peek()
            if t is None:
                if close is not None:
                    raise ValueError("unclosed group")
                return items
            if close is not None and t == ("ch", close):
                self.take()
                return items
            if t in (("ch", "^"), ("ch", "_")):
                self.take()
                if not items:
                    raise ValueError("script without base")
                base, arg = items.pop(), self.argument()
                if t[1] == "^" and base.startswith("<msub>") and base.endswith("</msub>"):
                    items.append("<msubsup>" + base[len("<msub>"):-len("</msub>")] + arg + "</msubsup>")
                else:
                    tag = "msup" if t[1] == "^" else "msub"
                    items.append(f"<{tag}>{base}{arg}</{tag}>")
                continue
            if t == ("ch", "'"):
                self.take()
                if not items:
                    raise ValueError("prime without base")
                items.append(f"<msup>{items.pop()}<mo>′</mo></msup>")
                continue
            self.prefix = not items or (items[-1].startswith("<mo") and not items[-1].endswith((")</mo>", "]</mo>", "|</mo>")))
            items += self.atom()

    def atom(self) -> list[str]:
        kind, text = self.take()
        if kind == "num":
            mant, e, ex = text.partition("e")
            if not e:
                return [f"<mn>{mant}</mn>"]
            ex = ex.lstrip("+").replace("-", "−")
            return [f"<mn>{mant}</mn>", "<mo>×</mo>", f"<msup><mn>10</mn><mn>{ex}</mn></msup>"]
        if kind == "name":
            return [f"<mi>{_e(text.replace(chr(92) + '_', '_'))}</mi>"]
        if kind == "ch":
            if text == "{":
                return [_row(self.sequence("}"))]
            if text in "}^_":
                raise ValueError(f"unexpected {text}")
            if text in "()[]|":
                return [f'<mo stretchy="false">{_e(text)}</mo>']
            nxt = self.peek()
            if text == "-" and self.prefix and nxt is not None and nxt[0] == "num":
                return [m.replace("<mn>", "<mn>−", 1) if k == 0 else m for k, m in enumerate(self.atom())]
            return [f"<mo>{_e(_CHAR_OPS.get(text, text))}</mo>"]
        name = text[1:]
        if name in ("frac", "tfrac", "dfrac"):
            num, den = self.argument(), self.argument()
            style = ' displaystyle="false"' if name == "tfrac" else ""
            return [f"<mfrac{style}>{num}{den}</mfrac>"]
        if name in ("left", "right"):
            kind2, delim = self.take()
            if delim == ".":
                return []
            if delim in ("\\{", "\\}"):
                delim = delim[1]
            if delim not in ("(", ")", "[", "]", "|", "{", "}"):
                raise ValueError(f"unknown delimiter {delim!r}")
            return [f"<mo>{_e(delim)}</mo>"]
        if name == "operatorname" or name in ("mathrm", "text"):
            word = self.group_text()
            return [f"<mi>{_e(word)}</mi>" if name != "text" else f"<mtext>{_e(word)}</mtext>"]
        if name in _GREEK:
            return [f"<mi>{_GREEK[name]}</mi>"]
        if name in _OPS:
            return [f"<mo>{_OPS[name]}</mo>"]
        if name in _FUNCS:
            return [f"<mi>{name}</mi>"]
        if name in _SPACES:
            return [f'<mspace width="{_SPACES[name]}"/>']
        if name == "!":
            return []
        if name == "_":
            return ["<mi>_</mi>"]
        if name in ("{", "}", "|"):
            return [f'<mo stretchy="false">{_e(name)}</mo>']
        raise ValueError(f"unknown command \\{name}")


def _row(items: list[str]) -> str:
    return items[0] if len(items) == 1 else "<mrow>" + "".join(items) + "</mrow>"


@functools.lru_cache(maxsize=4096)  # a pure function; a class's reports repeat the key's formulas
def latex_to_mathml(latex: str) -> str:
    """A ``<math>`` element for ``latex`` (the grader's subset); ValueError for anything outside it."""
    return "<math>" + "".join(_Parser(latex).sequence(None)) + "</math>"
