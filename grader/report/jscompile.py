"""The grading plan of a problem as JavaScript, for the practice page (``grader.report.practice``).

Nothing here is a second grading engine: every formula the page evaluates is one of the grader's own expression
trees (``grader.solve.expr``), compiled to a JavaScript function with the same float semantics as
``compile_float`` (sums with ``math.fsum``, ``nan`` for a division by zero or an overflowing power, the same
overflow-free sigmoid, the same step functions), and every constant the page compares with comes from the
``Plan`` the grader grades with: the key's values, the known mistakes of ``grader.solve.malrules`` (with their
values on the key), the tolerance of each quantity and the carried credit. The hand-written runtime
(``practice.js``) only mirrors the per-field decision of ``grader.grade.engine._grade_field`` on these data.

``program(plan)`` returns one JavaScript statement, ``const PRACTICE = {...};``, safe to put inside ``<script>``.
"""

from __future__ import annotations

import json
from fractions import Fraction

from grader.grade.engine import Plan
from grader.parse import answer
from grader.solve.expr import Add, Div, Expr, Fn, Mul, Neg, Num, Pick, Pow, Sym
from grader.solve.malrules import change_expr
from grader.spec.problem import Tolerance

_FN = {"sigmoid", "tanh", "exp", "log", "relu", "relu_d", "leaky", "leaky_d", "abs", "sign"}


def _number(x: float) -> str:
    """A float as a JavaScript literal that reads back as the same double (``repr`` is the shortest such)."""
    if x != x:
        return "NaN"
    if x in (float("inf"), float("-inf")):
        return "Infinity" if x > 0 else "(-Infinity)"
    s = repr(float(x))
    return f"({s})" if s.startswith("-") else s


def js_expr(e: Expr) -> str:
    """``e`` as a JavaScript expression over ``g(name)`` (the value lookup) and the runtime ``R``."""
    if isinstance(e, Sym):
        return f"g({json.dumps(e.name)})"
    if isinstance(e, Num):
        return _number(float(e.value))
    if isinstance(e, Add):
        return "R.fsum([" + ", ".join(js_expr(t) for t in e.terms) + "])"
    if isinstance(e, Mul):  # acc = 1.0; acc *= each factor: 1.0 * a is a, so a left-to-right product
        return "(" + " * ".join(js_expr(f) for f in e.factors) + ")"
    if isinstance(e, Neg):
        return f"(-{js_expr(e.arg)})"
    if isinstance(e, Div):
        return f"R.div({js_expr(e.num)}, {js_expr(e.den)})"
    if isinstance(e, Pow):
        k = Fraction(e.exp)
        if k.denominator != 1:  # a formula activation's x^(3/4): real only for x >= 0, as compile_float
            return f"R.rpow({js_expr(e.base)}, {_number(float(k))})"
        return f"R.pow({js_expr(e.base)}, {int(k)})"
    if isinstance(e, Pick):  # max/min of a formula, or its derivative (NaN at a tie, as compile_float)
        args = f"{json.dumps(e.name)}, {js_expr(e.a)}, {js_expr(e.b)}"
        if e.da is None:
            return f"R.pick({args})"
        return f"R.pickd({args}, {js_expr(e.da)}, {js_expr(e.db)})"
    if isinstance(e, Fn):
        if e.name not in _FN:
            raise ValueError(f"no JavaScript for the function {e.name}")
        return f"R.fn.{e.name}({js_expr(e.arg)}, {_number(float(e.p0))}, {_number(float(e.p1))})"
    raise TypeError(f"not an expression: {e!r}")


class _Formulas:
    """Distinct formula trees, each compiled once, referred to by index, with the names each reads."""

    def __init__(self) -> None:
        self.index: dict[Expr, int] = {}
        self.code: list[str] = []
        self.deps: list[list[str]] = []

    def add(self, e: Expr) -> int:
        i = self.index.get(e)
        if i is None:
            i = self.index[e] = len(self.code)
            self.code.append(f"function (g) {{ return {js_expr(e)}; }}")
            self.deps.append(e.symbols())
        return i


