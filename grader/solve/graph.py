"""The computation graph of a problem: every quantity as a formula over earlier ones.

Forward pass, loss, deltas (dE/dnet), gradients and updates, for every step and every example, written the way a
hand computation writes them, so the same formulas give the key, the worked solution and the carried-error check:

    net_n       = sum_k w_kn * a_k + b_n
    a_n         = f(net_n)                            (softmax: exp(net_n) / sum_m exp(net_m))
    dE_dout_o   = dE/do                               (the loss's derivative by the output)
    dE_dout_h   = sum_d delta_d * w_hd                (the weights of this step: updates are simultaneous)
    dout_dnet_n = f'(net_n)                           (none for softmax)
    delta_o     = dE/do * f'(net_o)                   (softmax or sigmoid with cross-entropy: o - t)
    delta_h     = f'(net_h) * sum_d delta_d * w_hd
    grad_w      = delta_dst * a_src ;  grad_b = sum of the deltas it feeds
    p_new       = p - eta * grad_p                    (momentum: v = mu*v_prev - eta*grad_p, p_new = p + v)

When a problem asks for a neuron's chain-rule factors (``dE_dout_<n>`` or ``dout_dnet_<n>``), its delta is written
through them, ``delta_n = dE_dout_n * dout_dnet_n``, so an error carried in a factor is carried into the delta.

With ``delta_convention: minus_dE_dnet`` a delta is the textbook error term -dE/dnet: the same formulas with the
loss factor's sign turned ((t - o) for (o - t)), hidden deltas ``f'(net_h) * sum_d delta_d * w_hd`` over those,
``dE_dout_h = -sum_d delta_d * w_hd``, ``grad_w = -delta_dst * a_src``; updates are the same numbers.

Derivatives are written on the activation where textbooks do (sigmoid: o(1 - o), tanh: 1 - o^2) and on the net
input otherwise (relu'(net), a formula activation's f'(net)).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from grader.solve.expr import ONE, Add, Div, Expr, Fn, Mul, Neg, Num, Pow, Sym, add, mul, num, sub
from grader.solve.formula import activation_formula, loss_formula, substitute
from grader.spec import names
from grader.spec.problem import LEARNING_RATE, MOMENTUM, Activation, Problem

NodeKind = Literal["net", "activation", "loss", "dE_dout", "dout_dnet", "delta", "grad", "velocity", "new"]


@dataclass(frozen=True, init=False)
class Node:
    name: str
    kind: NodeKind
    expr: Expr
    description: str
    step: int = 1
    example: int | None = None
    neuron: str | None = None  # net/activation/dE_dout/dout_dnet/delta/loss-at-output nodes
    param: str | None = None  # grad/velocity/new nodes
    base: str | None = None  # new nodes: the parameter's value before this step (w5, or w5_new for step 2)

    def __init__(self, name: str, kind: NodeKind, expr: Expr, description: str, step: int = 1,
                 example: int | None = None, neuron: str | None = None, param: str | None = None,
                 base: str | None = None) -> None:
        # The fields in one call: a frozen dataclass's own __init__ sets them one object.__setattr__ at a time,
        # which made creating the nodes a third of building a large graph. Still frozen (no assignment).
        self.__dict__.update(name=name, kind=kind, expr=expr, description=description, step=step, example=example,
                             neuron=neuron, param=param, base=base)


@dataclass(frozen=True)
class Graph:
    nodes: dict[str, Node]  # in computation order
    given: dict[str, Fraction]  # given values by name

    def __contains__(self, name: str) -> bool:
        return name in self.nodes or name in self.given


def activation_expr(act: Activation, net: Expr) -> Expr:
    if act.kind == "sigmoid":
        return Fn("sigmoid", net)
    if act.kind == "tanh":
        return Fn("tanh", net)
    if act.kind == "relu":
        return Fn("relu", net)
    if act.kind == "leaky_relu":
        return Fn("leaky", net, act.derivative_at_zero, act.slope)
    if act.kind == "linear":
        return net
    if act.kind == "formula":
        return substitute(activation_formula(act.formula)[0], {"x": net})
    raise ValueError(f"{act.kind} is not an elementwise activation")


def derivative_factors(act: Activation, out: Expr, net: Expr) -> tuple[Expr, ...]:
    """f'(net) as factors: sigmoid o·(1 − o), tanh (1 − o²), relu′(net), nothing for linear."""
    if act.kind == "sigmoid":
        return (out, sub(ONE, out))
    if act.kind == "tanh":
        return (sub(ONE, Pow(out, 2)),)
    if act.kind == "relu":
        return (Fn("relu_d", net, act.derivative_at_zero),)
    if act.kind == "leaky_relu":
        return (Fn("leaky_d", net, act.derivative_at_zero, act.slope),)
    if act.kind == "linear":
        return ()
    if act.kind == "formula":
        d = activation_formula(act.formula)[1]
        return () if d == ONE else (substitute(d, {"x": net}),)
    raise ValueError(f"no elementwise derivative for {act.kind}")


