"""The feedback reports (terminal text, Markdown, HTML) of the seed's Exercise 6.

Golden files: ``tests/files/reports/exercise6_seed.txt``, ``.md`` and ``.html`` hold the three reports of
``submissions_examples/exercise6_seed.yaml`` and are compared byte for byte. After an intended change to a renderer
(or to the grading messages), regenerate them deliberately and review the diff before committing:

    UPDATE_GOLDEN=1 python3 -m pytest tests/test_reports.py
    git diff tests/files/reports/

The other tests check what the golden files cannot show by themselves: the HTML is well formed (a strict tag-balance
checker and ``xml.etree``), self-contained and draws one element per input, neuron and weight; every rendering is
byte-identical across runs and hash seeds; exam mode (``reveal=False``) shows no expected value and no worked
formula; flags come before the fields (in the terminal report: fields, then flags, then the score); student text is escaped; renderers import nothing that recomputes.
"""

from __future__ import annotations

import ast
import dataclasses
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from grader.grade.pipeline import Grader
from grader.grade.result import Diagnosis, GradeResult
from grader.submission.student import Student
from grader.numfmt import fmt
from grader.report import render
from grader.report.html import formula, latex_to_mathml
from grader.report.svg import worst

ROOT = Path(__file__).parents[1]
SEED = "submissions_examples/exercise6_seed.yaml"
GOLDEN = ROOT / "tests" / "files" / "reports"
SUFFIX = {"text": "txt", "markdown": "md", "html": "html"}
FORMATS = tuple(SUFFIX)


def grade_seed() -> GradeResult:
    result = Grader().grade_file(ROOT / SEED)
    return dataclasses.replace(result, source=SEED)  # the path as written from the repository root, wherever we run


@pytest.fixture(scope="module")
def seed() -> GradeResult:
    return grade_seed()


@pytest.fixture(scope="module")
def exam(seed) -> GradeResult:
    return dataclasses.replace(seed, reveal=False)


# --- golden files ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt_", FORMATS)
def test_golden(seed, fmt_):
    path = GOLDEN / f"exercise6_seed.{SUFFIX[fmt_]}"
    out = render(seed, fmt_)
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(out.encode("utf-8"))
    assert path.exists(), f"no golden file {path}: run UPDATE_GOLDEN=1 python3 -m pytest tests/test_reports.py"
    golden = path.read_bytes()
    assert out.encode("utf-8") == golden, f"{fmt_} report differs from {path.name} (UPDATE_GOLDEN=1 regenerates it)"


# --- determinism -----------------------------------------------------------------------------------------------------


def test_byte_identical_across_runs(seed):
    again = grade_seed()
    for fmt_ in FORMATS:
        assert render(seed, fmt_) == render(seed, fmt_) == render(again, fmt_)


def test_byte_identical_across_processes_and_hash_seeds(seed):
    code = (
        "import sys, dataclasses\n"
        "from grader.grade.pipeline import Grader\n"
        "from grader.report import render\n"
        f"r = dataclasses.replace(Grader().grade_file({str(ROOT / SEED)!r}), source={SEED!r})\n"
        "sys.stdout.buffer.write('\\x00'.join(render(r, f) for f in ('text', 'markdown', 'html')).encode())\n"
    )
    here = "\x00".join(render(seed, f) for f in FORMATS).encode()
    for hash_seed in ("0", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed, PYTHONPATH=str(ROOT))
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, cwd=ROOT, check=True).stdout
        assert out == here


# --- HTML: well formed, self-contained, the network ------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
FOREIGN = {"svg", "math"}


