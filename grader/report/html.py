"""The HTML report: one self-contained file, readable on a phone and printable.

No network at all: no scripts, stylesheets, fonts or images from anywhere; inline CSS only; no JavaScript. The page
is XHTML-compatible (void elements self-closed, only the XML entities), so both ``html.parser`` and ``xml.etree``
read it. It shows, in order: the flags (they explain what follows), the score, the network drawn as an inline SVG
coloured by verdict (``grader.report.svg``), and every field with its verdict and points, your value and the
expected one, what it follows from and the likely mistake. (No separate overview table: it repeated the fields'
headings and values, and the drawing is the overview.) Formulas are MathML (``grader.report.mathml``).

Small, because a class gets thousands of them: one minified stylesheet (``grader.report.style``) carries the
presentation, so the markup has no inline styles and few, short classes (a field is ``<li class="v-incorrect">``,
its verdict ``<b>``, its points ``<span>``); the drawing's colours come from the stylesheet too. Everything that
does not depend on the student is made once per problem and reused: the stylesheet at import, the drawing's layout
per network sketch (``grader.report.svg``), a field's heading and description, its formula markup and the report's
fixed sentences per distinct string (small caches).

When ``result.reveal`` is False (exam mode) no expected value and no formula with the key's numbers is shown.
Everything the student wrote (values, name, id, file name) is escaped, a control, bidirectional or zero-width
character shown as its escape (``\\x1b``, ``\\u202e``). A pure function of the ``GradeResult``;
byte-identical across runs.
"""

from __future__ import annotations

import functools
import re
from html import escape

from grader.grade.result import FieldResult, GradeResult
from grader.numfmt import printable
from grader.report.common import (
    FLAG_TITLE,
    SYMBOL,
    accepted,
    describe_text,
    expected_text,
    expected_value,
    flagged_quantities,
    hide_key_numbers,
    on_change_note,
    points,
    shown_value,
    who,
)
from grader.report.mathml import formula, latex_to_mathml, worked_with_value  # noqa: F401  (re-exported: practice, tests)
from grader.report.style import CSS, _verdict_css, report_css  # noqa: F401  (re-exported: the practice page)
from grader.report.svg import render_svg

_SPECIAL = re.compile(r"[&<>\"']")


def _e(s: str) -> str:
    if not s.isprintable():  # a control, bidirectional or zero-width character as its escape (white space stays)
        s = printable(s, keep="\t\n\r")
    return escape(s, quote=True) if _SPECIAL.search(s) else s


_HEAD = ("<!DOCTYPE html>\n"
         '<html lang="en" xmlns="http://www.w3.org/1999/xhtml">\n'
         "<head>\n"
         '<meta charset="utf-8"/>\n'
         '<meta name="viewport" content="width=device-width, initial-scale=1"/>\n')
_BODY = "</style>\n</head>\n<body>\n<main>\n<header>"
_EXAM = ('<p class="exam"><strong>Exam mode:</strong> expected values and worked solutions are hidden. Each field '
         "says whether it is right and, if not, why.</p>")
_FLAGS_HEAD = ['<section class="flags" aria-labelledby="flags-h">',
               '<h2 id="flags-h">⚑ Read this first: these explain many of the marks below</h2>', "<ul>"]
_NET = ['<section aria-labelledby="net-h">', '<h2 id="net-h">Your results on the network</h2>', "<figure>"]
_NET_END = ["<figcaption>Each neuron, weight and bias shows its worst result: symbol, colour and line style say the "
            "same (key below). Hover or tap an element for its quantities.</figcaption>",
            "</figure>", "</section>"]
_CARRIED = ("<li>↪ carried: a value that follows correctly from your own earlier (wrong) values earns credit for an "
            "error carried forward.</li>")
_ON_CHANGE = ("<li>Updated parameters (the <code>…_new</code> values) are compared on their change p<sub>new</sub> − p, "
              "so a tiny update is not lost in a large weight.</li>")


@functools.lru_cache(maxsize=64)
def _problem_head(title: str, problem: str) -> str:
    return f'<h1>{_e(title)} <span class="meta">({_e(problem)})</span></h1>'


