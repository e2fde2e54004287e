"""The text of an OpenDocument text (``.odt``: LibreOffice Writer, also Google Docs' and Word's ODF export) that a
write-up reader reads: its paragraphs, tables and formulas, as Markdown.

An ``.odt`` is a zip of XML parts (``grader.submission.officezip`` opens it with its limits); the document is
``content.xml``. Each paragraph and heading is a line of its own (a heading, ``# ``), each table a Markdown pipe
table row by row, text raised or lowered by its style (``10`` then a superscript ``-4``) ``^{…}`` / ``_{…}``, and
each formula (an embedded object of LibreOffice Math, stored as MathML in ``Object N/content.xml``) LaTeX between
dollar signs. Every line is labelled with its place: "paragraph 12", "table 1, row 3".

Never read: deleted text of tracked changes, footnotes, comments, text boxes, images. Formulas are read up to
:data:`MAX_FORMULAS`, their parts together up to the size of one text part.
"""

from __future__ import annotations

import posixpath
from xml.etree import ElementTree

from grader.errors import LimitError, SubmissionError
from grader.submission.kinds import MAX_WRITEUP_BYTES
from grader.submission.officezip import MAX_DEPTH, MAX_XML_BYTES, OfficeZip, math_symbols, raised_text, stream

__all__ = ["MAX_FORMULAS", "odt_text"]

MAX_FORMULAS = 2_000  # formula objects read from one document
_HINT = "save the document again as an OpenDocument text (.odt) or a Word document (.docx), or hand in Markdown (.md)"
_WHAT = "OpenDocument text"

_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
_XLINK = "{http://www.w3.org/1999/xlink}"
_MATHML = "{http://www.w3.org/1998/Math/MathML}"
_TEXT_DOCUMENT = b"application/vnd.oasis.opendocument.text"

# what holds text that is not the document's own as it stands: a deletion kept by tracked changes, a footnote, a
# comment, a text box (their paragraphs are no paragraphs of the body)
_ASIDE = {_TEXT + "tracked-changes", _TEXT + "note", _OFFICE + "annotation", _DRAW + "text-box"}
_SKIP_INLINE = {_TEXT + "note", _OFFICE + "annotation", _TEXT + "tracked-changes"}


def odt_text(data: bytes, source: str) -> tuple[str, dict[int, str]]:
    """The document's paragraphs and tables as one Markdown text, and each line's label. Raises
    :class:`SubmissionError` for a file that is not an OpenDocument text, :class:`LimitError` past a limit."""
    with OfficeZip(data, source, _WHAT, ".odt", _HINT) as doc:
        kind = doc.read("mimetype", 200)
        if kind is not None and kind.strip() != _TEXT_DOCUMENT:
            raise SubmissionError(f"this OpenDocument file is not a text document ({kind.strip()[:80].decode('ascii', 'replace')})",
                                  file=source, hint=_HINT)
        xml = doc.read("content.xml")
        if xml is None:
            raise SubmissionError("this zip is not an OpenDocument text: it has no content.xml", file=source,
                                  hint=_HINT)
        reader = _Reader(doc)
        reader.read(xml)
    return "\n".join(reader.lines), reader.labels


