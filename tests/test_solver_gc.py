"""The solver pauses garbage collection while it evaluates (issue 16 item 5) and always turns it back on."""

from __future__ import annotations

import gc

import pytest

from grader.errors import SpecError
from grader.solve import solver
from netbuild import exercise6


def test_gc_paused_during_solve_and_restored(monkeypatch):
    seen = []
    real = solver._solve
    monkeypatch.setattr(solver, "_solve", lambda p: (seen.append(gc.isenabled()), real(p))[1])
    assert gc.isenabled()
    solver.solve(exercise6())
    assert seen == [False] and gc.isenabled()


def test_gc_restored_after_an_error(monkeypatch):
    def boom(p):
        raise SpecError("no")

    monkeypatch.setattr(solver, "_solve", boom)
    with pytest.raises(SpecError):
        solver.solve(exercise6())
    assert gc.isenabled()


def test_gc_left_off_when_the_caller_turned_it_off():
    gc.disable()
    try:
        solver.solve(exercise6())
        assert not gc.isenabled()
    finally:
        gc.enable()
