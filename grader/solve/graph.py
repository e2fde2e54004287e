"""The computation graph of a problem: every quantity as a formula over earlier ones.

Forward pass, loss, deltas (dE/dnet), gradients and updates, for every step and every example, written the way a
hand computation writes them, so the same formulas give the key, the worked solution and the carried-error check:

    net_n   = sum_k w_kn * a_k + b_n
    a_n     = f(net_n)                                (softmax: exp(net_n) / sum_m exp(net_m))
    delta_o = dE/do * f'(net_o)                        (softmax or sigmoid with cross-entropy: o - t)
    delta_h = f'(net_h) * sum_d delta_d * w_hd         (the weights of this step: updates are simultaneous)
    grad_w  = delta_dst * a_src ;  grad_b = sum of the deltas it feeds
    p_new   = p - eta * grad_p                         (momentum: v = mu*v_prev - eta*grad_p, p_new = p + v)

Derivatives are written on the activation where textbooks do (sigmoid: o(1 - o), tanh: 1 - o^2) and on the net
input otherwise (relu'(net)).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from grader.solve.expr import ONE, Div, Expr, Fn, Mul, Neg, Num, Pow, Sym, add, mul, num, sub
from grader.spec import names
from grader.spec.problem import LEARNING_RATE, MOMENTUM, Activation, Problem

NodeKind = Literal["net", "activation", "loss", "delta", "grad", "velocity", "new"]


@dataclass(frozen=True)
class Node:
    name: str
    kind: NodeKind
    expr: Expr
    description: str
    step: int = 1
    example: int | None = None
    neuron: str | None = None  # net/activation/delta/loss-at-output nodes
    param: str | None = None  # grad/velocity/new nodes
    base: str | None = None  # new nodes: the parameter's value before this step (w5, or w5_new for step 2)


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
    raise ValueError(f"no elementwise derivative for {act.kind}")


def loss_term(loss: str, o: Expr, t: Expr, n_outputs: int) -> Expr:
    """The loss at one output."""
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
    raise ValueError(f"unknown loss {loss}")


def loss_gradient_factors(loss: str, o: Expr, t: Expr, n_outputs: int) -> tuple[Expr, ...]:
    """dE/do at one output, as factors."""
    if loss == "half_sse":
        return (sub(o, t),)
    if loss == "sse":
        return (num(2), sub(o, t))
    if loss == "mse":
        return (Num(Fraction(2, n_outputs)), sub(o, t))
    raise ValueError(f"{loss} has no separate dE/do here")


def output_delta(problem: Problem, o: Expr, t: Expr, net: Expr) -> Expr:
    act = problem.network.layers[-1].activation
    m = len(problem.network.outputs)
    if problem.loss in ("categorical_cross_entropy", "binary_cross_entropy"):
        # softmax + categorical CE and sigmoid + binary CE: the activation's derivative cancels, delta = o - t.
        return sub(o, t)
    return mul(*loss_gradient_factors(problem.loss, o, t, m), *derivative_factors(act, o, net))


def build_graph(problem: Problem) -> Graph:
    net = problem.network
    nodes: dict[str, Node] = {}
    current = {p: p for p in net.params}  # the name of each parameter's value during this step
    updated = names.updated_params(problem)
    n_ex = len(problem.examples)

    def put(node: Node) -> None:
        nodes[node.name] = node

    for step in range(1, problem.training.steps + 1):
        for j, sfx in names.example_suffixes(problem, step):
            in_sfx = f"_x{j}" if j is not None else ""

            def unit(name: str) -> Sym:
                return Sym(name + (in_sfx if name in net.inputs else sfx))

            for layer in net.layers:
                for n in layer.neurons:
                    neu = net.neurons[n]
                    terms = [mul(Sym(current[w]), unit(src)) for w, src in neu.incoming]
                    if neu.bias:
                        terms.append(Sym(current[neu.bias]))
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
                e = loss_term(problem.loss, Sym(o + sfx), t, m)
                put(Node(names.loss_name(o, sfx), "loss", e, f"loss at {o}", step, j, neuron=o))
            e = add(*(Sym(names.loss_name(o, sfx)) for o in net.outputs))
            put(Node(names.loss_name(None, sfx), "loss", e, "total loss" + (f" of example {j}" if j else ""), step, j))

            for li in range(len(net.layers) - 1, -1, -1):
                layer = net.layers[li]
                for n in layer.neurons:
                    z = Sym(net.neurons[n].net + sfx)
                    if li == len(net.layers) - 1:
                        t = Sym(net.target_name(n) + in_sfx)
                        e = output_delta(problem, Sym(n + sfx), t, z)
                    else:
                        back = [
                            mul(Sym(names.delta_name(dst, sfx)), Sym(current[w]))
                            for w, (src, dst) in net.weights.items()
                            if src == n
                        ]
                        e = mul(*derivative_factors(layer.activation, Sym(n + sfx), z), add(*back))
                    put(Node(names.delta_name(n, sfx), "delta", e, f"dE/d{net.neurons[n].net} (delta of {n})", step, j, neuron=n))

            if j is not None:
                for p in net.params:
                    put(Node(f"grad_{p}{sfx}", "grad", _gradient(net, p, sfx, unit), f"dE/d{p} for example {j}", step, j, param=p))

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
                put(Node(names.grad_name(p, step), "grad", _gradient(net, p, sfx, unit), f"dE/d{p}", step, param=p))

        eta, grads = Sym(LEARNING_RATE), {p: Sym(names.grad_name(p, step)) for p in updated}
        for p in updated:
            if problem.training.momentum is not None:
                v_prev = [mul(Sym(MOMENTUM), Sym(names.velocity_name(p, step - 1)))] if step > 1 else []
                v = add(*v_prev, Neg(mul(eta, grads[p]))) if v_prev else Neg(mul(eta, grads[p]))
                put(Node(names.velocity_name(p, step), "velocity", v, f"momentum velocity of {p}", step, param=p))
                e = add(Sym(current[p]), Sym(names.velocity_name(p, step)))
            else:
                e = sub(Sym(current[p]), mul(eta, grads[p]))
            put(Node(names.new_name(p, step), "new", e, f"{p} after step {step}", step, param=p, base=current[p]))
        for p in updated:
            current[p] = names.new_name(p, step)

    return Graph(nodes=nodes, given=problem.given_values())


def _gradient(net, p: str, sfx: str, unit) -> Expr:
    if p in net.weights:
        src, dst = net.weights[p]
        return mul(Sym(names.delta_name(dst, sfx)), unit(src))
    return add(*(Sym(names.delta_name(n, sfx)) for n in net.biases[p]))
