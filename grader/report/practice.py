"""The practice page: one self-contained HTML file where a student types answers and sees verdicts as they type.

The page shows the statement (math as MathML, as in the reports), the network drawing of the reports
(``grader.report.svg``) with inputs placed on it where they fit (neurons, weights, biases), and the list of every
asked quantity in ask order, each labelled with its name and what it is. Nothing is fetched: the styles and scripts
are inline, and it works opened from disk.

The verdicts are computed in the page by JavaScript generated from the grading plan (``grader.report.jscompile``:
the formula graph, the known mistakes and the tolerance rule) and a small runtime that mirrors the engine's
per-field decision (``practice_grade.js``) and the answer reader (``practice_reader.js``). The page embeds the
key, so it must never be built for a problem whose key is secret: ``grader.author.practice`` refuses those.

Hooks for people and tools: each asked quantity's input has ``data-quantity``, its result ``data-verdict``; the
URL fragment (``#z1=-7.65&h1=0.000476``) prefills answers and follows them; ``#export-yaml`` holds the answers as a
submission file, which the download button saves.
"""

from __future__ import annotations

import json
import re
from html import escape
from importlib import resources
from types import SimpleNamespace

from grader.grade.engine import Plan, grade
from grader.grade.result import Student
from grader.report.html import CSS, _verdict_css, formula, latex_to_mathml
from grader.report.jscompile import program, script_safe
from grader.report.mdblocks import INLINE, MATH, blocks
from grader.report.svg import DASH, FILL, SEVERITY, STROKE, SYMBOL, _Owners, base_name, render_svg
from grader.spec import names, notation

_LATEX_FIXES = ((re.compile(r"\\([td]?frac)(\d)(\d)"), r"\\\1{\2}{\3}"), (re.compile(r"\\l?dots\b"), "..."))

PAGE_CSS = """
.practice { display: grid; grid-template-columns: minmax(0, 1fr); gap: 0 1.5rem; }
@media (min-width: 62rem) {
  main.wide { max-width: 78rem; }
  .practice { grid-template-columns: minmax(0, 1.6fr) minmax(20rem, 1fr); }
  .practice figure { position: sticky; top: 0.5rem; align-self: start; }
}
.practice figure svg { max-width: none; }
.slot input { width: 100%; height: 100%; font: 12px/1 ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace;
  padding: 1px 4px; border: 2px solid #6b6b6b; border-radius: 4px; background: #fff; }
.slot { width: 100%; height: 100%; }
@media (max-width: 36rem) { .slot-fo { display: none; } }
.fields .field { padding: 0.5rem 0.75rem; margin: 0.6rem 0; }
.field label { display: block; font-weight: 600; }
.field label .desc { font-weight: 400; }
.field input { width: 100%; font: 1rem ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace; padding: 0.35rem 0.5rem;
  margin: 0.25rem 0; border: 1px solid #888; border-radius: 4px; }
.field input:focus, .slot input:focus, button:focus, textarea:focus { outline: 3px solid #1a5fb4; outline-offset: 1px; }
.result { display: flex; flex-direction: column; gap: 0.15rem; font-size: 0.95rem; }
.result .pts { color: var(--muted); }
.result .mistake { color: #6b3a00; }
.formula { margin-top: 0.3rem; }
.statement { background: var(--panel); border-radius: 6px; padding: 0.3rem 1rem; }
.statement math { font-size: 1.1em; }
.export textarea { width: 100%; min-height: 8rem; font: 0.9rem ui-monospace, Menlo, Consolas, monospace; }
.export input { font: inherit; padding: 0.25rem 0.4rem; max-width: 100%; }
.export label { display: inline-block; margin: 0.2rem 1rem 0.2rem 0; }
button { font: inherit; padding: 0.4rem 0.9rem; border-radius: 5px; border: 2px solid #1a5fb4; background: #e8f0fb; color: #0b3d7a; cursor: pointer; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.page-error { border: 2px solid #a63f00; background: #fbe3d6; padding: 0.5rem; }
"""


