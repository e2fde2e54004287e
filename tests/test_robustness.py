"""Hard to break: whatever a file holds, the ``grade`` command grades it (exit 0) or refuses it with one clear message
naming the file (and the line, where there is one) and exit 2. Exit 1 (an internal error) is always a bug, and a
Python traceback must never reach the user.

The tests go through the real CLI entry ``grader.cli.main`` in-process (stdout/stderr captured) and through the
loaders ``load_submission`` / ``load_problem``. Inputs are the seed submission and ``problems/exercise6.yaml``,
mutated by hypothesis: keys dropped, values replaced by the wrong types, deep nesting, alias bombs, huge numbers,
binary junk, non-UTF-8, tabs, duplicate keys, python tags. Grading itself is total: every submission that reads
gets exactly one verdict per asked quantity and a score between 0 and the maximum.

Bugs these tests found are kept at the end as regression tests.
"""

from __future__ import annotations

import copy
import json
import math
import re
from functools import lru_cache
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from grader.cli import main
from grader.errors import GraderError
from grader.grade.engine import Plan, make_plan
from grader.parse.answer import Unparseable, parse_answer
from grader.solve.solver import solve
from grader.spec.load import load_problem
from grader.spec.problem import Problem
from grader.submission.load import Submission, load_submission

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "submissions_examples" / "exercise6_seed.yaml"
PROBLEM = ROOT / "problems" / "exercise6.yaml"
PROBLEMS = sorted(
    p for p in (ROOT / "problems").glob("*.yaml")
    # a homework set or a randomized problem is not graded from a problem-less, student-less submission
    if not any(line.startswith(("questions:", "randomize:")) for line in p.read_text(encoding="utf-8").splitlines())
)
SEED_BYTES = SEED.read_bytes()
PROBLEM_BYTES = PROBLEM.read_bytes()
SEED_DATA = yaml.safe_load(SEED_BYTES)
PROBLEM_DATA = yaml.safe_load(PROBLEM_BYTES)

VERDICTS = {"correct", "carried", "incorrect", "missing", "unparseable"}
GRADED = {"correct", "carried", "incorrect"}

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


# --------------------------------------------------------------------------------------------------------- helpers


def run_cli(capsys, args) -> tuple[int, str, str]:
    """``grade ARGS`` in-process: (exit code, stdout, stderr)."""
    capsys.readouterr()
    rc = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return rc, out, err


def _line_breaks(data: bytes) -> int:
    """Line breaks as YAML counts them (LF, CR, NEL, LS, PS), generously."""
    return sum(data.count(b) for b in (b"\n", b"\r", "\x85".encode(), "\u2028".encode(), "\u2029".encode()))


def assert_no_crash(rc: int, out: str, err: str) -> None:
    assert "Traceback" not in err and "Traceback" not in out, err
    assert "internal error" not in err, err
    assert rc in (0, 2), f"exit {rc}: {err}"


def assert_refusal_names(err: str, path: Path, data: bytes | None = None) -> int | None:
    """``err`` is one located error message about ``path``; returns its line (None when it has none)."""
    m = re.match(rf"error: {re.escape(str(path))}(?::(\d+))?: \S", err)
    assert m, f"the message does not start by naming {path}: {err!r}"
    line = int(m.group(1)) if m.group(1) else None
    if line is not None and data is not None:
        # +2, not +1: libyaml puts the end of a file without a final newline one line past it (a known, minor bug:
        # test_bug_line_past_the_end_of_the_file)
        assert 1 <= line <= _line_breaks(data) + 2, err
    return line


def check_outcome(capsys, args, file: Path, data: bytes) -> tuple[int, str, str]:
    rc, out, err = run_cli(capsys, args)
    assert_no_crash(rc, out, err)
    if rc == 2:
        assert_refusal_names(err, file, data)
    else:
        assert out and not err.strip().startswith("error")
    return rc, out, err


def strict_json(text: str):
    """Parse JSON refusing NaN/Infinity (not JSON) and duplicate keys."""

    def pairs(items):
        keys = [k for k, _ in items]
        assert len(keys) == len(set(keys)), f"duplicate keys in JSON: {keys}"
        return dict(items)

    def constant(name):
        raise AssertionError(f"{name} in JSON output")

    return json.loads(text, object_pairs_hook=pairs, parse_constant=constant)


@lru_cache(maxsize=None)
def plan_of(path: Path) -> Plan:
    return make_plan(solve(load_problem(path)))


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, prefix + (i,))


def _nest(depth: int, leaf=1):
    value = leaf
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


# ----------------------------------------------------------------------------------------------------- strategies



def _sane_number(x: float) -> bool:
    """Finite values of magnitude beyond 1e200 or below 1e-100 (but not 0) hit known bugs of the diagnoses
    (test_bug_* at the end); the tests that must pass keep clear of them, ``test_bug_grading_is_total_over_the_full_
    float_range`` does not."""
    return not math.isfinite(x) or x == 0 or 1e-100 <= abs(x) <= 1e200


# Scalars of every YAML type, including the awkward ones (bytes dump as !!binary, big ints, nan/inf).
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**309, max_value=10**1000),  # beyond the float range: unparseable
    st.floats().filter(_sane_number),
    st.text(max_size=40),
    st.binary(max_size=8),
    st.sampled_from(["1e400", "-1e400", ".nan", "1/0", "exp(1000)", "__import__('os')", "", " ", "~", "null"]),
)
_WRONG = st.one_of(
    st.recursive(
        _SCALARS,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
        max_leaves=8,
    ),
    st.integers(25, 120).map(_nest),
    st.integers(0, 30000).map(lambda n: list(range(n))),
)
_KEYS = st.one_of(st.text(max_size=12), st.integers(), st.none(), st.booleans(), st.floats(allow_nan=False))

