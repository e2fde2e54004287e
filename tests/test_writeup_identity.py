"""A written solution (.md, .tex, .ipynb) in `grade batch` and `grade gradescope` is graded as the student the LMS
says handed it in, as a YAML file is (issue 13's identity gap; the trust model of issue 10): a randomized problem's
variant is drawn for the LMS's id, and a student named in the text is only a claim, a warning when it differs.

The oracle is independent of the grader's key: each variant's given values come from the public drawing function
(``grader.solve.variant.variant_problem``), and its right answers from the textbook formulas computed with mpmath
(``tests/textbook.py``), never from the solver. A field is ``correct`` exactly when the value written is within the
problem's tolerance (1 %, on the change ``w' - w`` for an updated weight) of that variant's right answer."""

from __future__ import annotations

import io
import json
import zipfile
from functools import lru_cache
from pathlib import Path

from grader.cli import main as cli_main
from grader.solve.variant import variant_problem
from grader.spec.find import find_problem
from grader.spec.load import load_problem
from textbook import M, sig, textbook

PROBLEM = "exercise6_random"
ANN, BEN, CY = "2001", "2002", "2003"  # Canvas user ids, and the ids the variants were made for
TEX = {"z1": "z_1", "z2": "z_2", "h1": "h_1", "h2": "h_2", "z3": "z_3", "z4": "z_4", "o1": "o_1", "o2": "o_2",
       "delta_o1": "\\delta_{o_1}", "delta_o2": "\\delta_{o_2}", "delta_h1": "\\delta_{h_1}",
       "delta_h2": "\\delta_{h_2}", **{f"w{k}_new": f"w_{k}'" for k in range(1, 9)}}
ASKED = list(TEX)


@lru_cache(maxsize=None)
def variant(sid: str) -> dict:
    """``sid``'s variant: its given values (drawn by the public function) and every value the textbook gives."""
    given = variant_problem(load_problem(find_problem(PROBLEM)), sid).problem.given_values()
    return textbook({k: M(v.numerator) / v.denominator for k, v in given.items()})


def answers(sid: str) -> dict[str, str]:
    """The right answers of ``sid``'s variant, written to 12 significant digits."""
    return {q: sig(variant(sid)[q], 12) for q in ASKED}


def accepted(q: str, written: str, sid: str) -> bool:
    """Is ``written`` right for ``q`` in ``sid``'s variant? The problem's rule: rtol 1 %, atol 1e-12; an updated
    weight is judged on its change."""
    v = variant(sid)
    given, true = M(written), v[q]
    if q.endswith("_new"):
        base = v[q.removesuffix("_new")]
        given, true = given - base, true - base
    return abs(given - true) <= M("1e-12") + M("0.01") * abs(true)


def expected_verdicts(written: dict[str, str], sid: str) -> dict[str, bool]:
    return {q: accepted(q, written[q], sid) for q in ASKED}


def test_the_oracle_tells_the_variants_apart():
    """Ben's right answers are wrong for Ann's variant in most fields (else the tests below would prove little)."""
    assert all(expected_verdicts(answers(ANN), ANN).values())
    wrong = [q for q, ok in expected_verdicts(answers(BEN), ANN).items() if not ok]
    assert len(wrong) >= 15, wrong


# ---------------------------------------------------------------------------------------------------- write-ups


def markdown(values: dict[str, str], heading: str | None) -> str:
    lines = [f"# {heading}", ""] if heading else []
    lines += ["Forward pass, deltas and updated weights:", ""]
    for q in ASKED:
        lines += [f"$$ {TEX[q]} = {values[q]} $$", ""]
    return "\n".join(lines)


def latex(values: dict[str, str], heading: str | None) -> str:
    rows = " \\\\\n".join(f"{TEX[q]} &= {values[q]}" for q in ASKED)
    first = f"# {heading}\n" if heading else ""
    return (f"{first}\\documentclass{{article}}\n\\usepackage{{amsmath}}\n\\author{{Ben Brown, 2002}}\n"
            f"\\begin{{document}}\n\\section*{{Exercise 6}}\n\\begin{{align*}}\n{rows}\n\\end{{align*}}\n"
            "\\end{document}\n")


