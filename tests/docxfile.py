"""Word documents (.docx) built by hand for the tests: the zip and the XML parts Word writes, with paragraphs,
runs, tables and equations (OMML) made by the small functions here."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
M = "http://schemas.openxmlformats.org/officeDocument/2006/math"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def rels(target: str = "word/document.xml") -> str:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            f'officeDocument" Target="{target}"/></Relationships>')


def document(*blocks: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}" xmlns:m="{M}">'
            f'<w:body>{"".join(blocks)}<w:sectPr/></w:body></w:document>')


def docx(*blocks: str, parts: dict[str, bytes | str] | None = None, main: str = "word/document.xml") -> bytes:
    """A .docx of ``blocks`` (paragraphs, tables); ``parts``: more (or other) zip entries."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", rels(main))
        zf.writestr(main, document(*blocks))
        for name, data in (parts or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


def t(text: str, align: str | None = None) -> str:
    """A run of text (``align``: ``superscript`` or ``subscript``, as Word formats a raised or lowered run)."""
    raised = f'<w:vertAlign w:val="{align}"/>' if align else ""
    return f'<w:r><w:rPr><w:b/>{raised}</w:rPr><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def p(*content: str, style: str | None = None) -> str:
    """A paragraph of runs and equations (``style``: ``Heading1``, ``Title``, ...)."""
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f"<w:p>{ppr}{''.join(content)}</w:p>"


def para(text: str, style: str | None = None) -> str:
    return p(t(text), style=style)


def table(*rows: list[str]) -> str:
    """A table whose cells hold paragraphs' content (runs or equations)."""
    body = "".join("<w:tr>" + "".join(f"<w:tc><w:tcPr/><w:p>{cell}</w:p></w:tc>" for cell in row) + "</w:tr>"
                   for row in rows)
    return f"<w:tbl><w:tblPr/><w:tblGrid/>{body}</w:tbl>"


# ---------------------------------------------------------------------------------------------------- equations

def omath(*parts: str) -> str:
    return f"<m:oMath>{''.join(parts)}</m:oMath>"


def display(*parts: str) -> str:
    return f"<m:oMathPara>{omath(*parts)}</m:oMathPara>"


def mr(text: str) -> str:
    return f'<m:r><w:rPr><w:rFonts w:ascii="Cambria Math"/></w:rPr><m:t xml:space="preserve">{escape(text)}</m:t></m:r>'


def e(*parts: str) -> str:
    return f"<m:e>{''.join(parts)}</m:e>"


def sub(base: str, subscript: str) -> str:
    return f"<m:sSub><m:sSubPr><m:ctrlPr/></m:sSubPr>{e(base)}<m:sub>{subscript}</m:sub></m:sSub>"


def sup(base: str, superscript: str) -> str:
    return f"<m:sSup>{e(base)}<m:sup>{superscript}</m:sup></m:sSup>"


def subsup(base: str, subscript: str, superscript: str) -> str:
    return f"<m:sSubSup>{e(base)}<m:sub>{subscript}</m:sub><m:sup>{superscript}</m:sup></m:sSubSup>"


def matrix(*rows: list[str]) -> str:
    """An OMML matrix (``m:m``) of rows of cells, each cell an equation's content."""
    return "<m:m><m:mPr/>" + "".join("<m:mr>" + "".join(e(c) for c in r) + "</m:mr>" for r in rows) + "</m:m>"


def frac(num: str, den: str) -> str:
    return f"<m:f><m:fPr><m:ctrlPr/></m:fPr><m:num>{num}</m:num><m:den>{den}</m:den></m:f>"


def paren(*inner: str, beg: str | None = None, end: str | None = None) -> str:
    pr = ""
    if beg is not None or end is not None:
        pr = ("<m:dPr>" + (f'<m:begChr m:val="{beg}"/>' if beg is not None else "")
              + (f'<m:endChr m:val="{end}"/>' if end is not None else "") + "</m:dPr>")
    return f"<m:d>{pr}{e(*inner)}</m:d>"


def func(name: str, *arg: str) -> str:
    return f"<m:func><m:fName>{mr(name)}</m:fName>{e(*arg)}</m:func>"
