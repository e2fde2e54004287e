// The practice page's behaviour: read the inputs, grade (PracticeGrade), show each verdict in the list and on the
// drawing, announce changes, keep the URL fragment and the submission file up to date.
"use strict";
(function () {
  const P = PRACTICE, V = PRACTICE_VIEW;
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const inputs = new Map($$("input[data-quantity]").map((el) => [el.dataset.quantity, el]));
  const order = P.fields.map((f) => f.q);
  let last = new Map();

  function texts() { return new Map(order.map((q) => [q, inputs.get(q).value])); }

  // --- the submission file ------------------------------------------------------------------------------------------
  function yamlString(s) {
    return '"' + String(s).replace(/[\\"]/g, (c) => "\\" + c).replace(/[\x00-\x1f\x7f\u0085\u2028\u2029]/g,
      (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0")) + '"';
  }
  function exportYaml() {
    const lines = [`problem: ${yamlString(P.problem)}`];
    const id = $("#student-id").value.trim(), name = $("#student-name").value.trim();
    if (id || name) {
      const parts = [];
      if (id) parts.push(`id: ${yamlString(id)}`);
      if (name) parts.push(`name: ${yamlString(name)}`);
      lines.push(`student: {${parts.join(", ")}}`);
    }
    const answered = order.filter((q) => inputs.get(q).value.trim() !== "");
    lines.push(answered.length ? "answers:" : "answers: {}");
    for (const q of answered) lines.push(`  ${q}: ${yamlString(inputs.get(q).value.trim())}`);
    return lines.join("\n") + "\n";
  }
  function download() {
    const blob = new Blob([exportYaml()], { type: "application/x-yaml" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = `${P.problem}${P.variant ? "-" + P.variant : ""}-answers.yaml`;
    document.body.appendChild(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }

  // --- the URL fragment -------------------------------------------------------------------------------------------
  // Keys are the quantities' names or the spellings the grader's name resolver reads as them (PRACTICE_VIEW.aliases),
  // compared without case, braces, dollars and spaces; a spelling two names share is not used.
  const canon = (s) => s.normalize("NFKC").toLowerCase().replace(/[\s{}$]/g, "");
  const spelled = new Map();
  for (const [sp, q] of Object.entries(V.aliases).concat(order.map((q) => [q, q]))) {
    const c = canon(sp);
    spelled.set(c, spelled.has(c) && spelled.get(c) !== q ? null : q);
  }
  function decode(s) { try { return decodeURIComponent(s); } catch (e) { return s; } }
  function readFragment(hash) {
    const out = new Map();
    for (const part of hash.replace(/^#/, "").split("&")) {
      if (!part) continue;
      const i = part.indexOf("=");
      const k = decode(i < 0 ? part : part.slice(0, i)), v = i < 0 ? "" : decode(part.slice(i + 1));
      const q = inputs.has(k) ? k : spelled.get(canon(k));
      if (q) out.set(q, v);
    }
    return out;
  }
  function fragment() {
    return order.filter((q) => inputs.get(q).value.trim() !== "")
      .map((q) => `${encodeURIComponent(q)}=${encodeURIComponent(inputs.get(q).value.trim())}`).join("&");
  }

  // --- showing verdicts ---------------------------------------------------------------------------------------------
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
  const pts = (x) => (Number.isInteger(x) ? String(x) : String(Math.round(x * 100) / 100));
  function showField(f) {
    const el = $(`[data-verdict-of="${f.quantity}"]`);
    el.dataset.verdict = f.verdict;
    const li = el.closest(".field");
    li.className = `field v-${f.verdict}`;
    let html = `<span class="verdict">${V.symbol[f.verdict]} ${f.verdict}</span> <span class="pts">${pts(f.points)} / ${pts(f.maxPoints)}</span>`;
    if (f.verdict !== "missing") html += `<span class="why">${esc(f.message)}</span>`;
    if (f.diagnosis) html += `<span class="mistake">Likely mistake (<code>${esc(f.diagnosis.id)}</code>): ${esc(f.diagnosis.text)}</span>`;
    el.innerHTML = html;
    const formula = $(`[data-formula-of="${f.quantity}"]`);
    if (formula) formula.hidden = f.verdict === "correct" || f.verdict === "missing";
    const mirror = $(`input[data-mirror="${f.quantity}"]`);
    if (mirror) mirror.closest(".slot").dataset.verdict = f.verdict;
  }
  function worst(qs, byQ) {
    let best = null;
    for (const q of qs) { const v = byQ.get(q); if (best === null || V.severity[v] > V.severity[best]) best = v; }
    return best === null ? "none" : best;
  }
  function tooltip(name, kind, verdict, qs, byQ) {
    if (!qs.length) return `${name} (${kind}): not asked`;
    return `${name} (${kind}) ${V.symbol[verdict]} ${verdict}: ` + qs.map((q) => `${q} ${V.symbol[byQ.get(q)]}`).join(", ");
  }
  function paint(g, verdict, name, kind, qs, byQ) {
    // Colours and dash patterns follow data-verdict (the stylesheet's [data-verdict=...] rules); words follow here.
    g.dataset.verdict = verdict;
    const title = g.querySelector("title"); if (title) title.textContent = tooltip(name, kind, verdict, qs, byQ);
    if (kind === "neuron") {
      const badge = g.querySelector("text.b"); if (badge) badge.textContent = V.symbol[verdict];
    } else if (kind === "weight") {
      const label = $(`text.wl[data-for="${name}"]`);
      if (label) { label.dataset.verdict = verdict; label.textContent = `${V.symbol[verdict]} ${name}`.trim(); }
    } else {
      const text = g.querySelector("text"); text.textContent = `${V.symbol[verdict]} ${name}`.trim();
    }
  }
  function showDrawing(byQ) {
    const word = (v) => (v === "none" ? "not asked" : v);
    const said = { neuron: [], weight: [], bias: [] };
    for (const [kind, attr] of [["neuron", "unit"], ["weight", "weight"], ["bias", "bias"]]) {
      for (const [name, qs] of Object.entries(V.owners[kind])) {
        const g = $(`g.${kind}[data-${attr}="${name}"]`);
        const v = worst(qs, byQ);
        if (g && qs.length) paint(g, v, name, kind, qs, byQ);
        said[kind].push(`${name} ${word(v)}`);
      }
    }
    const svg = $("svg.network");
    if (svg) {
      let label = `${V.summaryHead} Neurons: ${said.neuron.join(", ")}.`;
      if (said.weight.length) label += ` Weights: ${said.weight.join(", ")}.`;
      if (said.bias.length) label += ` Biases: ${said.bias.join(", ")}.`;
      svg.setAttribute("aria-label", label);
    }
  }

  function update(announceFor) {
    const result = PracticeGrade.grade(texts());
    const byQ = new Map(result.fields.map((f) => [f.quantity, f.verdict]));
    const changed = [];
    for (const f of result.fields) {
      showField(f);
      if (last.has(f.quantity) && last.get(f.quantity) !== f.verdict && f.quantity !== announceFor) changed.push(`${f.quantity} ${f.verdict}`);
    }
    showDrawing(byQ);
    $("#score").textContent = `${pts(result.score)} / ${pts(result.maxScore)} points`;
    const counts = {};
    for (const f of result.fields) counts[f.verdict] = (counts[f.verdict] || 0) + 1;
    $("#counts").textContent = Object.keys(V.symbol).filter((v) => counts[v]).map((v) => `${V.symbol[v]} ${counts[v]} ${v}`).join("   ");
    $("#export-yaml").value = exportYaml();
    if (announceFor) {
      const f = result.fields.find((x) => x.quantity === announceFor);
      let say = `${f.quantity}: ${f.verdict}.`;
      if (f.diagnosis) say += ` Likely mistake: ${f.diagnosis.text}`;
      if (changed.length) say += ` Also changed: ${changed.join(", ")}.`;
      $("#announce").textContent = say;
    }
    last = byQ;
    window.practiceLastResult = result; // for tools and tests: what the page shows, as data
    return result;
  }
  function syncFragment() {
    const frag = fragment();
    try { history.replaceState(null, "", frag ? "#" + frag : location.pathname + location.search); } catch (e) { /* file: URLs may refuse */ }
  }

  // --- inputs on the drawing (mirrors of the list's inputs; the list is the keyboard's path) --------------------
  function placeOnDrawing() {
    const svg = $("svg.network");
    if (!svg) return;
    const NS = "http://www.w3.org/2000/svg", W = 80, H = 20;
    const put = (q, x, y) => {
      const fo = document.createElementNS(NS, "foreignObject");
      fo.setAttribute("x", String(x)); fo.setAttribute("y", String(y));
      fo.setAttribute("width", String(W)); fo.setAttribute("height", String(H));
      fo.setAttribute("class", "slot-fo");
      const box = document.createElement("div"); box.className = "slot"; box.dataset.verdict = "missing";
      const el = document.createElement("input");
      el.type = "text"; el.tabIndex = -1; el.dataset.mirror = q; el.placeholder = q; el.title = `${q}: ${V.describe[q] || ""}`;
      el.setAttribute("aria-hidden", "true"); el.autocomplete = "off"; el.spellcheck = false;
      const main = inputs.get(q);
      el.value = main.value;
      el.addEventListener("input", () => { main.value = el.value; update(null); syncFragment(); });
      el.addEventListener("change", () => { update(q); });
      main.addEventListener("input", () => { el.value = main.value; });
      box.appendChild(el); fo.appendChild(box); svg.appendChild(fo);
    };
    const box = svg.viewBox.baseVal; // room on the right for the output layer's fields
    const narrow = window.matchMedia && window.matchMedia("(max-width: 36rem)").matches; // the fields are hidden there
    if (!narrow && Object.values(V.slots).some((w) => w[2] === "activation")) {
      box.width += W + 8;
      svg.setAttribute("width", String(box.width));
    }
    for (const [q, where] of Object.entries(V.slots)) {
      const [kind, name, slot] = where;
      if (kind === "unit") {
        const c = $(`g.neuron[data-unit="${name}"] circle`);
        if (!c) continue;
        const x = Number(c.getAttribute("cx")), y = Number(c.getAttribute("cy")), r = Number(c.getAttribute("r"));
        if (slot === "net") put(q, x - W / 2, y - r - H - 2); // above the neuron
        else if (slot === "activation") put(q, x + r + 4, y - H / 2); // to its right
        else put(q, x - W / 2, y + r + 22); // below its net-input label
      } else if (kind === "weight") {
        const t = $(`text.wl[data-for="${name}"]`);
        if (!t) continue;
        put(q, Number(t.getAttribute("x")) - W / 2, Number(t.getAttribute("y")) + 4);
      } else {
        const t = $(`g.bias[data-bias="${name}"] text`);
        if (!t) continue;
        put(q, Number(t.getAttribute("x")) - W / 2, Number(t.getAttribute("y")) + 10);
      }
    }
  }

  function start() {
    const pre = readFragment(location.hash);
    for (const [q, v] of pre) inputs.get(q).value = v;
    order.forEach((q, i) => {
      const el = inputs.get(q);
      el.addEventListener("input", () => { update(null); syncFragment(); });
      el.addEventListener("change", () => update(q));
      el.addEventListener("keydown", (ev) => {
        if (ev.key !== "Enter") return;
        ev.preventDefault();
        update(q);
        const next = inputs.get(order[i + 1]) || $("#download");
        next.focus();
      });
    });
    window.addEventListener("hashchange", () => {
      const now = readFragment(location.hash);
      for (const q of order) inputs.get(q).value = now.get(q) || "";
      for (const m of $$("input[data-mirror]")) m.value = inputs.get(m.dataset.mirror).value;
      update(null);
    });
    for (const id of ["student-id", "student-name"]) $("#" + id).addEventListener("input", () => { $("#export-yaml").value = exportYaml(); });
    $("#download").addEventListener("click", download);
    placeOnDrawing();
    update(null);
  }
  window.practiceExportYaml = exportYaml;
  window.PracticeReader = PracticeReader; // for tools and tests: the answer reader
  window.PracticeGrade = PracticeGrade;
  start();
})();
