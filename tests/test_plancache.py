"""The disk cache of solved problems: same grades from a hit as from a miss, and nothing stale or unsafe is read."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from grader.grade import plancache
from grader.grade.pipeline import Grader

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(plancache.ENV, str(folder))
    return folder


@pytest.fixture
def problem(tmp_path):
    p = tmp_path / "exercise6.yaml"
    shutil.copy(ROOT / "problems" / "exercise6.yaml", p)
    return p


def grade_json(problem: Path) -> str:
    r = Grader(problem=str(problem)).grade_file(ROOT / "submissions_examples" / "exercise6_seed.yaml")
    return json.dumps(r.to_dict(), sort_keys=True)


def test_a_hit_grades_exactly_like_a_miss(cache, problem, monkeypatch):
    first = grade_json(problem)
    entries = list(cache.glob("plan-*.pickle"))
    assert len(entries) == 1
    # a hit must not solve: make solving impossible and grade again
    import grader.solve.solver as solver

    monkeypatch.setattr(solver, "solve", lambda *a, **k: pytest.fail("solved despite a cached plan"))
    assert grade_json(problem) == first


def test_an_edited_problem_is_solved_again(cache, problem):
    before = grade_json(problem)
    problem.write_text(problem.read_text(encoding="utf-8").replace("learning_rate: 0.3", "learning_rate: 0.5"), encoding="utf-8")
    after = grade_json(problem)
    assert len(list(cache.glob("plan-*.pickle"))) == 2 and before != after


def test_corrupt_entries_are_ignored(cache, problem):
    first = grade_json(problem)
    (entry,) = cache.glob("plan-*.pickle")
    entry.write_bytes(b"not a pickle")
    assert grade_json(problem) == first


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_an_entry_others_may_write_is_not_read(cache, problem, monkeypatch):
    grade_json(problem)
    (entry,) = cache.glob("plan-*.pickle")
    os.chmod(entry, 0o666)
    assert plancache.load(problem.read_bytes()) is None
    os.chmod(entry, 0o600)
    os.chmod(cache, 0o777)
    assert plancache.load(problem.read_bytes()) is None
    os.chmod(cache, 0o700)
    assert plancache.load(problem.read_bytes()) is not None


def test_off_means_off(tmp_path, problem, monkeypatch):
    monkeypatch.setenv(plancache.ENV, "off")
    grade_json(problem)
    assert plancache.cache_dir() is None and not any(tmp_path.rglob("plan-*.pickle"))


def test_an_unwritable_cache_is_no_error(tmp_path, problem, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv(plancache.ENV, str(blocker / "cache"))  # a folder under a file cannot be made
    assert json.loads(grade_json(problem))["max_score"] == 24


@pytest.mark.parametrize("payload", [("plan",), ("plan", 1, 2, 3, 4), ("plan", None, {}, frozenset(), None, 5), "plan",
                                     ("other", 1, 2, 3, 4)])
def test_a_malformed_entry_is_dropped_and_recomputed(cache, problem, payload, capsys):
    """Issue 10: a well-pickled entry of the wrong shape was an internal error (exit 1); now it is recomputed."""
    import pickle

    from grader.cli import main

    first = grade_json(problem)
    (entry,) = cache.glob("plan-*.pickle")
    entry.write_bytes(pickle.dumps(payload))
    os.chmod(entry, 0o600)
    sub = ROOT / "submissions_examples" / "exercise6_seed.yaml"
    assert main([str(sub), "--problem", str(problem), "--format", "json"]) == 0
    assert "internal" not in capsys.readouterr().err
    assert grade_json(problem) == first
    (again,) = cache.glob("plan-*.pickle")
    assert plancache.load(problem.read_bytes()) is not None  # the recomputed plan replaced the malformed entry


def test_a_fifo_in_the_cache_is_not_waited_for(cache, problem):
    first = grade_json(problem)
    (entry,) = cache.glob("plan-*.pickle")
    entry.unlink()
    os.mkfifo(entry, 0o600)
    assert grade_json(problem) == first
