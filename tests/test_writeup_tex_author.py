"""A LaTeX write-up's ``\\author{...}`` is its student, as a Markdown heading ``# 2002 — Ben Brown`` is (issue 13):
the id chooses a randomized problem's variant where nothing better says who handed the file in (single-file
``grade``), and in ``grade batch`` / ``grade gradescope`` the LMS's identity wins and the text's is a claim with a
warning (``grader.batch.identity.GradedAs``).

Verdicts are checked against the oracle of ``tests/test_writeup_identity.py``: each variant's givens from the public
drawing function, its right answers from the textbook formulas (mpmath), never from the grader's key."""

from __future__ import annotations

import json

import pytest

from grader.cli import main as cli_main
from grader.solve.solver import solve
from grader.spec.load import load_problem
from grader.submission.student import MAX_AUTHOR_CHARS, MAX_AUTHOR_SEARCH, MAX_NAME_CHARS, tex_author
from grader.submission.writeup import writeup_submission

from test_writeup_identity import (
    ANN, ANN_USER, ASKED, BEN, CY, PROBLEM, TEX, answers, batch, canvas_zip, claim_warning, expected_verdicts,
    gradescope, verdicts,
)


def tex(values: dict[str, str], author: str | None, heading: str | None = None) -> str:
    rows = " \\\\\n".join(f"{TEX[q]} &= {values[q]}" for q in ASKED)
    first = f"# {heading}\n" if heading else ""
    who = f"\\author{{{author}}}\n" if author is not None else ""
    return (f"{first}\\documentclass{{article}}\n\\usepackage{{amsmath}}\n\\title{{Exercise 6}}\n{who}"
            f"\\begin{{document}}\n\\maketitle\n\\begin{{align*}}\n{rows}\n\\end{{align*}}\n\\end{{document}}\n")


# ---------------------------------------------------------------------------------------------------- reading \author


@pytest.mark.parametrize("author, sid, name", [
    ("Ben Brown, 2002", "2002", "Ben Brown"),
    ("Ben Brown (2002)", "2002", "Ben Brown"),
    ("2002 -- Ben Brown", "2002", "Ben Brown"),
    ("Ben Brown \\\\ Student ID: 2002 \\\\ Fall 2026", "2002", "Ben Brown"),
    ("Ben Brown \\\\[2pt] 2002", "2002", "Ben Brown"),  # a line that is only the number
    ("Ben Brown \\\\ Fall 2026 \\\\ Room 1234", None, "Ben Brown"),  # other numbers are no id
    ("Ben Brown\\thanks{Student ID 400222100}", "400222100", "Ben Brown"),
    ("Ben Brown\\thanks{Thanks to my TA.} \\\\ \\texttt{ben@example.edu}", None, "Ben Brown"),
    ("Ann Lee, 2001 \\and Ben Brown, 2002", "2001", "Ann Lee"),  # the first author
    ("Ann Lee \\And Ben Brown \\AND Cy Chen", None, "Ann Lee"),
    ("J\\\"{o}rg M\\\"uller, 2002", "2002", "Jörg Müller"),
    ("\\'{E}mile Zola", None, "Émile Zola"),
    ("Fran\\c{c}ois Gr\\o nbech (ID: 12345)", "12345", "François Grønbech"),
    ("Ann \\v{S}ediv\\'a --- 5555", "5555", "Ann Šedivá"),
    ("Bj\\\"{o}rn J\\'{\\i}gsson", None, "Björn Jígsson"),
    ("Stra\\ss{}e", None, "Straße"),
    ("\\textbf{Ann}~\\textsc{Lee} \\\\ 2001", "2001", "Ann Lee"),
    ("{\\large Ann Lee}", None, "Ann Lee"),  # a size command is no part of the name
    ("$\\alpha$ Team", None, "Team"),  # a command without text is left out
])
def test_author_is_read_as_plain_text(author, sid, name):
    student = tex_author(f"\\documentclass{{article}}\n\\author{{{author}}}\n\\begin{{document}}\n")
    assert (student.id, student.name) == (sid, name)
    assert student.claimed_in == "in its \\author"


