"""The internal, validated model of a problem: what the solver and the grader work from.

The YAML surface (``grader.spec.schema``) has two network forms, explicit and compact; both are turned into this one
model by ``grader.spec.build``. Everything here is frozen and exact: given values are ``Fraction``s.

Naming (used everywhere: submissions, reports, gradebooks):

* a neuron's name is its activation (``h1``, ``o1``); its net input is the declared net name (``z1``) or ``net_<neuron>``;
* given values: inputs (``i1``), weights (``w1``), biases (``b1``), targets ``t<k>`` for the k-th output neuron
  (``t1`` is the target of ``o1``) and the learning rate ``eta``;
* ``E`` is the total loss, ``E_<output>`` its part at one output; ``delta_<neuron>`` is dE/dnet (or -dE/dnet, the
  textbook error term, with ``delta_convention: minus_dE_dnet``); ``dE_dout_<neuron>`` is dE/d(activation) and
  ``dout_dnet_<neuron>`` the activation's derivative at its net input; ``grad_<param>`` is dE/dparam (in either
  convention); ``<param>_new`` is the parameter after the step;
* suffixes: step k > 1 appends ``_s<k>``; in a batch of more than one example, per-example quantities (inputs,
  targets, nets, activations, losses, deltas and per-example gradients) append ``_x<j>`` (j from 1), while the
  batch gradient ``grad_<param>`` and ``E`` (the batch loss) carry none. Step suffix comes first: ``h1_s2_x1``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

from grader.parse.formula import Formula
from grader.spec.names import LEARNING_RATE, MOMENTUM
from grader.spec.tolerance import Tolerance

ActivationKind = Literal["sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax", "formula"]
LossKind = Literal["half_sse", "sse", "mse", "binary_cross_entropy", "categorical_cross_entropy", "formula"]
DeltaConvention = Literal["dE_dnet", "minus_dE_dnet"]
BatchReduction = Literal["sum", "mean"]
RevealPolicy = Literal["always", "after_due", "never"]


@dataclass(frozen=True)
class Activation:
    kind: ActivationKind
    # relu: the derivative used at net = 0 (the spec must state it); leaky_relu: the slope for net < 0.
    derivative_at_zero: Fraction = Fraction(0)
    slope: Fraction = Fraction(1, 100)
    formula: Formula | None = None  # kind "formula": f(x), read by grader.parse.formula


@dataclass(frozen=True)
class Neuron:
    name: str
    layer: int  # 1-based: layer 1 is the first layer after the inputs
    net: str  # name of its net input, e.g. "z1" or "net_h1"
    bias: str | None  # the bias parameter feeding it, if any
    incoming: tuple[tuple[str, str], ...]  # (weight name, source name), in declared order


@dataclass(frozen=True)
class Layer:
    neurons: tuple[str, ...]
    activation: Activation


@dataclass(frozen=True)
class Network:
    inputs: tuple[str, ...]
    layers: tuple[Layer, ...]
    neurons: dict[str, Neuron]
    weights: dict[str, tuple[str, str]]  # weight -> (source, destination)
    biases: dict[str, tuple[str, ...]]  # bias -> neurons it feeds
    target_names: dict[str, str] = field(default_factory=dict)  # output -> its target's name, where renamed

    @property
    def outputs(self) -> tuple[str, ...]:
        return self.layers[-1].neurons

    @property
    def params(self) -> tuple[str, ...]:
        """Trainable parameters: weights in declared order, then biases."""
        return tuple(self.weights) + tuple(self.biases)

    def target_name(self, output: str) -> str:
        """``t<k>`` for the k-th output, unless the spec renamed it (``targets: {o6: T}``)."""
        return self.target_names.get(output) or f"t{self.outputs.index(output) + 1}"

    def activation_of(self, neuron: str) -> Activation:
        return self.layers[self.neurons[neuron].layer - 1].activation


@dataclass(frozen=True)
class Example:
    inputs: dict[str, Fraction]  # input name -> value
    targets: dict[str, Fraction]  # output neuron name -> target value


@dataclass(frozen=True)
class Training:
    learning_rate: Fraction
    steps: int = 1
    update_biases: bool = True
    batch: BatchReduction = "sum"
    momentum: Fraction | None = None  # classical momentum: v <- mu*v - eta*g; p <- p + v (v starts at 0)


@dataclass(frozen=True)
class AskItem:
    quantity: str
    points: float
    tolerance: Tolerance


@dataclass(frozen=True)
class Range:
    """The grid ``low, low + step, ...`` up to ``high`` of a randomized given value."""

    low: Fraction
    high: Fraction
    step: Fraction

    def values(self) -> list[Fraction]:
        return [self.low + k * self.step for k in range(int((self.high - self.low) / self.step) + 1)]


@dataclass(frozen=True)
class Randomize:
    """Per-student variants (``grader.spec.variant``, ``grader.solve.variant``): a grid per randomized given value, by
    the name of ``Problem.given_values`` (``i1``, ``t1``, ``w5``, ``eta``; ``i1_x2`` in a batch), and the constraints."""

    ranges: dict[str, Range]
    no_saturation: bool = False
    min_change: bool = False
    nonzero: bool = False
    attempts: int = 1000


@dataclass(frozen=True)
class Problem:
    id: str
    title: str
    statement: str
    network: Network
    loss: LossKind
    examples: tuple[Example, ...]
    params: dict[str, Fraction]  # initial weights and biases
    training: Training
    ask: tuple[AskItem, ...]
    default_tolerance: Tolerance = field(default_factory=Tolerance)
    carried_credit: float = 1.0  # share of a field's points for an error carried forward
    reveal: RevealPolicy = "always"
    due: str | None = None  # ISO 8601 date/time; with reveal "after_due"
    source: str | None = None  # the file it was read from
    randomize: Randomize | None = None  # per-student variants; None: every student gets the given values
    variant: str | None = None  # the student id whose variant this is (values drawn from ``randomize``)
    delta_convention: DeltaConvention = "dE_dnet"  # what delta_<neuron> means: dE/dnet or -dE/dnet (error term)
    loss_formula: Formula | None = None  # loss "formula": the loss at one output as a formula of o and t
    notation: dict[str, str] = field(default_factory=dict)  # a course's own spellings: alias -> name (spec.notation)
    layer_notation: str | None = None  # a textbook's layer-numbered names (grader.spec.layernames)
    notebook_outputs: str = "read"  # a notebook write-up's printed outputs: "read" as answers, or "ignore"

    @property
    def batched(self) -> bool:
        return len(self.examples) > 1

    def given_values(self) -> dict[str, Fraction]:
        """Every given value under the name a student uses for it (inputs, targets, params, eta)."""
        out: dict[str, Fraction] = {}
        for j, ex in enumerate(self.examples, start=1):
            sfx = f"_x{j}" if self.batched else ""
            for name, v in ex.inputs.items():
                out[name + sfx] = v
            for o, v in ex.targets.items():
                out[self.network.target_name(o) + sfx] = v
        out.update(self.params)
        out[LEARNING_RATE] = self.training.learning_rate
        if self.training.momentum is not None:
            out[MOMENTUM] = self.training.momentum
        return out
