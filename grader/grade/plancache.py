"""A disk cache of solved problems, so that grading one file does not validate and solve its problem every time.

``grade one.yaml`` spends most of a cold start importing pydantic and building the spec models, then solving the
problem at high precision; the answer key of an unchanged problem file is the same every time. The cache keeps
the solved grading plan of a problem file, keyed by

    sha256(problem file bytes) + the grader's version + a fingerprint of the grader's own source files,

so an edited problem or an upgraded (or edited) grader never sees a stale key.

Where: ``$BACKPROP_GRADER_CACHE`` if set (``off`` disables the cache), else ``$XDG_CACHE_HOME/backprop-grader``,
else ``~/.cache/backprop-grader``. Entries are pickles, and unpickling can run code, so an entry is read only when it
and its folder belong to the current user and nobody else may write them; anything unreadable, corrupt or of the
wrong shape is ignored and recomputed. Writing is best effort and atomic; a cache that cannot be written is no
error.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import stat
from pathlib import Path

import grader
from grader.fileio import read_capped

ENV = "BACKPROP_GRADER_CACHE"
FORMAT = 1  # bump when the pickled payload changes shape
MAX_ENTRY_BYTES = 64 * 1024 * 1024  # a solved plan is kilobytes to a few megabytes


def cache_dir() -> Path | None:
    """The cache folder, or None when the cache is off."""
    env = os.environ.get(ENV)
    if env is not None:
        return None if env.strip().lower() in ("", "0", "off", "no", "false") else Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "backprop-grader"


@functools.lru_cache(maxsize=1)
def fingerprint() -> str:
    """The grader's version and the name, size and modification time of each of its source files."""
    h = hashlib.sha256(f"{FORMAT}:{grader.__version__}".encode())
    root = Path(grader.__file__).parent
    for path in sorted(root.rglob("*.py")):
        st = path.stat()
        h.update(f"{path.relative_to(root)}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()


def entry_path(problem_bytes: bytes) -> Path | None:
    folder = cache_dir()
    if folder is None:
        return None
    digest = hashlib.sha256(problem_bytes + b"\0" + fingerprint().encode()).hexdigest()
    return folder / f"plan-{digest}.pickle"


def _safe_to_read(path: Path) -> bool:
    """Owned by us and writable by nobody else: the entry and its folder."""
    if not hasattr(os, "getuid"):
        return True
    try:
        for p in (path.parent, path):
            st = p.lstat()
            if stat.S_ISLNK(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                return False
    except OSError:
        return False
    return True


def load(problem_bytes: bytes) -> tuple | None:
    """The cached payload for this problem file, or None."""
    path = entry_path(problem_bytes)
    if path is None or not _safe_to_read(path):
        return None
    try:
        payload = pickle.loads(read_capped(path, MAX_ENTRY_BYTES, "cache entry", follow_symlinks=False))
    except Exception:  # unreadable, too large, corrupt, truncated or from an incompatible build: recompute
        return None
    if _well_formed(payload):
        return payload
    try:
        path.unlink()  # malformed: dropped, and recomputed by the caller
    except OSError:
        pass
    return None


def _well_formed(payload: object) -> bool:
    """``("plan", key, fields, known, sketch)`` with the types a ``grader.grade.engine.Plan`` needs."""
    from grader.grade.result import NetworkSketch
    from grader.solve.solver import AnswerKey

    if not (isinstance(payload, tuple) and len(payload) == 5 and payload[0] == "plan"):
        return False
    _, key, fields, known, sketch = payload
    return (isinstance(key, AnswerKey) and isinstance(fields, dict) and isinstance(known, frozenset)
            and all(isinstance(k, str) for k in known) and isinstance(sketch, NetworkSketch)
            and all(isinstance(q, str) for q in fields))


def store(problem_bytes: bytes, payload: tuple) -> None:
    """Keep ``payload`` for this problem file; best effort (a read-only or full disk only costs speed)."""
    path = entry_path(problem_bytes)
    if path is None:
        return
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            pickle.dump(("plan",) + payload, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except (OSError, pickle.PicklingError, RecursionError):
        try:
            tmp.unlink()  # type: ignore[possibly-undefined]
        except (OSError, UnboundLocalError):
            pass
