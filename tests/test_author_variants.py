"""Per-student variants: deterministic values from (problem id, student id), constraints that hold, grading that
finds the student's own variant, rosters from CSV/Canvas/Moodle, and `grade variants`."""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path

import pytest

from grader.author.template import problem_template
from grader.author.variants import main as variants_main
from grader.author.variants import read_roster
from grader.solve.variant import variant_problem, violations
from grader.errors import GraderError, SpecError, SubmissionError
from grader.grade.pipeline import Grader
from grader.spec.tolerance import within
from grader.spec.variant import seed_of
from grader.solve.solver import solve
from grader.spec.load import BUNDLED_PROBLEMS, load_problem
from grader.yamlio import load_yaml_text

RANDOM = BUNDLED_PROBLEMS / "exercise6_random.yaml"
STUDENTS = [f"40022{k:04d}" for k in range(25)] + ["alice", "Bob Smith", "x@uni.edu"]


@pytest.fixture(scope="module")
def problem():
    return load_problem(RANDOM)


def test_the_same_id_gives_the_same_values(problem):
    a = variant_problem(problem, "400222100")
    b = variant_problem(load_problem(RANDOM), "400222100")
    assert a.values == b.values and a.attempt == b.attempt
    assert a.seed == seed_of("exercise6_random", "400222100")
    assert a.problem.variant == "400222100"


def test_different_ids_give_different_values(problem):
    values = [tuple(sorted(variant_problem(problem, s).values.items())) for s in STUDENTS]
    assert len(set(values)) == len(values)


def test_values_are_on_their_grids_and_everything_given_is_randomized_as_declared(problem):
    for s in STUDENTS[:10]:
        v = variant_problem(problem, s)
        assert set(v.values) == {"i1", "i2", "t1", "t2", "w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8"}
        for name, x in v.values.items():
            lo, step = (Fraction(-1), Fraction(1, 20)) if name.startswith("w") else \
                (Fraction(1, 20), Fraction(1, 20))
            hi = {"w": 1, "i": 1, "t": Fraction(19, 20)}[name[0]]
            assert lo <= x <= hi and (x - lo) % step == 0 and x != 0
        given = v.problem.given_values()
        assert {k: given[k] for k in v.values} == v.values
        assert given["b1"] == Fraction(7, 20) and given["eta"] == Fraction(3, 10)  # not randomized


def test_every_variant_meets_the_constraints(problem):
    for s in STUDENTS:
        key = solve(variant_problem(problem, s).problem)
        assert violations(key) == []
        for name, node in key.graph.nodes.items():
            if node.kind == "activation":
                o = key.floats[name]
                assert o * (1 - o) >= 1e-3  # no saturated sigmoid
        for ask in key.problem.ask:
            true = float(key.change(ask.quantity)) if key.node(ask.quantity).kind == "new" else key.floats[ask.quantity]
            assert true != 0 and not within(0.0, true, ask.tolerance)  # 0 / no update never passes


def test_constraints_reject_draws_and_the_next_attempt_is_taken(tmp_path: Path):
    """Weights in [-30, 30] saturate most draws: the chosen variant is a later attempt that does not."""
    text = RANDOM.read_text().replace("weights: {min: -1, max: 1, step: 0.05}", "weights: {min: -30, max: 30, step: 1}")
    path = tmp_path / "wide.yaml"
    path.write_text(text)
    wide = load_problem(path)
    later = 0
    for s in STUDENTS:
        v = variant_problem(wide, s)
        assert violations(solve(v.problem)) == []
        later += v.attempt > 0
    assert later > len(STUDENTS) // 2


def test_no_variant_within_the_attempts_is_an_error(tmp_path: Path):
    text = RANDOM.read_text().replace("weights: {min: -1, max: 1, step: 0.05}", "weights: {min: 40, max: 50, step: 1}")
    text = text.replace("attempts: 200", "attempts: 5")
    path = tmp_path / "sat.yaml"
    path.write_text(text)
    with pytest.raises(SpecError, match="no variant .* met the constraints in 5 attempts.*no_saturation"):
        variant_problem(load_problem(path), "1")


@pytest.mark.parametrize("snippet, message", [
    ("randomize: {w9: {min: 0, max: 1, step: 0.1}}", "'w9' is not a given value"),
    ("randomize: {w1: {min: 0, max: 1, step: 0}}", "step must be positive"),
    ("randomize: {w1: {min: 1, max: 0, step: 0.1}}", "max is below min"),
    ("randomize: {learning_rate: {min: 0, max: 1, step: 0.1}}", "learning rate must stay positive"),
])
def test_randomize_errors_are_located(tmp_path: Path, snippet: str, message: str):
    base = (BUNDLED_PROBLEMS / "exercise6.yaml").read_text()
    path = tmp_path / "p.yaml"
    path.write_text(base + snippet + "\n")
    with pytest.raises(SpecError, match=message) as err:
        load_problem(path)
    assert err.value.line is not None and err.value.path.startswith("randomize")


def test_a_problem_without_randomize_is_unchanged():
    p = load_problem(BUNDLED_PROBLEMS / "exercise6.yaml")
    assert p.randomize is None and p.variant is None


def _filled(problem, student: str, key_of) -> str:
    key = solve(variant_problem(problem, key_of).problem)
    text = problem_template(problem, student_id=student, problem_ref="exercise6_random")
    for a in problem.ask:
        text = re.sub(rf"^(  {a.quantity}:)[ \t]+#.*$", rf'\1 "{key.decimal(a.quantity, 25)}"', text, flags=re.M)
    return text


