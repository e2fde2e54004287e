"""grade batch: folders, LMS zips and unpacked downloads -> gradebooks, feedback, summary."""

from __future__ import annotations

import csv
import json
import os
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from grader.batch import safezip
from grader.batch.lmsbooks import AGS_KEYS, CANVAS_IDENTITY_COLUMNS, MOODLE_COLUMNS
from grader.batch.inputs import identity_from_name
from grader.batch.feedback import canvas_sortable, feedback_stem
from grader.batch.run import grade_batch
from grader.cli import main as cli_main
from grader.errors import GraderError, LimitError

REPO = Path(__file__).resolve().parent.parent
PROBLEMS = REPO / "problems"  # the instructor's folder of problems (--problems DIR)
SEED = (REPO / "submissions_examples" / "exercise6_seed.yaml").read_text(encoding="utf-8")
SEED_STUDENT = 'student: {id: "400222100", name: Reza Mosavi}'


def variant(student: str | None = None, *, z1: str | None = None, problem: str | None = None) -> str:
    """The seed submission with another student line (``""`` removes it), another z1, another problem."""
    text = SEED
    if student is not None:
        text = text.replace(SEED_STUDENT, student)
    if z1 is not None:
        text = text.replace("  z1: -11.65 ", f"  z1: {z1} ", 1)
    if problem is not None:
        text = text.replace("problem: exercise6", f"problem: {problem}", 1)
    return text


def student(sid: str, name: str) -> str:
    return f'student: {{id: "{sid}", name: {name}}}'


