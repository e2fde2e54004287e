"""Known mistakes as wrong formulas ("mal-rules"), one list per quantity.

The grader evaluates each wrong formula with the student's own values and with the key's; when one reproduces the
student's number, that mistake is named. For an updated parameter the formulas give the *change* ``p_new - p``.
The catalogue follows ../shared/notes/backprop-conventions.md (numbers in brackets are its list):

net input      bias left out [7], the other layer's bias [7], weights on swapped inputs / transposed [8], a term
               dropped from the sum
activation     sigmoid with the sign flipped inside the exponential [6]
loss           factor 2 instead of 1/2, or the half forgotten; mean instead of sum [5]
output delta   activation derivative forgotten, or added where cross-entropy cancels it [3]; (t - o) [2];
               derivative of the net input or of sigma(out) [4]; loss scaling [5]
hidden delta   updated weights used (sequential update) [1]; transposed weights [8]; derivative forgotten [3] or
               taken of the wrong quantity [4]; a term dropped from the sum
total loss     a term dropped from the sum
gradient       sign flipped [2]; net input used instead of the activation [4]
update         sign flipped (gradient ascent) [2]; learning rate left out; bias updated/not updated [7]
and every mistake of a delta carried into its gradients, and of a gradient into its update (on the change).

Value-level mistakes (a power of ten [9], rounding too early [10], a flipped sign, plain arithmetic) need no formula
and are checked in ``grader.grade.diagnose``.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from grader.solve.expr import ONE, Add, Div, Expr, Fn, Mul, Neg, Num, Pow, Sym, add, mul, num, sub, to_text
from grader.solve.graph import (Graph, Node, delta_loss_factors, derivative_factors, hidden_backprop_sum,
                                minus_convention, negate, negated_factors)
from grader.spec import names
from grader.spec.problem import Problem


@dataclass(frozen=True)
class MalRule:
    id: str
    text: str
    expr: Expr


def change_expr(node: Node) -> Expr:
    """``p_new - p`` for an update node: its formula without the leading ``p`` term."""
    assert isinstance(node.expr, Add) and node.expr.terms[0] == Sym(node.base)
    rest = node.expr.terms[1:]
    return rest[0] if len(rest) == 1 else Add(rest)


def rules_for(problem: Problem, graph: Graph, node: Node) -> list[MalRule]:
    """The mistakes that apply to ``node``, without repeats and without any that equal the right formula: its own,
    then (for a gradient and an update) every mistake of the quantities it is computed from, carried through its
    formula: a delta's mistakes into the gradients that use it, a gradient's into the update (on the change)."""
    seen = {change_expr(node) if node.kind == "new" else node.expr}
    out = []
    for rule in _rules(problem, graph, node) + _through(problem, graph, node):
        if rule.expr not in seen:
            seen.add(rule.expr)
            out.append(rule)
    return out


def _through(problem: Problem, graph: Graph, node: Node) -> list[MalRule]:
    """A dependency's mistakes put into ``node``'s formula: ``grad_w = delta·a`` with a wrong delta; the change
    ``-eta·grad_w`` with a wrong gradient (and so with a wrong delta)."""
    if node.kind == "grad":
        expr = node.expr
        deps = [n for n in expr.symbols() if n in graph.nodes and graph.nodes[n].kind == "delta"]
    elif node.kind == "new":
        expr = change_expr(node)
        deps = [n for n in expr.symbols() if n in graph.nodes and graph.nodes[n].kind == "grad"]
    else:
        return []
    out = []
    for d in deps:
        for rule in rules_for(problem, graph, graph.nodes[d]):
            out.append(MalRule(rule.id, rule.text, substitute(expr, d, rule.expr)))
    return out


def substitute(e: Expr, name: str, by: Expr) -> Expr:
    """``e`` with the symbol ``name`` replaced by ``by``."""
    if isinstance(e, Sym):
        return by if e.name == name else e
    if isinstance(e, Add):
        return Add(tuple(substitute(t, name, by) for t in e.terms))
    if isinstance(e, Mul):
        return Mul(tuple(substitute(f, name, by) for f in e.factors))
    if isinstance(e, Neg):
        return Neg(substitute(e.arg, name, by))
    if isinstance(e, Div):
        return Div(substitute(e.num, name, by), substitute(e.den, name, by))
    if isinstance(e, Pow):
        return Pow(substitute(e.base, name, by), e.exp)
    if isinstance(e, Fn):
        return Fn(e.name, substitute(e.arg, name, by), e.p0, e.p1)
    return e


def _dropped(q: str, whole: Expr, terms: tuple[Expr, ...], rebuild) -> list[MalRule]:
    """A sum with one term left out: ``rebuild(remaining terms)`` is the quantity's formula without it."""
    out = []
    if len(terms) < 2:
        return out
    for i, t in enumerate(terms):
        rest = terms[:i] + terms[i + 1:]
        wrong = rebuild(rest)
        out.append(MalRule("dropped_term", f"Your {q} is {to_text(wrong)}: the {to_text(t)} term is missing.", wrong))
    return out


