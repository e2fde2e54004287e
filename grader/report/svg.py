"""The network as an inline SVG, each element coloured by the verdicts of the quantities that belong to it.

* a neuron: its activation (``h1``), its net input (``z1`` / ``net_h1``, from ``NetworkSketch.nets``) and its delta;
* a weight: its update (``w5_new``), its gradient (``grad_w5``) and velocity (``v_w5``);
* a bias: the same quantities as a weight;

in every step and for every example of a batch (``_s2``, ``_x1`` suffixes). The element takes the worst verdict:
incorrect/unparseable > missing > pending > carried > correct; an element with no asked quantity is neutral grey.

Colour is never the only signal: each verdict also has its own dash pattern and a symbol (✓ ↪ ✗ ∅ ?) in the label,
every element has a ``<title>`` tooltip, a legend is drawn below the network and the ``<svg>`` carries ``role="img"``
and an ``aria-label`` that says the same in words. Neurons are ``<g class="neuron" data-unit=...>``, inputs
``<g class="input" data-unit=...>``, weights ``<g class="weight" data-weight=...>``, biases ``<g class="bias"
data-bias=...>``; each coloured element carries ``data-verdict``.

The drawing is styled by ``SVG_CSS`` and ``SVG_VARS`` (part of the page's stylesheet): a verdict's colours and dash
pattern are set once per verdict on ``[data-verdict=...]`` and every line, circle and box takes them from there, so the markup holds
geometry and words only (and the practice page recolours an element by changing its ``data-verdict``).

The geometry depends on the sketch alone: it is laid out once per sketch (``_skeleton``, a small cache keyed on the
sketch object, which a problem's plan shares with every result) and each report only fills in verdicts, symbols and
tooltips. Deterministic: nothing is random.
"""

from __future__ import annotations

import functools
import operator
import re
from html import escape

from grader.grade.result import FieldResult, GradeResult, NetworkSketch

SYMBOL = {"correct": "✓", "carried": "↪", "incorrect": "✗", "missing": "∅", "unparseable": "?", "pending": "…", "none": ""}
SEVERITY = {"correct": 0, "carried": 1, "pending": 2, "missing": 3, "incorrect": 4, "unparseable": 4}
# Okabe–Ito hues, darkened to at least 4.5:1 against white; light tints for fills.
STROKE = {"correct": "#00704f", "carried": "#005a8c", "incorrect": "#a63f00", "missing": "#8a5d00",
          "unparseable": "#9c4a7d", "pending": "#2b6f9e", "none": "#6b6b6b"}
FILL = {"correct": "#dcf2ea", "carried": "#dceaf6", "incorrect": "#fbe3d6", "missing": "#fbefd2",
        "unparseable": "#f6e3ee", "pending": "#e0eff9", "none": "#f2f2f2"}
DASH = {"correct": "", "carried": "10 5", "incorrect": "4 3", "missing": "12 4 2 4", "unparseable": "1 5",
        "pending": "6 2 2 2", "none": ""}
WORD = {"none": "not asked"}
LEGEND = ("correct", "carried", "incorrect", "missing", "unparseable", "none")

COL_GAP, MARGIN_X, ROW_GAP, TOP, R = 230, 70, 120, 118, 26
_SUFFIX = re.compile(r"(_s\d+)?(_x\d+)?$")


# The drawing's style (in the page's stylesheet, with ``grader.report.style``): a verdict's stroke colour (``--c``),
# fill (``--f``) and dash pattern (``--d``) are set on ``[data-verdict=...]``; ``--t`` is the colour of words on grey.
SVG_VARS = {v: f"--c: {STROKE[v]}; --f: {FILL[v]}; --d: {DASH[v] or 'none'};" + (" --t: #333;" if v == "none" else "")
            for v in STROKE}