# Lines or snippets that attack a YAML reader, at the indentation of an answer.
_HUGE_INT = "9" * 5001  # 10**5001 - 1: more digits than Python converts by default
_ATTACKS = [
    "  z1: !!python/object/apply:os.system ['echo PWNED']",
    "  z1: !!python/object/new:os.system ['echo PWNED']",
    "  z1: !!python/name:os.system",
    "  z1: !!python/module:os",
    "!!python/object/apply:os.system ['echo PWNED']",
    "  z1: 1e400",
    "  z1: -1e400",
    f"  z1: {_HUGE_INT}",
    f"  z1: -{_HUGE_INT}.5",
    f"  z1: 0x{'f' * 5000}",
    f"  z1: 1e{_HUGE_INT}",
    "  z1: .nan",
    "  z1: .inf",
    "  z1: 0b102",
    "  z1: 1_000:30:00",
    "  z1: 2001-12-14t21:59:43.10-05:00",
    "  z1: !!binary aGVsbG8=",
    "  z1: !!set {a, b}",
    "  z1: !!omap [a: 1]",
    "  z1: !local 1",
    "  z1: !!int abc",
    "  z1: !!float 1e400",
    "  z1: *nowhere",
    "  z1: &a [*a]",
    "  z1: &a {b: *a}",
    "  <<: {z1: 1}",
    "  <<: [*x, *y]",
    "  <<: 5",
    "? [a, b]\n: c",
    "  ? {a: 1}\n  : 2",
    "  z1: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    "  z1: " + "[" * 3000 + "]" * 3000,
    "  z1: " + "{a: " * 3000 + "1" + "}" * 3000,
    "lol: &a [x,x,x,x,x,x,x,x,x]\nlol2: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nlol3: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "lol4: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\nlol5: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nlol6: [*e,*e,*e,*e,*e,*e,*e,*e,*e]",
    "\tz1: 1",
    "  z1:\t1",
    "  z1: 1\n  z1: 2",
    "  z2: -16.65",
    "problem: exercise6",
    "answers: {}",
    "%YAML 1.1\n---",
    "---\nz1: 1",
    "...",
    "  z1: 'unclosed",
    '  z1: "\\ud800"',
    '  z1: "\\x00\\x85"',
    "  z1: [1, 2",
    "  z1: @x",
    "  z1: `x",
    "  z1: |\n    1\n    2",
    "  \u00e9\u00e8: 1",
    "  z1: \u2212 7.65",
    "  \u03b7: 0.3",
    "  z1: " + "1+" * 150 + "1",
    "  z1: " + "(" * 40 + "1" + ")" * 40,
    "  z1: 9^9^9^9",
    "  z1: exp(exp(exp(exp(10))))",
    "  z1: 1e-99999999999",
    "  " + "a" * 300 + ": 1",
    "problem: " + "p" * 5000,
]
_JUNK_BYTES = st.one_of(
    st.binary(min_size=1, max_size=12),
    st.sampled_from([b"\x00", b"\xff", b"\xfe\xff", b"\xef\xbb\xbf", b"\xc3", b"\xed\xa0\x80", b"\r", b"\x85",
                     "\u2028".encode(), b"\x1b[31m", b"\x07", b"\t"]),
)
_NUMBER = re.compile(rb"(?<=[:{,\[ ])-?\d+(?:\.\d+)?(?:e-?\d+)?(?=[,}\] \n])")
# (1.7976931348623157e308 and 5e-324 are left to the test_bug_* tests: they hit known bugs)
_HUGE_NUMBERS = [b"1e400", b"-1e400", b"1e-400", _HUGE_INT.encode(), b"1" + b"0" * 5000, b".nan", b".inf", b"-.inf",
                 b"0x" + b"f" * 300, b"1e309", b"-1e309", b"1e200", b"-1e-100", b"0.0", b"-0"]


def text_mutation(data: st.DataObject, base: bytes) -> bytes:
    """One to four byte-level mutations of ``base``."""
    raw = base
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        lines = raw.split(b"\n")
        how = data.draw(
            st.sampled_from(["attack", "junk", "truncate", "dup", "drop", "tab", "number", "encoding", "crlf"]),
            label="how",
        )
        i = data.draw(st.integers(0, len(lines) - 1), label="line")
        if how == "attack":
            lines.insert(i, data.draw(st.sampled_from(_ATTACKS), label="attack").encode())
        elif how == "junk":
            pos = data.draw(st.integers(0, len(raw)), label="pos")
            raw = raw[:pos] + data.draw(_JUNK_BYTES, label="junk") + raw[pos:]
            continue
        elif how == "truncate":
            raw = raw[: data.draw(st.integers(0, len(raw)), label="cut")]
            continue
        elif how == "dup":
            lines.insert(i, lines[i])
        elif how == "drop":
            del lines[i]
        elif how == "tab":
            lines[i] = b"\t" + lines[i].lstrip(b" ")
        elif how == "number":
            found = list(_NUMBER.finditer(raw))
            if found:
                m = data.draw(st.sampled_from(found), label="number")
                raw = raw[: m.start()] + data.draw(st.sampled_from(_HUGE_NUMBERS), label="huge") + raw[m.end():]
            continue
        elif how == "encoding":
            codec = data.draw(st.sampled_from(["utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252"]), label="codec")
            raw = raw.decode("utf-8", "replace").encode(codec, "replace")
            continue
        else:
            raw = raw.replace(b"\n", data.draw(st.sampled_from([b"\r\n", b"\r", b"\x85"]), label="eol"))
            continue
        raw = b"\n".join(lines)
    return raw


