"""A disk cache of solved problems, so that grading one file does not validate and solve its problem every time.

``grade one.yaml`` would spend most of a cold start importing pydantic and the solver (mpmath) and solving the
problem at high precision; the plan of an unchanged problem file is the same every time. The cache keeps, per
problem file, keyed by

    sha256(problem file bytes) + the grader's version + the interpreter's version + a fingerprint of the grader's own
    source files,

so an edited problem or an upgraded (or edited) grader never sees a stale entry:

* ``plan-<key>.marshal``: the grading plan as builtins (``grader.grade.plandata.encode``: floats, strings, formula
  trees, exact values as integer pairs), written with ``marshal`` behind a checksum. Reading it back imports
  nothing of the solver, pydantic or the spec models; every entry is checked (the checksum, then every shape and
  name by ``plandata.decode``), and anything else is dropped and recomputed, never used.
* ``key-<key>.pickle``: the solver's ``AnswerKey``, read only when something needs the solver's own objects (a
  practice page, a written solution, a randomized problem's variants). Unpickling can run code, so it is read only
  when it and its folder belong to the current user and nobody else may write them (the plan entry too).

Where: ``$BACKPROP_GRADER_CACHE`` if set (``off`` disables the cache), else ``$XDG_CACHE_HOME/backprop-grader``,
else ``~/.cache/backprop-grader``. Writing is best effort and atomic; a cache that cannot be written is no error.
"""

from __future__ import annotations

import functools
import marshal
import os
import stat
import sys
from pathlib import Path

import grader
from grader.fileio import read_capped
from grader.grade.plandata import FORMAT, decode, encode

ENV = "BACKPROP_GRADER_CACHE"
MAX_ENTRY_BYTES = 64 * 1024 * 1024  # a solved plan is kilobytes to a few megabytes
MAGIC = b"backprop-grader plan\n"
_DIGEST = 32  # bytes of a sha256


@functools.lru_cache(maxsize=1)
def _sha256_type():
    # hashlib's OpenSSL binding costs a few ms to import; CPython's builtin module gives the same sha256.
    for module in ("_sha256", "_sha2"):  # CPython <= 3.11, >= 3.12
        try:
            return __import__(module).sha256
        except (ImportError, AttributeError):
            pass
    from hashlib import sha256

    return sha256


def _sha256(data: bytes = b""):
    return _sha256_type()(data)


def cache_dir() -> Path | None:
    """The cache folder, or None when the cache is off."""
    env = os.environ.get(ENV)
    if env is not None:
        return None if env.strip().lower() in ("", "0", "off", "no", "false") else Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "backprop-grader"


@functools.lru_cache(maxsize=1)
def fingerprint() -> str:
    """The cache format, the grader's version, the interpreter's version (marshal's format is the interpreter's) and
    the name, size and modification time of each of the grader's source files."""
    h = _sha256(f"{FORMAT}:{grader.__version__}:{sys.version_info[:3]}:{marshal.version}".encode())
    root = os.path.dirname(grader.__file__)
    cut = len(root) + 1
    found = []
    stack = [root]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as it:
            for e in it:
                if e.is_dir(follow_symlinks=False):
                    if e.name != "__pycache__":
                        stack.append(e.path)
                elif e.name.endswith(".py"):
                    st = e.stat()
                    found.append(f"{e.path[cut:]}:{st.st_size}:{st.st_mtime_ns}")
    for line in sorted(found):
        h.update(line.encode())
    return h.hexdigest()


def _entry(problem_bytes: bytes, kind: str, suffix: str) -> Path | None:
    folder = cache_dir()
    if folder is None:
        return None
    digest = _sha256(problem_bytes + b"\0" + fingerprint().encode()).hexdigest()
    return folder / f"{kind}-{digest}.{suffix}"


def entry_path(problem_bytes: bytes) -> Path | None:
    """Where the plan of this problem file is kept (None when the cache is off)."""
    return _entry(problem_bytes, "plan", "marshal")


def key_path(problem_bytes: bytes) -> Path | None:
    """Where the solver's key of this problem file is kept (None when the cache is off)."""
    return _entry(problem_bytes, "key", "pickle")


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


def load(problem_bytes: bytes) -> dict | None:
    """The cached plan of this problem file, as the keyword arguments of ``grader.grade.engine.Plan`` (without a
    key), or None: not cached, not safe to read, or malformed (then the entry is dropped)."""
    path = entry_path(problem_bytes)
    if path is None or not _safe_to_read(path):
        return None
    try:
        raw = read_capped(path, MAX_ENTRY_BYTES, "cache entry", follow_symlinks=False)
    except Exception:  # unreadable, too large, not a regular file
        return None
    try:
        head, body = raw[:len(MAGIC) + _DIGEST], raw[len(MAGIC) + _DIGEST:]
        if head != MAGIC + _sha256(body).digest():
            raise ValueError("a damaged cache entry")
        return decode(marshal.loads(body))
    except Exception:  # truncated, corrupt, from an incompatible build or of the wrong shape: recompute
        _drop(path)
        return None


def store(problem_bytes: bytes, plan) -> None:
    """Keep ``plan`` (a ``grader.grade.engine.Plan`` made by ``make_plan``) and its key for this problem file;
    best effort (a read-only or full disk only costs speed)."""
    path = entry_path(problem_bytes)
    if path is None:
        return
    try:
        body = marshal.dumps(encode(plan))
    except (ValueError, RecursionError):  # a plan with something marshal cannot write: not cached
        return
    _write(path, MAGIC + _sha256(body).digest() + body)
    store_key(problem_bytes, plan.key)


def load_key(problem_bytes: bytes):
    """The cached ``AnswerKey`` of this problem file, or None."""
    import pickle

    from grader.solve.solver import AnswerKey

    path = key_path(problem_bytes)
    if path is None or not _safe_to_read(path):
        return None
    try:
        key = pickle.loads(read_capped(path, MAX_ENTRY_BYTES, "cache entry", follow_symlinks=False))
    except Exception:  # unreadable, too large, corrupt, truncated or from an incompatible build: recompute
        key = None
    if isinstance(key, AnswerKey):
        return key
    _drop(path)
    return None


def store_key(problem_bytes: bytes, key) -> None:
    import pickle

    path = key_path(problem_bytes)
    if path is None:
        return
    try:
        data = pickle.dumps(key, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, RecursionError, TypeError, AttributeError):
        return
    _write(path, data)


def discard(problem_bytes: bytes) -> None:
    """Drop this problem file's plan entry (found malformed in use): the next grading recomputes it."""
    path = entry_path(problem_bytes)
    if path is not None:
        _drop(path)


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with open(tmp, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except OSError:
        try:
            tmp.unlink()
        except OSError:
            pass


def _drop(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass
