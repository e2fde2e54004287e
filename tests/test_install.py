"""An honest install (issue 16 item 6): what ``pip install .`` ships, what the package declares, small CLI manners.

The install test builds this checkout into a fresh virtual environment with a plain, non-editable ``pip install``
(the dependencies from the base interpreter's site-packages, pip fetching only the ``[build-system]`` setuptools) and runs
``grade`` from outside the checkout: the bundled problems must come with the wheel. Skipped, saying why, where a
virtual environment cannot be made or the dependencies cannot be installed.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from grader import cli

REPO = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
SEED = REPO / "submissions_examples" / "exercise6_seed.yaml"


def test_every_package_is_listed():
    """pyproject lists the packages (to map problems/ in): a new subpackage left out would not be installed."""
    found = {".".join(p.relative_to(REPO).parts[:-1]) for p in (REPO / "grader").rglob("__init__.py")}
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    assert found <= listed, f"packages missing from pyproject.toml [tool.setuptools] packages: {sorted(found - listed)}"
    assert PYPROJECT["tool"]["setuptools"]["package-dir"]["grader.problems"] == "problems"


def _imported_top_level() -> set[str]:
    names = set()
    for path in (REPO / "grader").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def _declared(reqs: list[str]) -> set[str]:
    return {re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0].lower() for r in reqs}


def test_every_imported_package_is_declared_and_every_declared_one_imported():
    third_party = {n for n in _imported_top_level() - set(sys.stdlib_module_names) if n != "grader"}
    import_name = {"pyyaml": "yaml"}
    declared = {import_name.get(d, d) for d in _declared(PYPROJECT["project"]["dependencies"])}
    assert third_party <= declared, f"imported by grader/ but not declared: {sorted(third_party - declared)}"
    assert declared <= third_party, f"declared but never imported by grader/: {sorted(declared - third_party)}"


def test_version_flag(capsys):
    import grader

    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"grade (backprop-grader) {grader.__version__}"


def test_no_colour_for_a_dumb_terminal(monkeypatch):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert cli._colour()
    monkeypatch.setenv("TERM", "dumb")
    assert not cli._colour()


@pytest.mark.parametrize("argv", [["template", "exercise6"], ["key", "exercise6", "--format", "markdown"],
                                  ["solve", "exercise6"], [str(SEED)]])
def test_every_command_writing_a_file_says_so(argv, tmp_path, capsys):
    out = tmp_path / "out.txt"
    assert cli.main(argv + ["--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert out.is_file() and out.stat().st_size > 0
    assert f"wrote {out} ({out.stat().st_size:,} bytes)" in err


def test_plain_pip_install_ships_the_bundled_problems(tmp_path):
    venv = tmp_path / "venv"
    made = subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                          capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot create a virtual environment: {made.stderr.strip()[-300:]}")
    py = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    # --system-site-packages: the dependencies come from the interpreter this suite runs on when it has them, so the
    # test needs no index; the package itself is built from this checkout, not editable.
    probe = subprocess.run([str(py), "-c", "import yaml, pydantic, mpmath"], capture_output=True, text=True,
                           env=env, cwd=tmp_path)
    if probe.returncode != 0:
        pytest.skip("the base interpreter lacks the dependencies or setuptools, and no index is assumed: "
                    + probe.stderr.strip()[-300:])
    build = subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", str(REPO)], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    if build.returncode != 0 and re.search(r"Could not find|No matching distribution|Network is unreachable"
                                           r"|Failed to establish a new connection", build.stderr):
        pytest.skip(f"cannot build here: {build.stderr.strip()[-400:]}")
    assert build.returncode == 0, build.stderr
    where = subprocess.run([str(py), "-c", "import grader, pathlib; print(pathlib.Path(grader.__file__).parent)"],
                           capture_output=True, text=True, env=env, cwd=tmp_path)
    installed = Path(where.stdout.strip())
    assert REPO not in installed.parents, f"imported the checkout, not the install: {installed}"
    shipped = sorted(p.name for p in (installed / "problems").glob("*.yaml"))
    assert shipped == sorted(p.name for p in (REPO / "problems").glob("*.yaml"))
    grade = venv / "bin" / "grade"
    check = subprocess.run([str(grade), "check", "exercise6"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    assert check.stdout.startswith("exercise6: valid")
    graded = subprocess.run([str(grade), str(SEED), "--format", "json"], capture_output=True, text=True, env=env,
                            cwd=tmp_path)
    assert graded.returncode == 0, graded.stderr
    assert '"problem_id": "exercise6"' in graded.stdout or '"exercise6"' in graded.stdout
