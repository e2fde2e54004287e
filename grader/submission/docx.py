"""The text of a Word document (``.docx``) that a write-up reader reads: its paragraphs, tables and equations, as
Markdown.

Students hand in Word files. A ``.docx`` is a zip of XML parts; the document is ``word/document.xml`` (or the part
``_rels/.rels`` names). Each paragraph becomes a line of its own (a heading style, ``# ``), each table a Markdown
pipe table (read by ``grader.submission.tables``), each equation typed in Word's equation editor (OMML,
``m:oMath``) LaTeX between dollar signs: a fraction ``\\frac{…}{…}``, a subscript ``w_{5}``, a superscript
``e^{-0.3}``, a root, a sum, brackets. Every line is labelled with its place: "paragraph 12", "table 1, row 3".

Never read: deleted text of tracked changes, field codes, comments, footnotes, text boxes and images. The file is
hostile until read: at most :data:`MAX_DOCX_BYTES` (images make a Word file large; only the document part is
read), the document part at most :data:`MAX_XML_BYTES` uncompressed, read as it streams (never wholly inflated
first), no document type declaration (so no entity is ever expanded), elements nested at most :data:`MAX_DEPTH`
deep, and the text at most the write-up limit.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree

from grader.errors import LimitError, SubmissionError
from grader.submission.kinds import MAX_WRITEUP_BYTES
from grader.submission.officezip import (MAX_BLOCK, MAX_DEPTH, MAX_DOCX_BYTES, MAX_ENTRIES, MAX_XML_BYTES, OfficeZip,
                                         directory_size, math_symbols, raised_text, stream)

__all__ = ["MAX_DOCX_BYTES", "MAX_XML_BYTES", "MAX_DEPTH", "MAX_BLOCK", "MAX_ENTRIES", "docx_text"]

_HINT = "save the document as a Word document (.docx) again, or hand in the write-up as Markdown (.md)"
_WHAT = "Word document"

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
_MAIN = "word/document.xml"
_OFFICE_DOCUMENT = "/officeDocument"  # the end of the main part's relationship type

# what a run or a paragraph contains that holds text to read (anything else, a drawing or a text box, is not read)
_INLINE = {_W + t for t in ("hyperlink", "ins", "smartTag", "customXml", "sdt", "sdtContent", "fldSimple", "moveTo",
                            "bdo", "dir")}


def docx_text(data: bytes, source: str) -> tuple[str, dict[int, str]]:
    """The document's paragraphs and tables as one Markdown text, and each line's label (``{line: "paragraph 3"}``).
    Raises :class:`SubmissionError` for a file that is not a Word document, :class:`LimitError` past a limit."""
    with OfficeZip(data, source, _WHAT, ".docx", _HINT) as doc:
        xml = doc.read(_main_part_name(doc))
        if xml is None:
            raise SubmissionError("this zip is not a Word document: it has no word/document.xml", file=source,
                                  hint=_HINT)
        blocks = _Blocks(source)
        blocks.read(doc, xml)
    return blocks.text()


_directory_size = directory_size  # (the tests' name for it)


def _main_part_name(doc: OfficeZip) -> str:
    """The main document part's name, as ``_rels/.rels`` gives it (``word/document.xml`` when it does not)."""
    try:
        root = doc.small_xml("_rels/.rels")
    except (SubmissionError, LimitError):
        return _MAIN
    for rel in root if root is not None else ():
        if rel.get("Type", "").endswith(_OFFICE_DOCUMENT) and rel.get("TargetMode") != "External":
            target = rel.get("Target", "").lstrip("/")
            return target if target else _MAIN
    return _MAIN


