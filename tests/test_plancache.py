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
    entries = list(cache.glob("plan-*.marshal"))
    assert len(entries) == 1
    # a hit must not solve: make solving impossible and grade again
    import grader.solve.solver as solver

    monkeypatch.setattr(solver, "solve", lambda *a, **k: pytest.fail("solved despite a cached plan"))
    assert grade_json(problem) == first


def test_an_edited_problem_is_solved_again(cache, problem):
    before = grade_json(problem)
    problem.write_text(problem.read_text(encoding="utf-8").replace("learning_rate: 0.3", "learning_rate: 0.5"), encoding="utf-8")
    after = grade_json(problem)
    assert len(list(cache.glob("plan-*.marshal"))) == 2 and before != after


def test_corrupt_entries_are_ignored(cache, problem):
    first = grade_json(problem)
    (entry,) = cache.glob("plan-*.marshal")
    entry.write_bytes(b"not a pickle")
    assert grade_json(problem) == first


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_an_entry_others_may_write_is_not_read(cache, problem, monkeypatch):
    grade_json(problem)
    (entry,) = cache.glob("plan-*.marshal")
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
    assert plancache.cache_dir() is None and not any(tmp_path.rglob("plan-*")) and not any(tmp_path.rglob("key-*"))


def test_an_unwritable_cache_is_no_error(tmp_path, problem, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv(plancache.ENV, str(blocker / "cache"))  # a folder under a file cannot be made
    assert json.loads(grade_json(problem))["max_score"] == 24


def _write_entry(entry: Path, payload: object) -> None:
    """An entry with a right checksum around ``payload``: what a bug, an old build or a hand edit could leave."""
    import marshal

    body = marshal.dumps(payload)
    entry.write_bytes(plancache.MAGIC + plancache._sha256(body).digest() + body)
    os.chmod(entry, 0o600)


def _real_payload(entry: Path) -> tuple:
    import marshal

    return marshal.loads(entry.read_bytes()[len(plancache.MAGIC) + 32:])


def _mutations(good: tuple):
    """(name, payload): the real plan with one part wrong, each of which decode must refuse."""
    info, floats, nodes, exact, changes, fields, known, sketch, ways, ranks, rules, resolver = good[2:]
    some_node = next(iter(nodes))
    row = fields[0]
    yield "wrong shape", ("plan",)
    yield "old format", ("plan", good[1] - 1) + good[2:]
    yield "not a plan", ("other",) + good[1:]
    yield "a string for a float", good[:3] + ({**floats, some_node: "0.5"},) + good[4:]
    yield "a formula reading an unknown name", good[:4] + ({**nodes, some_node: (
        nodes[some_node][0], ("+", "no_such_name"), nodes[some_node][2], nodes[some_node][3])},) + good[5:]
    yield "an unknown function", good[:4] + ({**nodes, some_node: (
        nodes[some_node][0], ("fn", "eval", "w1", 0.0, 0.0), nodes[some_node][2], nodes[some_node][3])},) + good[5:]
    yield "a field of no quantity", good[:7] + ((("nope",) + row[1:],) + fields[1:],) + good[8:]
    yield "a field without its texts", good[:7] + ((row[:-1],) + fields[1:],) + good[8:]
    yield "a bad tolerance", good[:7] + ((row[:2] + (("loose", 0.1, 0.0, 3, 3),) + row[3:],) + fields[1:],) + good[8:]
    yield "a zero denominator", good[:5] + ({**exact, next(iter(exact)): (1, 0)},) + good[6:] if exact else ("x",)
    yield "a missing mistake list", good[:12] + ({},) + good[13:]
    yield "a resolver that is not one", good[:13] + ((1, 2),)
    yield "a missing given value", good[:3] + ({k: v for k, v in floats.items() if k != info[10][0]},) + good[4:]


def test_a_malformed_entry_is_dropped_and_recomputed(cache, problem, capsys):
    """Issue 10: a well-formed file of the wrong shape was an internal error (exit 1); now every part of an entry
    is checked before it is used, and anything else is recomputed."""
    from grader.cli import main

    first = grade_json(problem)
    (entry,) = cache.glob("plan-*.marshal")
    good = _real_payload(entry)
    assert plancache.load(problem.read_bytes()) is not None
    sub = ROOT / "submissions_examples" / "exercise6_seed.yaml"
    for name, payload in list(_mutations(good)) + [("a string", "plan"), ("nothing", None), ("a list", [1, 2])]:
        _write_entry(entry, payload)
        assert plancache.load(problem.read_bytes()) is None, name
        assert not entry.exists(), name  # dropped
        _write_entry(entry, payload)
        assert main([str(sub), "--problem", str(problem), "--format", "json"]) == 0, name
        assert "internal" not in capsys.readouterr().err
        assert grade_json(problem) == first, name
        assert _real_payload(entry) == good, name  # the recomputed plan replaced the malformed entry


def test_malformed_mistakes_are_found_when_needed_and_recomputed(cache, problem):
    """A field's known mistakes are checked when a wrong field first needs them: malformed, they come from the
    solver's key instead (the same diagnoses), and the entry is dropped so that the next grading recomputes it."""
    first = grade_json(problem)
    (entry,) = cache.glob("plan-*.marshal")
    good = _real_payload(entry)
    rules = {q: (("made_up", "A made-up mistake.", ("+", "no_such_name"), 0.5),) for q in good[12]}
    _write_entry(entry, good[:12] + (rules,) + good[13:])
    assert plancache.load(problem.read_bytes()) is not None  # the rest of the plan is sound
    assert grade_json(problem) == first and "made_up" not in first
    assert not entry.exists()  # dropped when found malformed
    assert grade_json(problem) == first
    assert _real_payload(entry) == good


def test_a_damaged_entry_fails_its_checksum(cache, problem):
    first = grade_json(problem)
    (entry,) = cache.glob("plan-*.marshal")
    data = bytearray(entry.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit, in the middle of the plan
    entry.write_bytes(bytes(data))
    assert plancache.load(problem.read_bytes()) is None and not entry.exists()
    entry.write_bytes(bytes(data[: len(data) // 3]))  # truncated
    assert plancache.load(problem.read_bytes()) is None
    assert grade_json(problem) == first


def test_an_entry_is_plain_data_read_without_the_solver(cache, problem):
    """The plan entry holds builtins only (no class of the solver or the spec is needed to read it, nor any code);
    the solver's key is a separate entry."""
    grade_json(problem)
    (entry,) = cache.glob("plan-*.marshal")
    seen: set[type] = set()
    stack = [_real_payload(entry)]
    while stack:
        x = stack.pop()
        seen.add(type(x))
        if isinstance(x, (tuple, list, frozenset)):
            stack.extend(x)
        elif isinstance(x, dict):
            stack.extend(x.keys())
            stack.extend(x.values())
    assert seen <= {tuple, dict, str, float, int, bool, type(None)}
    assert {tuple, dict, str, float} <= seen
    assert list(cache.glob("key-*.pickle"))


def test_entries_are_keyed_by_the_grader_and_interpreter_versions(cache, problem, monkeypatch):
    """Another grader version, or another Python (marshal's format is the interpreter's), never reads an entry."""
    import types

    import grader

    raw = problem.read_bytes()
    plancache.fingerprint.cache_clear()
    here = plancache.entry_path(raw)
    others = []
    for target, name, value in ((grader, "__version__", grader.__version__ + ".post1"),
                                (plancache, "sys", types.SimpleNamespace(version_info=(9, 99, 0)))):
        with monkeypatch.context() as m:
            m.setattr(target, name, value)
            plancache.fingerprint.cache_clear()
            others.append(plancache.entry_path(raw))
        plancache.fingerprint.cache_clear()
    assert len({here, *others}) == 3
    assert plancache.entry_path(raw) == here
