"""Equations typed as plain text in a write-up (a ``.txt``, Markdown without math, a notebook's printed output):
a line that starts with a name and ``=`` (``net h1 = 0.3775``), a continuation (``= 0.3775``), and the equations
inside a sentence of prose ("so we get z1 = -7.65, and then ...")."""

from __future__ import annotations

import re
from typing import Callable

from grader.parse.remarks import ROUNDING_REMARK, TRAILING_REMARK, restates
from grader.submission.mathrow import MAX_ROWS, MathRow, check_rows, code_lines, row, without_trailing
from grader.submission.assignments import NUMBER_TEXT, arrow_update
from grader.submission.vectors import bare_list_rows
from grader.submission.phrases import AFTER_UPDATE, phrase_rows

__all__ = ["plain_rows", "colon_rows", "spaced_rows", "embedded"]

_MATH_MARK = re.compile(r"\$|\\[\[\]()]|\\(?:begin|end)\{")  # a line with a math delimiter is no plain line

# a line that starts with a name (``z1``, ``w_5'``, ``δo1``, ``w₅′``, ``w5+``: any letter first, then letters, digits,
# scripts, primes and a plus; up to three words, ``net h1``, ``E total``, ``new w5``; a word in brackets after it,
# ``w6(new)``) and ``=`` (or ``←``, an update: ``w5 ← 0.3589``), or with ``=`` or ``⇒`` (a continuation); the name
# may be in bold or code marks, as Markdown typed as plain text has it (``**z1** =``)
# (possessive: a name's letters, the spaces and words after it are never given back, for no shorter run could be
# followed by the = that the longest is not: one try per line, where backtracking made prose cost 30 ms a megabyte)
_PLAIN_WORD = r"(?:[^\W\d_]|\\)[\w\\{}^'+′″’⁺]{0,40}+"
# what may come before the name: a list mark or a quote's, a number or letter of the item (``1.``, ``(1)``, ``a)``,
# ``iv.``), or a step's label (``Step 3:``, ``Q4)``, ``Part b:``)
_ITEM = (r"(?:[-*•>]|\(?(?:\d{1,3}|[A-Za-z]|[ivx]{1,4})[.):]|\((?:\d{1,3}|[A-Za-z])\)"
         r"|(?i:step|part|q|question|problem|task|ex)\.?[ \t]*\w{1,3}[.):])")
_PLAIN_EQUATION = re.compile(r"[ \t]*+(?:" + _ITEM + r"[ \t]*+)?(\*\*|`)?((?:" + _PLAIN_WORD
                             + r"(?:[ \t]++[\w{}^'+′″’⁺]{1,20}+){0,2}+(?:[ \t]?\([\w+\- ]{1,12}\))?+[ \t]*+"
                             r"(?:\*\*|`)?[ \t]*+(?:=|≈|:=|←)|(?:=>|=|≈|⇒))[^\n]*)")
_RELATION_SIGN = re.compile("[=≈⇒←≃≅~≔→>]")  # (> for ->)
# an equation's number at the end of a line, set apart by two blanks or more (one alone, ``0.5 (2)``, is a product), or
# labelled (``(eq. 2)``, ``[Step 3]``)
_EQUATION_NUMBER = re.compile(r"(?:[ \t]{2,}|\t)[(\[][0-9]{1,3}[)\]][ \t]*$"
                              r"|[ \t]*[(\[](?i:eqn?s?|equation|step)\.?[ \t]*[0-9]{1,3}[)\]][ \t]*$")
# a comment as a program writes one, after a blank: ``# ...``, ``// ...`` (``#1``, ``a//b`` are no comments)
_CODE_COMMENT = re.compile(r"[ \t]+(?:#|//)(?:[ \t][^\n]*)?$")
# a line that says its equations give new values: "New weights: w5 = ...", "Updated parameters - w5 = ...", "After the
# update: w5 = ..."
_NEW_VALUES = re.compile(r"(?i)[ \t]*(?:[-*•>][ \t]*)?(?:\*\*)?(?:(?:new|updated)[ \t]+(?:weights?|biases|bias|parameters?|values?)"
                         r"|after[ \t]+(?:the[ \t]+)?(?:update|step|first[ \t]+step))(?:\*\*)?[ \t]*[:-]")


