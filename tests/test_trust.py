"""Issue 10: the instructor decides the key. Reproductions of what a hostile student could do, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEED = (ROOT / "submissions_examples" / "exercise6_seed.yaml").read_text(encoding="utf-8")
CLASSIC_CORRECT = (ROOT / "submissions_examples" / "classic_correct.yaml").read_text(encoding="utf-8")
EXERCISE6 = (ROOT / "problems" / "exercise6.yaml").read_text(encoding="utf-8")
# What a system's password file looks like; none of it may ever appear in an output.
SHADOW = ("root:$6$Qm9vYmFy$ZXhhbXBsZWhhc2g:19000:0:99999:7:::\n"
          "daemon:*:19000:0:99999:7:::\nsecretuser:$6$c2VjcmV0$aGFzaA:19001:0:99999:7:::\n")
SHADOW_BITS = ["Qm9vYmFy", "ZXhhbXBsZWhhc2g", "secretuser", "c2VjcmV0", "aGFzaA", "daemon", "19001"]


def run(capsys, *args) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The instructor works in ``course/``; the students' files are in ``course/subs/``; a secret is next door."""
    (tmp_path / "course" / "subs").mkdir(parents=True)
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "shadow").write_text(SHADOW)
    (tmp_path / "secret" / "config.yaml").write_text("db_password: hunter2-very-secret\napi_token: 0xDEADBEEF42\n")
    monkeypatch.chdir(tmp_path / "course")
    return tmp_path / "course"


def _assert_no_leak(*texts: str, extra: tuple[str, ...] = ()) -> None:
    for text in texts:
        for bit in SHADOW_BITS + ["hunter2", "DEADBEEF"] + list(extra):
            assert bit not in text, (bit, text)


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "html"])
def test_a_path_in_problem_is_never_opened(capsys, course: Path, fmt: str):
    secret = course.parent / "secret"
    for ref in (secret / "shadow", "../secret/config.yaml", "../../secret/shadow", secret / "config.yaml"):
        sub = course / "subs" / "s.yaml"
        sub.write_text(SEED.replace("problem: exercise6", f"problem: {ref}"))
        rc, out, err = run(capsys, sub, "--format", fmt)
        assert rc == 2
        assert "must be a problem id" in err and "s.yaml:" in err
        _assert_no_leak(out, err)


def test_a_non_spec_file_given_by_the_instructor_is_described_not_quoted(capsys, course: Path):
    """Even a wrong --problem / grade check on a file that is no problem spec never echoes its lines."""
    secret = course.parent / "secret"
    sub = course / "subs" / "s.yaml"
    sub.write_text(SEED)
    for args in ([sub, "--problem", secret / "shadow"], ["check", secret / "shadow"], ["solve", secret / "shadow"],
                 [sub, "--problem", secret / "config.yaml"], ["check", secret / "config.yaml"],
                 [sub, "--problem", secret / "config.yaml", "--format", "json"]):
        rc, out, err = run(capsys, *args)
        assert rc == 2, err
        assert "shadow" in err or "config.yaml" in err  # the path is named ...
        _assert_no_leak(out, err)  # ... but nothing of what is in the file


def test_another_problems_answers_do_not_choose_the_key(capsys, course: Path):
    """`problem: classic_222` with its full answers, in a class graded against exercise6: exercise6's points, with
    a warning, never 27/27."""
    sub = course / "subs" / "s.yaml"
    sub.write_text(SEED.replace("problem: exercise6", "problem: classic_222"))
    rc, out, err = run(capsys, sub, "--problem", "exercise6", "--format", "json")
    assert rc == 0, err
    result = json.loads(out)
    assert result["problem"] == "exercise6" and result["max_score"] == 24 and result["score"] == 4
    assert any("classic_222" in w and "exercise6" in w for w in result["warnings"])
    sub.write_text(CLASSIC_CORRECT)
    rc, out, err = run(capsys, sub, "--problem", "exercise6", "--format", "json")
    # graded as exercise6's answers (the 2-2-2 names resolve: net_h1 is exercise6's z1), never as 27/27
    result = json.loads(out)
    assert rc == 0 and result["problem"] == "exercise6" and result["max_score"] == 24 and result["score"] < 24
    same = course / "subs" / "same.yaml"
    same.write_text(SEED)
    rc, out, err = run(capsys, same, "--problem", str(ROOT / "problems" / "exercise6.yaml"), "--format", "json")
    assert rc == 0 and json.loads(out)["warnings"] == []  # a claim that matches is no warning


