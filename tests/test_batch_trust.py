"""In a batch the instructor decides the key and the LMS decides who a file belongs to (issue 10, items 1 and 2 for
``grade batch``): regression tests of each reproduction, through the real CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from grader.cli import main as cli_main

REPO = Path(__file__).resolve().parent.parent
SEED = (REPO / "submissions_examples" / "exercise6_seed.yaml").read_text(encoding="utf-8")
SEED_STUDENT = 'student: {id: "400222100", name: Reza Mosavi}'
CLASSIC = REPO / "problems" / "classic_222.yaml"


def rows_of(out: Path) -> dict[str, dict]:
    return {e["file"]: e for e in json.loads((out / "grades.json").read_text(encoding="utf-8"))["files"]}


def everything_written(out: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(out.rglob("*")) if p.is_file()
                     and p.suffix in (".csv", ".json", ".jsonl", ".html", ".md"))


def key_answers(problem: str, student: str | None = None) -> dict[str, float]:
    """The right answers of ``problem`` (the variant of ``student``): the values every asked quantity has."""
    from grader.grade.pipeline import Grader
    from grader.spec.find import find_problem

    plan = Grader().plan_at(find_problem(problem), student)
    return {a.quantity: plan.key.floats[a.quantity] for a in plan.problem.ask}


def submission(problem: str, answers: dict[str, float], sid: str | None = None, name: str = "A Student") -> str:
    lines = [f"problem: {problem}"]
    if sid is not None:
        lines.append(f'student: {{id: "{sid}", name: {name}}}')
    lines.append("answers:")
    lines += [f"  {q}: {v!r}" for q, v in answers.items()]
    return "\n".join(lines) + "\n"


def batch(src: Path, out: Path, *args: str) -> int:
    return cli_main(["batch", str(src), "--out", str(out), "--no-progress", "--jobs", "2", *args])


def test_batch_without_the_instructors_problem_is_refused(tmp_path, capsys):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.yaml").write_text(SEED, encoding="utf-8")
    assert batch(src, tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert "--problem PROBLEM" in err and "--problems DIR" in err and "only a claim" in err


def test_a_claimed_problem_never_decides_the_key(tmp_path):
    """Issue 10: `problem: classic_222` with its answers scored 27/27 and raised "Points Possible" for the class;
    `problem:` naming a system file quoted it in the student's feedback; an uploaded problem file was the key."""
    src = tmp_path / "in"
    src.mkdir()
    secret = tmp_path / "secret.yaml"
    secret.write_text("db_password: hunter2-very-secret\n", encoding="utf-8")
    (src / "honest.yaml").write_text(SEED, encoding="utf-8")
    (src / "other_problem.yaml").write_text(submission("classic_222", key_answers("classic_222"), "2", "B B"),
                                            encoding="utf-8")
    (src / "a_path.yaml").write_text(SEED.replace("problem: exercise6", f"problem: {secret}")
                                     .replace(SEED_STUDENT, 'student: {id: "4", name: D D}'), encoding="utf-8")
    (src / "myproblem.yaml").write_bytes(CLASSIC.read_bytes().replace(b"id: classic_222", b"id: myproblem"))
    (src / "uses_upload.yaml").write_text(submission("myproblem", key_answers("classic_222"), "3", "C C"),
                                          encoding="utf-8")
    out = tmp_path / "out"
    assert batch(src, out, "--problem", "exercise6") == 0
    rows = rows_of(out)
    honest = rows["honest.yaml"]
    assert honest["status"] == "graded" and honest["problem"] == "exercise6" and honest["warnings"] == []
    path_claim = rows["a_path.yaml"]  # graded against exercise6 as the honest file is, with a warning
    assert path_claim["problem"] == "exercise6" and path_claim["score"] == honest["score"]
    assert any("graded against the assignment's problem" in w for w in path_claim["warnings"])
    for name in ("other_problem.yaml", "uses_upload.yaml"):  # classic_222's right answers, checked against exercise6
        row = rows[name]
        assert row["problem"] == "exercise6" and row["max_score"] == honest["max_score"]
        assert row["score"] < row["max_score"] / 2  # classic_222's key is not this assignment's
        assert any("graded against the assignment's problem" in w for w in row["warnings"]), row["warnings"]
    assert rows["myproblem.yaml"]["status"] == "unusable"  # an uploaded problem is a row, never a key
    grades = json.loads((out / "grades.json").read_text(encoding="utf-8"))
    assert [p["id"] for p in grades["assignment"]["problems"]] == ["exercise6"]
    assert grades["assignment"]["points_possible"] == honest["max_score"]
    assert "hunter2" not in everything_written(out)


