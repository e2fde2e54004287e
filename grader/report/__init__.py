"""Renderers of a ``GradeResult``. None recomputes anything: every number and sentence comes from the result."""

from __future__ import annotations

from grader.grade.result import GradeResult


def render(result: GradeResult, fmt: str, *, colour: bool = False) -> str:
    """Render ``result`` as ``text`` (terminal), ``markdown`` or ``html``."""
    if fmt == "text":
        from grader.report.text import render_text

        return render_text(result, colour=colour)
    if fmt == "markdown":
        from grader.report.markdown import render_markdown

        return render_markdown(result)
    if fmt == "html":
        from grader.report.html import render_html

        return render_html(result)
    raise ValueError(f"unknown report format {fmt!r}")
