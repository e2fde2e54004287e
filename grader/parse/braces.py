"""Brace groups of LaTeX text: splitting at a separator outside them (``a & {b & c} & d`` at ``&`` is ``a``,
``{b & c}``, ``d``) and where one ends. One pass each; depth is a counter, so no nesting limit is needed."""

from __future__ import annotations

from collections.abc import Iterator

__all__ = ["split_top", "group_end"]


def _depths(text: str, start: int, end: int, escapes: bool, sep: str = "") -> Iterator[tuple[int, str, int]]:
    """(index, character, brace depth before it) of each character of ``text[start:end]`` that is no escape: with
    ``escapes`` a backslash and the character after it are skipped (``\\&``, ``\\{``), except a backslash that
    starts ``sep``, which is yielded as ``sep``."""
    depth, i = 0, start
    while i < end:
        ch = text[i]
        if ch == "\\" and escapes:
            if sep and text.startswith(sep, i):
                yield i, sep, depth
                i += len(sep)
            else:
                i += 2
            continue
        yield i, ch, depth
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        i += 1


def split_top(text: str, sep: str, *, escapes: bool = True) -> list[str]:
    """``text`` cut at each ``sep`` (one character, or ``\\\\``) outside braces. With ``escapes``, a backslash and the
    character after it are never a separator nor a brace (``\\&``, ``\\{``); ``\\\\`` as ``sep`` is matched first."""
    parts, start = [], 0
    for i, ch, depth in _depths(text, 0, len(text), escapes, sep if sep.startswith("\\") else ""):
        if ch == sep and depth <= 0:
            parts.append(text[start:i])
            start = i + len(sep)
    parts.append(text[start:])
    return parts


def group_end(text: str, start: int, end: int) -> int | None:
    """Where the brace group whose ``{`` is just before ``start`` closes (the index of its ``}``), looked for before
    ``end``; None when it does not close there. A backslash and the character after it are never a brace."""
    for i, ch, depth in _depths(text, start, end, True):
        if ch == "}" and depth == 0:
            return i
    return None