class _Reader:
    def __init__(self, doc: OfficeZip) -> None:
        self.doc = doc
        self.lines: list[str] = []
        self.labels: dict[int, str] = {}
        self.size = 0
        self.paragraphs = 0
        self.tables = 0
        self.rows = 0
        self.raised: dict[str, str] = {}  # a text style's name -> "superscript" or "subscript"
        self.formulas = 0
        self.formula_bytes = 0

    def read(self, xml: bytes) -> None:
        tables = 0
        asides = 0  # asides open around the element (their paragraphs are not the body's)

        def on_start(elem: ElementTree.Element) -> None:
            nonlocal tables, asides
            if elem.tag in _ASIDE:
                asides += 1
            elif asides:
                return
            elif elem.tag == _TABLE + "table":
                tables += 1
                if tables == 1:
                    self.tables += 1
                    self.rows = 0

        def on_end(elem: ElementTree.Element, stack: list) -> bool:
            nonlocal tables, asides
            tag = elem.tag
            if tag in _ASIDE:
                asides -= 1
                return False
            if tag == _STYLE + "style":
                self.style(elem)
                return True
            if asides:
                return False
            if tag == _TABLE + "table-row" and tables == 1:
                self.row(elem)
            elif tag == _TABLE + "table":
                tables -= 1
                if tables:
                    return False
                self._add("", None)
            elif tag in (_TEXT + "p", _TEXT + "h") and tables == 0:
                self.paragraph(elem)
            else:
                return False
            return True

        stream(self.doc, xml, on_start, on_end)

    # ------------------------------------------------------------------------------------------------ the blocks

    def _add(self, text: str, label: str | None) -> None:
        self.size += len(text) + 1
        if self.size > MAX_WRITEUP_BYTES:
            raise LimitError(f"the {_WHAT}'s text is larger than {MAX_WRITEUP_BYTES // 1_048_576} MiB",
                             file=self.doc.source, hint="split the write-up into smaller documents")
        self.lines.append(text)
        if label is not None:
            self.labels[len(self.lines)] = label

    def style(self, elem: ElementTree.Element) -> None:
        props = elem.find(_STYLE + "text-properties")
        position = (props.get(_STYLE + "text-position") or "") if props is not None else ""
        first = position.split()[0] if position.split() else ""
        if first == "super" or (first.endswith("%") and first[:-1].replace(".", "", 1).isdigit() and float(first[:-1]) > 0):
            self.raised[elem.get(_STYLE + "name", "")] = "superscript"
        elif first == "sub" or (first.startswith("-") and first.endswith("%")):
            self.raised[elem.get(_STYLE + "name", "")] = "subscript"

    def paragraph(self, p: ElementTree.Element) -> None:
        self.paragraphs += 1
        level = p.get(_TEXT + "outline-level") if p.tag == _TEXT + "h" else None
        mark = "#" * max(1, min(6, int(level) if level and level.isdigit() else 1)) + " " if p.tag == _TEXT + "h" else ""
        parts = [part.rstrip() for part in (mark + self.inline(p)).split("\n")]
        for k, part in enumerate(parts, start=1):
            self._add(part, f"paragraph {self.paragraphs}" + (f", line {k}" if len(parts) > 1 else ""))
        self._add("", None)

    def row(self, tr: ElementTree.Element) -> None:
        cells = []
        for tc in tr:
            if tc.tag not in (_TABLE + "table-cell", _TABLE + "covered-table-cell"):
                continue
            text = " ".join(t for t in (self.inline(p).replace("\n", " ").strip()
                                        for p in tc.iter() if p.tag in (_TEXT + "p", _TEXT + "h")) if t)
            cells.append(text.replace("|", "\\|"))
            span = tc.get(_TABLE + "number-columns-spanned")
            cells += [""] * (max(1, min(int(span) if span and span.isdigit() else 1, 64)) - 1)
        self.rows += 1
        label = f"table {self.tables}, row {self.rows}"
        self._add("| " + " | ".join(cells) + " |", label)
        if self.rows == 1:
            self._add("|" + " --- |" * max(1, len(cells)), label)

    # ------------------------------------------------------------------------------------------------ inline text

    def inline(self, elem: ElementTree.Element) -> str:
        pieces: list[tuple[str, str]] = []
        self._pieces(elem, "", pieces, 0)
        return raised_text(pieces).replace("\u00a0", " ")

    def _pieces(self, elem: ElementTree.Element, align: str, pieces: list, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise LimitError(f"the {_WHAT}'s XML is nested more than {MAX_DEPTH} deep", file=self.doc.source,
                             hint=_HINT)
        if elem.text:
            pieces.append((align, elem.text))
        for child in elem:
            tag = child.tag
            if tag == _TEXT + "span":
                self._pieces(child, self.raised.get(child.get(_TEXT + "style-name", ""), align), pieces, depth + 1)
            elif tag == _TEXT + "s":
                count = child.get(_TEXT + "c")
                pieces.append((align, " " * max(1, min(int(count) if count and count.isdigit() else 1, 100))))
            elif tag == _TEXT + "tab":
                pieces.append((align, " "))
            elif tag == _TEXT + "line-break":
                pieces.append(("", "\n"))
            elif tag == _DRAW + "frame":
                for obj in child.iter(_DRAW + "object"):
                    formula = self.formula(obj)
                    if formula.strip():
                        pieces.append(("", f"${formula}$"))
            elif tag not in _SKIP_INLINE:  # a link, a field, a change mark, a bookmark: its text, if any
                self._pieces(child, align, pieces, depth + 1)
            if child.tail:
                pieces.append((align, child.tail))

    def formula(self, obj: ElementTree.Element) -> str:
        """A formula object as LaTeX: its MathML inside the frame, or in the part its link names."""
        math = obj.find(_MATHML + "math")
        if math is None:
            href = obj.get(_XLINK + "href") or ""
            name = posixpath.normpath(href.removeprefix("./")) + "/content.xml"
            if href.startswith(("/", "..")) or "://" in href or name.startswith(".."):
                return ""
            self.formulas += 1
            if self.formulas > MAX_FORMULAS:
                raise LimitError(f"the {_WHAT} has more than {MAX_FORMULAS:,} formulas", file=self.doc.source,
                                 hint="split the write-up into smaller documents")
            info = self.doc.parts.get(name)
            if info is None:
                return ""
            self.formula_bytes += info.file_size
            if self.formula_bytes > MAX_XML_BYTES:
                raise LimitError(f"the {_WHAT}'s formulas are larger than {MAX_XML_BYTES // 1_048_576} MiB together",
                                 file=self.doc.source, hint="split the write-up into smaller documents")
            math = self.doc.small_xml(name)
            if math is None:
                return ""
        return mathml(math, 0, self.doc.source)


# ---------------------------------------------------------------------------------------------------- MathML

_FUNCTIONS = {"exp", "ln", "log", "sin", "cos", "tan", "tanh", "sinh", "cosh", "max", "min"}
_LARGE = {"∑": "\\sum", "∏": "\\prod", "∫": "\\int"}


def mathml(elem: ElementTree.Element, depth: int, source: str) -> str:
    """A MathML element as LaTeX (the parts the write-up reader reads; a table as a ``matrix``, its rows as rows)."""
    if depth > MAX_DEPTH:
        raise LimitError(f"a formula of the {_WHAT} is nested more than {MAX_DEPTH} deep", file=source, hint=_HINT)
    tag = elem.tag.rsplit("}", 1)[-1]
    kids = [k for k in elem if k.tag.rsplit("}", 1)[-1] not in ("annotation", "annotation-xml")]
    arg = [mathml(k, depth + 1, source) for k in kids] if tag != "semantics" else []
    if tag in ("mi", "mn", "mo", "mtext", "ms"):
        text = math_symbols("".join(elem.itertext()))
        return f"\\{text} " if tag == "mi" and text in _FUNCTIONS else text
    if tag == "semantics":
        return mathml(kids[0], depth + 1, source) if kids else ""
    if tag in ("annotation", "annotation-xml"):
        return ""
    if tag == "msub" and len(arg) == 2:
        return f"{arg[0]}_{{{arg[1]}}}"
    if tag == "msup" and len(arg) == 2:
        return f"{arg[0]}^{{{arg[1]}}}"
    if tag == "msubsup" and len(arg) == 3:
        return f"{arg[0]}_{{{arg[1]}}}^{{{arg[2]}}}"
    if tag == "mfrac" and len(arg) == 2:
        return f"\\frac{{{arg[0]}}}{{{arg[1]}}}"
    if tag == "msqrt":
        return f"\\sqrt{{{''.join(arg)}}}"
    if tag == "mroot" and len(arg) == 2:
        return f"\\sqrt[{arg[1]}]{{{arg[0]}}}"
    if tag == "mfenced":
        separators = (elem.get("separators") or ",").strip() or ","
        return (elem.get("open", "(") + separators[0].join(arg) + elem.get("close", ")"))
    if tag in ("munder", "mover", "munderover") and arg:
        base = _LARGE.get(arg[0].strip(), arg[0])
        below = arg[1] if tag != "mover" and len(arg) > 1 else ""
        above = arg[-1] if tag != "munder" and len(arg) > 1 else ""
        return base + (f"_{{{below}}}" if below else "") + (f"^{{{above}}}" if above else "") + " "
    if tag == "mspace":
        return " "
    if tag == "mtable":  # a matrix (a vector of values or names is read entry by entry), or rows of a formula
        return "\\begin{matrix} " + " \\\\ ".join(arg) + " \\end{matrix}"
    if tag == "mtr":
        return " & ".join(arg)
    if tag == "mtd":
        return " ".join(arg)
    return "".join(arg)  # math, mrow, mstyle, mpadded, menclose, mphantom, ...
