"""Safe YAML reading with line numbers, verbatim number texts and limits.

Only the safe machinery is used: ``yaml.compose`` (libyaml's ``CSafeLoader`` when available) builds the node graph
and the data is constructed here, from the nodes, so that we control what is accepted:

* duplicate mapping keys are an error naming the key and both lines;
* merge keys (``<<``) are supported: a mapping's own keys win, then the merged mappings in order;
* only the standard tags are accepted (null, bool, int, float, str, map, seq; timestamps are kept as their text);
  any other tag (``!!python/object``, ``!!binary``, ``!!set``, local ``!tags``) is an error;
* YAML floats become ``decimal.Decimal`` built from the text as written (``0.35`` is exactly ``Decimal('0.35')``),
  ``.inf``/``.nan`` become ``Decimal('Infinity')``/``Decimal('NaN')``; ints follow YAML 1.1 as PyYAML reads them;
* mapping keys are strings; int, float and bool keys become their text as written;
* limits on bytes, constructed nodes (every alias expansion counts, which defeats "billion laughs") and nesting.

Every failure is a :class:`grader.errors.GraderError` (:class:`grader.errors.LimitError` for the limits) with the
file, the 1-based line when known, the path inside the document and a hint.
"""

from __future__ import annotations

import functools
import os
import re
from decimal import Decimal

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from grader.errors import GraderError, LimitError
from grader.record import Record
from grader.yamlplain import NotPlain, read_plain

TYPE_CHECKING = False  # typing costs milliseconds at start-up: only a type checker imports it
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_NODES",
    "DEFAULT_MAX_DEPTH",
    "Document",
    "format_path",
    "shown_key",
    "load_yaml_text",
    "load_yaml_file",
]

DEFAULT_MAX_BYTES = 1_048_576  # 1 MiB per file
DEFAULT_MAX_NODES = 20_000  # total constructed nodes (defeats alias bombs / billion laughs)
DEFAULT_MAX_DEPTH = 32  # nesting depth


def _implicit_table() -> tuple[dict, tuple]:
    """SafeLoader's implicit resolvers by a plain scalar's first character, the wildcard ones appended."""
    resolvers = yaml.resolver.Resolver.yaml_implicit_resolvers
    wildcard = tuple(resolvers.get(None, ()))
    return {first: tuple(rs) + wildcard for first, rs in resolvers.items() if first is not None}, wildcard


_IMPLICIT, _WILDCARD = _implicit_table()


try:
    from yaml.cyaml import CParser as _Parser  # libyaml's parser and composer
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _Parser = yaml.SafeLoader


class _Loader(_Parser):
    """Composes nodes only (libyaml's parser and composer when available) with SafeLoader's tag resolution.

    The composer asks ``resolve`` for the tag of every node. PyYAML's ``BaseResolver.resolve`` also consults path
    resolvers, which the safe loader has none of (``descend``/``ascend`` then do nothing); without them its answer is
    this: the first implicit resolver for the scalar's first character (then the wildcard ones) whose pattern
    matches a plain scalar, else ``str``; ``seq`` and ``map`` for collections. tests/test_yamlio.py holds it to
    ``yaml.SafeLoader``'s on many scalars."""

    def resolve(self, kind: Any, value: Any, implicit: Any, _table=_IMPLICIT, _wildcard=_WILDCARD) -> str:
        if kind is ScalarNode:
            if implicit[0]:
                for tag, regexp in _table.get(value[0] if value else "", _wildcard):
                    if regexp.match(value):
                        return tag
            return _STR
        return _SEQ if kind is SequenceNode else _MAP

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


# libyaml's composer (Cython) recurses on the C stack and crashes the interpreter on very deep nesting (tens of
# thousands of levels). Text that cannot possibly nest deeper than this is composed directly; anything else is first
# scanned with the (iterative) event parser, which refuses it before the composer sees it.
_SAFE_COMPOSE_DEPTH = 1000

