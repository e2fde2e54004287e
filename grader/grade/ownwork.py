"""A quantity's own work: the student's value of it against what their own values give (:func:`own_work`, also
what ``grader.grade.engine.Context.accepted`` decides by); and a slip made in a step that is not asked on its own,
which an asked answer rests on (:func:`slipped`).

An asked value that follows from the student's own wrong value of another quantity is an error carried forward:
the error was charged where that quantity was graded. A quantity that is not asked (Exercise 6's gradients
``grad_w5``, a net input where only outputs are asked) is graded nowhere, so an error made in it would never be
charged. ``w5_new = 40 - 0.3·(-2.70606e-4)`` after ``∂E/∂w5 = δ_o1·h_1 = -2.70606e-4`` (a power-of-ten slip: the
student's own δ_o1 and h_1 give -2.70606e-5) was a carried error worth the field's points. An unasked quantity's
error is carried only when its value follows from the student's own values (which may themselves be wrong, where
they are asked, or follow in turn); otherwise the slip is in this answer's own work, and the answer is wrong.
"""

from __future__ import annotations

from fractions import Fraction

from grader.numfmt import fmt

__all__ = ["change", "own_work", "slipped", "slip_message"]


def change(s: float, s_exact: Fraction | None, base) -> float:
    """``s - base``, exactly when both are exact (so 30.00000000043 - 30 keeps every digit)."""
    if s_exact is not None and isinstance(base, Fraction):
        return float(s_exact - base)
    return s - float(base)


def own_work(ctx, view, d: str) -> tuple[float, float, object]:
    """(the student's value of ``d`` as compared, the value ``d``'s formula gives on the student's own values, the
    view of those values): on the change for an updated parameter. ``d`` is written in ``view``."""
    plan = ctx.plan
    node = plan.nodes[d]
    v = view.get(d)
    answered = d in ctx.answers and d not in view.overlay
    own = ctx.view(d) if answered else (view.child(d) if d in plan.compiled.identity_grads else view)
    if plan.judging.on_change(d):
        base = node.base
        exact = ctx.exact.get(d) if answered and base not in own.overlay else None
        return change(v, exact, own.get(base)), own.formula(plan.change_expr(d)), own
    return v, own.formula(node.expr), own


def slipped(ctx, view, follows) -> str | None:
    """The first of ``follows`` (the wrong values an asked answer rests on: (name, value) pairs) that carries an
    error charged nowhere: an unasked quantity whose value does not follow from the student's own values, or
    follows from such a one. None when every error is charged at an asked field."""
    memo: dict[tuple[int, str], bool] = {}  # (the view, a quantity) -> charged
    for d, _ in follows:
        if not _charged(ctx, view, d, memo):
            return d
    return None


def _charged(ctx, view, d: str, memo: dict[tuple[int, str], bool]) -> bool:
    if d in ctx.plan.fields or d not in ctx.plan.nodes:  # graded where it is asked (a given is flagged instead)
        return True
    hit = memo.get((id(view), d))
    if hit is not None:
        return hit
    memo[(id(view), d)] = True  # while deciding (the graph is acyclic; this only guards the identities)
    jg = ctx.plan.judging
    mine, follows, own = own_work(ctx, view, d)
    ok = jg.within_fn(jg.tolerance(d))(mine, follows) and all(
        _charged(ctx, own, x, memo) for x in own.sources(ctx.plan.nodes[d].expr)
        if x != d and not ctx.accepted(own, x))
    memo[(id(view), d)] = ok
    return ok


def slip_message(ctx, view, d: str, reveal: bool):
    """(the message, the diagnosis) of an answer that rests on ``d``'s slip. The diagnosis names the slip only where
    the numbers show one (``grader.grade.diagnose.by_value``: 0, the sign, a power of ten, rounding)."""
    from grader.grade.diagnose import by_value

    jg = ctx.plan.judging
    mine, follows, _ = own_work(ctx, view, d)
    v = view.get(d)
    change = " change" if jg.on_change(d) else ""
    if reveal:
        msg = (f"Incorrect: it follows from your {d} = {fmt(v)}, but your own values give {d}{change} = "
               f"{fmt(follows)}; {d} is not asked on its own, so the slip in it counts here.")
    else:
        msg = (f"Incorrect: it follows from your {d} = {fmt(v)}, which does not follow from your own values; {d} "
               "is not asked on its own, so the slip in it counts here.")
    found = by_value(mine, follows, jg.tolerance(d), f"the values you used for {d}", show=reveal)
    if found is not None:  # ("your value" is the asked answer's, which is right for its numbers)
        text = found.text.replace("your value", f"your {d}", 1)
        found = type(found)(found.id, text if text != found.text else f"In {d}: {text}")
    return msg, found
