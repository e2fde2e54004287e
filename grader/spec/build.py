"""Surface model (``grader.spec.schema.ProblemSpec``) -> internal ``grader.spec.problem.Problem``.

Both network forms become the same ``Network``. Every cross-field rule is checked here and reported as a
``SpecError`` with the file, the line (through a ``line_of`` callback, usually ``Document.line_of``), the path inside
the document (``network.layers[1].weights.w5``) and a hint saying what would be right.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction

from grader.errors import SpecError
from grader.spec.activations import activation as _activation, formula as _formula, loss_kind
from grader.spec.collisions import check_collisions
from grader.spec.names import given_names, quantity_names
from grader.spec.problem import (Activation, AskItem, Example, Layer, Network, Neuron, Problem, Randomize, Range,
                                 Tolerance, Training)
from grader.spec.quoting import is_short_name
from grader.spec.schema import ActivationSpec, CompactLayer, ExplicitLayer, ProblemSpec, RangeSpec, ToleranceSpec
from grader.spec.textchecks import check_notation, check_placeholders
from grader.spec.wiring import check_every_unit_feeds

Path = tuple[str | int, ...]
LineOf = Callable[[Path], "int | None"]

IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,31}$")  # any such name; collisions: grader.spec.collisions
LEARNING_RATE_WORDS = frozenset({"eta", "lr", "learning_rate", "alpha"})


def render_path(path: Sequence[str | int]) -> str:
    """``('network', 'layers', 1, 'weights', 'w5')`` -> ``network.layers[1].weights.w5``; a part that is not a
    short name shows as ``<key>``."""
    out = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
            continue
        text = part if is_short_name(part) else "<key>"
        out += f".{text}" if out else text
    return out


def close_hint(name: str, known: Iterable[str], *, prefix: str = "did you mean") -> str | None:
    matches = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
    return f"{prefix}: {', '.join(matches)}" if matches else None


class Where:
    """Locates errors: the source file and a path -> line function."""

    def __init__(self, source: str | None = None, line_of: LineOf | None = None) -> None:
        self.source = source
        self.line_of = line_of

    def error(self, path: Path, message: str, hint: str | None = None) -> SpecError:
        line = self.line_of(tuple(path)) if self.line_of else None
        return SpecError(message, file=self.source, line=line, path=render_path(path) or None, hint=hint)


class _Names:
    """Every declared name (inputs, neurons, nets, weights, biases, renamed targets): identifier-like and unique;
    names that collide with generated ones are found by ``grader.spec.collisions`` once the network is known."""

    def __init__(self, where: Where) -> None:
        self.where = where
        self.seen: dict[str, tuple[str, Path]] = {}

    def declare(self, name: str, kind: str, path: Path) -> None:
        w = self.where
        if not IDENTIFIER.match(name):
            raise w.error(path, f"{kind} name {name!r} is not identifier-like",
                          "use a letter then letters, digits or _ (at most 32), e.g. w1, h2, net_o1")
        if name in self.seen:
            other_kind, other = self.seen[name]
            raise w.error(path, f"duplicate name {name!r}",
                          f"already used for the {other_kind} at {render_path(other)}; names are unique problem-wide")
        self.seen[name] = (kind, path)


def _explicit_network(spec: ProblemSpec, inputs: list[str], names: _Names, where: Where) -> Network:
    layers_spec: list[ExplicitLayer] = spec.network.layers  # type: ignore[assignment]
    layer_of = {n: li for li, ls in enumerate(layers_spec) for n in ls.neurons}
    layers: list[Layer] = []
    neurons: dict[str, Neuron] = {}
    weights: dict[str, tuple[str, str]] = {}
    biases: dict[str, tuple[str, ...]] = {}
    sources = list(inputs)
    for li, ls in enumerate(layers_spec):
        lp: Path = ("network", "layers", li)
        for j, n in enumerate(ls.neurons):
            names.declare(n, "neuron", lp + ("neurons", j))
        nets = ls.nets or {}
        for n, net in nets.items():
            if n not in ls.neurons:
                raise where.error(lp + ("nets", n), f"unknown neuron {n!r}",
                                  f"this layer's neurons: {', '.join(ls.neurons)}")
            names.declare(net, "net", lp + ("nets", n))
        for j, n in enumerate(ls.neurons):
            if n not in nets:
                names.declare(f"net_{n}", "net", lp + ("neurons", j))
        bias_of: dict[str, str] = {}
        if ls.bias is not None and ls.biases is not None:
            raise where.error(lp + ("biases",), "a layer has `bias` (shared) or `biases` (per neuron), not both",
                              "keep one of them")
        if ls.bias is not None:
            names.declare(ls.bias, "bias", lp + ("bias",))
            bias_of = {n: ls.bias for n in ls.neurons}
        for n, b in (ls.biases or {}).items():
            if n not in ls.neurons:
                raise where.error(lp + ("biases", n), f"unknown neuron {n!r}",
                                  f"this layer's neurons: {', '.join(ls.neurons)}")
            if b in bias_of.values():
                raise where.error(lp + ("biases", n), f"bias {b!r} is listed for two neurons",
                                  f"use `bias: {b}` for one bias shared by the whole layer")
            names.declare(b, "bias", lp + ("biases", n))
            bias_of[n] = b
        incoming: dict[str, list[tuple[str, str]]] = {n: [] for n in ls.neurons}
        known = f"known here: {', '.join(sources)} (sources) and {', '.join(ls.neurons)} (this layer)"
        for wname, (src, dst) in ls.weights.items():
            wp = lp + ("weights", wname)
            names.declare(wname, "weight", wp)
            for end in (src, dst):
                if end not in layer_of and end not in inputs:
                    raise where.error(wp, f"unknown neuron {end!r}", known)
            if src not in sources:
                raise where.error(wp, f"source {src!r} is not an input or a neuron of an earlier layer", known)
            if dst not in incoming:
                raise where.error(wp, f"destination {dst!r} is not a neuron of this layer "
                                      "(a layer lists the weights INTO it)", known)
            dup = next((w for w, s in incoming[dst] if s == src), None)
            if dup is not None:
                raise where.error(wp, f"{src} -> {dst} is already wired by {dup}", "one weight per pair of units")
            incoming[dst].append((wname, src))
            weights[wname] = (src, dst)
        for j, n in enumerate(ls.neurons):
            if not incoming[n]:
                raise where.error(lp + ("neurons", j), f"neuron {n!r} has no incoming weight",
                                  f"add one under weights, e.g. w_{n}: [{sources[0]}, {n}]")
            neurons[n] = Neuron(n, li + 1, nets.get(n, f"net_{n}"), bias_of.get(n), tuple(incoming[n]))
        for n, b in bias_of.items():
            biases.setdefault(b, ())
            biases[b] += (n,)
        layers.append(Layer(tuple(ls.neurons), _activation(ls.activation, lp + ("activation",), where)))
        sources += ls.neurons
    check_every_unit_feeds(layers_spec, inputs, isinstance(spec.network.inputs, list), weights, where)
    return Network(tuple(inputs), tuple(layers), neurons, weights, biases)


def _compact_network(spec: ProblemSpec, inputs: list[str], names: _Names, where: Where
                     ) -> tuple[Network, dict[str, Fraction]]:
    layers_spec: list[CompactLayer] = spec.network.layers  # type: ignore[assignment]
    hidden = len(layers_spec) - 1
    layers: list[Layer] = []
    neurons: dict[str, Neuron] = {}
    weights: dict[str, tuple[str, str]] = {}
    biases: dict[str, tuple[str, ...]] = {}
    wvals: dict[str, Fraction] = {}
    bvals: dict[str, Fraction] = {}
    prev = list(inputs)
    for li, ls in enumerate(layers_spec):
        lp: Path = ("network", "layers", li)
        l = li + 1
        if l == len(layers_spec):
            units = [f"o{j}" for j in range(1, ls.size + 1)]
        else:
            units = [f"h{l}_{j}" if hidden >= 2 else f"h{j}" for j in range(1, ls.size + 1)]
        if len(ls.weights) != ls.size:
            raise where.error(lp + ("weights",), f"{len(ls.weights)} weight rows for a layer of size {ls.size}",
                              "one row per neuron of this layer")
        if ls.bias is not None and ls.biases is not None:
            raise where.error(lp + ("biases",), "a layer has `bias` (shared) or `biases` (per neuron), not both",
                              "keep one of them")
        if ls.biases is not None and len(ls.biases) != ls.size:
            raise where.error(lp + ("biases",), f"{len(ls.biases)} bias values for a layer of size {ls.size}",
                              "one bias value per neuron, or `bias: <value>` for one shared bias")
        if ls.bias is not None:
            biases[f"b{l}"] = tuple(units)
            bvals[f"b{l}"] = ls.bias
        for j, (n, row) in enumerate(zip(units, ls.weights), start=1):
            if len(row) != len(prev):
                raise where.error(lp + ("weights", j - 1),
                                  f"row {j} has {len(row)} numbers but the previous layer has {len(prev)} units",
                                  f"column k is unit k of the previous layer: {', '.join(prev)}")
            names.declare(n, "neuron", lp + ("size",))
            names.declare(f"net_{n}", "net", lp + ("size",))
            incoming = []
            for k, (src, value) in enumerate(zip(prev, row), start=1):
                wname = f"w{l}_{j}_{k}"
                names.declare(wname, "weight", lp + ("weights", j - 1, k - 1))
                weights[wname] = (src, n)
                wvals[wname] = value
                incoming.append((wname, src))
            bias = f"b{l}" if ls.bias is not None else f"b{l}_{j}" if ls.biases is not None else None
            if ls.biases is not None:
                biases[f"b{l}_{j}"] = (n,)
                bvals[f"b{l}_{j}"] = ls.biases[j - 1]
            neurons[n] = Neuron(n, l, f"net_{n}", bias, tuple(incoming))
        if ls.bias is not None:
            names.declare(f"b{l}", "bias", lp + ("bias",))
        for j in range(1, ls.size + 1 if ls.biases is not None else 1):
            names.declare(f"b{l}_{j}", "bias", lp + ("biases", j - 1))
        layers.append(Layer(tuple(units), _activation(ls.activation, lp + ("activation",), where)))
        prev = units
    return Network(tuple(inputs), tuple(layers), neurons, weights, biases), {**wvals, **bvals}


def build_network(spec: ProblemSpec, where: Where, declared: dict | None = None
                  ) -> tuple[Network, dict[str, Fraction] | None]:
    """The network, and for the compact form its inline parameter values (None in the explicit form); every
    declared name goes into ``declared`` (name -> (kind, path)) when it is given."""
    forms = [isinstance(layer, CompactLayer) for layer in spec.network.layers]
    for li, compact in enumerate(forms):
        if compact != forms[0]:
            form = ("compact (size/weights matrix)", "explicit (neurons/named weights)")
            raise where.error(("network", "layers", li), f"layer {li} is {form[not compact]} but layer 0 is "
                              f"{form[not forms[0]]}", "write every layer in the same form")
    ins = spec.network.inputs
    inputs = [f"i{k}" for k in range(1, ins + 1)] if isinstance(ins, int) else list(ins)
    names = _Names(where)
    for k, name in enumerate(inputs):
        names.declare(name, "input", ("network", "inputs") + ((k,) if isinstance(ins, list) else ()))
    if forms[0]:
        net, inline = _compact_network(spec, inputs, names, where)
    else:
        net, inline = _explicit_network(spec, inputs, names, where), None
    if declared is not None:
        declared.update(names.seen)
    return net, inline


def _rename_targets(spec: ProblemSpec, net: Network, declared: dict, where: Where) -> Network:
    """``targets: {o6: T}``: the target of output o6 is named T instead of t<k>."""
    names = _Names(where)
    names.seen = declared
    renamed: dict[str, str] = {}
    for o, t in (spec.targets or {}).items():
        if o not in net.outputs:
            raise where.error(("targets", o), f"{o!r} is not an output neuron",
                              f"the outputs are {', '.join(net.outputs)}")
        names.declare(t, "target", ("targets", o))
        renamed[o] = t
    return dataclasses.replace(net, target_names=renamed) if renamed else net


def _check_activations(spec: ProblemSpec, net: Network, where: Where) -> None:
    last = len(net.layers) - 1
    for li, layer in enumerate(net.layers[:-1]):
        if layer.activation.kind == "softmax":
            raise where.error(("network", "layers", li, "activation"), "softmax is for the output layer only",
                              "use sigmoid, tanh, relu or linear in hidden layers")
    out = net.layers[-1].activation.kind
    path: Path = ("network", "layers", last, "activation")
    if out == "softmax" and loss_kind(spec) != "categorical_cross_entropy":
        raise where.error(("loss",), "a softmax output layer needs loss categorical_cross_entropy",
                          "loss: categorical_cross_entropy")
    if out == "softmax" and len(net.outputs) < 2:
        raise where.error(path, "softmax needs at least 2 output neurons", "use sigmoid for a single output")
    if loss_kind(spec) == "categorical_cross_entropy" and out != "softmax":
        raise where.error(("loss",), "categorical_cross_entropy needs a softmax output layer",
                          f"set activation: softmax on the last layer (network.layers[{last}])")
    if loss_kind(spec) == "binary_cross_entropy" and out != "sigmoid":
        raise where.error(("loss",), "binary_cross_entropy needs a sigmoid output layer",
                          f"set activation: sigmoid on the last layer (network.layers[{last}])")


def _examples(spec: ProblemSpec, net: Network, inline: dict[str, Fraction] | None, where: Where
              ) -> tuple[tuple[Example, ...], dict[str, Fraction]]:
    given = spec.given or {}
    targets = [net.target_name(o) for o in net.outputs]
    io = list(net.inputs) + targets
    params = list(net.params)
    allowed = set(params if inline is None else ()) | (set() if spec.examples else set(io))
    for key in given:
        if key in allowed:
            continue
        if inline is not None and key in net.params:
            msg, hint = f"{key} is given inline in the compact network", "remove it from given"
        elif spec.examples and key in io:
            msg, hint = f"{key} is given but `examples` is used", "put inputs and targets in each example"
        else:
            msg = f"given value {key!r} is not an input, target, weight or bias of this network"
            hint = ("the learning rate goes in training.learning_rate" if key in LEARNING_RATE_WORDS else
                    "momentum goes in training.momentum" if key in ("mu", "momentum") else
                    close_hint(key, sorted(allowed)) or f"known: {', '.join(sorted(allowed))}")
        raise where.error(("given", key), msg, hint)
    if inline is None:
        missing = [p for p in params if p not in given]
        if missing:
            raise where.error(("given",), f"missing given values: {', '.join(missing)}",
                              "explicit form: every weight and bias needs a value in `given`")
    if spec.examples:
        raw = [(("examples", j), ex) for j, ex in enumerate(spec.examples)]
    else:
        raw = [(("given",), {k: v for k, v in given.items() if k in io})]
    examples = []
    for path, ex in raw:
        for key in ex:
            if key not in io:
                raise where.error(path + (key,), f"{key!r} is not an input or target",
                                  close_hint(key, io) or f"inputs: {', '.join(net.inputs)}; targets: {', '.join(targets)}")
        missing = [n for n in io if n not in ex]
        if missing:
            raise where.error(path, f"missing given values: {', '.join(missing)}",
                              "every input and target t<k> (of output o<k>) needs a value"
                              + ("" if spec.examples else " in `given` (or use `examples`)"))
        if loss_kind(spec).endswith("cross_entropy"):
            for t in targets:
                if not 0 <= ex[t] <= 1:
                    raise where.error(path + (t,), f"target {t} = {float(ex[t]):g} is outside [0, 1]",
                                      "cross-entropy targets are probabilities")
            if loss_kind(spec) == "categorical_cross_entropy" and sum(ex[t] for t in targets) != 1:
                raise where.error(path, "categorical targets must sum to 1", "use a one-hot or probability target")
        examples.append(Example({i: ex[i] for i in net.inputs}, {o: ex[t] for o, t in zip(net.outputs, targets)}))
    values = inline if inline is not None else {p: given[p] for p in params}
    return tuple(examples), values


def _tolerance(spec: ToleranceSpec | None, base: Tolerance, path: Path, where: Where) -> Tolerance:
    if spec is None:
        return base
    relabs_fields = spec.rtol is not None or spec.atol is not None
    mode = spec.mode or ("sigfig" if spec.digits is not None and not relabs_fields and spec.places is None else
                         "decimals" if spec.places is not None and not relabs_fields and spec.digits is None else
                         "relabs" if relabs_fields else base.mode)
    hint = "write {rtol: .., atol: ..}, {mode: sigfig, digits: 3} or {mode: decimals, places: 3}"
    if mode == "sigfig" and relabs_fields:
        raise where.error(path, "rtol/atol apply to mode relabs", hint)
    if mode == "sigfig" and spec.places is not None:
        raise where.error(path, "places applies to mode decimals", hint)
    if mode == "decimals" and (relabs_fields or spec.digits is not None):
        raise where.error(path, "only places applies to mode decimals", hint)
    if mode == "relabs" and (spec.digits is not None or spec.places is not None):
        raise where.error(path, "digits applies to mode sigfig and places to mode decimals", hint)
    return Tolerance(mode=mode, rtol=base.rtol if spec.rtol is None else float(spec.rtol),
                     atol=base.atol if spec.atol is None else float(spec.atol),
                     digits=base.digits if spec.digits is None else spec.digits,
                     places=base.places if spec.places is None else spec.places)


def ask_entry(item) -> tuple[str, float, ToleranceSpec | None]:
    """(name, points, tolerance override) of one entry of an ask list: ``name``, ``{name: points}`` or
    ``{quantity: name, points: .., tolerance: ..}``."""
    if isinstance(item, str):
        return item, 1.0, None
    if isinstance(item, dict):
        (name, points), = item.items()
        return name, points, None
    return item.quantity, item.points, item.tolerance


def _asks(spec: ProblemSpec, problem: Problem, where: Where) -> tuple[AskItem, ...]:
    computed = quantity_names(problem)
    known, given = set(computed), set(given_names(problem))
    seen: dict[str, Path] = {}
    out = []
    for i, item in enumerate(spec.ask.quantities):
        path: Path = ("ask", "quantities", i)
        name, points, tol = ask_entry(item)
        if name in seen:
            raise where.error(path, f"{name} is asked twice", f"first asked at {render_path(seen[name])}")
        if name not in known:
            if name in given:
                hint = (f"ask for {name}_new (its value after the step)" if name in problem.params and
                        f"{name}_new" in known else "ask for a computed quantity")
                raise where.error(path, f"{name} is given, not computed", hint)
            if name.endswith("_new") and name[:-4] in problem.network.biases:
                raise where.error(path, f"{name} is not computed: biases are frozen",
                                  "set training.update_biases: true or drop this ask")
            variants = [q for q in computed if q.startswith(name + "_")][:4]
            raise where.error(path, f"unknown quantity {name!r}",
                              (f"with its step/example suffix: {', '.join(variants)}" if variants else None) or
                              close_hint(name, computed, prefix="closest") or
                              f"computed quantities include: {', '.join(computed[:8])}, ...")
        seen[name] = path
        tolerance = _tolerance(tol, problem.default_tolerance, path + ("tolerance",), where)
        out.append(AskItem(name, float(points), tolerance))
    return tuple(out)


def build_problem(spec: ProblemSpec, *, source: str | None = None, line_of: LineOf | None = None) -> Problem:
    """Check every cross-field rule and build the internal ``Problem``; raises ``SpecError``."""
    where = Where(source, line_of)
    declared: dict = {}
    net, inline = build_network(spec, where, declared)
    net = _rename_targets(spec, net, declared, where)
    check_collisions(net, declared, where.error, steps=spec.training.steps,
                     n_examples=len(spec.examples) if spec.examples else 1,
                     momentum=spec.training.momentum is not None, update_biases=spec.training.update_biases)
    _check_activations(spec, net, where)
    examples, params = _examples(spec, net, inline, where)
    tr = spec.training
    if tr.learning_rate <= 0:
        raise where.error(("training", "learning_rate"), "the learning rate must be positive", "e.g. learning_rate: 0.5")
    if tr.momentum is not None and not 0 <= tr.momentum < 1:
        raise where.error(("training", "momentum"), "momentum must be in [0, 1)", "e.g. momentum: 0.9")
    if spec.reveal == "after_due" and spec.due is None:
        raise where.error(("reveal",), "after_due needs a due date", "add due: 2026-12-01T23:59:00Z")
    training = Training(tr.learning_rate, tr.steps, tr.update_biases, tr.batch, tr.momentum)
    default_tol = _tolerance(spec.ask.tolerance, Tolerance(), ("ask", "tolerance"), where)
    loss_formula = None
    if not isinstance(spec.loss, str):
        loss_formula = _formula(spec.loss.formula, ("o", "t"), ("loss", "formula"), where, 'formula: "(o - t)^2"')
    problem = Problem(id=spec.id, title=spec.title, statement=spec.statement, network=net, loss=loss_kind(spec),
                      examples=examples, params=params, training=training, ask=(), default_tolerance=default_tol,
                      carried_credit=spec.ask.carried_credit, reveal=spec.reveal, due=spec.due, source=source,
                      delta_convention=spec.delta_convention, loss_formula=loss_formula,
                      notebook_outputs=spec.notebook_outputs)
    problem = dataclasses.replace(problem, ask=_asks(spec, problem, where))
    check_placeholders(problem, where)
    if spec.notation:
        problem = dataclasses.replace(problem, notation=check_notation(spec.notation, problem, where))
    if spec.layer_notation is not None:
        if spec.delta_convention != "dE_dnet":
            raise where.error(("layer_notation",), f"{spec.layer_notation} writes the delta as ∂C/∂z, but "
                              "delta_convention: minus_dE_dnet makes this problem's delta −∂E/∂net",
                              "remove delta_convention, whose default dE_dnet is the book's, or remove layer_notation")
        problem = dataclasses.replace(problem, layer_notation=spec.layer_notation)
    if spec.randomize is not None:
        problem = dataclasses.replace(problem, randomize=_randomize(spec, problem, where))
    return problem


MAX_GRID = 1_000_000  # values on one randomization grid


def _grid(r: RangeSpec, path: Path, where: Where) -> Range:
    if r.step <= 0:
        raise where.error(path + ("step",), "the step must be positive", "e.g. step: 0.05")
    if r.max < r.min:
        raise where.error(path + ("max",), "max is below min", f"swap them: min: {r.max}, max: {r.min}")
    if (r.max - r.min) / r.step > MAX_GRID:
        raise where.error(path + ("step",), f"the grid has more than {MAX_GRID} values", "use a larger step")
    return Range(r.min, r.max, r.step)


def _randomize(spec: ProblemSpec, problem: Problem, where: Where) -> Randomize:
    """Grids by given-value name: group keys (inputs, targets, weights, biases, learning_rate) first, then names."""
    rs, net, given = spec.randomize, problem.network, problem.given_values()
    targets = {net.target_name(o) for o in net.outputs}
    stem = {g: g.rsplit("_x", 1)[0] if problem.batched else g for g in given}
    groups = {
        "inputs": [g for g in given if stem[g] in net.inputs],
        "targets": [g for g in given if stem[g] in targets],
        "weights": list(net.weights),
        "biases": list(net.biases),
        "learning_rate": ["eta"],
    }
    ranges: dict[str, Range] = {}
    for group, members in groups.items():
        r = getattr(rs, group)
        if r is None:
            continue
        if not members:
            raise where.error(("randomize", group), f"this network has no {group}", f"remove randomize.{group}")
        grid = _grid(r, ("randomize", group), where)
        ranges.update((m, grid) for m in members)
    for name, r in (rs.model_extra or {}).items():
        path: Path = ("randomize", name)
        alias = "eta" if name in LEARNING_RATE_WORDS else "mu" if name == "momentum" else name
        members = [alias] if alias in given else [g for g in given if stem[g] == alias and g != alias]
        if not members:
            raise where.error(path, f"{name!r} is not a given value of this problem",
                              close_hint(name, sorted(set(stem.values()) | set(groups))) or
                              f"randomize given values ({', '.join(sorted(set(stem.values())))}) or the groups "
                              f"{', '.join(groups)}")
        grid = _grid(r, path, where)
        ranges.update((m, grid) for m in members)
    for name, grid in ranges.items():
        path = ("randomize",)
        if name == "eta" and grid.low <= 0:
            raise where.error(path, "a randomized learning rate must stay positive", "use min > 0")
        if name == "mu" and not (0 <= grid.low and grid.high < 1):
            raise where.error(path, "a randomized momentum must stay in [0, 1)", "use 0 <= min, max < 1")
        if stem[name] in targets and loss_kind(spec).endswith("cross_entropy"):
            if loss_kind(spec) == "categorical_cross_entropy":
                raise where.error(path, "categorical targets cannot be randomized (they must sum to 1)",
                                  "randomize inputs and weights instead")
            if grid.low < 0 or grid.high > 1:
                raise where.error(path, f"{name}: cross-entropy targets must stay in [0, 1]", "use 0 <= min, max <= 1")
    return Randomize(ranges, rs.no_saturation, rs.min_change, rs.nonzero, rs.attempts)