_Y = "tag:yaml.org,2002:"
_STR = _Y + "str"
_INT = _Y + "int"
_FLOAT = _Y + "float"
_BOOL = _Y + "bool"
_NULL = _Y + "null"
_TIMESTAMP = _Y + "timestamp"
_MAP = _Y + "map"
_SEQ = _Y + "seq"
_MERGE = _Y + "merge"
_VALUE = _Y + "value"
_BINARY = _Y + "binary"

_SYNTAX_HINT = "check the indentation and that a ':' inside a value is quoted"
_TAG_HINT = "write plain values without tags; quote the value if it should be text"
_NODES_HINT = "a file should hold plain values; repeated '*alias' expansion and huge lists are refused"
_DEPTH_HINT = "flatten the structure; no valid file nests this deep (an '*alias' inside its own '&anchor' nests forever)"


class Document(Record):
    """A YAML document: its data plus where every node was written.

    ``lines`` maps a path (tuple of keys and list indices) to the 1-based line of that node (for a mapping entry,
    the line of its key); the root is ``()``. ``texts`` maps the path of every non-string scalar (ints, floats,
    bools, nulls, timestamps) to its text exactly as written, e.g. ``"1.0"`` or ``"-0.000269051"``.
    """

    data: Any
    source: str = "<string>"
    lines: dict[tuple, int]
    texts: dict[tuple, str]
    _options = {"lines": {"default_factory": dict}, "texts": {"default_factory": dict}}

    def __init__(
        self, data: Any, source: str = "<string>", lines: dict[tuple, int] | None = None,
        texts: dict[tuple, str] | None = None,
    ) -> None:
        self.__dict__.update(
            data=data, source=source, lines={} if lines is None else lines, texts={} if texts is None else texts,
        )

    def line_of(self, path: tuple) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one (None when nothing is known)."""
        path = tuple(path)
        lines = self.lines
        for i in range(len(path), -1, -1):
            line = lines.get(path[:i])
            if line is not None:
                return line
        return None


_SHORT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}")
_QUOTED = re.compile(r"'([^'\n]*)'|\"([^\"\n]*)\"")


def _is_short_name(part: Any) -> bool:
    return isinstance(part, str) and bool(_SHORT_NAME.fullmatch(part))


_PUNCTUATION = frozenset(",[]{}:-?|>&*!%@`#")  # what a YAML parser says it expected: ',' or ']' (nothing of a file)


def redact(message: str) -> str:
    """``message`` with every quoted text that is not a short identifier or one YAML punctuation mark replaced by a
    description."""
    def one(m: re.Match) -> str:
        inner = m.group(1) if m.group(1) is not None else m.group(2)
        keep = _is_short_name(inner) or inner in _PUNCTUATION
        return m.group(0) if keep else f"(a text of {len(inner)} characters)"
    return _QUOTED.sub(one, message)


_SHOWN_KEY = 60  # characters of a key quoted in a message


def shown_key(key: object) -> str:
    """A key of a document as a message quotes it: one printable line (a control, format or separator character
    as ``\\r``, ``\\x1b``, ``\\u202e``), at most ``_SHOWN_KEY`` characters."""
    text = str(key)
    if not text.isprintable():
        text = "".join(c if c.isprintable() else _escaped(c) for c in text)
    return text if len(text) <= _SHOWN_KEY else text[: _SHOWN_KEY - 1] + "…"


def _escaped(c: str) -> str:
    n = ord(c)
    named = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}.get(c)
    return named or (f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}" if n < 0x10000 else f"\\U{n:08x}")


def format_path(path: tuple) -> str:
    """``('answers', 'delta_o1', 'using', 'o1')`` -> ``answers.delta_o1.using.o1``; list indices as ``[i]``; each
    key as ``shown_key`` quotes it (an error message is one printable line)."""
    out = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            shown = shown_key(part)
            if not shown or shown != shown.strip():  # `answers.' '`, not a blank the reader cannot see
                shown = f"'{shown}'"
            out += f".{shown}" if out else shown
    return out


# --------------------------------------------------------------------------------------------------------------
# scalars


_LONGEST_NUMBER = 1000  # characters


def _yaml_int(text: str) -> int:
    """An int as PyYAML's SafeConstructor reads it (YAML 1.1: ``0b``, ``0x``, leading-0 octal, ``_``, ``a:b``)."""
    value = text.replace("_", "")
    sign = 1
    if value[:1] == "-":
        sign = -1
    if value[:1] in ("+", "-"):
        value = value[1:]
    low = value.lower()
    if value == "0":
        return 0
    if low.startswith("0b"):
        return sign * int(value[2:], 2)
    if low.startswith("0x"):
        return sign * int(value[2:], 16)
    if low.startswith("0o"):
        return sign * int(value[2:], 8)
    if value[:1] == "0":
        return sign * int(value, 8)
    if ":" in value:
        result = 0
        for part in value.split(":"):
            result = result * 60 + int(part)
        return sign * result
    return sign * int(value)


