"""``grade gradescope-package PROBLEM --out autograder.zip``: build a Gradescope autograder for one problem.

Gradescope unpacks the zip into ``/autograder/source/`` and runs ``setup.sh`` from there once, then copies
``run_autograder`` to ``/autograder/run_autograder`` and runs it for every submission. So the zip root holds:

* ``setup.sh`` - finds (or installs) Python >= 3.11, makes ``/autograder/venv`` and pip-installs the bundled source
  of this package, ``/autograder/source/backprop-grader``; each step says what it does, network steps are retried
  once, and a failure stops with a message naming the step (``AUTOGRADER``, ``PYTHON`` and ``GRADE_BIN`` point it
  elsewhere for a local check);
* ``run_autograder`` (executable) - ``cd /autograder && grade gradescope``;
* ``problem.yaml`` - the problem (``/autograder/source/problem.yaml``, where ``grade gradescope`` looks);
* ``backprop-grader/`` - ``pyproject.toml``, ``README.md`` and the ``grader`` package.

The zip is deterministic: sorted entries, fixed timestamps (1980-01-01), fixed permissions (0755 for the two
scripts, 0644 otherwise).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import zipfile
from pathlib import Path

from grader.errors import GraderError
from grader.fileio import read_capped, write_atomic
from grader.yamlio import DEFAULT_MAX_BYTES

__all__ = ["main", "build_package", "SETUP_SH", "RUN_AUTOGRADER"]

SETUP_SH = r"""#!/usr/bin/env bash
# Gradescope runs this once, from /autograder/source, when it builds the autograder image.
# Every step says what it does; a step that fails is retried once where a retry can help (the network), and the
# script stops with a message naming the step and what to do, never silently. For a local check:
#   AUTOGRADER=/tmp/ag PYTHON=python3.11 GRADE_BIN=/tmp/ag/bin bash setup.sh
set -u -o pipefail

AG="${AUTOGRADER:-/autograder}"
SRC="$AG/source"
VENV="$AG/venv"
BIN="${GRADE_BIN:-/usr/local/bin}"
export DEBIAN_FRONTEND=noninteractive PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1

say() { printf '[backprop-grader setup] %s
' "$*"; }
fail() { printf '[backprop-grader setup] FAILED: %s
' "$*" >&2; exit 1; }
retry() { "$@" || { say "retrying: $*"; sleep 5; "$@"; }; }
ok_python() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1; }
apt_install() {
  command -v apt-get >/dev/null 2>&1 || return 1
  [ "$(id -u)" = 0 ] || return 1
  retry apt-get update -qq && retry apt-get install -y -qq "$@"
}

cd "$SRC" || fail "no $SRC: unpack the autograder zip there (Gradescope does)"

PY=""
for c in ${PYTHON:-} python3.13 python3.12 python3.11 python3; do
  if command -v "$c" >/dev/null 2>&1 && ok_python "$c"; then PY="$c"; break; fi
done
if [ -z "$PY" ]; then
  say "no Python >= 3.11 found: installing python3.11"
  apt_install python3.11 python3.11-venv || fail "could not install python3.11 (use a Gradescope base image with Python 3.11 or later)"
  PY=python3.11
fi
say "using $PY ($("$PY" --version 2>&1))"

rm -rf "$VENV"
if ! "$PY" -m venv "$VENV" >/dev/null 2>&1; then
  say "$PY cannot make a virtual environment: installing its venv module"
  apt_install "$(basename "$PY")-venv" || apt_install python3-venv || true
  rm -rf "$VENV"
  "$PY" -m venv "$VENV" || fail "$PY -m venv $VENV failed"
fi

"$VENV/bin/python" -m pip install -q --upgrade pip || say "could not upgrade pip (continuing with $("$VENV/bin/python" -m pip --version))"
retry "$VENV/bin/python" -m pip install -q "$SRC/backprop-grader" \
  || fail "pip could not install $SRC/backprop-grader (see pip's message above: network, or a package index)"

mkdir -p "$BIN" 2>/dev/null && ln -sf "$VENV/bin/grade" "$BIN/grade" 2>/dev/null \
  || say "could not link $BIN/grade (run_autograder uses $VENV/bin/grade directly)"
"$VENV/bin/grade" check "$SRC/problem.yaml" || fail "the problem does not check: fix problem.yaml and build the zip again"
say "ready"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission: grade /autograder/submission, write /autograder/results/results.json.
export PATH="/autograder/venv/bin:$PATH"
cd /autograder && grade gradescope
"""

_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_BUNDLE = "backprop-grader"
_MINIMAL_README = "# backprop-grader\n\nAuto-grader for neural-network backpropagation homework.\n"


def _source_root() -> Path:
    """The folder holding this package's ``pyproject.toml`` and ``grader/`` (a source checkout or editable install)."""
    import grader

    root = Path(grader.__file__).resolve().parent.parent
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file() or 'name = "backprop-grader"' not in pyproject.read_text(encoding="utf-8"):
        raise GraderError(
            "cannot find the source of backprop-grader to bundle",
            file=str(root),
            hint="run gradescope-package from a source checkout (pip install -e .), where pyproject.toml sits "
            "next to the grader package",
        )
    return root


def _package_files(root: Path) -> list[tuple[str, bytes]]:
    files: list[tuple[str, bytes]] = []
    pkg = root / "grader"
    for dirpath, dirnames, filenames in os.walk(pkg):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__" and not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith((".pyc", ".pyo")) or name.startswith("."):
                continue
            path = Path(dirpath) / name
            files.append((f"{_BUNDLE}/{path.relative_to(root).as_posix()}", path.read_bytes()))
    # pyproject.toml maps the top-level problems/ folder into the package (grader/problems/): without it the
    # bundle would not build.
    for path in sorted((root / "problems").glob("*.y*ml")):
        files.append((f"{_BUNDLE}/problems/{path.name}", path.read_bytes()))
    files.append((f"{_BUNDLE}/pyproject.toml", (root / "pyproject.toml").read_bytes()))
    readme = root / "README.md"
    files.append((f"{_BUNDLE}/README.md", readme.read_bytes() if readme.is_file() else _MINIMAL_README.encode()))
    return files


def build_package(problem: str) -> bytes:
    """The autograder zip for ``problem`` (an id or a path), as bytes. The problem is validated (and solved) first."""
    from grader.solve.solver import solve
    from grader.spec.load import find_problem, load_problem

    path = find_problem(problem)
    solve(load_problem(path))  # refuse to package a problem that cannot be graded
    entries: list[tuple[str, bytes, int]] = [
        ("setup.sh", SETUP_SH.encode(), 0o755),
        ("run_autograder", RUN_AUTOGRADER.encode(), 0o755),
        ("problem.yaml", read_capped(path, DEFAULT_MAX_BYTES, "file"), 0o644),
    ]
    entries += [(name, data, 0o644) for name, data in _package_files(_source_root())]
    entries.sort(key=lambda e: e[0])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.create_system = 3  # Unix, so that the permissions below are honoured
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data, compresslevel=9)
    return buf.getvalue()


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(
        prog="grade gradescope-package",
        description="Build a Gradescope autograder zip (setup.sh, run_autograder, the problem, this package).",
    )
    ap.add_argument("problem", metavar="PROBLEM", help="the problem (id or path to its YAML)")
    ap.add_argument("--out", default="autograder.zip", help="the zip to write (default autograder.zip)")
    args = ap.parse_args(argv)
    data = build_package(args.problem)
    write_atomic(Path(args.out), data)
    print(f"wrote {args.out} ({len(data):,} bytes): upload it as the assignment's autograder", file=sys.stderr)
    return 0