def _tol(t: Tolerance) -> dict:
    return {"mode": t.mode, "rtol": t.rtol, "atol": t.atol, "digits": t.digits, "places": getattr(t, "places", None)}


def _exact(v) -> list[str] | None:
    return [str(v.numerator), str(v.denominator)] if isinstance(v, Fraction) else None


def plan_data(plan: Plan) -> tuple[dict, list[str]]:
    """The page's data (JSON-able, floats may be non-finite) and the compiled formulas it refers to by index."""
    key, graph = plan.key, plan.key.graph
    forms = _Formulas()
    nodes = {name: {"f": forms.add(n.expr), "deps": n.expr.symbols()} for name, n in graph.nodes.items()}
    fields = []
    for q, kf in plan.fields.items():
        node = key.node(q)
        rules = plan.malrules(q)
        fields.append({
            "q": q,
            "description": node.description,
            "points": kf.ask.points,
            "tol": _tol(kf.ask.tolerance),
            "onChange": kf.on_change,
            "base": node.base,
            "baseExact": _exact(key.values[node.base]) if kf.on_change else None,
            "expected": kf.expected,
            "keyChange": kf.key_change,
            "expr": forms.add(kf.expr),
            "exprDeps": kf.expr.symbols(),
            "nodeDeps": node.expr.symbols(),
            "rules": [
                {"id": r.id, "text": r.text, "f": forms.add(r.expr), "key": v}
                for r, v in zip(rules, plan.malrule_key_values(q))
            ],
        })
    problem = plan.problem
    default = _tol(problem.default_tolerance)
    # Each quantity's own rule, wherever its value is judged (an asked quantity's, or one it equals), and whether
    # an updated parameter is judged on its change (``Plan.judge``).
    names_all = list(graph.nodes) + list(graph.given)
    tols = {n: t for n in names_all if (t := _tol(plan.tolerance(n))) != default}
    judged = {}
    judges = hasattr(plan, "judge")  # values within their rule stand for the key downstream (``Context.accepted``)
    if judges:
        for n, node in graph.nodes.items():
            if plan.on_change(n):
                judged[n] = {"base": node.base, "baseExact": _exact(key.values[node.base]),
                             "change": plan.changes[n], "f": forms.add(change_expr(node))}
    compiled = plan.compiled
    identities = {d: [[g, forms.add(e)] for g, e in ways] for d, ways in getattr(compiled, "identities", {}).items()}
    data = {
        "problem": problem.id,
        "variant": problem.variant,
        "carriedCredit": problem.carried_credit,
        "defaultTol": _tol(problem.default_tolerance),
        "key": dict(key.floats),
        "nodes": nodes,
        "tols": tols,
        "judges": judges,
        "judged": judged,
        "identities": identities,
        "ranks": dict(getattr(compiled, "ranks", {})),
        "ownValues": ("Correct for your own values (which are accepted)." if judges
                      else "Correct for your own values (which are within tolerance of the key)."),
        "fields": fields,
        "reader": {
            "maxLength": answer.MAX_LENGTH, "maxExponent": answer.MAX_EXPONENT, "maxNodes": answer.MAX_NODES,
            "maxDepth": answer.MAX_DEPTH, "maxExactBits": answer._MAX_EXACT_BITS,
        },
    }
    data["formulaDeps"] = forms.deps
    return data, forms.code


def program(plan: Plan, problem_ref: str | None = None) -> str:
    """``const PRACTICE = {...};``: the plan's data with ``formulas``, an array of ``function (g)``;
    ``problem_ref`` is what an exported submission's ``problem:`` says (default: the problem's id)."""
    data, code = plan_data(plan)
    if problem_ref:
        data["problem"] = problem_ref
    text = json.dumps(data, ensure_ascii=False, allow_nan=True, separators=(",", ":"))
    js = "const PRACTICE = " + text[:-1] + ',"formulas":[\n' + ",\n".join(code) + "\n]};\n"
    return script_safe(js)


def script_safe(js: str) -> str:
    """JavaScript that cannot end its ``<script>`` element early (``</`` only ever occurs inside strings here)."""
    return js.replace("</", "<\\/").replace("<!--", "<\\!--")