def _updated(equation: str, is_name: Callable[[str], str | None]) -> str:
    """An equation on a line of new values with a parameter's own name on its left (``w5 = 40.0000081``) as its
    update's (``w5^{+} = ...``); any other as it is. Before, it restated the given (within 1 %, silently) and the
    update was missing."""
    name, sep, rest = equation.partition("=")
    name = name.strip()
    if sep and name and is_name(name) is not None and is_name(name + "^{+}") not in (None, is_name(name)):
        return f"{name}^{{+}} ={rest}"
    return equation


_BAR = re.compile(r"[ \t]+[|&][ \t]+")  # a bar or an ampersand between blanks, outside a table: a separator
_LIST_MARK = re.compile(r"[ \t]*+(?:" + _ITEM + r"[ \t]++)?")  # a list's mark or an item's number before a line
# approximately equal as typed: h1 ~= 0.0005, h2 ≃ 1.2e-6, and a tilde alone between blanks before a number
_APPROX = re.compile(r"[ \t]*(?:~=|=~|≃|≅)[ \t]*|[ \t]+~[ \t]+(?=[-−+]?\.?[0-9])")
# a description in brackets between the name and its = (``h1 (output of hidden unit 1) = 0.5933``): words, two or
# more, none of an update's (``w5 (after the update) = ...`` is the update, and is read as such)
_DESCRIPTION = re.compile(r"([ \t]*+" + _PLAIN_WORD + r")[ \t]*\(((?=[^()\n]*[A-Za-z]{3})[A-Za-z][A-Za-z0-9 ,.'-]{2,40})\)"
                          r"(?=[ \t]*(?:=|≈))")
_UPDATE_WORDS = re.compile(r"(?i)\b(?:new|updated?|after|next|step|t[ \t]*\+[ \t]*1|old|before|initial)\b")


def _without_description(line: str) -> str:
    """``line`` without a description of the quantity between its name and its ``=`` (two words or more); one that
    says the value is after the update (``w5 (after the update) = ...``, ``(new value)``) as the update's mark
    (``w5^{+} = ...``); one of other words of an update (``(old value)``) left as it is."""
    m = _DESCRIPTION.match(line)
    if m is None or " " not in m[2].strip():  # (one word, ``w6 (new)``, is the names' reader's to read)
        return line
    if _AFTER_UPDATE.fullmatch(m[2]):
        return m[1] + "^{+}" + line[m.end():]
    if _UPDATE_WORDS.search(m[2]):
        return line
    return m[1] + line[m.end():]


_AFTER_UPDATE = re.compile(r"(?i)[ \t]*(?:(?:the[ \t]+)?new(?:[ \t]+value)?|updated(?:[ \t]+value)?|" + AFTER_UPDATE
                           + r")[ \t]*")
_LHS_END = re.compile(r":?=|≈|⇒|←|\*\*|`")
_AFTER_WORDS = re.compile(r"(?i)^([ \t]*+" + _PLAIN_WORD + r")[ \t]+" + AFTER_UPDATE + r"(?=[ \t]*(?:=|≈))")


