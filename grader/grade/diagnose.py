"""Name the likely mistake behind a wrong value.

Tried in order, first match wins (``grader.grade.engine._diagnose``):
1. a flagged ``using`` value is another quantity's value: an updated weight (sequential update) or another
   weight in this one's place (mixed indices);
2. the value follows from the student's own numbers only if a flagged (untrusted) ``using`` value is believed;
3. the value is exactly the right one rounded to 1-4 significant digits (before any formula merely within
   tolerance);
4. a known wrong formula (``grader.solve.malrules``) reproduces it, on the student's values or on the key's;
5. value-level slips against what follows from the student's values: 0, the sign alone (the size agrees), a power
   of ten; then the inputs rounded too early;
   (a known formula or an early rounding is named only where its own value would be marked wrong: one within
   tolerance of the right value cannot explain a wrong answer, however close the student's value is to it; nor a
   mistake made inside a delta or gradient that the field's ``using`` gives a value for)
6. the inputs were all right, so the slip is in the arithmetic; or else sign and size both differ.
For an updated parameter every comparison is on the change ``p_new - p``.
"""

from __future__ import annotations

import math

from grader.grade.flags import EXACT
from grader.grade.result import Diagnosis
from grader.spec import names
from grader.spec.tolerance import Tolerance, round_sig, within
from grader.numfmt import fmt

TYPE_CHECKING = False  # typing costs milliseconds at start-up: only a type checker imports it
if TYPE_CHECKING:
    from typing import Callable

MAX_POWER = 8
# ``diagnose``'s pass over the known mistakes writes out ``within``'s relabs comparison (a function call less per
# rule); with False it calls the tolerance's comparison instead (what the tests check that pass against)
FUSED_RELABS = True


def by_value(s: float, target: float, tol: Tolerance, whose: str, *, show: bool = True,
             zero: str | None = None, rounding_checked: bool = False) -> Diagnosis | None:
    """Slips that need no formula: 0, the sign alone, a power of ten, early rounding. ``whose`` says where
    ``target`` comes from; ``zero`` is the sentence for a 0, worded for what the quantity is (``{whose}`` and
    ``{target}`` filled in; for an updated parameter "you left w5 unchanged"); ``show`` False (exam mode) keeps every
    number derived from the key out of the text. ``rounding_checked``: the caller found already that ``s`` is not
    ``target`` rounded (``rounded`` gave None), so that last check is left out."""
    if target == 0 or not math.isfinite(target):
        return None
    if not show:
        d = by_value(s, target, tol, whose, zero=zero, rounding_checked=rounding_checked)
        if d and d.id == "zero":
            return Diagnosis("zero", (zero or ZERO).format(whose=whose, target="something else"))
        return Diagnosis(d.id, _HIDDEN[d.id].format(whose=whose)) if d else None
    if s == 0:
        return Diagnosis("zero", (zero or ZERO).format(whose=whose, target=fmt(target)))
    if within(-s, target, tol):
        return Diagnosis("wrong_sign", f"Right size, wrong sign: {whose} give {fmt(target)}; check the signs in your work.")
    if not math.isfinite(s):
        return None
    ratio = s / target
    if not math.isfinite(ratio) or ratio == 0:
        return None
    if ratio > 0:
        k = round(math.log10(ratio))
        if k != 0 and abs(k) <= MAX_POWER and within(s, target * 10.0**k, tol):
            times = f"10^{k}" if k != 1 else "10"
            return Diagnosis(
                "power_of_ten",
                f"A power-of-ten slip: your value is {times} times what {whose} give ({fmt(target)}); look for a lost or extra zero.",
            )
    return None if rounding_checked else rounded(s, target, whose)


def rounded(s: float, target: float, whose: str, *, show: bool = True) -> Diagnosis | None:
    """Is ``s`` exactly ``target`` rounded to 1-4 significant digits? (Checked before any wrong formula: a value
    that is the right one rounded is rounding, even when some wrong formula lands within tolerance of it.)"""
    if target == 0 or not math.isfinite(target) or not math.isfinite(s):
        return None
    # ``_rounded_to(s, target, roundings(target), show)``, rounding ``target`` only to the digits that could give
    # ``s``: rounding to d digits moves a value by at most half a unit in its d-th digit, at most
    # 0.5·10^(1-d)·|target| (``REACH``, with a wide margin for the float arithmetic), so a farther ``s`` is not
    # ``target`` rounded to d digits, nor to more.
    gap, size = abs(s - target), abs(target)
    for d, reach in REACH:
        if gap > size * reach + 1e-299:
            return None
        r = _round_sig(target, d)
        if r != target and abs(s - r) <= size * 1e-12 + 1e-300:
            return _rounding_diagnosis(target, d, show)
    return None


