"""Who handed a submission in: a student's identity as the submission (or the LMS around it) states it.

A written solution names its student in a heading (``# 400222100 — Reza Mosavi``, :func:`heading_student`) or, in a
LaTeX document, in ``\\author{...}`` (:func:`tex_author`): the first author, as plain text (accents such as
``M\\"uller`` or ``\\'{E}mile`` become ü and É; ``\\textbf{}`` and the like keep their text; ``\\thanks{}``,
``\\footnote{}``, ``\\email{}``, ``\\url{}`` are left out of the name), the name being the first line of that author
(up to ``\\\\``) without its id. The id is a number of 3 or more digits on that first line (``\\author{Ben Brown,
2002}``, ``\\author{2002 -- Ben Brown}``), or one labelled as an id on another line or in a ``\\thanks``
(``\\\\ Student ID: 2002``, ``\\thanks{ID 2002}``), or a line that is only that number; other numbers (a year, a
room) are not. Untrusted text: only ``MAX_AUTHOR_SEARCH`` characters are looked at, an argument longer than
``MAX_AUTHOR_CHARS`` is not read, and the name is cut to ``MAX_NAME_CHARS`` with no control or format characters.
"""

from __future__ import annotations

import re

from grader.parse.braces import group_end
from grader.record import Record

__all__ = ["Student", "writeup_student", "heading_student", "labelled_student", "titled_student", "tex_author", "MAX_AUTHOR_SEARCH",
           "MAX_AUTHOR_CHARS", "MAX_NAME_CHARS"]

MAX_AUTHOR_SEARCH = 65_536  # characters from the start of a .tex file where \author is looked for
MAX_AUTHOR_CHARS = 1_000  # an \author argument longer than this (or never closed) is not read
MAX_NAME_CHARS = 80  # a student's name, as a heading's


class Student(Record):
    id: str | None = None
    name: str | None = None
    claimed_in: str = ""  # where the text says it ("in its \\author"), for messages
    _options = {"claimed_in": {"compare": False}}

    def __init__(self, id: str | None = None, name: str | None = None, claimed_in: str = "") -> None:
        self.__dict__.update(id=id, name=name, claimed_in=claimed_in)

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name}


# ---------------------------------------------------------------------------------------------------- headings

_HEADING = re.compile(r"^#{1,6}\s*(\d{3,})\s*[—–-]+\s*(\S.{0,80}?)\s*$", re.M)


def heading_student(text: str) -> Student:
    """``# 400222100 — Reza Mosavi`` near the top (any level, an id of 3 or more digits); else no one."""
    m = _HEADING.search(text[:HEAD_CHARS])
    return Student(id=m.group(1), name=m.group(2), claimed_in="in its heading") if m else Student()


HEAD_CHARS = 2000  # where a heading or a "Name:" line is looked for: the top of the text

# ``Name: Lena Park, ID 20231234``, ``**Student name:** Lena Park``, ``Author: ...`` at the start of a line (after
# Markdown's list, quote and emphasis marks), and ``Student ID: 20231234`` on a line of its own
_MARKS = r"[ \t>*_-]*(?:\*\*|__|\*|_)?"
_NAME_LINE = re.compile(rf"^{_MARKS}(?:student(?:'s)?\s+|full\s+)?(?:name|author)(?:\*\*|__|\*|_)?[ \t]*[:：]"
                        rf"(?:\*\*|__|\*|_)?[ \t]*(?P<rest>[^\n]{{1,200}})$", re.I | re.M)
_ID_LINE = re.compile(rf"^{_MARKS}(?:student[ \t]*)?(?:id|number|no\.?|nr\.?|matr\w*(?:[ \t]*no\.?)?)"
                      rf"(?:\*\*|__|\*|_)?[ \t]*[:：#.]?(?:\*\*|__|\*|_)?[ \t]*(?P<id>\d{{3,}})(?![\w.])", re.I | re.M)
_A_NAME = re.compile(r"[^\W\d_]+(?:(?:[ .'’-]|\. )[^\W\d_]+){0,7}\.?")  # letters, in up to 8 words


