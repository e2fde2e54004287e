"""What a grading plan holds, as small plain classes, and the plan as builtins and back (the disk cache's entries).

A plan (``grader.grade.engine.Plan``) holds what grading needs of a solved problem and nothing of the solver: the
key's values as floats, each quantity's formula as a plain tree (``grader.grade.floatexpr``), the asked fields with
every sentence a report shows already written, the known mistakes of each asked field (``grader.solve.malrules``)
as trees, the name resolver's tables. ``encode`` turns a plan into tuples, dicts, strings and numbers (exact values
as integer pairs), which ``marshal`` writes and reads without importing anything; ``decode`` checks every part of
such data (shapes, types, that every formula reads only names the plan has) and raises ``ValueError`` for anything
else, so a malformed cache entry is recomputed, never used; a field's known mistakes (the bulk of a plan, needed only
for a wrong field) are checked by ``checked_rules`` when first needed, and recomputed from the key if malformed.
"""

from __future__ import annotations

from fractions import Fraction

from grader.grade.floatexpr import well_formed
from grader.grade.result import NetworkSketch
from grader.spec.tolerance import Tolerance

FORMAT = 2  # bump when the encoded shape changes


class Ask:
    """An asked quantity: what grading reads of ``grader.spec.problem.AskItem``."""

    __slots__ = ("quantity", "points", "tolerance")

    def __init__(self, quantity: str, points: float, tolerance: Tolerance) -> None:
        self.quantity, self.points, self.tolerance = quantity, points, tolerance


class Step:
    """A quantity of the key's graph: what grading reads of ``grader.solve.graph.Node`` (its formula as a tree)."""

    __slots__ = ("kind", "expr", "base", "step")

    def __init__(self, kind: str, expr, base: str | None, step: int) -> None:
        self.kind, self.expr, self.base, self.step = kind, expr, base, step


class ProblemInfo:
    """What grading reads of the problem (``grader.spec.problem.Problem``)."""

    __slots__ = ("id", "title", "randomized", "reveal", "due", "default_tolerance", "carried_credit", "params",
                 "updated_params", "frozen_updates", "given")

    def __init__(self, *, id: str, title: str, randomized: bool, reveal: str, due: str | None,
                 default_tolerance: Tolerance, carried_credit: float, params: tuple[str, ...],
                 updated_params: tuple[str, ...], frozen_updates: dict[str, str], given: tuple[str, ...]) -> None:
        self.id, self.title, self.randomized, self.reveal, self.due = id, title, randomized, reveal, due
        self.default_tolerance, self.carried_credit = default_tolerance, carried_credit
        self.params, self.updated_params, self.frozen_updates, self.given = params, updated_params, frozen_updates, given


class KeyField:
    """What the key says about one asked quantity, prepared once per problem. ``tree`` is what is compared: the
    formula, or for an updated parameter the change ``p_new - p``; ``expr`` the same as the solver's tree (for the
    practice page's compiler), from the full key."""

    __slots__ = ("ask", "expected", "expected_text", "description", "formula", "formula_latex", "worked",
                 "worked_latex", "on_change", "key_change", "tree", "accepted", "accepted_hidden", "plan")
    TEXTS = ("expected_text", "description", "formula", "formula_latex", "worked", "worked_latex", "accepted",
             "accepted_hidden")

    def __init__(self, *, ask: Ask, expected: float, expected_text: str, description: str, formula: str,
                 formula_latex: str, worked: str, worked_latex: str, on_change: bool, key_change: float | None, tree,
                 accepted: str = "", accepted_hidden: str = "") -> None:
        self.ask, self.expected, self.expected_text, self.description = ask, expected, expected_text, description
        self.formula, self.formula_latex, self.worked, self.worked_latex = formula, formula_latex, worked, worked_latex
        self.on_change, self.key_change, self.tree = on_change, key_change, tree
        self.accepted, self.accepted_hidden = accepted, accepted_hidden
        self.plan = None  # set by the plan that holds it

    @property
    def expr(self):
        return self.plan.key_expr(self.ask.quantity)


# --- the plan as builtins ----------------------------------------------------------------------------------------------


def _tol(t: Tolerance) -> tuple:
    return (t.mode, t.rtol, t.atol, t.digits, t.places)


def _exact(v: Fraction) -> tuple[int, int]:
    return (v.numerator, v.denominator)


def encode(plan) -> tuple:
    """``plan`` (a ``grader.grade.engine.Plan``) as builtins, with the known mistakes of every asked field and the
    name resolver's tables computed now."""
    from grader.spec.resolverstate import state

    info = plan.info
    fields = tuple(
        (q, kf.ask.points, _tol(kf.ask.tolerance), kf.expected, kf.on_change, kf.key_change, kf.tree)
        + tuple(getattr(kf, t) for t in KeyField.TEXTS)
        for q, kf in plan.fields.items()
    )
    return (
        "plan", FORMAT,
        (info.id, info.title, info.randomized, info.reveal, info.due, _tol(info.default_tolerance),
         info.carried_credit, info.params, info.updated_params, dict(info.frozen_updates), info.given),
        dict(plan.floats),
        {n: (s.kind, s.expr, s.base, s.step) for n, s in plan.nodes.items()},
        {n: _exact(v) for n, v in plan.exact.items()},
        dict(plan.changes),
        fields,
        tuple(sorted(plan.known)),
        tuple(getattr(plan.sketch, f) for f in ("layers", "weights", "biases", "nets", "activations")),
        {d: tuple(w) for d, w in plan.compiled.ways.items()},
        dict(plan.compiled.ranks),
        {q: tuple(r + (v,) for r, v in zip(plan.rule_trees(q), plan.malrule_key_values(q))) for q in plan.fields},
        state(plan.resolver),
    )


