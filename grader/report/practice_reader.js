// The answer reader of grader/parse/answer.py, in JavaScript: the same grammar, limits and exactness
// (BigInt fractions while exact, floats once e or a function enters). Checked against the Python reader on the
// shared cases of tests/files/answer_reader_cases.json; LaTeX is rewritten first by practice_latex.js. Defines
// PracticeReader.read(text) -> {ok: true, value, exact: {n, d} | null} or {ok: false, reason}.
"use strict";
const PracticeReader = (function () {
  const L = PRACTICE.reader;
  const DIGITS = "0123456789";
  const MINUS = "-\u2212\u2013\u2012\u2010", TIMES = "*\u00d7\u00b7\u22c5\u2219", DIVIDE = "/\u00f7\u2215";
  const SUP = "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079";
  const SUP_SIGN = { "\u207b": -1, "\u207a": 1 };
  const NAME_START = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_", NAME_CHARS = NAME_START + DIGITS;
  const SIGMA = "\u03c3";
  const FUNCTIONS = new Set(["exp", "ln", "log", "log10", "log2", "sqrt", "sigmoid", SIGMA, "tanh"]);
  const NOT_FINITE_NAMES = new Set(["nan", "inf", "infinity", "infty"]);
  const HINT = "write a single number or expression such as 0.25, 3/4, 1.2e-5 or 1/(1+exp(-0.5))";
  const NOT_FINITE = "the result is not a finite number";
  const PLAIN = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,3})?$/;
  // Python's str.isspace() (the characters str.strip() removes, too)
  const SPACE = /[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
  const FLOAT_MAX = BigInt(Number.MAX_VALUE);

  class Refuse { constructor(reason) { this.reason = reason; } }
  const repr = (s) => PracticeLatex.pyRepr(s); // as Python's !r quotes a text in a message

  // --- exact fractions --------------------------------------------------------------------------------------------
  const abs = (x) => (x < 0n ? -x : x);
  function gcd(a, b) { a = abs(a); b = abs(b); while (b) { [a, b] = [b, a % b]; } return a; }
  function Q(n, d) { if (d < 0n) { n = -n; d = -d; } const g = gcd(n, d) || 1n; return { n: n / g, d: d / g }; }
  const isQ = (v) => typeof v === "object";
  const bits = (x) => (x === 0n ? 0 : abs(x).toString(2).length);
  function ldexp(x, e) {
    while (e > 1000) { x *= 2 ** 1000; e -= 1000; }
    while (e < -1000) { x *= 2 ** -1000; e += 1000; }
    return x * 2 ** e;
  }
  function toFloat(v) { // correctly rounded, as Python's float(Fraction)
    if (!isQ(v)) return v;
    let n = v.n; const d = v.d;
    if (n === 0n) return 0;
    const neg = n < 0n; if (neg) n = -n;
    const LIM = 2n ** 53n;
    let x;
    if (n <= LIM && d <= LIM) x = Number(n) / Number(d);
    else {
      const shift = 65 - (bits(n) - bits(d));
      const a = shift > 0 ? n << BigInt(shift) : n, b = shift < 0 ? d << BigInt(-shift) : d;
      let q = a / b;
      if (a % b !== 0n) q |= 1n; // sticky bit: q has 65+ bits, so rounding Number(q) is rounding n/d
      x = ldexp(Number(q), -shift);
    }
    return neg ? -x : x;
  }
  const tooBig = (q) => abs(q.n) > FLOAT_MAX * q.d;
  function pow10(k) { return k >= 0 ? Q(10n ** BigInt(k), 1n) : Q(1n, 10n ** BigInt(-k)); }
  const qmul = (a, b) => Q(a.n * b.n, a.d * b.d);

  function pyRepr(x) { // Python's repr of a float
    if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
    const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(x.toExponential());
    const digits = m[2] + (m[3] || ""), e = Number(m[4]);
    if (e < -4 || e >= 16) {
      const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
      return `${m[1]}${mant}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
    }
    let s;
    if (e < 0) s = "0." + "0".repeat(-e - 1) + digits;
    else if (digits.length <= e + 1) s = digits.padEnd(e + 1, "0") + ".0";
    else s = digits.slice(0, e + 1) + "." + digits.slice(e + 1);
    return m[1] + s;
  }

  // --- pre-checks -------------------------------------------------------------------------------------------------
  function strip(s) {
    let i = 0, j = s.length;
    while (i < j && SPACE.test(s[i])) i++;
    while (j > i && SPACE.test(s[j - 1])) j--;
    return s.slice(i, j);
  }
  function precheck(text) {
    if (text.includes("=")) {
      const pos = text.indexOf("=") + 1, rhs = strip(text.slice(text.lastIndexOf("=") + 1));
      const s = rhs ? readText(rhs) : null;
      if (s && s.ok) throw new Refuse(`unexpected '=' at position ${pos}; write just the value, e.g. ${rhs}, without a name or '='`);
      throw new Refuse(`unexpected '=' at position ${pos}; write just the value, without a name or '=', as a single number or expression such as 0.25, 3/4, 1.2e-5 or 1/(1+exp(-0.5))`);
    }
    if (text.includes("%")) {
      const pos = text.indexOf("%") + 1, before = strip(text.slice(0, pos - 1)), after = strip(text.slice(pos));
      const s = before && !after ? readText(before) : null;
      let example = "0.12 instead of 12%";
      if (s && s.ok) {
        const hundredth = s.exact ? toFloat(Q(s.exact.n, s.exact.d * 100n)) : s.value / 100;
        example = `${pyRepr(hundredth)} instead of ${text}`;
      }
      throw new Refuse(`'%' at position ${pos} is not accepted; write a percentage as a plain number, e.g. ${example}`);
    }
  }
  function decimalComma(text) {
    const commas = [];
    for (let i = 0; i < text.length; i++) if (text[i] === ",") commas.push(i);
    if (!commas.length) return -1;
    if (commas.length > 1) throw new Refuse(`more than one ',' (positions ${commas.map((c) => c + 1).join(", ")}); thousands separators and lists are not accepted: write one number without separators (1000000), using '.' or a single ',' as the decimal point`);
    const i = commas[0];
    if (!(0 < i && i < text.length - 1 && DIGITS.includes(text[i - 1]) && DIGITS.includes(text[i + 1]))) {
      throw new Refuse(`unexpected ',' at position ${i + 1}; a ',' is only accepted as a decimal point between digits (0,35); ${HINT}`);
    }
    let start = i; while (start > 0 && DIGITS.includes(text[start - 1])) start--;
    let end = i + 1; while (end < text.length && DIGITS.includes(text[end])) end++;
    const whole = text.slice(start, i), frac = text.slice(i + 1, end);
    if (BigInt(whole) !== 0n && frac.length === 3) {
      throw new Refuse(`'${whole},${frac}' at position ${start + 1} is ambiguous (thousands separator or decimal comma?); write ${whole}${frac} or ${whole}.${frac}`);
    }
    return i;
  }

  // --- tokenizer --------------------------------------------------------------------------------------------------
  function* lex(text, comma) { // lazily, as Python's, so the first problem in reading order is the one reported
    let i = 0, previous = "", count = 0;
    const n = text.length;
    const digitsFrom = (j) => { while (j < n && DIGITS.includes(text[j])) j++; return j; };
    const tenFollows = (j) => {
      while (j < n && SPACE.test(text[j])) j++;
      return text.startsWith("10", j) && (j + 2 === n || !(DIGITS + ".,").includes(text[j + 2]));
    };
    while (i < n) {
      const ch = text[i];
      if (SPACE.test(ch)) { i++; continue; }
      if (++count > L.maxNodes) throw new Refuse(`the answer has too many parts (more than ${L.maxNodes} numbers and operators)`);
      const start = i; let tok;
      if (DIGITS.includes(ch) || (ch === "." && i + 1 < n && DIGITS.includes(text[i + 1]))) {
        i = digitsFrom(i);
        const whole = text.slice(start, i); let frac = "";
        if (i < n && (text[i] === "." || i === comma)) { const j = digitsFrom(i + 1); frac = text.slice(i + 1, j); i = j; }
        let exponent = 0;
        if (i < n && "eE".includes(text[i])) {
          let j = i + 1; const sign = j < n && MINUS.includes(text[j]) ? -1 : 1;
          if (j < n && (MINUS.includes(text[j]) || text[j] === "+")) j++;
          const k = digitsFrom(j);
          if (k > j) { exponent = sign * Number(text.slice(j, k)); i = k; }
        }
        const literal = text.slice(start, i);
        if (exponent > L.maxExponent) throw new Refuse(`${NOT_FINITE}: ${repr(literal)} at position ${start + 1} is far too large`);
        if (exponent < -L.maxExponent) throw new Refuse(`the exponent of ${repr(literal)} at position ${start + 1} is out of range (at most ±${L.maxExponent})`);
        const value = qmul(Q(BigInt(whole + frac || "0"), 10n ** BigInt(frac.length)), pow10(exponent));
        tok = { kind: "num", text: literal, pos: start + 1, number: value };
      } else if (SUP.includes(ch) || ch in SUP_SIGN) {
        const sign = SUP_SIGN[ch] || 0; if (sign) i++;
        let j = i; while (j < n && SUP.includes(text[j])) j++;
        if (j === i) throw new Refuse(`unexpected ${repr(text[start])} at position ${start + 1}; ${HINT}`);
        let v = 0n; for (const c of text.slice(i, j)) v = v * 10n + BigInt(SUP.indexOf(c));
        tok = { kind: "sup", text: text.slice(start, j), pos: start + 1, number: Q(v * BigInt(sign || 1), 1n) };
        i = j;
      } else if ("xX".includes(ch) && (previous === "num" || previous === ")") && tenFollows(i + 1)) {
        tok = { kind: "op", text: ch, pos: start + 1, key: "*" }; i++;
      } else if (NAME_START.includes(ch)) {
        i++; while (i < n && NAME_CHARS.includes(text[i])) i++;
        tok = { kind: "name", text: text.slice(start, i), pos: start + 1, key: text.slice(start, i).toLowerCase() };
      } else if (ch === SIGMA) {
        tok = { kind: "name", text: ch, pos: start + 1, key: SIGMA }; i++;
      } else if (ch === "*" && text.startsWith("**", i)) {
        tok = { kind: "op", text: "**", pos: start + 1, key: "^" }; i += 2;
      } else if (TIMES.includes(ch) || DIVIDE.includes(ch) || MINUS.includes(ch) || ch === "+" || ch === "^") {
        const op = TIMES.includes(ch) ? "*" : DIVIDE.includes(ch) ? "/" : MINUS.includes(ch) ? "-" : ch;
        tok = { kind: "op", text: ch, pos: start + 1, key: op }; i++;
      } else if (ch === "(" || ch === ")") {
        tok = { kind: ch, text: ch, pos: start + 1 }; i++;
      } else {
        throw new Refuse(`unexpected ${repr(ch)} at position ${start + 1}; ${HINT}`);
      }
      previous = tok.kind;
      yield tok;
    }
    const end = { kind: "end", text: "", pos: n + 1 };
    for (;;) yield end;
  }

  // --- parser (the grammar of answer.py) ---------------------------------------------------------------------------
  function parse(text, comma) {
    const toks = lex(text, comma);
    let cur = toks.next().value, depth = 0, prev = null;
    const tok = () => cur;
    const advance = () => { const t = cur; prev = t; cur = toks.next().value; return t; };
    const isOp = (ops) => tok().kind === "op" && ops.includes(tok().key);
    const nested = (f) => {
      if (++depth > L.maxDepth) throw new Refuse(`the expression is nested too deeply (more than ${L.maxDepth} levels)`);
      const node = f(); depth--; return node;
    };
    function expr() {
      let node = term();
      while (isOp("+-")) { const op = advance(); node = ["bin", op.key, node, term(), op.pos]; }
      return node;
    }
    function term() {
      let node = unary();
      while (isOp("*/")) { const op = advance(); node = ["bin", op.key, node, unary(), op.pos]; }
      return node;
    }
    function unary() {
      if (isOp("+-")) { const op = advance(); const a = nested(unary); return op.key === "+" ? a : ["neg", a, op.pos]; }
      return power();
    }
    function power() {
      const base = postfix();
      if (isOp("^")) { const op = advance(); return ["bin", "^", base, nested(unary), op.pos]; }
      return base;
    }
    function postfix() {
      let node = primary();
      while (tok().kind === "sup") { const s = advance(); node = ["bin", "^", node, ["num", s.number, s.pos], s.pos]; }
      return node;
    }
    function close(opening, what) {
      const t = tok();
      if (t.kind !== ")") {
        const found = t.kind === "end" ? "the end of the answer" : `${repr(t.text)}`;
        throw new Refuse(`missing ')' to close the '('${what} at position ${opening.pos} (found ${found}${t.kind === "end" ? "" : ` at position ${t.pos}`})`);
      }
      advance();
    }
    function primary() {
      const t = tok();
      if (t.kind === "num") { advance(); return ["num", t.number, t.pos]; }
      if (t.kind === "(") {
        advance();
        if (tok().kind === ")") throw new Refuse(`empty parentheses at position ${t.pos}; ${HINT}`);
        const inner = nested(expr); close(t, ""); return inner;
      }
      if (t.kind === "name") return name(t);
      if (t.kind === "end") {
        const where = prev ? ` after ${repr(prev.text)} at position ${prev.pos}` : "";
        throw new Refuse(`the answer is incomplete: a number or expression is missing${where}; ${HINT}`);
      }
      throw new Refuse(`unexpected ${repr(t.text)} at position ${t.pos}; ${HINT}`);
    }
    function name(t) {
      const nm = t.key;
      if (nm === "e") { advance(); return ["e", t.pos]; }
      if (NOT_FINITE_NAMES.has(nm)) throw new Refuse(`${repr(t.text)} at position ${t.pos} is not a finite number; write an ordinary number such as 0.25`);
      if (!FUNCTIONS.has(nm)) throw new Refuse(`unknown name ${repr(t.text)} at position ${t.pos}; only the constant e and the functions exp, ln, log, log10, log2, sqrt, sigmoid (σ) and tanh are known; ${HINT}`);
      advance();
      if (tok().kind !== "(") throw new Refuse(`the function ${repr(t.text)} at position ${t.pos} needs its argument in parentheses, e.g. ${t.text}(-0.5)`);
      const opening = advance();
      if (tok().kind === ")") throw new Refuse(`${t.text}() at position ${t.pos} has no argument; put a number or expression inside the parentheses, e.g. ${t.text}(-0.5)`);
      const arg = nested(expr); close(opening, ` of ${t.text}`);
      return ["call", nm, arg, t.pos];
    }
    const node = expr();
    const t = tok();
    if (t.kind === ")") throw new Refuse(`unmatched ')' at position ${t.pos}; ${HINT}`);
    if (t.kind === "name" && t.key.startsWith("x")) throw new Refuse(`unexpected ${repr(t.text)} at position ${t.pos}; use * to multiply ('x' means × only in scientific notation such as 1.2x10^-5)`);
    if (t.kind === "name" && t.key !== "e" && !FUNCTIONS.has(t.key)) throw new Refuse(`unexpected ${repr(t.text)} at position ${t.pos}; units and words are not accepted and only the constant e and the functions exp, ln, log, log10, log2, sqrt, sigmoid (σ) and tanh are known; ${HINT}`);
    if (t.kind !== "end") throw new Refuse(`unexpected ${repr(t.text)} at position ${t.pos}; values must be joined by an operator such as *, or ${HINT}`);
    return node;
  }

  // --- evaluator ----------------------------------------------------------------------------------------------------
  function finite(v, where) {
    if (isQ(v)) { if (tooBig(v)) throw new Refuse(`${NOT_FINITE}: ${where} gives a value beyond the float range (about ±1.8e308)`); return v; }
    if (!Number.isFinite(v)) throw new Refuse(`${NOT_FINITE}: ${where} overflows`);
    return v;
  }
  function shrink(v, pos) {
    if (tooBig(v)) throw new Refuse(`${NOT_FINITE}: the value at position ${pos} is beyond the float range (about ±1.8e308)`);
    return Math.max(bits(v.n), bits(v.d)) <= L.maxExactBits ? v : toFloat(v);
  }
  const isZero = (v) => (isQ(v) ? v.n === 0n : v === 0);
  const sign = (v) => (isQ(v) ? (v.n > 0n ? 1 : v.n < 0n ? -1 : 0) : Math.sign(v));
  function evaluate(node) {
    const kind = node[0];
    if (kind === "num") return finite(node[1], `the number at position ${node[2]}`);
    if (kind === "e") return Math.E;
    if (kind === "neg") { const v = evaluate(node[1]); return isQ(v) ? { n: -v.n, d: v.d } : -v; }
    if (kind === "call") return call(node[1], evaluate(node[2]), node[3]);
    const [, op, left, right, pos] = node;
    const a = evaluate(left), b = evaluate(right);
    return finite(binary(op, a, b, pos), `the ${repr(op)} at position ${pos}`);
  }
  function binary(op, a, b, pos) {
    if (op === "^") return power(a, b, pos);
    if (op === "/" && isZero(b)) throw new Refuse(`division by zero at position ${pos}; ${HINT}`);
    if (isQ(a) && isQ(b)) {
      const r = op === "+" ? Q(a.n * b.d + b.n * a.d, a.d * b.d) : op === "-" ? Q(a.n * b.d - b.n * a.d, a.d * b.d)
        : op === "*" ? Q(a.n * b.n, a.d * b.d) : Q(a.n * b.d, a.d * b.n);
      return shrink(r, pos);
    }
    const x = toFloat(a), y = toFloat(b);
    return op === "+" ? x + y : op === "-" ? x - y : op === "*" ? x * y : x / y;
  }
  function power(base, exponent, pos) {
    const e = toFloat(exponent);
    if (!(-L.maxExponent <= e && e <= L.maxExponent)) throw new Refuse(`the exponent at position ${pos} is too large (at most ±${L.maxExponent} is accepted)`);
    const integral = isQ(exponent) ? exponent.d === 1n : Number.isInteger(exponent);
    if (isZero(base) && sign(exponent) < 0) throw new Refuse(`division by zero: 0 to a negative power at position ${pos}`);
    if (integral && isQ(base) && isQ(exponent)) {
      const n = Number(exponent.n);
      if (Math.abs(n) * Math.max(bits(base.n), bits(base.d)) <= L.maxExactBits) {
        const k = BigInt(Math.abs(n));
        return n >= 0 ? Q(base.n ** k, base.d ** k) : Q(base.d ** k, base.n ** k);
      }
    }
    const x = toFloat(base), y = e;
    if (x < 0 && !integral) throw new Refuse(`a negative number to a non-integer power (position ${pos}) is not a real number`);
    const r = Math.pow(x, y);
    if (!Number.isFinite(r)) throw new Refuse(`${NOT_FINITE}: the power at position ${pos} is beyond the float range (about ±1.8e308)`);
    return r;
  }
  function isqrt(n) {
    if (n < 2n) return n;
    let x = 1n << BigInt(Math.ceil(bits(n) / 2));
    for (;;) { const y = (x + n / x) >> 1n; if (y >= x) return x; x = y; }
  }
  function bigLog(n) { // natural log of a positive BigInt
    const b = bits(n);
    if (b < 1000) return Math.log(Number(n));
    const s = b - 60;
    return Math.log(Number(n >> BigInt(s))) + s * Math.LN2;
  }
  function call(name, x, pos) {
    if (name === "sqrt") {
      if (sign(x) < 0) throw new Refuse(`the square root of a negative number (sqrt at position ${pos}) is not a real number`);
      if (isQ(x)) {
        const top = isqrt(x.n), bottom = isqrt(x.d);
        if (top * top === x.n && bottom * bottom === x.d) return Q(top, bottom);
      }
      return Math.sqrt(toFloat(x));
    }
    if (name === "ln" || name === "log" || name === "log10" || name === "log2") {
      if (sign(x) <= 0) throw new Refuse(`the logarithm of zero or a negative number (${name} at position ${pos}) is not defined`);
      const log = name === "log10" ? Math.log10 : name === "log2" ? Math.log2 : Math.log;
      const t = toFloat(x);
      if (!isQ(x) || t >= 2.2250738585072014e-308) return log(t);
      const ln = bigLog(x.n) - bigLog(x.d);
      return name === "log10" ? ln / Math.LN10 : name === "log2" ? ln / Math.LN2 : ln;
    }
    const t = toFloat(x);
    if (name === "exp") {
      const r = Math.exp(t);
      if (!Number.isFinite(r)) throw new Refuse(`${NOT_FINITE}: exp at position ${pos} overflows`);
      return r;
    }
    if (name === "tanh") return Math.tanh(t);
    if (t >= 0) return 1.0 / (1.0 + Math.exp(-t));
    const z = Math.exp(t);
    return z / (1.0 + z);
  }

  function result(v) {
    if (isQ(v)) return { ok: true, value: toFloat(v) + 0, exact: v };
    return { ok: true, value: v + 0, exact: null };
  }
  // A remark after the value is no part of it, as grader/parse/remarks.py reads one: how it was rounded, words in
  // brackets, "approx", a check mark, an ellipsis; three at most, one after the other.
  const ROUNDING = new RegExp("^(?:[ \\t]*(?:(?:rounded|correct)(?:[ \\t]+to)?[ \\t]*|to[ \\t]+)?[0-9]{1,2}[ \\t]*(?:d\\.?[ \\t]*p\\.?" +
    "|s\\.?[ \\t]*f\\.?|dps?|sfs?|sig\\.?[ \\t]*(?:figs?|digits?)\\.?|decimal[ \\t]+places?|significant[ \\t]+(?:figures?|digits?))" +
    "[ \\t]*|[ \\t]*(?:approx\\.?|approximately|rounded|rnd\\.?|to[ \\t]+[0-9]{1,2}[ \\t]*(?:places|digits|figures))[ \\t]*)$", "i");
  const TRAILING = /[ \t]*[(\[]([^()\[\]\n]{1,40})[)\]][ \t]*[.,;]?[ \t]*$/;
  const WORDS = /^[ \t]*(?=[^()\[\]\n]*[A-Za-z]{3})[A-Za-z ,.'-]{1,40}$/;
  const APPROX = /[ \t]+(?:approx\.?|approximately|\(?approx\.?\)?|rounded)[ \t]*$/i;
  const MARKS = /[ \t]*(?:\u2713|\u2714|\u2026|\.\.\.)[ \t]*$/;
  // The value said again in brackets, (= 4.76e-4), (i.e. ...), or a number alone within half a unit of the last digit
  // of the less precise of it and the number before (0.000476 (4.76e-4)): remarks.py's restates, the same floats.
  const SAID_AGAIN = /^[ \t]*(?:=|\u2248|~|i\.[ \t]*e\.|or(?![A-Za-z0-9_])|that[ \t]+is(?![A-Za-z0-9_]))[^\n]*[0-9][^\n]*$/i;
  const LITERAL = "([-\u2212+]?)([0-9]+)(?:\\.([0-9]*))?(?:[ \\t]*(?:[eE][ \\t]*([-\u2212+]?[0-9]{1,3})" +
    "|(?:\u00d7|x|\\*|\u00b7)[ \\t]*10[ \\t]*\\^[ \\t]*\\{?[ \\t]*([-\u2212+]?[0-9]{1,3})[ \\t]*\\}?))?";
  const ALONE = new RegExp("^[ \\t]*" + LITERAL + "[ \\t]*$");
  const LAST = new RegExp("(?<![A-Za-z0-9_.])" + LITERAL + "[ \\t]*$");
  function literal(m) {
    const whole = m[2], frac = m[3] || "";
    const exponent = parseInt((m[4] || m[5] || "0").replace("\u2212", "-").replace(/ /g, ""), 10);
    const value = Number(((m[1] === "-" || m[1] === "\u2212") ? "-" : "") + whole + "." + (frac || "0") + "e" + exponent);
    return [value, Number("1e" + (exponent - frac.length)), (whole + frac).replace(/^0+/, "").length || 1];
  }
  function restates(inner, before) {
    if (SAID_AGAIN.test(inner)) return true;
    const one = ALONE.exec(inner), other = LAST.exec(before);
    if (!one || !other) return false;
    const [a, unitA, digitsA] = literal(one), [b, unitB, digitsB] = literal(other);
    const [unit, digits] = unitA >= unitB ? [unitA, digitsA] : [unitB, digitsB];
    return a !== 0 && digits >= 2 && Math.abs(a - b) <= unit * 0.5 * (1 + 1e-9);
  }
  function withoutRemark(text) {
    for (let i = 0; i < 3; i++) {
      const before = text;
      const m = TRAILING.exec(text);
      if (m && (ROUNDING.test(m[1]) || WORDS.test(m[1]) || restates(m[1], text.slice(0, m.index)))) {
        text = text.slice(0, m.index);
      }
      text = text.replace(APPROX, "").replace(MARKS, "");
      if (text === before) break;
    }
    return text;
  }

  function readText(text) {
    if (text.length <= 40 && PLAIN.test(text)) {
      const m = /^([+-]?)(\d*)\.?(\d*)(?:[eE]([+-]?\d+))?$/.exec(text);
      const frac = m[3], ex = Number(m[4] || "0");
      let v = qmul(Q(BigInt((m[2] + frac) || "0"), 10n ** BigInt(frac.length)), pow10(ex));
      if (m[1] === "-") v = { n: -v.n, d: v.d };
      if (!tooBig(v)) return result(v);
    }
    if (!text) return { ok: false, reason: `empty answer; ${HINT}` };
    const length = Array.from(text).length; // characters, as Python counts them
    if (length > L.maxLength) return { ok: false, reason: `the answer is too long (${length} characters; at most ${L.maxLength} are accepted)` };
    text = PracticeLatex.stripMath(withoutRemark(text)); // "$0.57$", "≈ 0.57"
    let note = "";
    try {
      if (PracticeLatex.looksLikeLatex(text)) { // \frac{1}{1+e^{-0.3}}, rewritten into this grammar (practice_latex.js)
        const latex = PracticeLatex.toAnswer(text);
        if (!latex.ok) throw new Refuse(`${latex.reason} (in the LaTeX answer)`);
        note = ` (the LaTeX was read as ${PracticeLatex.pyRepr(latex.text)})`;
        text = latex.text;
      }
      if (!text) throw new Refuse(`empty answer; ${HINT}`);
      precheck(text);
      const comma = decimalComma(text);
      return result(evaluate(parse(text, comma)));
    } catch (e) {
      if (e instanceof Refuse) return { ok: false, reason: e.reason + note };
      return { ok: false, reason: `internal: ${e && e.name} while reading the answer` };
    }
  }
  // the characters that show as nothing, dropped first as answer.py's _visible drops them (pasted answers carry them)
  const INVISIBLE = /[\u200b\u200c\u200d\u2060\ufeff\u00ad]/g;
  return { read: (raw) => readText(strip(String(raw).replace(INVISIBLE, ""))), toFloat };
})();
