"""Values said in words: "h1 is 0.5933", "so o1 equals 0.7514.", "the net input of h1 is 0.3775", "$o_1$ is
approximately 0.75". Students explain their work in sentences; before, such an answer was not read at all.

A phrase is read only where what it names is certain, so a sentence never gives a quantity a value it does not
state:

* the name is a quantity's, as the problem's resolver reads it; or a kind in words and a unit, "the net input of
  h1" (``net_{h1}``), "the output of o1" (``out_{o1}``), "the delta of o2" (``\\delta_{o2}``);
* an update in words, "the new w5", "the updated weight w5", "the new value of w5", "w5 after the update", is the
  parameter's updated value (``w5^{+}``);
* a name after another word of what it could be a part of is not the quantity: "the derivative of h1 is 0.24",
  "the error of o1", "the net input h1", "if h1 is 0.5", "the change in w5" name no value of h1, o1 or w5;
* the verb stands right before the number (``is``, ``equals``, ``was``, ``becomes``, ``comes to``, ``works out
  to``; "about", "approximately" or ``≈`` may come between: that is the value written, as ``h1 ≈ 0.6``);
* the number ends the clause: a sentence's end, a comma or another clause ("and", "so", "which", ...), or a
  remark in brackets; "h1 is 0.5 times h2", "h1 is 0,5933" and "w5 is 0.35 after the update" (whose words after
  the number change what it is) are not read.
"""

from __future__ import annotations

import re
from typing import Callable

from grader.submission.mathrow import MathRow, check_rows, row

__all__ = ["BEFORE", "AFTER_UPDATE", "line_start", "phrase_rows", "phrase_value", "phrase_name"]

_VERB = (r"(?i:is[ \t]+(?:equal[ \t]+to|found[ \t]+to[ \t]+be)|is|equals|was|becomes|"
         r"comes[ \t]+(?:out[ \t]+)?to(?:[ \t]+be)?|works[ \t]+out[ \t]+to(?:[ \t]+be)?|"
         r"turns[ \t]+out[ \t]+(?:to[ \t]+be|as)|evaluates[ \t]+to)[ \t]+"
         r"(?:(?i:about|approximately|roughly|around)[ \t]+|≈[ \t]*)?")
_NUMBER = (r"([-−]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-−+]?\d+|[ \t]*(?:×|x|\\times|\*)[ \t]*10\^(?:\{[-−+]?\d+\}|[-−+]?\d+))?"
           r")")
_END = (r"(?=[ \t]*(?:$|\n|[.,;:!?](?:\s|$)|\((?=[A-Za-z])|"
        r"(?i:and|so|which|then|because|since|here|now|but|for|as)\b))")
_VALUE = re.compile(r"[ \t]+" + _VERB + _NUMBER + _END)
# a name written in plain text (``h1``, ``w_5``, ``w_{5}^{+}``, ``δo1``, ``w5'``)
_NAME = r"[^\W\d_](?:[\w'+′^]|\{[\w,+' ]{1,12}\}){0,30}+"
# "w5 after the update is ...": the parameter's updated value
AFTER_UPDATE = r"after[ \t]+(?:the[ \t]+)?(?:update|updating|first[ \t]+step|one[ \t]+step|step[ \t]+1)"  # (its words)
_AFTER = r"(?:[ \t]+(?i:(" + AFTER_UPDATE + r")))?"
# the name just before a verb (its end is the verb's blank; "w5 after the update" too)
_NAME_END = re.compile(r"(?:^|(?<=[\s(]))(" + _NAME + r")" + _AFTER + r"[ \t]*$")
# a kind of value and its unit: "the net input of h1", "the output of neuron o1"
_KIND_OF = re.compile(r"(?i:\b(net[ \t]+input|net|output|activation|delta|δ)[ \t]+(?:of|for|at)[ \t]+"
                      r"(?:the[ \t]+)?(?:(?:neuron|unit|node)[ \t]+)?)$")
_KINDS = {"net input": "net", "net": "net", "output": "out", "activation": "out", "delta": "\\delta", "δ": "\\delta"}
# an update in words before the name: "the new w5", "the updated weight w5", "the new value of w5"
_UPDATED = re.compile(r"(?i:\b(?:new|updated)[ \t]+(?:value[ \t]+(?:of|for)[ \t]+(?:the[ \t]+)?)?"
                      r"(?:(?:weight|bias|parameter)[ \t]+)?)$")
# a word just before a name that makes the name part of something else, or the sentence a supposition
_NOT_ALONE = re.compile(
    r"(?i:\b(?:of|for|in|at|on|from|by|with|to|than|into|between|if|when|whether|unless|suppose|assume|assuming|"
    r"not|net|input|inputs|error|errors|gradient|derivative|partial|change|update|updated|new|old|initial|"
    r"target|bias|weight|delta|δ|term|signal|rate|step|times|plus|minus)[ \t]*)$")