def _yaml_float(text: str) -> Decimal:
    """A float as an exact ``Decimal`` of the text written (``.inf``/``.nan`` included, ``_`` removed)."""
    value = text.replace("_", "")
    low = value.lower()
    sign = ""
    if low[:1] in ("+", "-"):
        sign = "-" if low[0] == "-" else ""
        low = low[1:]
        value = value[1:]
    if low == ".inf":
        return Decimal(sign + "Infinity")
    if low == ".nan":
        return Decimal("NaN")
    if ":" in value:
        parts = value.split(":")
        result = Decimal(0)
        for part in parts[:-1]:
            result = result * 60 + int(part)
        result = result * 60 + Decimal(parts[-1])
        return -result if sign else result
    if not value or value[0] not in "0123456789.":
        raise ValueError(text)
    return Decimal(sign + value)


# A float written plainly (no '_', ':', .inf or .nan): _yaml_float gives Decimal(text) for it.
_PLAIN_FLOAT = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]{1,6})?").fullmatch


_BOOLS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}


def _yaml_bool(text: str) -> bool:
    return _BOOLS[text.lower()]


def _yaml_null(text: str) -> None:
    return None


def _yaml_timestamp(text: str) -> str:
    return text


# tag -> constructor from the scalar's text; the text is recorded in Document.texts.
_SCALARS = {
    _INT: _yaml_int,
    _FLOAT: _yaml_float,
    _BOOL: _yaml_bool,
    _NULL: _yaml_null,
    _TIMESTAMP: _yaml_timestamp,
}
_TYPE_NAMES = {_INT: "integer", _FLOAT: "number", _BOOL: "boolean", _NULL: "null", _TIMESTAMP: "timestamp"}


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_Y) :] if tag.startswith(_Y) else tag


def _kind(node: Any) -> str:
    if isinstance(node, MappingNode):
        return "mapping"
    if isinstance(node, SequenceNode):
        return "list"
    return "value"


# --------------------------------------------------------------------------------------------------------------
# construction