def structure_mutation(data: st.DataObject, base) -> object:
    """One to three mutations of the data: a key dropped or renamed, a value replaced by the wrong type."""
    doc = copy.deepcopy(base)
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            return data.draw(_WRONG, label="root")
        path = data.draw(st.sampled_from(paths), label="path")
        parent = doc
        for k in path[:-1]:
            parent = parent[k]
        how = data.draw(st.sampled_from(["drop", "wrong", "rename", "wrap"]), label="how")
        if how == "drop":
            del parent[path[-1]]
        elif how == "wrong":
            parent[path[-1]] = data.draw(_WRONG, label="value")
        elif how == "rename" and isinstance(parent, dict):
            parent[data.draw(_KEYS, label="key")] = parent.pop(path[-1])
        else:
            parent[path[-1]] = [parent[path[-1]]] if data.draw(st.booleans()) else {"value": parent[path[-1]]}
    return doc


def dump(data: st.DataObject, doc) -> bytes:
    """YAML of ``doc`` in a drawn style (block or flow, ASCII-escaped or not)."""
    try:
        text = yaml.safe_dump(
            doc,
            sort_keys=False,
            allow_unicode=data.draw(st.booleans(), label="unicode"),
            default_flow_style=data.draw(st.sampled_from([False, None, True]), label="flow"),
            width=data.draw(st.sampled_from([80, 10**6]), label="width"),
        )
    except (ValueError, yaml.YAMLError):  # e.g. an int too large for str(); not our code
        text = "problem: exercise6\nanswers: {z1: 1}\n"
    return text.encode("utf-8", "surrogatepass")


# --------------------------------------------------------------------------------------------- mutated submissions




def mutated(data, raw: bytes, parsed) -> bytes:
    """A mutation of a file: of its text, or of its structure dumped back to YAML."""
    if data.draw(st.booleans(), label="text"):
        return text_mutation(data, raw)
    return dump(data, structure_mutation(data, parsed))

@FUZZ
@given(data=st.data())
def test_mutated_submission_text_grades_or_is_refused_clearly(capsys, tmp_path, data):
    raw = text_mutation(data, SEED_BYTES)
    path = tmp_path / "sub.yaml"
    path.write_bytes(raw)
    check_outcome(capsys, [path, "--format", data.draw(st.sampled_from(["text", "json"]), label="format")], path, raw)


@FUZZ
@given(data=st.data())
def test_mutated_submission_structure_grades_or_is_refused_clearly(capsys, tmp_path, data):
    raw = dump(data, structure_mutation(data, SEED_DATA))
    path = tmp_path / "sub.yaml"
    path.write_bytes(raw)
    check_outcome(capsys, [path, "--format", "json"], path, raw)


@FUZZ
@given(data=st.data())
def test_load_submission_gives_a_submission_or_a_located_grader_error(tmp_path, data):
    raw = mutated(data, SEED_BYTES, SEED_DATA)
    path = tmp_path / "sub.yaml"
    path.write_bytes(raw)
    try:
        sub = load_submission(path)
    except GraderError as e:
        assert e.file == str(path) and e.message
        assert e.line is None or 1 <= e.line <= _line_breaks(raw) + 2
        assert str(e)
        return
    assert isinstance(sub, Submission) and sub.source == str(path)


# ------------------------------------------------------------------------------------------------ mutated problems


@FUZZ
@given(data=st.data())
def test_mutated_problem_checks_or_is_refused_clearly(capsys, tmp_path, data):
    if data.draw(st.booleans(), label="text"):
        raw = text_mutation(data, PROBLEM_BYTES)
    else:
        raw = dump(data, structure_mutation(data, PROBLEM_DATA))
    path = tmp_path / "problem.yaml"
    path.write_bytes(raw)
    command = data.draw(st.sampled_from([["check"], ["solve", "--format", "json"], ["solve"]]), label="command")
    rc, out, err = run_cli(capsys, [*command, path])
    assert_no_crash(rc, out, err)
    if rc == 2:
        assert_refusal_names(err, path, raw)
    elif command[-1] == "json":
        strict_json(out)


@FUZZ
@given(data=st.data())
def test_submission_naming_a_mutated_problem_grades_or_is_refused_clearly(capsys, tmp_path, data):
    raw = dump(data, structure_mutation(data, PROBLEM_DATA))
    problem = tmp_path / "problem.yaml"
    problem.write_bytes(raw)
    sub = tmp_path / "sub.yaml"
    sub.write_text(SEED_BYTES.decode().replace("problem: exercise6", f"problem: {problem}"), encoding="utf-8")
    rc, out, err = run_cli(capsys, [sub, "--format", "json", "--problem", problem])
    assert_no_crash(rc, out, err)
    if rc == 2:
        assert err.startswith((f"error: {problem}", f"error: {sub}")), err


@FUZZ
@given(data=st.data())
def test_load_problem_gives_a_problem_or_a_located_grader_error(tmp_path, data):
    raw = mutated(data, PROBLEM_BYTES, PROBLEM_DATA)
    path = tmp_path / "problem.yaml"
    path.write_bytes(raw)
    try:
        problem = load_problem(path)
    except GraderError as e:
        assert e.file == str(path) and e.message
        assert e.line is None or 1 <= e.line <= _line_breaks(raw) + 2
        return
    assert isinstance(problem, Problem)


# ------------------------------------------------------------------------------------ named attacks, one at a time


