"""Free naming: any identifier may name an input, neuron, net input, weight or bias, as long as it is not also a
name the grader makes up for this problem (a target ``t1``, a delta ``delta_h1``, ``w5_new``, ``E``, ``eta``, ...).

``check_collisions`` lists every name of a problem with what it stands for and reports the first name that stands
for two things, located at the declared name, with how to rename it (a target is renamed in the spec with
``targets: {o1: T}``; anything else by choosing another name).
"""

from __future__ import annotations

from collections.abc import Callable

from grader.errors import SpecError
from grader.spec import names
from grader.spec.problem import LEARNING_RATE, MOMENTUM, Network

Path = tuple[str | int, ...]


def generated_names(net: Network, *, steps: int, n_examples: int, momentum: bool, update_biases: bool
                    ) -> list[tuple[str, str, bool]]:
    """Every name the grader uses for a problem with this network, as (name, what it stands for, whether it is a
    declared name used as itself: the weight ``w1`` as its given value, the neuron ``h1`` as its activation)."""
    batched = n_examples > 1
    out: list[tuple[str, str]] = []
    own: set[tuple[str, str]] = set()
    params = tuple(net.weights) + tuple(net.biases)
    updated = tuple(net.weights) + (tuple(net.biases) if update_biases else ())
    for step in range(1, steps + 1):
        examples = range(1, n_examples + 1) if batched else [None]
        for j in examples:
            sfx = names.suffix(step, j)
            when = ", ".join(([f"step {step}"] if step > 1 else []) + ([f"example {j}"] if j else []))
            when = f" ({when})" if when else ""
            if step == 1:
                in_sfx = f"_x{j}" if j else ""
                out += [(i + in_sfx, f"the input {i}{when}") for i in net.inputs]
                out += [(net.target_name(o) + in_sfx, f"the target of output {o}{when}") for o in net.outputs]
                if not batched:
                    own.update(out[-len(net.inputs) - len(net.outputs):-len(net.outputs)])
                    own.update(e for e, o in zip(out[-len(net.outputs):], net.outputs) if o in net.target_names)
            for n, neu in net.neurons.items():
                out += [(neu.net + sfx, f"the net input of {n}{when}"), (n + sfx, f"the activation of {n}{when}")]
                if not sfx:
                    own.update(out[-2:])
            out += [(names.loss_name(o, sfx), f"the loss at output {o}{when}") for o in net.outputs]
            out.append((names.loss_name(None, sfx), f"the loss{when}"))
            for n in net.neurons:
                out += [(names.dE_dout_name(n, sfx), f"dE/d{n}{when}"), (names.delta_name(n, sfx), f"the delta of {n}{when}")]
                if net.activation_of(n).kind != "softmax":
                    out.append((names.dout_dnet_name(n, sfx), f"d{n}/dnet{when}"))
            if batched:
                out += [(names.grad_name(p, step, j), f"the gradient of {p}{when}") for p in params]
        when = f" (step {step})" if step > 1 else ""
        if batched:
            out.append((names.loss_name(None, names.suffix(step)), f"the loss of the batch{when}"))
        out += [(names.grad_name(p, step), f"the gradient of {p}{when}") for p in params]
        if momentum:
            out += [(names.velocity_name(p, step), f"the momentum velocity of {p}{when}") for p in updated]
        out += [(names.new_name(p, step), f"{p} after the update{when}") for p in updated]
        if not update_biases:  # answers a student may give by mistake for a frozen bias
            out += [(names.new_name(b, step), f"{b} after the update{when} (frozen)") for b in net.biases]
    out += [(p, f"the {'weight' if p in net.weights else 'bias'} {p}") for p in params]
    own.update(out[-len(params):] if params else ())
    out += [(LEARNING_RATE, "the learning rate η"), (MOMENTUM, "the momentum μ")]
    out += [(alias, f"another name of {'the learning rate η' if to == LEARNING_RATE else 'the momentum μ'}")
            for alias, to in names.ALIASES.items()]
    return [(name, what, (name, what) in own) for name, what in out]


def check_collisions(net: Network, declared: dict[str, tuple[str, Path]], error: Callable[[Path, str, str], SpecError],
                     *, steps: int, n_examples: int, momentum: bool, update_biases: bool) -> None:
    """Raise (through ``error(path, message, hint)``) at the first name that stands for two things."""
    others: dict[str, list[str]] = {}  # name -> what it stands for, other than a declared name itself
    for name, what, itself in generated_names(net, steps=steps, n_examples=n_examples, momentum=momentum,
                                              update_biases=update_biases):
        if not itself and what not in others.setdefault(name, []):
            others[name].append(what)
    for name, (kind, path) in declared.items():
        if others.get(name):
            raise error(path, f"the {kind} name {name!r} is reserved here: {name} is also {' and '.join(others[name])}",
                        _rename_hint(net, name, kind))
    for name, whats in others.items():
        if len(whats) > 1:
            raise error((), f"the name {name!r} stands for both {' and '.join(whats)}", _rename_hint(net, name, None))


def _rename_hint(net: Network, name: str, kind: str | None) -> str:
    targets = [o for o in net.outputs if net.target_name(o) == name]
    if targets:
        o = targets[0]
        other = f"rename the {kind} {name}, or " if kind else ""
        return f"{other}give the target of {o} another name in the spec: `targets: {{{o}: T_{o}}}`"
    if kind:
        return f"give the {kind} another name (names are case-sensitive identifiers)"
    return "rename one of the units or parameters these names are made from"
