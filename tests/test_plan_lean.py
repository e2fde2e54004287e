"""Issue 16, item 4: a repeat ``grade one.yaml`` grades from plain data and imports neither the solver, mpmath,
pydantic nor the spec models; diagnoses only when a field is wrong; and a cached grading is byte for byte the
uncached one, for every shipped example, in every format.

The float trees of a plan (``grader.grade.floatexpr``) are checked against the solver's own compiler
(``grader.solve.expr.compile_float``) on every formula of every shipped problem; the name resolver read back from
its tables against the one built from the problem.
"""

from __future__ import annotations

import math
import os
import random
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from grader.grade import floatexpr, plancache
from grader.grade.engine import make_plan
from grader.grade.planbuild import identities, to_tree
from grader.solve.expr import compile_float
from grader.solve.malrules import change_expr
from grader.solve.solver import solve
from grader.spec.load import load_problem
from grader.spec.notation import Resolver
from grader.spec.resolverstate import from_state, state

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "submissions_examples"
PROBLEMS = sorted(p for p in (ROOT / "problems").glob("*.yaml") if "questions:" not in p.read_text(encoding="utf-8"))
SEED = EXAMPLES / "exercise6_seed.yaml"
CORRECT = EXAMPLES / "classic_correct.yaml"

# A fresh interpreter grades with the CLI and writes the modules it imported to a file (the report is swallowed).
RUNNER = r"""
import io, sys
out = sys.argv[1]
sys.stdout = io.StringIO()
from grader.cli import main
rc = main(sys.argv[2:])
sys.stdout = sys.__stdout__
with open(out, "w") as f:
    f.write(str(rc) + "\n" + "\n".join(sorted(sys.modules)))
"""

# dataclasses (with inspect, ast, dis, tokenize) is not needed either: the records graded and rendered are
# grader.record's hand-written classes (tests/test_records.py holds them to their dataclass twins)
NEVER = ("pydantic", "pydantic_core", "mpmath", "numpy", "sympy", "pickle", "argparse", "dataclasses", "inspect",
         "grader.solve", "grader.spec.problem", "grader.spec.schema", "grader.spec.build", "grader.spec.load",
         "grader.submission.writeup", "grader.grade.planbuild", "grader.grade.secrecy", "unicodedata")


def _modules_of_a_run(tmp_path: Path, cache: Path, *args: str) -> set[str]:
    env = dict(os.environ, BACKPROP_GRADER_CACHE=str(cache), NO_COLOR="1")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    out = tmp_path / "modules.txt"
    subprocess.run([sys.executable, "-c", RUNNER, str(out), *args], cwd=ROOT, env=env, check=True, timeout=300)
    rc, *mods = out.read_text().splitlines()
    assert rc == "0"
    return set(mods)


def _imported(mods: set[str], name: str) -> bool:
    return any(m == name or m.startswith(name + ".") for m in mods)


@pytest.mark.parametrize("submission", [SEED, CORRECT], ids=["seed", "correct"])
def test_a_repeat_grading_imports_no_solver_mpmath_pydantic_or_spec_model(tmp_path, submission):
    cache = tmp_path / "cache"
    first = _modules_of_a_run(tmp_path, cache, str(submission))
    assert _imported(first, "mpmath") and _imported(first, "grader.solve")  # the first grading solved
    assert list(cache.glob("plan-*.marshal"))
    repeat = _modules_of_a_run(tmp_path, cache, str(submission))
    assert "grader.grade.engine" in repeat and "grader.report.text" in repeat  # it did grade and render
    found = sorted(n for n in NEVER if _imported(repeat, n))
    assert not found, f"imported on the cached path: {found}"
    if submission == CORRECT:  # every field right: no diagnosis looked for
        assert "grader.grade.diagnose" not in repeat
    else:  # the seed has wrong fields: diagnosed from the plan's own data, still without the solver
        assert "grader.grade.diagnose" in repeat


def _examples() -> list[tuple[Path, list[str]]]:
    out = []
    for f in sorted(EXAMPLES.iterdir()):
        if f.suffix in (".md", ".tex", ".ipynb"):
            problem = "classic_222" if f.name.startswith("classic") else "exercise6"
            out.append((f, ["--problem", problem]))
        else:
            out.append((f, []))
    return out


