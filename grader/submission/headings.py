"""What a write-up's headings say of the values under them: a given parameter's name under "Updated weights" is
its update, under "Gradients" its gradient, and a unit's name under "Deltas" its delta.

Students list results under a heading, naming each by the parameter alone::

    ## Updated weights            ## Gradients
    w5: 40.0000081                | weight | value       |
                                  | w5     | -2.70606e-5 |

Read by their names, such lines restate the givens w5 = 40 (within 1 %, so silently) and the update or the
gradient is missing, though the work is right. Under a heading of one kind only (an update: "updated", "new",
"after the update"; a gradient: "gradient", "partial derivatives"), a given parameter's value other than its given
one is read as its update (``w5_new``) or its gradient (``grad_w5``), with a note saying so, and only where that
quantity gets no value elsewhere in the write-up: the heading fills a gap, it never overrides what the student
named. A problem of several steps gets no update reading: which step's update a heading means is not told. The
headings are Markdown's (``#`` to ``######``), a bold line of its own (``**Updated weights**``) and a ``.tex``
file's ``\\section``/``\\subsection``/``\\paragraph``; a heading holds until the next one.

A unit's name under a heading of deltas only ("deltas", "error terms", "δ"), ``o1: -0.0569``, is its delta
(``delta_o1``), and under a heading of net inputs only ("net inputs", "weighted sums", "pre-activations"; not
"net inputs and outputs"), ``h1: -7.65``, its net input (``z1``), where the value is nearer that quantity than the
unit's output and that quantity gets no value under its own name; else ``o1`` has two values, the forward pass's
and this one, and is flagged for it. Not in a problem of several steps or examples, whose names have a suffix the
heading does not tell.
"""

from __future__ import annotations

import bisect
import re

from grader.spec import names as qnames
from grader.submission.writeup_values import as_float

__all__ = ["Headings"]

_HEADING = re.compile(r"^[ \t]{0,3}(?:#{1,6}[ \t]+(?P<md>[^\n]{1,120})|\*\*(?P<bold>[^*\n]{1,80})\*\*[ \t]*:?[ \t]*$"
                      r"|\\(?:sub)*(?:section|paragraph)\*?\{(?P<tex>[^{}\n]{1,120})\})", re.M)
_UPDATE = re.compile(r"\b(?:updat(?:e|ed|es|ing)|new|after\s+(?:the\s+)?(?:update|step))\b", re.I)
_GRADIENT = re.compile(r"\b(?:gradients?|partial\s+derivatives?)\b|∂E/∂|dE/dw", re.I)
_DELTA = re.compile(r"\b(?:deltas?|error\s+(?:terms?|signals?))\b|δ|\\delta\b", re.I)
_NET = re.compile(r"\b(?:net[\s-]+inputs?|nets|weighted\s+sums?|pre-?activations?)\b", re.I)
_OUTPUT = re.compile(r"\boutputs?\b|(?<!pre-)(?<!pre)\bactivations?\b", re.I)  # "Net inputs and outputs": both


class Headings:
    """The headings of a write-up's text, by line (1-based, as the write-up reader counts), each with what it says
    of the values under it (told once per heading: every equation of a write-up asks)."""

    def __init__(self, text: str) -> None:
        self._lines: list[int] = []
        self._texts: list[str] = []
        self._kinds: list[tuple[str | None, str | None] | None] = []  # (of a given's value, of a unit's value)
        if "#" not in text and "**" not in text and "\\" not in text:
            return
        line, at = 1, 0  # (lines counted from the previous heading on: linear in the text, however many there are)
        for m in _HEADING.finditer(text):
            line, at = line + text.count("\n", at, m.start()), m.start()
            heading = " ".join((m["md"] or m["bold"] or m["tex"]).strip(" #").split())
            self._lines.append(line)
            self._texts.append(heading)
            self._kinds.append(_kinds(heading))

    def reading(self, q: str, line: int, value, key) -> tuple[str, str] | None:
        """(the quantity, the report's note) that a value of ``q`` on ``line`` answers under its heading (``key``:
        the problem's answer key), or None: no heading of one kind, no such quantity, the given value itself, or
        under "Gradients" a value nearer the given than the gradient (``w6 = 40`` for 45: a given mistyped, flagged
        as such). ``q`` a given parameter, or a unit (its delta under "Deltas", its net input under "Net inputs")."""
        k = bisect.bisect_left(self._lines, line) - 1
        kinds = self._kinds[k] if k >= 0 else None
        if kinds is None or value is None or q not in key.values or value == key.values[q]:
            return None
        heading = self._texts[k]
        if q not in key.graph.given:
            return _unit_reading(q, value, heading, kinds[1], key) if kinds[1] else None
        kind = kinds[0]
        if kind is None or (kind == "update" and key.problem.training.steps > 1):  # which step's update? ("Step 2"
            return None  # may be a section's number)
        new = qnames.new_name(q, 1) if kind == "update" else qnames.grad_name(q)
        if new not in key.graph.nodes:
            return None
        if kind == "gradient" and not abs(as_float(value) - key.floats[new]) < abs(as_float(value) - key.floats[q]):
            return None
        what = "the updated parameter" if kind == "update" else "the gradient"
        return new, f"'{q}' under the heading \"{heading}\" is read as {what} {new}, not as the given {q}"


def _kinds(heading: str) -> tuple[str | None, str | None] | None:
    """What a heading says of a given parameter's values ("update", "gradient") and of a unit's ("delta", "net"):
    a heading of one kind only ("Gradients and updated weights", "Net inputs and outputs": neither); None for
    neither."""
    update, gradient = bool(_UPDATE.search(heading)), bool(_GRADIENT.search(heading))
    given = None if update == gradient else "update" if update else "gradient"
    unit = None
    if not update and not gradient:
        delta, net = bool(_DELTA.search(heading)), bool(_NET.search(heading))
        if delta != net and not (net and _OUTPUT.search(heading)):
            unit = "delta" if delta else "net"
    return None if given is None and unit is None else (given, unit)


def _unit_reading(unit: str, value, heading: str, kind: str, key) -> tuple[str, str] | None:
    """A unit's value under a heading of deltas or of net inputs: (its delta or its net input, the note), when
    nearer that than the unit's own value (a delta in the problem's convention, as its key is)."""
    neuron = key.problem.network.neurons.get(unit)
    if neuron is None or key.problem.training.steps > 1:
        return None
    q, what = (qnames.delta_name(unit, ""), "its delta") if kind == "delta" else (neuron.net, "its net input")
    v, own = as_float(value), key.floats.get(unit)  # (1e999: infinite, nearer neither)
    if q not in key.graph.nodes or own is None or not abs(v - key.floats[q]) < abs(v - own):
        return None
    return q, f"'{unit}' under the heading \"{heading}\" is read as {what} {q}, not as the output {unit}"