def notebook(values: dict[str, str], heading: str | None) -> str:
    cells = []
    if heading:
        cells.append({"cell_type": "markdown", "metadata": {}, "source": [f"# {heading}\n", "\n", "My solution.\n"]})
    cells.append({"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [],
                  "source": ["import numpy as np\n"]})
    cells.append({"cell_type": "markdown", "metadata": {},
                  "source": [f"$${TEX[q]} = {values[q]}$$\n\n" for q in ASKED]})
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def yaml_file(values: dict[str, str], sid: str | None, name: str = "Ben Brown") -> str:
    student = f'student: {{id: "{sid}", name: {name}}}\n' if sid else ""
    return f"problem: {PROBLEM}\n{student}answers:\n" + "".join(f"  {q}: {v}\n" for q, v in values.items())


def batch(src: Path, out: Path, *args: str) -> dict[str, dict]:
    assert cli_main(["batch", str(src), "--out", str(out), "--no-progress", "--jobs", "1", "--problem", PROBLEM,
                     "--timestamp", "2026-01-01T00:00:00Z", *args]) == 0
    return {e["file"]: e for e in json.loads((out / "grades.json").read_text(encoding="utf-8"))["files"]}


def verdicts(row: dict) -> dict[str, bool]:
    return {q: f["verdict"] == "correct" for q, f in row["fields"].items()}


def claim_warning(row_warnings: list[str], claimed: str, lms_id: str) -> bool:
    return any(w.startswith("the file says student") and f" {claimed}" in w and f"graded against {lms_id}'s values" in w
               for w in row_warnings)


def test_a_markdown_writeup_in_a_canvas_folder_is_graded_against_the_lms_students_variant(tmp_path):
    """Ann (Canvas user 2001) hands in Ben's write-up, headed "# 2002 — Ben Brown": it is graded against Ann's
    values, field by field as the oracle says, with a warning; Cy's own right answers under Ben's heading earn full
    marks against Cy's variant."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "leeann_2001_7001_hw.md").write_text(markdown(answers(BEN), f"{BEN} — Ben Brown"), encoding="utf-8")
    (src / "chency_2003_7003_hw.md").write_text(markdown(answers(CY), f"{BEN} — Ben Brown"), encoding="utf-8")
    (src / "brownben_2002_7002_hw.md").write_text(markdown(answers(BEN), f"{BEN} — Ben Brown"), encoding="utf-8")
    rows = batch(src, tmp_path / "out", "--lms", "canvas")
    ann, cy, ben = rows["leeann_2001_7001_hw.md"], rows["chency_2003_7003_hw.md"], rows["brownben_2002_7002_hw.md"]
    assert ann["status"] == "graded" and ann["student"]["id"] == ANN
    assert verdicts(ann) == expected_verdicts(answers(BEN), ANN)
    assert ann["score"] < ann["max_score"] / 2
    assert claim_warning(ann["warnings"], BEN, ANN), ann["warnings"]
    assert ann["from_submission"]["id"] == BEN  # the claim is kept, as a YAML file's student.id is
    assert cy["status"] == "graded" and cy["student"]["id"] == CY and cy["score"] == cy["max_score"]
    assert all(verdicts(cy).values()) and claim_warning(cy["warnings"], BEN, CY)
    assert ben["score"] == ben["max_score"] and ben["warnings"] == []  # the honest file: no warning


def canvas_zip(path: Path, files: dict[str, str]) -> Path:
    """A Canvas "download all submissions" zip (flat, every entry a Canvas name: read as Canvas with --lms auto)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    path.write_bytes(buf.getvalue())
    return path