def test_a_problem_uploaded_beside_the_answers_is_never_the_key(capsys, course: Path):
    """`myproblem.yaml` (one linear neuron) next to the answers, in the submission's folder or its problems/:
    never found. A `reveal: always` twin of the exam problem beside the answers is not found either."""
    subs = course / "subs"
    (subs / "problems").mkdir()
    mine = ("id: myproblem\ntitle: mine\nnetwork:\n  inputs: [i1]\n  layers:\n    - neurons: [o1]\n"
            "      activation: linear\n      weights: {w1: [i1, o1]}\ngiven: {i1: 1, w1: 1}\nexamples:\n"
            "  - {inputs: {i1: 1}, targets: {o1: 1}}\nloss: half_sse\ntraining: {learning_rate: 0.5}\nask: [o1]\n")
    for place in (subs / "myproblem.yaml", subs / "problems" / "myproblem.yaml", course.parent / "myproblem.yaml"):
        place.write_text(mine)
    sub = subs / "s.yaml"
    sub.write_text("problem: myproblem\nanswers: {o1: 1}\n")
    rc, out, err = run(capsys, sub)
    assert rc == 2 and "no problem 'myproblem' found" in err
    exam = EXERCISE6.replace("id: exercise6", "id: exam")
    (subs / "exam.yaml").write_text(exam)  # the twin: reveal: always
    (course / "problems").mkdir()
    (course / "problems" / "exam.yaml").write_text(exam.replace("reveal: always", "reveal: never"))
    sub.write_text(SEED.replace("problem: exercise6", "problem: exam"))
    rc, out, err = run(capsys, sub)
    assert rc == 0, err
    assert "-7.65" not in out and "expected" not in out  # the instructor's exam (./problems), not the twin


def test_problems_dir_is_where_ids_are_looked_up(capsys, course: Path, tmp_path: Path):
    given = tmp_path / "given"
    given.mkdir()
    (given / "hw3.yaml").write_text(EXERCISE6.replace("id: exercise6", "id: hw3"))
    sub = course / "subs" / "s.yaml"
    sub.write_text(SEED.replace("problem: exercise6", "problem: hw3"))
    rc, out, err = run(capsys, sub, "--format", "json")
    assert rc == 2 and "no problem 'hw3' found" in err
    rc, out, err = run(capsys, sub, "--format", "json", "--problems", given)
    assert rc == 0 and json.loads(out)["problem"] == "hw3"
    rc, out, err = run(capsys, sub, "--problems", tmp_path / "nowhere")
    assert rc == 2 and "--problems" in err and "not a folder" in err


def test_a_homework_set_claim_differing_from_the_instructors_set_is_a_warning(capsys, course: Path):
    sub = course / "subs" / "s.yaml"
    sub.write_text((ROOT / "submissions_examples" / "seed_homework.yaml").read_text().replace(
        "problem: seed_homework", "problem: other_set"))
    rc, out, err = run(capsys, sub, "--problem", "seed_homework", "--format", "json")
    assert rc == 0, err
    result = json.loads(out)
    assert result["problem"] == "seed_homework" and any("other_set" in w for w in result["warnings"])


# ------------------------------------------------------------------------------------------------------ Gradescope


def _gradescope_root(tmp_path: Path, problem: str | None = EXERCISE6) -> Path:
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "source").mkdir()
    if problem is not None:
        (root / "source" / "problem.yaml").write_text(problem)
    return root


def _results(root: Path) -> dict:
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


def test_gradescope_does_not_follow_a_symlink_out_of_the_submission(tmp_path: Path):
    """Issue 10: a symlinked submission/answers.yaml pointing at a system file was followed and its first line
    landed in the student-visible results.json."""
    root = _gradescope_root(tmp_path)
    secret = tmp_path / "shadow.yaml"
    secret.write_text(SHADOW)
    (root / "submission" / "answers.yaml").symlink_to(secret)
    assert main(["gradescope", "--root", str(root)]) == 0
    res = _results(root)
    assert res["score"] == 0 and "not an ordinary file" in res["output"] and "answers.yaml" in res["output"]
    _assert_no_leak(json.dumps(res))
    # a linked folder is not entered either
    (root / "submission" / "answers.yaml").unlink()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "answers.yaml").write_text(SHADOW)
    (root / "submission" / "sub").symlink_to(tmp_path / "elsewhere")
    assert main(["gradescope", "--root", str(root)]) == 0
    res = _results(root)
    assert res["score"] == 0 and "no .yaml file" in res["output"]
    _assert_no_leak(json.dumps(res))


