"""A shortcut of :mod:`grader.yamlio` for the plainest YAML: what nearly every submission file is (issue 16).

A submission is a block mapping of ``name: value`` lines, a few nested mappings (``student:``, ``answers:``, an
answer's ``value``/``using``), one-line flow mappings (``{id: "400222100", name: Reza}``) and comments. libyaml
composes such a file into a node per key and value, each with two marks and a tag resolved by a Python call, and the
builder then walks the nodes: most of what reading a file costs. :func:`read_plain` reads that subset directly,
line by line; what a scalar or a key is, ``yamlio`` says (its own tag resolution and scalar construction, handed
in), so the data, ``lines`` and ``texts`` are what ``yamlio`` builds (``yamlio.plain_document``). What a line says
is a function of its text alone and a class's files repeat most lines (the template's comments and keys, the givens
in ``using``), so it is remembered (a bounded cache of short lines): matching the line pattern was most of the cost.

It is only a shortcut: it answers None (read it the full way) for anything it does not take, and it takes only
text that the full reader reads without an error — every line blank, a comment, or ``key: value`` with an identifier
key, at an indentation that opens a nested mapping right after ``key:`` or returns to an open one; a value is a plain
scalar of a few safe characters (no indicator, ``:``, ``#``, quote or bracket), a quoted scalar without escapes, or
a one-line flow mapping of such keys and values; no tab, carriage return or other line break, no character that
YAML refuses, no repeated key, no key that is not text, within the node and nesting limits. Everything else (errors
included, so every message, line and hint) is the full reader's. tests/test_yamlplain.py holds it to the full reader
on generated documents near the edge of the subset.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False  # typing costs milliseconds at start-up: only a type checker imports it
if TYPE_CHECKING:
    from typing import Callable

__all__ = ["read_plain", "SCALAR", "NotPlain"]

# Characters of the whole text: printable for YAML, none of them a line break besides "\n" (no "\r", "\x85",
# "\u2028", "\u2029"), no tab, no byte-order mark, no surrogate.
_SAFE_TEXT = re.compile("[\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]*").fullmatch

_KEY = r"[A-Za-z_][A-Za-z0-9_]{0,99}"
_CH = r"A-Za-z0-9_.+\-/()*^~"  # a plain scalar's characters: no indicator among them but '-' and '*'
# A plain scalar: not starting with '*' (an alias) nor with a '-' that no such character follows (a list entry); no
# trailing space; spaces inside are kept as written.
_PLAIN = rf"(?!-(?![{_CH}]))[{_CH.replace('*', '')}](?:[{_CH} ]*[{_CH}])?"
_DQ = r'"[^"\\\n]*"'
_SQ = r"'[^'\n]*'"
SCALAR = rf"(?:{_PLAIN}|{_DQ}|{_SQ})"  # a value's text
_ITEM = rf"{_KEY}: +{SCALAR}"
_FLOW = rf"\{{ *{_ITEM}(?: *, *{_ITEM})* *\}}"
_LINE = re.compile(rf"( *)({_KEY}):(?: +({SCALAR}|{_FLOW}))?(?: +#.*)? *").fullmatch
_FLOW_ITEM = re.compile(rf"({_KEY}): +({SCALAR}) *(?:, *)?").match


class NotPlain(Exception):
    """The text is not in the subset (raised by ``read_plain`` or by the ``scalar`` it is given)."""


def read_plain(text: str, max_depth: int, scalar: Callable[[str], tuple], text_key: Callable[[str], bool]):
    """``(data, lines, texts, count)`` of ``text`` as ``yamlio`` reads it (``count``: the nodes the full reader
    would build), when it is in the plain subset; None otherwise. ``scalar(text)`` is a value's ``(value,
    written)``: what the full reader makes of the scalar ``text`` (as ``SCALAR`` matches it) and whether its text
    goes in ``texts``; ``text_key(key)`` whether the full reader reads the plain key ``key`` as text."""
    if not _SAFE_TEXT(text) or max_depth < 1:
        return None
    lines: dict = {(): 0}
    texts: dict = {}
    try:
        data, count = _read(text, lines, texts, max_depth, scalar, text_key)
    except NotPlain:
        return None
    return data, lines, texts, count


_COMMENT_OR_BLANK = ()  # what a line that is blank or a comment parses to (skipped)
_MAX_CACHED_LINE = 120  # characters: longer lines are parsed every time (the cache stays small)
_MAX_CACHED_LINES = 1024  # lines remembered; the cache is emptied when full (memory stays flat)
_LINES: dict = {}  # a line's text -> _parse_line(text): a class's files repeat most lines (keys, comments, givens)


def _parse_line(line: str) -> tuple:
    """What ``line`` says, as a pure function of its text: ``(indent, key, value)`` with ``value`` None (``key:``
    alone), the scalar's text, or a tuple of the ``(key, text)`` items of a one-line flow mapping;
    ``_COMMENT_OR_BLANK`` for a blank line or a comment. Raises ``NotPlain`` for any other line. Remembered in
    ``_LINES`` by ``_read``: matching ``_LINE`` is most of what reading a plain file costs."""
    m = _LINE(line)
    if m is None:
        stripped = line.lstrip(" ")
        if not stripped or stripped[0] == "#":
            return _COMMENT_OR_BLANK
        raise NotPlain
    indent_text, key, value = m.groups()
    if value is not None and value[0] == "{":
        value = tuple(_flow_items(value))
    return len(indent_text), key, value


def _flow_items(value: str) -> list:
    """The ``(key, text)`` items of a flow mapping that ``_LINE`` matched (``{a: 1, b: "x, y"}``)."""
    inner = value[1:-1]
    if '"' not in inner and "'" not in inner:
        # No quoted scalar, so no ',' or ':' but the separators (a plain scalar and a key hold neither): each item
        # is `key: value` between commas, with spaces around (``_FLOW``; a plain scalar has no trailing space).
        items = []
        for part in inner.split(","):
            fkey, _, ftext = part.partition(":")
            items.append((fkey.strip(" "), ftext.strip(" ")))
        return items
    items = []
    flow_item = _FLOW_ITEM
    pos, end = len(value) - len(value[1:].lstrip(" ")), len(value) - 1  # after '{ ', at '}'
    while pos < end:
        item = flow_item(value, pos, end)
        if item is None:  # pragma: no cover - _LINE matched the same items
            raise NotPlain
        pos = item.end()
        items.append(item.groups())
    return items


def _read(text: str, lines: dict, texts: dict, max_depth: int, scalar, text_key) -> tuple[dict, int]:
    """The root mapping and the number of nodes; ``lines`` and ``texts`` filled as the full reader fills them."""
    stack: list = []  # (indent, mapping, path) of the open block mappings, innermost last
    pending = None  # (mapping, key, path): a `key:` with nothing after it, a nested mapping or null
    root = None
    count = 0
    cache, parse = _LINES, _parse_line
    null = scalar("")  # `key:` with nothing after it and no nested mapping
    top_indent = -1
    mapping: dict = {}
    path: tuple = ()
    for number, line in enumerate(text.split("\n"), 1):
        parsed = cache.get(line)
        if parsed is None:
            parsed = parse(line)  # (raises NotPlain for a line not in the subset)
            if len(line) <= _MAX_CACHED_LINE:
                if len(cache) >= _MAX_CACHED_LINES:
                    cache.clear()
                cache[line] = parsed
        if parsed is _COMMENT_OR_BLANK:
            continue
        indent, key, value = parsed
        if pending is not None:
            parent_map, parent_key, parent_path = pending
            pending = None
            if indent > top_indent:  # the nested mapping of `key:`
                if len(stack) + 1 > max_depth:
                    raise NotPlain
                mapping = {}
                count += 1
                parent_map[parent_key] = mapping
                path = parent_path
                top_indent = indent
                stack.append((indent, mapping, path))
            else:
                parent_map[parent_key] = null[0]
                if null[1]:
                    texts[parent_path] = ""
                count += 1
        if root is None:
            root = mapping = {}
            lines[()] = number
            count += 1
            top_indent = indent
            stack.append((indent, root, ()))
        elif indent != top_indent:  # back to an open mapping (more indented after a value is not plain)
            while stack and indent < stack[-1][0]:
                stack.pop()
            if not stack or indent != stack[-1][0]:
                raise NotPlain
            top_indent, mapping, path = stack[-1]
        if key in mapping or not text_key(key):
            raise NotPlain
        sub = path + (key,)
        lines[sub] = number
        if value is None:
            pending = (mapping, key, sub)
            mapping[key] = None  # its place in the order; set when the next line says what it is
            count += 1  # the key; the value is counted with what it turns out to be
        elif value.__class__ is tuple:  # a one-line flow mapping
            if len(stack) + 1 > max_depth:
                raise NotPlain
            flow: dict = {}
            for fkey, ftext in value:
                if fkey in flow or not text_key(fkey):
                    raise NotPlain
                fsub = sub + (fkey,)
                lines[fsub] = number
                flow[fkey], written = scalar(ftext)
                if written:
                    texts[fsub] = ftext
                count += 2
            mapping[key] = flow
            count += 2  # the key and the flow mapping
        else:
            mapping[key], written = scalar(value)
            if written:
                texts[sub] = value
            count += 2
    if root is None:
        raise NotPlain
    if pending is not None:
        parent_map, parent_key, parent_path = pending
        parent_map[parent_key] = null[0]
        if null[1]:
            texts[parent_path] = ""
        count += 1
    return root, count
