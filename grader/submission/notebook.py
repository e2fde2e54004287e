"""The text of a Jupyter notebook that a write-up reader reads: its Markdown cells, and what its code cells printed.

A student who works the exercise in a notebook writes some answers in Markdown and prints others from code
(``print("z1 =", z1)`` shows ``z1 = -7.65``). The Markdown cells are read as Markdown; each code cell's printed
output (``stdout`` streams, and the ``text/plain`` of a result or a display) as plain text, in a fence of its own, so
that its lines are never headings or tables. The code itself is never read, nor are errors, ``stderr`` (warnings)
or images. Every line is labelled with its place: "cell 3, line 2", "the output of cell 4, line 1".
"""

from __future__ import annotations

import json

from grader.errors import LimitError, SubmissionError

__all__ = ["MAX_CELLS", "notebook_text"]

MAX_CELLS = 5_000  # cells of a notebook
_HINT = "upload the .ipynb file as Jupyter saves it"


def notebook_text(data: str, source: str, outputs: bool = True, unread: list[int] | None = None
                  ) -> tuple[str, dict[int, str]]:
    """The notebook's Markdown cells and printed outputs joined into one Markdown text, and each line's label
    (``{line: "cell 3, line 2"}``). ``outputs`` False: the printed outputs are left out (a problem that grades the
    work written by hand), and the numbers of the cells that printed something are appended to ``unread``. Raises
    :class:`SubmissionError` when the JSON is not a notebook."""
    try:
        nb = json.loads(data[1:] if data.startswith("\ufeff") else data)  # (a byte order mark some editors add)
    except json.JSONDecodeError as exc:
        raise SubmissionError(f"the notebook is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
                              file=source, line=exc.lineno, hint=_HINT) from None
    except RecursionError:
        raise LimitError("the notebook's JSON is nested too deeply to read", file=source, hint=_HINT) from None
    except ValueError:  # an integer of more digits than Python converts
        raise LimitError("the notebook's JSON holds a number with too many digits to read", file=source,
                         hint=_HINT) from None
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        raise SubmissionError("the notebook has no list of cells", file=source,
                              hint=_HINT + ' (a JSON object with "cells")')
    if len(cells) > MAX_CELLS:
        raise LimitError(f"the notebook has {len(cells)} cells (at most {MAX_CELLS})", file=source,
                         hint="split the work into smaller notebooks")
    parts: list[str] = []
    labels: dict[int, str] = {}
    line = 1
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict):
            continue
        if cell.get("cell_type") == "markdown":
            text, where, first = _text(cell.get("source")), f"cell {number}", line
        elif cell.get("cell_type") == "code" and isinstance(cell.get("outputs"), list):
            printed = "".join(_printed(o) for o in cell["outputs"])
            if not printed.strip():
                continue
            if not outputs:
                if unread is not None:
                    unread.append(number)
                continue
            # a fence of its own (a fence mark printed inside it is not one): the printed lines are plain text
            text = "```\n" + printed.replace("```", "'''").replace("~~~", "'''").rstrip("\n") + "\n```"
            where, first = f"the output of cell {number}", line + 1
        else:
            continue
        parts.append(text)
        count = text.count("\n") + 1
        for k in range(line, line + count):
            labels[k] = f"{where}, line {k - first + 1}"
        line += count + 1  # the parts are joined by a blank line
    return "\n\n".join(parts), labels


def _text(value) -> str:
    """A notebook's multiline string: a string, or a list of strings (anything else in the list is skipped)."""
    if isinstance(value, list):
        return "".join(s for s in value if isinstance(s, str))
    return value if isinstance(value, str) else ""


def _printed(output) -> str:
    """What a code cell's output shows as text: a ``stdout`` stream, or the ``text/markdown`` or ``text/latex`` of a
    result or a display (``display(Math(r"z_1 = -7.65"))``, whose plain text is ``<IPython.core.display.Math
    object>``: before, such an answer was not read), else its ``text/plain``; nothing for an error, ``stderr`` or an
    image."""
    if not isinstance(output, dict):
        return ""
    kind = output.get("output_type")
    if kind == "stream":
        text = _text(output.get("text")) if output.get("name") == "stdout" else ""
    elif kind in ("execute_result", "display_data") and isinstance(output.get("data"), dict):
        data = output["data"]  # what the notebook shows: IPython's Math and Markdown before their plain text
        shown = next((data[m] for m in ("text/markdown", "text/latex") if _text(data.get(m)).strip()), None)
        text = _text(shown if shown is not None else data.get("text/plain"))
    else:
        return ""
    return text if not text or text.endswith("\n") else text + "\n"