def labelled_student(text: str) -> Student:
    """The student a ``Name:`` line near the top names (its first one), with the id on it (``, ID 20231234``, or a
    bare number of 3 or more digits after the name) or on a ``Student ID:`` line; no one when there is no such
    line, or its name is not a name (letters in a few words: ``Name: Homework 3`` names no one)."""
    head = text[:HEAD_CHARS]
    m = _NAME_LINE.search(head)
    name = sid = None
    if m and "$" not in m.group("rest"):
        rest = m.group("rest").replace("**", "").replace("__", "").replace("`", "").strip()
        cut = re.search(r"[,;|(]|\s(?=(?:student\s*)?id\b)", rest, re.I)
        first, after = (rest[:cut.start()], rest[cut.start():]) if cut else (rest, "")
        first = first.strip().strip("*_").strip()
        trailing = re.fullmatch(r"(.*?)\s+(\d{3,})", first)  # ``Author: Lena Park 20231234``
        if trailing:
            first, after = trailing.group(1), f" {trailing.group(2)}{after}"
        if _A_NAME.fullmatch(first) and len(first) <= MAX_NAME_CHARS and sum(c.isalpha() for c in first) >= 2:
            name = first
            found = _LABELLED_ID.search(after) or _NAME_LINE_ID.search(after)
            sid = found.group(1) if found else None
    if sid is None:
        found = _ID_LINE.search(head)
        sid = found.group("id") if found else None
    if name is None and sid is None:
        return Student()
    return Student(id=sid, name=name, claimed_in="in its Name/ID lines")


# ``# HW 4 — Jo Kim, 400555666``, ``Exercise 6 — Ana Ruiz (400222333)``: a title line (a heading, or one of the first
# three lines of the text) that ends with a name and an id of 5 or more digits after a comma, a dash or in brackets
_TITLE_LINE = (r"^(?:#{1,6}[ \t]*)?(?:[^\n]{0,80}?[ \t][—–|:-][ \t]+)?(?P<name>[^\W\d_][^\n,(—–|]{0,80}?)"
               r"[ \t]*(?:,|[—–|-]|\()[ \t]*(?:(?:student[ \t]*)?id[ \t]*[:#.]?[ \t]*)?(?P<id>\d{5,})\)?[ \t]*$")
# (patterns compiled on first use, by ``re``'s cache: not on the import of the YAML path, which has no title)


def titled_student(text: str) -> Student:
    """The student a title line names, ``# HW 4 — Jo Kim, 400555666`` (a heading near the top, or one of the text's
    first three lines, ``# Exercise 6`` then ``Ana Ruiz, 400222333``): a name of two to eight capitalised words
    (letters only, particles such as "de" aside: ``Homework 3, 20231`` and ``Given the inputs, 80000`` name no one)
    and an id of 5 or more digits after it (a year, four, is none); else no one."""
    head = text[:HEAD_CHARS]
    top = [line for line in head.lstrip("\ufeff").split("\n") if line.strip()][:3]  # the first three lines
    lines = top + [line for line in head.split("\n") if line.startswith("#") and line not in top]
    for line in lines:
        m = re.match(_TITLE_LINE, line.strip(), re.I)
        if m is None:
            continue
        name = m.group("name").replace("**", "").strip().strip("*_").strip()
        if (_A_NAME.fullmatch(name) and len(name.split()) >= 2 and len(name) <= MAX_NAME_CHARS
                and not re.search(_NOT_A_NAME, name)
                and all(w[0].isupper() or w.lower() in _PARTICLES for w in name.split())):
            return Student(id=m.group("id"), name=name, claimed_in="in its title line")
    return Student()


# a name's words are capitalised, but for these (Maria de la Cruz, Ludwig van Beethoven): "Given the inputs" is none
_PARTICLES = frozenset({"de", "la", "le", "del", "della", "di", "da", "du", "van", "von", "der", "den", "ter", "ten",
                        "bin", "bint", "al", "el", "y", "e", "dos", "das", "do"})
_NOT_A_NAME = (r"(?i)\b(?:homework|hw|exercise|assignment|problem|lab|solution|answers?|part|task|week|"
               r"backprop\w*|network)\b")


# ---------------------------------------------------------------------------------------------------- \author