@functools.lru_cache(maxsize=64)
def _footer(tolerance: str, on_change: bool) -> str:
    return "\n".join(["<footer>", '<h2 id="rules-h">How answers are compared</h2>', "<ul>",
                      f"<li>Tolerance: <code>{_e(tolerance)}</code>.</li>", *([_ON_CHANGE] if on_change else []),
                      _CARRIED, "</ul>"])


@functools.lru_cache(maxsize=8192)
def _quantity(q: str) -> str:
    """A field's name in its heading (a problem's names: made once)."""
    return f"<code>{_e(q)}</code>"


@functools.lru_cache(maxsize=8192)
def _desc(description: str, quantity: str) -> str:
    """What the field is (``describe``), as the paragraph under its heading (a problem's words: made once)."""
    desc = describe_text(description, quantity)
    return f"\n<p>{_e(desc)}</p>" if desc else ""


_PLAIN_INCORRECT = "Incorrect."  # a message that only repeats the verdict (the heading says it): not written


def _verdict(v: str) -> str:
    return f"{SYMBOL[v]} {v}"


def render_html(result: GradeResult) -> str:
    reveal = result.reveal
    person = who(result)
    title = f"{result.problem_title} — feedback" + (f" for {person}" if person else "")
    counts: dict[str, int] = {}
    for f in result.fields:
        counts[f.verdict] = counts.get(f.verdict, 0) + 1
    svg = render_svg(result, full_key=False)
    css = report_css(frozenset(counts) | ({"none"} if svg else set()), exam=not reveal, flags=bool(result.flags),
                     drawing=bool(svg))
    o: list[str] = [_HEAD + f"<title>{_e(title)}</title>\n<style>" + css + _BODY,
                    _problem_head(result.problem_title, result.problem)]
    if person:
        o.append(f'<p class="meta">Student: <strong>{_e(person)}</strong></p>')
    if result.source:
        o.append(f'<p class="meta">Submission: <code>{_e(result.source)}</code></p>')
    o.append("</header>")
    if not reveal:
        o.append(_EXAM)

    if result.flags:
        o += _FLAGS_HEAD
        for fl in result.flags:
            o.append(_flag_head(fl.kind, fl.quantity) + _e(fl.message) + "</li>")
        o += ["</ul>", "</section>"]

    o += ['<section aria-labelledby="score-h">', '<h2 id="score-h">Score</h2>',
          f'<p class="score">{points(result.score)} / {points(result.max_score)} points</p>', '<ul class="counts">']
    o += [f'<li class="v-{v}">{SYMBOL[v]} {counts[v]} {v}</li>' for v in SYMBOL if v in counts]
    o += ["</ul>", "</section>"]

    if svg:
        o += _NET
        o.append(svg)
        o += _NET_END

    o += ['<section aria-labelledby="fields-h">', '<h2 id="fields-h">Field by field</h2>', '<ol class="fields">']
    flagged = flagged_quantities(result) if result.flags else {}
    for f in result.fields:
        o.append(_field(result, f, flagged.get(f.quantity)))
    o += ["</ol>", "</section>"]
    if result.unattributed:
        o += ['<section aria-labelledby="unread-h">', '<h2 id="unread-h">Equations not read as any quantity, or read only in part</h2>', "<ul>"]
        o += [f"<li>{_e(where)}: <code>{_e(text)}</code> ({_e(reason)})</li>" for where, text, reason in result.unattributed]
        o += ["</ul>", "</section>"]

    o.append(_footer(result.tolerance_rule, on_change_note(result)))
    if result.warnings:
        o += ["<p>Notes:</p>", "<ul>"] + [f"<li>{_e(w)}</li>" for w in result.warnings] + ["</ul>"]
    o += ["</footer>", "</main>", "</body>", "</html>"]
    return "\n".join(o) + "\n"


# A field's pieces that do not depend on what the student wrote (its heading with verdict and points, the key's
# value, the formulas, the rule it is judged by) are made once per distinct string or combination, in bounded
# caches: a class's reports repeat them for every student, and only the value written, the messages and the flags
# are the student's own.

_PLAIN = "0123456789.-+eE"  # a number as most students write it: printable, nothing to escape