def loss_term(loss: str, o: Expr, t: Expr, n_outputs: int, formula=None) -> Expr:
    """The loss at one output (``formula``: the problem's ``loss_formula`` for loss "formula")."""
    if loss == "half_sse":
        return Mul((num(Fraction(1, 2)), Pow(sub(t, o), 2)))
    if loss == "sse":
        return Pow(sub(t, o), 2)
    if loss == "mse":
        return Div(Pow(sub(t, o), 2), num(n_outputs))
    if loss == "binary_cross_entropy":
        return Neg(add(mul(t, Fn("log", o)), mul(sub(ONE, t), Fn("log", sub(ONE, o)))))
    if loss == "categorical_cross_entropy":
        return Neg(mul(t, Fn("log", o)))
    if loss == "formula":
        return substitute(loss_formula(formula)[0], {"o": o, "t": t})
    raise ValueError(f"unknown loss {loss}")


def loss_gradient_factors(loss: str, o: Expr, t: Expr, n_outputs: int, formula=None) -> tuple[Expr, ...]:
    """dE/do at one output, as factors."""
    if loss == "half_sse":
        return (sub(o, t),)
    if loss == "sse":
        return (num(2), sub(o, t))
    if loss == "mse":
        return (Num(Fraction(2, n_outputs)), sub(o, t))
    if loss == "binary_cross_entropy":
        return (Div(sub(o, t), mul(o, sub(ONE, o))),)
    if loss == "categorical_cross_entropy":
        return (Neg(Div(t, o)),)
    if loss == "formula":
        d = substitute(loss_formula(formula)[1], {"o": o, "t": t})
        return d.factors if isinstance(d, Mul) else (d,)
    raise ValueError(f"{loss} has no separate dE/do here")


def minus_convention(problem: Problem) -> bool:
    """Is ``delta_<n>`` the textbook error term -dE/dnet (``delta_convention: minus_dE_dnet``)?"""
    return problem.delta_convention == "minus_dE_dnet"


def _is_difference(e: Expr) -> bool:
    return isinstance(e, Add) and len(e.terms) == 2 and isinstance(e.terms[1], Neg)


def negate(e: Expr) -> Expr:
    """-e, written as a textbook writes it: (t - o) for (o - t), inside a product or a quotient's numerator too."""
    if isinstance(e, Neg):
        return e.arg
    if isinstance(e, Num):
        return Num(-e.value)
    if _is_difference(e):
        return sub(e.terms[1].arg, e.terms[0])
    if isinstance(e, Mul):
        return Mul(negated_factors(e.factors))
    if isinstance(e, Div) and (_is_difference(e.num) or isinstance(e.num, (Neg, Num))):
        return Div(negate(e.num), e.den)
    return Neg(e)


def negated_factors(factors: tuple[Expr, ...]) -> tuple[Expr, ...]:
    """Factors whose product is minus that of ``factors``: the first difference (or number, or negation) turned."""
    for turnable in (_is_difference, lambda f: isinstance(f, (Num, Neg))):
        for i, f in enumerate(factors):
            if turnable(f):
                return factors[:i] + (negate(f),) + factors[i + 1:]
    return (Neg(mul(*factors)),)


def delta_loss_factors(problem: Problem, o: Expr, t: Expr) -> tuple[Expr, ...]:
    """The loss's factors of an output delta in the problem's convention: dE/do, or -dE/do (``(t - o)``)."""
    dedo = loss_gradient_factors(problem.loss, o, t, len(problem.network.outputs), problem.loss_formula)
    return negated_factors(dedo) if minus_convention(problem) else dedo


def output_delta(problem: Problem, o: Expr, t: Expr, net: Expr) -> Expr:
    act = problem.network.layers[-1].activation
    if problem.loss in ("categorical_cross_entropy", "binary_cross_entropy"):
        # softmax + categorical CE and sigmoid + binary CE: the activation's derivative cancels, delta = o - t.
        return sub(t, o) if minus_convention(problem) else sub(o, t)
    return mul(*delta_loss_factors(problem, o, t), *derivative_factors(act, o, net))


