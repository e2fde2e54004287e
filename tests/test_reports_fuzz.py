"""Whatever a student writes, every renderer renders it, and the HTML never carries it unescaped."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.grade.engine import grade, make_plan
from grader.report import render
from grader.solve.solver import solve
from grader.spec.find import find_problem
from grader.spec.load import load_problem
from grader.submission.load import submission_from_document
from grader.yamlio import Document

PLAN = make_plan(solve(load_problem(find_problem("classic_222"))))


def _submission(values: dict[str, str], student: str):
    data = {"problem": "classic_222", "student": {"id": "1", "name": student}, "answers": dict(values)}
    return submission_from_document(Document(data, "<fuzz>"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=st.dictionaries(st.sampled_from(["net_h1", "h1", "o1", "delta_o1", "w5_new"]), st.text(max_size=60), max_size=5),
    student=st.text(max_size=40),
    reveal=st.booleans(),
)
def test_any_text_renders_in_every_format(values, student, reveal):
    marker = "<i>INJ</i><script>x()</script>"
    values = {**values, "o2": values.get("o1", "") + marker}
    result = grade(PLAN, _submission(values, student + marker), reveal=reveal)
    for fmt in ("text", "markdown", "html"):
        out = render(result, fmt)
        assert isinstance(out, str) and out
    html = render(result, "html")
    assert "<i>INJ" not in html and "<script" not in html.lower()  # student text is always escaped
