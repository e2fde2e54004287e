"""Right work is never marked down, however it is written: every answer of the classic 2-2-2 problem and of
Exercise 6 (whose net inputs are z1..z4), right to the digits written, in a spelling students use (LaTeX, plain text, words), as a line of math, a plain equation, a
sentence, a table's row, in Markdown, plain text, a notebook, a Word document or an OpenDocument text, mixed at random (Hypothesis,
fixed examples), is graded correct, with no flag and no other quantity given a value. The values come from the
textbook formulas in mpmath (``tests/textbook.py``), never from the grader's solver."""

from __future__ import annotations

import json

import mpmath

from hypothesis import given, settings, strategies as st

from xml.sax.saxutils import escape

from docxfile import docx, para, t, table
from odtfile import odt, p as odt_p, table as odt_table
from grader.grade.pipeline import Grader
from textbook import CLASSIC, CLASSIC_NETS, EX6, sig, textbook

UNITS = ("h1", "h2", "o1", "o2")
PROBLEMS = {"classic_222": (Grader(problem="classic_222"), textbook(CLASSIC, CLASSIC_NETS)),
            "exercise6": (Grader(problem="exercise6"), textbook(EX6))}
EX6_UNITS = dict(zip(("z1", "z2", "z3", "z4"), UNITS))  # Exercise 6's net inputs, by their unit


def spellings(q: str) -> dict[str, list[str]]:
    """How the quantity ``q`` is written: in math (LaTeX), as plain text, and as the subject of a sentence."""
    if q in EX6_UNITS:
        u = EX6_UNITS[q]
        return {"latex": [f"z_{q[1]}", f"z_{{{q[1]}}}", f"net_{{{u}}}"], "plain": [q, f"net_{u}"],
                "words": [q, f"the net input of {u}"]}
    if q.startswith("net_"):
        u = q[4:]
        return {"latex": [f"net_{{{u}}}", f"net_{{{u[0]}_{u[1]}}}"], "plain": [f"net_{u}", f"net {u}"],
                "words": [f"the net input of {u}", f"net_{u}"]}
    if q in UNITS:
        return {"latex": [f"{q[0]}_{q[1]}", f"{q[0]}_{{{q[1]}}}", f"out_{{{q}}}"], "plain": [q, f"out_{q}"],
                "words": [q, f"the output of {q}"]}
    if q == "E":
        return {"latex": ["E_{total}", "E"], "plain": ["E_total", "E total"], "words": ["E_total"]}
    if q.startswith("E_"):
        return {"latex": [f"E_{{{q[2:]}}}"], "plain": [q], "words": [q]}
    if q.startswith("delta_"):
        u = q[6:]
        return {"latex": [f"\\delta_{{{u}}}", f"δ_{{{u}}}"], "plain": [q, f"δ{u}"], "words": [f"the delta of {u}"]}
    w = q[:-4]  # w5_new
    return {"latex": [f"{w[0]}_{{{w[1:]}}}^{{+}}", f"{w[0]}_{w[1:]}'"], "plain": [q, f"{w}+", f"new {w}"],
            "words": [f"the updated weight {w}", f"the new value of {w}", f"{w} after the update"]}


@st.composite
def answers(draw, problem: str):
    grader, values = PROBLEMS[problem]
    quantities = list(grader.plan_at(grader.instructor_problem()).fields)
    chosen = draw(st.lists(st.sampled_from(quantities), min_size=1, max_size=8, unique=True))
    out = []
    for q in chosen:
        style = draw(st.sampled_from(["latex", "plain", "words"]))
        name = draw(st.sampled_from(spellings(q)[style]))
        digits = draw(st.integers(8, 12))
        if q.endswith("_new"):  # an update is judged on its change (as the template says): the digits it needs
            change = abs(values[q] - values[q[:-4]])
            digits = max(digits, int(mpmath.ceil(mpmath.log10(abs(values[q]) / change))) + 5)
        value = sig(values[q], digits)
        if style == "latex" and draw(st.booleans()) and "e" not in value:
            mantissa, exponent = f"{float(value):.{digits - 1}e}".split("e")
            value = f"{mantissa} \\times 10^{{{int(exponent)}}}"
        out.append((q, style, name, value))
    return out


def line(style: str, name: str, value: str, math: bool) -> str:
    if style == "latex":
        return f"${name} = {value}$" if math else f"{name} = {value}"
    if style == "plain":
        return f"{name} = {value}"
    return f"So {name} is {value}."


def written(container: str, rows) -> tuple[str, bytes | str]:
    """(file suffix, contents) of ``rows`` in ``container``."""
    if container in ("docx", "odt"):
        office = container == "docx"
        text = (lambda x: t(x)) if office else escape
        paragraphs = [para(line(style, name, value, math=False)) if office else odt_p(escape(line(style, name, value,
                                                                                                  math=False)))
                      for _, style, name, value in rows if style != "latex"]
        cells = [[text(name), text(value)] for _, style, name, value in rows if style == "plain" and " " not in name]
        heading = [text("Quantity"), text("Value")]
        if office:
            return ".docx", docx(*paragraphs, *([table(heading, *cells)] if cells else []))
        return ".odt", odt(*paragraphs, *([odt_table(heading, *cells)] if cells else []))
    lines = [line(style, name, value, math=container != "txt") for _, style, name, value in rows]
    if container == "ipynb":
        cells = [{"cell_type": "markdown", "metadata": {}, "source": text} for text in lines]
        return ".ipynb", json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    return f".{container}", "\n\n".join(lines) + "\n"


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.sampled_from(sorted(PROBLEMS)).flatmap(lambda p: st.tuples(st.just(p), answers(p))),
       st.sampled_from(["md", "txt", "ipynb", "docx", "odt"]))
def test_right_answers_in_any_format_are_all_correct(tmp_path_factory, problem_rows, container):
    problem, rows = problem_rows
    grader, V = PROBLEMS[problem]
    if container == "txt":  # (plain text has no math delimiters: LaTeX is written as it stands, which a .txt reads)
        rows = [(q, "plain" if style == "latex" else style, spellings(q)["plain"][0] if style == "latex" else name,
                 value if style != "latex" or "times" not in value else sig(V[q], 12)) for q, style, name, value in rows]
    if container in ("docx", "odt"):  # (their equations are tested in test_writeup_docx.py, test_writeup_odt.py)
        rows = [(q, "plain", spellings(q)["plain"][0], sig(V[q], 12)) if style == "latex" else (q, style, name, value)
                for q, style, name, value in rows]
    suffix, data = written(container, rows)
    path = tmp_path_factory.mktemp("w") / f"work{suffix}"
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    r = grader.grade_file(path)
    got = {f.quantity: f.verdict for f in r.fields if f.verdict != "missing"}
    assert got == {q: "correct" for q, *_ in rows}, (problem, container, rows, got, [fl.message for fl in r.flags])
    assert not r.flags, [fl.message for fl in r.flags]