class _Blocks:
    """The body's paragraphs and tables, converted one by one as the document part streams, a table row by row (each
    is dropped from the tree once converted: memory stays that of one paragraph or row, at most
    :data:`MAX_BLOCK` elements)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines: list[str] = []
        self.labels: dict[int, str] = {}
        self.size = 0
        self.paragraphs = 0
        self.tables = 0
        self.rows = 0  # rows of the table being read

    def read(self, doc: OfficeZip, xml: bytes) -> None:
        tables = 0  # tables open around the element
        boxes = 0  # text boxes open around it (nothing in one is read)

        def on_start(elem: ElementTree.Element) -> None:
            nonlocal tables, boxes
            if elem.tag == _W + "txbxContent":
                boxes += 1
            elif boxes:
                return
            elif elem.tag == _W + "tbl":
                tables += 1
                if tables == 1:
                    self.tables += 1
                    self.rows = 0

        def on_end(elem: ElementTree.Element, stack: list) -> bool:
            nonlocal tables, boxes
            tag = elem.tag
            if tag == _W + "txbxContent":
                boxes -= 1
                return False
            if boxes:
                return False
            if tag == _W + "tr" and tables == 1:
                self.row(elem)
            elif tag == _W + "tbl":
                tables -= 1
                if tables:
                    return False  # (a table inside a cell: read with the cell's row)
                self._add("", None)
            elif tag == _W + "p" and tables == 0:
                self.paragraph(elem)
            else:
                return False
            return True

        stream(doc, xml, on_start, on_end)

    # ------------------------------------------------------------------------------------------------ the blocks

    def _add(self, text: str, label: str | None) -> None:
        self.size += len(text) + 1
        if self.size > MAX_WRITEUP_BYTES:
            raise LimitError(f"the Word document's text is larger than {MAX_WRITEUP_BYTES // 1_048_576} MiB",
                             file=self.source, hint="split the write-up into smaller documents")
        self.lines.append(text)
        if label is not None:  # (a blank line between blocks is never quoted)
            self.labels[len(self.lines)] = label

    def paragraph(self, p: ElementTree.Element) -> None:
        self.paragraphs += 1
        text = _heading_mark(p) + _inline(p, 0, self.source)
        parts = [part.rstrip() for part in text.split("\n")]
        for k, part in enumerate(parts, start=1):
            self._add(part, f"paragraph {self.paragraphs}" + (f", line {k}" if len(parts) > 1 else ""))
        self._add("", None)  # a blank line after each: every paragraph stands alone

    def row(self, tr: ElementTree.Element) -> None:
        """A row of the table being read, as a pipe table's row (the first one with the separator after it: its
        cells are the heading, as Markdown's tables have it)."""
        cells = []
        for tc in _cells(tr):
            text = " ".join(t for t in (_inline(p, 0, self.source).replace("\n", " ").strip()
                                        for p in tc.iter(_W + "p")) if t)
            cells.append(text.replace("|", "\\|"))
            span = tc.find(f"{_W}tcPr/{_W}gridSpan")
            cells += [""] * (max(1, min(_int(span.get(_W + "val") if span is not None else None), 64)) - 1)
        self.rows += 1
        label = f"table {self.tables}, row {self.rows}"
        self._add("| " + " | ".join(cells) + " |", label)
        if self.rows == 1:
            self._add("|" + " --- |" * max(1, len(cells)), label)

    def text(self) -> tuple[str, dict[int, str]]:
        return "\n".join(self.lines), self.labels


def _int(value: str | None) -> int:
    try:
        return int(value) if value is not None else 1
    except ValueError:
        return 1


def _heading_mark(p: ElementTree.Element) -> str:
    """``# `` for a paragraph in a heading or title style (``## `` for a second-level heading, ...)."""
    ppr = p.find(_W + "pPr")
    if ppr is None:
        return ""
    style = ppr.find(_W + "pStyle")
    name = (style.get(_W + "val") or "") if style is not None else ""
    m = re.fullmatch(r"(?i)heading\s*([1-6])", name)
    if m:
        return "#" * int(m.group(1)) + " "
    if name.lower() in ("title", "subtitle"):
        return "# "
    outline = ppr.find(_W + "outlineLvl")
    if outline is not None and _int(outline.get(_W + "val")) in range(0, 6):
        return "#" * (_int(outline.get(_W + "val")) + 1) + " "
    return ""


