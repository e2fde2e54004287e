"""grader.submission.load: reading and validating a submission file."""

from __future__ import annotations

import textwrap
from fractions import Fraction

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.errors import GraderError, LimitError, SubmissionError
from grader.submission.student import Student
from grader.parse.answer import Parsed, Unparseable
from grader.submission.load import (
    DEFAULT_MAX_ANSWERS,
    Answer,
    Submission,
    Value,
    load_submission,
    submission_from_document,
)
from grader.yamlio import load_yaml_text

EXAMPLE = """\
problem: exercise6            # a problem id (looked up later) or a path to the spec
student: {id: 400222100, name: Reza Mosavi}
answers:
  z1: -11.65
  h1: "1/(1+exp(11.65))"
  o1: 1.0
  delta_o1:
    value: -0.000269051
    using: {o1: 0.0003, t1: 0.9}    # the values the student plugged in
"""


def read(text: str, source: str = "sub.yaml") -> Submission:
    return submission_from_document(load_yaml_text(textwrap.dedent(text), source=source))


def refused(text: str) -> SubmissionError:
    with pytest.raises(SubmissionError) as info:
        read(text)
    return info.value


# ------------------------------------------------------------------------------------------------- the example


def test_example_parses():
    sub = read(EXAMPLE)
    assert sub.problem == "exercise6"
    assert sub.student == Student(id="400222100", name="Reza Mosavi")
    assert sub.source == "sub.yaml"
    assert list(sub.answers) == ["z1", "h1", "o1", "delta_o1"]
    assert all(isinstance(a, Answer) for a in sub.answers.values())


def test_example_values_and_lines():
    sub = read(EXAMPLE)
    z1 = sub.answers["z1"]
    assert z1.quantity == "z1" and z1.line == 4 and z1.using == {}
    assert z1.value.text == "-11.65" and z1.value.line == 4
    assert isinstance(z1.value.parsed, Parsed) and z1.value.parsed.exact == Fraction(-1165, 100)

    h1 = sub.answers["h1"]
    assert h1.value.text == "1/(1+exp(11.65))" and h1.line == 5
    assert isinstance(h1.value.parsed, Parsed) and h1.value.parsed.value == pytest.approx(8.718976e-06, rel=1e-6)

    o1 = sub.answers["o1"]
    assert o1.value.text == "1.0"  # verbatim, not "1" and not the float repr
    assert o1.value.parsed.text == "1.0"

    d = sub.answers["delta_o1"]
    assert d.line == 7
    assert d.value == Value(text="-0.000269051", parsed=d.value.parsed, line=8)
    assert d.value.parsed.exact == Fraction(-269051, 10**9)
    assert list(d.using) == ["o1", "t1"]
    assert d.using["o1"].text == "0.0003" and d.using["o1"].line == 9
    assert d.using["t1"].parsed.exact == Fraction(9, 10)


def test_document_is_kept_for_later_line_lookups():
    sub = read(EXAMPLE)
    assert sub.document.lines[("answers", "delta_o1", "using", "t1")] == 9
    assert sub.document.line_of(("answers", "o3")) == 3


def test_student_optional_and_id_text_as_written():
    sub = read("problem: p\nanswers: {}\n")
    assert sub.student == Student() and sub.answers == {}
    sub = read("problem: p\nstudent: {id: 0400222100}\nanswers: {}\n")  # YAML 1.1 would read this as octal
    assert sub.student == Student(id="0400222100", name=None)
    sub = read('problem: p\nstudent: {id: "007", name: ""}\nanswers: {}\n')
    assert sub.student == Student(id="007", name=None)
    assert read("problem: p\nstudent:\nanswers: {}\n").student == Student()


def test_problem_may_be_a_path_or_a_number():
    assert read("problem: specs/exercise6.yaml\nanswers: {}\n").problem == "specs/exercise6.yaml"
    assert read("problem: 6\nanswers: {}\n").problem == "6"
    assert read("problem: 6.10\nanswers: {}\n").problem == "6.10"


def test_unparseable_value_is_kept_not_refused():
    sub = read("problem: p\nanswers:\n  z1: about two\n  h1: yes\n  o1: 1,000\n")
    for name in ("z1", "h1", "o1"):
        assert isinstance(sub.answers[name].value.parsed, Unparseable)
    assert sub.answers["z1"].value.text == "about two"
    assert sub.answers["h1"].value.text == "yes"  # the text written, not True


def test_missing_value_is_none():
    sub = read("problem: p\nanswers:\n  z1:\n  h1: {value: ~, using: {o1: 0.5}}\n")
    assert sub.answers["z1"].value == Value(text=None, parsed=None, line=3)
    assert sub.answers["h1"].value.text is None and sub.answers["h1"].value.parsed is None
    assert sub.answers["h1"].using["o1"].text == "0.5"


