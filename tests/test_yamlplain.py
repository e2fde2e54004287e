"""``grader.yamlplain``, the direct reader of the plainest YAML, held to the full reader (``yamlio``: libyaml's
composer and the node builder) on generated documents at the edge of what it takes: whatever it reads is exactly
what the full reader builds (the data with its types and exact numbers, ``lines`` and ``texts`` in order), and it
takes nothing the full reader refuses (so every error, line and hint stays the full reader's)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from grader import yamlio, yamlplain
from grader.errors import GraderError, LimitError
from grader.yamlio import _plain_scalar as _scalar
from grader.yamlio import plain_document

ROOT = Path(__file__).resolve().parents[1]


def canon(x):
    """The data with every type, exact value and key order explicit (``Decimal('1.0') != Decimal('1.00')`` here)."""
    if isinstance(x, dict):
        return ("map", [(canon(k), canon(v)) for k, v in x.items()])
    if isinstance(x, list):
        return ("seq", [canon(v) for v in x])
    return (type(x).__name__, repr(x))


def full(text: str, max_nodes: int = yamlio.DEFAULT_MAX_NODES, max_depth: int = yamlio.DEFAULT_MAX_DEPTH):
    return yamlio._composed_document(text, "f.yaml", max_nodes, max_depth)


def same(fast, slow) -> None:
    assert canon(fast.data) == canon(slow.data)
    assert list(fast.lines.items()) == list(slow.lines.items())
    assert list(fast.texts.items()) == list(slow.texts.items())
    assert fast.source == slow.source


def check(text: str, max_nodes: int = yamlio.DEFAULT_MAX_NODES, max_depth: int = yamlio.DEFAULT_MAX_DEPTH) -> bool:
    """Whether the shortcut took ``text``; fails if it took it and read it otherwise than the full reader."""
    fast = plain_document(text, "f.yaml", max_nodes, max_depth)
    try:
        slow = full(text, max_nodes, max_depth)
    except GraderError as e:
        assert fast is None, f"the shortcut read a text the full reader refuses: {e}"
        return False
    if fast is not None:
        same(fast, slow)
    return fast is not None


KEYS = ["z1", "h1", "o1", "w5_new", "delta_o1", "value", "using", "id", "name", "student", "answers", "problem",
        "yes", "no", "on", "off", "y", "n", "null", "Null", "true", "NO", "o", "t", "f", "_x", "Z", "a" * 101, "x" * 150]
VALUES = [
    "-7.65", "0.35", "1.0", "1.00", "-0", "+1", "0", "007", "08", "0x1F", "0x_", "0b101", "0b", "0o7", "1_000",
    "1_0.5", "12:30", "1:2:3.5", "190:20:30", ".5", "5.", ".", "-.", "1e5", "1e-06", "1.179994029e-06", "1.0e+6",
    "1.5E-3", "6.02e23", ".inf", "-.inf", ".Inf", ".nan", ".NaN", "2001-12-14", "2001-12-14t21:59:43.10-05:00",
    "~", "null", "Null", "NULL", "nul", "yes", "No", "ON", "off", "true", "False", "y", "n", "1/(1+exp(11.65))",
    "sigmoid(-11.65)", "2^-3", "(1)", ")", "-", "- 1", "-1", "--1", "-x", "*a", "a*b", "&a x", "!!int 3", "!x",
    "%x", "@x", "`x", "|", ">", "=", "<<", "?", "? x", "x?", ":x", "x:y", "x: y", "a #c", "a# c", "#c", "x ",
    "Student 00000", "Student  00000", "a b c", "^", "_", "+", "+.5", "1" * 1001, "1." + "0" * 1000,
    '"400222100"', '"a #b"', '"x: y"', '""', '"a\\"b"', '"a\\nb"', "'q'", "''", "'it''s'", "'a \"b\" c'",
    '"σ(z)"', "σ", "\u00a0x", "x\u00a0", "{a: 1}", "{id: \"400222100\", name: Student 00000}", "{a: 1,}", "{}",
    "{a: 1, a: 2}", "{yes: 1}", "{a:1}", "{a: {b: 1}}", "{a: [1]}", "{ a: 1 , b: x y }", "{a: - 1}", "{a: -}",
    "{a: *x}", "[1, 2]", "[]", "{a: 1} x", "{a: 1} # c", "x # c # d",
]
SEPARATORS = [": ", ":  ", ":", ": # c ", " : ", ":\t", ":  ", ": "]
OTHER_LINES = ["", "   ", "# comment σ ∂ −", "  # indented comment", "#", "---", "...", "- 1", "  - 0.45", "- a: 1",
               "%YAML 1.1", "\t", "x", "  -7.65", "? a", "z1: 1\r", "a: b: c", "\ufeffa: 1", "a: \x85", "a: 1\u2028b: 2",
               "<<: {a: 1}", "&x a: 1", "a: &x 1", "b: *x", "[a, b]", "a:\n  - 1", "a: |\n  x", "z1:\ty",
               "b: \x01", "c: \ud800"]


@st.composite
def documents(draw) -> str:
    out = []
    for _ in range(draw(st.integers(1, 14))):
        kind = draw(st.integers(0, 9))
        if kind == 0:
            out.append(draw(st.sampled_from(OTHER_LINES)))
            continue
        indent = " " * draw(st.sampled_from([0, 0, 0, 1, 2, 2, 2, 3, 4, 4, 6]))
        key = draw(st.sampled_from(KEYS))
        if kind <= 3:  # `key:` alone: a nested mapping or null follows
            out.append(f"{indent}{key}:" + draw(st.sampled_from(["", " ", "  # c", "#c"])))
        else:
            out.append(f"{indent}{key}{draw(st.sampled_from(SEPARATORS))}{draw(st.sampled_from(VALUES))}"
                       + draw(st.sampled_from(["", "", " ", "  # note", "#x", " #"])))
    return "\n".join(out) + draw(st.sampled_from(["", "\n", "\n\n", "\n# end"]))


PLAIN_KEYS = ["z1", "h1", "o1", "w5_new", "delta_o1", "value", "using", "id", "name", "_x", "n", "y", "t1", "Z"]


@st.composite
def near_plain(draw) -> str:
    """Well-formed nested mappings of mostly plain values, a line now and then broken: most are in the subset."""
    out: list[str] = []

    def mapping(indent: int, depth: int) -> None:
        step = draw(st.sampled_from([1, 2, 2, 4]))
        for _ in range(draw(st.integers(1, 4))):
            key = draw(st.sampled_from(PLAIN_KEYS + KEYS[:4]))
            kind = draw(st.integers(0, 9))
            pad = " " * indent
            if kind == 0 and depth < 4:
                out.append(f"{pad}{key}:" + draw(st.sampled_from(["", "  # c"])))
                mapping(indent + step, depth + 1)
            elif kind == 1:
                out.append(f"{pad}{key}:")
            elif kind == 2:
                items = draw(st.lists(st.tuples(st.sampled_from(PLAIN_KEYS), st.sampled_from(VALUES[:60])), max_size=4))
                out.append(f"{pad}{key}: {{" + ", ".join(f"{k}: {v}" for k, v in items) + "}")
            elif kind == 3:
                out.append(draw(st.sampled_from(["", "# c", f"{pad}  # c"])))
            else:
                out.append(f"{pad}{key}: {draw(st.sampled_from(VALUES))}" + draw(st.sampled_from(["", "  # c"])))
            if draw(st.integers(0, 30)) == 0:
                out.append(draw(st.sampled_from(OTHER_LINES)))
            if draw(st.integers(0, 30)) == 0 and out:
                out[-1] = " " + out[-1]

    mapping(draw(st.sampled_from([0, 0, 2])), 1)
    return "\n".join(out) + draw(st.sampled_from(["", "\n"]))


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(near_plain())
def test_the_shortcut_reads_near_plain_documents_as_the_full_reader(text):
    check(text)


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
@example("problem: exercise6\nanswers:\n  z1: -7.65\n")
@example("a:\nb: 1\n")
@example("a:\n  b:\n    c: 1\n  d:\ne: 2")
def test_the_shortcut_reads_what_the_full_reader_reads(text):
    check(text)


@settings(max_examples=1000, deadline=None)
@given(st.one_of(documents(), near_plain()), st.integers(0, 40), st.integers(0, 5))
def test_the_shortcut_keeps_the_node_and_depth_limits(text, max_nodes, max_depth):
    check(text, max_nodes, max_depth)


def _submissions() -> list[Path]:
    return sorted((ROOT / "submissions_examples").glob("*.yaml"))


@pytest.mark.parametrize("path", _submissions(), ids=lambda p: p.name)
def test_example_submissions_read_the_same(path):
    check(path.read_text(encoding="utf-8"))


def test_the_shortcut_takes_a_template_filled_submission_and_a_seed_style_one():
    """It is used: the two shapes of a class's files are in the subset (and read exactly as the full reader does)."""
    template = ("# Submission for exercise6\n# Accepted: 1/(1+exp(11.65)) σ(-11.65) 2.69·10⁻⁴\nproblem: exercise6\n"
                "student:\n  id: \"400000000\"\n  name: Student 00000\nanswers:\n  z1: -7.65         # z1 [1 pt]\n"
                "  h2: 1.179994029e-06\n  w1_new: -15     # keep 8 digits\n  o1:\n")
    seed = ("problem: exercise6\nstudent: {id: \"400000000\", name: Student 00000}\nanswers:\n  z1: -7.65\n"
            "  # a comment inside\n  h1:\n    value: 0.999988\n    using: {z1: -11.65}\n  w4_new:\n    value: 30\n"
            "    using: {w4: 30, eta: 0.3, delta_h2: -8.991e-8, i2: 0.2}\n")
    assert check(template) and check(seed)