def test_grading_uses_the_students_own_variant(problem, tmp_path: Path):
    grader = Grader()
    own = tmp_path / "own.yaml"
    own.write_text(_filled(problem, "400220001", "400220001"))
    other = tmp_path / "other.yaml"
    other.write_text(_filled(problem, "400220001", "400220002"))  # another student's key
    r = grader.grade_file(own)
    assert r.score == r.max_score == 24 and {f.verdict for f in r.fields} == {"correct"}
    r2 = grader.grade_file(other)
    assert r2.score < r2.max_score / 2
    # and the other student gets full marks with their own key, from the same Grader (cached per student)
    mine = tmp_path / "mine.yaml"
    mine.write_text(_filled(problem, "400220002", "400220002"))
    assert grader.grade_file(mine).score == 24


def test_a_randomized_problem_needs_the_student_id(tmp_path: Path):
    sub = tmp_path / "anon.yaml"
    sub.write_text("problem: exercise6_random\nanswers: {z1: 1}\n")
    with pytest.raises(SubmissionError, match="own values.*student's id") as err:
        Grader().grade_file(sub)
    assert err.value.path == "student.id"


# --- rosters ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("id,name\n400222100,Reza Mosavi\n7,Ada\n", [("400222100", "Reza Mosavi"), ("7", "Ada")]),
    ("\ufeffStudent,ID,SIS User ID,SIS Login ID,Section,HW1 (123)\n    Points Possible,,,,,10\n"
     "\"Doe, Jane\",12345,s1,jdoe,A,\n\"Roe, Rick\",12346,s2,rroe,A,\n",
     [("12345", "Doe, Jane"), ("12346", "Roe, Rick")]),
    ("Identifier,Full name,Email address,Status\nParticipant 1234567,Jane Doe,jane@uni.edu,Submitted\n",
     [("Participant 1234567", "Jane Doe")]),
    ("First name,Surname,Email address\nJane,Doe,jane@uni.edu\n", [("jane@uni.edu", "Jane Doe")]),
    ("id,name\n\n ,nobody\n9,\n", [("9", None)]),
])
def test_rosters(tmp_path: Path, text: str, expected):
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    assert [(e.id, e.name) for e in read_roster(path)] == expected


def test_a_roster_needs_an_id_column_and_unique_ids(tmp_path: Path):
    path = tmp_path / "r.csv"
    path.write_text("who,what\na,b\n")
    with pytest.raises(GraderError, match="no id column"):
        read_roster(path)
    path.write_text("id,name\n1,a\n1,b\n")
    with pytest.raises(GraderError, match="appears twice"):
        read_roster(path)


def test_grade_variants_writes_each_students_files(tmp_path: Path, problem, capsys):
    roster = tmp_path / "roster.csv"
    roster.write_text("Student,ID\n\"Doe, Jane\",12345\nBob,9/9\n")
    out = tmp_path / "out"
    assert variants_main([str(RANDOM), "--roster", str(roster), "--out", str(out)]) == 0
    said = capsys.readouterr()
    assert said.out == ""  # what it wrote is said on stderr, every file of it
    assert said.err == (f"wrote 2 variants of exercise6_random: statement.md, template.yaml and variant.json in "
                        f"{out}/<folder>/ for each of the 2 students (the folders are listed in the index); and the "
                        f"index {out / 'index.csv'}\n")
    assert sorted(p.name for p in out.iterdir()) == ["12345", "9_9", "index.csv"]
    v = variant_problem(problem, "12345")
    data = json.loads((out / "12345" / "variant.json").read_text())
    assert data["student"] == {"id": "12345", "name": "Doe, Jane"} and data["attempt"] == v.attempt
    assert {k: Fraction(x) for k, x in data["values"].items() if k in v.values} == v.values
    statement = (out / "12345" / "statement.md").read_text()
    assert "{{" not in statement and "| `w1` |" in statement
    assert f"w_1 = {data['values']['w1']}$" in statement  # the placeholder has the student's value
    template = load_yaml_text((out / "12345" / "template.yaml").read_text()).data
    assert template["student"]["id"] == "12345" and template["problem"] == "exercise6_random"
    index = (out / "index.csv").read_text().splitlines()
    assert index[0] == "id,name,folder,attempt" and index[2].startswith("9/9,Bob,9_9,")
    # regenerating writes the same files; one student's folder is named
    first = (out / "12345" / "variant.json").read_bytes()
    (tmp_path / "one.csv").write_text("Student,ID\nBob,9/9\n")
    assert variants_main([str(RANDOM), "--roster", str(tmp_path / "one.csv"), "--out", str(tmp_path / "one")]) == 0
    assert capsys.readouterr().err == (f"wrote 1 variant of exercise6_random: statement.md, template.yaml and "
                                       f"variant.json in {tmp_path / 'one' / '9_9'}/; and the index "
                                       f"{tmp_path / 'one' / 'index.csv'}\n")
    assert variants_main([str(RANDOM), "--roster", str(roster), "--out", str(out)]) == 0
    assert (out / "12345" / "variant.json").read_bytes() == first


def test_grade_variants_refuses_a_problem_without_randomize(tmp_path: Path):
    roster = tmp_path / "r.csv"
    roster.write_text("id\n1\n")
    with pytest.raises(SpecError, match="no randomize"):
        variants_main(["exercise6", "--roster", str(roster), "--out", str(tmp_path / "o")])