def test_gradescope_fifo_and_oversized_submissions_still_get_results(tmp_path: Path):
    import os

    root = _gradescope_root(tmp_path)
    os.mkfifo(root / "submission" / "answers.yaml")
    assert main(["gradescope", "--root", str(root)]) == 0  # no hang
    res = _results(root)
    assert res["score"] == 0 and "not an ordinary file" in res["output"]
    (root / "submission" / "answers.yaml").unlink()
    (root / "submission" / "answers.yaml").write_text(SEED + "#" * 2_000_000 + "\n")
    assert main(["gradescope", "--root", str(root)]) == 0
    res = _results(root)
    assert res["score"] == 0 and "too large" in res["output"]


def test_gradescope_claim_is_only_an_id_and_bad_setup_still_writes_results(tmp_path: Path):
    root = _gradescope_root(tmp_path, problem=None)
    (root / "submission" / "answers.yaml").write_text(SEED.replace("problem: exercise6", f"problem: {tmp_path}/x"))
    (tmp_path / "x.yaml").write_text(SHADOW)
    assert main(["gradescope", "--root", str(root)]) == 0
    res = _results(root)
    assert res["score"] == 0 and "must be a problem id" in res["output"]
    _assert_no_leak(json.dumps(res))
    assert main(["gradescope", "--root", str(root), "--problems", str(tmp_path / "nowhere")]) == 2
    res = _results(root)
    assert res["score"] == 0 and "not your fault" in res["output"] and "--problems" in res["output"]


# ------------------------------------------------------------------------------------------------------ caps


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_a_fifo_or_device_is_refused_never_waited_for(capsys, tmp_path: Path, kind: str):
    import os

    if kind == "fifo":
        path = tmp_path / "sub.yaml"
        os.mkfifo(path)
    elif kind == "device":
        path = Path("/dev/zero")
    else:
        path = tmp_path / "dir.yaml"
        path.mkdir()
    what = {"fifo": "named pipe", "device": "device", "folder": "folder"}[kind]
    for args in ([path], ["check", path], ["solve", path], [SEED_PATH, "--problem", path]):
        rc, out, err = run(capsys, *args)
        assert rc == 2 and str(path) in err, (args, err)
        assert what in err or (kind == "folder" and args[0] != path and "no problem" in err), (args, err)


def test_a_huge_problem_is_never_read_whole(tmp_path: Path):
    """A 1 GB problem file (sparse here) is refused without being read whole: the grading process stays small
    (it took 3.1 GB before)."""
    import subprocess
    import sys

    big = tmp_path / "big.yaml"
    with open(big, "wb") as f:
        f.truncate(1 << 30)
    code = ("import resource, sys; from grader.cli import main; rc = main(sys.argv[1:]); "
            "print(rc, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    for args in ([str(SEED_PATH), "--problem", str(big)], ["check", str(big)]):
        done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120,
                              cwd=tmp_path)
        rc, max_kb = done.stdout.split()
        assert rc == "2" and "too large" in done.stderr and "1,073,741,824 bytes" in done.stderr
        assert int(max_kb) < 400_000, max_kb  # kilobytes: far below the file's size


def test_rosters_and_manual_scores_are_capped_and_regular(capsys, tmp_path: Path):
    from grader.grade.manual import read_manual_scores
    from grader.author.variants import read_roster
    from grader.errors import GraderError, LimitError

    for reader in (read_roster, read_manual_scores):
        with pytest.raises(GraderError, match="device"):
            reader("/dev/zero")
        big = tmp_path / "big.csv"
        with open(big, "wb") as f:
            f.truncate(1 << 30)
        with pytest.raises(LimitError, match="too large"):
            reader(big)
    rc, out, err = run(capsys, "variants", "exercise6_random", "--roster", "/dev/zero", "--out", tmp_path / "v")
    assert rc == 2 and "device" in err


SEED_PATH = ROOT / "submissions_examples" / "exercise6_seed.yaml"


# ------------------------------------------------------------------------------------------------------ budgets


def _deep_problem(width: int, layers: int, steps: int) -> str:
    """A sigmoid network in the compact form: 3 inputs, ``layers - 1`` hidden layers of ``width``, 2 outputs."""
    out, prev = [], 3
    for layer in range(layers):
        n = width if layer < layers - 1 else 2
        rows = "".join(f"        - [{', '.join(['0.01'] * prev)}]\n" for _ in range(n))
        out.append(f"    - size: {n}\n      activation: sigmoid\n      weights:\n{rows}      bias: 0.1\n")
        prev = n
    return (f"id: deep\ntitle: deep\nnetwork:\n  inputs: 3\n  layers:\n{''.join(out)}"
            "given: {i1: 1.0, i2: 0.5, i3: -1.0, t1: 1, t2: 0}\nloss: half_sse\n"
            f"training: {{learning_rate: 0.5, steps: {steps}}}\nask: {{quantities: [o1]}}\n")


