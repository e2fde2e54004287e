"""Pydantic models of the YAML problem surface (what an instructor writes).

Only the shape is checked here (field names, types, ranges); everything that relates one field to another (wiring,
given values, asked quantities) is checked by ``grader.spec.build``, which turns a validated ``ProblemSpec`` into the
internal ``grader.spec.problem.Problem``.

A network is written in one of two forms:

* **explicit**: every layer names its neurons and every weight (``w5: [h1, o1]`` is the weight from ``h1`` into
  ``o1``); the weight and bias values go in ``given``;
* **compact** (layered): a layer states its ``size`` and a weight matrix (row j = neuron j of the layer, column k =
  unit k of the previous layer) with optional bias values inline; names are generated.

Auto-naming in the compact form (see ``naming_doc``): inputs ``i1..in``; the last layer's neurons ``o1..om``;
neuron j of hidden layer l is ``h<l>_<j>`` when there are two or more hidden layers, else ``h<j>``; the weight into
neuron j of layer l from unit k of the previous layer is ``w<l>_<j>_<k>``; a per-neuron bias is ``b<l>_<j>``, a
bias shared by layer l is ``b<l>``; net inputs are ``net_<neuron>``.

Numbers that are given values (``given``, ``examples``, learning rate, momentum, weight matrices, bias values,
activation parameters) are read exactly: YAML ints and decimals, or strings such as ``"7/20"``; ``0.35`` is 7/20.
Tolerance numbers are ordinary floats.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, PlainValidator, Tag, WithJsonSchema

from grader.parse.answer import Unparseable, parse_exact

__all__ = [
    "ActivationSpec", "AskEntry", "LossFormulaSpec", "AskSpec", "CompactLayer", "ExplicitLayer", "NetworkSpec", "ProblemSpec",
    "ToleranceSpec", "TrainingSpec", "naming_doc", "TAGS", "RangeSpec", "RandomizeSpec",
]

ActivationName = Literal["sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax"]


def _exact(value: Any) -> Fraction:
    """Read a given value exactly (``parse_exact``): ``0.35`` is 7/20; bools, null and non-numbers are refused."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):  # not from YAML (floats arrive as Decimal) but from Python or JSON callers
        value = Decimal(repr(value))
    result = parse_exact(value)
    if isinstance(result, Unparseable):
        raise ValueError(result.reason)
    return result


Exact = Annotated[
    Fraction,
    PlainValidator(_exact),
    WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "string"}],
                    "description": "an exact number: 0.35, -15, 1e-3 or a fraction string like \"7/20\""}),
]


def _date(value: Any) -> str:
    """A due date as an ISO 8601 string (YAML may hand over a datetime or a date)."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise ValueError("expected an ISO 8601 date/time such as 2026-12-01T23:59:00Z")


IsoDate = Annotated[str, PlainValidator(_date), WithJsonSchema({"type": "string", "format": "date-time"})]

# Tags of the discriminated unions; they appear in pydantic error locations and are removed when rendering paths.
TAGS = frozenset({"explicit-layer", "compact-layer", "activation-name", "activation-spec", "input-count",
                  "input-names", "ask-name", "ask-points", "ask-entry", "loss-name", "loss-formula"})


class Strict(BaseModel):
    """Base: unknown fields are errors, models are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ActivationSpec(Strict):
    """An activation with parameters, e.g. ``{kind: relu, derivative_at_zero: 0}``, or a formula of ``x``:
    ``{formula: "x^(3/4)"}``."""

    kind: ActivationName | None = Field(None, description="the activation function (or give `formula`)")
    formula: str | None = Field(
        None, max_length=400,
        description='f(x) in the answer grammar plus max/min/abs, e.g. "x^(3/4)"; its derivative is computed exactly')
    derivative_at_zero: Exact | None = Field(
        None, description="relu/leaky_relu: the derivative used at net = 0 (required for both)")
    slope: Exact | None = Field(None, description="leaky_relu: the slope for net < 0 (default 0.01)")


def _activation_tag(v: Any) -> str | None:
    return "activation-name" if isinstance(v, str) else "activation-spec" if isinstance(v, (dict, BaseModel)) else None