def _rules(problem: Problem, graph: Graph, node: Node) -> list[MalRule]:
    kind = node.kind
    if kind == "net":
        return _net_rules(problem, graph, node)
    if kind == "activation":
        return _activation_rules(problem, node)
    if kind == "loss":
        return _loss_rules(problem, node)
    if kind == "delta":
        return _delta_rules(problem, graph, node)
    if kind == "grad":
        return _grad_rules(problem, node)
    if kind == "new":
        return _update_rules(problem, node)
    if kind in ("dE_dout", "dout_dnet"):
        return _chain_rules(problem, graph, node)
    return []


def _net_rules(problem: Problem, graph: Graph, node: Node) -> list[MalRule]:
    net = problem.network
    neu = net.neurons[node.neuron]
    e = node.expr
    terms = e.terms if isinstance(e, Add) else (e,)
    out: list[MalRule] = []
    if neu.bias:
        weighted, bias = terms[:-1], terms[-1]
        if weighted:
            out.append(MalRule("bias_left_out", f"The bias {neu.bias} is missing from the net input of {neu.name}.", add(*weighted)))
        for other in net.biases:
            if other != neu.bias and isinstance(bias, Sym):
                wrong = Sym(bias.name.replace(neu.bias, other, 1))
                if wrong.name in graph:
                    out.append(MalRule("wrong_bias", f"The net input of {neu.name} uses the bias {other}, but {neu.bias} feeds it.", add(*weighted, wrong)))
    else:
        weighted = terms
    # weights multiplied with the wrong inputs: the sources in reverse order
    if len(weighted) >= 2 and all(isinstance(t, Mul) and len(t.factors) == 2 for t in weighted):
        ws = [t.factors[0] for t in weighted]
        srcs = [t.factors[1] for t in weighted][::-1]
        swapped = [mul(w, s) for w, s in zip(ws, srcs)] + ([terms[-1]] if neu.bias else [])
        out.append(MalRule("mixed_indices", f"The weights of {neu.name} are multiplied with the wrong inputs (indices mixed up).", add(*swapped)))
    out += _dropped(node.name, e, terms, lambda rest: add(*rest))
    return out


def _activation_rules(problem: Problem, node: Node) -> list[MalRule]:
    e = node.expr
    if isinstance(e, Fn) and e.name == "sigmoid":
        return [
            MalRule(
                "sigmoid_sign",
                "The sigmoid was evaluated with the wrong sign inside the exponential: σ(z) = 1/(1 + e^(−z)), not 1/(1 + e^(z)).",
                Fn("sigmoid", Neg(e.arg)),
            )
        ]
    if isinstance(e, Fn) and e.name == "tanh":
        return [MalRule("wrong_activation", "The sigmoid was used where this layer's activation is tanh.", Fn("sigmoid", e.arg))]
    return []


def _loss_rules(problem: Problem, node: Node) -> list[MalRule]:
    out = [
        MalRule("loss_scaling", "The loss is scaled wrongly: twice the right value (the factor 1/2 forgotten, or 2 instead of 1/2).", mul(num(2), node.expr)),
        MalRule("loss_scaling", "The loss is scaled wrongly: half the right value (a factor 1/2 that this loss does not have).", mul(Num(Fraction(1, 2)), node.expr)),
    ]
    m = len(problem.network.outputs)
    if node.neuron is None and m > 1:
        out.append(MalRule("loss_scaling", f"The loss was averaged over the {m} outputs instead of summed.", mul(Num(Fraction(1, m)), node.expr)))
    if node.neuron is None and isinstance(node.expr, Add):
        out += _dropped(node.name, node.expr, node.expr.terms, lambda rest: add(*rest))
    return out