def _cli(args: list[str], capsys) -> tuple[int, str, str]:
    from grader.cli import main

    rc = main(args)
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "html"])
def test_cached_grading_is_byte_identical_to_uncached(tmp_path, monkeypatch, capsys, fmt):
    monkeypatch.setenv("NO_COLOR", "1")
    runs: dict[str, list] = {"off": [], "fill": [], "hit": []}
    import grader.solve.solver as solver

    real, solved = solver.solve, []
    monkeypatch.setattr(solver, "solve", lambda p: solved.append(p.id) or real(p))
    for mode in runs:
        monkeypatch.setenv(plancache.ENV, "off" if mode == "off" else str(tmp_path / "cache"))
        solved.clear()
        for f, extra in _examples():
            for reveal in ("always", "never"):
                runs[mode].append(_cli([str(f), *extra, "--format", fmt, "--reveal", reveal], capsys))
        if mode == "hit":  # the problems were solved once, when the cache was filled (a homework set's keys are not kept)
            assert not {"exercise6", "classic_222"} & set(solved)
        else:
            assert {"exercise6", "classic_222"} <= set(solved)
    assert runs["fill"] == runs["off"]
    assert runs["hit"] == runs["off"]
    assert sum(rc == 0 for rc, _, _ in runs["off"]) >= 30  # most examples are graded, not refused


def test_a_cached_plan_loads_the_solvers_key_only_when_asked(tmp_path, monkeypatch, capsys):
    """A practice page and a written solution need the solver's key: from the key entry, or solved again when it is
    gone; the same page and report either way."""
    monkeypatch.setenv(plancache.ENV, str(tmp_path / "cache"))
    from grader.author.practice import build_page

    page = build_page("exercise6", None)
    writeup = _cli([str(EXAMPLES / "exercise6_seed.md"), "--problem", "exercise6"], capsys)
    assert build_page("exercise6", None) == page
    for entry in (tmp_path / "cache").glob("key-*.pickle"):
        entry.unlink()
    assert _cli([str(EXAMPLES / "exercise6_seed.md"), "--problem", "exercise6"], capsys) == writeup
    assert list((tmp_path / "cache").glob("key-*.pickle"))  # solved again, and kept
    monkeypatch.setenv(plancache.ENV, "off")
    assert build_page("exercise6", None) == page


# --- the float trees against the solver's compiler -----------------------------------------------------------------


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or struct.pack("<d", a) == struct.pack("<d", b)


def _formulas(key):
    """Every formula grading evaluates: the nodes, the changes, the identities, every asked field's mistakes."""
    graph = key.graph
    out = [n.expr for n in graph.nodes.values()]
    out += [change_expr(n) for n in graph.nodes.values() if n.kind == "new"]
    out += [e for ways in identities(graph).values() for _, e in ways]
    plan = make_plan(key)
    out += [r.expr for q in plan.fields for r in plan.malrules(q)]
    return out


EDGE = (0.0, -0.0, 1.0, -1.0, 1e-300, -1e-300, 1e300, -1e300, 710.0, -710.0, math.inf, -math.inf, math.nan)


@pytest.mark.parametrize("path", PROBLEMS, ids=lambda p: p.stem)
def test_float_trees_evaluate_bit_for_bit_as_the_solvers_compiler(path):
    """Compiled (``compile_tree``) and walked once (``evaluate_tree``), against ``compile_float``."""
    key = solve(load_problem(path))
    names = list(key.floats)
    rng = random.Random(path.stem)
    envs = [dict(key.floats)]
    for _ in range(6):
        envs.append({n: v * rng.choice((0.0, 0.5, -1.0, 1.0001, 10.0, 1e-8)) + rng.uniform(-2, 2)
                     for n, v in key.floats.items()})
    for edge in EDGE:
        envs.append({n: (edge if rng.random() < 0.3 else v) for n, v in key.floats.items()})
    checked = 0
    for e in _formulas(key):
        tree = to_tree(e)
        assert floatexpr.well_formed(tree, set(names))
        assert floatexpr.symbols(tree) == e.symbols()
        ours, theirs = floatexpr.compile_tree(tree), compile_float(e)
        for env in envs:
            a, b = ours(env.__getitem__), theirs(env.__getitem__)
            assert _same(a, b), (e, env, a, b)
            assert _same(floatexpr.evaluate_tree(tree, env.__getitem__), b), (e, env)
        checked += 1
    assert checked > len(key.graph.nodes)


