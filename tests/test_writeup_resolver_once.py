"""A write-up's names are read through its problem's name resolver, made once per problem (10-15 ms each time,
which a batch paid for every file): a second write-up of the same problem reuses it, another problem gets its own."""

from __future__ import annotations

from pathlib import Path

import grader.spec.notation as notation
from grader.solve.solver import solve
from grader.spec.load import load_problem
from grader.submission.writeup import writeup_submission

REPO = Path(__file__).resolve().parent.parent


def test_the_resolver_is_made_once_per_problem(monkeypatch):
    made = []
    build = notation.Resolver.for_problem.__func__
    monkeypatch.setattr(notation.Resolver, "for_problem", classmethod(lambda cls, p: made.append(p.id) or build(cls, p)))
    ex6 = solve(load_problem(REPO / "problems" / "exercise6.yaml"))
    other = solve(load_problem(REPO / "problems" / "classic_222.yaml"))
    text = "# Work\n\n$z_1 = -7.65$\n\n$\\delta_{o_1} = -0.0569$\n"
    first = writeup_submission(text, "md", "a.md", ex6, "exercise6")
    second = writeup_submission(text, "md", "b.md", ex6, "exercise6")
    writeup_submission(text, "md", "c.md", other, "classic_222")
    assert made.count("exercise6") == 1 and made.count(other.problem.id) == 1  # (problems loaded afresh here)
    assert set(first.answers) == set(second.answers) == {"z1", "delta_o1"}