def read_csv(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def grades(out: Path) -> dict:
    return json.loads((out / "grades.json").read_text(encoding="utf-8"))


def by_file(out: Path) -> dict[str, dict]:
    return {e["file"]: e for e in grades(out)["files"]}


def make_zip(path: Path, entries: list) -> Path:
    """``entries``: (name, text) or a ready ZipInfo with its data."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for entry in entries:
            zf.writestr(entry[0], entry[1])
    return path


def set_encrypted_flag(path: Path, name: str) -> None:
    """Mark entry ``name`` as encrypted in the central directory (zipfile resets the flag when writing)."""
    data = bytearray(path.read_bytes())
    needle = name.encode()
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        nlen = int.from_bytes(data[pos + 28:pos + 30], "little")
        if data[pos + 46:pos + 46 + nlen] == needle:
            data[pos + 8] |= 0x1
        pos = data.find(b"PK\x01\x02", pos + 4)
    path.write_bytes(bytes(data))


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# ------------------------------------------------------------------------------------------------ a plain folder

@pytest.fixture(scope="module")
def folder_batch(tmp_path_factory):
    base = tmp_path_factory.mktemp("folder")
    src = base / "subs"
    (src / "nested" / "deeper").mkdir(parents=True)
    files = {
        "good_a.yaml": variant(student("1001", "Ann Archer")),
        "good_b.yml": variant(student("1002", "Ben Brown"), z1="-7.65"),
        "nested/deeper/good_c.yaml": variant(student("1003", "Cy Chen")),
        "bad_syntax.yaml": "problem: exercise6\nanswers:\n  z1: a: b\n",
        "bad_problem.yaml": variant(student("1004", "Di Diaz"), problem="no_such_problem"),
        "bad_unknown_quantity.yaml": variant(student("1005", "Ed Eng")).replace("  z2: -16.65", "  z9: -16.65"),
        "unparseable.yaml": variant(student("1006", "Flo Fox")).replace("  z1: -11.65 ", '  z1: "1/(2+" ', 1),
        "empty.yaml": "",
        "notes.txt": "not yaml",
        "nested/photo.png": "\x89PNG",
    }
    for name, text in files.items():
        (src / name).write_text(text, encoding="utf-8")
    for i, name in enumerate(sorted(files)):
        os.utime(src / name, (1_700_000_000 + i, 1_700_000_000 + i))
    out = base / "out"
    result = grade_batch(src, out, problems=PROBLEMS, jobs=2, progress=False, timestamp=STAMP)
    return src, out, files, result


STAMP = "2025-01-02T03:04:05.678Z"


def test_folder_every_file_once(folder_batch):
    src, out, files, result = folder_batch
    rows = read_csv(out / "grades.csv")
    listed = [r[2] for r in rows[1:]]  # the generic gradebook: one row per graded student with an id
    assert listed == ["good_a.yaml", "good_b.yml", "nested/deeper/good_c.yaml", "bad_unknown_quantity.yaml",
                      "unparseable.yaml"]
    attention = read_csv(out / "needs-attention.csv")
    assert attention[0] == ["file", "student_id", "name", "reason", "detail"]
    assert sorted(r[0] for r in attention[1:]) == sorted(set(files) - set(listed))  # every other file, once
    entries = grades(out)["files"]
    assert sorted(e["file"] for e in entries) == sorted(files)
    # an unknown quantity costs only its answer (issue 11 item 2): bad_unknown_quantity.yaml is graded
    assert (result.graded, result.unusable, result.skipped, result.superseded) == (5, 3, 2, 0)
    assert result.line().startswith("graded 5, unusable 3, skipped 2")


def test_folder_bad_files_have_reasons(folder_batch):
    _, out, _, _ = folder_batch
    e = by_file(out)
    assert e["bad_syntax.yaml"]["status"] == "unusable"
    assert "YAML syntax error" in e["bad_syntax.yaml"]["error"]["message"]
    assert e["bad_syntax.yaml"]["error"]["line"] == 3
    assert e["bad_syntax.yaml"]["error"]["file"] == "bad_syntax.yaml"
    assert "no_such_problem" in e["bad_problem.yaml"]["error"]["message"]
    assert e["bad_problem.yaml"]["student"] == {"id": "1004", "name": "Di Diaz"}  # identity kept from the file
    unknown = e["bad_unknown_quantity.yaml"]
    assert unknown["status"] == "graded" and unknown["fields"]["z2"]["verdict"] == "missing"
    assert unknown["fields"]["z1"]["verdict"] == "incorrect"  # the rest of the file is graded as usual
    assert any("unknown quantity 'z9'" in w and "z2" in w for w in unknown["warnings"])
    assert "empty" in e["empty.yaml"]["error"]["message"]
    assert e["notes.txt"]["status"] == "skipped"
    assert e["notes.txt"]["error"]["message"] == "not a submission file (expected .yaml/.yml)"
    # an unparseable answer is not an unusable file: it is graded "unparseable"
    assert e["unparseable.yaml"]["status"] == "graded"
    assert e["unparseable.yaml"]["fields"]["z1"]["verdict"] == "unparseable"
    rows = {r[0]: r for r in read_csv(out / "needs-attention.csv")[1:]}
    assert rows["bad_syntax.yaml"][3] == "not-graded"
    assert rows["bad_syntax.yaml"][4].startswith("bad_syntax.yaml:3: YAML syntax error")
    assert rows["bad_problem.yaml"][1:4] == ["1004", "Di Diaz", "not-graded"]
    assert rows["notes.txt"][3] == "not-a-submission"
    summary = (out / "summary.html").read_text(encoding="utf-8")
    for name in ("bad_syntax.yaml", "bad_problem.yaml", "bad_unknown_quantity.yaml", "empty.yaml", "notes.txt"):
        assert name in summary


def test_folder_grades_and_columns(folder_batch):
    _, out, _, _ = folder_batch
    rows = read_csv(out / "grades.csv")
    head = rows[0]
    assert head[:7] == ["student_id", "name", "file", "score", "max_score", "status", "error"]
    assert head[7:11] == ["z1", "z2", "h1", "h2"] and len(head) == 7 + 20
    body = {r[2]: r for r in rows[1:]}
    assert body["good_a.yaml"][:6] == ["1001", "Ann Archer", "good_a.yaml", "4", "24", "graded"]
    assert body["good_b.yml"][3] == "5" and body["good_b.yml"][7] == "correct"
    assert body["nested/deeper/good_c.yaml"][0] == "1003"
    # sorted by student id then file; no row without an id
    ids = [r[0] for r in rows[1:]]
    assert ids == ["1001", "1002", "1003", "1005", "1006"]
    entry = by_file(out)["good_a.yaml"]
    assert entry["fields"]["h1"]["diagnosis"]["id"] == "sigmoid_sign"
    assert {f["kind"] for f in entry["flags"]} == {"inconsistent", "wrong_given"}


def test_folder_feedback_files(folder_batch):
    _, out, _, _ = folder_batch
    fb = out / "feedback"
    names = sorted(p.name for p in fb.iterdir())
    assert "archerann_1001_feedback.md" in names and "archerann_1001_feedback.html" in names
    assert "brownben_1002_feedback.md" in names
    md = (fb / "archerann_1001_feedback.md").read_text(encoding="utf-8")
    assert "Ann Archer" in md and "good_a.yaml" in md
    assert (fb / "archerann_1001_feedback.html").read_text(encoding="utf-8").lstrip().startswith("<!DOCTYPE html>")
    # an unusable file gets a report saying why, for the student
    # (it names nobody: its report is kept out of the upload folder, under a name no LMS matches)
    assert not (fb / "bad_syntax_feedback.md").exists()
    bad = (out / "feedback-not-uploaded" / "unidentified" / "bad-syntax-feedback.md").read_text(encoding="utf-8")
    assert "could not be graded" in bad and "line 3" in bad
    assert (fb / "diazdi_1004_feedback.md").is_file()  # unusable, but it says who: the student gets the reason
    assert not any(n.startswith(".staging") for n in names)
    assert not (out / ".grades-rows.tmp").exists()
    assert by_file(out)["good_a.yaml"]["feedback"] == {
        "markdown": "feedback/archerann_1001_feedback.md",
        "html": "feedback/archerann_1001_feedback.html",
    }


def test_summary_is_self_contained(folder_batch):
    _, out, _, _ = folder_batch
    html = (out / "summary.html").read_text(encoding="utf-8")
    assert "<svg" in html and "<rect" in html  # the histogram is drawn, not tabulated
    assert "Item analysis" in html and "sigmoid_sign" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html and "<script" not in html and "<link" not in html


def test_byte_identical_reruns(folder_batch, tmp_path):
    src, out, _, _ = folder_batch
    again = tmp_path / "again"
    grade_batch(src, again, problems=PROBLEMS, jobs=1, progress=False, timestamp=STAMP)
    assert tree(out) == tree(again)
    grade_batch(src, again, problems=PROBLEMS, jobs=3, progress=False, timestamp=STAMP)  # same folder again, other parallelism
    assert tree(out) == tree(again)


def test_timestamp_is_given_or_now(folder_batch, tmp_path):
    _, out, files, _ = folder_batch
    stamp = grades(out)["assignment"]["timestamp"]
    assert stamp == "2025-01-02T03:04:05.678+00:00"  # --timestamp, to the millisecond
    for line in (out / "ags-scores.jsonl").read_text(encoding="utf-8").splitlines():
        assert json.loads(line)["timestamp"] == stamp
    # without --timestamp: the time the batch graded (not a file's mtime, which Moodle would take for stale)
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.yaml").write_text(variant(student("1", "A B")), encoding="utf-8")
    os.utime(src / "a.yaml", (1_600_000_000, 1_600_000_000))
    before = datetime.now(timezone.utc).replace(microsecond=0)
    grade_batch(src, tmp_path / "o", problem="exercise6", jobs=1, progress=False)
    after = datetime.now(timezone.utc)
    got = datetime.fromisoformat(grades(tmp_path / "o")["assignment"]["timestamp"])
    assert before <= got <= after
    moodle_sheet_time = read_csv(tmp_path / "o" / "gradebook-moodle.csv")  # no participant here: header only
    assert len(moodle_sheet_time) == 1


def test_ags_lines(folder_batch):
    _, out, _, _ = folder_batch
    lines = (out / "ags-scores.jsonl").read_text(encoding="utf-8").splitlines()
    objs = [json.loads(line) for line in lines]
    assert [o["userId"] for o in objs] == ["1001", "1002", "1003", "1005", "1006"]
    for o in objs:
        assert list(o) == AGS_KEYS
        assert o["gradingProgress"] == "FullyGraded"
        # AGS activityProgress: Completed when every asked item is answered, Submitted when some are missing
        assert o["activityProgress"] == ("Submitted" if o["userId"] == "1005" else "Completed")
        assert o["scoreMaximum"] == 24.0 and isinstance(o["scoreGiven"], float)
        assert o["comment"].startswith(f"{o['scoreGiven']:g}/24 points")


# ------------------------------------------------------------------------------------------------ Canvas zip

CANVAS_ENTRIES = [
    ("doejane_12345_100_hw.yaml", variant(student("400111", "Jane Doe"))),
    ("doejane_12345_200_hw-1.yaml", variant(student("400111", "Jane Doe"), z1="-7.65")),  # resubmission
    ("doejane_12345_250_notes.pdf", "%PDF"),  # a later non-submission never supersedes
    ("smithbob_LATE_23456_150_answers.yaml", variant("")),  # identity only from the name
    ("leeann_late_34567_160_x.yaml", variant(student("400333", "Ann Lee"))),
    ("anon_Xy7Qz_300_hw.yaml", variant("")),
    ("roejack_45678_170_hw.yaml", variant(student("400444", "Someone Else"))),  # the names disagree
    ("bad_56789_180_hw.yaml", "problem: exercise6\nanswers: [\n"),
]


@pytest.fixture(scope="module")
def canvas_batch(tmp_path_factory):
    base = tmp_path_factory.mktemp("canvas")
    zpath = make_zip(base / "submissions.zip", CANVAS_ENTRIES)
    out = base / "out"
    result = grade_batch(
        zpath, out, problem="exercise6", jobs=2, assignment_name="HW 3", assignment_id="777",
        timestamp="2025-01-02T03:04:05Z", progress=False,
    )
    return out, result


def test_canvas_identities(canvas_batch):
    out, result = canvas_batch
    e = by_file(out)
    assert len(e) == len(CANVAS_ENTRIES)
    jane = e["doejane_12345_200_hw-1.yaml"]
    assert jane["from_file_name"]["user_id"] == "12345" and jane["from_file_name"]["attachment_id"] == 200
    assert jane["student"] == {"id": "12345", "name": "Jane Doe"}
    bob = e["smithbob_LATE_23456_150_answers.yaml"]
    assert bob["from_file_name"]["late"] is True and bob["student"] == {"id": "23456", "name": "smithbob"}
    assert e["leeann_late_34567_160_x.yaml"]["from_file_name"]["late"] is True
    anon = e["anon_Xy7Qz_300_hw.yaml"]
    assert anon["from_file_name"]["anon_id"] == "Xy7Qz" and anon["student"]["id"] == "anon_Xy7Qz"
    assert e["doejane_12345_250_notes.pdf"]["status"] == "skipped"
    assert e["bad_56789_180_hw.yaml"]["status"] == "unusable"


def test_canvas_superseded(canvas_batch):
    out, result = canvas_batch
    e = by_file(out)
    old = e["doejane_12345_100_hw.yaml"]
    assert old["status"] == "superseded" and old["superseded_by"] == "doejane_12345_200_hw-1.yaml"
    assert e["doejane_12345_200_hw-1.yaml"]["status"] == "graded"
    assert result.superseded == 1
    assert "doejane_12345_100_hw.yaml" in (out / "summary.html").read_text(encoding="utf-8")
    fb = out / "feedback"
    assert (fb / "doejane_12345_200_feedback.md").is_file()
    assert not (fb / "superseded").exists()  # nothing in the upload folder but the reports that count
    assert (out / "feedback-not-uploaded" / "superseded" / "doejane-12345-100-feedback.md").is_file()
    assert (fb / "anon_Xy7Qz_300_feedback.html").is_file()


def test_canvas_name_conflict_warning(canvas_batch):
    out, _ = canvas_batch
    roe = by_file(out)["roejack_45678_170_hw.yaml"]
    assert any("Someone Else" in w and "roejack" in w for w in roe["warnings"])
    assert roe["student"]["id"] == "45678"
    assert "Someone Else" in (out / "summary.html").read_text(encoding="utf-8")
    assert by_file(out)["doejane_12345_200_hw-1.yaml"]["warnings"] == []  # "Jane Doe" is "doejane"


def test_canvas_csv_layout(canvas_batch):
    out, _ = canvas_batch
    rows = read_csv(out / "gradebook-canvas.csv")
    assert rows[0] == CANVAS_IDENTITY_COLUMNS + ["HW 3 (777)"]
    assert rows[1] == ["    Points Possible", "", "", "", "", "24"]
    raw = (out / "gradebook-canvas.csv").read_text(encoding="utf-8")
    assert raw.startswith("Student,ID,SIS User ID,SIS Login ID,Section,HW 3 (777)\n    Points Possible,,,,,24\n")
    body = {r[1]: r for r in rows[2:]}
    assert body["12345"] == ["Jane Doe", "12345", "", "", "", "5"]  # the resubmission counts; the LMS id alone
    assert body["23456"][4:] == ["", "4"]
    assert "56789" not in body  # unusable: in needs-attention.csv, not in a gradebook
    assert len(rows) == 2 + 4  # one row per student with a Canvas user id (the anonymous one cannot be imported)


def test_canvas_header_without_id(tmp_path):
    zpath = make_zip(tmp_path / "s.zip", CANVAS_ENTRIES[:1])
    grade_batch(zpath, tmp_path / "out", problem="exercise6", jobs=1, progress=False)
    rows = read_csv(tmp_path / "out" / "gradebook-canvas.csv")
    assert rows[0] == CANVAS_IDENTITY_COLUMNS + ["exercise6"]


def test_canvas_ags_and_timestamp(canvas_batch):
    out, _ = canvas_batch
    objs = [json.loads(x) for x in (out / "ags-scores.jsonl").read_text(encoding="utf-8").splitlines()]
    assert all(list(o) == AGS_KEYS for o in objs)
    assert {o["timestamp"] for o in objs} == {"2025-01-02T03:04:05.000+00:00"}
    assert "anon_Xy7Qz" not in {o["userId"] for o in objs}  # an anonymous id is not a user id
    assert "56789" not in {o["userId"] for o in objs}


# ------------------------------------------------------------------------------------------------ Moodle folder

def test_moodle_folder(tmp_path):
    src = tmp_path / "moodle"
    layout = {
        "Jane Doe_1234567_assignsubmission_file_/hw.yaml": variant(student("400111", "Jane Doe")),
        "Jane Doe_1234567_assignsubmission_file_/hw_v2.yaml": variant(student("400111", "Jane Doe"), z1="-7.65"),
        "Jane Doe_1234567_assignsubmission_onlinetext_/onlinetext.html": "<p>hi</p>",
        "Bob Smith_7654321_assignsubmission_file/answers.yaml": variant(""),
        "Ann Lee_1111111_assignsubmission_file_hw.yaml": variant(student("400333", "\"Lee, Ann\"")),
        "Zed Zo_2222222_assignsubmission_file_/sub/z.yaml": variant(student("400555", "Other Person")),
    }
    for i, (name, text) in enumerate(sorted(layout.items())):
        p = src / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    # the first-named file is the newer one: the mtime decides, not the name
    os.utime(src / "Jane Doe_1234567_assignsubmission_file_/hw.yaml", (1_700_000_500, 1_700_000_500))
    os.utime(src / "Jane Doe_1234567_assignsubmission_file_/hw_v2.yaml", (1_700_000_100, 1_700_000_100))
    out = tmp_path / "out"
    result = grade_batch(src, out, problem="exercise6", jobs=2, progress=False, timestamp="2025-03-04T05:06:07.5Z")
    e = by_file(out)
    assert len(e) == len(layout)
    jane_new = e["Jane Doe_1234567_assignsubmission_file_/hw.yaml"]
    jane_old = e["Jane Doe_1234567_assignsubmission_file_/hw_v2.yaml"]
    assert jane_new["status"] == "graded" and jane_new["from_file_name"]["participant_id"] == "1234567"
    assert jane_old["status"] == "superseded" and jane_old["superseded_by"].endswith("/hw.yaml")
    assert e["Bob Smith_7654321_assignsubmission_file/answers.yaml"]["student"] == {"id": "7654321",
                                                                                     "name": "Bob Smith"}
    assert e["Ann Lee_1111111_assignsubmission_file_hw.yaml"]["warnings"] == []  # "Lee, Ann" is Ann Lee
    assert any("Other Person" in w for w in e["Zed Zo_2222222_assignsubmission_file_/sub/z.yaml"]["warnings"])
    assert e["Jane Doe_1234567_assignsubmission_onlinetext_/onlinetext.html"]["status"] == "skipped"
    assert result.superseded == 1
    rows = read_csv(out / "gradebook-moodle.csv")
    assert rows[0] == MOODLE_COLUMNS
    body = {r[0]: r for r in rows[1:]}
    assert set(body) == {"Participant 1234567", "Participant 7654321", "Participant 1111111", "Participant 2222222"}
    assert body["Participant 1234567"][1:5] == ["Jane Doe", "4", "24", "2025-03-04T05:06:07+00:00"]
    assert body["Participant 1234567"][5].startswith("4/24 points")
    fb = out / "feedback"
    assert (fb / "Jane Doe_1234567_assignfeedback_file_feedback.md").is_file()
    held = out / "feedback-not-uploaded" / "superseded" / "Jane Doe-1234567-assignfeedback-file-feedback.md"
    assert held.is_file()


# ------------------------------------------------------------------------------------------------ zip safety

def test_zip_slip_never_written_outside(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    zpath = make_zip(work / "s.zip", [
        ("../evil.yaml", variant(student("9001", "Eve Vil"))),
        ("../../evil2.yaml", variant(student("9002", "Eve Two"))),
        ("/abs/evil3.yaml", variant(student("9003", "Eve Three"))),
        ("ok/../../evil4.yaml", "problem: exercise6\nanswers: [\n"),
    ])
    out = work / "out"
    before = set(tmp_path.rglob("*"))
    grade_batch(zpath, out, problem="exercise6", jobs=2, progress=False)
    created = set(tmp_path.rglob("*")) - before
    assert all(p == out or out in p.parents for p in created), created
    evil = {"evil.yaml", "evil2.yaml", "evil3.yaml", "evil4.yaml"}
    assert not any(p.name in evil for p in Path(tmp_path.anchor).glob("*"))
    assert not any(p.name in evil for p in tmp_path.parent.rglob("*"))
    listed = [e["file"] for e in grades(out)["files"]]
    assert sorted(listed) == sorted(["../evil.yaml", "../../evil2.yaml", "/abs/evil3.yaml", "ok/../../evil4.yaml"])
    e = by_file(out)
    assert e["../evil.yaml"]["status"] == "graded" and e["/abs/evil3.yaml"]["status"] == "graded"
    assert e["ok/../../evil4.yaml"]["status"] == "unusable"
    for entry in e.values():
        for path in (entry["feedback"] or {}).values():
            assert path.startswith(("feedback/", "feedback-not-uploaded/")) and ".." not in path


def test_zip_too_many_entries_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(safezip, "MAX_ENTRIES", 20)
    zpath = make_zip(tmp_path / "many.zip", [(f"f{i}.yaml", "x: 1\n") for i in range(21)])
    with pytest.raises(LimitError, match="21 entries"):
        grade_batch(zpath, tmp_path / "out", problem="exercise6", jobs=1, progress=False)
    assert cli_main(["batch", str(zpath), "--out", str(tmp_path / "out2"), "--problem", "exercise6"]) == 2
    assert "entries (the limit is 20)" in capsys.readouterr().err
    assert not (tmp_path / "out2" / "grades.csv").exists()


def test_zip_real_entry_cap_in_end_record(tmp_path):
    # no monkeypatching: the end record is read before the directory is parsed
    zpath = tmp_path / "huge.zip"
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_STORED) as zf:
        for i in range(safezip.MAX_ENTRIES + 1):
            zf.writestr(zipfile.ZipInfo(f"{i}"), b"")
    with pytest.raises(LimitError, match="50,001 entries"):
        safezip.open_zip(str(zpath))


def test_zip_declared_total_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(safezip, "MAX_TOTAL_BYTES", 10_000)
    zpath = make_zip(tmp_path / "big.zip", [("a.yaml", "#" * 6_000), ("b.yaml", "#" * 6_000)])
    with pytest.raises(LimitError, match="possible zip bomb"):
        grade_batch(zpath, tmp_path / "out", problem="exercise6", jobs=1, progress=False)


def test_zip_bomb_entry_is_a_row_and_not_inflated(tmp_path):
    bomb = b"a: " + b"0" * (3 * 1024 * 1024)  # 3 MiB, deflates to a few KB
    zpath = tmp_path / "bomb.zip"
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb.yaml", bomb)
        zf.writestr("good_1_2_hw.yaml", variant(student("1", "Al Ok")))
    assert zpath.stat().st_size < 50_000
    out = tmp_path / "out"
    grade_batch(zpath, out, problem="exercise6", jobs=1, progress=False)
    e = by_file(out)
    assert e["bomb.yaml"]["status"] == "unusable"
    assert "too large" in e["bomb.yaml"]["error"]["message"] and "1,048,576" in e["bomb.yaml"]["error"]["message"]
    assert e["good_1_2_hw.yaml"]["status"] == "graded"


def test_zip_symlink_and_encrypted_entries(tmp_path):
    link = zipfile.ZipInfo("link.yaml")
    link.create_system = 3
    link.external_attr = 0o120777 << 16
    zpath = make_zip(tmp_path / "s.zip", [
        (link, "/etc/passwd"),
        ("locked.yaml", variant(student("2", "Lo Cked"))),
        ("fine.yaml", variant(student("3", "Fi Ne"))),
        ("__MACOSX/._fine.yaml", "\x00\x05\x16\x07"),
        ("folder/", ""),
    ])
    set_encrypted_flag(zpath, "locked.yaml")
    out = tmp_path / "out"
    grade_batch(zpath, out, problem="exercise6", jobs=1, progress=False)
    e = by_file(out)
    assert set(e) == {"link.yaml", "locked.yaml", "fine.yaml", "__MACOSX/._fine.yaml"}
    assert e["link.yaml"]["status"] == "skipped" and "symbolic link" in e["link.yaml"]["error"]["message"]
    assert e["link.yaml"]["fields"] == {} and e["link.yaml"]["student"]["id"] is None
    assert e["locked.yaml"]["status"] == "unusable" and "encrypted" in e["locked.yaml"]["error"]["message"]
    assert e["__MACOSX/._fine.yaml"]["status"] == "skipped"
    assert e["fine.yaml"]["status"] == "graded"


def test_not_a_zip_is_exit_2(tmp_path, capsys):
    bogus = tmp_path / "bogus.zip"
    bogus.write_bytes(b"this is not a zip at all")
    assert cli_main(["batch", str(bogus), "--out", str(tmp_path / "o"), "--problem", "exercise6"]) == 2
    assert "not a zip" in capsys.readouterr().err
    assert cli_main(["batch", str(tmp_path / "missing"), "--out", str(tmp_path / "o"), "--problem", "exercise6"]) == 2


# ------------------------------------------------------------------------------------------------ CLI, details

def test_cli_batch_line(tmp_path, capsys):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.yaml").write_text(variant(student("1", "A B")), encoding="utf-8")
    (src / "b.yaml").write_text(variant(student("1", "A B"), z1="-7.65"), encoding="utf-8")
    (src / "c.yaml").write_text("problem: exercise6\nanswers: [\n", encoding="utf-8")
    os.utime(src / "a.yaml", (1_700_000_000, 1_700_000_000))
    os.utime(src / "b.yaml", (1_700_000_100, 1_700_000_100))
    out = tmp_path / "out"
    code = cli_main(["batch", str(src), "--out", str(out), "--jobs", "2", "--problem", "exercise6",
                     "--timestamp", "2025-05-05T10:00:00+02:00"])
    assert code == 0
    # three files: the superseded one is among the graded, said so (not a third count that adds up to four)
    assert capsys.readouterr().out.strip() == (f"graded 2, unusable 1 (of these, 1 superseded by a later file of "
                                               f"the same student), needs attention 1 (needs-attention.csv) → {out}")
    assert grades(out)["assignment"]["timestamp"] == "2025-05-05T08:00:00.000+00:00"
    assert by_file(out)["a.yaml"]["superseded_by"] == "b.yaml"


def test_output_inside_input_is_not_read(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.yaml").write_text(variant(student("1", "A B")), encoding="utf-8")
    grade_batch(src, src / "out", problem="exercise6", jobs=1, progress=False, timestamp=STAMP)
    first = tree(src / "out")
    grade_batch(src, src / "out", problem="exercise6", jobs=1, progress=False, timestamp=STAMP)
    assert tree(src / "out") == first
    assert [e["file"] for e in grades(src / "out")["files"]] == ["a.yaml"]


def test_bad_problem_option_refuses_batch(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.yaml").write_text(variant(), encoding="utf-8")
    with pytest.raises(GraderError, match="no problem"):
        grade_batch(src, tmp_path / "out", problem="no_such_problem", jobs=1, progress=False)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("doejane_12345_67890_hw1.yaml", dict(lms="canvas", user_id="12345", attachment_id=67890, late=False,
                                             sortable_name="doejane")),
        ("doejane_LATE_12345_67890_hw_1_2.yaml", dict(lms="canvas", user_id="12345", attachment_id=67890, late=True)),
        ("doejane_late_12345_67890_hw1.yaml", dict(lms="canvas", user_id="12345", late=True)),
        ("anon_aB3dE_67890_hw1.yaml", dict(lms="canvas", anon_id="aB3dE", user_id=None, attachment_id=67890)),
        ("LATE_anon_aB3dE_67890_hw1.yaml", dict(lms="canvas", anon_id="aB3dE", late=True)),
        ("dir/Jane Doe_1234567_assignsubmission_file_/hw.yaml", dict(lms="moodle", participant_id="1234567",
                                                                     full_name="Jane Doe")),
        ("Jane Doe_1234567_assignsubmission_file/sub/hw.yaml", dict(lms="moodle", participant_id="1234567")),
        ("Jane Doe_1234567_assignsubmission_file_hw.yaml", dict(lms="moodle", participant_id="1234567")),
        ("hw1.yaml", None),
        ("exercise6_seed.yaml", None),
    ],
)
def test_identity_from_name(name, expected):
    ident = identity_from_name(name)
    if expected is None:
        assert ident is None
        return
    for key, value in expected.items():
        assert getattr(ident, key) == value, key


def test_feedback_names():
    from grader.submission.student import Student

    assert canvas_sortable("Reza Mosavi") == "mosavireza"
    assert canvas_sortable("Doe, Jane") == "doejane"
    assert feedback_stem(None, Student("4002", "Reza Mosavi"), "x.yaml") == "mosavireza_4002_feedback"
    assert feedback_stem(None, None, "../../a/b/c.yaml") == "c_feedback"
    assert feedback_stem(None, Student("../../x", None), "c.yaml") == "student_.._.._x_feedback"
    assert "/" not in feedback_stem(None, Student("a/b", "c/d"), "e")
    ident = identity_from_name("doejane_LATE_12345_67890_hw1.yaml")
    assert feedback_stem(ident, None, "") == "doejane_12345_67890_feedback"


def test_spreadsheet_formula_cells_are_defused(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.yaml").write_text(variant(student("7", "'=HYPERLINK(1)'")), encoding="utf-8")
    grade_batch(src, tmp_path / "out", problem="exercise6", jobs=1, progress=False)
    rows = read_csv(tmp_path / "out" / "grades.csv")
    assert rows[1][1] == "'=HYPERLINK(1)"
    # JSON keeps the text as written
    assert grades(tmp_path / "out")["files"][0]["student"]["name"] == "=HYPERLINK(1)"


def test_csv_quotes_odd_names(tmp_path):
    zpath = make_zip(tmp_path / "s.zip", [('we,ird "name"\n.yaml', variant(student("8", "X Y")))])
    grade_batch(zpath, tmp_path / "out", problem="exercise6", jobs=1, progress=False)
    rows = read_csv(tmp_path / "out" / "grades.csv")
    assert rows[1][2] == 'we,ird "name"\\x0a.yaml'  # quoted; the line break shown as an escape (issue 10)


def test_rows_sort_by_natural_student_id_then_file():
    from grader.batch.order import sort_string as _sort_string

    order = [("2", "b"), ("2", "c"), ("10", "a"), ("10a", "a"), ("a2", "a"), ("a10", "a"),
             ("b", "a"), (None, "a"), (None, "b")]
    shuffled = order[::-1]
    assert sorted(shuffled, key=lambda x: _sort_string(*x)) == order


def test_a_homework_set_with_scores_given_by_hand(tmp_path):
    """A whole homework (written answers pending) is graded in a batch, and --manual merges the instructor's scores."""
    root = Path(__file__).resolve().parents[1]
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "seed_homework.yaml").write_bytes((root / "submissions_examples" / "seed_homework.yaml").read_bytes())
    scores = tmp_path / "scores.csv"
    scores.write_text("student_id,question,points,comment\n400222100,ex1,7,good\n", encoding="utf-8")
    grade_batch(inp, tmp_path / "plain", problem="seed_homework", jobs=1)
    grade_batch(inp, tmp_path / "merged", problem="seed_homework", jobs=1, manual=scores)
    plain = by_file(tmp_path / "plain")["seed_homework.yaml"]
    merged = by_file(tmp_path / "merged")["seed_homework.yaml"]
    assert plain["status"] == merged["status"] == "graded"
    assert plain["fields"]["ex1"]["verdict"] == "pending" and plain["fields"]["ex1"]["points"] == 0
    assert merged["fields"]["ex1"]["points"] == 7
    assert merged["score"] == plain["score"] + 7


def test_a_malformed_manual_csv_refuses_the_batch(tmp_path, capsys):
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "a.yaml").write_text(variant(), encoding="utf-8")
    bad = tmp_path / "scores.csv"
    bad.write_text("who,what\n1,2\n", encoding="utf-8")
    assert cli_main(["batch", str(inp), "--out", str(tmp_path / "out"), "--problem", "exercise6", "--manual", str(bad)]) == 2
    assert "scores.csv" in capsys.readouterr().err
