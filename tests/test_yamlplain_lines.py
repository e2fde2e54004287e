"""The plain reader's remembered lines (``grader.yamlplain._LINES``) change nothing: a line reads the same from the
cache as parsed afresh, the quick split of a flow mapping without quotes gives the items ``_FLOW_ITEM`` gives, and
the cache stays bounded."""

from __future__ import annotations

from grader import yamlplain
from grader.yamlio import load_yaml_text

FLOWS = [
    "{a: 1}",
    "{ a: 1 }",
    "{a: 1,b: 2}",
    "{a:   1 ,  b: x y ,c: -0.5e-3}",
    "{o1: 0.0003, t1: 0.9}",
    "{h1: 0.999988, h2: 0.999999, w5: 40, w6: 45, b2: 0.60}",
    "{x: (1+2)/3, y: ~, z: a.b_c}",
]


def _regex_items(value: str) -> list:
    items, pos, end = [], len(value) - len(value[1:].lstrip(" ")), len(value) - 1
    while pos < end:
        item = yamlplain._FLOW_ITEM(value, pos, end)
        pos = item.end()
        items.append(item.groups())
    return items


def test_the_quick_split_of_a_flow_mapping_is_the_regex_s():
    for flow in FLOWS:
        line = f"  using: {flow}"
        assert yamlplain._LINE(line) is not None, line
        assert yamlplain._flow_items(flow) == _regex_items(flow), flow


def test_quoted_items_are_read_by_the_regex():
    flow = """{a: "x, y: z", b: 'p, q', c: 3}"""
    assert yamlplain._flow_items(flow) == [("a", '"x, y: z"'), ("b", "'p, q'"), ("c", "3")]


def test_a_line_reads_the_same_cached_or_not():
    text = ("# note\nproblem: exercise6\nstudent: {id: \"400\", name: Ann}\nanswers:\n  z1: -7.65   # c\n"
            "  h1:\n    value: 0.5\n    using: {z1: -7.65, w5: 40}\n\n  h2:\n")
    yamlplain._LINES.clear()
    fresh = load_yaml_text(text)
    cached = load_yaml_text(text)
    assert fresh == cached and fresh.lines == cached.lines and fresh.texts == cached.texts
    assert yamlplain._LINES  # (the second read came from the cache)


def test_the_cache_stays_bounded():
    for i in range(yamlplain._MAX_CACHED_LINES + 10):
        load_yaml_text(f"answers:\n  z{i}: {i}.5\n")
    assert len(yamlplain._LINES) <= yamlplain._MAX_CACHED_LINES
    long_line = "a: " + "x" * (yamlplain._MAX_CACHED_LINE + 1)
    assert load_yaml_text(long_line).data == {"a": "x" * (yamlplain._MAX_CACHED_LINE + 1)}
    assert long_line not in yamlplain._LINES
