"""The variant of a randomized problem for one student: drawn (``grader.spec.variant``), then solved and checked.

Attempts k = 0, 1, ... are tried in order until the variant meets every constraint of its ``randomize:`` section
(``no_saturation``: σ′ and tanh′ at least ``MIN_SLOPE`` at every neuron; ``min_change``: no asked quantity, and for an
updated parameter no change p_new − p, would pass the tolerance as 0; ``nonzero``: no randomized value and no asked
quantity is 0); none within ``attempts`` is an error naming the constraint that failed most. The statement's
``{{name}}`` placeholders get the student's values (``fill_statement``).
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from fractions import Fraction

from grader.errors import GraderError, SpecError
from grader.solve.exact import to_decimal_string
from grader.solve.solver import AnswerKey, check_work, solve
from grader.spec.problem import Problem
from grader.spec.tolerance import within
from grader.spec.variant import PLACEHOLDER, Variant, draw, seed_of, with_values

MIN_SLOPE = 1e-3
# The search budget of one student's variant, in solver work units (``grader.solve.solver.work_of``) summed over
# the attempts: about 1,000 attempts of a 2-2-2 network, a few seconds. Counted, not timed, so the variant a
# student gets never depends on the machine's speed.
SEARCH_BUDGET = 15_000


def show(value: Fraction) -> str:
    return to_decimal_string(value, 25, trim=True)


def fill_statement(statement: str, given: dict[str, Fraction]) -> str:
    """Replace every ``{{name}}`` by the given value ``name``."""

    def sub(m: re.Match) -> str:
        name = m.group(1)
        if name not in given:
            raise SpecError(f"the statement names {{{{{name}}}}}, which is not a given value",
                            path="statement", hint=f"given values: {', '.join(given)}")
        return show(given[name])

    return PLACEHOLDER.sub(sub, statement)


def violations(key: AnswerKey) -> list[str]:
    """The constraints of ``key.problem.randomize`` that ``key`` breaks, as short reasons."""
    problem, rz = key.problem, key.problem.randomize
    out = []
    if rz.no_saturation:
        for name, node in key.graph.nodes.items():
            if node.kind != "activation" or node.neuron is None:
                continue
            kind, o = problem.network.activation_of(node.neuron).kind, key.floats[name]
            slope = o * (1 - o) if kind == "sigmoid" else 1 - o * o if kind == "tanh" else None
            if slope is not None and slope < MIN_SLOPE:
                out.append(f"no_saturation ({name})")
    for ask in problem.ask:
        q = ask.quantity
        on_change = key.node(q).kind == "new"
        true = key.change(q) if on_change else key.values[q]
        if rz.min_change and within(0.0, float(true), ask.tolerance):
            out.append(f"min_change ({q})")
        elif rz.nonzero and true == 0:
            out.append(f"nonzero ({q})")
    return out


def variant_problem(problem: Problem, student: str) -> Variant:
    """The variant of ``problem`` (which has ``randomize``) for ``student``; raises ``SpecError`` when no attempt
    meets the constraints."""
    rz = problem.randomize
    if rz is None:
        raise SpecError(f"problem {problem.id} is not randomized", hint="add a randomize: section")
    student = str(student).strip()
    seed = seed_of(problem.id, student)
    grids = {}
    for name, rng in rz.ranges.items():
        grid = [v for v in rng.values() if not (rz.nonzero and v == 0)]
        if not grid:
            raise SpecError(f"randomize: the grid of {name} has no value", hint="widen it")
        grids[name] = grid
    failed: Counter[str] = Counter()
    work = check_work(problem)
    tries = min(rz.attempts, max(1, SEARCH_BUDGET // work))
    for attempt in range(tries):
        values = {name: draw(seed, attempt, name, grid) for name, grid in grids.items()}
        candidate = with_values(problem, values)
        try:
            key = solve(candidate)
        except GraderError as exc:  # e.g. log of 0: not a usable variant
            failed[f"solvable ({exc.message})"] += 1
            continue
        bad = violations(key)
        if not bad:
            statement = fill_statement(problem.statement, candidate.given_values())
            return Variant(dataclasses.replace(candidate, statement=statement, variant=student),
                           student, seed, attempt, values)
        failed.update(b.split(" ")[0] for b in bad[:1])
    worst = ", ".join(f"{k} ({n}x)" for k, n in failed.most_common(3))
    budget = (f" (the search budget: {SEARCH_BUDGET:,} units of work, {work:,} per attempt for this problem, so at "
              f"most {tries:,} of the {rz.attempts:,} attempts asked)") if tries < rz.attempts else ""
    raise SpecError(f"problem {problem.id}: no variant for student {student!r} met the constraints in "
                    f"{tries:,} attempts{budget}; failed: {worst}",
                    file=problem.source, path="randomize", hint="widen the grids or relax the constraints")
