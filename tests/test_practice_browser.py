"""The practice page in headless Chromium: its verdicts equal ``grade``'s, field by field.

For every shipped backprop problem (``exercise6_random`` for one student's variant) and a set of answers per
problem -- the example submissions' values, the key, the key rounded, a wrong value carried forward through every
later field, known mistakes, power-of-ten / sign / rounding slips, odd spellings, unparseable text -- the page is
opened with the answers in its URL fragment. Its verdicts (``data-verdict``), points, messages and diagnoses must
equal ``grade --format json`` on a submission file with the same values, and the submission file the page exports
must grade identically. The answer reader's JavaScript port reads the shared cases of
``tests/files/answer_reader_cases.json`` as ``grader/parse/answer.py`` does. No console errors; the drawing's
colours are the report's; the page fits 400 px; Enter moves on; a screenshot is not blank.

All pages load as iframes of one harness page: one Chromium launch for every comparison (plus one for the
screenshot). Skipped, saying so, where Chromium is not installed.
"""

from __future__ import annotations

import html
import json
import random
import re
import urllib.parse
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from grader.author.practice import build_page
from grader.grade.pipeline import Grader
from grader.spec.tolerance import round_sig
from grader.grade.views import View
from grader.parse.answer import Parsed, parse_answer
from grader.report.practice import fragment_names
from grader.report.svg import FILL, render_svg
from grader.submission.load import read_submission_file
from grader.yamlio import load_yaml_text
from tests.test_browser import console_errors, read_png, run_chromium

ROOT = Path(__file__).parents[1]
STUDENT = "400222100"
PROBLEMS = sorted(p.stem for p in (ROOT / "problems").glob("*.yaml") if p.stem != "seed_homework")
READER_CASES = json.loads((ROOT / "tests/files/answer_reader_cases.json").read_text(encoding="utf-8"))["cases"]
# LaTeX-like texts put together at random from the pieces students type (the same every run): the page's reader
# must accept or refuse each as grade does, with the same value or the same reason
_PIECES = ["\\frac", "{", "}", "1", "2", "0.5", "7", "e", "^", "_", "-", "+", "\\cdot", "\\times", "10", "\\exp", "(",
           ")", "\\sigma", "\\sqrt", " ", "\\,", ",", ".", "$", "\\text{", "e-", "\\left(", "\\right)", "\\approx", "=",
           "\\pi", "\\\\", "&", "'", "x", "\\mathrm{e}", "{,}", "\\color{red}", "|_{w=1}", "%", "\u2212", "\u00b7",
           "\u03c3", "\u2248", "\\ln", "3/4", "\\div", "\\tanh", "\\dfrac", "\\mathbf{", "\\{", "\\%", "\\bf", "~",
           "\u2009", "0,25", "1.18", "\\text{e-}", "\\right|", "\\left.", "\\Big|"]
_RANDOM = random.Random(2026)
GENERATED_CASES = ["".join(_RANDOM.choice(_PIECES) for _ in range(_RANDOM.randint(1, 12))) for _ in range(1500)]


def _latex_expression(depth: int = 0) -> str:
    """A well-formed LaTeX answer (most of the texts above are refused: these are read, and their values compared)."""
    number = _RANDOM.choice(["0.5", "2", "0.35", "7{,}65", "1.18", "3", "0.619\\,085", "\\text{0.8}", "40", "1e-3"])
    if depth > 2 or _RANDOM.random() < 0.3:
        return number
    a, b = _latex_expression(depth + 1), _latex_expression(depth + 1)
    return _RANDOM.choice([
        f"\\frac{{{a}}}{{{b}}}", f"\\dfrac{{{a}}}{{1+{b}}}", f"{a} \\cdot {b}", f"{a} \\times 10^{{-{_RANDOM.randint(1, 9)}}}",
        f"e^{{-{a}}}", f"\\exp({a})", f"\\sigma({a})", f"\\sqrt{{{a}}}", f"\\left({a} - {b}\\right)", f"{a} + {b}",
        f"\\tanh\\left({a}\\right)", f"{a} \\div {b}", f"\\ln({a})", f"{{{a}}}^{{2}}", f"\\mathrm{{e}}^{{{a}}}",
    ])


GENERATED_CASES += [_RANDOM.choice(["{}", "${}$", "\\approx {}", "{} (rounded)"]).format(_latex_expression())
                    for _ in range(500)]


def student_of(ref: str) -> str | None:
    return STUDENT if ref == "exercise6_random" else None


def plan_of(ref: str):
    grader = Grader()
    path = ROOT / "problems" / f"{ref}.yaml"
    return grader.plan_at(path, student_of(ref))


