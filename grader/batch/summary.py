"""``summary.html`` of a batch: one self-contained page for the instructor.

A score histogram (inline SVG bars), the item analysis (per asked quantity the share of each verdict, drawn as a
stacked bar, and the most frequent diagnosed mistakes), flags, the files that could not be graded with the reason,
superseded submissions, identity warnings and skipped files. Built from the small per-file rows of
``grader.batch.rows`` while ``grader.batch.outputs`` streams them in their final order; only counts and short
lists are kept.
"""

from __future__ import annotations

import math
from collections import Counter
from html import escape

from grader.batch.gradebooks import fmt_points

__all__ = ["SummaryBuilder", "VERDICT_ORDER"]

VERDICT_ORDER = ("correct", "carried", "incorrect", "missing", "unparseable", "pending")
_COLOURS = {
    "correct": "#2e7d32",
    "carried": "#7cb342",
    "incorrect": "#c62828",
    "missing": "#9e9e9e",
    "unparseable": "#ef6c00",
    "pending": "#5c6bc0",
}
_TOP_DIAGNOSES = 3


class SummaryBuilder:
    def __init__(self, quantities: list[str]) -> None:
        self.quantities = quantities
        # the scores of the counted graded submissions, as how many have each (a class's scores take few values:
        # memory flat in the students, and no list of them all to sort at the end)
        self.scores: Counter = Counter()
        self.top: float | None = None  # the largest maximum score among them
        self.verdicts: dict[str, Counter] = {q: Counter() for q in quantities}
        self.diagnoses: dict[str, Counter] = {q: Counter() for q in quantities}
        self.diagnosis_text: dict[tuple[str, str], str] = {}
        self.flags: Counter = Counter()
        self.unusable: list[tuple[str, str, str]] = []  # (file, student, reason)
        self.skipped: list[tuple[str, str]] = []
        self.superseded: list[tuple[str, str, str, str]] = []  # (student, file, by, note)
        self.warnings: list[tuple[str, str, str]] = []  # (student, file, warning)
        self.feedback_failed: list[tuple[str, str]] = []
        self.held: list[tuple[str, str, str, str]] = []  # (file, student, why, report) kept out of the uploads
        self.answered_nothing: list[tuple[str, str, str]] = []  # (file, student, report): graded, every field missing

    # ----------------------------------------------------------------------------------------------------------
    def add(self, row: dict, feedback: dict | None = None) -> None:
        who = _who(row)
        status = row["status"]
        report = (feedback or {}).get("html") or ""
        if report and not report.startswith("feedback/"):
            why = "superseded by " + (row.get("superseded_by") or "") if status == "superseded" else \
                "no student id: no LMS can match it"
            self.held.append((row["file"], who, why, report))
        for w in row.get("warnings") or ():
            self.warnings.append((who, row["file"], w))
        if row.get("feedback_error"):
            self.feedback_failed.append((row["file"], row["feedback_error"]))
        if status == "skipped":
            self.skipped.append((row["file"], row.get("error") or ""))
            return
        if status == "superseded":
            note = "its own file could not be graded" if row.get("score") is None else ""
            if row.get("superseded_by_unusable"):
                note = (note + "; " if note else "") + "the newer file could not be graded"
            self.superseded.append((who, row["file"], row.get("superseded_by") or "", note))
            return
        if status == "unusable":
            self.unusable.append((row["file"], who, row.get("error") or ""))
            return
        self.scores[row["score"]] += 1
        self.top = row["max_score"] if self.top is None else max(self.top, row["max_score"])
        if row.get("fields") and all(f[1] == "missing" for f in row["fields"]):
            self.answered_nothing.append((row["file"], who, report or "—"))
        for q, verdict, _pts, _max, diag_id, diag_text in row.get("fields") or ():
            if q not in self.verdicts:
                continue
            self.verdicts[q][verdict] += 1
            if diag_id:
                self.diagnoses[q][diag_id] += 1
                self.diagnosis_text.setdefault((q, diag_id), diag_text or "")
        for kind, q, _msg in row.get("flags") or ():
            self.flags[(kind, q)] += 1

    # ----------------------------------------------------------------------------------------------------------
    def html(self, *, title: str, meta: list[tuple[str, str]], notes: list[str], guide: str = "") -> str:
        parts = [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f"<title>{escape(title)}: batch summary</title>",
            f"<style>{_CSS}</style></head><body>",
            f"<h1>{escape(title)}: batch summary</h1>",
            "<dl class=meta>" + "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in meta) + "</dl>",
        ]
        parts += [f'<p class="note">{escape(n)}</p>' for n in notes]
        if guide:
            parts.append(guide)
        parts.append(self._scores_section())
        parts.append(self._items_section())
        parts.append(self._flags_section())
        parts.append(self._list_section(
            "Files that could not be graded", ["File", "Student", "Reason"], self.unusable,
            "Every file was usable."))
        if self.answered_nothing:
            parts.append(self._list_section(
                "Files that answered nothing", ["File", "Student", "Report"], self.answered_nothing, "",
                "Graded with every field missing: a write-up in which nothing was read as an answer, or a template "
                "handed in blank. Each is a 0 in the gradebooks; its report says why. Look at the file before the "
                "0 stands."))
        parts.append(self._list_section(
            "Superseded submissions", ["Student", "File", "Superseded by", "Note"], self.superseded,
            "No student submitted more than once.",
            "Only the latest file of a student counts (Canvas: the highest attachment id; otherwise the newest "
            "file, then the name)."))
        parts.append(self._list_section(
            "Reports kept out of the uploads", ["File", "Student", "Why", "Report"], self.held, "None.",
            "These reports are in feedback-not-uploaded/, under names no LMS importer matches: give them to the "
            "student by hand if needed."))
        parts.append(self._list_section(
            "Warnings (identity, names that do not resolve)", ["Student", "File", "Warning"], self.warnings, "None."))
        if self.feedback_failed:
            parts.append(self._list_section(
                "Feedback reports that could not be written", ["File", "Error"], self.feedback_failed, ""))
        parts.append(self._list_section(
            "Files skipped (not submissions)", ["File", "Reason"], self.skipped, "None."))
        parts.append("</body></html>\n")
        return "\n".join(parts)

    def _scores_section(self) -> str:
        n = sum(self.scores.values())
        out = ["<section><h2>Scores</h2>"]
        if not n:
            out.append("<p>No submission was graded.</p></section>")
            return "\n".join(out)
        values = sorted(self.scores.items())  # (score, how many), lowest first
        top = self.top
        total = 0.0
        for v, c in values:  # the additions of summing the sorted scores one by one, in that order
            for _ in range(c):
                total += v
        mean = total / n
        middle = [_nth(values, n // 2)] if n % 2 else [_nth(values, n // 2 - 1), _nth(values, n // 2)]
        median = middle[0] if n % 2 else (middle[0] + middle[1]) / 2
        out.append(
            f"<p>{n} student{'s' if n != 1 else ''} graded; mean {fmt_points(round(mean, 2))}, median "
            f"{fmt_points(median)}, lowest {fmt_points(values[0][0])}, highest {fmt_points(values[-1][0])} "
            f"(of {fmt_points(top)}).</p>"
        )
        out.append(_histogram_svg(values, top))
        out.append("</section>")
        return "\n".join(out)

    def _items_section(self) -> str:
        shown = [v for v in VERDICT_ORDER if v != "pending" or any(c.get("pending") for c in self.verdicts.values())]
        out = [
            "<section><h2>Item analysis</h2>",
            "<p>Per asked quantity, over the counted graded submissions: the share of each verdict and the most "
            "frequent diagnosed mistakes.</p>",
            '<p class="legend">'
            + " ".join(f'<span><i style="background:{_COLOURS[v]}"></i>{v}</span>' for v in shown)
            + "</p>",
            "<table class=items><thead><tr><th>Quantity</th><th>Verdicts</th>"
            + "".join(f"<th>{v}</th>" for v in shown)
            + "<th>Most frequent mistakes</th></tr></thead><tbody>",
        ]
        for q in self.quantities:
            counts = self.verdicts[q]
            total = sum(counts.values())
            cells = "".join(
                f"<td class=num>{_pct(counts.get(v, 0), total)}</td>" for v in shown
            )
            top = sorted(self.diagnoses[q].items(), key=lambda kv: (-kv[1], kv[0]))[:_TOP_DIAGNOSES]
            mistakes = "".join(
                f'<li><b>{escape(d)}</b> ×{c} ({_pct(c, total)}): {escape(self.diagnosis_text.get((q, d), ""))}</li>'
                for d, c in top
            )
            out.append(
                f"<tr><th scope=row><code>{escape(q)}</code></th><td>{_stacked_svg(counts, total)}</td>{cells}"
                f"<td>{'<ul>' + mistakes + '</ul>' if mistakes else '—'}</td></tr>"
            )
        out.append("</tbody></table></section>")
        return "\n".join(out)

    def _flags_section(self) -> str:
        if not self.flags:
            return "<section><h2>Flags</h2><p>No flags.</p></section>"
        rows = sorted(self.flags.items(), key=lambda kv: (-kv[1], kv[0]))
        body = "".join(
            f"<tr><td>{escape(k)}</td><td><code>{escape(q)}</code></td><td class=num>{c}</td></tr>"
            for (k, q), c in rows
        )
        return (
            "<section><h2>Flags</h2><p>Inconsistent values (one quantity written with different values) and given "
            "values used wrongly, by how many students.</p><table><thead><tr><th>Kind</th><th>Quantity</th>"
            f"<th>Students</th></tr></thead><tbody>{body}</tbody></table></section>"
        )

    @staticmethod
    def _list_section(title: str, header: list[str], rows: list[tuple], empty: str, intro: str = "") -> str:
        out = [f"<section><h2>{escape(title)} ({len(rows)})</h2>"]
        if intro:
            out.append(f"<p>{escape(intro)}</p>")
        if not rows:
            out.append(f"<p>{escape(empty)}</p></section>")
            return "\n".join(out)
        out.append("<table><thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in header) + "</tr></thead><tbody>")
        for r in rows:
            out.append("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in r) + "</tr>")
        out.append("</tbody></table></section>")
        return "\n".join(out)


def _who(row: dict) -> str:
    sid, name = row.get("student_id"), row.get("name")
    if sid and name:
        return f"{name} ({sid})"
    return sid or name or "(unknown)"


def _pct(count: int, total: int) -> str:
    if not total:
        return "—"
    return f"{100 * count / total:.0f}%"


def _bins(top: float) -> tuple[int, float]:
    """(number of bins, width): one point per bin up to 30 points, else 20 equal bins."""
    if top <= 0:
        return 1, 1.0
    if top <= 30:
        n = max(1, math.ceil(top))
        return n, top / n
    return 20, top / 20


def _nth(values: list[tuple[float, int]], k: int) -> float:
    """The ``k``-th (from 0) of the sorted scores that ``values`` counts ((score, how many), sorted)."""
    for v, c in values:
        if k < c:
            return v
        k -= c
    raise IndexError(k)


def _histogram_svg(values: list[tuple[float, int]], top: float) -> str:
    """``values``: (score, how many)."""
    nbins, width = _bins(top)
    counts = [0] * nbins
    for v, c in values:
        i = int(v // width) if width > 0 else 0
        counts[min(max(i, 0), nbins - 1)] += c
    peak = max(counts) or 1
    W, H, left, bottom, pad = 640, 240, 40, 30, 10
    plot_w, plot_h = W - left - pad, H - bottom - pad
    bar_w = plot_w / nbins
    els = [
        f'<svg class=hist xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" '
        f'role="img" aria-label="Histogram of scores">',
        f'<line x1="{left}" y1="{pad + plot_h}" x2="{W - pad}" y2="{pad + plot_h}" stroke="#333"/>',
        f'<line x1="{left}" y1="{pad}" x2="{left}" y2="{pad + plot_h}" stroke="#333"/>',
        f'<text x="{left - 4}" y="{pad + 4}" text-anchor="end" font-size="11">{peak}</text>',
        f'<text x="{left - 4}" y="{pad + plot_h}" text-anchor="end" font-size="11">0</text>',
    ]
    for i, c in enumerate(counts):
        lo, hi = i * width, (i + 1) * width
        h = plot_h * c / peak
        x = left + i * bar_w
        label = f"{fmt_points(round(lo, 2))}–{fmt_points(round(hi, 2))}{']' if i == nbins - 1 else ')'}: {c}"
        els.append(
            f'<rect x="{x + 1:.1f}" y="{pad + plot_h - h:.1f}" width="{max(bar_w - 2, 1):.1f}" height="{h:.1f}" '
            f'fill="#1565c0"><title>{escape(label)}</title></rect>'
        )
        if c:
            els.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{pad + plot_h - h - 3:.1f}" text-anchor="middle" '
                f'font-size="10">{c}</text>'
            )
    step = max(1, math.ceil(nbins / 12))
    for i in range(0, nbins + 1, step):
        x = left + i * bar_w
        els.append(
            f'<text x="{x:.1f}" y="{H - bottom + 22}" text-anchor="middle" font-size="11">'
            f"{fmt_points(round(i * width, 2))}</text>"
        )
    if nbins % step:
        els.append(
            f'<text x="{left + plot_w:.1f}" y="{H - bottom + 22}" text-anchor="middle" font-size="11">'
            f"{fmt_points(round(top, 2))}</text>"
        )
    els.append("</svg>")
    return "".join(els)


def _stacked_svg(counts: Counter, total: int) -> str:
    W, H = 200, 14
    if not total:
        return f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}"></svg>'
    els = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}">']
    x = 0.0
    for v in VERDICT_ORDER:
        c = counts.get(v, 0)
        if not c:
            continue
        w = W * c / total
        els.append(
            f'<rect x="{x:.2f}" y="0" width="{w:.2f}" height="{H}" fill="{_COLOURS[v]}">'
            f"<title>{v}: {c} ({_pct(c, total)})</title></rect>"
        )
        x += w
    els.append("</svg>")
    return "".join(els)


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:72rem;
padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.25rem;border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dl.meta dt{font-weight:600}
dl.meta dd{margin:0}
table{border-collapse:collapse;width:100%;font-size:.92rem}th,td{border:1px solid #ddd;padding:.3rem .5rem;
text-align:left;vertical-align:top}thead th{background:#f5f5f5}td.num{text-align:right;white-space:nowrap}
ul{margin:0;padding-left:1.1rem}.legend span{margin-right:1rem;white-space:nowrap}
.legend i{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:middle}
.note{background:#fff8e1;border-left:4px solid #f9a825;padding:.4rem .7rem}
svg.hist{max-width:100%;height:auto}
""".strip().replace("\n", "")
