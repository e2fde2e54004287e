"""A written solution's file read: its bytes (within its kind's cap, ``grader.submission.kinds``) and its text as the
write-up reader reads it (a notebook's cells and a Word document's paragraphs as Markdown, each line labelled with
its place)."""

from __future__ import annotations

import os
import re

from grader.errors import LimitError, SubmissionError
from grader.fileio import read_capped
from grader.parse.answer import visible
from grader.submission.kinds import OFFICE_SUFFIXES, WRITEUP_SUFFIXES, path_suffix, writeup_limit

__all__ = ["is_writeup", "read_writeup", "decode_writeup", "as_markdown", "html_marks"]


def is_writeup(path: str | os.PathLike) -> bool:
    return path_suffix(path).lower() in WRITEUP_SUFFIXES


def read_writeup(path: str | os.PathLike) -> tuple[str, str]:
    """(text, kind) of the write-up at ``path`` (the file itself, never through a symbolic link), read with a size
    cap; a binary file is refused."""
    data = read_capped(path, writeup_limit(os.fsdecode(path)), "the write-up", follow_symlinks=False,
                       hint="leave images out of the file; a write-up is text")
    return decode_writeup(data, os.fsdecode(path)), path_suffix(path).lower().lstrip(".")


def decode_writeup(data: bytes | str, source: str) -> str:
    """The text a write-up reader is given (``writeup_submission``). A Word document (by ``source``'s name) is not
    text: its bytes are passed on one character per byte (latin-1, which maps every byte), for
    ``grader.submission.docx`` (an OpenDocument text: ``grader.submission.odt``) to read."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    limit = writeup_limit(source)
    if len(data) > limit:
        raise LimitError(f"the write-up is larger than {limit // 1_048_576} MiB", file=source,
                         hint="leave images out of the file; a write-up is text")
    if path_suffix(source).lower() in OFFICE_SUFFIXES:
        return data.decode("latin-1")
    if b"\x00" in data:
        raise SubmissionError("this is not a text file (it contains NUL bytes)", file=source,
                              hint="upload the write-up as Markdown (.md), LaTeX (.tex), text (.txt), a notebook "
                                   "(.ipynb) or a Word document (.docx)")
    return data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")


def as_markdown(text: str, kind: str, source: str, notebook_outputs: str = "read"
                ) -> tuple[str, str, dict[int, str] | None, tuple[str, ...]]:
    """(text, kind, each line's label or None, remarks about the whole file) as the reader reads a file of ``kind``:
    a notebook (``notebook_outputs`` "ignore": without what its code printed) and a Word document become Markdown
    (``md``); any other kind is read as it is."""
    labels, remarks = None, ()
    if kind == "ipynb":
        from grader.submission.notebook import notebook_text

        unread: list[int] = []
        text, labels = notebook_text(text, source, outputs=notebook_outputs != "ignore", unread=unread)
        kind = "md"
        if unread:
            cells = ", ".join(str(n) for n in unread[:10]) + (", ..." if len(unread) > 10 else "")
            remarks = (f"What the code cells printed is not read in this problem (cell{'s' if len(unread) > 1 else ''}"
                       f" {cells}): it grades the work written in Markdown cells. Write each answer there, as "
                       f"an equation that starts with its name.",)
    elif kind == "docx":
        from grader.submission.docx import docx_text

        text, labels = docx_text(text.encode("latin-1"), source)
        kind = "md"
    elif kind == "odt":
        from grader.submission.odt import odt_text

        text, labels = odt_text(text.encode("latin-1"), source)
        kind = "md"
    if kind in ("md", "markdown") and notebook_outputs == "ignore" and ("```" in text or "~~~" in text):
        from grader.submission.mathrow import without_printed

        text, emptied = without_printed(text)  # a fence of printed output (```` ```output ````) is not read either
        if emptied:
            at = ", ".join(str(n) for n in emptied[:10]) + (", ..." if len(emptied) > 10 else "")
            remarks += (f"What a program printed is not read in this problem (the fence{'s' if len(emptied) > 1 else ''}"
                        f" of output at line{'s' if len(emptied) > 1 else ''} {at}): it grades the work you wrote "
                        f"yourself. Write each answer outside such fences, as an equation that starts with its name.",)
    if kind != "tex" and ("<" in text or "&" in text):
        text = html_marks(text)
    text = visible(text)  # pasted from a web page or a word processor: z1 = -7.65\u200b could not be read
    return text, kind, labels, remarks



# HTML that Markdown editors and notebooks pass through: raised and lowered text, and the entities of symbols
_SCRIPT_TAG = re.compile(r"(?i)<(sub|sup)>([^<>\n]{1,40})</\1>")
_ENTITY = re.compile(r"&(minus|times|middot|sdot|asymp|approx|nbsp|thinsp|prime|delta|Delta|eta|sigma|alpha|"
                     r"partial|rarr|rArr);")
_ENTITIES = {"minus": "−", "times": "×", "middot": "·", "sdot": "·", "asymp": "≈", "approx": "≈", "nbsp": " ",
             "thinsp": " ", "prime": "′", "delta": "δ", "Delta": "Δ", "eta": "η", "sigma": "σ", "alpha": "α",
             "partial": "∂", "rarr": "→", "rArr": "⇒"}


# a line break typed as HTML, ``z1 = -7.65<br>z2 = -13.65``: two equations, as if a ``;`` separated them (before,
# one, and z1 was read as -13.65); not in a table's row, whose cells it breaks into lines of the same cell
_BREAK = re.compile(r"(?i)<br[ \t]*/?>")
_BREAK_LINE = re.compile(r"(?im)^(?![ \t]*\|)[^\n]*<br[ \t]*/?>[^\n]*")


def html_marks(text: str) -> str:
    """``w<sub>5</sub>`` as ``w_{5}``, ``10<sup>-4</sup>`` as ``10^{-4}``, a ``<br>`` as a ``;`` (outside tables), and
    ``&minus;``, ``&times;``, ``&delta;`` and the like as their symbols, as a Markdown or notebook write-up typed with HTML shows them (never in a
    ``.tex`` file, where ``&`` aligns)."""
    if "<" in text:
        text = _SCRIPT_TAG.sub(lambda m: ("_{" if m.group(1).lower() == "sub" else "^{") + m.group(2) + "}", text)
        text = _BREAK_LINE.sub(lambda m: _BREAK.sub("; ", m[0]), text)
    if "&" in text:
        text = _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], text)
    return text
