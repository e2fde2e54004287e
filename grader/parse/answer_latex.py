"""Numbers as students copy them from their write-ups: the LaTeX and math-mode forms of an answer, rewritten into the
answer reader's own grammar (``grader.parse.answer``), which then reads them with all its rules and limits.

The LaTeX is split by the write-up reader's tokenizer (``grader.parse.latex.tokenize``; no second LaTeX lexer) and
each token becomes the answer grammar's spelling:

* ``\\frac{a}{b}``, ``\\dfrac``, ``\\tfrac`` -> ``((a)/(b))``; any other ``{...}`` group -> ``(...)``
  (``e^{-0.3}`` -> ``e^(-0.3)``, ``10^{-2}`` -> ``10^(-2)``, ``\\sqrt{2}`` -> ``sqrt(2)``);
* ``\\cdot``, ``\\times`` -> ``*``; ``\\div`` -> ``/``; ``\\exp``, ``\\ln``, ``\\log``, ``\\tanh``, ``\\sqrt`` -> the
  function; ``\\sigma`` -> ``sigmoid``; ``\\left``/``\\right`` and spacing (``\\,``, ``\\;``, ``~``) vanish (spacing
  stays a space, so ``1\\,000`` is two numbers, refused, not a thousand);
* ``\\mathrm{e}`` -> ``e``; a relation (``=``, ``\\approx``) inside is ``=``, which the reader refuses with advice.

Answer semantics are kept: ``1e-3`` is 0.001 (not 1·e − 3) and nothing multiplies by juxtaposition. Any other
command (``\\pi``, ``\\delta``) is refused with a reason.
"""

from __future__ import annotations

__all__ = ["strip_math", "looks_like_latex", "latex_to_answer", "NotAnAnswer"]

_APPROX = ("\u2248", "\u2243", "~", "\\approx", "\\simeq", "\\sim")
_DELIMITERS = (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]"))
_FRAC = frozenset({"frac", "dfrac", "tfrac", "cfrac"})
_FUNCTIONS = {"exp": "exp", "ln": "ln", "log": "log", "tanh": "tanh", "sqrt": "sqrt", "sigma": "sigmoid"}
_FONT = frozenset({"mathrm", "text", "textrm", "operatorname", "mathit", "textit", "mbox", "textbf", "mathbf"})


class NotAnAnswer(Exception):
    """The LaTeX cannot be rewritten into an answer: ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def strip_math(text: str) -> str:
    """Drop surrounding ``$...$``, ``$$...$$``, ``\\(...\\)``, ``\\[...\\]`` and a leading ``≈``, ``~``, ``\\approx``
    (in either order, once each)."""
    for _ in range(2):
        text = _unwrap(text)
        for a in _APPROX:
            if text.startswith(a) and not (a.startswith("\\") and text[len(a):len(a) + 1].isalpha()):
                text = text[len(a):].strip()
                break
    return text


def _unwrap(text: str) -> str:
    for a, b in _DELIMITERS:
        if len(text) >= len(a) + len(b) and text.startswith(a) and text.endswith(b):
            return text[len(a):len(text) - len(b)].strip()
    return text


def looks_like_latex(text: str) -> bool:
    return "\\" in text or "{" in text or "}" in text


def latex_to_answer(text: str) -> str:
    """The answer-grammar text of a LaTeX answer. Raises :class:`NotAnAnswer`."""
    from grader.parse.latex import LatexError, tokenize  # (imported when an answer is LaTeX: it brings mpmath)

    try:
        tokens = tokenize(text)
    except LatexError as e:
        raise NotAnAnswer(e.reason) from None
    out: list[str] = []
    closers: list[str] = []
    expect: str | None = None  # "num"/"den": a \frac's group must come next
    end = 0  # where the previous token ended in the text
    for tok in tokens:
        if tok.kind == "end":
            break
        if tok.pos > end:
            out.append(" ")
        end = _source_end(text, tok)
        if expect and not (tok.kind == "open" and tok.text == "{"):
            raise NotAnAnswer(f"\\frac at position {tok.pos + 1} needs its two parts in braces, e.g. \\frac{{1}}{{4}}")
        kind = tok.kind
        if kind == "open":
            if expect == "num":
                out.append("((")
                closers.append(")/")
            elif expect == "den":
                out.append("(")
                closers.append("))")
            else:
                out.append("(")
                closers.append(")")
            expect = None
        elif kind == "close":
            if not closers:
                raise NotAnAnswer(f"unmatched {tok.text!r} at position {tok.pos + 1}")
            closer = closers.pop()
            out.append(closer)
            if closer == ")/":
                expect = "den"
        elif kind == "cmd":
            out.append(_command(tok))
            if tok.text in _FRAC:
                expect = "num"
        elif kind == "text":
            out.append(f" {tok.text} ")
        elif kind == "rel":
            out.append("=")
        elif kind == "num":
            out.append(_plain_number(tok.text))
        elif kind in ("word", "op", "other"):
            out.append(tok.text)
        else:  # '&', '\\\\': alignment and line breaks belong to write-ups, not to one answer
            raise NotAnAnswer(f"unexpected {tok.text!r} at position {tok.pos + 1}: write one value")
    if expect or closers:
        raise NotAnAnswer("a '{' is never closed" if closers else "\\frac needs two parts, e.g. \\frac{1}{4}")
    return "".join(out).strip()


def _plain_number(text: str) -> str:
    """A number token's text as the answer grammar reads it: the tokenizer's decimal comma (``7{,}65``, shown
    ``7,65``) a point, its digit groups (``0.619\\,085``) joined."""
    if "\\" in text or "\u2009" in text or "\u202f" in text:
        text = text.replace("\\,", "").replace("\u2009", "").replace("\u202f", "")
    return text.replace(",", ".")


def _command(tok) -> str:
    name = tok.text
    if name in _FRAC:
        return ""
    if name in _FUNCTIONS:
        return _FUNCTIONS[name]
    if name in _FONT:  # a font command without its braces: nothing to read
        return ""
    raise NotAnAnswer(f"\\{name} at position {tok.pos + 1} is not accepted in an answer; write a number or "
                      "an expression with \\frac, \\cdot, \\times, 10^{...}, e^{...}, \\exp, \\ln, \\sigma, \\sqrt")


def _source_end(text: str, tok) -> int:
    """Where ``tok`` ends in ``text``: tokens made from a command span the backslash and its letters."""
    i = tok.pos
    if tok.kind == "text":
        depth, j = 0, text.find("{", i)
        if j < 0:
            return i + 1
        while j < len(text):
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            j += 1
            if depth == 0:
                return j
        return j
    if i < len(text) and text[i] == "\\":
        j = i + 1
        while j < len(text) and text[j].isascii() and text[j].isalpha():
            j += 1
        return max(j, i + 2)
    return i + max(1, len(tok.text))
