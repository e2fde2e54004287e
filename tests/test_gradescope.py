"""grade gradescope (the autograder run) and grade gradescope-package (the autograder zip)."""

from __future__ import annotations

import json
import stat
import zipfile
from pathlib import Path

import pytest

from grader.batch.gradescope_package import build_package
from grader.cli import main as cli_main

REPO = Path(__file__).resolve().parent.parent
SEED = (REPO / "submissions_examples" / "exercise6_seed.yaml").read_text(encoding="utf-8")
PROBLEM = (REPO / "problems" / "exercise6.yaml").read_text(encoding="utf-8")


def make_root(tmp_path: Path, files: dict[str, str], *, metadata: dict | None = None, problem: str = PROBLEM) -> Path:
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "source").mkdir()
    if problem is not None:
        (root / "source" / "problem.yaml").write_text(problem, encoding="utf-8")
    for name, text in files.items():
        p = root / "submission" / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    if metadata is not None:
        (root / "submission_metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    return root


def run(root: Path) -> dict:
    assert cli_main(["gradescope", "--root", str(root)]) == 0
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


METADATA = {
    "id": 123,
    "created_at": "2025-01-01T10:00:00Z",
    "assignment": {"title": "HW", "total_points": "24.0"},
    "users": [{"email": "jane@example.edu", "id": 42, "name": "Jane Doe"}],
}


def test_results_tests_and_scores(tmp_path):
    root = make_root(tmp_path, {"answers.yaml": SEED}, metadata=METADATA)
    res = run(root)
    assert res["score"] == 4.0
    assert res["output_format"] == "md" and res["output"].startswith("# ")
    tests = res["tests"]
    assert len(tests) == 20
    assert [t["number"] for t in tests] == [f"1.{i}" for i in range(1, 21)]
    assert tests[0]["name"].startswith("z1")
    assert sum(t["score"] for t in tests) == res["score"]
    assert sum(t["max_score"] for t in tests) == 24
    by_name = {t["name"].split(":")[0]: t for t in tests}
    assert by_name["z3"]["status"] == "passed" and by_name["z3"]["score"] == 1  # carried
    assert by_name["h1"]["status"] == "failed" and "sigmoid_sign" in by_name["h1"]["output"]
    for t in tests:
        assert set(t) == {"name", "number", "score", "max_score", "status", "output", "visibility"}
        assert t["visibility"] == "visible" and t["status"] in ("passed", "failed")
    assert "Reza Mosavi" in res["output"]  # the file names its student


def test_metadata_fills_in_the_student(tmp_path):
    text = SEED.replace('student: {id: "400222100", name: Reza Mosavi}\n', "")
    res = run(make_root(tmp_path, {"hw.yaml": text}, metadata=METADATA))
    assert "Jane Doe" in res["output"]


def test_metadata_absent_or_broken(tmp_path):
    root = make_root(tmp_path, {"hw.yaml": SEED})
    assert run(root)["score"] == 4.0
    (root / "submission_metadata.json").write_text("{not json", encoding="utf-8")
    assert run(root)["score"] == 4.0


def test_unusable_submission_scores_zero(tmp_path):
    root = make_root(tmp_path, {"hw.yaml": "problem: exercise6\nanswers:\n  z1: a: b\n"})
    res = run(root)
    assert res["score"] == 0 and res["tests"] == []
    assert "hw.yaml:3: YAML syntax error" in res["output"]
    assert str(root) not in res["output"]


@pytest.mark.parametrize(
    "files, message",
    [
        ({}, "no .yaml file"),
        ({"notes.txt": "hello"}, "no .yaml file"),
        ({"a.yaml": SEED, "sub/b.yml": SEED}, "2 .yaml files (a.yaml, sub/b.yml)"),
    ],
)
def test_submission_files_found_or_explained(tmp_path, files, message):
    res = run(make_root(tmp_path, files))
    assert res["score"] == 0 and message in res["output"]


def test_hidden_and_macos_files_ignored(tmp_path):
    res = run(make_root(tmp_path, {"hw.yaml": SEED, "__MACOSX/._hw.yaml": "x", ".hidden.yaml": "x"}))
    assert res["score"] == 4.0


def run_setup_error(root: Path) -> dict:
    """An autograder whose own problem is unusable: results.json says so, and the exit code is 2, as for a bad
    ``--problems`` (before: 0, as if the student's file had been graded)."""
    assert cli_main(["gradescope", "--root", str(root)]) == 2
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


def test_bad_problem_is_not_the_students_fault(tmp_path):
    res = run_setup_error(make_root(tmp_path, {"hw.yaml": SEED}, problem="id: broken\n"))
    assert res["score"] == 0
    assert "not your fault" in res["output"] and "could not be graded" not in res["output"]


def test_internal_error_still_writes_results(tmp_path, monkeypatch):
    from grader.batch import gradescope

    def boom(*a, **k):
        raise RuntimeError("kaput")

    monkeypatch.setattr(gradescope, "run_gradescope", boom)
    root = make_root(tmp_path, {"hw.yaml": SEED})
    assert cli_main(["gradescope", "--root", str(root)]) == 1
    res = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert res["score"] == 0 and "kaput" in res["output"]


# ------------------------------------------------------------------------------------------------ the package

@pytest.fixture(scope="module")
def package(tmp_path_factory):
    out = tmp_path_factory.mktemp("pkg") / "autograder.zip"
    assert cli_main(["gradescope-package", "exercise6", "--out", str(out)]) == 0
    return out


def test_package_layout(package):
    with zipfile.ZipFile(package) as zf:
        names = zf.namelist()
        infos = {i.filename: i for i in zf.infolist()}
        run_autograder = zf.read("run_autograder").decode()
        setup = zf.read("setup.sh").decode()
        problem = zf.read("problem.yaml").decode()
    assert {"setup.sh", "run_autograder", "problem.yaml"} <= set(names)
    assert "backprop-grader/pyproject.toml" in names and "backprop-grader/README.md" in names
    assert "backprop-grader/grader/cli.py" in names and "backprop-grader/grader/batch/gradescope.py" in names
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
    assert names == sorted(names)
    for name in ("run_autograder", "setup.sh"):
        mode = infos[name].external_attr >> 16
        assert stat.S_ISREG(mode) and mode & 0o777 == 0o755
    assert (infos["problem.yaml"].external_attr >> 16) & 0o777 == 0o644
    assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in infos.values())
    assert run_autograder.startswith("#!") and "cd /autograder && grade gradescope" in run_autograder
    assert 'pip install -q "$SRC/backprop-grader"' in setup and 'AG="${AUTOGRADER:-/autograder}"' in setup
    assert problem == PROBLEM


