"""``grader.parse.braces``: the splitter at a separator outside brace groups and the end of a brace group, which the
vector reader, the align columns, the report's worked formulas and the write-up's author share."""

from __future__ import annotations

from grader.parse.braces import group_end, split_top


def test_split_top_cuts_only_outside_braces_and_never_at_an_escape():
    assert split_top("a & {b & c} & d", "&") == ["a ", " {b & c} ", " d"]
    assert split_top(r"a \& b & c", "&") == [r"a \& b ", " c"]
    assert split_top(r"1 \\ 2 \\[2pt] {3 \\ 4}", "\\\\") == ["1 ", " 2 ", "[2pt] {3 \\\\ 4}"]
    assert split_top(r"\{ a = b", "=") == [r"\{ a ", " b"]  # an escaped brace is no group
    assert split_top(r"\{ a = b", "=", escapes=False) == [r"\{ a = b"]  # (the report's own formulas: as written)
    assert split_top("", "&") == [""]


def test_group_end_finds_the_closing_brace_within_its_limit():
    text = r"\author{Ana {R.} Ruiz} rest"
    start = text.index("{") + 1
    assert text[start:group_end(text, start, len(text))] == "Ana {R.} Ruiz"
    assert group_end(text, start, start + 5) is None  # not closed within the limit
    assert group_end(r"{a \} b}", 1, 8) == 7  # an escaped brace is none
