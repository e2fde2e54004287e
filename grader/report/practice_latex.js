// The LaTeX forms of an answer, rewritten into the answer grammar, as grader/parse/answer_latex.py rewrites them
// with the tokenizer of grader/parse/latex.py (and its typeset pre-pass, grader/parse/typeset.py): the same tokens,
// the same rewriting, the same refusals. Checked against the Python reader on the shared cases of
// tests/files/answer_reader_cases.json and on generated texts (tests/test_practice_browser.py). Defines
// PracticeLatex.stripMath(text), PracticeLatex.looksLikeLatex(text) and PracticeLatex.toAnswer(text) ->
// {ok: true, text} or {ok: false, reason}.
"use strict";
const PracticeLatex = (function () {
  const MAX_DEPTH = PRACTICE.reader.maxDepth, MAX_EXPONENT = PRACTICE.reader.maxExponent;
  const MAX_TOKENS = 1000;
  // Python's \s (str.isspace())
  const WS = "\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
  const SPACE = new RegExp(`[${WS}]`);
  const isSpace = (c) => c !== undefined && SPACE.test(c);
  const ASCII_ALPHA = /^[A-Za-z]$/, ALL_DIGITS = /^[0-9]+$/, LETTER = /^\p{L}$/u; // LETTER: Python's str.isalpha()
  class LatexError { constructor(reason) { this.reason = reason; } }

  function pyRepr(s) { // Python's repr of a str
    const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
    let out = quote;
    for (const c of s) {
      const cp = c.codePointAt(0);
      if (c === "\\" || c === quote) out += "\\" + c;
      else if (c === "\n") out += "\\n";
      else if (c === "\r") out += "\\r";
      else if (c === "\t") out += "\\t";
      else if (c !== " " && /^[\p{C}\p{Zl}\p{Zp}\p{Zs}]$/u.test(c)) {
        const h = cp.toString(16);
        out += cp < 0x100 ? "\\x" + h.padStart(2, "0") : cp < 0x10000 ? "\\u" + h.padStart(4, "0") : "\\U" + h.padStart(8, "0");
      } else out += c;
    }
    return out + quote;
  }
  const pyStrip = (s) => { let i = 0, j = s.length; while (i < j && isSpace(s[i])) i++; while (j > i && isSpace(s[j - 1])) j--; return s.slice(i, j); };

  // --- typeset marks (typeset.py): rewritten before the lexer, keeping the length -------------------------------
  const SIGN = "[-+\\u2212]";
  const TEXT_EXPONENT = new RegExp("(?<=\\d)(?<body>[ \\t]*\\\\(?<cmd>text|mathrm|textrm)[ \\t]*\\{[ \\t]*[eE][ \\t]*(?<sign>" + SIGN +
    "?)[ \\t]*(?<digits>\\d{1,6})?[ \\t]*\\})(?:[ \\t]*\\{[ \\t]*(?<bsign>" + SIGN + "?)[ \\t]*(?<bdigits>\\d{1,6})[ \\t]*\\}" +
    "|[ \\t]*(?<after>\\d{1,6})|(?<asign>" + SIGN + ")(?<adigits>\\d{1,6}))?", "g");
  const BAR = new RegExp("(?:\\\\right|\\\\[bB]igg?r?)?[ \\t]*(?:\\||\\\\vert|\\\\rvert|\\\\Vert|\\\\rVert)[ \\t]*_[ \\t]*" +
    "\\{(?=[^{}]*(?:\\{[^{}]*\\}[^{}]*)*=)[^{}]*(?:\\{[^{}]*\\}[^{}]*)*\\}", "g");
  const NULL_DELIMITER = /\\(?:left|right)[ \t]*\./g;
  const COLOUR = /\\color[ \t]*(?:\[[^\]{}]{0,40}\][ \t]*)?\{[^{}\\]{0,60}\}(?![ \t]*\{)/g;
  const blank = (m) => " ".repeat(m.length);
  function exponent(m, ...rest) {
    const g = rest[rest.length - 1], start = rest[rest.length - 3];
    let sign = g.sign, digits = g.digits, end = start + g.body.length;
    if (digits === undefined && g.bdigits !== undefined && !sign) { sign = g.bsign; digits = g.bdigits; end = start + m.length; }
    else if (digits === undefined && g.after !== undefined && sign) { digits = g.after; end = start + m.length; }
    else if (digits === undefined && g.adigits !== undefined && !sign && g.cmd !== "mathrm") {
      sign = g.asign; digits = g.adigits; end = start + m.length;
    }
    if (digits === undefined) return m;
    const used = end - start, literal = "e" + (sign === "-" || sign === "\u2212" ? "-" : "") + digits;
    return literal + " ".repeat(used - literal.length) + m.slice(used);
  }
  function plainMarks(text) {
    if (text.includes("{e") || text.includes("{E") || text.includes("{ e") || text.includes("{ E")) text = text.replace(TEXT_EXPONENT, exponent);
    if (text.includes("_") && (text.includes("|") || text.includes("ert"))) text = text.replace(BAR, blank);
    if (text.includes("\\left") || text.includes("\\right")) text = text.replace(NULL_DELIMITER, blank);
    if (text.includes("\\color")) text = text.replace(COLOUR, blank);
    return text;
  }

  // --- the tokenizer (latex.py's _lex_slow): tokens [kind, text, pos] ------------------------------------------
  const LEX = new RegExp(`(?<space>[${WS}~]+)|(?<num>(?:\\d+(?:\\.\\d+|\\.(?![.\\d]))?|\\.\\d+)(?:[eE][-+\\u2212]?\\d+)?)` +
    "|(?<word>[A-Za-z]+)|(?<cmd>\\\\[A-Za-z]+)|(?<esc>\\\\[\\s\\S])|(?<colon>:=)|(?<ch>[\\s\\S])", "y");
  const SPACING = new Set([",", ";", "!", ":", " ", "quad", "qquad", "displaystyle", "textstyle", "left", "right", "big",
    "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "limits", "nolimits", "middle", "bf", "it", "rm", "sf", "tt", "sl",
    "bfseries", "mdseries", "itshape", "upshape", "normalfont", "scriptstyle", "scriptscriptstyle", "boldmath", "unboldmath"]);
  const TEXT_CMDS = new Set(["text", "mathrm", "textrm", "operatorname", "mathit", "textit", "mbox", "textbf"]);
  const CHAR_TOKENS = {
    "\u2212": ["op", "-"], "\u2013": ["op", "-"], "\u00d7": ["op", "*"], "\u00b7": ["op", "*"], "\u22c5": ["op", "*"],
    "\u2219": ["op", "*"], "\u00f7": ["op", "/"], "\u2248": ["rel", "\u2248"], "\u2190": ["rel", "\u2190"],
    "\u2261": ["rel", "="], "\u2032": ["op", "'"], "\u21d2": ["rel", "\u21d2"], "\u2192": ["rel", "\u21d2"], "\u27f9": ["rel", "\u21d2"],
    "&": ["amp", "&"],
  };
  for (const c of "=<>") CHAR_TOKENS[c] = ["rel", c];
  for (const c of "+-*/^_'") CHAR_TOKENS[c] = ["op", c];
  for (const c of "([{") CHAR_TOKENS[c] = ["open", c];
  for (const c of ")]}") CHAR_TOKENS[c] = ["close", c];
  const GREEK = { "\u03b1": "alpha", "\u03b2": "beta", "\u03b3": "gamma", "\u03b4": "delta", "\u03b5": "epsilon",
    "\u03b7": "eta", "\u03b8": "theta", "\u03bb": "lambda", "\u03bc": "mu", "\u03c3": "sigma", "\u03c4": "tau",
    "\u03c6": "phi", "\u0394": "Delta", "\u2202": "partial", "\u2207": "nabla", "\u03a3": "Sigma", "\u2211": "sum",
    "\u0398": "Theta" };
  for (const [c, name] of Object.entries(GREEK)) CHAR_TOKENS[c] = ["cmd", name];
  const CMD_TOKENS = { div: ["op", "/"], prime: ["op", "'"] };
  for (const n of ["cdot", "times", "ast", "cdotp"]) CMD_TOKENS[n] = ["op", "*"];
  for (const n of ["approx", "simeq", "equiv", "leftarrow", "gets", "coloneqq", "doteq", "cong", "sim"]) {
    CMD_TOKENS[n] = ["rel", n === "leftarrow" || n === "gets" ? "\u2190" : "\u2248"];
  }
  for (const n of ["Rightarrow", "Longrightarrow", "implies", "rightarrow", "longrightarrow"]) CMD_TOKENS[n] = ["rel", "\u21d2"];
  const own = (table, key) => Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;

  // latex.py's caps on a text's length (4,000 characters) and a number's digits cannot be reached by an answer of at
  // most 200 characters: only the exponent's cap and the tokens' are checked here
  function checkNumber(literal, i) { // _number's limit on the exponent
    const m = /[eE](.*)$/.exec(literal);
    if (!m) return;
    const e = m[1].replace("\u2212", "-"), digits = e.replace(/^[+-]+/, "");
    if (digits.length > 6 || Math.abs(Number(e)) > MAX_EXPONENT) {
      throw new LatexError(`the exponent of the number at position ${i + 1} is too large (at most \u00b1${MAX_EXPONENT})`);
    }
  }
  function bracedText(text, i) {
    const n = text.length; let j = i;
    while (j < n && isSpace(text[j])) j++;
    if (j >= n || text[j] !== "{") return [null, i];
    let depth = 0, k = j;
    while (k < n) {
      const c = text[k];
      if (c === "\\") { k += 2; continue; }
      if (c === "{") { depth++; if (depth > MAX_DEPTH) throw new LatexError(`braces nested too deeply at position ${k + 1}`); }
      else if (c === "}") { depth--; if (depth === 0) return [text.slice(j + 1, k), k + 1]; }
      k++;
    }
    throw new LatexError(`the '{' at position ${j + 1} is never closed`);
  }
  const TEXT_NUMBER = /^[ \t]*([-\u2212]?)[ \t]*(\d{1,30}(?:\.\d{1,30})?)[ \t]*$/;
  function textToken(body, i) {
    if (pyStrip(body) === "e") return ["word", "e", i];
    const m = TEXT_NUMBER.exec(body);
    if (m) { checkNumber(m[2], i); return ["num", m[1] ? "-" + m[2] : m[2], i]; }
    const words = body.replace(/\\/g, " ").replace(/~/g, " ").split(new RegExp(`[${WS}]+`)).filter((w) => w);
    return ["text", words.join(" "), i];
  }
  function lex(text) {
    const out = [], n = text.length;
    let i = 0;
    while (i < n) {
      if (out.length > MAX_TOKENS) throw new LatexError(`the expression has too many parts (more than ${MAX_TOKENS})`);
      LEX.lastIndex = i;
      const m = LEX.exec(text), g = m.groups;
      let j = i + m[0].length;
      if (g.ch !== undefined) {
        const known = own(CHAR_TOKENS, g.ch);
        if (known) out.push([known[0], known[1], i]);
        else if (g.ch === "\\") throw new LatexError(`a lone backslash at position ${i + 1}`);
        else out.push(["other", g.ch, i]);
      } else if (g.num !== undefined) {
        checkNumber(g.num, i);
        out.push(["num", g.num, i]);
      } else if (g.word !== undefined) {
        out.push(["word", g.word, i]);
      } else if (g.cmd !== undefined) {
        const name = g.cmd.slice(1), known = own(CMD_TOKENS, name);
        if (known) out.push([known[0], known[1], i]);
        else if (SPACING.has(name)) { /* spacing */ }
        else if (TEXT_CMDS.has(name)) {
          const [body, after] = bracedText(text, j);
          if (body === null) out.push(["cmd", name, i]);
          else { out.push(textToken(body, i)); j = after; }
        } else out.push(["cmd", name, i]);
      } else if (g.esc !== undefined) {
        const nxt = g.esc[1];
        if (nxt === "\\") out.push(["newline", "\\\\", i]);
        else if (SPACING.has(nxt)) { /* spacing */ }
        else if (nxt === "{" || nxt === "}") out.push(nxt === "{" ? ["open", "(", i] : ["close", ")", i]);
        else if ("%$&#_".includes(nxt)) out.push(["other", nxt, i]);
        else out.push(["other", "\\" + nxt, i]);
      } else if (g.colon !== undefined) {
        out.push(["rel", ":=", i]);
      }
      i = j;
    }
    if (out.length > MAX_TOKENS) throw new LatexError(`the expression has too many parts (more than ${MAX_TOKENS})`);
    return out;
  }
  const isDigits = (s) => ALL_DIGITS.test(s);
  function bareDecimalComma(tokens, k, text) {
    const comma = tokens[k + 1];
    if (comma[1] !== "," || comma[0] !== "other") return false;
    const start = tokens[k][2], stop = tokens[k + 2][2] + tokens[k + 2][1].length;
    if ((start > 0 && text[start - 1] === ",") || text.startsWith(",", stop)) return false;
    const before = k > 0 ? tokens[k - 1] : null;
    return !(before !== null && (before[1] === "_" || before[1] === "^") && before[0] === "op");
  }
  function decimalCommas(tokens, text) {
    const out = [], scripts = [], n = tokens.length;
    let k = 0, inside = 0;
    while (k < n) {
      const t = tokens[k];
      if (t[0] === "open") {
        const script = t[1] === "{" && k > 0 && tokens[k - 1][0] === "op" && (tokens[k - 1][1] === "_" || tokens[k - 1][1] === "^");
        scripts.push(script); inside += script ? 1 : 0;
      } else if (t[0] === "close" && scripts.length) {
        inside -= scripts.pop() ? 1 : 0;
      } else if (t[0] === "num" && isDigits(t[1]) && (!inside || text.startsWith("{,}", t[2] + t[1].length))) {
        const end = t[2] + t[1].length, braced = text.startsWith("{,}", end), after = k + (braced ? 4 : 2);
        const b = after < n ? tokens[after] : null;
        if (b !== null && b[0] === "num" && /^[0-9]/.test(b[1]) && !b[1].includes(".") && b[2] === end + (braced ? 3 : 1)
            && (braced || bareDecimalComma(tokens, k, text))) {
          const digits = /^[0-9]*/.exec(b[1])[0].length;
          if (braced || BigInt(t[1]) === 0n || digits !== 3) {
            const literal = `${t[1]}.${b[1]}`;
            checkNumber(literal, t[2]);
            out.push(["num", `${t[1]},${b[1]}`, t[2]]);
            k = after + 1;
            continue;
          }
        }
      }
      out.push(t);
      k++;
    }
    return out;
  }
  const THIN = ["\\,", "\u2009", "\u202f"];
  function digitGroups(tokens, text) {
    const out = [];
    let literal = "";
    for (const t of tokens) {
      if (t[0] === "num" && isDigits(t[1]) && out.length && out[out.length - 1][0] === "num") {
        const prev = out[out.length - 1];
        const end = prev[2] + prev[1].length + (text.startsWith(prev[1], prev[2]) ? 0 : 2);
        if (literal.includes(".") && !/[eE]/.test(literal) && THIN.includes(text.slice(end, t[2]))) {
          literal += t[1];
          out[out.length - 1] = ["num", prev[1] + text.slice(end, t[2]) + t[1], prev[2]];
          continue;
        }
      }
      out.push(t);
      literal = t[0] === "num" ? t[1].replace(/,/g, ".") : "";
    }
    return out;
  }
  function tokenize(text) {
    let out = lex(plainMarks(text));
    if (text.includes(",")) out = decimalCommas(out, text);
    if (text.includes("\\,") || text.includes("\u2009") || text.includes("\u202f")) out = digitGroups(out, text);
    out.push(["end", "", text.length]);
    return out;
  }

  // --- answer_latex.py ----------------------------------------------------------------------------------------
  const APPROX = ["\u2248", "\u2243", "~", "\\approx", "\\simeq", "\\sim"];
  const DELIMITERS = [["$$", "$$"], ["$", "$"], ["\\(", "\\)"], ["\\[", "\\]"]];
  const FRAC = new Set(["frac", "dfrac", "tfrac", "cfrac"]);
  const FUNCTIONS = { exp: "exp", ln: "ln", log: "log", tanh: "tanh", sqrt: "sqrt", sigma: "sigmoid" };
  const FONT = new Set(["mathrm", "text", "textrm", "operatorname", "mathit", "textit", "mbox", "textbf", "mathbf"]);
  class NotAnAnswer { constructor(reason) { this.reason = reason; } }

  function unwrap(text) {
    for (const [a, b] of DELIMITERS) {
      if (text.length >= a.length + b.length && text.startsWith(a) && text.endsWith(b)) return pyStrip(text.slice(a.length, text.length - b.length));
    }
    return text;
  }
  function stripMath(text) {
    for (let k = 0; k < 2; k++) {
      text = unwrap(text);
      for (const a of APPROX) {
        if (text.startsWith(a) && !(a.startsWith("\\") && LETTER.test(text.slice(a.length).slice(0, 1)))) {
          text = pyStrip(text.slice(a.length));
          break;
        }
      }
    }
    return text;
  }
  const looksLikeLatex = (text) => text.includes("\\") || text.includes("{") || text.includes("}");

  function plainNumber(text) {
    if (text.includes("\\") || text.includes("\u2009") || text.includes("\u202f")) {
      text = text.split("\\,").join("").split("\u2009").join("").split("\u202f").join("");
    }
    return text.replace(/,/g, ".");
  }
  function command(tok) {
    const name = tok[1];
    if (FRAC.has(name)) return "";
    if (own(FUNCTIONS, name)) return FUNCTIONS[name];
    if (FONT.has(name)) return "";
    throw new NotAnAnswer(`\\${name} at position ${tok[2] + 1} is not accepted in an answer; write a number or an expression ` +
      "with \\frac, \\cdot, \\times, 10^{...}, e^{...}, \\exp, \\ln, \\sigma, \\sqrt");
  }
  function sourceEnd(text, tok) {
    const i = tok[2];
    if (tok[0] === "text") {
      let depth = 0, j = text.indexOf("{", i);
      if (j < 0) return i + 1;
      while (j < text.length) {
        depth += text[j] === "{" ? 1 : text[j] === "}" ? -1 : 0;
        j++;
        if (depth === 0) return j;
      }
      return j;
    }
    if (i < text.length && text[i] === "\\") {
      let j = i + 1;
      while (j < text.length && ASCII_ALPHA.test(text[j])) j++;
      return Math.max(j, i + 2);
    }
    return i + Math.max(1, tok[1].length);
  }
  function rewrite(text) {
    let tokens;
    try { tokens = tokenize(text); } catch (e) { if (e instanceof LatexError) throw new NotAnAnswer(e.reason); throw e; }
    const out = [], closers = [];
    let expect = null, end = 0;
    for (const tok of tokens) {
      const [kind, t, pos] = tok;
      if (kind === "end") break;
      if (pos > end) out.push(" ");
      end = sourceEnd(text, tok);
      if (expect && !(kind === "open" && t === "{")) {
        throw new NotAnAnswer(`\\frac at position ${pos + 1} needs its two parts in braces, e.g. \\frac{1}{4}`);
      }
      if (kind === "open") {
        if (expect === "num") { out.push("(("); closers.push(")/"); }
        else if (expect === "den") { out.push("("); closers.push("))"); }
        else { out.push("("); closers.push(")"); }
        expect = null;
      } else if (kind === "close") {
        if (!closers.length) throw new NotAnAnswer(`unmatched ${pyRepr(t)} at position ${pos + 1}`);
        const closer = closers.pop();
        out.push(closer);
        if (closer === ")/") expect = "den";
      } else if (kind === "cmd") {
        out.push(command(tok));
        if (FRAC.has(t)) expect = "num";
      } else if (kind === "text") out.push(` ${t} `);
      else if (kind === "rel") out.push("=");
      else if (kind === "num") out.push(plainNumber(t));
      else if (kind === "word" || kind === "op" || kind === "other") out.push(t);
      else throw new NotAnAnswer(`unexpected ${pyRepr(t)} at position ${pos + 1}: write one value`);
    }
    if (expect || closers.length) throw new NotAnAnswer(closers.length ? "a '{' is never closed" : "\\frac needs two parts, e.g. \\frac{1}{4}");
    return pyStrip(out.join(""));
  }
  function toAnswer(text) {
    try { return { ok: true, text: rewrite(text) }; } catch (e) {
      if (e instanceof NotAnAnswer) return { ok: false, reason: e.reason };
      throw e;
    }
  }
  return { stripMath, looksLikeLatex, toAnswer, pyRepr };
})();