def test_float_trees_cover_every_shape_of_the_solvers_trees():
    """Shapes the shipped problems may lack (a root power, max/min and its derivative, each function) against
    compile_float too."""
    from fractions import Fraction

    from grader.solve.expr import Add, Div, Fn, Mul, Neg, Num, Pick, Pow, Sym

    x, y = Sym("x"), Sym("y")
    exprs = [Pow(x, Fraction(3, 4)), Pow(x, Fraction(-1, 2)), Pow(x, 3), Pow(x, Fraction(-2)), Div(x, y),
             Pick("max", x, y), Pick("min", x, y), Pick("max", x, y, Num(Fraction(1)), Neg(y)),
             Add((x, Neg(y), Num(Fraction(1, 3)))), Mul((x, y, Num(Fraction(-7, 2))))]
    exprs += [Fn(f, Add((x, y)), Fraction(1, 2), Fraction(1, 100))
              for f in floatexpr.FLOAT_FUNCS]
    values = (0.0, -0.0, 0.5, -0.5, 3.0, -3.0, 800.0, -800.0, 1e308, math.inf, -math.inf, math.nan)
    for e in exprs:
        tree = to_tree(e)
        assert floatexpr.well_formed(tree, {"x", "y"}) and floatexpr.symbols(tree) == e.symbols()
        ours, theirs = floatexpr.compile_tree(tree), compile_float(e)
        for a in values:
            for b in values:
                env = {"x": a, "y": b}
                want = theirs(env.__getitem__)
                assert _same(ours(env.__getitem__), want), (e, a, b)
                assert _same(floatexpr.evaluate_tree(tree, env.__getitem__), want), (e, a, b)


@pytest.mark.parametrize("tree", [("fn", "nope", "x", 0.0, 0.0), ("fn", "exp", "x", 0, 0.0), ("^", "x", 2.0),
                                  ("^r", "x", 2), ("/", "x"), ("neg",), ("max", "x"), "unknown", 1, True, None,
                                  ["+", "x"], ("?", "x"), ("+", "x", ("*", "x", "unknown"))])
def test_a_malformed_tree_is_refused(tree):
    assert not floatexpr.well_formed(tree, {"x"})


def test_a_tree_deeper_than_the_limit_is_refused():
    tree = "x"
    for _ in range(floatexpr.MAX_DEPTH + 5):
        tree = ("neg", tree)
    assert not floatexpr.well_formed(tree, {"x"})


# --- the resolver's tables ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PROBLEMS, ids=lambda p: p.stem)
def test_a_resolver_read_back_from_its_tables_resolves_like_the_built_one(path):
    import marshal

    problem = load_problem(path)
    built = Resolver.for_problem(problem)
    back = from_state(marshal.loads(marshal.dumps(state(built))))
    assert vars(back) == vars(built)
    spellings = list(built.names) + list(built.aliases) + ["δ_o1", "w5'", "dE/dw5", "W_5^{new}", "delta w5", "lr",
                                                           "nonsense", "h_{1}", "E_total", "grad w1", "o1_x2"]
    for s in spellings:
        assert back.resolve(s) == built.resolve(s), s


@pytest.mark.parametrize("bad", [None, (), ("a",) * 8, (("x",), (), (), (), {}, {}, {}, {}), 5])
def test_a_resolver_state_that_is_not_one_is_refused(bad):
    with pytest.raises(ValueError):
        from_state(bad)


# --- what the grader says outside the grading path -------------------------------------------------------------------


def test_the_pipeline_tells_writeups_by_the_readers_own_suffixes():
    from grader.grade import pipeline
    from grader.submission import extract

    assert pipeline.WRITEUP_SUFFIXES == extract.WRITEUP_SUFFIXES


@pytest.mark.parametrize("columns", [None, "60", "140", "0", "junk"])
def test_the_grade_help_is_argparses_own(monkeypatch, capsys, columns):
    """The help formatter that spares argparse importing shutil lays the help out as argparse's would."""
    import argparse

    from grader import cli

    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert cli.main(["--help"]) == 0
    ours = capsys.readouterr().out
    monkeypatch.setattr(cli, "_help_formatter", lambda: argparse.RawDescriptionHelpFormatter)
    assert cli.main(["--help"]) == 0
    assert capsys.readouterr().out == ours and "usage: grade" in ours


@pytest.mark.parametrize("argv", [["a.yaml"], ["a.yaml", "b.md", "dir/c.yaml"], ["x"], ["", "a b.yaml"],
                                  ["solve.yaml"], ["answers=1.yaml"], ["é.yaml", "@list"]])
def test_a_plain_list_of_files_is_read_as_argparse_reads_it(argv):
    """``grade FILE ...`` skips building argparse's parser; what it reads is argparse's own reading of those files
    (sent to argparse by adding the default ``--format text``)."""
    from grader import cli

    ours = vars(cli.grade_arguments(argv))
    theirs = vars(cli.grade_arguments(argv + ["--format", "text"]))
    assert ours == theirs and ours["files"] == argv