def _delta_rules(problem: Problem, graph: Graph, node: Node) -> list[MalRule]:
    net = problem.network
    n = node.neuron
    sfx = node.name[len(f"delta_{n}") :]
    layer = net.layers[net.neurons[n].layer - 1]
    act = layer.activation
    o, z = Sym(n + sfx), Sym(net.neurons[n].net + sfx)
    out: list[MalRule] = []
    is_output = n in net.outputs
    if is_output:
        in_sfx = f"_x{node.example}" if node.example is not None else ""
        t = Sym(net.target_name(n) + in_sfx)
        m = len(net.outputs)
        # The declared convention (see grader.solve.graph): δ = ∂E/∂net with (o − t), or δ = −∂E/∂net with (t − o).
        right, wrong, conv = ("t − o", "o − t", "−∂E/∂net") if minus_convention(problem) else ("o − t", "t − o", "∂E/∂net")
        if problem.loss.endswith("cross_entropy"):
            core = sub(t, o) if minus_convention(problem) else sub(o, t)
            if act.kind in ("sigmoid", "softmax"):
                out.append(MalRule("derivative_added", f"With cross-entropy the activation's derivative cancels: δ = {right}, with no extra o·(1 − o).", mul(core, o, sub(ONE, o))))
            out.append(MalRule("flipped_sign", f"The sign is flipped: δ = {conv} = {right}, not {wrong}.", negate(core)))
            return out
        dedo = delta_loss_factors(problem, o, t)
        deriv = derivative_factors(act, o, z)
        flipped = negated_factors(dedo)
        other = ("∂E/∂net, the δ of Nielsen and Bishop" if minus_convention(problem)
                 else "−∂E/∂net, the error term of Mitchell and of Han & Kamber")
        out.append(MalRule("flipped_sign", f"The sign is flipped: with δ = {conv} the factor is ({right}), not ({wrong}); ({wrong}) gives {other}, which this problem does not ask for.", mul(*flipped, *deriv)))
        if deriv:
            out.append(MalRule("missing_derivative", f"The activation's derivative is missing: δ needs the factor f′(net) of {n}.", mul(*dedo)))
            out += _wrong_derivative(act, o, z, dedo)
        out.append(MalRule("loss_scaling", "The loss scaling is off by 2: the derivative of 1/2·(t − o)² is (o − t), of (t − o)² it is 2(o − t).", mul(num(2), node.expr)))
        out.append(MalRule("loss_scaling", "The loss scaling is off by 2: the derivative of 1/2·(t − o)² is (o − t), of (t − o)² it is 2(o − t).", mul(Num(Fraction(1, 2)), node.expr)))
        if m > 1:
            out.append(MalRule("loss_scaling", f"The loss was treated as a mean over the {m} outputs instead of a sum (or the reverse).", mul(Num(Fraction(1, m)), node.expr)))
            out.append(MalRule("loss_scaling", f"The loss was treated as a sum over the {m} outputs instead of a mean (or the reverse).", mul(num(m), node.expr)))
        return out
    deriv = derivative_factors(act, o, z)
    back = hidden_backprop_sum(graph.nodes, node)
    back_terms = back.terms if isinstance(back, Add) else (back,)
    if deriv:
        out.append(MalRule("missing_derivative", f"The activation's derivative f′(net) of {n} is missing from its delta.", back))
        out += _wrong_derivative(act, o, z, (back,))
    # sequential update: the weights after this step's update instead of before
    seq = [mul(t.factors[0], Sym(names.new_name(t.factors[1].name, node.step))) for t in back_terms]
    if all(s.factors[1].name in graph.nodes for s in seq):
        out.append(MalRule("sequential_update", f"The delta of {n} used the already-updated weights; every delta of a step must use the weights before the update.", mul(*deriv, add(*seq))))
    # transposed weights: the weight that leaves the k-th unit of this layer into the j-th unit of the next
    mixed = _transposed_back(problem, n, back_terms, node.step)
    if mixed is not None:
        out.append(MalRule("mixed_indices", f"The weights in the delta of {n} are mixed up: use the weights that connect {n} to each next neuron.", mul(*deriv, mixed)))
    out += _dropped(node.name, node.expr, back_terms, lambda rest: mul(*deriv, add(*rest)))
    return out


def _wrong_derivative(act, o: Expr, z: Expr, other: tuple[Expr, ...]) -> list[MalRule]:
    if act.kind == "sigmoid":
        return [
            MalRule("derivative_of_net", "The derivative was evaluated on the net input: σ′ = out·(1 − out), not net·(1 − net).", mul(*other, z, sub(ONE, z))),
            MalRule("derivative_of_sigma_out", "The derivative was taken of σ(out): σ′ = out·(1 − out), not σ(out)·(1 − σ(out)).", mul(*other, Fn("sigmoid", o), sub(ONE, Fn("sigmoid", o)))),
        ]
    if act.kind == "tanh":
        return [MalRule("derivative_of_net", "The derivative was evaluated on the net input: tanh′ = 1 − out², not 1 − net².", mul(*other, sub(ONE, Pow(z, 2))))]
    return []


