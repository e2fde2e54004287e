"""The layering of ``docs/architecture.md``, read from the code's own imports (issue 17).

Every module under ``grader/`` is parsed with ``ast``; every ``import`` and ``from ... import`` anywhere in it counts
(at the top, inside functions, under ``if TYPE_CHECKING:``). Each module belongs to a layer by its package; the test
fails on a cycle between modules, on an import from a lower layer into a higher one, on a module with no layer, and on
a module over ``MAX_LINES`` lines that is not on ``LONG_MODULES`` with its reason. The checker is tested on small
planted packages too, so it cannot pass by finding nothing.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Lowest first. A module may import its own layer's modules (without a cycle) and any lower layer's.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("base", ("grader", "grader.errors", "grader.numfmt", "grader.fileio", "grader.record", "grader.yamlplain",
              "grader.yamlio")),
    ("parse", ("grader.parse",)),
    ("spec", ("grader.spec",)),
    ("solve", ("grader.solve",)),
    ("submission", ("grader.submission",)),
    ("grade", ("grader.grade",)),
    ("report", ("grader.report",)),
    ("author", ("grader.author",)),
    ("batch", ("grader.batch",)),
    ("cli", ("grader.cli", "grader.__main__")),
)
MAX_LINES = 500
# Modules allowed over MAX_LINES, each with its reason (keep this short).
LONG_MODULES = {
    "grader/yamlio.py": "a parser: the safe YAML reader with line numbers, limits and verbatim number texts, one grammar",
    "grader/parse/answer.py": "a parser: the student answer grammar (numbers, expressions, limits), one grammar",
    "grader/parse/latex.py": "a parser: the LaTeX math reader of write-ups (tokenizer, grammar, evaluation), one grammar",
}


@dataclass
class Report:
    cycles: list[list[str]] = field(default_factory=list)
    upward: list[str] = field(default_factory=list)
    unlayered: list[str] = field(default_factory=list)
    too_long: list[str] = field(default_factory=list)
    stale_allowances: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        out = [f"import cycle: {' -> '.join(c + [c[0]])}" for c in self.cycles]
        out += [f"upward import: {u}" for u in self.upward]
        out += [f"module with no layer (add its package to LAYERS in tests/test_architecture.py): {m}"
                for m in self.unlayered]
        out += [f"module over {MAX_LINES} lines: {t}" for t in self.too_long]
        out += [f"LONG_MODULES lists a module that is not over {MAX_LINES} lines (remove it): {s}"
                for s in self.stale_allowances]
        return out


def module_files(root: Path, package: str = "grader") -> dict[str, tuple[Path, bool]]:
    """Dotted module name -> (file, is a package ``__init__``) for every ``.py`` under ``root/package``."""
    out = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        is_pkg = parts[-1] == "__init__"
        if is_pkg:
            parts.pop()
        out[".".join(parts)] = (path, is_pkg)
    return out


def imports_of(name: str, path: Path, is_pkg: bool, known: set[str], package: str = "grader") -> set[str]:
    """The modules of ``package`` that the module ``name`` imports, anywhere in its file."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_pkg else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            # ``from grader.author import key`` imports the module grader.author.key
            targets = [f"{mod}.{a.name}" if f"{mod}.{a.name}" in known else mod for a in node.names]
        for t in targets:
            if t != package and not t.startswith(package + "."):
                continue
            while t not in known and "." in t:  # ``grader.x.y.Name`` -> the module grader.x.y
                t = t.rsplit(".", 1)[0]
            if t != name:
                found.add(t)
    return found


def layer_of(module: str, layers=LAYERS) -> int | None:
    """The index of the layer ``module`` belongs to: the longest matching prefix wins. The top package (a name with
    no dot) is only itself, so a new top-level module is not silently in the base layer."""
    best, length = None, -1
    for i, (_, prefixes) in enumerate(layers):
        for p in prefixes:
            if (module == p or ("." in p and module.startswith(p + "."))) and len(p) > length:
                best, length = i, len(p)
    return best


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted, the list sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(out)


def check(root: Path, *, package: str = "grader", layers=LAYERS, max_lines: int = MAX_LINES,
          long_modules: dict[str, str] | None = None) -> Report:
    long_modules = LONG_MODULES if long_modules is None else long_modules
    files = module_files(root, package)
    known = set(files)
    graph = {name: imports_of(name, path, is_pkg, known, package) for name, (path, is_pkg) in files.items()}
    report = Report(cycles=cycles(graph))
    names = [n for n, _ in layers]
    for mod in sorted(graph):
        lm = layer_of(mod, layers)
        if lm is None:
            report.unlayered.append(mod)
            continue
        for dep in sorted(graph[mod]):
            ld = layer_of(dep, layers)
            if ld is not None and ld > lm:
                report.upward.append(f"{mod} ({names[lm]}) imports {dep} ({names[ld]})")
    for mod, (path, _) in sorted(files.items()):
        rel = path.relative_to(root).as_posix()
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > max_lines and rel not in long_modules:
            report.too_long.append(f"{rel} ({n} lines)")
        elif n <= max_lines and rel in long_modules:
            report.stale_allowances.append(f"{rel} ({n} lines)")
    return report


