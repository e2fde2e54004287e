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
(``delta_o1``) where the value is nearer the delta than the unit's output and ``delta_o1`` gets no value under its
own name; else ``o1`` has two values, the forward pass's and this one, and is flagged for it. Not in a problem of
several steps or examples, whose deltas have a suffix the heading does not tell.
"""

from __future__ import annotations

import bisect
import re

from grader.spec import names as qnames

__all__ = ["Headings"]

_HEADING = re.compile(r"^[ \t]{0,3}(?:#{1,6}[ \t]+(?P<md>[^\n]{1,120})|\*\*(?P<bold>[^*\n]{1,80})\*\*[ \t]*:?[ \t]*$"
                      r"|\\(?:sub)*(?:section|paragraph)\*?\{(?P<tex>[^{}\n]{1,120})\})", re.M)
_UPDATE = re.compile(r"\b(?:updat(?:e|ed|es|ing)|new|after\s+(?:the\s+)?(?:update|step))\b", re.I)
_GRADIENT = re.compile(r"\b(?:gradients?|partial\s+derivatives?)\b|∂E/∂|dE/dw", re.I)
_DELTA = re.compile(r"\b(?:deltas?|error\s+(?:terms?|signals?))\b|δ|\\delta\b", re.I)


class Headings:
    """The headings of a write-up's text, by line (1-based, as the write-up reader counts)."""

    def __init__(self, text: str) -> None:
        self._lines: list[int] = []
        self._texts: list[str] = []
        if "#" not in text and "**" not in text and "\\" not in text:
            return
        line, at = 1, 0  # (lines counted from the previous heading on: linear in the text, however many there are)
        for m in _HEADING.finditer(text):
            line, at = line + text.count("\n", at, m.start()), m.start()
            self._lines.append(line)
            self._texts.append(" ".join((m["md"] or m["bold"] or m["tex"]).strip(" #").split()))

    def over(self, line: int) -> str | None:
        """The heading the line stands under, or None."""
        k = bisect.bisect_left(self._lines, line) - 1
        return self._texts[k] if k >= 0 else None

    def reading(self, q: str, line: int, value, key) -> tuple[str, str] | None:
        """(the quantity, the report's note) that a value of ``q`` on ``line`` answers under its heading (``key``:
        the problem's answer key), or None: no heading of one kind, no such quantity, the given value itself, or
        under "Gradients" a value nearer the given than the gradient (``w6 = 40`` for 45: a given mistyped, flagged
        as such). ``q`` a given parameter, or a unit (its delta, under "Deltas")."""
        heading = self.over(line)
        if heading is None or value is None or q not in key.values or value == key.values[q]:
            return None
        if q not in key.graph.given:
            return _delta_reading(q, value, heading, key)
        update, gradient = _UPDATE.search(heading), _GRADIENT.search(heading)
        if bool(update) == bool(gradient):  # neither, or both ("Gradients and updated weights"): no reading
            return None
        if update and key.problem.training.steps > 1:  # which step's update? ("Step 2" may be a section's number)
            return None
        new = qnames.new_name(q, 1) if update else qnames.grad_name(q)
        if new not in key.graph.nodes:
            return None
        if gradient and not abs(float(value) - key.floats[new]) < abs(float(value) - key.floats[q]):
            return None
        what = "the updated parameter" if update else "the gradient"
        return new, f"'{q}' under the heading \"{heading}\" is read as {what} {new}, not as the given {q}"


def _delta_reading(unit: str, value, heading: str, key) -> tuple[str, str] | None:
    """A unit's value under a heading of deltas only: (its delta, the note), when nearer the delta than the unit's
    own value (in the problem's delta convention, as its key is)."""
    delta = qnames.delta_name(unit, "")
    if (delta not in key.graph.nodes or key.problem.training.steps > 1 or not _DELTA.search(heading)
            or _UPDATE.search(heading) or _GRADIENT.search(heading)):
        return None
    v = float(value)
    if not abs(v - key.floats[delta]) < abs(v - key.floats[unit]):
        return None
    return delta, f"'{unit}' under the heading \"{heading}\" is read as its delta {delta}, not as the output {unit}"