SVG_CSS = "\n".join([
    "text { text-anchor: middle; font-size: 14px; fill: #222; }",
    "path { fill: none; stroke: var(--c); stroke-width: 2.6px; stroke-dasharray: var(--d); stroke-linecap: round; }",
    "[data-verdict=none] path { stroke-width: 1.6px; }",
    ".bias path { stroke-width: 1.3px; stroke-dasharray: 2 4; opacity: 0.8; }",
    "rect, circle { fill: var(--f); stroke: var(--c); stroke-width: 2px; stroke-dasharray: var(--d); }",
    ".bias text, .wl, .legend text { fill: var(--t, var(--c)); }",
    ".wl { stroke: #fff; stroke-width: 4px; stroke-linejoin: round; paint-order: stroke; pointer-events: none; }",
    ".input rect { fill: #f2f2f2; stroke: #6b6b6b; }",
    ".input text, .neuron text { font-size: 16px; font-weight: 600; }",
    ".neuron circle { stroke-width: 3px; }",
    ".neuron text.b { fill: var(--c); font-size: 15px; font-weight: 700; stroke: #fff; stroke-width: 4px; paint-order: stroke; }",
    "text.n, .cap { font-size: 13px; font-weight: 400; fill: #444; }",
    "text.n { stroke: #fff; stroke-width: 3px; paint-order: stroke; }",
    ".cap { font-style: italic; }",
    ".legend text { text-anchor: start; }",
])


def base_name(quantity: str) -> str:
    """``delta_h1_s2_x1`` -> ``delta_h1``: the quantity without its step and example suffixes."""
    return _SUFFIX.sub("", quantity)


def worst(fields: list[FieldResult]) -> str:
    """The most severe verdict among ``fields`` (the first of equals, in field order); ``none`` for no fields."""
    if not fields:
        return "none"
    return max(fields, key=lambda f: SEVERITY.get(f.verdict, 0)).verdict


def _n(x: float) -> str:
    """A coordinate in whole user units (a tenth of a pixel is invisible at the drawing's size)."""
    return f"{x:.0f}"


_SPECIAL = re.compile(r"[&<>\"']")


def _attr(s: str) -> str:
    """``s`` escaped for text or an attribute (most strings here have nothing to escape: checked first)."""
    return escape(s, quote=True) if _SPECIAL.search(s) else s


def _word(verdict: str) -> str:
    return WORD.get(verdict, verdict)


def _net_label(name: str) -> str:
    """``z1`` -> ``net z1``; ``net_h1`` stays as it is."""
    return name if name.startswith("net") else f"net {name}"


def _owner_map(net: NetworkSketch) -> tuple[dict[str, str], dict[str, str]]:
    """Base quantity name -> the unit it belongs to, and -> the parameter (weight or bias) it belongs to."""
    nets = dict(net.nets)
    unit_of: dict[str, str] = {}
    for layer in net.layers[1:]:
        for u in layer:
            unit_of[u] = u
            unit_of[f"delta_{u}"] = u
            if u in nets:
                unit_of[nets[u]] = u
    param_of: dict[str, str] = {}
    for p in [w for w, _, _ in net.weights] + [b for b, _ in net.biases]:
        for q in (f"{p}_new", f"grad_{p}", f"v_{p}"):
            param_of[q] = p
    return unit_of, param_of


class _Owners:
    """Which asked fields belong to which drawn element."""

    def __init__(self, net: NetworkSketch, fields: tuple[FieldResult, ...]) -> None:
        unit_of, param_of = _owner_map(net)
        self.by_unit: dict[str, list[FieldResult]] = {}
        self.by_param: dict[str, list[FieldResult]] = {}
        for f in fields:
            b = base_name(f.quantity)
            if b in unit_of:
                self.by_unit.setdefault(unit_of[b], []).append(f)
            elif b in param_of:
                self.by_param.setdefault(param_of[b], []).append(f)

    def unit(self, u: str) -> list[FieldResult]:
        return self.by_unit.get(u, [])

    def param(self, p: str) -> list[FieldResult]:
        return self.by_param.get(p, [])