def test_with_problems_dir_only_the_instructors_folder_is_looked_in(tmp_path):
    """--problems DIR: the id a file names is looked up in the instructor's folder (and the bundled problems),
    never beside the submission and never as a path."""
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(REPO / "problems" / "exercise6.yaml", course / "hw3.yaml")
    (course / "hw3.yaml").write_text((course / "hw3.yaml").read_text(encoding="utf-8")
                                     .replace("id: exercise6", "id: hw3", 1), encoding="utf-8")
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "config.yaml").write_text("api_key: s3cr3t-value-123\n", encoding="utf-8")
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "sub" / "myproblem.yaml").write_bytes(CLASSIC.read_bytes().replace(b"id: classic_222", b"id: myproblem"))
    (src / "sub" / "uses_upload.yaml").write_text(submission("myproblem", key_answers("classic_222"), "3", "C C"),
                                                  encoding="utf-8")
    (src / "sub" / "climbs.yaml").write_text(SEED.replace("problem: exercise6", "problem: ../secret/config.yaml")
                                             .replace(SEED_STUDENT, 'student: {id: "5", name: E E}'),
                                             encoding="utf-8")
    (src / "hw3.yaml").write_text(SEED.replace("problem: exercise6", "problem: hw3"), encoding="utf-8")
    out = tmp_path / "out"
    assert batch(src, out, "--problems", str(course)) == 0
    rows = rows_of(out)
    assert rows["hw3.yaml"]["status"] == "graded" and rows["hw3.yaml"]["problem"] == "hw3"
    assert rows["sub/uses_upload.yaml"]["status"] == "unusable"
    assert "myproblem" in rows["sub/uses_upload.yaml"]["error"]["message"]
    assert rows["sub/climbs.yaml"]["status"] == "unusable"
    assert "s3cr3t" not in everything_written(out)


def test_the_variant_follows_the_lms_identity_not_the_student_id_in_the_file(tmp_path):
    """Issue 10: `leeann_2001_7001_hw.yaml` with `student: {id: "2002"}` and Ben's (2002's) answers scored full
    marks against Ben's variant. The LMS says the file is 2001's: it is graded against 2001's values."""
    bens = key_answers("exercise6_random", "2002")
    assert bens != key_answers("exercise6_random", "2001")
    src = tmp_path / "in"
    src.mkdir()
    (src / "leeann_2001_7001_hw.yaml").write_text(submission("exercise6_random", bens, "2002", "Ann Lee"),
                                                  encoding="utf-8")
    (src / "brownben_2002_7002_hw.yaml").write_text(submission("exercise6_random", bens, "2002", "Ben Brown"),
                                                    encoding="utf-8")
    cys = key_answers("exercise6_random", "2003")
    (src / "chency_2003_7003_hw.yaml").write_text(submission("exercise6_random", cys), encoding="utf-8")
    out = tmp_path / "out"
    assert batch(src, out, "--problem", "exercise6_random", "--lms", "canvas") == 0  # an unpacked Canvas download
    rows = rows_of(out)
    ben, copied, own = (rows[n] for n in ("brownben_2002_7002_hw.yaml", "leeann_2001_7001_hw.yaml",
                                          "chency_2003_7003_hw.yaml"))
    assert ben["status"] == "graded" and ben["score"] == ben["max_score"] and ben["warnings"] == []
    assert copied["status"] == "graded" and copied["student"]["id"] == "2001"
    assert copied["score"] < copied["max_score"] / 2  # Ben's numbers are wrong for 2001's values
    assert any("student.id 2002" in w and "2001's values" in w for w in copied["warnings"]), copied["warnings"]
    # a file without student.id is graded as the LMS's student (no id in the file is needed in a batch)
    assert own["status"] == "graded" and own["score"] == own["max_score"] and own["student"]["id"] == "2003"


