"""The canonical form of a spelling (``grader.spec.notation`` matches names by it): what a person writes for a quantity,
``δ_{o1}``, ``\\delta_{o_1}``, ``$\\delta_{o1}$``, made one string, ``deltao1``.

NFKC, Greek letters to their names (``δ``, ``Δ``, ``\\delta`` are all ``delta``), ``∂``/``\\partial`` to ``d``,
``\\frac{a}{b}`` to ``a/b``, braces, ``$..$``, ``\\left``/``\\right``, LaTeX spacing and font commands dropped, primes
unified, lower case; separators (``_ ^ , space``) vanish except between two digits, where they are kept as one ``_``
(``h2_3`` is not ``h23``). A superscript of digits keeps a mark of its own (``h_1^2`` is neither ``h1_2`` nor
``h12``), and a numbered superscript written before the subscript is put after it (``\\delta^3_1`` is
``\\delta_1^3``: LaTeX typesets them alike). Texts over :data:`MAX_LEN` characters or nested deeper than
:data:`MAX_DEPTH` have none (``None``). Linear in the text.
"""

from __future__ import annotations

__all__ = ["MAX_LEN", "MAX_DEPTH", "POWER_MARK", "normalise"]

MAX_LEN = 200  # characters of a name as written (before and after NFKC)
MAX_DEPTH = 16  # nesting of braces

_GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon", "ζ": "zeta", "η": "eta",
    "θ": "theta", "ϑ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "µ": "mu", "ν": "nu", "ξ": "xi",
    "ο": "omicron", "π": "pi", "ρ": "rho", "σ": "sigma", "ς": "sigma", "τ": "tau", "υ": "upsilon", "φ": "phi",
    "ϕ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega",
}
_CHARS = {"∂": "d", "∇": "nabla", "′": "'", "’": "'", "‘": "'", "`": "'", "´": "'", "″": "''", "⁺": "+", "−": "-",
          "–": "-", "\u00a0": " ", "$": " "}
_SEPARATORS = frozenset("_^, \t\r\n")
_FRAC = frozenset({"frac", "dfrac", "tfrac", "cfrac"})
_SPACE_CMDS = frozenset({",", ";", ":", "!", " ", "quad", "qquad", "left", "right", "big", "bigl", "bigr", "Big",
                         "Bigl", "Bigr", "displaystyle", "textstyle", "limits"})
_FONT_CMDS = frozenset({"mathrm", "text", "textrm", "textit", "mathit", "operatorname", "mathbf", "boldsymbol",
                        "mathnormal", "mathsf", "rm", "it", "bf"})
_CMD_WORDS = {"partial": "d", "prime": "'", "_": "_", "$": "", "{": "", "}": "", "%": "", "\\": " "}


def normalise(text: object) -> str | None:
    """The canonical form of a spelling, or None when it is not text, empty, too long or too deeply nested."""
    if not isinstance(text, str) or len(text) > MAX_LEN:
        return None
    import unicodedata  # loaded on first use: a name written exactly as the problem spells it never needs it

    s = unicodedata.normalize("NFKC", text)
    if len(s) > MAX_LEN:
        return None
    s = _strip_math(s.strip())
    chars = []
    for ch in s:
        low = ch.lower()
        chars.append(_GREEK.get(low) or _CHARS.get(ch) or ch)
    tree = _group(_tokens("".join(chars)))
    if tree is None:
        return None
    return _collapse(_render(_scripts_in_order(tree)).lower()) or None


def _number_text(item) -> str | None:
    """A script's content as text when it is made of characters only (``3``, ``{3}``, ``{(3)}``), else None."""
    chars = item if isinstance(item, list) else [item]
    if not chars or not all(isinstance(c, tuple) and c[0] == "ch" for c in chars):
        return None
    return "".join(c[1] for c in chars)


def _numbered(item, *, parenthesised: bool) -> bool:
    text = _number_text(item)
    if text is not None and parenthesised and text[:1] == "(" and text[-1:] == ")":
        text = text[1:-1]
    return text is not None and text.isdecimal()


POWER_MARK = "\u02c6"  # what a superscript of digits becomes in a canonical form (``h_1^2``: never ``h1_2``, unit 2)


