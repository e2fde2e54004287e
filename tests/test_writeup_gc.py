"""Reading a write-up pauses garbage collection (its tokens and trees make no cycles; collections were a third of
reading a 1 MB write-up of formulas, issue 13) and always turns it back on, also after an error."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from grader.errors import LimitError
from grader.grade.pipeline import Grader
from grader.spec.load import find_problem
from grader.submission import writeup

TEXT = "# 400222100 — Reza Mosavi\n\n$$z_1 = (-15) \\cdot 0.8 + 20 \\cdot 0.2 + 0.35 = -7.65$$\n"


@pytest.fixture(scope="module")
def key():
    return Grader().plan_at(find_problem("exercise6")).key


def test_gc_paused_while_reading_and_restored(monkeypatch, key):
    seen = []
    real = writeup._Reader.read
    monkeypatch.setattr(writeup._Reader, "read", lambda self, text: (seen.append(gc.isenabled()), real(self, text))[1])
    assert gc.isenabled()
    sub = writeup.writeup_submission(TEXT, "md", "t.md", key, "exercise6")
    assert seen == [False] and gc.isenabled()
    assert sub.answers["z1"].value.text == "-7.65"  # read as usual


def test_gc_restored_after_an_error(key):
    rows = "".join(f"$$z_1 = {i}$$\n" for i in range(20001))  # more rows of math than a write-up may have
    with pytest.raises(LimitError):
        writeup.writeup_submission(rows, "md", "t.md", key, "exercise6")
    assert gc.isenabled()


def test_gc_left_off_when_the_caller_turned_it_off(key):
    gc.disable()
    try:
        writeup.writeup_submission(TEXT, "md", "t.md", key, "exercise6")
        assert not gc.isenabled()
    finally:
        gc.enable()