def test_tex_and_notebook_writeups_in_a_canvas_zip_follow_the_lms_identity(tmp_path):
    """The same for LaTeX and a notebook, from a Canvas zip: Ben's values handed in by Ann are graded against
    Ann's variant, with a warning where the text names Ben (the notebook's heading, the .tex's ``\\author{Ben
    Brown, 2002}``: ``tests/test_writeup_tex_author.py``); a .tex is graded as the LMS's student whatever it
    claims, where before it was refused for lack of an id."""
    zpath = canvas_zip(tmp_path / "submissions.zip", {
        "leeann_2001_7001_hw.ipynb": notebook(answers(BEN), f"{BEN} — Ben Brown"),
        "leeann_2001_7002_sol.tex": latex(answers(BEN), None),
        "chency_2003_7003_sol.tex": latex(answers(CY), f"{BEN} — Ben Brown"),
    })
    rows = batch(zpath, tmp_path / "out")
    nb, tex, cy = (rows[n] for n in ("leeann_2001_7001_hw.ipynb", "leeann_2001_7002_sol.tex",
                                     "chency_2003_7003_sol.tex"))
    for row in (nb, tex):
        assert row["fields"] and row["student"]["id"] == ANN, row
        assert verdicts(row) == expected_verdicts(answers(BEN), ANN), row["file"]
    assert claim_warning(nb["warnings"], BEN, ANN), nb["warnings"]
    assert claim_warning(tex["warnings"], BEN, ANN), tex["warnings"]  # its \author claims Ben
    assert cy["score"] == cy["max_score"] and claim_warning(cy["warnings"], BEN, CY)


def test_a_writeup_and_a_yaml_file_of_one_student_get_the_same_variant(tmp_path):
    """Ann's write-up and Ann's YAML file, both claiming Ben (the heading, `student.id`), with the same values
    (Ann's, two of them wrong): the same verdicts, the oracle's for Ann's variant, and the same warning."""
    values = dict(answers(ANN), z1=answers(BEN)["z1"], delta_o2=answers(BEN)["delta_o2"])
    src = tmp_path / "in"
    src.mkdir()
    (src / "leeann_2001_7001_hw.md").write_text(markdown(values, f"{BEN} — Ben Brown"), encoding="utf-8")
    (src / "leeann_2001_7002_hw.yaml").write_text(yaml_file(values, BEN), encoding="utf-8")
    rows = batch(src, tmp_path / "out", "--lms", "canvas")
    md, yml = rows["leeann_2001_7001_hw.md"], rows["leeann_2001_7002_hw.yaml"]
    expected = expected_verdicts(values, ANN)
    assert not expected["z1"] and not expected["delta_o2"] and sum(expected.values()) == len(ASKED) - 2
    assert verdicts(md) == verdicts(yml) == expected
    assert {q: f["verdict"] for q, f in md["fields"].items()} == {q: f["verdict"] for q, f in yml["fields"].items()}
    assert md["score"] == yml["score"]
    assert claim_warning(md["warnings"], BEN, ANN) and claim_warning(yml["warnings"], BEN, ANN)