def signed(problem: Problem, e: Expr) -> Expr:
    """``e`` (a formula of dE/d-something) as the problem's deltas relate to it: e, or -e in the minus convention."""
    return Neg(e) if minus_convention(problem) else e


def hidden_backprop_sum(graph_nodes: dict, node: Node) -> Expr:
    """The sum over next-layer deltas times weights inside a hidden neuron's delta, also where the delta is written
    through ``dE_dout`` (then read from that node, without its sign in the minus convention)."""
    e = node.expr.arg if isinstance(node.expr, Neg) else node.expr
    last = e.factors[-1] if isinstance(e, Mul) else e
    if isinstance(e, Mul) and isinstance(e.factors[0], Sym) and e.factors[0].name in graph_nodes and \
            graph_nodes[e.factors[0].name].kind == "dE_dout":
        inner = graph_nodes[e.factors[0].name].expr
        return inner.arg if isinstance(inner, Neg) else inner
    return last


def build_graph(problem: Problem) -> Graph:
    net = problem.network
    nodes: dict[str, Node] = {}
    current = {p: p for p in net.params}  # the name of each parameter's value during this step
    updated = names.updated_params(problem)
    n_ex = len(problem.examples)
    asked = frozenset(a.quantity for a in problem.ask)
    inputs = frozenset(net.inputs)  # a set: `in` on the tuple scanned every input for every weight
    outgoing: dict[str, list[tuple[str, str]]] = {n: [] for n in net.neurons}  # indexed once, in declared order
    for w, (src, dst) in net.weights.items():
        if src in outgoing:
            outgoing[src].append((w, dst))

    def put(node: Node) -> None:
        nodes[node.name] = node

    for step in range(1, problem.training.steps + 1):
        cur = {p: Sym(name) for p, name in current.items()}  # each parameter's value during this step
        for j, sfx in names.example_suffixes(problem, step):
            in_sfx = f"_x{j}" if j is not None else ""
            syms: dict[str, Sym] = {}  # one Sym per unit and per delta of this step and example, shared by formulas

            def unit(name: str) -> Sym:
                s = syms.get(name)
                if s is None:
                    s = syms[name] = Sym(name + (in_sfx if name in inputs else sfx))
                return s

            def delta(neuron: str) -> Sym:
                key = "\0" + neuron
                s = syms.get(key)
                if s is None:
                    s = syms[key] = Sym(names.delta_name(neuron, sfx))
                return s

            for layer in net.layers:
                for n in layer.neurons:
                    neu = net.neurons[n]
                    terms = [Mul((cur[w], unit(src))) for w, src in neu.incoming]
                    if neu.bias:
                        terms.append(cur[neu.bias])
                    put(Node(neu.net + sfx, "net", add(*terms), f"net input of {n}", step, j, neuron=n))
                if layer.activation.kind == "softmax":
                    total = add(*(Fn("exp", Sym(net.neurons[m].net + sfx)) for m in layer.neurons))
                    for n in layer.neurons:
                        e = Div(Fn("exp", Sym(net.neurons[n].net + sfx)), total)
                        put(Node(n + sfx, "activation", e, f"softmax output {n}", step, j, neuron=n))
                else:
                    for n in layer.neurons:
                        e = activation_expr(layer.activation, Sym(net.neurons[n].net + sfx))
                        put(Node(n + sfx, "activation", e, f"activation (output) of {n}", step, j, neuron=n))

            m = len(net.outputs)
            for o in net.outputs:
                t = Sym(net.target_name(o) + in_sfx)
                e = loss_term(problem.loss, Sym(o + sfx), t, m, problem.loss_formula)
                put(Node(names.loss_name(o, sfx), "loss", e, f"loss at {o}", step, j, neuron=o))
            e = add(*(Sym(names.loss_name(o, sfx)) for o in net.outputs))
            put(Node(names.loss_name(None, sfx), "loss", e, "total loss" + (f" of example {j}" if j else ""), step, j))

            for li in range(len(net.layers) - 1, -1, -1):
                layer = net.layers[li]
                for n in layer.neurons:
                    _backward(problem, put, nodes, n, li, sfx, in_sfx, step, j, cur, delta, asked, outgoing[n])

            if j is not None:
                for p in net.params:
                    put(Node(f"grad_{p}{sfx}", "grad", _gradient(problem, p, delta, unit), f"dE/d{p} for example {j}", step, j, param=p))

        if problem.batched:  # combine the batch
            losses = add(*(Sym(names.loss_name(None, names.suffix(step, k))) for k in range(1, n_ex + 1)))
            batch_e = losses if problem.training.batch == "sum" else Div(losses, num(n_ex))
            put(Node(names.loss_name(None, names.suffix(step)), "loss", batch_e, "loss of the batch", step))
            for p in net.params:
                terms = add(*(Sym(names.grad_name(p, step, k)) for k in range(1, n_ex + 1)))
                e = terms if problem.training.batch == "sum" else Div(terms, num(n_ex))
                put(Node(names.grad_name(p, step), "grad", e, f"dE/d{p} ({problem.training.batch} over the batch)", step, param=p))
        else:  # one example: `sfx` and `unit` are still those of the example loop's single pass
            for p in net.params:
                put(Node(names.grad_name(p, step), "grad", _gradient(problem, p, delta, unit), f"dE/d{p}", step, param=p))

        eta, grads = Sym(LEARNING_RATE), {p: Sym(names.grad_name(p, step)) for p in updated}
        for p in updated:
            if problem.training.momentum is not None:
                v_prev = [mul(Sym(MOMENTUM), Sym(names.velocity_name(p, step - 1)))] if step > 1 else []
                v = add(*v_prev, Neg(mul(eta, grads[p]))) if v_prev else Neg(mul(eta, grads[p]))
                put(Node(names.velocity_name(p, step), "velocity", v, f"momentum velocity of {p}", step, param=p))
                e = add(cur[p], Sym(names.velocity_name(p, step)))
            else:
                e = sub(cur[p], mul(eta, grads[p]))
            put(Node(names.new_name(p, step), "new", e, f"{p} after step {step}", step, param=p, base=current[p]))
        for p in updated:
            current[p] = names.new_name(p, step)

    return Graph(nodes=nodes, given=problem.given_values())


