"""grader.yamlio: safe YAML reading with lines, verbatim number texts and limits."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from decimal import Decimal

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader import yamlio
from grader.errors import GraderError, LimitError
from grader.yamlio import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_NODES,
    Document,
    format_path,
    load_yaml_file,
    load_yaml_text,
)


def load(text: str, **kw) -> Document:
    return load_yaml_text(textwrap.dedent(text), **kw)


def error(text: str | bytes, **kw) -> GraderError:
    with pytest.raises(GraderError) as info:
        load_yaml_text(textwrap.dedent(text) if isinstance(text, str) else text, **kw)
    return info.value


# ------------------------------------------------------------------------------------------------- basics


def test_defaults():
    assert DEFAULT_MAX_BYTES == 1_048_576
    assert DEFAULT_MAX_NODES == 20_000
    assert DEFAULT_MAX_DEPTH == 32


def test_plain_document_matches_safe_load_apart_from_floats():
    text = """
    name: exercise6
    count: 3
    flags: [yes, no, on, off, true, False]
    nothing: ~
    empty:
    nested: {a: [1, 2, {b: c}], d: "quoted: text"}
    block:
      - x
      - - 1
        - 2
    folded: >
      two
      lines
    """
    doc = load(text)
    assert doc.data == yaml.safe_load(textwrap.dedent(text))
    assert doc.source == "<string>"


def test_floats_are_exact_decimals():
    doc = load("a: 0.35\nb: 1.0\nc: -0.000269051\nd: 1_000.5\ne: 1.5e-3\nf: .5\ng: 2.\n")
    assert doc.data == {
        "a": Decimal("0.35"),
        "b": Decimal("1.0"),
        "c": Decimal("-0.000269051"),
        "d": Decimal("1000.5"),
        "e": Decimal("0.0015"),
        "f": Decimal("0.5"),
        "g": Decimal("2"),
    }
    assert all(type(v) is Decimal for v in doc.data.values())
    assert str(doc.data["a"]) == "0.35"  # not 0.34999999999999997779...


def test_special_floats():
    doc = load("[.inf, -.Inf, +.INF, .nan, .NaN]")
    a, b, c, d, e = doc.data
    assert a == Decimal("Infinity") and c == Decimal("Infinity")
    assert b == Decimal("-Infinity")
    assert d.is_nan() and e.is_nan()


@pytest.mark.parametrize(
    "text", ["0", "-0", "42", "+42", "-17", "1_000", "0x1F", "-0x1f", "012", "0b101", "190:20:30", "-1:30"]
)
def test_ints_follow_yaml_1_1_like_pyyaml(text):
    value = load_yaml_text(f"v: {text}").data["v"]
    assert type(value) is int
    assert value == yaml.safe_load(f"v: {text}")["v"]


def test_sexagesimal_float_is_exact():
    assert load_yaml_text("v: 1:30.5").data["v"] == Decimal("90.5")


def test_strings_stay_strings():
    doc = load("a: '1.0'\nb: !!str 2\nc: 1e5\nd: 0o17\ne: 1/(1+exp(11.65))\n")
    assert doc.data == {"a": "1.0", "b": "2", "c": "1e5", "d": "0o17", "e": "1/(1+exp(11.65))"}


def test_timestamps_keep_their_text():
    doc = load("due: 2024-05-01\nat: 2024-05-01 12:30:00\n")
    assert doc.data == {"due": "2024-05-01", "at": "2024-05-01 12:30:00"}


def test_empty_and_comment_only_documents_are_none():
    assert load_yaml_text("").data is None
    assert load_yaml_text("# only a comment\n\n").data is None
    assert load_yaml_text(b"").data is None


def test_utf8_bom_and_non_ascii():
    doc = load_yaml_text("\ufeffname: Reza Mosavi\nη: 0.5\n".encode("utf-8"))
    assert doc.data == {"name": "Reza Mosavi", "η": Decimal("0.5")}


def test_keys_are_strings_numbers_keep_their_text():
    doc = load("1: a\n2.50: b\nyes: c\n010: d\n")
    assert doc.data == {"1": "a", "2.50": "b", "yes": "c", "010": "d"}
    assert list(doc.lines) == [(), ("1",), ("2.50",), ("yes",), ("010",)]
    assert doc.texts == {}  # keys are text, not numbers


@pytest.mark.parametrize("text", ["[a, b]: 1", "{a: 1}: 2", "? [x]\n: 1", "? {a: 1}\n: 2"])
def test_collection_keys_are_refused(text):
    err = error(text)
    assert "cannot be a mapping key" in err.message
    assert err.line == 1 and err.hint


def test_null_key_is_refused():
    err = error("a: 1\n~: 2\n")
    assert "empty or null" in err.message and err.line == 2


# ------------------------------------------------------------------------------------------------- lines, texts


EXAMPLE = """\
problem: exercise6
student: {id: 400222100, name: Reza Mosavi}
answers:
  z1: -11.65
  o1: 1.0
  delta_o1:
    value: -0.000269051
    using: {o1: 0.0003, t1: 0.9}
  list:
    - 1
    -
      - 2.50
