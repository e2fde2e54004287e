"""The block structure of the small Markdown subset problem statements use: paragraphs and one-level lists.

Shared by the practice page (MathML) and the answer keys (HTML, LaTeX), which render the blocks their own way.
"""

from __future__ import annotations

import re

__all__ = ["INLINE", "ITEM", "MATH", "blocks"]

MATH = re.compile(r"(\$\$.+?\$\$|\$[^$]+?\$)", re.S)  # $$display$$ or $inline$ math
INLINE = re.compile(r"(\*\*.+?\*\*|`[^`]+`|\*[^*\s][^*]*?\*)")  # **bold**, `code`, *emphasis*
ITEM = re.compile(r"^\s*(?:[-*+]|(\d+)[.)])\s+(.*)$")  # "- item", "* item", "1. item", "1) item"


def blocks(text: str) -> list[tuple[str, list[str]]]:
    """("p", lines) paragraphs and ("ul"/"ol", items) lists, split on blank lines and list markers; an indented line
    after a list item continues that item."""
    out: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        m = ITEM.match(line)
        if not line.strip():
            out.append(("", []))
        elif m:
            kind = "ol" if m.group(1) else "ul"
            if not out or out[-1][0] != kind:
                out.append((kind, []))
            out[-1][1].append(m.group(2))
        elif out and out[-1][0] in ("ul", "ol") and line.startswith((" ", "\t")):
            out[-1][1][-1] += " " + line.strip()
        else:
            if not out or out[-1][0] != "p":
                out.append(("p", []))
            out[-1][1].append(line.strip())
    return [(k, v) for k, v in out if k]