def _backward(problem: Problem, put, nodes: dict, n: str, li: int, sfx: str, in_sfx: str, step: int,
              j: int | None, cur: dict[str, Sym], delta, asked: frozenset[str], leaving: list[tuple[str, str]]) -> None:
    """dE_dout, dout_dnet and delta of neuron ``n`` (layer index ``li``) for one step and example; ``cur``: each
    parameter's value this step, ``delta(m)``: the delta of neuron m, ``leaving``: the (weight, destination) pairs
    of the weights leaving ``n``, in declared order."""
    net = problem.network
    layer = net.layers[li]
    z, o = Sym(net.neurons[n].net + sfx), Sym(n + sfx)
    output = li == len(net.layers) - 1
    if output:
        t = Sym(net.target_name(n) + in_sfx)
        dedo = mul(*loss_gradient_factors(problem.loss, o, t, len(net.outputs), problem.loss_formula))
        what = f"dE/d{n}{sfx} (the loss's derivative by the output of {n})"
    else:
        back = [Mul((delta(dst), cur[w])) for w, dst in leaving]
        dedo = signed(problem, add(*back))
        what = f"dE/d{n}{sfx} (the loss's derivative by the output of {n}, through every weight leaving it)"
    dE, dd = names.dE_dout_name(n, sfx), names.dout_dnet_name(n, sfx)
    put(Node(dE, "dE_dout", dedo, what, step, j, neuron=n))
    chain = names.has_dout_dnet(problem, n)
    if chain:
        deriv = derivative_factors(layer.activation, o, z)
        put(Node(dd, "dout_dnet", mul(*deriv) if deriv else ONE,
                 f"d{n}/d{net.neurons[n].net}{sfx} (the activation's derivative at its net input)", step, j, neuron=n))
    if chain and (dE in asked or dd in asked):
        e = signed(problem, mul(Sym(dE), Sym(dd)))
    elif output:
        e = output_delta(problem, o, t, z)
    else:
        e = mul(*derivative_factors(layer.activation, o, z), add(*back))
    what = (f"−dE/d{net.neurons[n].net}{sfx} (the error term delta of {n})" if minus_convention(problem)
            else f"dE/d{net.neurons[n].net} (delta of {n})")
    put(Node(names.delta_name(n, sfx), "delta", e, what, step, j, neuron=n))


def _gradient(problem: Problem, p: str, delta, unit) -> Expr:
    """dE/dp: delta times the source unit (a bias: the sum of the deltas it feeds); minus that in the minus
    convention."""
    net = problem.network
    if p in net.weights:
        src, dst = net.weights[p]
        return signed(problem, Mul((delta(dst), unit(src))))
    return signed(problem, add(*(delta(n) for n in net.biases[p])))
