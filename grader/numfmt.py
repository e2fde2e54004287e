"""How numbers are written in messages and reports: significant digits, plain, ``e-6`` not ``e-06``."""

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


def short(text: str, limit: int = 60) -> str:
    """``text`` on one line, cut to ``limit`` characters for an overview (a written answer can be a page long)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