def _scripts_in_order(items: list) -> list:
    """A numbered superscript written before the subscript put after it (``\\delta^3_1`` as ``\\delta_1^3``, the same
    typeset symbol: Nielsen's layer 3, unit 1), so that both orders have one canonical form, and a superscript of
    digits kept apart from the digits before it (``h_1^2`` is not ``h_{12}`` nor ``h1_2``, the unit 2 of layer 1).
    Other superscripts (``\\delta^o_1``, ``w^{+}_5``) stay where they are, as the built-in spellings expect."""
    out: list = []
    i = 0
    while i < len(items):
        item = items[i]
        if (item == ("ch", "^") and i + 3 < len(items) and items[i + 2] == ("ch", "_")
                and _numbered(items[i + 1], parenthesised=True)):
            script = items[i + 1]
            out += [("ch", "_"), _nested(items[i + 3]), _power_mark(script), script]
            i += 4
            continue
        if item == ("ch", "^") and i + 1 < len(items) and _numbered(items[i + 1], parenthesised=False):
            out += [_power_mark(items[i + 1]), items[i + 1]]
            i += 2
            continue
        out.append(_nested(item))
        i += 1
    return out


def _power_mark(script) -> tuple[str, str]:
    """The ``^`` before ``script``: kept as a mark of its own when the script is digits, else a separator."""
    return ("ch", POWER_MARK) if _numbered(script, parenthesised=False) else ("ch", "^")


def _nested(item):
    return _scripts_in_order(item) if isinstance(item, list) else item


def _strip_math(s: str) -> str:
    for a, b in (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]")):
        if len(s) >= len(a) + len(b) and s.startswith(a) and s.endswith(b):
            return s[len(a):len(s) - len(b)].strip()
    return s


def _tokens(s: str) -> list[tuple[str, str]]:
    """('cmd', name) | ('open', '{') | ('close', '}') | ('ch', c), in one pass."""
    out: list[tuple[str, str]] = []
    i, n = 0, len(s)
    while i < n:
        ch = s[i]
        if ch == "\\" and i + 1 < n:
            j = i + 1
            if s[j].isascii() and s[j].isalpha():
                while j < n and s[j].isascii() and s[j].isalpha():
                    j += 1
                out.append(("cmd", s[i + 1:j]))
                i = j
            else:
                out.append(("cmd", s[j]))
                i = j + 1
            continue
        out.append(("open" if ch == "{" else "close" if ch == "}" else "ch", ch))
        i += 1
    return out


def _group(tokens: list[tuple[str, str]]) -> list | None:
    """Nest brace groups; None when unbalanced or deeper than MAX_DEPTH."""
    stack: list[list] = [[]]
    for kind, text in tokens:
        if kind == "open":
            if len(stack) > MAX_DEPTH:
                return None
            stack.append([])
        elif kind == "close":
            if len(stack) == 1:
                return None
            group = stack.pop()
            stack[-1].append(group)
        else:
            stack[-1].append((kind, text))
    return stack[0] if len(stack) == 1 else None


def _render(items: list) -> str:
    out: list[str] = []
    i = 0
    while i < len(items):
        item = items[i]
        i += 1
        if isinstance(item, list):
            out.append(_render(item))
            continue
        kind, text = item
        if kind == "ch":
            out.append(text)
        elif text in _FRAC:
            num = items[i] if i < len(items) else []
            den = items[i + 1] if i + 1 < len(items) else []
            i += 2
            out.append(" " + _render_one(num) + "/" + _render_one(den) + " ")
        elif text in _SPACE_CMDS:
            out.append(" ")
        elif text in _FONT_CMDS:
            out.append(" ")
        elif text in _CMD_WORDS:
            out.append(_CMD_WORDS[text])
        else:
            out.append(" " + text + " ")
    return "".join(out)


def _render_one(item) -> str:
    return _render(item if isinstance(item, list) else [item])


def _collapse(s: str) -> str:
    """Drop separator runs, except between two digits (kept as one '_')."""
    out: list[str] = []
    pending = False
    for ch in s:
        if ch in _SEPARATORS:
            pending = bool(out)
            continue
        if pending and out[-1].isdigit() and ch.isdigit():
            out.append("_")
        pending = False
        out.append(ch)
    return "".join(out)
