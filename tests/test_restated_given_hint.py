"""A given parameter answered with another value, ``w46: -0.261``, as Han & Kamber's table of new weights writes it,
is flagged ``wrong_given`` (w46 is given as -0.3). Where the parameter's update is asked, the flag now says how to
name the update. Whether it says so follows from the problem's names and where the value was written, never from
the value: a value used in a formula (the seed's invented weights) gets no such hint."""

from __future__ import annotations

from pathlib import Path

from grader.grade.pipeline import Grader

HINT = "If you meant w46 after the update, name it as the update: w46_new (w46 itself is given)."


def grade(tmp_path, name: str, text: str, problem: str = "han_kamber_321"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return Grader(problem=problem).grade_file(path)


def test_a_given_answered_with_its_updates_value_is_told_how_to_name_it(tmp_path):
    yaml = 'problem: han_kamber_321\nstudent: {id: "400111222", name: Li Wei}\nanswers:\n  w46: -0.261\n'
    md = "# Li Wei, 400111222\n\n$w_{46} = -0.261$\n"
    for result in (grade(tmp_path, "a.yaml", yaml), grade(tmp_path, "a.md", md)):
        (flag,) = [f for f in result.flags if f.kind == "wrong_given"]
        assert flag.quantity == "w46" and flag.message.endswith(HINT)


def test_no_hint_for_a_given_without_an_asked_update_or_a_value_used_in_a_formula(tmp_path):
    yaml = 'problem: han_kamber_321\nstudent: {id: "400111222", name: Li Wei}\nanswers:\n  T6: 0.9\n  x1: 2\n'
    flags = grade(tmp_path, "b.yaml", yaml).flags
    assert {f.quantity for f in flags if f.kind == "wrong_given"} == {"T6", "x1"}
    assert not any("name it as the update" in f.message for f in flags)
    seed_text = (Path(__file__).resolve().parent.parent / "submissions_examples" / "exercise6_seed.md").read_text(
        encoding="utf-8")
    seed = grade(tmp_path, "seed.md", seed_text, "exercise6")
    assert [f.quantity for f in seed.flags if f.kind == "wrong_given"]  # the seed's invented weights
    assert not any("name it as the update" in f.message for f in seed.flags)