def test_a_canvas_id_that_differs_from_a_university_id_is_no_warning_for_a_fixed_problem(tmp_path):
    """Canvas user ids and the ids students write (their university id) differ as a rule: for a problem without
    per-student values that is not worth a warning."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "mosavireza_12345_100_hw.yaml").write_text(SEED, encoding="utf-8")
    out = tmp_path / "out"
    assert batch(src, out, "--problem", "exercise6", "--lms", "canvas") == 0
    row = rows_of(out)["mosavireza_12345_100_hw.yaml"]
    assert row["status"] == "graded" and row["warnings"] == [] and row["student"]["id"] == "12345"
    assert row["from_submission"]["id"] == "400222100"


def test_manual_scores_are_matched_by_the_lms_id_not_the_id_in_the_file(tmp_path):
    """`--manual` rows are for the student the gradebooks show: in an LMS download the LMS's id (Canvas user id), not
    the `student.id` a file writes. So the instructor's row for Canvas user 12345 reaches Reza's file (which writes
    his university id), and a file that writes Reza's id (Ann's, Canvas user 2001) does not get Reza's scores."""
    homework = (REPO / "submissions_examples" / "seed_homework.yaml").read_text(encoding="utf-8")
    src = tmp_path / "in"
    src.mkdir()
    (src / "mosavireza_12345_100_hw.yaml").write_text(homework, encoding="utf-8")
    (src / "leeann_2001_7001_hw.yaml").write_text(homework.replace("name: Reza Mosavi", "name: Ann Lee"),
                                                  encoding="utf-8")
    by_lms = tmp_path / "by_lms.csv"
    by_lms.write_text("student_id,question,points,comment\n12345,ex1,7,good\n2001,ex2,3,\n", encoding="utf-8")
    plain, merged = tmp_path / "plain", tmp_path / "merged"
    assert batch(src, plain, "--problem", "seed_homework", "--lms", "canvas") == 0
    assert batch(src, merged, "--problem", "seed_homework", "--lms", "canvas", "--manual", str(by_lms)) == 0
    before, after = rows_of(plain), rows_of(merged)
    reza, ann = after["mosavireza_12345_100_hw.yaml"], after["leeann_2001_7001_hw.yaml"]
    assert reza["student"]["id"] == "12345" and reza["from_submission"]["id"] == "400222100"
    assert reza["fields"]["ex1"]["points"] == 7 and reza["fields"]["ex2"]["verdict"] == "pending"
    assert reza["score"] == before["mosavireza_12345_100_hw.yaml"]["score"] + 7
    assert ann["fields"]["ex1"]["verdict"] == "pending" and ann["fields"]["ex2"]["points"] == 3
    assert ann["score"] == before["leeann_2001_7001_hw.yaml"]["score"] + 3
    # rows keyed by the id the files write apply to nobody, and each file says why
    by_file_id = tmp_path / "by_file_id.csv"
    by_file_id.write_text("student_id,question,points\n400222100,ex1,7\n", encoding="utf-8")
    assert batch(src, tmp_path / "by_file_id", "--problem", "seed_homework", "--lms", "canvas",
                 "--manual", str(by_file_id)) == 0
    for name, row in rows_of(tmp_path / "by_file_id").items():
        assert row["fields"]["ex1"]["verdict"] == "pending", name
        lms_id = row["student"]["id"]
        assert any("for student 400222100 (the id in the file) are not applied" in w and f"student {lms_id}" in w
                   for w in row["warnings"]), row["warnings"]


def test_manual_scores_reach_a_writeup_by_its_lms_id(tmp_path):
    """A write-up of the seed (its heading names its university id) in a Canvas folder: the instructor's row for
    Canvas user 12345 regrades its z1. Before, only the id written in the file could match."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "mosavireza_12345_100_hw.md").write_bytes((REPO / "submissions_examples" / "exercise6_seed.md").read_bytes())
    scores = tmp_path / "scores.csv"
    scores.write_text("student_id,question,points,comment\n12345,z_1,1,regraded by hand\n", encoding="utf-8")
    assert batch(src, tmp_path / "plain", "--problem", "exercise6", "--lms", "canvas") == 0
    assert batch(src, tmp_path / "merged", "--problem", "exercise6", "--lms", "canvas", "--manual", str(scores)) == 0
    plain = rows_of(tmp_path / "plain")["mosavireza_12345_100_hw.md"]
    row = rows_of(tmp_path / "merged")["mosavireza_12345_100_hw.md"]
    assert plain["fields"]["z1"]["points"] == 0 and row["fields"]["z1"]["points"] == 1
    assert row["score"] == plain["score"] + 1 and row["warnings"] == plain["warnings"]
