"""`grade key`: the worked solution as Markdown, HTML and a compilable LaTeX article, with exact values appended."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from grader.author.key import key_document, latex_numbers, main as key_main, render_html, render_latex, render_markdown
from grader.solve.variant import variant_problem
from grader.report.solution import solution_json
from grader.solve.solver import solve
from grader.spec.load import BUNDLED_PROBLEMS, load_problem

SHIPPED = ["exercise6", "classic_222", "compact_3layer", "softmax_ce", "tanh_relu", "batch_two", "two_steps",
           "seed_homework", "exercise6_random"]


def appendix(markdown: str) -> dict:
    return json.loads(markdown.split("## Appendix: exact values")[1].split("```json")[1].split("```")[0])


def test_markdown_key_of_exercise6():
    md = render_markdown(key_document("exercise6"))
    assert md.startswith("# Answer key: Exercise 6")
    # the statement, the given values and every asked quantity with its points and value (10 digits)
    assert "**Given:**" in md and "| `w5` | 40 |" in md
    assert "| `delta_o1` | 2 | -0.05687179334 |" in md
    # formulas with the numbers substituted (6 digits) and the value
    assert ("- $z1 = w1 \\cdot i1 + w2 \\cdot i2 + b1 = (-15) \\cdot 0.8 + 20 \\cdot 0.2 + 0.35 = -7.65$") in md
    assert "0.000475818 \\cdot (1 - 0.000475818)" in md
    assert "= 1.179994029 \\times 10^{-6}$" in md
    # exact values: the same JSON as `grade solve --format json`
    assert appendix(md) == json.loads(solution_json(solve(load_problem(BUNDLED_PROBLEMS / "exercise6.yaml"))))


def test_latex_numbers_under_a_power_get_parentheses():
    assert latex_numbers("1 - 1.2e-6^{2}") == r"1 - \left(1.2 \times 10^{-6}\right)^{2}"
    assert latex_numbers(r"w1 \cdot 3e5") == r"w1 \cdot 3 \times 10^{5}"


@pytest.mark.parametrize("ref", SHIPPED)
def test_latex_is_a_complete_article(ref):
    tex = render_latex(key_document(ref, "42" if ref.startswith("random/") else None))
    assert tex.startswith("\\documentclass") and tex.rstrip().endswith("\\end{document}")
    begins = re.findall(r"\\begin\{([a-z*]+)\}", tex)
    ends = re.findall(r"\\end\{([a-z*]+)\}", tex)
    assert sorted(begins) == sorted(ends) and "align*" in begins
    assert not re.search(r"\d e-?\d", tex.split("\\appendix")[0])  # no 1.2e-6 in formulas


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
@pytest.mark.parametrize("ref", ["exercise6", "compact_3layer", "seed_homework"])
def test_latex_compiles(ref, tmp_path: Path):
    (tmp_path / "key.tex").write_text(render_latex(key_document(ref)))
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "key.tex"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]
    assert (tmp_path / "key.pdf").stat().st_size > 1000


def test_html_is_a_page_with_mathjax_and_escaped_text():
    doc = key_document("exercise6")
    doc.parts[0].text = "A <script>alert(1)</script> & **bold** $a < b$"
    page = render_html(doc)
    assert page.startswith("<!DOCTYPE html>") and "mathjax" in page.lower()
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; <strong>bold</strong>" in page
    assert "\\begin{aligned} \\delta_{o1} &amp;= (o1 - t1)" in page
    assert '"delta_o1": "-0.056871793344149' in page


def test_a_randomized_problems_key_is_the_students_variant():
    doc = key_document("exercise6_random", "400222100")
    values = doc.exact["values"]
    v = variant_problem(load_problem(BUNDLED_PROBLEMS / "exercise6_random.yaml"), "400222100")
    assert doc.exact["student"] == "400222100" and "400222100" in doc.ident
    assert values == json.loads(solution_json(solve(v.problem)))["values"]
    md = render_markdown(doc)
    assert "{{" not in md  # the statement has the student's values


def test_a_sets_key_has_every_question():
    md = render_markdown(key_document("seed_homework"))
    for head in ("## ex1: Perceptron versus logistic regression (10 points)", "### Rubric (graded by hand)",
                 "| `ex2_loss.E_mse` | 2 | 0.075 |", "| `ex5_prune.survivors` | 2 | w1_1_1, w1_2_2, w2_1_1 |",
                 "## ex6: One step of backpropagation (30 points)", "| `ex6.delta_o1` | 2.5 | -0.05687179334 |"):
        assert head in md
    exact = appendix(md)
    assert exact["questions"]["ex2_loss"]["E_mse"] == "0.07500000000000000000000000"
    assert exact["questions"]["ex2_loss"]["E_bce"].startswith("0.29900115866")
    assert exact["questions"]["ex5_prune"]["survivors"] == "w1_1_1, w1_2_2, w2_1_1"
    assert exact["questions"]["ex6"]["z1"] == "-7.650000000000000000000000"


@pytest.mark.parametrize("fmt, start", [("markdown", "# Answer key"), ("html", "<!DOCTYPE html>"),
                                        ("latex", "\\documentclass")])
def test_cli(fmt, start, tmp_path: Path):
    out = tmp_path / "key"
    assert key_main(["exercise6", "--format", fmt, "--out", str(out)]) == 0
    assert out.read_text().startswith(start)


@pytest.mark.parametrize("problem_id", [p for p in SHIPPED if p not in ("seed_homework", "exercise6_random")])
def test_every_value_copied_from_the_keys_answer_table_is_accepted(problem_id):
    """The key's table gives each value to 10 significant digits, an updated parameter to as many as its change
    needs: a TA or student copying the table into a submission gets full marks (exercise6's w8_new needs 12)."""
    from grader.grade.pipeline import Grader

    md = render_markdown(key_document(problem_id))
    table = md.split("## Answers")[1].split("\n## ")[0] if "## Answers" in md else md
    rows = re.findall(r"^\| `([A-Za-z_][A-Za-z0-9_]*)` \| [0-9.]+ \| (-?[0-9][0-9.e+-]*) \|", table, re.M)
    assert len(rows) >= 4
    problem = load_problem(BUNDLED_PROBLEMS / f"{problem_id}.yaml")
    text = (f"problem: {problem_id}\nstudent: {{id: '400222100'}}\nanswers:\n"
            + "".join(f"  {q}: '{v}'\n" for q, v in rows))
    r = Grader().grade_text(text.encode(), "key.yaml")
    assert r.score == r.max_score, [(f.quantity, f.given_text, f.verdict) for f in r.fields if f.verdict != "correct"]
