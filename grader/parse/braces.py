"""Brace groups of LaTeX text: splitting at a separator outside them (``a & {b & c} & d`` at ``&`` is ``a``,
``{b & c}``, ``d``) and where one ends. One pass each; depth is a counter, so no nesting limit is needed."""

from __future__ import annotations

__all__ = ["split_top", "group_end"]


def split_top(text: str, sep: str, *, escapes: bool = True) -> list[str]:
    """``text`` cut at each ``sep`` (one character, or ``\\\\``) outside braces. With ``escapes``, a backslash and the
    character after it are never a separator nor a brace (``\\&``, ``\\{``); ``\\\\`` as ``sep`` is matched first."""
    parts, depth, start, i, n = [], 0, 0, 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and escapes:
            if depth <= 0 and text.startswith(sep, i):
                parts.append(text[start:i])
                i += len(sep)
                start = i
                continue
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == sep and depth <= 0:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return parts


def group_end(text: str, start: int, end: int) -> int | None:
    """Where the brace group whose ``{`` is just before ``start`` closes (the index of its ``}``), looked for before
    ``end``; None when it does not close there. A backslash and the character after it are never a brace."""
    depth, i = 1, start
    while i < end:
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None