def _inline(elem: ElementTree.Element, depth: int, source: str) -> str:
    """The text of a paragraph (or of what a paragraph contains), its equations as ``$…$``; text formatted as a
    superscript or a subscript (``10`` then ``-4`` raised: how Word users write a power outside an equation) as
    ``^{…}`` / ``_{…}``, the runs of one such stretch together (Word splits a run anywhere)."""
    pieces: list[tuple[str, str]] = []  # (vertical alignment: "", "superscript" or "subscript"; text)
    _pieces(elem, depth, source, pieces)
    return raised_text(pieces)


def _pieces(elem: ElementTree.Element, depth: int, source: str, pieces: list[tuple[str, str]]) -> None:
    if depth > MAX_DEPTH:
        raise LimitError(f"the Word document's XML is nested more than {MAX_DEPTH} deep", file=source, hint=_HINT)
    for child in elem:
        tag = child.tag
        if tag == _W + "r":
            pieces.append((_vertical(child), _run(child)))
        elif tag == _M + "oMathPara":
            equations = [_math(m, depth + 1, source) for m in child.iter(_M + "oMath")]
            pieces.append(("", "\n".join(f"$${e}$$" for e in equations if e.strip())))
        elif tag == _M + "oMath":
            e = _math(child, depth + 1, source)
            if e.strip():
                pieces.append(("", f"${e}$"))
        elif tag in _INLINE:
            _pieces(child, depth + 1, source, pieces)


def _vertical(r: ElementTree.Element) -> str:
    align = r.find(f"{_W}rPr/{_W}vertAlign")
    value = align.get(_W + "val") if align is not None else None
    return value if value in ("superscript", "subscript") else ""


def _run(r: ElementTree.Element) -> str:
    out = []
    for child in r:
        tag = child.tag
        if tag == _W + "t":
            out.append(child.text or "")
        elif tag == _W + "tab":
            out.append(" ")
        elif tag in (_W + "br", _W + "cr"):
            out.append("\n")
        elif tag == _W + "noBreakHyphen":
            out.append("-")
    return "".join(out).replace("\u00a0", " ")


def _cells(tr: ElementTree.Element):
    """A row's cells, also those inside a content control (``w:sdt``) around a cell."""
    for child in tr:
        if child.tag == _W + "tc":
            yield child
        elif child.tag in (_W + "sdt", _W + "sdtContent", _W + "customXml"):
            yield from _cells(child)


# ---------------------------------------------------------------------------------------------------- equations

_FUNCTIONS = {"exp", "ln", "log", "sin", "cos", "tan", "tanh", "sinh", "cosh", "max", "min"}
_NARY = {"∑": "\\sum", "∏": "\\prod", "∫": "\\int"}
_ACCENTS = {"\u0302": "\\hat", "\u0303": "\\tilde", "\u0304": "\\bar", "\u0305": "\\bar", "\u0307": "\\dot",
            "\u20d7": "\\vec"}


def _math(elem: ElementTree.Element, depth: int, source: str) -> str:
    """An OMML element as LaTeX (the parts the write-up reader reads; a matrix as a ``matrix`` environment)."""
    if depth > MAX_DEPTH:
        raise LimitError(f"an equation of the Word document is nested more than {MAX_DEPTH} deep", file=source,
                         hint=_HINT)
    out = []
    for child in elem:
        out.append(_math_part(child, depth + 1, source))
    return "".join(out)


def _arg(elem: ElementTree.Element, name: str, depth: int, source: str) -> str:
    part = elem.find(_M + name)
    return _math(part, depth, source) if part is not None else ""


def _prop(elem: ElementTree.Element, pr: str, name: str, default: str) -> str:
    node = elem.find(f"{_M}{pr}/{_M}{name}")
    if node is None:
        return default
    value = node.get(_M + "val")
    return default if value is None else value