class _Builder:
    """Builds plain data from a composed node graph, recording lines and texts in the same walk."""

    __slots__ = ("source", "max_nodes", "max_depth", "lines", "texts", "count", "quote")

    def __init__(self, source: str, max_nodes: int, max_depth: int, quote: bool = True) -> None:
        self.quote = quote
        self.source = source
        self.max_nodes = max_nodes
        self.max_depth = max_depth
        self.lines: dict[tuple, int] = {}
        self.texts: dict[tuple, str] = {}
        self.count = 0

    # errors -------------------------------------------------------------------------------------------------
    def error(self, message: str, node: Any, path: tuple, hint: str, cls: type[GraderError] = GraderError):
        line = node.start_mark.line + 1 if node is not None and node.start_mark is not None else None
        if not self.quote:
            message, path = redact(message), tuple(p if _is_short_name(p) or isinstance(p, int) else "<key>" for p in path)
        return cls(message, file=self.source, line=line, path=format_path(path) or None, hint=hint)

    def too_many(self, node: Any, path: tuple) -> GraderError:
        return self.error(
            f"too many nodes (alias bomb?): more than {self.max_nodes} values", node, path, _NODES_HINT, LimitError
        )

    def too_deep(self, node: Any, path: tuple) -> GraderError:
        return self.error(
            f"nesting deeper than {self.max_depth} levels", node, path, _DEPTH_HINT, LimitError
        )

    def bad_tag(self, node: Any, path: tuple) -> GraderError:
        tag = node.tag
        if tag == _BINARY:
            return self.error("binary data (!!binary) is not allowed", node, path, "write the value as plain text")
        return self.error(f"unsupported tag '{_short_tag(tag)}' on a {_kind(node)}", node, path, _TAG_HINT)

    # scalars --------------------------------------------------------------------------------------------------
    def scalar(self, node: ScalarNode, path: tuple) -> Any:
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag == _FLOAT:
            text = node.value
            if len(text) <= _LONGEST_NUMBER and _PLAIN_FLOAT(text):  # what _yaml_float makes of it, directly
                self.texts[path] = text
                return Decimal(text)
        make = _SCALARS.get(tag)
        if make is None:
            if tag == _VALUE or tag == _MERGE:  # a bare '=' or '<<' used as a value: it is just text
                return node.value
            raise self.bad_tag(node, path)
        text = node.value
        if len(text) > _LONGEST_NUMBER and tag in (_INT, _FLOAT):
            # Longer than any number a reader needs (and than Python converts): kept as text, so an answer is
            # graded 'unparseable' ("too long") and a spec value refused with the usual message.
            return text
        try:
            value = make(text)
        except (ValueError, ArithmeticError, KeyError, IndexError):
            shown = f"'{text}'" if len(text) <= 60 else f"'{text[:57]}...'"
            shown = shown if self.quote else "this value"
            raise self.error(
                f"{shown} is not a valid {_TYPE_NAMES[tag]}", node, path, "write a plain number, or quote text"
            ) from None
        self.texts[path] = text
        return value

    def key(self, node: Any, path: tuple) -> Any:
        """A mapping key as a string; ``_MERGE_KEY`` for ``<<``."""
        self.count += 1
        if self.count > self.max_nodes:
            raise self.too_many(node, path)
        if node.__class__ is not ScalarNode:
            raise self.error(
                f"a {_kind(node)} cannot be a mapping key",
                node,
                path,
                "keys are names; a line starting with '?' or a '[' / '{' before ':' makes a complex key",
            )
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag == _MERGE:
            return _MERGE_KEY
        if tag == _NULL:
            raise self.error(
                "a mapping key is empty or null", node, path, "write a name before the ':'; quote it if the name is 'null' or '~'"
            )
        if tag in _SCALARS or tag == _VALUE:
            self.scalar(node, path)  # validates explicit tags such as '!!int abc'
            self.texts.pop(path, None)
            return node.value
        raise self.bad_tag(node, path)

    # collections ----------------------------------------------------------------------------------------------
    def build(self, node: Any, path: tuple, depth: int) -> Any:
        self.count += 1
        if self.count > self.max_nodes:
            raise self.too_many(node, path)
        cls = node.__class__
        if cls is ScalarNode:
            if node.tag == _STR:
                return node.value
            return self.scalar(node, path)
        depth += 1
        if depth > self.max_depth:
            raise self.too_deep(node, path)
        lines = self.lines
        if cls is MappingNode:
            if node.tag != _MAP:
                raise self.bad_tag(node, path)
            out: dict = {}
            merges = None
            build = self.build
            for knode, vnode in node.value:
                if knode.__class__ is ScalarNode and knode.tag == _STR:
                    self.count += 1
                    key = knode.value
                else:
                    key = self.key(knode, path)
                    if key is _MERGE_KEY:
                        if merges is not None:
                            raise self.error(
                                "duplicate merge key '<<'", knode, path, "merge several mappings with '<<: [*a, *b]'"
                            )
                        merges = (knode, vnode)
                        continue
                sub = path + (key,)
                if key in out:
                    raise self.duplicate(key, lines[sub], knode, sub)
                lines[sub] = knode.start_mark.line + 1
                if vnode.__class__ is ScalarNode:  # what build() does for a scalar, without the call
                    self.count += 1
                    if self.count > self.max_nodes:
                        raise self.too_many(vnode, sub)
                    out[key] = vnode.value if vnode.tag == _STR else self.scalar(vnode, sub)
                else:
                    out[key] = build(vnode, sub, depth)
            if merges is not None:
                out = self.merge(out, merges, path, depth)
            return out
        if cls is SequenceNode:
            if node.tag != _SEQ:
                raise self.bad_tag(node, path)
            items = []
            append = items.append
            build = self.build
            for i, item in enumerate(node.value):
                sub = path + (i,)
                lines[sub] = item.start_mark.line + 1
                if item.__class__ is ScalarNode:  # as in a mapping
                    self.count += 1
                    if self.count > self.max_nodes:
                        raise self.too_many(item, sub)
                    append(item.value if item.tag == _STR else self.scalar(item, sub))
                else:
                    append(build(item, sub, depth))
            return items
        raise self.error("unsupported YAML node", node, path, _SYNTAX_HINT)  # pragma: no cover

    def duplicate(self, key: str, first: int, knode: Any, path: tuple) -> GraderError:
        second = knode.start_mark.line + 1
        return self.error(
            f"duplicate key '{key}' (lines {first} and {second})",
            knode,
            path,
            "each key may appear only once in a mapping: remove or rename one of them",
        )

    # merge keys -----------------------------------------------------------------------------------------------
    def merge(self, out: dict, merge: tuple, path: tuple, depth: int) -> dict:
        knode, vnode = merge
        merged: dict = {}
        lines = self.lines
        for key, kn, vn in self.merge_pairs(vnode, path, depth):
            if key in out or key in merged:
                continue
            sub = path + (key,)
            lines[sub] = kn.start_mark.line + 1
            merged[key] = self.build(vn, sub, depth)
        if not merged:
            return out
        merged.update(out)
        return merged

    def merge_pairs(self, vnode: Any, path: tuple, depth: int) -> list:
        """(key, key node, value node) of what ``<<: vnode`` merges in, first occurrence of a key winning."""
        if vnode.__class__ is SequenceNode:
            self.count += 1
            sources = vnode.value
        else:
            sources = [vnode]
        pairs: list = []
        seen: set = set()
        for src in sources:
            for item in self.mapping_pairs(src, path, depth + 1):
                if item[0] not in seen:
                    seen.add(item[0])
                    pairs.append(item)
        return pairs

    def mapping_pairs(self, node: Any, path: tuple, depth: int) -> list:
        """The pairs of a merged mapping without constructing the values: its own keys, then its own merges."""
        self.count += 1
        if self.count > self.max_nodes:
            raise self.too_many(node, path)
        if depth > self.max_depth:
            raise self.too_deep(node, path)
        if node.__class__ is not MappingNode or node.tag != _MAP:
            raise self.error(
                f"'<<' (merge) takes a mapping or a list of mappings, not a {_kind(node)}",
                node,
                path,
                "write '<<: *anchor' where '&anchor' names a mapping",
            )
        own: list = []
        first_line: dict = {}
        sub_merge = None
        for kn, vn in node.value:
            key = self.key(kn, path)
            if key is _MERGE_KEY:
                if sub_merge is not None:
                    raise self.error(
                        "duplicate merge key '<<'", kn, path, "merge several mappings with '<<: [*a, *b]'"
                    )
                sub_merge = vn
                continue
            if key in first_line:
                raise self.duplicate(key, first_line[key], kn, path + (key,))
            first_line[key] = kn.start_mark.line + 1
            own.append((key, kn, vn))
        if sub_merge is not None:
            for item in self.merge_pairs(sub_merge, path, depth):
                if item[0] not in first_line:
                    first_line[item[0]] = 0
                    own.append(item)
        return own