class _Skeleton:
    """Everything of the drawing that does not depend on the verdicts, laid out once per sketch.

    Each coloured element is ``(key, kind, name, head, tail)``: its markup is ``head + verdict + '">' + <title> +
    tail``; ``head`` ends inside ``data-verdict="``. Weight labels and neuron badges take the verdict's symbol."""

    def __init__(self, net: NetworkSketch) -> None:
        self.net = net  # held: the cache is keyed on this object's identity
        self.unit_of, self.param_of = _owner_map(net)
        self.owner_of: dict[str, tuple[str, str] | None] = {}  # quantity -> ("u" | "p", element), filled as met
        self.layouts: dict[tuple[str, ...], _Layout] = {}  # asked quantities -> their layout (``_layout``)
        layers = net.layers
        tallest = max(len(layer) for layer in layers)
        width = 2 * MARGIN_X + COL_GAP * max(len(layers) - 1, 1)
        pos: dict[str, tuple[float, float]] = {}
        layer_of: dict[str, int] = {}
        for li, layer in enumerate(layers):
            x = MARGIN_X + li * COL_GAP
            for i, u in enumerate(layer):
                pos[u] = (x, TOP + (tallest - len(layer)) * ROW_GAP / 2 + i * ROW_GAP)
                layer_of[u] = li
        bottom = TOP + (tallest - 1) * ROW_GAP + R
        caption_y = bottom + 34
        self.width, self.legend_y = width, caption_y + 36
        self.legends: dict[tuple[str, ...], tuple[str, str]] = {}  # verdicts in the key -> (<svg ... , key)
        self.shape = "-".join(str(len(layer)) for layer in layers)
        self.said_inputs = f"The {self.shape} network, marked with your results. Inputs: {', '.join(net.layers[0])}."
        self.neurons = [u for layer in layers[1:] for u in layer]
        self.weights = [w for w, s, d in net.weights]
        self.biases = [b for b, _ in net.biases]
        # the summary's words for each neuron, weight and bias with each verdict: "h1 incorrect" (``_summary``)
        self.said = [[(name, {v: f"{name} {_word(v)}" for v in STROKE}) for name in names]
                     for names in (self.neurons, self.weights, self.biases)]

        self.biases_el: list[tuple[str, str, str, float, int, int]] = []  # (name, head, lines, x, box y, text y)
        groups: dict[int, list[tuple[str, tuple[str, ...]]]] = {}
        for b, fed in net.biases:
            groups.setdefault(min((layer_of[u] for u in fed if u in layer_of), default=1), []).append((b, fed))
        for li in sorted(groups):
            items = groups[li]
            centre = MARGIN_X + li * COL_GAP - COL_GAP * 0.42
            for j, (b, fed) in enumerate(items):
                bx, by = centre + (j - (len(items) - 1) / 2) * 58, 34
                lines = "".join(f'<path d="M{_n(bx)} {by + 11} {_n(pos[u][0])} {_n(pos[u][1])}"/>'
                                for u in fed if u in pos)
                self.biases_el.append((b, f'<g class="bias" data-bias="{_attr(b)}" data-verdict="', lines,
                                       bx, by - 12, by + 5))

        self.weights_el: list[tuple[str, str, str, str]] = []  # (name, head, line, label head)
        for w, s, d in net.weights:
            if s not in pos or d not in pos:
                continue
            (x1, y1), (x2, y2) = pos[s], pos[d]
            dest_layer = layers[layer_of[d]]
            m = len(dest_layer)
            t = 0.5 if m == 1 else 0.28 + 0.44 * dest_layer.index(d) / (m - 1)
            lx, ly = x1 + t * (x2 - x1), y1 + t * (y2 - y1)
            self.weights_el.append((
                w, f'<g class="weight" data-weight="{_attr(w)}" data-verdict="',
                f'<path d="M{_n(x1)} {_n(y1)} {_n(x2)} {_n(y2)}"/></g>',
                f'<text class="wl" data-for="{_attr(w)}" x="{_n(lx)}" y="{_n(ly + 5)}" data-verdict="',
            ))

        nets = dict(net.nets)
        self.inputs_html = "".join(
            f'<g class="input" data-unit="{_attr(u)}"><title>{escape(u)} (input)</title>'
            f'<rect x="{_n(x - R)}" y="{_n(y - R)}" width="{2 * R}" height="{2 * R}" rx="8"/>'
            f'<text x="{_n(x)}" y="{_n(y + 5)}">{escape(u)}</text></g>'
            for u, (x, y) in pos.items() if layer_of[u] == 0
        )
        self.neurons_el: list[tuple[str, str, str, str, str]] = []  # (name, head, body, badge (with {} for symbol), net)
        for u, (x, y) in pos.items():
            if layer_of[u] == 0:
                continue
            bx, by = x + R * 0.78, y - R * 0.78
            self.neurons_el.append((
                u, f'<g class="neuron" data-unit="{_attr(u)}" data-verdict="',
                f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{R}"/><text x="{_n(x)}" y="{_n(y + 5)}">{escape(u)}</text>',
                f'<text class="b" x="{_n(bx)}" y="{_n(by + 5)}">',
                f'<text class="n" x="{_n(x)}" y="{_n(y + R + 16)}">{escape(_net_label(nets[u]))}</text></g>'
                if u in nets else "</g>",
            ))

        tail: list[str] = []
        for li in range(len(layers)):
            cap = "inputs" if li == 0 else (net.activations[li - 1] if li - 1 < len(net.activations) else "")
            if cap:
                tail.append(f'<text class="cap" x="{MARGIN_X + li * COL_GAP}" y="{_n(caption_y)}">{escape(cap)}</text>')
        self.captions = "".join(tail)

    def legend(self, shown: tuple[str, ...]) -> tuple[str, str]:
        """The ``<svg`` opening up to its ``aria-label`` (the height depends on the key's rows) and the key of the
        verdicts ``shown``, three to a row."""
        try:
            return self.legends[shown]
        except KeyError:
            pass
        cols, col_w = 3, self.width / 3
        rows = -(-len(shown) // cols)
        height = self.legend_y + rows * 28 + 10
        head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="network" viewBox="0 0 {self.width} {_n(height)}" '
                f'width="{self.width}" height="{_n(height)}" role="img" aria-label="')
        key = ['<g class="legend">']
        for k, v in enumerate(shown):
            cx, cy = 14 + (k % cols) * col_w, self.legend_y + (k // cols) * 28
            key.append(f'<g data-verdict="{v}"><path d="M{_n(cx)} {_n(cy)}h38"/>'
                       f'<text x="{_n(cx + 46)}" y="{_n(cy + 5)}">{escape((SYMBOL[v] + " " + _word(v)).strip())}</text></g>')
        key += ["</g>", "</svg>"]
        self.legends[shown] = head, "".join(key)
        return self.legends[shown]

    def owner(self, quantity: str) -> tuple[str, str] | None:
        try:
            return self.owner_of[quantity]
        except KeyError:
            b = base_name(quantity)
            found = ("u", self.unit_of[b]) if b in self.unit_of else ("p", self.param_of[b]) if b in self.param_of else None
            if len(self.owner_of) < 100_000:
                self.owner_of[quantity] = found
            return found


_SKELETONS: dict[int, _Skeleton] = {}
_MAX_SKELETONS = 16  # sketches drawn recently (one per problem or variant); the oldest is dropped beyond


def _skeleton(net: NetworkSketch) -> _Skeleton:
    sk = _SKELETONS.get(id(net))
    if sk is None or sk.net is not net:
        sk = _Skeleton(net)
        if len(_SKELETONS) >= _MAX_SKELETONS:
            del _SKELETONS[next(iter(_SKELETONS))]
        _SKELETONS[id(net)] = sk
    return sk


def _tooltip(name: str, kind: str, verdict: str, fields: list[tuple[str, str]]) -> str:
    """``h1 (neuron) ✗ incorrect: z1 ✓, h1 ✗, delta_h1 ✗``: the element's verdict, then each quantity's symbol;
    ``w1 (weight): w1_new ✗ incorrect`` for one quantity. ``fields``: each quantity and its verdict."""
    if not fields:
        return f"{name} ({kind}): not asked"
    if len(fields) == 1:
        return f"{name} ({kind}): {fields[0][0]} {SYMBOL.get(verdict, '')} {verdict}"
    parts = ", ".join(f"{q} {SYMBOL.get(v, '')}" for q, v in fields)
    return f"{name} ({kind}) {SYMBOL.get(verdict, '')} {verdict}: {parts}"


# A report's drawing differs from its classmates' only in the verdicts. Per report: the verdicts of the fields, in
# field order; each element's own are picked out of that list (``_Layout``: which positions belong to which
# element, worked out once per sketch and sequence of asked quantities), and its markup for them is drawn once per
# combination (``_element``, a bounded cache keyed on the element's content).

def _pick(positions: list[int]):
    """The getter of the verdicts at ``positions`` from the list of a result's verdicts (None for no positions:
    ``operator.itemgetter`` of one position returns the verdict itself, of several a tuple)."""
    return operator.itemgetter(*positions) if positions else None


class _Layout:
    """For one sequence of asked quantities, the fields (by position) of each neuron (``units``) and of each weight
    and bias (``params``), in the order of the drawing's verdicts, and the elements to draw: ``(spec, unit, name)``,
    where ``spec`` is what ``_element`` draws (kind, name, the quantities of its fields, its place in the skeleton)
    and ``unit`` says whether its fields are a neuron's."""

    def __init__(self, sk: _Skeleton, quantities: tuple[str, ...]) -> None:
        unit: dict[str, list[int]] = {}
        param: dict[str, list[int]] = {}
        for i, q in enumerate(quantities):
            o = sk.owner(q)
            if o is not None:
                (unit if o[0] == "u" else param).setdefault(o[1], []).append(i)
        self.units = [(u, _pick(unit.get(u, []))) for u in sk.neurons]
        self.params = [(p, _pick(param.get(p, []))) for p in sk.weights + sk.biases]

        def spec(kind: str, name: str, at: dict[str, list[int]], *place) -> tuple:
            return (kind, name, tuple(quantities[i] for i in at.get(name, [])), *place)

        self.biases = [(spec("bias", b, param, head, lines, bx, y, ty), b) for b, head, lines, bx, y, ty in sk.biases_el]
        self.weights = [(spec("weight", w, param, head, line, label), w) for w, head, line, label in sk.weights_el]
        self.neurons = [(spec("neuron", u, unit, head, body, badge, tail), u)
                        for u, head, body, badge, tail in sk.neurons_el]


_MAX_LAYOUTS = 8  # per sketch: the sequences of asked quantities of its problem (and its variants) met recently


def _layout(sk: _Skeleton, fields: tuple[FieldResult, ...]) -> _Layout:
    quantities = tuple([f.quantity for f in fields])
    layout = sk.layouts.get(quantities)
    if layout is None:
        layout = _Layout(sk, quantities)
        if len(sk.layouts) >= _MAX_LAYOUTS:
            del sk.layouts[next(iter(sk.layouts))]
        sk.layouts[quantities] = layout
    return layout


def _verdicts(picked) -> tuple[str, ...]:
    return () if picked is None else (picked,) if isinstance(picked, str) else picked


@functools.lru_cache(maxsize=1024)
def _worst(picked) -> str:
    """``worst`` of fields with the ``picked`` verdicts (``_pick``)."""
    vs = _verdicts(picked)
    return max(vs, key=lambda v: SEVERITY.get(v, 0)) if vs else "none"


@functools.lru_cache(maxsize=4096)
def _element(spec: tuple, v: str, picked) -> tuple[str, str]:
    """One element of the drawing with verdict ``v`` and its fields' verdicts ``picked``: its markup and (a weight)
    its label, which is drawn over every line."""
    kind, name, quantities = spec[0], spec[1], spec[2]
    title = f'{v}"><title>{_attr(_tooltip(name, kind, v, list(zip(quantities, _verdicts(picked)))))}</title>'
    if kind == "bias":
        head, lines, bx, y, ty = spec[3:]
        label = f"{SYMBOL[v]} {name}".strip()
        w = max(40, 9 * len(label) + 12)
        return (f'{head}{title}{lines}<rect x="{_n(bx - w / 2)}" y="{y}" width="{w}" height="24" rx="3"/>'
                f'<text x="{_n(bx)}" y="{ty}">{_attr(label)}</text></g>'), ""
    if kind == "weight":
        head, line, label = spec[3:]
        return head + title + line, f'{label}{v}">{_attr(f"{SYMBOL[v]} {name}".strip())}</text>'
    head, body, badge, tail = spec[3:]
    return head + title + body + (f"{badge}{SYMBOL[v]}</text>" if v != "none" else "") + tail, ""


def render_svg(result: GradeResult, *, full_key: bool = True) -> str:
    """The network of ``result`` as one ``<svg>`` element (empty string when the result has no sketch). The key
    under the drawing explains every verdict (``full_key``: the practice page, whose verdicts change as the student
    types) or only those the drawing shows (a report)."""
    net = result.network
    if net is None or not net.layers:
        return ""
    sk = _skeleton(net)
    layout = _layout(sk, result.fields)
    vs = [f.verdict for f in result.fields]
    units = {u: None if get is None else get(vs) for u, get in layout.units}
    params = {p: None if get is None else get(vs) for p, get in layout.params}
    verdicts = {u: _worst(picked) for u, picked in units.items()}
    verdicts.update((p, _worst(picked)) for p, picked in params.items())

    used = set(verdicts.values())
    head, key = sk.legend(LEGEND if full_key else tuple(v for v in LEGEND if v in used))
    out = [head + _attr(_summary(sk, verdicts)) + '">']
    out += [_element(spec, verdicts[b], params[b])[0] for spec, b in layout.biases]
    weights = [_element(spec, verdicts[w], params[w]) for spec, w in layout.weights]
    out += [markup for markup, _ in weights]
    out.append("".join([label for _, label in weights]))
    out.append(sk.inputs_html)
    out += [_element(spec, verdicts[u], units[u])[0] for spec, u in layout.neurons]
    out.append(sk.captions)
    out.append(key)
    return "".join(out)


def _summary(sk: _Skeleton, verdicts: dict[str, str]) -> str:
    """The drawing in words, for the ``aria-label``: the sketch's fixed words with each element's verdict filled in
    (``_Skeleton.said``: ``h1 incorrect`` per element and verdict, made once per sketch)."""
    try:
        parts = [sk.said_inputs, "Neurons: " + ", ".join([said[verdicts[u]] for u, said in sk.said[0]]) + "."]
        if sk.net.weights:
            parts.append("Weights: " + ", ".join([said[verdicts[w]] for w, said in sk.said[1]]) + ".")
        if sk.net.biases:
            parts.append("Biases: " + ", ".join([said[verdicts[b]] for b, said in sk.said[2]]) + ".")
    except KeyError:  # a verdict the drawing has no colour for: the words made here
        parts = [sk.said_inputs, "Neurons: " + ", ".join(f"{u} {_word(verdicts[u])}" for u in sk.neurons) + "."]
        if sk.net.weights:
            parts.append("Weights: " + ", ".join(f"{w} {_word(verdicts[w])}" for w in sk.weights) + ".")
        if sk.net.biases:
            parts.append("Biases: " + ", ".join(f"{b} {_word(verdicts[b])}" for b in sk.biases) + ".")
    return " ".join(parts)