"""


def test_lines_are_one_based_and_point_at_keys():
    doc = load_yaml_text(EXAMPLE)
    assert doc.lines[()] == 1
    assert doc.lines[("problem",)] == 1
    assert doc.lines[("student", "id")] == 2
    assert doc.lines[("answers",)] == 3
    assert doc.lines[("answers", "z1")] == 4
    assert doc.lines[("answers", "delta_o1")] == 6  # the key's line, not the value's
    assert doc.lines[("answers", "delta_o1", "value")] == 7
    assert doc.lines[("answers", "delta_o1", "using", "t1")] == 8
    assert doc.lines[("answers", "list", 0)] == 10
    assert doc.lines[("answers", "list", 1, 0)] == 12


def test_texts_keep_numbers_as_written():
    doc = load_yaml_text(EXAMPLE)
    assert doc.texts[("answers", "o1")] == "1.0"
    assert doc.texts[("answers", "z1")] == "-11.65"
    assert doc.texts[("answers", "delta_o1", "value")] == "-0.000269051"
    assert doc.texts[("student", "id")] == "400222100"
    assert doc.texts[("answers", "list", 1, 0)] == "2.50"
    assert ("problem",) not in doc.texts  # strings are their own text
    assert doc.data["answers"]["list"][1][0] == Decimal("2.50")


def test_texts_for_bools_and_nulls():
    doc = load("a: yes\nb: ~\nc:\nd: 'yes'\n")
    assert doc.texts == {("a",): "yes", ("b",): "~", ("c",): ""}


def test_line_of_falls_back_to_nearest_ancestor():
    doc = load_yaml_text(EXAMPLE)
    assert doc.line_of(("answers", "delta_o1", "using", "o1")) == 8
    assert doc.line_of(("answers", "delta_o1", "missing", "deeper")) == 6
    assert doc.line_of(("answers", "nope")) == 3
    assert doc.line_of(("nope",)) == 1
    assert doc.line_of(["answers", "z1"]) == 4
    assert Document(None, "x", {}, {}).line_of(("a",)) is None


def test_format_path():
    assert format_path(("answers", "delta_o1", "using", "o1")) == "answers.delta_o1.using.o1"
    assert format_path(("layers", 0, "neurons", 2)) == "layers[0].neurons[2]"
    assert format_path(()) == ""


# ------------------------------------------------------------------------------------------------- errors


def test_duplicate_key_names_both_lines():
    err = error(
        """\
        answers:
          z1: 1
          h1: 2
          z1: 3
        """,
        source="sub.yaml",
    )
    assert "duplicate key 'z1'" in err.message
    assert "lines 2 and 4" in err.message
    assert err.line == 4 and err.file == "sub.yaml" and err.path == "answers.z1"
    assert err.hint
    assert str(err).startswith("sub.yaml:4: answers.z1: duplicate key")


def test_duplicate_key_after_number_to_text():
    err = error("1: a\n'1': b\n")
    assert "duplicate key '1'" in err.message and "lines 1 and 2" in err.message


def test_syntax_error_has_line_and_column():
    err = error("answers:\n  z1: 1\n  h1: a: b\n")
    assert err.line == 3
    assert err.message.startswith("YAML syntax error: mapping values are not allowed")
    assert "(column 8)" in err.message
    assert err.hint == "check the indentation and that a ':' inside a value is quoted"
    assert type(err) is GraderError


def test_tab_indentation_hint():
    err = error("a:\n\tb: 1\n")
    assert err.line == 2 and "tabs" in err.hint


def test_unclosed_quote_and_bracket():
    assert "quoted" in error('a: "x\nb: 2\n').hint
    assert error("a: [1, 2\nb: 3\n").line is not None


def test_several_documents_refused():
    err = error("a: 1\n---\nb: 2\n")
    assert err.line == 2 and "---" in err.hint


def test_undefined_alias():
    err = error("a: 1\nb: *nope\n")
    assert err.line == 2 and "alias" in err.message


def test_non_utf8_bytes_name_the_offset():
    err = error(b"a: 1\nb: caf\xe9\n")
    assert "not valid UTF-8" in err.message
    assert "byte 0xe9 at byte offset 11" in err.message
    assert err.line == 2 and "UTF-8" in err.hint
    err = error(b"\xef\xbb\xbfa: 1\nb: caf\xe9\n")  # offsets count the BOM
    assert "byte 0xe9 at byte offset 14" in err.message and err.line == 2


def test_utf16_is_refused_with_a_hint():
    err = error("a: 1\n".encode("utf-16"))
    assert "UTF-16" in err.message and "UTF-8" in err.hint


def test_control_character_refused_with_line():
    err = error("a: 1\nb: x\x01y\n")
    assert err.line == 2 and "U+0001" in err.message


def test_unpaired_surrogate_in_str():
    err = error("a: 1\nb: \udcff\n")
    assert err.line == 2


@pytest.mark.parametrize(
    "text",
    [
        "!!python/object/apply:os.system ['echo hi']",
        "a: !!python/object/apply:subprocess.check_output [['ls']]",
        "a: !!python/name:os.system ''",
        "a: !!python/tuple [1, 2]",
        "a: !custom 1",
        "a: !!binary aGVsbG8=",
        "a: !!set {x, y}",
        "a: !!omap [{a: 1}]",
        "a: !!str {x: 1}",
    ],
)
def test_non_standard_tags_refused(text):
    err = error(text)
    assert "tag" in err.message or "binary" in err.message
    assert err.line == 1 and err.hint


def test_python_tag_is_not_executed(tmp_path):
    marker = tmp_path / "pwned"
    text = f"a: !!python/object/apply:os.system ['touch {marker}']\n"
    with pytest.raises(GraderError):
        load_yaml_text(text)
    assert not marker.exists()
    # the same text does run with an unsafe loader: the test is meaningful
    yaml.unsafe_load(text)
    assert marker.exists()


def test_explicit_standard_tags():
    doc = load("a: !!int '12'\nb: !!float '0.1'\nc: !!bool 'yes'\nd: !!null ''\ne: !!str 1.0\n")
    assert doc.data == {"a": 12, "b": Decimal("0.1"), "c": True, "d": None, "e": "1.0"}
    err = error("a: !!int abc\n")
    assert "not a valid integer" in err.message and err.path == "a"
    assert "not a valid number" in error("a: !!float abc\n").message


# ------------------------------------------------------------------------------------------------- merge keys


def test_merge_keys():
    doc = load(
        """\
        base: &base {x: 1, y: 2}
        extra: &extra {y: 20, z: 30}
        one:
          <<: *base
          y: 3
        two:
          <<: [*base, *extra]
          w: 0
        """
    )
    assert doc.data["one"] == {"x": 1, "y": 3}
    assert doc.data["two"] == {"x": 1, "y": 2, "z": 30, "w": 0}
    assert doc.lines[("one", "y")] == 5
    assert doc.lines[("one", "x")] == 1  # where the merged value was written


def test_merge_of_a_scalar_is_refused():
    err = error("a: 1\nb:\n  <<: 3\n")
    assert "merge" in err.message and err.line == 3


def test_duplicate_key_inside_merge_source():
    err = error("b: &b {x: 1}\nc:\n  <<: *b\n  y: 1\n  y: 2\n")
    assert "duplicate key 'y'" in err.message


# ------------------------------------------------------------------------------------------------- limits


def billion_laughs(levels: int = 9) -> str:
    lines = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels + 1):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_refused_within_the_node_budget(monkeypatch):
    # No clock: the work done is counted. Every node the builder constructs (values, keys, merged pairs) adds one to
    # its count; the bomb expands to about 9**10 nodes, and the loader must stop at the first one past the budget.
    builders = []

    class Counting(yamlio._Builder):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            builders.append(self)

    monkeypatch.setattr(yamlio, "_Builder", Counting)
    with pytest.raises(LimitError) as info:
        load_yaml_text(billion_laughs())
    assert len(builders) == 1 and builders[0].count == DEFAULT_MAX_NODES + 1
    err = info.value
    assert "too many nodes" in err.message and "alias bomb" in err.message
    assert err.line is not None and err.hint


def test_aliases_count_every_expansion():
    text = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    assert load_yaml_text(text).data["b"][9] == list(range(1, 10))
    # 10 on the first line, 1 + 10 * 10 on the second, plus the keys and the root: about 114 nodes
    with pytest.raises(LimitError):
        load_yaml_text(text, max_nodes=100)


def test_max_nodes_on_a_wide_list():
    text = "[" + ", ".join(["1"] * 30_000) + "]"
    with pytest.raises(LimitError) as info:
        load_yaml_text(text)
    assert "too many nodes" in info.value.message


def test_aliased_values_are_separate_copies():
    doc = load_yaml_text("a: &a {x: [1]}\nb: *a\n")
    doc.data["a"]["x"].append(2)
    assert doc.data["b"] == {"x": [1]}


@pytest.mark.parametrize(
    "text",
    [
        "[" * 40 + "]" * 40,
        "{a: " * 40 + "1" + "}" * 40,
        "".join("  " * i + "k:\n" for i in range(40)) + "  " * 40 + "1\n",
        "- " * 40 + "x\n",
    ],
)
def test_deep_nesting_refused(text):
    with pytest.raises(LimitError) as info:
        load_yaml_text(text)
    assert "nesting deeper than 32" in info.value.message
    assert info.value.line is not None


def test_nesting_at_the_limit_is_fine():
    assert load_yaml_text("[" * 32 + "]" * 32).data is not None
    with pytest.raises(LimitError):
        load_yaml_text("[" * 33 + "]" * 33)
    assert load_yaml_text("[" * 33 + "]" * 33, max_depth=33).data is not None


def test_recursive_alias_refused():
    for text in ["a: &a [*a]\n", "a: &a {b: *a}\n", "a: &a {x: 1, <<: *a}\n"]:
        with pytest.raises(LimitError):
            load_yaml_text(text)


def test_very_deep_nesting_does_not_crash_the_interpreter():
    # libyaml's composer recurses on the C stack: this would kill the process if handed to it directly.
    code = (
        "from grader.yamlio import load_yaml_text\n"
        "from grader.errors import LimitError\n"
        "for t in ['[' * 500000 + ']' * 500000, '- ' * 300000 + 'x', '{a: ' * 200000]:\n"
        "    try:\n"
        "        load_yaml_text(t, max_depth=10**9)\n"
        "    except LimitError as e:\n"
        "        print('limit', e.line)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=os.getcwd()
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["limit", "1"] * 3


def test_size_limit_text():
    with pytest.raises(LimitError) as info:
        load_yaml_text("a: " + "x" * 2_000_000)
    assert "2,000,003 bytes" in info.value.message and "1,048,576" in info.value.message
    assert info.value.hint
    with pytest.raises(LimitError):
        load_yaml_text(b"a: 12345", max_bytes=5)
    with pytest.raises(LimitError):  # counted in UTF-8 bytes, not characters
        load_yaml_text("a: " + "η" * 600, max_bytes=1000)
    assert load_yaml_text("a: " + "η" * 400, max_bytes=1000).data["a"] == "η" * 400


def test_size_limit_file(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * (DEFAULT_MAX_BYTES + 10))
    with pytest.raises(LimitError) as info:
        load_yaml_file(path)
    assert info.value.file == str(path)
    assert f"{DEFAULT_MAX_BYTES + 13:,} bytes" in info.value.message


# ------------------------------------------------------------------------------------------------- files


def test_load_file(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(EXAMPLE, encoding="utf-8")
    doc = load_yaml_file(path)
    assert doc.source == str(path)
    assert doc.data["answers"]["o1"] == Decimal("1.0")
    assert load_yaml_file(str(path)).data == doc.data


def test_errors_name_the_file(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("a: 1\na: 2\n")
    with pytest.raises(GraderError) as info:
        load_yaml_file(path)
    assert info.value.file == str(path) and info.value.line == 2


@pytest.mark.parametrize("kind", ["missing", "directory"])
def test_unreadable_file(tmp_path, kind):
    path = tmp_path / "nope.yaml"
    if kind == "directory":
        path.mkdir()
    with pytest.raises(GraderError) as info:
        load_yaml_file(path)
    assert info.value.message.startswith("cannot read file:")
    assert info.value.file == str(path) and info.value.hint


# ------------------------------------------------------------------------------------------------- robustness

_YAMLISH = st.lists(
    st.sampled_from(
        list("ab01.-_:,[]{}&*!|>'\"#?%@`~<= \t\n\r")
        + ["η", "\x00", "\ufeff", "!!int ", "!!float ", "!!python/object ", "<<: ", "&a ", "*a", "- ", "\n  ", "0x", ".inf"]
    ),
    max_size=60,
).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_YAMLISH)
def test_any_text_gives_a_document_or_a_grader_error(text):
    try:
        doc = load_yaml_text(text)
    except GraderError as e:
        assert e.message and e.file == "<string>"
        return
    assert isinstance(doc, Document)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=120))
def test_any_bytes_give_a_document_or_a_grader_error(data):
    try:
        load_yaml_text(data)
    except GraderError:
        pass


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
        max_leaves=20,
    )
)
def test_agrees_with_safe_load_on_dumped_data(value):
    text = yaml.safe_dump({"v": value})
    expected = yaml.safe_load(text)
    try:
        doc = load_yaml_text(text)
    except GraderError as e:
        # only our stricter rules may refuse what PyYAML reads: keys that become equal as text, or depth
        assert "duplicate key" in e.message or "nesting" in e.message
        return
    assert doc.data == expected


# ---------------------------------------------------------------------------------------------- tag resolution
# yamlio composes with its own loader, whose ``resolve`` skips PyYAML's path-resolver machinery: it must give every
# node the tag yaml.SafeLoader's resolver gives it (the oracle), for YAML 1.1's oddities too.

_ODD_SCALARS = [
    "", "~", "null", "Null", "NULL", "nULL", "yes", "Yes", "YES", "yEs", "no", "No", "NO", "y", "n", "on", "On", "ON",
    "off", "Off", "OFF", "true", "True", "TRUE", "tRUE", "false", "False", "FALSE", "0x1F", "0X1f", "0x", "0o17", "017",
    "08", "0b101", "0b", "-0b11", "+12", "-0", "0", "00", "1_000", "1__0", "_1", "1_000.5", "1e3", "1E3", "1e+3",
    "1.5e3", "1.5e+3", "1.5E-03", "1.e-3", ".5", "-.5", "+.5", "0.", ".", "-", "+", ".inf", "-.inf", "+.INF", ".Inf",
    ".iNf", ".nan", ".NaN", ".NAN", "-.nan", "1:30", "-1:30", "1:60", "1:30.5", "190:20:30.15", "1::2", "2002-12-14",
    "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5", "2001-12-14T21:59:43Z", "2001-1-1", "20011-12-14",
    "=", "==", "<<", "<", "<<<", "0.5\n", "1.0 ", " 1.0", "z1", "h1", "value", "0.000269051", "-1.0261254e-05",
    "\u0661", "1\u0661", "٣.٥", "１２", "0.5 # c", "t1", "o1", "name", "1.0e99999999999999999999", "1.0e-9999999",
]


def _tags(text: str, loader) -> list:
    out, stack = [], [yaml.compose(text, Loader=loader)]
    while stack:
        node = stack.pop()
        out.append((type(node).__name__, node.tag, node.value if isinstance(node.value, str) else None))
        if isinstance(node, yaml.MappingNode):
            stack.extend(x for pair in node.value for x in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return out


@pytest.mark.parametrize("value", _ODD_SCALARS)
def test_resolve_is_the_safe_loaders(value):
    oracle = yaml.SafeLoader("")
    ours = yamlio._Loader("")
    for kind in (yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode):
        for implicit in ((True, False), (False, True), (False, False), (True, True)):
            if kind is not yaml.ScalarNode:
                implicit = implicit[0]
            assert ours.resolve(kind, value, implicit) == oracle.resolve(kind, value, implicit), (kind, value, implicit)


@pytest.mark.parametrize("value", _ODD_SCALARS)
def test_composed_tags_are_the_safe_loaders(value):
    text = "a: [{%s: b}, !!str x, ! y]\nb: &x\n  c: %s\n  'd': \"%s\"\ne: *x\n" % (
        yaml.safe_dump(value).removesuffix("\n...\n").strip() if value.strip() != value or not value else value,
        value if value.strip() == value and value and "#" not in value else "q", "q")
    try:
        expected = _tags(text, yaml.SafeLoader)
    except yaml.YAMLError:
        return
    assert _tags(text, yamlio._Loader) == expected


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet="0123456789._:+-eExXoObBaAfFnNiIlLuUsStTrRyY~=<,# \t", max_size=14))
def test_resolve_is_the_safe_loaders_on_random_scalars(value):
    oracle = yaml.SafeLoader("")
    assert yamlio._Loader("").resolve(yaml.ScalarNode, value, (True, False)) == oracle.resolve(
        yaml.ScalarNode, value, (True, False))


@settings(max_examples=300)
@given(st.one_of(st.from_regex(r"\A[-+]?(?:[0-9_]{1,12}\.?[0-9_]{0,12}|\.[0-9_]{1,9})(?:[eE][-+]?[0-9]{1,4})?\Z"),
                 st.sampled_from(_ODD_SCALARS)))
def test_plain_floats_are_what_yaml_float_makes(text):
    # The builder reads a plainly written float directly; the oracle is the full _yaml_float (or its refusal).
    try:
        expected = ("ok", yamlio._yaml_float(text))
    except (ValueError, ArithmeticError):
        expected = ("error", None)
    try:
        doc = load_yaml_text(f"a: !!float '{text}'\n")
        got = ("ok", doc.data["a"])
    except GraderError:
        got = ("error", None)
    if len(text) > 1000:
        return
    assert got[0] == expected[0] and (got[0] == "error" or (str(got[1]) == str(expected[1])))


@pytest.mark.parametrize("text", ["1.0e99999999999999999999", "1.0e+99999999999999999999", "-1e-99999999999999999999",
                                  "1.0e999999", "1.0e-999999", "0.5", "-0.0", "+1.", ".5e3", "1_0.5", "1:30.5"])
def test_floats_written_plainly_or_not(text):
    try:
        expected = ("ok", str(yamlio._yaml_float(text)))
    except (ValueError, ArithmeticError):
        expected = ("error", None)
    for written in (f"a: !!float '{text}'\n", f"a: {text}\n"):
        try:
            doc = load_yaml_text(written)
        except GraderError:
            assert expected[0] == "error"
        else:
            if isinstance(doc.data["a"], Decimal):
                assert ("ok", str(doc.data["a"])) == expected


@pytest.mark.parametrize("codec, says", [("utf-16", "UTF-16"), ("utf-16-be", None), ("utf-32", "UTF-32"),
                                         ("utf-32-be", None)])
def test_a_file_in_utf16_or_utf32_is_named_by_its_encoding(codec, says):
    text = "problem: exercise6\n"
    data = text.encode(codec)
    if says is None:  # the big-endian codecs write no byte order mark: add it as editors do
        data = ("\ufeff" + text).encode(codec)
        says = codec[:6].upper()
    with pytest.raises(GraderError) as err:
        yamlio.load_yaml_text(data, source="s.yaml")
    assert f"the file is {says} encoded, not UTF-8" in str(err.value)