class StrictChecker(HTMLParser):
    """Every non-void start tag closed, in order; void elements only as ``<x/>``; self-closing only for void and
    SVG/MathML elements; ids unique; only numeric and XML character references."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.ids: set[str] = set()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.doctype = False

    def _where(self) -> str:
        return f"line {self.getpos()[0]}"

    def _record(self, tag, attrs):
        a = dict(attrs)
        self.elements.append((tag, a))
        if "id" in a:
            if a["id"] in self.ids:
                self.errors.append(f"duplicate id {a['id']!r} at {self._where()}")
            self.ids.add(a["id"])

    def handle_decl(self, decl):
        self.doctype = self.doctype or decl.lower() == "doctype html"

    def handle_starttag(self, tag, attrs):
        self._record(tag, attrs)
        if tag in VOID:
            self.errors.append(f"void <{tag}> not self-closed at {self._where()}")
            return
        self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self._record(tag, attrs)
        if tag not in VOID and not any(t in FOREIGN for t in self.stack):
            self.errors.append(f"non-void <{tag}/> self-closed outside SVG/MathML at {self._where()}")

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> at {self._where()} closes {self.stack[-1:] or 'nothing'}")
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()

    def handle_entityref(self, name):
        if name not in ("amp", "lt", "gt", "quot", "apos"):
            self.errors.append(f"entity &{name}; at {self._where()}")

    def close(self):
        super().close()
        if self.stack:
            self.errors.append(f"unclosed at end: {self.stack}")


def check_html(text: str) -> StrictChecker:
    p = StrictChecker()
    p.feed(text)
    p.close()
    assert p.doctype, "no <!DOCTYPE html>"
    assert not p.errors, "\n".join(p.errors[:20])
    return p


def classes(attrs) -> list[str]:
    return (attrs.get("class") or "").split()


def test_html_is_well_formed_html_and_xml(seed, exam):
    for r in (seed, exam):
        text = render(r, "html")
        check_html(text)
        root = ET.fromstring(text.split("\n", 1)[1])  # after the doctype line
        assert root.tag.endswith("html")


def test_html_is_self_contained_and_responsive(seed):
    text = render(seed, "html")
    low = text.lower()
    for bad in ("<script", "<link", "<img", "<iframe", "<object", "@import", "url(", "src=", "href=\"http", "@font-face"):
        assert bad not in low, bad
    assert set(re.findall(r"https?://[^\s\"'<>)]+", text)) <= {
        "http://www.w3.org/1999/xhtml", "http://www.w3.org/2000/svg", "http://www.w3.org/1998/Math/MathML",
    }
    assert '<meta name="viewport" content="width=device-width, initial-scale=1"/>' in text
    assert "@media print" in text and "max-width" in text
    assert '<meta charset="utf-8"/>' in text


def test_html_draws_one_element_per_input_neuron_and_weight(seed):
    text = render(seed, "html")
    assert text.count("<svg") == 1 and text.count("</svg>") == 1
    p = check_html(text)
    net = seed.network
    inputs = [a for t, a in p.elements if "input" in classes(a)]
    neurons = [a for t, a in p.elements if "neuron" in classes(a)]
    weights = [a for t, a in p.elements if "weight" in classes(a)]
    assert [a["data-unit"] for a in inputs] == list(net.layers[0])
    assert sorted(a["data-unit"] for a in neurons) == sorted(u for layer in net.layers[1:] for u in layer)
    assert len(neurons) == 4
    assert sorted(a["data-weight"] for a in weights) == sorted(w for w, _, _ in net.weights)
    assert len(weights) == 8
    svg = next(a for t, a in p.elements if t == "svg")
    assert svg["role"] == "img" and "h1 incorrect" in svg["aria-label"] and "o1 incorrect" in svg["aria-label"]
    verdict = {a.get("data-unit") or a.get("data-weight") or a.get("data-bias"): a["data-verdict"]
               for t, a in p.elements if "data-verdict" in a}
    # h1: z1, h1 and delta_h1 all incorrect; o1 is carried, but delta_o1 is incorrect; nothing asks about b1, b2.
    assert verdict["h1"] == "incorrect" and verdict["o1"] == "incorrect"
    assert verdict["w5"] == "incorrect" and verdict["b1"] == verdict["b2"] == "none"
    # every drawn element has a tooltip, and its symbol is in the drawing, not only its colour
    svg_text = text[text.index("<svg"):text.index("</svg>")]
    assert svg_text.count("<title>") >= len(inputs) + len(neurons) + len(weights) + len(net.biases)
    assert "✗ w5" in svg_text and "✗ incorrect" in svg_text and "not asked" in svg_text  # labels and key
    # the key explains the verdicts the drawing shows (here: incorrect and not asked), no others
    key = svg_text[svg_text.index('class="legend"'):]
    assert "✓ correct" not in key and "↪ carried" not in key
    # incorrect has its own line style: the stylesheet gives [data-verdict=incorrect] the dash pattern 4 3
    assert re.search(r"\[data-verdict=incorrect\]\{[^}]*--d:4 3", text)
    assert "stroke-dasharray:var(--d)" in text


def test_neuron_colour_is_its_worst_quantity(seed):
    by = {f.quantity: f for f in seed.fields}
    assert worst([by["z3"], by["o1"]]) == "carried"
    assert worst([by["z3"], by["o1"], by["delta_o1"]]) == "incorrect"
    assert worst([]) == "none"
    missing = dataclasses.replace(by["z3"], verdict="missing")
    assert worst([by["z3"], missing]) == "missing"
    unreadable = dataclasses.replace(by["z3"], verdict="unparseable")
    assert worst([missing, unreadable, by["z3"]]) == "unparseable"


def test_a_formula_for_every_wrong_field_of_the_seed(seed):
    text = render(seed, "html")
    wrong = [f for f in seed.fields if f.verdict != "correct"]
    assert text.count('<div class="m">') == len(wrong) and "<code>" + wrong[0].worked not in text
    # the worked lines as text (no fraction in Exercise 6), ending in the expected value to 10 digits
    assert ('<div class="m">z1 = w1·i1 + w2·i2 + b1<br/>= (−15)·0.8 + 20·0.2 + 0.35<br/>= −7.65</div>') in text
    assert "<i>δ</i><sub>o1</sub>" in text and "= 1.179994029×10<sup>−6</sup></div>" in text
    # a line the text form cannot show (a fraction) stays MathML
    frac = formula(r"\delta = \frac{1}{2} \cdot x", "")
    assert frac.startswith('<div class="m"><math>') and "<mfrac>" in frac
    ET.fromstring(frac)
    for f in seed.fields:
        for latex in (f.formula_latex, f.worked_latex):
            ET.fromstring(latex_to_mathml(latex))
    m = latex_to_mathml(r"\delta_{o1} = \tfrac{1}{2} \cdot \operatorname{relu}'\left(net\_h1\right) - 1.5e-7")
    assert "<mfrac" in m and "<mi>relu</mi>" in m and "<mi>net_h1</mi>" in m and "<mn>10</mn><mn>−7</mn>" in m
    with pytest.raises(ValueError):
        latex_to_mathml(r"\unknowncommand{x}")
    assert formula(r"\unknowncommand{x}", "x <b>") == "<code>x &lt;b&gt;</code>"  # plain-text fallback, escaped


# --- exam mode -------------------------------------------------------------------------------------------------------


def test_exam_mode_hides_expected_values_and_worked_formulas(seed, exam):
    assert render(seed, "text").count("-7.65") and "0.000475818" in render(seed, "markdown")  # shown when revealed
    key_numbers = {"-7.65", "-13.65", "0.000475818", "0.0004758176188"}
    for f in exam.fields:
        if not f.compared_on_change:  # an update's expected value can round to the given weight (40.0000081 -> 40)
            key_numbers |= {fmt(f.expected, 6), fmt(f.expected, 10)}
        key_numbers.add(f.expected_text)
    for fmt_ in FORMATS:
        out = render(exam, fmt_)
        leaked = sorted(n for n in key_numbers if re.search(r"(?<![\d.])" + re.escape(n) + r"(?![\d])", out))
        assert not leaked, f"{fmt_}: {leaked}"
        for f in exam.fields:
            assert f.worked not in out and f.worked_latex not in out
        rest = out.replace("expected values and worked solutions are hidden", "")  # the exam-mode notice
        assert "Worked" not in rest and "xpected" not in rest
    # ... but it still says which fields are wrong and why
    md = render(exam, "markdown")
    assert "✗ incorrect" in md and exam.field("h1").diagnosis.text.split(":")[0] in md
    assert "Follows correctly from your h1 = 0.999988" in md


def test_exam_mode_guards_against_a_message_that_quotes_the_key(seed):
    z1 = seed.field("z1")
    leaky = dataclasses.replace(z1, diagnosis=Diagnosis("flipped_sign", "Right size, wrong sign: the given values give -7.65."))
    r = dataclasses.replace(seed, reveal=False, fields=tuple(leaky if f.quantity == "z1" else f for f in seed.fields))
    for fmt_ in FORMATS:
        out = render(r, fmt_)
        assert "-7.65" not in out and "Right size, wrong sign" in out


# --- order, escaping, content ----------------------------------------------------------------------------------------


def test_flags_come_first_in_markdown_and_html(seed):
    md = render(seed, "markdown")
    first_flag = md.index(seed.flags[0].message.split(":")[0])
    assert first_flag < md.index("## Score") < md.index("## Field by field")
    assert md.index(seed.flags[-1].message[:40]) < md.index("## Score")
    html = render(seed, "html")
    assert html.index('class="flags"') < html.index("<svg") < html.index("<code>z1</code> <span>")


def test_terminal_report_reads_fields_then_flags_then_score(seed):
    text = render(seed, "text")
    assert text.index("Fields") < text.index("Flags") < text.index("Score:")
    assert text.index("  z1 ") < text.index("Flags")


def test_student_text_is_escaped(seed):
    evil = "<script>alert(1)</script>"
    h1 = dataclasses.replace(seed.field("h1"), given_text='<img src=x onerror="alert(2)">')
    r = dataclasses.replace(
        seed, student=Student(id='"><b>', name=evil), source="x<script>.yaml",
        fields=tuple(h1 if f.quantity == "h1" else f for f in seed.fields),
    )
    html = render(r, "html")
    assert "<script" not in html.lower() and "<img" not in html.lower() and '"><b>' not in html
    assert "&quot;&gt;&lt;b&gt;" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in html
    check_html(html)
    md = render(r, "markdown")
    outside_code = re.sub(r"`[^`]*`", "", md)  # a code span shows its text literally
    assert not re.search(r"(?<!\\)<", outside_code)  # every < outside code is backslash-escaped
    assert "\\<script\\>alert(1)\\</script\\>" in md
    assert "`<img src=x onerror=\"alert(2)\">`" in md  # verbatim, inside a code span (shown literally)


def test_markdown_explains_every_field(seed):
    md = render(seed, "markdown")
    for f in seed.fields:
        assert f"`{f.quantity}`" in md
        if f.verdict != "correct":
            assert f.message in md.replace("\\", "")
            if f.diagnosis:
                assert f.diagnosis.text.replace("\\", "") in md.replace("\\", "")
    assert "- **✗ `h1`** (activation (output) of h1): **incorrect**" in md
    assert "  - Your value: `0.999988`; expected: `0.0004758176188`" in md
    assert r"  - Worked: $h1 = \sigma\left(z1\right) = \sigma\left(-7.65\right) = 0.000475818$" in md
    assert "| `o1` | ↪ carried | `1.0` | `0.6500106005` | 1 / 1 |" in md  # given_text verbatim: "1.0", not "1"
    assert seed.tolerance_rule in md and "compared on their change" in md
    assert md.rstrip().endswith("error carried forward.")


def test_renderers_recompute_nothing():
    for name in ("text", "markdown", "html", "svg"):
        tree = ast.parse((ROOT / "grader" / "report" / f"{name}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                mods = [node.module or ""]
            elif isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            else:
                continue
            for m in mods:
                assert not m.startswith(("grader.solve", "grader.grade.engine", "grader.grade.diagnose")), (name, m)
                assert m not in ("random", "time", "datetime", "uuid"), (name, m)