@pytest.mark.parametrize("text", [
    "\\documentclass{article}\n\\begin{document}\nno author here\n",
    "\\author{}",
    "\\author{ \\\\ }",
    "\\author{\\thanks{Thanks to my TA.}}",
    "% \\author{Ben Brown, 2002}\n",  # a comment
    "\\author{Ben Brown" + "{" * 3000,  # never closed
    "\\author{" + "x" * (MAX_AUTHOR_CHARS + 1) + "}",  # longer than read
    " " * MAX_AUTHOR_SEARCH + "\\author{Ben Brown, 2002}",  # past where it is looked for
])
def test_no_author_is_no_one(text):
    student = tex_author(text)
    assert (student.id, student.name) == (None, None)


def test_hostile_authors_stay_small_and_printable():
    assert tex_author("\\author{Old Name}\n\\author{New Name}").name == "New Name"  # the last, as LaTeX uses
    assert tex_author("\\author{%Old Name\nNew Name}").name == "New Name"
    long = tex_author("\\author{" + "Ann " * 200 + "}")
    assert long.name == ("Ann " * 20).strip() and len(long.name) <= MAX_NAME_CHARS
    odd = tex_author("\\author{Eve\u202e\u200bevil\u0007 \\\\x}")  # a bidi override, a zero width space, a bell
    assert odd.name == "Eve evil"
    nested = tex_author("\\author{Ann" + "\\thanks{" * 100 + "x" + "}" * 100 + " Lee}")  # deep, within the cap
    assert nested.name == "Ann Lee"
    script = tex_author("\\author{<script>alert(1)</script>}")  # kept as text; the reports escape it
    assert script.name == "<script>alert(1)</script>"


@pytest.mark.parametrize("author, name", [
    ("\x1b[31mEvil Name\x1b[0m", "Evil Name"),  # colour on and off: no "[31m" left behind
    ("Ann\x1b[1;31;40m Lee", "Ann Lee"),
    ("\x1b]0;pwned\x07Ann Lee", "Ann Lee"),  # a window-title string, to its BEL
    ("\x1b]8;;http://x.example\x07Ann Lee", "Ann Lee"),  # a hyperlink
    ("\x9b2JAnn Lee", "Ann Lee"),  # the one-byte CSI
    ("\x1bcAnn Lee", "Ann Lee"),  # reset the terminal
    ("Ann Lee\x1b[", "Ann Lee"),  # cut short
    ("Ann [31m Lee", "Ann [31m Lee"),  # the same text without an ESC is a name's own
])
def test_terminal_escape_sequences_leave_no_trace(author, name):
    assert tex_author(f"\\author{{{author}}}").name == name


def test_only_a_tex_file_reads_author_and_a_heading_is_the_fallback():
    key = solve(load_problem("problems/classic_222.yaml"))
    body = "\\author{Ben Brown, 2002}\n\\begin{document}\n$$h_1 = 0.59$$\n\\end{document}\n"
    assert writeup_submission(body, "tex", "a.tex", key, "classic_222").student.to_dict() == {
        "id": "2002", "name": "Ben Brown"}
    assert writeup_submission(body, "md", "a.md", key, "classic_222").student.to_dict() == {"id": None, "name": None}
    with_heading = "# 2003 — Cy Chen\n" + body
    assert writeup_submission(with_heading, "tex", "a.tex", key, "classic_222").student.id == "2002"  # \author wins
    for author in ("\\author{}", "\\author{Ben Brown}"):  # no one, or a name without an id: the heading's id counts
        text = "# 2003 — Cy Chen\n" + author + "\n\\begin{document}\n$$h_1 = 0.59$$\n\\end{document}\n"
        student = writeup_submission(text, "tex", "a.tex", key, "classic_222").student
        assert (student.id, student.name, student.claimed_in) == ("2003", "Cy Chen", "in its heading")
    named = writeup_submission(body.replace(", 2002", ""), "tex", "a.tex", key, "classic_222").student
    assert (named.id, named.name, named.claimed_in) == (None, "Ben Brown", "in its \\author")


# ---------------------------------------------------------------------------------------------------- grading


