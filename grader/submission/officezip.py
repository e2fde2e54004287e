"""An office document read as hostile input: a zip of XML parts (a Word ``.docx``, an OpenDocument ``.odt``), opened
and streamed with limits, for ``grader.submission.docx`` and ``grader.submission.odt``.

* the file at most :data:`MAX_DOCX_BYTES` (images make it large; only text parts are read);
* the zip's end record read before its directory: at most :data:`MAX_ENTRIES` parts (a crafted zip of 180,000 empty
  parts took 0.9 s and 100 MB to parse before its count could be checked);
* a part read as it inflates, never further than :data:`MAX_XML_BYTES`, whatever its header declares; an encrypted
  part refused;
* no document type declaration (how an XML entity attack starts; office suites never write one), so no entity is
  ever expanded;
* streamed (:func:`stream`): elements nested at most :data:`MAX_DEPTH` deep, a block (a paragraph, a table's row)
  of at most :data:`MAX_BLOCK` elements, each block dropped from the tree once converted.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
import zlib
from typing import Callable
from xml.etree import ElementTree

from grader.errors import LimitError, SubmissionError
from grader.submission.kinds import MAX_DOCX_BYTES

__all__ = ["MAX_DOCX_BYTES", "MAX_XML_BYTES", "MAX_DEPTH", "MAX_ENTRIES", "MAX_BLOCK", "OfficeZip", "stream",
           "directory_size", "math_symbols", "raised_text"]

MAX_XML_BYTES = 8 * 1_048_576  # a text part, uncompressed (a long homework with many equations: ~1 MB)
MAX_DEPTH = 100  # elements nested in a part (office suites nest a few dozen deep)
MAX_ENTRIES = 10_000  # parts of the zip (a document has a few dozen)
MAX_BLOCK = 100_000  # elements of one paragraph or table row (a long paragraph has a few hundred)
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError, ValueError)
_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)


class OfficeZip:
    """The zip of an office document (``what``: "Word document", "OpenDocument text"), opened after its checks;
    ``hint`` is what every error suggests."""

    def __init__(self, data: bytes, source: str, what: str, suffix: str, hint: str) -> None:
        self.source, self.what, self.hint = source, what, hint
        if len(data) > MAX_DOCX_BYTES:
            raise LimitError(f"the {what} is larger than {MAX_DOCX_BYTES // 1_048_576} MiB", file=source,
                             hint="make the images in it smaller, or leave them out: only the text is read")
        if not data.startswith(b"PK"):
            kind = "an old Word file (.doc)" if data.startswith(b"\xd0\xcf\x11\xe0") else "not a zip file"
            raise SubmissionError(f"this is not a {what} ({suffix}): {kind}", file=source, hint=hint)
        entries, directory = directory_size(data)
        if entries > MAX_ENTRIES or directory > MAX_ENTRIES * 128:  # (before the directory is parsed: an entry each)
            raise LimitError(f"the {what} has {entries:,} parts (at most {MAX_ENTRIES:,})", file=source, hint=hint)
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
        except _ZIP_ERRORS as exc:
            raise SubmissionError(f"this {what} cannot be opened: {exc}", file=source, hint=hint) from None
        infos = self.zip.infolist()
        if len(infos) > MAX_ENTRIES:
            self.zip.close()
            raise LimitError(f"the {what} has {len(infos):,} parts (at most {MAX_ENTRIES:,})", file=source,
                             hint=hint)
        self.parts = {info.filename: info for info in infos}

    def __enter__(self) -> OfficeZip:
        return self

    def __exit__(self, *exc) -> None:
        self.zip.close()

    def read(self, name: str, limit: int = MAX_XML_BYTES) -> bytes | None:
        """The bytes of part ``name`` (None where there is none)."""
        info = self.parts.get(name)
        if info is None:
            return None
        if info.flag_bits & 0x1:
            raise SubmissionError(f"the {self.what} is encrypted (password-protected) and cannot be read",
                                  file=self.source, hint="save it again without a password")
        too_large = LimitError(f"the {self.what}'s text part is larger than {limit // 1_048_576} MiB uncompressed",
                               file=self.source, hint="split the write-up into smaller documents")
        if info.file_size > limit:
            raise too_large
        try:
            with self.zip.open(info) as f:
                data = f.read(limit + 1)  # (what it inflates to is read no further than the limit)
        except _ZIP_ERRORS as exc:
            raise SubmissionError(f"the {self.what} is damaged: {exc}", file=self.source, hint=self.hint) from None
        if len(data) > limit:
            raise too_large
        return data

    def small_xml(self, name: str, limit: int = 1_048_576) -> ElementTree.Element | None:
        """A small part (relationships, a manifest, a formula) parsed whole, after the same checks; None where there
        is none."""
        xml = self.read(name, limit)
        if xml is None:
            return None
        self.check(xml)
        try:
            return ElementTree.fromstring(xml)
        except (ElementTree.ParseError, LookupError, ValueError) as exc:
            raise SubmissionError(f"the {self.what}'s XML is damaged: {exc}", file=self.source,
                                  hint=self.hint) from None

    def check(self, xml: bytes) -> None:
        if _DECLARATION.search(xml):
            raise SubmissionError(f"the {self.what} declares a document type (office suites never do)",
                                  file=self.source, hint=self.hint)


def stream(doc: OfficeZip, xml: bytes, on_start: Callable[[ElementTree.Element], None],
           on_end: Callable[[ElementTree.Element, list], bool]) -> None:
    """Parse ``xml`` as it is fed, calling ``on_start(element)`` and ``on_end(element, stack)`` (``stack``: the open
    elements around it); where ``on_end`` returns True the element was converted and is dropped from the tree."""
    doc.check(xml)
    parser = ElementTree.XMLPullParser(events=("start", "end"))
    stack: list[ElementTree.Element] = []
    count = 0  # elements of the block being read, or since the last block
    step = 1 << 16
    try:
        for at in range(0, len(xml), step):
            parser.feed(xml[at:at + step])
            for event, elem in parser.read_events():
                if event == "start":
                    stack.append(elem)
                    count += 1
                    if len(stack) > MAX_DEPTH:
                        raise LimitError(f"the {doc.what}'s XML is nested more than {MAX_DEPTH} deep",
                                         file=doc.source, hint=doc.hint)
                    if count > MAX_BLOCK:
                        raise LimitError(f"a paragraph or a table row of the {doc.what} has more than "
                                         f"{MAX_BLOCK:,} parts", file=doc.source, hint=doc.hint)
                    on_start(elem)
                    continue
                stack.pop()
                if not on_end(elem, stack):
                    continue
                count = 0  # (a block converted: it is dropped from the tree)
                if stack and len(stack[-1]) and stack[-1][-1] is elem:
                    del stack[-1][-1]
                else:
                    elem.clear()
        parser.close()
        for _ in parser.read_events():
            pass
    except (ElementTree.ParseError, LookupError, ValueError) as exc:  # (LookupError: an unknown encoding)
        raise SubmissionError(f"the {doc.what}'s XML is damaged: {exc}", file=doc.source, hint=doc.hint) from None


def directory_size(data: bytes) -> tuple[int, int]:
    """(entries, bytes) of the zip's central directory as its end record says (the zip64 one where there is one);
    (0, 0) without an end record (``zipfile`` then says the file is no zip)."""
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65_535))
    if at < 0 or at + 22 > len(data):
        return 0, 0
    entries, size = int.from_bytes(data[at + 10:at + 12], "little"), int.from_bytes(data[at + 12:at + 16], "little")
    if entries == 0xFFFF or size == 0xFFFFFFFF:  # zip64: the counts are in its own end record
        z64 = data.rfind(b"PK\x06\x06", max(0, at - 20 - 56 - 65_535), at)
        if z64 < 0 or z64 + 56 > len(data):
            return entries, size
        entries = int.from_bytes(data[z64 + 32:z64 + 40], "little")
        size = int.from_bytes(data[z64 + 40:z64 + 48], "little")
    return entries, size


def raised_text(pieces: list[tuple[str, str]]) -> str:
    """The text of (vertical alignment, text) pieces ("", "superscript" or "subscript"), a raised or lowered stretch
    as ``^{…}`` / ``_{…}`` (how a power or an index is typed outside an equation: ``10`` then a raised ``-4``), the
    pieces of one stretch together (an office suite splits its runs anywhere)."""
    out, k = [], 0
    while k < len(pieces):
        align, text = pieces[k]
        k += 1
        while k < len(pieces) and align and pieces[k][0] == align:
            text += pieces[k][1]
            k += 1
        out.append(("^{" if align == "superscript" else "_{") + text + "}" if align and text.strip() else text)
    return "".join(out)


_INVISIBLE = {"\u2061": "", "\u2062": " ", "\u2063": ",", "\u2064": "+", "\u00a0": " "}


def math_symbols(text: str) -> str:
    """Math text as the LaTeX reader reads it: the invisible operators spelled out, and the mathematical italic
    letters (𝑤, 𝛿, ℎ: what an equation copied from an office suite's display holds) as plain letters."""
    out = []
    for ch in text:
        if ch in _INVISIBLE:
            out.append(_INVISIBLE[ch])
        elif "\U0001d400" <= ch <= "\U0001d7ff" or ch == "\u210e":
            out.append(unicodedata.normalize("NFKC", ch))
        else:
            out.append(ch)
    return "".join(out)