def test_greek_names():
    sub = read("problem: p\nanswers:\n  η: 0.5\n  w1_new: 0.1\n")
    assert list(sub.answers) == ["η", "w1_new"]


def test_using_may_be_empty():
    sub = read("problem: p\nanswers:\n  z1: {value: 1, using: }\n")
    assert sub.answers["z1"].using == {}


def test_exactly_max_answers_is_fine():
    body = "".join(f"  q{i}: {i}\n" for i in range(DEFAULT_MAX_ANSWERS))
    assert len(read("problem: p\nanswers:\n" + body).answers) == DEFAULT_MAX_ANSWERS


# ------------------------------------------------------------------------------------------------- validation

CASES = [
    # (text, line, path, words in the message, words in the hint)
    ("answers: {}\n", 1, None, "which problem", "add `problem: <problem id>` at the top"),
    ("problem: p\n", 1, None, "no `answers`", "answers:"),
    ("- problem: p\n", 1, None, "must be a mapping", "problem:"),
    ("problem: p\nanswers: {}\nscore: 10\n", 3, "score", "unknown key 'score'", ""),
    ("problem: p\nanswer:\n  z1: 1\n", 2, "answer", "allowed keys: problem, student, answers", "did you mean 'answers'"),
    ("problem: [a, b]\nanswers: {}\n", 1, "problem", "must be a problem id, not a list", "problem:"),
    ("problem:\nanswers: {}\n", 1, "problem", "not nothing", "problem:"),
    ("problem: p\nanswers:\n", 2, "answers", "must be a mapping", "name: value"),
    ("problem: p\nanswers: [1, 2]\n", 2, "answers", "not a list", "name: value"),
    ("problem: p\nstudent: Reza\nanswers: {}\n", 2, "student", "must be a mapping", "id:"),
    ("problem: p\nstudent:\n  id: 1\n  email: x\nanswers: {}\n", 4, "student.email", "allowed keys: id, name", ""),
    ("problem: p\nstudent: {id: [1]}\nanswers: {}\n", 2, "student.id", "single value", ""),
    ("problem: p\nanswers:\n  z1: 1\n  h1: [1, 2]\n", 4, "answers.h1", "single value, not a list", ""),
    (
        "problem: p\nanswers:\n  z1: 1\n  delta_o1:\n    valu: 1\n",
        5,
        "answers.delta_o1.valu",
        "unknown key 'valu' in answer delta_o1; allowed keys: value, using",
        "did you mean 'value'",
    ),
    ("problem: p\nanswers:\n  delta_o1:\n    using: {o1: 1}\n", 3, "answers.delta_o1", "has no `value`", ""),
    (
        "problem: p\nanswers:\n  d:\n    value: {x: 1}\n",
        4,
        "answers.d.value",
        "single value, not a mapping",
        "",
    ),
    ("problem: p\nanswers:\n  d:\n    value: 1\n    using: [o1, 1]\n", 5, "answers.d.using", "`using` must be", ""),
    ("problem: p\nanswers:\n  d:\n    value: 1\n    using: 0.3\n", 5, "answers.d.using", "`using` must be", ""),
    (
        "problem: p\nanswers:\n  delta_o1:\n    value: 1\n    using:\n      o1: 0.5\n      t1: [0.9]\n",
        7,
        "answers.delta_o1.using.t1",
        "single value",
        "",
    ),
]


@pytest.mark.parametrize("text, names", [
    ("problem: p\nanswers:\n  d:\n    value: 1\n    using: {o-1: 0.5}\n", ["d", "o-1"]),
    ("problem: p\nanswers:\n  z1: 1\n  1h: 2\n", ["z1", "1h"]),
    ("problem: p\nanswers:\n  delta o1: 2\n", ["delta o1"]),
    ("problem: p\nanswers:\n  3: 2\n  true: 1\n", ["3", "true"]),
    ("problem: p\nanswers:\n  _z: 2\n  \"w5'\": 1\n  \\delta_{o1}: 3\n", ["_z", "w5'", "\\delta_{o1}"]),
])
def test_names_are_kept_as_written(text, names):
    """Names are resolved later, against the problem (grader.spec.notation); one that does not resolve costs only its
    own answer (issue 11 item 2), so the loader refuses none."""
    sub = submission_from_document(load_yaml_text(text, source="sub.yaml"))
    seen = list(sub.answers) + [u for a in sub.answers.values() for u in a.using]
    assert seen == names


@pytest.mark.parametrize("text,line,path,message,hint", CASES, ids=[c[3][:30] for c in CASES])
def test_validation_errors(text, line, path, message, hint):
    err = refused(text)
    assert err.file == "sub.yaml"
    assert err.line == line
    assert err.path == path
    assert message in err.message
    assert err.hint and hint in err.hint


def test_empty_file():
    err = refused("")
    assert "empty" in err.message and "problem:" in err.hint


