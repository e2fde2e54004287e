"""The reports' stylesheet: written readable here, minified once at import for the HTML report (``REPORT_CSS``).

The markup leans on it so that each report carries little: a verdict's colour is one custom property (``--c``) set
by a ``v-<verdict>`` class and taken by whatever shows the verdict (the field's border, its verdict word, the table
cell, the counts), and the network drawing's colours and dash patterns come from ``SVG_CSS`` (``grader.report.svg``)
by ``data-verdict``. The practice page (``grader.report.practice``) uses the same stylesheet, unminified.
"""

from __future__ import annotations

import functools
import re

from grader.report.svg import SVG_CSS, SVG_VARS, SYMBOL

MONO = 'ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace'

CSS = """
:root { color-scheme: light; --muted: #555; --rule: #d8d8d8; --panel: #f7f7f8; }
* { box-sizing: border-box; }
html { text-size-adjust: 100%; }
body { margin: 0; background: #fff; color: #1d1d1f;
  font: 16px/1.5 system-ui, "Segoe UI", Roboto, sans-serif; }
main { max-width: 52rem; margin: 0 auto; padding: 1rem clamp(0.75rem, 3vw, 2rem) 3rem; }
h1 { font-size: 1.45rem; line-height: 1.25; margin: 0.5rem 0; }
h2 { font-size: 1.2rem; margin: 2rem 0 0.6rem; border-bottom: 1px solid var(--rule); padding-bottom: 0.2rem; }
h3 { font-size: 1.05rem; margin: 0; display: flex; flex-wrap: wrap; gap: 0.2rem 0.6rem; align-items: baseline; }
p { margin: 0.4rem 0; }
code { font-family: MONO; font-size: 0.92em; background: var(--panel); padding: 0 0.2em; border-radius: 3px;
  overflow-wrap: anywhere; }
.meta { color: var(--muted); margin: 0.1rem 0; }
ul { padding-left: 1.2rem; }
.score { font-size: 1.3rem; font-weight: 700; margin: 0.2rem 0; }
.counts { display: flex; flex-wrap: wrap; gap: 0.3rem 1rem; padding: 0; margin: 0.2rem 0 0; list-style: none; }
figure { margin: 1rem 0; }
figure svg { display: block; width: 100%; max-width: 40rem; height: auto; margin: 0 auto; }
figcaption { color: var(--muted); font-size: 0.9rem; text-align: center; }
.fields { list-style: none; padding: 0; }
.fields > li { border-left: 6px solid var(--c, #6b6b6b); background: var(--panel); border-radius: 4px;
  padding: 0.6rem 0.9rem; margin: 0.8rem 0; break-inside: avoid; }
h3 > span, .pts { margin-left: auto; color: var(--muted); font-weight: 400; }
.desc, .fields > li > p { color: var(--muted); font-size: 0.92rem; }
.fields dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 0.8rem; margin: 0.5rem 0 0; }
.fields dt { font-weight: 600; }
.fields dd { margin: 0; min-width: 0; }
.m { overflow-x: auto; overflow-y: hidden; max-width: 100%; white-space: nowrap; line-height: 1.9;
  font-family: math, "Cambria Math", serif; font-size: 1.15em; }
.m math { math-style: normal; }
.verdict, h3 > b, .counts li { font-weight: 700; white-space: nowrap; color: var(--c); }
footer { margin-top: 2rem; border-top: 1px solid var(--rule); padding-top: 0.6rem; color: var(--muted); font-size: 0.92rem; }
@media (max-width: 30rem) {
  .fields dl { grid-template-columns: 1fr; }
  .fields dt { margin-top: 0.3rem; }
}
@media print {
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  .m { overflow: visible; }
  figure, .flags { break-inside: avoid; }
  h2 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
}
""".replace("MONO", MONO)
EXAM_CSS = '.exam { border: 2px solid #2b6f9e; background: #e0eff9; padding: 0.6rem 0.8rem; border-radius: 6px; }'
FLAGS_CSS = """.flags { border: 2px solid #8a5d00; background: #fff8e6; border-radius: 6px; padding: 0.4rem 1rem 0.6rem; }
.flags h2 { margin-top: 0.4rem; border: 0; }
.flags li { margin: 0.45rem 0; }"""


def _verdict_rule(v: str) -> str:
    """``.v-<verdict>`` and ``[data-verdict=<verdict>]`` (the drawing) set the verdict's colours, which the elements
    that show a verdict take (``--c``: the field's border, its verdict word, the counts; the drawing's lines)."""
    return f"[data-verdict=none] {{ {SVG_VARS['none']} }}" if v == "none" else (
        f".v-{v}, [data-verdict={v}] {{ {SVG_VARS[v]} }}")


def _verdict_css() -> str:
    """Every rule: the practice page's stylesheet (its verdicts change as the student types)."""
    return "\n".join([EXAM_CSS, FLAGS_CSS] + [_verdict_rule(v) for v in SYMBOL] + [SVG_CSS])


_SPACE = re.compile(r"\s+")
_AROUND = re.compile(r"\s*([{};,>])\s*")


def minify_css(css: str) -> str:
    """Whitespace collapsed and dropped around ``{ } ; , >`` and after ``:`` in declarations, and the last ``;`` of
    each block; nothing else changes (this stylesheet has no comments, strings with those characters, or ``:`` whose
    following space matters)."""
    css = _AROUND.sub(r"\1", _SPACE.sub(" ", css)).strip()
    css = re.sub(r"(?<![\w.])0\.(\d)", r".\1", css)  # 0.5rem -> .5rem
    css = re.sub(r"(?<=[;{])([-\w]+): ", r"\1:", css)  # property: value (a selector's :root or :last-child has no space)
    return css.replace(";}", "}")


REPORT_CSS = minify_css(CSS + _verdict_css())  # every rule


@functools.lru_cache(maxsize=512)
def report_css(verdicts: frozenset[str], *, exam: bool, flags: bool, drawing: bool) -> str:
    """The minified stylesheet of one report: the rules for what it has (the exam notice, flags, the drawing, the
    colours of the ``verdicts`` it shows), and no others. Made once per combination (at most a few hundred)."""
    parts = [CSS] + [EXAM_CSS] * exam + [FLAGS_CSS] * flags
    parts += [_verdict_rule(v) for v in SYMBOL if v in verdicts] + [SVG_CSS] * drawing
    return minify_css("\n".join(parts))