ActivationField = Annotated[
    Annotated[ActivationName, Tag("activation-name")] | Annotated[ActivationSpec, Tag("activation-spec")],
    Discriminator(_activation_tag, custom_error_type="activation",
                  custom_error_message="an activation is a name (sigmoid, tanh, linear, softmax) or a mapping "
                                       "like {kind: relu, derivative_at_zero: 0} or {formula: \"x^(3/4)\"}"),
    Field(description="sigmoid | tanh | linear | softmax, {kind: relu|leaky_relu, derivative_at_zero: .., slope: ..}, "
                      "or {formula: \"x^(3/4)\"}"),
]


class ExplicitLayer(Strict):
    """A layer with named neurons and named weights (values in ``given``)."""

    neurons: list[str] = Field(min_length=1, description="names of the layer's neurons (their activations)")
    activation: ActivationField
    nets: dict[str, str] | None = Field(
        None, description="names of net inputs by neuron, e.g. {h1: z1}; default net_<neuron>")
    bias: str | None = Field(None, description="name of one bias shared by all the layer's neurons")
    biases: dict[str, str] | None = Field(None, description="name of each neuron's own bias, e.g. {h1: b1, h2: b2}")
    weights: dict[str, Annotated[list[str], Field(min_length=2, max_length=2)]] = Field(
        description="the weights INTO this layer: name: [from, to]; `from` is an input or a neuron of an earlier layer")


class CompactLayer(Strict):
    """A layer given by its size and weight matrix; names are generated (see ``naming_doc``)."""

    size: int = Field(ge=1, le=64, description="number of neurons")
    activation: ActivationField
    weights: list[list[Exact]] = Field(
        min_length=1, description="row j = neuron j of this layer, column k = unit k of the previous layer")
    biases: list[Exact] | None = Field(None, description="one bias value per neuron (named b<l>_<j>)")
    bias: Exact | None = Field(None, description="one bias value shared by the layer's neurons (named b<l>)")


def _layer_tag(v: Any) -> str | None:
    if isinstance(v, dict):
        return "explicit-layer" if "neurons" in v else "compact-layer" if "size" in v else None
    return "explicit-layer" if isinstance(v, ExplicitLayer) else "compact-layer" if isinstance(v, CompactLayer) else None


LayerField = Annotated[
    Annotated[ExplicitLayer, Tag("explicit-layer")] | Annotated[CompactLayer, Tag("compact-layer")],
    Discriminator(_layer_tag, custom_error_type="layer_form",
                  custom_error_message="a layer needs `neurons:` (explicit form) or `size:` (compact form)"),
]


def _inputs_tag(v: Any) -> str | None:
    return "input-names" if isinstance(v, list) else "input-count" if isinstance(v, int) and not isinstance(v, bool) else None


InputsField = Annotated[
    Annotated[list[str], Tag("input-names"), Field(min_length=1)] | Annotated[int, Tag("input-count"), Field(ge=1, le=64)],
    Discriminator(_inputs_tag, custom_error_type="inputs",
                  custom_error_message="inputs is a count (named i1..in) or a list of names"),
    Field(description="a count (auto-named i1..in) or a list of input names"),
]


class NetworkSpec(Strict):
    """The network: inputs and layers, all in one form (explicit or compact)."""

    inputs: InputsField
    layers: list[LayerField] = Field(min_length=1, max_length=16,
                                     description="layers after the inputs; the last one is the output layer")


class TrainingSpec(Strict):
    """How the parameters are updated."""

    learning_rate: Exact = Field(description="eta > 0, read exactly")
    steps: int = Field(1, ge=1, le=20, description="number of gradient steps (1..20)")
    update_biases: bool = Field(True, description="whether biases are updated (false: frozen)")
    batch: Literal["sum", "mean"] = Field("sum", description="how per-example gradients combine over a batch")
    momentum: Exact | None = Field(None, description="classical momentum mu in [0, 1): v <- mu*v - eta*g; p <- p + v")