_COMMENT = re.compile(r"(?<!\\)%[^\n]*")
_AUTHOR = re.compile(r"\\author\s*(?:\[[^\]\n]{0,200}\])?\s*\{")
_AND = re.compile(r"\\(?:and|And|AND)(?![A-Za-z])")
_DROPPED = ("thanks", "footnote", "footnotetext", "email", "url", "inst", "orcid", "orcidID", "orcidlink", "affil",
            "affiliation", "label", "IEEEauthorrefmark", "href")
_SYMBOL_ACCENTS = {'"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303", "=": "\u0304",
                   ".": "\u0307"}
_LETTER_ACCENTS = {"u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328", "r": "\u030a",
                   "b": "\u0331", "d": "\u0323"}
_LETTERS = {"ss": "ß", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å", "AA": "Å",
            "l": "ł", "L": "Ł", "i": "i", "j": "j", "dh": "ð", "DH": "Ð", "th": "þ", "TH": "Þ"}
_ESCAPED = {"&": "&", "_": "_", "#": "#", "$": "$", "%": "%", "{": "{", "}": "}", ",": " ", ";": " ", ":": " ",
            " ": " ", "!": "", "-": "", "/": ""}
_LABELLED_ID = re.compile(r"(?i)(?<![\w])(?:student\s*)?(?:id|no\.?|nr\.?|number|matr\w*(?:\s*no\.?)?|#)\s*[:.#]?\s*"
                          r"(\d{3,})(?!\d)")
_NAME_LINE_ID = re.compile(r"(?<![\w.])(\d{3,})(?![\w.])")


def tex_author(text: str) -> Student:
    """The student a LaTeX document's last ``\\author{...}`` names (the one LaTeX uses), comments left out; no one
    when there is none, or it is empty, or it cannot be read."""
    head = _COMMENT.sub("", text[:MAX_AUTHOR_SEARCH])
    matches = list(_AUTHOR.finditer(head))
    if not matches:
        return Student()
    argument = _group(head, matches[-1].end())
    if argument is None:
        return Student()
    first = _AND.split(argument, maxsplit=1)[0]
    lines, extra = _lines(first)
    lines = [line for line in lines if line]
    if not lines:
        return Student()
    name_line, rest = lines[0], lines[1:] + extra
    sid = None
    m = _LABELLED_ID.search(name_line) or _NAME_LINE_ID.search(name_line)
    if m:
        sid = m.group(1)
        name_line = (name_line[:m.start()] + " " + name_line[m.end():])
    else:
        for line in rest:
            m = _LABELLED_ID.search(line) or re.fullmatch(r"\(?(\d{3,})\)?", line)
            if m:
                sid = m.group(1)
                break
    name = _clean_name(name_line)
    if not name and sid is None:
        return Student()
    return Student(id=sid, name=name or None, claimed_in="in its \\author")


def writeup_student(text: str, kind: str) -> Student:
    """Who a write-up says wrote it: a heading ``# 400222100 — Name``, else ``Name: ...`` / ``Student ID: ...``
    lines near the top; in a .tex file ``\\author{...}``, unless it has no id and a heading has."""
    heading = heading_student(text)
    if not (heading.id or heading.name):
        heading = labelled_student(text)
    if not (heading.id or heading.name):
        heading = titled_student(text)  # # HW 4 — Jo Kim, 400555666
    if kind == "tex":
        author = tex_author(text)
        if author.id or (author.name and not heading.id):
            return author
    return heading


def _group(text: str, start: int) -> str | None:
    """The text of a brace group whose ``{`` is just before ``start``, at most ``MAX_AUTHOR_CHARS`` long."""
    close = group_end(text, start, min(len(text), start + MAX_AUTHOR_CHARS + 1))
    return text[start:close] if close is not None else None


def _lines(arg: str) -> tuple[list[str], list[str]]:
    """(the author's lines as plain text, split at ``\\\\``, the plain text of each dropped command's argument)."""
    out: list[str] = [""]
    extra: list[str] = []
    i, n = 0, len(arg)
    while i < n:
        ch = arg[i]
        if ch == "\\":
            i = _command(arg, i, out, extra)
        elif ch in "{}$":
            i += 1
        elif ch == "~":
            out[-1] += " "
            i += 1
        elif ch == "-" and arg.startswith("--", i):
            dashes = 3 if arg.startswith("---", i) else 2
            out[-1] += "—" if dashes == 3 else "–"
            i += dashes
        else:
            out[-1] += ch
            i += 1
    return [" ".join(line.split()) for line in out], extra


