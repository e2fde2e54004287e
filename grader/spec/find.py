"""Finding a problem file: who may name which file (the trust model of ``docs/trust.md``).

The problem a submission is graded against is the instructor's choice, never the student's. So a problem is found
only in places the instructor controls:

* an explicit instructor reference (``--problem PATH|ID``, the argument of ``grade check/solve/key/template``, a
  homework set's ``problem:`` entry): an existing file path, else an id looked up as below;
* an id, looked up as ``<id>.yaml`` in the instructor's ``--problems DIR`` folders (in order), then in
  ``./problems`` of the working folder, then in the bundled ``problems/``.

A submission's ``problem:`` is only a *claim* (``claim=True``): it must be a plain id (letters, digits, ``_ - .``;
no path separator, no ``..``, no leading dot), it is looked up in those folders only, and nothing beside the
submission (its folder, its zip) is ever a problem. Light on purpose: grading against a cached, already solved
problem needs this and nothing of the spec loader (pydantic).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from grader.errors import GraderError, SpecError, SubmissionError

TYPE_CHECKING = False  # typing costs milliseconds at start-up: only a type checker imports it
if TYPE_CHECKING:
    from typing import Iterable

__all__ = ["BUNDLED_PROBLEMS", "ID_PATTERN", "find_problem", "instructor_dirs", "is_problem_id", "search_dirs"]

def _bundled() -> Path:
    """The problems that come with the grader: ``grader/problems/`` in an installed wheel, else the checkout's
    top-level ``problems/`` (a source tree, an editable install)."""
    package = Path(__file__).resolve().parent.parent
    shipped = package / "problems"
    return shipped if shipped.is_dir() else package.parent / "problems"


BUNDLED_PROBLEMS = _bundled()

# A problem id as a submission may write it: what a file name in a problems folder can be, and nothing that walks.
ID_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_SUFFIXES = (".yaml", ".yml")
_SHOWN = 80


def is_problem_id(ref: str) -> bool:
    """A plain problem id (``exercise6``, ``hw3.q2``, ``exercise6.yaml``): no path separator, no ``..``."""
    return bool(ID_PATTERN.fullmatch(ref)) and ".." not in ref


def search_dirs(problems_dirs: Iterable[str | os.PathLike] = ()) -> list[Path]:
    """The instructor-controlled folders an id is looked up in, in order."""
    return [Path(d) for d in problems_dirs] + [Path("problems"), BUNDLED_PROBLEMS]


def instructor_dirs(dirs: Iterable[str | os.PathLike]) -> list[Path]:
    """The instructor's ``--problems DIR`` folders, each checked to be a folder (else a ``GraderError``, exit 2)."""
    out = []
    for d in dirs:
        try:
            ok = Path(d).is_dir()
        except (OSError, ValueError):
            ok = False
        if not ok:
            raise GraderError(f"--problems {os.fsdecode(d)}: not a folder",
                              hint="give a folder of problem files named <id>.yaml")
        out.append(Path(d))
    return out


def _is_file(path: Path) -> bool:
    """``path.is_file()``, False for names the system cannot take (too long, NUL bytes)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _exists_not_dir(path: Path) -> bool:
    try:
        return path.exists() and not path.is_dir()
    except (OSError, ValueError):
        return False


def _resolved(path: Path) -> Path | None:
    try:
        return path.resolve()
    except (OSError, ValueError, RuntimeError):
        return None


def _shown(text: str) -> str:
    text = text.encode("ascii", "backslashreplace").decode("ascii")
    return repr(text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "...")


def _file_name(ref: str) -> str:
    return ref if ref.endswith(_SUFFIXES) else ref + ".yaml"


def find_problem(
    ref: str,
    near: str | os.PathLike | None = None,
    *,
    problems_dirs: Iterable[str | os.PathLike] = (),
    claim: bool = False,
) -> Path:
    """The problem file ``ref`` names.

    ``claim=True``: ``ref`` comes from a submission (its ``problem:``). Only a plain id is accepted (else a
    ``SubmissionError`` saying a submission cannot name a file), looked up in ``problems_dirs``, ``./problems`` and
    the bundled problems; ``near`` is not allowed with it.

    ``claim=False``: ``ref`` comes from the instructor (a command-line argument, a homework set file). An existing
    file path wins; then, for ``near`` (an instructor's file or folder, e.g. the homework set that names the
    problem) ``<near dir>/<ref>.yaml``, ``<near dir>/problems/`` and ``<near dir>/../problems/``; then the folders
    above.
    """
    dirs = search_dirs(problems_dirs)
    if claim:
        if near is not None:
            raise ValueError("a submission's claim is never looked up near the submission")
        if not is_problem_id(ref):
            raise SubmissionError(
                f"`problem` must be a problem id, not {_shown(ref)}: a submission cannot name a file to be graded "
                "against", path="problem",
                hint="write the id your instructor gave (e.g. `problem: exercise6`); the instructor chooses the "
                "problem file (`--problem`, `--problems DIR`)",
            )
        candidates = [d / _file_name(ref) for d in dirs]
    else:
        name = _file_name(ref)
        candidates = [Path(ref)]
        if near is not None:
            base = Path(near)
            base = base.parent if _is_file(base) else base
            candidates += [base / name, base / "problems" / name, base.parent / "problems" / name]
        candidates += [d / name for d in dirs]
    me = _resolved(Path(near)) if near is not None and _is_file(Path(near)) else None
    tried: list[str] = []
    for i, cand in enumerate(candidates):
        if i == 0 and not claim and _exists_not_dir(cand):
            return cand  # the instructor's own path: reading it says what is wrong if it is no regular file
        if _is_file(cand) and (i == 0 or me is None or _resolved(cand) != me):  # never the naming file itself
            return cand
        if str(cand) not in tried:
            tried.append(str(cand))
    hint = "looked in: " + ", ".join(t if len(t) <= 120 else t[:117] + "..." for t in tried)
    if claim:
        raise SubmissionError(f"no problem {_shown(ref)} found", path="problem",
                              hint=hint + "; check the id, or ask your instructor which one to write")
    raise SpecError(f"no problem {_shown(ref)} found", path=None, hint=hint)
