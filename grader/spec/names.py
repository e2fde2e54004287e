"""Quantity names: the one place that spells them (see ``grader.spec.problem`` for the convention)."""

from __future__ import annotations

LEARNING_RATE = "eta"
MOMENTUM = "mu"


def suffix(step: int = 1, example: int | None = None) -> str:
    """``_s<k>`` for step k > 1, then ``_x<j>`` for example j of a batch (``example`` None outside a batch)."""
    out = f"_s{step}" if step > 1 else ""
    if example is not None:
        out += f"_x{example}"
    return out


def new_name(param: str, step: int = 1) -> str:
    return f"{param}_new" + suffix(step)


def grad_name(param: str, step: int = 1, example: int | None = None) -> str:
    return f"grad_{param}" + suffix(step, example)


def velocity_name(param: str, step: int = 1) -> str:
    return f"v_{param}" + suffix(step)


def delta_name(neuron: str, sfx: str) -> str:
    return f"delta_{neuron}{sfx}"


def dE_dout_name(neuron: str, sfx: str) -> str:
    """dE/d(activation of ``neuron``): the chain-rule factor the classic step-by-step example calls dE/dout."""
    return f"dE_dout_{neuron}{sfx}"


def dout_dnet_name(neuron: str, sfx: str) -> str:
    """d(activation)/d(net input) of ``neuron``: its activation's derivative at its net input."""
    return f"dout_dnet_{neuron}{sfx}"


def has_dout_dnet(problem: Problem, neuron: str) -> bool:
    """Softmax outputs have a Jacobian, not one derivative: they get no ``dout_dnet_<neuron>``."""
    return problem.network.activation_of(neuron).kind != "softmax"


def backward_names(problem: Problem, neuron: str, sfx: str) -> list[str]:
    """The backward-pass quantities of one neuron, in computation order: dE/dout, dout/dnet, delta."""
    return ([dE_dout_name(neuron, sfx)] + ([dout_dnet_name(neuron, sfx)] if has_dout_dnet(problem, neuron) else [])
            + [delta_name(neuron, sfx)])


def loss_name(output: str | None, sfx: str) -> str:
    return ("E" if output is None else f"E_{output}") + sfx


def updated_params(problem: Problem) -> tuple[str, ...]:
    net = problem.network
    return tuple(net.weights) + (tuple(net.biases) if problem.training.update_biases else ())


def example_suffixes(problem: Problem, step: int) -> list[tuple[int | None, str]]:
    """(example index or None, suffix) for every example of a step."""
    if not problem.batched:
        return [(None, suffix(step))]
    return [(j, suffix(step, j)) for j in range(1, len(problem.examples) + 1)]


def quantity_names(problem: Problem) -> list[str]:
    """Every quantity the solver computes, in computation order (given values excluded)."""
    net = problem.network
    out: list[str] = []
    for step in range(1, problem.training.steps + 1):
        for _, sfx in example_suffixes(problem, step):
            for layer in net.layers:
                for n in layer.neurons:
                    out += [net.neurons[n].net + sfx, n + sfx]
            out += [loss_name(o, sfx) for o in net.outputs] + [loss_name(None, sfx)]
            for layer in reversed(net.layers):
                for n in layer.neurons:
                    out += backward_names(problem, n, sfx)
            if problem.batched:
                out += [f"grad_{p}{sfx}" for p in net.params]
        if problem.batched:
            out.append(loss_name(None, suffix(step)))  # the batch loss
        out += [grad_name(p, step) for p in net.params]
        if problem.training.momentum is not None:
            out += [velocity_name(p, step) for p in updated_params(problem)]
        out += [new_name(p, step) for p in updated_params(problem)]
    return out


def given_names(problem: Problem) -> list[str]:
    return list(problem.given_values())


# Other names students use for the learning rate and momentum in `using:`.
ALIASES = {"lr": LEARNING_RATE, "learning_rate": LEARNING_RATE, "η": LEARNING_RATE, "alpha": LEARNING_RATE,
           "momentum": MOMENTUM, "μ": MOMENTUM}
