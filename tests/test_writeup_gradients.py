"""A gradient written as a derivative on the left of an equation in a write-up: ``\\nabla_{w_5} E``,
``\\frac{dE}{dw_1}``, ``dE/dw5``. The formula grammar reads these as a product or a quotient, so the line was listed
as "the left-hand side is not the name of a quantity" and the right answer scored as missing, although the names'
own reader knows each spelling (``grader.spec.notation.DERIVATIVE_SPELLINGS``). Values from the textbook formulas
in mpmath (``tests/textbook.py``)."""

from __future__ import annotations

import pytest

from grader.grade.pipeline import Grader
from textbook import CLASSIC, CLASSIC_NETS, sig, textbook

C = textbook(CLASSIC, CLASSIC_NETS)


def grade_text(tmp_path, text: str):
    path = tmp_path / "work.md"
    path.write_text(text, encoding="utf-8")
    return Grader(problem="classic_222_chain").grade_file(path)


@pytest.mark.parametrize("w5, w1", [
    ("\\nabla_{w_5} E", "\\nabla_{w_1} E_{total}"),
    ("\\frac{dE}{dw_5}", "\\frac{dE}{dw_{1}}"),
    ("dE/dw5", "dE_total/dw1"),
    ("∇_{w_5} E", "\\frac{\\partial E_{total}}{\\partial w_1}"),
])
def test_a_gradient_written_as_a_derivative_is_read(tmp_path, w5, w1):
    text = f"# Sam Park, 400111222\n\n$${w5} = {sig(C['grad_w5'], 10)}$$\n\n$${w1} = {sig(C['grad_w1'], 10)}$$\n"
    result = grade_text(tmp_path, text)
    assert {f.quantity: (f.verdict, f.source) for f in result.fields if f.verdict != "missing"} == {
        "grad_w5": ("correct", "line 3"), "grad_w1": ("correct", "line 5")}
    assert result.unattributed == ()


def test_a_product_or_quotient_of_names_is_still_no_name(tmp_path):
    """Only the derivative spellings: ``h_1 / h_2 = ...`` and ``w_5 E = ...`` name nothing."""
    result = grade_text(tmp_path, "$h_1 / h_2 = 0.99$\n\n$w_5 E = 0.1$\n")
    assert all(f.verdict == "missing" for f in result.fields)
    assert [u[0] for u in result.unattributed] == ["line 1", "line 3"]