class _MergeKey:
    __slots__ = ()

    def __repr__(self) -> str:  # pragma: no cover
        return "<<"


_MERGE_KEY = _MergeKey()


# --------------------------------------------------------------------------------------------------------------
# text -> nodes


def _size_error(size: int | None, max_bytes: int, source: str) -> LimitError:
    what = f"{size:,} bytes" if size is not None else f"more than {max_bytes:,} bytes"
    return LimitError(
        f"file is too large: {what} (the limit is {max_bytes:,} bytes)",
        file=source,
        hint="remove what does not belong in it; answers and problem specs are a few kilobytes",
    )


def _decode(data: bytes, source: str) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:4] == b"\x00\x00\xfe\xff":
        utf = "UTF-32" if data[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff") else "UTF-16"
        raise GraderError(
            f"the file is {utf} encoded, not UTF-8", file=source, line=1, hint="save the file as UTF-8 text"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        start = e.start + (3 if data[:3] == b"\xef\xbb\xbf" else 0)
        line = data.count(b"\n", 0, start) + 1
        column = start - (data.rfind(b"\n", 0, start) + 1) + 1
        raise GraderError(
            f"the file is not valid UTF-8: byte 0x{data[start]:02x} at byte offset {start} (column {column})",
            file=source,
            line=line,
            hint="save the file as UTF-8 text",
        ) from None


def _line_of_offset(text: str, index: int) -> int:
    return text.count("\n", 0, max(index, 0)) + 1


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.splitlines()
    if 0 <= line < len(lines) and 0 <= column < len(lines[line]):
        return lines[line][column]
    return ""


def _syntax_hint(problem: str, context: str, char: str) -> str:
    if "cannot start any token" in problem and (char == "\t" or "'\\t'" in problem):
        return "indent with spaces; YAML does not allow tabs"
    if "cannot start any token" in problem:
        return "indent with spaces (tabs are not allowed) and quote values starting with '@', '`', '%' or '!'"
    if "undefined alias" in problem:
        return "define the anchor ('&name') before using '*name', or quote a value starting with '*'"
    if "another document" in problem:
        return "a file holds one document: remove the extra '---'"
    if "end of stream" in problem and "quoted" in context:
        return "close the quoted string"
    if "flow" in context:
        return "close every '[' and '{' and separate the items with ','"
    return _SYNTAX_HINT


_MINUS_SPACE = re.compile(r"-[ \t]+[0-9.]")


def minus_space_hint(value: str) -> str:
    return (f"a '-' followed by a space ('- {value}') starts a YAML list, not a negative number: write -{value} "
            "without the space")


def _minus_space_hint(problem: str, text: str, line: int, column: int) -> str | None:
    """`z1: - 0.45`: a minus with a space after it is a YAML list entry where a value was expected."""
    if "sequence entries are not allowed" not in problem:
        return None
    start = 0
    for _ in range(line):  # the start of the error's line, without splitting the whole text
        start = text.find("\n", start) + 1
        if start == 0:
            return None
    rest = text[start + column:start + column + 40]
    if not _MINUS_SPACE.match(rest):
        return None
    return minus_space_hint(rest[1:].strip().split()[0] if rest[1:].strip() else "0.45")


def _yaml_error(e: Exception, text: str, source: str, quote: bool = True) -> GraderError:
    if isinstance(e, yaml.MarkedYAMLError) and e.problem_mark is not None:
        mark = e.problem_mark
        problem = e.problem or "invalid YAML"
        problem = problem if quote else redact(problem)
        if "nesting depth" in problem:  # newer libyaml stops at its own depth limit instead of overflowing
            return LimitError(
                f"nesting deeper than the YAML parser supports ({problem})",
                file=source,
                line=mark.line + 1,
                hint=_DEPTH_HINT,
            )
        context = e.context or ""
        last = text.count("\n") + (0 if text.endswith("\n") else 1)  # the end-of-stream mark can be past it
        return GraderError(
            f"YAML syntax error: {problem} (column {mark.column + 1})",
            file=source,
            line=max(1, min(mark.line + 1, last)),
            hint=_minus_space_hint(problem, text, mark.line, mark.column)
            or _syntax_hint(problem, context, _char_at(text, mark.line, mark.column)),
        )
    if isinstance(e, yaml.reader.ReaderError):
        ch = chr(e.character) if isinstance(e.character, int) else str(e.character)
        index = text.find(ch)
        code = e.character if isinstance(e.character, int) else ord(ch[:1] or "\0")
        return GraderError(
            f"invalid character U+{code:04X} in the text: {e.reason}",
            file=source,
            line=_line_of_offset(text, index) if index >= 0 else None,
            hint="remove control characters; the file must be plain UTF-8 text",
        )
    return GraderError(f"YAML syntax error: {e}" if quote else "YAML syntax error", file=source, hint=_SYNTAX_HINT)


def _depth_bound(text: str) -> int:
    """An upper bound on the nesting depth of ``text``: every level needs a new line, a '-', '?', ':', '[' or '{'."""
    if len(text) <= _SAFE_COMPOSE_DEPTH:
        return len(text)
    return (
        text.count("\n")
        + text.count("\r")
        + text.count("\x85")
        + text.count("\u2028")
        + text.count("\u2029")
        + text.count("-")
        + text.count("?")
        + text.count(":")
        + text.count("[")
        + text.count("{")
        + 1
    )


def _check_depth_events(text: str, max_depth: int, source: str) -> None:
    """Refuse, without composing, text nested deeper than ``max_depth`` (or than the composer can take)."""
    limit = min(max_depth, _SAFE_COMPOSE_DEPTH)
    depth = 0
    start = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
    end = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, start):
            depth += 1
            if depth > limit:
                what = f"{max_depth} levels" if limit == max_depth else f"{limit} levels, which is not supported"
                raise LimitError(
                    f"nesting deeper than {what}",
                    file=source,
                    line=event.start_mark.line + 1,
                    hint=_DEPTH_HINT,
                )
        elif isinstance(event, end):
            depth -= 1


def _build_document(text: str, source: str, max_nodes: int, max_depth: int, quote: bool = True) -> Document:
    doc = plain_document(text, source, max_nodes, max_depth)
    if doc is not None:
        return doc
    return _composed_document(text, source, max_nodes, max_depth, quote)


def plain_document(text: str, source: str, max_nodes: int, max_depth: int) -> Document | None:
    """The document of ``text`` read by ``grader.yamlplain`` (the plainest files, directly: what the full reader
    builds of them), or None when that reader does not take it (then only the full reader says what is wrong)."""
    read = read_plain(text, max_depth, _plain_scalar, _text_key)
    if read is None or read[3] > max_nodes:
        return None
    return Document(read[0], source, read[1], read[2])


class _Node:
    """What ``_Builder.scalar`` reads of a scalar node (no marks: its errors send the text to the full reader)."""

    __slots__ = ("tag", "value", "start_mark")

    def __init__(self, tag: str, value: str) -> None:
        self.tag, self.value, self.start_mark = tag, value, None


def _plain_tag(value: str, _table=_IMPLICIT, _wildcard=_WILDCARD) -> str:
    """The tag of a plain scalar: ``_Loader.resolve`` for a plain one (tests/test_yamlplain.py holds it to it)."""
    for tag, regexp in _table.get(value[0] if value else "", _wildcard):
        if regexp.match(value):
            return tag
    return _STR


@functools.lru_cache(maxsize=512)
def _plain_scalar(text: str) -> tuple:
    """``(value, written)`` of a scalar ``grader.yamlplain`` read: the value the builder makes of it and whether its
    text goes in ``texts`` (a non-string). Remembered (immutable values): a class's files repeat the same numbers."""
    first = text[:1]
    if first == '"' or first == "'":
        return text[1:-1], False
    tag = _plain_tag(text)
    if tag == _STR:
        return text, False
    if tag == _FLOAT and len(text) <= _LONGEST_NUMBER and _PLAIN_FLOAT(text):  # the commonest: _Builder.scalar's
        return Decimal(text), True  # own shortcut for a float, without a builder and a node for it
    builder = _Builder("", 1, 1)
    try:
        value = builder.scalar(_Node(tag, text), ())
    except GraderError:
        raise NotPlain from None
    return value, () in builder.texts


_RISKY_KEY = frozenset(first for first in _IMPLICIT if first)  # a plain key starting otherwise is text


def _text_key(key: str) -> bool:
    """Whether the plain key ``key`` is read as text (not `yes:`, `null:`, `1:`)."""
    return key[0] not in _RISKY_KEY or _plain_tag(key) == _STR


def _composed_document(text: str, source: str, max_nodes: int, max_depth: int, quote: bool = True) -> Document:
    """``text`` read the full way: composed by libyaml (or PyYAML), then built from the nodes."""
    try:
        if _depth_bound(text) > _SAFE_COMPOSE_DEPTH:
            _check_depth_events(text, max_depth, source)
        root = yaml.compose(text, Loader=_Loader)
        if root is None:
            return Document(None, source, {}, {})
        builder = _Builder(source, max_nodes, max_depth, quote)
        builder.lines[()] = root.start_mark.line + 1
        data = builder.build(root, (), 0)
        return Document(data, source, builder.lines, builder.texts)
    except GraderError:
        raise
    except yaml.YAMLError as e:
        raise _yaml_error(e, text, source, quote) from None
    except UnicodeError as e:
        index = getattr(e, "start", -1)
        raise GraderError(
            "the text holds a character that is not valid Unicode (an unpaired surrogate)",
            file=source,
            line=_line_of_offset(text, index) if index >= 0 else None,
            hint="save the file as UTF-8 text",
        ) from None
    except RecursionError:
        raise LimitError(
            f"nesting too deep (more than {max_depth} levels could not be read)", file=source, hint=_DEPTH_HINT
        ) from None
    except MemoryError:
        raise LimitError("the document is too large to read", file=source, hint=_NODES_HINT) from None


# --------------------------------------------------------------------------------------------------------------
# public API


def load_yaml_text(
    text: str | bytes,
    *,
    source: str = "<string>",
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_nodes: int = DEFAULT_MAX_NODES,
    max_depth: int = DEFAULT_MAX_DEPTH,
    quote: bool = True,
) -> Document:
    """Read one YAML document from text (``bytes`` must be UTF-8). An empty document gives ``data`` None.

    ``quote=False`` for a file that may be no YAML of ours at all (a problem spec named by someone else): the
    messages then name keys only when they are short identifiers and never quote a value or any other text."""
    if isinstance(text, (bytes, bytearray, memoryview)):
        data = bytes(text)
        if len(data) > max_bytes:
            raise _size_error(len(data), max_bytes, source)
        text = _decode(data, source)
    elif isinstance(text, str):
        if len(text) * 4 > max_bytes:  # UTF-8 takes at most 4 bytes a character: only measure when it matters
            size = len(text.encode("utf-8", "surrogatepass"))
            if size > max_bytes:
                raise _size_error(size, max_bytes, source)
    else:
        raise GraderError(
            f"expected YAML text, got {type(text).__name__}", file=source, hint="pass the file's text or bytes"
        )
    return _build_document(text, source, max_nodes, max_depth, quote)


def load_yaml_file(
    path: str | os.PathLike,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_nodes: int = DEFAULT_MAX_NODES,
    max_depth: int = DEFAULT_MAX_DEPTH,
    quote: bool = True,
    follow_symlinks: bool = True,
) -> Document:
    """Read one YAML document from a file; ``Document.source`` is the path as given. ``quote`` as for
    :func:`load_yaml_text`; ``follow_symlinks`` False for a student's file (a link is refused unread)."""
    from grader.fileio import read_capped

    data = read_capped(path, max_bytes, "file", follow_symlinks=follow_symlinks,
                       hint="remove what does not belong in it; answers and problem specs are a few kilobytes")
    source = os.fsdecode(path)
    return load_yaml_text(data, source=source, max_bytes=max_bytes, max_nodes=max_nodes, max_depth=max_depth,
                          quote=quote)