class ToleranceSpec(Strict):
    """``{rtol, atol}`` (accept |given - true| <= atol + rtol*|true|), ``{mode: sigfig, digits: n}`` or
    ``{mode: decimals, places: d}`` (accept |given - true| <= 0.5·10^-d; for an updated parameter on p_new itself).

    In a per-quantity override, fields left out are taken from the problem's default rule; ``mode`` left out is
    ``sigfig`` when only ``digits`` is stated, ``decimals`` when only ``places`` is, and ``relabs`` when
    ``rtol``/``atol`` are.
    """

    mode: Literal["relabs", "sigfig", "decimals"] | None = Field(
        None, description="relabs (default), sigfig or decimals")
    rtol: float | None = Field(None, ge=0, le=1, allow_inf_nan=False, description="relative tolerance (default 0.01)")
    atol: float | None = Field(None, ge=0, allow_inf_nan=False, description="absolute tolerance (default 1e-9)")
    digits: int | None = Field(None, ge=1, le=15, description="significant figures for mode sigfig (default 3)")
    places: int | None = Field(None, ge=0, le=15, description="decimal places for mode decimals (default 3): "
                                                             "accepted within half a unit of the last place")


class AskEntry(Strict):
    """One asked quantity with its points and an optional tolerance override."""

    quantity: str = Field(description="a computed quantity, e.g. delta_o1 or w5_new")
    points: float = Field(1.0, gt=0, allow_inf_nan=False, description="points for this field (> 0, finite)")
    tolerance: ToleranceSpec | None = Field(None, description="overrides the default rule for this quantity")


def _ask_tag(v: Any) -> str | None:
    if isinstance(v, str):
        return "ask-name"
    if isinstance(v, AskEntry) or (isinstance(v, dict) and "quantity" in v):
        return "ask-entry"
    return "ask-points" if isinstance(v, dict) else None


AskItemField = Annotated[
    Annotated[str, Tag("ask-name")]
    | Annotated[dict[str, Annotated[float, Field(gt=0, allow_inf_nan=False)]], Tag("ask-points"), Field(min_length=1, max_length=1)]
    | Annotated[AskEntry, Tag("ask-entry")],
    Discriminator(_ask_tag, custom_error_type="ask_item",
                  custom_error_message="an asked quantity is a name, {name: points} or {quantity: name, points: ..}"),
]


class AskSpec(Strict):
    """What students must answer, and how answers are judged."""

    tolerance: ToleranceSpec | None = Field(None, description="the default rule (default rtol 0.01, atol 1e-9)")
    carried_credit: float = Field(1.0, ge=0, le=1, description="share of points for an error carried forward")
    quantities: list[AskItemField] = Field(
        min_length=1, max_length=2000,
        description='each: "name" (1 point) | {name: points} | {quantity: name, points: 2, tolerance: {...}}')


class RangeSpec(Strict):
    """A grid of values for a randomized given value: ``min``, ``min + step``, ... up to ``max`` (all exact)."""

    min: Exact = Field(description="the smallest value")
    max: Exact = Field(description="the largest value (included when it is on the grid)")
    step: Exact = Field(description="the grid step (> 0), e.g. 0.05")


class RandomizeSpec(BaseModel):
    """Per-student variants: grids for given values and the constraints every variant must meet.

    Besides the group keys below, any given value can have its own grid by name (``w1: {min: -1, max: 1, step:
    0.05}``), which wins over its group. See ``docs/authoring.md``.
    """

    model_config = ConfigDict(extra="allow", frozen=True)
    __pydantic_extra__: dict[str, RangeSpec] = Field(init=False)

    inputs: RangeSpec | None = Field(None, description="grid for every input (of every example)")
    targets: RangeSpec | None = Field(None, description="grid for every target t<k>")
    weights: RangeSpec | None = Field(None, description="grid for every weight")
    biases: RangeSpec | None = Field(None, description="grid for every bias")
    learning_rate: RangeSpec | None = Field(None, description="grid for the learning rate")
    no_saturation: bool = Field(False, description="every sigmoid/tanh neuron has derivative >= 1e-3")
    min_change: bool = Field(False, description="no asked quantity (or parameter change) would pass as 0")
    nonzero: bool = Field(False, description="no randomized value and no asked quantity is 0")
    attempts: int = Field(1000, ge=1, le=100000, description="variants tried per student before giving up")


class LossFormulaSpec(Strict):
    """A loss given by its formula at one output, summed over the outputs: ``{formula: "(o - t)^2"}``."""

    formula: str = Field(max_length=400, description="the loss at one output as a formula of o (output) and t (target)")


LossName = Literal["half_sse", "sse", "mse", "binary_cross_entropy", "categorical_cross_entropy"]


def _loss_tag(v: Any) -> str | None:
    return "loss-name" if isinstance(v, str) else "loss-formula" if isinstance(v, (dict, BaseModel)) else None


