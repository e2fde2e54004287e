"""How numbers are written in messages and reports: significant digits, plain, ``e-6`` not ``e-06``; and how a
student's text is (``short``: one line for an overview; ``printable``: no control codes reach a terminal or a
spreadsheet)."""

from __future__ import annotations

import math


def fmt(x: float | None, digits: int = 6) -> str:
    """``x`` with ``digits`` significant digits: ``-7.65``, ``0.000475818``, ``8.07071e-6``; ``—`` for None."""
    if x is None:
        return "—"
    if not math.isfinite(x):
        return str(x)
    if x == 0:
        return "0"
    s = f"{x:.{digits}g}"
    if "e" in s:
        mant, _, ex = s.partition("e")
        s = f"{mant}e{int(ex)}"
    return s


def decimal_places(q) -> int | None:
    """How many decimal places the exact decimal of the fraction ``q`` has (its denominator is 2^a·5^b: max(a, b)),
    or None when it has no terminating decimal (a 3 in the denominator)."""
    d = q.denominator
    twos = fives = 0
    while d % 2 == 0:
        d //= 2
        twos += 1
    while d % 5 == 0:
        d //= 5
        fives += 1
    return max(twos, fives) if d == 1 else None


def short(text: str, limit: int = 60) -> str:
    """``text`` on one line, cut to ``limit`` characters for an overview (a written answer can be a page long)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# The space separators other than U+0020 (no-break, ideographic ...), and the zero-width (non-)joiners that Persian,
# Indic scripts and emoji sequences need: not printable to ``str.isprintable`` but harmless, and part of ordinary
# names ("山田\u3000太郎", "فرزانه\u200cای").
_SPACES = frozenset("\u00a0\u1680\u202f\u205f\u3000\u200c\u200d" + "".join(map(chr, range(0x2000, 0x200B))))
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def printable(text: str, keep: str = "") -> str:
    """``text`` safe to write where a person reads it (a terminal, a spreadsheet cell, a message): every character
    ``str.isprintable`` refuses -- a control character (ESC, CR, LF, TAB, DEL), a format character (the
    bidirectional overrides and isolates U+202A-U+202E, U+2066-U+2069, the zero-width ones), a line or paragraph
    separator, a surrogate, a private-use or unassigned code point -- is written as its escape (``\\x1b``,
    ``\\n``, ``\\u202e``), as ``grader.yamlio.shown_key`` and the batch's file names show them, so it can neither
    drive the terminal, reorder the line, nor start a new one; a byte that was not UTF-8 (a lone surrogate of
    ``surrogateescape``) is ``\\xNN``. Spaces other than U+0020 and the zero-width joiners are kept. Printable text (accents, CJK,
    ``O'Brien``) is returned as it is. ``keep``: characters left as they are where they are harmless (``"\\n\\t"``
    in HTML, where they are only white space)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c in _SPACES or c in keep else _escaped(c) for c in text)


def _escaped(c: str) -> str:
    n = ord(c)
    named = _NAMED.get(c)
    if named:
        return named
    if 0xDC80 <= n <= 0xDCFF:  # a byte that is not UTF-8, as surrogateescape keeps it
        return f"\\x{n - 0xDC00:02x}"
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}" if n < 0x10000 else f"\\U{n:08x}"