_SLOT_STYLE = {"correct": "solid", "carried": "dashed", "incorrect": "dotted", "missing": "dashed", "unparseable": "double"}


def _slot_css() -> str:
    """The inputs on the drawing take their verdict's colour and a border style of its own (not colour alone)."""
    return "\n".join(
        f'.slot[data-verdict="{v}"] input {{ border-color: {STROKE[v]}; border-style: {style}; background: {FILL[v]}; }}'
        for v, style in _SLOT_STYLE.items()
    )


def _e(s: str) -> str:
    return escape(s, quote=True)


# --- the statement: the Markdown subset of problem statements, math as MathML ------------------------------------


def _math(tex: str, display: bool) -> str:
    for pattern, repl in _LATEX_FIXES:
        tex = pattern.sub(repl, tex)
    try:
        m = latex_to_mathml(tex.strip())
    except ValueError:
        return f"<code>{_e(tex)}</code>"
    return m.replace("<math ", '<math display="block" ', 1) if display else m


def _inline(text: str) -> str:
    out = []
    for i, part in enumerate(MATH.split(text)):
        if i % 2:
            display = part.startswith("$$")
            out.append(_math(part[2:-2] if display else part[1:-1], display))
            continue
        for j, piece in enumerate(INLINE.split(part)):
            if j % 2 == 0:
                out.append(escape(piece, quote=False))
            elif piece.startswith("**"):
                out.append(f"<strong>{_inline(piece[2:-2])}</strong>")
            elif piece.startswith("`"):
                out.append(f"<code>{escape(piece[1:-1])}</code>")
            else:
                out.append(f"<em>{_inline(piece[1:-1])}</em>")
    return "".join(out)


def statement_html(text: str) -> str:
    """Paragraphs, ``-``/``1.`` lists, ``**bold**``, ``*emphasis*``, ```code``` and ``$math$`` (as MathML)."""
    out = []
    for kind, lines in blocks(text):
        if kind == "p":
            out.append(f"<p>{_inline(' '.join(lines))}</p>")
        elif kind:
            out.append(f"<{kind}>" + "".join(f"<li>{_inline(x)}</li>" for x in lines) + f"</{kind}>")
    return "\n".join(out)


# --- where each asked quantity goes on the drawing ---------------------------------------------------------------


def _slots(plan: Plan) -> dict[str, tuple[str, str, str]]:
    """quantity -> (element kind, element name, slot): the first asked quantity of each slot gets it."""
    sk = plan.sketch
    by_name: dict[str, tuple[str, str, str]] = {}
    for n, net_name in sk.nets:
        by_name[n] = ("unit", n, "activation")
        by_name[net_name] = ("unit", n, "net")
        by_name[f"delta_{n}"] = ("unit", n, "delta")
    for p in [w for w, _, _ in sk.weights]:
        for q in (f"{p}_new", f"grad_{p}", f"v_{p}"):
            by_name[q] = ("weight", p, "param")
    for b, _ in sk.biases:
        for q in (f"{b}_new", f"grad_{b}", f"v_{b}"):
            by_name[q] = ("bias", b, "param")
    taken: set[tuple[str, str, str]] = set()
    out = {}
    for q in plan.fields:
        where = by_name.get(base_name(q))
        if where and where not in taken:
            taken.add(where)
            out[q] = where
    return out


