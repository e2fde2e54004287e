"""Telling whether a file graded as another LMS student than it names needs a warning reads the plan's lean info
(``plan.info.randomized``), never the solver's key: a batch (its parent with one job, its workers otherwise) that
grades from the plan cache must not load the key for it (issue 16)."""

from __future__ import annotations

from pathlib import Path

from grader.batch.identity import GradedAs
from grader.grade import plancache
from grader.grade.pipeline import Grader

REPO = Path(__file__).resolve().parents[1]
SEED = (REPO / "submissions_examples" / "exercise6_seed.yaml").read_bytes()
SEED_ID = b'"400222100"'


def _graded_as_other_lms_student(problem: str, monkeypatch) -> tuple[object, list[str], list[str]]:
    Grader().plan_at(REPO / "problems" / f"{problem}.yaml")  # solved once: now in the plan cache
    loads: list[str] = []
    real = plancache.load_key

    def counted(raw):
        loads.append("key")
        return real(raw)

    monkeypatch.setattr(plancache, "load_key", counted)
    text = SEED.replace(b"problem: exercise6", f"problem: {problem}".encode(), 1)
    assert SEED_ID in text
    graded = GradedAs(Grader(), ["999"], "the LMS file name")  # a fresh grader: its plan comes from the cache
    result = graded.grade(text, "s.yaml")
    return result, graded.notes, loads


def test_a_plain_problem_needs_no_key_to_decide_there_is_no_warning(monkeypatch):
    result, notes, loads = _graded_as_other_lms_student("exercise6", monkeypatch)
    assert result.student.id == "400222100"  # the file's own claim
    assert notes == []  # not randomized: the same values for everyone, nothing to warn about
    assert loads == []  # without the fix, `plan.problem.randomize` loaded the key through plancache.load_key


def test_a_randomized_problem_still_warns(monkeypatch):
    result, notes, _ = _graded_as_other_lms_student("exercise6_random", monkeypatch)
    assert len(notes) == 1 and "999's values" in notes[0] and "400222100" in notes[0]


def test_the_kind_of_file_is_told_as_the_writeup_reader_tells_it():
    """``GradedAs.grade`` tells a write-up from its name without importing ``grader.submission.writeup``."""
    from grader.batch import identity
    from grader.submission.writeup import is_writeup, path_suffix

    names = ["a.yaml", "a.md", "A.MD", "dir.md/a.yaml", "a.tex/", ".md", "a.", "x.ipynb", "a.b.txt", "noext",
             "dir/.hidden", "a.markdown", "a.Txt", "a..md", "/abs/p/a.tex"]
    for name in names:
        assert identity._suffix(name) == path_suffix(name), name
        assert (identity._suffix(name).lower() in identity.WRITEUP_SUFFIXES) == is_writeup(name), name


def test_a_yaml_file_is_graded_without_the_writeup_reader():
    import subprocess
    import sys

    code = ("import sys; from grader.batch.identity import GradedAs; from grader.grade.pipeline import Grader; "
            f"GradedAs(Grader(), [], 'x').grade({SEED!r}, 's.yaml'); "
            "print('grader.submission.writeup' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
