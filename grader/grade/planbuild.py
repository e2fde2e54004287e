"""From a solved key to a grading plan's plain data: the one module of ``grader.grade`` that reads the solver's trees.

``grader.grade.engine.make_plan`` calls ``key_data`` once per problem; everything grading evaluates afterwards is a
formula tree of builtins (``grader.grade.floatexpr``), so a plan read back from the disk cache grades without the
solver. Only the uncached path (and the Expr-facing parts of a plan that practice pages use) imports this module.
"""

from __future__ import annotations

from fractions import Fraction

from grader.grade.plandata import Ask, KeyField, ProblemInfo, Step
from grader.grade.result import NetworkSketch
from grader.solve.expr import Add, Div, Expr, Fn, Mul, Neg, Num, Pick, Pow, Sym, add, latex_name, to_latex, to_text
from grader.solve.graph import Graph
from grader.solve.malrules import change_expr
from grader.solve.solver import AnswerKey
from grader.solve.wellposed import accepted_for, change_digits
from grader.solve.worked import worked_latex, worked_text
from grader.spec import names


def to_tree(e: Expr):
    """``e`` as a plain formula tree (``grader.grade.floatexpr``), with every constant as the float
    ``compile_float`` would use."""
    if isinstance(e, Sym):
        return e.name
    if isinstance(e, Num):
        return float(e.value)
    if isinstance(e, Add):
        return ("+",) + tuple(to_tree(t) for t in e.terms)
    if isinstance(e, Mul):
        return ("*",) + tuple(to_tree(f) for f in e.factors)
    if isinstance(e, Neg):
        return ("neg", to_tree(e.arg))
    if isinstance(e, Div):
        return ("/", to_tree(e.num), to_tree(e.den))
    if isinstance(e, Pow):
        k = e.exp
        if not isinstance(k, int) and k.denominator == 1:
            k = int(k)
        return ("^r", to_tree(e.base), float(k)) if isinstance(k, Fraction) else ("^", to_tree(e.base), k)
    if isinstance(e, Fn):
        return ("fn", e.name, to_tree(e.arg), float(e.p0), float(e.p1))
    if isinstance(e, Pick):
        return (e.name, to_tree(e.a), to_tree(e.b), None if e.da is None else to_tree(e.da),
                None if e.db is None else to_tree(e.db))
    raise TypeError(f"not an expression: {e!r}")


def identities(graph: Graph) -> dict[str, tuple[tuple[str, Expr], ...]]:
    """delta -> ((gradient, the delta in terms of that gradient), ...) from the gradients' own formulas:
    ``grad_b = delta`` gives ``delta = grad_b``; ``grad_b = delta_1 + delta_2`` gives ``delta_1 = grad_b − delta_2``;
    ``grad_w = delta·a`` gives ``delta = grad_w / a``. In the order of ``gradient_ranks``."""
    ranks = gradient_ranks(graph)
    found: dict[str, list[tuple[str, Expr]]] = {}
    for g, node in graph.nodes.items():
        if g not in ranks:
            continue
        e = node.expr
        if isinstance(e, Sym):
            found.setdefault(e.name, []).append((g, Sym(g)))
        elif isinstance(e, Add):
            for t in e.terms:
                found.setdefault(t.name, []).append((g, add(Sym(g), *(Neg(o) for o in e.terms if o != t))))
        else:
            found.setdefault(e.factors[0].name, []).append((g, Div(Sym(g), e.factors[1])))
    return {d: tuple(sorted(v, key=lambda r: ranks[r[0]])) for d, v in found.items()}


def gradient_ranks(graph: Graph) -> dict[str, int]:
    """The gradients that state a delta, ranked: a bias feeding one neuron (it *is* the delta), then a shared bias
    (the sum of its deltas), then a weight (a delta times an input), each in the graph's order. A gradient stands in
    for an unwritten delta only when grading quantities downstream or gradients of a later rank, so two gradients
    that say the same wrong delta cost the student once, not never."""
    kinds: dict[str, tuple[int, int]] = {}
    for i, (g, node) in enumerate(graph.nodes.items()):
        if node.kind != "grad":
            continue
        e = node.expr
        if isinstance(e, Sym) and _is_delta(graph, e.name):
            kinds[g] = (0, i)
        elif isinstance(e, Add) and all(isinstance(t, Sym) and _is_delta(graph, t.name) for t in e.terms):
            kinds[g] = (1, i)
        elif (isinstance(e, Mul) and len(e.factors) == 2 and all(isinstance(f, Sym) for f in e.factors)
              and _is_delta(graph, e.factors[0].name)):
            kinds[g] = (2, i)
    return {g: r for r, g in enumerate(sorted(kinds, key=kinds.__getitem__))}