def _command(arg: str, i: int, out: list[str], extra: list[str]) -> int:
    """Read the command at ``arg[i]`` (a backslash) into ``out``; return where reading goes on."""
    import unicodedata  # on first use: a repeat grading of a YAML file never needs it

    n = len(arg)
    if i + 1 >= n:
        return n
    nxt = arg[i + 1]
    if nxt == "\\":  # \\ (and \\[2pt]): a new line
        out.append("")
        i += 2
        if i < n and arg[i] == "[":
            close = arg.find("]", i)
            i = close + 1 if close >= 0 else n
        return i
    if nxt in _SYMBOL_ACCENTS:
        letter, i = _accented(arg, i + 2)
        out[-1] += unicodedata.normalize("NFC", letter + _SYMBOL_ACCENTS[nxt]) if letter else ""
        return i
    if nxt in _ESCAPED:
        out[-1] += _ESCAPED[nxt]
        return i + 2
    if not nxt.isalpha():
        return i + 2
    j = i + 1
    while j < n and arg[j].isalpha():
        j += 1
    name = arg[i + 1:j]
    if name in _LETTER_ACCENTS:
        letter, j = _accented(arg, j)
        out[-1] += unicodedata.normalize("NFC", letter + _LETTER_ACCENTS[name]) if letter else ""
        return j
    if name in _LETTERS:
        while j < n and arg[j] == " ":
            j += 1
        if j + 1 < n and arg[j] == "{" and arg[j + 1] == "}":
            j += 2
        out[-1] += _LETTERS[name]
        return j
    if name in _DROPPED:
        while j < n and arg[j] in " *":
            j += 1
        while j < n and arg[j] == "[":
            close = arg.find("]", j)
            j = close + 1 if close >= 0 else n
        if j < n and arg[j] == "{":
            inner = _group(arg, j + 1)
            if inner is None:
                return n
            lines, more = _lines(inner)
            extra.extend([line for line in lines if line] + more)
            return j + 1 + len(inner) + 1
        return j
    return j  # \textbf, \emph, \mbox, any other command: its braces' text is kept, the command is not


def _accented(arg: str, i: int) -> tuple[str, int]:
    """The letter an accent command puts its mark on: ``o``, ``{o}``, `` o``, ``{\\i}``."""
    n = len(arg)
    while i < n and arg[i] == " ":
        i += 1
    braced = i < n and arg[i] == "{"
    if braced:
        i += 1
    letter = ""
    if i < n and arg[i] == "\\":
        j = i + 1
        while j < n and arg[j].isalpha():
            j += 1
        letter, i = _LETTERS.get(arg[i + 1:j], ""), j
    elif i < n and arg[i].isalpha():
        letter, i = arg[i], i + 1
    if braced:
        while i < n and arg[i] == " ":
            i += 1
        if i < n and arg[i] == "}":
            i += 1
    return letter, i


# A terminal escape sequence (ECMA-48): CSI (ESC [ or the C1 byte U+009B) with its parameters and final byte; OSC,
# DCS, SOS, PM, APC strings up to BEL or ST (or the end); any other two-character ESC sequence.
_TERMINAL_ESCAPE = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
                              r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
                              r"|\x1b[ -~]?")


def _clean_name(text: str) -> str:
    """Plain, printable, at most ``MAX_NAME_CHARS`` characters, without the punctuation left around an id."""
    import unicodedata

    text = _TERMINAL_ESCAPE.sub(" ", text)  # a whole escape sequence goes, not only its ESC ("[31m" would stay)
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in unicodedata.normalize("NFC", text))
    text = re.sub(r"\(\s*\)|\[\s*\]", " ", text)
    text = " ".join(text.split()).strip(" ,;:-–—()[]|/")
    return text[:MAX_NAME_CHARS].rstrip()