def test_solving_has_a_work_budget(capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Issue 10: a 4-layer 64-wide 20-step problem took 40 s and 1.2 GB; it is refused before any solving, with the
    budget and the problem's size in the message."""
    import grader.solve.solver as solver

    path = tmp_path / "deep.yaml"
    path.write_text(_deep_problem(64, 4, 20))
    monkeypatch.setattr(solver, "build_graph", lambda *a: pytest.fail("solved despite the budget"))
    sub = tmp_path / "s.yaml"
    sub.write_text("problem: deep\nanswers: {o1: 0.5}\n")
    for args in (["check", path], ["solve", path], [sub, "--problem", path]):
        rc, out, err = run(capsys, *args)
        assert rc == 2, err
        assert "too large to solve" in err and "deep.yaml" in err
        # the size: 3·64 + 64·64·2 + 64·2 weights, 4 shared biases; 64·3 + 2 neurons; 20 steps; 1 example
        weights = 3 * 64 + 64 * 64 * 2 + 64 * 2 + 4
        assert f"({weights:,} weights and biases + 194 neurons) × 20 steps × 1 example" in err
        assert f"{(weights + 194) * 20:,} units of work" in err and "the budget is 25,000" in err


def test_a_small_network_is_within_the_budget(capsys, tmp_path: Path):
    path = tmp_path / "deep.yaml"
    path.write_text(_deep_problem(4, 3, 2))
    rc, out, err = run(capsys, "check", path)
    assert rc == 0, err


def test_an_unsatisfiable_randomize_search_stops_at_its_budget(capsys, tmp_path: Path, monkeypatch):
    """Issue 10: `attempts: 100000` on a `randomize:` no variant can satisfy ran over 120 s per submission. The
    search is counted (not timed: a student's variant never depends on the machine): for this 2-2-2 network at most
    15,000 / 14 = 1,071 attempts, and the message says so."""
    import grader.solve.variant as variant

    text = (ROOT / "problems" / "exercise6_random.yaml").read_text()
    text = text.replace("weights: {min: -1, max: 1, step: 0.05}", "weights: {min: 40, max: 50, step: 1}")
    text = text.replace("inputs: {min: 0.05, max: 1, step: 0.05}", "inputs: {min: 0.9, max: 1, step: 0.05}")
    text = text.replace("attempts: 200", "attempts: 100000")
    (tmp_path / "problems").mkdir()
    (tmp_path / "problems" / "hard.yaml").write_text(text.replace("id: exercise6_random", "id: hard"))
    monkeypatch.chdir(tmp_path)
    calls = []
    real = variant.solve
    monkeypatch.setattr(variant, "solve", lambda p: calls.append(1) or real(p))
    sub = tmp_path / "s.yaml"
    sub.write_text('problem: hard\nstudent: {id: "2002"}\nanswers: {z1: 1}\n')
    rc, out, err = run(capsys, sub)
    assert rc == 2 and "no variant for student '2002'" in err and "no_saturation" in err
    assert "the search budget: 15,000 units of work, 14 per attempt" in err and "1,071 of the 100,000" in err
    assert len(calls) == 15_000 // 14


def test_a_batch_with_hostile_claims_leaks_nothing_and_grades_the_assignment(capsys, course: Path):
    """Issue 10 in `grade batch`: claims of a system file, a relative secret, another shipped problem, and a problem
    file uploaded with the answers; every output is free of the secrets and every file is graded against the
    assignment (exercise6, 24 points)."""
    secret = course.parent / "secret"
    subs = course / "subs"
    claims = {"abs": str(secret / "shadow"), "rel": "../secret/config.yaml", "other": "classic_222", "mine": "mine"}
    for name, claim in claims.items():
        (subs / f"{name}.yaml").write_text(SEED.replace("problem: exercise6", f"problem: {claim}")
                                           .replace('id: "400222100"', f'id: "{len(name)}{name}"'))
    (subs / "problems").mkdir()
    (subs / "problems" / "mine.yaml").write_text(EXERCISE6.replace("id: exercise6", "id: mine"))
    out = course / "out"
    rc, stdout, err = run(capsys, "batch", subs, "--out", out, "--problem", "exercise6", "--no-progress")
    assert rc == 0, err
    for path in out.rglob("*"):
        if path.is_file():
            _assert_no_leak(path.read_text(encoding="utf-8", errors="replace"))
    rows = json.loads((out / "grades.json").read_text(encoding="utf-8"))
    rows = rows["files"]
    graded = [r for r in rows if r.get("file", "").startswith(tuple(claims))]
    assert len(graded) == 4 and all(r["max_score"] == 24 and r["score"] == 4 for r in graded), graded
