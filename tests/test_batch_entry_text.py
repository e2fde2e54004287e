"""``grades.json``'s entry of a row, with its fields' texts remembered (``gradebooks.entry_text``), is
``encoded_entry(json_entry(row))`` character for character, whatever the fields hold."""

from __future__ import annotations

import math

import pytest

from grader.batch import gradebooks
from grader.batch.gradebooks import encoded_entry, entry_text, json_entry

DIAG = "The values this is computed from are right, so the slip is in the arithmetic: “recompute” − it \"step\"\n"


def _row(fields, **extra) -> dict:
    row = {
        "file": 'sub "1".yaml', "status": "graded", "student_id": "400", "name": "Ann Ö", "lms": None,
        "yaml_student": {"id": "400", "name": "Ann Ö"}, "problem": "exercise6", "score": 15.0, "max_score": 24.0,
        "error": None, "error_detail": None, "superseded_by": None, "fields": fields,
        "flags": [["inconsistent", "z1", "msg \u202e"]], "warnings": ["w"], "feedback_error": None,
    }
    row.update(extra)
    return row


FIELDS = [
    [["z1", "correct", 1.0, 1.0, None, None], ["h1", "incorrect", 0.0, 2.0, "arithmetic", DIAG]],
    [["z1", "correct", 1, 1.0, None, None]],  # an int: not the float's text
    [["z1", "correct", True, 1.0, None, None]],
    [["z1", "incorrect", -0.0, 1.0, None, None]],  # -0.0 == 0.0
    [["z1", "incorrect", 0.0, 0.0, None, None]],
    [["z1", "pending", None, 1.0, None, None]],
    [["z1", "incorrect", math.nan, 1.0, "x", ""], ["z2", "incorrect", math.inf, -math.inf, "", "t"]],
    [["z1", "correct", 1.0, 1.0, None, None], ["z1", "incorrect", 0.0, 1.0, None, None]],  # a quantity twice
    [["z1", "incorrect", 0.5, 1.0, "zero", "x" * 1000]],  # a long diagnosis (not remembered)
    [["δ\u202e\"q", "correct", 1e-300, 1.0, "id", "ü"]],
    [],
]


@pytest.mark.parametrize("fields", FIELDS)
def test_entry_text_is_the_encoded_entry(fields):
    for feedback in (None, {"markdown": "feedback/a.md", "html": "feedback/a.html"}):
        for _ in range(2):  # the second time from the remembered texts
            row = _row([list(f) for f in fields])
            assert entry_text(row, feedback) == encoded_entry(json_entry(row, feedback))


def test_remembered_texts_of_equal_but_different_values_are_not_mixed():
    gradebooks._FIELD_TEXTS.clear()
    for pts in (1.0, 1, True, 0.0, -0.0, 0, False, None, 1.0):
        row = _row([["z1", "correct", pts, 1.0, None, None]])
        assert entry_text(row, None) == encoded_entry(json_entry(row, None)), pts


def test_the_remembered_texts_stay_bounded():
    for i in range(gradebooks._MAX_FIELD_TEXTS + 10):
        entry_text(_row([["z1", "incorrect", float(i) + 0.5, 1.0, None, None]]), None)
    assert len(gradebooks._FIELD_TEXTS) <= gradebooks._MAX_FIELD_TEXTS


def test_a_row_of_an_unusable_file():
    row = _row([], status="unusable", score=None, max_score=None, error="bad", error_detail={"message": "bad",
               "line": 3}, flags=[], warnings=[])
    assert entry_text(row, None) == encoded_entry(json_entry(row, None))