def submission_yaml(ref: str, texts: dict[str, str]) -> str:
    """A submission file with these answer texts (JSON strings are YAML double-quoted strings). A blank field on
    the page is no answer at all, so it is left out, as the page's export leaves it out."""
    texts = {q: t for q, t in texts.items() if t.strip()}
    lines = [f"problem: {ref}"]
    if student_of(ref):
        lines.append(f'student: {{id: "{student_of(ref)}"}}')
    lines.append("answers:" if texts else "answers: {}")
    lines += [f"  {q}: {json.dumps(t)}" for q, t in texts.items()]
    return "\n".join(lines) + "\n"


def graded(yaml_text: str):
    return Grader().grade_document(load_yaml_text(yaml_text, source="<practice>"))


def _value_text(x: float) -> str:
    return repr(float(x))


def cases(ref: str) -> list[dict[str, str]]:
    """Answer texts to try on the page of ``ref`` (asked quantities only, in ask order)."""
    plan = plan_of(ref)
    key = plan.key
    asked = list(plan.fields)
    out: list[dict[str, str]] = []
    # the example submissions of this problem: their values as written (a page has no `using`)
    for f in sorted((ROOT / "submissions_examples").glob("*.yaml")):
        try:
            doc = read_submission_file(f)
        except Exception:
            continue
        data = doc.data if isinstance(doc.data, dict) else {}
        if data.get("problem") != ref or not isinstance(data.get("answers"), dict):
            continue
        texts = {}
        for q, a in data["answers"].items():
            v = a.get("value") if isinstance(a, dict) else a
            if q in plan.fields and v is not None:
                texts[q] = str(v)
        out.append(texts)
    out.append({q: key.decimal(q, 10) for q in asked})
    out.append({q: key.decimal(q, 3) for q in asked})
    # one early value wrong, every later field computed from it: errors carried forward all the way
    for first in (0, len(asked) // 3):
        answers: dict[str, float] = {}
        for i, q in enumerate(asked):
            kf = plan.fields[q]
            view = View(plan.compiled, answers)
            if i < first:
                v = key.floats[q]
            elif i == first:
                v = key.floats[q] * 1.37 + 0.01
            else:
                v = view.formula(key.node(q).expr)
            answers[q] = v
        out.append({q: _value_text(v) for q, v in answers.items()})
    # the same carried chain with every delta left out: written gradients then stand for the deltas
    out.append({q: t for q, t in out[-1].items() if not q.startswith("delta_")})
    # known mistakes on the key (every other field), value slips, blanks
    mistakes, slips = {}, {}
    for i, q in enumerate(asked):
        kf = plan.fields[q]
        rules = plan.malrules(q)
        base = key.floats[key.node(q).base] if kf.on_change else 0.0
        if rules and i % 2 == 0:
            mistakes[q] = _value_text(base + plan.key_view.formula(rules[0].expr))
        else:
            mistakes[q] = key.decimal(q, 8)
        target = kf.key_change if kf.on_change else kf.expected
        slip = [target * 10, -target, round_sig(target, 2), None, target * 1e-3, target * 1.004][i % 6]
        if slip is not None:
            slips[q] = _value_text(base + slip)
    out += [mistakes, slips]
    # spellings the reader accepts or refuses
    spell = {}
    for i, q in enumerate(asked):
        v = key.floats[q]
        spell[q] = [
            f"{v:.6e}".replace("e", "×10^"), f"{v:.8f}".replace(".", ","), "abc", f"{v:.5g}",
            f"({v:.9g})*1", str(Fraction(key.decimal(q, 7)).limit_denominator(10**9)), "1,000", " ",
        ][i % 8]
    out.append(spell)
    # the same values as LaTeX, as students copy them from their write-ups (the page reads them as grade does)
    latex = {}
    for i, q in enumerate(asked):
        v = key.floats[q]
        mantissa, exponent = f"{v:.6e}".split("e")
        fraction = Fraction(key.decimal(q, 7)).limit_denominator(10**9)
        latex[q] = [
            f"${v:.10g}$", f"\\frac{{{fraction.numerator}}}{{{fraction.denominator}}}",
            f"{mantissa} \\times 10^{{{int(exponent)}}}", f"\\approx {v:.4g}", f"{v:.8f}".replace(".", "{,}"),
            "\\pi", f"\\text{{{v:.9g}}}", f"\\left({v:.9g}\\right) \\cdot 1",
        ][i % 8]
    out.append(latex)
    return out


def fragment(texts: dict[str, str], spell: dict[str, str] | None = None) -> str:
    spell = spell or {}
    return "&".join(f"{urllib.parse.quote(spell.get(q, q), safe='')}={urllib.parse.quote(t, safe='')}"
                    for q, t in texts.items())


def spellings(ref: str) -> dict[str, str]:
    """For each asked quantity, one other spelling the page's fragment reads as it (the first the table offers)."""
    out: dict[str, str] = {}
    for sp, q in fragment_names(plan_of(ref)).items():
        out.setdefault(q, sp)
    return out


HARNESS = """<!DOCTYPE html><html><head><meta charset="utf-8"/></head><body><pre id="out">pending</pre>
%s
<script>
const READER_CASES = %s;
window.addEventListener("load", () => {
  const pages = [];
  for (const f of document.querySelectorAll("iframe")) {
    const w = f.contentWindow, d = f.contentDocument;
    const one = { id: f.dataset.case, error: d.documentElement.getAttribute("data-error"), verdicts: {}, drawing: {},
                  result: w.practiceLastResult, exportYaml: d.getElementById("export-yaml").value,
                  fnExport: w.practiceExportYaml(), overflow: d.documentElement.scrollWidth - d.documentElement.clientWidth };
    for (const el of d.querySelectorAll("[data-verdict-of]")) one.verdicts[el.dataset.verdictOf] = el.dataset.verdict;
    for (const g of d.querySelectorAll("svg.network :is(g.neuron, g.weight, g.bias)[data-verdict]")) {
      one.drawing[g.getAttribute("class") + ":" + (g.dataset.unit || g.dataset.weight || g.dataset.bias)] = g.dataset.verdict;
    }
    pages.push(one);
  }
  // keyboard and live feedback, on the first page
  const d = document.querySelector("iframe").contentDocument;
  const ins = Array.from(d.querySelectorAll("input[data-quantity]"));
  ins[0].focus();
  ins[0].dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
  const moved = d.activeElement === ins[1];
  ins[1].value = "abc";
  ins[1].dispatchEvent(new Event("input", { bubbles: true }));
  ins[1].dispatchEvent(new Event("change", { bubbles: true }));
  const live = { moved, verdict: d.querySelector(`[data-verdict-of="${ins[1].dataset.quantity}"]`).dataset.verdict,
                 announce: d.getElementById("announce").textContent, hash: d.defaultView.location.hash,
                 liveAttr: d.getElementById("announce").getAttribute("aria-live") };
  const R = document.querySelector("iframe").contentWindow.PracticeReader;
  const reader = READER_CASES.map((c) => {
    const r = R.read(c);
    return r.ok ? { ok: true, value: r.value, exact: r.exact ? [String(r.exact.n), String(r.exact.d)] : null } : { ok: false, reason: r.reason };
  });
  document.getElementById("out").textContent = JSON.stringify({ pages, live, reader });
});
</script></body></html>
"""


@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("practice")
    frames, expected = [], {}
    for ref in PROBLEMS:
        page = tmp / f"{ref}.html"
        page.write_text(build_page(ref, student_of(ref)), encoding="utf-8")
        all_cases = cases(ref)
        for i, texts in enumerate(all_cases + all_cases[-3:-2]):
            cid = f"{ref}#{i}"
            expected[cid] = (ref, texts)
            # the last case repeats one with the keys spelled another way (δ_o1, out_h1, w5', ...)
            frag = fragment(texts, spellings(ref) if i == len(all_cases) else None)
            frames.append(f'<iframe data-case="{html.escape(cid)}" width="400" height="200" '
                          f'src="{html.escape(page.name + "#" + frag)}"></iframe>')
    harness = tmp / "harness.html"
    harness.write_text(HARNESS % ("\n".join(frames), json.dumps(READER_CASES + GENERATED_CASES)), encoding="utf-8")
    proc = run_chromium(tmp, harness, "--allow-file-access-from-files", "--virtual-time-budget=30000", "--dump-dom")
    if proc.returncode != 0:  # installed but unable to run here (no sandbox support, no display libraries, ...)?
        probe = tmp / "probe.html"
        probe.write_text("<!DOCTYPE html><p>probe</p>")
        if run_chromium(tmp, probe, "--dump-dom").returncode != 0:
            pytest.skip(f"chromium is installed but cannot run here: {proc.stderr.strip()[-300:]}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    m = re.search(r'<pre id="out">(.*?)</pre>', proc.stdout, re.S)
    assert m and m.group(1) != "pending", proc.stdout[-2000:]
    return json.loads(html.unescape(m.group(1))), expected, proc.stderr


def _field_view(d: dict) -> dict:
    diag = d.get("diagnosis")
    return {"verdict": d["verdict"], "points": d["points"], "message": d["message"],
            "diagnosis": (diag["id"], diag["text"]) if diag else None}


def test_every_case_ran_without_errors(harness):
    data, expected, stderr = harness
    assert not console_errors(stderr), console_errors(stderr)[:5]
    assert len(data["pages"]) == len(expected) and len(expected) >= 8 * len(PROBLEMS)
    assert all(p["error"] is None for p in data["pages"]), [(p["id"], p["error"]) for p in data["pages"] if p["error"]]


def test_verdicts_equal_grade_field_by_field(harness):
    data, expected, _ = harness
    seen = set()
    for page in data["pages"]:
        ref, texts = expected[page["id"]]
        want = graded(submission_yaml(ref, texts))
        got = {f["quantity"]: f for f in page["result"]["fields"]}
        for q, f in want.to_dict()["fields"].items():
            assert page["verdicts"][q] == f["verdict"], (page["id"], q, texts.get(q), page["verdicts"][q], f)
            assert _field_view(got[q]) == _field_view(f), (page["id"], q, texts.get(q))
            seen.add(f["verdict"])
            if f["diagnosis"]:
                seen.add(f["diagnosis"]["id"])
        assert page["result"]["score"] == want.score, page["id"]
        # the drawing: every element's verdict as the report draws it
        svg = render_svg(want)
        for el, v in page["drawing"].items():
            kind, name = el.split(":")
            attr = {"neuron": "unit", "weight": "weight", "bias": "bias"}[kind]
            assert f'<g class="{kind}" data-{attr}="{name}" data-verdict="{v}">' in svg, (page["id"], el, v)
    # the cases reach every verdict and the common diagnoses, so the comparison means something
    assert {"correct", "carried", "incorrect", "missing", "unparseable"} <= seen
    assert {"power_of_ten", "flipped_sign", "rounding_too_early", "sigmoid_sign", "arithmetic"} <= seen, seen


def test_exported_submission_grades_identically(harness):
    data, expected, _ = harness
    for page in data["pages"]:
        ref, texts = expected[page["id"]]
        assert page["exportYaml"] == page["fnExport"]
        exported = graded(page["exportYaml"]).to_dict()
        want = graded(submission_yaml(ref, texts)).to_dict()
        assert exported["fields"] == want["fields"] and exported["score"] == want["score"], page["id"]
        assert exported["student"]["id"] == student_of(ref)


def test_reader_port_reads_the_shared_cases_as_python_does(harness):
    data, _, _ = harness
    assert len(data["reader"]) == len(READER_CASES) + len(GENERATED_CASES)
    for case, js in zip(READER_CASES + GENERATED_CASES, data["reader"]):
        py = parse_answer(case)
        assert js["ok"] == isinstance(py, Parsed), (case, js, py)
        if not js["ok"]:
            assert js["reason"] == py.reason, (case, js["reason"], py.reason)
            continue
        if py.exact is not None:
            assert js["exact"] is not None and Fraction(int(js["exact"][0]), int(js["exact"][1])) == py.exact, case
            assert float(js["value"]) == py.value, case
        else:
            assert js["exact"] is None, case
            # (an inexact value: the port's floats round some operations in another order than the Python reader's
            # evaluation, e.g. ln(3)^2 is 1.2069489608125816 against 1.206948960812582: a few units in the last place)
            assert float(js["value"]) == pytest.approx(py.value, rel=4e-16 if case in READER_CASES else 2e-15, abs=0), case


def test_keyboard_and_live_feedback(harness):
    live = harness[0]["live"]
    assert live["moved"], "Enter did not move to the next field"
    assert live["verdict"] == "unparseable"
    assert live["liveAttr"] == "polite" and live["announce"].startswith(("z2: unparseable", "h1: unparseable")) or \
        "unparseable" in live["announce"], live
    assert "abc" in urllib.parse.unquote(live["hash"])  # the fragment follows the answers


def test_usable_at_400px(harness):
    data = harness[0]
    wide = [(p["id"], p["overflow"]) for p in data["pages"] if p["overflow"] > 0]
    assert not wide, wide


def test_screenshot_is_not_blank(tmp_path):
    page = tmp_path / "p.html"
    page.write_text(build_page("exercise6"), encoding="utf-8")
    png = tmp_path / "p.png"
    proc = run_chromium(tmp_path, page, f"--screenshot={png}", "--window-size=1200,1600", "--virtual-time-budget=5000")
    assert proc.returncode == 0 and png.exists(), proc.stderr[-2000:]
    assert not console_errors(proc.stderr), console_errors(proc.stderr)
    img = read_png(png)
    ink = (img.astype(np.int16).sum(axis=2) < 720).mean()
    assert ink > 0.03, f"the page is nearly blank ({ink:.1%} non-white)"
    missing = np.array([int(FILL["missing"][i:i + 2], 16) for i in (1, 3, 5)], np.int16)
    assert ((np.abs(img.astype(np.int16) - missing) <= 4).all(axis=2)).sum() > 1000, "the neurons are not drawn"