def _seed_with(old: str, new: str) -> bytes:
    text = SEED_BYTES.decode()
    assert old in text
    return text.replace(old, new, 1).encode("utf-8")


def _line_of(raw: bytes, needle: bytes) -> int:
    return raw[: raw.index(needle)].count(b"\n") + 1


NAMED = {
    # name: (file bytes, exit code, words the message must hold, whether the line of `marker` is named)
    "tab indentation": (_seed_with("  z2: -16.65", "\tz2: -16.65"), 2, ["tab"], b"\tz2"),
    "duplicate key": (_seed_with("  z2: -16.65", "  z2: -16.65\n  z2: -16.65"), 2, ["duplicate", "z2"], None),
    "python tag": (
        _seed_with("z1: -11.65", "z1: !!python/object/apply:os.system ['echo PWNED']"), 2, ["tag"], b"z1: !!python"
    ),
    "python name tag": (_seed_with("z1: -11.65", "z1: !!python/name:os.system"), 2, ["tag"], b"z1: !!python"),
    "binary tag": (_seed_with("z1: -11.65", "z1: !!binary aGVsbG8="), 2, ["binary"], b"z1: !!binary"),
    "non-UTF-8 byte": (_seed_with("Reza", "R\u00e9za").replace("R\u00e9za".encode(), b"R\xe9za"), 2, ["UTF-8"],
                       b"R\xe9za"),
    "UTF-16": ("problem: exercise6\nanswers: {z1: 1}\n".encode("utf-16"), 2, ["UTF-16"], None),
    "NUL byte": (_seed_with("z1: -11.65", "z1: -11\x0065"), 2, ["character"], b"z1: -11\x00"),
    "binary junk": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), 2, [], None),
    "billion laughs": (
        b"problem: exercise6\nanswers:\n  z1: 1\nl0: &a [x,x,x,x,x,x,x,x,x,x]\n"
        + b"".join(b"l%d: &a%d [" % (i, i) + b",".join([b"*a" if i == 1 else b"*a%d" % (i - 1)] * 10) + b"]\n"
                   for i in range(1, 9)),
        2, ["too many", "20000"], None,
    ),
    "self-referencing alias": (b"problem: exercise6\nanswers: &a {z1: *a}\n", 2, ["nesting", "32"], None),
    "deep nesting": (_seed_with("z1: -11.65", "z1: " + "[" * 100 + "1" + "]" * 100), 2, ["nesting", "32"], None),
    "very deep nesting": (_seed_with("z1: -11.65", "z1: " + "[" * 50000 + "]" * 50000), 2, ["nesting"], None),
    "huge integer (10**5000)": (_seed_with("z1: -11.65", "z1: 1" + "0" * 5000), 0, [], None),
    "unclosed quote": (_seed_with("z1: -11.65", "z1: '-11.65"), 2, ["quote"], None),
    "a list instead of a mapping": (b"- problem: exercise6\n- answers: {}\n", 2, ["mapping"], None),
    "answers is a number": (b"problem: exercise6\nanswers: 3\n", 2, ["answers", "mapping"], b"answers"),
    "no problem key": (_seed_with("problem: exercise6\n", ""), 2, ["problem"], None),
    "problem is a list": (_seed_with("problem: exercise6", "problem: [exercise6]"), 2, ["problem"], b"problem:"),
    "unknown problem": (_seed_with("problem: exercise6", "problem: nosuch"), 2, ["nosuch"], b"problem:"),
    "unknown quantity": (_seed_with("z1: -11.65", "zz9: -11.65"), 0, [], None),  # costs only its answer (issue 11)
    "value is a mapping": (_seed_with("z1: -11.65", "z1: {value: {a: 1}}"), 2, ["single value"], b"z1:"),
    "unknown answer key": (_seed_with("z1: -11.65", "z1: {valu: 1}"), 2, ["valu", "value"], None),
    "two documents": (SEED_BYTES + b"---\nproblem: exercise6\n", 2, ["document"], None),
    "empty file": (b"", 2, ["empty"], None),
    "only a comment": (b"# nothing\n", 2, ["empty"], None),
    "1e400 (beyond float)": (_seed_with("z1: -11.65", "z1: 1e400"), 0, [], None),
    "nan": (_seed_with("z1: -11.65", "z1: .nan"), 0, [], None),
    "CRLF line ends": (SEED_BYTES.replace(b"\n", b"\r\n"), 0, [], None),
    "UTF-8 BOM": (b"\xef\xbb\xbf" + SEED_BYTES, 0, [], None),
}


@pytest.mark.parametrize("name", list(NAMED))
def test_named_attack(capsys, tmp_path, monkeypatch, name):
    raw, expected_rc, words, marker = NAMED[name]
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "sub.yaml"
    path.write_bytes(raw)
    rc, out, err = run_cli(capsys, [path, "--format", "json"])
    assert_no_crash(rc, out, err)
    assert rc == expected_rc, err
    if rc == 2:
        line = assert_refusal_names(err, path, raw)
        for word in words:
            assert word.lower() in err.lower(), err
        if marker is not None:
            assert line == _line_of(raw, marker), err
        assert err.count("\n") == 1, "one message, on one line"
    else:
        result = strict_json(out)
        assert set(result["fields"]) == {a.quantity for a in plan_of(PROBLEM).problem.ask}
    assert not (tmp_path / "PWNED").exists()


def test_numbers_beyond_float_are_unparseable_not_errors(capsys, tmp_path):
    path = tmp_path / "sub.yaml"
    path.write_bytes(_seed_with("z1: -11.65", "z1: 1e400").replace(b"z2: -16.65", b"z2: -1e400"))
    rc, out, err = run_cli(capsys, [path, "--format", "json"])
    assert rc == 0, err
    fields = strict_json(out)["fields"]
    assert fields["z1"]["verdict"] == fields["z2"]["verdict"] == "unparseable"
    assert "float range" in fields["z1"]["message"]