def test_too_many_answers_is_a_limit_error():
    body = "".join(f"  q{i}: {i}\n" for i in range(DEFAULT_MAX_ANSWERS + 1))
    with pytest.raises(LimitError) as info:
        read("problem: p\nanswers:\n" + body)
    assert f"{DEFAULT_MAX_ANSWERS + 1}" in info.value.message and info.value.line == 2
    assert info.value.path == "answers"


# ------------------------------------------------------------------------------------------------- files


def test_load_submission_file(tmp_path):
    path = tmp_path / "reza.yaml"
    path.write_text(EXAMPLE, encoding="utf-8")
    sub = load_submission(path)
    assert sub.source == str(path) and sub.document.source == str(path)
    assert sub.answers["o1"].value.text == "1.0"


def test_yaml_errors_become_submission_errors(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("problem: p\nanswers:\n  z1: 1\n  z1: 2\n")
    with pytest.raises(SubmissionError) as info:
        load_submission(path)
    assert info.value.line == 4 and "lines 3 and 4" in info.value.message and info.value.file == str(path)

    path.write_text("problem: p\nanswers:\n  h1: a: b\n")
    with pytest.raises(SubmissionError) as info:
        load_submission(path)
    assert info.value.line == 3 and "YAML syntax error" in info.value.message

    with pytest.raises(SubmissionError) as info:
        load_submission(tmp_path / "missing.yaml")
    assert "cannot read file" in info.value.message


def test_limits_stay_limit_errors(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("problem: p\nanswers:\n  z1: '" + "1" * 1_100_000 + "'\n")
    with pytest.raises(LimitError):
        load_submission(path)
    path.write_text("problem: p\nanswers:\n  z1: " + "[" * 50 + "]" * 50 + "\n")
    with pytest.raises(LimitError):
        load_submission(path)


# ------------------------------------------------------------------------------------------------- robustness

_JUNK = st.one_of(
    st.sampled_from(
        [
            "", "~", "[]", "{}", "[1, 2]", "{a: 1}", "yes", "0x1F", "012", ".inf", ".nan", "1e5", "1.0", "-0.0",
            "&a 1", "*a", "*nope", "!!int x", "!!python/object:os.system", "'unclosed", '"x', "a: b: c", "<<: 1",
            "{value: 1}", "{value: [1]}", "{using: {o1: 1}}", "{value: 1, using: 3}", "{value: 1, using: {1: 2}}",
            "2024-01-01", "- 1", "? x", "|\n  text", "1/(1+exp(-", "σ(0.5)", "1,5", "\t1", "η", "=", "%", "@x",
        ]
    ),
    st.text(max_size=12),
)

BASE = {
    "problem": "exercise6",
    "student": {"id": "400222100", "name": "Reza Mosavi"},
    "answers": {
        "z1": -11.65,
        "h1": "1/(1+exp(11.65))",
        "o1": 1.0,
        "delta_o1": {"value": -0.000269051, "using": {"o1": 0.0003, "t1": 0.9}},
    },
}


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))


def _check(text_or_bytes) -> None:
    try:
        sub = submission_from_document(load_yaml_text(text_or_bytes, source="fuzz.yaml"))
    except GraderError as e:
        assert e.message and e.file == "fuzz.yaml"
        return
    assert isinstance(sub, Submission)
    for answer in sub.answers.values():
        assert answer.value.parsed is None or isinstance(answer.value.parsed, (Parsed, Unparseable))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_documents_give_a_submission_or_a_grader_error(data):
    text = yaml.safe_dump(BASE, sort_keys=False)
    lines = text.splitlines()
    for _ in range(data.draw(st.integers(1, 4))):
        if not lines:
            break
        i = data.draw(st.integers(0, len(lines) - 1))
        how = data.draw(st.sampled_from(["drop", "value", "dup", "indent", "insert"]))
        if how == "drop":
            del lines[i]
        elif how == "value":
            key = lines[i].split(":", 1)[0]
            lines[i] = f"{key}: {data.draw(_JUNK)}"
        elif how == "dup":
            lines.insert(i, lines[i])
        elif how == "indent":
            lines[i] = data.draw(st.sampled_from(["", " ", "  ", "\t", "- "])) + lines[i].lstrip()
        else:
            lines.insert(i, data.draw(_JUNK))
    text = "\n".join(lines) + "\n"
    _check(text)
    raw = text.encode("utf-8")
    pos = data.draw(st.integers(0, len(raw)))
    _check(raw[:pos] + data.draw(st.binary(min_size=1, max_size=4)) + raw[pos:])


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_structural_mutations_give_a_submission_or_a_grader_error(data):
    import copy

    doc = copy.deepcopy(BASE)
    for _ in range(data.draw(st.integers(1, 3))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        path = data.draw(st.sampled_from(paths))
        parent = doc
        for k in path[:-1]:
            parent = parent[k]
        if data.draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = data.draw(
                st.recursive(
                    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                    max_leaves=6,
                )
            )
    _check(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