def plain_rows(text: str, fences: bool = False, math: set[int] | None = None,
               names: Callable[[str], bool] | None = None, is_name: Callable[[str], str | None] | None = None
               ) -> list[MathRow]:
    """The equations of a write-up typed as plain text: each line that starts with a name and ``=`` (``z1 =
    -15*0.8 + 20*0.2 + 0.35 = -11.65``), or with ``=`` (a continuation), is a row. ``fences``: Markdown, whose code
    fences marked as a programming language (```` ```python ````) are code and skipped. ``math``: the lines that
    hold math the scanner found (none of them is plain, nor is a line with a math delimiter). Only the lines with
    a relation sign are tried, each once. ``is_name(name)``: the quantity a name as written names, or None; with it, a
    line of that name, a colon and numbers (``h1: 0.593``) is read too (:func:`colon_rows`)."""
    rows: list[MathRow] = []
    code = code_lines(text) if fences and ("```" in text or "~~~" in text) else ()
    lines = text.split("\n") if is_name is not None else []  # (split once: the labels' and the phrases' passes)
    labels = _labels(lines, code, math, is_name) if is_name is not None else {}  # line -> the name above it
    number, pos, search = 1, 0, _RELATION_SIGN.search
    sign = search(text)
    while sign is not None:  # only the lines with an = (or ≈, ⇒) are tried, each once
        start = text.rfind("\n", 0, sign.start()) + 1
        end = text.find("\n", sign.end())
        sign = search(text, end) if end >= 0 else None
        number += text.count("\n", pos, start)
        pos = start
        if number in code or (math is not None and number in math):
            continue
        line = text[start:end if end >= 0 else len(text)]
        if math is not None and _MATH_MARK.search(line):
            continue  # (a line with a math delimiter is read as math only)
        if "~" in line or "≃" in line or "≅" in line:
            line = _APPROX.sub(" ≈ ", line)
        if "≔" in line:
            line = line.replace("≔", ":=")  # (one character for :=)
        if (" | " in line or " & " in line) and not line.lstrip().startswith("|"):
            line = _BAR.sub("; ", line)  # o1 = 0.65 | o2 = 0.651: two equations (before, o1 got o2's value)
        if "*" in line or "_" in line:
            line = unemphasized(line)
        if "(" in line:
            line = _without_description(line)
        elif "after" in line.lower():
            line = _AFTER_WORDS.sub(r"\1^{+}", line, 1)  # w8 after the update = ...: the update, as in brackets
        if ("→" in line or "->" in line) and is_name is not None and (
                updates := arrow_update(_LIST_MARK.sub("", line, 1).strip(), is_name)):
            rows.extend(row(_powers(one), number, True) for one in updates)  # w5 → w5 - η ∂E/∂w5 = ..., w5: 40 → ...
            check_rows(rows, number)
            continue
        m = _PLAIN_EQUATION.match(line)
        if m is None and is_name is not None and "," in line and (
                listed := bare_list_rows(bare := _LIST_MARK.sub("", line, 1).strip(), is_name)) is not None:
            # z1, z2 = -7.65, -13.65: one row per entry (values that do not fit: the row as it is, listed unread)
            rows.extend(row(_powers(one), number, True) for one in listed or [without_trailing(bare)])
            check_rows(rows, number)
            continue
        if m is None or (names is not None and " " in (lhs := _LHS_END.split(m.group(2), 1)[0].strip())
                         and not names(lhs)):
            inside = embedded(line, names)  # ``we use w5 = 4``: prose, and an equation inside it
            if inside and is_name is not None and _NEW_VALUES.match(line):  # New weights: w5 = ..., w6 = ...
                inside = [_updated(one, is_name) for one in inside]
            if m is None or inside:
                rows.extend(row(_powers(body), number, True, embedded=True) for body in inside)
                check_rows(rows, number)
                continue
        body = m.group(2)
        if number in labels and body.lstrip()[:1] in "=≈⇒":  # z1 alone on the line above: its equation, not the
            body = f"{labels.pop(number)[0]} {body}"  # previous one's continuation (before, h1 got z1's value)
        if m.group(1):  # **z1** = ..., `z1 = ...`: the marks are Markdown's, not the math's
            body = body.replace(m.group(1), " ", 2 if m.group(1) == "`" else 1)
        if "#" in body or "//" in body:
            body = _CODE_COMMENT.sub("", body)  # z1 = -7.65  # net input of h1: a comment as code writes one
        if ")" in body or "]" in body:
            body = _EQUATION_NUMBER.sub("", body)  # z2 = -13.65    (2): the equation's number, not a factor
        remark, tail = TRAILING_REMARK.search(body), ""
        if remark is not None and ROUNDING_REMARK.fullmatch(remark[1]):
            # ``h1 = 0.5933 (approx.)``: how it was rounded, no prose (the chains drop it as a comment)
            body, tail = body[:remark.start()], body[remark.start():]
        elif remark is not None and restates(remark[1], body[:remark.start()]):
            body = body[:remark.start()]  # ``h1 = 0.000476 (4.76e-4)``, ``(= ...)``: the value again, no factor
        after = _EMBEDDED_SIGN.search(body)
        prose = _PROSE_WORD.search(body, after.end()) if after else None
        if prose is not None and not body[after.end():prose.start()].strip():
            prose = None  # (``Übung = schwer``: no value before the words, nothing to cut them from)
        if prose is not None:  # ``o1 = 0.65 here``, ``z1 = -7.65 and h1 = ...``: prose after the equation
            body, rest, tail = _before_aside(body[:prose.start()]), body[prose.start():] + tail, ""
        body = without_trailing(" ".join((body + tail).split()))
        rows.append(row(_powers(body), number, True))
        if prose is not None:
            rows.extend(row(_powers(more), number, True, embedded=True) for more in embedded(rest, names))
        check_rows(rows, number)
    if is_name is not None:
        colon = colon_rows(text, code, math, {r.line for r in rows}, is_name, names) if ":" in text else []
        colon += spaced_rows(text, code, math, {r.line for r in rows}, is_name)
        colon += _labelled(lines, labels, {r.line for r in rows}, math)
        if "':" in text or '":' in text:
            colon += mapping_rows(text, code, math, {r.line for r in rows} | {r.line for r in colon}, is_name)
        if colon:
            rows = sorted(rows + colon, key=lambda r: r.line)
            check_rows(rows, rows[min(len(rows) - 1, MAX_ROWS)].line)
    if is_name is not None:  # "h1 is 0.5933": a value said in words
        done = {r.line for r in rows}
        def skip(number: int) -> bool:
            return number in done or number in code or (math is not None and (
                number in math or _MATH_MARK.search(lines[number - 1]) is not None))

        said = phrase_rows(text, skip, is_name, names)
        if said:
            rows = sorted(rows + said, key=lambda r: r.line)
            check_rows(rows, rows[min(len(rows) - 1, MAX_ROWS)].line)
    return rows