def test_duplicate_key_message_names_both_lines(capsys, tmp_path):
    raw = _seed_with("  z2: -16.65", "  z2: -16.65\n  z2: 1")
    path = tmp_path / "sub.yaml"
    path.write_bytes(raw)
    rc, _, err = run_cli(capsys, [path])
    first = _line_of(raw, b"  z2:")
    assert rc == 2 and f"lines {first} and {first + 1}" in err and f"{path}:{first + 1}:" in err, err


@FUZZ
@given(data=st.data(), files=st.integers(2, 4))
def test_several_files_each_graded_or_refused(capsys, tmp_path, data, files):
    """A batch on the command line: every file is reported, a bad one does not stop the others."""
    paths = []
    for i in range(files):
        raw = text_mutation(data, SEED_BYTES) if data.draw(st.booleans(), label="bad") else SEED_BYTES
        p = tmp_path / f"s{i}.yaml"
        p.write_bytes(raw)
        paths.append(p)
    rc, out, err = run_cli(capsys, [*paths, "--format", "json"])
    assert_no_crash(rc, out, err)
    results = strict_json(out)
    assert isinstance(results, list) and len(results) == files
    refused = [r for r in results if "error" in r]
    assert (rc == 2) == bool(refused)
    assert len(err.splitlines()) == len(refused)


# ------------------------------------------------------------------------------------ any text as an answer value



def _sane(text: str) -> bool:
    """Unreadable, or a value clear of the known bugs near the float range's ends."""
    parsed = parse_answer(text)
    return isinstance(parsed, Unparseable) or _sane_number(parsed.value)


_ANSWER_TEXT = st.one_of(
    st.text(max_size=60),
    st.text(alphabet="0123456789.eE+-*/^() ,σexplnsqrtigmoda\u2212\u00d7\u00b7\u207b\u00b2", max_size=40),
    st.sampled_from(["__import__('os').system('touch PWNED')", "lambda: 1", "1;2", "x", "e", "2e", "1,000", "0,35",
                     "10\u207b\u2075", "1.2x10^-5", "sigmoid(-7.65)", "exp(5)", "exp(460)", "exp(710)", "9^9^9",
                     "0/0", "", "1e-320", "-0", "1e-6", "299.5"]),
).filter(_sane)


def _answer_verdict(text: str) -> set[str]:
    return {"unparseable"} if isinstance(parse_answer(text), Unparseable) else GRADED


# Values a student may write, however wrong: |x| up to 300 (so that exp() of it stays far from the float range's
# ends: sigmoid(-710) is subnormal and hits a known bug), tiny ones down to 1e-6, zero, and the non-finite ones.
_MODERATE = st.one_of(
    st.floats(min_value=-300, max_value=300, allow_nan=False),
    st.floats(min_value=1e-6, max_value=1e-3),
    st.floats(min_value=-1e-3, max_value=-1e-6),
    st.integers(-300, 300),
    st.sampled_from([0.0, -0.0, 1e-6, -1e-6, 300.0, -300.0, math.inf, -math.inf, math.nan]),
)


def _moderate(text: str) -> bool:
    """Unreadable, or a value in the range of _MODERATE."""
    parsed = parse_answer(text)
    return isinstance(parsed, Unparseable) or parsed.value == 0 or 1e-6 <= abs(parsed.value) <= 300


@FUZZ
@given(text=_ANSWER_TEXT, quantity=st.sampled_from(["z1", "h1", "delta_o1", "w1_new", "w5_new"]))
def test_any_text_as_an_answer_is_graded_or_unparseable(capsys, tmp_path, text, quantity):
    doc = copy.deepcopy(SEED_DATA)
    entry = doc["answers"].get(quantity)
    if isinstance(entry, dict):
        entry["value"] = text
    else:
        doc["answers"][quantity] = text
    path = tmp_path / "sub.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    rc, out, err = run_cli(capsys, [path, "--format", "json"])
    assert_no_crash(rc, out, err)
    assert rc == 0, err
    field = strict_json(out)["fields"][quantity]
    assert field["verdict"] in _answer_verdict(text), (text, field)
    if field["verdict"] == "unparseable":
        assert field["message"].startswith("Could not read this answer: ") and "internal" not in field["message"]


@FUZZ
@given(
    text=_ANSWER_TEXT.filter(_moderate),
    where=st.sampled_from([("h1", "z1"), ("delta_o1", "o1"), ("w5_new", "eta"), ("z3", "w5")]),
)
def test_any_text_as_a_using_value_never_breaks_grading(capsys, tmp_path, text, where):
    quantity, name = where
    doc = copy.deepcopy(SEED_DATA)
    doc["answers"][quantity]["using"][name] = text
    path = tmp_path / "sub.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    rc, out, err = run_cli(capsys, [path, "--format", "json"])
    assert_no_crash(rc, out, err)
    assert rc == 0, err
    assert strict_json(out)["fields"][quantity]["verdict"] in GRADED


@FUZZ
@given(text=st.text(alphabet=st.characters(blacklist_categories=["Cs", "Zl", "Zp", "Cc"]), max_size=60))
def test_any_unquoted_text_after_the_colon_grades_or_is_refused(capsys, tmp_path, text):
    raw = _seed_with("z1: -11.65", "z1: " + text)
    path = tmp_path / "sub.yaml"
    path.write_bytes(raw)
    check_outcome(capsys, [path, "--format", "json"], path, raw)