# (d, the farthest, relative to |target|, that target rounded to d significant digits and a value within 1e-12 of
# that can be from target): half a unit in the d-th digit, widened by 1 % and 1e-11 for the float arithmetic
REACH = tuple((d, 0.5 * 10.0 ** (1 - d) * 1.01 + 1e-11) for d in (1, 2, 3, 4))


def roundings(target: float) -> tuple[tuple[int, float], ...]:
    """(d, ``target`` rounded to d significant digits) for d = 1..4 where that differs from ``target``."""
    return tuple((d, r) for d in (1, 2, 3, 4) if (r := _round_sig(target, d)) != target)


def _rounded_to(s: float, target: float, pairs, show: bool) -> Diagnosis | None:
    """``rounded`` with the roundings of ``target`` already made (``roundings``; the key's are made once)."""
    for d, r in pairs:
        if abs(s - r) <= abs(target) * 1e-12 + 1e-300:
            return _rounding_diagnosis(target, d, show)
    return None


def _rounding_diagnosis(target: float, d: int, show: bool) -> Diagnosis:
    if not show:
        return Diagnosis("rounding_too_early", _HIDDEN["rounding_too_early"])
    return Diagnosis(
        "rounding_too_early",
        f"Your value is {fmt(target)} rounded to {d} significant digit{'s' if d > 1 else ''}: keep more digits.",
    )


def sign_and_size(s: float, target: float, whose: str, *, show: bool = True) -> Diagnosis | None:
    """The sign is opposite and the size differs too: say both (not "the sign is wrong", which a size that agrees
    would mean)."""
    if not (math.isfinite(s) and math.isfinite(target)) or s * target >= 0:
        return None
    if not show:
        return Diagnosis("sign_and_size", _HIDDEN["sign_and_size"].format(whose=whose))
    return Diagnosis("sign_and_size", f"Sign and size both differ: {whose} give {fmt(target)}, but you wrote {fmt(s)}; "
                                      "recompute it step by step.")


ZERO = "Your value is 0, but {whose} give {target}."
ZERO_CHANGE = "You left {base} unchanged ({q} = {base}), but {whose} give a change {q} − {base} of {target}: no update at all."
_HIDDEN = {
    "wrong_sign": "Right size, wrong sign compared with what {whose} give; check the signs in your work.",
    "power_of_ten": "A power-of-ten slip: your value is off by a factor of 10, 100, ... from what {whose} give; look for a lost or extra zero.",
    "sign_and_size": "Sign and size both differ from what {whose} give; recompute it step by step.",
    "rounding_too_early": "Your value is the right value rounded to too few significant digits: keep more digits.",
}


def rounding_upstream(s: float, formula_at: Callable[[int], float], tol: Tolerance,
                      target: float) -> Diagnosis | None:
    """Does the formula with its inputs cut to 2 or 3 significant digits give ``s`` (where full precision does not)?
    Only where that rounding would itself be marked wrong: a value within tolerance of ``target`` (the formula at
    full precision) cannot explain a wrong one."""
    for d in (2, 3):
        v = formula_at(d)
        if math.isfinite(v) and within(s, v, tol) and not within(v, target, tol):
            return Diagnosis(
                "rounding_too_early",
                f"The values this is computed from were rounded to {d} significant digits too early; carry more digits until the end.",
            )
    return None


def round_env(env: dict[str, float], digits: int) -> dict[str, float]:
    """Each value of ``env`` rounded to ``digits`` significant digits (``_round_sig``). The cache is read here
    first, without a call: it holds only nonzero finite values, so a 0 (of either sign), an inf or a nan misses and
    goes to ``_round_sig``, which returns it as it is."""
    cache, out = _ROUNDED, {}
    for k, v in env.items():
        hit = cache.get((v, digits))
        out[k] = hit if hit is not None else _round_sig(v, digits)
    return out


_ROUNDED: dict[tuple[float, int], float] = {}  # (x, digits) -> round_sig(x, digits): a class's values repeat
ROUNDED_MAX = 1024  # entries (about 200 bytes each): a batch worker's memory stays flat, whatever values are written