def fragment_names(plan: Plan) -> dict[str, str]:
    """Spellings a URL fragment may use for the asked quantities (``δ_o1``, ``w5'``, ``out_h1``) -> the name: the
    human spellings of ``grader.spec.notation`` around each asked quantity's base, and the problem's aliases, each
    kept only where the name resolver reads it as exactly that quantity."""
    asked = set(plan.fields)
    resolver = notation.Resolver.for_problem(plan.problem)
    candidates: dict[str, None] = dict.fromkeys(resolver.aliases)
    for q in plan.fields:
        st = notation.stem(q)
        sfx = q[len(st):]
        for kind in notation.KINDS:
            pre, _, post = kind.make.partition("{}")
            if len(st) > len(pre) + len(post) and st.startswith(pre) and st.endswith(post):
                base = st[len(pre):len(st) - len(post)]
                for sp in kind.spellings:
                    candidates[sp.replace(notation.BASE, base) + sfx] = None
    out = {}
    for c in candidates:
        res = resolver.resolve(c)
        name = None if res.negated else res.name  # (an error term is minus a delta: no name of a field's)
        if name in asked and c != name:
            out[c] = name
    for alias, target in names.ALIASES.items():
        if target in asked:
            out.setdefault(alias, target)
    return out


def _empty_result(plan: Plan):
    return grade(plan, SimpleNamespace(answers={}, student=Student(), source=None), reveal=True)


def view_data(plan: Plan, result, descriptions: dict[str, str] | None = None) -> dict:
    sk = plan.sketch
    owners = _Owners(sk, result.fields)
    shape = "-".join(str(len(layer)) for layer in sk.layers)
    return {
        "symbol": {v: SYMBOL[v] for v in ("correct", "carried", "incorrect", "missing", "unparseable", "none")},
        "severity": SEVERITY,
        "stroke": STROKE,
        "fill": FILL,
        "dash": DASH,
        "owners": {
            "neuron": {u: [f.quantity for f in owners.unit(u)] for layer in sk.layers[1:] for u in layer},
            "weight": {w: [f.quantity for f in owners.param(w)] for w, _, _ in sk.weights},
            "bias": {b: [f.quantity for f in owners.param(b)] for b, _ in sk.biases},
        },
        "slots": _slots(plan),
        "aliases": fragment_names(plan),
        "describe": {q: (descriptions or {}).get(q) or plan.key.node(q).description for q in plan.fields},
        "summaryHead": f"The {shape} network, marked with your results. Inputs: {', '.join(sk.layers[0])}.",
    }


def _script(name: str) -> str:
    return resources.files("grader.report").joinpath(name).read_text(encoding="utf-8")