LossField = Annotated[
    Annotated[LossName, Tag("loss-name")] | Annotated[LossFormulaSpec, Tag("loss-formula")],
    Discriminator(_loss_tag, custom_error_type="loss",
                  custom_error_message="a loss is a name (half_sse, sse, mse, binary_cross_entropy, "
                                       "categorical_cross_entropy) or {formula: \"(o - t)^2\"}"),
]


class ProblemSpec(Strict):
    """A backprop problem as written in YAML. See the module docstring for both network forms."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=80, description="short identifier")
    title: str = Field(description="one-line title")
    statement: str = Field("", description="Markdown shown to students")
    network: NetworkSpec
    given: dict[str, Exact] | None = Field(
        None, description="weight and bias values (explicit form); inputs and targets t<k> for a single example")
    examples: list[dict[str, Exact]] | None = Field(
        None, min_length=1, max_length=64, description="instead of inputs/targets in given: each {i1: .., t1: ..}")
    loss: LossField = Field(
        description="half_sse = 1/2 sum (t-o)^2, sse = sum (t-o)^2, mse = mean over outputs, a cross-entropy, or "
                    "{formula: \"(o - t)^2\"} (per output, summed)")
    delta_convention: Literal["dE_dnet", "minus_dE_dnet"] = Field(
        "dE_dnet", description="what delta_<neuron> means: dE/dnet (default) or minus_dE_dnet, the textbook error "
                               "term -dE/dnet (gradients stay dE/dparam; updates are the same numbers)")
    targets: dict[str, str] | None = Field(
        None, description="names of the targets by output neuron, e.g. {o6: T}; default t<k> for the k-th output")
    training: TrainingSpec
    ask: AskSpec
    reveal: Literal["always", "after_due", "never"] = Field("always", description="when the answer key is shown")
    due: IsoDate | None = Field(None, description="ISO 8601 date/time; required with reveal: after_due")
    randomize: RandomizeSpec | None = Field(
        None, description="per-student variants: value grids by name or group, and constraints")
    notebook_outputs: Literal["read", "ignore"] = Field(
        "read", description="a write-up's printed outputs (what a notebook's code cells print, a Markdown fence of "
                            "output): read as answers (default), or ignore: only the work written by hand is graded")
    notation: dict[str, str] | None = Field(
        None, description="a course's own symbols: {alias: name}, e.g. {y_hat: o1, \"\\\\hat{y}\": o1}; "
        "each target is a name of the problem, no alias may collide with a generated name")
    layer_notation: Literal["nielsen", "ng"] | None = Field(
        None, description="a textbook's layer-numbered names read as this problem's, the inputs being layer 1: "
        "nielsen (z^l_j, a^l_j, \\delta^l_j, b^l_j, w^l_{jk} from unit k of layer l-1, y_j, C) or ng (z^{(l)}_j, "
        "a^{(l)}_j, \\delta^{(l)}_j, \\Theta^{(l)}_{jk} from unit k of layer l, unit 0 the bias, y_j, J)")


NAMING_DOC = """\
### Names in the compact network form

In the compact (layered) form the grader names everything itself:

| what | name | example |
| --- | --- | --- |
| inputs (when `inputs:` is a count) | `i1` .. `in` | `i3` |
| neurons of the last (output) layer | `o1` .. `om` | `o2` |
| neuron j of the only hidden layer | `h<j>` | `h4` |
| neuron j of hidden layer l, with 2+ hidden layers | `h<l>_<j>` | `h2_3` |
| weight into neuron j of layer l from unit k of the previous layer | `w<l>_<j>_<k>` | `w2_1_3` |
| bias of neuron j of layer l (`biases: [..]`) | `b<l>_<j>` | `b1_2` |
| bias shared by layer l (`bias: ..`) | `b<l>` | `b2` |
| net input of a neuron | `net_<neuron>` | `net_h2_3` |

Layers are numbered from 1 (the first layer after the inputs); row j of a layer's `weights` is neuron j of that
layer and column k is unit k of the previous layer (the inputs for layer 1). Targets are `t<k>` for output `o<k>`.
"""


def naming_doc() -> str:
    """The Markdown section describing auto-generated names in the compact form (quoted by the README)."""
    return NAMING_DOC