def _transposed_back(problem: Problem, n: str, back_terms, step: int) -> Expr | None:
    net = problem.network
    neu = net.neurons[n]
    here = net.layers[neu.layer - 1].neurons
    j = here.index(n)
    terms = []
    for t in back_terms:
        delta, w = t.factors
        dst = net.weights[_param_of(w.name)][1]
        k = net.layers[neu.layer].neurons.index(dst)
        if k >= len(here):
            return None
        # the weight from unit k of this layer into unit j of the next layer
        wrong = [x for x, (s, d) in net.weights.items() if s == here[k] and d == net.layers[neu.layer].neurons[j]] if j < len(net.layers[neu.layer].neurons) else []
        if not wrong:
            return None
        terms.append(mul(delta, Sym(w.name.replace(_param_of(w.name), wrong[0], 1))))
    mixed = add(*terms)
    return None if mixed == add(*back_terms) else mixed


def _param_of(name: str) -> str:
    return name.split("_new")[0]


def _grad_rules(problem: Problem, node: Node) -> list[MalRule]:
    out = [MalRule("flipped_sign", f"The sign of ∂E/∂{node.param} is flipped.", negate(node.expr))]
    net = problem.network
    minus = isinstance(node.expr, Neg)  # δ = −∂E/∂net: ∂E/∂w = −δ·a
    body = node.expr.arg if minus else node.expr
    if node.param in net.weights and isinstance(body, Mul):
        delta, src = body.factors
        src_unit = net.weights[node.param][0]
        if src_unit in net.neurons:
            z = Sym(net.neurons[src_unit].net + src.name[len(src_unit) :])
            wrong = mul(delta, z)
            out.append(MalRule("net_instead_of_activation", f"The gradient of {node.param} used the net input of {src_unit} instead of its activation.", Neg(wrong) if minus else wrong))
    if minus:
        out.append(MalRule("flipped_sign", f"The sign of ∂E/∂{node.param} is flipped: with δ = −∂E/∂net (the error term), ∂E/∂{node.param} = −δ·(its input).", body))
    return out


def _update_rules(problem: Problem, node: Node) -> list[MalRule]:
    change = change_expr(node)
    grad = Sym(names.grad_name(node.param, node.step))
    out = [MalRule("flipped_sign", f"The update has the wrong sign (gradient ascent): {node.param} ← {node.param} − η·∂E/∂{node.param}.", Neg(change))]
    if problem.training.momentum is None:
        out.append(MalRule("missing_learning_rate", f"The learning rate η is missing from the update of {node.param}.", Neg(grad)))
    return out


# --- chain-rule factors: dE_dout_<n> and dout_dnet_<n> ------------------------------------------------------------------


def _chain_rules(problem: Problem, graph: Graph, node: Node) -> list[MalRule]:
    """∂E/∂out of an output: sign and loss scaling; of a hidden unit: the delta's sum with the wrong weights;
    ∂out/∂net: the derivative taken of the wrong quantity."""
    net = problem.network
    n = node.neuron
    sfx = node.name[len(f"{node.kind}_{n}"):]
    o, z = Sym(n + sfx), Sym(net.neurons[n].net + sfx)
    if node.kind == "dout_dnet":
        return _wrong_derivative(net.activation_of(n), o, z, ())
    out = [MalRule("flipped_sign", f"The sign of ∂E/∂{n} is flipped.", negate(node.expr))]
    if n in net.outputs:
        m = len(net.outputs)
        out.append(MalRule("loss_scaling", "The loss scaling is off by 2: the derivative of 1/2·(t − o)² is (o − t), of (t − o)² it is 2(o − t).", mul(num(2), node.expr)))
        out.append(MalRule("loss_scaling", "The loss scaling is off by 2: the derivative of 1/2·(t − o)² is (o − t), of (t − o)² it is 2(o − t).", mul(Num(Fraction(1, 2)), node.expr)))
        if m > 1:
            out.append(MalRule("loss_scaling", f"The loss was treated as a mean over the {m} outputs instead of a sum (or the reverse).", mul(Num(Fraction(1, m)), node.expr)))
        return out
    inner = node.expr.arg if isinstance(node.expr, Neg) else node.expr
    terms = inner.terms if isinstance(inner, Add) else (inner,)
    wrap = (lambda e: Neg(e)) if isinstance(node.expr, Neg) else (lambda e: e)
    seq = [mul(t.factors[0], Sym(names.new_name(t.factors[1].name, node.step))) for t in terms]
    if all(s.factors[1].name in graph.nodes for s in seq):
        out.append(MalRule("sequential_update", f"∂E/∂{n} used the already-updated weights; the backward pass of a step uses the weights before the update.", wrap(add(*seq))))
    mixed = _transposed_back(problem, n, terms, node.step)
    if mixed is not None:
        out.append(MalRule("mixed_indices", f"The weights in ∂E/∂{n} are mixed up: use the weights that connect {n} to each next neuron.", wrap(mixed)))
    return out