def _math_part(child: ElementTree.Element, depth: int, source: str) -> str:
    tag = child.tag
    if not tag.startswith(_M):
        if tag == _W + "r":  # ordinary text inside an equation
            return _symbols(_run(child))
        return ""
    kind = tag[len(_M):]
    if kind == "r":
        text = _symbols("".join(t.text or "" for t in child.iter(_M + "t"))).replace("&", " ")
        return " \\\\ " + text if child.find(f"{_M}rPr/{_M}brk") is not None else text  # (a break: a new row)
    if kind == "f":
        return f"\\frac{{{_arg(child, 'num', depth, source)}}}{{{_arg(child, 'den', depth, source)}}}"
    if kind in ("sSub", "sSup", "sSubSup"):
        base = _arg(child, "e", depth, source)
        sub = f"_{{{_arg(child, 'sub', depth, source)}}}" if kind != "sSup" else ""
        sup = f"^{{{_arg(child, 'sup', depth, source)}}}" if kind != "sSub" else ""
        return base + sub + sup
    if kind == "sPre":
        return _arg(child, "e", depth, source)
    if kind == "rad":
        degree = _arg(child, "deg", depth, source).strip()
        inner = _arg(child, "e", depth, source)
        return f"\\sqrt[{degree}]{{{inner}}}" if degree else f"\\sqrt{{{inner}}}"
    if kind == "d":
        begin, end = _prop(child, "dPr", "begChr", "("), _prop(child, "dPr", "endChr", ")")
        sep = _prop(child, "dPr", "sepChr", "|")
        inner = sep.join(_math(e, depth, source) for e in child.findall(_M + "e"))
        return _bracket(begin) + inner + _bracket(end)
    if kind == "func":
        name = _arg(child, "fName", depth, source).strip()
        arg = _arg(child, "e", depth, source)
        if name in _FUNCTIONS:
            name = "\\" + name
        return name + (arg if arg.lstrip().startswith(("(", "\\left(")) else f"({arg})")
    if kind == "nary":
        op = _NARY.get(_prop(child, "naryPr", "chr", "∫"), "\\int")
        sub, sup = _arg(child, "sub", depth, source), _arg(child, "sup", depth, source)
        return (op + (f"_{{{sub}}}" if sub.strip() else "") + (f"^{{{sup}}}" if sup.strip() else "") + " "
                + _arg(child, "e", depth, source))
    if kind == "acc":
        accent = _ACCENTS.get(_prop(child, "accPr", "chr", "\u0302"))
        inner = _arg(child, "e", depth, source)
        return f"{accent}{{{inner}}}" if accent else inner
    if kind == "bar":
        return f"\\bar{{{_arg(child, 'e', depth, source)}}}"
    if kind == "limLow":
        return f"{_arg(child, 'e', depth, source)}_{{{_arg(child, 'lim', depth, source)}}}"
    if kind == "limUpp":
        return f"{_arg(child, 'e', depth, source)}^{{{_arg(child, 'lim', depth, source)}}}"
    if kind == "eqArr":  # rows of one equation (a derivation, each row "= ..." continuing the one above)
        return " \\\\ ".join(_math(e, depth, source) for e in child.findall(_M + "e"))
    if kind == "m":  # a matrix: a vector of values or names is read entry by entry (grader.submission.vectors)
        rows = [" & ".join(_math(cell, depth, source) for cell in r.findall(_M + "e"))
                for r in child.findall(_M + "mr")]
        return "\\begin{matrix} " + " \\\\ ".join(rows) + " \\end{matrix}"
    if kind in ("box", "borderBox", "groupChr", "phant", "e", "oMath"):
        return _arg(child, "e", depth, source) if kind != "e" and kind != "oMath" else _math(child, depth, source)
    return ""  # properties (``…Pr``), anything else


def _bracket(ch: str) -> str:
    return {"{": "\\{", "}": "\\}", "⟨": "\\langle ", "⟩": "\\rangle "}.get(ch, ch)


_symbols = math_symbols
