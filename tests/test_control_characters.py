"""What a student writes never drives a terminal or a spreadsheet (terminal and CSV injection).

A YAML double-quoted string can hold any character as an escape (``"\\x1b[31m"``, ``"\\r\\n"``, ``"\\u202e"``).
Every output shows such a character as its escape (``grader.numfmt.printable``): the terminal report, the error
messages, the Markdown and HTML reports and the batch's CSV gradebooks hold no C0 control (but the report's own
line breaks), no DEL, no bidirectional override or isolate, no zero-width character; a newline in a value never
starts a line; ordinary names (accents, CJK, ``O'Brien``) are unchanged.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from grader.batch.gradebooks import safe_cell
from grader.cli import main
from grader.grade.pipeline import Grader
from grader.numfmt import printable
from grader.report.text import render_text

# Bytes and characters that must never be written raw: C0 controls but TAB, LF, CR (which the files' own structure
# uses), DEL, the bidirectional embeddings/overrides U+202A-U+202E and isolates U+2066-U+2069, zero-width ones.
UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069\u200b\u200e\u200f\u2028\u2029\ufeff]")
UNSAFE_IN_A_LINE = re.compile("[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069\u200b\u200e\u200f\u2028\u2029\ufeff]")

# YAML double-quoted escapes: the file itself is plain text, the strings it holds are not.
HOSTILE = r'''problem: exercise6
student: {id: "1\x1b[31mRED\x1b[0m\n\u202eevil", name: "\x1b]0;title\x07 \r\nForged line\u2066\u200b\x7f\x00"}
answers:
  z1: -7.65
  h1: "\x1b[2J\x1b[31m1"
  z2: "\u202e-13.65\rForged"
'''
ORDINARY = ["José Núñez-Ångström", "山田\u3000太郎", "فرزانه\u200cای", "क्\u200dष", "O'Brien", "Zoë D'Arcy", "Рахманинов", "محمد رضا", "Ng 吴"]


def _unsafe(text: str, *, in_a_line: bool = False) -> list[str]:
    return (UNSAFE_IN_A_LINE if in_a_line else UNSAFE).findall(text)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def run(capsys, *args) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return rc, out, err


# --- printable ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, shown", [
    ("a\x1b[31mb", "a\\x1b[31mb"),
    ("x\r\ny\tz", "x\\r\\ny\\tz"),
    ("\u202eevil\u2066\u2069", "\\u202eevil\\u2066\\u2069"),
    ("zero\u200bwidth\ufeff", "zero\\u200bwidth\\ufeff"),
    ("\x00\x07\x7f\x85", "\\x00\\x07\\x7f\\x85"),
    ("line\u2028sep", "line\\u2028sep"),
    ("tag\U000e0041", "tag\\U000e0041"),
    ("not utf-8 \udcff", "not utf-8 \\xff"),
])
def test_printable_escapes_what_is_not_printable(raw: str, shown: str):
    assert printable(raw) == shown
    assert printable(shown) == shown  # escapes are themselves printable: applying it twice changes nothing


@pytest.mark.parametrize("name", ORDINARY + ["no-break\u00a0space", "thin\u2009space", ""])
def test_printable_leaves_ordinary_text_alone(name: str):
    assert printable(name) == name


def test_printable_keeps_what_it_is_told_to():
    assert printable("a\nb\tc\x1b", keep="\n\t") == "a\nb\tc\\x1b"


@pytest.mark.parametrize("raw, cell", [
    ("\x1b[31mRed\x1b[0m", "\\x1b[31mRed\\x1b[0m"),
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("\t=1+1", "\\t=1+1"),  # a leading TAB is shown, and what follows it is no longer at the start
    ("-3.5", "-3.5"),
    ("O'Brien", "O'Brien"),
])
def test_safe_cell(raw: str, cell: str):
    assert safe_cell(raw) == cell


# --- the terminal report and the CLI's messages -------------------------------------------------------------------

def _hostile_lines(out: str, path: Path) -> list[str]:
    lines = out.split("\n")
    assert lines[0].startswith("Exercise 6: ") and "Forged line" in lines[0] and "evil" in lines[0], lines[:3]
    assert lines[1] == str(path)  # the header is one line: the file's line follows it
    assert not any(line.startswith("Forged") for line in lines)
    return lines


def test_the_terminal_report_shows_control_characters_escaped(capsys, tmp_path: Path):
    path = _write(tmp_path / "s.yaml", HOSTILE)
    rc, out, err = run(capsys, path)
    assert rc == 0 and err == ""
    assert _unsafe(out) == [] and "\r" not in out and "\t" not in out
    lines = _hostile_lines(out, path)
    assert ("\\x1b]0;title\\x07 \\r\\nForged line\\u2066\\u200b\\x7f\\x00 (1\\x1b[31mRED\\x1b[0m\\n\\u202eevil)"
            in lines[0])
    assert any("given \\x1b[2J\\x1b[31m1" in line for line in lines)  # the given column, escaped
    assert any("given \\u202e-13.65 Forged" in line for line in lines)  # white space is one space in the column


def test_the_only_escape_sequences_of_a_coloured_report_are_its_own(tmp_path: Path):
    result = Grader().grade_file(_write(tmp_path / "s.yaml", HOSTILE))
    text = render_text(result, colour=True)
    assert re.sub(r"\x1b\[(3[0-9]|0)m", "", text) == render_text(result)
    assert _unsafe(re.sub(r"\x1b\[(3[0-9]|0)m", "", text)) == []


def test_a_write_up_quoted_in_the_report_is_escaped(capsys, tmp_path: Path):
    path = _write(tmp_path / "w.md", "Name: Eve \u202eevil\n\nz1 = -7.65\n\nx{\x1b[2J = 1 \u2066\n")
    rc, out, err = run(capsys, path, "--problem", "exercise6")
    assert rc == 0 and _unsafe(out) == [] and _unsafe(err) == []


def test_warnings_and_errors_are_escaped(capsys, tmp_path: Path):
    sub = _write(tmp_path / "w.yaml", 'problem: "exercise6\\x1b[31m\\u202e"\nanswers:\n  z1: -7.65\n'
                                      '  "z9\\x1b[2J\\r\\nForged": 1\n')
    rc, out, err = run(capsys, sub, "--problem", "exercise6")
    assert rc == 0 and _unsafe(out) == [] and "\r" not in out
    warnings = [line for line in out.splitlines() if line.startswith("Warning: ")]
    assert len(warnings) == 2 and not any(line.startswith("Forged") for line in out.splitlines())
    rc, out, err = run(capsys, sub)  # the claim alone: an error quoting it
    assert rc == 2 and _unsafe(err) == [] and err.count("\n") == 1
    bad = _write(tmp_path / "b.yaml", 'problem: exercise6\nanswers: 3\n"\\x1b[2J\\u202e": 1\n')
    rc, out, err = run(capsys, bad)
    assert rc == 2 and _unsafe(err) == [] and err.count("\n") == 1


def test_a_file_name_with_control_characters_is_escaped(capsys, tmp_path: Path):
    path = _write(tmp_path / "a\x1b[31m\u202e.yaml", HOSTILE)
    rc, out, err = run(capsys, path)
    assert rc == 0 and _unsafe(out) == []
    rc, out, err = run(capsys, path.with_name("gone\x1b[2J.yaml"))
    assert rc == 2 and _unsafe(err) == [] and "gone\\x1b[2J.yaml" in err


def test_markdown_and_html_reports_neutralise_control_characters(capsys, tmp_path: Path):
    path = _write(tmp_path / "s.yaml", HOSTILE)
    rc, md, _ = run(capsys, path, "--format", "markdown")
    assert rc == 0 and _unsafe(md) == [] and "\r" not in md
    assert not any(line.startswith("Forged") for line in md.splitlines())
    rc, page, _ = run(capsys, path, "--format", "html")
    assert rc == 0 and _unsafe(page) == []
    ET.fromstring(page.split("\n", 1)[1])  # still XML (a raw ESC would not be)


@pytest.mark.parametrize("name", ORDINARY)
def test_ordinary_names_are_shown_as_written(capsys, tmp_path: Path, name: str):
    path = _write(tmp_path / "s.yaml", f'problem: exercise6\nstudent: {{id: "400222100", name: "{name}"}}\n'
                                       "answers:\n  z1: -7.65\n")
    rc, out, _ = run(capsys, path)
    assert rc == 0 and out.split("\n")[0].endswith(f" — {name} (400222100)")
    rc, md, _ = run(capsys, path, "--format", "markdown")
    assert f"**Student:** {name} (400222100)" in md


# --- the batch's gradebooks -------------------------------------------------------------------------------------

def _batch(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "in"
    for rel, text in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        _write(folder / rel, text)
    out = tmp_path / "out"
    assert main(["batch", str(folder), "--out", str(out), "--problem", "exercise6"]) == 0
    return out


def test_the_batch_csvs_hold_no_control_characters(capsys, tmp_path: Path):
    formula = HOSTILE.replace('id: "1', 'id: "2').replace('name: "', 'name: "=HYPERLINK(1)')
    out = _batch(tmp_path, {"s.yaml": HOSTILE, "f.yaml": formula,
                            "Eve Doe_1234567_assignsubmission_file_/hw.yaml": HOSTILE.replace('id: "1', 'id: "3')})
    books = sorted(out.glob("*.csv"))
    assert {p.name for p in books} >= {"grades.csv", "gradebook-canvas.csv", "gradebook-moodle.csv",
                                       "gradebook-moodle-idnumber.csv"}
    for book in books:
        text = book.read_text(encoding="utf-8")
        assert _unsafe(text) == [] and "\r" not in text, book.name
        rows = list(csv.reader(io.StringIO(text)))
        assert all(len(r) == len(rows[0]) for r in rows), book.name  # one record a line, none forged
        assert len(text.splitlines()) == len(rows), book.name
    grades = {r["file"]: r for r in csv.DictReader(io.StringIO((out / "grades.csv").read_text(encoding="utf-8")))}
    assert grades["s.yaml"]["student_id"] == "1\\x1b[31mRED\\x1b[0m\\n\\u202eevil"
    assert grades["s.yaml"]["name"] == "\\x1b]0;title\\x07 \\r\\nForged line\\u2066\\u200b\\x7f\\x00"
    assert grades["f.yaml"]["name"].startswith("'=HYPERLINK(1)")  # the formula guard still applies
    canvas = (out / "gradebook-canvas.csv").read_text(encoding="utf-8")
    assert "\\x1b]0;title\\x07 \\r\\nForged line" in canvas and "1\\x1b[31mRED" in canvas
    for feedback in (out / "feedback").iterdir():
        assert _unsafe(feedback.read_text(encoding="utf-8")) == [], feedback.name


def test_ordinary_names_reach_the_gradebooks_unchanged(tmp_path: Path):
    files = {f"s{i}.yaml": f'problem: exercise6\nstudent: {{id: "40022210{i}", name: "{name}"}}\n'
                           "answers:\n  z1: -7.65\n" for i, name in enumerate(ORDINARY)}
    out = _batch(tmp_path, files)
    grades = {r["file"]: r for r in csv.DictReader(io.StringIO((out / "grades.csv").read_text(encoding="utf-8")))}
    assert [grades[f"s{i}.yaml"]["name"] for i in range(len(ORDINARY))] == ORDINARY
    canvas = (out / "gradebook-canvas.csv").read_text(encoding="utf-8")
    assert all(name in canvas for name in ORDINARY)
