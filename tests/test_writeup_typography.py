"""Characters that word processors, web pages and programs put into answers: zero-width spaces and other invisible
characters (pasted from a page or Overleaf), a figure dash or a hyphen for the minus, a right quotation mark for a
prime (Word's autocorrect types ``w5’``), ``≔`` for ``:=``, and a code comment after the value (``# net input``).
Before, each made a right answer unreadable ("unexpected text"), so right work was marked missing. Values from the
textbook formulas in mpmath (``tests/textbook.py``)."""

from __future__ import annotations

import pytest

from grader.grade.pipeline import Grader
from grader.parse.answer import Parsed, parse_answer_text
from textbook import EX6, sig, textbook

V = textbook(EX6)
Z1, W5 = sig(V["z1"], 6), sig(V["w5_new"], 12)
MINUS_FREE = Z1.lstrip("-")


def read(tmp_path, text: str) -> dict[str, str]:
    path = tmp_path / "work.md"
    path.write_text(text + "\n", encoding="utf-8")
    result = Grader(problem="exercise6").grade_file(path)
    return {f.quantity: f.verdict for f in result.fields if f.verdict != "missing"}


@pytest.mark.parametrize("line", [f"z1 = {Z1}\u200b", f"z1 =\u200b {Z1}", f"\ufeffz1 = {Z1}", f"$z_1 = {Z1}\u2060$",
                                  f"z1 = \u2012{MINUS_FREE}", f"z1 = \u2010{MINUS_FREE}", f"$z_1 = \u2012{MINUS_FREE}$",
                                  f"z1 \u2254 {Z1}", f"z1 = {Z1}  # net input of h1", f"z1 = {Z1} // net input"])
def test_a_right_value_typed_with_such_characters_is_read(tmp_path, line):
    assert read(tmp_path, line) == {"z1": "correct"}


@pytest.mark.parametrize("line", [f"w5\u2019 = {W5}", f"$w_5\u2019 = {W5}$"])
def test_a_right_quotation_mark_after_a_name_is_its_prime(tmp_path, line):
    assert read(tmp_path, line) == {"w5_new": "correct"}


@pytest.mark.parametrize("text", [f"{Z1}\u200b", f"\ufeff{Z1}", f"{Z1[:3]}\u200b{Z1[3:]}", f"\u00ad{Z1}"])
def test_an_answer_pasted_with_invisible_characters_is_read(text):
    parsed = parse_answer_text(text)
    assert isinstance(parsed, Parsed) and parsed.value == float(Z1)


def test_a_hash_that_is_no_comment_stays(tmp_path):
    assert read(tmp_path, f"z1 = {Z1} #1") == {}  # (not a comment: no blank after the mark)