# -------------------------------------------------------------------------------------------- grading is total


def _asked(path: Path) -> list[str]:
    return [a.quantity for a in plan_of(path).problem.ask]


def _value(data: st.DataObject, plan: Plan, q: str, numbers):
    kind = data.draw(st.sampled_from(["key", "near", "number", "text", "null", "expr"]), label=f"{q} kind")
    key = plan.key.floats.get(q, 0.0)
    if kind == "key":
        return key
    if kind == "near":
        return key * data.draw(st.floats(0.9, 1.1), label="factor")
    if kind == "number":
        return data.draw(numbers, label=f"{q} number")
    if kind == "text":
        return data.draw(_ANSWER_TEXT.filter(_moderate), label=f"{q} text")
    if kind == "null":
        return None
    return f"{key!r}*(1+0)"


def _submission(data: st.DataObject, problem: Path, numbers) -> dict:
    plan = plan_of(problem)
    names = sorted(plan.known)
    asked = _asked(problem)
    chosen = data.draw(st.lists(st.sampled_from(asked), unique=True, max_size=len(asked)), label="answered")
    extra = data.draw(st.lists(st.sampled_from(names), unique=True, max_size=3), label="extra")
    answers = {}
    for q in chosen + [n for n in extra if n not in chosen]:
        value = _value(data, plan, q, numbers)
        if data.draw(st.booleans(), label=f"{q} using"):
            using = {u: _value(data, plan, u, numbers)
                     for u in data.draw(st.lists(st.sampled_from(names), unique=True, max_size=4), label="using")}
            answers[q] = {"value": value, "using": using}
        else:
            answers[q] = value
    return {"problem": problem.stem, "student": {"id": "1", "name": "Fuzz"}, "answers": answers}


def _check_total(capsys, tmp_path, data, numbers) -> None:
    problem = data.draw(st.sampled_from(PROBLEMS), label="problem")
    doc = _submission(data, problem, numbers)
    path = tmp_path / "sub.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    rc, out, err = run_cli(capsys, [path, "--format", "json"])
    assert_no_crash(rc, out, err)
    assert rc == 0, err
    result = strict_json(out)
    asked = _asked(problem)
    assert list(result["fields"]) == asked, "exactly one verdict per asked quantity, in the problem's order"
    plan = plan_of(problem)
    assert result["max_score"] == pytest.approx(sum(a.points for a in plan.problem.ask))
    assert 0 <= result["score"] <= result["max_score"]
    assert result["score"] == pytest.approx(sum(f["points"] for f in result["fields"].values()), abs=1e-6)
    for q, f in result["fields"].items():
        assert f["verdict"] in VERDICTS
        assert 0 <= f["points"] <= f["max_points"]
        assert (f["points"] == f["max_points"]) == (f["verdict"] in ("correct", "carried")) or (
            f["verdict"] == "carried" and plan.problem.carried_credit < 1
        )
        if q not in doc["answers"]:
            assert f["verdict"] == "missing"
            continue
        entry = doc["answers"][q]
        value = entry["value"] if isinstance(entry, dict) else entry
        if value is None:
            assert f["verdict"] in ("missing", "unparseable")
        elif isinstance(value, str):
            assert f["verdict"] in _answer_verdict(value), (value, f)
        elif isinstance(value, float) and not math.isfinite(value):
            assert f["verdict"] == "unparseable"
        elif value == plan.key.floats[q]:
            assert f["verdict"] == "correct", (q, value, f)
        else:
            assert f["verdict"] in GRADED


@FUZZ
@given(data=st.data())
def test_grading_is_total(capsys, tmp_path, data):
    _check_total(capsys, tmp_path, data, _MODERATE)


def _with_momentum() -> bytes:
    return PROBLEM_BYTES.replace(b"  update_biases: false\n", b"  update_biases: false\n  momentum: 0.9\n")


def test_every_known_name_resolves(tmp_path):
    # Regression: the fuzzers answer any name of ``plan.known``; han_kamber_321's plan once counted the momentum's
    # aliases (mu, momentum) as known although it has no momentum, and a submission answering only one of them was
    # refused with "unknown quantity".
    momentum = tmp_path / "momentum.yaml"
    momentum.write_bytes(_with_momentum())
    assert b"momentum: 0.9" in momentum.read_bytes()
    for problem in [*PROBLEMS, momentum]:
        plan = plan_of(problem)
        wrong = {n: plan.resolver.resolve(n) for n in plan.known if plan.resolver.resolve(n).name is None}
        assert not wrong, (problem.name, wrong)
    assert {"mu", "μ", "momentum"} <= plan_of(momentum).known
    assert not {"mu", "μ", "momentum"} & plan_of(ROOT / "problems" / "han_kamber_321.yaml").known


@pytest.mark.parametrize("name", ["μ", "momentum", "mu"])
def test_bug_momentum_names_without_a_momentum(capsys, tmp_path, name):
    """The momentum's names are graded where there is a momentum and refused, naming the file, where there is none."""
    problem = tmp_path / "momentum.yaml"
    problem.write_bytes(_with_momentum())
    path = tmp_path / "sub.yaml"
    path.write_text(f"problem: {problem}\nanswers:\n  {name}: 0.9\n", encoding="utf-8")
    rc, out, err = run_cli(capsys, [path, "--format", "json", "--problem", problem])
    assert rc == 0, err
    assert strict_json(out)["score"] == 0
    path.write_text(f"problem: han_kamber_321\nanswers:\n  {name}: 0.9\n", encoding="utf-8")
    rc, out, err = run_cli(capsys, [path, "--format", "json"])
    assert rc == 2
    assert_refusal_names(err, path)
    assert "unknown quantity" in err


