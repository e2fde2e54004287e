"""Before the engine grades a submission: the names it uses resolved, its blank answers dropped, and whether the key's
values may be shown now (the reveal policy)."""

from __future__ import annotations

from grader.errors import SubmissionError
from grader.grade.engine import Plan, ProblemInfo
from grader.record import replace
from grader.submission.load import NameIssue, Submission, resolve_names

TYPE_CHECKING = False  # typing costs milliseconds at start-up: only a type checker imports it
if TYPE_CHECKING:
    from datetime import datetime

    from grader.spec.problem import Problem

RevealOverride = str | None  # "always" | "never" | "after_due" | None (the problem's own policy)


def reveal_now(problem: Problem | ProblemInfo, override: RevealOverride = None, now: datetime | None = None) -> bool:
    """Whether expected values may be shown: always, never, or only once the problem's due date has passed."""
    policy = override or problem.reveal
    if policy == "always":
        return True
    if policy == "never":
        return False
    if not problem.due:
        return False
    from datetime import datetime, timezone

    due = datetime.fromisoformat(problem.due.replace("Z", "+00:00"))
    if due.tzinfo is None:
        due = due.replace(tzinfo=timezone.utc)
    return (now or datetime.now(timezone.utc)) >= due


def without_blanks(sub: Submission) -> Submission:
    """An answer left empty (``z1:`` with nothing after it, as in ``grade template``) is no answer: graded missing."""
    kept = {q: a for q, a in sub.answers.items() if a.value.text is not None or a.using}
    return sub if len(kept) == len(sub.answers) else replace(sub, answers=kept)


def resolve_submission(plan: Plan, sub: Submission, *, refuse_empty: bool = True) -> tuple[Submission, tuple[NameIssue, ...]]:
    """The submission with its names as the problem spells them (``grader.spec.notation``), and one warning per name
    that does not resolve: only that answer (or ``using`` entry) is lost. With ``refuse_empty``, a submission none of
    whose answers resolve is refused (nothing could be graded): the first unknown name is the error."""
    resolved, issues = resolve_names(sub, plan.resolver, plan.info.id)
    if issues and refuse_empty and sub.answers and not resolved.answers:
        raise name_error(issues[0], sub.source)
    return resolved, issues


def name_error(issue: NameIssue, source: str | None) -> SubmissionError:
    """The refusal of a submission none of whose names resolve: its first unknown name."""
    return SubmissionError(issue.message.split(": this ")[0], file=source, line=issue.line,
                           path=".".join(issue.path), hint=issue.hint)
