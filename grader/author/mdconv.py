"""A small Markdown subset -> HTML or LaTeX, for problem statements in answer keys.

The subset problem statements use: paragraphs, ``- `` and ``1. `` lists (one level), ``**bold**``, ``*emphasis*``,
```code``` and math (``$...$`` inline, ``$$...$$`` display), which is passed through untouched (MathJax renders it in
HTML; it is LaTeX already). Anything else is shown as text, escaped: nothing in a statement can inject markup.
"""

from __future__ import annotations

import html

from grader.report.mdblocks import INLINE, MATH, blocks


_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                  "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
_UNICODE_LATEX = {"′": "'", "∂": r"$\partial$", "σ": r"$\sigma$", "η": r"$\eta$", "μ": r"$\mu$", "δ": r"$\delta$",
                  "→": r"$\to$", "≤": r"$\le$", "≥": r"$\ge$", "×": r"$\times$", "·": r"$\cdot$", "−": "-",
                  "…": r"\dots{}", "—": "---", "–": "--", "Σ": r"$\Sigma$", "≈": r"$\approx$"}


_UNICODE_LATEX.update({"√": r"$\surd$", "±": r"$\pm$", "∞": r"$\infty$", "∈": r"$\in$", "≠": r"$\neq$",
                       "⋅": r"$\cdot$", "∙": r"$\cdot$", "∇": r"$\nabla$", "λ": r"$\lambda$", "α": r"$\alpha$",
                       "β": r"$\beta$", "γ": r"$\gamma$", "θ": r"$\theta$", "ε": r"$\varepsilon$",
                       "ŷ": r"\^{y}", "’": "'", "‘": "`", "“": "``", "”": "''", "\u00a0": "~"})
_MATH_UNICODE = {"σ": r"\sigma ", "η": r"\eta ", "μ": r"\mu ", "δ": r"\delta ", "∂": r"\partial ", "Σ": r"\Sigma ",
                 "√": r"\surd ", "≤": r"\le ", "≥": r"\ge ", "×": r"\times ", "·": r"\cdot ", "−": "-",
                 "′": "'", "→": r"\to ", "≈": r"\approx ", "λ": r"\lambda ", "α": r"\alpha ", "β": r"\beta "}


def _plain(c: str) -> str:
    """A character T1/utf8 LaTeX can set as text, or a visible stand-in (never an error)."""
    if c in _UNICODE_LATEX:
        return _UNICODE_LATEX[c]
    if ord(c) < 0x17F:  # ASCII, Latin-1 and Latin Extended-A: inputenc/T1 know them
        return c
    return f"[U+{ord(c):04X}]"


def latex_escape(text: str) -> str:
    return "".join(_plain(c) if c not in _LATEX_SPECIAL else _LATEX_SPECIAL[c] for c in text)


def latex_math(text: str) -> str:
    """Math written in a statement, with the few Unicode symbols authors type replaced by commands."""
    return "".join(_MATH_UNICODE.get(c, c) if ord(c) >= 0x80 else c for c in text)


def _inline(text: str, *, latex: bool) -> str:
    out = []
    for i, part in enumerate(MATH.split(text)):
        if i % 2 == 1:  # math: verbatim (HTML-escaped for the page; MathJax reads the text)
            out.append(latex_math(part) if latex else html.escape(part, quote=False))
            continue
        for j, piece in enumerate(INLINE.split(part)):
            if j % 2 == 0:
                out.append(latex_escape(piece) if latex else html.escape(piece, quote=False))
            elif piece.startswith("**"):
                inner = _inline(piece[2:-2], latex=latex)
                out.append(rf"\textbf{{{inner}}}" if latex else f"<strong>{inner}</strong>")
            elif piece.startswith("`"):
                out.append(rf"\texttt{{{latex_escape(piece[1:-1])}}}" if latex else f"<code>{html.escape(piece[1:-1])}</code>")
            else:
                inner = _inline(piece[1:-1], latex=latex)
                out.append(rf"\emph{{{inner}}}" if latex else f"<em>{inner}</em>")
    return "".join(out)


def md_to_html(text: str) -> str:
    out = []
    for kind, lines in blocks(text):
        if kind == "p":
            out.append(f"<p>{_inline(' '.join(lines), latex=False)}</p>")
        else:
            items = "".join(f"<li>{_inline(x, latex=False)}</li>" for x in lines)
            out.append(f"<{kind}>{items}</{kind}>")
    return "\n".join(out)


def md_to_latex(text: str) -> str:
    out = []
    for kind, lines in blocks(text):
        if kind == "p":
            out.append(_inline(" ".join(lines), latex=True))
        else:
            env = "enumerate" if kind == "ol" else "itemize"
            items = "\n".join(rf"  \item {_inline(x, latex=True)}" for x in lines)
            out.append(f"\\begin{{{env}}}\n{items}\n\\end{{{env}}}")
    return "\n\n".join(out)