def test_a_fully_correct_submission_scores_full_marks(capsys, tmp_path):
    for problem in PROBLEMS:
        plan = plan_of(problem)
        answers = {a.quantity: plan.key.decimal(a.quantity, 17) for a in plan.problem.ask}
        path = tmp_path / f"{problem.stem}.yaml"
        path.write_text(yaml.safe_dump({"problem": problem.stem, "answers": answers}), encoding="utf-8")
        rc, out, err = run_cli(capsys, [path, "--format", "json"])
        assert rc == 0, err
        result = strict_json(out)
        assert result["score"] == result["max_score"], problem.name
        assert {f["verdict"] for f in result["fields"].values()} == {"correct"}


def test_an_empty_answer_map_is_all_missing(capsys, tmp_path):
    path = tmp_path / "sub.yaml"
    path.write_text("problem: exercise6\nanswers: {}\n", encoding="utf-8")
    rc, out, err = run_cli(capsys, [path, "--format", "json"])
    assert rc == 0, err
    result = strict_json(out)
    assert result["score"] == 0 and {f["verdict"] for f in result["fields"].values()} == {"missing"}


# ---------------------------------------------------------------------------------------------------------- safety

_PAYLOADS = [
    "__import__('os').system('touch PWNED')",
    "__import__(\"os\").system(\"touch PWNED\")",
    "eval(\"__import__('os').system('touch PWNED')\")",
    "exec('import os; os.system(\"touch PWNED\")')",
    "open('PWNED', 'w')",
    "().__class__.__base__.__subclasses__()",
    "sympy.core.sympify('__import__(\"os\").system(\"touch PWNED\")')",
    "Symbol('x')",
    "1 if __import__('os').system('touch PWNED') else 0",
    "`touch PWNED`",
    "$(touch PWNED)",
]
_TAGS = [
    "!!python/object/apply:os.system ['touch PWNED']",
    "!!python/object/apply:os.system [touch PWNED]",
    "!!python/object/new:os.system ['touch PWNED']",
    "!!python/object/apply:subprocess.check_output [['touch', 'PWNED']]",
    "!!python/object/apply:builtins.exec ['open(\"PWNED\", \"w\")']",
    "!!python/name:os.system",
    "!!python/module:os",
]