def _round_sig(x: float, digits: int) -> float:
    """``round_sig``, remembered for nonzero finite ``x`` (a 0 keeps its sign, so it is never looked up)."""
    if x == 0 or not math.isfinite(x):
        return x
    hit = _ROUNDED.get((x, digits))
    if hit is None:
        if len(_ROUNDED) >= ROUNDED_MAX:
            _ROUNDED.clear()
        hit = _ROUNDED[(x, digits)] = round_sig(x, digits)
    return hit


def diagnose(ctx, kf, s: float, student_cmp, view_t, view_u) -> Diagnosis | None:
    """The likely mistake of a wrong field, in the order of this module's docstring (first match wins). ``ctx`` is
    the submission's ``grader.grade.engine.Context``, ``kf`` the field's ``KeyField``, ``view_t``/``view_u`` its
    views with the trusted / all ``using`` values, ``student_cmp(view)`` the student's value as compared (the change
    for an updated parameter)."""
    plan, q, tol, expr, reveal = ctx.plan, kf.ask.quantity, kf.ask.tolerance, kf.tree, ctx.reveal
    jg = plan.judging
    ok = jg.within_fn(tol)
    if view_u is not view_t:  # the same view: every ``using`` value is trusted, none is flagged
        flagged = {u: v for u, v in view_u.overlay.items() if u not in view_t.overlay}
        # 1. a flagged `using` value that is another quantity's: an updated weight, or another weight in this slot
        d = _slot(ctx, q, flagged)
        if d:
            return d
        # 2. follows only from values the student contradicted elsewhere
        if ok(student_cmp(view_u), view_u.formula(expr)):
            bad = ", ".join(f"{u} = {fmt(v)}" for u, v in flagged.items())
            return Diagnosis(
                "uses_flagged_value",
                f"This follows from {bad}, which contradicts your own work or the given values (see the flags); credit for a carried error needs consistent values.",
            )
    own = student_cmp(view_u)
    target = view_u.formula(expr)
    whose = "the values you used" if _rests_on_own(plan, kf, view_u, view_t) else "the given values"
    # 3. exactly the right value rounded, before any wrong formula that is merely within tolerance (one that gives
    #    the value exactly still wins: -8 is -7.65 rounded to one digit, but exactly w1·i1 + w2·i2 without b1)
    rules, fns, on_key_values, key_target, key_roundings = jg.rules(q)
    if fns is None:  # a field's first wrong answer: each rule walked once (``View.value``), compiled from the next
        mine = [view_u.value(tree) for _, _, tree in rules]
    else:
        get = view_u.get
        mine = [f(get) for f in fns]  # the same values (``View.formula``), with the closures made once per plan
    inf = math.inf
    on_key = student_cmp(plan.key_view)
    # one pass over the rules for step 3's exact match and step 4's match within tolerance (``ok``, its relabs
    # case written out: the same operations), the first of each; step 4's is returned after step 3's rounding.
    # A mistake counts only where it would be marked wrong: a rule whose value is within tolerance of the right
    # value on the same numbers (``target``; on the key's, ``key_target``) does not explain a wrong answer.
    # Nor does one that computes again, wrongly, a delta or gradient the student says they used here (a ``using``
    # value of this field): the number they plugged in says they did not make that mistake.
    relabs = FUSED_RELABS and tol.mode == "relabs"
    atol, rtol = (tol.atol, tol.rtol) if relabs else (0.0, 0.0)
    stated = ctx.usings.get(q)
    near = None
    for rule, v, on_key_value in zip(rules, mine, on_key_values):
        gap, size = abs(own - v), abs(v)
        if gap <= 0.0 + 1e-6 * size < inf and not ok(v, target):  # within(own, v, SAME)
            if not _rederives(plan, q, rule[2], stated):
                return Diagnosis(rule[0], rule[1])
            continue
        if near is None and (
                ((gap <= atol + rtol * size < inf and not ok(v, target))
                 or (abs(on_key - on_key_value) <= atol + rtol * abs(on_key_value) < inf
                     and not ok(on_key_value, key_target)))
                if relabs else ((ok(own, v) and not ok(v, target))
                                or (ok(on_key, on_key_value) and not ok(on_key_value, key_target)))):
            if not _rederives(plan, q, rule[2], stated):
                near = rule
    d = rounded(own, target, whose, show=reveal)
    if d is None and key_target != 0 and math.isfinite(key_target) and math.isfinite(on_key):
        d = _rounded_to(on_key, key_target, key_roundings, reveal)  # rounded(on_key, the key's target, ...)
    if d:
        return d
    # 4. a known wrong formula, on the student's values, then on the key's (those are the same for every student)
    if near is not None:
        return Diagnosis(near[0], near[1])
    # 5. value-level slips against what the values the student used give (the key's, where they used no others)
    zero = jg.zero_sentence(q) if kf.on_change else None
    d = by_value(own, target, tol, whose, show=reveal, zero=zero, rounding_checked=True)  # step 3 checked it
    if d:
        return d
    compiled = plan.compiled
    deps = compiled.names(expr)
    get = view_u.get
    env = {n: get(n) for n in deps}
    f = compiled.closure(expr)
    d = rounding_upstream(own, lambda digits: f(round_env(env, digits).__getitem__), tol, target)
    if d:
        return d
    # 6. inputs right: arithmetic; else, if nothing explains it, say what differs
    judge = jg.judge
    for n in deps:
        if not judge(n)(env[n], None):
            return sign_and_size(own, target, whose, show=reveal)
    return Diagnosis("arithmetic", "The values this is computed from are right, so the slip is in the arithmetic: recompute it step by step.")