class _Bad(Exception):
    pass


def _need(ok: object) -> None:
    if not ok:
        raise _Bad


def _str(x) -> str:
    _need(type(x) is str)
    return x


def _number(x) -> float:
    _need(type(x) in (int, float))
    return x


def _strs(xs) -> tuple[str, ...]:
    _need(type(xs) is tuple and all(type(x) is str for x in xs))
    return xs


def _tolerance(t) -> Tolerance:
    _need(type(t) is tuple and len(t) == 5 and t[0] in ("relabs", "sigfig", "decimals"))
    mode, rtol, atol, digits, places = t
    _number(rtol), _number(atol)
    _need(type(digits) is int and type(places) is int)
    return Tolerance(mode=mode, rtol=rtol, atol=atol, digits=digits, places=places)


def decode(data: object) -> dict:
    """The keyword arguments of ``grader.grade.engine.Plan`` that ``encode`` wrote, checked; ``ValueError`` for
    anything that is not exactly such data."""
    try:
        return _decode(data)
    except (_Bad, TypeError, ValueError, KeyError, AttributeError, ZeroDivisionError):
        raise ValueError("not a grading plan") from None


def _decode(data) -> dict:
    from grader.spec.resolverstate import from_state

    _need(type(data) is tuple and len(data) == 14 and data[0] == "plan" and data[1] == FORMAT)
    (_, _, info, floats, nodes, exact, changes, fields, known, sketch, ways, ranks, rules, resolver) = data
    _need(type(floats) is dict and all(type(k) is str and type(v) is float for k, v in floats.items()))
    (pid, title, randomized, reveal, due, default, credit, params, updated, frozen, given) = info
    _need(type(randomized) is bool and (due is None or type(due) is str) and type(frozen) is dict)
    _need(all(type(k) is str and v in floats for k, v in frozen.items()) and set(_strs(given)) <= floats.keys())
    info = dict(id=_str(pid), title=_str(title), randomized=randomized, reveal=_str(reveal), due=due,
                default_tolerance=_tolerance(default), carried_credit=_number(credit), params=_strs(params),
                updated_params=_strs(updated), frozen_updates=frozen, given=given)
    _need(type(nodes) is dict and floats.keys() == nodes.keys() | set(given))
    steps = {}
    for n, (kind, expr, base, step) in nodes.items():
        _need(type(kind) is str and (base is None or base in floats) and type(step) is int)
        _need(well_formed(expr, floats))
        steps[n] = Step(kind, expr, base, step)
    _need(type(exact) is dict and type(changes) is dict)
    exact = {_str(n): Fraction(*_ints(v)) for n, v in exact.items()}
    _need(exact.keys() <= floats.keys() and changes.keys() == {n for n, s in steps.items() if s.kind == "new"})
    _need(all(type(v) is float for v in changes.values()) and all(steps[n].base for n in changes))
    kfs = {}
    for row in fields:
        q, points, tol, expected, on_change, key_change, tree, *texts = row
        _need(q in steps and type(expected) is float and type(on_change) is bool and well_formed(tree, floats))
        _need((key_change is None and not on_change) or (on_change and type(key_change) is float))
        _need(len(texts) == len(KeyField.TEXTS) and all(type(t) is str for t in texts))
        kfs[q] = KeyField(ask=Ask(q, _number(points), _tolerance(tol)), expected=expected, on_change=on_change,
                          key_change=key_change, tree=tree, **dict(zip(KeyField.TEXTS, texts)))
    _need(kfs and len(kfs) == len(fields))
    layers, weights, biases, nets, activations = sketch
    _need(all(type(layer) is tuple for layer in layers) and all(_strs(layer) for layer in layers))
    _need(all(len(_strs(w)) == 3 for w in weights) and all(len(n) == 2 and _strs(n) for n in nets))
    _need(all(type(b) is tuple and len(b) == 2 and _str(b[0]) and _strs(b[1]) is not None for b in biases))
    sk = NetworkSketch(layers=layers, weights=weights, biases=biases, nets=nets, activations=_strs(activations))
    _need(type(ways) is dict and type(ranks) is dict and ranks.keys() <= steps.keys())
    _need(all(type(r) is int for r in ranks.values()))
    for d, w in ways.items():
        _need(d in steps and type(w) is tuple)
        _need(all(len(pair) == 2 and pair[0] in ranks and well_formed(pair[1], floats) for pair in w))
    _need(type(rules) is dict and rules.keys() == kfs.keys() and all(type(rs) is tuple for rs in rules.values()))
    return dict(info=ProblemInfo(**info), floats=floats, nodes=steps, exact=exact, changes=changes, fields=kfs,
                known=frozenset(_strs(known)), sketch=sk, ways=ways, ranks=ranks,
                unchecked_rules=rules, resolver=from_state(resolver))


def checked_rules(rules: object, names) -> tuple[list[tuple[str, str, object]], list[float]]:
    """A field's cached mistakes, ``([(id, text, tree)], [value on the key])``, checked as the rest of a plan is when
    it is read (they are checked only when a wrong field needs them); ``ValueError`` for anything else."""
    if type(rules) is not tuple or not all(
            type(r) is tuple and len(r) == 4 and type(r[0]) is str and type(r[1]) is str and type(r[3]) is float
            and well_formed(r[2], names) for r in rules):
        raise ValueError("not a field's mistakes")
    return [r[:3] for r in rules], [r[3] for r in rules]


def _ints(v) -> tuple[int, int]:
    _need(type(v) is tuple and len(v) == 2 and type(v[0]) is int and type(v[1]) is int and v[1] > 0)
    return v
