// The verdict loop of the practice page: grader/grade/engine.py's _grade_field and diagnose.py, mirrored on the
// data the grader generated (PRACTICE: the key, the compiled formulas, the known mistakes, the tolerances).
// A submission on the page has no `using`, so there are no untrusted values and no flags that change a verdict.
// Defines PracticeGrade.grade(texts) -> {fields: [...], score, maxScore}.
"use strict";
// --- float semantics of grader.solve.expr.compile_float ------------------------------------------------------
function naiveSum(xs) { let s = 0; for (const x of xs) s += x; return s; }
function fsum(xs) { // CPython's math.fsum (Shewchuk), falling back to a plain sum where fsum would raise
  const p = []; let special = 0, infSum = 0;
  for (let x of xs) {
    const xsave = x; let i = 0;
    for (let j = 0; j < p.length; j++) {
      let y = p[j];
      if (Math.abs(x) < Math.abs(y)) { const t = x; x = y; y = t; }
      const hi = x + y, lo = y - (hi - x);
      if (lo !== 0) p[i++] = lo;
      x = hi;
    }
    p.length = i;
    if (x !== 0) {
      if (!Number.isFinite(x)) {
        if (Number.isFinite(xsave)) return naiveSum(xs); // intermediate overflow
        if (xsave === Infinity || xsave === -Infinity) infSum += xsave;
        special += xsave;
        p.length = 0;
      } else p.push(x);
    }
  }
  if (special !== 0) return Number.isNaN(infSum) ? naiveSum(xs) : special;
  let n = p.length, hi = 0, lo = 0;
  if (n > 0) {
    hi = p[--n];
    while (n > 0) {
      const x = hi, y = p[--n];
      hi = x + y; lo = y - (hi - x);
      if (lo !== 0) break;
    }
    if (n > 0 && ((lo < 0 && p[n - 1] < 0) || (lo > 0 && p[n - 1] > 0))) {
      const y = lo * 2, x = hi + y;
      if (y === x - hi) hi = x;
    }
  }
  return hi;
}
const step = (x, below, atZero, above) => (x > 0 ? above : x < 0 ? below : atZero);
const R = { // the runtime of the generated formulas (grader.report.jscompile)
  fsum,
  div: (n, d) => (d === 0 ? NaN : n / d),
  pow: (b, k) => { const r = b ** k; return !Number.isFinite(r) && Number.isFinite(b) ? NaN : r; },
  rpow: (b, k) => { if (b < 0 || (b === 0 && k < 0)) return NaN; const r = Math.pow(b, k); return !Number.isFinite(r) && Number.isFinite(b) ? NaN : r; },
  pick: (name, a, b) => ((name === "max" ? a >= b : a <= b) ? a : b),
  pickd: (name, a, b, da, db) => (a === b ? NaN : (name === "max" ? a >= b : a <= b) ? da : db),
  fn: {
    sigmoid: (x) => { if (x >= 0) return 1.0 / (1.0 + Math.exp(-x)); const e = Math.exp(x); return e / (1.0 + e); },
    tanh: (x) => Math.tanh(x),
    exp: (x) => Math.exp(x),
    log: (x) => (x > 0 ? Math.log(x) : NaN),
    relu: (x) => (x > 0 ? x : 0.0),
    relu_d: (x, p0) => step(x, 0.0, p0, 1.0),
    leaky: (x, p0, p1) => (x > 0 ? x : p1 * x),
    leaky_d: (x, p0, p1) => step(x, p1, p0, 1.0),
    abs: (x) => Math.abs(x),
    sign: (x) => step(x, -1.0, NaN, 1.0),
  },
};
const PracticeGrade = (function () {
  const P = PRACTICE;
  const KEY = new Map(Object.entries(P.key));
  const NODES = new Map(Object.entries(P.nodes));
  const TOLS = new Map(Object.entries(P.tols || {}));
  const tolOf = (q) => TOLS.get(q) || P.defaultTol; // Plan.tolerance

  const F = P.formulas;

  // --- numbers as Python writes them --------------------------------------------------------------------------
  // The exact value of |x| to 100 significant digits: {digits, exp} with x ≈ 0.d1d2... × 10^(exp+1).
  function digitsOf(x) {
    const s = Math.abs(x).toExponential(99), m = /^(\d)\.(\d+)e([+-]\d+)$/.exec(s);
    return { digits: m[1] + m[2], exp: Number(m[3]) };
  }
  // |x| rounded half-even (as Python) to p >= 1 significant digits: {digits (p chars), exp}.
  function roundDigits(x, p) {
    const { digits, exp } = digitsOf(x);
    if (p >= digits.length) return { digits: digits.padEnd(p, "0"), exp };
    let head = digits.slice(0, p); const rest = digits.slice(p);
    const half = "5".padEnd(rest.length, "0");
    const up = rest > half || (rest === half && Number(head[p - 1]) % 2 === 1);
    let e = exp;
    if (up) {
      const arr = head.split("").map(Number); let i = p - 1;
      while (i >= 0 && arr[i] === 9) { arr[i] = 0; i--; }
      if (i < 0) { arr.unshift(1); arr.pop(); e += 1; } else arr[i] += 1;
      head = arr.join("");
    }
    return { digits: head, exp: e };
  }
  function fmt(x, digits = 6) { // grader.numfmt.fmt
    if (x === null || x === undefined) return "—";
    if (Number.isNaN(x)) return "nan";
    if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
    if (x === 0) return "0";
    const sign = x < 0 ? "-" : "";
    const { digits: d, exp } = roundDigits(x, digits);
    if (exp >= -4 && exp < digits) {
      let s;
      if (exp >= 0) s = d.slice(0, exp + 1).padEnd(exp + 1, "0") + "." + d.slice(exp + 1);
      else s = "0." + "0".repeat(-exp - 1) + d;
      s = s.replace(/0+$/, "").replace(/\.$/, "");
      return sign + s;
    }
    const mant = (d[0] + "." + d.slice(1)).replace(/0+$/, "").replace(/\.$/, "");
    return `${sign}${mant}e${exp}`;
  }
  function pyRound(x, n) { // Python's round(x, n) for a float x and an int n
    if (x === 0 || !Number.isFinite(x)) return x;
    const { exp } = digitsOf(x);
    const p = exp + 1 + n;
    if (p >= 100) return x;
    const sign = x < 0 ? -1 : 1;
    if (p <= 0) {
      if (p < 0) return sign * 0;
      const { digits } = digitsOf(x); // 0.d... × 10^(exp+1): rounds to 0 or to 10^(exp+1)
      const half = "5".padEnd(digits.length, "0");
      return digits > half ? sign * Number(`1e${exp + 1}`) : sign * 0;
    }
    const r = roundDigits(x, p);
    return sign * Number(`${r.digits}e${r.exp - p + 1}`);
  }
  function roundSig(x, digits) { // grader.grade.tolerance.round_sig
    if (x === 0 || !Number.isFinite(x)) return x;
    const r = pyRound(x, digits - 1 - Math.floor(Math.log10(Math.abs(x))));
    return Number.isFinite(r) ? r : x;
  }
  const pow10 = (k) => Number(`1e${k}`);
  function roundHalfEven(x) {
    const f = Math.floor(x), d = x - f;
    return d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
  }

  // --- grader.grade.tolerance.within ---------------------------------------------------------------------------
  function within(given, truth, tol) {
    const err = Math.abs(given - truth);
    if (tol.mode === "relabs") { const b = tol.atol + tol.rtol * Math.abs(truth); return err <= b && b < Infinity; }
    if (!(Number.isFinite(given) && Number.isFinite(truth))) return false;
    if (tol.mode === "sigfig") {
      if (truth === 0) return err <= tol.atol;
      return err <= 0.51 * pow10(Math.floor(Math.log10(Math.abs(truth))) - tol.digits + 1);
    }
    if (tol.mode === "decimals") return err <= 0.5 * pow10(-tol.places) * (1 + 1e-9) + Math.abs(truth) * 4e-16;
    throw new Error(`practice page: no tolerance mode ${tol.mode}`);
  }

  // --- grader.grade.views.View ---------------------------------------------------------------------------------
  // A value lookup over the student's answers: an answer > for a delta the student did not write, what a gradient
  // they wrote implies (PRACTICE.identities, ranked) > a derived quantity's formula on this view > the given value.
  const IDENT = new Map(Object.entries(P.identities || {}));
  const RANKS = new Map(Object.entries(P.ranks || {}));
  class View {
    constructor(answers, exclude) {
      this.answers = answers;
      this.limit = exclude && RANKS.has(exclude) ? RANKS.get(exclude) : RANKS.size;
      this.children = new Map(); this.memo = new Map(); this.via = new Map(); this.accepted = new Map(); this.busy = new Set();
      this.get = (name) => this.value(name);
    }
    child(name) {
      if ((RANKS.has(name) ? RANKS.get(name) : this.limit) >= this.limit) return this;
      if (!this.children.has(name)) this.children.set(name, new View(this.answers, name));
      return this.children.get(name);
    }
    written(name) { return this.answers.has(name); }
    value(name) {
      if (this.answers.has(name)) return this.answers.get(name);
      let v = this.memo.get(name);
      if (v === undefined) {
        v = this.standIn(name);
        if (v === null) {
          const node = NODES.get(name);
          v = node ? F[node.f](this.get) : KEY.get(name);
        }
        this.memo.set(name, v);
      }
      return v;
    }
    standIn(name) {
      const ways = IDENT.get(name);
      if (!ways || this.busy.has(name)) return null;
      this.busy.add(name);
      try {
        for (const [g, f] of ways) {
          if (RANKS.get(g) < this.limit && this.written(g)) {
            const v = F[f](this.get);
            if (Number.isFinite(v)) { this.via.set(name, f); return v; }
          }
        }
      } finally { this.busy.delete(name); }
      return null;
    }
    formula(i) { return F[i](this.get); }
    reads(name) {
      const node = NODES.get(name);
      if (!node) return [];
      this.value(name);
      return this.via.has(name) ? P.formulaDeps[this.via.get(name)] : node.deps;
    }
    sources(deps) {
      const out = new Map(), seen = new Set(), stack = deps.slice();
      while (stack.length) {
        const name = stack.pop();
        if (seen.has(name)) continue;
        seen.add(name);
        if (this.written(name)) out.set(name, this.value(name));
        else stack.push(...this.reads(name));
      }
      return [...out.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    }
  }
  const keyView = { get: (name) => KEY.get(name) };

  // --- grader.grade.engine.Context: one submission's answers, views and accepted values ------------------------
  const JUDGED = new Map(Object.entries(P.judged || {}));
  class Context {
    constructor(answers, exact) { this.answers = answers; this.exact = exact; this.base = new View(answers); this.views = new Map(); }
    view(q) { // a gradient's own work never reads a delta through itself (no `using` on the page)
      if (!this.views.has(q)) this.views.set(q, RANKS.has(q) ? new View(this.answers, q) : this.base);
      return this.views.get(q);
    }
    judge(q, v, exact) { // Plan.judge
      const j = JUDGED.get(q);
      if (j) return within(change(v, exact, j.baseExact, KEY.get(j.base)), j.change, tolOf(q));
      return within(v, KEY.get(q), tolOf(q));
    }
    accepted(view, d) { // does the student's value of d stand for the key's downstream?
      if (!P.judges) return within(view.get(d), KEY.get(d), tolOf(d));
      const memo = view.accepted;
      if (memo.has(d)) return memo.get(d);
      memo.set(d, false);
      const v = view.get(d), answered = this.answers.has(d);
      let ok = this.judge(d, v, answered ? this.exact.get(d) : null);
      const node = NODES.get(d);
      if (!ok && node && view.written(d)) {
        const own = answered ? this.view(d) : RANKS.has(d) ? view.child(d) : view;
        const j = JUDGED.get(d);
        const mine = j ? v - own.get(j.base) : v, follows = own.formula(j ? j.f : node.f);
        if (within(mine, follows, tolOf(d))) {
          ok = own.sources(node.deps).filter(([x]) => x !== d).every(([x]) => this.accepted(own, x));
        }
      }
      memo.set(d, ok);
      return ok;
    }
  }

  // --- grader.grade.diagnose -------------------------------------------------------------------------------------
  function byValue(s, target, tol, whose) {
    if (target === 0 || !Number.isFinite(target)) return null;
    if (s === 0) return { id: "zero", text: `Your value is 0, but ${whose} give ${fmt(target)}: for an updated parameter, 0 means no update at all.` };
    if (within(-s, target, tol)) return { id: "flipped_sign", text: `Right size, wrong sign: ${whose} give ${fmt(target)}.` };
    if (!Number.isFinite(s)) return null;
    const ratio = s / target;
    if (!Number.isFinite(ratio) || ratio === 0) return null;
    if (ratio > 0) {
      const k = roundHalfEven(Math.log10(ratio));
      if (k !== 0 && Math.abs(k) <= 8 && within(s, target * pow10(k), tol)) {
        const times = k !== 1 ? `10^${k}` : "10";
        return { id: "power_of_ten", text: `A power-of-ten slip: your value is ${times} times what ${whose} give (${fmt(target)}); look for a lost or extra zero.` };
      }
    } else if (Math.abs(target) > tol.atol) {
      return { id: "wrong_sign", text: `The sign is wrong: ${whose} give ${fmt(target)}, but you wrote ${fmt(s)}; check the signs in your work.` };
    }
    for (const d of [1, 2, 3, 4]) {
      const r = roundSig(target, d);
      if (r !== target && Math.abs(s - r) <= Math.abs(target) * 1e-12 + 1e-300) {
        return { id: "rounding_too_early", text: `Your value is ${fmt(target)} rounded to ${d} significant digit${d > 1 ? "s" : ""}: keep more digits.` };
      }
    }
    return null;
  }
  function roundingUpstream(s, f, env, tol) {
    for (const d of [2, 3]) {
      const rounded = new Map([...env].map(([k, v]) => [k, roundSig(v, d)]));
      const v = F[f]((name) => rounded.get(name));
      if (Number.isFinite(v) && within(s, v, tol)) {
        return { id: "rounding_too_early", text: `The values this is computed from were rounded to ${d} significant digits too early; carry more digits until the end.` };
      }
    }
    return null;
  }
  function diagnose(fd, own, onKey, view) {
    for (const rule of fd.rules) {
      if (within(own, view.formula(rule.f), fd.tol) || within(onKey, rule.key, fd.tol)) return { id: rule.id, text: rule.text };
    }
    const whose = view.sources(fd.exprDeps).length ? "the values you used" : "the given values";
    const d = byValue(own, view.formula(fd.expr), fd.tol, whose);
    if (d) return d;
    const env = new Map(fd.exprDeps.map((n) => [n, view.get(n)]));
    const r = roundingUpstream(own, fd.expr, env, fd.tol);
    if (r) return r;
    if (fd.exprDeps.every((n) => within(env.get(n), KEY.get(n), tolOf(n)))) {
      return { id: "arithmetic", text: "The values this is computed from are right, so the slip is in the arithmetic: recompute it step by step." };
    }
    return null;
  }

  // --- grader.grade.engine._grade_field -------------------------------------------------------------------------
  function change(s, exact, baseExact, base) {
    if (exact && baseExact) {
      const bn = BigInt(baseExact[0]), bd = BigInt(baseExact[1]);
      return PracticeReader.toFloat(qsub(exact, { n: bn, d: bd }));
    }
    return s - base;
  }
  function qsub(a, b) {
    let n = a.n * b.d - b.n * a.d, d = a.d * b.d;
    const g = gcd(n < 0n ? -n : n, d) || 1n;
    return { n: n / g, d: d / g };
  }
  function gcd(a, b) { while (b) { [a, b] = [b, a % b]; } return a; }

  function field(fd, read, ctx) {
    const q = fd.q;
    const out = (verdict, points, message, extra) => Object.assign({ quantity: q, verdict, points, maxPoints: fd.points, message, diagnosis: null }, extra || {});
    if (!read) return out("missing", 0, "No answer given.");
    if (!read.ok) return out("unparseable", 0, `Could not read this answer: ${read.reason}`);
    const s = read.value;
    if (fd.onChange) {
      const sCmp = change(s, read.exact, fd.baseExact, KEY.get(fd.base));
      if (within(sCmp, fd.keyChange, fd.tol)) return out("correct", fd.points, "Correct.");
    } else if (within(s, fd.expected, fd.tol)) return out("correct", fd.points, "Correct.");
    const view = ctx.view(q);

    const studentCmp = (v) => (fd.onChange ? s - v.get(fd.base) : s);
    const carried = view.formula(fd.expr);
    const follows = view.sources(fd.nodeDeps).filter(([d]) => !ctx.accepted(view, d));
    const yours = follows.map(([d, v]) => `${d} = ${fmt(v)}`).join(", ");
    const gives = fd.onChange ? `a change ${q} − ${fd.base} = ${fmt(carried)}` : fmt(carried);
    if (within(studentCmp(view), carried, fd.tol)) {
      if (!follows.length) return out("correct", fd.points, P.ownValues);
      const points = pyRound(fd.points * P.carriedCredit, 6);
      return out("carried", points, `Follows correctly from your ${yours} (error carried forward).`, { follows });
    }
    const diagnosis = diagnose(fd, studentCmp(view), studentCmp(keyView), view);
    let message = "Incorrect.";
    if (follows.length) {
      message = `Incorrect, and it does not follow from your own values either: your ${yours} ${follows.length === 1 ? "gives" : "give"} ${gives}.`;
    }
    return out("incorrect", 0, message, { diagnosis, follows });
  }

  function grade(texts) { // texts: Map quantity -> what the student typed ("" or absent: no answer)
    const reads = new Map(), answers = new Map(), exact = new Map();
    for (const fd of P.fields) {
      const t = texts.get(fd.q);
      if (t === undefined || t === null || String(t).trim() === "") continue;
      const r = PracticeReader.read(t);
      reads.set(fd.q, r);
      if (r.ok) { answers.set(fd.q, r.value); if (r.exact) exact.set(fd.q, r.exact); }
    }
    const ctx = new Context(answers, exact);
    const fields = P.fields.map((fd) => field(fd, reads.get(fd.q), ctx));
    const score = pyRound(fields.reduce((a, f) => a + f.points, 0), 6);
    const maxScore = pyRound(P.fields.reduce((a, f) => a + f.points, 0), 6);
    return { fields, score, maxScore };
  }
  return { grade, fmt, within, fsum, roundSig };
})();
