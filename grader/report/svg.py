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
data-bias=...>``. Deterministic: the layout is a function of the sketch alone, and nothing is random.
"""

from __future__ import annotations

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
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif"
_SUFFIX = re.compile(r"(_s\d+)?(_x\d+)?$")


def base_name(quantity: str) -> str:
    """``delta_h1_s2_x1`` -> ``delta_h1``: the quantity without its step and example suffixes."""
    return _SUFFIX.sub("", quantity)


def worst(fields: list[FieldResult]) -> str:
    """The most severe verdict among ``fields`` (the first of equals, in field order); ``none`` for no fields."""
    if not fields:
        return "none"
    return max(fields, key=lambda f: SEVERITY.get(f.verdict, 0)).verdict


def _n(x: float) -> str:
    s = f"{x:.1f}"
    return s[:-2] if s.endswith(".0") else s


def _attr(s: str) -> str:
    return escape(s, quote=True)


def _dash(verdict: str) -> str:
    d = DASH[verdict]
    return f' stroke-dasharray="{d}"' if d else ""


def _word(verdict: str) -> str:
    return WORD.get(verdict, verdict)


def _net_label(name: str) -> str:
    """``z1`` -> ``net z1``; ``net_h1`` stays as it is."""
    return name if name.startswith("net") else f"net {name}"


def _tooltip(name: str, kind: str, verdict: str, fields: list[FieldResult]) -> str:
    if not fields:
        return f"{name} ({kind}): not asked"
    parts = "; ".join(f"{f.quantity} {SYMBOL.get(f.verdict, '')} {f.verdict}" for f in fields)
    return f"{name} ({kind}): {SYMBOL.get(verdict, '')} {verdict}. {parts}"


class _Owners:
    """Which asked fields belong to which drawn element."""

    def __init__(self, net: NetworkSketch, fields: tuple[FieldResult, ...]) -> None:
        nets = dict(net.nets)
        self.by_unit: dict[str, list[FieldResult]] = {}
        self.by_param: dict[str, list[FieldResult]] = {}
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


def render_svg(result: GradeResult) -> str:
    """The network of ``result`` as one ``<svg>`` element (empty string when the result has no sketch)."""
    net = result.network
    if net is None or not net.layers:
        return ""
    owners = _Owners(net, result.fields)
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
    legend_cols = 3
    legend_y = caption_y + 36
    legend_rows = -(-len(LEGEND) // legend_cols)
    height = legend_y + legend_rows * 28 + 10

    verdicts: dict[str, str] = {}
    for u in pos:
        verdicts[u] = worst(owners.unit(u)) if layer_of[u] else "none"
    for p in [w for w, _, _ in net.weights] + [b for b, _ in net.biases]:
        verdicts[p] = worst(owners.param(p))

    out: list[str] = []
    summary = _summary(net, verdicts)
    out.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="network" viewBox="0 0 {width} {_n(height)}" '
        f'width="{width}" height="{_n(height)}" role="img" aria-label="{_attr(summary)}" '
        f'font-family="{_attr(FONT)}" font-size="16">'
    )

    # Biases: boxes above the gap before the layer they feed, with thin lines to each neuron.
    groups: dict[int, list[tuple[str, tuple[str, ...]]]] = {}
    for b, fed in net.biases:
        li = min((layer_of[u] for u in fed if u in layer_of), default=1)
        groups.setdefault(li, []).append((b, fed))
    for li in sorted(groups):
        items = groups[li]
        centre = MARGIN_X + li * COL_GAP - COL_GAP * 0.42
        for j, (b, fed) in enumerate(items):
            bx = centre + (j - (len(items) - 1) / 2) * 58
            by = 34
            v = verdicts[b]
            fields = owners.param(b)
            label = f"{SYMBOL[v]} {b}".strip()
            w = max(40, 9 * len(label) + 12)
            out.append(f'<g class="bias" data-bias="{_attr(b)}" data-verdict="{v}">')
            out.append(f"<title>{escape(_tooltip(b, 'bias', v, fields))}</title>")
            for u in fed:
                if u in pos:
                    ux, uy = pos[u]
                    out.append(
                        f'<line x1="{_n(bx)}" y1="{by + 11}" x2="{_n(ux)}" y2="{_n(uy)}" stroke="{STROKE[v]}" '
                        f'stroke-width="1.3" stroke-dasharray="2 4" stroke-linecap="round" opacity="0.8"/>'
                    )
            out.append(
                f'<rect x="{_n(bx - w / 2)}" y="{by - 12}" width="{_n(w)}" height="24" rx="3" fill="{FILL[v]}" '
                f'stroke="{STROKE[v]}" stroke-width="2"{_dash(v)}/>'
            )
            out.append(
                f'<text x="{_n(bx)}" y="{by + 5}" text-anchor="middle" font-size="14" fill="{STROKE[v] if v != "none" else "#333"}">'
                f"{escape(label)}</text>"
            )
            out.append("</g>")

    # Weights: lines (labels are drawn later, on top of every line).
    labels: list[str] = []
    for w, s, d in net.weights:
        if s not in pos or d not in pos:
            continue
        (x1, y1), (x2, y2) = pos[s], pos[d]
        v = verdicts[w]
        fields = owners.param(w)
        tip = escape(_tooltip(w, "weight", v, fields))
        width_px = "1.6" if v == "none" else "2.6"
        out.append(f'<g class="weight" data-weight="{_attr(w)}" data-verdict="{v}">')
        out.append(f"<title>{tip}</title>")
        out.append(
            f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{STROKE[v]}" '
            f'stroke-width="{width_px}"{_dash(v)} stroke-linecap="round"/>'
        )
        out.append("</g>")
        dest_layer = layers[layer_of[d]]
        m = len(dest_layer)
        t = 0.5 if m == 1 else 0.28 + 0.44 * dest_layer.index(d) / (m - 1)
        lx, ly = x1 + t * (x2 - x1), y1 + t * (y2 - y1)
        text = f"{SYMBOL[v]} {w}".strip()
        labels.append(
            f'<text class="weight-label" data-for="{_attr(w)}" x="{_n(lx)}" y="{_n(ly + 5)}" text-anchor="middle" '
            f'font-size="14" fill="{STROKE[v] if v != "none" else "#333"}" stroke="#ffffff" stroke-width="4" '
            f'stroke-linejoin="round" paint-order="stroke"><title>{tip}</title>{escape(text)}</text>'
        )
    out += labels

    # Units: inputs (neutral) and neurons (coloured), name inside, symbol in a badge, net input name below.
    nets = dict(net.nets)
    for u, (x, y) in pos.items():
        if layer_of[u] == 0:
            out.append(f'<g class="input" data-unit="{_attr(u)}">')
            out.append(f"<title>{escape(u)} (input)</title>")
            out.append(f'<rect x="{_n(x - R)}" y="{_n(y - R)}" width="{2 * R}" height="{2 * R}" rx="8" fill="#f2f2f2" stroke="#6b6b6b" stroke-width="2"/>')
            out.append(f'<text x="{_n(x)}" y="{_n(y + 5)}" text-anchor="middle" font-weight="600" fill="#222">{escape(u)}</text>')
            out.append("</g>")
            continue
        v = verdicts[u]
        fields = owners.unit(u)
        out.append(f'<g class="neuron" data-unit="{_attr(u)}" data-verdict="{v}">')
        out.append(f"<title>{escape(_tooltip(u, 'neuron', v, fields))}</title>")
        out.append(
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{R}" fill="{FILL[v]}" stroke="{STROKE[v]}" stroke-width="3"{_dash(v)}/>'
        )
        out.append(f'<text x="{_n(x)}" y="{_n(y + 5)}" text-anchor="middle" font-weight="600" fill="#222">{escape(u)}</text>')
        if v != "none":
            bx, by = x + R * 0.78, y - R * 0.78
            out.append(f'<circle cx="{_n(bx)}" cy="{_n(by)}" r="10" fill="#ffffff" stroke="{STROKE[v]}" stroke-width="1.5"/>')
            out.append(f'<text x="{_n(bx)}" y="{_n(by + 4.5)}" text-anchor="middle" font-size="13" font-weight="700" fill="{STROKE[v]}">{SYMBOL[v]}</text>')
        if u in nets:
            out.append(
                f'<text x="{_n(x)}" y="{_n(y + R + 16)}" text-anchor="middle" font-size="13" fill="#444" stroke="#ffffff" '
                f'stroke-width="3" paint-order="stroke">{escape(_net_label(nets[u]))}</text>'
            )
        out.append("</g>")

    # Layer captions.
    for li in range(len(layers)):
        x = MARGIN_X + li * COL_GAP
        cap = "inputs" if li == 0 else (net.activations[li - 1] if li - 1 < len(net.activations) else "")
        if cap:
            out.append(f'<text x="{x}" y="{_n(caption_y)}" text-anchor="middle" font-size="13" fill="#444" font-style="italic">{escape(cap)}</text>')

    # Legend: line sample (colour and dash), symbol and word.
    col_w = width / legend_cols
    out.append('<g class="legend">')
    for k, v in enumerate(LEGEND):
        cx = 14 + (k % legend_cols) * col_w
        cy = legend_y + (k // legend_cols) * 28
        out.append(
            f'<line x1="{_n(cx)}" y1="{_n(cy)}" x2="{_n(cx + 38)}" y2="{_n(cy)}" stroke="{STROKE[v]}" '
            f'stroke-width="{1.6 if v == "none" else 2.6}"{_dash(v)} stroke-linecap="round"/>'
        )
        out.append(
            f'<text x="{_n(cx + 46)}" y="{_n(cy + 5)}" font-size="14" fill="{STROKE[v] if v != "none" else "#333"}">'
            f"{escape((SYMBOL[v] + ' ' + _word(v)).strip())}</text>"
        )
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


def _summary(net: NetworkSketch, verdicts: dict[str, str]) -> str:
    """The drawing in words, for the ``aria-label``."""
    shape = "-".join(str(len(layer)) for layer in net.layers)
    parts = [f"The {shape} network, marked with your results. Inputs: {', '.join(net.layers[0])}."]
    neurons = [u for layer in net.layers[1:] for u in layer]
    parts.append("Neurons: " + ", ".join(f"{u} {_word(verdicts[u])}" for u in neurons) + ".")
    if net.weights:
        parts.append("Weights: " + ", ".join(f"{w} {_word(verdicts[w])}" for w, _, _ in net.weights) + ".")
    if net.biases:
        parts.append("Biases: " + ", ".join(f"{b} {_word(verdicts[b])}" for b, _ in net.biases) + ".")
    return " ".join(parts)