def _rests_on_own(plan, kf, view_u, view_t) -> bool:
    """Does the field's compared formula rest on any of the student's own numbers in ``view_u``
    (``view_u.sources(kf.tree)`` not empty)? For an updated parameter ``p_new = p + change`` whose every ``using``
    value is trusted, the engine has already found the sources of the whole formula in this same view (its
    ``follows``): they are the change's and ``p`` when written, so only ``p`` alone among them leaves it open."""
    q = kf.ask.quantity
    if view_u is view_t and q in plan.judging.base_plus_change:
        node = plan.nodes[q]
        whole = view_t.sources(node.expr)  # remembered: no lookup is made again
        if len(whole) > (node.base in whole):
            return True
        if not whole:
            return False
    return bool(view_u.sources(kf.tree))


SAME = Tolerance(rtol=1e-6, atol=0.0)  # a written value "is" another quantity's value
_THROUGH = {"new": "grad", "grad": "delta"}  # a field kind -> the kind of dependency whose mistakes it carries


def _rederives(plan, q: str, tree, stated) -> bool:
    """Does the known mistake ``tree`` of field ``q`` compute again (wrongly) a gradient or delta in ``stated``? A
    mistake carried in from a dependency (``grader.solve.malrules._through``: a gradient's into an update, a delta's
    into a gradient) has the dependency's formula in its place, so the tree no longer names it; every other known
    mistake of an update or a gradient keeps naming its gradient or delta."""
    if not stated:
        return False
    nodes, names = plan.nodes, plan.compiled.names
    kept = set(names(tree))
    todo = [q]
    while todo:
        n = todo.pop()
        want = _THROUGH.get(nodes[n].kind)
        if want is None:
            continue
        for d in names(nodes[n].expr):
            if d in nodes and nodes[d].kind == want and d not in kept:
                if d in stated:
                    return True
                todo.append(d)  # a gradient computed again: its delta may be too
    return False


def _slot(ctx, q: str, flagged: dict[str, float]) -> Diagnosis | None:
    """Is a flagged ``using`` value of a given parameter really another quantity's value: the parameter after the
    update (sequential update) or another weight of the network (mixed indices)?"""
    plan = ctx.plan
    node = plan.nodes[q]
    params, floats = plan.info.params, plan.floats
    same = plan.judging.within_fn(SAME)  # ``within(·, ·, SAME)``, the same operations
    for u, v in flagged.items():
        if u not in params:
            continue
        new = names.new_name(u, node.step)
        mine = ctx.answers.get(new)
        if new in plan.nodes and ((mine is not None and within(v, mine, EXACT)) or (
                plan.changes[new] != 0 and within(v - plan.floats[u], plan.changes[new], plan.info.default_tolerance))):
            return Diagnosis(
                "sequential_update",
                f"You used {u} = {fmt(v, 10)}, which is the updated {new}: every delta and gradient of a step uses the "
                f"weights from before the update.",
            )
        if same(v, floats[u]):  # ``v`` is the parameter's own value: no other weight's, whichever (asked once)
            continue
        others = [p for p in params if p != u and same(v, floats[p])]
        if others:
            return Diagnosis(
                "mixed_indices",
                f"You used {others[0]}'s value {fmt(v, 10)} in the place of {u}: the weights are mixed up; use the "
                f"weight that connects the two units of each term.",
            )
    return None