def test_without_an_lms_identity_a_writeup_is_graded_as_a_yaml_file_would_be(tmp_path):
    """A plain folder (no LMS names): the text's heading says who wrote it, as a YAML file's `student:` does, and
    without one both are refused for lack of an id (the write-up told how to give it)."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "ben.md").write_text(markdown(answers(BEN), f"{BEN} — Ben Brown"), encoding="utf-8")
    (src / "ben.yaml").write_text(yaml_file(answers(BEN), BEN), encoding="utf-8")
    (src / "nobody.md").write_text(markdown(answers(BEN), None), encoding="utf-8")
    (src / "nobody.yaml").write_text(yaml_file(answers(BEN), None), encoding="utf-8")
    rows = batch(src, tmp_path / "out", "--lms", "none")
    for name in ("ben.md", "ben.yaml"):
        assert rows[name]["score"] == rows[name]["max_score"] and rows[name]["student"]["id"] == BEN, name
    for name in ("nobody.md", "nobody.yaml"):
        assert rows[name]["status"] == "unusable", name
        assert "needs the student's id" in rows[name]["error"]["message"]
    assert "# 400222100 — Your Name" in rows["nobody.md"]["error"]["hint"]
    assert "student: {id:" in rows["nobody.yaml"]["error"]["hint"]


# ---------------------------------------------------------------------------------------------------- Gradescope


def gradescope(tmp_path: Path, files: dict[str, str], users: list[dict] | None) -> dict:
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "source").mkdir()
    (root / "source" / "problem.yaml").write_bytes(find_problem(PROBLEM).read_bytes())
    for name, text in files.items():
        (root / "submission" / name).write_text(text, encoding="utf-8")
    if users is not None:
        (root / "submission_metadata.json").write_text(json.dumps({"id": 1, "users": users}), encoding="utf-8")
    assert cli_main(["gradescope", "--root", str(root)]) == 0
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


ANN_USER = {"email": "ann@example.edu", "id": 91, "name": "Ann Lee", "sid": ANN}
BEN_USER = {"email": "ben@example.edu", "id": 92, "name": "Ben Brown", "sid": BEN}


def test_gradescope_grades_a_writeup_and_a_yaml_file_as_the_submitter(tmp_path):
    """Ann submits Ben's work (write-up headed with Ben's id; YAML with Ben's student.id): graded against Ann's
    variant (her Student ID in the metadata), the claim a note in the output; her own values under Ben's name get
    full marks."""
    claims = {"md": f"the file says student {BEN} (in its heading), but Gradescope says",
              "yaml": f"the file says student.id {BEN}, but Gradescope says"}
    for kind, text in (("md", markdown(answers(BEN), f"{BEN} — Ben Brown")), ("yaml", yaml_file(answers(BEN), BEN))):
        res = gradescope(tmp_path / f"copied_{kind}", {f"answers.{kind}": text}, [ANN_USER])
        tests = {t["name"].split(":")[0]: t for t in res["tests"]}
        assert len(tests) == len(ASKED) and res["score"] < 12, (kind, res["score"])
        for q, ok in expected_verdicts(answers(BEN), ANN).items():
            assert not ok or tests[q]["status"] == "passed", (kind, q)  # right for Ann's variant: passed
        assert claims[kind] in res["output"] and f"graded against {ANN}'s values" in res["output"], kind
    for kind, text in (("md", markdown(answers(ANN), f"{BEN} — Ben Brown")), ("yaml", yaml_file(answers(ANN), BEN))):
        res = gradescope(tmp_path / f"own_{kind}", {f"answers.{kind}": text}, [ANN_USER])
        assert res["score"] == 24 and all(t["status"] == "passed" for t in res["tests"]), kind


def test_gradescope_group_member_named_by_the_file_and_no_metadata(tmp_path):
    """A group (Ann and Ben) whose file names Ben: graded as Ben, one of the submitters, without a warning. Without
    metadata there is no LMS identity: the file's own student decides, for a write-up as for YAML."""
    res = gradescope(tmp_path / "group", {"answers.md": markdown(answers(BEN), f"{BEN} — Ben Brown")},
                     [ANN_USER, BEN_USER])
    assert res["score"] == 24 and "'s values" not in res["output"]
    for kind, text in (("md", markdown(answers(BEN), f"{BEN} — Ben Brown")), ("yaml", yaml_file(answers(BEN), BEN))):
        res = gradescope(tmp_path / f"alone_{kind}", {f"answers.{kind}": text}, None)
        assert res["score"] == 24, kind


def test_a_writeup_is_read_once_for_the_variant_of_the_student_it_names(monkeypatch):
    """Without an LMS id, the text's heading chooses the variant, and the write-up is read (converted, tokenized,
    attributed) once, against that variant's values: before, it was read twice, first against the problem's own."""
    import grader.submission.writeup as writeup
    from grader.grade.pipeline import Grader

    calls = []
    convert = writeup.as_markdown
    monkeypatch.setattr(writeup, "as_markdown", lambda *a, **k: calls.append(a[2]) or convert(*a, **k))
    result = Grader(problem=PROBLEM).grade_writeup(markdown(answers(BEN), f"{BEN} — Ben Brown"), "md", "ben.md")
    assert calls == ["ben.md"]
    assert result.student.id == BEN and expected_verdicts(answers(BEN), BEN) == {
        f.quantity: f.verdict == "correct" for f in result.fields}
