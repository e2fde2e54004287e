"""OpenDocument texts (.odt: LibreOffice Writer, Google Docs' ODF export) are read as write-ups
(``grader.submission.odt``): before, an .odt was "not read ... ask for it saved as .docx". Paragraphs, headings,
tables, text raised by its style and LibreOffice Math formulas (MathML) are read; tracked deletions, footnotes,
comments and text boxes are not. Values from the textbook formulas in mpmath (``tests/textbook.py``)."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from grader.batch.run import grade_batch
from grader.cli import main
from grader.errors import GraderError, LimitError, SubmissionError
from grader.grade.pipeline import Grader
from grader.submission.odt import MAX_FORMULAS, mathml, odt_text
from odtfile import formula, h, mfrac, mi, mn, mo, mrow, msub, msup, odt, p, span, table
from textbook import CLASSIC, CLASSIC_NETS, sig, textbook

V = textbook(CLASSIC, CLASSIC_NETS)


def s(q: str) -> str:
    return sig(V[q], 10)


def grade_odt(tmp_path, data: bytes):
    path = tmp_path / "hw3.odt"
    path.write_bytes(data)
    return Grader(problem="classic_222").grade_file(path)


def verdicts(r) -> dict[str, str]:
    return {f.quantity: f.verdict for f in r.fields if f.verdict != "missing"}


def homework() -> bytes:
    h1 = mrow(msub(mi("h"), mn("1")), mo("="), mfrac(mn("1"), mrow(mn("1"), mo("+"), msup(mi("e"), mrow(
        mo("−"), mn("0.3775"))))), mo("="), mn(s("h1")))
    net = mrow(msub(mi("net"), mi("h1")), mo("="), mn("0.15"), mo("⋅"), mn("0.05"), mo("+"), mn("0.2"), mo("⋅"),
               mn("0.1"), mo("+"), mn("0.35"), mo("="), mn(s("net_h1")))
    return odt(h("HW 3 — Sam Park, 400111222"),
               p("The net input of h1: ", formula("Object 1")),
               p(formula("Object 2")),
               p("δ", span("o1", "T2"), f" = {sig(V['delta_o1'] * 10, 10)} × 10", span("-", "T1"), span("1", "T1")),
               table([span("Quantity"), span("Value")], ["h2", s("h2")], ["o1", s("o1")]),
               p(f"So the updated weight w5 is {s('w5_new')}."),
               formulas={"Object 1": net, "Object 2": h1})


def test_an_odt_write_up_is_graded_with_its_formulas_tables_and_heading(tmp_path):
    r = grade_odt(tmp_path, homework())
    assert verdicts(r) == {q: "correct" for q in ("net_h1", "h1", "delta_o1", "h2", "o1", "w5_new")}, verdicts(r)
    assert r.field("net_h1").source == "paragraph 2" and r.field("h1").source == "paragraph 3"
    assert r.field("o1").source == "table 1, row 3"
    assert (r.student.id, r.student.name) == ("400111222", "Sam Park")


def test_it_grades_as_the_same_document_in_word(tmp_path):
    """The oracle: the Word reader (tested on its own) on the same lines."""
    from docxfile import docx, para

    lines = [f"net_h1 = {s('net_h1')}", f"h2 = {sig(V['h2'] * 1.1, 6)}", f"o1 ≈ {s('o1')}"]
    a = grade_odt(tmp_path, odt(*[p(x) for x in lines]))
    (tmp_path / "same.docx").write_bytes(docx(*[para(x) for x in lines]))
    b = Grader(problem="classic_222").grade_file(tmp_path / "same.docx")
    assert verdicts(a) == verdicts(b) == {"net_h1": "correct", "h2": "incorrect", "o1": "correct"}
    assert a.score == b.score and a.field("h2").diagnosis == b.field("h2").diagnosis


def test_deleted_text_footnotes_comments_and_text_boxes_are_not_read():
    changes = ('<text:tracked-changes><text:changed-region text:id="c1"><text:deletion>'
               f'<text:p>h1 = {s("h1")}</text:p></text:deletion></text:changed-region></text:tracked-changes>')
    note = (f'<text:note text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body>'
            f'<text:p>h2 = {s("h2")}</text:p></text:note-body></text:note>')
    comment = f'<office:annotation><text:p>o1 = {s("o1")}</text:p></office:annotation>'
    box = (f'<draw:frame><draw:text-box><text:p>o2 = {s("o2")}</text:p>{table(["h1", s("h1")])}</draw:text-box>'
           '</draw:frame>')
    text, labels = odt_text(odt(changes, p("Text", note, " more", comment, box, " end"), table(["a", "b"])), "d.odt")
    assert [line for line in text.split("\n") if line] == ["Text more end", "| a | b |", "| --- | --- |"]
    assert labels[3] == "table 1, row 1"  # (the text box's table is not counted either)


def test_spaces_tabs_breaks_and_spans():
    text, labels = odt_text(odt(p("a", '<text:s text:c="3"/>', "b", "<text:tab/>", "c", "<text:line-break/>",
                                  span("d"), "e")), "d.odt")
    assert text.split("\n")[:2] == ["a   b c", "de"] and labels[2] == "paragraph 1, line 2"


def test_mathml_as_latex():
    from xml.etree import ElementTree

    def latex(body: str) -> str:
        return mathml(ElementTree.fromstring(f'<math xmlns="http://www.w3.org/1998/Math/MathML">{body}</math>'), 0,
                      "x")

    assert latex(mfrac(mn("1"), mn("2"))) == "\\frac{1}{2}"
    assert latex(msup(mn("10"), mrow(mo("−"), mn("4")))) == "10^{−4}"
    assert latex("<msqrt><mn>2</mn></msqrt>") == "\\sqrt{2}"
    assert latex('<mfenced open="[" close="]"><mi>a</mi><mi>b</mi></mfenced>') == "[a,b]"
    assert latex(mrow(mi("exp"), mo("\u2061"), mrow(mo("("), mi("x"), mo(")")))) == "\\exp (x)"
    assert latex("<munderover><mo>∑</mo><mrow><mi>i</mi><mo>=</mo><mn>1</mn></mrow><mn>2</mn></munderover>") \
        == "\\sum_{i=1}^{2} "


@pytest.mark.parametrize("data, words", [
    (odt(p("x"), mimetype="application/vnd.oasis.opendocument.spreadsheet"), "not a text document"),
    (b"PK\x03\x04 broken", "cannot be opened"),
    (b"plain text", "not a zip file"),
])
def test_what_is_not_an_odt_gets_a_clear_error(data, words):
    with pytest.raises(SubmissionError, match=words):
        odt_text(data, "hw.odt")


def test_formulas_stop_at_their_limits():
    many = odt(p(*[formula("Object 1")] * (MAX_FORMULAS + 1)), formulas={"Object 1": mn("1")})
    with pytest.raises(LimitError, match="formulas"):
        odt_text(many, "hw.odt")
    big = odt(p(*[formula("Object 1")] * 20), formulas={"Object 1": mrow(*[mn("1")] * 120_000)})
    with pytest.raises(GraderError):  # each formula part at most 1 MiB, all together at most 8 MiB
        odt_text(big, "hw.odt")
    outside = odt(p('<draw:frame><draw:object xlink:href="../../etc"/></draw:frame>', "x"))
    assert odt_text(outside, "hw.odt")[0].strip() == "x"  # (only the zip's own parts are ever read)


def test_grade_and_batch_and_gradescope_take_an_odt(tmp_path, capsys):
    path = tmp_path / "hw3.odt"
    path.write_bytes(homework())
    assert main([str(path), "--problem", "classic_222", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["fields"]["h1"]["verdict"] == "correct"
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.odt").write_bytes(homework())
    (src / "b.odt").write_bytes(b"not a zip")
    grade_batch(src, tmp_path / "out", problem="classic_222", jobs=1, progress=False, timestamp="2026-01-01T00:00:00Z")
    rows = {r["file"]: r for r in json.loads((tmp_path / "out" / "grades.json").read_text(encoding="utf-8"))["files"]}
    assert rows["a.odt"]["status"] == "graded" and rows["a.odt"]["score"] == grade_odt(tmp_path, homework()).score
    assert rows["b.odt"]["status"] == "unusable" and "not a zip file" in rows["b.odt"]["error"]["message"]


def test_a_damaged_odt_never_raises_anything_but_a_grader_error():
    from hypothesis import given, settings, strategies as st

    with zipfile.ZipFile(io.BytesIO(homework())) as zf:
        content = zf.read("content.xml")

    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(st.lists(st.tuples(st.integers(0, len(content) - 1), st.sampled_from(b'<>/="&;:#xtp0 \x00\xff')),
                    min_size=1, max_size=6))
    def check(changes):
        data = bytearray(content)
        for at, byte in changes:
            data[at] = byte
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("content.xml", bytes(data))
        try:
            text, labels = odt_text(buf.getvalue(), "hw.odt")
        except GraderError:
            return
        assert isinstance(text, str) and max(labels, default=0) <= text.count("\n") + 1

    check()


def test_a_vector_in_a_formula_is_read_entry_by_entry_and_a_stack_row_by_row(tmp_path):
    """A MathML table (LibreOffice's ``matrix{}`` and ``stack{}``) is a ``matrix``: a vector of names equal to a
    vector of values is read entry by entry; a stack of equations is still one equation a row. Before, a table's
    cells ran together and its rows were rows, so [net_h1; net_h2] = [0.3775; 0.3925] gave net_h2 = 0.3775."""
    def column(*xs: str) -> str:
        return "<mtable>" + "".join(f"<mtr><mtd>{x}</mtd></mtr>" for x in xs) + "</mtable>"
    vector = mrow(mo("["), column(msub(mi("net"), mi("h1")), msub(mi("net"), mi("h2"))), mo("]"), mo("="), mo("["),
                  column(mn(s("net_h1")), mn(s("net_h2"))), mo("]"))
    stack = column(mrow(msub(mi("out"), mi("h1")), mo("="), mn(s("h1"))), mrow(msub(mi("out"), mi("h2")), mo("="),
                                                                              mn(s("h2"))))
    r = grade_odt(tmp_path, odt(p(formula("Object 1")), p(formula("Object 2")),
                                formulas={"Object 1": vector, "Object 2": stack}))
    assert verdicts(r) == {q: "correct" for q in ("net_h1", "net_h2", "h1", "h2")}, verdicts(r)
