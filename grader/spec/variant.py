"""A randomized problem for one student: how the given values are drawn and put in (``grader.solve.variant`` checks
the draw against the constraints by solving it, ``grader.author.variants`` writes every student's files).

A problem with a ``randomize:`` section (``grader.spec.schema.RandomizeSpec``) gives every student their own given
values, drawn from the grids of that section:

* the seed is ``sha256("<problem id>:<student id>")``; attempt k draws each randomized value ``name`` as grid entry
  ``sha256("<seed>:<k>:<name>") mod len(grid)``, so a variant depends only on the problem id, the student id and
  the grids: regenerating gives the same values on any machine and Python version;
* attempts k = 0, 1, ... are tried in order until the variant meets every constraint (``grader.solve.variant``).

The statement may name given values as ``{{w1}}`` (``PLACEHOLDER``); ``grader.solve.variant.fill_statement`` puts the
student's values there.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass
from fractions import Fraction

from grader.spec.problem import LEARNING_RATE, MOMENTUM, Example, Problem

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}")


@dataclass(frozen=True)
class Variant:
    problem: Problem  # the student's problem: values substituted, statement filled, ``variant`` = student id
    student: str
    seed: str  # hex sha256 of "<problem id>:<student id>"
    attempt: int  # the first attempt that met every constraint
    values: dict[str, Fraction]  # the randomized given values


def seed_of(problem_id: str, student_id: str) -> str:
    return hashlib.sha256(f"{problem_id}:{student_id}".encode()).hexdigest()


def draw(seed: str, attempt: int, name: str, grid: list[Fraction]) -> Fraction:
    digest = hashlib.sha256(f"{seed}:{attempt}:{name}".encode()).digest()
    return grid[int.from_bytes(digest, "big") % len(grid)]


def with_values(problem: Problem, values: dict[str, Fraction]) -> Problem:
    """``problem`` with some given values replaced (names of ``Problem.given_values``)."""
    if not values:
        return problem
    examples = []
    for j, ex in enumerate(problem.examples, start=1):
        sfx = f"_x{j}" if problem.batched else ""
        inputs = {i: values.get(i + sfx, v) for i, v in ex.inputs.items()}
        targets = {o: values.get(problem.network.target_name(o) + sfx, v) for o, v in ex.targets.items()}
        examples.append(Example(inputs, targets))
    params = {p: values.get(p, v) for p, v in problem.params.items()}
    tr = problem.training
    training = dataclasses.replace(tr, learning_rate=values.get(LEARNING_RATE, tr.learning_rate),
                                   momentum=values.get(MOMENTUM, tr.momentum))
    return dataclasses.replace(problem, examples=tuple(examples), params=params, training=training)