def test_a_refused_text_keeps_the_full_readers_message():
    text = "answers:\n  z1: - 0.45\n"
    assert plain_document(text, "f.yaml", 100, 10) is None
    with pytest.raises(GraderError) as e:
        yamlio.load_yaml_text(text, source="f.yaml")
    assert e.value.line == 2 and "0.45" in e.value.hint


def test_the_node_limit_is_the_full_readers():
    text = "a: 1\nb: 2\nc: {d: 3}\n"  # 1 mapping + 3 keys + 2 values + 1 flow mapping + 1 key + 1 value = 9 nodes
    assert plain_document(text, "f.yaml", 9, 32) is not None
    assert plain_document(text, "f.yaml", 8, 32) is None
    with pytest.raises(LimitError):
        yamlio.load_yaml_text(text, max_nodes=8)


@given(st.sampled_from(VALUES))
def test_remembered_scalars_are_what_the_builder_makes(text):
    """The memo of scalar values (``_scalar``) against a fresh build of a one-entry document, for every text the
    shortcut hands it (those its scalar pattern matches)."""
    if not re.fullmatch(yamlplain.SCALAR, text):
        return
    _scalar.cache_clear()
    try:
        slow = full(f"k: {text}\n")
    except GraderError:
        return
    if not isinstance(slow.data, dict) or list(slow.data) != ["k"] or isinstance(slow.data["k"], (dict, list)):
        return
    try:
        value, written = _scalar(text)
    except yamlplain.NotPlain:
        pytest.fail(f"the full reader reads {text!r}")
    assert canon(value) == canon(slow.data["k"])
    assert written == (("k",) in slow.texts)


@given(st.one_of(st.sampled_from(VALUES + KEYS), st.text(alphabet="0123456789+-._:eExXoObB~nNyYtTfF", max_size=12)))
def test_the_plain_tag_is_the_safe_loaders(text):
    import yaml
    from yaml.nodes import ScalarNode

    loader = yaml.SafeLoader("")
    assert yamlio._plain_tag(text) == loader.resolve(ScalarNode, text, (True, False))
