"""Word documents (.docx) are read as write-ups (``grader.submission.docx``): students hand them in, and before they
were refused ("not a text file"). Paragraphs, tables and Word's equations (OMML) are read; tracked deletions, field
codes and text boxes are not. A .docx is hostile until read: a zip bomb, an entity, deep nesting or an old .doc get
a clear error, never a hang. Values from the textbook formulas in mpmath (``tests/textbook.py``)."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from docxfile import display, docx, e, frac, func, matrix, mr, omath, p, para, paren, sub, subsup, sup, t, table
from grader.batch.run import grade_batch
from grader.cli import main
from grader.errors import GraderError, LimitError, SubmissionError
from grader.grade.pipeline import Grader
from grader.submission.docx import MAX_BLOCK, MAX_DEPTH, MAX_XML_BYTES, docx_text
from grader.submission.extract import MAX_DOCX_BYTES, MAX_WRITEUP_BYTES
from textbook import CLASSIC, CLASSIC_NETS, sig, textbook

V = textbook(CLASSIC, CLASSIC_NETS)
ROOT = Path(__file__).resolve().parent.parent


def s(q: str) -> str:
    return sig(V[q], 10)


def grade_docx(tmp_path, data: bytes, name: str = "hw3.docx"):
    path = tmp_path / name
    path.write_bytes(data)
    return Grader(problem="classic_222").grade_file(path)


def verdicts(result) -> dict[str, str]:
    return {f.quantity: f.verdict for f in result.fields if f.verdict != "missing"}


def forward_pass() -> bytes:
    """A forward pass as a student types it in Word: a title, equations with subscripts, a fraction and e^x, a table
    of the outputs."""
    h1 = display(sub(mr("ℎ"), mr("1")), mr("="),  # (the mathematical italic h Word's display copies as)
                 frac(mr("1"), mr("1+") + sup(mr("e"), mr("−") + sub(mr("net"), mr("h1")))), mr(f"={s('h1')}"))
    return docx(
        para("HW 3 — Sam Park, 400111222", style="Title"),
        p(t("The net input of h1: "), omath(sub(mr("net"), mr("h1")), mr("=0.15⋅0.05+0.2⋅0.1+0.35=0.3775"))),
        p(h1),
        para("Outputs:", style="Heading2"),
        table([t("Quantity"), t("Value")],
              [omath(sub(mr("h"), mr("2"))), t(s("h2"))],
              [omath(sub(mr("𝑜"), mr("1"))), t(s("o1"))]),
        p(omath(sub(mr("δ"), sub(mr("o"), mr("1"))), mr(f"={s('delta_o1')}"))),
        p(omath(subsup(mr("w"), mr("5"), mr("+")), mr(f"={s('w5_new')}"))),
    )


def test_a_word_write_up_is_graded_with_its_equations_tables_and_title(tmp_path):
    r = grade_docx(tmp_path, forward_pass())
    assert verdicts(r) == {q: "correct" for q in ("net_h1", "h1", "h2", "o1", "delta_o1", "w5_new")}, verdicts(r)
    assert r.field("net_h1").source == "paragraph 2"
    assert r.field("h1").source == "paragraph 3"
    assert r.field("o1").source == "table 1, row 3"
    assert r.field("w5_new").source == "paragraph 6"
    assert (r.student.id, r.student.name) == ("400111222", "Sam Park")


def test_a_word_write_up_grades_as_the_same_work_in_markdown(tmp_path):
    """The oracle: the Markdown write-up of the same lines (read since long), slips included."""
    wrong = sig(V["h2"] * 1.1, 6)
    data = docx(p(omath(sub(mr("net"), mr("h1")), mr("=0.15⋅0.05+0.2⋅0.1+0.35=0.3775"))),
                p(omath(sub(mr("h"), mr("2")), mr("="), frac(mr("1"), mr("1+") + func("exp", paren(mr("−0.3925")))),
                        mr(f"={wrong}"))),
                p(omath(sub(mr("o"), mr("1")), mr(f"≈{s('o1')}"))))
    md = "\n\n".join(["$net_{h1}=0.15⋅0.05+0.2⋅0.1+0.35=0.3775$", f"$h_{{2}}=\\frac{{1}}{{1+\\exp(−0.3925)}}={wrong}$",
                      f"$o_{{1}}≈{s('o1')}$"])
    (tmp_path / "same.md").write_text(md, encoding="utf-8")
    r = grade_docx(tmp_path, data)
    m = Grader(problem="classic_222").grade_file(tmp_path / "same.md")
    assert verdicts(r) == verdicts(m) == {"net_h1": "correct", "h2": "incorrect", "o1": "correct"}
    assert r.score == m.score
    assert r.field("h2").diagnosis == m.field("h2").diagnosis and r.field("h2").diagnosis is not None


def test_deleted_text_field_codes_and_text_boxes_are_not_read(tmp_path):
    h1 = s("h1")
    deleted = f'<w:del w:id="1" w:author="me"><w:r><w:delText>h1 = {h1}</w:delText></w:r></w:del>'
    field = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
             f'<w:r><w:instrText> QUOTE "h2 = {s("h2")}" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>')
    box = ('<w:r><mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
           f'<mc:Choice Requires="wps"><w:drawing><w:txbxContent><w:p>{t("o1 = " + s("o1"))}</w:p>'
           f'{table([t("Quantity"), t("Value")], [t("h1"), t(s("h1"))])}</w:txbxContent>'
           '</w:drawing></mc:Choice></mc:AlternateContent></w:r>')
    inserted = f'<w:ins w:id="2" w:author="me">{t("o2 = " + s("o2"))}</w:ins>'
    r = grade_docx(tmp_path, docx(p(deleted), p(field), p(box), p(inserted)))
    assert verdicts(r) == {"o2": "correct"}  # a tracked insertion is the text as it stands


def test_powers_and_indices_typed_as_raised_and_lowered_text(tmp_path):
    """Outside the equation editor Word users raise the exponent (10 then a superscript -2), split into runs
    anywhere; read as 10^{-2}, never as 10 - 2. A lowered run is an index: w then a subscript 5."""
    mantissa, exponent = sig(V['delta_o2'] * 100, 10), "-2"
    data = docx(p(t("δ"), t("o2", "subscript"), t(f" = {mantissa} × 10"), t(exponent[0], "superscript"),
                  t(exponent[1], "superscript")),
                p(t("w"), t("5", "subscript"), t("+", "superscript"), t(f" = {s('w5_new')}")),
                p(t("Footnote mark"), t(" ", "superscript")))
    r = grade_docx(tmp_path, data)
    assert verdicts(r) == {"delta_o2": "correct", "w5_new": "correct"}, verdicts(r)
    assert docx_text(data, "d.docx")[0].split("\n")[0] == f"δ_{{o2}} = {mantissa} × 10^{{-2}}"


def test_a_cell_inside_a_content_control_is_read_and_a_nested_table_is_not_a_row():
    sdt_cell = f"<w:sdt><w:sdtPr/><w:sdtContent><w:tc><w:p>{t('middle')}</w:p></w:tc></w:sdtContent></w:sdt>"
    inner = table([t("inner")])
    data = docx(f"<w:tbl><w:tr><w:tc><w:p>{t('a')}</w:p></w:tc>{sdt_cell}<w:tc><w:p>{t('c')}</w:p></w:tc></w:tr>"
                f"<w:tr><w:tc><w:p>{t('1')}</w:p>{inner}</w:tc><w:tc><w:p>{t('2')}</w:p></w:tc></w:tr></w:tbl>")
    lines = docx_text(data, "d.docx")[0].split("\n")
    assert lines[:3] == ["| a | middle | c |", "| --- | --- | --- |", "| 1 inner | 2 |"]


def test_lines_and_labels():
    text, labels = docx_text(docx(para("one"), p(t("a"), "<w:r><w:br/></w:r>", t("b")),
                                  table([t("x | y"), t("v")], [t("1"), t("2")])), "d.docx")
    lines = text.split("\n")
    assert lines[:5] == ["one", "", "a", "b", ""]
    assert lines[5:8] == ["| x \\| y | v |", "| --- | --- |", "| 1 | 2 |"]
    assert labels[1] == "paragraph 1" and labels[3] == "paragraph 2, line 1" and labels[4] == "paragraph 2, line 2"
    assert labels[8] == "table 1, row 2"


def test_equations_as_latex():
    def latex(*parts: str) -> str:
        return docx_text(docx(p(omath(*parts))), "d.docx")[0].strip()

    assert latex(frac(mr("1"), mr("2"))) == "$\\frac{1}{2}$"
    assert latex(sup(mr("10"), mr("−4"))) == "$10^{−4}$"
    assert latex(subsup(mr("w"), mr("5"), mr("+"))) == "$w_{5}^{+}$"
    assert latex(func("exp", mr("x"))) == "$\\exp(x)$"
    assert latex(paren(mr("a"), beg="[", end="]")) == "$[a]$"
    assert latex(paren(mr("x"), beg="{", end="}")) == "$\\{x\\}$"
    assert latex("<m:rad><m:radPr><m:degHide m:val=\"1\"/></m:radPr><m:deg/>" + e(mr("2")) + "</m:rad>") == "$\\sqrt{2}$"
    assert latex(mr("𝑤\u2062𝛿")) == "$w δ$"  # mathematical italic letters; an invisible times


def test_the_main_part_is_where_the_relationships_say(tmp_path):
    data = docx(para(f"h1 = {s('h1')}"), main="word/document2.xml")
    assert verdicts(grade_docx(tmp_path, data)) == {"h1": "correct"}


# ---------------------------------------------------------------------------------------------------- hostile input


def _zip(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _xml(body: str) -> bytes:
    from docxfile import document

    return document(body).encode("utf-8")


@pytest.mark.parametrize("data, error, words", [
    (b"just text, renamed", SubmissionError, "not a Word document (.docx): not a zip file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, SubmissionError, "an old Word file (.doc)"),
    (b"PK\x03\x04 broken", SubmissionError, "cannot be opened"),
    (_zip({"hello.txt": b"hi"}), SubmissionError, "has no word/document.xml"),
    (_zip({"word/document.xml": b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "h1 = 0.5">]><d>&a;</d>'}),
     SubmissionError, "declares a document type"),
    (_zip({"word/document.xml": b"<w:document><w:body><w:p>"}), SubmissionError, "XML is damaged"),
])
def test_what_is_not_a_word_document_gets_a_clear_error(data, error, words):
    with pytest.raises(error) as info:
        docx_text(data, "hw.docx")
    assert words in str(info.value) and info.value.file == "hw.docx" and info.value.hint


def test_a_zip_bomb_a_deep_document_and_too_much_text_stop_at_their_limits():
    bomb = _zip({"word/document.xml": _xml("") + b" " * (MAX_XML_BYTES + 10)})
    assert len(bomb) < 100_000
    with pytest.raises(LimitError, match="larger than 8 MiB uncompressed"):
        docx_text(bomb, "hw.docx")
    # a part that declares a small size and inflates to more is read no further than the limit
    fake = bytearray(bomb)
    with pytest.raises(GraderError):
        docx_text(bytes(_lie_about_size(fake)), "hw.docx")
    deep = _zip({"word/document.xml": _xml("<w:p>" + "<w:hyperlink>" * (MAX_DEPTH + 5) + "</w:hyperlink>"
                                           * (MAX_DEPTH + 5) + "</w:p>")})
    with pytest.raises(LimitError, match="nested more than"):
        docx_text(deep, "hw.docx")
    runs = _zip({"word/document.xml": _xml("<w:p>" + "<w:r><w:t>x</w:t></w:r>" * (MAX_BLOCK // 2 + 1) + "</w:p>")})
    with pytest.raises(LimitError, match=f"has more than {MAX_BLOCK:,} parts"):  # (held whole until its end)
        docx_text(runs, "hw.docx")
    rows = _xml("<w:tbl>" + "<w:tr><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc></w:tr>" * (MAX_BLOCK // 5) + "</w:tbl>")
    assert docx_text(_zip({"word/document.xml": rows}), "hw.docx")[0].count("| 1 |") == MAX_BLOCK // 5  # row by row
    wide = _zip({"word/document.xml": _xml(para("x" * 1000) * (MAX_WRITEUP_BYTES // 1000 + 10))})
    with pytest.raises(LimitError, match="text is larger than 2 MiB"):
        docx_text(wide, "hw.docx")
    with pytest.raises(LimitError, match="larger than 16 MiB"):
        docx_text(b"PK" + b"\0" * MAX_DOCX_BYTES, "hw.docx")


def test_a_zip_of_many_parts_is_refused_before_its_directory_is_read():
    """180,000 empty parts fit in 16 MiB; parsing their directory took 0.9 s and 100 MB before the count was
    checked. The end record's counts are checked first, the zip64 record's too."""
    from grader.submission.docx import MAX_ENTRIES, _directory_size

    many = _zip({str(i): b"" for i in range(MAX_ENTRIES + 1)}, zipfile.ZIP_STORED)
    with pytest.raises(LimitError, match=f"has {MAX_ENTRIES + 1:,} parts"):
        docx_text(many, "hw.docx")
    assert _directory_size(many)[0] == MAX_ENTRIES + 1
    zip64 = _zip({str(i): b"" for i in range(65_536)}, zipfile.ZIP_STORED)  # more than 65,535: a zip64 end record
    assert zip64[zip64.rfind(b"PK\x05\x06") + 10:][:2] == b"\xff\xff"  # (the classic record's count says "see zip64")
    assert _directory_size(zip64)[0] == 65_536
    with pytest.raises(LimitError, match="has 65,536 parts"):
        docx_text(zip64, "hw.docx")


def _lie_about_size(data: bytearray) -> bytearray:
    """The zip with the document part's uncompressed size, in both its headers, written as 1000 bytes."""
    for sig_, at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        i = data.find(sig_)
        data[i + at:i + at + 4] = (1000).to_bytes(4, "little")
    return data


