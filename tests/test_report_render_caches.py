"""The renderers' per-problem caches and fast paths (``grader.report.markdown``, ``html``, ``svg``) change no byte:
a report rendered with every cache cold equals one rendered warm, in both modes, and the fast paths equal the
general code they stand in for."""

from __future__ import annotations

import dataclasses
import random
import re
from pathlib import Path

import pytest

from grader.grade.pipeline import Grader
from grader.numfmt import printable
from grader.report import html, markdown, render, svg

ROOT = Path(__file__).parents[1]
EXAMPLES = sorted(p for p in (ROOT / "submissions_examples").iterdir() if p.suffix in (".yaml", ".md"))


@pytest.fixture(scope="module")
def results() -> list:
    out = []
    for reveal in (None, "never"):
        grader = Grader(reveal=reveal)
        for p in EXAMPLES:
            try:
                out.append(grader.grade_file(p))
            except Exception:  # a malformed example: no result to render
                pass
    assert len(out) > 4
    return out


def _clear() -> None:
    for fn in (markdown.md_text, markdown._row, markdown._item, markdown._formula_line, markdown._flag_head,
               markdown._see_flags, html._field_parts, html._dd, html._formula, html._flag_head, html._see_flags,
               svg._element, svg._worst):
        fn.cache_clear()
    svg._SKELETONS.clear()


def test_cold_and_warm_caches_render_the_same(results):
    _clear()
    cold = [(render(r, "markdown"), render(r, "html")) for r in results]
    warm = [(render(r, "markdown"), render(r, "html")) for r in reversed(results)][::-1]
    assert cold == warm
    _clear()
    # a sketch laid out afresh (another object, equal) draws the same
    again = [render(dataclasses.replace(r, network=r.network and dataclasses.replace(r.network)), "html")
             for r in results]
    assert again == [h for _, h in cold]


_SPECIAL = re.compile(r"[\\`*\[\]<>&$|~#!{}]")
_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")


def _md_text_by_substitution(s: str) -> str:
    """``md_text`` as it was written before its fast path: two substitutions."""
    if not s.isprintable():
        s = printable(s.replace("\r", " ").replace("\n", " "))
    s = _SPECIAL.sub(lambda m: "\\" + m.group(0), s)
    return _UNDERSCORE.sub(r"\\_", s)


def test_md_text_escapes_as_the_substitutions_did():
    rng = random.Random(7)
    alphabet = list("\\`*[]<>&$|~#!{}_ aZ09é−σ.-\n\r\x1b\u202e")
    for _ in range(20_000):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        assert markdown.md_text.__wrapped__(s) == _md_text_by_substitution(s), repr(s)


@pytest.mark.parametrize("s", ["-7.65", "1.17999e-06", "+3", "", "1 2", " 5", "5 ", "a|b", "`x`", "1\n2", "x" * 70,
                               "9" * 61, "0.5\u202e", "w_1", "e"])
def test_plain_number_fast_paths_equal_md_code(s):
    assert markdown._code(s) == markdown.md_code(s)
    assert markdown._code_cell(s) == markdown.md_code(markdown.short(s), table=True)