# ``h1: 0.593``, ``- **z1:** -7.65``, ``z1: -15*0.8 + 20*0.2 + 0.35 = -7.65``, a filled-in template pasted as it is
# (``  z1: -7.65   # net input of h1``): a quantity's name, a colon, then a value or a formula of numbers
_COLON_LINE = re.compile(r"(?m)^[ \t]*+(?:" + _ITEM + r"[ \t]*+)?(\*\*|`)?(" + _PLAIN_WORD
                         + r"(?:[ \t]++[\w{}^'+′″’⁺]{1,20}+){0,2}+)[ \t]*+(?:\*\*|`)?:(?!=)(?:\*\*|`)?[ \t]*+([^\n]+)$")
_COMMENT = re.compile(r"[ \t]+#.*$")


def colon_rows(text: str, code, math: set[int] | None, done: set[int], is_name: Callable[[str], str | None],
               names: Callable[[str], bool] | None = None) -> list[MathRow]:
    """The lines ``name: value`` whose name is a quantity's (``is_name``; of several words, ``names``) and whose
    value holds a digit and no prose, each as the row ``name = value``; a ``#`` comment after it is dropped. Not the
    lines of ``code``, of ``math`` or with a math delimiter, nor those ``done`` (already read as an equation)."""
    out: list[MathRow] = []
    number, pos = 1, 0
    for m in _COLON_LINE.finditer(text):
        number += text.count("\n", pos, m.start())
        pos = m.start()
        if number in done or number in code or (math is not None and (number in math or _MATH_MARK.search(m[0]))):
            continue
        lhs, value = m[2].strip(), _COMMENT.sub("", m[3]).replace("**", " ").strip()
        if not any(ch.isdigit() for ch in value) or _PROSE_WORD.search(value):
            continue
        if not (is_name(lhs) if " " not in lhs else names is not None and names(lhs)):
            continue
        pairs = [(lhs, value)]
        if (";" in value or "," in value) and ":" in value:  # o1: 0.65, o2: 0.651: pairs after the first
            pairs = _colon_pairs(lhs, value, is_name) or pairs
        for name, one in pairs:
            out.append(row(_powers(without_trailing(" ".join(f"{name} = {one}".split()))), number, True))
        check_rows(out, number)
    return out


