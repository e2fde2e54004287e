"""Finding a problem file by id or path. Light on purpose: grading a submission against a cached, already solved
problem needs this and nothing of the spec loader (pydantic)."""

from __future__ import annotations

from pathlib import Path

from grader.errors import SpecError

BUNDLED_PROBLEMS = Path(__file__).resolve().parent.parent.parent / "problems"


def _candidates(ref: str, near: str | None) -> list[Path]:
    name = ref if ref.endswith((".yaml", ".yml")) else ref + ".yaml"
    out: list[Path] = []
    if near is not None:
        base = Path(near)
        base = base.parent if _is_file(base) else base
        out += [base / name, base / "problems" / name, base.parent / "problems" / name]
    out += [Path("problems") / name, BUNDLED_PROBLEMS / name]
    return out


def _is_file(path: Path) -> bool:
    """``path.is_file()``, False for names the system cannot take (too long, NUL bytes)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _resolved(path: Path) -> Path | None:
    try:
        return path.resolve()
    except (OSError, ValueError, RuntimeError):
        return None


def find_problem(ref: str, near: str | None = None) -> Path:
    """Resolve a problem id or path.

    In order: ``ref`` itself when it is an existing file; then ``<near dir>/<ref>.yaml``,
    ``<near dir>/problems/<ref>.yaml``, ``<near dir>/../problems/<ref>.yaml`` (``near`` is a file or a directory,
    e.g. the submission that names the problem), ``./problems/<ref>.yaml`` and the bundled ``problems/<ref>.yaml``.
    When ``near`` is a file (the submission), that file itself is never the answer: a submission may carry its
    problem's name.
    """
    me = _resolved(Path(near)) if near and _is_file(Path(near)) else None
    tried: list[str] = []
    for cand in [Path(ref)] + _candidates(ref, near):
        if _is_file(cand) and _resolved(cand) != me:
            return cand
        if str(cand) not in tried:
            tried.append(str(cand))
    shown = ref if len(ref) <= 80 else ref[:77] + "..."
    if len(tried) > 1 or len(ref) <= 80:
        hint = "looked in: " + ", ".join(t if len(t) <= 120 else t[:117] + "..." for t in tried)
    else:
        hint = None
    raise SpecError(f"no problem {shown!r} found", path=None, hint=hint)
