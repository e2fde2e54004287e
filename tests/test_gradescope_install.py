"""The Gradescope bundle installs with the oldest Python the package claims (issue 14 item 8).

`grade gradescope-package` zips setup.sh, run_autograder, the problem and this package's source. Here the zip is
unpacked as Gradescope does (into ``<root>/source``), its own ``setup.sh`` runs with ``PYTHON`` set to an interpreter
of the oldest version ``requires-python`` allows (a fresh virtual environment, pip building the package with the
``[build-system]`` setuptools, which must accept the PEP 639 ``license = "MIT"``), and ``grade gradescope`` from that
environment grades the seed. Skipped, saying why, where that interpreter or its ``venv`` is missing or no package
index is reachable.
"""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from grader.batch.gradescope_package import build_package

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "submissions_examples" / "exercise6_seed.yaml"


def oldest_claimed() -> tuple[int, int]:
    spec = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["requires-python"]
    m = re.fullmatch(r"\s*>=\s*(\d+)\.(\d+)\s*", spec)
    assert m, f"requires-python {spec!r}: this test reads a plain '>=X.Y'"
    return int(m[1]), int(m[2])


def interpreter(version: tuple[int, int]) -> str | None:
    name = f"python{version[0]}.{version[1]}"
    candidates = [shutil.which(name), f"/usr/bin/{name}"]
    candidates += sorted(glob.glob(os.path.expanduser(f"~/.pyenv/versions/{version[0]}.{version[1]}.*/bin/{name}")))
    for c in candidates:
        if not c or not os.access(c, os.X_OK):
            continue
        out = subprocess.run([c, "-c", "import sys; print(*sys.version_info[:2])"], capture_output=True, text=True)
        if out.returncode == 0 and tuple(map(int, out.stdout.split())) == version:
            return c
    return None


def test_bundle_installs_with_the_oldest_claimed_python(tmp_path):
    version = oldest_claimed()
    py = interpreter(version)
    if py is None:
        pytest.skip(f"no Python {version[0]}.{version[1]} on this machine (requires-python's oldest)")
    probe = subprocess.run([py, "-m", "venv", str(tmp_path / "probe")], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"{py} cannot create a virtual environment: {probe.stderr.strip()[-300:]}")
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    (tmp_path / "bundle.zip").write_bytes(build_package("exercise6"))
    with zipfile.ZipFile(tmp_path / "bundle.zip") as zf:
        zf.extractall(root / "source")
    env = dict(os.environ, AUTOGRADER=str(root), PYTHON=py, GRADE_BIN=str(tmp_path / "bin"))
    env.pop("VIRTUAL_ENV", None)
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p)
    setup = subprocess.run(["bash", str(root / "source" / "setup.sh")], env=env, capture_output=True, text=True,
                           timeout=900)
    log = setup.stdout + setup.stderr
    if setup.returncode != 0 and re.search(r"No matching distribution|Could not find a version|Network is unreachable"
                                           r"|Failed to establish a new connection", log):
        pytest.skip(f"no package index reachable for the bundle's dependencies:\n{log[-600:]}")
    assert setup.returncode == 0, log
    assert f"using {py}" in log and "ready" in log
    assert "SetuptoolsDeprecationWarning" not in log
    venv_python = root / "venv" / "bin" / "python"
    meta = subprocess.run([str(venv_python), "-c", "import importlib.metadata as m, sys; d = m.metadata("
                           "'backprop-grader'); print(sys.version_info[:2], d['License-Expression'])"],
                          capture_output=True, text=True, cwd=tmp_path)  # not the checkout: its egg-info
    assert meta.stdout.split(")")[-1].strip() == "MIT" and f"({version[0]}, {version[1]})" in meta.stdout, meta
    assert (tmp_path / "bin" / "grade").resolve() == (root / "venv" / "bin" / "grade").resolve()
    # run_autograder's one command, from the installed environment
    (root / "submission").mkdir()
    shutil.copy(SEED, root / "submission" / "hw.yaml")
    run = subprocess.run([str(root / "venv" / "bin" / "grade"), "gradescope", "--root", str(root)],
                         capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))["score"] == 4.0


def test_setup_stops_with_a_message_naming_the_step(tmp_path):
    """A step that fails stops setup.sh with a message that says which and what to do (no silent `set -e` exit)."""
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    with zipfile.ZipFile(__import__("io").BytesIO(build_package("exercise6"))) as zf:
        zf.extractall(root / "source")
    (root / "source" / "problem.yaml").write_text("id: broken\n", encoding="utf-8")
    shutil.rmtree(root / "source" / "backprop-grader")  # pip has nothing to install
    env = dict(os.environ, AUTOGRADER=str(root), PYTHON=sys.executable, GRADE_BIN=str(tmp_path / "bin"))
    done = subprocess.run(["bash", str(root / "source" / "setup.sh")], env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 1
    assert "FAILED: pip could not install" in done.stderr and "retrying" in done.stdout