def test_an_encrypted_document_part_is_refused():
    data = bytearray(_zip({"word/document.xml": _xml(para("h1 = 0.5"))}, zipfile.ZIP_STORED))
    for sig_, at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        i = data.find(sig_)
        data[i + at] |= 1
    with pytest.raises(SubmissionError, match="encrypted"):
        docx_text(bytes(data), "hw.docx")


# ---------------------------------------------------------------------------------------------------- the commands


def test_grade_a_docx_file_and_a_broken_one_exits_2_with_the_reason(tmp_path, capsys):
    path = tmp_path / "hw3.docx"
    path.write_bytes(forward_pass())
    assert main([str(path), "--problem", "classic_222", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["fields"]["h1"]["verdict"] == "correct" and out["fields"]["h1"]["source"]["where"] == "paragraph 3"
    bad = tmp_path / "old.docx"
    bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert main([str(bad), "--problem", "classic_222"]) == 2
    err = capsys.readouterr().err
    assert "old.docx" in err and "an old Word file (.doc)" in err and "Traceback" not in err


def test_a_word_file_with_images_up_to_its_own_limit_is_graded_in_a_batch(tmp_path):
    """A Word file carries its images: one larger than a text write-up's 2 MiB is read (only its text), from a
    folder and from a zip; one past the Word limit is refused and the rest of the batch goes on."""
    import os

    image = os.urandom(MAX_WRITEUP_BYTES + 500_000)  # (random bytes: they do not compress)
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.docx").write_bytes(docx(para("# 401 Ann"), para(f"h1 = {s('h1')}"), parts={"word/media/image1.png": image}))
    (src / "b.docx").write_bytes(docx(para(f"h2 = {s('h2')}"), parts={"word/media/image1.png": os.urandom(MAX_DOCX_BYTES)}))
    (src / "c.md").write_text(f"o1 = {s('o1')}\n", encoding="utf-8")
    for as_zip in (False, True):
        given = src
        if as_zip:
            given = tmp_path / "in.zip"
            with zipfile.ZipFile(given, "w", zipfile.ZIP_STORED) as zf:
                for f in sorted(src.iterdir()):
                    zf.write(f, f.name)
        out = tmp_path / f"out{as_zip}"
        grade_batch(given, out, problem="classic_222", jobs=1, progress=False, timestamp="2026-01-01T00:00:00Z")
        rows = {r["file"]: r for r in json.loads((out / "grades.json").read_text(encoding="utf-8"))["files"]}
        assert rows["a.docx"]["status"] == "graded" and rows["a.docx"]["score"] == 1.0
        assert rows["b.docx"]["status"] == "unusable" and "too large" in json.dumps(rows["b.docx"]["error"])
        assert rows["c.md"]["status"] == "graded" and rows["c.md"]["score"] == 1.0


def test_gradescope_grades_a_word_write_up_when_there_is_no_yaml(tmp_path):
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "source").mkdir()
    shutil.copy(ROOT / "problems" / "classic_222.yaml", root / "source" / "problem.yaml")
    (root / "submission" / "solution.docx").write_bytes(forward_pass())
    assert main(["gradescope", "--root", str(root)]) == 0
    res = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    by_name = {t_["name"].split(":")[0]: t_ for t_ in res["tests"]}
    assert by_name["h1"]["score"] == by_name["h1"]["max_score"] == 1.0
    r = grade_docx(tmp_path, forward_pass())  # every field read is right: the score is their points
    assert res["score"] == r.score == sum(f.max_points for f in r.fields if f.verdict != "missing")


def test_a_damaged_word_document_never_raises_anything_but_a_grader_error():
    """The document's XML changed at random, byte by byte, in a well-formed zip: read, or a clear error."""
    from hypothesis import given, settings, strategies as st

    xml = _xml(para("HW — Ann, 401") + p(omath(frac(mr("1"), mr("1+") + sup(mr("e"), mr("−0.3"))), mr("=0.57")))
               + table([t("a"), t("b")], [omath(subsup(mr("w"), mr("5"), mr("+"))), t("0.1")])
               + p(omath(paren(func("exp", mr("x")), beg="[", end="]"))))

    @settings(max_examples=400, deadline=None, derandomize=True)
    @given(st.lists(st.tuples(st.integers(0, len(xml) - 1), st.sampled_from(b'<>/="&;:#xmwr0 \x00\xff')),
                    min_size=1, max_size=6))
    def check(changes):
        data = bytearray(xml)
        for at, byte in changes:
            data[at] = byte
        try:
            text, labels = docx_text(_zip({"word/document.xml": bytes(data)}), "hw.docx")
        except GraderError:
            return
        assert isinstance(text, str) and max(labels, default=0) <= text.count("\n") + 1

    check()


def test_a_derivation_on_several_rows_of_one_equation_is_one_chain(tmp_path):
    """Word's equation array (m:eqArr) and a manual break inside an equation (m:brk) make rows, each "= ..."
    continuing the row above, as a derivation is written: the value on the last row is the answer."""
    rows = ("<m:eqArr>" + e(sub(mr("net"), mr("h1")), mr("=0.15⋅0.05+0.2⋅0.1+0.35"))
            + e(mr(f"={s('net_h1')}")) + "</m:eqArr>")
    broken = (sub(mr("h"), mr("2")) + mr("=") + frac(mr("1"), mr("1+") + sup(mr("e"), mr("−0.3925")))
              + f'<m:r><m:rPr><m:brk m:alnAt="1"/></m:rPr><m:t>={s("h2")}</m:t></m:r>')
    r = grade_docx(tmp_path, docx(p(display(rows)), p(display(broken))))
    assert verdicts(r) == {"net_h1": "correct", "h2": "correct"}, verdicts(r)
    assert r.field("net_h1").source_text == f"net_{{h1}} = 0.15⋅0.05+0.2⋅0.1+0.35 = {s('net_h1')}"  # one chain


def test_a_vector_in_a_word_equation_is_read_entry_by_entry(tmp_path):
    """Word's matrix (m:m) of one column, in brackets: [net_h1; net_h2] = [0.3775; 0.3925]. Before, a matrix was left
    out of the equation, and the row said nothing (both values missing, without a word)."""
    names = paren(matrix([sub(mr("net"), mr("h1"))], [sub(mr("net"), mr("h2"))]), beg="[", end="]")
    values = paren(matrix([mr(s("net_h1"))], [mr(s("net_h2"))]), beg="[", end="]")
    weights = paren(matrix([mr("0.15"), mr("0.2")], [mr("0.25"), mr("0.3")]), beg="[", end="]")
    r = grade_docx(tmp_path, docx(p(display(names, mr("="), values)), p(display(mr("W="), weights))))
    assert verdicts(r) == {"net_h1": "correct", "net_h2": "correct"}, verdicts(r)
    assert docx_text(docx(p(omath(matrix([mr("a"), mr("b")])))), "d.docx")[0].strip() == (
        "$\\begin{matrix} a & b \\end{matrix}$")