@functools.lru_cache(maxsize=4096)
def _field_parts(v: str, quantity: str, description: str, expected: float | None, on_change: bool, pts: float,
                 max_pts: float, reveal: bool, worked_latex: str) -> tuple[str, str, bool]:
    """A field's list item around the value written: up to it (verdict, name and points, what it is, ``<dt>Your
    value</dt><dd>``), and after it the expected value, or (revealed and not correct) the worked formula ending in
    the expected value as its own row; and whether that row is there. Keyed on what ``expected_value`` reads."""
    head = (f'<li class="v-{v}">\n<h3><b>{_verdict(v)}</b> {_quantity(quantity)} '
            f"<span>{points(pts)} / {points(max_pts)}</span></h3>{_desc(description, quantity)}\n<dl>\n"
            "<dt>Your value</dt><dd>")
    value = expected_text(v, expected, on_change)
    # Revealed and not correct: the worked formula ends in the expected value (to 10 digits) and says it once.
    worked = worked_with_value(worked_latex, value) if reveal and v != "correct" and worked_latex else None
    if worked is not None:
        return head, f"</dd><dt>Expected</dt><dd>{worked}</dd>", True
    return head, (f"; expected <code>{_e(value)}</code></dd>" if reveal else "</dd>"), False


@functools.lru_cache(maxsize=4096)
def _dd(term: str, text: str) -> str:
    """``<dt>term</dt><dd>text</dd>`` for a problem's words (an accepted rule)."""
    return f"<dt>{term}</dt><dd>{_e(text)}</dd>"


@functools.lru_cache(maxsize=4096)
def _formula(term: str, latex: str, plain: str) -> str:
    return f"<dt>{term}</dt><dd>" + formula(latex, plain) + "</dd>"


@functools.lru_cache(maxsize=1024)
def _flag_head(kind: str, quantity: str) -> str:
    """A flag's list item up to its message: ``<li><b>⚑ One quantity, two values</b>, <code>z1</code>: ``."""
    return f"<li><b>⚑ {_e(FLAG_TITLE.get(kind, kind))}</b>, <code>{_e(quantity)}</code>: "


@functools.lru_cache(maxsize=1024)
def _see_flags(flagged: tuple[str, ...]) -> str:
    """The row that points a field to the flags about ``flagged`` (a problem's names: few combinations)."""
    names = ", ".join(f"<code>{_e(q)}</code>" for q in flagged)
    return f'<dt>Flag</dt><dd>⚑ See the flag{"s" if len(flagged) > 1 else ""} at the top about {names}.</dd>'


def _field(result: GradeResult, f: FieldResult, flagged: list[str] | None) -> str:
    """One field as a list item: verdict, name and points, what it is, then the values and explanations."""
    reveal = result.reveal
    v = f.verdict
    head, after, worked = _field_parts(v, f.quantity, f.description, f.expected, f.compared_on_change, f.points,
                                       f.max_points, reveal, f.worked_latex)
    given = shown_value(f)
    o = [head + (("<code>" + given + "</code>" if not given.strip(_PLAIN) else f"<code>{_e(given)}</code>")
                 if given is not None else "no answer")]
    if f.read_as is not None:
        o.append(f" (read as <code>{_e(f.read_as)}</code>)")
    o.append(after)
    rule = accepted(result, f)
    if rule:
        o.append(_dd("Accepted", rule))
    if f.source:
        o.append(f"<dt>From</dt><dd>{_e(f.source)}: <code>{_e(f.source_text)}</code></dd>")
    if v != "correct":
        if worked:
            pass
        elif reveal and (f.worked_latex or f.worked):
            o.append(_formula("Worked", f.worked_latex, f.worked))
        elif f.formula_latex or f.formula:
            o.append(_formula("Formula", f.formula_latex, f.formula))
        if f.message and f.message != _PLAIN_INCORRECT:
            o.append(f"<dt>Why</dt><dd>{_e(f.message if reveal else hide_key_numbers(f.message, f, reveal))}</dd>")
        if f.diagnosis:
            text = f.diagnosis.text
            o.append(f"<dt>Likely mistake</dt><dd>{_e(text if reveal else hide_key_numbers(text, f, reveal))}</dd>")
        if flagged:
            o.append(_see_flags(tuple(flagged)))
    o.append("</dl>\n</li>")
    return "".join(o)