def test_single_file_grade_uses_the_authors_id_for_the_variant(tmp_path, capsys):
    """Ben's right answers under ``\\author{Ben Brown \\\\ 2002}``: full marks against Ben's variant; the same values
    under Ann's id are graded as the oracle says for Ann's variant (mostly wrong)."""
    for sid, author in ((BEN, f"Ben Brown \\\\ {BEN}"), (ANN, f"Ann Lee, {ANN}")):
        path = tmp_path / f"{sid}.tex"
        path.write_text(tex(answers(BEN), author), encoding="utf-8")
        assert cli_main([str(path), "--problem", PROBLEM, "--format", "json"]) == 0
        result = json.loads(capsys.readouterr().out)
        assert result["student"]["id"] == sid
        assert {q: f["verdict"] == "correct" for q, f in result["fields"].items()} == expected_verdicts(
            answers(BEN), sid)
    assert not all(expected_verdicts(answers(BEN), ANN).values())


def test_a_tex_file_without_an_id_is_told_how_to_give_one(tmp_path, capsys):
    path = tmp_path / "nobody.tex"
    path.write_text(tex(answers(BEN), "Ben Brown"), encoding="utf-8")
    assert cli_main([str(path), "--problem", PROBLEM]) == 2
    err = capsys.readouterr().err
    assert "needs the student's id" in err and "\\author{Your Name, 400222100}" in err
    assert "Traceback" not in err


def test_in_a_canvas_batch_the_lms_wins_and_the_author_is_a_claim(tmp_path):
    """Ann (Canvas 2001) hands in Ben's .tex (``\\author{Ben Brown, 2002}``): graded against Ann's variant, with a
    warning naming the \\author; Cy's own right answers under Ben's \\author: full marks for Cy, with the warning;
    Ben's own file: no warning."""
    zpath = canvas_zip(tmp_path / "submissions.zip", {
        "leeann_2001_7001_sol.tex": tex(answers(BEN), f"Ben Brown, {BEN}"),
        "chency_2003_7003_sol.tex": tex(answers(CY), f"Ben Brown \\\\ Student ID: {BEN}"),
        "brownben_2002_7002_sol.tex": tex(answers(BEN), f"Ben Brown, {BEN}"),
    })
    rows = batch(zpath, tmp_path / "out")
    ann, cy, ben = (rows[n] for n in ("leeann_2001_7001_sol.tex", "chency_2003_7003_sol.tex",
                                      "brownben_2002_7002_sol.tex"))
    assert ann["student"]["id"] == ANN and verdicts(ann) == expected_verdicts(answers(BEN), ANN)
    assert claim_warning(ann["warnings"], BEN, ANN), ann["warnings"]
    assert any(f"the file says student {BEN} (in its \\author)" in w for w in ann["warnings"]), ann["warnings"]
    assert ann["from_submission"] == {"id": BEN, "name": "Ben Brown"}  # the claim is kept
    assert cy["student"]["id"] == CY and cy["score"] == cy["max_score"] and claim_warning(cy["warnings"], BEN, CY)
    assert ben["score"] == ben["max_score"] and ben["warnings"] == []


def test_gradescope_grades_a_tex_file_as_the_submitter(tmp_path):
    res = gradescope(tmp_path / "copied", {"answers.tex": tex(answers(BEN), f"Ben Brown, {BEN}")}, [ANN_USER])
    tests = {t["name"].split(":")[0]: t for t in res["tests"]}
    assert len(tests) == len(ASKED) and res["score"] < 12  # Ben's values are mostly wrong for Ann's variant
    for q, ok in expected_verdicts(answers(BEN), ANN).items():
        assert not ok or tests[q]["status"] == "passed", q  # right for Ann's variant: passed (others may carry)
    output = res["output"].replace("\\\\", "\\")  # the output is Markdown: its backslashes are escaped
    assert f"the file says student {BEN} (in its \\author), but Gradescope says" in output
    assert f"graded against {ANN}'s values" in output
    alone = gradescope(tmp_path / "alone", {"answers.tex": tex(answers(BEN), f"Ben Brown, {BEN}")}, None)
    assert alone["score"] == 24  # no metadata: the \author decides, Ben's variant