_NEXT_PAIR = re.compile(r"[ \t]*[;,][ \t]*(" + _PLAIN_WORD + r")[ \t]*:(?!=)[ \t]*")


def _colon_pairs(lhs: str, value: str, is_name: Callable[[str], str | None]) -> list[tuple[str, str]] | None:
    """``o1: 0.65, o2: 0.651`` (the value of the first pair is ``0.65, o2: 0.651``) as its pairs, each a quantity's
    name and a value with a digit; at the semicolons where there are any (decimal commas: ``o1: 0,65; o2: 0,651``);
    None unless every pair is one. Before, such a line was not read."""
    marks = [m for m in _NEXT_PAIR.finditer(value) if (";" in m[0]) == (";" in value)]
    pairs, start, name = [], 0, lhs
    for m in marks[:MAX_PAIRS]:
        pairs.append((name, value[start:m.start()].strip()))
        name, start = m[1], m.end()
    pairs.append((name, value[start:].strip()))
    ok = all(any(ch.isdigit() for ch in v) and ":" not in v for _, v in pairs) and all(is_name(n) for n, _ in pairs[1:])
    return pairs if len(pairs) > 1 and ok else None


MAX_PAIRS = 32  # pairs on one line


# a power of ten typed as plain text: ``1.18 x 10^-6`` and ``1.18x10^-6`` (x for ×), ``10**-6`` (Python's power)
_TIMES_X = re.compile(r"(?<=\d)[ \t]*[xX][ \t]*(?=10[ \t]*(?:\^|\*\*))")
_PY_POWER = re.compile(r"(?<![\w.])10[ \t]*\*\*[ \t]*(?=[-−+]?[ \t]*[\d(])")


def _powers(body: str) -> str:
    """A plain row with its powers of ten as the math reader reads them: ``1.18 × 10^-6``."""
    if "10" not in body:
        return body
    if "x" in body or "X" in body:
        body = _TIMES_X.sub(" × ", body)
    return _PY_POWER.sub("10^", body) if "**" in body else body


# a line of a name and a number alone, as ``print("h1", h1)`` prints it (``h1 0.5932699921``); after a row's index
# as pandas prints a table (``0    h1   0.593270``)
_SPACED_LINE = re.compile(r"(?m)^[ \t]*+(?:[0-9]{1,4}[ \t]++)?(" + _PLAIN_WORD + r")[ \t]++([-−]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d{1,3})?)"
                          r"[ \t]*+$")


def spaced_rows(text: str, code, math: set[int] | None, done: set[int], is_name: Callable[[str], str | None]
                ) -> list[MathRow]:
    """The lines of a quantity's name and one number alone (``h1 0.5933``: a notebook's ``print("h1", h1)``, a
    list typed with spaces), each as the row ``name = number``; the same lines left out as :func:`colon_rows`'."""
    out: list[MathRow] = []
    number, pos = 1, 0
    for m in _SPACED_LINE.finditer(text):
        number += text.count("\n", pos, m.start())
        pos = m.start()
        if number in done or number in code or (math is not None and number in math) or not is_name(m[1]):
            continue
        out.append(row(f"{m[1]} = {m[2]}", number, True))
        check_rows(out, number)
    return out


# a quantity's name alone on a line, as a heading or a label (``### z1``, ``**z1**``, ``z2:``), with its value on the
# next line (one blank line between at most): a number alone, or a continuation ``= ...``
_LABEL_LINE = re.compile(r"[ \t]*+(?:#{1,6}[ \t]++|" + _ITEM + r"[ \t]++)?(?:\*\*|__)?(" + _PLAIN_WORD
                         + r")(?:\*\*|__)?[ \t]*+:?"
                         r"[ \t]*+(?:\*\*|__)?[ \t]*+$")
_LONE_VALUE = re.compile(r"[ \t]*+(?:\*\*|__)?(" + NUMBER_TEXT + r")(?:\*\*|__)?[ \t]*+")
MAX_LABELS = 2000  # name lines looked at in one write-up


