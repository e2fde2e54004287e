"""The kinds of files students hand in, told by their names alone: the written solutions read (their suffixes and
size caps), and the files that hold no text the grader reads (a PDF, an image), with what each is. A leaf module:
the single-file command, the batch and the readers ask it without importing any reader."""

from __future__ import annotations

import os

__all__ = ["WRITEUP_SUFFIXES", "OFFICE_SUFFIXES", "MAX_WRITEUP_BYTES", "MAX_DOCX_BYTES", "writeup_limit", "path_suffix",
           "listed", "unread_noun", "unread_kind"]

WRITEUP_SUFFIXES = (".md", ".markdown", ".txt", ".tex", ".ipynb", ".docx", ".odt")
MAX_WRITEUP_BYTES = 2 * 1_048_576  # a write-up with images inlined as text is refused beyond this
MAX_DOCX_BYTES = 16 * 1_048_576  # a Word or OpenDocument file: its images make it large (only its text is read)
OFFICE_SUFFIXES = (".docx", ".odt")  # the write-ups that are zips of XML, not text


def listed(suffixes: tuple[str, ...] = WRITEUP_SUFFIXES) -> str:
    """The suffixes for a message, ".md, .tex, ... or .txt" (``.markdown``, another name of ``.md``, left out)."""
    shown = [x for x in suffixes if x != ".markdown"]
    return ", ".join(shown[:-1]) + " or " + shown[-1] if len(shown) > 1 else "".join(shown)


def writeup_limit(name: str) -> int:
    """The most bytes a written solution's file may have: an office document's images count in its size."""
    return MAX_DOCX_BYTES if name.lower().endswith(OFFICE_SUFFIXES) else MAX_WRITEUP_BYTES


# files students hand in that hold no text the grader reads: what each is, for the message that says so
_UNREAD = {".pdf": "a PDF", ".doc": "an old Word file (.doc)", ".odp": "an OpenDocument presentation (.odp)",
           ".pages": "a Pages document", ".rtf": "an RTF document", ".pptx": "a PowerPoint file",
           ".xlsx": "a spreadsheet", ".png": "an image", ".jpg": "an image", ".jpeg": "an image", ".heic": "an image",
           ".gif": "an image", ".webp": "an image", ".tif": "an image", ".tiff": "an image", ".bmp": "an image"}


def path_suffix(path: str | os.PathLike) -> str:
    """``Path(path).suffix``, worked out from the name: ``Path`` interns every part of a path, so a batch added one
    string per file to the interpreter's table of interned strings (a table that never shrinks)."""
    name = os.path.basename(os.fspath(path).rstrip("/"))
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def unread_noun(name: str) -> str | None:
    """What a file that holds no text the grader reads is ("a PDF", "an image"), by its name; None for any other."""
    return _UNREAD.get(path_suffix(name).lower())


def unread_kind(name: str) -> str | None:
    """Why a file of this kind is not graded ("a PDF is not read: ..."), by its name; None for any other file. A
    scan, a photo or a PDF holds the work as a picture: only a person can grade it."""
    kind = unread_noun(name)
    if kind is None:
        return None
    what = _SAVE_AS.get(path_suffix(name).lower(), "ask for the write-up's own file")
    return (f"{kind} is not read (only text is: YAML answers, or a write-up as {listed()}); "
            f"grade it by hand, or {what}")


# where a document the grader cannot read is one step from one it can
_SAVE_AS = {".doc": "ask for it saved as a Word document (.docx)",
            ".pages": "ask for it exported as a Word document (.docx)", ".rtf": "ask for it saved as a Word document "
            "(.docx)"}