def test_package_is_deterministic(package):
    assert build_package("exercise6") == package.read_bytes()


def test_package_runs_as_gradescope_would(package, tmp_path):
    root = make_root(tmp_path, {"hw.yaml": SEED}, problem=None)
    with zipfile.ZipFile(package) as zf:
        zf.extractall(root / "source")  # Gradescope unpacks the zip into /autograder/source
    assert (root / "source" / "problem.yaml").is_file()
    assert run(root)["score"] == 4.0


def test_package_refuses_a_bad_problem(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: broken\n", encoding="utf-8")
    assert cli_main(["gradescope-package", str(bad), "--out", str(tmp_path / "a.zip")]) == 2
    assert not (tmp_path / "a.zip").exists()
    assert "error:" in capsys.readouterr().err


def test_test_output_says_how_an_answer_was_read_and_where_a_writeup_wrote_it(tmp_path):
    """An expression answer shows its reading in the Gradescope test output, as every report does; a write-up's
    answer shows the line it came from."""
    import math
    import re

    text = "problem: exercise6\nanswers:\n  z1: -7.65\n  h1: '1/(1 + e^(7.65))'\n"
    res = run(make_root(tmp_path, {"answers.yaml": text}))
    h1 = {t["name"].split(":")[0]: t for t in res["tests"]}["h1"]
    m = re.search(r"\(read as ([0-9.eE+-]+)\)", h1["output"])
    assert m, h1["output"]
    assert math.isclose(float(m[1]), 1 / (1 + math.exp(7.65)), rel_tol=1e-5)
    assert h1["status"] == "passed"  # the true h1 of the seed's network

    root = make_root(tmp_path / "w", {"solution.md": (REPO / "submissions_examples" / "classic_chain_rule.md")
                                      .read_text(encoding="utf-8")},
                     problem=(REPO / "problems" / "classic_222.yaml").read_text(encoding="utf-8"))
    tests = run(root)["tests"]
    assert tests and all(re.search(r"\nFrom line \d+: \S", t["output"]) for t in tests if t["score"] > 0)


@pytest.mark.parametrize("metadata", ['{"users": 5}', '{"users": true}', "[" * 100_000 + "]" * 100_000,
                                      '{"users": ' + "[" * 100_000 + "]" * 100_000 + "}"])
def test_metadata_of_the_wrong_shape_is_no_metadata(tmp_path, metadata):
    root = make_root(tmp_path, {"hw.yaml": SEED})
    (root / "submission_metadata.json").write_text(metadata, encoding="utf-8")
    res = run(root)
    assert res["score"] == 4.0 and "internal error" not in res["output"]


def test_a_write_up_is_held_to_the_write_up_limit(tmp_path):
    # 1.5 MB: over the YAML reader's 1 MiB, within the 2 MiB that grade FILE and grade batch allow a write-up
    seed_md = (REPO / "submissions_examples" / "exercise6_seed.md").read_text(encoding="utf-8")
    padded = seed_md + "\n\nMore working in words, kept as the student wrote it.\n" * 28_000
    assert 1_048_576 < len(padded.encode()) < 2 * 1_048_576
    res = run(make_root(tmp_path, {"answers.md": padded}))
    assert res["score"] == 4.0, res["output"][:300]


def test_a_problem_file_that_is_no_yaml_is_not_blamed_on_the_student(tmp_path):
    res = run_setup_error(make_root(tmp_path, {"hw.yaml": SEED}, problem="id: x\nnetwork: [\n"))
    assert res["score"] == 0 and "not your fault" in res["output"] and "Fix the file" not in res["output"]


def test_a_randomized_problem_names_the_submitter_whose_values_were_graded(tmp_path):
    """A file naming another student (a copied file) is graded with the Gradescope submitter's variant; the report's
    header names the submitter too, not the file's claim (before: "Student 999999999", graded with Jane's values)."""
    problem = (REPO / "problems" / "exercise6_random.yaml").read_text(encoding="utf-8")
    text = "problem: exercise6_random\nstudent:\n  id: \"999999999\"\n  name: Copied From\nanswers:\n  z1: 0.5\n"
    meta = {**METADATA, "users": [{"email": "jane@example.edu", "sid": "400111222", "id": 42, "name": "Jane Doe"}]}
    res = run(make_root(tmp_path, {"hw.yaml": text}, metadata=meta, problem=problem))
    head = res["output"].split("\n## ", 1)[0]
    assert "Jane Doe" in head and "400111222" in head, head
    assert "Copied From" not in head and "999999999 (" not in head
    assert "graded against 400111222's values" in res["output"]  # the warning still says what the file claimed
    assert "999999999" in res["output"]