def _labels(lines: list[str], code, math: set[int] | None, is_name: Callable[[str], str | None]
            ) -> dict[int, tuple[str, int]]:
    """The lines just under a quantity's name alone (the next one that is not blank, one blank line between at
    most), each with that name and its line; not under a line of code or math. Only short lines are looked at."""
    out: dict[int, tuple[str, int]] = {}
    looked = 0
    for number, line in enumerate(lines, start=1):
        if (not line or len(line) > 64 or "=" in line or "$" in line or len(line.split()) > 3
                or (m := _LABEL_LINE.fullmatch(line)) is None):
            continue
        looked += 1
        if looked > MAX_LABELS:
            break
        if number in code or (math is not None and number in math) or not is_name(m[1]):
            continue
        below = number + (2 if number < len(lines) and not lines[number].strip() else 1)
        if below <= len(lines) and lines[below - 1].strip() and below not in code:
            out[below] = (m[1], number)
    return out


def _labelled(lines: list[str], labels: dict[int, tuple[str, int]], done: set[int], math: set[int] | None
              ) -> list[MathRow]:
    """The rows ``name = number`` of the lines that hold a number alone under a quantity's name (``_labels``).
    Before, ``z2:`` then ``-13.65`` was not read."""
    if not labels:
        return []
    out = []
    for number, (name, at) in sorted(labels.items()):
        if math is not None and number in math:  # math below it, ``$$= -7.65$$``: the name alone is a row, which
            out.append(row(name, at, True))  # the continuation then continues (``grader.submission.chains``)
            continue
        m = _LONE_VALUE.fullmatch(lines[number - 1])
        if m is not None and number not in done:
            out.append(row(f"{name} = {m[1]}", number, True))
    return out


# a mapping's entry as a program prints it: ``'z1': -7.65`` (Python's dict), ``"z1": -7.65`` (JSON), numpy 2's
# ``'z1': np.float64(-7.65)``
_ENTRY = re.compile(r"""(['"])([^\W\d_][\w{}^+]{0,40})\1[ \t]*:[ \t]*(?:(?:np|numpy)\.float(?:16|32|64)\(|float\()?"""
                    r"([-−+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d{1,3})?)\)?(?=[ \t]*[,}\n]|[ \t]*$)")
MAX_ENTRIES_A_LINE = 64


def mapping_rows(text: str, code, math: set[int] | None, done: set[int], is_name: Callable[[str], str | None]
                 ) -> list[MathRow]:
    """The rows ``name = number`` of each entry of a mapping printed by a program (``{'z1': -7.65, 'z2': -13.65}``,
    a JSON object, one entry a line or many) whose key is a quantity's name; not in code, math, or a line read
    already. Before, a notebook's ``print(answers)`` of a dict was not read."""
    out: list[MathRow] = []
    number, pos = 1, 0
    seen_line = -1
    for m in _ENTRY.finditer(text):
        number += text.count("\n", pos, m.start())
        pos = m.start()
        if number in done or number in code or (math is not None and number in math) or not is_name(m[2]):
            continue
        if number != seen_line:
            seen_line, count = number, 0
        count += 1
        if count <= MAX_ENTRIES_A_LINE:
            out.append(row(f"{m[2]} = {m[3]}", number, True))
            check_rows(out, number)
    return out


# Markdown's emphasis around a word or a number, ``o1 = **0.6500**``, ``*z1* = -7.65``, ``_h1_``: never a product
# (``40*h1*w``, ``(t-o)*(t-o)*0.5``: a star after a letter, a digit or a bracket is a times), nor a name's ``_``
_STARS = re.compile(r"(?<![\w)\]*\\])(\*\*?)(?=[^\s*])([^*\n]{1,80}?)(?<=[^\s\\])\1(?![\w(\[*])")
_UNDERSCORES = re.compile(r"(?<![\w\\{])(__?)(?=[^\s_])([^_\n]{1,80}?)(?<=\S)\1(?![\w{])")