@pytest.mark.parametrize("payload", _PAYLOADS)
@pytest.mark.parametrize("where", ["value", "using"])
def test_code_in_an_answer_is_never_run(capfd, tmp_path, monkeypatch, payload, where):
    monkeypatch.chdir(tmp_path)
    doc = copy.deepcopy(SEED_DATA)
    if where == "value":
        doc["answers"]["z1"] = payload
    else:
        doc["answers"]["h1"]["using"]["z1"] = payload
    Path("sub.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    for fmt in ("text", "json"):
        rc = main(["sub.yaml", "--format", fmt])
        out, err = capfd.readouterr()
        assert rc == 0, err
        assert not Path("PWNED").exists()
        if fmt == "json" and where == "value":
            assert json.loads(out)["fields"]["z1"]["verdict"] == "unparseable"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sub.yaml"]


@pytest.mark.parametrize("tag", _TAGS)
@pytest.mark.parametrize("file", ["submission", "problem"])
def test_python_tags_are_refused_never_run(capfd, tmp_path, monkeypatch, tag, file):
    monkeypatch.chdir(tmp_path)
    if file == "submission":
        Path("sub.yaml").write_bytes(_seed_with("z1: -11.65", f"z1: {tag}"))
        args, bad = ["sub.yaml"], "sub.yaml"
    else:
        Path("p.yaml").write_bytes(PROBLEM_BYTES.replace(b"w1: -15\n", f"w1: {tag}\n".encode()))
        Path("sub.yaml").write_bytes(_seed_with("problem: exercise6", "problem: p.yaml"))
        args, bad = [["sub.yaml", "--problem", "p.yaml"], ["check", "p.yaml"], ["solve", "p.yaml"]], "p.yaml"
    for argv in args if file == "problem" else [args]:
        rc = main(argv)
        out, err = capfd.readouterr()
        assert rc == 2, err
        assert re.match(rf"error: (\S*/)?{re.escape(bad)}:\d+: ", err) and "tag" in err, err
        assert "PWNED" not in out and not Path("PWNED").exists()
    assert not Path("PWNED").exists()


# ------------------------------------------------------------------------------------------------------ found bugs
# Reproducers found by the tests above, kept as regression tests once fixed (the last one is still open).
# Exit 1 ("internal error") is a bug by the CLI's own contract.

_BIG = "1.7976931348623157e308"


@pytest.mark.parametrize("using", ["{h1: -1e308, h2: 1e308}", "{h1: 4e306, h2: 3.9e306}"])
def test_bug_carried_sum_overflow(capsys, tmp_path, using):
    path = tmp_path / "sub.yaml"
    path.write_text(f"problem: exercise6\nanswers:\n  z3:\n    value: 1\n    using: {using}\n")
    rc, out, err = run_cli(capsys, [path])
    assert_no_crash(rc, out, err)


@pytest.mark.parametrize("answers", [
    "  h2: 1e308\n",  # a huge answer
    "  delta_o1:\n    value: -0.000269051\n    using: {o1: 1e-320, t1: 0.9}\n",  # a subnormal value it follows from
])
def test_bug_huge_answer_diagnosis(capsys, tmp_path, answers):
    path = tmp_path / "sub.yaml"
    path.write_text("problem: exercise6\nanswers:\n" + answers)
    rc, out, err = run_cli(capsys, [path])
    assert_no_crash(rc, out, err)


def test_bug_huge_using_value_rounding(capsys, tmp_path):
    path = tmp_path / "sub.yaml"
    path.write_text(f"problem: exercise6\nanswers:\n  h2:\n    value: 5\n    using: {{z2: {_BIG}}}\n")
    rc, out, err = run_cli(capsys, [path])
    assert_no_crash(rc, out, err)


@FUZZ
@given(data=st.data())
@example(data=None)
def test_bug_grading_is_total_over_the_full_float_range(capsys, tmp_path, data):
    if data is None:  # the reproducer, always tried first
        path = tmp_path / "sub.yaml"
        path.write_text("problem: exercise6\nanswers:\n  h2: 1e308\n")
        rc, out, err = run_cli(capsys, [path, "--format", "json"])
        assert_no_crash(rc, out, err)
        return
    _check_total(capsys, tmp_path, data, st.floats())


@pytest.mark.parametrize("how", ["submission", "--problem", "solve", "check"])
def test_bug_overlong_problem_name(capsys, tmp_path, how):
    name = "p" * 300
    path = tmp_path / "sub.yaml"
    path.write_text(f"problem: {name}\nanswers: {{z1: 1}}\n")
    argv = {"submission": [path], "--problem": [SEED, "--problem", name], "solve": ["solve", name],
            "check": ["check", name]}[how]
    rc, out, err = run_cli(capsys, argv)
    assert_no_crash(rc, out, err)
    assert rc == 2


@pytest.mark.parametrize("points", [".inf", "1e400"])
def test_bug_infinite_points(capsys, tmp_path, points):
    problem = tmp_path / "p.yaml"
    problem.write_bytes(PROBLEM_BYTES.replace(b"{delta_o1: 2}", f"{{delta_o1: {points}}}".encode()))
    rc, out, err = run_cli(capsys, ["check", problem])
    if rc == 2:  # refused: the fix we expect
        assert_refusal_names(err, problem)
        return
    sub = tmp_path / "sub.yaml"
    sub.write_bytes(_seed_with("problem: exercise6", f"problem: {problem}"))
    rc, out, err = run_cli(capsys, [sub, "--format", "json", "--problem", problem])
    assert rc == 0
    result = strict_json(out)
    assert math.isfinite(result["max_score"])


def test_bug_out_is_a_directory(capsys, tmp_path):
    rc, out, err = run_cli(capsys, [SEED, "--out", tmp_path])
    assert_no_crash(rc, out, err)
    assert rc == 2 and str(tmp_path) in err


def test_bug_huge_integer_message(capsys, tmp_path):
    path = tmp_path / "sub.yaml"
    path.write_bytes(_seed_with("z1: -11.65", "z1: 1" + "0" * 5000))
    rc, out, err = run_cli(capsys, [path, "--format", "json"])
    assert_no_crash(rc, out, err)
    if rc == 0:
        assert strict_json(out)["fields"]["z1"]["verdict"] == "unparseable"
    else:
        assert "not a valid integer" not in err and len(err) < 1000, err


def test_bug_line_past_the_end_of_the_file(capsys, tmp_path):
    path = tmp_path / "sub.yaml"
    path.write_bytes(b"problem: exercise6\nanswers: {z1: 1")  # two lines
    rc, out, err = run_cli(capsys, [path])
    assert rc == 2
    assert assert_refusal_names(err, path) == 2, err


@pytest.mark.parametrize("weight", [b"1e5", b"1e300"])
@pytest.mark.parametrize("command", [["check"], ["solve", "--format", "json"]])
def test_bug_saturated_problem_is_refused_naming_its_file(capsys, tmp_path, weight, command):
    # Regression (found by test_mutated_problem_checks_or_is_refused_clearly): the solver's "saturate" refusal did
    # not name the problem's file, and it printed the sum of the |net| inputs with all its 300 digits.
    raw = PROBLEM_BYTES.replace(b"\n  w1: -15\n", b"\n  w1: " + weight + b"\n")
    assert raw != PROBLEM_BYTES
    path = tmp_path / "problem.yaml"
    path.write_bytes(raw)
    rc, out, err = run_cli(capsys, [*command, path])
    assert rc == 2
    assert_refusal_names(err, path, raw)
    assert "saturate" in err and len(err) < 300, err


@pytest.mark.parametrize("key, shown", [("\r", "\\r"), ("\r\n", "\\r\\n"), ("\x1b[31m", "\\x1b[31m"), ("\u2028", "\\u2028"),
                                        (" ", "' '"), ("\u202e", "\\u202e")])
@pytest.mark.parametrize("where", ["top", "student", "answer"])
def test_bug_unknown_key_of_control_characters(capsys, tmp_path, key, shown, where):
    # Regression (found by test_mutated_submission_structure_grades_or_is_refused_clearly): a key made of `\r` was
    # printed raw in the message's path and in its text, so the message did not read as "file:line: path: what".
    doc = copy.deepcopy(SEED_DATA)
    target = {"top": doc, "student": doc["student"], "answer": doc["answers"]["h1"]}[where]
    target[key] = 1
    raw = yaml.safe_dump(doc, sort_keys=False).encode("utf-8")
    path = tmp_path / "sub.yaml"
    path.write_bytes(raw)
    rc, out, err = run_cli(capsys, [path, "--format", "json"])
    assert rc == 2
    assert_refusal_names(err, path, raw)
    assert f"unknown key '{shown.strip(chr(39))}'" in err, err
    assert err.rstrip("\n").isprintable(), repr(err)
