"""The shortcuts of building a submission (issue 16), each held to the plain computation on generated submissions:
a value's text and reading (``parse_answer_text`` for ``parse_answer``, the number's text as written), and the names
resolved once per submission (``resolve_names``) against the resolver asked about every occurrence."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.errors import GraderError
from grader.parse.answer import parse_answer, parse_answer_text
from grader.submission.load import resolve_names, submission_from_document
from grader.yamlio import Document, load_yaml_text

ANSWER_TEXTS = st.one_of(
    st.sampled_from(["-7.65", " 0.35 ", "1/(1+exp(11.65))", "sigmoid(-11.65)", "0,35", "2.69·10⁻⁴", "1.2x10^-5", "",
                     "  ", "abc", "1e999999", "7/20", "\\frac{1}{2}", "$0.5$", "1" * 300, "((((1))))", "nan", "inf"]),
    st.text(max_size=30),
    st.text(alphabet="0123456789.-+eE/()^ x·⁻", max_size=20),
)


@settings(max_examples=500, deadline=None)
@given(ANSWER_TEXTS)
def test_parse_answer_text_is_parse_answer(text):
    assert parse_answer_text(text) == parse_answer(text)


NAMES = ["z1", "h1", "o1", "o2", "delta_o1", "w5", "w5_new", "eta", "t1", "net_{h1}", "out_{o1}", "δ_o2", "zz9",
         "w5'", "Δw5", "", "i1", "E", "z1 ", "Z1", "e", "dE/dw5"]
RAWS = st.one_of(
    st.sampled_from([Decimal("0.35"), Decimal("-7.650"), Decimal("1E+2"), 3, -15, 0, True, False, None, "x", " 1/2 ",
                     "-0.000269"]),
    st.decimals(allow_nan=False, allow_infinity=False, places=6),
    st.integers(-10**6, 10**6),
)


@st.composite
def documents(draw) -> Document:
    """A read submission's document: answers of plain values or {value, using}; numbers with and without their
    text as written in ``texts``; lines for some paths only."""
    answers: dict = {}
    lines: dict = {(): 1, ("problem",): 1, ("answers",): 2}
    texts: dict = {}
    number = 3
    for name in draw(st.lists(st.sampled_from(NAMES), max_size=8)):
        path = ("answers", name)
        if draw(st.booleans()):
            lines[path] = number
        number += 1

        def value(at: tuple):
            raw = draw(RAWS)
            if isinstance(raw, (Decimal, int)) and not isinstance(raw, bool) and draw(st.booleans()):
                texts[at] = draw(st.sampled_from([str(raw), f"{raw}", "1.50", "+3", "0x1F"]))
            if draw(st.booleans()):
                lines[at] = number
            return raw

        if draw(st.booleans()):
            answers[name] = value(path)
        else:
            using = {u: value(path + ("using", u)) for u in draw(st.lists(st.sampled_from(NAMES), max_size=4))}
            answers[name] = {"value": value(path + ("value",)), **({"using": using} if using else {})}
    return Document({"problem": "exercise6", "answers": answers}, "s.yaml", lines, texts)


def _expected_value(doc: Document, raw, path: tuple):
    """(text, parsed, line) of a value, computed plainly: the text as written (a number's from ``texts``)."""
    line = doc.lines.get(path)
    if raw is None:
        return None, None, line
    if isinstance(raw, str):
        text = raw
    else:
        text = doc.texts.get(path)
        text = text if text is not None else str(raw)
    return text, parse_answer(text), line


@settings(max_examples=400, deadline=None)
@given(documents())
def test_values_are_their_text_as_written_and_its_reading(doc):
    sub = submission_from_document(doc)
    answers = doc.data["answers"]
    assert list(sub.answers) == list(answers)
    for name, raw in answers.items():
        ans = sub.answers[name]
        path = ("answers", name)
        assert ans.line == doc.lines.get(path)
        if isinstance(raw, dict):
            got = ans.value
            assert (got.text, got.parsed, got.line) == _expected_value(doc, raw["value"], path + ("value",))
            assert list(ans.using) == list(raw.get("using", {}))
            for u, v in raw.get("using", {}).items():
                got = ans.using[u]
                assert (got.text, got.parsed, got.line) == _expected_value(doc, v, path + ("using", u))
        else:
            got = ans.value
            assert (got.text, got.parsed, got.line) == _expected_value(doc, raw, path)


@pytest.fixture(scope="module")
def resolver():
    from grader.grade.pipeline import Grader

    g = Grader(problem="exercise6")
    return g.plan_at(g.problem_for("exercise6")[0]).resolver


@settings(max_examples=300, deadline=None)
@given(documents())
def test_names_resolved_once_are_what_the_resolver_says_of_each(resolver, doc):
    """Against the resolver asked about every occurrence: the first answer of each quantity is kept under the
    problem's name, a `using` name that does not resolve is dropped, and each name that does not resolve (or answers a
    quantity again) is one issue, at its own path, in the order written."""
    sub = submission_from_document(doc)
    resolved, issues = resolve_names(sub, resolver, "exercise6")
    expected_answers: dict = {}
    expected_issues: list = []
    for key, ans in sub.answers.items():
        name = resolver.resolve(key).name
        if name is None:
            expected_issues.append(("answers", key))
            continue
        if name in expected_answers:
            expected_issues.append(("answers", key))
            continue
        using: dict = {}
        for u, val in ans.using.items():
            uname = resolver.resolve(u).name
            if uname is None:
                expected_issues.append(("answers", key, "using", u))
            elif uname not in using:
                using[uname] = val
        expected_answers[name] = (ans.value, using, ans.line)
    assert {q: (a.value, a.using, a.line) for q, a in resolved.answers.items()} == expected_answers
    assert list(resolved.answers) == list(expected_answers)
    assert [i.path for i in issues] == expected_issues
    assert [i.line for i in issues] == [doc.line_of(p) for p in expected_issues]


def test_a_name_that_repeats_in_using_is_reported_at_each_place(resolver):
    text = ("problem: exercise6\nanswers:\n  o1:\n    value: 0.5\n    using: {zz9: 1, z3: 2}\n"
            "  o2:\n    value: 0.5\n    using: {zz9: 3}\n")
    sub = submission_from_document(load_yaml_text(text))
    resolved, issues = resolve_names(sub, resolver, "exercise6")
    assert [(i.path, i.line) for i in issues] == [(("answers", "o1", "using", "zz9"), 5),
                                                   (("answers", "o2", "using", "zz9"), 8)]
    assert list(resolved.answers["o1"].using) == ["z3"]


def test_a_list_or_a_mapping_as_a_value_is_still_refused_with_its_line():
    with pytest.raises(GraderError) as e:
        submission_from_document(load_yaml_text("problem: exercise6\nanswers:\n  z1:\n    - 0.45\n"))
    assert e.value.line == 3 and "- 0.45" in e.value.hint
    with pytest.raises(GraderError) as e:
        submission_from_document(load_yaml_text("problem: exercise6\nanswers:\n  z1: {value: [1, 2]}\n"))
    assert "not a list" in e.value.message and e.value.line == 3


def test_a_fraction_or_a_float_value_is_read_as_before():
    """Values a document built elsewhere may hold (not YAML's types): the general path, as ``parse_answer`` reads them."""
    doc = Document({"problem": "p", "answers": {"a": Fraction(1, 3), "b": 0.25}}, "s", {}, {})
    sub = submission_from_document(doc)
    assert sub.answers["a"].value.parsed == parse_answer(str(Fraction(1, 3)))
    assert sub.answers["b"].value.text == "0.25"
    assert dataclasses.asdict(sub.answers["b"].value)["text"] == "0.25"


def test_every_exact_name_resolves_to_itself(resolver):
    """``Resolver.exact``, which ``resolve_names`` takes as resolved without asking: what ``resolve`` says."""
    from grader.spec.resolverstate import from_state, state

    assert resolver.exact and resolver.exact == frozenset(resolver.names)
    for name in resolver.exact:
        assert resolver.resolve(name).name == name
    assert from_state(state(resolver)).exact == resolver.exact  # a resolver read back from the plan cache too