def unemphasized(line: str) -> str:
    """``line`` without Markdown's emphasis marks around words and numbers (``z1 = **-7.65**``, ``*z1* = -7.65``):
    before, ``**-7.65**`` could not be read, so a final answer set in bold was marked missing."""
    if "*" in line:
        line = _STARS.sub(r"\2", line)
    return _UNDERSCORES.sub(r"\2", line) if "_" in line else line


_ASIDE_OPENING = re.compile(r"(?:[ \t]*+(?:[([{]|--|—|–))+[ \t]*+$")


def _before_aside(body: str) -> str:
    """An equation cut where its prose begins, without the bracket or dash that opened the aside: ``z3 = 0.619 (net
    input to o1)``, ``z3 = 0.619 [from above]``, ``z3 = 0.619 -- net input``. Before, the ``(`` was left, and the
    equation, right, was not read."""
    m = _ASIDE_OPENING.search(body)
    return body[:m.start()] if m else body


# an equation inside a sentence, ``so we get z1 = -15*0.8 + 20*0.2 + 0.35 = -7.65, and h1 = ...``: the name just
# before an = (one word, or up to three that name a quantity: ``then delta o2 = ...``), the equation running to
# the first end of prose after the =
_EMBEDDED_SIGN = re.compile(r"(?<![=<>!:])(?:=|≈)(?![=>])")
_WORDS_BEFORE = re.compile(r"(?:^|(?<=[\s([]))((?:[^\W\d_][\w'+′]{0,30}+[ \t]++){0,2}[^\W\d_][\w'+′]{0,30}+)[ \t]*+$")
# (the end: a sentence's punctuation, a joining word, or a word of prose that more prose follows; ``1/2 sum (t-o)^2``
# is no end, so the formula is not cut to 1/2 but left unread, as it should be)
_PROSE_WORDS = (r"(?<![\w\\])(?i:and|or|then|so|which|where|with|giving|gives|is|was|are|were|for|to|from|as|the|"
                r"we|hence|thus|therefore|here|because|since|but)\b(?![\w(])"
                r"|(?<![\w\\])(?!(?:exp|sigmoid|sigma|tanh|sqrt|log|ln|relu)\b)[A-Za-z]{3,}\b"
                r"(?=[ \t]*(?:$|[.,;:!?]|[A-Za-z]{2,}))")
_PROSE_WORD = re.compile(_PROSE_WORDS)
_PROSE_CUT = re.compile(r"[.;,!?](?=\s|$)|" + _PROSE_WORDS)
MAX_EMBEDDED = 8  # equations read from one line of prose
_FACTOR = re.compile(r"[^\W\d_]|\w*[\d_]\w*")  # a letter alone, or a word with a digit or _: a name, not prose


def embedded(line: str, names: Callable[[str], bool] | None = None) -> list[str]:
    """The equations inside a line of prose, each from its name to the first end of prose after its ``=``."""
    out: list[str] = []
    pos = 0
    while len(out) < MAX_EMBEDDED:
        sign = _EMBEDDED_SIGN.search(line, pos)
        if sign is None:
            break
        before = _WORDS_BEFORE.search(line, pos, sign.start())
        cut = _PROSE_CUT.search(line, sign.end())
        stop = _bracket_end(line, sign.end(), cut.start() if cut else len(line))
        if before is not None:
            words = before.group(1).split()
            k = next((k for k in (3, 2) if len(words) >= k and names is not None and names(" ".join(words[-k:]))), 1)
            name = " ".join(words[-k:])
            previous = words[-k - 1] if len(words) > k else ""
            body = without_trailing(" ".join(f"{name} {_before_aside(line[sign.start():stop])}".split()))
            if not body.endswith(("=", "≈")) and not _FACTOR.fullmatch(previous):
                out.append(body)  # (after ``w1`` in ``w1 i1 = 0.0075``, i1 is a factor: no equation of i1)
        pos = max(stop, sign.end())
    return out


def _bracket_end(line: str, start: int, stop: int) -> int:
    """Where an equation from ``start`` ends at the latest ``stop``: before a closing bracket it did not open (the
    remark's own, ``Updates (η = 0.3)``)."""
    depth = 0
    for i in range(start, stop):
        ch = line[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth < 0:
                return i
    return stop