def render_practice(plan: Plan, *, student: str | None = None, problem_ref: str | None = None,
                    descriptions: dict[str, str] | None = None) -> str:
    """The practice page of ``plan`` (a variant's plan for a randomized problem, with ``student`` its id);
    ``problem_ref`` is what the exported submission's ``problem:`` says (default: the problem's id) and
    ``descriptions`` what each asked quantity is, in words (default: the formula graph's description)."""
    problem = plan.problem
    result = _empty_result(plan)
    title = f"{problem.title} — practice"
    o = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8"/>',
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
        f"<title>{_e(title)}</title>",
        "<style>" + CSS + _verdict_css() + PAGE_CSS + _slot_css() + "\n</style>",
        "<script>window.onerror = function (msg, src, line) { document.documentElement.setAttribute('data-error', "
        "(document.documentElement.getAttribute('data-error') || '') + msg + ' (line ' + line + ') '); };</script>",
        "</head>",
        "<body>",
        '<main class="wide">',
        "<header>",
        f'<h1>{_e(problem.title)} <span class="meta">({_e(problem.id)})</span></h1>',
    ]
    if student:
        o.append(f'<p class="meta">The values of student <strong>{_e(student)}</strong>.</p>')
    o += [
        '<p class="meta">Practice: type your answers; each is checked as you type, against the exact key, with '
        "credit for errors carried forward from your own earlier answers. Enter moves to the next field.</p>",
        "<noscript><p class=\"page-error\">This page needs JavaScript to check your answers.</p></noscript>",
        "</header>",
    ]
    if problem.statement.strip():
        o += ['<section aria-labelledby="statement-h">', '<h2 id="statement-h">Problem</h2>',
              f'<div class="statement">{statement_html(problem.statement.strip())}</div>', "</section>"]
    o += [
        '<section aria-labelledby="score-h">',
        '<h2 id="score-h">Your score</h2>',
        f'<p class="score" id="score">0 / {result.max_score:g} points</p>',
        '<p id="counts" class="counts"></p>',
        '<p id="announce" class="visually-hidden" role="status" aria-live="polite"></p>',
        "</section>",
        '<div class="practice">',
        '<figure aria-labelledby="net-cap">',
        render_svg(result),
        '<figcaption id="net-cap">The network: each neuron, weight and bias shows its worst result (symbol, colour '
        "and line style say the same). Fields on the drawing mirror the list.</figcaption>",
        "</figure>",
        '<section aria-labelledby="fields-h">',
        '<h2 id="fields-h">Your answers</h2>',
        '<ol class="fields">',
    ]
    for f in result.fields:
        q = f.quantity
        what = (descriptions or {}).get(q) or plan.key.node(q).description
        extra = " (compared on the change from the value before the update)" if f.compared_on_change else ""
        o += [
            f'<li class="field v-missing" id="f-{_e(q)}">',
            f'<label for="in-{_e(q)}"><code>{_e(q)}</code> <span class="desc">— {_e(what)}{_e(extra)}</span></label>',
            f'<input type="text" id="in-{_e(q)}" name="{_e(q)}" data-quantity="{_e(q)}" inputmode="text" '
            f'autocomplete="off" autocapitalize="off" spellcheck="false" aria-describedby="res-{_e(q)}"/>',
            f'<div class="result" id="res-{_e(q)}" data-verdict-of="{_e(q)}" data-verdict="missing">'
            f'<span class="verdict">{SYMBOL["missing"]} missing</span> '
            f'<span class="pts">0 / {f.max_points:g}</span></div>',
            f'<div class="formula" data-formula-of="{_e(q)}" hidden="hidden"><span class="meta">Formula:</span> '
            + formula(f.formula_latex, f.formula) + "</div>",
            "</li>",
        ]
    o += [
        "</ol>",
        "</section>",
        "</div>",
        '<section class="export" aria-labelledby="export-h">',
        '<h2 id="export-h">Save your answers</h2>',
        "<p>The answers as a submission file: <code>grade</code> grades it the same way.</p>",
        '<label>Student id <input id="student-id" type="text" autocomplete="off"'
        + (f' value="{_e(student)}" readonly="readonly"' if student else "") + "/></label>",
        '<label>Name <input id="student-name" type="text" autocomplete="off"/></label>',
        '<p><button type="button" id="download">Download answers (YAML)</button></p>',
        '<label for="export-yaml" class="visually-hidden">The submission file</label>',
        '<textarea id="export-yaml" readonly="readonly" rows="8" spellcheck="false"></textarea>',
        "</section>",
        "<footer>",
        '<h2 id="rules-h">How answers are compared</h2>',
        "<ul>",
        f"<li>Tolerance: <code>{_e(result.tolerance_rule)}</code>.</li>",
        "<li>Updated parameters (the <code>…_new</code> values) are compared on their change p<sub>new</sub> − p.</li>",
        "<li>↪ carried: a value that follows correctly from your own earlier (wrong) values earns credit for an "
        "error carried forward.</li>",
        "<li>Numbers: <code>0.25</code>, <code>1.2e-3</code>, <code>1.2×10^-3</code>, <code>3/4</code>, "
        "<code>0,35</code>, or an expression such as <code>1/(1+exp(-0.5))</code>, also in LaTeX: "
        "<code>\\frac{1}{1+e^{-0.5}}</code>.</li>",
        "</ul>",
        "</footer>",
        "</main>",
        "<script>\n" + program(plan, problem_ref or problem.id) + "const PRACTICE_VIEW = "
        + script_safe(json.dumps(view_data(plan, result, descriptions), ensure_ascii=False)) + ";\n</script>",
    ]
    for name in ("practice_latex.js", "practice_reader.js", "practice_grade.js", "practice_page.js"):
        o.append("<script>\n" + script_safe(_script(name)) + "</script>")
    o += ["</body>", "</html>"]
    return "\n".join(o) + "\n"