_WORDS_BEFORE = re.compile(r"((?:[^\W\d_][\w'+′]{0,30}[ \t]+){1,2})$")
BEFORE = 120  # characters before a name that are looked at (the words of a kind, "the net input of neuron")


def line_start(text: str, at: int) -> int:
    """Where the line of ``text[at]`` starts, looked for no farther back than :data:`BEFORE` characters."""
    low = max(0, at - BEFORE)
    return max(text.rfind("\n", low, at) + 1, low)


def phrase_value(text: str, at: int) -> tuple[str, int] | None:
    """(the number, where the phrase ends) of a verb and a number at ``text[at:]`` (" is 0.5933"), or None."""
    m = _VALUE.match(text, at)
    if m is None:
        return None
    return m.group(1).replace("−", "-"), m.end()


def phrase_name(before: str, name: str, is_name: Callable[[str], str | None],
                names: Callable[[str], bool] | None = None, updated: bool = False) -> str | None:
    """The name to read ``name`` as, given the text ``before`` it on its line: a kind of value of it ("the net
    input of h1": ``net_{h1}``), its update ("the updated weight w5", or ``updated``: "w5 after the update" said
    after it: ``w5^{+}``), the words before it with it (``net h1``, where ``names`` knows them), ``name`` itself;
    None where the words before it make it part of something else, or where nothing is a quantity."""
    before = before[-BEFORE:]
    update = None if updated else _UPDATED.search(before)
    if updated or update is not None:
        named = f"{name}^{{+}}"
        return named if is_name(named) and _alone(before[:update.start()] if update else before) else None
    kind = _KIND_OF.search(before)
    if kind is not None:
        named = f"{_KINDS[' '.join(kind.group(1).lower().split())]}_{{{name}}}"
        return named if is_name(named) and _alone(before[:kind.start()]) else None
    value_of = _THE_VALUE_OF.search(before)  # "the value of o2 is ...": o2's value
    if value_of is not None and "value" in value_of.group().lower():
        before = before[:value_of.start()]
    words = _WORDS_BEFORE.search(before)
    if words is not None and names is not None:
        split = words.group(1).split()
        for k in (2, 1):
            if len(split) >= k and names(" ".join([*split[-k:], name])):
                return " ".join([*split[-k:], name])
    if _NOT_ALONE.search(before):
        return None
    return name if is_name(name) else None


def _alone(before: str) -> bool:
    """Do the words before a kind or an update in words ("the net input of", "the new") leave it the quantity's
    own value? Not after a supposition or a part of something else: "if the new w5 is ...", "the derivative of the
    net input of h1 is ..."; "the value of the new w5" is the value."""
    return _NOT_ALONE.search(_THE_VALUE_OF.sub("", before)) is None


_THE_VALUE_OF = re.compile(r"(?i:(?:\b(?:the|its)[ \t]+)?(?:\bvalue[ \t]+(?:of|for)[ \t]+)?(?:\bthe[ \t]+)?)$")


def phrase_rows(text: str, skip: Callable[[int], bool], is_name: Callable[[str], str | None],
                names: Callable[[str], bool] | None = None) -> list[MathRow]:
    """The phrases of the lines of ``text`` not skipped (``skip(line)``: a line of code, of math, or read already),
    each as the row ``name = value``. Only the places of a verb are tried (found as plain substrings: a megabyte
    of prose costs a few milliseconds), each with the number after it and the name before it."""
    out: list[MathRow] = []
    number, pos = 1, 0
    for at in _verb_places(text):
        value = _VALUE.match(text, at)
        if value is None:
            continue
        start = line_start(text, at)
        m = _NAME_END.search(text, start, at)
        if m is None:
            continue
        number += text.count("\n", pos, at)
        pos = at
        if skip(number):
            continue
        name = phrase_name(text[start:m.start()], m.group(1), is_name, names, updated=m.group(2) is not None)
        if name is None:
            continue
        out.append(row(f"{name} = {value.group(1).replace('−', '-')}", number, True, embedded=True))
        check_rows(out, number)
    return out


_VERBS = (" is ", " equals ", " was ", " becomes ", " comes ", " works ", " turns ", " evaluates ", " Is ", " Equals ",
          " Was ", " Becomes ", "\tis ", " is\t", "\tequals ", " equals\t")


def _verb_places(text: str) -> list[int]:
    """Where a verb of a phrase starts (the blank before it), in order: each verb looked for as a substring."""
    places = set()
    for verb in _VERBS:
        at = text.find(verb)
        while at >= 0:
            places.add(at)
            at = text.find(verb, at + 1)
    return sorted(places)
