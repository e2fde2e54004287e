"""Reports are small (a class gets thousands) and their per-problem parts are made once per problem.

Sizes are deterministic (a report is a pure function of its result), so the bounds are plain assertions on bytes:
the HTML report of the seed and of a fully correct Exercise 6 submission is at most 25 KB (25,000 bytes), still one
self-contained file; the Markdown reports have their own bounds. The drawing's layout is made once per network
sketch and reused for every student of the problem; the stylesheet carries only the rules a report uses.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import yaml

from grader.grade.pipeline import Grader
from grader.report import render, svg

ROOT = Path(__file__).parents[1]
SEED = ROOT / "submissions_examples" / "exercise6_seed.yaml"
HTML_LIMIT = 25_000
MD_LIMIT = {"seed": 14_500, "correct": 4_000}  # was 14,140 and 5,508 bytes: a correct field repeated its table row


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict:
    grader = Grader()
    seed = dataclasses.replace(grader.grade_file(SEED), source="submissions_examples/exercise6_seed.yaml")
    plan = grader.plan_at(grader.problem_for("exercise6")[0])
    answers = {a.quantity: plan.key.decimal(a.quantity, 17) for a in plan.problem.ask}
    path = tmp_path_factory.mktemp("correct") / "correct.yaml"
    path.write_text(yaml.safe_dump({"problem": "exercise6", "student": {"id": "400222100", "name": "Reza Mosavi"},
                                    "answers": answers}, sort_keys=False), encoding="utf-8")
    # (the report names its file: the temporary folder's name would make the size depend on how many pytest runs
    # the machine has kept, pytest-9 or pytest-100)
    correct = dataclasses.replace(grader.grade_file(path), source="submissions/correct.yaml")
    assert correct.score == correct.max_score and seed.score < seed.max_score  # what the names say
    return {"seed": seed, "correct": correct}


@pytest.mark.parametrize("name", ["seed", "correct"])
def test_html_report_of_exercise6_is_at_most_25_kb_and_self_contained(results, name):
    html = render(results[name], "html")
    size = len(html.encode("utf-8"))
    assert size <= HTML_LIMIT, f"{name}: {size} bytes"
    low = html.lower()
    for external in ("<script", "<link", "<img", "<iframe", "src=", "url(", "@import"):
        assert external not in low, external
    # still everything a student reads: every field, its verdict, the drawing
    for f in results[name].fields:
        assert f"<code>{f.quantity}</code>" in html and f"{f.verdict}</b>" in html
    assert html.count("<svg") == 1 and 'role="img"' in html


@pytest.mark.parametrize("name", ["seed", "correct"])
def test_markdown_report_of_exercise6_is_small(results, name):
    md = render(results[name], "markdown")
    size = len(md.encode("utf-8"))
    assert size <= MD_LIMIT[name], f"{name}: {size} bytes"
    for f in results[name].fields:
        assert f"`{f.quantity}`" in md


def test_stylesheet_has_only_the_rules_the_report_uses(results):
    seed, correct = (render(results[n], "html") for n in ("seed", "correct"))
    style = {n: re.search(r"<style>(.*?)</style>", t, re.S).group(1) for n, t in (("seed", seed), ("correct", correct))}
    assert ".v-incorrect" in style["seed"] and ".v-correct" not in style["seed"]  # the seed has no correct field
    assert ".v-correct" in style["correct"] and ".v-incorrect" not in style["correct"]
    assert "}.flags{" in style["seed"] and "}.flags{" not in style["correct"] and "}.exam{" not in style["seed"]
    exam = render(dataclasses.replace(results["seed"], reveal=False), "html")
    assert "}.exam{" in exam and 'class="exam"' in exam
    # every class the markup uses has its rule, except the hooks for tools (the drawing's element kinds)
    hooks = {"network", "weight"}
    for name, text in (("seed", seed), ("correct", correct)):
        body = text[text.index("</style>"):]
        for cls in set(re.findall(r'class="([^"]+)"', body)):
            for c in set(cls.split()) - hooks:
                assert re.search(r"\." + re.escape(c) + r"(?![-\w])", style[name]), (name, c)


def test_the_drawing_is_laid_out_once_per_network_sketch(results, monkeypatch):
    made = []

    class Counting(svg._Skeleton):
        def __init__(self, net):
            made.append(net)
            super().__init__(net)

    monkeypatch.setattr(svg, "_Skeleton", Counting)
    monkeypatch.setattr(svg, "_SKELETONS", {})
    seed, correct = results["seed"], results["correct"]
    assert seed.network is correct.network  # one plan, one sketch, shared by every result of the problem
    first = [render(r, "html") for r in (seed, correct, seed, correct)]
    assert len(made) == 1
    # the same drawing as laid out afresh (an equal sketch that is another object is laid out again)
    fresh = dataclasses.replace(seed, network=dataclasses.replace(seed.network))
    assert render(fresh, "html") == first[0] and len(made) == 2
    # bounded: a long run over many problems keeps only the recent layouts
    for k in range(3 * svg._MAX_SKELETONS):
        render(dataclasses.replace(seed, network=dataclasses.replace(seed.network)), "html")
    assert len(svg._SKELETONS) <= svg._MAX_SKELETONS


def test_cached_parts_change_nothing(results):
    """A report rendered with every per-problem cache cold equals one rendered warm, byte for byte."""
    from grader.report import html, mathml, style

    warm = {n: render(r, "html") for n, r in results.items()}
    for fn in (mathml.formula, mathml._math_block, mathml.latex_to_mathml, mathml.worked_with_value,
               style.report_css, html._quantity, html._desc, html._footer, html._problem_head):
        fn.cache_clear()
    svg._SKELETONS.clear()
    assert {n: render(r, "html") for n, r in results.items()} == warm


def test_flags_of_every_field_in_one_pass_match_the_per_field_lookup(results):
    from grader.report.common import flagged_quantities, flags_on

    seed = results["seed"]
    assert seed.flags
    index = flagged_quantities(seed)
    for f in seed.fields:
        want = list(dict.fromkeys(fl.quantity for fl in flags_on(seed, f.quantity)))
        assert index.get(f.quantity, []) == want, f.quantity
    assert index["delta_h1"] == ["w5", "w7"]  # the seed's sequential-update flags, as its report says


def _md_code_reference(s: str, *, table: bool = False) -> str:
    """``md_code`` as it was before its fast path (the oracle)."""
    s = s.replace("\r", " ").replace("\n", " ")
    if table:
        s = s.replace("|", "\\|")
    run = max((len(m) for m in re.findall(r"`+", s)), default=0)
    fence = "`" * (run + 1)
    pad = " " if s.startswith(("`", " ")) or s.endswith(("`", " ")) or run else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def test_md_code_fast_path_equals_the_general_one():
    from hypothesis import given, strategies as st

    from grader.report.markdown import md_code

    @given(st.text(alphabet=st.sampled_from(list("ab `|\r\n1.-e")), max_size=12), st.booleans())
    def check(s, table):
        assert md_code(s, table=table) == _md_code_reference(s, table=table)

    check()


def test_points_of_a_zero_do_not_depend_on_which_zero_was_shown_first():
    """``points`` is cached, and a cache holds 0.0 and -0.0 as one key: the text of either zero is ``0``, in either
    order (otherwise a report's bytes would depend on the students a worker happened to render before)."""
    from grader.report.common import points

    for first, second in ((0.0, -0.0), (-0.0, 0.0)):
        points.cache_clear()
        assert (points(first), points(second)) == ("0", "0")
    assert points(-1.5) == "-1.5" and points(2.0) == "2"