# --- the project itself ------------------------------------------------------------------------------------------------


def test_the_grader_keeps_its_layers():
    problems = check(ROOT).problems()
    assert not problems, "the layering of docs/architecture.md is broken:\n" + "\n".join(problems)


def test_every_allowance_for_a_long_module_gives_its_reason():
    assert all(reason.strip() for reason in LONG_MODULES.values())
    assert len(LONG_MODULES) <= 5  # a small explicit list, not a way around the rule


def test_the_layers_are_those_of_the_architecture_page():
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    order = " < ".join(f"`{name}`" for name, _ in LAYERS)
    assert order in page


# --- the checker, on planted violations ---------------------------------------------------------------------------------

TINY_LAYERS = (("base", ("pkg", "pkg.errors")), ("low", ("pkg.low",)), ("high", ("pkg.high",)))


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in {"pkg/__init__.py": "", "pkg/errors.py": "", "pkg/low/__init__.py": "",
                      "pkg/high/__init__.py": "", **files}.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def _check(root: Path, **kw) -> Report:
    return check(root, package="pkg", layers=TINY_LAYERS, long_modules=kw.pop("long_modules", {}), **kw)


def test_a_clean_tiny_package_passes(tmp_path: Path):
    root = _package(tmp_path, {
        "pkg/low/a.py": "from pkg.errors import E\nimport pkg.low.b\n",
        "pkg/low/b.py": "import os\n",
        "pkg/high/c.py": "from pkg.low import a\nfrom . import d\n",
        "pkg/high/d.py": "from ..low.b import thing\n",
    })
    assert _check(root).problems() == []


def test_a_cycle_is_found_and_named(tmp_path: Path):
    root = _package(tmp_path, {
        "pkg/low/a.py": "from pkg.low.b import x\n",
        "pkg/low/b.py": "def f():\n    from pkg.low import a  # lazy: still an import\n",
    })
    report = _check(root)
    assert report.cycles == [["pkg.low.a", "pkg.low.b"]]
    assert any("pkg.low.a -> pkg.low.b" in p for p in report.problems())


def test_an_upward_import_is_found_and_named_even_inside_a_function(tmp_path: Path):
    root = _package(tmp_path, {
        "pkg/high/h.py": "X = 1\n",
        "pkg/low/a.py": "def f():\n    if True:\n        from pkg.high.h import X\n    return X\n",
        "pkg/errors.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.low.a\n",
    })
    report = _check(root)
    assert report.upward == ["pkg.errors (base) imports pkg.low.a (low)", "pkg.low.a (low) imports pkg.high.h (high)"]
    assert "upward import: pkg.low.a (low) imports pkg.high.h (high)" in report.problems()


def test_relative_imports_are_resolved(tmp_path: Path):
    root = _package(tmp_path, {"pkg/high/h.py": "", "pkg/low/a.py": "from ..high import h\n"})
    assert _check(root).upward == ["pkg.low.a (low) imports pkg.high.h (high)"]


def test_a_module_outside_every_layer_is_named(tmp_path: Path):
    root = _package(tmp_path, {"pkg/stray.py": ""})
    assert _check(root).unlayered == ["pkg.stray"]


def test_a_long_module_fails_unless_allowed_and_a_stale_allowance_fails(tmp_path: Path):
    root = _package(tmp_path, {"pkg/low/big.py": "x = 1\n" * 12, "pkg/low/small.py": "x = 1\n"})
    assert _check(root, max_lines=10).too_long == ["pkg/low/big.py (12 lines)"]
    allowed = _check(root, max_lines=10, long_modules={"pkg/low/big.py": "a parser", "pkg/low/small.py": "why"})
    assert allowed.too_long == [] and allowed.stale_allowances == ["pkg/low/small.py (1 lines)"]


@pytest.mark.parametrize("layers, expected", [(LAYERS, 0), (TINY_LAYERS, None)])
def test_the_longest_prefix_decides_the_layer(layers, expected):
    assert layer_of("grader.errors", layers) == expected
    assert layer_of("grader.cli", LAYERS) == len(LAYERS) - 1
    assert layer_of("grader.spec.homework", LAYERS) == 2
    assert layer_of("grader.newthing", LAYERS) is None


def test_a_violation_planted_in_a_copy_of_the_grader_fails(tmp_path: Path):
    import shutil

    shutil.copytree(ROOT / "grader", tmp_path / "grader", ignore=shutil.ignore_patterns("__pycache__"))
    problem = tmp_path / "grader" / "spec" / "problem.py"
    problem.write_text(problem.read_text(encoding="utf-8") + "\n\ndef _planted():\n    from grader.grade import engine\n",
                       encoding="utf-8")
    report = check(tmp_path)
    assert "grader.spec.problem (spec) imports grader.grade.engine (grade)" in report.upward
    assert any("grader.spec.problem" in c for c in report.cycles)  # engine imports spec.problem: a cycle too