def _is_delta(graph: Graph, name: str) -> bool:
    node = graph.nodes.get(name)
    return node is not None and node.kind == "delta"


def frozen_updates(problem) -> dict[str, str]:
    """``b_new`` (and later steps' names) of every frozen bias -> the bias: answers a student may give by mistake."""
    if problem.training.update_biases:
        return {}
    return {
        names.new_name(b, step): b for b in problem.network.biases for step in range(1, problem.training.steps + 1)
    }


def sketch(net) -> NetworkSketch:
    return NetworkSketch(
        layers=(net.inputs,) + tuple(layer.neurons for layer in net.layers),
        weights=tuple((w, s, d) for w, (s, d) in net.weights.items()),
        biases=tuple(net.biases.items()),
        nets=tuple((n, neu.net) for n, neu in net.neurons.items()),
        activations=tuple(layer.activation.kind for layer in net.layers),
    )


WORKED_DIGITS = 6  # significant digits of the value a field's worked line ends with, at least


def key_data(key: AnswerKey) -> dict:
    """The keyword arguments of ``grader.grade.engine.Plan`` for ``key`` (the key itself included)."""
    problem, graph = key.problem, key.graph
    changes = {n: float(key.change(n)) for n, node in graph.nodes.items() if node.kind == "new"}
    nodes = {n: Step(node.kind, to_tree(node.expr), node.base, node.step) for n, node in graph.nodes.items()}
    exact = {}
    for node in graph.nodes.values():
        if node.kind == "new" and key.is_exact(node.base):
            exact[node.base] = key.values[node.base]
    fields = {}
    for ask in problem.ask:
        q, tol = ask.quantity, ask.tolerance
        node = key.node(q)
        on_change = node.kind == "new" and tol.on_change
        # the value with as many digits as a student must keep: an update judged on its change needs more than 6
        # (``w3_new = -25.0000`` would be marked wrong if copied; ``-25.00000122522`` is what is accepted)
        shown = max(WORKED_DIGITS, change_digits(key, ask) or 0)
        fields[q] = KeyField(
            ask=Ask(q, ask.points, tol),
            expected=key.floats[q],
            expected_text=key.decimal(q, 25),
            description=f"{q}: {node.description}",
            formula=f"{q} = {to_text(node.expr)}",
            formula_latex=f"{latex_name(q)} = {to_latex(node.expr)}",
            worked=worked_text(key, q, shown, change_digits=WORKED_DIGITS),
            worked_latex=worked_latex(key, q, shown, change_digits=WORKED_DIGITS),
            on_change=on_change,
            key_change=changes[q] if on_change else None,
            tree=to_tree(change_expr(node)) if on_change else nodes[q].expr,
            accepted=accepted_for(key, ask),
            accepted_hidden=accepted_for(key, ask, show_digits=False),
        )
    aliases = frozenset(a for a, to in names.ALIASES.items() if to in graph.given)  # no `momentum` without mu
    frozen = frozen_updates(problem)
    known = frozenset(graph.nodes) | frozenset(graph.given) | aliases | frozenset(frozen)
    info = ProblemInfo(
        id=problem.id, title=problem.title, randomized=problem.randomize is not None, reveal=problem.reveal,
        due=problem.due, default_tolerance=problem.default_tolerance, carried_credit=problem.carried_credit,
        params=tuple(problem.network.params), updated_params=tuple(names.updated_params(problem)),
        frozen_updates=frozen, given=tuple(graph.given),
    )
    return dict(
        info=info, floats=dict(key.floats), nodes=nodes, exact=exact, changes=changes, fields=fields, known=known,
        sketch=sketch(problem.network), ranks=gradient_ranks(graph),
        ways={d: tuple((g, to_tree(e)) for g, e in w) for d, w in identities(graph).items()}, key=key,
    )
