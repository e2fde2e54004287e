"""``grade practice``: what the page contains and when it is refused (the browser tests are in
tests/test_practice_browser.py)."""

from __future__ import annotations

import re
from pathlib import Path

from grader.cli import main
from grader.grade.pipeline import Grader
from grader.report.jscompile import js_expr, script_safe
from grader.solve.expr import Div, Fn, Mul, Neg, Num, Pow, Sym, add

ROOT = Path(__file__).parents[1]
EX6 = (ROOT / "problems/exercise6.yaml").read_text(encoding="utf-8")


def practice(capsys, *args):
    code = main(["practice", *args])
    out, err = capsys.readouterr()
    return code, out, err


def with_reveal(tmp_path: Path, reveal: str) -> Path:
    p = tmp_path / "exam.yaml"
    p.write_text(EX6.replace("id: exercise6", "id: exam6").replace("reveal: always", reveal), encoding="utf-8")
    return p


def test_a_secret_key_is_refused(tmp_path, capsys):
    out = tmp_path / "page.html"
    for reveal in ("reveal: never", "reveal: after_due\ndue: 2999-01-01T00:00:00Z"):
        code, _, err = practice(capsys, str(with_reveal(tmp_path, reveal)), "--out", str(out))
        assert code == 2 and "keeps its answer key secret" in err and not out.exists(), err
    code, _, err = practice(capsys, str(with_reveal(tmp_path, "reveal: after_due\ndue: 2001-01-01T00:00:00Z")), "--out", str(out))
    assert code == 0 and out.exists(), err


def test_a_homework_set_and_a_randomized_problem_without_student_are_refused(capsys):
    code, _, err = practice(capsys, "seed_homework")
    assert code == 2 and "homework set" in err
    code, _, err = practice(capsys, "exercise6_random")
    assert code == 2 and "--student" in err


def test_the_page_of_a_variant_holds_that_students_values(capsys):
    code, page, _ = practice(capsys, "exercise6_random", "--student", "400222100")
    assert code == 0
    plan = Grader().plan_at(ROOT / "problems/exercise6_random.yaml", "400222100")
    base = Grader().plan_at(ROOT / "problems/exercise6_random.yaml")
    z1, z1_base = plan.key.floats["z1"], base.key.floats["z1"]
    assert z1 != z1_base
    assert f'"z1":{z1!r}' in page and f'"z1":{z1_base!r}' not in page
    assert '"variant":"400222100"' in page and 'value="400222100" readonly' in page


def test_self_contained_inputs_in_ask_order_labelled(capsys):
    code, page, _ = practice(capsys, "exercise6")
    assert code == 0
    # nothing fetched: no external URL (namespace names aside), no src/href to files, no CSS imports or url()
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", page))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1998/Math/MathML"}, urls
    assert not re.search(r"\ssrc=|<link|@import|url\(", page)
    asked = [a.quantity for a in Grader().plan_at(ROOT / "problems/exercise6.yaml").problem.ask]
    assert re.findall(r'<input type="text" id="in-[^"]+" name="[^"]+" data-quantity="([^"]+)"', page) == asked
    for q in asked:
        assert f'<label for="in-{q}">' in page and f'data-verdict-of="{q}" data-verdict="missing"' in page
    assert not re.search(r'tabindex="[1-9]', page)  # the tab order is the document order: the ask order
    assert 'aria-live="polite"' in page
    # the statement's math is MathML, as in the reports
    statement = page[page.index('<div class="statement">'):page.index("</section>", page.index('<div class="statement">'))]
    assert statement.count("<math") > 10 and "$" not in statement


def test_generated_formulas_and_script_safety():
    e = add(Mul((Sym("w1"), Sym("i1"))), Neg(Div(Num(1), Pow(Fn("sigmoid", Sym("z1")), 2))))
    assert js_expr(e) == 'R.fsum([(g("w1") * g("i1")), (-R.div(1.0, R.pow(R.fn.sigmoid(g("z1"), 0.0, 0.0), 2)))])'
    assert script_safe('"</script><!--"') == '"<\\/script><\\!--"'
