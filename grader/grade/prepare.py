"""Before the engine grades a submission: the names it uses checked, its blank answers dropped, and whether the key's
values may be shown now (the reveal policy)."""

from __future__ import annotations

import dataclasses
import difflib
from datetime import datetime, timezone

from grader.errors import SubmissionError
from grader.grade.engine import Plan
from grader.spec.problem import Problem
from grader.submission.load import Submission

RevealOverride = str | None  # "always" | "never" | "after_due" | None (the problem's own policy)


def reveal_now(problem: Problem, override: RevealOverride = None, now: datetime | None = None) -> bool:
    """Whether expected values may be shown: always, never, or only once the problem's due date has passed."""
    policy = override or problem.reveal
    if policy == "always":
        return True
    if policy == "never":
        return False
    if not problem.due:
        return False
    due = datetime.fromisoformat(problem.due.replace("Z", "+00:00"))
    if due.tzinfo is None:
        due = due.replace(tzinfo=timezone.utc)
    return (now or datetime.now(timezone.utc)) >= due


def without_blanks(sub: Submission) -> Submission:
    """An answer left empty (``z1:`` with nothing after it, as in ``grade template``) is no answer: graded missing."""
    kept = {q: a for q, a in sub.answers.items() if a.value.text is not None or a.using}
    return sub if len(kept) == len(sub.answers) else dataclasses.replace(sub, answers=kept)


def check_names(plan: Plan, sub: Submission) -> None:
    """Every answer and every ``using`` must name a quantity or given value of the problem."""
    for q, ans in sub.answers.items():
        for name, path in [(q, ("answers", q))] + [(u, ("answers", q, "using", u)) for u in ans.using]:
            if name not in plan.known:
                close = difflib.get_close_matches(name, sorted(plan.known), n=3)
                asked = ", ".join(a.quantity for a in plan.problem.ask)
                raise SubmissionError(
                    f"unknown quantity '{name}' for problem {plan.problem.id}",
                    file=sub.source,
                    line=sub.document.line_of(path),
                    path=".".join(path),
                    hint=(f"did you mean {' or '.join(close)}? " if close else "") + f"this problem asks for: {asked}",
                )
