"""Values said in words (``grader.submission.phrases``): "h1 is 0.5933", "the net input of h1 is 0.3775", "the
output of $o_1$ is approximately 0.75". A write-up that explains its answers in sentences had them read as nothing
(right work marked "missing"). A phrase is read only where what it names is certain: never "the derivative of h1
is ...", "if o2 is ...", "h1 is 0.5 times h2". Values from the textbook formulas in mpmath (``tests/textbook.py``)."""

from __future__ import annotations

import pytest

from grader.errors import LimitError

from grader.grade.pipeline import Grader
from textbook import CLASSIC, CLASSIC_NETS, EX6, sig, textbook

C = textbook(CLASSIC, CLASSIC_NETS)
V = textbook(EX6)


def grade(tmp_path, text: str, problem: str = "classic_222", suffix: str = ".md"):
    path = tmp_path / f"work{suffix}"
    path.write_text(text, encoding="utf-8")
    return Grader(problem=problem).grade_file(path)


def read(result) -> dict[str, tuple[str, float]]:
    return {f.quantity: (f.verdict, f.given) for f in result.fields if f.verdict != "missing"}


@pytest.mark.parametrize("suffix", [".md", ".txt"])
def test_values_said_in_sentences_are_read(tmp_path, suffix):
    s = lambda q: sig(C[q], 10)  # noqa: E731
    text = (f"# Sam Park, 400111222\n\n"
            f"First the net input of h1 is {s('net_h1')}, and the output of h1 is {s('h1')}.\n"
            f"Then h2 is {s('h2')} (rounded to ten digits).\n"
            f"So o1 equals {s('o1')}.\n"
            f"net o2 is {s('net_o2')}\n"
            f"The delta of o1 is approximately {s('delta_o1')} here.\n")
    r = grade(tmp_path, text, suffix=suffix)
    got = read(r)
    assert {q: v for q, (v, _) in got.items()} == {q: "correct" for q in ("net_h1", "h1", "h2", "o1", "net_o2",
                                                                            "delta_o1")}, got
    assert r.field("h1").source == "line 3" and r.field("net_o2").source == "line 6"


def test_an_inline_name_and_a_value_said_after_it(tmp_path):
    s = lambda q: sig(C[q], 10)  # noqa: E731
    text = (f"The output of $o_1$ is approximately {s('o1')}, and $h_2$ is {s('h2')}.\n\n"
            f"The net input of $h_{{1}}$ is {s('net_h1')} here.\n")
    got = read(grade(tmp_path, text))
    assert got == {"o1": ("correct", float(s("o1"))), "h2": ("correct", float(s("h2"))),
                   "net_h1": ("correct", float(s("net_h1")))}
    tex = "\\begin{document}\n" + text + "\\end{document}\n"
    assert read(grade(tmp_path, tex, suffix=".tex")) == got


def test_the_kind_in_words_names_the_quantity_in_each_naming(tmp_path):
    """Exercise 6 names the net input z1 and the output h1: "the net input of h1" is z1 there."""
    text = (f"The net input of h1 is {sig(V['z1'], 6)}, so the output of h1 is {sig(V['h1'], 6)}.\n"
            f"Then z2 is {sig(V['z2'], 6)}.\n")
    got = read(grade(tmp_path, text, problem="exercise6"))
    assert {q: v for q, (v, _) in got.items()} == {"z1": "correct", "h1": "correct", "z2": "correct"}, got


def test_an_update_said_in_words_is_the_updated_parameter(tmp_path):
    s = lambda q: sig(C[q], 10)  # noqa: E731
    text = (f"The updated weight w5 is {s('w5_new')}.\nThe new value of w6 is {s('w6_new')}.\n"
            f"w7 after the update is {s('w7_new')}, and the new w8 is {s('w8_new')}.\n"
            f"The updated weight $w_1$ is {s('w1_new')}.\nSo the value of the new w2 is {s('w2_new')}.\n")
    got = read(grade(tmp_path, text))
    assert {q: v for q, (v, _) in got.items()} == {f"w{k}_new": "correct" for k in (1, 2, 5, 6, 7, 8)}, got


@pytest.mark.parametrize("sentence", [
    "The derivative of h1 is 0.2413.",        # of: a part of something else
    "If o2 is 0.9 we would be done.",         # a supposition
    "The error of o1 is 0.2748.",
    "The net input h2 is 0.3925.",            # the words before make it another quantity
    "The change in w5 is 0.08.",
    "h1 is 0.5 times h2.",                    # the number does not end the clause
    "h1 is 0,5933.",
    "h1 is not 0.6.",
    "w5 is 0.3589 after the update.",         # words after it that change what it is
    "If the new w5 is 0.35, we overshoot.",   # a supposition before an update in words
    "Suppose w6 after the update is 0.4.",
    "When the output of o1 is 0.9, we stop.", # ... before a kind in words
    "The derivative of the net input of h1 is 0.24.",  # a part of something else
    "h1 is 59%.",
    "This is 0.5933.",                        # no quantity
])
def test_phrases_that_state_no_value_of_the_quantity_are_not_read(tmp_path, sentence):
    assert read(grade(tmp_path, sentence + "\n")) == {}


def test_a_phrase_is_one_more_written_value_for_the_flags(tmp_path):
    """A given said with another value is a wrong_given flag, as ``w5 = 4`` is; said with its own, nothing."""
    r = grade(tmp_path, "Here w5 is 4, and w6 is 0.45.\n")
    flags = [(f.kind, f.quantity) for f in r.flags]
    assert flags == [("wrong_given", "w5")]
    assert "stated on line 1" in r.flags[0].message


@pytest.mark.parametrize("text", ["h1 is 0.5, " * 150_000, "$h_1$ is 0.5, " * 100_000, "h1 is 0.59\n" * 150_000])
def test_a_flood_of_phrases_stops_at_the_row_limit(text):
    with pytest.raises(LimitError, match="rows of math"):
        Grader(problem="classic_222").grade_writeup(text[:2_000_000], "md", "flood.md")


def test_more_ways_of_saying_a_value(tmp_path):
    """"is equal to", "is found to be", "works out to be", "turns out as", "evaluates to", and "the value of o2 is":
    before, each such sentence was dropped without a word. "If the value of o1 is ..." stays a supposition."""
    s = lambda q: sig(C[q], 10)  # noqa: E731
    text = (f"net_h1 is equal to {s('net_h1')}.\nh1 is found to be {s('h1')}.\nnet_h2 works out to be {s('net_h2')}.\n"
            f"h2 turns out as {s('h2')}.\nnet_o1 evaluates to {s('net_o1')}.\nThe value of o2 is {s('o2')}.\n"
            "If the value of o1 is 0.9, the error is 0.\n")
    got = read(grade(tmp_path, text))
    assert {q: v for q, (v, _) in got.items()} == {q: "correct" for q in ("net_h1", "h1", "net_h2", "h2", "net_o1",
                                                                            "o2")}, got
